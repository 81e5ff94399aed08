import { errorText, type Log } from '../log';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../paths';
import { type Graph } from './executor';
import { MigrationError, MigrationLock } from './migration-lock';

export { MigrationError };

/**
 * Versioned Cypher migrations, after neo4j-migrations: `V0001__name.cypher` files applied
 * in order, each recorded with its checksum in a chain of `__Migration` nodes in the graph,
 * under a lock node so that instances starting together do not both migrate.
 */
export interface MigrationFile {
  version: number;
  description: string;
  file: string;
  checksum: string;
  statements: string[];
}

export interface AppliedMigration {
  version: number;
  description: string;
  checksum: string;
  appliedAt: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export interface MigratorOptions {
  dir: string;
  /** Separates chains (tests run their own); the product uses "twin-graph". */
  namespace?: string;
  /** How long to wait for another instance's lock before giving up (default 120 s). */
  lockTimeoutMs?: number;
  /**
   * A lock whose heartbeat is older than this is abandoned (its owner died or lost the database)
   * and is taken over (default 60 s). A live owner renews it every `heartbeatMs`.
   */
  staleLockMs?: number;
  /** How often the owner renews its lock (default a quarter of staleLockMs). */
  heartbeatMs?: number;
  log?: Log;
}

const FILE_PATTERN = /^V(\d+)__([A-Za-z0-9_-]+)\.cypher$/;

export function checksum(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

/** Split a file into statements at `;` ending a line; `//` comment lines are dropped. */
export function splitStatements(text: string): string[] {
  const lines = text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .filter((l) => !l.trim().startsWith('//'));
  return lines
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.cypher')).sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    const m = FILE_PATTERN.exec(name);
    if (!m?.[1] || !m[2]) {
      throw new MigrationError(
        `${name}: migration files must be named V<version>__<description>.cypher, e.g. V0003__asset_indexes.cypher`,
      );
    }
    const text = await readFile(join(dir, name), 'utf8');
    files.push({
      version: Number(m[1]),
      description: m[2],
      file: name,
      checksum: checksum(text),
      statements: splitStatements(text),
    });
  }
  files.sort((a, b) => a.version - b.version);
  for (let i = 1; i < files.length; i++) {
    const prev = files[i - 1];
    const cur = files[i];
    if (prev && cur && prev.version === cur.version) {
      throw new MigrationError(`${prev.file} and ${cur.file} have the same version ${cur.version}`);
    }
  }
  return files;
}

/**
 * Applies pending files under a lock node that its owner keeps alive with a heartbeat; only a
 * lock whose heartbeat is stale is taken over. Each file is also marked as being applied, in the
 * same transaction that checks this runner still owns the lock, so that even a runner whose lock
 * was taken over (e.g. it froze for longer than staleLockMs) never makes a file run twice.
 */
export class Migrator {
  private readonly graph: Graph;
  private readonly namespace: string;
  private readonly lock: MigrationLock;

  constructor(
    graph: Graph,
    private readonly options: MigratorOptions,
  ) {
    // A migration may rightly run long (rewriting data); the API's transaction timeout is
    // meant for requests, so it does not bind migrations.
    this.graph = graph.scope({ operationName: 'migrate', txTimeoutMs: 0 });
    this.namespace = options.namespace ?? 'twin-graph';
    this.lock = new MigrationLock(this.graph, this.namespace, options);
  }

  private log(message: string): void {
    this.options.log?.info(message);
  }

  async applied(): Promise<AppliedMigration[]> {
    const rows = await this.graph.read(
      `MATCH (m:__Migration {namespace: $ns}) WHERE coalesce(m.state, 'applied') = 'applied'
       RETURN m.version AS version, m.description AS description, m.checksum AS checksum,
              toString(m.appliedAt) AS appliedAt
       ORDER BY m.version`,
      { ns: this.namespace },
    );
    return rows.map((r) => ({
      version: Number(r['version']),
      description: String(r['description']),
      checksum: String(r['checksum']),
      appliedAt: String(r['appliedAt']),
    }));
  }

  /** Pending files, after checking that every applied file is still there, unchanged. */
  async pending(): Promise<MigrationFile[]> {
    const files = await readMigrations(this.options.dir);
    await this.refuseUnfinished();
    const applied = await this.applied();
    const byVersion = new Map(files.map((f) => [f.version, f]));
    for (const a of applied) {
      const f = byVersion.get(a.version);
      if (!f) {
        throw new MigrationError(
          `migration V${pad(a.version)}__${a.description} was applied but its file is missing from ${this.options.dir}; restore it`,
        );
      }
      if (f.checksum !== a.checksum) {
        throw new MigrationError(
          `${f.file} was changed after it was applied (applied checksum ${a.checksum.slice(0, 12)}, file now ${f.checksum.slice(0, 12)}); ` +
            `restore the original file and put the change in a new migration`,
        );
      }
    }
    const last = applied.at(-1)?.version ?? 0;
    const pending = files.filter((f) => !applied.some((a) => a.version === f.version));
    const outOfOrder = pending.find((f) => f.version < last);
    if (outOfOrder) {
      throw new MigrationError(
        `${outOfOrder.file} is older than the last applied version ${last}; give it a version above ${last}`,
      );
    }
    return pending;
  }

  /** A file marked as being applied by a run that is no longer migrating may be partly applied. */
  private async refuseUnfinished(): Promise<void> {
    const rows = await this.graph.read(
      `MATCH (m:__Migration {namespace: $ns}) WHERE m.state = 'applying'
       RETURN m.version AS version, m.description AS description, m.appliedBy AS by,
              toString(m.startedAt) AS startedAt
       ORDER BY m.version LIMIT 1`,
      { ns: this.namespace },
    );
    const row = rows[0];
    if (!row) return;
    const version = Number(row['version']);
    const match = `MATCH (m:__Migration {namespace: '${this.namespace}', version: ${version}})`;
    throw new MigrationError(
      `V${pad(version)}__${String(row['description'])}.cypher was started by ${String(row['by'])} at ${String(row['startedAt'])} ` +
        `and did not finish (that run stopped, or lost its migration lock and may still be running), so it may be partly applied. ` +
        `When no instance is migrating, check what its statements did, then either remove the mark so it runs again: ` +
        `${match} DETACH DELETE m; or, if it took full effect, record it as applied: ${match} SET m.state = 'applied', m.appliedAt = datetime()`,
    );
  }

  async migrate(): Promise<MigrationResult> {
    await this.lock.ensureSchema();
    await this.graph.autoCommit(
      'CREATE CONSTRAINT migration_version IF NOT EXISTS FOR (m:__Migration) REQUIRE (m.namespace, m.version) IS UNIQUE',
    );
    await this.lock.acquire(this.options.lockTimeoutMs ?? 120_000);
    const heartbeat = this.lock.startHeartbeat();
    let result: MigrationResult;
    try {
      result = await this.applyPending();
    } catch (err) {
      await heartbeat.stop();
      // The migration's error is the one to report; a failed release is only logged.
      await this.lock.release().catch((releaseErr: unknown) => {
        this.options.log?.error(
          `could not release the migration lock after the migration failed (${errorText(releaseErr)}); ` +
            `another instance takes it over once its heartbeat is ${this.lock.staleLockMs} ms old, or delete it: ${this.lock.deleteCypher()}`,
        );
      });
      throw err;
    }
    await heartbeat.stop();
    await this.lock.release().catch((releaseErr: unknown) => {
      this.options.log?.warn(
        `migrated, but could not release the migration lock (${errorText(releaseErr)}); ` +
          `another instance takes it over once its heartbeat is ${this.lock.staleLockMs} ms old`,
      );
    });
    return result;
  }

  private async applyPending(): Promise<MigrationResult> {
    const pending = await this.pending();
    const alreadyApplied = (await this.applied()).length;
    const applied: string[] = [];
    for (const file of pending) {
      await this.claim(file);
      const started = Date.now();
      this.log(`applying ${file.file}`);
      try {
        for (const statement of file.statements) {
          try {
            await this.graph.autoCommit(statement);
          } catch (err) {
            throw new MigrationError(
              `${file.file} failed at statement "${statement.slice(0, 80)}": ${errorText(err)}`,
            );
          }
        }
      } catch (err) {
        await this.unclaim(file);
        throw err;
      }
      await this.finish(file, Date.now() - started);
      applied.push(file.file);
    }
    return { applied, alreadyApplied };
  }

  /**
   * Marks the file as being applied by this runner, if this runner still holds the lock and no
   * one has applied or started it. The lock is renewed in the same transaction as the mark, so a
   * takeover cannot slip in between the check and the mark.
   */
  private async claim(file: MigrationFile): Promise<void> {
    const params = { ns: this.namespace, owner: this.lock.owner, version: file.version };
    await this.graph.transaction('WRITE', async (tx) => {
      if (!(await this.lock.renewWithin(tx))) {
        const holder = await this.lock.ownerWithin(tx);
        const now = holder ? `it is now held by ${holder}` : 'no one holds it now';
        throw new MigrationError(
          `lost the migration lock before applying ${file.file} (${now}): its heartbeat was not renewed for ${this.lock.staleLockMs} ms, ` +
            `so another instance could take it over. ${file.file} was not applied; run the migration again.`,
        );
      }
      const existing = await tx.run(
        `MATCH (m:__Migration {namespace: $ns, version: $version})
         RETURN coalesce(m.state, 'applied') AS state, m.appliedBy AS by`,
        params,
      );
      if (existing[0]) {
        throw new MigrationError(
          `${file.file} was ${String(existing[0]['state'])} by ${String(existing[0]['by'])} while this runner held the lock ` +
            `(the lock must have been taken over meanwhile); it was not applied again. Run the migration again.`,
        );
      }
      await tx.run(
        `CREATE (:__Migration {namespace: $ns, version: $version, description: $description,
                               checksum: $checksum, state: 'applying', startedAt: datetime(),
                               appliedBy: $owner})`,
        { ...params, description: file.description, checksum: file.checksum },
      );
    });
  }

  /** After a failed file: drop the mark so that the file runs again once it is fixed. */
  private async unclaim(file: MigrationFile): Promise<void> {
    try {
      await this.graph.write(
        `MATCH (m:__Migration {namespace: $ns, version: $version})
         WHERE m.state = 'applying' AND m.appliedBy = $owner DETACH DELETE m`,
        { ns: this.namespace, version: file.version, owner: this.lock.owner },
      );
    } catch (err) {
      this.options.log?.warn(
        `could not remove the mark of the failed ${file.file} (${errorText(err)}); the next run will report it as unfinished`,
      );
    }
  }

  private async finish(file: MigrationFile, durationMs: number): Promise<void> {
    const rows = await this.graph.write(
      `MATCH (m:__Migration {namespace: $ns, version: $version})
       WHERE m.state = 'applying' AND m.appliedBy = $owner
       SET m.state = 'applied', m.appliedAt = datetime(), m.durationMs = $durationMs
       WITH m
       OPTIONAL MATCH (prev:__Migration {namespace: $ns})
       WHERE prev.version < $version AND coalesce(prev.state, 'applied') = 'applied'
       WITH m, prev ORDER BY prev.version DESC LIMIT 1
       FOREACH (p IN CASE WHEN prev IS NULL THEN [] ELSE [prev] END | MERGE (p)-[:NEXT]->(m))
       RETURN count(m) AS n`,
      { ns: this.namespace, version: file.version, owner: this.lock.owner, durationMs },
    );
    if (Number(rows[0]?.['n']) === 0) {
      throw new MigrationError(
        `${file.file} was applied, but its mark was removed meanwhile, so it is not recorded; ` +
          `record it by hand or the next run applies it again`,
      );
    }
  }
}

function pad(v: number): string {
  return String(v).padStart(4, '0');
}

/** The product's migrations (`migrations/` at the project root). */
export function projectMigrator(graph: Graph, log?: Log): Migrator {
  return new Migrator(graph, { dir: join(projectRoot(), 'migrations'), ...(log ? { log } : {}) });
}
