import type { Principal } from '../domain/principal';
import type { Graph } from '../graph/executor';
import type { Log } from '../log';
import { type JwtVerifier, looksLikeJwt } from './jwt';
import { findKey, touchKey } from './key.store';
import { hashSecret, parseKey, sameSecret } from './keys';

export interface AuthenticatorOptions {
  /** TWIN_ADMIN_KEY: an admin credential that is not stored (bootstrap, `npm start`'s demo key). */
  bootstrapKey: string | undefined;
  /** How long a key's lookup is reused (a revoked key stops working within this). */
  cacheMs: number;
  log: Log;
  /** Verifies identity-provider JWTs (JWT_ISSUER and JWT_JWKS_URL); undefined: API keys only. */
  jwt?: JwtVerifier | undefined;
}

interface Cached {
  at: number;
  /** null: no such key, or revoked. */
  principal: Principal | null;
  hash: string;
}

const TOUCH_EVERY_MS = 60_000;

/** A key valid this recently is checked even while its client's failed-credential budget is spent. */
const RECENTLY_VALID_MS = 10 * 60_000;

/**
 * Turns a credential into a Principal (or null). Stored keys are looked up by id and checked
 * against their hash; lookups are reused for `cacheMs`, so a busy key costs one read per interval,
 * and a revoked key stops working within it on every instance.
 */
export class Authenticator {
  private readonly cache = new Map<string, Cached>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly graph: Graph,
    private readonly options: AuthenticatorOptions,
  ) {}

  async principalFor(credential: string | null): Promise<Principal | null> {
    if (credential === null) return null;
    const bootstrap = this.options.bootstrapKey;
    if (bootstrap && sameSecret(credential, bootstrap)) {
      return { keyId: 'bootstrap', name: 'TWIN_ADMIN_KEY', role: 'admin', factoryIds: null };
    }
    // a JWS compact form (header.payload.signature) is a token; an API key has no dots
    const jwt = this.options.jwt;
    if (jwt && looksLikeJwt(credential)) return jwt.verify(credential);
    const parsed = parseKey(credential);
    if (!parsed) return null;
    const entry = await this.lookup(parsed.id);
    if (!entry.principal || !sameSecret(hashSecret(parsed.secret), entry.hash)) return null;
    this.touch(parsed.id);
    return entry.principal;
  }

  /**
   * Whether a key (by id) is still valid: what open subscriptions are re-checked against. A JWT
   * is valid until it expires (its `exp` plus the clock tolerance); it cannot be revoked sooner.
   */
  async stillValid(principal: Principal): Promise<boolean> {
    if (principal.keyId.startsWith('jwt:')) {
      return principal.expiresAt !== undefined && Date.now() < principal.expiresAt;
    }
    if (principal.keyId === 'bootstrap' || principal.keyId === 'open') return true;
    return (await this.lookup(principal.keyId)).principal !== null;
  }

  /**
   * Whether checking `credential` would read the database now: an API key whose lookup is not
   * cached and that was not valid in the last RECENTLY_VALID_MS. The bootstrap key, tokens (checked
   * against the provider's cached keys) and malformed credentials cost no read. While a client's
   * failed-credential budget is spent, such a credential is refused before the read
   * (server/auth.ts), so guessing keys costs no database reads once refused.
   */
  costsLookup(credential: string): boolean {
    const bootstrap = this.options.bootstrapKey;
    if (bootstrap && sameSecret(credential, bootstrap)) return false;
    if (this.options.jwt && looksLikeJwt(credential)) return false;
    const parsed = parseKey(credential);
    if (!parsed) return false;
    const now = Date.now();
    const hit = this.cache.get(parsed.id);
    if (hit && now - hit.at < this.options.cacheMs) return false;
    const validAt = this.touched.get(parsed.id);
    return validAt === undefined || now - validAt >= RECENTLY_VALID_MS;
  }

  /** Forget a key at once (revoked on this instance). */
  forget(id: string): void {
    this.cache.delete(id);
  }

  private async lookup(id: string): Promise<Cached> {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && now - hit.at < this.options.cacheMs) return hit;
    const found = await findKey(this.graph, id);
    const entry: Cached = {
      at: now,
      hash: found?.hash ?? '',
      principal:
        found && found.record.revokedAt === null
          ? {
              keyId: found.record.id,
              name: found.record.name,
              role: found.record.role,
              factoryIds: found.record.factoryIds,
            }
          : null,
    };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, entry);
    return entry;
  }

  /** lastUsedAt, at most once a minute per key, in the background. */
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    touchKey(this.graph, id).catch((err: unknown) =>
      this.options.log.debug({ err }, `could not record the use of key ${id}`),
    );
  }
}
