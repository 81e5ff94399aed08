/**
 * Reads the telemetry history's Parquet files (layout.ts) with DuckDB: the file half of
 * `Metric.history` and `Metric.rollup` (docs/history.md, "Reading history"). Pure files: which
 * part of a query the files answer and which the graph answers is the caller's (telemetry/).
 *
 * - Partitions are pruned here, not by DuckDB: the reader lists the `day=` directories (and the
 *   `factory=` ones when the factories are known) and hands DuckDB the files of the days asked
 *   for, so a month reads 30 days of files whatever the length of the history, and no glob of the
 *   whole tree runs per query. Temporary files (leading `.`) are never listed.
 * - Rows are at least once: each query keeps one row per (metric_id, ts), the earliest received.
 *   The same reading is always in one `day=` partition (the UTC day of its ts), so deduplicating
 *   within the days read is complete.
 * - An empty or missing directory answers empty.
 * - Every value from a caller is bound as a parameter, never written into the SQL.
 */
import {
  BIGINT,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Config } from '../config';
import { type BucketAggregate, FIXED_BUCKET_MS, type RollupBucket } from './buckets';
import { listDir, retryIfVanished } from './files';
import { factorySegment, isCompacted, summaryPathOf, utcDay } from './layout';

/** One reading from the files. */
export interface FileReading {
  metricId: string;
  tsMs: number;
  value: number;
  unit: string | null;
  flagged: boolean;
  originalValue: number | null;
  originalUnit: string | null;
  conversion: string | null;
  source: string | null;
  receivedAtMs: number | null;
}

export interface ReadingsQuery {
  metricIds: readonly string[];
  /** Inclusive; null: from the first file. */
  fromMs: number | null;
  /** Exclusive. */
  toMs: number;
  /** Per metric, newest first. */
  limit: number;
  /** When known, only these factories' partitions are read. */
  factoryIds?: readonly string[] | null;
}

export interface RollupQuery {
  metricIds: readonly string[];
  /** Inclusive. */
  fromMs: number;
  /** Exclusive. */
  toMs: number;
  bucket: RollupBucket;
  /** The zone of DAY buckets (IANA, validated by the caller); MINUTE and HOUR are UTC. */
  timeZone: string;
  factoryIds?: readonly string[] | null;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Connections of one reader: DuckDB runs one statement per connection at a time. */
const MAX_CONNECTIONS = 4;
/** DuckDB's memory_limit for a reader (queries and the footers it keeps). */
const READER_MEMORY = '256MB';

/**
 * The files of a query, in two sets. A day read from exactly one file, a compacted one
 * (compactor.ts: one partition's rows, already one per (metric_id, ts)), is read as it is; the
 * rest is deduplicated here. A reading lives in the partition of its UTC day, so no duplicate can
 * sit between a day of the first set and any other file. `minutes` gives the minute summary of
 * those compacted files that have one (layout.ts, MINUTES_FOLDER), when asked for.
 */
interface FileSet {
  unique: string[];
  rest: string[];
  minutes: Map<string, string>;
}

/** Rows of the first received of each (metric_id, ts): the readers' rule, and the compactor's. */
const FIRST_RECEIVED = 'ORDER BY received_at, source';

/**
 * The rows of a file set in range, each reading once: the compacted days as they are, the other
 * files deduplicated (a window: measured faster than GROUP BY metric_id, ts with arg_min). One
 * metric (a chart's usual rollup) is read by equality and partitioned by ts alone: 450 against
 * 800-1000 ms for a month at 1 Hz with the list form.
 */
function rowsOf(set: FileSet, columns: string, one: boolean): string {
  const where = inRange(one);
  const parts: string[] = [];
  if (set.unique.length > 0)
    parts.push(`SELECT ${columns} FROM read_parquet($unique) WHERE ${where}`);
  if (set.rest.length > 0) {
    parts.push(`SELECT ${columns} FROM read_parquet($rest) WHERE ${where}
      QUALIFY row_number() OVER (PARTITION BY ${one ? '' : 'metric_id, '}ts ${FIRST_RECEIVED}) = 1`);
  }
  return parts.join('\n  UNION ALL\n  ');
}

/** The rows of the metrics asked for in [from, to). */
const inRange = (one: boolean) =>
  `${one ? 'metric_id = $id' : 'metric_id IN (SELECT unnest($ids))'}
    AND ts >= make_timestamptz($from * 1000) AND ts < make_timestamptz($to * 1000)`;

const readingsSql = (set: FileSet) => `
  SELECT metric_id, epoch_ms(ts) AS ts_ms, value, unit, flagged, original_value, original_unit,
         conversion, source, epoch_ms(received_at) AS received_ms
  FROM (${rowsOf(set, '*', false)})
  QUALIFY row_number() OVER (PARTITION BY metric_id ORDER BY ts DESC) <= $limit
  ORDER BY metric_id, ts DESC`;

/**
 * How a rollup reads a file set: `raw` its rows, `edges` compacted files whose rows are read only
 * in the part minutes of [from, to) (at its ends, when they are not whole minutes), `minutes` the
 * summaries of whole minutes in [from, to) of those same days.
 */
interface RollupPlan {
  raw: FileSet;
  edges: string[];
  minutes: string[];
}

/** A rollup's key of a time column: inner (per part, cheap to group by) and final (text). */
interface KeySql {
  inner: (column: string) => string;
  final: (column: string) => string;
}

const FIXED_KEY: KeySql = {
  inner: (c) => `(epoch_ms(${c}) // $size) * $size`,
  final: (c) => `CAST(${c} AS VARCHAR)`,
};
const DAY_KEY: KeySql = {
  inner: (c) => `CAST(timezone($tz, ${c}) AS DATE)`,
  final: (c) => `strftime(${c}, '%Y-%m-%d')`,
};

/**
 * The buckets of a rollup plan: each part grouped by bucket (one metric: by the bucket alone,
 * measured 1.5x faster than grouping by the metric's text too), the parts combined per bucket.
 * Minutes summarise whole minutes, and every zone's offset is whole minutes (since 1970), so a
 * minute is inside one bucket.
 */
function rollupSql(plan: RollupPlan, key: KeySql, one: boolean): string {
  const metric = one ? '' : 'metric_id, ';
  const raw = rowsOf(plan.raw, 'metric_id, ts, value', one);
  const rawParts = [
    ...(raw === '' ? [] : [raw]),
    ...(plan.edges.length === 0
      ? []
      : [
          `SELECT metric_id, ts, value FROM read_parquet($edges)
            WHERE ${inRange(one)} AND (ts < make_timestamptz($froma * 1000) OR ts >= make_timestamptz($toa * 1000))`,
        ]),
  ];
  const parts: string[] = [];
  if (rawParts.length > 0) {
    parts.push(`SELECT ${metric}${key.inner('ts')} AS k, count(*) AS n, min(value) AS mn,
      max(value) AS mx, sum(value) AS total, max(ts) AS last_ts, arg_max(value, ts) AS last
      FROM (${rawParts.join('\n  UNION ALL\n  ')}) GROUP BY ALL`);
  }
  if (plan.minutes.length > 0) {
    parts.push(`SELECT ${metric}${key.inner('minute')} AS k, sum(readings) AS n,
      min(min_value) AS mn, max(max_value) AS mx, sum(sum_value) AS total, max(last_ts) AS last_ts,
      arg_max(last_value, last_ts) AS last
      FROM read_parquet($minutes)
      WHERE ${one ? 'metric_id = $id' : 'metric_id IN (SELECT unnest($ids))'}
        AND minute >= make_timestamptz($froma * 1000) AND minute < make_timestamptz($toa * 1000)
      GROUP BY ALL`);
  }
  return `
  WITH p AS (${parts.join('\n  UNION ALL\n  ')})
  SELECT ${one ? '$id AS metric_id' : 'metric_id'}, ${key.final('k')} AS key, sum(n) AS n,
         min(mn) AS mn, max(mx) AS mx, sum(total) AS total, epoch_ms(max(last_ts)) AS last_ms,
         arg_max(last, last_ts) AS last
  FROM p GROUP BY ${metric}k`;
}

/** The list parameters of a file set (query() binds those its statement names). */
function fileParams(set: FileSet): Record<string, DuckDBValue> {
  return { unique: listValue(set.unique), rest: listValue(set.rest) };
}

const isEmpty = (set: FileSet) => set.unique.length === 0 && set.rest.length === 0;

const TYPES: Record<string, DuckDBType> = {
  unique: LIST(VARCHAR),
  rest: LIST(VARCHAR),
  edges: LIST(VARCHAR),
  minutes: LIST(VARCHAR),
  froma: BIGINT,
  toa: BIGINT,
  ids: LIST(VARCHAR),
  id: VARCHAR,
  from: BIGINT,
  to: BIGINT,
};

/** A finished file of a partition: a `.parquet` name that is not a temporary (leading `.`) one. */
const isFinished = (name: string): boolean => name.endsWith('.parquet') && !name.startsWith('.');

/**
 * Which files a rollup of [from, to) reads how, given its whole minutes [fromA, toA): a compacted
 * file with a summary is read from the summary, and also from its rows when its UTC day reaches
 * past a whole-minute end of the range (the part minutes there); the rest as rows.
 */
function rollupPlan(set: FileSet, fromA: number, toA: number): RollupPlan {
  const plan: RollupPlan = {
    raw: { unique: [], rest: set.rest, minutes: new Map() },
    edges: [],
    minutes: [],
  };
  for (const file of set.unique) {
    const summary = set.minutes.get(file);
    if (summary === undefined) {
      plan.raw.unique.push(file);
      continue;
    }
    plan.minutes.push(summary);
    // the file's `day=` folder (layout.ts: <dir>/day=…/factory=…/name)
    const day = basename(dirname(dirname(file))).slice('day='.length);
    const start = Date.parse(`${day}T00:00:00Z`);
    if (!(start >= fromA && start + DAY_MS <= toA)) plan.edges.push(file);
  }
  return plan;
}

const readers = new Map<string, HistoryReader>();

/** The reader of a directory: one per directory per process (one DuckDB instance). */
export function historyReaderFor(dir: string): HistoryReader {
  const key = resolve(dir);
  let reader = readers.get(key);
  if (!reader) {
    reader = new HistoryReader(key);
    readers.set(key, reader);
  }
  return reader;
}

/** Closes every reader made by historyReaderFor (process shutdown, tests). */
export async function closeHistoryReaders(): Promise<void> {
  const all = [...readers.values()];
  readers.clear();
  await Promise.all(all.map((r) => r.close()));
}

/** Where the history files are (HISTORY_DIR, relative to the working directory). */
export function historyDir(config: Pick<Config, 'HISTORY_DIR'>): string {
  return config.HISTORY_DIR;
}

export class HistoryReader {
  private instance: Promise<DuckDBInstance> | null = null;
  private readonly idle: DuckDBConnection[] = [];
  private readonly waiting: ((c: DuckDBConnection) => void)[] = [];
  private opened = 0;
  private closed = false;

  constructor(readonly dir: string) {}

  /**
   * The newest `limit` readings of each metric in [fromMs, toMs), newest first. Walks the day
   * partitions back from `toMs` in windows that double (1, 2, 4 … days) and stops for a metric
   * once it has its `limit`, so `history(limit: 100)` over years of files reads a day or two.
   */
  async readings(q: ReadingsQuery): Promise<Map<string, FileReading[]>> {
    const result = new Map<string, FileReading[]>(q.metricIds.map((id) => [id, []]));
    if (q.metricIds.length === 0 || q.limit < 1 || (q.fromMs !== null && q.fromMs >= q.toMs)) {
      return result;
    }
    const days = (await this.days(q.fromMs, q.toMs - 1)).reverse();
    let wanted = [...new Set(q.metricIds)];
    let window = 1;
    for (let i = 0; i < days.length && wanted.length > 0; i += window, window *= 2) {
      const some = days.slice(i, i + window);
      const ask = wanted;
      const rows = await retryIfVanished(async () => {
        const files = await this.files(some, q.factoryIds);
        if (isEmpty(files)) return [];
        return this.query(readingsSql(files), {
          ...fileParams(files),
          ids: listValue(ask),
          from: BigInt(q.fromMs ?? 0),
          to: BigInt(q.toMs),
          limit: BigInt(q.limit),
        });
      });
      for (const row of rows) {
        const list = result.get(text(row['metric_id']));
        if (list && list.length < q.limit) list.push(fileReading(row));
      }
      wanted = wanted.filter((id) => (result.get(id)?.length ?? 0) < q.limit);
    }
    return result;
  }

  /**
   * Per metric, its buckets in [fromMs, toMs) over deduplicated rows (in no particular order). A
   * day made of one compacted file with a minute summary is read from the summary for its whole
   * minutes in range: a month at 1 Hz is 43,200 summary rows instead of 2.6M readings.
   */
  async rollup(q: RollupQuery): Promise<Map<string, BucketAggregate[]>> {
    const result = new Map<string, BucketAggregate[]>(q.metricIds.map((id) => [id, []]));
    if (q.metricIds.length === 0 || q.fromMs >= q.toMs) return result;
    // a local day reaches into the UTC days beside it
    const widen = q.bucket === 'DAY' ? DAY_MS : 0;
    const ids = [...new Set(q.metricIds)];
    const one = ids.length === 1;
    // whole minutes of the range: what the summaries answer
    const fromA = Math.ceil(q.fromMs / MINUTE_MS) * MINUTE_MS;
    const toA = Math.floor(q.toMs / MINUTE_MS) * MINUTE_MS;
    const rows = await retryIfVanished(async () => {
      const days = await this.days(q.fromMs - widen, q.toMs - 1 + widen);
      const plan = rollupPlan(await this.files(days, q.factoryIds, true), fromA, toA);
      if (isEmpty(plan.raw) && plan.minutes.length === 0) return [];
      const common: Record<string, DuckDBValue> = {
        ...fileParams(plan.raw),
        edges: listValue(plan.edges),
        minutes: listValue(plan.minutes),
        froma: BigInt(fromA),
        toa: BigInt(toA),
        ...(one ? { id: ids[0] ?? '' } : { ids: listValue(ids) }),
        from: BigInt(q.fromMs),
        to: BigInt(q.toMs),
      };
      return q.bucket === 'DAY'
        ? this.query(rollupSql(plan, DAY_KEY, one), { ...common, tz: q.timeZone }, { tz: VARCHAR })
        : this.query(
            rollupSql(plan, FIXED_KEY, one),
            { ...common, size: BigInt(FIXED_BUCKET_MS[q.bucket]) },
            { size: BIGINT },
          );
    });
    for (const row of rows) {
      result.get(text(row['metric_id']))?.push({
        key: text(row['key']),
        count: number(row['n']),
        min: number(row['mn']),
        max: number(row['mx']),
        sum: number(row['total']),
        lastTsMs: number(row['last_ms']),
        last: number(row['last']),
      });
    }
    return result;
  }

  /**
   * The finished files holding readings in [fromMs, toMs) (by their `day=` partitions), of some
   * factories or all: what an export reads (src/telemetry/export.ts).
   */
  async filesBetween(
    fromMs: number,
    toMs: number,
    factoryIds?: readonly string[] | null,
  ): Promise<string[]> {
    if (fromMs >= toMs) return [];
    const set = await this.files(await this.days(fromMs, toMs - 1), factoryIds);
    return [...set.unique, ...set.rest];
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.closeSync();
    const instance = this.instance;
    this.instance = null;
    if (instance) (await instance).closeSync();
  }

  /** The `day=` partitions between two instants (inclusive, by UTC day), oldest first. */
  private async days(fromMs: number | null, toMs: number): Promise<string[]> {
    const first = fromMs === null ? '' : utcDay(fromMs);
    const last = utcDay(toMs);
    return (await listDir(this.dir))
      .filter((name) => /^day=\d{4}-\d\d-\d\d$/u.test(name))
      .map((name) => name.slice(4))
      .filter((day) => day >= first && day <= last)
      .sort();
  }

  /**
   * The finished files of some days, of some factories or all (see FileSet); with `summaries`, the
   * minute summaries of the days made of one compacted file too.
   */
  private async files(
    days: readonly string[],
    factoryIds?: readonly string[] | null,
    summaries = false,
  ): Promise<FileSet> {
    const wanted = factoryIds
      ? new Set(factoryIds.map((f) => `factory=${factorySegment(f)}`))
      : null;
    const perPartition = await Promise.all(
      days.map(async (day) => {
        const dayDir = join(this.dir, `day=${day}`);
        const factories = (await listDir(dayDir)).filter(
          (f) => f.startsWith('factory=') && (!wanted || wanted.has(f)),
        );
        return Promise.all(
          factories.map(async (f) => {
            const files = (await listDir(join(dayDir, f)))
              .filter(isFinished)
              .map((name) => join(dayDir, f, name));
            const [only] = files;
            const compacted = files.length === 1 && only !== undefined && isCompacted(only);
            let summary: string | null = null;
            if (compacted && summaries) {
              const path = summaryPathOf(this.dir, only);
              if ((await listDir(dirname(path))).includes(basename(path))) summary = path;
            }
            return { files, compacted, summary };
          }),
        );
      }),
    );
    const set: FileSet = { unique: [], rest: [], minutes: new Map() };
    for (const { files, compacted, summary } of perPartition.flat()) {
      const [only] = files;
      if (compacted && only !== undefined) {
        set.unique.push(only);
        if (summary !== null) set.minutes.set(only, summary);
      } else set.rest.push(...files);
    }
    return set;
  }

  private async query(
    sql: string,
    values: Record<string, DuckDBValue>,
    types: Record<string, DuckDBType> = {},
  ): Promise<Record<string, DuckDBValue>[]> {
    const connection = await this.acquire();
    try {
      // only the values the statement names (a statement's parts depend on the files: one made
      // of minute summaries alone names no $from), with their types: DuckDB refuses a value or a
      // type for a parameter the statement lacks
      const all: Record<string, DuckDBType> = { ...TYPES, ...types };
      const named = Object.entries(values).filter(([k]) => new RegExp(`\\$${k}\\b`, 'u').test(sql));
      const given = Object.fromEntries(
        named.flatMap(([k]) => (all[k] ? [[k, all[k]] as const] : [])),
      );
      const reader = await connection.runAndReadAll(sql, Object.fromEntries(named), given);
      return reader.getRowObjects();
    } finally {
      this.release(connection);
    }
  }

  private async acquire(): Promise<DuckDBConnection> {
    if (this.closed) throw new Error(`the history reader of ${this.dir} is closed`);
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.opened < MAX_CONNECTIONS) {
      this.opened += 1;
      // a memory limit, which also bounds the footers kept (DuckDB's object cache is an LRU within
      // it: reading 20,000 distinct files grew the process by 27 KB a file without a limit, and
      // stayed flat with one); past it a query spills to the temporary folder
      this.instance ??= DuckDBInstance.create(':memory:', {
        memory_limit: READER_MEMORY,
        temp_directory: join(tmpdir(), `twin-history-read-${process.pid}`),
      }).then(async (db) => {
        // files are written once and never changed (layout.ts): their footers can be kept, and a
        // month of a writer's files (one per roll) is thousands of footers to read otherwise
        const c = await db.connect();
        await c.run('SET GLOBAL parquet_metadata_cache = true');
        c.closeSync();
        return db;
      });
      return (await this.instance).connect();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(connection: DuckDBConnection): void {
    const next = this.waiting.shift();
    if (next) next(connection);
    else if (this.closed) connection.closeSync();
    else this.idle.push(connection);
  }
}

function fileReading(row: Record<string, DuckDBValue>): FileReading {
  return {
    metricId: text(row['metric_id']),
    tsMs: number(row['ts_ms']),
    value: number(row['value']),
    unit: optText(row['unit']),
    flagged: row['flagged'] === true,
    originalValue: optNumber(row['original_value']),
    originalUnit: optText(row['original_unit']),
    conversion: optText(row['conversion']),
    source: optText(row['source']),
    receivedAtMs: optNumber(row['received_ms']),
  };
}

function text(v: DuckDBValue | undefined): string {
  return typeof v === 'string' ? v : String(v);
}

function optText(v: DuckDBValue | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

function optNumber(v: DuckDBValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

function number(v: DuckDBValue | undefined): number {
  return optNumber(v) ?? Number.NaN;
}
