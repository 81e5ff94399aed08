import { getIntrospectionQuery, type GraphQLFormattedError } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importDocument } from '../../src/twins/import/service';
import { ADMIN_AUTHORIZATION, gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';

/*
 * Compiled execution (src/server/jit.ts): a document runs on graphql-js the first time and as
 * compiled code from the second on. Whatever the path, the answer is the same: data, errors (with
 * their codes and paths), the Cypher round trips.
 */
const DOCUMENTS: { name: string; query: string; variables?: Record<string, unknown> }[] = [
  {
    name: 'nested lists, fragments, aliases and the directives',
    query: `query Nested($first: Int!, $withMetrics: Boolean!, $noKind: Boolean!) {
      factories(first: $first) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { ...F lines { id name assets { id kind @skip(if: $noKind) status
          metrics @include(if: $withMetrics) { id name unit min max value } feeds { id } fedBy { id } } } } }
      }
      plant: factory(id: "F-LEI") { __typename id timezone }
    }
    fragment F on Factory { id name country lat lon }`,
    variables: { first: 2, withMetrics: true, noKind: true },
  },
  {
    name: 'the bill of materials, suppliers, shipments and orders',
    query: `{
      products(first: 5) { edges { node { id sku unitCost components { quantity product { id sku } }
        usedIn { product { id } } suppliers { leadTimeDays supplier { id name supplies { product { id } } } }
        producedBy { __typename } } } }
      shipments(first: 5) { edges { node { id status quantity eta supplier { id } factory { id } product { sku } } } }
      orders(first: 5) { edges { node { id quantity status dueDate product { id } factory { name } } } }
    }`,
  },
  {
    name: 'an analysis with enums and input objects',
    query: `query Impact($d: DisruptionInput!) {
      impact(disruption: $d, asOf: "2026-11-25T00:00:00Z") {
        kind asOf windowEnd products { id } factories { id } orders { id status } paths { kind id }
      }
    }`,
    variables: { d: { supplierOutage: { supplierId: 'S-ELBE', days: 10 } } },
  },
  {
    name: 'an unknown twin and a refused argument (errors with codes and paths)',
    query: `{
      asset(id: "A-NOPE") { id }
      known: asset(id: "A-LEI-BODY-BLANK") { id line { id factory { id } } metrics { id history(limit: 0) { ts } } }
    }`,
  },
  {
    name: "the playground's introspection query",
    query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }),
  },
  {
    name: 'a field error inside a list item (null bubbling)',
    query: `{ factories(first: 1) { edges { node { id lines { id assets { id metrics { id history(limit: 0) { ts } } } } } } } }`,
  },
];

describe('compiled execution (graphql-jit)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ GRAPHQL_MAX_DEPTH: '12', GRAPHQL_MAX_COST: '1000000' });
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    const demo: unknown = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'seeds', 'demo.json'), 'utf8'),
    );
    await importDocument(app.graph, demo);
  });
  afterAll(async () => {
    await app.stop();
  });

  it.each(DOCUMENTS)(
    'when "$name" runs again (compiled), then the answer is the one graphql-js gave',
    async ({ query, variables }) => {
      const first = await gql(app, query, variables);
      const second = await gql(app, query, variables);
      const third = await gql(app, query, variables);
      for (const compiled of [second, third]) {
        expect(compiled.data).toEqual(first.data);
        // the same round trips; after an error graphql-js may answer before siblings load
        if (!first.errors) expect(compiled.extensions).toEqual(first.extensions);
        // graphql-js stops collecting a list's errors at its first failed item (Promise.all);
        // compiled code reports every item's: the first is the same, the rest are more of them
        expect(compiled.errors?.[0]).toEqual(first.errors?.[0]);
        for (const e of compiled.errors ?? []) {
          expect(first.errors?.map((f) => [f.message, f.extensions])).toContainEqual([
            e.message,
            e.extensions,
          ]);
        }
      }
      expect(first).toHaveProperty('data');
    },
  );

  it('when the documents have run, then errors and data were those the schema promises', async () => {
    const nested = await gql(app, DOCUMENTS[0]?.query ?? '', DOCUMENTS[0]?.variables);
    expect(nested.errors).toBeUndefined();
    expect(JSON.stringify(nested.data)).toContain('"metrics":[{');
    expect(JSON.stringify(nested.data)).not.toContain('"kind"');
    const impact = await gql(app, DOCUMENTS[2]?.query ?? '', DOCUMENTS[2]?.variables);
    expect(impact.errors).toBeUndefined();
    expect(impact.data?.['impact']).toMatchObject({ kind: 'SUPPLIER_OUTAGE' });
    // an error in a nullable field nulls that field only, with its path and code
    const errors = await gql(app, DOCUMENTS[3]?.query ?? '');
    expect(errors.data).toEqual({ asset: null, known: null });
    expect(errors.errors?.[0]).toMatchObject({
      path: ['known', 'metrics', 0, 'history'],
      extensions: { code: 'BAD_USER_INPUT' },
    });
    // … and in a non-null one, its parents up to the first nullable one
    const bubbled = await gql(app, DOCUMENTS[5]?.query ?? '');
    expect(bubbled.data).toBeNull();
    expect(bubbled.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('when a compiled document gets a bad variable, then it is refused as before: 400, BAD_USER_INPUT, the variable named', async () => {
    const query = 'query Page($first: Int!) { factories(first: $first) { totalCount } }';
    const post = async (variables: Record<string, unknown>) => {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: ADMIN_AUTHORIZATION },
        body: JSON.stringify({ query, variables }),
      });
      const body: unknown = await res.json();
      return { status: res.status, body };
    };
    // compiled from the second run on
    expect((await post({ first: 1 })).status).toBe(200);
    expect((await post({ first: 2 })).body).toMatchObject({
      data: { factories: { totalCount: 3 } },
    });
    for (const bad of [{ first: 'ten' }, {}, { first: 1.5 }]) {
      const { status, body } = await post(bad);
      expect(status).toBe(400);
      expect(body).toMatchObject({
        errors: [
          expect.objectContaining({
            message: expect.stringMatching(/^Variable "\$first"/),
            extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
          }),
        ],
      });
    }
  });

  it('when a nested query runs compiled, then it still costs one Cypher round trip per level, and /metrics counts it', async () => {
    const compiled = await counter(app, 'twin_graph_graphql_jit_compiled_total');
    const executions = await counter(app, 'twin_graph_graphql_jit_executions_total');
    const query = `{ factories(first: 10) { edges { node { id lines { id assets { id metrics { id } } } } } } }`;
    const runs = [await gql(app, query), await gql(app, query), await gql(app, query)];
    expect(runs.map((r) => r.extensions?.['cypherQueries'])).toEqual([4, 4, 4]);
    // the first ran on graphql-js, the second compiled it, the second and third ran compiled
    expect(await counter(app, 'twin_graph_graphql_jit_compiled_total')).toBe(compiled + 1);
    expect(await counter(app, 'twin_graph_graphql_jit_executions_total')).toBe(executions + 2);
  });

  it('when a mutation document runs again, then it runs compiled and writes each time', async () => {
    const mutation = `mutation Rename($id: ID!, $name: String!) { updateAsset(id: $id, patch: { name: $name }) { id name } }`;
    for (const name of ['Blanking press 1', 'Blanking press 2', 'Blanking press 3']) {
      const res = await gql(app, mutation, { id: 'A-LEI-BODY-BLANK', name });
      expect(res).toMatchObject({ data: { updateAsset: { id: 'A-LEI-BODY-BLANK', name } } });
      expect(res.errors).toBeUndefined();
    }
    const read = await gql(app, '{ asset(id: "A-LEI-BODY-BLANK") { name } }');
    expect(read.data).toEqual({ asset: { name: 'Blanking press 3' } });
  });
  it('when a hostile client puts code in literals and names, then compiled documents treat them as data', async () => {
    // graphql-jit generates code for a document: its literals must stay strings
    const payloads = [
      "'); process.exit(1); ('",
      '"); process.exit(1); ("',
      '`); process.exit(1); (`',
      '${process.exit(1)}',
      '\\u0027); process.exit(1); //',
      '\n}); process.exit(1); ({\n',
    ];
    for (const id of payloads) {
      const literal = JSON.stringify(id);
      const query = `{ asset(id: ${literal}) { id } f: factory(id: ${literal}) { id } assets(first: 1, search: ${literal}) { totalCount } }`;
      for (let run = 0; run < 3; run += 1) {
        const res = await gql(app, query);
        expect(res).toMatchObject({ data: { asset: null, f: null, assets: { totalCount: 0 } } });
      }
    }
    // still serving
    expect((await gql(app, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  describe('over graphql-ws', () => {
    let ws: Client;
    beforeAll(() => {
      ws = createClient({
        url: app.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: ADMIN_AUTHORIZATION },
        retryAttempts: 0,
      });
    });
    afterAll(async () => {
      await ws.dispose();
    });

    interface WsResult {
      data?: Record<string, unknown> | null | undefined;
      errors?: readonly GraphQLFormattedError[] | undefined;
    }

    /** One query or mutation over the socket: its one result. */
    const run = (query: string, variables: Record<string, unknown> = {}) =>
      new Promise<WsResult>((resolve, reject) => {
        let result: WsResult | undefined;
        ws.subscribe(
          { query, variables },
          {
            next: (value) => {
              result = value;
            },
            error: reject,
            complete: () =>
              result ? resolve(result) : reject(new Error('completed without a result')),
          },
        );
      });

    it('when queries and mutations come again over graphql-ws, then they run compiled and answer as over HTTP', async () => {
      const nested = DOCUMENTS[0];
      const overHttp = await gql(app, nested?.query ?? '', nested?.variables);
      const compiled = await counter(app, 'twin_graph_graphql_jit_compiled_total');
      const executions = await counter(app, 'twin_graph_graphql_jit_executions_total');
      const runs = [];
      for (let i = 0; i < 3; i += 1) runs.push(await run(nested?.query ?? '', nested?.variables));
      for (const r of runs) {
        expect(r.errors).toBeUndefined();
        expect(r.data).toEqual(overHttp.data);
      }
      // the same text is one parsed document: compiled at its second run on the socket
      expect(await counter(app, 'twin_graph_graphql_jit_compiled_total')).toBe(compiled + 1);
      expect(await counter(app, 'twin_graph_graphql_jit_executions_total')).toBe(executions + 2);

      // errors with their codes and paths, the same on every run
      const failing = DOCUMENTS[3]?.query ?? '';
      const errors = [await run(failing), await run(failing), await run(failing)];
      for (const r of errors) {
        expect(r.data).toEqual({ asset: null, known: null });
        expect(r.errors?.[0]).toMatchObject({
          path: ['known', 'metrics', 0, 'history'],
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }

      // a bad variable is refused the same way before and after compilation
      const page = 'query WsPage($first: Int!) { factories(first: $first) { totalCount } }';
      expect((await run(page, { first: 1 })).data).toEqual({ factories: { totalCount: 3 } });
      expect((await run(page, { first: 2 })).data).toEqual({ factories: { totalCount: 3 } });
      for (const variables of [{ first: 'ten' }, {}, { first: 1.5 }]) {
        await expect(run(page, variables)).rejects.toEqual([
          expect.objectContaining({
            message: expect.stringMatching(/^Variable "\$first"/),
            extensions: { code: 'BAD_USER_INPUT' },
          }),
        ]);
      }

      // … and a subscription's, before it starts
      await expect(
        run('subscription WsSub($f: ID!) { telemetry(factoryId: $f) { ts } }', {}),
      ).rejects.toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/^Variable "\$f"/),
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]);

      // a mutation runs compiled and writes each time
      const rename = `mutation WsRename($name: String!) { updateAsset(id: "A-LEI-BODY-BLANK", patch: { name: $name }) { name } }`;
      for (const name of ['ws 1', 'ws 2', 'ws 3']) {
        expect((await run(rename, { name })).data).toEqual({ updateAsset: { name } });
      }
      expect((await gql(app, '{ asset(id: "A-LEI-BODY-BLANK") { name } }')).data).toEqual({
        asset: { name: 'ws 3' },
      });
    });

    it('when a document over graphql-ws breaks a limit, then it is refused each time, also once the same text was cached', async () => {
      const deep = `{ factories { edges { node { lines { assets { line { factory { lines { assets { line { factory { id } } } } } } } } } } } }`;
      for (let i = 0; i < 3; i += 1) {
        await expect(run(deep)).rejects.toEqual([
          expect.objectContaining({
            extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX' }),
          }),
        ]);
      }
      // cost depends on the variables: the same cached document passes or not by them
      const page =
        'query WsCost($first: Int!) { factories(first: $first) { edges { node { lines { assets { metrics { id } } } } } } }';
      await expect(run(page, { first: 1 })).resolves.toHaveProperty('data');
      await expect(run(page, { first: 100000 })).rejects.toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({
            code: expect.stringMatching(/QUERY_TOO_COMPLEX|BAD_USER_INPUT/),
          }),
        }),
      ]);
    });
  });
});

async function counter(app: TestApp, name: string): Promise<number> {
  const res = await fetch(`${app.url}/metrics`, {
    headers: { authorization: ADMIN_AUTHORIZATION },
  });
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}
