import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { resetTwins } from '../support/db';
import { gql, startTestApp, type TestApp } from '../support/app';
import { ADMIN_AUTHORIZATION } from '../support/credentials';

describe('the API server on a real Neo4j', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    await app.graph.write(`UNWIND $rows AS row CREATE (f:Factory) SET f = row`, {
      rows: [
        {
          id: 'F1',
          name: 'Leipzig',
          country: 'DE',
          timezone: 'Europe/Berlin',
          lat: 51.34,
          lon: 12.37,
        },
        { id: 'F2', name: 'Puebla', country: 'MX', timezone: 'America/Mexico_City' },
        { id: 'F3', name: 'Chennai', country: 'IN', timezone: 'Asia/Kolkata' },
      ],
    });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('when factories are queried over HTTP, then the stored factories come back as a connection', async () => {
    const res = await gql(
      app,
      `{ factories(first: 2) { totalCount edges { cursor node { id name country timezone lat } }
           pageInfo { hasNextPage endCursor } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toMatchObject({
      factories: {
        totalCount: 3,
        edges: [
          {
            node: {
              id: 'F1',
              name: 'Leipzig',
              country: 'DE',
              timezone: 'Europe/Berlin',
              lat: 51.34,
            },
          },
          { node: { id: 'F2', name: 'Puebla', country: 'MX' } },
        ],
        pageInfo: { hasNextPage: true },
      },
    });
  });

  it('when a single factory is asked for by an unknown id, then the answer is null', async () => {
    const res = await gql(app, `query($id: ID!) { factory(id: $id) { id } }`, { id: 'nope' });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ factory: null });
  });

  it('when a variable has the wrong type, then the error has a code and names the variable', async () => {
    const res = await gql(app, `query($n: Int) { factories(first: $n) { totalCount } }`, {
      n: 'ten',
    });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/\$n/);
  });

  it('when /healthz and /readyz are asked, then both answer 200 with Neo4j reachable and migrated and the broker connected', async () => {
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      checks: { neo4j: { ok: true }, migrations: { ok: true }, mqtt: { ok: true } },
    });
  });

  it('when a graphql-ws client connects on the same port, then the handshake is acknowledged and operations run', async () => {
    const client = createClient({
      url: app.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: ADMIN_AUTHORIZATION },
      lazy: false,
      retryAttempts: 0,
    });
    try {
      const acked = new Promise<void>((resolve, reject) => {
        client.on('connected', () => resolve());
        client.on('error', reject);
      });
      await acked;
      const result = await new Promise<unknown>((resolve, reject) => {
        let value: unknown;
        client.subscribe(
          { query: '{ factory(id: "F3") { id name } }' },
          { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
        );
      });
      expect(result).toEqual({ data: { factory: { id: 'F3', name: 'Chennai' } } });
    } finally {
      await client.dispose();
    }
  });
});
