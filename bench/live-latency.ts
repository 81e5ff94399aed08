/**
 * Live-latency benchmark: the time from an MQTT publish to its receipt by GraphQL subscribers
 * (graphql-ws over WebSocket) of the real server, with 100 subscribers and a steady publish rate,
 * against a baseline measured in the same run: a bare mqtt.js subscriber of the same broker
 * (publish → broker → subscriber, the hop the server's own live connection also makes).
 *
 *   npm run build && node dist/bench/live-latency.js [--filters asset,line,factory] [--rate 1000]
 *     [--seconds 10] [--subscribers 100] [--drain 30] [--live-only] [--wipe]
 *
 * The publisher, the subscribers, the baseline subscriber and an HTTP /healthz prober run in a
 * worker thread; the server runs in the main thread. Each payload's `ts` is Date.now() at publish
 * and the event's `ts` is that time again, so latency = receive time − ts (one machine, one
 * clock, 1 ms resolution). The temperature value carries the message's sequence number, so each
 * subscriber can tell events the server dropped (gaps) from events still on their way.
 * Without NEO4J_URI a throwaway local Neo4j (heap 2g, page cache 512m) is started and deleted.
 */
import './production';
import 'reflect-metadata';
import { createClient, type Client } from 'graphql-ws';
import { connect, type MqttClient } from 'mqtt';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { z } from 'zod';
import { BenchError, fmt, intFlag, note, now, out, table, type Defer } from './lib';
import {
  FACTORY_ID,
  Histogram,
  LoadWorker,
  METRICS,
  metricValue,
  observeWrites,
  runBenchWithWorker,
  startTelemetryStack,
  waitUntil,
  workerInbox,
  type LatencySummary,
} from './telemetry-common';

const FILTERS = ['asset', 'line', 'factory'] as const;
type Filter = (typeof FILTERS)[number];

const USAGE = `Usage: node dist/bench/live-latency.js [options]
  --filters LIST     scenarios, run one after the other (default asset,line,factory):
                       asset:   subscriber i watches asset i mod 100 (each gets 1/100 of the messages)
                       line:    subscriber i watches line i mod 5 (each gets 1/5)
                       factory: every subscriber telemetry(factoryId: "F1"), gets every message
  --subscribers N    graphql-ws clients, one WebSocket and one subscription each (default 100)
  --rate N           messages published per second (default 1000), QoS 1, 3 metrics each
  --seconds N        publishing time per scenario (default 10)
  --drain N          at most this many seconds to wait afterwards for the last deliveries (default 30)
  --assets N         assets in the plant, published round-robin (default 100)
  --lines N          lines they are spread over (default 5)
  --distinct N       spread the subscribers over N distinct subscription documents (default 0:
                       one per filter value); the server runs each distinct one once per event
  --live-only        TELEMETRY_PERSIST=false: the server does not also write the readings
  --wipe             with NEO4J_URI: delete the twins already stored there first`;

const SUBSCRIPTION = `subscription LiveBench($factoryId: ID, $lineId: ID, $assetId: ID) {
  telemetry(factoryId: $factoryId, lineId: $lineId, assetId: $assetId) { ts readings { metric value } }
}`;

/**
 * Variant k of the subscription (--distinct): the same events with an alias of its own, so that
 * the server sees k distinct documents (k cohorts) however many subscribers share each.
 */
function subscriptionOf(variant: number | null): string {
  return variant === null
    ? SUBSCRIPTION
    : SUBSCRIPTION.replace(
        'readings { metric value } }',
        `readings { metric value } v${variant}: __typename }`,
      );
}

/** The temperature of message `seq` is SEQ_BASE + (seq mod SEQ_MOD) / SEQ_MOD × 10: in range. */
const SEQ_BASE = 50;
const SEQ_MOD = 100_000;

function livePayload(ts: number, seq: number): string {
  const metrics: Record<string, number> = {};
  for (const m of METRICS) metrics[m.name] = metricValue(m, seq);
  metrics['temperature'] = SEQ_BASE + ((seq % SEQ_MOD) * 10) / SEQ_MOD;
  return JSON.stringify({ ts, metrics });
}

function seqOf(value: number): number {
  return Math.round(((value - SEQ_BASE) * SEQ_MOD) / 10);
}

// ---------------------------------------------------------------------------------------------
// Worker thread: publisher, subscribers, baseline subscriber, HTTP prober.

const assetShape = z.object({ lineId: z.string(), assetId: z.string(), topic: z.string() });
type WorkerAsset = z.infer<typeof assetShape>;

const workerInput = z.object({
  wsUrl: z.string(),
  httpUrl: z.string(),
  mqttUrl: z.string(),
  assets: z.array(assetShape).min(1),
  lines: z.array(z.string()).min(1),
  filter: z.enum(FILTERS),
  subscribers: z.number().int().min(1),
  /** Subscribers spread over this many distinct documents (0: one per filter value). */
  distinct: z.number().int().min(0),
  rate: z.number().int().min(1),
  seconds: z.number().int().min(1),
  drainSeconds: z.number().int().min(0),
});
type WorkerInput = z.infer<typeof workerInput>;

interface Subscriber {
  client: Client;
  /** The filter value: factory id, line id or asset id. */
  key: string;
  probed: boolean;
  received: number;
  /** Matching messages skipped over: dropped on the way (server buffer or broker queue). */
  dropped: number;
  /** Index into the sequence numbers of the messages this subscriber should get. */
  next: number;
  /** Events whose sequence number was not among the expected ones still to come. */
  unmatched: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The object itself, not a copy: the clients read 100k events/s on the cores the server uses. */
function record(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function mqttClient(url: string, clientId: string): Promise<MqttClient> {
  const client = connect(url, {
    clientId,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

/**
 * Node's histogram records the interval between the monitor's timer callbacks, so an idle loop
 * shows the resolution itself (p50 10 ms at resolution 10). The lag is that interval minus the
 * resolution: with LOOP_RESOLUTION_MS = 1 a block of N ms reads N ms, give or take 1 ms.
 */
const LOOP_RESOLUTION_MS = 1;

function loopMonitor(): IntervalHistogram {
  return monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
}

function loopDelay(h: IntervalHistogram): { p50: number; p99: number; max: number } {
  const lag = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
  return { p50: lag(h.percentile(50)), p99: lag(h.percentile(99)), max: lag(h.max) };
}

async function workerMain(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('not in a worker');
  const input = workerInput.parse(workerData);
  const nextMessage = workerInbox(port);
  const subscribers: Subscriber[] = [];
  const mqttClients: MqttClient[] = [];
  const keyOf = (a: WorkerAsset): string =>
    input.filter === 'factory' ? FACTORY_ID : input.filter === 'line' ? a.lineId : a.assetId;
  // per filter value: the sequence numbers of the measured messages it matches, in publish order
  const expectedSeqs = new Map<string, number[]>();
  try {
    let phase: 'probe' | 'measure' = 'probe';
    let tStart = Number.POSITIVE_INFINITY;
    const ours = new Histogram();
    const base = new Histogram();
    let delivered = 0;
    let lastDelivery = 0;
    let graphqlErrors = 0;
    let firstError = '';
    let malformed = 0;
    const perSecond: { sum: number; n: number }[] = []; // by second of sending

    const onEvent = (sub: Subscriber, data: unknown) => {
      const at = Date.now();
      const event = record(record(data)?.['telemetry']);
      const tsText = event?.['ts'];
      const readings = event?.['readings'];
      const temperature = Array.isArray(readings)
        ? readings.map(record).find((r) => r?.['metric'] === 'temperature')?.['value']
        : undefined;
      if (typeof tsText !== 'string' || typeof temperature !== 'number') {
        malformed += 1;
        return;
      }
      if (phase === 'probe') {
        sub.probed = true;
        return;
      }
      const ts = Date.parse(tsText);
      if (ts < tStart) return; // a late probe event
      const seqs = expectedSeqs.get(sub.key) ?? [];
      const seq = seqOf(temperature);
      let j = sub.next;
      while (j < seqs.length && (seqs[j] ?? -1) % SEQ_MOD !== seq) j += 1;
      if (j >= seqs.length) {
        sub.unmatched += 1;
        return;
      }
      sub.dropped += j - sub.next;
      sub.next = j + 1;
      sub.received += 1;
      delivered += 1;
      lastDelivery = at;
      ours.add(at - ts);
      const slot = (perSecond[Math.floor((ts - tStart) / 1000)] ??= { sum: 0, n: 0 });
      slot.sum += at - ts;
      slot.n += 1;
    };

    for (let i = 0; i < input.subscribers; i++) {
      const line = input.lines[i % input.lines.length] ?? '';
      const asset = input.assets[i % input.assets.length];
      if (!asset) throw new Error('no assets');
      const variables =
        input.filter === 'factory'
          ? { factoryId: FACTORY_ID }
          : input.filter === 'line'
            ? { lineId: line }
            : { assetId: asset.assetId };
      const key =
        input.filter === 'factory' ? FACTORY_ID : input.filter === 'line' ? line : asset.assetId;
      expectedSeqs.set(key, []);
      const client = createClient({
        url: input.wsUrl,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
      });
      const sub: Subscriber = {
        client,
        key,
        probed: false,
        received: 0,
        dropped: 0,
        next: 0,
        unmatched: 0,
      };
      subscribers.push(sub);
      await new Promise<void>((resolve, reject) => {
        client.on('connected', () => resolve());
        client.on('error', (err) => reject(new Error(`graphql-ws connect: ${String(err)}`)));
      });
      client.subscribe(
        { query: subscriptionOf(input.distinct > 0 ? i % input.distinct : null), variables },
        {
          next: (value) => {
            if (value.errors) {
              graphqlErrors += 1;
              firstError ||= JSON.stringify(value.errors).slice(0, 300);
            }
            if (value.data) onEvent(sub, value.data);
          },
          error: (err) => {
            graphqlErrors += 1;
            firstError ||= err instanceof Error ? err.message : JSON.stringify(err);
          },
          complete: () => undefined,
        },
      );
    }

    const baseline = await mqttClient(input.mqttUrl, `bench-live-baseline-${process.pid}`);
    mqttClients.push(baseline);
    let baseReceived = 0;
    baseline.on('message', (_topic, payload) => {
      const at = Date.now();
      const ts = record(JSON.parse(payload.toString('utf8')))?.['ts'];
      if (phase !== 'measure' || typeof ts !== 'number' || ts < tStart) return;
      baseReceived += 1;
      base.add(at - ts);
    });
    await baseline.subscribeAsync('twin/+/+/+/telemetry', { qos: 1 });

    const publisher = await mqttClient(input.mqttUrl, `bench-live-pub-${process.pid}`);
    mqttClients.push(publisher);
    let acked = 0;
    let publishErrors = 0;
    const publish = (asset: WorkerAsset, seq: number) => {
      publisher.publish(asset.topic, livePayload(Date.now(), seq), { qos: 1 }, (err) => {
        if (err) publishErrors += 1;
        else acked += 1;
      });
    };

    // Probe: one message per asset every 500 ms until every subscription delivered an event,
    // so that all of them are registered on the server before the measurement starts.
    const probeDeadline = Date.now() + 30_000;
    while (subscribers.some((s) => !s.probed)) {
      if (Date.now() > probeDeadline) {
        const missing = subscribers.filter((s) => !s.probed).length;
        throw new Error(
          `${missing} of ${subscribers.length} subscriptions received nothing within 30 s` +
            (firstError ? ` (first error: ${firstError})` : ''),
        );
      }
      for (const asset of input.assets) publish(asset, 0);
      await sleep(500);
    }
    await sleep(1000); // let the probes' tail pass
    port.postMessage({ kind: 'ready' });
    const go = record(await nextMessage());
    if (go?.['kind'] !== 'go') throw new Error(`expected "go", got ${JSON.stringify(go)}`);

    // The server's responsiveness meanwhile: GET /healthz, one at a time, every 250 ms.
    // A failed request (the server did not accept the connection in time) counts separately.
    const health = new Histogram();
    let healthFailures = 0;
    let healthError = '';
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const t = Date.now();
        try {
          const res = await fetch(`${input.httpUrl}/healthz`);
          await res.arrayBuffer();
          health.add(Date.now() - t);
        } catch (err) {
          healthFailures += 1;
          const cause = err instanceof Error ? record(err.cause)?.['code'] : undefined;
          healthError ||= `${err instanceof Error ? err.message : String(err)}${typeof cause === 'string' ? ` (${cause})` : ''} after ${Date.now() - t} ms`;
        }
        await sleep(250);
      }
    })();
    const clientLoop = loopMonitor();
    clientLoop.enable();

    // Measure: `rate` messages per second, round-robin over the assets, for `seconds`.
    phase = 'measure';
    tStart = Date.now();
    const durationMs = input.seconds * 1000;
    let published = 0;
    for (;;) {
      const elapsed = Date.now() - tStart;
      const due = Math.min(Math.floor((elapsed * input.rate) / 1000), input.rate * input.seconds);
      while (published < due) {
        const asset = input.assets[published % input.assets.length];
        if (!asset) throw new Error('no assets');
        expectedSeqs.get(keyOf(asset))?.push(published);
        publish(asset, published);
        published += 1;
      }
      if (elapsed >= durationMs) break;
      await sleep(1);
    }
    const tEnd = Date.now();
    const expectedOf = (s: Subscriber) => expectedSeqs.get(s.key)?.length ?? 0;
    const expected = subscribers.reduce((n, s) => n + expectedOf(s), 0);

    // Drain: until everything arrived, nothing arrived for 3 s, or `drainSeconds` passed.
    const drainDeadline = tEnd + input.drainSeconds * 1000;
    let lastCount = -1;
    let quietSince = Date.now();
    while (Date.now() < drainDeadline) {
      const settled = subscribers.reduce((n, s) => n + s.next, 0);
      if (settled >= expected && baseReceived >= published) break;
      if (settled + baseReceived !== lastCount) {
        lastCount = settled + baseReceived;
        quietSince = Date.now();
      } else if (Date.now() - quietSince > 3000) break;
      await sleep(50);
    }
    const drainedMs = Date.now() - tEnd;
    probing = false;
    await prober;
    clientLoop.disable();

    const dropped = subscribers.reduce((n, s) => n + s.dropped, 0);
    const pending = subscribers.reduce((n, s) => n + expectedOf(s) - s.next, 0);
    port.postMessage({
      kind: 'result',
      published,
      publishMs: tEnd - tStart,
      acked,
      publishErrors,
      expected,
      delivered,
      dropped,
      pending,
      unmatched: subscribers.reduce((n, s) => n + s.unmatched, 0),
      subscribersDropping: subscribers.filter((s) => s.dropped > 0).length,
      worstDropped: Math.max(0, ...subscribers.map((s) => s.dropped)),
      deliveryMs: Math.max(1, lastDelivery - tStart),
      drainedMs,
      graphqlErrors,
      firstError,
      malformed,
      baseReceived,
      ours: ours.summary(),
      base: base.summary(),
      health: health.summary(),
      healthFailures,
      healthError,
      clientLoop: loopDelay(clientLoop),
      perSecond: perSecond.map((s) => (s.n === 0 ? -1 : s.sum / s.n)),
    } satisfies z.input<typeof workerResult>);
    const close = record(await nextMessage());
    if (close?.['kind'] !== 'close') {
      throw new Error(`expected "close", got ${JSON.stringify(close)}`);
    }
  } finally {
    await Promise.all(subscribers.map((s) => s.client.dispose()));
    await Promise.all(mqttClients.map((c) => c.endAsync()));
  }
}

// ---------------------------------------------------------------------------------------------
// Main thread: the server, one worker per scenario.

const latencySummary = z.object({
  count: z.number(),
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
  mean: z.number(),
});

const loopSummary = z.object({ p50: z.number(), p99: z.number(), max: z.number() });

const workerResult = z.object({
  kind: z.literal('result'),
  published: z.number(),
  publishMs: z.number(),
  acked: z.number(),
  publishErrors: z.number(),
  expected: z.number(),
  delivered: z.number(),
  dropped: z.number(),
  pending: z.number(),
  unmatched: z.number(),
  subscribersDropping: z.number(),
  worstDropped: z.number(),
  deliveryMs: z.number(),
  drainedMs: z.number(),
  graphqlErrors: z.number(),
  firstError: z.string(),
  malformed: z.number(),
  baseReceived: z.number(),
  ours: latencySummary,
  base: latencySummary,
  health: latencySummary,
  healthFailures: z.number(),
  healthError: z.string(),
  clientLoop: loopSummary,
  perSecond: z.array(z.number()),
});
type WorkerResult = z.infer<typeof workerResult>;

interface Scenario {
  filter: Filter;
  result: WorkerResult;
  serverLoop: z.infer<typeof loopSummary>;
  /** The server's telemetry writer during the scenario (publish start → results). */
  server: {
    received: number;
    written: number;
    failedAttempts: number;
    transactions: number;
    maxTxMs: number;
  };
  /** Executions of subscription selection sets during the scenario (/metrics). */
  executions: number;
  /** After the scenario: how long the server took to read and write the rest. */
  catchUp: { rows: number; ms: number };
}

const ms = (v: number) => (Number.isNaN(v) ? '–' : `${Math.round(v).toLocaleString('en-US')} ms`);

function latencyRow(name: string, s: LatencySummary): string[] {
  return [name, fmt.int(s.count), ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max), ms(s.mean)];
}

function parseFilters(value: string | undefined): Filter[] {
  const list = (value ?? FILTERS.join(',')).split(',').map((f) => f.trim());
  const bad = list.filter((f) => !(FILTERS as readonly string[]).includes(f));
  if (bad.length > 0 || list.length === 0) {
    throw new BenchError(`--filters takes ${FILTERS.join(', ')} (comma-separated), got "${value}"`);
  }
  return FILTERS.filter((f) => list.includes(f));
}

function describeFilter(filter: Filter, lines: number, assets: number): string {
  if (filter === 'factory') return `every subscriber telemetry(factoryId: "${FACTORY_ID}")`;
  if (filter === 'line') return `subscriber i: telemetry(lineId: line i mod ${lines})`;
  return `subscriber i: telemetry(assetId: asset i mod ${assets})`;
}

async function main(defer: Defer): Promise<void> {
  const { values } = parseArgs({
    options: {
      filters: { type: 'string' },
      subscribers: { type: 'string' },
      distinct: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      drain: { type: 'string' },
      assets: { type: 'string' },
      lines: { type: 'string' },
      'live-only': { type: 'boolean', default: false },
      wipe: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out(USAGE);
    return;
  }
  const filters = parseFilters(values.filters);
  const subscribers = intFlag('subscribers', values.subscribers, 100);
  const distinct = intFlag('distinct', values.distinct, 0, 0);
  const rate = intFlag('rate', values.rate, 1000);
  const seconds = intFlag('seconds', values.seconds, 10);
  const drainSeconds = intFlag('drain', values.drain, 30, 0);
  const assets = intFlag('assets', values.assets, 100);
  const lines = intFlag('lines', values.lines, 5);
  if (lines > assets) throw new BenchError('--lines must not exceed --assets');
  if (rate * seconds >= SEQ_MOD) {
    throw new BenchError(`--rate × --seconds must stay below ${SEQ_MOD} messages per scenario`);
  }
  const liveOnly = values['live-only'];

  const stack = await startTelemetryStack(defer, {
    lines,
    assets,
    wipe: values.wipe,
    env: liveOnly ? { TELEMETRY_PERSIST: 'false' } : {},
  });
  const { runtime, plant, db } = stack;
  const writes = observeWrites(runtime.graph);

  out(
    `== live latency benchmark: MQTT publish → graphql-ws subscribers; ${subscribers} subscribers, ${fmt.int(rate)} msg/s for ${seconds} s per scenario ==`,
  );
  out(
    `plant: 1 factory, ${lines} lines, ${assets} assets × 3 metrics; each message carries the 3 metrics of one asset, assets round-robin`,
  );
  out(
    `server: startRuntime in this process, MQTT_URL = a throwaway Mosquitto, ${liveOnly ? 'TELEMETRY_PERSIST=false (live only)' : 'persisting every reading as well'}; Neo4j: ${db.source === 'launcher' ? 'throwaway local 5.26' : db.uri}`,
  );
  out(
    `clients (worker thread): 1 mqtt.js publisher (QoS 1), ${subscribers} graphql-ws clients (one WebSocket each), 1 bare mqtt.js subscriber (the baseline, QoS 1), GET /healthz every 250 ms`,
  );
  out(`subscription: telemetry(<filter>) { ts readings { metric value } }`);

  const scenarios: Scenario[] = [];
  for (const filter of filters) {
    note(`scenario "${filter}": connecting ${subscribers} subscribers`);
    const worker = new LoadWorker(__filename, {
      wsUrl: stack.wsUrl,
      httpUrl: runtime.app.url,
      mqttUrl: stack.broker.url,
      assets: plant.assets.map((a) => ({ lineId: a.lineId, assetId: a.assetId, topic: a.topic })),
      lines: plant.lines,
      filter,
      subscribers,
      distinct,
      rate,
      seconds,
      drainSeconds,
    } satisfies WorkerInput);
    try {
      await worker.next('ready', 120_000);
      note(`scenario "${filter}": publishing ${rate} msg/s for ${seconds} s`);
      const before = runtime.telemetry.stats();
      const executionsBefore = await scrapeCounter(
        runtime.app.url,
        'subscription_executions_total',
      );
      const writesBefore = writes.length;
      const loop = loopMonitor();
      loop.enable();
      worker.post({ kind: 'go' });
      const message = await worker.next('result', (seconds + drainSeconds + 120) * 1000);
      loop.disable();
      const after = runtime.telemetry.stats();
      const executions =
        (await scrapeCounter(runtime.app.url, 'subscription_executions_total')) - executionsBefore;
      const result = workerResult.parse(message);
      const during = writes.slice(writesBefore);
      const tCatchUp = now();
      if (!liveOnly) {
        note(
          `scenario "${filter}": waiting for the server to read and write its telemetry backlog`,
        );
        await waitUntil('the server to read every message on its persist connection', 300_000, () =>
          Promise.resolve(runtime.telemetry.stats().received - before.received >= result.published),
        );
        await runtime.telemetry.flush();
      }
      const flushed = runtime.telemetry.stats();
      scenarios.push({
        filter,
        result,
        serverLoop: loopDelay(loop),
        server: {
          received: after.received - before.received,
          written: after.writer.written - before.writer.written,
          failedAttempts: after.writer.failedAttempts - before.writer.failedAttempts,
          transactions: during.length,
          maxTxMs: Math.max(0, ...during.map((w) => w.ms)),
        },
        catchUp: { rows: flushed.writer.written - after.writer.written, ms: now() - tCatchUp },
        executions,
      });
    } finally {
      await worker.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 2000)); // a quiet gap between scenarios
  }

  for (const s of scenarios) {
    const r = s.result;
    out();
    out(
      `-- scenario "${s.filter}": ${describeFilter(s.filter, lines, assets)}; ${fmt.rate(r.expected / Math.max(1, r.published))} deliveries per message --`,
    );
    for (const line of table(
      ['latency publish → receipt', 'events', 'p50', 'p95', 'p99', 'max', 'mean'],
      [
        latencyRow('graphql-ws subscribers (server)', r.ours),
        latencyRow('bare MQTT subscriber (baseline)', r.base),
      ],
    )) {
      out(`  ${line}`);
    }
    const floor1 = (v: number) => Math.max(1, v);
    out(
      `  ratio server / baseline: p50 ${fmt.ratio(r.ours.p50 / floor1(r.base.p50))}, p99 ${fmt.ratio(r.ours.p99 / floor1(r.base.p99))}` +
        ' (baseline figures under 1 ms taken as 1 ms)',
    );
    out(
      `  shared execution: ${fmt.int(s.executions)} executions of the selection set for ${fmt.int(r.published)} messages` +
        ` (probes included) = ${(s.executions / Math.max(1, r.published)).toFixed(2)} per message, for ${fmt.int(r.expected)} deliveries` +
        ` (${(r.expected / Math.max(1, r.published)).toFixed(1)} per message)`,
    );
    out(
      `  publish: ${fmt.int(r.published)} messages in ${fmt.s(r.publishMs)} = ${fmt.rate(r.published / (r.publishMs / 1000))} msg/s achieved` +
        ` (target ${fmt.int(rate)}); PUBACKs ${fmt.int(r.acked)} (probes included), publish errors ${r.publishErrors}`,
    );
    out(
      `  deliveries: ${fmt.int(r.delivered)} of ${fmt.int(r.expected)} expected = ${fmt.rate(r.delivered / (r.deliveryMs / 1000))}/s` +
        ` (first publish → last delivery ${fmt.s(r.deliveryMs)}; offered ${fmt.rate(r.expected / (r.publishMs / 1000))}/s)`,
    );
    out(
      `  lost: ${fmt.int(r.dropped)} skipped (gaps in a subscriber's sequence: dropped by the subscription's buffer or by the broker's queue` +
        ` for the server; ${r.subscribersDropping} subscribers, the worst missing ${fmt.int(r.worstDropped)}),` +
        ` ${fmt.int(r.pending)} not delivered when the wait ended ${fmt.s(r.drainedMs)} after the last publish` +
        (r.unmatched > 0 ? `, ${r.unmatched} unexpected events` : ''),
    );
    out(
      `  baseline subscriber: ${fmt.int(r.baseReceived)} of ${fmt.int(r.published)} messages; GraphQL errors ${r.graphqlErrors}${r.firstError ? ` (${r.firstError})` : ''}; malformed events ${r.malformed}`,
    );
    out(
      `  mean latency by second of sending: ${r.perSecond.map((v) => (v < 0 ? '–' : fmt.int(Math.round(v)))).join(', ')} ms`,
    );
    out(
      `  server event loop lag (longest block = max): p50 ${s.serverLoop.p50.toFixed(0)} ms, p99 ${fmt.int(Math.round(s.serverLoop.p99))} ms, max ${fmt.int(Math.round(s.serverLoop.max))} ms;` +
        ` GET /healthz: p50 ${ms(r.health.p50)}, max ${ms(r.health.max)} (${r.health.count} answered` +
        `${r.healthFailures > 0 ? `, ${r.healthFailures} failed: ${r.healthError}` : ''});` +
        ` client thread loop lag p99 ${fmt.int(Math.round(r.clientLoop.p99))} ms`,
    );
    if (!liveOnly) {
      out(
        `  server persistence meanwhile: ${fmt.int(s.server.written)} of ${fmt.int(r.published * 3)} readings written` +
          ` in ${s.server.transactions} transactions (longest ${ms(s.server.maxTxMs)}), ${fmt.int(s.server.received)} messages read` +
          ` on the persist connection, failedAttempts ${s.server.failedAttempts}; the remaining ${fmt.int(s.catchUp.rows)} rows` +
          ` were read and written ${fmt.s(s.catchUp.ms)} after the results`,
      );
    }
  }
}

// The compiled file is both the benchmark and, in a worker thread, its load generator.
runBenchWithWorker('bench/live-latency', main, workerMain);

/** A counter of the server's /metrics (open: the benchmark runs with AUTH_REQUIRED=false). */
async function scrapeCounter(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`twin_graph_${name} `));
  const value = Number(line?.split(' ')[1]);
  if (!Number.isFinite(value)) throw new BenchError(`/metrics has no ${name}`);
  return value;
}
