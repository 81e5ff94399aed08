import fc from 'fast-check';
import { readingRecord } from '../../test/support/records';
import {
  addCounts,
  emptyBatch,
  emptyCounts,
  ROW_KINDS,
  type BatchRows,
  type RowCounts,
} from './records';
import { uncommitted, type JournalRecord } from './replay';

/*
 * The journal replay writes only what the run's cursor does not show committed. Each row is
 * tagged here ("readings 7" = the 8th reading of the run), so that what is replayed can be
 * compared with what is missing from the database, kind by kind.
 */

/** A row of `kind` tagged `tag` (the fields the replay never looks at are filler). */
function row(kind: keyof BatchRows, tag: string, into: BatchRows): void {
  const at = '2026-01-01T00:00:00.000Z';
  if (kind === 'readings') {
    into.readings.push(readingRecord({ id: tag, metricId: 'm', ts: at, value: 1 }));
  } else if (kind === 'states') {
    into.states.push({
      assetId: tag,
      status: 'DOWN',
      reason: null,
      ts: at,
      topic: 't',
      receivedAt: at,
    });
  } else if (kind === 'rejections') {
    into.rejections.push({
      reason: 'NOT_JSON',
      detail: tag,
      topic: 't',
      payload: '',
      receivedAt: at,
      metric: null,
    });
  } else {
    into.observations.push({
      ruleId: 'r',
      subjectId: tag,
      about: { label: 'Asset', id: 'a' },
      condition: 'bad',
      at,
      message: tag,
      value: null,
      factoryId: null,
      lineId: null,
      assetId: null,
      metricId: null,
    });
  }
}

/** Journal records of one run for adds of the given sizes (as the writer and journal make them). */
function journal(run: string, sizes: RowCounts[]): { records: JournalRecord[]; added: RowCounts } {
  const added = emptyCounts();
  const records = sizes.map((size) => {
    const rows = emptyBatch();
    for (const k of ROW_KINDS) {
      for (let i = 0; i < size[k]; i++) row(k, `${k} ${added[k] + i}`, rows);
    }
    const kept: Partial<BatchRows> = {};
    if (rows.readings.length > 0) kept.readings = rows.readings;
    if (rows.states.length > 0) kept.states = rows.states;
    if (rows.rejections.length > 0) kept.rejections = rows.rejections;
    if (rows.observations.length > 0) kept.observations = rows.observations;
    const before = { ...added };
    addCounts(added, kept);
    return { run, before, rows: kept };
  });
  return { records, added };
}

/** The tags of the rows of `kind`. */
const tags = (rows: Partial<BatchRows>, kind: keyof BatchRows): string[] => {
  if (kind === 'readings') return (rows.readings ?? []).map((r) => r.id);
  if (kind === 'states') return (rows.states ?? []).map((r) => r.assetId);
  if (kind === 'rejections') return (rows.rejections ?? []).map((r) => r.detail);
  return (rows.observations ?? []).map((r) => r.subjectId);
};

const size = fc.record({
  readings: fc.nat(4),
  states: fc.nat(1),
  rejections: fc.nat(2),
  observations: fc.nat(3),
});

describe('uncommitted: what a journal replay writes', () => {
  it('for any adds and any committed prefix of each kind, then exactly the rows past the prefix are replayed, in order', () => {
    fc.assert(
      fc.property(
        fc.array(size, { maxLength: 30 }),
        fc.record({
          readings: fc.double({ min: 0, max: 1, noNaN: true }),
          states: fc.double({ min: 0, max: 1, noNaN: true }),
          rejections: fc.double({ min: 0, max: 1, noNaN: true }),
          observations: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        (sizes, share) => {
          const { records, added } = journal('run-1', sizes);
          const through = emptyCounts();
          for (const k of ROW_KINDS) through[k] = Math.floor(added[k] * share[k]);
          const replayed = records.map((r) => uncommitted(r, { run: 'run-1', through }));
          for (const k of ROW_KINDS) {
            const expected = Array.from(
              { length: added[k] - through[k] },
              (_, i) => `${k} ${through[k] + i}`,
            );
            expect(replayed.flatMap((r) => tags(r, k))).toEqual(expected);
          }
          // nothing empty is handed on, and no journal fields
          for (const r of replayed) {
            expect(Object.values(r).every((list) => list.length > 0)).toBe(true);
            expect(Object.keys(r).every((k) => (ROW_KINDS as string[]).includes(k))).toBe(true);
          }
        },
      ),
    );
  });

  it('when the cursor is of another run, or there is none, or the record predates cursors, then the record is replayed whole', () => {
    const { records } = journal('run-2', [
      { readings: 2, states: 1, rejections: 1, observations: 1 },
    ]);
    const [record] = records;
    if (!record || !('rows' in record)) throw new Error('no journal entry');
    const whole = record.rows;
    const all = { readings: 9, states: 9, rejections: 9, observations: 9 };
    expect(uncommitted(record, { run: 'run-1', through: all })).toEqual(whole);
    expect(uncommitted(record, null)).toEqual(whole);
    // a record of a version before cursors is its bare rows
    expect(uncommitted(whole, { run: 'run-2', through: all })).toEqual(whole);
    expect(uncommitted(record, { run: 'run-2', through: all })).toEqual({});
  });
});
