import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys: `tg_<id>_<secret>`. The id (16 lowercase letters and digits) names the key in the
 * graph and in logs; the secret (43 base64url characters, 256 random bits) is shown once, when the
 * key is made, and stored only as its SHA-256 hash. A slow hash (scrypt, bcrypt) is for passwords
 * people choose; a 256-bit random secret cannot be guessed from its SHA-256, and checking it must
 * stay cheap because every request does.
 */

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_PATTERN = /^tg_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewKey {
  id: string;
  /** The whole key, for the caller to keep: it is not stored. */
  key: string;
  hash: string;
}

export function newKey(): NewKey {
  const bytes = randomBytes(16);
  let id = '';
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `tg_${id}_${secret}`, hash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The id and secret of a well-formed key, or null. */
export function parseKey(key: string): { id: string; secret: string } | null {
  const m = KEY_PATTERN.exec(key);
  return m?.[1] && m[2] ? { id: m[1], secret: m[2] } : null;
}

/** Constant-time comparison of two strings (of any length). */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a, 'utf8').digest();
  const y = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

/**
 * The credential of an `Authorization` header value (`Bearer <key>`), or null. Up to 8,192
 * characters: an identity provider's JWT is often over a kilobyte.
 */
export function bearer(header: string | readonly string[] | undefined | null): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return null;
  const m = /^Bearer\s+(\S{1,8192})\s*$/i.exec(value);
  return m?.[1] ?? null;
}
