import neo4j, { type Driver, type ManagedTransaction, Neo4jError } from 'neo4j-driver';
import { TwinError } from '../errors';

export type Params = Record<string, unknown>;
export type Row = Record<string, unknown>;

export interface GraphSettings {
  uri: string;
  user: string;
  password: string;
  database: string;
}

/** Something that runs Cypher inside one transaction (used by multi-statement writes). */
export interface Tx {
  run(cypher: string, params?: Params): Promise<Row[]>;
}

/**
 * All Cypher goes through here: it picks read or write transactions, always names the
 * database, closes sessions in `finally`, counts round trips and maps Neo4j errors to ours.
 */
export class Graph {
  /** Cypher statements sent since this executor (or scope) was created. */
  queries = 0;

  protected constructor(
    protected readonly driver: Driver,
    readonly database: string,
    private readonly parent?: Graph,
  ) {}

  static connect(settings: GraphSettings): Graph {
    // A server with auth disabled ignores these credentials.
    const auth = neo4j.auth.basic(settings.user, settings.password);
    const driver = neo4j.driver(settings.uri, auth, {
      disableLosslessIntegers: true,
      maxConnectionPoolSize: 50,
      connectionAcquisitionTimeout: 20_000,
      logging: { level: 'error', logger: (_level, message) => console.error(`[neo4j] ${message}`) },
    });
    return new Graph(driver, settings.database);
  }

  /** A view that shares the driver but counts its own round trips (one per GraphQL request). */
  scope(): Graph {
    return new Graph(this.driver, this.database, this);
  }

  private count(n = 1): void {
    this.queries += n;
    this.parent?.count(n);
  }

  async read(cypher: string, params: Params = {}): Promise<Row[]> {
    return this.transaction('READ', (tx) => tx.run(cypher, params));
  }

  async write(cypher: string, params: Params = {}): Promise<Row[]> {
    return this.transaction('WRITE', (tx) => tx.run(cypher, params));
  }

  /** Several statements in one transaction: all of them commit or none does. */
  async transaction<T>(mode: 'READ' | 'WRITE', work: (tx: Tx) => Promise<T>): Promise<T> {
    const session = this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
    const wrap = (mtx: ManagedTransaction): Tx => ({
      run: async (cypher, params = {}) => {
        this.count();
        try {
          const result = await mtx.run(cypher, params);
          return result.records.map((r) => r.toObject());
        } catch (err) {
          // Neo4j calls running out of transaction memory transient, so the driver would retry
          // the whole (identical, equally large) transaction for 30 s; it never fits, so stop.
          if (err instanceof Neo4jError && isOutOfTransactionMemory(err)) throw tooLarge(err);
          throw err;
        }
      },
    });
    try {
      return mode === 'READ'
        ? await session.executeRead((mtx) => work(wrap(mtx)))
        : await session.executeWrite((mtx) => work(wrap(mtx)));
    } catch (err) {
      throw mapNeo4jError(err);
    } finally {
      await session.close();
    }
  }

  /** Auto-commit statement: needed for schema commands, which may not share a transaction. */
  async autoCommit(cypher: string, params: Params = {}): Promise<Row[]> {
    const session = this.driver.session({ database: this.database });
    try {
      this.count();
      const result = await session.run(cypher, params);
      return result.records.map((r) => r.toObject());
    } catch (err) {
      throw mapNeo4jError(err);
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

function mapNeo4jError(err: unknown): unknown {
  if (!(err instanceof Neo4jError)) return err;
  if (err.code === 'ServiceUnavailable' || err.code === 'SessionExpired') {
    return new TwinError(
      'DATABASE_UNAVAILABLE',
      `Neo4j is not reachable (${err.message}); check NEO4J_URI and that the database is running`,
      { neo4jCode: err.code },
    );
  }
  if (err.code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
    return new TwinError('CONFLICT', err.message, { neo4jCode: err.code });
  }
  return new TwinError('INTERNAL_SERVER_ERROR', `Database error: ${err.message}`, {
    neo4jCode: err.code,
  });
}
