import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyRow, writeHistoryFiles } from '../../test/support/history-files';
import { bucketKey, bucketStartIso, combineBuckets } from './buckets';
import { silentLog } from '../log';
import { type RollupBucket } from './buckets';
import { HistoryCompactor } from './compactor';
import { type HistoryRow, MINUTES_FOLDER } from './layout';
import { ParquetFiles } from './parquet';
import { HistoryReader } from './reader';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const MIN = 60_000;
const HOUR = 3_600_000;

/** A compactor that always holds its lease and deletes its inputs at once (no query runs meanwhile). */
const compactorOf = (dir: string) =>
  new HistoryCompactor({
    dir,
    instanceId: 'api-1',
    everyMs: HOUR,
    log: silentLog(),
    lease: () => Promise.resolve(true),
    graceMs: 0,
  });

describe('HistoryReader', () => {
  let dir: string;
  let reader: HistoryReader;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'history-reader-'));
    reader = new HistoryReader(dir);
  });
  afterEach(async () => {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the directory is missing or empty, then it answers empty', async () => {
    const missing = new HistoryReader(join(dir, 'nope'));
    const q = { metricIds: ['A/t'], fromMs: null, toMs: T0, limit: 10 };
    expect((await missing.readings(q)).get('A/t')).toEqual([]);
    expect((await reader.readings(q)).get('A/t')).toEqual([]);
    mkdirSync(join(dir, 'day=2026-11-20', 'factory=F1'), { recursive: true });
    writeFileSync(join(dir, 'day=2026-11-20', 'factory=F1', '.x-1-1.parquet.tmp'), 'half');
    expect((await reader.readings(q)).get('A/t')).toEqual([]);
    const rollup = await reader.rollup({
      metricIds: ['A/t'],
      fromMs: T0 - HOUR,
      toMs: T0,
      bucket: 'HOUR',
      timeZone: 'UTC',
    });
    expect(rollup.get('A/t')).toEqual([]);
    await missing.close();
  });

  it('when a day is one compacted file, then it is read as it is, and a file beside it or another day is deduplicated', async () => {
    const DAY = 24 * HOUR;
    // day 1: one compacted file (compactor.ts writes each reading once; the reader trusts it, so
    // the duplicate planted here shows that this day is read without deduplication)
    await writeHistoryFiles(
      dir,
      [
        { metricId: 'A/t', tsMs: T0 - DAY, value: 1 },
        { metricId: 'A/t', tsMs: T0 - DAY, value: 1 },
      ],
      'compact-x',
    );
    // day 2: a compacted file and a late file beside it holding the same reading again
    await writeHistoryFiles(dir, [{ metricId: 'A/t', tsMs: T0, value: 2 }], 'compact-x');
    await writeHistoryFiles(dir, [{ metricId: 'A/t', tsMs: T0, value: 2, receivedAtMs: T0 + 9e5 }]);
    // day 3: two ordinary files with the same reading
    await writeHistoryFiles(dir, [{ metricId: 'A/t', tsMs: T0 + DAY, value: 3 }]);
    await writeHistoryFiles(dir, [{ metricId: 'A/t', tsMs: T0 + DAY, value: 3 }]);
    const rows = (
      await reader.readings({ metricIds: ['A/t'], fromMs: null, toMs: T0 + 2 * DAY, limit: 10 })
    ).get('A/t');
    expect(rows?.map((r) => [r.tsMs, r.value])).toEqual([
      [T0 + DAY, 3],
      [T0, 2],
      [T0 - DAY, 1],
      [T0 - DAY, 1],
    ]);
    const rollup = await reader.rollup({
      metricIds: ['A/t'],
      fromMs: T0 - 2 * DAY,
      toMs: T0 + 2 * DAY,
      bucket: 'DAY',
      timeZone: 'UTC',
    });
    expect(
      (rollup.get('A/t') ?? [])
        .map((b) => [b.key, b.count])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['2026-11-19', 2],
      ['2026-11-20', 1],
      ['2026-11-21', 1],
    ]);
  });

  it('when a reading is in several files, then it is read once, as first received', async () => {
    await writeHistoryFiles(dir, [
      { metricId: 'A/t', tsMs: T0, value: 1, receivedAtMs: T0 + 5000, source: 'late' },
      { metricId: 'A/t', tsMs: T0 + 1000, value: 2 },
    ]);
    await writeHistoryFiles(dir, [
      { metricId: 'A/t', tsMs: T0, value: 9, receivedAtMs: T0 + 10, source: 'first' },
    ]);
    const rows = (
      await reader.readings({ metricIds: ['A/t'], fromMs: null, toMs: T0 + HOUR, limit: 10 })
    ).get('A/t');
    expect(rows?.map((r) => [r.tsMs, r.value, r.source])).toEqual([
      [T0 + 1000, 2, expect.any(String)],
      [T0, 9, 'first'],
    ]);
    const rollup = await reader.rollup({
      metricIds: ['A/t'],
      fromMs: T0,
      toMs: T0 + HOUR,
      bucket: 'HOUR',
      timeZone: 'UTC',
    });
    expect(rollup.get('A/t')).toEqual([
      { key: String(T0), count: 2, min: 2, max: 9, sum: 11, lastTsMs: T0 + 1000, last: 2 },
    ]);
  });

  it('when several metrics are read, then each gets its newest `limit` in [from, to), newest first', async () => {
    const rows = [];
    for (let i = 0; i < 50; i++) {
      rows.push({ metricId: 'A/t', tsMs: T0 + i * MIN, value: i });
      rows.push({ metricId: 'B/p', tsMs: T0 + i * MIN, value: 100 + i });
    }
    await writeHistoryFiles(dir, rows);
    const got = await reader.readings({
      metricIds: ['A/t', 'B/p', 'C/none'],
      fromMs: T0 + 10 * MIN,
      toMs: T0 + 40 * MIN,
      limit: 5,
    });
    expect(got.get('A/t')?.map((r) => r.value)).toEqual([39, 38, 37, 36, 35]);
    expect(got.get('B/p')?.map((r) => r.value)).toEqual([139, 138, 137, 136, 135]);
    expect(got.get('C/none')).toEqual([]);
    const all = await reader.readings({
      metricIds: ['A/t'],
      fromMs: T0 + 45 * MIN,
      toMs: T0 + 99 * MIN,
      limit: 100,
    });
    expect(all.get('A/t')?.map((r) => r.value)).toEqual([49, 48, 47, 46, 45]);
  });

  it('when readings span many days, then the walk back reaches the older days only for metrics still short', async () => {
    const rows = [];
    for (let d = 0; d < 10; d++) {
      rows.push({ metricId: 'A/t', tsMs: T0 - d * 86_400_000, value: d });
    }
    rows.push({ metricId: 'B/rare', tsMs: T0 - 9 * 86_400_000 - 5, value: -1 });
    await writeHistoryFiles(dir, rows);
    const got = await reader.readings({
      metricIds: ['A/t', 'B/rare'],
      fromMs: null,
      toMs: T0 + 1,
      limit: 3,
    });
    expect(got.get('A/t')?.map((r) => r.value)).toEqual([0, 1, 2]);
    expect(got.get('B/rare')?.map((r) => r.value)).toEqual([-1]);
  });

  it('when factories are known, then only their partitions are read', async () => {
    await writeHistoryFiles(dir, [
      { metricId: 'A/t', tsMs: T0, value: 1, factoryId: 'F1' },
      { metricId: 'A/t', tsMs: T0 + 1, value: 2, factoryId: 'F 2/x' },
    ]);
    const only = async (factoryIds: string[] | null) =>
      (
        await reader.readings({
          metricIds: ['A/t'],
          fromMs: null,
          toMs: T0 + HOUR,
          limit: 10,
          factoryIds,
        })
      )
        .get('A/t')
        ?.map((r) => r.value);
    expect(await only(null)).toEqual([2, 1]);
    expect(await only(['F1'])).toEqual([1]);
    expect(await only(['F 2/x'])).toEqual([2]);
    expect(await only(['other'])).toEqual([]);
  });

  it('when days are rolled up in Europe/Berlin across the DST change, then each local day is one bucket of 23 or 24 hours', async () => {
    // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST, a 23-hour day
    const zone = 'Europe/Berlin';
    const from = Date.parse('2026-03-27T23:00:00Z'); // 2026-03-28 00:00 CET
    const to = Date.parse('2026-03-30T22:00:00Z'); // 2026-03-31 00:00 CEST
    const rows = [];
    for (let ts = from - 2 * HOUR; ts < to + 2 * HOUR; ts += HOUR) {
      rows.push({ metricId: 'A/t', tsMs: ts, value: (ts - from) / HOUR });
    }
    await writeHistoryFiles(dir, rows);
    const got = await reader.rollup({
      metricIds: ['A/t'],
      fromMs: from,
      toMs: to,
      bucket: 'DAY',
      timeZone: zone,
    });
    const buckets = combineBuckets([got.get('A/t') ?? []], 'DAY', zone);
    expect(buckets.map((b) => [b.key, b.count, b.min, b.max, b.last])).toEqual([
      ['2026-03-28', 24, 0, 23, 23],
      ['2026-03-29', 23, 24, 46, 46],
      ['2026-03-30', 24, 47, 70, 70],
    ]);
    expect(buckets.map((b) => bucketStartIso(b.key, 'DAY', zone))).toEqual([
      '2026-03-28T00:00:00.000+01:00',
      '2026-03-29T00:00:00.000+01:00',
      '2026-03-30T00:00:00.000+02:00',
    ]);
    // the keys are those the graph side computes (buckets.ts)
    for (const r of rows.filter((x) => x.tsMs >= from && x.tsMs < to)) {
      expect(buckets.map((b) => b.key)).toContain(bucketKey(r.tsMs, 'DAY', zone));
    }
  });

  it('when minutes are rolled up, then count, min, max, avg and last are those of the rows', async () => {
    const rows = [5, 1, 7, 3].map((value, i) => ({
      metricId: 'A/t',
      tsMs: T0 + i * 20_000,
      value,
    }));
    await writeHistoryFiles(dir, rows);
    const got = await reader.rollup({
      metricIds: ['A/t'],
      fromMs: T0,
      toMs: T0 + HOUR,
      bucket: 'MINUTE',
      timeZone: 'UTC',
    });
    const buckets = combineBuckets([got.get('A/t') ?? []], 'MINUTE', 'UTC');
    expect(buckets).toEqual([
      { key: String(T0), count: 3, min: 1, max: 7, sum: 13, lastTsMs: T0 + 40_000, last: 7 },
      { key: String(T0 + MIN), count: 1, min: 3, max: 3, sum: 3, lastTsMs: T0 + MIN, last: 3 },
    ]);
  });

  it('when queries run concurrently, then each gets its own answer', async () => {
    const rows = [];
    for (let i = 0; i < 20; i++) rows.push({ metricId: `M${i}/v`, tsMs: T0, value: i });
    await writeHistoryFiles(dir, rows);
    const answers = await Promise.all(
      rows.map((r) =>
        reader.readings({ metricIds: [r.metricId], fromMs: null, toMs: T0 + 1, limit: 1 }),
      ),
    );
    expect(answers.map((a, i) => a.get(`M${i}/v`)?.[0]?.value)).toEqual(rows.map((r) => r.value));
  });
  it('when compacted days are read from their minute summaries, then every rollup equals the one from the rows (any range, bucket and zone)', async () => {
    const DAY = 24 * HOUR;
    const day0 = Date.parse('2026-11-17T00:00:00Z');
    const row = (metricId: string, tsMs: number, value: number, late = 0): HistoryRow =>
      historyRow({ metricId, tsMs, value, receivedAtMs: tsMs + 1000 + late });
    // three UTC days of two metrics at odd intervals (integers: sums are exact either way), and a
    // copy of some readings received later, with other values (they must not count)
    const rows: HistoryRow[] = [];
    for (let ts = day0; ts < day0 + 3 * DAY; ts += 97_000)
      rows.push(row('A/t', ts, (ts / 1000) % 101));
    for (let ts = day0 + 13_000; ts < day0 + 3 * DAY; ts += 41_000)
      rows.push(row('B/t', ts, (ts / 1000) % 37));
    const copies = rows
      .filter((_, i) => i % 50 === 0)
      .map((r) => row(r.metricId, r.tsMs, -999, 5000));
    const files = new ParquetFiles(dir, 'api-1');
    await files.write(rows.slice(0, 3000));
    await files.write([...rows.slice(3000), ...copies]);
    files.close();
    // the first two days compacted (with summaries), the third still rolled files
    await compactorOf(dir).compactOnce(day0 + 2 * DAY + 2 * HOUR);
    // the same files without the summaries: read from the rows
    const plain = mkdtempSync(join(tmpdir(), 'history-reader-plain-'));
    cpSync(dir, plain, { recursive: true, filter: (src) => !src.includes(MINUTES_FOLDER) });
    const fromRows = new HistoryReader(plain);
    try {
      const zones = ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Asia/Kathmandu'];
      const buckets: RollupBucket[] = ['MINUTE', 'HOUR', 'DAY'];
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: -DAY, max: 3 * DAY }),
          fc.integer({ min: 1, max: 3 * DAY }),
          fc.constantFrom(...buckets),
          fc.constantFrom(...zones),
          fc.boolean(),
          async (offset, length, bucket, timeZone, both) => {
            const q = {
              metricIds: both ? ['A/t', 'B/t'] : ['A/t'],
              fromMs: day0 + offset,
              toMs: day0 + offset + length,
              bucket,
              timeZone,
            };
            const [a, b] = await Promise.all([reader.rollup(q), fromRows.rollup(q)]);
            for (const id of q.metricIds) {
              expect(combineBuckets([a.get(id) ?? []], bucket, timeZone)).toEqual(
                combineBuckets([b.get(id) ?? []], bucket, timeZone),
              );
            }
          },
        ),
        {
          numRuns: 60,
          // whole compacted days: read from their summaries alone, no rows at all
          examples: [
            [0, DAY, 'HOUR', 'UTC', false],
            [0, 2 * DAY, 'MINUTE', 'UTC', true],
          ],
        },
      );
      // and the summaries were read: a whole day's buckets without them differ in nothing but cost
      const whole = {
        metricIds: ['A/t'],
        fromMs: day0,
        toMs: day0 + 3 * DAY,
        bucket: 'HOUR' as const,
        timeZone: 'UTC',
      };
      const all = combineBuckets([(await reader.rollup(whole)).get('A/t') ?? []], 'HOUR', 'UTC');
      expect(all).toHaveLength(72);
      expect(all.reduce((n, x) => n + x.count, 0)).toBe(
        rows.filter((r) => r.metricId === 'A/t').length,
      );
      expect(all.every((x) => x.min >= 0)).toBe(true);
    } finally {
      await fromRows.close();
      rmSync(plain, { recursive: true, force: true });
    }
  });
  it('when compaction deletes a file after a query listed it, then the query lists again and reads the compacted file', async () => {
    const DAY = 24 * HOUR;
    const day0 = Date.parse('2026-11-17T00:00:00Z');
    await writeHistoryFiles(dir, [{ metricId: 'A/t', tsMs: day0 + HOUR, value: 1 }]);
    await writeHistoryFiles(dir, [{ metricId: 'A/t', tsMs: day0 + 2 * HOUR, value: 2 }]);
    const compactor = compactorOf(dir);
    // the listing is taken, then a compaction (past its grace) replaces the files listed
    const prototype: object = Object.getPrototypeOf(reader);
    const original: unknown = Reflect.get(prototype, 'files');
    if (typeof original !== 'function') throw new Error('HistoryReader lists its files in files()');
    let compacted = 0;
    Reflect.set(prototype, 'files', async function (this: unknown, ...args: unknown[]) {
      Reflect.set(prototype, 'files', original);
      const set: unknown = await Reflect.apply(original, this, args);
      compacted = (await compactor.compactOnce(day0 + DAY + 2 * HOUR))?.filesIn ?? 0;
      return set;
    });
    let got;
    try {
      got = await reader.rollup({
        metricIds: ['A/t'],
        fromMs: day0,
        toMs: day0 + DAY,
        bucket: 'DAY',
        timeZone: 'UTC',
      });
    } finally {
      Reflect.set(prototype, 'files', original);
    }
    expect(compacted).toBe(2);
    expect(got.get('A/t')).toEqual([
      expect.objectContaining({ key: '2026-11-17', count: 2, sum: 3, last: 2 }),
    ]);
  });
});
