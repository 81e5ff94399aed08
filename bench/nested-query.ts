/**
 * Nested-query benchmark: a factories → lines → assets → metrics list query against the real API
 * server over HTTP, against a baseline measured in the same run: the same tree fetched by one
 * hand-written Cypher query (nested COLLECT subqueries) through the neo4j-driver, in the same loop
 * (fixed request count, time cap, fixed concurrency).
 *
 *   npm run build && node dist/bench/nested-query.js [--factories 10] [--first 10] [--requests 200]
 *     [--seconds 30] [--concurrency 4] [--warmup 20] [--rounds 1] [--wipe]
 *
 * Without NEO4J_URI a throwaway local Neo4j (heap 2g, page cache 512m) is started and deleted.
 */
import './production';
import 'reflect-metadata';
import type { Driver } from 'neo4j-driver';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { startRuntime } from '../src/runtime';
import { generateDocument } from '../src/seeds/generate';
import { importDocument } from '../src/twins/import/service';
import {
  BenchError,
  connectDriver,
  fmt,
  intFlag,
  loadLoop,
  median,
  neo4jSettings,
  note,
  openBenchGraph,
  out,
  percentile,
  runBench,
  table,
  timed,
  type LoopResult,
} from './lib';

const USAGE = `Usage: node dist/bench/nested-query.js [options]
  --factories N     factories in the generated graph (default 10, ~2,000 twins each)
  --first N         factories per request: factories(first: N) (default 10)
  --requests N      measured requests per side (default 200)
  --seconds N       time cap per side; no request starts after it (default 30)
  --concurrency N   requests in flight (default 4)
  --warmup N        unmeasured requests per side first (default 20)
  --rounds N        GraphQL then Cypher, N times; medians reported (default 1)
  --seed N          generator seed (default 1)
  --no-js           skip the side on graphql-js alone (GRAPHQL_JIT=false)
  --wipe            with NEO4J_URI: delete the twins already stored there first`;

const QUERY = `query NestedBench($first: Int!) {
  factories(first: $first) {
    edges { node { id lines { id assets { id status metrics { name value } } } } }
  }
}`;

/**
 * The same tree in one statement: each level ordered by id, as the API's loaders order it
 * (metric ids are `${assetId}/${name}`, so by id is by name within an asset).
 */
const CYPHER = `MATCH (f:Factory)
WITH f ORDER BY f.id LIMIT toInteger($first)
RETURN f.id AS id, COLLECT {
  MATCH (f)-[:HAS_LINE]->(l:Line)
  WITH l ORDER BY l.id
  RETURN l { .id, assets: COLLECT {
    MATCH (l)-[:HAS_ASSET]->(a:Asset)
    WITH a ORDER BY a.id
    RETURN a { .id, .status, metrics: COLLECT {
      MATCH (a)-[:HAS_METRIC]->(m:Metric)
      WITH m ORDER BY m.id
      RETURN m { .name, .value }
    } }
  } }
} AS lines
ORDER BY id`;

interface MetricOut {
  name: string;
  value: number | null;
}
interface AssetOut {
  id: string;
  status: string;
  metrics: MetricOut[];
}
interface LineOut {
  id: string;
  assets: AssetOut[];
}
interface FactoryOut {
  id: string;
  lines: LineOut[];
}

// Reading untyped JSON / driver records into the tree, failing loudly on a surprise.
function obj(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BenchError(`expected an object for ${what}, got ${JSON.stringify(value)}`);
  }
  return Object.fromEntries(Object.entries(value));
}
function arr(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new BenchError(`expected a list for ${what}, got ${JSON.stringify(value)}`);
  }
  return value;
}
function text(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new BenchError(`expected a string for ${what}, got ${JSON.stringify(value)}`);
  }
  return value;
}
function numOrNull(value: unknown, what: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number') {
    throw new BenchError(`expected a number for ${what}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function toLines(value: unknown): LineOut[] {
  return arr(value, 'lines').map((l) => {
    const line = obj(l, 'line');
    return {
      id: text(line['id'], 'line.id'),
      assets: arr(line['assets'], 'assets').map((a) => {
        const asset = obj(a, 'asset');
        return {
          id: text(asset['id'], 'asset.id'),
          status: text(asset['status'], 'asset.status'),
          metrics: arr(asset['metrics'], 'metrics').map((m) => {
            const metric = obj(m, 'metric');
            return {
              name: text(metric['name'], 'metric.name'),
              value: numOrNull(metric['value'], 'metric.value'),
            };
          }),
        };
      }),
    };
  });
}

function counts(tree: FactoryOut[]): {
  factories: number;
  lines: number;
  assets: number;
  metrics: number;
} {
  let lines = 0;
  let assets = 0;
  let metrics = 0;
  for (const f of tree) {
    lines += f.lines.length;
    for (const l of f.lines) {
      assets += l.assets.length;
      for (const a of l.assets) metrics += a.metrics.length;
    }
  }
  return { factories: tree.length, lines, assets, metrics };
}

/** One GraphQL request over HTTP: the tree, the Cypher round trips it cost, the body size. */
async function graphqlRequest(
  url: string,
  first: number,
): Promise<{ tree: FactoryOut[]; cypherQueries: number; bytes: number }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: QUERY, variables: { first } }),
  });
  const body = await res.text();
  if (!res.ok) throw new BenchError(`GraphQL answered HTTP ${res.status}: ${body.slice(0, 500)}`);
  const json = obj(JSON.parse(body), 'response');
  if (json['errors'] !== undefined) {
    throw new BenchError(`GraphQL errors: ${JSON.stringify(json['errors']).slice(0, 500)}`);
  }
  const data = obj(json['data'], 'data');
  const edges = arr(obj(data['factories'], 'factories')['edges'], 'edges');
  const tree = edges.map((e) => {
    const node = obj(obj(e, 'edge')['node'], 'node');
    return { id: text(node['id'], 'factory.id'), lines: toLines(node['lines']) };
  });
  const extensions = obj(json['extensions'], 'extensions (cypherQueries)');
  const cypherQueries = extensions['cypherQueries'];
  if (typeof cypherQueries !== 'number') {
    throw new BenchError(`extensions.cypherQueries missing: ${JSON.stringify(extensions)}`);
  }
  return { tree, cypherQueries, bytes: Buffer.byteLength(body) };
}

/** The baseline: one statement in one read transaction through the bare driver. */
async function cypherRequest(
  driver: Driver,
  database: string,
  first: number,
): Promise<FactoryOut[]> {
  const session = driver.session({ database, defaultAccessMode: 'READ' });
  try {
    const result = await session.executeRead((tx) => tx.run(CYPHER, { first }));
    return result.records.map((r) => ({
      id: text(r.get('id'), 'factory.id'),
      lines: toLines(r.get('lines')),
    }));
  } finally {
    await session.close();
  }
}

interface Side {
  name: string;
  loops: LoopResult[];
}

function sideRow(side: Side, roundTrips: string): string[] {
  const all = side.loops.flatMap((l) => l.latencies).sort((a, b) => a - b);
  const rps = median(side.loops.map((l) => l.latencies.length / (l.elapsedMs / 1000)));
  return [
    side.name,
    fmt.int(side.loops.reduce((n, l) => n + l.latencies.length, 0)),
    rps.toFixed(1),
    fmt.ms(percentile(all, 50)),
    fmt.ms(percentile(all, 95)),
    roundTrips,
    side.loops.some((l) => l.stoppedBy === 'time') ? 'time cap' : 'count',
  ];
}

function rps(side: Side): number {
  return median(side.loops.map((l) => l.latencies.length / (l.elapsedMs / 1000)));
}

runBench('bench/nested-query', async (defer) => {
  const { values } = parseArgs({
    options: {
      factories: { type: 'string' },
      first: { type: 'string' },
      requests: { type: 'string' },
      seconds: { type: 'string' },
      concurrency: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      seed: { type: 'string' },
      wipe: { type: 'boolean', default: false },
      'no-js': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out(USAGE);
    return;
  }
  const factories = intFlag('factories', values.factories, 10);
  const first = intFlag('first', values.first, 10);
  const requests = intFlag('requests', values.requests, 200);
  const seconds = intFlag('seconds', values.seconds, 30);
  const concurrency = intFlag('concurrency', values.concurrency, 4);
  const warmup = intFlag('warmup', values.warmup, 20, 0);
  const rounds = intFlag('rounds', values.rounds, 1);
  const seed = intFlag('seed', values.seed, 1, 0);

  const { db, graph } = await openBenchGraph(defer, values.wipe);
  const driver = connectDriver(db);
  defer(() => driver.close());

  const doc = generateDocument({ factories, seed });
  note(`importing the generated graph (${factories} factories)`);
  const imported = await timed(() => importDocument(graph, doc));

  // the API as it runs (queries compiled by graphql-jit), and beside it the same API on graphql-js
  // alone (GRAPHQL_JIT=false): what the compiled execution is worth, measured in the same run
  const startApi = (jit: boolean) =>
    startRuntime(
      loadConfig({
        ...process.env,
        ...neo4jSettings(db),
        // the benchmarks measure the work behind a request, not the credential check (bench/README.md)
        AUTH_REQUIRED: 'false',
        RATE_LIMIT_POINTS: '0',
        // the benchmark's tree is 7 levels deep and 19k nodes: over the production limits on purpose
        GRAPHQL_MAX_DEPTH: '10',
        GRAPHQL_MAX_COST: '100000000',
        GRAPHQL_JIT: String(jit),
        PORT: '0',
        HOST: '127.0.0.1',
        MIGRATE_ON_START: 'true',
        MQTT_EMBEDDED_PORT: '0',
        PLAYGROUND: 'false',
      }),
    );
  const runtime = await startApi(true);
  defer(() => runtime.stop());
  const runtimeJs = values['no-js'] ? null : await startApi(false);
  if (runtimeJs) defer(() => runtimeJs.stop());
  const url = `${runtime.app.url}/graphql`;

  out(`== nested query benchmark: ${factories} factories, factories(first: ${first}) ==`);
  out(
    `graph: ${fmt.int(imported.value.twins)} twins imported in ${fmt.s(imported.ms)}; Neo4j: ${db.source === 'launcher' ? 'throwaway local 5.26, heap 2g, page cache 512m' : db.uri}`,
  );
  out(`API: ${url} (startRuntime, same process as the load loop)`);
  out(
    'query: factories(first: N) { edges { node { id lines { id assets { id status metrics { name value } } } } } }',
  );
  out();

  // Correctness first: both sides must return the same tree.
  const g = await graphqlRequest(url, first);
  const c = await cypherRequest(driver, db.database, first);
  const gc = counts(g.tree);
  const cc = counts(c);
  out(
    `response: ${gc.factories} factories, ${fmt.int(gc.lines)} lines, ${fmt.int(gc.assets)} assets, ${fmt.int(gc.metrics)} metrics;` +
      ` ${fmt.int(Math.round(g.bytes / 1024))} KiB of JSON; ${g.cypherQueries} Cypher round trips`,
  );
  const sameCounts = isDeepStrictEqual(gc, cc);
  const sameTree = isDeepStrictEqual(g.tree, c);
  out(
    `check: GraphQL and the single Cypher query return the same numbers of assets/metrics: ${sameCounts ? 'OK' : 'FAILED'}` +
      ` (GraphQL ${fmt.int(gc.assets)} assets / ${fmt.int(gc.metrics)} metrics, Cypher ${fmt.int(cc.assets)} / ${fmt.int(cc.metrics)})`,
  );
  out(`check: ... and the same tree (ids, order, statuses, values): ${sameTree ? 'OK' : 'FAILED'}`);
  if (!sameCounts || !sameTree) throw new BenchError('GraphQL and the Cypher baseline disagree');
  if (gc.assets === 0 || gc.metrics === 0)
    throw new BenchError('the query returned no assets or metrics');

  const roundTrips: number[] = [];
  const callGraphql = async () => {
    const r = await graphqlRequest(url, first);
    roundTrips.push(r.cypherQueries);
  };
  const callCypher = async () => {
    await cypherRequest(driver, db.database, first);
  };
  const urlJs = runtimeJs ? `${runtimeJs.app.url}/graphql` : null;
  const callGraphqlJs = async () => {
    if (urlJs) await graphqlRequest(urlJs, first);
  };
  if (urlJs && !isDeepStrictEqual((await graphqlRequest(urlJs, first)).tree, g.tree)) {
    throw new BenchError('the API on graphql-js and the compiled one disagree');
  }

  if (warmup > 0) {
    note(`warm-up: ${warmup} requests per side`);
    await loadLoop({ requests: warmup, capMs: seconds * 1000, concurrency }, callGraphql);
    if (urlJs)
      await loadLoop({ requests: warmup, capMs: seconds * 1000, concurrency }, callGraphqlJs);
    await loadLoop({ requests: warmup, capMs: seconds * 1000, concurrency }, callCypher);
    roundTrips.length = 0;
  }

  const graphqlSide: Side = { name: 'GraphQL over HTTP', loops: [] };
  const jsSide: Side = { name: 'GraphQL, graphql-js alone', loops: [] };
  const cypherSide: Side = { name: 'one Cypher query (driver)', loops: [] };
  const loop = { requests, capMs: seconds * 1000, concurrency };
  for (let r = 1; r <= rounds; r++) {
    note(`${rounds > 1 ? `round ${r}: ` : ''}GraphQL loop`);
    graphqlSide.loops.push(await loadLoop(loop, callGraphql));
    if (urlJs) {
      note(`${rounds > 1 ? `round ${r}: ` : ''}GraphQL loop, graphql-js alone`);
      jsSide.loops.push(await loadLoop(loop, callGraphqlJs));
    }
    note(`${rounds > 1 ? `round ${r}: ` : ''}Cypher baseline loop`);
    cypherSide.loops.push(await loadLoop(loop, callCypher));
  }

  const trips = [...roundTrips].sort((a, b) => a - b);
  const tripText =
    trips[0] === trips.at(-1)
      ? String(trips[0])
      : `${trips[0]}-${trips.at(-1)} (mean ${(trips.reduce((a, b) => a + b, 0) / trips.length).toFixed(2)})`;
  out();
  out(
    `loop: ${requests} requests or ${seconds} s per side, concurrency ${concurrency}, after ${warmup} warm-up requests per side` +
      (rounds > 1 ? `; ${rounds} rounds, req/s is the median round` : ''),
  );
  for (const line of table(
    ['', 'requests', 'req/s', 'p50', 'p95', 'round trips/request', 'stopped by'],
    [
      sideRow(graphqlSide, tripText),
      ...(urlJs ? [sideRow(jsSide, tripText)] : []),
      sideRow(cypherSide, '1'),
    ],
  )) {
    out(`  ${line}`);
  }
  const gAll = graphqlSide.loops.flatMap((l) => l.latencies).sort((a, b) => a - b);
  const cAll = cypherSide.loops.flatMap((l) => l.latencies).sort((a, b) => a - b);
  out();
  out(`ratio req/s (GraphQL / one Cypher query): ${fmt.ratio(rps(graphqlSide) / rps(cypherSide))}`);
  if (urlJs) {
    out(
      `ratio req/s (GraphQL on graphql-js alone / one Cypher query): ${fmt.ratio(rps(jsSide) / rps(cypherSide))}; ` +
        `compiled / graphql-js: ${fmt.ratio(rps(graphqlSide) / rps(jsSide))}`,
    );
  }
  out(
    `ratio p50 latency (GraphQL / one Cypher query): ${fmt.ratio(percentile(gAll, 50) / percentile(cAll, 50))}`,
  );
});
