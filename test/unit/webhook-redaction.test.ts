import { type Principal, webhookErrorFor, webhookUrlFor } from '../../src/domain/principal';

/* Webhook URLs and receivers' error texts carry secrets: whole only for an unscoped admin. */

const key = (role: Principal['role'], factoryIds: string[] | null): Principal => ({
  keyId: 'k',
  name: 'k',
  role,
  factoryIds,
});

describe('webhook secrets', () => {
  const url = 'https://hooks.example.com/services/T0/B0/s3cr3t?token=abc';
  const error = 'HTTP 404: Cannot POST /services/T0/B0/s3cr3t';

  it('when an unscoped admin reads them, then they are whole', () => {
    expect(webhookUrlFor(key('admin', null), url)).toBe(url);
    expect(webhookErrorFor(key('admin', null), error)).toBe(error);
  });

  it('when any other key reads them, then it sees the origin and the HTTP status, never the path', () => {
    for (const principal of [key('admin', ['F1']), key('operator', null), key('viewer', ['F1'])]) {
      expect(webhookUrlFor(principal, url)).toBe('https://hooks.example.com/…');
      expect(webhookErrorFor(principal, error)).toBe('HTTP 404');
      expect(
        webhookErrorFor(principal, 'HTTP 302 (redirects are not followed): to /x/secret'),
      ).toBe('HTTP 302 (redirects are not followed)');
      expect(webhookErrorFor(principal, 'timeout: no answer within 5000 ms')).toBe(
        'timeout: no answer within 5000 ms',
      );
      expect(webhookErrorFor(principal, null)).toBeNull();
      expect(
        JSON.stringify([webhookUrlFor(principal, url), webhookErrorFor(principal, error)]),
      ).not.toMatch(/s3cr3t|token/);
    }
  });
});
