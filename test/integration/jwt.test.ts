import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-ws';
import {
  base64url,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  type KeyLike,
  SignJWT,
} from 'jose';
import WebSocket from 'ws';
import { gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';
import { waitFor } from '../support/live';
import { importPlant } from '../support/plant';

/*
 * JWTs from an identity provider end to end (docs/security.md, "JWT from an identity provider"):
 * a real JWKS served over HTTP, the real server verifying tokens against it, each way a token can
 * be wrong answering exactly like a wrong API key, a subscription closed once its token expires,
 * and a key rotation at the provider picked up.
 */

const ISSUER = 'https://idp.test/realms/plant';
const AUDIENCE = 'twin-graph';

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: KeyLike;
  jwk: JWK;
}

async function signingKey(kid: string, alg: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

let app: TestApp;
let jwks: Server;
/** What the provider publishes now. */
let published: JWK[] = [];
let fetches = 0;
let current: SigningKey;

const now = () => Math.floor(Date.now() / 1000);

interface TokenOptions {
  key?: SigningKey;
  /** The header's kid, when it should not be the key's. */
  kid?: string;
  issuer?: string;
  audience?: string | null;
  sub?: string;
  exp?: number;
}

function token(claims: JWTPayload, options: TokenOptions = {}): Promise<string> {
  const key = options.key ?? current;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? ISSUER)
    .setSubject(options.sub ?? 'alice')
    .setIssuedAt()
    .setExpirationTime(options.exp ?? now() + 300);
  if (options.audience !== null) jwt.setAudience(options.audience ?? AUDIENCE);
  return jwt.sign(key.privateKey);
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

async function raw(query: string, headers: Record<string, string>) {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: res.status,
    authenticate: res.headers.get('www-authenticate'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

/** What a wrong API key gets: every refused token must get exactly this. */
let refused: Awaited<ReturnType<typeof raw>>;

async function expectRefused(t: string): Promise<void> {
  expect(await raw('{ me { keyId } }', bearer(t))).toEqual(refused);
}

beforeAll(async () => {
  current = await signingKey('k1', 'RS256');
  published = [current.jwk];
  jwks = createServer((req, res) => {
    if (req.url !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const { port } = jwks.address() as AddressInfo;
  app = await startTestApp({
    MQTT_TOPIC_PREFIX: 'jwt',
    JWT_ISSUER: ISSUER,
    JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
    JWT_AUDIENCE: AUDIENCE,
    // expiry is exact here, and every unknown kid fetches the keys again (the rotation test)
    JWT_CLOCK_TOLERANCE_S: '0',
    JWT_JWKS_COOLDOWN_S: '0',
  });
  await resetTwins(app.graph, app.runtime.telemetry.rules);
  await importPlant(app);
  refused = await raw('{ me { keyId } }', bearer('tg_aaaaaaaaaaaaaaaa_' + 'x'.repeat(43)));
  expect(refused.status).toBe(401);
});
afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => jwks?.close(resolve));
});

describe('a valid token', () => {
  it('acts for its subject, role and factories', async () => {
    const t = await token({ twin_role: 'viewer', twin_factories: ['F1'], name: 'Alice' });
    const me = await gql(app, '{ me { keyId name role factoryIds } }', {}, bearer(t));
    expect(me.data).toEqual({
      me: { keyId: 'jwt:alice', name: 'Alice', role: 'viewer', factoryIds: ['F1'] },
    });
  });

  it('reads data with its role, and a viewer is refused an admin mutation with FORBIDDEN', async () => {
    const viewer = await token({ twin_role: 'viewer' });
    const read = await gql(app, '{ factories { totalCount } }', {}, bearer(viewer));
    expect(read.data).toEqual({ factories: { totalCount: 2 } });
    const mutation = await raw(
      'mutation { createFactory(input: { id: "FJ", name: "x" }) { id } }',
      bearer(viewer),
    );
    expect(mutation.status).toBe(403);
    const errors = mutation.body['errors'] as { message: string; extensions: { code: string } }[];
    expect(errors[0]?.extensions.code).toBe('FORBIDDEN');
    expect(errors[0]?.message).toContain('createFactory (needs admin)');
    // an admin token may
    const admin = await token({ twin_role: 'admin' }, { sub: 'root-of-plant' });
    const made = await gql(
      app,
      'mutation { createFactory(input: { id: "FJ", name: "x" }) { id } }',
      {},
      bearer(admin),
    );
    expect(made.data).toEqual({ createFactory: { id: 'FJ' } });
    const deleted = await gql(
      app,
      'mutation { deleteFactory(id: "FJ") { deleted { id } } }',
      {},
      bearer(admin),
    );
    expect(deleted.errors).toBeUndefined();
  });

  it('of another algorithm family (ES256, EdDSA) is accepted when its key is published', async () => {
    const es = await signingKey('es', 'ES256');
    const ed = await signingKey('ed', 'EdDSA');
    published = [...published, es.jwk, ed.jwk];
    for (const key of [es, ed]) {
      const me = await gql(
        app,
        '{ me { role } }',
        {},
        bearer(await token({ twin_role: 'analyst' }, { key })),
      );
      expect(me.data).toEqual({ me: { role: 'analyst' } });
    }
    published = [current.jwk];
  });
});

describe('a token that is wrong answers exactly like a wrong API key', () => {
  it('when it expired', async () => {
    await expectRefused(await token({ twin_role: 'admin' }, { exp: now() - 60 }));
  });

  it('when another issuer made it', async () => {
    await expectRefused(await token({ twin_role: 'admin' }, { issuer: 'https://evil.test/' }));
  });

  it('when it is for another audience, or names none', async () => {
    await expectRefused(await token({ twin_role: 'admin' }, { audience: 'other-api' }));
    await expectRefused(await token({ twin_role: 'admin' }, { audience: null }));
  });

  it('when another key signed it, under the published kid or its own', async () => {
    const other = await signingKey('k1', 'RS256');
    await expectRefused(await token({ twin_role: 'admin' }, { key: other }));
    await expectRefused(await token({ twin_role: 'admin' }, { key: other, kid: 'made-up' }));
  });

  it('when it is unsigned (alg none) or signed with HS256 over the public key', async () => {
    const claims = {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'mallory',
      exp: now() + 300,
      twin_role: 'admin',
    };
    const part = (v: unknown) => base64url.encode(JSON.stringify(v));
    await expectRefused(`${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`);
    const secret = new TextEncoder().encode(JSON.stringify(current.jwk));
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(secret);
    await expectRefused(hs);
  });

  it('when its role claim is missing or not a role, or its factory list is empty', async () => {
    await expectRefused(await token({}));
    await expectRefused(await token({ twin_role: 'root' }));
    await expectRefused(await token({ twin_role: ['admin'] }));
    await expectRefused(await token({ twin_role: 'viewer', twin_factories: [] }));
  });

  it('when it has no expiry', async () => {
    const t = await new SignJWT({ twin_role: 'viewer' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('alice')
      .sign(current.privateKey);
    await expectRefused(t);
  });

  it('when it is refused on graphql-ws, then the socket closes with 4403', async () => {
    const t = await token({ twin_role: 'viewer' }, { exp: now() - 60 });
    const code = await new Promise<number>((resolve) => {
      const client = createClient({
        url: app.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: bearer(t),
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: () => undefined, // the close is what the test waits for
        on: { closed: (e) => resolve((e as { code: number }).code) },
      });
      client.on('error', () => undefined);
    });
    expect(code).toBe(4403);
  });
});

describe('expiry and rotation', () => {
  it('when a token expires while its subscription is open, then the server closes the socket (4403)', async () => {
    const exp = now() + 3;
    const t = await token({ twin_role: 'viewer' }, { exp, sub: 'short-lived' });
    let connected = false;
    let closed: { code: number; at: number } | undefined;
    const client = createClient({
      url: app.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: bearer(t),
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined,
      on: {
        connected: () => (connected = true),
        closed: (e) => (closed = { code: (e as { code: number }).code, at: Date.now() }),
      },
    });
    client.on('error', () => undefined);
    client.subscribe(
      { query: 'subscription { assetStatusChanged { asset { id status } } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    try {
      await waitFor('the socket open', () => (connected ? true : undefined), 10_000);
      const end = await waitFor('the socket closed', () => closed, 20_000);
      expect(end.code).toBe(4403);
      // the server and this test share a clock: never before the token's expiry
      expect(end.at).toBeGreaterThanOrEqual(exp * 1000);
    } finally {
      await client.dispose();
    }
  });

  it('when the provider rotates its key (a new kid), then tokens of the new key are accepted and the old key is dropped', async () => {
    const old = current;
    const before = fetches;
    expect(
      (await gql(app, '{ me { role } }', {}, bearer(await token({ twin_role: 'viewer' })))).data,
    ).toEqual({
      me: { role: 'viewer' },
    });
    current = await signingKey('k2', 'RS256');
    published = [current.jwk];
    const fresh = await token({ twin_role: 'operator' });
    const me = await gql(app, '{ me { role } }', {}, bearer(fresh));
    expect(me.data).toEqual({ me: { role: 'operator' } });
    expect(fetches).toBeGreaterThan(before);
    // the set fetched for k2 no longer has k1
    await expectRefused(await token({ twin_role: 'viewer' }, { key: old }));
  });
});

describe('an identity provider that does not answer', () => {
  it('when the JWKS cannot be fetched, then tokens are refused with 401, and API keys still work', async () => {
    const down = await startTestApp({
      MQTT_TOPIC_PREFIX: 'jwt2',
      JWT_ISSUER: ISSUER,
      // a port nothing listens on: the test's JWKS server, closed
      JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      JWT_JWKS_TIMEOUT_MS: '1000',
    });
    try {
      const res = await fetch(`${down.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...bearer(await token({ twin_role: 'viewer' })),
        },
        body: JSON.stringify({ query: '{ me { keyId } }' }),
      });
      expect(res.status).toBe(401);
      expect((await gql(down, '{ me { keyId } }')).data).toEqual({ me: { keyId: 'bootstrap' } });
    } finally {
      await down.stop();
    }
  });
});
