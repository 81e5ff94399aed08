import type { Log } from '../log';
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../paths';
import { isConstraintViolation, type Graph } from './executor';

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
  /** How long to wait for another instance's lock before giving up. */
  lockTimeoutMs?: number;
  /** A lock older than this is considered abandoned (its owner died) and is taken over. */
  staleLockMs?: number;
  log?: Log;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
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

export class Migrator {
  private readonly namespace: string;
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID()}`;

  constructor(
    private readonly graph: Graph,
    private readonly options: MigratorOptions,
  ) {
    this.namespace = options.namespace ?? 'twin-graph';
  }

  private log(message: string): void {
    this.options.log?.info(message);
  }

  async applied(): Promise<AppliedMigration[]> {
    const rows = await this.graph.read(
      `MATCH (m:__Migration {namespace: $ns})
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

  async migrate(): Promise<MigrationResult> {
    await this.graph.autoCommit(
      'CREATE CONSTRAINT migration_lock_id IF NOT EXISTS FOR (l:__MigrationLock) REQUIRE l.namespace IS UNIQUE',
    );
    await this.graph.autoCommit(
      'CREATE CONSTRAINT migration_version IF NOT EXISTS FOR (m:__Migration) REQUIRE (m.namespace, m.version) IS UNIQUE',
    );
    await this.acquireLock();
    try {
      const pending = await this.pending();
      const alreadyApplied = (await this.applied()).length;
      const applied: string[] = [];
      for (const file of pending) {
        const started = Date.now();
        this.log(`applying ${file.file}`);
        for (const statement of file.statements) {
          try {
            await this.graph.autoCommit(statement);
          } catch (err) {
            throw new MigrationError(
              `${file.file} failed at statement "${statement.slice(0, 80)}": ${(err as Error).message}`,
            );
          }
        }
        await this.record(file, Date.now() - started);
        applied.push(file.file);
      }
      return { applied, alreadyApplied };
    } finally {
      await this.releaseLock();
    }
  }

  private async record(file: MigrationFile, durationMs: number): Promise<void> {
    await this.graph.write(
      `CREATE (m:__Migration {namespace: $ns, version: $version, description: $description,
                              checksum: $checksum, appliedAt: datetime(), durationMs: $durationMs,
                              appliedBy: $owner})
       WITH m
       OPTIONAL MATCH (prev:__Migration {namespace: $ns})
       WHERE prev.version < $version AND NOT (prev)-[:NEXT]->()
       FOREACH (p IN CASE WHEN prev IS NULL THEN [] ELSE [prev] END | CREATE (p)-[:NEXT]->(m))`,
      {
        ns: this.namespace,
        version: file.version,
        description: file.description,
        checksum: file.checksum,
        durationMs,
        owner: this.owner,
      },
    );
  }

  private async acquireLock(): Promise<void> {
    const timeout = this.options.lockTimeoutMs ?? 120_000;
    const stale = this.options.staleLockMs ?? 10 * 60_000;
    const deadline = Date.now() + timeout;
    let announced = false;
    for (;;) {
      try {
        await this.graph.write(
          'CREATE (:__MigrationLock {namespace: $ns, owner: $owner, acquiredAt: datetime()})',
          { ns: this.namespace, owner: this.owner },
        );
        return;
      } catch (err) {
        if (!isConstraintViolation(err)) throw err;
      }
      await this.graph.write(
        `MATCH (l:__MigrationLock {namespace: $ns})
         WHERE l.acquiredAt < datetime() - duration({milliseconds: $stale}) DELETE l`,
        { ns: this.namespace, stale },
      );
      if (!announced) {
        this.log('another instance is migrating; waiting for its lock');
        announced = true;
      }
      if (Date.now() > deadline) {
        throw new MigrationError(
          `could not take the migration lock within ${timeout} ms: another instance holds it. ` +
            `If no instance is migrating, delete it: MATCH (l:__MigrationLock {namespace: '${this.namespace}'}) DELETE l`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async releaseLock(): Promise<void> {
    await this.graph.write('MATCH (l:__MigrationLock {namespace: $ns, owner: $owner}) DELETE l', {
      ns: this.namespace,
      owner: this.owner,
    });
  }
}

function pad(v: number): string {
  return String(v).padStart(4, '0');
}

/** The product's migrations (`migrations/` at the project root). */
export function projectMigrator(graph: Graph, log?: Log): Migrator {
  return new Migrator(graph, { dir: join(projectRoot(), 'migrations'), ...(log ? { log } : {}) });
}
