/**
 * Backfill benchmark (issue 13): the backfill of a generated CSV of 1,000,000 readings (a
 * historian export of weeks ago, so every row goes to the history files and none to the graph)
 * beside DuckDB's own read_csv of the same file into a table, in the same run.
 *
 *   npm run build && node dist/bench/backfill.js [--rows 1000000] [--assets 100] [--rounds 1]
 *
 * What the backfill's time includes: reading the file in 1 MiB chunks, CSV parsing, the checks of
 * every row (timestamp, asset and metric lookup in the registry's cache, unit conversion for the
 * tenth of the rows sent in [degF]), duplicate tracking, and writing the Parquet files (one DuckDB
 * thread, zstd, fsync'd). Not the graph: no row is recent enough, and no Neo4j is started (the
 * assets are in memory, as the registry's cache holds them after loadAll). DuckDB's read_csv uses
 * every core and checks nothing; it is the floor of reading this file, not a like-for-like rival.
 */
import './production';
import { DuckDBInstance } from '@duckdb/node-api';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allFiles } from '../src/history/layout';
import { backfillFile } from '../src/telemetry/backfill/file';
import { openBackfillFiles } from '../src/telemetry/backfill/files';
import type { AssetInfo, MetricDef } from '../src/telemetry/registry';
import { BenchError, fmt, intFlag, median, note, now, out, runBench, table } from './lib';

const USAGE = `Usage: node dist/bench/backfill.js [options]
  --rows N      rows in the generated CSV (default 1,000,000)
  --assets N    assets, 5 metrics each (default 100)
  --rounds N    measured rounds of each side; medians reported (default 1)`;

const METRICS = ['temperature', 'pressure', 'vibration', 'current', 'speed'] as const;
const UNITS: Record<(typeof METRICS)[number], string> = {
  temperature: 'Cel',
  pressure: 'bar',
  vibration: 'mm/s',
  current: 'A',
  speed: '/min',
};
const DAY = 86_400_000;

function plant(assets: number): Map<string, AssetInfo> {
  const map = new Map<string, AssetInfo>();
  for (let a = 0; a < assets; a++) {
    const id = `A${a}`;
    const metrics = new Map<string, MetricDef>(
      METRICS.map((m) => [m, { id: `${id}/${m}`, name: m, unit: UNITS[m], min: 0, max: 100 }]),
    );
    map.set(id, {
      id,
      factoryId: `F${a % 4}`,
      lineId: `L${a % 20}`,
      props: { id },
      status: 'RUNNING',
      metrics,
    });
  }
  return map;
}

/** `rows` readings over 14 days ending 30 days ago; a tenth of the temperatures in [degF]. */
async function generate(path: string, rows: number, assets: number): Promise<void> {
  const end = Date.now() - 30 * DAY;
  const span = 14 * DAY;
  const stream = createWriteStream(path);
  const write = (text: string) =>
    stream.write(text) ? Promise.resolve() : new Promise<void>((r) => stream.once('drain', r));
  await write('asset,metric,ts,value,unit\n');
  const perSeries = Math.ceil(rows / (assets * METRICS.length));
  const step = Math.floor(span / perSeries);
  let text = '';
  for (let i = 0; i < rows; i++) {
    const series = i % (assets * METRICS.length);
    const k = Math.floor(i / (assets * METRICS.length));
    const asset = Math.floor(series / METRICS.length);
    const metric = METRICS[series % METRICS.length] ?? 'temperature';
    const ts = new Date(end - span + k * step).toISOString();
    const value = Math.round((50 + 30 * Math.sin(i / 977)) * 100) / 100;
    text +=
      metric === 'temperature' && i % 10 === 0
        ? `A${asset},${metric},${ts},${Math.round((value * 1.8 + 32) * 100) / 100},[degF]\n`
        : `A${asset},${metric},${ts},${value},\n`;
    if (text.length > 1 << 20) {
      await write(text);
      text = '';
    }
  }
  await write(text);
  await new Promise<void>((resolve, reject) =>
    stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

async function duckdbReadCsv(path: string): Promise<{ ms: number; rows: number }> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const t0 = now();
    await c.run(`CREATE TABLE readings AS SELECT * FROM read_csv('${path}', header = true)`);
    const ms = now() - t0;
    const count = await c.runAndReadAll('SELECT count(*)::INTEGER AS n FROM readings');
    return { ms, rows: Number(count.getRowObjectsJson()[0]?.['n']) };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

async function parquetRows(dir: string): Promise<number> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const r = await c.runAndReadAll(
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${allFiles(dir)}', hive_partitioning = true)`,
    );
    return Number(r.getRowObjectsJson()[0]?.['n']);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

runBench('bench/backfill', async (defer) => {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' },
      assets: { type: 'string' },
      rounds: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    out(USAGE);
    return;
  }
  const rows = intFlag('rows', values.rows, 1_000_000);
  const assetCount = intFlag('assets', values.assets, 100);
  const rounds = intFlag('rounds', values.rounds, 1);
  const work = await mkdtemp(join(tmpdir(), 'bench-backfill-'));
  defer(() => rm(work, { recursive: true, force: true }));
  const csv = join(work, 'export.csv');
  note(`generating ${fmt.int(rows)} rows for ${assetCount} assets in ${csv}`);
  await generate(csv, rows, assetCount);
  const size = (await stat(csv)).size;
  note(`${fmt.int(size)} bytes; ${cpus().length} cores`);
  const assets = plant(assetCount);

  const duck: number[] = [];
  const ours: number[] = [];
  const checks: number[] = [];
  let files = 0;
  for (let round = 0; round < rounds; round++) {
    const d = await duckdbReadCsv(csv);
    if (d.rows !== rows) throw new BenchError(`DuckDB read ${d.rows} rows, expected ${rows}`);
    duck.push(d.ms);
    note(`round ${round + 1}: DuckDB read_csv ${fmt.s(d.ms)}`);

    // the same run without files: what reading and checking cost on their own
    const c0 = now();
    const started0 = Date.now();
    const checked = await backfillFile(csv, 'CSV', {
      source: 'export.csv',
      lookup: (id) => assets.get(id),
      limits: { now: started0, maxFutureMs: 300_000, graphFromMs: started0 - DAY, files: true },
      graph: null,
      files: null,
    });
    checks.push(now() - c0);
    if (checked.summary.accepted !== rows) {
      throw new BenchError(`the check-only run accepted ${checked.summary.accepted} of ${rows}`);
    }
    note(`round ${round + 1}: read and check only ${fmt.s(now() - c0)}`);

    const dir = join(work, `history-${round}`);
    const target = openBackfillFiles(dir, 'bench');
    const t0 = now();
    let summary;
    try {
      const started = Date.now();
      ({ summary } = await backfillFile(csv, 'CSV', {
        source: 'export.csv',
        lookup: (id) => assets.get(id),
        limits: { now: started, maxFutureMs: 300_000, graphFromMs: started - DAY, files: true },
        graph: null,
        files: target,
      }));
    } finally {
      target.close();
    }
    const ms = now() - t0;
    files = target.files;
    if (summary.accepted !== rows || summary.rejected + summary.duplicates !== 0) {
      throw new BenchError(
        `backfill accepted ${summary.accepted} of ${rows} (${summary.rejected} refused, ${summary.duplicates} duplicates)`,
      );
    }
    const stored = await parquetRows(dir);
    if (stored !== rows) throw new BenchError(`the files hold ${stored} rows, expected ${rows}`);
    ours.push(ms);
    note(`round ${round + 1}: backfill ${fmt.s(ms)} (${files} files)`);
    await rm(dir, { recursive: true, force: true });
  }

  const duckMs = median(duck);
  const oursMs = median(ours);
  const checkMs = median(checks);
  out(`backfill of a ${fmt.int(rows)}-row CSV (${fmt.int(size)} bytes), median of ${rounds}`);
  for (const line of table(
    ['side', 'time', 'rows/s'],
    [
      ['DuckDB read_csv into a table', fmt.s(duckMs), fmt.rate((rows * 1000) / duckMs)],
      [
        `backfill to Parquet files (${files} files)`,
        fmt.s(oursMs),
        fmt.rate((rows * 1000) / oursMs),
      ],
      ['  of which: read and check (no files)', fmt.s(checkMs), fmt.rate((rows * 1000) / checkMs)],
    ],
  )) {
    out(line);
  }
  out(`ratio (backfill rows/s ÷ DuckDB rows/s): ${fmt.ratio(duckMs / oursMs)}`);
});
