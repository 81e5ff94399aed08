import fc from 'fast-check';
import { readingRecord } from '../../test/support/records';
import { latestPerMetric, type LatestValue, type ReadingRecord } from './records';

/*
 * The writer sets each metric's latest value once per batch, from latestPerMetric, where
 * WRITE_READINGS applies every reading in turn ("only if not older than the metric's"). Both are
 * modelled here on a map of metrics, from any start and any batch: they must leave the same.
 */
type Metrics = Map<string, Omit<LatestValue, 'metricId'>>;

function apply(metrics: Metrics, rows: readonly LatestValue[]): Metrics {
  const out = new Map(metrics);
  for (const r of rows) {
    const m = out.get(r.metricId);
    if (m && m.ts > r.ts) continue;
    out.set(r.metricId, { ts: r.ts, value: r.value, flagged: r.flagged });
  }
  return out;
}

const metricId = fc.constantFrom('A1/temp', 'A1/rpm', 'A2/temp');
// few distinct times, so that ties (a redelivered or repeated timestamp) are common
const ts = fc
  .integer({ min: 0, max: 5 })
  .map((s) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString());
const reading = fc
  .record({ metricId, ts, value: fc.integer({ min: -5, max: 5 }), flagged: fc.boolean() })
  .map((r): ReadingRecord => readingRecord(r));
const start = fc
  .array(fc.record({ metricId, ts, value: fc.integer(), flagged: fc.boolean() }))
  .map((rows): Metrics => apply(new Map(), rows));

describe('latestPerMetric', () => {
  it('when applied once per metric, then it leaves every metric as applying each reading in turn does', () => {
    fc.assert(
      fc.property(start, fc.array(reading, { maxLength: 30 }), (metrics, rows) => {
        const latest = latestPerMetric(rows);
        expect(new Set(latest.map((l) => l.metricId)).size).toBe(latest.length);
        expect(apply(metrics, latest)).toEqual(apply(metrics, rows));
      }),
    );
  });

  it('when two readings of a metric share the newest time, then the later one wins, as in turn', () => {
    const at = '2026-01-01T00:00:05.000Z';
    const rows = [
      readingRecord({ metricId: 'M', ts: at, value: 1 }),
      readingRecord({ metricId: 'M', ts: '2026-01-01T00:00:01.000Z', value: 2 }),
      readingRecord({ metricId: 'M', ts: at, value: 3 }),
    ];
    expect(latestPerMetric(rows)).toEqual([{ metricId: 'M', ts: at, value: 3, flagged: false }]);
  });
});
