import type { AssetInfo } from '../registry';
import { backfill, type BackfillIssue } from './backfill';
import { checkRow, timestampOf, type CheckLimits } from './check';
import { parseTimestamp } from '../payload';
import { rowsOfText, type RowFields } from './parse';

const NOW = Date.parse('2026-11-25T12:00:00.000Z');
const A1: AssetInfo = {
  id: 'A1',
  factoryId: 'F1',
  lineId: 'L1',
  props: { id: 'A1' },
  status: 'RUNNING',
  metrics: new Map([
    ['temperature', { id: 'A1/temperature', name: 'temperature', unit: 'Cel', min: 0, max: 100 }],
  ]),
};
const lookup = (id: string) => (id === 'A1' ? A1 : undefined);
const limits: CheckLimits = {
  now: NOW,
  maxFutureMs: 300_000,
  graphFromMs: NOW - 24 * 3_600_000,
  files: true,
};
const row = (over: Partial<Record<keyof RowFields, unknown>>): RowFields => ({
  asset: 'A1',
  metric: 'temperature',
  ts: '2026-11-25T10:00:00Z',
  value: 20,
  unit: '',
  ...over,
});
const reasonOf = (fields: RowFields, l: CheckLimits = limits) => {
  const r = checkRow(fields, 7, 'f.csv', lookup, l);
  return r.ok ? 'OK' : r.reason;
};

describe('checking a backfilled row', () => {
  it('when a row is good, then it becomes a reading and a history row with the file and line as lineage', () => {
    const r = checkRow(row({ value: 212, unit: 'degF' }), 7, 'f.csv', lookup, limits);
    expect(r).toMatchObject({
      ok: true,
      toGraph: true,
      reading: {
        id: 'A1/temperature@2026-11-25T10:00:00.000Z',
        value: 100,
        unit: 'Cel',
        topic: 'backfill:f.csv:7',
        originalValue: 212,
        originalUnit: 'degF',
        conversion: '[degF]→Cel',
        flagged: false,
        receivedAt: '2026-11-25T12:00:00.000Z',
      },
      history: {
        factoryId: 'F1',
        source: 'backfill:f.csv:7',
        tsMs: Date.parse('2026-11-25T10:00:00Z'),
      },
    });
  });

  it.each([
    ['asset missing', 'BAD_SHAPE', row({ asset: '' })],
    ['metric not text', 'BAD_SHAPE', row({ metric: 3 })],
    ['value missing', 'BAD_SHAPE', row({ value: undefined })],
    ['unit not text', 'BAD_SHAPE', row({ unit: 5 })],
    ['ts missing', 'BAD_TIMESTAMP', row({ ts: undefined })],
    ['ts without a zone', 'BAD_TIMESTAMP', row({ ts: '2026-11-25T10:00:00' })],
    ['ts in epoch seconds', 'BAD_TIMESTAMP', row({ ts: 1795600000 })],
    ['ts in the future', 'FUTURE_TIMESTAMP', row({ ts: '2026-11-25T12:10:00Z' })],
    ['unknown asset', 'UNKNOWN_ASSET', row({ asset: 'A9' })],
    ['value text', 'NOT_FINITE', row({ value: 'abc' })],
    ['value infinite', 'NOT_FINITE', row({ value: Infinity })],
    ['unit not UCUM', 'BAD_UNIT', row({ unit: 'degrees' })],
    ['metric unknown', 'UNKNOWN_METRIC', row({ metric: 'speed' })],
    ['unit of another dimension', 'INCOMPATIBLE_UNIT', row({ unit: 'kg' })],
    ['a year ago, files on', 'OK', row({ ts: '2025-11-25T10:00:00Z' })],
  ])('when %s, then %s', (_what, reason, fields) => {
    expect(reasonOf(fields)).toBe(reason);
  });

  it('when a reading is older than the graph keeps and the files are off, then it is OUTSIDE_RETENTION; the files on, it goes to them only', () => {
    const old = row({ ts: '2026-10-01T00:00:00Z' });
    expect(reasonOf(old, { ...limits, files: false })).toBe('OUTSIDE_RETENTION');
    expect(checkRow(old, 2, 'f', lookup, limits)).toMatchObject({ ok: true, toGraph: false });
  });

  it('when the value is written with a decimal comma, then the detail says to use a point', () => {
    const r = checkRow(row({ value: '71,3' }), 2, 'f', lookup, limits);
    expect(r).toMatchObject({ ok: false, reason: 'NOT_FINITE' });
    expect(r.ok ? '' : r.detail).toContain('decimal point');
  });
});

describe('a backfill run without a database', () => {
  it('when rows repeat an (asset, metric, ts), then the first is written once and the others are reported as DUPLICATE', async () => {
    const written: unknown[][] = [];
    const issues: BackfillIssue[] = [];
    const rows = rowsOfText(
      'asset,metric,ts,value,unit\n' +
        'A1,temperature,2026-11-25T10:00:00Z,20,\n' +
        'A1,temperature,1795600800000,21,\n' + // the same instant as epoch ms
        'A1,temperature,2026-11-25T10:00:00.000+00:00,68,degF\n' +
        'A1,speed,2026-11-25T10:00:00Z,1,\n' +
        'A1,temperature,2026-10-01T00:00:00Z,150,\n',
      'CSV',
    );
    const summary = await backfill([rows], {
      source: 'f.csv',
      lookup,
      limits,
      graph: null,
      files: { write: async (r) => void written.push([...r]) },
      fileChunk: 2,
      onIssue: (i) => issues.push(i),
    });
    expect(summary).toMatchObject({
      read: 5,
      accepted: 2,
      rejected: 1,
      duplicates: 2,
      inGraphWindow: 1,
      toGraph: 0,
      toFiles: 2,
      firstTs: '2026-10-01T00:00:00.000Z',
      lastTs: '2026-11-25T10:00:00.000Z',
    });
    expect(issues.map((i) => [i.line, i.reason])).toEqual([
      [3, 'DUPLICATE'],
      [4, 'DUPLICATE'],
      [5, 'UNKNOWN_METRIC'],
    ]);
    expect(issues[0]?.detail).toContain('as line 2');
    // one file per (UTC day, factory): the two accepted rows are days apart
    expect(written.map((w) => w.length)).toEqual([1, 1]);
    expect(summary.byReason.get('DUPLICATE')).toBe(2);
  });
});

describe('the timestamps of a backfill', () => {
  it('when a ts is canonical UTC, then the fast path answers what parseTimestamp answers; other forms and refusals are parseTimestamp’s', () => {
    const values: unknown[] = [
      '2026-11-25T10:00:00Z',
      '2026-11-25T10:00:00.123Z',
      '2024-02-29T23:59:59.999Z',
      '2025-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-25T24:00:00Z',
      '0099-01-01T00:00:00Z',
      '2026-11-25T12:05:00.001Z',
      '2026-11-25T12:04:59.999Z',
      '2026-11-25T11:00:00+01:00',
      1795600000000,
    ];
    for (const value of values) {
      const ours = timestampOf(value, limits);
      const theirs = parseTimestamp(value, { ...limits, maxAgeMs: Number.POSITIVE_INFINITY });
      expect({ value, ours }).toEqual({ value, ours: theirs });
      // asked again (the memo): the same answer
      expect(timestampOf(value, limits)).toEqual(theirs);
    }
  });
});

describe('the files of a backfill', () => {
  it('when rows of several days interleave, then each file holds one partition; a full partition is written at once, the fullest when the buffer is full', async () => {
    const written: string[][] = [];
    const day = (d: number, h: number) =>
      `2026-11-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00Z`;
    const lines = ['asset,metric,ts,value'];
    for (let h = 0; h < 5; h++)
      for (const d of [20, 21, 22]) lines.push(`A1,temperature,${day(d, h)},1`);
    const summary = await backfill([rowsOfText(lines.join('\n'), 'CSV')], {
      source: 'f.csv',
      lookup,
      limits,
      graph: null,
      files: {
        write: async (rows) =>
          void written.push(rows.map((r) => new Date(r.tsMs).toISOString().slice(8, 13))),
      },
      fileChunk: 4,
      fileBuffer: 10,
    });
    expect(summary.toFiles).toBe(15);
    // each write is one day; day 20 fills its 4 first, then the buffer (10) forces the fullest out
    for (const w of written) expect(new Set(w.map((t) => t.slice(0, 2))).size).toBe(1);
    expect(written.map((w) => w.length).reduce((a, b) => a + b, 0)).toBe(15);
    expect(written[0]).toEqual(['20T00', '20T01', '20T02', '20T03']);
  });
});
