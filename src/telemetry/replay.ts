import { ROW_KINDS, type BatchRows, type RowCounts } from './records';

/**
 * What the journal keeps of one accepted message: its rows, the run of the writer that took them
 * (one per start of the service) and the offsets of its rows in that writer's order of each kind.
 * Records written before journal cursors (no `run`) are replayed whole.
 */
export type JournalRecord = Partial<BatchRows> & { run?: string; before?: RowCounts };

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
  const { run, before, ...rows } = record;
  if (!cursor || !before || run !== cursor.run) return rows;
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
