import {
  bucketCountUpperBound,
  bucketKey,
  bucketStartIso,
  combineBuckets,
  zoneOrUtc,
} from './buckets';

const T0 = Date.parse('2026-10-25T00:30:00Z');

describe('rollup buckets', () => {
  it('when both halves hold a bucket, then counts, extremes and sums add up and last is the later one', () => {
    const graph = [{ key: '0', count: 2, min: 1, max: 5, sum: 6, lastTsMs: 20, last: 5 }];
    const files = [
      { key: '0', count: 3, min: 0, max: 4, sum: 6, lastTsMs: 10, last: 4 },
      { key: String(T0), count: 1, min: 7, max: 7, sum: 7, lastTsMs: T0, last: 7 },
    ];
    expect(combineBuckets([graph, files], 'HOUR', 'UTC')[0]).toEqual({
      key: '0',
      count: 5,
      min: 0,
      max: 5,
      sum: 12,
      lastTsMs: 20,
      last: 5,
    });
  });

  it('when a day has 25 hours (DST ends), then its key and start are local', () => {
    // 2026-10-25 in Berlin: 00:00 CEST (+02:00) to 24:00 CET (+01:00)
    expect(bucketKey(T0, 'DAY', 'Europe/Berlin')).toBe('2026-10-25');
    expect(bucketStartIso('2026-10-25', 'DAY', 'Europe/Berlin')).toBe(
      '2026-10-25T00:00:00.000+02:00',
    );
    expect(bucketKey(Date.parse('2026-10-25T22:59:59Z'), 'DAY', 'Europe/Berlin')).toBe(
      '2026-10-25',
    );
    expect(bucketKey(Date.parse('2026-10-25T23:00:00Z'), 'DAY', 'Europe/Berlin')).toBe(
      '2026-10-26',
    );
    expect(bucketStartIso(bucketKey(T0, 'HOUR', 'UTC'), 'HOUR', 'UTC')).toBe(
      '2026-10-25T00:00:00.000Z',
    );
  });

  it('when a zone is missing or unknown, then days are UTC; the bucket bound never under-counts', () => {
    expect(zoneOrUtc(null)).toBe('UTC');
    expect(zoneOrUtc('Mars/Olympus')).toBe('UTC');
    expect(zoneOrUtc('America/Chicago')).toBe('America/Chicago');
    expect(bucketCountUpperBound(0, 60 * 60_000, 'MINUTE')).toBe(61);
    expect(bucketCountUpperBound(0, 10 * 86_400_000, 'DAY')).toBeGreaterThanOrEqual(11);
  });
});
