import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gql, startTestApp, type TestApp, createKey } from '../support/app';
import { resetTwins } from '../support/db';
import { subscribe, waitFor } from '../support/live';
import { importPlant } from '../support/plant';

/*
 * Credentials and roles end to end (docs/security.md): no data without a valid key, keys made
 * and revoked through the API and the command line, each role's reach, graphql-ws, and a key
 * revoked while its subscriptions are open.
 */

let app: TestApp;
const keys: Record<string, string> = {};

const as = (role: string) => ({ authorization: `Bearer ${keys[role] ?? 'none'}` });

async function raw(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

beforeAll(async () => {
  app = await startTestApp({
    MQTT_TOPIC_PREFIX: 'au',
    PLAYGROUND_API_KEY: 'tg-demo-playground-key',
  });
  await resetTwins(app.graph, app.runtime.telemetry.rules);
  await importPlant(app);
  for (const role of ['viewer', 'operator', 'analyst', 'admin'])
    keys[role] = await createKey(app, role);
});
afterAll(async () => {
  await app?.stop();
});

describe('credentials', () => {
  it('when a request has no credential or a wrong one, then it gets 401 JSON and no data', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer tg_aaaaaaaaaaaaaaaa_' + 'x'.repeat(43) },
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: `Bearer ${'y'.repeat(600)}` },
    ]) {
      const res = await raw({ query: '{ factories { totalCount } }' }, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body).toEqual({
        errors: [
          {
            message: expect.stringContaining('Authorization: Bearer') as unknown,
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
    }
    // health and the playground's files need no credential; the playground is pre-filled
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const js = await (await fetch(`${app.url}/playground/playground.js`)).text();
    expect(js).toContain('Bearer tg-demo-playground-key');
  });

  it('when keys are listed, then their secrets are not, and who each request acts for is known', async () => {
    const res = await gql(app, '{ apiKeys { id name role factoryIds createdBy revokedAt } }');
    expect(res.errors).toBeUndefined();
    const list = res.data?.['apiKeys'] as Record<string, unknown>[];
    expect(list.map((k) => k['role']).sort()).toEqual(['admin', 'analyst', 'operator', 'viewer']);
    expect(JSON.stringify(res.data)).not.toContain(keys['viewer']?.slice(20) ?? '');
    const me = await gql(app, '{ me { keyId role factoryIds } }', {}, as('operator'));
    expect(me.data).toEqual({
      me: { keyId: expect.any(String) as unknown, role: 'operator', factoryIds: null },
    });
  });

  it('when a key is asked for with a bad role or an unknown factory, then BAD_USER_INPUT names each problem', async () => {
    const res = await gql(
      app,
      'mutation { createApiKey(input: { name: " ", role: "root", factoryIds: ["F1", "NOPE"] }) { key } }',
    );
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const paths = (res.errors?.[0]?.extensions?.['problems'] as { path: string }[]).map(
      (p) => p.path,
    );
    expect(paths.sort()).toEqual(['factoryIds', 'name', 'role']);
  });
});

describe('roles', () => {
  it('a viewer reads, and is refused mutations and analyses with FORBIDDEN naming the role they need', async () => {
    expect((await gql(app, '{ factories { totalCount } }', {}, as('viewer'))).data).toEqual({
      factories: { totalCount: 2 },
    });
    const mutation = await raw(
      { query: 'mutation { createFactory(input: { id: "FX", name: "x" }) { id } }' },
      as('viewer'),
    );
    expect(mutation.status).toBe(403);
    const errors = mutation.body['errors'] as { message: string; extensions: { code: string } }[];
    expect(errors[0]?.extensions.code).toBe('FORBIDDEN');
    expect(errors[0]?.message).toContain('createFactory (needs admin)');
    const impact = await gql(
      app,
      '{ impact(disruption: { assetDowntime: { assetId: "A1", hours: 4 } }) { asOf } }',
      {},
      as('viewer'),
    );
    expect(impact.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(
      (await gql(app, '{ apiKeys { id } }', {}, as('analyst'))).errors?.[0]?.extensions?.['code'],
    ).toBe('FORBIDDEN');
    // nothing was written
    expect((await gql(app, '{ factory(id: "FX") { id } }')).data).toEqual({ factory: null });
  });

  it('an operator changes statuses and handles alerts, but nothing else of a twin', async () => {
    const status = await gql(
      app,
      'mutation { updateAsset(id: "A1", patch: { status: IDLE }) { status } }',
      {},
      as('operator'),
    );
    expect(status.data).toEqual({ updateAsset: { status: 'IDLE' } });
    const rename = await gql(
      app,
      'mutation { updateAsset(id: "A1", patch: { name: "Renamed", status: RUNNING }) { name } }',
      {},
      as('operator'),
    );
    expect(rename.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(rename.errors?.[0]?.message).toContain('changing name needs an admin key');
    // past the role check: the alert does not exist
    const ack = await gql(
      app,
      'mutation { acknowledgeAlert(id: "none", by: "op") { id } }',
      {},
      as('operator'),
    );
    expect(ack.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    const rule = await gql(
      app,
      'mutation { deleteAlertRule(id: "metric-range") { id } }',
      {},
      as('operator'),
    );
    expect(rule.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('an analyst runs impact analyses; an admin key made through the API does everything', async () => {
    const impact = await gql(
      app,
      '{ impact(disruption: { assetDowntime: { assetId: "A1", hours: 4 } }) { lines { line { id } } } }',
      {},
      as('analyst'),
    );
    expect(impact.errors).toBeUndefined();
    const create = await gql(
      app,
      'mutation { createFactory(input: { id: "FX", name: "x" }) { id } }',
      {},
      as('admin'),
    );
    expect(create.data).toEqual({ createFactory: { id: 'FX' } });
    await gql(app, 'mutation { deleteFactory(id: "FX") { deleted } }', {}, as('admin'));
  });
});

describe('graphql-ws', () => {
  it('when a socket has no valid credential, then it is closed with 4403 before any subscription', async () => {
    const code = await new Promise<number>((resolve) => {
      const client = createClient({
        url: app.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: 'Bearer wrong-key-wrong-key' },
        lazy: false,
        retryAttempts: 0,
        on: { closed: (e) => resolve((e as { code: number }).code) },
      });
      client.on('error', () => undefined);
    });
    expect(code).toBe(4403);
  });

  it('a viewer subscribes to telemetry but not to simulation progress', async () => {
    const ok = await subscribe(
      app.wsUrl,
      'subscription { assetStatusChanged { asset { id status } } }',
      {},
      as('viewer'),
    );
    const denied = await subscribe(
      app.wsUrl,
      'subscription { simulationProgress(id: "x") { status } }',
      {},
      as('viewer'),
    );
    try {
      await waitFor('the refusal', () => (denied.errors.length > 0 ? true : undefined));
      expect(JSON.stringify(denied.errors)).toContain('FORBIDDEN');
      expect(ok.errors).toEqual([]);
    } finally {
      await ok.close();
      await denied.close();
    }
  });

  it('when a key is revoked while its subscriptions are open, then its sockets close and its requests fail', async () => {
    const key = await createKey(app, 'viewer');
    let closed: number | undefined;
    const client = createClient({
      url: app.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${key}` },
      lazy: false,
      retryAttempts: 0,
      on: { closed: (e) => (closed = (e as { code: number }).code) },
    });
    client.on('error', () => undefined);
    client.subscribe(
      { query: 'subscription { assetStatusChanged { asset { id status } } }' },
      {
        next: () => undefined,
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await waitFor('the socket open', async () =>
      (await gql(app, '{ me { role } }', {}, { authorization: `Bearer ${key}` })).data
        ? true
        : undefined,
    );
    const id = (await gql(app, '{ apiKeys { id name } }')).data?.['apiKeys'] as {
      id: string;
      name: string;
    }[];
    const revoked = await gql(
      app,
      'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt revokedBy } }',
      {
        id: id.at(-1)?.id,
      },
    );
    expect(revoked.errors).toBeUndefined();
    await waitFor('the socket closed', () => (closed !== undefined ? closed : undefined), 10_000);
    expect(closed).toBe(4403);
    const after = await raw({ query: '{ me { role } }' }, { authorization: `Bearer ${key}` });
    expect(after.status).toBe(401);
    await client.dispose();
  });

  it('when a revoked key keeps its socket open without answering the close, then nothing it sends runs (least of all as admin), and the socket is cut off', async () => {
    const made = await gql(
      app,
      'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }',
      { input: { name: 'stubborn', role: 'viewer', factoryIds: null } },
    );
    const { key, apiKey } = made.data?.['createApiKey'] as { key: string; apiKey: { id: string } };
    const socket = new WebSocket(app.wsUrl, 'graphql-transport-ws');
    const messages: { type: string; id?: string; payload?: unknown }[] = [];
    let closedAt: number | undefined;
    socket.on('close', () => (closedAt = Date.now()));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () =>
        socket.send(
          JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } }),
        ),
      );
      socket.on('message', (raw: Buffer) => {
        const msg = JSON.parse(raw.toString()) as { type: string };
        messages.push(msg);
        if (msg.type === 'connection_ack') resolve();
      });
      socket.once('error', reject);
    });
    // it stops reading (so it never sees nor answers the close) and keeps sending a mutation
    socket.pause();
    const revoked = await gql(app, 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', {
      id: apiKey.id,
    });
    expect(revoked.errors).toBeUndefined();
    const mutation = 'mutation { createFactory(input: { id: "F-STUBBORN", name: "x" }) { id } }';
    for (let i = 0; i < 60 && closedAt === undefined; i++) {
      if (socket.readyState === WebSocket.OPEN) {
        socket.send(
          JSON.stringify({ id: `m${i}`, type: 'subscribe', payload: { query: mutation } }),
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    socket.resume();
    await waitFor(
      'the server to cut the socket off',
      () => (closedAt !== undefined ? true : undefined),
      10_000,
    );
    const stored = await gql(app, '{ factory(id: "F-STUBBORN") { id } }');
    expect(stored.data).toEqual({ factory: null });
  });
});

describe('npm run keys', () => {
  // not spawnSync: the server under test runs in this process and must keep answering (its
  // lastUsedAt write holds the key's node until its event loop commits it)
  const cli = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'keys.js');
  const env = {
    PATH: process.env['PATH'] ?? '',
    NEO4J_URI: process.env['NEO4J_URI'] ?? '',
    LOG_LEVEL: 'warn',
  };
  const keysCli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [cli, ...args], { env }, (err, stdout, stderr) => {
        const code = err && typeof err.code === 'number' ? err.code : err ? 1 : 0;
        resolve({ code, stdout, stderr });
      });
    });

  it('creates a key that works, lists it without its secret, and revokes it', async () => {
    expect(existsSync(cli)).toBe(true); // npm test builds first
    const created = await keysCli(
      'create',
      '--name',
      'partner',
      '--role',
      'viewer',
      '--factory',
      'F1',
    );
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^tg_[a-z0-9]{16}_/);
    const me = await gql(app, '{ me { role factoryIds } }', {}, { authorization: `Bearer ${key}` });
    expect(me.data).toEqual({ me: { role: 'viewer', factoryIds: ['F1'] } });
    const listed = await keysCli('list');
    expect(listed.stdout).toContain('partner');
    expect(listed.stdout).not.toContain(key.slice(20));
    expect((await keysCli('revoke', key.slice(3, 19))).code).toBe(0);
    await waitFor('the key refused', async () =>
      (await raw({ query: '{ me { role } }' }, { authorization: `Bearer ${key}` })).status === 401
        ? true
        : undefined,
    );
    const bad = await keysCli('create', '--name', 'x', '--role', 'root');
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--role');
    expect((await keysCli('revoke', 'nosuchkey')).code).toBe(1);
  });
});

describe('authentication off', () => {
  it('when AUTH_REQUIRED=false, then a request without a credential acts as admin, and a wrong credential is still refused', async () => {
    const open = await startTestApp({ MQTT_TOPIC_PREFIX: 'au2', AUTH_REQUIRED: 'false' });
    try {
      const me = await gql(open, '{ me { keyId role } }', {}, { authorization: '' });
      expect(me.data).toEqual({ me: { keyId: 'open', role: 'admin' } });
      const wrong = await gql(
        open,
        '{ me { role } }',
        {},
        { authorization: 'Bearer not-a-key-at-all' },
      );
      expect(wrong.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    } finally {
      await open.stop();
    }
  });
});
