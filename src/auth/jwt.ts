import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Config } from '../config';
import { ROLES, type Principal, type Role } from '../domain/principal';
import type { Log } from '../log';

/**
 * JWTs from an identity provider (docs/security.md, "JWT from an identity provider"): a token
 * signed by a key of the provider's JWKS, issued by JWT_ISSUER (for JWT_AUDIENCE when set), acts
 * for the role and factories its claims name. A token that fails any check is refused exactly like
 * a wrong API key; why is logged at debug, never the token.
 */

/** Asymmetric algorithms only: never `none`, never HS* (a public key is no shared secret). */
export const JWT_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** Most factories one token may name (as for API keys). */
const MAX_FACTORIES = 1000;
const MAX_NAME = 200;
const MAX_SUBJECT = 256;
/** JWKS fetch failures are logged at warn at most this often (they are a deployment problem). */
const WARN_EVERY_MS = 60_000;

export interface JwtClaimSettings {
  /** The claim that names the role (JWT_ROLE_CLAIM): one of ROLES, a string. */
  roleClaim: string;
  /** The claim that lists the factories (JWT_FACTORIES_CLAIM): absent means every factory. */
  factoriesClaim: string;
  /** Seconds a token is still accepted after its `exp` (JWT_CLOCK_TOLERANCE_S). */
  clockToleranceS: number;
}

export interface JwtSettings extends JwtClaimSettings {
  issuer: string;
  jwksUrl: string;
  /** The `aud` a token must carry; undefined: not checked. */
  audience: string | undefined;
  /** A JWKS fetch that has not answered in this long fails (ms). */
  jwksTimeoutMs: number;
  /** After a fetch, an unknown `kid` fetches the JWKS again only after this long (ms). */
  jwksCooldownMs: number;
  log: Log;
  /** The keys, instead of fetching JWT_JWKS_URL (unit tests). */
  keys?: JWTVerifyGetKey;
}

export type ClaimMapping = { ok: true; principal: Principal } | { ok: false; reason: string };

/** Whether a credential has the shape of a JWS compact serialization (three base64url parts). */
export function looksLikeJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);
}

const isRole = (v: unknown): v is Role =>
  typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/**
 * The principal of a verified token's claims, or why it has none. `sub` and `exp` are required;
 * the role claim must name one of ROLES (a token without one is refused: no default role); the
 * factories claim is absent (every factory) or a list of 1 to 1,000 factory ids (an empty list is
 * refused: it is a provider's mistake more likely than a token meant to see nothing).
 */
export function principalFromClaims(payload: JWTPayload, settings: JwtClaimSettings): ClaimMapping {
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub.trim() === '' || sub.length > MAX_SUBJECT) {
    return { ok: false, reason: `no "sub" claim of 1 to ${MAX_SUBJECT} characters` };
  }
  const exp = payload.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    return { ok: false, reason: 'no numeric "exp" claim: tokens without an expiry are refused' };
  }
  const role = payload[settings.roleClaim];
  if (!isRole(role)) {
    return {
      ok: false,
      reason:
        role === undefined
          ? `no "${settings.roleClaim}" claim (the role): tokens without a role are refused`
          : `the "${settings.roleClaim}" claim is not one of ${ROLES.join(', ')}`,
    };
  }
  const factories = payload[settings.factoriesClaim];
  let factoryIds: string[] | null = null;
  if (factories !== undefined && factories !== null) {
    if (
      !Array.isArray(factories) ||
      !factories.every((f) => typeof f === 'string' && f !== '' && f.length <= MAX_NAME)
    ) {
      return {
        ok: false,
        reason: `the "${settings.factoriesClaim}" claim is not a list of factory ids`,
      };
    }
    if (factories.length === 0 || factories.length > MAX_FACTORIES) {
      return {
        ok: false,
        reason: `the "${settings.factoriesClaim}" claim lists ${factories.length} factories: list 1 to ${MAX_FACTORIES}, or leave it out for every factory`,
      };
    }
    factoryIds = [...new Set(factories.map(String))];
  }
  const name =
    typeof payload['name'] === 'string' && payload['name'].trim() !== ''
      ? payload['name'].trim().slice(0, MAX_NAME)
      : sub;
  return {
    ok: true,
    principal: {
      keyId: `jwt:${sub}`,
      name,
      role,
      factoryIds,
      expiresAt: (exp + settings.clockToleranceS) * 1000,
    },
  };
}

/** Why a token failed verification, for the debug log: never the token, at most its kid and alg. */
export function refusalReason(err: unknown, token: string): string {
  const header = safeHeader(token);
  const kid = typeof header['kid'] === 'string' ? header['kid'].slice(0, 64) : '(none)';
  const alg = typeof header['alg'] === 'string' ? header['alg'].slice(0, 16) : '(none)';
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    return `claim "${err.claim}" failed (${err.reason}): ${err.message}`;
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return `algorithm ${alg} is not allowed`;
  if (err instanceof errors.JWKSNoMatchingKey) return `unknown key id ${kid} (alg ${alg})`;
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return `bad signature (key id ${kid})`;
  }
  if (err instanceof errors.JWKSTimeout) return 'the JWKS did not answer in time';
  if (err instanceof errors.JOSEError) return `${err.code}: ${err.message}`;
  return `could not verify: ${err instanceof Error ? err.message : String(err)}`;
}

function safeHeader(token: string): Record<string, unknown> {
  try {
    return { ...decodeProtectedHeader(token) };
  } catch {
    return {};
  }
}

/** A failure to get the keys (not a bad token): the provider or the network. */
function isKeySetFailure(err: unknown): boolean {
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return true;
  // a generic JOSEError is only thrown by the fetch (not 200, not JSON); a bad token has a code
  if (err instanceof errors.JOSEError) return err.code === 'ERR_JOSE_GENERIC';
  return true; // the network: refused, reset, DNS
}

/** Verifies identity-provider JWTs against the provider's JWKS (fetched, cached, refreshed). */
export class JwtVerifier {
  private readonly keys: JWTVerifyGetKey;
  private lastWarned = 0;

  constructor(private readonly settings: JwtSettings) {
    // jose caches the set (10 minutes) and fetches it again for an unknown kid, at most once per
    // cooldown: a rotation is picked up at its first token, and made-up kids cost no fetch storm
    this.keys =
      settings.keys ??
      createRemoteJWKSet(new URL(settings.jwksUrl), {
        timeoutDuration: settings.jwksTimeoutMs,
        cooldownDuration: settings.jwksCooldownMs,
      });
  }

  /** The principal of a valid token, or null (logged at debug with the reason). */
  async verify(token: string): Promise<Principal | null> {
    const { settings } = this;
    let payload: JWTPayload;
    try {
      payload = await this.withDeadline(
        jwtVerify(token, this.keys, {
          issuer: settings.issuer,
          ...(settings.audience === undefined ? {} : { audience: settings.audience }),
          algorithms: [...JWT_ALGORITHMS],
          clockTolerance: settings.clockToleranceS,
          requiredClaims: ['exp', 'sub'],
        }),
      ).then((r) => r.payload);
    } catch (err) {
      const reason = refusalReason(err, token);
      settings.log.debug(`JWT refused: ${reason}`);
      if (isKeySetFailure(err) && Date.now() - this.lastWarned > WARN_EVERY_MS) {
        this.lastWarned = Date.now();
        settings.log.warn(
          `could not get the identity provider's keys from ${settings.jwksUrl} (${reason}): JWTs are refused until it answers`,
        );
      }
      return null;
    }
    const mapped = principalFromClaims(payload, settings);
    if (!mapped.ok) {
      settings.log.debug(`JWT refused: ${mapped.reason}`);
      return null;
    }
    return mapped.principal;
  }

  /**
   * jose's timeout bounds the wait for the JWKS's first byte; this bounds the whole verification,
   * so a provider that answers slowly cannot hold requests open.
   */
  private withDeadline<T>(work: Promise<T>): Promise<T> {
    const ms = this.settings.jwksTimeoutMs + 1000;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new errors.JWKSTimeout()), ms);
      timer.unref();
    });
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  }
}

/** The verifier the settings configure (JWT_ISSUER and JWT_JWKS_URL), or undefined. */
export function jwtVerifierFor(config: Config, log: Log): JwtVerifier | undefined {
  if (config.JWT_ISSUER === undefined || config.JWT_JWKS_URL === undefined) return undefined;
  const url = new URL(config.JWT_JWKS_URL);
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    log.warn(
      `JWT_JWKS_URL is plain http (${url.host}): anyone on the way could swap the keys; use https`,
    );
  }
  log.info(
    `JWTs of ${config.JWT_ISSUER}${config.JWT_AUDIENCE ? ` for ${config.JWT_AUDIENCE}` : ''} are accepted (keys from ${url.href})`,
  );
  return new JwtVerifier({
    issuer: config.JWT_ISSUER,
    jwksUrl: config.JWT_JWKS_URL,
    audience: config.JWT_AUDIENCE,
    roleClaim: config.JWT_ROLE_CLAIM,
    factoriesClaim: config.JWT_FACTORIES_CLAIM,
    clockToleranceS: config.JWT_CLOCK_TOLERANCE_S,
    jwksTimeoutMs: config.JWT_JWKS_TIMEOUT_MS,
    jwksCooldownMs: config.JWT_JWKS_COOLDOWN_S * 1000,
    log,
  });
}
