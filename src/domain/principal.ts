/**
 * Who a request acts for (docs/security.md): the credential's role and the factories it may see.
 * The auth capability makes one from a credential; every capability reads it from the context.
 */

export const ROLES = ['viewer', 'operator', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The API key's id (`bootstrap` for TWIN_ADMIN_KEY, `open` when authentication is off). */
  keyId: string;
  name: string;
  role: Role;
  /** The factories the credential may see; null: every factory. */
  factoryIds: readonly string[] | null;
  /**
   * When the credential stops being valid (epoch ms): a JWT's `exp` plus the clock tolerance.
   * Absent for API keys, which stay valid until revoked.
   */
  expiresAt?: number;
}

/**
 * What each role may do beyond reading: operator changes statuses and acknowledges or resolves
 * alerts; analyst runs impact, simulation and risk; admin does everything (twins, imports, rules,
 * keys). viewer only reads.
 */
export function allows(role: Role, needed: Role): boolean {
  if (role === 'admin' || needed === 'viewer') return true;
  return role === needed;
}

/** A request of a server with authentication off acts as this. */
export const OPEN_PRINCIPAL: Principal = {
  keyId: 'open',
  name: 'authentication off (AUTH_REQUIRED=false)',
  role: 'admin',
  factoryIds: null,
};

/**
 * Webhook URLs often carry a secret in their path or query: only an admin key without a factory
 * scope (who may change them) reads them whole; everyone else sees where they go, not the secret.
 */
export function webhookUrlFor(principal: Principal, url: string): string {
  if (principal.role === 'admin' && principal.factoryIds === null) return url;
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '…';
  }
}

/**
 * A webhook attempt's error: receivers often echo the request path (`Cannot POST /hooks/<secret>`),
 * so keys that see URLs by their origin only see the status of an HTTP error, not its text.
 */
export function webhookErrorFor(principal: Principal, error: string | null): string | null {
  if (error === null || (principal.role === 'admin' && principal.factoryIds === null)) return error;
  const http = /^HTTP \d{3}(?: \(redirects are not followed\))?/.exec(error);
  return http ? http[0] : error;
}
