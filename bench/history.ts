/**
 * History benchmark (issue 13): reading the long-term history's Parquet files.
 *
 * 1. Rollup: a month of 1 Hz readings of one metric (2,592,000 rows) as Parquet files in the
 *    layout of src/history/layout.ts (30 day partitions, one factory, `--files-per-day` files a
 *    day as the writer rolls them, plus a replay file a day holding `--dup-pct` of the day again),
 *    rolled up by HOUR through HistoryReader (partition listing, deduplication by (metric, ts),
 *    count/min/max/sum/last), median of `--reps` runs. Baselines in the same run: the bare DuckDB
 *    `SELECT time_bucket(…) … GROUP BY` over the same files (no deduplication, so it counts the
 *    replayed rows), and the same with deduplication written by hand.
 * 2. History across the graph/files boundary: `Metric.history`'s two halves as the resolver runs
 *    them (readHistory from the graph for ts >= B, readFileHistory from the files for ts < B,
 *    merged), for 20 minutes around B at 1 Hz with limit 1000; baseline: the graph-only read of
 *    1000 readings, what history cost before the files. Needs Neo4j (skip with --no-graph).
 *
 *   npm run build && node dist/bench/history.js [--days 30] [--files-per-day 288] [--dup-pct 1]
 *     [--reps 7] [--no-graph] [--wipe]
 *
 * Without NEO4J_URI a throwaway local Neo4j (heap 2g, page cache 512m) is started and deleted.
 */
import './production';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allFiles, MINUTES_FOLDER, partitionDir, utcDay } from '../src/history/layout';
import type { BucketAggregate } from '../src/history/buckets';
import { HistoryCompactor } from '../src/history/compactor';
import { HistoryReader } from '../src/history/reader';
import { silentLog } from '../src/log';
import { mergeHistory, readFileHistory } from '../src/telemetry/history';
import { readHistory } from '../src/telemetry/store';
import { WRITE_READINGS } from '../src/telemetry/telemetry.cypher';
import {
  BenchError,
  fmt,
  intFlag,
  median,
  note,
  now,
  openBenchGraph,
  out,
  runBench,
  table,
} from './lib';

const METRIC = 'BENCH-A1/temperature';
const FACTORY = 'F1';
const DAY_MS = 86_400_000;
const HOUR = 3_600_000;

const USAGE = `Usage: node dist/bench/history.js [options]
  --days N           day partitions of 1 Hz readings (default 30)
  --files-per-day N  files per day partition (default 288: a roll every 5 minutes)
  --dup-pct N        percent of each day written again in a replay file (default 1)
  --reps N           timed runs per side (default 7)
  --no-graph         skip the boundary read (no Neo4j)
  --compact          compact the closed days first (HistoryCompactor), as the servers do hourly
  --wipe             with NEO4J_URI: delete the twins already stored there first`;

/** Writes the month: `filesPerDay` files a day of consecutive seconds, and a replay file. */
async function generate(
  dir: string,
  days: number,
  filesPerDay: number,
  dupPct: number,
  endMs: number,
) {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const firstDay = Math.floor(endMs / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  const perFile = Math.ceil(86_400 / filesPerDay);
  let files = 0;
  const copy = async (
    path: string,
    fromS: number,
    count: number,
    receivedLagS: number,
    every = 1,
  ) => {
    // ts in whole seconds; value a smooth curve with noise; lineage as the writer stores it
    await c.run(`COPY (
      SELECT '${METRIC}' AS metric_id, 'BENCH-A1' AS asset_id, '${FACTORY}' AS factory_id,
             'temperature' AS metric, make_timestamptz(s * 1000000) AS ts,
             60 + 20 * sin(s / 3600.0) + (hash(s) % 1000) / 1000.0 AS value, 'Cel' AS unit,
             false AS flagged, 60 + 20 * sin(s / 3600.0) + (hash(s) % 1000) / 1000.0 AS original_value,
             NULL::VARCHAR AS original_unit, NULL::VARCHAR AS conversion,
             'twin/F1/L1/BENCH-A1/telemetry' AS source,
             make_timestamptz((s + ${receivedLagS}) * 1000000) AS received_at
      FROM range(${fromS}, ${fromS + count}, ${every}) t(s) ORDER BY s
    ) TO '${path}' (FORMAT parquet)`);
    files += 1;
  };
  for (let d = 0; d < days; d++) {
    const dayMs = firstDay + d * DAY_MS;
    const partition = partitionDir(dir, utcDay(dayMs), FACTORY);
    mkdirSync(partition, { recursive: true });
    const dayS = dayMs / 1000;
    for (let f = 0; f < filesPerDay; f++) {
      const fromS = dayS + f * perFile;
      const count = Math.min(perFile, dayS + 86_400 - fromS);
      if (count > 0)
        await copy(join(partition, `bench-${fromS * 1000}-${f}.parquet`), fromS, count, 1);
    }
    if (dupPct > 0) {
      await copy(
        join(partition, `replay-${dayS * 1000}-0.parquet`),
        dayS,
        86_400,
        3600,
        Math.round(100 / dupPct),
      );
    }
  }
  c.closeSync();
  db.closeSync();
  return { firstDay, files };
}

/** The same buckets (in any order), sums equal to the last bits that the order of adding moves. */
function sameBuckets(a: readonly BucketAggregate[], b: readonly BucketAggregate[]): boolean {
  const byKey = new Map(b.map((x) => [x.key, x]));
  return (
    a.length === b.length &&
    a.every((x) => {
      const y = byKey.get(x.key);
      return (
        y !== undefined &&
        x.count === y.count &&
        x.min === y.min &&
        x.max === y.max &&
        x.last === y.last &&
        x.lastTsMs === y.lastTsMs &&
        Math.abs(x.sum - y.sum) <= 1e-9 * Math.abs(y.sum)
      );
    })
  );
}

runBench('bench/history', async (defer) => {
  const { values } = parseArgs({
    options: {
      days: { type: 'string' },
      'files-per-day': { type: 'string' },
      'dup-pct': { type: 'string' },
      reps: { type: 'string' },
      'no-graph': { type: 'boolean', default: false },
      compact: { type: 'boolean', default: false },
      wipe: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    out(USAGE);
    return;
  }
  const days = intFlag('days', values.days, 30);
  const filesPerDay = intFlag('files-per-day', values['files-per-day'], 288);
  const dupPct = intFlag('dup-pct', values['dup-pct'], 1, 0);
  const reps = intFlag('reps', values.reps, 7);

  const dir = mkdtempSync(join(tmpdir(), 'bench-history-'));
  defer(async () => rmSync(dir, { recursive: true, force: true }));
  const endMs = Math.floor(Date.now() / 1000) * 1000;
  note(`writing ${days} days of 1 Hz readings, ${filesPerDay} files a day, to ${dir}`);
  const t0 = now();
  const { firstDay, files } = await generate(dir, days, filesPerDay, dupPct, endMs);
  const rows = days * 86_400;
  note(`${fmt.int(files)} files in ${fmt.s(now() - t0)}`);
  let filesRead = files;
  if (values.compact) {
    // what the servers do each HISTORY_COMPACT_MS: every closed day into one compacted file
    const compactor = new HistoryCompactor({
      dir,
      instanceId: 'bench',
      everyMs: 3_600_000,
      log: silentLog(),
      lease: () => Promise.resolve(true),
      graceMs: 0,
    });
    const t1 = now();
    const done = await compactor.compactOnce(Date.now());
    filesRead = files - (done?.filesIn ?? 0) + (done?.filesOut ?? 0);
    out(
      `compaction: ${fmt.int(done?.filesIn ?? 0)} files of ${fmt.int(done?.partitions ?? 0)} closed days into ` +
        `${fmt.int(done?.filesOut ?? 0)} in ${fmt.s(now() - t1)} (${fmt.int(filesRead)} files now, ` +
        `${fmt.int(done?.summaries ?? 0)} minute summaries)`,
    );
  }

  // 1. rollup by hour of the whole month
  const reader = new HistoryReader(dir);
  defer(() => reader.close());
  const fromMs = firstDay;
  const toMs = firstDay + days * DAY_MS;
  const product = async () =>
    (
      await reader.rollup({
        metricIds: [METRIC],
        fromMs,
        toMs,
        bucket: 'HOUR',
        timeZone: 'UTC',
        factoryIds: [FACTORY],
      })
    ).get(METRIC) ?? [];
  const bareDb = await DuckDBInstance.create(':memory:');
  const bare = await bareDb.connect();
  defer(async () => {
    bare.closeSync();
    bareDb.closeSync();
  });
  const glob = allFiles(dir);
  const bareSql = `
    SELECT time_bucket(INTERVAL '1 hour', ts) AS bucket, count(*) AS n, min(value), max(value),
           avg(value), arg_max(value, ts) AS last
    FROM read_parquet('${glob}', hive_partitioning = true)
    WHERE metric_id = '${METRIC}' GROUP BY bucket`;
  const dedupSql = `
    WITH d AS (
      SELECT ts, arg_min(value, received_at) AS value
      FROM read_parquet('${glob}', hive_partitioning = true)
      WHERE metric_id = '${METRIC}' GROUP BY ts)
    SELECT time_bucket(INTERVAL '1 hour', ts) AS bucket, count(*) AS n, min(value), max(value),
           avg(value), arg_max(value, ts) AS last
    FROM d GROUP BY bucket`;
  await bare.run(`SET TimeZone = 'UTC'`);
  const bareRows = async (sql: string) => (await bare.runAndReadAll(sql)).getRowObjects();
  // one unmeasured run each (file listing and DuckDB's caches warm)
  const checkProduct = await product();
  const checkBare = await bareRows(bareSql);
  const checkDedup = await bareRows(dedupSql);
  const times = { product: [] as number[], bare: [] as number[], dedup: [] as number[] };
  for (let i = 0; i < reps; i++) {
    let t = now();
    await product();
    times.product.push(now() - t);
    t = now();
    await bareRows(bareSql);
    times.bare.push(now() - t);
    t = now();
    await bareRows(dedupSql);
    times.dedup.push(now() - t);
  }
  // the compacted days without their minute summaries: the rows read (what the summaries save)
  const withoutSummaries: number[] = [];
  let checkRows: typeof checkProduct = [];
  if (values.compact) {
    renameSync(join(dir, MINUTES_FOLDER), join(dir, `${MINUTES_FOLDER}-off`));
    checkRows = await product();
    for (let i = 0; i < reps; i++) {
      const t = now();
      await product();
      withoutSummaries.push(now() - t);
    }
  }
  const count = (rs: Record<string, unknown>[]) => rs.reduce((s, r) => s + Number(r['n']), 0);
  const productCount = checkProduct.reduce((s, b) => s + b.count, 0);
  const replayed = count(checkBare) - rows;
  out(
    `history rollup: ${fmt.int(rows)} readings of one metric at 1 Hz over ${days} days, ` +
      `${fmt.int(filesRead)} Parquet files (${filesPerDay} a day + a replay of ${dupPct}%${values.compact ? ', closed days compacted' : ''}), by HOUR`,
  );
  out();
  const pm = median(times.product);
  for (const line of table(
    ['side', 'median', 'min', 'ratio to bare', 'buckets', 'rows counted'],
    [
      [
        'HistoryReader.rollup (listing, dedup)',
        fmt.ms(pm),
        fmt.ms(Math.min(...times.product)),
        fmt.ratio(pm / median(times.bare)),
        String(checkProduct.length),
        fmt.int(productCount),
      ],
      ...(values.compact
        ? [
            [
              'HistoryReader.rollup, rows (no minute summaries)',
              fmt.ms(median(withoutSummaries)),
              fmt.ms(Math.min(...withoutSummaries)),
              fmt.ratio(median(withoutSummaries) / median(times.bare)),
              String(checkRows.length),
              fmt.int(checkRows.reduce((s, b) => s + b.count, 0)),
            ],
          ]
        : []),
      [
        'bare time_bucket GROUP BY (baseline)',
        fmt.ms(median(times.bare)),
        fmt.ms(Math.min(...times.bare)),
        fmt.ratio(1),
        String(checkBare.length),
        fmt.int(count(checkBare)),
      ],
      [
        'bare, deduplicated by hand',
        fmt.ms(median(times.dedup)),
        fmt.ms(Math.min(...times.dedup)),
        fmt.ratio(median(times.dedup) / median(times.bare)),
        String(checkDedup.length),
        fmt.int(count(checkDedup)),
      ],
    ],
  )) {
    out(`  ${line}`);
  }
  out();
  out(
    `target: a month of 1 Hz rolled up hourly in under 200 ms: ${pm < 200 ? 'met' : 'MISSED'} (${fmt.ms(pm)})`,
  );
  const ok =
    productCount === rows &&
    count(checkDedup) === rows &&
    checkProduct.length === days * 24 &&
    (!values.compact || sameBuckets(checkRows, checkProduct));
  out(
    `check: the reader counted each of the ${fmt.int(rows)} readings once (the bare query counted ${fmt.int(replayed)} replayed rows twice), ${days * 24} buckets: ${ok ? 'OK' : 'FAILED'}`,
  );
  if (!ok)
    throw new BenchError(
      `rollup counted ${productCount} readings in ${checkProduct.length} buckets`,
    );
  out();

  if (values['no-graph']) return;

  // 2. history across the boundary: the graph holds the last 13 hours (1 Hz), the files the month
  const { graph } = await openBenchGraph(defer, values.wipe);
  defer(() =>
    graph
      .autoCommit(
        `MATCH (r:Reading {metricId: $m}) CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS`,
        { m: METRIC },
      )
      .then(() => undefined),
  );
  const boundary = endMs - 12 * HOUR;
  const graphFrom = endMs - 13 * HOUR;
  note('writing 13 hours of 1 Hz readings to the graph');
  for (let start = graphFrom; start < endMs; start += 5000 * 1000) {
    const batch = [];
    for (let ts = start; ts < Math.min(start + 5000 * 1000, endMs); ts += 1000) {
      const iso = new Date(ts).toISOString();
      batch.push({
        id: `${METRIC}@${iso}`,
        metricId: METRIC,
        assetId: 'BENCH-A1',
        metric: 'temperature',
        ts: iso,
        value: 60,
        unit: 'Cel',
        flagged: false,
        topic: 'twin/F1/L1/BENCH-A1/telemetry',
        receivedAt: iso,
        originalValue: 60,
        originalUnit: null,
        conversion: null,
      });
    }
    await graph.write(WRITE_READINGS, { rows: batch });
  }
  const from = boundary - 10 * 60_000;
  const to = boundary + 10 * 60_000;
  const limit = 1000;
  const across = async () => {
    const g = await readHistory(
      graph,
      [METRIC],
      new Date(boundary).toISOString(),
      new Date(to).toISOString(),
      limit,
    );
    const f = await readFileHistory(reader, [METRIC], from, to, limit, boundary);
    return mergeHistory(g[0] ?? [], f[0] ?? [], limit);
  };
  const graphOnly = async () =>
    (
      await readHistory(
        graph,
        [METRIC],
        new Date(boundary + HOUR).toISOString(),
        new Date(endMs).toISOString(),
        limit,
      )
    )[0] ?? [];
  const checkAcross = await across();
  const checkGraph = await graphOnly();
  const t2 = { across: [] as number[], graph: [] as number[] };
  for (let i = 0; i < reps * 3; i++) {
    let t = now();
    await across();
    t2.across.push(now() - t);
    t = now();
    await graphOnly();
    t2.graph.push(now() - t);
  }
  const am = median(t2.across);
  const gm = median(t2.graph);
  out(
    `history across the boundary: limit ${limit}, 20 minutes at 1 Hz around B = now - 12 h (601 readings from the graph, 399 from the files)`,
  );
  out();
  for (const line of table(
    ['side', 'median', 'min', 'ratio', 'readings'],
    [
      [
        'graph + files, merged',
        fmt.ms(am),
        fmt.ms(Math.min(...t2.across)),
        fmt.ratio(am / gm),
        String(checkAcross.length),
      ],
      [
        'graph only (baseline)',
        fmt.ms(gm),
        fmt.ms(Math.min(...t2.graph)),
        fmt.ratio(1),
        String(checkGraph.length),
      ],
    ],
  )) {
    out(`  ${line}`);
  }
  const tss = checkAcross.map((r) => Date.parse(String(r['ts'])));
  const contiguous = tss.every((ts, i) => i === 0 || (tss[i - 1] ?? 0) - ts === 1000);
  const okAcross =
    checkAcross.length === limit && contiguous && tss[0] === to && checkGraph.length === limit;
  out();
  out(
    `check: ${limit} readings, newest first, one a second across B with no gap or duplicate: ${okAcross ? 'OK' : 'FAILED'}`,
  );
  if (!okAcross)
    throw new BenchError(
      `the read across the boundary returned ${checkAcross.length} readings, contiguous: ${contiguous}`,
    );
});
