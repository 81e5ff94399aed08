import neo4j, { type Driver } from 'neo4j-driver';
import { resetTwins } from '../support/db';
import { gql, type GqlResponse, startTestApp, type TestApp } from '../support/app';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { subscribe } from '../support/live';
import { createKey } from '../../src/auth/key.store';
import { ADMIN_AUTHORIZATION } from '../support/credentials';

/**
 * The hostile inputs of issue 11, each as a regression test against the real server: every one
 * answers JSON with a code, small, and the server answers the next request normally. No
 * wall-clock assertions: codes and sizes only.
 */

/** POST a raw body; the answer's status, headers, text and (when JSON) parsed body. */
async function post(
  app: { url: string },
  body: string,
  headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: ADMIN_AUTHORIZATION,
  },
) {
  const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers, body });
  const text = await res.text();
  let json: GqlResponse | undefined;
  try {
    json = JSON.parse(text) as GqlResponse;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const codes = (r: { errors?: GqlResponse['errors'] } | undefined) =>
  (r?.errors ?? []).map((e) => e.extensions?.['code']);

/** The server still serves an ordinary query after a hostile one. */
async function stillServes(app: TestApp, headers: Record<string, string> = {}): Promise<void> {
  const res = await gql(
    app,
    '{ factories(first: 5) { totalCount edges { node { id } } } }',
    {},
    headers,
  );
  expect(res.errors).toBeUndefined();
  expect(res.data).toMatchObject({ factories: { totalCount: 2 } });
}

/**
 * The probe that killed main: `factories(first: 500)` walking `lines { factory { … } }` twelve
 * times through fragments (about 1.1 KB). Executed, it answers 500 × (lines × …)^12 objects.
 */
function hostileNestedQuery(): string {
  const levels = 12;
  const fragments = Array.from({ length: levels }, (_, i) => {
    const next = i + 1 < levels ? ` factory { ...W${i + 1} }` : '';
    return `fragment W${i} on Factory { id name timezone lines { id name hoursPerDay${next} } }`;
  });
  return `query Walk { factories(first: 500) { totalCount edges { node { ...W0 } } } }\n${fragments.join('\n')}`;
}

async function seed(app: TestApp): Promise<void> {
  await resetTwins(app.graph, app.runtime.telemetry.rules);
  await app.graph.write(
    `UNWIND $rows AS row
     CREATE (f:Factory {id: row.f, name: row.f, country: 'DE', timezone: 'Europe/Berlin'})
     WITH f, row UNWIND range(1, 3) AS i
     CREATE (l:Line {id: row.f + '-L' + i, name: 'line ' + i, shiftsPerDay: 2, hoursPerShift: 8})
     CREATE (f)-[:HAS_LINE]->(l)`,
    { rows: [{ f: 'F1' }, { f: 'F2' }] },
  );
}

describe('hostile input against the real server (defaults)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
    await seed(app);
  });
  afterAll(async () => {
    await app.stop();
  });

  it('when the 1.1 KB nested-fragments probe is sent, then it is refused before execution, with a small JSON answer', async () => {
    const query = hostileNestedQuery();
    expect(Buffer.byteLength(query)).toBeGreaterThan(1000);
    expect(Buffer.byteLength(query)).toBeLessThan(1300);
    const res = await post(app, JSON.stringify({ query }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.text.length).toBeLessThan(2000);
    expect(res.json?.data).toBeUndefined();
    expect(codes(res.json)).toContain('QUERY_TOO_COMPLEX');
    expect(res.json?.errors?.[0]?.extensions).toMatchObject({ limit: 'depth', max: 6 });
    // nothing ran: no Cypher round trip
    expect(res.json?.extensions?.['cypherQueries']).toBe(0);
    await stillServes(app);
  });

  it('when a wide query passes depth and aliases but pages multiply past the cost, then it is refused before execution', async () => {
    const res = await post(
      app,
      JSON.stringify({
        query: `query($n: Int) { factories(first: $n) { edges { node { lines { assets { id } } } } } }`,
        variables: { n: 500 },
      }),
    );
    expect(res.status).toBe(400);
    expect(res.json?.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'cost',
      max: 5000,
    });
    expect(res.json?.extensions?.['cypherQueries']).toBe(0);
    // the same query with a small page runs
    const small = await gql(
      app,
      `query($n: Int) { factories(first: $n) { edges { node { lines { assets { id } } } } } }`,
      { n: 5 },
    );
    expect(small.errors).toBeUndefined();
  });

  it('when an operation has more than 15 aliases, then it is refused with code QUERY_TOO_COMPLEX', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: __typename`).join(' ');
    // __typename aliases are allowed by GraphQL Armor; aliases of real fields count
    const fields = Array.from({ length: 16 }, (_, i) => `f${i}: factory(id: "F1") { id }`).join(
      ' ',
    );
    const allowed = await gql(app, `{ ${aliases} }`);
    expect(allowed.errors).toBeUndefined();
    const res = await gql(app, `{ ${fields} }`);
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'aliases',
      max: 15,
      found: 16,
    });
    await stillServes(app);
  });

  it('when the body is not JSON, then the answer is a JSON BAD_REQUEST, not an HTML page with a stack trace', async () => {
    const res = await post(app, '{"query": "{ factories { totalCount } }", oops');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(codes(res.json)).toEqual(['BAD_REQUEST']);
    expect(res.text).not.toMatch(/<html|<pre|at .*\.js|node_modules|SyntaxError/i);
    await stillServes(app);
  });

  it('when the body is larger than GRAPHQL_MAX_BODY_BYTES, then 413 JSON TOO_LARGE, nothing echoed', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const res = await post(app, JSON.stringify({ query: `{ factory(id: "${big}") { id } }` }));
    expect(res.status).toBe(413);
    expect(codes(res.json)).toEqual(['TOO_LARGE']);
    expect(res.text.length).toBeLessThan(1000);
    await stillServes(app);
  });

  it('when a 5 MiB after cursor is sent, then the answer is a small BAD_USER_INPUT without the cursor', async () => {
    const cursor = 'A'.repeat(5 * 1024 * 1024 - 100);
    const res = await post(
      app,
      JSON.stringify({
        query: 'query($c: String) { factories(first: 1, after: $c) { totalCount } }',
        variables: { c: cursor },
      }),
      { 'content-type': 'application/json', authorization: ADMIN_AUTHORIZATION },
    );
    // over the 1 MiB body limit by default: refused before it is read
    expect(res.status).toBe(413);
    expect(res.text.length).toBeLessThan(1000);
    // under the body limit (a 1,000,000-character cursor): read, refused, not echoed
    const mega = await gql(
      app,
      'query($c: String) { factories(first: 1, after: $c) { totalCount } }',
      { c: 'A'.repeat(1_000_000) },
    );
    expect(codes(mega)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(mega).length).toBeLessThan(1000);
    await stillServes(app);
  });

  it('when a subscription is sent over HTTP POST, then BAD_REQUEST says to use graphql-ws', async () => {
    const res = await post(app, JSON.stringify({ query: 'subscription { telemetry { ts } }' }));
    expect(res.status).toBe(400);
    expect(codes(res.json)).toEqual(['BAD_REQUEST']);
    expect(res.json?.errors?.[0]?.message).toMatch(/graphql-ws .*ws:\/\/127\.0\.0\.1:\d+\/graphql/);
    await stillServes(app);
  });

  it('when 10,000 chained fragments are sent, then parsing stops at the token limit, without a stack overflow', async () => {
    const n = 10_000;
    const fragments = Array.from(
      { length: n },
      (_, i) => `fragment F${i} on Query { ${i + 1 < n ? `...F${i + 1}` : '__typename'} }`,
    ).join('\n');
    const res = await post(app, JSON.stringify({ query: `{ ...F0 }\n${fragments}` }));
    expect(res.status).toBe(400);
    expect(res.json?.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'tokens',
      max: 1000,
    });
    expect(res.text.length).toBeLessThan(1000);
    await stillServes(app);
  });

  it('when introspection and suggestions are on (the default), then the playground can introspect and errors suggest', async () => {
    const intro = await gql(app, '{ __schema { queryType { name } } }');
    expect(intro.errors).toBeUndefined();
    const typo = await gql(app, '{ factorys { totalCount } }');
    expect(typo.errors?.[0]?.message).toMatch(/Did you mean/);
  });

  it('when a request is malformed in other ways, then each answer is JSON with a code', async () => {
    const empty = await post(app, '{}');
    expect(empty.status).toBe(400);
    expect(codes(empty.json).length).toBe(1);
    const notAnObject = await post(app, '"just a string"');
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.json).toBeDefined();
    const badVariable = await gql(app, 'query($n: Int) { factories(first: $n) { totalCount } }', {
      n: 'x'.repeat(100_000),
    });
    expect(codes(badVariable)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(badVariable).length).toBeLessThan(1000);
    await stillServes(app);
  });

  it('when something fails unexpectedly in the server, then INTERNAL_SERVER_ERROR answers a generic message and the request id, no detail', async () => {
    // a factory stored by hand with a number for its id: the server cannot read it back
    await app.graph.write(`CREATE (:Factory {id: 4711, country: 'DE'})`);
    try {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': 'hostile-internal-1',
          authorization: ADMIN_AUTHORIZATION,
        },
        body: JSON.stringify({ query: '{ factories(first: 10) { edges { node { id name } } } }' }),
      });
      const body = (await res.json()) as GqlResponse;
      expect(body.errors?.length).toBeGreaterThan(0);
      expect(body.errors?.[0]?.extensions).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        requestId: 'hostile-internal-1',
      });
      expect(body.errors?.[0]?.message).toMatch(/^Internal server error/);
      // the detail (a TypeError naming the property) is in the log only
      expect(JSON.stringify(body)).not.toMatch(/should be a string|TypeError|stack|\.ts:|\.js:/);
    } finally {
      await app.graph.write(`MATCH (f:Factory {id: 4711}) DETACH DELETE f`);
    }
    await stillServes(app);
  });

  it('when something fails unexpectedly in an operation over graphql-ws, then it answers as over HTTP: a generic message and the request id, no detail', async () => {
    await app.graph.write(`CREATE (:Factory {id: 4712, country: 'DE'})`);
    const client = createClient({
      url: app.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: ADMIN_AUTHORIZATION },
      retryAttempts: 0,
    });
    try {
      const results: unknown[] = [];
      await new Promise<void>((resolve, reject) => {
        client.subscribe(
          { query: '{ factories(first: 10) { edges { node { id name } } } }' },
          { next: (r) => results.push(r), error: reject, complete: resolve },
        );
      });
      const body = results[0] as GqlResponse;
      expect(body.errors?.length).toBeGreaterThan(0);
      expect(body.errors?.[0]?.extensions).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        requestId: expect.any(String) as unknown,
      });
      expect(body.errors?.[0]?.message).toMatch(/^Internal server error/);
      expect(JSON.stringify(results)).not.toMatch(/should be a string|TypeError|stack|\.ts:|\.js:/);
    } finally {
      await client.dispose();
      await app.graph.write(`MATCH (f:Factory {id: 4712}) DETACH DELETE f`);
    }
    await stillServes(app);
  });

  it('when a subscription over graphql-ws is too deep, then it is refused with the same code, and a fine one runs', async () => {
    const deep = await subscribe(
      app.wsUrl,
      'subscription { telemetry { asset { line { factory { lines { assets { id } } } } } } }',
    );
    try {
      await waitUntil(() => deep.errors.length > 0);
      expect(JSON.stringify(deep.errors)).toMatch(/QUERY_TOO_COMPLEX/);
      expect(JSON.stringify(deep.errors)).toMatch(/"limit":"depth"/);
    } finally {
      await deep.close();
    }
    const tokens = await subscribe(
      app.wsUrl,
      `subscription { telemetry { ${Array.from({ length: 1000 }, () => 'ts').join(' ')} } }`,
    );
    try {
      await waitUntil(() => tokens.errors.length > 0);
      expect(JSON.stringify(tokens.errors)).toMatch(/"limit":"tokens"/);
    } finally {
      await tokens.close();
    }
    const costly = await subscribe(
      app.wsUrl,
      'subscription { telemetry { asset { line { factory { lines { id } } } } } }',
    );
    const fine = await subscribe(app.wsUrl, 'subscription { telemetry { ts asset { id } } }');
    try {
      // within every limit: no error once the subscribe message is processed
      expect(costly.errors).toEqual([]);
      expect(fine.errors).toEqual([]);
    } finally {
      await costly.close();
      await fine.close();
    }
    await stillServes(app);
  });
});

describe('hostile input against a server configured for production', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      GRAPHQL_INTROSPECTION: 'false',
      GRAPHQL_SUGGESTIONS: 'false',
      // depth out of the way: the cost limit alone must stop the probe
      GRAPHQL_MAX_DEPTH: '100',
    });
    await seed(app);
  });
  afterAll(async () => {
    await app.stop();
  });

  it('when introspection is off, then __schema and __type are refused over HTTP and graphql-ws', async () => {
    // graphql-js's NoSchemaIntrospectionCustomRule: one error per introspection field
    const res = await gql(app, '{ __schema { types { name } } }');
    expect(new Set(codes(res))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    expect(res.errors?.[0]?.message).toMatch(/introspection/i);
    expect(res.data).toBeUndefined();
    const type = await gql(app, '{ __type(name: "Factory") { name } }');
    expect(new Set(codes(type))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    const ws = await subscribe(app.wsUrl, 'subscription { __schema { types { name } } }');
    try {
      await waitUntil(() => ws.errors.length > 0);
      expect(JSON.stringify(ws.errors)).toMatch(/introspection/i);
    } finally {
      await ws.close();
    }
    // __typename stays: clients need it
    expect((await gql(app, '{ __typename }')).errors).toBeUndefined();
    await stillServes(app);
  });

  it('when suggestions are off, then no error says "Did you mean", for fields, arguments or enum values', async () => {
    const field = await gql(app, '{ factorys { totalCount } }');
    expect(codes(field)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const argument = await gql(app, '{ factories(frist: 1) { totalCount } }');
    const enumValue = await gql(
      app,
      'query($s: AlertSeverity) { alerts(minSeverity: $s) { totalCount } }',
      { s: 'CRITICALL' },
    );
    for (const res of [field, argument, enumValue]) {
      expect(res.errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(res.errors)).not.toMatch(/Did you mean/);
    }
    await stillServes(app);
  });

  it('when the depth limit is raised, then the nested-fragments probe is still refused, by its cost', async () => {
    const res = await post(app, JSON.stringify({ query: hostileNestedQuery() }));
    expect(res.status).toBe(400);
    expect(res.json?.errors?.map((e) => e.extensions?.['limit'])).toEqual(['cost']);
    expect(res.json?.extensions?.['cypherQueries']).toBe(0);
    await stillServes(app);
  });
});

describe('the execution timeout', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ GRAPHQL_EXECUTION_TIMEOUT_MS: '1' });
    await seed(app);
  });
  afterAll(async () => {
    await app.stop();
  });

  it('when an operation within the limits runs past GRAPHQL_EXECUTION_TIMEOUT_MS, then it is cut with one TIMEOUT error', async () => {
    // several Cypher round trips one after the other: far longer than 1 ms; the same document
    // three times: on graphql-js, then compiled (src/server/jit.ts)
    for (let run = 0; run < 3; run += 1) {
      const res = await gql(
        app,
        '{ factories(first: 10) { edges { node { lines { assets { id } } } } } }',
      );
      expect(codes(res)).toEqual(['TIMEOUT']);
      expect(res.errors?.[0]?.extensions).toMatchObject({
        limit: 'executionTimeMs',
        max: 1,
      });
    }
    // a request that resolves no field still answers
    expect((await gql(app, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });
});

describe('a mutation past the execution timeout', () => {
  let app: TestApp;
  let driver: Driver;

  beforeAll(async () => {
    app = await startTestApp({ GRAPHQL_EXECUTION_TIMEOUT_MS: '300' });
    await seed(app);
    driver = neo4j.driver(
      process.env['NEO4J_URI'] ?? '',
      neo4j.auth.basic(process.env['NEO4J_USER'] ?? 'neo4j', process.env['NEO4J_PASSWORD'] ?? ''),
    );
  });
  afterAll(async () => {
    await driver?.close();
    await app?.stop();
  });

  /** The API's transactions of an operation, as Neo4j lists them (their metadata names it). */
  async function running(operationName: string): Promise<number> {
    const session = driver.session({ database: 'neo4j' });
    try {
      const result = await session.run(
        'SHOW TRANSACTIONS YIELD metaData RETURN metaData.operationName AS name',
      );
      return result.records.filter((r) => r.get('name') === operationName).length;
    } finally {
      await session.close();
    }
  }

  it('when a mutation is answered TIMEOUT before its transaction commits, then the transaction rolls back: what was answered as cut did not happen', async () => {
    // another client holds the line's lock, so the mutation's write waits past its deadline
    const session = driver.session({ database: 'neo4j' });
    const blocker = session.beginTransaction();
    try {
      await blocker.run("MATCH (l:Line {id: 'F1-L1'}) SET l.name = l.name");
      // named in the request, so Neo4j's transaction metadata names it too
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: ADMIN_AUTHORIZATION },
        body: JSON.stringify({
          operationName: 'LateRename',
          query: `mutation LateRename { updateLine(id: "F1-L1", patch: { name: "renamed after the deadline" }) { id name } }`,
        }),
      });
      const answer = (await res.json()) as GqlResponse;
      expect(codes(answer)).toEqual(['TIMEOUT']);
      // the mutation's transaction is still waiting for the lock
      expect(await running('LateRename')).toBe(1);
    } finally {
      await blocker.rollback();
      await session.close();
    }
    // once the lock is free, its statement runs; then it must roll back, not commit
    for (let i = 0; i < 100 && (await running('LateRename')) > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await running('LateRename')).toBe(0);
    const line = await gql(app, '{ line(id: "F1-L1") { name } }');
    expect(line.data).toEqual({ line: { name: 'line 1' } });
    // within the deadline the same mutation commits
    const renamed = await gql(
      app,
      `mutation InTime { updateLine(id: "F1-L1", patch: { name: "renamed in time" }) { name } }`,
    );
    expect(renamed.errors).toBeUndefined();
    expect((await gql(app, '{ line(id: "F1-L1") { name } }')).data).toEqual({
      line: { name: 'renamed in time' },
    });
  });
});

describe('the rate limit', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_POINTS: '5', RATE_LIMIT_WINDOW_S: '600' });
    await seed(app);
  });
  afterAll(async () => {
    await app.stop();
  });

  it('when a client sends more requests than its budget, then 429 JSON RATE_LIMITED with Retry-After; other clients are served', async () => {
    const query = JSON.stringify({ query: '{ __typename }' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(app, query)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const over = await post(app, query);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(codes(over.json)).toEqual(['RATE_LIMITED']);
    // another key is another client, with a budget of its own
    const other = await createKey(app.graph, { name: 'other', role: 'viewer' }, 'test');
    await stillServes(app, { authorization: `Bearer ${other.key}` });
  });

  it('when a graphql-ws client subscribes beyond its budget, then the subscribe is refused RATE_LIMITED', async () => {
    const own = await createKey(app.graph, { name: 'ws client', role: 'viewer' }, 'test');
    const params = { authorization: `Bearer ${own.key}` };
    const subs = [];
    for (let i = 0; i < 5; i++) {
      subs.push(await subscribe(app.wsUrl, 'subscription { telemetry { ts } }', {}, params));
    }
    const over = await subscribe(app.wsUrl, 'subscription { telemetry { ts } }', {}, params);
    try {
      await waitUntil(() => over.errors.length > 0);
      expect(JSON.stringify(over.errors)).toMatch(/RATE_LIMITED/);
      for (const s of subs) expect(s.errors).toEqual([]);
    } finally {
      await Promise.all([...subs, over].map((s) => s.close()));
    }
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(check()).toBe(true);
}
