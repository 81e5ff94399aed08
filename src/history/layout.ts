/**
 * Long-term telemetry history (issue 13, docs/history.md): the file layout that every writer
 * (the persist path, backfill) and every reader (Metric.history, Metric.rollup, export) shares.
 * It is the contract with the warehouse too: any engine that reads Hive-partitioned Parquet reads
 * the directory as it is (DuckDB, Spark, Trino, BigQuery or Snowflake external tables).
 *
 *   <HISTORY_DIR>/day=YYYY-MM-DD/factory=<factoryId>/<instanceId>-<firstTsMs>-<seq>.parquet
 *
 * - `day` is the UTC date of the readings' `ts`; a rollup by day in a factory's time zone reads
 *   the neighbouring UTC days as well.
 * - A file is written once under a temporary name (a leading `.`, which readers skip) and renamed:
 *   readers never see half a file, and a file is never rewritten. Each instance names its files
 *   with its own INSTANCE_ID, so several instances write into one directory without coordination.
 * - Rows are at least once: the same reading (metric_id, ts) may sit in several files (a replay, a
 *   backfill of a period already stored, two instances). Readers keep one row per (metric_id, ts):
 *   the one received first.
 */
import { basename, isAbsolute, join, relative } from 'node:path';

/** One reading as stored in the files: a ReadingRecord plus where it belongs and came from. */
export interface HistoryRow {
  metricId: string;
  assetId: string;
  factoryId: string;
  /** The metric's name on its asset, e.g. `temperature`. */
  metric: string;
  /** Epoch ms of the reading (UTC). */
  tsMs: number;
  /** In the metric's canonical unit. */
  value: number;
  unit: string;
  flagged: boolean;
  originalValue: number;
  originalUnit: string | null;
  conversion: string | null;
  /** The MQTT topic it came on, or `backfill:<file>:<line>` (lineage). */
  source: string;
  /** Epoch ms when the server received it (for a backfill: when the file was read). */
  receivedAtMs: number;
}

/**
 * The Parquet columns, in file order, with their DuckDB types. Times are TIMESTAMPTZ (Parquet
 * TIMESTAMP, isAdjustedToUTC, microseconds), which every warehouse reads as an instant.
 */
export const HISTORY_COLUMNS = [
  ['metric_id', 'VARCHAR'],
  ['asset_id', 'VARCHAR'],
  ['factory_id', 'VARCHAR'],
  ['metric', 'VARCHAR'],
  ['ts', 'TIMESTAMPTZ'],
  ['value', 'DOUBLE'],
  ['unit', 'VARCHAR'],
  ['flagged', 'BOOLEAN'],
  ['original_value', 'DOUBLE'],
  ['original_unit', 'VARCHAR'],
  ['conversion', 'VARCHAR'],
  ['source', 'VARCHAR'],
  ['received_at', 'TIMESTAMPTZ'],
] as const;

export type HistoryColumn = (typeof HISTORY_COLUMNS)[number][0];

/** `YYYY-MM-DD` of an instant, in UTC: the `day=` partition. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * A factory id as a path segment: ids are free text, so anything but letters, digits, `-`, `_`
 * and `.` is percent-encoded (Hive's own escaping), and `.`/`..` alone cannot climb.
 */
export function factorySegment(factoryId: string): string {
  const encoded = factoryId.replace(/[^A-Za-z0-9_.-]/gu, (c) =>
    [...Buffer.from(c, 'utf8')]
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
  return encoded === '.' || encoded === '..' ? encoded.replace(/\./g, '%2E') : encoded;
}

/** The directory of one day and factory. */
export function partitionDir(dir: string, day: string, factoryId: string): string {
  return join(dir, `day=${day}`, `factory=${factorySegment(factoryId)}`);
}

/** A file's name: unique per instance (its id, when its first row was taken, a sequence number). */
export function fileName(instanceId: string, firstTsMs: number, seq: number): string {
  return `${factorySegment(instanceId)}-${firstTsMs}-${seq}.parquet`;
}

/**
 * A compacted file's name starts with this: fileName(`compact-${instanceId}`, firstTsMs, seq).
 * It holds one (UTC day, factory) partition's rows, deduplicated by (metric_id, ts) keeping the
 * one received first, sorted by (metric_id, ts) (src/history/compactor.ts, docs/history.md).
 */
export const COMPACTED_PREFIX = 'compact-';

/** Whether a file (a path or a basename) is a compacted file. */
export function isCompacted(name: string): boolean {
  return basename(name).startsWith(COMPACTED_PREFIX);
}

/** The glob a reader gives DuckDB's read_parquet (with hive_partitioning). */
export function allFiles(dir: string): string {
  return join(dir, 'day=*', 'factory=*', '*.parquet');
}

/**
 * Minute summaries (compactor.ts, docs/history.md "Minute summaries"): beside the partitions, a
 * compacted file's rows summed up per (metric_id, minute), in a file of the same name at the same
 * partition path under this folder:
 *
 *   <HISTORY_DIR>/_minutes/day=YYYY-MM-DD/factory=<id>/compact-…parquet
 *
 * A rollup of a day made of one compacted file reads its summary (1,440 rows a metric) instead of
 * its rows (86,400 at 1 Hz). A summary is derived data: written after its compacted file is in
 * place, deleted with it, and used only while that file is its day's only one. The leading `_`
 * keeps it out of `allFiles` and out of what Hive, Spark and Trino take for partitions.
 */
export const MINUTES_FOLDER = '_minutes';

/** A minute summary's columns, in file order, with their DuckDB types. */
export const MINUTE_COLUMNS = [
  ['metric_id', 'VARCHAR'],
  /** The minute's start (UTC). */
  ['minute', 'TIMESTAMPTZ'],
  ['readings', 'BIGINT'],
  ['min_value', 'DOUBLE'],
  ['max_value', 'DOUBLE'],
  ['sum_value', 'DOUBLE'],
  /** The time and value of the minute's latest reading. */
  ['last_ts', 'TIMESTAMPTZ'],
  ['last_value', 'DOUBLE'],
] as const;

/** The summary of a compacted file at `path` (a file of the layout under `dir`). */
export function summaryPathOf(dir: string, path: string): string {
  const rel = relative(dir, path);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new RangeError(`${path} is not a file of the history in ${dir}`);
  }
  return join(dir, MINUTES_FOLDER, rel);
}
