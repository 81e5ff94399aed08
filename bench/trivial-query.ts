/**
 * The cost of a trivial query: `{ __typename }` and a one-twin query (`factory(id) { id name }`)
 * through the real server over HTTP, beside bare graphql-js on node:http in the same run (the
 * same two queries; the one-twin resolver reads the factory through the bare driver). The ratio
 * ours / bare is what the server's stack (Express, Apollo Server, limits, auth, context,
 * DataLoaders, metrics) costs per request.
 *
 *   npm run build && node dist/bench/trivial-query.js [--requests 3000] [--seconds 20]
 *     [--concurrency 8] [--warmup 200] [--wipe]
 *
 * Without NEO4J_URI a throwaway local Neo4j (heap 2g, page cache 512m) is started and deleted.
 */
import './production';
import 'reflect-metadata';
import { Agent, createServer, type IncomingMessage, request, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { buildSchema, graphql } from 'graphql';
import type { Driver } from 'neo4j-driver';
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
  type LoopResult,
  median,
  neo4jSettings,
  note,
  openBenchGraph,
  out,
  percentile,
  runBench,
  table,
} from './lib';

const USAGE = `Usage: node dist/bench/trivial-query.js [options]
  --requests N     requests per side and query (default 3000)
  --seconds N      at most this long per side and query (default 20)
  --concurrency N  requests in flight (default 8)
  --warmup N       unmeasured requests per side first (default 200)
  --wipe           with NEO4J_URI: delete the twins already stored there first`;

const TYPENAME = '{ __typename }';
const ONE_TWIN = 'query One($id: ID!) { factory(id: $id) { id name } }';

/** The bare baseline: graphql-js on node:http, one factory read through the driver. */
function bareServer(driver: Driver, database: string): Promise<Server> {
  const schema = buildSchema(
    'type Factory { id: ID! name: String } type Query { factory(id: ID!): Factory }',
  );
  const root = {
    factory: async ({ id }: { id: string }) => {
      const session = driver.session({ database, defaultAccessMode: 'READ' });
      try {
        const r = await session.executeRead((tx) =>
          tx.run('MATCH (f:Factory {id: $id}) RETURN f {.id, .name} AS f', { id }),
        );
        const f: unknown = r.records[0]?.get('f');
        return f ?? null;
      } finally {
        await session.close();
      }
    },
  };
  const server = createServer((req, res) => {
    void body(req).then(async (text) => {
      const parsed: unknown = JSON.parse(text);
      const { query, variables } = bodyOf(parsed);
      const result = await graphql({
        schema,
        source: query,
        rootValue: root,
        variableValues: variables,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function bodyOf(v: unknown): { query: string; variables: Record<string, unknown> } {
  if (typeof v !== 'object' || v === null) throw new BenchError('not a GraphQL request');
  const query: unknown = Reflect.get(v, 'query');
  const variables: unknown = Reflect.get(v, 'variables');
  if (typeof query !== 'string') throw new BenchError('no query');
  return {
    query,
    variables:
      typeof variables === 'object' && variables !== null
        ? Object.fromEntries(Object.entries(variables))
        : {},
  };
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/*
 * The load comes from node:http with a keep-alive agent: fetch (undici) in this process cost more
 * per request than either server, and both sides came out alike (about 500 req/s).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, query: string, variables: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200 || text.includes('"errors"')) {
            reject(new BenchError(`${url} answered ${res.statusCode}: ${text.slice(0, 300)}`));
          } else resolve();
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const rps = (l: LoopResult) => l.latencies.length / (l.elapsedMs / 1000);

runBench('bench/trivial-query', async (defer) => {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string' },
      seconds: { type: 'string' },
      concurrency: { type: 'string' },
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
  const requests = intFlag('requests', values.requests, 3000);
  const seconds = intFlag('seconds', values.seconds, 20);
  const concurrency = intFlag('concurrency', values.concurrency, 8);
  const warmup = intFlag('warmup', values.warmup, 200, 0);

  const { db, graph } = await openBenchGraph(defer, values.wipe);
  const driver = connectDriver(db);
  defer(() => driver.close());
  const doc = generateDocument({ factories: 1, seed: 1 });
  await importDocument(graph, doc);
  const factoryId = doc.factories[0]?.id;
  if (!factoryId) throw new BenchError('the generated document has no factory');

  const runtime = await startRuntime(
    loadConfig({
      ...process.env,
      ...neo4jSettings(db),
      AUTH_REQUIRED: 'false',
      RATE_LIMIT_POINTS: '0',
      PORT: '0',
      HOST: '127.0.0.1',
      MIGRATE_ON_START: 'true',
      MQTT_EMBEDDED_PORT: '0',
      PLAYGROUND: 'false',
    }),
  );
  defer(() => runtime.stop());
  const bare = await bareServer(driver, db.database);
  defer(() => new Promise<void>((resolve) => bare.close(() => resolve())));
  const ours = `${runtime.app.url}/graphql`;
  const address = bare.address();
  if (address === null || typeof address === 'string')
    throw new BenchError('the bare server has no port');
  const baseline = `http://127.0.0.1:${address.port}/graphql`;

  out(
    `== trivial query benchmark: ${fmt.int(requests)} requests per side, ${concurrency} in flight ==`,
  );
  out(
    `API: ${ours} (startRuntime, AUTH_REQUIRED=false); bare: graphql-js ${baseline} on node:http`,
  );
  out();
  const rows: string[][] = [];
  for (const [name, query, variables] of [
    ['{ __typename }', TYPENAME, {}],
    ['factory(id) { id name }', ONE_TWIN, { id: factoryId }],
  ] as const) {
    const results: Record<string, LoopResult> = {};
    for (const [side, url] of [
      ['bare', baseline],
      ['ours', ours],
    ] as const) {
      if (warmup > 0) {
        note(`warm-up: ${name}, ${side}`);
        await loadLoop({ requests: warmup, capMs: seconds * 1000, concurrency }, () =>
          post(url, query, variables),
        );
      }
      results[side] = await loadLoop({ requests, capMs: seconds * 1000, concurrency }, () =>
        post(url, query, variables),
      );
    }
    const b = results['bare'];
    const o = results['ours'];
    if (!b || !o) throw new BenchError('a side did not run');
    const p50 = (l: LoopResult) =>
      percentile(
        [...l.latencies].sort((x, y) => x - y),
        50,
      );
    rows.push([
      name,
      rps(b).toFixed(0),
      rps(o).toFixed(0),
      `${(rps(o) / rps(b)).toFixed(2)}x`,
      fmt.ms(p50(b)),
      fmt.ms(p50(o)),
    ]);
  }
  for (const line of table(
    ['query', 'bare req/s', 'ours req/s', 'ours / bare', 'bare p50', 'ours p50'],
    rows,
  ))
    out(line);
  out();
  out(
    `median of the two ratios: ${median(rows.map((r) => Number.parseFloat(r[3] ?? '0'))).toFixed(2)}x`,
  );
});
