/**
 * Shared plumbing of the telemetry benchmarks (ingest.ts, live-latency.ts): a small plant of
 * twins, a real Mosquitto, the real server (startRuntime) on top of both, telemetry payloads, and
 * a worker thread for the load generator so that it does not share the server's event loop.
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Graph } from '../src/graph/executor';
import { loadConfig, type Config } from '../src/config';
import { startRuntime, type Runtime } from '../src/runtime';
import { telemetryTopic } from '../src/telemetry/topics';
import type { TwinDocumentInput } from '../src/twins/import/document';
import { importDocument } from '../src/twins/import/service';
import { startMosquitto, type MosquittoHandle } from '../test/support/mosquitto';
import {
  BenchError,
  neo4jSettings,
  note,
  now,
  openBenchGraph,
  runBench,
  type BenchNeo4j,
  type Defer,
} from './lib';

export const PREFIX = 'twin';
export const FACTORY_ID = 'F1';

/** The three metrics of every asset: canonical UCUM unit, valid range, a typical value. */
export const METRICS = [
  { name: 'temperature', unit: 'Cel', min: 0, max: 120, typical: 60, spread: 20 },
  { name: 'pressure', unit: 'bar', min: 0, max: 10, typical: 5, spread: 2 },
  { name: 'vibration', unit: 'mm/s', min: 0, max: 20, typical: 4, spread: 2 },
] as const;

export type MetricName = (typeof METRICS)[number]['name'];

export interface PlantAsset {
  factoryId: string;
  lineId: string;
  assetId: string;
  topic: string;
}

export interface Plant {
  lines: string[];
  assets: PlantAsset[];
  /** The import document (twin-graph format), ready for importDocument. */
  doc: TwinDocumentInput;
}

/** 1 factory, `lines` lines, `assets` assets spread evenly over them, 3 metrics each. */
export function makePlant(lines: number, assets: number): Plant {
  const lineIds = Array.from({ length: lines }, (_, i) => `L${i + 1}`);
  const width = String(assets).length;
  const list: PlantAsset[] = Array.from({ length: assets }, (_, i) => {
    const lineId = lineIds[Math.floor((i * lines) / assets)] ?? 'L1';
    const assetId = `A${String(i + 1).padStart(width, '0')}`;
    return {
      factoryId: FACTORY_ID,
      lineId,
      assetId,
      topic: telemetryTopic(PREFIX, FACTORY_ID, lineId, assetId),
    };
  });
  const doc: TwinDocumentInput = {
    factories: [{ id: FACTORY_ID, name: 'Bench plant', country: 'DE', timezone: 'Europe/Berlin' }],
    lines: lineIds.map((id) => ({ id, factoryId: FACTORY_ID, name: `Line ${id}` })),
    assets: list.map((a) => ({
      id: a.assetId,
      lineId: a.lineId,
      name: `Press ${a.assetId}`,
      kind: 'PRESS',
      status: 'RUNNING',
      ratePerHour: 60,
      metrics: METRICS.map((m) => ({ name: m.name, unit: m.unit, min: m.min, max: m.max })),
    })),
  };
  return { lines: lineIds, assets: list, doc };
}

/**
 * A deterministic in-range value for message `seq` (never flagged, so no alerts are written:
 * the benchmarks measure plain readings).
 */
export function metricValue(metric: (typeof METRICS)[number], seq: number): number {
  const wave = Math.sin(seq / 7) * metric.spread;
  return Math.round((metric.typical + wave) * 100) / 100;
}

/** The `count` metrics (1-3) that message `seq` carries: rotated, so every metric gets readings. */
export function messageMetrics(seq: number, count: number): (typeof METRICS)[number][] {
  return Array.from({ length: count }, (_, j) => METRICS[(seq + j) % METRICS.length] ?? METRICS[0]);
}

/** `{"ts": <epoch ms>, "metrics": {...}}` of docs/mqtt.md with `count` metrics. */
export function telemetryPayload(ts: number, seq: number, count: number): string {
  const values: Record<string, number> = {};
  for (const m of messageMetrics(seq, count)) values[m.name] = metricValue(m, seq);
  return JSON.stringify({ ts, metrics: values });
}

export interface TelemetryStack {
  db: BenchNeo4j;
  /** The server's configuration (TELEMETRY_BATCH_SIZE and friends). */
  config: Config;
  /** The benchmark's own executor (the server has another one). */
  graph: Graph;
  broker: MosquittoHandle;
  runtime: Runtime;
  plant: Plant;
  /** ws://…/graphql of the server. */
  wsUrl: string;
}

/**
 * Neo4j (NEO4J_URI or a throwaway one), the plant imported, a throwaway Mosquitto on 127.0.0.1,
 * and the real server started in this process with MQTT_URL pointing at it. TELEMETRY_* tuning
 * variables of the environment are honoured; everything network-facing is forced local. Each
 * part registers its clean-up with `defer` (LIFO: server, broker, temp dir, driver, Neo4j).
 */
export async function startTelemetryStack(
  defer: Defer,
  options: { lines: number; assets: number; wipe: boolean; env?: Record<string, string> },
): Promise<TelemetryStack> {
  const { db, graph } = await openBenchGraph(defer, options.wipe);

  const plant = makePlant(options.lines, options.assets);
  const imported = await importDocument(graph, plant.doc);
  note(
    `imported the plant: ${imported.counts.factories} factory, ${imported.counts.lines} lines, ` +
      `${imported.counts.assets} assets, ${imported.counts.metrics} metrics`,
  );

  const broker = await startMosquitto({ persistence: false });
  defer(() => broker.stop());
  note(`Mosquitto on ${broker.url} (log ${broker.logFile})`);

  const spillDir = await mkdtemp(join(tmpdir(), 'twin-bench-spill-'));
  defer(() => rm(spillDir, { recursive: true, force: true }));

  const config = loadConfig({
    MIGRATE_ON_START: 'true',
    PLAYGROUND: 'false',
    // the benchmarks measure the work behind a request, not the credential check (bench/README.md)
    AUTH_REQUIRED: 'false',
    // ... nor the rate limiter: every client of a benchmark comes from one address (the soak's
    // query loops were refused 71,146 times at the default 600 per 10 s)
    RATE_LIMIT_POINTS: '0',
    ...process.env,
    ...options.env,
    ...neo4jSettings(db),
    PORT: '0',
    HOST: '127.0.0.1',
    MQTT_URL: broker.url,
    MQTT_TOPIC_PREFIX: PREFIX,
    MQTT_SHARED_GROUP: 'twin-bench',
    INSTANCE_ID: `bench-${process.pid}`,
    TELEMETRY_SPILL_DIR: spillDir,
    // TELEMETRY_JOURNAL=false in the environment measures without the journal
    TELEMETRY_JOURNAL_DIR: join(spillDir, 'journal'),
  });
  const runtime = await startRuntime(config);
  defer(() => runtime.stop());
  await waitUntil('the server connected to Mosquitto', 15_000, () =>
    Promise.resolve(runtime.telemetry.stats().connected),
  );
  const wsUrl = `${runtime.app.url.replace(/^http/, 'ws')}/graphql`;
  return { db, config, graph, broker, runtime, plant, wsUrl };
}

/** Polls `check` every `everyMs` until it holds; a BenchError after `timeoutMs`. */
export async function waitUntil(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new BenchError(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface WriteTx {
  /** now() when the transaction function was entered. */
  start: number;
  ms: number;
  /** Rows of its largest statement (a batch's readings; its other statements take fewer). */
  rows: number;
}

/** Time with at least one of `writes` open (two batches of the writer may overlap). */
export function busyMs(writes: readonly WriteTx[]): number {
  const spans = writes.map((w) => [w.start, w.start + w.ms] as const).sort((a, b) => a[0] - b[0]);
  let busy = 0;
  let end = -Infinity;
  for (const [from, to] of spans) {
    if (to <= end) continue;
    busy += to - Math.max(from, end);
    end = to;
  }
  return busy;
}

/**
 * Times every write transaction of the server's Graph (the telemetry writer's batches) without
 * changing it: an own `transaction` property shadows the method and calls it.
 */
export function observeWrites(graph: Graph): WriteTx[] {
  const seen: WriteTx[] = [];
  const original = graph.transaction.bind(graph);
  const observed: Graph['transaction'] = async (mode, work) => {
    if (mode !== 'WRITE') return original(mode, work);
    let rows = 0;
    const t0 = now();
    try {
      return await original(mode, (tx) => {
        rows = 0; // the driver may retry the function
        return work({
          run: (cypher, params) => {
            const list = params?.['rows'];
            if (Array.isArray(list)) rows = Math.max(rows, list.length);
            return tx.run(cypher, params);
          },
        });
      });
    } finally {
      seen.push({ start: t0, ms: now() - t0, rows });
    }
  };
  graph.transaction = observed;
  return seen;
}

/** `(:Reading)` nodes stored. */
export async function countReadings(graph: Graph): Promise<number> {
  const rows = await graph.read('MATCH (r:Reading) RETURN count(r) AS n');
  return Number(rows[0]?.['n'] ?? 0);
}

export type WorkerMessage = { kind: string } & Record<string, unknown>;

function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    typeof value === 'object' && value !== null && 'kind' in value && typeof value.kind === 'string'
  );
}

/**
 * The entry point of a benchmark with a LoadWorker: the compiled file is both the benchmark (the
 * main thread runs `main` under runBench) and, in the worker thread, its load generator
 * (`workerMain`, whose failure is posted to the main thread as `{kind: 'failed'}`).
 */
export function runBenchWithWorker(
  name: string,
  main: (defer: Defer) => Promise<void>,
  workerMain: () => Promise<void>,
): void {
  if (isMainThread) {
    runBench(name, main);
    return;
  }
  workerMain().then(
    () => process.exit(0), // in a worker: ends this thread only
    (err: unknown) => {
      parentPort?.postMessage({
        kind: 'failed',
        message: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
      process.exit(1);
    },
  );
}

/**
 * A load generator in a worker thread (its own event loop and heap, so it neither waits for nor
 * slows the server's JavaScript). `file` is the compiled benchmark itself, which runs its worker
 * part when `isMainThread` is false. Messages are `{kind, ...}` objects.
 */
export class LoadWorker {
  private readonly worker: Worker;
  private readonly inbox: WorkerMessage[] = [];
  private waiting: { kind: string; resolve: (m: WorkerMessage) => void } | undefined;
  private failure: Error | undefined;
  private exited = false;
  private readonly exit: Promise<void>;
  private readonly onFailure: ((err: Error) => void)[] = [];

  constructor(file: string, data: unknown) {
    this.worker = new Worker(file, { workerData: data });
    this.worker.on('message', (m: unknown) => {
      if (!isWorkerMessage(m)) return;
      if (m.kind === 'failed') {
        this.fail(new BenchError(`load worker failed: ${String(m['message'])}`));
        return;
      }
      this.inbox.push(m);
      this.deliver();
    });
    this.worker.on('error', (err) => this.fail(err));
    this.exit = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.exited = true;
        if (code !== 0) this.fail(new BenchError(`load worker exited with code ${code}`));
        else this.fail(new BenchError('load worker exited'));
        resolve();
      });
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const f of this.onFailure.splice(0)) f(err);
  }

  private deliver(): void {
    const w = this.waiting;
    if (!w) return;
    const i = this.inbox.findIndex((m) => m.kind === w.kind);
    if (i < 0) return;
    const [m] = this.inbox.splice(i, 1);
    this.waiting = undefined;
    if (m) w.resolve(m);
  }

  post(message: WorkerMessage): void {
    this.worker.postMessage(message);
  }

  /** The next message of this kind, or the worker's failure. */
  next(kind: string, timeoutMs: number): Promise<WorkerMessage> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<WorkerMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new BenchError(`load worker sent no "${kind}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (m: WorkerMessage) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.onFailure.push((err) => {
        clearTimeout(timer);
        reject(err);
      });
      this.waiting = { kind, resolve: done };
      this.deliver();
    });
  }

  /** Asks the worker to close its connections and end (`{kind: 'close'}`); terminates it after `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.worker.postMessage({ kind: 'close' });
    const timer = setTimeout(() => void this.worker.terminate(), graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}

/**
 * In the worker: the messages of the main thread, in order, through one persistent listener (a
 * listener per message could miss one posted in between). The listener keeps the worker alive:
 * end it with process.exit() once its work is done.
 */
export function workerInbox(port: MessagePort): () => Promise<unknown> {
  const queue: unknown[] = [];
  let waiting: ((m: unknown) => void) | undefined;
  port.on('message', (m: unknown) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(m);
    } else queue.push(m);
  });
  return () =>
    queue.length > 0
      ? Promise.resolve(queue.shift())
      : new Promise((resolve) => {
          waiting = resolve;
        });
}

/** A number field of a worker message, or a BenchError. */
export function numField(m: WorkerMessage, key: string): number {
  const v = m[key];
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new BenchError(`worker message "${m.kind}" has no number ${key}: ${JSON.stringify(v)}`);
  }
  return v;
}

/** Latencies in whole milliseconds, counted per millisecond (exact percentiles, fixed memory). */
export class Histogram {
  readonly counts: number[];
  count = 0;
  max = 0;
  sum = 0;

  constructor(readonly limitMs = 120_000) {
    this.counts = new Array<number>(limitMs + 1).fill(0);
  }

  add(ms: number): void {
    const v = Math.max(0, Math.round(ms));
    this.counts[Math.min(v, this.limitMs)] = (this.counts[Math.min(v, this.limitMs)] ?? 0) + 1;
    this.count += 1;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** Nearest-rank percentile in ms (NaN when empty). */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let ms = 0; ms < this.counts.length; ms++) {
      seen += this.counts[ms] ?? 0;
      if (seen >= rank) return ms;
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.max,
      mean: this.count === 0 ? Number.NaN : this.sum / this.count,
    };
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}
