import { errorText, type Log } from '../log';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isConstraintViolation, type Graph, type Tx } from './executor';

// Defined here rather than in migrations.ts (which re-exports it) so that the lock can throw it
// without the two modules importing each other.
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export interface MigrationLockOptions {
  /** A lock whose heartbeat is older than this is abandoned and may be taken over. */
  staleLockMs?: number;
  /** How often the owner renews its lock (default a quarter of staleLockMs). */
  heartbeatMs?: number;
  log?: Log;
}

/** A lock without a heartbeat was taken by a version that never renewed it: judge it by age. */
const LEGACY_STALE_LOCK_MS = 10 * 60_000;

/**
 * The `__MigrationLock` node of one namespace, so that instances starting together do not both
 * migrate. Its owner keeps it alive with a heartbeat; only a lock whose heartbeat is stale (its
 * owner died or lost the database) is taken over, and an owner releases only its own lock.
 */
export class MigrationLock {
  /** Unique per runner, so a runner can tell its lock (and its marks) from a successor's. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  readonly staleLockMs: number;
  private readonly heartbeatMs: number;

  constructor(
    private readonly graph: Graph,
    private readonly namespace: string,
    private readonly options: MigrationLockOptions = {},
  ) {
    this.staleLockMs = options.staleLockMs ?? 60_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(this.staleLockMs / 4));
    if (this.heartbeatMs >= this.staleLockMs) {
      throw new MigrationError(
        `heartbeatMs (${this.heartbeatMs}) must be below staleLockMs (${this.staleLockMs}), or a held lock would look abandoned`,
      );
    }
  }

  /** The uniqueness constraint is what makes creating the lock node an atomic try-lock. */
  async ensureSchema(): Promise<void> {
    await this.graph.autoCommit(
      'CREATE CONSTRAINT migration_lock_id IF NOT EXISTS FOR (l:__MigrationLock) REQUIRE l.namespace IS UNIQUE',
    );
  }

  async acquire(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let announced = false;
    for (;;) {
      try {
        await this.graph.write(
          `CREATE (:__MigrationLock {namespace: $ns, owner: $owner,
                                     acquiredAt: datetime(), heartbeatAt: datetime()})`,
          { ns: this.namespace, owner: this.owner },
        );
        return;
      } catch (err) {
        if (!isConstraintViolation(err)) throw err;
      }
      const taken = await this.takeOverStale();
      if (taken) {
        this.options.log?.warn(
          `took over the migration lock of ${taken}: its heartbeat is older than ${this.staleLockMs} ms`,
        );
        continue;
      }
      if (!announced) {
        this.options.log?.info(
          `another instance is migrating; waiting for its lock (${await this.holder()})`,
        );
        announced = true;
      }
      if (Date.now() > deadline) {
        throw new MigrationError(
          `could not take the migration lock within ${timeoutMs} ms: another instance holds it and keeps it alive (${await this.holder()}). ` +
            `If no instance is migrating, delete it: ${this.deleteCypher()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * Renews the lock inside the caller's transaction, if this runner still holds it. The renewal
   * write-locks the lock node until that transaction commits, so a takeover cannot slip in
   * between this check and the caller's other writes.
   */
  async renewWithin(tx: Tx): Promise<boolean> {
    const rows = await tx.run(
      `MATCH (l:__MigrationLock {namespace: $ns}) WHERE l.owner = $owner
       SET l.heartbeatAt = datetime() RETURN count(l) AS n`,
      { ns: this.namespace, owner: this.owner },
    );
    return Number(rows[0]?.['n']) !== 0;
  }

  /** Who holds the lock now, as seen by the caller's transaction; undefined when no one does. */
  async ownerWithin(tx: Tx): Promise<string | undefined> {
    const rows = await tx.run(
      'MATCH (l:__MigrationLock {namespace: $ns}) RETURN l.owner AS owner',
      {
        ns: this.namespace,
      },
    );
    return rows[0] ? String(rows[0]['owner']) : undefined;
  }

  /** Deletes the lock if its heartbeat is stale; returns the owner it was taken from. */
  private async takeOverStale(): Promise<string | undefined> {
    // The SET write-locks the lock node first, so the heartbeat read next is the latest one.
    const rows = await this.graph.write(
      `MATCH (l:__MigrationLock {namespace: $ns})
       SET l.inspectedAt = datetime()
       WITH l
       WHERE CASE WHEN l.heartbeatAt IS NULL
                  THEN l.acquiredAt < datetime() - duration({milliseconds: $legacyStale})
                  ELSE l.heartbeatAt < datetime() - duration({milliseconds: $stale}) END
       WITH l, l.owner AS owner
       DELETE l
       RETURN owner`,
      { ns: this.namespace, stale: this.staleLockMs, legacyStale: LEGACY_STALE_LOCK_MS },
    );
    return rows[0] ? String(rows[0]['owner']) : undefined;
  }

  private async holder(): Promise<string> {
    const rows = await this.graph.read(
      `MATCH (l:__MigrationLock {namespace: $ns})
       RETURN l.owner AS owner, toString(coalesce(l.heartbeatAt, l.acquiredAt)) AS last`,
      { ns: this.namespace },
    );
    const row = rows[0];
    return row
      ? `held by ${String(row['owner'])}, last heartbeat ${String(row['last'])}`
      : 'released meanwhile';
  }

  /** Renews the lock every heartbeatMs until stopped, or until it finds the lock taken over. */
  startHeartbeat(): { stop(): Promise<void> } {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let beating: Promise<void> = Promise.resolve();
    const beat = async (): Promise<void> => {
      try {
        const rows = await this.graph.write(
          `MATCH (l:__MigrationLock {namespace: $ns}) WHERE l.owner = $owner
           SET l.heartbeatAt = datetime() RETURN count(l) AS n`,
          { ns: this.namespace, owner: this.owner },
        );
        if (Number(rows[0]?.['n']) === 0 && !stopped) {
          stopped = true;
          this.options.log?.warn(
            'lost the migration lock (another instance took it over); no further file will be applied',
          );
        }
      } catch (err) {
        this.options.log?.warn(
          `could not renew the migration lock (${errorText(err)}); trying again`,
        );
      }
    };
    const schedule = (): void => {
      if (stopped) return;
      timer = setTimeout(() => {
        beating = beat().then(schedule);
      }, this.heartbeatMs);
      timer.unref();
    };
    schedule();
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        await beating;
      },
    };
  }

  /** Deletes this runner's lock only: a lock taken over by another instance is left alone. */
  async release(): Promise<void> {
    const rows = await this.graph.write(
      `MATCH (l:__MigrationLock {namespace: $ns}) WHERE l.owner = $owner
       DELETE l RETURN count(l) AS n`,
      { ns: this.namespace, owner: this.owner },
    );
    if (Number(rows[0]?.['n']) === 0) {
      this.options.log?.warn(
        'the migration lock was no longer this instance’s to release: another instance had taken it over',
      );
    }
  }

  /** For error messages: what an operator runs to clear a lock no one will release. */
  deleteCypher(): string {
    return `MATCH (l:__MigrationLock {namespace: '${this.namespace}'}) DELETE l`;
  }
}
