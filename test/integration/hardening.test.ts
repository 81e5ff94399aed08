import express from 'express';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import WebSocket from 'ws';
import { FIND_KEY } from '../../src/auth/auth.cypher';
import { createKey } from '../../src/auth/key.store';
import { ConfigError, loadConfig } from '../../src/config';
import type { Graph } from '../../src/graph/executor';
import { healthRoutes } from '../../src/server/health';
import { importDocument } from '../../src/twins/import/service';
import { gql, startTestApp, type TestApp } from '../support/app';
import { ADMIN_AUTHORIZATION } from '../support/credentials';
import { resetTwins } from '../support/db';
import { waitFor } from '../support/live';

/*
 * The hardening of issue 11, end to end against the real server: who may read /metrics (and what
 * /healthz and /readyz tell anyone), the execution timeout and the limits of queries and mutations
 * sent over graphql-ws, and rate-limit budgets behind a reverse proxy (TRUST_PROXY). No
 * wall-clock assertions: status codes, error codes, and that the next operation still works.
 */

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

const PLANT = {
  factories: [
    { id: 'F1', name: 'Leipzig' },
    { id: 'F2', name: 'Dresden' },
  ],
  lines: [
    { id: 'L1', factoryId: 'F1', name: 'Body' },
    { id: 'L2', factoryId: 'F1', name: 'Paint' },
    { id: 'L3', factoryId: 'F2', name: 'Assembly' },
  ],
  assets: [
    { id: 'A1', lineId: 'L1', name: 'Press', kind: 'PRESS', ratePerHour: 60 },
    { id: 'A2', lineId: 'L2', name: 'Booth', kind: 'BOOTH', ratePerHour: 30 },
    { id: 'A3', lineId: 'L3', name: 'Robot', kind: 'ROBOT', ratePerHour: 40 },
  ],
};

async function seed(graph: Graph): Promise<void> {
  // without the app's transaction timeout: a test server may set a tiny one
  const unbounded = graph.scope({ txTimeoutMs: 0 });
  await resetTwins(unbounded);
  await importDocument(unbounded, PLANT);
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: { errors?: { message: string; extensions?: Record<string, unknown> }[] } | undefined;
}

/**
 * One HTTP request from `localAddress` (any 127.x.y.z reaches the server on 127.0.0.1): the server
 * sees that as the socket's address, as it would a client's or a proxy's.
 */
function send(
  app: { url: string },
  options: {
    path?: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    localAddress?: string;
  } = {},
): Promise<Answer> {
  const { path = '/graphql', method = 'POST', headers = {}, localAddress = '127.0.0.1' } = options;
  const body = options.body ?? (method === 'POST' ? '{"query":"{ __typename }"}' : undefined);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${app.url}${path}`,
      {
        method,
        localAddress,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let json: Answer['json'];
          try {
            json = JSON.parse(text) as Answer['json'];
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

type WithErrors =
  | {
      readonly errors?:
        | readonly { readonly extensions?: Readonly<Record<string, unknown>> | undefined }[]
        | undefined;
    }
  | undefined;
const codes = (a: WithErrors) => (a?.errors ?? []).map((e) => e.extensions?.['code']);

/** A graphql-ws client whose upgrade request carries `headers` and comes from `localAddress`. */
async function connect(
  app: TestApp,
  options: {
    headers?: Record<string, string>;
    localAddress?: string;
    connectionParams?: Record<string, unknown>;
  } = {},
): Promise<Client> {
  const { headers = {}, localAddress = '127.0.0.1' } = options;
  class Socket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers, localAddress });
    }
  }
  const client = createClient({
    url: app.wsUrl,
    webSocketImpl: Socket,
    connectionParams: options.connectionParams ?? { authorization: ADMIN_AUTHORIZATION },
    lazy: false,
    retryAttempts: 0,
  });
  await new Promise<void>((resolve, reject) => {
    client.on('connected', () => resolve());
    client.on('error', reject);
  });
  return client;
}

/** What one operation over graphql-ws answered: its results, or the errors of an `error` message. */
interface WsAnswer {
  results: FormattedExecutionResult<Record<string, unknown>, unknown>[];
  /** The `error` message's errors: the operation was refused before it ran. */
  refused?: { message: string; extensions?: Record<string, unknown> }[] | undefined;
}

function run(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<WsAnswer> {
  return new Promise((resolve, reject) => {
    const results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
    client.subscribe(
      { query, variables },
      {
        next: (value) => results.push(value),
        error: (err) =>
          Array.isArray(err)
            ? resolve({ results, refused: err as WsAnswer['refused'] })
            : reject(err instanceof Error ? err : new Error(JSON.stringify(err))),
        complete: () => resolve({ results }),
      },
    );
  });
}

/** `{ __typename }` over graphql-ws answers normally: the socket is still usable. */
async function stillServes(client: Client): Promise<void> {
  const next = await run(client, '{ factories(first: 5) { totalCount } }');
  expect(next.refused).toBeUndefined();
  expect(next.results).toEqual([{ data: { factories: { totalCount: 2 } } }]);
}

/**
 * Holds a write lock on factory `id` in an open transaction until `release()`: a mutation of that
 * factory waits for as long as the test wants, without a slow query.
 */
async function lockFactory(graph: Graph, id: string): Promise<{ release(): Promise<void> }> {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = () => {};
  const isHeld = new Promise<void>((resolve) => (held = resolve));
  const holding = graph.scope({ txTimeoutMs: 0 }).transaction('WRITE', async (tx) => {
    await tx.run(`MATCH (f:Factory {id: $id}) SET f.heldByTest = true`, { id });
    held();
    await released;
  });
  await isHeld;
  return {
    release: async () => {
      release();
      await holding;
    },
  };
}

/** Waits until a statement touching factories is blocked on a lock in Neo4j. */
async function blockedOnLock(graph: Graph): Promise<void> {
  await waitFor('a statement blocked by the test lock', async () => {
    const rows = await graph.scope({ txTimeoutMs: 0 }).autoCommit(
      `SHOW TRANSACTIONS YIELD currentQuery, status
         WHERE currentQuery CONTAINS 'Factory' AND status STARTS WITH 'Blocked'
         RETURN count(*) AS n`,
    );
    return Number(rows[0]?.['n']) > 0 ? true : undefined;
  });
}

describe('/metrics needs a credential (AUTH_REQUIRED, the default)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ METRICS_TOKEN });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const scrape = (authorization?: string) =>
    send(app, {
      path: '/metrics',
      method: 'GET',
      headers: authorization ? { authorization } : {},
    });

  it('when /metrics is scraped without a credential, or with a wrong one, then 401 JSON UNAUTHENTICATED, as /graphql answers', async () => {
    for (const authorization of [undefined, 'Bearer not-the-token-0123456789', 'Basic abc']) {
      const res = await scrape(authorization);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(codes(res.json)).toEqual(['UNAUTHENTICATED']);
      expect(res.text).not.toMatch(/twin_graph_/);
    }
    const graphql = await send(app);
    expect(graphql.status).toBe(401);
    expect(codes(graphql.json)).toEqual(['UNAUTHENTICATED']);
  });

  it('when /metrics is scraped with the METRICS_TOKEN, then it answers the Prometheus text format', async () => {
    const res = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(
      /^twin_graph_http_responses_total\{path="\/metrics",status="\d+"\} \d+$/m,
    );
    // the scrape token is no API key: /graphql refuses it
    const graphql = await send(app, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(graphql.status).toBe(401);
  });

  it('when /metrics is scraped with an admin key, then it answers; a key of another role gets 403 FORBIDDEN JSON', async () => {
    expect((await scrape(ADMIN_AUTHORIZATION)).status).toBe(200);
    const admin = await createKey(app.graph, { name: 'prometheus', role: 'admin' }, 'test');
    expect((await scrape(`Bearer ${admin.key}`)).status).toBe(200);
    for (const role of ['viewer', 'operator', 'analyst'] as const) {
      const key = await createKey(app.graph, { name: `metrics ${role}`, role }, 'test');
      const res = await scrape(`Bearer ${key.key}`);
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(codes(res.json)).toEqual(['FORBIDDEN']);
      expect(res.json?.errors?.[0]?.message).toMatch(
        new RegExp(
          `this ${role} key may not read /metrics \\(needs an admin key, or the METRICS_TOKEN\\)`,
        ),
      );
    }
  });

  it('when /healthz and /readyz are asked without a credential, then they answer up and ready, nothing more', async () => {
    const health = await send(app, { path: '/healthz', method: 'GET' });
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok' });
    const ready = await send(app, { path: '/readyz', method: 'GET' });
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({
      ready: true,
      checks: { neo4j: { ok: true }, migrations: { ok: true }, mqtt: { ok: true } },
    });
  });

  it('when a check fails, then /readyz answers 503 naming the check, and only the log has its detail', async () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const detail = 'not connected to mqtt://user:secret@broker.internal:1883; reconnecting';
    let mqttOk = false;
    const probe = express().use(
      healthRoutes(
        () =>
          Promise.resolve({
            ready: mqttOk,
            checks: {
              neo4j: { ok: true },
              mqtt: mqttOk ? { ok: true } : { ok: false, detail },
            },
          }),
        log,
      ),
    );
    const server = probe.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (let i = 0; i < 2; i++) {
        const res = await send({ url }, { path: '/readyz', method: 'GET' });
        expect(res.status).toBe(503);
        expect(res.json).toEqual({
          ready: false,
          checks: { neo4j: { ok: true }, mqtt: { ok: false } },
        });
        expect(res.text).not.toMatch(/secret|broker\.internal/);
      }
      // logged once while it stays the same
      expect(lines.filter((l) => l.includes(`not ready: mqtt: ${detail}`))).toHaveLength(1);
      mqttOk = true;
      expect((await send({ url }, { path: '/readyz', method: 'GET' })).status).toBe(200);
      expect(lines.some((l) => l.includes('ready again'))).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('over graphql-ws, every operation meets the limits', () => {
  let app: TestApp;
  let client: Client;

  beforeAll(async () => {
    app = await startTestApp();
    await seed(app.graph);
    client = await connect(app);
  });
  afterAll(async () => {
    await client?.dispose();
    await app?.stop();
  });

  const sixteen = (field: string) =>
    Array.from({ length: 16 }, (_, i) => `a${i}: ${field}`).join(' ');
  const many = (field: string) => Array.from({ length: 1000 }, () => field).join(' ');
  const update = 'updateFactory(id: "F1", patch: { name: "refused" })';
  const feeds = 'feeds { feeds { feeds { id } } }';

  const rows: [string, string, string, Record<string, unknown>?][] = [
    ['query', 'depth', '{ factories { edges { node { lines { assets { line { id } } } } } } }'],
    ['query', 'aliases', `{ factories(first: 1) { ${sixteen('totalCount')} } }`],
    ['query', 'tokens', `{ ${many('__typename')} }`],
    [
      'query',
      'cost',
      'query($n: Int) { factories(first: $n) { edges { node { lines { assets { id } } } } } }',
      { n: 500 },
    ],
    [
      'mutation',
      'depth',
      `mutation { ${update} { lines { assets { line { factory { lines { id } } } } } } }`,
    ],
    ['mutation', 'aliases', `mutation { ${update} { ${sixteen('id')} } }`],
    ['mutation', 'tokens', `mutation { ${update} { ${many('id')} } }`],
    ['mutation', 'cost', `mutation { ${update} { lines { assets { feeds { feeds { id } } } } } }`],
    [
      'subscription',
      'depth',
      'subscription { telemetry { asset { line { factory { lines { assets { id } } } } } } }',
    ],
    ['subscription', 'aliases', `subscription { telemetry { ${sixteen('ts')} } }`],
    ['subscription', 'tokens', `subscription { telemetry { ${many('ts')} } }`],
    [
      'subscription',
      'cost',
      `subscription { telemetry { asset { a: ${feeds} b: ${feeds} c: ${feeds} } } }`,
    ],
  ];

  // objects, not arrays: jest passes a row shorter than the function's parameters `done`
  const cases = rows.map(([type, limit, query, variables]) => ({ type, limit, query, variables }));

  it.each(cases)(
    'when a $type over the $limit limit is sent over graphql-ws, then it is refused QUERY_TOO_COMPLEX, and the socket serves the next operation',
    async ({ limit, query, variables }) => {
      const answer = await run(client, query, variables ?? {});
      expect(answer.results).toEqual([]);
      expect(answer.refused?.map((e) => e.extensions)).toContainEqual(
        expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit }),
      );
      await stillServes(client);
    },
  );

  it('when refused mutations were sent, then none of them ran', async () => {
    const answer = await run(client, '{ factory(id: "F1") { name } }');
    expect(answer.results).toEqual([{ data: { factory: { name: 'Leipzig' } } }]);
  });
});

describe('over graphql-ws, queries and mutations get the execution timeout of HTTP', () => {
  let app: TestApp;
  let client: Client;

  beforeAll(async () => {
    app = await startTestApp({ GRAPHQL_EXECUTION_TIMEOUT_MS: '1' });
    await seed(app.graph);
    client = await connect(app);
  });
  afterAll(async () => {
    await client?.dispose();
    await app?.stop();
  });

  it('when a query over graphql-ws runs past GRAPHQL_EXECUTION_TIMEOUT_MS, then its result has one TIMEOUT error, and the socket serves the next operation', async () => {
    for (let i = 0; i < 2; i++) {
      // several Cypher round trips one after the other: far longer than 1 ms
      const answer = await run(
        client,
        '{ factories(first: 10) { edges { node { lines { assets { id } } } } } }',
      );
      expect(answer.refused).toBeUndefined();
      expect(answer.results).toHaveLength(1);
      expect(codes(answer.results[0])).toEqual(['TIMEOUT']);
      expect(answer.results[0]?.errors?.[0]?.extensions).toMatchObject({
        limit: 'executionTimeMs',
        max: 1,
      });
      // an operation that resolves no field still answers, on the same socket
      expect((await run(client, '{ __typename }')).results).toEqual([
        { data: { __typename: 'Query' } },
      ]);
    }
  });

  it('when a mutation over graphql-ws is held past the deadline, then its result has one TIMEOUT error, and the socket serves the next operation', async () => {
    const lock = await lockFactory(app.graph, 'F1');
    let answer: Promise<WsAnswer>;
    try {
      answer = run(
        client,
        'mutation { updateFactory(id: "F1", patch: { name: "Leipzig" }) { id name lines { id } } }',
      );
      await blockedOnLock(app.graph);
      // the deadline (1 ms, started before the mutation was sent) is due before this timer
      await new Promise((resolve) => setTimeout(resolve, 5));
    } finally {
      await lock.release();
    }
    const result = await answer;
    expect(result.refused).toBeUndefined();
    expect(result.results).toHaveLength(1);
    expect(codes(result.results[0])).toEqual(['TIMEOUT']);
    expect(result.results[0]?.errors?.[0]?.extensions).toMatchObject({ limit: 'executionTimeMs' });
    expect((await run(client, '{ __typename }')).results).toEqual([
      { data: { __typename: 'Query' } },
    ]);
  });

  it('when an operation waits on the database past the deadline, then the answer goes out at the deadline, over HTTP and graphql-ws, not when the database answers', async () => {
    const lock = await lockFactory(app.graph, 'F1');
    try {
      const mutation =
        'mutation { updateFactory(id: "F1", patch: { name: "Leipzig" }) { id name } }';
      const http = gql(app, mutation);
      const ws = run(client, mutation);
      // both answers arrive while the lock is still held: the field did not wait for Neo4j
      const stuck = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 20_000));
      const httpAnswer = await Promise.race([http, stuck]);
      const wsAnswer = await Promise.race([ws, stuck]);
      expect(httpAnswer).not.toBe('stuck');
      expect(wsAnswer).not.toBe('stuck');
      if (httpAnswer === 'stuck' || wsAnswer === 'stuck') return;
      expect(httpAnswer.errors?.map((e) => e.extensions?.['code'])).toEqual(['TIMEOUT']);
      expect(codes(wsAnswer.results[0])).toEqual(['TIMEOUT']);
    } finally {
      await lock.release();
    }
  });

  it('when a subscription lives longer than the deadline, then its events still resolve: subscriptions have none', async () => {
    const listener = await connect(app);
    const events: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
    const stop = listener.subscribe(
      { query: 'subscription { assetStatusChanged { asset { id name line { id } } source } }' },
      { next: (v) => events.push(v), error: () => undefined, complete: () => undefined },
    );
    try {
      // the subscription is registered once its subscribe message is processed
      await new Promise((resolve) => setTimeout(resolve, 200));
      // the change as a mutation announces it once committed (a mutation of this app would roll
      // back: its transaction ends after the 1 ms deadline); the event resolves its nested
      // fields with Cypher round trips, with no deadline
      await app.graph.write(`MATCH (a:Asset {id: 'A1'}) SET a.status = 'DOWN'`);
      app.runtime.telemetry.assetStatusChanged({
        assetId: 'A1',
        previousStatus: 'RUNNING',
        status: 'DOWN',
        reason: null,
      });
      await waitFor('the status event', () => (events.length > 0 ? true : undefined));
      expect(events[0]).toEqual({
        data: {
          assetStatusChanged: {
            asset: { id: 'A1', name: 'Press', line: { id: 'L1' } },
            source: 'api',
          },
        },
      });
    } finally {
      stop();
      await listener.dispose();
    }
  });
});

describe('over graphql-ws, the Cypher transaction timeout applies as over HTTP', () => {
  let app: TestApp;
  let client: Client;

  beforeAll(async () => {
    app = await startTestApp({ NEO4J_TX_TIMEOUT_MS: '300' });
    await seed(app.graph);
    client = await connect(app);
  });
  afterAll(async () => {
    await client?.dispose();
    await app?.stop();
  });

  it('when a mutation over graphql-ws waits on a lock past NEO4J_TX_TIMEOUT_MS, then Neo4j stops it, the answer is TIMEOUT, nothing is changed, and the socket serves the next operation', async () => {
    const lock = await lockFactory(app.graph, 'F1');
    let answer: WsAnswer;
    try {
      answer = await run(
        client,
        'mutation { updateFactory(id: "F1", patch: { name: "changed" }) { id name } }',
      );
    } finally {
      await lock.release();
    }
    expect(answer.refused).toBeUndefined();
    expect(codes(answer.results[0])).toEqual(['TIMEOUT']);
    expect(answer.results[0]?.errors?.[0]?.message).toMatch(
      /300 ms transaction timeout \(NEO4J_TX_TIMEOUT_MS\)/,
    );
    const after = await run(client, '{ factory(id: "F1") { name } }');
    expect(after.results).toEqual([{ data: { factory: { name: 'Leipzig' } } }]);
    await stillServes(client);
  });
});

/*
 * TRUST_PROXY. Every test sends from an address of its own (127.0.0.x: Linux answers the whole
 * 127.0.0.0/8 on loopback), so the budgets of one test do not touch the next. AUTH_REQUIRED=false
 * makes requests without a credential count against their IP; a wrong credential is still refused
 * and draws on the failed-credential budget of its IP.
 */
const BUDGET = { RATE_LIMIT_POINTS: '3', RATE_LIMIT_WINDOW_S: '600', AUTH_REQUIRED: 'false' };
const wrongKey = {
  authorization: 'Bearer tg_0000000000000000_wrongwrongwrongwrongwrongwrongwrongwron',
};
const xff = (value: string) => ({ 'x-forwarded-for': value });

describe('without TRUST_PROXY (the default), X-Forwarded-For is ignored', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(BUDGET);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('when a client sends a new X-Forwarded-For with each request, then its budget is still its socket address', async () => {
    const statuses: number[] = [];
    for (const forwarded of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']) {
      statuses.push(
        (await send(app, { localAddress: '127.0.0.2', headers: xff(forwarded) })).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    // another address has a budget of its own
    expect((await send(app, { localAddress: '127.0.0.3' })).status).toBe(200);
  });

  it('when failed credentials come with changing X-Forwarded-For, then they all draw on the socket address, /metrics included', async () => {
    const statuses: number[] = [];
    for (const [path, method, forwarded] of [
      ['/graphql', 'POST', '198.51.100.10'],
      ['/metrics', 'GET', '198.51.100.11'],
      ['/graphql', 'POST', '198.51.100.12'],
      ['/metrics', 'GET', '198.51.100.13'],
    ] as const) {
      const res = await send(app, {
        path,
        method,
        localAddress: '127.0.0.4',
        headers: { ...wrongKey, ...xff(forwarded) },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('when an address guesses keys past its failed-credential budget, then it is answered 429 without a database lookup; a key valid lately still works from there', async () => {
    const valid = await createKey(app.graph, { name: 'lately valid', role: 'viewer' }, 'test');
    const fresh = await createKey(app.graph, { name: 'not used yet', role: 'viewer' }, 'test');
    const from = '127.0.0.8';
    expect(
      (await send(app, { localAddress: from, headers: { authorization: `Bearer ${valid.key}` } }))
        .status,
    ).toBe(200);
    const lookups = jest.spyOn(app.graph, 'read');
    const keyLookups = () => lookups.mock.calls.filter(([statement]) => statement === FIND_KEY);
    try {
      // each guess a new key id: nothing is cached for it
      const guess = (i: number) => ({
        authorization: `Bearer tg_${String(i).padStart(16, '0')}_${'guess'.repeat(9).slice(0, 43)}`,
      });
      const statuses: number[] = [];
      for (let i = 1; i <= 3; i++) {
        statuses.push((await send(app, { localAddress: from, headers: guess(i) })).status);
      }
      expect(keyLookups()).toHaveLength(3);
      for (let i = 4; i <= 8; i++) {
        const res = await send(app, { localAddress: from, headers: guess(i) });
        statuses.push(res.status);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
      // the spent budget stops the lookups, not just the answers
      expect(keyLookups()).toHaveLength(3);
      // a key that was valid lately is still checked (and served) from that address; one never
      // seen there waits like a guess, without a lookup
      expect(
        (await send(app, { localAddress: from, headers: { authorization: `Bearer ${valid.key}` } }))
          .status,
      ).toBe(200);
      expect(
        (await send(app, { localAddress: from, headers: { authorization: `Bearer ${fresh.key}` } }))
          .status,
      ).toBe(429);
      // another address still has its budget
      expect((await send(app, { localAddress: '127.0.0.9', headers: guess(9) })).status).toBe(401);
    } finally {
      lookups.mockRestore();
    }
  });

  it('when graphql-ws sockets bring wrong credentials, then each draws on its address budget and, once spent, the socket closes 4429', async () => {
    const closes: { code: number; reason: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const ws = new WebSocket(app.wsUrl, 'graphql-transport-ws', { localAddress: '127.0.0.10' });
      closes.push(
        await new Promise((resolve, reject) => {
          ws.once('open', () =>
            ws.send(JSON.stringify({ type: 'connection_init', payload: wrongKey })),
          );
          ws.once('close', (code: number, reason: Buffer) =>
            resolve({ code, reason: reason.toString() }),
          );
          ws.once('error', reject);
        }),
      );
    }
    expect(closes.map((c) => c.code)).toEqual([4403, 4403, 4403, 4429]);
    expect(closes[3]?.reason).toMatch(
      /^Too many failed credentials from this address: retry in \d+ s$/,
    );
    // the same address over HTTP shares the spent budget
    expect((await send(app, { localAddress: '127.0.0.10', headers: wrongKey })).status).toBe(429);
  });

  it('when authentication is off, then /metrics answers without a credential', async () => {
    const res = await send(app, { path: '/metrics', method: 'GET', localAddress: '127.0.0.5' });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^twin_graph_rate_limited_total\{transport="http"\} \d+$/m);
  });

  it('when graphql-ws sockets send X-Forwarded-For on their upgrade, then their operations still draw on the socket address', async () => {
    const first = await connect(app, {
      localAddress: '127.0.0.6',
      headers: xff('198.51.100.20'),
      connectionParams: {},
    });
    const second = await connect(app, {
      localAddress: '127.0.0.6',
      headers: xff('198.51.100.21'),
      connectionParams: {},
    });
    const other = await connect(app, { localAddress: '127.0.0.7', connectionParams: {} });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await run(first, '{ __typename }')).refused).toBeUndefined();
      }
      expect(codes({ errors: (await run(first, '{ __typename }')).refused })).toEqual([
        'RATE_LIMITED',
      ]);
      expect(codes({ errors: (await run(second, '{ __typename }')).refused })).toEqual([
        'RATE_LIMITED',
      ]);
      expect((await run(other, '{ __typename }')).refused).toBeUndefined();
    } finally {
      await Promise.all([first.dispose(), second.dispose(), other.dispose()]);
    }
  });
});

describe('with TRUST_PROXY naming the proxy, the client is what it says in X-Forwarded-For', () => {
  let app: TestApp;

  beforeAll(async () => {
    // the proxy is 127.0.0.1; other loopback addresses are clients that reach the server directly
    app = await startTestApp({ ...BUDGET, TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const viaProxy = (forwarded: string, headers: Record<string, string> = {}) =>
    send(app, { localAddress: '127.0.0.1', headers: { ...headers, ...xff(forwarded) } });

  it('when clients behind the proxy send requests, then each has a budget of its own', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await viaProxy('203.0.113.1')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await viaProxy('203.0.113.2')).status).toBe(200);
  });

  it('when a client behind the proxy forges an X-Forwarded-For of its own, then it is still the address the proxy added', async () => {
    for (let i = 0; i < 3; i++) expect((await viaProxy('203.0.113.3')).status).toBe(200);
    // the proxy appends the address it saw to what the client sent
    expect((await viaProxy('192.0.2.77, 203.0.113.3')).status).toBe(429);
  });

  it('when a peer that is not a trusted proxy sends X-Forwarded-For, then it is ignored', async () => {
    const statuses: number[] = [];
    for (const forwarded of ['203.0.113.10', '203.0.113.11', '203.0.113.12', '203.0.113.13']) {
      statuses.push(
        (await send(app, { localAddress: '127.0.0.2', headers: xff(forwarded) })).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('when a client behind the proxy fails credentials, then its failed-credential budget is its own', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await viaProxy('203.0.113.20', wrongKey)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await viaProxy('203.0.113.21', wrongKey)).status).toBe(401);
  });

  it('when graphql-ws sockets come through the proxy, then their operations draw on the forwarded address', async () => {
    const first = await connect(app, { headers: xff('203.0.113.30'), connectionParams: {} });
    const again = await connect(app, { headers: xff('203.0.113.30'), connectionParams: {} });
    const other = await connect(app, { headers: xff('203.0.113.31'), connectionParams: {} });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await run(first, '{ __typename }')).refused).toBeUndefined();
      }
      expect(codes({ errors: (await run(again, '{ __typename }')).refused })).toEqual([
        'RATE_LIMITED',
      ]);
      expect((await run(other, '{ __typename }')).refused).toBeUndefined();
    } finally {
      await Promise.all([first.dispose(), again.dispose(), other.dispose()]);
    }
  });
});

describe('the settings of the hardening', () => {
  const base = { NEO4J_URI: 'bolt://localhost:7687' };
  const problems = (env: Record<string, string>): string => {
    try {
      loadConfig({ ...base, ...env });
    } catch (err) {
      if (err instanceof ConfigError) return err.problems.join('\n');
      throw err;
    }
    return '';
  };

  it('when TRUST_PROXY is unset, false or 0, then no proxy is trusted', () => {
    expect(loadConfig(base).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '0' }).TRUST_PROXY).toBe(false);
  });

  it('when TRUST_PROXY is a hop count or a list of names, addresses and ranges, then it is passed on as Express takes it', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(
      loadConfig({
        ...base,
        TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8, 192.168.1.7, 172.16.0.0/255.240.0.0',
      }).TRUST_PROXY,
    ).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.168.1.7', '172.16.0.0/255.240.0.0']);
  });

  it('when TRUST_PROXY is true or not an address, then the start stops naming it', () => {
    expect(problems({ TRUST_PROXY: 'true' })).toMatch(
      /^TRUST_PROXY \("true"\): expected false, a hop count, or .*"true" is refused/m,
    );
    expect(problems({ TRUST_PROXY: '10.0.0.0/33' })).toMatch(
      /TRUST_PROXY .*not one: "10\.0\.0\.0\/33"/,
    );
    expect(problems({ TRUST_PROXY: 'loopback, proxy.internal' })).toMatch(
      /TRUST_PROXY .*not one: "proxy\.internal"/,
    );
    expect(problems({ TRUST_PROXY: '101' })).toMatch(/TRUST_PROXY .*a hop count is at most 100/);
  });

  it('when METRICS_TOKEN is short or has spaces, then the start stops naming it', () => {
    expect(loadConfig(base).METRICS_TOKEN).toBeUndefined();
    expect(loadConfig({ ...base, METRICS_TOKEN: METRICS_TOKEN }).METRICS_TOKEN).toBe(METRICS_TOKEN);
    expect(problems({ METRICS_TOKEN: 'short' })).toMatch(
      /^METRICS_TOKEN \("short"\): must be 16 to 512/m,
    );
    expect(problems({ METRICS_TOKEN: 'has a space in it, 0123456789' })).toMatch(/^METRICS_TOKEN/m);
  });
});
