import { allows, ROLES } from '../domain/principal';
import { bearer, hashSecret, newKey, parseKey, sameSecret } from './keys';

describe('API keys', () => {
  it('a new key parses back into its id and a secret whose hash is the stored one', () => {
    const made = newKey();
    expect(made.key).toMatch(/^tg_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseKey(made.key);
    expect(parsed?.id).toBe(made.id);
    expect(hashSecret(parsed?.secret ?? '')).toBe(made.hash);
    expect(made.key).not.toContain(made.hash);
  });

  it('two keys never share an id or a secret', () => {
    const keys = Array.from({ length: 200 }, () => newKey());
    expect(new Set(keys.map((k) => k.id)).size).toBe(200);
    expect(new Set(keys.map((k) => k.key)).size).toBe(200);
  });

  it('anything but a well-formed key does not parse', () => {
    for (const bad of [
      '',
      'tg_',
      'tg_short_x',
      `tg_${'A'.repeat(16)}_${'x'.repeat(43)}`,
      'x'.repeat(5000),
    ]) {
      expect(parseKey(bad)).toBeNull();
    }
  });

  it('reads a Bearer credential, and nothing else', () => {
    expect(bearer('Bearer abc')).toBe('abc');
    expect(bearer('bearer   abc  ')).toBe('abc');
    expect(bearer(['Bearer abc', 'Bearer def'])).toBe('abc');
    expect(bearer('Basic abc')).toBeNull();
    expect(bearer(undefined)).toBeNull();
    expect(bearer(`Bearer ${'x'.repeat(2000)}`)).toBe('x'.repeat(2000)); // a JWT may be long
    expect(bearer(`Bearer ${'x'.repeat(9000)}`)).toBeNull();
  });

  it('compares secrets of any length without throwing', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', '')).toBe(true);
  });
});

describe('roles', () => {
  it('admin may do everything; operator and analyst each their own; everyone reads', () => {
    const table = ROLES.map((role) => ROLES.map((needed) => allows(role, needed)));
    expect(table).toEqual([
      // needed: viewer, operator, analyst, admin
      [true, false, false, false], // viewer
      [true, true, false, false], // operator
      [true, false, true, false], // analyst
      [true, true, true, true], // admin
    ]);
  });
});
