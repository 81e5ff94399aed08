import { ROW_KINDS, type BatchRows, type RowCounts } from './records';

/**
 * What the journal keeps of one accepted message: its rows, the run of the writer that took them
 * (one per start of the service) and the offsets of its rows in that run's order of each kind.
 */
export interface JournalEntry {
  run: string;
  before: RowCounts;
  rows: Partial<BatchRows>;
}

/** A journal record: an entry, or the bare rows that versions before cursors wrote. */
export type JournalRecord = JournalEntry | Partial<BatchRows>;

const isEntry = (record: JournalRecord): record is JournalEntry =>
  'run' in record && 'before' in record && 'rows' in record;

/** All the rows of a record. */
export const rowsOf = (record: JournalRecord): Partial<BatchRows> =>
  isEntry(record) ? record.rows : record;

/**
 * How far a run's rows are in the database: written with every batch of the run, in the batch's
 * own transaction (WRITE_JOURNAL_CURSOR), so it never claims a row that was not committed nor
 * misses one that was.
 */
export interface JournalCursor {
  run: string;
  /** Rows of each kind the run committed (a prefix of those it added: see `Write`). */
  through: RowCounts;
}

/**
 * The rows of a journal record that the cursor does not show committed, to be written at replay.
 * Without this a crash replayed the records of the last segments whole, and what they held that
 * was committed already was applied twice: rejection counts grew twice, and an alert observation
 * could raise again an alert resolved since (readings and state changes are idempotent anyway).
 */
export function uncommitted(
  record: JournalRecord,
  cursor: JournalCursor | null,
): Partial<BatchRows> {
  if (!isEntry(record)) return record; // written before cursors: replayed whole
  const { run, before, rows } = record;
  if (!cursor || run !== cursor.run) return rows;
  const skipped = (kind: keyof BatchRows, length: number): number =>
    Math.max(0, Math.min(length, cursor.through[kind] - before[kind]));
  const out: Partial<BatchRows> = {};
  const { readings, states, rejections, observations } = rows;
  if (readings) out.readings = readings.slice(skipped('readings', readings.length));
  if (states) out.states = states.slice(skipped('states', states.length));
  if (rejections) out.rejections = rejections.slice(skipped('rejections', rejections.length));
  if (observations) {
    out.observations = observations.slice(skipped('observations', observations.length));
  }
  for (const k of ROW_KINDS) if (out[k]?.length === 0) delete out[k];
  return out;
}
