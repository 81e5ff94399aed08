/**
 * Ingest benchmark: the sustained rate at which the real server persists telemetry, from MQTT
 * publish (QoS 1, through a real Mosquitto) to readings committed in Neo4j, against a baseline
 * measured in the same run: a bare neo4j-driver loop writing the same rows, one transaction at a
 * time, in batches of the same size, with WRITE_READINGS of src/telemetry/telemetry.cypher.ts (or,
 * with --baseline-statements halves, the two statements the server's writer sends instead).
 *
 *   npm run build && node dist/bench/ingest.js [--messages 20000] [--warmup 40000] [--rounds 3] [--publishers 4]
 *     [--inflight 100] [--metrics-per-message 1] [--assets 100] [--lines 5] [--timeout 300]
 *     [--baseline-statements readings|halves] [--wipe]
 *
 * Without NEO4J_URI a throwaway local Neo4j (heap 2g, page cache 512m) is started and deleted.
 * TELEMETRY_BATCH_SIZE, TELEMETRY_FLUSH_MS and TELEMETRY_MAX_BUFFERED are read from the
 * environment as by the server.
 */
import './production';
import 'reflect-metadata';
import { connect, type MqttClient } from 'mqtt';
import type { Driver } from 'neo4j-driver';
import { parseArgs } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { latestPerMetric, type ReadingRecord } from '../src/telemetry/records';
import {
  WRITE_LATEST_VALUES,
  WRITE_READING_NODES,
  WRITE_READINGS,
} from '../src/telemetry/telemetry.cypher';
import {
  BenchError,
  connectDriver,
  fmt,
  intFlag,
  median,
  note,
  now,
  out,
  table,
  type Defer,
} from './lib';
import {
  busyMs,
  countReadings,
  LoadWorker,
  messageMetrics,
  metricValue,
  numField,
  observeWrites,
  runBenchWithWorker,
  startTelemetryStack,
  telemetryPayload,
  workerInbox,
  type PlantAsset,
  type WriteTx,
} from './telemetry-common';

const USAGE = `Usage: node dist/bench/ingest.js [options]
  --messages N              measured MQTT messages (default 20000)
  --warmup N                unmeasured messages (and baseline rows) first (default 40000; 0: none)
  --rounds N                measured rounds, server and baseline each (default 3; medians shown)
  --metrics-per-message N   readings per message, 1-3 (default 1: messages = readings)
  --publishers N            parallel mqtt.js publishers, QoS 1 (default 4)
  --inflight N              unacknowledged publishes per publisher (default 100)
  --assets N                assets in the plant, 3 metrics each (default 100)
  --lines N                 lines they are spread over (default 5)
  --timeout N               seconds to wait for all readings to be persisted (default 300)
  --baseline-statements S   readings: WRITE_READINGS, one statement (default); halves: the writer's
                            own two statements (WRITE_READING_NODES, then WRITE_LATEST_VALUES of
                            latestPerMetric), still one transaction at a time
  --wipe                    with NEO4J_URI: delete the twins already stored there first`;

// ---------------------------------------------------------------------------------------------
// Worker thread: the publishers.

const workerInput = z.object({
  url: z.string(),
  topics: z.array(z.string()).min(1),
  publishers: z.number().int().min(1),
  inflight: z.number().int().min(1),
  metricsPerMessage: z.number().int().min(1).max(3),
});

const publishOrder = z.object({
  kind: z.literal('publish'),
  first: z.number().int().min(0),
  count: z.number().int().min(1),
  tsBase: z.number().int(),
});

async function workerMain(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('not in a worker');
  const input = workerInput.parse(workerData);
  const clients: MqttClient[] = [];
  try {
    for (let i = 0; i < input.publishers; i++) {
      const client = connect(input.url, {
        clientId: `bench-ingest-pub-${process.pid}-${i}`,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
      });
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
    }
    const next = workerInbox(port);
    port.postMessage({ kind: 'ready' });
    for (;;) {
      const message = await next();
      if (typeof message === 'object' && message !== null && 'kind' in message) {
        if (message.kind === 'close') break;
      }
      const order = publishOrder.parse(message);
      const t0 = performance.now();
      await Promise.all(
        clients.map(async (client, p) => {
          // publisher p sends every publishers-th message; `inflight` loops keep that many unacked
          let next = order.first + p;
          const end = order.first + order.count;
          const loop = async () => {
            while (next < end) {
              const seq = next;
              next += clients.length;
              const topic = input.topics[seq % input.topics.length] ?? '';
              const payload = telemetryPayload(order.tsBase + seq, seq, input.metricsPerMessage);
              await client.publishAsync(topic, payload, { qos: 1 });
            }
          };
          await Promise.all(Array.from({ length: input.inflight }, loop));
        }),
      );
      port.postMessage({ kind: 'published', ms: performance.now() - t0, count: order.count });
    }
  } finally {
    await Promise.all(clients.map((c) => c.endAsync()));
  }
}

// ---------------------------------------------------------------------------------------------
// Main thread.

/** The rows ingestion stores for message `seq`, as src/telemetry/ingest.ts builds them. */
function readingRows(
  assets: PlantAsset[],
  seq: number,
  tsMs: number,
  metricsPerMessage: number,
): ReadingRecord[] {
  const asset = assets[seq % assets.length];
  if (!asset) throw new BenchError('the plant has no assets');
  const ts = new Date(tsMs).toISOString();
  const receivedAt = new Date().toISOString();
  return messageMetrics(seq, metricsPerMessage).map((m) => {
    const metricId = `${asset.assetId}/${m.name}`;
    const value = metricValue(m, seq);
    return {
      id: `${metricId}@${ts}`,
      metricId,
      assetId: asset.assetId,
      metric: m.name,
      ts,
      value,
      unit: m.unit,
      flagged: false,
      topic: asset.topic,
      receivedAt,
      originalValue: value,
      originalUnit: null,
      conversion: null,
    };
  });
}

type BaselineStatements = 'readings' | 'halves';

/** The baseline: one session and one write transaction per batch, sequential. */
async function baselineWrite(
  driver: Driver,
  database: string,
  rows: ReadingRecord[],
  batchSize: number,
  statements: BaselineStatements,
): Promise<{ ms: number; batchMs: number[] }> {
  const t0 = now();
  const batchMs: number[] = [];
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = rows.slice(i, i + batchSize);
    const tb = now();
    const session = driver.session({ database, defaultAccessMode: 'WRITE' });
    try {
      await session.executeWrite(async (tx) => {
        if (statements === 'readings') return tx.run(WRITE_READINGS, { rows: batch });
        const nodes = tx.run(WRITE_READING_NODES, { rows: batch });
        const latest = tx.run(WRITE_LATEST_VALUES, { rows: latestPerMetric(batch) });
        return Promise.all([nodes, latest]);
      });
    } finally {
      await session.close();
    }
    batchMs.push(now() - tb);
  }
  return { ms: now() - t0, batchMs };
}

interface IngestRun {
  readings: number;
  /** First publish to the last reading committed. */
  persistedMs: number;
  /** now() when the first message was handed to the publishers. */
  startedAt: number;
  /** First publish to the last message read off the broker by the server (received counter). */
  receivedMs: number;
  /** First publish to the last PUBACK at the publishers. */
  publishedMs: number;
  writes: WriteTx[];
  failedAttempts: number;
  lastError: string | null;
  peakBuffered: number;
  rejected: number;
}

interface Round {
  ours: IngestRun;
  base: { ms: number; rows: number; batchMs: number[] };
  baselineFirst: boolean;
}

const rate = (rows: number, ms: number) => rows / (ms / 1000);

async function main(defer: Defer): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      'metrics-per-message': { type: 'string' },
      publishers: { type: 'string' },
      inflight: { type: 'string' },
      assets: { type: 'string' },
      lines: { type: 'string' },
      timeout: { type: 'string' },
      'baseline-statements': { type: 'string' },
      wipe: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out(USAGE);
    return;
  }
  const messages = intFlag('messages', values.messages, 20_000);
  // Neo4j writes these rows at about half speed for its first ~30,000 (in a run warmed with 10,000,
  // rounds 1-2 ran at ~10k rows/s and later ones at ~22k: bench/README.md, "Ingest")
  const warmup = intFlag('warmup', values.warmup, 40_000, 0);
  const rounds = intFlag('rounds', values.rounds, 3);
  const perMessage = intFlag('metrics-per-message', values['metrics-per-message'], 1);
  if (perMessage > 3) throw new BenchError('--metrics-per-message must be 1, 2 or 3');
  const publishers = intFlag('publishers', values.publishers, 4);
  const inflight = intFlag('inflight', values.inflight, 100);
  const assets = intFlag('assets', values.assets, 100);
  const lines = intFlag('lines', values.lines, 5);
  if (lines > assets) throw new BenchError('--lines must not exceed --assets');
  const timeoutMs = intFlag('timeout', values.timeout, 300) * 1000;
  const statements = values['baseline-statements'] ?? 'readings';
  if (statements !== 'readings' && statements !== 'halves') {
    throw new BenchError('--baseline-statements must be readings or halves');
  }

  const stack = await startTelemetryStack(defer, { lines, assets, wipe: values.wipe });
  const { runtime, config, plant, db } = stack;
  const batchSize = config.TELEMETRY_BATCH_SIZE;
  const driver = connectDriver(db);
  defer(() => driver.close());
  const serverWrites = observeWrites(runtime.graph);

  const worker = new LoadWorker(__filename, {
    url: stack.broker.url,
    topics: plant.assets.map((a) => a.topic),
    publishers,
    inflight,
    metricsPerMessage: perMessage,
  } satisfies z.input<typeof workerInput>);
  defer(() => worker.close());
  await worker.next('ready', 30_000);

  // Every message has its own ts, 1 ms after the previous one, so every reading id
  // (`metricId@ts`) is new, and every phase is later than the one before, so each of its rows
  // also moves its metric's latest value (the SET part of the statement) on both sides.
  const totalMessages = 2 * warmup + 2 * rounds * messages;
  const tsBase = Date.now() - totalMessages - 60_000;
  let nextSeq = 0;
  const allocate = (count: number) => {
    const first = nextSeq;
    nextSeq += count;
    return first;
  };

  const ingest = async (count: number): Promise<IngestRun> => {
    const first = allocate(count);
    const expected = count * perMessage;
    const before = runtime.telemetry.stats();
    const writesBefore = serverWrites.length;
    let peakBuffered = 0;
    let receivedMs = Number.NaN;
    let publishedMs = Number.NaN;
    const published = worker.next('published', timeoutMs).then((m) => {
      publishedMs = numField(m, 'ms');
    });
    const t0 = now();
    worker.post({ kind: 'publish', first, count, tsBase });
    for (;;) {
      const s = runtime.telemetry.stats();
      peakBuffered = Math.max(peakBuffered, s.writer.buffered);
      const t = now() - t0;
      if (Number.isNaN(receivedMs) && s.received - before.received >= count) receivedMs = t;
      if (s.writer.written - before.writer.written >= expected) {
        await published;
        return {
          readings: s.writer.written - before.writer.written,
          persistedMs: t,
          startedAt: t0,
          receivedMs,
          publishedMs,
          writes: serverWrites.slice(writesBefore),
          failedAttempts: s.writer.failedAttempts - before.writer.failedAttempts,
          lastError: s.writer.lastError,
          peakBuffered,
          rejected: s.rejected - before.rejected,
        };
      }
      if (t > timeoutMs) {
        throw new BenchError(
          `not all readings were persisted within ${timeoutMs / 1000} s: ` +
            `${JSON.stringify(s)} (started from ${JSON.stringify(before)})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  const baseline = async (count: number) => {
    const first = allocate(count);
    const rows = Array.from({ length: count }, (_, i) =>
      readingRows(plant.assets, first + i, tsBase + first + i, perMessage),
    ).flat();
    const result = await baselineWrite(driver, db.database, rows, batchSize, statements);
    return { ...result, rows: rows.length };
  };

  out(
    `== telemetry ingest benchmark: ${fmt.int(messages)} MQTT messages × ${perMessage} metric(s) = ${fmt.int(messages * perMessage)} readings per side and round ==`,
  );
  out(
    `plant: 1 factory, ${lines} lines, ${assets} assets × 3 metrics; Neo4j: ${db.source === 'launcher' ? 'throwaway local 5.26, heap 2g, page cache 512m' : db.uri}`,
  );
  out(
    `path: ${publishers} mqtt.js publishers (worker thread, QoS 1, ${inflight} in flight each) → Mosquitto → server (startRuntime, this process) → Neo4j`,
  );
  out(
    `server writer: TELEMETRY_BATCH_SIZE ${batchSize}, TELEMETRY_FLUSH_MS ${config.TELEMETRY_FLUSH_MS}, TELEMETRY_MAX_BUFFERED ${fmt.int(config.TELEMETRY_MAX_BUFFERED)}`,
  );
  out(
    statements === 'readings'
      ? `baseline: the same rows, WRITE_READINGS of telemetry.cypher.ts (one statement), through neo4j-driver, batches of ${batchSize}, one transaction each, sequential`
      : `baseline: the same rows, the writer's two statements (WRITE_READING_NODES, WRITE_LATEST_VALUES of latestPerMetric), through neo4j-driver, batches of ${batchSize}, one transaction each, sequential`,
  );

  let expectedStored = 0;
  if (warmup > 0) {
    note(`warm-up: ${warmup} messages through the server, ${warmup * perMessage} baseline rows`);
    expectedStored += (await ingest(warmup)).readings;
    expectedStored += (await baseline(warmup)).rows;
  }

  const results: Round[] = [];
  for (let r = 1; r <= rounds; r++) {
    // odd rounds: the server first; even rounds: the baseline first
    const baselineFirst = r % 2 === 0;
    note(
      `round ${r} of ${rounds}: ${baselineFirst ? 'baseline, then server' : 'server, then baseline'}`,
    );
    let base: Round['base'] | undefined;
    if (baselineFirst) base = await baseline(messages);
    const ours = await ingest(messages);
    base ??= await baseline(messages);
    if (ours.rejected > 0) throw new BenchError(`the server rejected ${ours.rejected} messages`);
    results.push({ ours, base, baselineFirst });
    expectedStored += ours.readings + base.rows;
  }

  const stored = await countReadings(stack.graph);
  if (stored !== expectedStored) {
    throw new BenchError(`expected ${expectedStored} Reading nodes in the end, found ${stored}`);
  }

  const oursRates = results.map((r) => rate(r.ours.readings, r.ours.persistedMs));
  const baseRates = results.map((r) => rate(r.base.rows, r.base.ms));
  const ratios = results.map((_, i) => (oursRates[i] ?? 0) / (baseRates[i] ?? 1));
  const txSum = (ms: number[]) => ms.reduce((t, m) => t + m, 0);
  // the server's transactions may overlap (two batches): the time one was open
  const rows = results.map((r, i) => [
    String(i + 1),
    r.baselineFirst ? 'baseline' : 'server',
    fmt.s(r.ours.persistedMs),
    fmt.rate(oursRates[i] ?? 0),
    fmt.s(r.base.ms),
    fmt.rate(baseRates[i] ?? 0),
    fmt.ratio(ratios[i] ?? 0),
    `${fmt.s(busyMs(r.ours.writes))} / ${fmt.s(txSum(r.base.batchMs))}`,
  ]);
  if (rounds > 1) {
    rows.push([
      'median',
      '',
      '',
      fmt.rate(median(oursRates)),
      '',
      fmt.rate(median(baseRates)),
      fmt.ratio(median(ratios)),
      '',
    ]);
  }
  out();
  for (const line of table(
    [
      'round',
      'first',
      'server time',
      'server readings/s',
      'baseline time',
      'baseline rows/s',
      'ratio',
      'a write tx open (server / baseline)',
    ],
    rows,
  )) {
    out(`  ${line}`);
  }
  out();
  out(
    `ratio readings/s (server: MQTT publish → persisted / baseline: bare driver writes)${rounds > 1 ? `, median of ${rounds} rounds` : ''}: ${fmt.ratio(median(ratios))}`,
  );

  // The round with the median ratio, in detail.
  const order = ratios.map((r, i) => ({ r, i })).sort((a, b) => a.r - b.r);
  const shownAt = order[Math.floor((order.length - 1) / 2)]?.i ?? 0;
  const shown = results[shownAt];
  if (!shown) throw new BenchError('no round ran');
  const ours = shown.ours;
  const ourTx = ours.writes.map((w) => w.ms);
  out();
  out(`round ${shownAt + 1} (the median ratio) in detail:`);
  out(
    `  publish: ${fmt.int(messages)} messages acknowledged by Mosquitto after ${fmt.s(ours.publishedMs)}` +
      ` (${fmt.rate(rate(messages, ours.publishedMs))} msg/s offered)`,
  );
  out(
    `  server: read all ${fmt.int(messages)} messages off the broker after ${fmt.s(ours.receivedMs)}` +
      ` (${fmt.rate(rate(messages, ours.receivedMs))} msg/s), committed the last reading after ${fmt.s(ours.persistedMs)}`,
  );
  out(
    `  server writer: ${ours.writes.length} write transactions of ${[...new Set(ours.writes.map((w) => w.rows))].join('/')} rows,` +
      ` ${ourTx.map((ms) => Math.round(ms)).join(', ')} ms; failedAttempts ${ours.failedAttempts},` +
      ` lastError ${ours.lastError ?? 'none'}; peak buffered ${fmt.int(ours.peakBuffered)} rows; rejected messages ${ours.rejected}`,
  );
  // where the writer waited: before its first transaction, and with no transaction open after it
  const first = ours.writes[0]?.start ?? ours.startedAt;
  const last = Math.max(first, ...ours.writes.map((w) => w.start + w.ms));
  const byStart = [...ours.writes].sort((a, b) => a.start - b.start);
  const overlapped = byStart.filter((w, i) => {
    const prev = byStart[i - 1];
    return prev !== undefined && w.start < prev.start + prev.ms;
  }).length;
  out(
    `  server writer idle: first transaction began ${fmt.s(first - ours.startedAt)} after the first publish;` +
      ` none open for ${fmt.s(last - first - busyMs(ours.writes))} after it; ${overlapped} transactions began before the one ahead ended`,
  );
  out(
    `  baseline: ${shown.base.batchMs.length} write transactions of ${batchSize} rows,` +
      ` ${shown.base.batchMs.map((ms) => Math.round(ms)).join(', ')} ms`,
  );
  out(
    `check: ${fmt.int(stored)} Reading nodes in the end = every message of every phase on both sides (no loss, no duplicate): OK`,
  );
}

// The compiled file is both the benchmark and, in a worker thread, its publishers.
runBenchWithWorker('bench/ingest', main, workerMain);
