/**
 * Import benchmark: the generated scale network (~2,000 twins per factory, 50 factories by
 * default) through `importDocument` into an empty database, against a baseline measured in the
 * same run: the same rows written by bare `UNWIND ... CREATE` statements (no validation, no
 * MERGE) into a wiped database. Then the same document again (idempotent upsert) and validation
 * alone.
 *
 *   npm run build && node dist/bench/import.js [--factories 50] [--rounds 3] [--warmup-rounds 1]
 *                                              [--seed 1] [--validate-runs 3] [--wipe]
 *
 * Without NEO4J_URI a throwaway local Neo4j (heap 2g, page cache 512m) is started and deleted.
 */
import './production';
import 'reflect-metadata';
import type { Driver } from 'neo4j-driver';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Graph, Params, Row, Tx } from '../src/graph/executor';
import { generateDocument } from '../src/seeds/generate';
import { twinsPerKind, type SeedDocument } from '../src/seeds/document';
import { importDocument, twinCount } from '../src/twins/import/service';
import { validateDocument } from '../src/twins/import/validate';
import { BATCH_SIZE } from '../src/twins/import/writer';
import {
  BenchError,
  connectDriver,
  describeStats,
  fmt,
  graphStats,
  intFlag,
  median,
  note,
  now,
  openBenchGraph,
  out,
  runBench,
  sameStats,
  table,
  timed,
  wipeTwins,
  type GraphStats,
} from './lib';

const USAGE = `Usage: node dist/bench/import.js [options]
  --factories N          factories in the generated document (default 50, ~2,000 twins each)
  --seed N               generator seed (default 1)
  --rounds N             measured rounds (baseline, import, re-import); medians reported (default 3)
  --warmup-rounds N      full-size rounds run first and not reported (default 1)
  --validate-runs N      validation-only repetitions, the median is reported (default 3)
  --wipe                 with NEO4J_URI: delete the twins already stored there first`;

/** Time spent per section (and per phase) by one import. */
interface Timing {
  totalMs: number;
  /** Section name → rows written and milliseconds spent in its statements. */
  sections: Map<string, { rows: number; ms: number; statements: number }>;
  /** Phases outside the section writes: reads of known ids, validation, commit, ... */
  phases: Map<string, number>;
  statements: number;
}

function emptyTiming(): Timing {
  return { totalMs: 0, sections: new Map(), phases: new Map(), statements: 0 };
}

function addSection(t: Timing, name: string, rows: number, ms: number): void {
  const s = t.sections.get(name) ?? { rows: 0, ms: 0, statements: 0 };
  s.rows += rows;
  s.ms += ms;
  s.statements += 1;
  t.sections.set(name, s);
}

/**
 * A view of `graph` that times each statement `importDocument` sends in its transaction, without
 * changing what is sent. Writer statements start with `UNWIND $rows`; the others are the reads
 * of ids already stored (`knownIds`).
 */
function observed(
  graph: Graph,
  onStatement: (kind: 'read' | 'write', start: number, end: number) => void,
): Graph {
  return new Proxy(graph, {
    get(target, prop, receiver) {
      if (prop !== 'transaction') return Reflect.get(target, prop, receiver) as unknown;
      return <T>(mode: 'READ' | 'WRITE', work: (tx: Tx) => Promise<T>): Promise<T> =>
        target.transaction(mode, (tx) =>
          work({
            async run(cypher: string, params?: Params): Promise<Row[]> {
              const start = now();
              const rows = await tx.run(cypher, params);
              onStatement(
                cypher.trimStart().startsWith('UNWIND $rows') ? 'write' : 'read',
                start,
                now(),
              );
              return rows;
            },
          }),
        );
    },
  });
}

/** importDocument with a breakdown: open → known-id reads → validation → section writes → commit. */
async function timedImport(graph: Graph, doc: unknown): Promise<{ timing: Timing; twins: number }> {
  const timing = emptyTiming();
  const t0 = now();
  let firstStart: number | undefined;
  let lastReadEnd: number | undefined;
  let firstWriteStart: number | undefined;
  let lastEnd = t0;
  let lastWriteMs = 0;
  let reads = 0;
  let readMs = 0;
  const probe = observed(graph, (kind, start, end) => {
    timing.statements += 1;
    firstStart ??= start;
    lastEnd = end;
    if (kind === 'read') {
      reads += 1;
      readMs += end - start;
      lastReadEnd = end;
    } else {
      firstWriteStart ??= start;
      lastWriteMs = end - start;
    }
  });
  const written = new Map<string, number>();
  const summary = await importDocument(probe, doc, (p) => {
    // Called right after each write statement: it names the section of that statement.
    addSection(timing, p.section, p.written - (written.get(p.section) ?? 0), lastWriteMs);
    written.set(p.section, p.written);
  });
  const end = now();
  timing.totalMs = end - t0;
  timing.phases.set('open transaction', (firstStart ?? end) - t0);
  timing.phases.set(`knownIds reads (${reads} statements)`, readMs);
  if (firstWriteStart !== undefined) {
    timing.phases.set(
      'validateDocument (in the transaction)',
      firstWriteStart - (lastReadEnd ?? firstWriteStart),
    );
  }
  timing.phases.set('commit + close', end - lastEnd);
  return { timing, twins: summary.twins };
}

/** The writer's sections as bare CREATE statements: same rows, same properties, no checks. */
interface BaselineStep {
  name: string;
  rows: (doc: SeedDocument) => readonly object[];
  cypher: string;
}

const BASELINE: BaselineStep[] = [
  {
    name: 'factories',
    rows: (d) => d.factories,
    cypher: `UNWIND $rows AS r
      CREATE (:Factory {id: r.id, name: r.name, country: r.country, timezone: r.timezone, lat: r.lat, lon: r.lon})`,
  },
  {
    name: 'lines',
    rows: (d) => d.lines,
    cypher: `UNWIND $rows AS r
      MATCH (f:Factory {id: r.factoryId})
      CREATE (f)-[:HAS_LINE]->(:Line {id: r.id, name: r.name, shiftsPerDay: r.shiftsPerDay, hoursPerShift: r.hoursPerShift})`,
  },
  {
    name: 'assets',
    rows: (d) => d.assets.map(({ metrics: _metrics, ...asset }) => asset),
    cypher: `UNWIND $rows AS r
      MATCH (l:Line {id: r.lineId})
      CREATE (l)-[:HAS_ASSET]->(:Asset {id: r.id, name: r.name, kind: r.kind, status: r.status,
        ratePerHour: r.ratePerHour, mtbfHours: r.mtbfHours, mttrHours: r.mttrHours})`,
  },
  {
    name: 'metrics',
    rows: (d) => d.assets.flatMap((a) => a.metrics.map((m) => ({ ...m, assetId: a.id }))),
    cypher: `UNWIND $rows AS r
      MATCH (a:Asset {id: r.assetId})
      CREATE (a)-[:HAS_METRIC]->(:Metric {id: r.assetId + '/' + r.name, name: r.name, unit: r.unit, min: r.min, max: r.max})`,
  },
  {
    name: 'flows',
    rows: (d) => d.flows,
    cypher: `UNWIND $rows AS r
      MATCH (a:Asset {id: r.from}), (b:Asset {id: r.to})
      CREATE (a)-[:FEEDS]->(b)`,
  },
  {
    name: 'products',
    rows: (d) => d.products,
    cypher: `UNWIND $rows AS r
      CREATE (:Product {id: r.id, sku: r.sku, name: r.name, unitCost: r.unitCost, unitPrice: r.unitPrice})`,
  },
  {
    name: 'bom',
    rows: (d) => d.bom,
    cypher: `UNWIND $rows AS r
      MATCH (p:Product {id: r.parentId}), (c:Product {id: r.componentId})
      CREATE (p)-[:REQUIRES {quantity: r.quantity}]->(c)`,
  },
  {
    name: 'production',
    rows: (d) => d.production,
    cypher: `UNWIND $rows AS r
      MATCH (l:Line {id: r.lineId}), (p:Product {id: r.productId})
      CREATE (l)-[:PRODUCES {ratePerHour: r.ratePerHour}]->(p)`,
  },
  {
    name: 'suppliers',
    rows: (d) => d.suppliers,
    cypher: `UNWIND $rows AS r
      CREATE (:Supplier {id: r.id, name: r.name, country: r.country})`,
  },
  {
    name: 'supplies',
    rows: (d) => d.supplies,
    cypher: `UNWIND $rows AS r
      MATCH (s:Supplier {id: r.supplierId}), (p:Product {id: r.productId})
      CREATE (s)-[:SUPPLIES {leadTimeDays: r.leadTimeDays, unitCost: r.unitCost}]->(p)`,
  },
  {
    name: 'inventory',
    rows: (d) => d.inventory,
    cypher: `UNWIND $rows AS r
      MATCH (f:Factory {id: r.factoryId}), (p:Product {id: r.productId})
      CREATE (f)-[:STOCKS {quantity: r.quantity, safetyStock: r.safetyStock}]->(p)`,
  },
  {
    name: 'shipments',
    rows: (d) => d.shipments,
    cypher: `UNWIND $rows AS r
      MATCH (s:Supplier {id: r.supplierId}), (f:Factory {id: r.factoryId}), (p:Product {id: r.productId})
      CREATE (n:Shipment {id: r.id, status: r.status, quantity: r.quantity, departedAt: r.departedAt, eta: r.eta}),
             (n)-[:FROM]->(s), (n)-[:TO]->(f), (n)-[:CARRIES]->(p)`,
  },
  {
    name: 'orders',
    rows: (d) => d.orders,
    cypher: `UNWIND $rows AS r
      MATCH (f:Factory {id: r.factoryId}), (p:Product {id: r.productId})
      CREATE (n:Order {id: r.id, customer: r.customer, quantity: r.quantity, dueDate: r.dueDate, status: r.status}),
             (n)-[:AT]->(f), (n)-[:FOR]->(p)`,
  },
];

/** The baseline: one write transaction, the same batch size as the writer, nothing else. */
async function baselineImport(
  driver: Driver,
  database: string,
  doc: SeedDocument,
): Promise<Timing> {
  const timing = emptyTiming();
  const t0 = now();
  let lastEnd = t0;
  let firstStart: number | undefined;
  const session = driver.session({ database, defaultAccessMode: 'WRITE' });
  try {
    await session.executeWrite(async (tx) => {
      for (const step of BASELINE) {
        const rows = step.rows(doc);
        for (let i = 0; i < rows.length; i += BATCH_SIZE) {
          const batch = rows.slice(i, i + BATCH_SIZE);
          const start = now();
          firstStart ??= start;
          await tx.run(step.cypher, { rows: batch });
          lastEnd = now();
          timing.statements += 1;
          addSection(timing, step.name, batch.length, lastEnd - start);
        }
      }
    });
  } finally {
    await session.close();
  }
  const end = now();
  timing.totalMs = end - t0;
  timing.phases.set('open transaction', (firstStart ?? end) - t0);
  timing.phases.set('commit + close', end - lastEnd);
  return timing;
}

function documentSummary(doc: SeedDocument): { twins: number; relRows: number; text: string } {
  const { metrics, total: twins } = twinsPerKind(doc);
  const relRows =
    doc.flows.length +
    doc.bom.length +
    doc.production.length +
    doc.supplies.length +
    doc.inventory.length;
  const parts = Object.entries({ ...doc, metrics })
    .map(([k, v]) => `${k} ${fmt.int(Array.isArray(v) ? v.length : Number(v))}`)
    .join(', ');
  return { twins, relRows, text: parts };
}

function sectionTable(ours: Timing, base: Timing): string[] {
  const rows: string[][] = [];
  for (const step of BASELINE) {
    const o = ours.sections.get(step.name);
    const b = base.sections.get(step.name);
    if (!o && !b) continue;
    rows.push([
      step.name,
      fmt.int(o?.rows ?? b?.rows ?? 0),
      o ? fmt.ms(o.ms) : '-',
      b ? fmt.ms(b.ms) : '-',
      o && b && b.ms > 0 ? fmt.ratio(o.ms / b.ms) : '-',
    ]);
  }
  const phaseNames = [...new Set([...ours.phases.keys(), ...base.phases.keys()])];
  for (const name of phaseNames) {
    const o = ours.phases.get(name);
    const b = base.phases.get(name);
    rows.push([
      `  ${name}`,
      '',
      o === undefined ? '-' : fmt.ms(o),
      b === undefined ? '-' : fmt.ms(b),
      '',
    ]);
  }
  rows.push([
    'total',
    '',
    fmt.ms(ours.totalMs),
    fmt.ms(base.totalMs),
    fmt.ratio(ours.totalMs / base.totalMs),
  ]);
  return table(['section', 'rows', 'importDocument', 'baseline', 'ratio'], rows);
}

function check(label: string, ok: boolean, detail: string, failures: string[]): void {
  out(`check: ${label}: ${ok ? 'OK' : 'FAILED'} (${detail})`);
  if (!ok) failures.push(`${label}: ${detail}`);
}

interface Round {
  base: Timing;
  first: Timing;
  second: Timing;
  baseStats: GraphStats;
  firstStats: GraphStats;
  secondStats: GraphStats;
  twins: number;
}

/** Wipes, then waits a moment so Neo4j's clean-up after the delete overlaps less with a timing. */
async function wipeAndSettle(graph: Graph): Promise<void> {
  await wipeTwins(graph);
  const left = await graphStats(graph);
  if (left.nodes !== 0) throw new BenchError(`wiping the twins left ${left.nodes} nodes`);
  await sleep(SETTLE_MS);
}

const SETTLE_MS = 1000;

/**
 * One round: the baseline into an empty graph, and importDocument into an empty graph then again.
 * Odd rounds run the baseline first, even rounds importDocument first, so that neither side
 * always follows the same thing (a wipe of the other's graph, the JVM's state).
 */
async function round(
  graph: Graph,
  driver: Driver,
  database: string,
  doc: SeedDocument,
  baselineFirst: boolean,
): Promise<Round> {
  const runBaseline = async () => {
    await wipeAndSettle(graph);
    note('baseline: bare UNWIND ... CREATE into the empty database');
    const base = await baselineImport(driver, database, doc);
    return { base, baseStats: await graphStats(graph) };
  };
  const runOurs = async () => {
    await wipeAndSettle(graph);
    note('importDocument into the empty database');
    const first = await timedImport(graph, doc);
    const firstStats = await graphStats(graph);
    await sleep(SETTLE_MS);
    note('importDocument again (idempotent upsert)');
    const second = await timedImport(graph, doc);
    const secondStats = await graphStats(graph);
    return { first, firstStats, second, secondStats };
  };
  let b;
  let o;
  if (baselineFirst) {
    b = await runBaseline();
    o = await runOurs();
  } else {
    o = await runOurs();
    b = await runBaseline();
  }
  return {
    base: b.base,
    baseStats: b.baseStats,
    first: o.first.timing,
    firstStats: o.firstStats,
    second: o.second.timing,
    secondStats: o.secondStats,
    twins: o.first.twins,
  };
}

runBench('bench/import', async (defer) => {
  const { values } = parseArgs({
    options: {
      factories: { type: 'string' },
      seed: { type: 'string' },
      rounds: { type: 'string' },
      'warmup-rounds': { type: 'string' },
      'validate-runs': { type: 'string' },
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
  const rounds = intFlag('rounds', values.rounds, 3);
  const warmupRounds = intFlag('warmup-rounds', values['warmup-rounds'], 1, 0);
  const validateRuns = intFlag('validate-runs', values['validate-runs'], 3);

  const generated = await timed(async () => generateDocument({ factories, seed }));
  const doc = generated.value;
  const docInfo = documentSummary(doc);

  const { db, graph } = await openBenchGraph(defer, values.wipe);
  const driver = connectDriver(db);
  defer(() => driver.close());

  out(`== import benchmark: ${factories} factories, seed ${seed} ==`);
  out(
    `document: ${fmt.int(docInfo.twins)} twins + ${fmt.int(docInfo.relRows)} relationship rows (${docInfo.text})`,
  );
  out(
    `generated in ${fmt.s(generated.ms)}; Neo4j: ${db.source === 'launcher' ? 'throwaway local 5.26, heap 2g, page cache 512m' : db.uri}`,
  );
  out(`batch size ${BATCH_SIZE} rows per statement, one transaction per import (both sides)`);
  out();

  // Validation alone: pure, no database.
  const validations: number[] = [];
  let validatedTwins = 0;
  for (let i = 0; i < validateRuns; i++) {
    const v = await timed(async () => validateDocument(doc));
    if (!v.value.ok) {
      throw new BenchError(
        `the generated document does not validate: ${v.value.problems
          .slice(0, 3)
          .map((p) => `${p.path}: ${p.message}`)
          .join('; ')}`,
      );
    }
    validatedTwins = twinCount(v.value.doc);
    validations.push(v.ms);
  }
  const validateMs = median(validations);
  out(
    `validation only (validateDocument, no database, median of ${validateRuns}): ${fmt.s(validateMs)}` +
      ` = ${fmt.rate(validatedTwins / (validateMs / 1000))} twins/s` +
      ` (runs: ${validations.map((ms) => fmt.s(ms)).join(', ')})`,
  );

  // The first full-size round runs while the JVM still grows its heap and compiles: unmeasured.
  for (let r = 1; r <= warmupRounds; r++) {
    note(`warm-up round ${r} of ${warmupRounds} (full size, not measured)`);
    await round(graph, driver, db.database, doc, true);
  }
  const results: Round[] = [];
  for (let r = 1; r <= rounds; r++) {
    note(`round ${r} of ${rounds}`);
    results.push(await round(graph, driver, db.database, doc, r % 2 === 1));
  }

  // The round with the median first-import time is shown in detail.
  const byFirst = [...results].sort((a, b) => a.first.totalMs - b.first.totalMs);
  const shown = byFirst[Math.floor((byFirst.length - 1) / 2)];
  if (!shown) throw new BenchError('no round ran');
  const twins = shown.twins;
  const rate = (ms: number) => fmt.rate(twins / (ms / 1000));
  const med = (pick: (r: Round) => number) => median(results.map(pick));
  const firstMs = med((r) => r.first.totalMs);
  const baseMs = med((r) => r.base.totalMs);
  const secondMs = med((r) => r.second.totalMs);
  const ratio = med((r) => r.first.totalMs / r.base.totalMs);
  const of = rounds > 1 ? ` (median of ${rounds} rounds)` : '';

  out();
  out(`first import vs baseline, per section${rounds > 1 ? ' (the median round)' : ''}:`);
  for (const line of sectionTable(shown.first, shown.base)) out(`  ${line}`);
  out();
  out(`re-import of the same document vs baseline, per section:`);
  for (const line of sectionTable(shown.second, shown.base)) out(`  ${line}`);
  out();
  out(`summary${of}:`);
  out(
    `  first import  (importDocument, empty database):   ${fmt.s(firstMs)}, ${rate(firstMs)} twins/s, ${shown.first.statements} statements`,
  );
  out(
    `  baseline      (UNWIND ... CREATE, no validation): ${fmt.s(baseMs)}, ${rate(baseMs)} twins/s, ${shown.base.statements} statements`,
  );
  out(`  ratio         (importDocument / baseline time):   ${fmt.ratio(ratio)}`);
  out(
    `  re-import     (same document, idempotent upsert): ${fmt.s(secondMs)}, ${rate(secondMs)} twins/s` +
      ` (${fmt.ratio(secondMs / firstMs)} the first import, ${fmt.ratio(secondMs / baseMs)} the baseline)`,
  );
  out(
    `  validation    (validateDocument alone):           ${fmt.s(validateMs)}, ${rate(validateMs)} twins/s` +
      ` (${((validateMs / firstMs) * 100).toFixed(0)}% of the first import)`,
  );
  if (rounds > 1) {
    const list = (pick: (r: Round) => number) =>
      results.map((r) => (pick(r) / 1000).toFixed(2)).join(' / ');
    out(
      `  per round (s): first ${list((r) => r.first.totalMs)}; baseline ${list((r) => r.base.totalMs)}; re-import ${list((r) => r.second.totalMs)}`,
    );
    out(
      `  per round ratio: ${results.map((r) => fmt.ratio(r.first.totalMs / r.base.totalMs)).join(' / ')} (odd rounds: baseline first, even: importDocument first)`,
    );
  }
  out();

  const failures: string[] = [];
  for (const [i, r] of results.entries()) {
    const tag = rounds > 1 ? ` [round ${i + 1}]` : '';
    check(
      `first import wrote one node per twin${tag}`,
      r.firstStats.nodes === r.twins,
      `${fmt.int(r.firstStats.nodes)} nodes, ${fmt.int(r.twins)} twins`,
      failures,
    );
    check(
      `baseline wrote the same graph as importDocument${tag}`,
      sameStats(r.baseStats, r.firstStats),
      `baseline: ${describeStats(r.baseStats)}; importDocument: ${describeStats(r.firstStats)}`,
      failures,
    );
    check(
      `re-import left the node count unchanged${tag}`,
      r.secondStats.nodes === r.firstStats.nodes,
      `${fmt.int(r.firstStats.nodes)} -> ${fmt.int(r.secondStats.nodes)} nodes`,
      failures,
    );
    check(
      `re-import left relationships and properties unchanged${tag}`,
      sameStats(r.firstStats, r.secondStats),
      describeStats(r.secondStats),
      failures,
    );
  }
  if (failures.length > 0) {
    throw new BenchError(`${failures.length} check(s) failed: ${failures.join('; ')}`);
  }
});
