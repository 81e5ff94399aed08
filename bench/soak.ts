/**
 * Soak benchmark: the whole server under a steady mixed load for minutes — telemetry at a fixed
 * rate (QoS 1, persisted), graphql-ws subscribers, and GraphQL queries from several concurrent
 * clients — watching that nothing drifts: memory (RSS and heap sampled every interval), query and
 * delivery latency per interval, and at the end every reading the broker acknowledged stored once.
 *
 *   npm run build && node --expose-gc dist/bench/soak.js [--minutes 2] [--rate 200] [--subscribers 100]
 *     [--clients 4] [--interval 10] [--wipe]
 *
 * The documented full run is `--minutes 30`. Baselines measured in the same run: `{ __typename }`
 * (the server's own floor for a GraphQL request) beside the real queries, and a bare mqtt.js
 * subscriber of the same broker beside the graphql-ws deliveries. The load runs in a worker
 * thread; the server runs in the main thread, which samples it.
 */
import './production';
import 'reflect-metadata';
import { createClient, type Client } from 'graphql-ws';
import { connect, type MqttClient } from 'mqtt';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { z } from 'zod';
import { BenchError, fmt, intFlag, note, out, table, type Defer } from './lib';
import {
  countReadings,
  Histogram,
  LoadWorker,
  runBenchWithWorker,
  startTelemetryStack,
  telemetryPayload,
  waitUntil,
  workerInbox,
  type LatencySummary,
} from './telemetry-common';

const USAGE = `Usage: node --expose-gc dist/bench/soak.js [options]
  --minutes N      length of the soak (default 2; the documented full run is 30)
  --rate N         telemetry messages per second, QoS 1, 3 metrics each (default 200)
  --subscribers N  graphql-ws clients, each telemetry(lineId: line i mod 5) (default 100)
  --clients N      concurrent GraphQL query loops (default 4)
  --interval N     seconds per sample row (default 10)
  --assets N, --lines N   the plant (default 100 assets on 5 lines)
  --wipe           with NEO4J_URI: delete the twins already stored there first`;

/** What the query clients ask, in turn; `{ __typename }` is the floor they are compared with. */
const QUERIES: { name: string; query: string }[] = [
  { name: 'trivial', query: '{ __typename }' },
  {
    name: 'nested',
    query: '{ factories(first: 5) { edges { node { id lines { id assets { id status } } } } } }',
  },
  {
    name: 'history',
    query:
      'query($id: ID!) { asset(id: $id) { metrics { name history(limit: 20) { ts value } } } }',
  },
  {
    name: 'alerts',
    query: '{ alerts(first: 20) { totalCount edges { node { id kind state count } } } }',
  },
];

const SUBSCRIPTION = `subscription Soak($lineId: ID) { telemetry(lineId: $lineId) { ts readings { metric value } } }`;

// ---------------------------------------------------------------------------------------------
// Worker thread: publisher, subscribers, query clients, baseline subscriber.

const workerInput = z.object({
  httpUrl: z.string(),
  wsUrl: z.string(),
  mqttUrl: z.string(),
  topics: z.array(z.string()).min(1),
  assetIds: z.array(z.string()).min(1),
  lines: z.array(z.string()).min(1),
  rate: z.number().int().min(1),
  subscribers: z.number().int().min(0),
  clients: z.number().int().min(0),
  seconds: z.number().int().min(1),
  intervalSeconds: z.number().int().min(1),
});
type WorkerInput = z.infer<typeof workerInput>;

// NaN when a kind had no answer at all (every query failed): printed as such, not a crash
const millis = z.number().or(z.nan());
const latencySummary = z.object({
  count: z.number(),
  p50: millis,
  p95: millis,
  p99: millis,
  max: millis,
  mean: millis,
});

const intervalResult = z.object({
  kind: z.literal('interval'),
  index: z.number(),
  published: z.number(),
  acked: z.number(),
  delivered: z.number(),
  queries: z.record(latencySummary),
  deliveries: latencySummary,
  baseline: latencySummary,
  queryErrors: z.number(),
});
type IntervalResult = z.infer<typeof intervalResult>;

const finalResult = z.object({
  kind: z.literal('done'),
  published: z.number(),
  acked: z.number(),
  publishErrors: z.number(),
  queryErrors: z.number(),
  firstError: z.string(),
  queries: z.record(latencySummary),
  deliveries: latencySummary,
  baseline: latencySummary,
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : undefined;
}

async function mqttClient(url: string, clientId: string): Promise<MqttClient> {
  const client = connect(url, { clientId, clean: true, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

async function workerMain(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('not in a worker');
  const input: WorkerInput = workerInput.parse(workerData);
  const inbox = workerInbox(port);
  const subscribers: Client[] = [];
  const mqttClients: MqttClient[] = [];
  // per interval and over the whole run
  const fresh = () => ({
    queries: new Map(QUERIES.map((q) => [q.name, new Histogram()])),
    deliveries: new Histogram(),
    baseline: new Histogram(),
  });
  let interval = fresh();
  const total = fresh();
  let delivered = 0;
  let queryErrors = 0;
  let firstError = '';
  try {
    for (let i = 0; i < input.subscribers; i++) {
      const client = createClient({
        url: input.wsUrl,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
      });
      subscribers.push(client);
      await new Promise<void>((resolve, reject) => {
        client.on('connected', () => resolve());
        client.on('error', (err) => reject(new Error(`graphql-ws connect: ${String(err)}`)));
      });
      client.subscribe(
        { query: SUBSCRIPTION, variables: { lineId: input.lines[i % input.lines.length] } },
        {
          next: (value) => {
            const ts = record(record(value.data)?.['telemetry'])?.['ts'];
            if (typeof ts !== 'string') return;
            const ms = Date.now() - Date.parse(ts);
            interval.deliveries.add(ms);
            total.deliveries.add(ms);
            delivered += 1;
          },
          error: (err) => {
            queryErrors += 1;
            firstError ||= err instanceof Error ? err.message : JSON.stringify(err);
          },
          complete: () => undefined,
        },
      );
    }
    const baseline = await mqttClient(input.mqttUrl, `bench-soak-base-${process.pid}`);
    mqttClients.push(baseline);
    baseline.on('message', (_topic, payload) => {
      const ts = record(JSON.parse(payload.toString('utf8')))?.['ts'];
      if (typeof ts !== 'number') return;
      interval.baseline.add(Date.now() - ts);
      total.baseline.add(Date.now() - ts);
    });
    await baseline.subscribeAsync('twin/+/+/+/telemetry', { qos: 1 });
    const publisher = await mqttClient(input.mqttUrl, `bench-soak-pub-${process.pid}`);
    mqttClients.push(publisher);
    port.postMessage({ kind: 'ready' });
    const go = record(await inbox());
    if (go?.['kind'] !== 'go') throw new Error(`expected "go", got ${JSON.stringify(go)}`);

    let running = true;
    const start = Date.now();
    let published = 0;
    let acked = 0;
    let publishErrors = 0;
    const publishing = (async () => {
      while (running) {
        const due = Math.floor(((Date.now() - start) * input.rate) / 1000);
        while (published < due) {
          const topic = input.topics[published % input.topics.length] ?? '';
          publisher.publish(
            topic,
            telemetryPayload(Date.now(), published, 3),
            { qos: 1 },
            (err) => {
              if (err) publishErrors += 1;
              else acked += 1;
            },
          );
          published += 1;
        }
        await sleep(5);
      }
    })();
    const querying = Array.from({ length: input.clients }, async (_, c) => {
      let n = c;
      while (running) {
        const q = QUERIES[n % QUERIES.length];
        n += 1;
        if (!q) continue;
        const t = Date.now();
        try {
          const res = await fetch(`${input.httpUrl}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              query: q.query,
              variables: { id: input.assetIds[n % input.assetIds.length] },
            }),
          });
          const body = record(await res.json());
          if (!res.ok || body?.['errors']) {
            queryErrors += 1;
            firstError ||= `${q.name}: ${JSON.stringify(body?.['errors'] ?? res.status).slice(0, 300)}`;
          }
        } catch (err) {
          queryErrors += 1;
          firstError ||= `${q.name}: ${err instanceof Error ? err.message : String(err)}`;
        }
        interval.queries.get(q.name)?.add(Date.now() - t);
        total.queries.get(q.name)?.add(Date.now() - t);
      }
    });
    const summaries = (h: Map<string, Histogram>): Record<string, LatencySummary> =>
      Object.fromEntries([...h].map(([k, v]) => [k, v.summary()]));
    for (let i = 1; Date.now() - start < input.seconds * 1000; i++) {
      await sleep(Math.max(0, start + i * input.intervalSeconds * 1000 - Date.now()));
      port.postMessage({
        kind: 'interval',
        index: i,
        published,
        acked,
        delivered,
        queries: summaries(interval.queries),
        deliveries: interval.deliveries.summary(),
        baseline: interval.baseline.summary(),
        queryErrors,
      } satisfies IntervalResult);
      interval = fresh();
    }
    running = false;
    await publishing;
    await Promise.all(querying);
    await waitFor(() => acked + publishErrors >= published, 30_000);
    port.postMessage({
      kind: 'done',
      published,
      acked,
      publishErrors,
      queryErrors,
      firstError,
      queries: summaries(total.queries),
      deliveries: total.deliveries.summary(),
      baseline: total.baseline.summary(),
    } satisfies z.input<typeof finalResult>);
    const close = record(await inbox());
    if (close?.['kind'] !== 'close') throw new Error(`expected "close"`);
  } finally {
    await Promise.all(subscribers.map((s) => s.dispose()));
    await Promise.all(mqttClients.map((c) => c.endAsync()));
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await sleep(20);
}

// ---------------------------------------------------------------------------------------------
// Main thread: the server, sampled every interval.

const ms = (v: number) => (Number.isNaN(v) ? '–' : `${Math.round(v).toLocaleString('en-US')}`);
const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)}`;

async function main(defer: Defer): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      rate: { type: 'string' },
      subscribers: { type: 'string' },
      clients: { type: 'string' },
      interval: { type: 'string' },
      assets: { type: 'string' },
      lines: { type: 'string' },
      wipe: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out(USAGE);
    return;
  }
  const minutes = intFlag('minutes', values.minutes, 2);
  const rate = intFlag('rate', values.rate, 200);
  const subscribers = intFlag('subscribers', values.subscribers, 100, 0);
  const clients = intFlag('clients', values.clients, 4, 0);
  const intervalSeconds = intFlag('interval', values.interval, 10);
  const assets = intFlag('assets', values.assets, 100);
  const lines = intFlag('lines', values.lines, 5);

  const stack = await startTelemetryStack(defer, { lines, assets, wipe: values.wipe });
  const { runtime, plant } = stack;
  const storedBefore = await countReadings(stack.graph);

  out(
    `== soak: ${minutes} min of ${fmt.int(rate)} msg/s (QoS 1, 3 metrics, persisted), ${subscribers} graphql-ws subscribers, ${clients} query clients ==`,
  );
  out(`plant: 1 factory, ${lines} lines, ${assets} assets × 3 metrics; Neo4j: ${stack.db.source}`);
  out(
    `queries, in turn per client: ${QUERIES.map((q) => q.name).join(', ')} (trivial = { __typename }, the baseline)`,
  );
  const worker = new LoadWorker(__filename, {
    httpUrl: runtime.app.url,
    wsUrl: stack.wsUrl,
    mqttUrl: stack.broker.url,
    topics: plant.assets.map((a) => a.topic),
    assetIds: plant.assets.map((a) => a.assetId),
    lines: plant.lines,
    rate,
    subscribers,
    clients,
    seconds: minutes * 60,
    intervalSeconds,
  } satisfies WorkerInput);
  defer(() => worker.close());
  await worker.next('ready', 120_000);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  worker.post({ kind: 'go' });

  const rows: string[][] = [];
  const memory: { rss: number; heap: number }[] = [];
  for (let i = 1; i * intervalSeconds <= minutes * 60; i++) {
    const m = intervalResult.parse(await worker.next('interval', intervalSeconds * 1000 + 60_000));
    // with --expose-gc (npm run bench:soak) the heap is sampled after a full collection: what is
    // alive, not how much garbage V8 let pile up before collecting it
    const gc: unknown = Reflect.get(globalThis, 'gc');
    if (typeof gc === 'function') gc();
    const usage = process.memoryUsage();
    memory.push({ rss: usage.rss, heap: usage.heapUsed });
    const stats = runtime.telemetry.stats();
    const q = (name: string) => m.queries[name] ?? { p50: NaN, p99: NaN };
    rows.push([
      String(m.index * intervalSeconds),
      fmt.int(m.acked),
      fmt.int(stats.writer.written),
      fmt.int(stats.writer.buffered),
      ms(m.deliveries.p99),
      ms(m.baseline.p99),
      ms(q('trivial').p99),
      ms(q('nested').p99),
      ms(q('history').p99),
      ms(q('alerts').p99),
      ms(loop.max / 1e6),
      mb(usage.rss),
      mb(usage.heapUsed),
    ]);
    note(`${m.index * intervalSeconds} s: ${rows.at(-1)?.join(' ')}`);
    loop.reset();
  }
  const done = finalResult.parse(await worker.next('done', 120_000));
  loop.disable();
  // every reading the broker acknowledged must end stored once
  const expected = storedBefore + done.acked * 3;
  await waitUntil('every acknowledged reading stored', 120_000, async () => {
    await runtime.telemetry.flush();
    return (await countReadings(stack.graph)) >= expected;
  });
  const stored = (await countReadings(stack.graph)) - storedBefore;

  out('');
  out(
    'per interval: acked messages so far, rows written so far, rows buffered now; p99 ms of graphql-ws deliveries, the bare MQTT',
  );
  out('subscriber, each query; the longest event-loop block (ms); RSS and heap used (MB)');
  out('');
  for (const line of table(
    [
      's',
      'acked',
      'written',
      'buffered',
      'deliv p99',
      'mqtt p99',
      'trivial p99',
      'nested p99',
      'history p99',
      'alerts p99',
      'loop max',
      'rss',
      'heap',
    ],
    rows,
  ))
    out(line);
  out('');
  const whole = (name: string, s: LatencySummary) => [
    name,
    fmt.int(s.count),
    ms(s.p50),
    ms(s.p99),
    ms(s.max),
  ];
  for (const line of table(
    ['whole run', 'count', 'p50 ms', 'p99 ms', 'max ms'],
    [
      whole('graphql-ws deliveries', done.deliveries),
      whole('bare MQTT subscriber (baseline)', done.baseline),
      ...QUERIES.map((q) =>
        whole(
          `query ${q.name}`,
          done.queries[q.name] ?? { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN },
        ),
      ),
    ],
  ))
    out(line);
  const trivial = done.queries['trivial']?.p50 ?? NaN;
  out('');
  for (const q of QUERIES.slice(1)) {
    const p50 = done.queries[q.name]?.p50 ?? NaN;
    out(
      `query ${q.name}: p50 ${ms(p50)} ms = ${(p50 / Math.max(1, trivial)).toFixed(1)}× the trivial query's`,
    );
  }
  const first = memory[Math.min(1, memory.length - 1)];
  const last = memory.at(-1);
  if (first && last) {
    out(
      `memory from the second sample to the last: RSS ${mb(first.rss)} → ${mb(last.rss)} MB, heap ${mb(first.heap)} → ${mb(last.heap)} MB`,
    );
  }
  out(
    `telemetry: ${fmt.int(done.published)} published, ${fmt.int(done.acked)} acknowledged by the broker (${done.publishErrors} refused), ${fmt.int(stored)} readings stored (${fmt.int(done.acked * 3)} expected): ${stored === done.acked * 3 ? 'OK' : 'MISMATCH'}`,
  );
  out(`query errors: ${done.queryErrors}${done.firstError ? ` (first: ${done.firstError})` : ''}`);
  if (stored !== done.acked * 3) {
    throw new BenchError(`stored ${stored} readings, expected ${done.acked * 3}`);
  }
  worker.post({ kind: 'close' });
}

runBenchWithWorker('soak', main, workerMain);
