import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  type KeyLike,
  SignJWT,
} from 'jose';
import { loadConfig } from '../config';
import type { Log } from '../log';
import { JwtVerifier, looksLikeJwt, principalFromClaims } from './jwt';

const settings = { roleClaim: 'twin_role', factoriesClaim: 'twin_factories', clockToleranceS: 30 };
const exp = 2_000_000_000;
/** Claims of a valid viewer token, changed by `extra` (an undefined value leaves a claim out). */
function claims(extra: Record<string, unknown> = {}): JWTPayload {
  const all: Record<string, unknown> = { sub: 'alice', exp, twin_role: 'viewer', ...extra };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

describe('JWT claims to a principal', () => {
  it('when a token has a subject, a role and factories, then it acts for them until exp plus the tolerance', () => {
    expect(
      principalFromClaims(
        claims({ name: ' Alice ', twin_factories: ['F1', 'F2', 'F1'] }),
        settings,
      ),
    ).toEqual({
      ok: true,
      principal: {
        keyId: 'jwt:alice',
        name: 'Alice',
        role: 'viewer',
        factoryIds: ['F1', 'F2'],
        expiresAt: (exp + 30) * 1000,
      },
    });
  });

  it('when a token has no factories claim, then it sees every factory; without a name it is named by its subject', () => {
    const mapped = principalFromClaims(claims({ twin_role: 'admin' }), settings);
    expect(mapped).toMatchObject({
      ok: true,
      principal: { name: 'alice', role: 'admin', factoryIds: null },
    });
  });

  it('when the claims are named otherwise, then those claims are read', () => {
    const mapped = principalFromClaims(
      { sub: 's', exp, 'https://twin/role': 'operator', plants: ['F9'] },
      { roleClaim: 'https://twin/role', factoriesClaim: 'plants', clockToleranceS: 0 },
    );
    expect(mapped).toMatchObject({
      ok: true,
      principal: { role: 'operator', factoryIds: ['F9'], expiresAt: exp * 1000 },
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no role', { twin_role: undefined }, /no "twin_role" claim/],
    ['an unknown role', { twin_role: 'root' }, /not one of viewer, operator, analyst, admin/],
    ['a list of roles', { twin_role: ['admin'] }, /not one of/],
    ['an empty factory list', { twin_factories: [] }, /lists 0 factories/],
    ['factories that are not a list', { twin_factories: 'F1' }, /not a list of factory ids/],
    ['a factory that is not a string', { twin_factories: ['F1', 7] }, /not a list/],
    ['no subject', { sub: undefined }, /no "sub" claim/],
    ['an empty subject', { sub: ' ' }, /no "sub" claim/],
    ['no expiry', { exp: undefined }, /no numeric "exp" claim/],
  ])('when a token has %s, then it is refused (no default role)', (_what, extra, reason) => {
    const mapped = principalFromClaims(claims(extra), settings);
    expect(mapped.ok).toBe(false);
    expect(mapped.ok ? '' : mapped.reason).toMatch(reason);
  });

  it('tells tokens from API keys by their shape', () => {
    expect(looksLikeJwt('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln')).toBe(true);
    expect(looksLikeJwt('eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.')).toBe(true); // alg none: refused later
    expect(looksLikeJwt('tg_abcdefghijklmnop_' + 'x'.repeat(43))).toBe(false);
    expect(looksLikeJwt('a.b')).toBe(false);
    expect(looksLikeJwt('a.b.c.d')).toBe(false);
    expect(looksLikeJwt('a b.c.d')).toBe(false);
  });
});

describe('JWT verification', () => {
  let key: KeyLike;
  let verifier: JwtVerifier;
  const lines: string[] = [];
  const log = {
    debug: (m: unknown) => lines.push(String(m)),
    warn: (m: unknown) => lines.push(String(m)),
  } as unknown as Log;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    key = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    verifier = new JwtVerifier({
      ...settings,
      issuer: 'https://idp.example',
      jwksUrl: 'https://idp.example/jwks',
      audience: 'twin',
      jwksTimeoutMs: 1000,
      jwksCooldownMs: 0,
      log,
      keys: createLocalJWKSet({ keys: [jwk] }),
    });
  });

  const sign = (payload: JWTPayload, expires: string | number = '5m') =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://idp.example')
      .setAudience('twin')
      .setSubject('alice')
      .setExpirationTime(expires)
      .sign(key);

  it('when a token is valid, then it acts for its claims', async () => {
    const principal = await verifier.verify(await sign({ twin_role: 'analyst' }));
    expect(principal).toMatchObject({ keyId: 'jwt:alice', role: 'analyst', factoryIds: null });
  });

  it('when a token is refused, then the reason is logged and the token is not', async () => {
    lines.length = 0;
    const expired = await sign({ twin_role: 'viewer' }, Math.floor(Date.now() / 1000) - 120);
    const noRole = await sign({});
    expect(await verifier.verify(expired)).toBeNull();
    expect(await verifier.verify(noRole)).toBeNull();
    expect(lines).toEqual(['JWT refused: expired', expect.stringMatching(/no "twin_role" claim/)]);
    for (const line of lines) {
      for (const token of [expired, noRole]) {
        for (const part of token.split('.')) expect(line).not.toContain(part);
      }
    }
  });
});

describe('JWT settings', () => {
  const base = { NEO4J_URI: 'bolt://localhost:7687' };

  it('when only one of JWT_ISSUER and JWT_JWKS_URL is set, then the start fails naming both', () => {
    expect(() => loadConfig({ ...base, JWT_ISSUER: 'https://idp.example' })).toThrow(
      /JWT_ISSUER, JWT_JWKS_URL \(only JWT_ISSUER set\): set both/,
    );
    expect(() => loadConfig({ ...base, JWT_JWKS_URL: 'https://idp.example/jwks' })).toThrow(
      /only JWT_JWKS_URL set/,
    );
    expect(() => loadConfig({ ...base, JWT_AUDIENCE: 'twin' })).toThrow(/JWT_AUDIENCE/);
    expect(() =>
      loadConfig({ ...base, JWT_ISSUER: 'https://idp.example', JWT_JWKS_URL: 'ftp://x/jwks' }),
    ).toThrow(/JWT_JWKS_URL \("ftp:\/\/x\/jwks"\): expected an https:\/\/ URL/);
  });

  it('when neither is set, then only API keys are accepted; when both are, the defaults apply', () => {
    expect(loadConfig(base).JWT_ISSUER).toBeUndefined();
    expect(
      loadConfig({
        ...base,
        JWT_ISSUER: 'https://idp.example',
        JWT_JWKS_URL: 'https://idp.example/jwks',
      }),
    ).toMatchObject({
      JWT_ROLE_CLAIM: 'twin_role',
      JWT_FACTORIES_CLAIM: 'twin_factories',
      JWT_CLOCK_TOLERANCE_S: 30,
      JWT_JWKS_TIMEOUT_MS: 5000,
      JWT_JWKS_COOLDOWN_S: 30,
    });
  });
});
