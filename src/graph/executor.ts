import neo4j, { type Driver, type ManagedTransaction, Neo4jError } from 'neo4j-driver';
import { performance } from 'node:perf_hooks';
import { abortedError, TwinError } from '../errors';
import { coalesceBoltWrites } from './bolt-writes';
import type { Log } from '../log';

export type Params = Record<string, unknown>;
export type Row = Record<string, unknown>;

export interface GraphSettings {
  uri: string;
  user: string;
  password: string;
  database: string;
  /**
   * Longest a transaction may run before Neo4j stops it (the caller gets a TwinError with code
   * TIMEOUT). 0 or unset: the executor sets none, so only the server's db.transaction.timeout applies.
   */
  txTimeoutMs?: number;
  /** Each statement is logged here at debug level (Cypher, rows, duration, request id). */
  log?: Log;
  /** Told of every statement (the metrics of server/ count them); scopes share it. */
  observe?: StatementObserver;
}

/** How a statement ran: in a read or write transaction, or auto-commit (schema commands). */
export type StatementMode = 'read' | 'write' | 'auto';

/** Hears each statement once it answered or failed: cheap, and must not throw. */
export type StatementObserver = (mode: StatementMode, ms: number, failed: boolean) => void;

/** What a scope tells Neo4j about its transactions (seen in SHOW TRANSACTIONS and the query log). */
export interface ScopeOptions {
  operationName?: string;
  requestId?: string;
  /** Replaces the executor's transaction timeout in this scope; 0: none (e.g. for migrations). */
  txTimeoutMs?: number;
  /**
   * The operation's signal (its execution deadline, its client leaving): once it aborted, no
   * transaction of this scope begins, and a write transaction whose work finishes after it rolls
   * back instead of committing, so an operation answered TIMEOUT has not written.
   */
  signal?: AbortSignal;
}

interface ExecutorOptions extends ScopeOptions {
  log?: Log;
  observe?: StatementObserver;
}

/** Something that runs Cypher inside one transaction (used by multi-statement writes). */
export interface Tx {
  run(cypher: string, params?: Params): Promise<Row[]>;
}

/** What the driver sends with each transaction (its TransactionConfig). */
interface TxConfig {
  timeout?: number;
  metadata: Record<string, string>;
}

const APP = 'twin-graph';
const LOGGED_CYPHER_CHARS = 200;

/**
 * All Cypher goes through here: it picks read or write transactions, always names the
 * database, closes sessions in `finally`, counts round trips, maps Neo4j errors to ours, tags
 * every transaction with metadata (app, operation, request id), bounds it with a timeout and,
 * at debug level, logs each statement with its duration.
 */
export class Graph {
  /** Cypher statements sent since this executor (or scope) was created. */
  queries = 0;

  protected constructor(
    protected readonly driver: Driver,
    readonly database: string,
    private readonly parent?: Graph,
    private readonly options: ExecutorOptions = {},
  ) {}

  static connect(settings: GraphSettings): Graph {
    if (!coalesceBoltWrites()) {
      settings.log?.warn(
        "neo4j-driver's Node channel was not found where src/graph/bolt-writes.ts looks: " +
          'Bolt messages go out in 1,400-byte socket writes (slower writes of large batches)',
      );
    }
    // A server with auth disabled ignores these credentials.
    const auth = neo4j.auth.basic(settings.user, settings.password);
    const driver = neo4j.driver(settings.uri, auth, {
      disableLosslessIntegers: true,
      maxConnectionPoolSize: 50,
      connectionAcquisitionTimeout: 20_000,
      // Neo4j away: a request answers DATABASE_UNAVAILABLE (503) within a few seconds instead of
      // hanging for the driver's default 30 s of connect timeout and 30 s of retries. The
      // telemetry writer retries on its own; the pool reconnects by itself when Neo4j is back.
      connectionTimeout: 3_000,
      maxTransactionRetryTime: 3_000,
      logging: { level: 'error', logger: (_level, message) => console.error(`[neo4j] ${message}`) },
    });
    return new Graph(driver, settings.database, undefined, {
      ...(settings.txTimeoutMs !== undefined ? { txTimeoutMs: settings.txTimeoutMs } : {}),
      ...(settings.log ? { log: settings.log } : {}),
      ...(settings.observe ? { observe: settings.observe } : {}),
    });
  }

  /**
   * A view that shares the driver but counts its own round trips (one per GraphQL request) and
   * names its transactions: `scope({ operationName, requestId })`. Unset fields keep this one's.
   */
  scope(options: ScopeOptions = {}): Graph {
    const merged: ExecutorOptions = { ...this.options };
    if (options.operationName !== undefined) merged.operationName = options.operationName;
    if (options.requestId !== undefined) merged.requestId = options.requestId;
    if (options.txTimeoutMs !== undefined) merged.txTimeoutMs = options.txTimeoutMs;
    if (options.signal !== undefined) merged.signal = options.signal;
    return new Graph(this.driver, this.database, this, merged);
  }

  private count(n = 1): void {
    this.queries += n;
    this.parent?.count(n);
  }

  /** Timeout in ms this executor gives each transaction; 0 when it sets none. */
  get txTimeoutMs(): number {
    return this.options.txTimeoutMs ?? 0;
  }

  private txConfig(): TxConfig {
    const metadata: Record<string, string> = { app: APP };
    if (this.options.operationName) metadata['operationName'] = this.options.operationName;
    if (this.options.requestId) metadata['requestId'] = this.options.requestId;
    return this.txTimeoutMs > 0 ? { timeout: this.txTimeoutMs, metadata } : { metadata };
  }

  async read(cypher: string, params: Params = {}): Promise<Row[]> {
    return this.transaction('READ', (tx) => tx.run(cypher, params));
  }

  async write(cypher: string, params: Params = {}): Promise<Row[]> {
    return this.transaction('WRITE', (tx) => tx.run(cypher, params));
  }

  /** Several statements in one transaction: all of them commit or none does. */
  async transaction<T>(mode: 'READ' | 'WRITE', work: (tx: Tx) => Promise<T>): Promise<T> {
    const signal = this.options.signal;
    if (signal?.aborted) throw abortedError(signal);
    const session = this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
    const wrap = (mtx: ManagedTransaction): Tx => ({
      run: async (cypher, params = {}) => {
        this.count();
        try {
          return await this.timed(cypher, mode === 'READ' ? 'read' : 'write', async () => {
            const result = await mtx.run(cypher, params);
            return result.records.map((r) => r.toObject());
          });
        } catch (err) {
          // Neo4j calls running out of transaction memory transient, so the driver would retry
          // the whole (identical, equally large) transaction for 30 s; it never fits, so stop.
          // A timed-out transaction would time out again, so it is not retried either.
          if (err instanceof Neo4jError && isOutOfTransactionMemory(err)) throw tooLarge(err);
          if (err instanceof Neo4jError && this.isTimeout(err)) throw this.timedOut(err);
          throw err;
        }
      },
    });
    const config = this.txConfig();
    try {
      return mode === 'READ'
        ? await session.executeRead((mtx) => work(wrap(mtx)), config)
        : await session.executeWrite(async (mtx) => {
            const result = await work(wrap(mtx));
            // thrown from the work, the transaction rolls back (and is not retried): the
            // operation was answered TIMEOUT, so it must not have written. A deadline passing
            // during the commit's own round trip cannot be told apart (docs/security.md).
            if (signal?.aborted) throw abortedError(signal);
            return result;
          }, config);
    } catch (err) {
      throw this.mapError(err);
    } finally {
      await session.close();
    }
  }

  /** Auto-commit statement: needed for schema commands, which may not share a transaction. */
  async autoCommit(cypher: string, params: Params = {}): Promise<Row[]> {
    const session = this.driver.session({ database: this.database });
    try {
      this.count();
      return await this.timed(cypher, 'auto', async () => {
        const result = await session.run(cypher, params, this.txConfig());
        return result.records.map((r) => r.toObject());
      });
    } catch (err) {
      throw this.mapError(err);
    } finally {
      await session.close();
    }
  }

  async ping(): Promise<void> {
    await this.driver.verifyConnectivity({ database: this.database });
  }

  async close(): Promise<void> {
    if (this.parent) return; // scopes share the root's driver
    await this.driver.close();
  }

  /**
   * Runs one statement; tells the observer its duration and outcome, and at debug level logs it
   * with its row count and duration.
   */
  private async timed(
    cypher: string,
    mode: StatementMode,
    run: () => Promise<Row[]>,
  ): Promise<Row[]> {
    const { log, observe } = this.options;
    const debug = log?.isLevelEnabled('debug') === true;
    if (!debug && !observe) return run();
    const started = performance.now();
    let rows: number | undefined;
    try {
      const result = await run();
      rows = result.length;
      return result;
    } finally {
      const elapsed = performance.now() - started;
      try {
        observe?.(mode, elapsed, rows === undefined);
      } catch {
        // an observer never changes the statement's outcome
      }
      if (debug && log) {
        const ms = Math.round(elapsed);
        const text = cypher.replace(/\s+/g, ' ').trim().slice(0, LOGGED_CYPHER_CHARS);
        const { operationName, requestId } = this.options;
        const outcome = rows === undefined ? 'failed' : `${rows} row${rows === 1 ? '' : 's'}`;
        log.debug(
          { cypher: text, rows, ms, operationName, requestId },
          `cypher ${outcome} in ${ms} ms${requestId ? ` (request ${requestId})` : ''}: ${text}`,
        );
      }
    }
  }

  private isTimeout(err: Neo4jError): boolean {
    // A transaction stopped by its timeout while waiting for a lock reports LockClientStopped.
    return (
      err.code.includes('TransactionTimedOut') ||
      (this.txTimeoutMs > 0 && err.code.endsWith('.Transaction.LockClientStopped'))
    );
  }

  private timedOut(err: Neo4jError): TwinError {
    const limit =
      this.txTimeoutMs > 0
        ? `the ${this.txTimeoutMs} ms transaction timeout (NEO4J_TX_TIMEOUT_MS)`
        : "the database's transaction timeout (db.transaction.timeout)";
    return new TwinError(
      'TIMEOUT',
      `The database work took longer than ${limit} and was stopped; nothing of it was committed. ` +
        'Ask for less at once (a smaller page, fewer nested fields, a smaller import) or raise ' +
        'NEO4J_TX_TIMEOUT_MS (0 sets no limit).',
      { neo4jCode: err.code, ...(this.txTimeoutMs > 0 ? { timeoutMs: this.txTimeoutMs } : {}) },
    );
  }

  private mapError(err: unknown): unknown {
    if (err instanceof Neo4jError && this.isTimeout(err)) return this.timedOut(err);
    return mapNeo4jError(err);
  }
}

function isOutOfTransactionMemory(err: Neo4jError): boolean {
  return (
    err.code.includes('MemoryPoolOutOfMemoryError') ||
    err.code.includes('TransactionOutOfMemoryError') ||
    err.message.includes('dbms.memory.transaction.total.max')
  );
}

function tooLarge(err: Neo4jError): TwinError {
  return new TwinError(
    'TOO_LARGE',
    'The work is too large for one transaction on this database (it ran out of transaction memory); ' +
      'split it (e.g. import the document in parts) or give Neo4j more memory ' +
      '(dbms.memory.transaction.total.max, or NEO4J_LOCAL_HEAP for the local Neo4j). Nothing was written.',
    { neo4jCode: err.code },
  );
}

export function isConstraintViolation(err: unknown): boolean {
  return err instanceof TwinError
    ? err.extensions['neo4jCode'] === 'Neo.ClientError.Schema.ConstraintValidationFailed'
    : err instanceof Neo4jError && err.code === 'Neo.ClientError.Schema.ConstraintValidationFailed';
}

export function mapNeo4jError(err: unknown): unknown {
  if (!(err instanceof Neo4jError)) return err;
  if (err.code === 'ServiceUnavailable' || err.code === 'SessionExpired') {
    return new TwinError(
      'DATABASE_UNAVAILABLE',
      `Neo4j is not reachable (${err.message}); check NEO4J_URI and that the database is running`,
      // Apollo Server answers with this HTTP status (and leaves `http` out of the error)
      { neo4jCode: err.code, http: { status: 503 } },
    );
  }
  if (/connection acquisition timed out/i.test(err.message)) {
    // every pooled connection stayed busy: the database is overloaded, not the request wrong
    return new TwinError(
      'DATABASE_UNAVAILABLE',
      `Neo4j is too busy to answer now (${err.message}); retry shortly`,
      { neo4jCode: err.code, http: { status: 503 } },
    );
  }
  if (err.code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
    return new TwinError('CONFLICT', err.message, { neo4jCode: err.code });
  }
  return new TwinError('INTERNAL_SERVER_ERROR', `Database error: ${err.message}`, {
    neo4jCode: err.code,
  });
}
