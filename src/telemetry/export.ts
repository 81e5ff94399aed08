import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import {
  BIGINT,
  DuckDBInstance,
  LIST,
  listValue,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBConnection,
} from '@duckdb/node-api';
import type { Graph } from '../graph/executor';
import { asProps, num, optNum, optStr, type Props } from '../graph/props';
import { retryIfVanished, sqlLiteral } from '../history/files';
import { HISTORY_COLUMNS } from '../history/layout';
import { historyReaderFor } from '../history/reader';
import { ASSET_FACTORIES, EXPORT_READINGS } from './telemetry.cypher';

/**
 * `npm run export:telemetry` (issue 13, docs/export.md): the readings of a period, from the
 * history files and the graph's recent window split at the same boundary as Metric.history
 * (src/telemetry/history.ts: files before B = now − TELEMETRY_RETENTION_HOURS/2, the graph from
 * B on), one row per (metric, ts) — the first received — in one Parquet or CSV file with the
 * columns of the history files (src/history/layout.ts), sorted by factory, metric and time.
 */

export type ExportFormat = 'parquet' | 'csv';

export interface TelemetryExportOptions {
  fromMs: number;
  toMs: number;
  /** Only this factory's readings; null: every factory. */
  factoryId: string | null;
  format: ExportFormat;
  /** The file to write (its folder is created); written under a temporary name, then renamed. */
  out: string;
  historyDir: string;
  retentionHours: number;
  /** Now, for the boundary (tests). */
  nowMs?: number;
  /** Told as each part goes. */
  onProgress?: (p: ExportProgress) => void;
}

export interface ExportProgress {
  part: 'files' | 'graph' | 'write';
  rows: number;
}

export interface TelemetryExportResult {
  out: string;
  rows: number;
  fromFiles: number;
  fromGraph: number;
  /** The boundary used: files before it, graph from it on (ISO). */
  boundary: string;
  files: number;
}

const PAGE = 20_000;

const COLUMNS = HISTORY_COLUMNS.map(([c]) => c).join(', ');

/** The file half: deduplicated rows of the files in [from, min(to, B)). */
const FROM_FILES = `
  INSERT INTO out
  SELECT ${COLUMNS} FROM read_parquet($files)
  WHERE ts >= make_timestamptz($from * 1000) AND ts < make_timestamptz($to * 1000)
    AND ($factory IS NULL OR factory_id = $factory)
  QUALIFY row_number() OVER (PARTITION BY metric_id, ts ORDER BY received_at, source) = 1`;

export async function exportTelemetry(
  graph: Graph,
  o: TelemetryExportOptions,
): Promise<TelemetryExportResult> {
  if (!(o.toMs > o.fromMs)) throw new RangeError('"to" must be after "from"');
  const nowMs = o.nowMs ?? Date.now();
  const boundaryMs = nowMs - (o.retentionHours * 3_600_000) / 2;
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const tmp = join(dirname(o.out), `.${basename(o.out)}.tmp`);
  try {
    const columns = HISTORY_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');
    await c.run(`CREATE TABLE out (${columns})`);
    // the files' half: listed and read again if compaction deleted a listed file meanwhile (a
    // failed INSERT leaves the table as it was)
    const files = await retryIfVanished(async () => {
      const listed = await historyReaderFor(o.historyDir).filesBetween(
        o.fromMs,
        Math.min(o.toMs, boundaryMs),
        o.factoryId === null ? null : [o.factoryId],
      );
      if (listed.length > 0) {
        await c.run(
          FROM_FILES,
          {
            files: listValue(listed),
            from: BigInt(o.fromMs),
            to: BigInt(Math.min(o.toMs, Math.floor(boundaryMs))),
            factory: o.factoryId,
          },
          { files: LIST(VARCHAR), from: BIGINT, to: BIGINT, factory: VARCHAR },
        );
      }
      return listed;
    });
    const fromFiles = await count(c);
    o.onProgress?.({ part: 'files', rows: fromFiles });
    // the graph's half, paged
    const fromGraph =
      o.toMs > boundaryMs
        ? await appendGraph(graph, c, Math.max(o.fromMs, boundaryMs), o, (rows) =>
            o.onProgress?.({ part: 'graph', rows }),
          )
        : 0;
    await mkdir(dirname(o.out), { recursive: true });
    const options =
      o.format === 'parquet' ? 'FORMAT parquet, COMPRESSION zstd' : 'FORMAT csv, HEADER true';
    await c.run(
      `COPY (SELECT * FROM out ORDER BY factory_id, metric_id, ts) TO ${sqlLiteral(tmp)} (${options})`,
    );
    await rename(tmp, o.out);
    o.onProgress?.({ part: 'write', rows: fromFiles + fromGraph });
    return {
      out: o.out,
      rows: fromFiles + fromGraph,
      fromFiles,
      fromGraph,
      boundary: new Date(boundaryMs).toISOString(),
      files: files.length,
    };
  } finally {
    await rm(tmp, { force: true });
    c.closeSync();
    db.closeSync();
  }
}

async function count(c: DuckDBConnection): Promise<number> {
  const reader = await c.runAndReadAll('SELECT count(*) AS n FROM out');
  return Number(reader.getRowObjects()[0]?.['n'] ?? 0);
}

/** The graph's readings in [fromMs, to), appended page by page; returns how many. */
async function appendGraph(
  graph: Graph,
  c: DuckDBConnection,
  fromMs: number,
  o: TelemetryExportOptions,
  progress: (rows: number) => void,
): Promise<number> {
  const factoryOf = new Map<string, string>();
  for (const row of await graph.read(ASSET_FACTORIES, { factoryId: o.factoryId })) {
    factoryOf.set(String(row['assetId']), String(row['factoryId']));
  }
  const assetIds = o.factoryId === null ? null : [...factoryOf.keys()];
  if (assetIds !== null && assetIds.length === 0) return 0;
  const from = new Date(fromMs).toISOString();
  const to = new Date(o.toMs).toISOString();
  let afterTs = '';
  let afterId = '';
  let total = 0;
  const appender = await c.createAppender('out');
  try {
    for (;;) {
      const rows = await graph.read(EXPORT_READINGS, {
        from,
        to,
        afterTs,
        afterId,
        assetIds,
        page: PAGE,
      });
      for (const row of rows) {
        const r = asProps(row['reading']);
        appendReading(appender, r, factoryOf.get(String(r['assetId'])) ?? null);
      }
      total += rows.length;
      const last = rows.at(-1);
      if (!last) break;
      const r = asProps(last['reading']);
      afterTs = String(r['ts']);
      afterId = String(r['id']);
      appender.flushSync();
      progress(total);
      if (rows.length < PAGE) break;
    }
  } finally {
    appender.closeSync();
  }
  return total;
}

/** A graph Reading as a row of the history columns (HISTORY_COLUMNS' order). */
function appendReading(a: DuckDBAppender, r: Props, factoryId: string | null): void {
  const value = num(r, 'value', Number.NaN);
  varchar(a, optStr(r, 'metricId'));
  varchar(a, optStr(r, 'assetId'));
  varchar(a, factoryId);
  varchar(a, optStr(r, 'metric'));
  timestamp(a, optStr(r, 'ts'));
  a.appendDouble(value);
  varchar(a, optStr(r, 'unit'));
  a.appendBoolean(r['flagged'] === true);
  a.appendDouble(optNum(r, 'originalValue') ?? value);
  varchar(a, optStr(r, 'originalUnit'));
  varchar(a, optStr(r, 'conversion'));
  varchar(a, optStr(r, 'topic'));
  timestamp(a, optStr(r, 'receivedAt'));
  a.endRow();
}

function varchar(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}

/** An ISO instant into a TIMESTAMPTZ column (DuckDB casts the text when it is appended). */
function timestamp(a: DuckDBAppender, iso: string | null): void {
  if (iso === null) a.appendNull();
  else a.appendVarchar(iso);
}
