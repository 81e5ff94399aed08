/**
 * Snapshot benchmark: `loadSnapshot` (src/simulation/snapshot.load.ts), the one read every
 * simulation starts with, on the generated network: the whole network and a few factories, the
 * first load of each (Neo4j plans the statement then) and the following ones.
 *
 *   npm run build && node dist/bench/snapshot.js [--factories 50] [--seed 1] [--reps 20]
 *     [--warmup 5] [--wipe]
 *
 * Without NEO4J_URI a throwaway local Neo4j (heap 2g, page cache 512m) is started and deleted.
 */
import './production';
import 'reflect-metadata';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Graph } from '../src/graph/executor';
import type { Snapshot } from '../src/simulation/model';
import { loadSnapshot } from '../src/simulation/snapshot.load';
import { twinsPerKind } from '../src/seeds/document';
import { generateDocument } from '../src/seeds/generate';
import { importDocument } from '../src/twins/import/service';
import {
  fmt,
  intFlag,
  median,
  note,
  openBenchGraph,
  out,
  percentile,
  runBench,
  table,
  timed,
} from './lib';

const USAGE = `Usage: node dist/bench/snapshot.js [options]
  --factories N   factories in the generated graph (default 50, ~2,000 twins each)
  --seed N        generator seed (default 1)
  --reps N        measured loads per scope (default 20)
  --warmup N      unmeasured loads per scope after the first, before the measured ones (default 5)
  --wipe          with NEO4J_URI: delete the twins already stored there first`;

interface Scope {
  name: string;
  factoryIds: string[] | null;
}

function size(s: Snapshot): string {
  const stations = s.lines.reduce((n, l) => n + l.stations.length, 0);
  return [
    `${s.factories.length} factories`,
    `${s.lines.length} lines`,
    `${stations} stations`,
    `${s.products.length} products`,
    `${s.bom.length} BOM links`,
    `${s.stock.length} stock rows`,
    `${s.shipments.length} shipments`,
    `${s.orders.length} open orders`,
  ].join(', ');
}

async function measure(
  graph: Graph,
  scope: Scope,
  reps: number,
  warmup: number,
): Promise<string[]> {
  // the first load of a scope plans the statement (once per parameter type: null or a list)
  const first = await timed(() => loadSnapshot(graph, scope.factoryIds));
  note(`${scope.name}: ${size(first.value)}, ${fmt.int(JSON.stringify(first.value).length)} B`);
  for (let i = 0; i < warmup; i++) await loadSnapshot(graph, scope.factoryIds);
  const times: number[] = [];
  for (let i = 0; i < reps; i++)
    times.push((await timed(() => loadSnapshot(graph, scope.factoryIds))).ms);
  const sorted = [...times].sort((a, b) => a - b);
  return [
    scope.name,
    fmt.ms(first.ms),
    fmt.ms(median(times)),
    fmt.ms(percentile(sorted, 95)),
    fmt.ms(sorted[sorted.length - 1] ?? Number.NaN),
  ];
}

runBench('snapshot', async (defer) => {
  const { values } = parseArgs({
    options: {
      factories: { type: 'string' },
      seed: { type: 'string' },
      reps: { type: 'string' },
      warmup: { type: 'string' },
      wipe: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out(USAGE);
    return;
  }
  const factories = intFlag('factories', values.factories, 50);
  const seed = intFlag('seed', values.seed, 1, 0);
  const reps = intFlag('reps', values.reps, 20);
  const warmup = intFlag('warmup', values.warmup, 5, 0);

  const { graph } = await openBenchGraph(defer, values.wipe);
  const doc = generateDocument({ factories, seed });
  const counts = twinsPerKind(doc);
  note(`importing the generated graph (${factories} factories, ${fmt.int(counts.total)} twins)`);
  const imported = await timed(() => importDocument(graph, doc));
  note(`imported in ${fmt.s(imported.ms)}`);

  const ids = doc.factories.map((f) => f.id);
  const scopes: Scope[] = [
    { name: 'every factory', factoryIds: null },
    { name: '2 factories', factoryIds: ids.slice(0, 2) },
    { name: '1 factory', factoryIds: ids.slice(-1) },
  ];
  const rows: string[][] = [];
  for (const scope of scopes) rows.push(await measure(graph, scope, reps, warmup));

  out(`loadSnapshot on the generated network: ${factories} factories, seed ${seed}`);
  out(
    `${fmt.int(counts.total)} twins (${fmt.int(counts.lines)} lines, ${fmt.int(counts.assets)} assets, ` +
      `${fmt.int(counts.products)} products, ${fmt.int(counts.suppliers)} suppliers, ` +
      `${fmt.int(counts.shipments)} shipments, ${fmt.int(counts.orders)} orders)`,
  );
  out(
    `${reps} loads per scope after the first and ${warmup} more; ` +
      `load average ${loadavg()[0]?.toFixed(1) ?? '?'} on ${availableParallelism()} CPUs`,
  );
  out();
  for (const line of table(['scope', 'first', 'median', 'p95', 'max'], rows)) out(line);
});
