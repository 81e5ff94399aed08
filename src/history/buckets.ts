/**
 * Rollup buckets (issue 13, docs/history.md "Reading history"): what a bucket is, its key as both
 * engines compute it (DuckDB over the files, Cypher over the graph's recent window), and how the
 * two halves of a bucket combine. A key is text so that both engines produce the same one:
 * - MINUTE and HOUR: the bucket's start in epoch ms (UTC), as decimal digits;
 * - DAY: the local date `YYYY-MM-DD` in the factory's time zone (a day is 23, 24 or 25 hours).
 */
import { DateTime, IANAZone } from 'luxon';

export const ROLLUP_BUCKETS = ['MINUTE', 'HOUR', 'DAY'] as const;
export type RollupBucket = (typeof ROLLUP_BUCKETS)[number];

/** Length of a MINUTE or HOUR bucket; a DAY's is its zone's business. */
export const FIXED_BUCKET_MS: Record<'MINUTE' | 'HOUR', number> = {
  MINUTE: 60_000,
  HOUR: 3_600_000,
};

/** One bucket of one source, or of both combined. `sum` makes averages of two halves exact. */
export type BucketAggregate = {
  key: string;
  count: number;
  min: number;
  max: number;
  sum: number;
  /** The latest reading's time and value in the bucket. */
  lastTsMs: number;
  last: number;
};

/** The zone to bucket days in: a valid IANA name, else UTC. */
export function zoneOrUtc(timeZone: string | null | undefined): string {
  return timeZone && IANAZone.isValidZone(timeZone) ? timeZone : 'UTC';
}

/** The key of the bucket holding `tsMs` (the same as the engines compute; for tests and folds). */
export function bucketKey(tsMs: number, bucket: RollupBucket, timeZone: string): string {
  if (bucket === 'DAY') return DateTime.fromMillis(tsMs, { zone: timeZone }).toISODate() ?? '';
  const size = FIXED_BUCKET_MS[bucket];
  return String(Math.floor(tsMs / size) * size);
}

/** The instant a bucket starts: local midnight of a DAY key in its zone, else the key itself. */
export function bucketStartMs(key: string, bucket: RollupBucket, timeZone: string): number {
  if (bucket !== 'DAY') return Number(key);
  return DateTime.fromISO(key, { zone: timeZone }).startOf('day').toMillis();
}

/** ISO text of a bucket's start: with the zone's offset for a DAY, else a UTC instant. */
export function bucketStartIso(key: string, bucket: RollupBucket, timeZone: string): string {
  const ms = bucketStartMs(key, bucket, timeZone);
  if (bucket !== 'DAY') return new Date(ms).toISOString();
  return DateTime.fromMillis(ms, { zone: timeZone }).toISO() ?? new Date(ms).toISOString();
}

/** Buckets [fromMs, toMs) spans at most (a DAY counted as 23 hours, so never under-counted). */
export function bucketCountUpperBound(fromMs: number, toMs: number, bucket: RollupBucket): number {
  const size = bucket === 'DAY' ? 23 * 3_600_000 : FIXED_BUCKET_MS[bucket];
  return Math.ceil((toMs - fromMs) / size) + 1;
}

/**
 * Both halves of each bucket in one, ordered by key start: count, min, max and sum add up, `last`
 * is the value at the later time. The halves never hold the same reading (they split at the
 * boundary, docs/history.md), so nothing is counted twice.
 */
export function combineBuckets(
  parts: readonly (readonly BucketAggregate[])[],
  bucket: RollupBucket,
  timeZone: string,
): BucketAggregate[] {
  const byKey = new Map<string, BucketAggregate>();
  for (const part of parts) {
    for (const b of part) {
      const seen = byKey.get(b.key);
      if (!seen) {
        byKey.set(b.key, { ...b });
        continue;
      }
      seen.count += b.count;
      seen.min = Math.min(seen.min, b.min);
      seen.max = Math.max(seen.max, b.max);
      seen.sum += b.sum;
      if (b.lastTsMs > seen.lastTsMs) {
        seen.lastTsMs = b.lastTsMs;
        seen.last = b.last;
      }
    }
  }
  return [...byKey.values()]
    .map((b) => ({ b, start: bucketStartMs(b.key, bucket, timeZone) }))
    .sort((x, y) => x.start - y.start)
    .map(({ b }) => b);
}
