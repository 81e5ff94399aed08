/**
 * Impact benchmark: `impact(disruption)` on the generated ~10^5-twin network, per disruption kind
 * (supplier outage, shipment delay, asset downtime), against a baseline measured in the same run:
 * the same Cypher statements (imported from src/impact/impact.cypher.ts), in the same sequence and
 * with the same parameters as the service sends them, run directly through neo4j-driver.
 *
 * Three sides per target, one request at a time, in rotating order:
 * - raw: the statements alone (the baseline);
 * - service: `analyseImpact(graph, ...)` in-process (the Cypher plus the JS computation);
 * - GraphQL: the `impact` query POSTed to the real server (startRuntime, HTTP on localhost).
 *
 *   npm run build && node dist/bench/impact.js [--factories 50] [--seed 1] [--targets 30]
 *     [--reps 5] [--warmup 1] [--wipe]
 *
 * Without NEO4J_URI a throwaway local Neo4j (heap 2g, page cache 512m) is started and deleted.
 */
import './production';
import 'reflect-metadata';
import type { Driver } from 'neo4j-driver';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import type { Graph, Params, Row } from '../src/graph/executor';
import {
  ASSET_DOWNTIME_START,
  CLOSURE,
  CONSUMPTION_INPUTS,
  SHIPMENT_DELAY_START,
  SUPPLIER_OUTAGE_START,
} from '../src/impact/impact.cypher';
import type { Disruption } from '../src/impact/impact.model';
import { analyseImpact } from '../src/impact/impact.service';
import { startRuntime } from '../src/runtime';
import type { SeedDocument } from '../src/seeds/document';
import { DEFAULT_GENERATOR_NOW, generateDocument } from '../src/seeds/generate';
import { importDocument } from '../src/twins/import/service';
import {
  BenchError,
  connectDriver,
  fmt,
  intFlag,
  neo4jSettings,
  note,
  now,
  openBenchGraph,
  out,
  percentile,
  runBench,
  table,
  timed,
} from './lib';

const USAGE = `Usage: node dist/bench/impact.js [options]
  --factories N   factories in the generated graph (default 50, ~2,000 twins each)
  --seed N        generator seed (default 1)
  --targets N     targets per kind spread over the ids, plus the worst cases (default 30)
  --reps N        measured runs per target and side (default 5)
  --warmup N      unmeasured passes over every target and side after the check pass (default 1)
  --wipe          with NEO4J_URI: delete the twins already stored there first`;

/** The statements the service may send, by name; anything else fails the benchmark. */
const STATEMENTS = new Map<string, string>([
  [SUPPLIER_OUTAGE_START, 'SUPPLIER_OUTAGE_START'],
  [SHIPMENT_DELAY_START, 'SHIPMENT_DELAY_START'],
  [ASSET_DOWNTIME_START, 'ASSET_DOWNTIME_START'],
  [CONSUMPTION_INPUTS, 'CONSUMPTION_INPUTS'],
  [CLOSURE, 'CLOSURE'],
]);

const KINDS = ['SUPPLIER_OUTAGE', 'SHIPMENT_DELAY', 'ASSET_DOWNTIME'] as const;
type Kind = (typeof KINDS)[number];
const KIND_NAME: Record<Kind, string> = {
  SUPPLIER_OUTAGE: 'supplier outage',
  SHIPMENT_DELAY: 'shipment delay',
  ASSET_DOWNTIME: 'asset downtime',
};
/** The window starts when the generator's shipments and orders are dated from. */
const asOfMs = DEFAULT_GENERATOR_NOW.getTime();

const SIDES = ['raw', 'service', 'graphql'] as const;
type Side = (typeof SIDES)[number];

/** The report's main fields (as the integration test selects them, plus product names). */
const QUERY = `query ImpactBench($d: DisruptionInput!, $asOf: DateTime, $m: Boolean) {
  impact(disruption: $d, asOf: $asOf, includeMitigated: $m) {
    kind asOf windowEnd
    components { product { id } soleSourced alternativeSuppliers { id } atRisk }
    products { id name } lines { line { id } capacityFactorBefore capacityFactorAfter }
    factories { id } orders { id } shipments { id }
    exposures { factory { id } component { id } dailyConsumption onHand inbound daysOfCover shortfallDays }
    lostUnits { product { id } units valueAtRisk }
    ranking { kind id shortfallDays lostUnits valueAtRisk }
    paths { kind id steps { from relationship to forward } }
  }
}`;

/** One statement as the service sent it. */
interface Statement {
  name: string;
  cypher: string;
  params: Params;
}

/** Statements sent together (the service awaits them with Promise.all), in order. */
type Plan = Statement[][];

interface Target {
  kind: Kind;
  label: string;
  /** Why this one is a worst case; undefined for the spread. */
  worst?: string;
  disruption: Disruption;
  includeMitigated: boolean;
  plan: Plan;
  products: number;
  lines: number;
  cypherQueries: number;
  bytes: number;
  samples: Record<Side, number[]>;
}

// ---------------------------------------------------------------------------------------------
// choosing the targets from the generated document

/** n items evenly spread over `items` (all of them when there are fewer). */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)] as T);
}

const byId = (a: string, b: string) => a.localeCompare(b);

/** Size of the upward closure of `products` in the BOM (the products themselves included). */
function closureSize(parents: Map<string, string[]>, products: Iterable<string>): number {
  const seen = new Set<string>();
  const todo = [...products];
  for (let p = todo.pop(); p !== undefined; p = todo.pop()) {
    if (seen.has(p)) continue;
    seen.add(p);
    todo.push(...(parents.get(p) ?? []));
  }
  return seen.size;
}

function first<T>(items: readonly T[]): T {
  const item = items[0];
  if (item === undefined) throw new BenchError('no candidate for a worst case');
  return item;
}

/** `items` by `score` (a tuple compared left to right, larger first), then by id. */
function ranked<T extends { id: string }>(items: readonly T[], score: (x: T) => number[]): T[] {
  const scored = items.map((item) => ({ item, s: score(item) }));
  scored.sort(
    (a, b) =>
      (b.s.map((v, i) => v - (a.s[i] ?? 0)).find((d) => d !== 0) ?? 0) ||
      a.item.id.localeCompare(b.item.id),
  );
  return scored.map((x) => x.item);
}

/** The first candidate whose disruption reaches at least one product (checked with the service). */
async function firstThatPropagates<T>(
  graph: Graph,
  candidates: readonly T[],
  disruption: (c: T) => Disruption,
  what: string,
): Promise<T> {
  for (const c of candidates.slice(0, 200)) {
    const r = await analyseImpact(graph, disruption(c), asOfMs, false);
    if (r.products.length > 0) return c;
  }
  throw new BenchError(`no ${what} among the first 200 candidates affects a product`);
}

async function chooseTargets(graph: Graph, doc: SeedDocument, n: number): Promise<Target[]> {
  const blank = () => ({
    plan: [],
    products: 0,
    lines: 0,
    cypherQueries: 0,
    bytes: 0,
    samples: { raw: [], service: [], graphql: [] },
  });
  const parents = new Map<string, string[]>();
  for (const b of doc.bom)
    parents.set(b.componentId, [...(parents.get(b.componentId) ?? []), b.parentId]);

  // supplier outages (14 days): the spread without includeMitigated, then the supplier with the
  // most supplied components (with includeMitigated, so all of them propagate) and the one with
  // the most sole-sourced components.
  const suppliersOf = new Map<string, string[]>();
  const supplied = new Map<string, string[]>();
  for (const s of doc.supplies) {
    suppliersOf.set(s.productId, [...(suppliersOf.get(s.productId) ?? []), s.supplierId]);
    supplied.set(s.supplierId, [...(supplied.get(s.supplierId) ?? []), s.productId]);
  }
  const suppliers = doc.suppliers.map((s) => ({ id: s.id })).sort((a, b) => byId(a.id, b.id));
  const components = (id: string) => supplied.get(id) ?? [];
  const sole = (id: string) => components(id).filter((c) => suppliersOf.get(c)?.length === 1);
  const outage = (id: string): Disruption => ({
    kind: 'SUPPLIER_OUTAGE',
    supplierId: id,
    days: 14,
  });
  const mostComponents = first(
    ranked(suppliers, (s) => [components(s.id).length, closureSize(parents, components(s.id))]),
  );
  const mostSole = first(
    ranked(suppliers, (s) => [sole(s.id).length, closureSize(parents, sole(s.id))]),
  );
  const targets: Target[] = [
    ...spread(suppliers, n).map((s) => ({
      kind: 'SUPPLIER_OUTAGE' as const,
      label: s.id,
      disruption: outage(s.id),
      includeMitigated: false,
      ...blank(),
    })),
    {
      kind: 'SUPPLIER_OUTAGE',
      label: `${mostComponents.id}, includeMitigated`,
      worst: `the supplier with the most components (${components(mostComponents.id).length}), all at risk`,
      disruption: outage(mostComponents.id),
      includeMitigated: true,
      ...blank(),
    },
    {
      kind: 'SUPPLIER_OUTAGE',
      label: mostSole.id,
      worst: `the supplier with the most sole-sourced components (${sole(mostSole.id).length})`,
      disruption: outage(mostSole.id),
      includeMitigated: false,
      ...blank(),
    },
  ];

  // shipment delays (7 days) of IN_TRANSIT shipments; the worst case is 30 days late and carries
  // the component with the largest upward closure among those that then run short (most do not:
  // stock and other inbound shipments cover them).
  const inTransit = doc.shipments
    .filter((s) => s.status === 'IN_TRANSIT')
    .sort((a, b) => byId(a.id, b.id));
  const delay = (id: string, days: number): Disruption => ({
    kind: 'SHIPMENT_DELAY',
    shipmentId: id,
    days,
  });
  const biggest = await firstThatPropagates(
    graph,
    ranked(inTransit, (s) => [closureSize(parents, [s.productId])]),
    (s) => delay(s.id, 30),
    'IN_TRANSIT shipment 30 days late',
  );
  targets.push(
    ...spread(inTransit, n).map((s) => ({
      kind: 'SHIPMENT_DELAY' as const,
      label: s.id,
      disruption: delay(s.id, 7),
      includeMitigated: false,
      ...blank(),
    })),
    {
      kind: 'SHIPMENT_DELAY',
      label: `${biggest.id}, 30 days`,
      worst: `carries ${biggest.productId}, upward closure ${closureSize(parents, [biggest.productId])} products`,
      disruption: delay(biggest.id, 30),
      includeMitigated: false,
      ...blank(),
    },
  );

  // asset downtimes (8 hours); the worst case is a bottleneck: a RUNNING asset alone in its stage
  // (every flow of the line passes through it, so the line stops), on the line whose products have
  // the largest upward closure, then the line with the most stations; the first such asset whose
  // downtime loses units (a line already stopped by another station loses none).
  const assets = [...doc.assets].sort((a, b) => byId(a.id, b.id));
  const preds = new Map<string, string[]>();
  for (const f of doc.flows) preds.set(f.to, [...(preds.get(f.to) ?? []), f.from]);
  const stageKey = (id: string) => [...(preds.get(id) ?? [])].sort().join(',');
  const stageWidth = new Map<string, number>();
  const lineSize = new Map<string, number>();
  for (const a of assets) {
    const k = `${a.lineId}|${stageKey(a.id)}`;
    stageWidth.set(k, (stageWidth.get(k) ?? 0) + 1);
    lineSize.set(a.lineId, (lineSize.get(a.lineId) ?? 0) + 1);
  }
  const made = new Map<string, string[]>();
  for (const p of doc.production) made.set(p.lineId, [...(made.get(p.lineId) ?? []), p.productId]);
  const bottlenecks = assets.filter(
    (a) => a.status === 'RUNNING' && stageWidth.get(`${a.lineId}|${stageKey(a.id)}`) === 1,
  );
  const downtime = (id: string): Disruption => ({ kind: 'ASSET_DOWNTIME', assetId: id, hours: 8 });
  const bottleneck = await firstThatPropagates(
    graph,
    ranked(bottlenecks, (a) => [
      closureSize(parents, made.get(a.lineId) ?? []),
      lineSize.get(a.lineId) ?? 0,
    ]),
    (a) => downtime(a.id),
    'bottleneck asset',
  );
  targets.push(
    ...spread(assets, n).map((a) => ({
      kind: 'ASSET_DOWNTIME' as const,
      label: a.id,
      disruption: downtime(a.id),
      includeMitigated: false,
      ...blank(),
    })),
    {
      kind: 'ASSET_DOWNTIME',
      label: bottleneck.id,
      worst: `bottleneck of ${bottleneck.lineId} (${lineSize.get(bottleneck.lineId)} stations), whose products' upward closure has ${closureSize(parents, made.get(bottleneck.lineId) ?? [])} products`,
      disruption: downtime(bottleneck.id),
      includeMitigated: false,
      ...blank(),
    },
  );
  return targets;
}

// ---------------------------------------------------------------------------------------------
// the three sides

/**
 * A view of `graph` that records every statement the service sends; a statement sent while
 * another is still running joins that one's step of the plan.
 */
function recording(graph: Graph): { graph: Graph; plan: Plan } {
  const plan: Plan = [];
  let inFlight = 0;
  const proxy = new Proxy(graph, {
    get(target, prop) {
      if (prop === 'read') {
        return async (cypher: string, params: Params = {}): Promise<Row[]> => {
          const name = STATEMENTS.get(cypher);
          if (name === undefined) {
            throw new BenchError(
              `the service sent a statement that is not in impact.cypher.ts: ${cypher.slice(0, 200)}`,
            );
          }
          const statement = { name, cypher, params: structuredClone(params) };
          const last = plan.at(-1);
          if (inFlight > 0 && last) last.push(statement);
          else plan.push([statement]);
          inFlight += 1;
          try {
            return await target.read(cypher, params);
          } finally {
            inFlight -= 1;
          }
        };
      }
      if (prop === 'write' || prop === 'transaction' || prop === 'autoCommit') {
        throw new BenchError(
          `the impact service called graph.${prop}; the benchmark expects reads only`,
        );
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { graph: proxy, plan };
}

/** Milliseconds per statement name, over every raw run (for the per-statement table). */
type StatementTimes = Map<string, number[]>;

/** The baseline: the plan's statements through the bare driver, one read transaction each. */
async function runRaw(
  driver: Driver,
  database: string,
  plan: Plan,
  times?: StatementTimes,
): Promise<number> {
  let products = 0;
  for (const step of plan) {
    await Promise.all(
      step.map(async (s) => {
        const t0 = now();
        const session = driver.session({ database, defaultAccessMode: 'READ' });
        try {
          const result = await session.executeRead((tx) => tx.run(s.cypher, s.params));
          if (s.name === 'CLOSURE') {
            const found: unknown = result.records[0]?.get('products');
            products = Array.isArray(found) ? found.length : 0;
          }
        } finally {
          await session.close();
        }
        if (times) times.set(s.name, [...(times.get(s.name) ?? []), now() - t0]);
      }),
    );
  }
  return products;
}

async function runService(graph: Graph, t: Target): Promise<number> {
  const r = await analyseImpact(graph, t.disruption, asOfMs, t.includeMitigated);
  return r.products.length;
}

function disruptionInput(d: Disruption): Record<string, unknown> {
  switch (d.kind) {
    case 'SUPPLIER_OUTAGE':
      return { supplierOutage: { supplierId: d.supplierId, days: d.days } };
    case 'SHIPMENT_DELAY':
      return { shipmentDelay: { shipmentId: d.shipmentId, days: d.days } };
    case 'ASSET_DOWNTIME':
      return { assetDowntime: { assetId: d.assetId, hours: d.hours } };
  }
}

function obj(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BenchError(
      `expected an object for ${what}, got ${JSON.stringify(value)?.slice(0, 300)}`,
    );
  }
  return Object.fromEntries(Object.entries(value));
}

function count(value: unknown, what: string): number {
  if (!Array.isArray(value)) throw new BenchError(`expected a list for ${what}`);
  return value.length;
}

/** One GraphQL request over HTTP: affected products and lines, Cypher round trips, body size. */
async function runGraphql(
  url: string,
  t: Target,
): Promise<{ products: number; lines: number; cypherQueries: number; bytes: number }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      query: QUERY,
      variables: {
        d: disruptionInput(t.disruption),
        asOf: DEFAULT_GENERATOR_NOW.toISOString(),
        m: t.includeMitigated,
      },
    }),
  });
  const body = await res.text();
  if (!res.ok) throw new BenchError(`GraphQL answered HTTP ${res.status}: ${body.slice(0, 500)}`);
  const json = obj(JSON.parse(body), 'response');
  if (json['errors'] !== undefined) {
    throw new BenchError(
      `GraphQL errors for ${t.label}: ${JSON.stringify(json['errors']).slice(0, 500)}`,
    );
  }
  const report = obj(obj(json['data'], 'data')['impact'], 'impact');
  const cypherQueries = obj(json['extensions'], 'extensions')['cypherQueries'];
  if (typeof cypherQueries !== 'number') throw new BenchError('extensions.cypherQueries missing');
  return {
    products: count(report['products'], 'impact.products'),
    lines: count(report['lines'], 'impact.lines'),
    cypherQueries,
    bytes: Buffer.byteLength(body),
  };
}

const FLOOR_WARMUP = 20;
const FLOOR_REQUESTS = 200;

async function typenameRequest(url: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const body = await res.text();
  if (!res.ok) throw new BenchError(`GraphQL answered HTTP ${res.status}: ${body.slice(0, 500)}`);
}

/** Runs `work`; a failure names the side and target it came from. */
async function named<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new BenchError(`${what}: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// figures

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const p = (xs: readonly number[], q: number) => percentile(sorted(xs), q);

interface Latency {
  samples: number;
  raw: { p50: number; p95: number };
  service: { p50: number; p95: number };
  graphql: { p50: number; p95: number };
}

function latency(ts: readonly Target[]): Latency {
  const of = (side: Side) => {
    const xs = ts.flatMap((t) => t.samples[side]);
    return { p50: p(xs, 50), p95: p(xs, 95) };
  };
  return {
    samples: ts.reduce((n, t) => n + t.samples.raw.length, 0),
    raw: of('raw'),
    service: of('service'),
    graphql: of('graphql'),
  };
}

function range(xs: readonly number[]): string {
  const s = sorted(xs);
  const lo = s[0] ?? 0;
  const hi = s.at(-1) ?? 0;
  return lo === hi ? String(lo) : `${lo}-${hi} (median ${percentile(s, 50)})`;
}

runBench('bench/impact', async (defer) => {
  const { values } = parseArgs({
    options: {
      factories: { type: 'string' },
      seed: { type: 'string' },
      targets: { type: 'string' },
      reps: { type: 'string' },
      warmup: { type: 'string' },
      wipe: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out(USAGE);
    return;
  }
  const factories = intFlag('factories', values.factories, 50);
  const seed = intFlag('seed', values.seed, 1, 0);
  const perKind = intFlag('targets', values.targets, 30);
  const reps = intFlag('reps', values.reps, 5);
  const warmup = intFlag('warmup', values.warmup, 1, 0);

  const { db, graph } = await openBenchGraph(defer, values.wipe);
  const driver = connectDriver(db);
  defer(() => driver.close());

  const doc = generateDocument({ factories, seed });
  note(`importing the generated graph (${factories} factories)`);
  const imported = await timed(() => importDocument(graph, doc));
  note('choosing the targets');
  const targets = await chooseTargets(graph, doc, perKind);

  const runtime = await startRuntime(
    loadConfig({
      ...process.env,
      ...neo4jSettings(db),
      // the benchmarks measure the work behind a request, not the credential check (bench/README.md)
      AUTH_REQUIRED: 'false',
      PORT: '0',
      HOST: '127.0.0.1',
      MIGRATE_ON_START: 'true',
      MQTT_EMBEDDED_PORT: '0',
      PLAYGROUND: 'false',
    }),
  );
  defer(() => runtime.stop());
  const url = `${runtime.app.url}/graphql`;

  out(`== impact benchmark: ${factories} factories (seed ${seed}) ==`);
  out(
    `graph: ${fmt.int(imported.value.twins)} twins imported in ${fmt.s(imported.ms)}; Neo4j: ${db.source === 'launcher' ? 'throwaway local 5.26, heap 2g, page cache 512m' : db.uri}`,
  );
  out(
    `API: ${url} (startRuntime, same process as the loop); asOf ${DEFAULT_GENERATOR_NOW.toISOString()}`,
  );
  for (const kind of KINDS) {
    const ts = targets.filter((t) => t.kind === kind);
    out(
      `targets, ${KIND_NAME[kind]}: ${ts.length} (${ts.filter((t) => !t.worst).length} spread over the ids, ${ts.filter((t) => t.worst).length} worst case${ts.filter((t) => t.worst).length === 1 ? '' : 's'})`,
    );
  }

  // Check pass (also the first warm-up): record each target's plan from the service, replay it
  // raw, and ask the API; all three must find the same number of affected products.
  note(`check pass: ${targets.length} targets, each side once`);
  const mismatches: string[] = [];
  for (const t of targets) {
    const rec = recording(graph);
    const serviceProducts = await named(`service, ${t.label}`, () => runService(rec.graph, t));
    t.plan = rec.plan;
    const rawProducts = await named(`raw, ${t.label}`, () => runRaw(driver, db.database, t.plan));
    const g = await named(`GraphQL, ${t.label}`, () => runGraphql(url, t));
    t.products = serviceProducts;
    t.lines = g.lines;
    t.cypherQueries = g.cypherQueries;
    t.bytes = g.bytes;
    if (rawProducts !== serviceProducts || g.products !== serviceProducts) {
      mismatches.push(
        `${t.label}: raw ${rawProducts}, service ${serviceProducts}, GraphQL ${g.products}`,
      );
    }
  }

  for (let w = 1; w <= warmup; w++) {
    note(`warm-up pass ${w}/${warmup}`);
    for (const t of targets) {
      await runRaw(driver, db.database, t.plan);
      await runService(graph, t);
      await runGraphql(url, t);
    }
  }

  const statementTimes: StatementTimes = new Map();
  for (let r = 0; r < reps; r++) {
    note(`measured pass ${r + 1}/${reps}`);
    for (const [i, t] of targets.entries()) {
      for (let k = 0; k < SIDES.length; k++) {
        const side = SIDES[(r + i + k) % SIDES.length] as Side;
        const t0 = now();
        if (side === 'raw') await runRaw(driver, db.database, t.plan, statementTimes);
        else if (side === 'service') await runService(graph, t);
        else await runGraphql(url, t);
        t.samples[side].push(now() - t0);
      }
    }
  }

  // The floor of the GraphQL side: the same HTTP path and server with no resolver work and no
  // Cypher, for reading the "+ 3 ms" of the target.
  const floor: number[] = [];
  for (let i = 0; i < FLOOR_WARMUP + FLOOR_REQUESTS; i++) {
    const t0 = now();
    await typenameRequest(url);
    if (i >= FLOOR_WARMUP) floor.push(now() - t0);
  }

  out(
    `measured: ${reps} runs per target and side after ${warmup + 1} unmeasured passes (the first one checks); one request at a time, sides in rotating order`,
  );
  out();
  const byKind = KINDS.map((kind) => {
    const ts = targets.filter((t) => t.kind === kind);
    return { kind, ts, spread: latency(ts.filter((t) => !t.worst)), all: latency(ts) };
  });
  for (const [title, pick] of [
    [
      'latency per kind, the spread (worst cases left out):',
      (k: (typeof byKind)[number]) => k.spread,
    ],
    [
      'latency per kind, all targets (the worst cases included):',
      (k: (typeof byKind)[number]) => k.all,
    ],
  ] as const) {
    out(title);
    for (const line of table(
      [
        '',
        'samples',
        'raw p50',
        'raw p95',
        'service p50',
        'service p95',
        'GraphQL p50',
        'GraphQL p95',
        'GraphQL/raw p95',
        'GraphQL - raw p95',
      ],
      byKind.map((k) => {
        const l = pick(k);
        return [
          KIND_NAME[k.kind],
          String(l.samples),
          fmt.ms(l.raw.p50),
          fmt.ms(l.raw.p95),
          fmt.ms(l.service.p50),
          fmt.ms(l.service.p95),
          fmt.ms(l.graphql.p50),
          fmt.ms(l.graphql.p95),
          fmt.ratio(l.graphql.p95 / l.raw.p95),
          `${(l.graphql.p95 - l.raw.p95).toFixed(1)} ms`,
        ];
      }),
    )) {
      out(`  ${line}`);
    }
    out();
  }
  out(
    `GraphQL floor: POST { __typename } (no resolver, no Cypher), ${FLOOR_REQUESTS} requests: p50 ${fmt.ms(p(floor, 50))}, p95 ${fmt.ms(p(floor, 95))}`,
  );
  out();
  out('what the queries touch (from the check pass):');
  for (const line of table(
    [
      '',
      'statements (raw = service)',
      'GraphQL cypherQueries',
      'affected products',
      'lines',
      'response KiB',
    ],
    byKind.map((s) => [
      KIND_NAME[s.kind],
      range(s.ts.map((t) => t.plan.reduce((n, step) => n + step.length, 0))),
      range(s.ts.map((t) => t.cypherQueries)),
      range(s.ts.map((t) => t.products)),
      range(s.ts.map((t) => t.lines)),
      range(s.ts.map((t) => Math.round(t.bytes / 1024))),
    ]),
  )) {
    out(`  ${line}`);
  }
  out();
  out('raw time per statement (every measured raw run):');
  for (const line of table(
    ['', 'runs', 'p50', 'p95', 'max'],
    [...STATEMENTS.values()].flatMap((name) => {
      const xs = statementTimes.get(name) ?? [];
      return xs.length === 0
        ? []
        : [[name, String(xs.length), fmt.ms(p(xs, 50)), fmt.ms(p(xs, 95)), fmt.ms(p(xs, 100))]];
    }),
  )) {
    out(`  ${line}`);
  }
  out();
  out('worst cases (p50 / max of their runs):');
  for (const line of table(
    ['', 'products', 'lines', 'statements', 'raw', 'service', 'GraphQL', 'why'],
    targets
      .filter((t) => t.worst)
      .map((t) => [
        t.label,
        String(t.products),
        String(t.lines),
        t.plan.map((step) => step.map((s) => s.name).join(' + ')).join(' -> '),
        `${fmt.ms(p(t.samples.raw, 50))} / ${fmt.ms(p(t.samples.raw, 100))}`,
        `${fmt.ms(p(t.samples.service, 50))} / ${fmt.ms(p(t.samples.service, 100))}`,
        `${fmt.ms(p(t.samples.graphql, 50))} / ${fmt.ms(p(t.samples.graphql, 100))}`,
        t.worst ?? '',
      ]),
  )) {
    out(`  ${line}`);
  }
  out();
  out('targets: GraphQL p95 <= 100 ms; GraphQL p95 <= 1.2 x raw p95 + 3 ms');
  for (const k of byKind) {
    for (const [which, l] of [
      ['spread', k.spread],
      ['all', k.all],
    ] as const) {
      const bound = 1.2 * l.raw.p95 + 3;
      out(
        `  ${`${KIND_NAME[k.kind]}, ${which}:`.padEnd(24)} GraphQL p95 ${fmt.ms(l.graphql.p95)}: <= 100 ms ${l.graphql.p95 <= 100 ? 'met' : 'MISSED'};` +
          ` <= ${fmt.ms(bound)} ${l.graphql.p95 <= bound ? 'met' : 'MISSED'}` +
          ` (raw p95 ${fmt.ms(l.raw.p95)}, service p95 ${fmt.ms(l.service.p95)})`,
      );
    }
  }
  out();
  out(
    `check: raw, service and GraphQL found the same affected product counts for all ${targets.length} targets: ${mismatches.length === 0 ? 'OK' : 'FAILED'}`,
  );
  if (mismatches.length > 0) {
    throw new BenchError(`affected product counts differ:\n  ${mismatches.join('\n  ')}`);
  }
  if (targets.every((t) => t.products === 0))
    throw new BenchError('no target affected any product');
});
