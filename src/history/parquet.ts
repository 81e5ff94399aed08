/**
 * Rows to Parquet files of the shared layout (layout.ts), through an embedded DuckDB: one file per
 * (UTC day, factory) group, rows sorted by (metric_id, ts) so that a reader of one metric skips
 * most row groups by their min/max statistics. A file is written under a temporary name (a leading
 * `.`, which readers skip), fsync'd, and only then given its final name; an existing file is never
 * replaced.
 */
import {
  DuckDBInstance,
  DuckDBTimestampTZValue,
  type DuckDBAppender,
  type DuckDBConnection,
} from '@duckdb/node-api';
import { link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileName, HISTORY_COLUMNS, partitionDir, utcDay, type HistoryRow } from './layout';

export interface WrittenFile {
  path: string;
  rows: number;
}

/** Rows of one partition (UTC day and factory). */
export interface PartitionGroup {
  day: string;
  factoryId: string;
  rows: HistoryRow[];
}

/** Groups rows by their `day=`/`factory=` partition, in first-seen order. */
export function groupByPartition(rows: readonly HistoryRow[]): PartitionGroup[] {
  const groups = new Map<string, PartitionGroup>();
  for (const row of rows) {
    const day = utcDay(row.tsMs);
    const key = `${day}\u0000${row.factoryId}`;
    let group = groups.get(key);
    if (!group) {
      group = { day, factoryId: row.factoryId, rows: [] };
      groups.set(key, group);
    }
    group.rows.push(row);
  }
  return [...groups.values()];
}

const STAGING = 'history_staging';
const COLUMN_LIST = HISTORY_COLUMNS.map(([name]) => name).join(', ');

/** SQL string literal (DuckDB: single quotes doubled). */
const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

const micros = (ms: number): DuckDBTimestampTZValue =>
  new DuckDBTimestampTZValue(BigInt(Math.trunc(ms)) * 1000n);

/**
 * Writes Parquet files with one in-memory DuckDB (one thread: the API shares the machine). Calls
 * must not overlap (the HistoryWriter serialises them); `close` frees the database.
 */
export class ParquetFiles {
  private db: DuckDBInstance | null = null;
  private connection: DuckDBConnection | null = null;
  private seq = 0;

  constructor(
    private readonly dir: string,
    private readonly instanceId: string,
  ) {}

  /** Every group as its own new file; returns the files in place (all of them, or it throws). */
  async write(rows: readonly HistoryRow[]): Promise<WrittenFile[]> {
    const written: WrittenFile[] = [];
    for (const group of groupByPartition(rows)) {
      written.push(await this.writeGroup(group));
    }
    return written;
  }

  private async writeGroup(group: PartitionGroup): Promise<WrittenFile> {
    const dir = partitionDir(this.dir, group.day, group.factoryId);
    await mkdir(dir, { recursive: true });
    const firstTsMs = group.rows.reduce((min, r) => Math.min(min, r.tsMs), Infinity);
    const seq = this.seq++;
    const tmp = join(dir, `.${fileName(this.instanceId, firstTsMs, seq)}.tmp`);
    try {
      const c = await this.connect();
      await c.run(`DELETE FROM ${STAGING}`);
      const appender = await c.createAppender(STAGING);
      try {
        for (const row of group.rows) appendRow(appender, row);
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      await c.run(
        `COPY (SELECT ${COLUMN_LIST} FROM ${STAGING} ORDER BY metric_id, ts) ` +
          `TO ${literal(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      await c.run(`DELETE FROM ${STAGING}`);
      await fsyncFile(tmp);
      const path = await this.placeNew(tmp, dir, firstTsMs, seq);
      await fsyncDir(dirname(path));
      return { path, rows: group.rows.length };
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Gives the temporary file its final name without replacing a file of that name (a spool rolled
   * again after a crash names its file as before): the next sequence number is taken instead.
   */
  private async placeNew(
    tmp: string,
    dir: string,
    firstTsMs: number,
    seq: number,
  ): Promise<string> {
    for (let n = seq; ; n = this.seq++) {
      const path = join(dir, fileName(this.instanceId, firstTsMs, n));
      try {
        // link fails when the name exists: no other writer's (or earlier) file is ever replaced
        await link(tmp, path);
        await rm(tmp, { force: true });
        return path;
      } catch (err) {
        const code = errorCode(err);
        if (code === 'EEXIST') continue;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') {
          throw err;
        }
        // a file system without hard links (some bucket mounts): names are unique per instance
        // and this instance writes one file at a time, so a check then rename is enough
        if (await exists(path)) continue;
        await rename(tmp, path);
        return path;
      }
    }
  }

  private async connect(): Promise<DuckDBConnection> {
    if (this.connection) return this.connection;
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await db.connect();
    const columns = HISTORY_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');
    await connection.run(`CREATE TABLE ${STAGING} (${columns})`);
    this.db = db;
    this.connection = connection;
    return connection;
  }

  close(): void {
    this.connection?.closeSync();
    this.db?.closeSync();
    this.connection = null;
    this.db = null;
  }
}

/** One row, in HISTORY_COLUMNS order. */
function appendRow(a: DuckDBAppender, r: HistoryRow): void {
  a.appendVarchar(r.metricId);
  a.appendVarchar(r.assetId);
  a.appendVarchar(r.factoryId);
  a.appendVarchar(r.metric);
  a.appendTimestampTZ(micros(r.tsMs));
  a.appendDouble(r.value);
  a.appendVarchar(r.unit);
  a.appendBoolean(r.flagged);
  a.appendDouble(r.originalValue);
  if (r.originalUnit === null) a.appendNull();
  else a.appendVarchar(r.originalUnit);
  if (r.conversion === null) a.appendNull();
  else a.appendVarchar(r.conversion);
  a.appendVarchar(r.source);
  a.appendTimestampTZ(micros(r.receivedAtMs));
  a.endRow();
}

function errorCode(err: unknown): string | undefined {
  // not `instanceof Error`: errors of node:fs may come from another realm (jest's sandbox)
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw err;
  }
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The new name survives a power loss too; best effort (not every file system syncs a folder). */
async function fsyncDir(path: string): Promise<void> {
  try {
    await fsyncFile(path);
  } catch {
    // EISDIR/EINVAL on some platforms: the rename is still atomic
  }
}
