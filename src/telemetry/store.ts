import { applyInTx, readForObservations } from '../alerts/alert.store';
import type { AlertNotice } from '../domain/alerts';
import { pruneTimeline } from '../alerts/timeline/timeline.store';
import type { Graph, Row, Tx } from '../graph/executor';
import { asPropsList, type Props } from '../graph/props';
import { latestPerMetric, type RejectionRecord, type WriteBatch } from './records';
import type { JournalCursor } from './replay';
import { PreviousBatchFailedError, type Sequence } from './writer';
import {
  MARK_BATCH,
  READ_JOURNAL_CURSOR,
  WRITE_JOURNAL_CURSOR,
  PRUNE_BATCHES,
  PRUNE_READINGS,
  PRUNE_REJECTION_EXAMPLES,
  READ_HISTORY,
  WRITE_LATEST_VALUES,
  WRITE_READING_NODES,
  WRITE_REJECTION_EXAMPLES,
  WRITE_REJECTION_STATS,
  WRITE_STATES,
} from './telemetry.cypher';

function rejectionStats(
  rows: RejectionRecord[],
): { reason: string; count: number; lastAt: string }[] {
  const byReason = new Map<string, { reason: string; count: number; lastAt: string }>();
  for (const r of rows) {
    const s = byReason.get(r.reason) ?? { reason: r.reason, count: 0, lastAt: r.receivedAt };
    s.count += 1;
    if (r.receivedAt > s.lastAt) s.lastAt = r.receivedAt;
    byReason.set(r.reason, s);
  }
  return [...byReason.values()];
}

/** Thrown inside a batch's transaction whose id was written before: rolls it back. */
class BatchWrittenBefore extends Error {}

/**
 * Every statement of a batch goes out at once, before any answer is awaited (the driver pipelines
 * statements of one transaction): the id mark, the rows, the cursor and the alert read cost one
 * round trip, then the alert writes (when an alert changes) and the commit. Under load each round
 * trip also waits for a turn of a busy event loop (the first transactions of bench/ingest.ts took
 * 3× the baseline's while messages poured in, with five round trips each).
 *
 * Moving the cursor locks the instance's cursor node until the commit. A batch written behind
 * another (`sequence`, src/telemetry/writer.ts) creates its id mark and its readings, which no
 * other batch touches, while the one before it commits; its cursor statement then waits in Neo4j
 * until that one committed or rolled back, so every later statement of it (the metrics' latest
 * values, asset status, rejection counts, the open alerts it reads) sees what that one wrote. It
 * commits only once the one before it did.
 */
async function writeInTx(
  tx: Tx,
  batch: WriteBatch,
  cursor: InstanceCursor | null,
  sequence: Sequence | null,
): Promise<AlertNotice[]> {
  if (sequence?.previous && !cursor) {
    // without the cursor's lock nothing would keep it behind the other (never started so)
    throw new Error('a telemetry batch written behind another needs the journal cursor');
  }
  const sent: Promise<Row[]>[] = [];
  const at = new Date().toISOString();
  const mark = tx.run(MARK_BATCH, { id: batch.id, at });
  sent.push(mark);
  if (batch.readings.length > 0) sent.push(tx.run(WRITE_READING_NODES, { rows: batch.readings }));
  if (cursor) {
    const { instance, run, through } = cursor;
    sent.push(tx.run(WRITE_JOURNAL_CURSOR, { instance, run, ...through, at }));
  }
  if (batch.readings.length > 0) {
    sent.push(tx.run(WRITE_LATEST_VALUES, { rows: latestPerMetric(batch.readings) }));
  }
  if (batch.states.length > 0) sent.push(tx.run(WRITE_STATES, { rows: batch.states }));
  if (batch.rejections.length > 0) {
    sent.push(tx.run(WRITE_REJECTION_STATS, { rows: rejectionStats(batch.rejections) }));
    sent.push(tx.run(WRITE_REJECTION_EXAMPLES, { rows: batch.rejections.slice(-200) }));
  }
  const alerts = readForObservations(tx, batch.observations);
  sent.push(alerts);
  // every answer is awaited (none left unhandled), then the first failure is thrown
  const answers = await Promise.allSettled(sent);
  const failed = answers.find((a) => a.status === 'rejected');
  if (failed) throw failed.reason;
  // every statement ran: this batch holds the cursor and every lock it takes but its alert
  // writes' (which no batch behind it touches before the cursor), so one may start behind it
  if (cursor) sequence?.locked();
  if (sequence?.previous) {
    // the batch before this one failed: its rows come first, so this one rolls back
    await sequence.previous.catch(() => {
      throw new PreviousBatchFailedError();
    });
  }
  if ((await mark)[0]?.['seen'] === true) throw new BatchWrittenBefore();
  return (await applyInTx(tx, batch.observations, alerts)).notices;
}

/** A sequenced batch's transaction failed and the driver would have run it again. */
export class SequencedRetryError extends Error {
  constructor() {
    super(
      'a telemetry batch written in sequence with another failed with a transient error; ' +
        'the writer writes both again, in order',
    );
  }
}

/**
 * The work of a batch written in sequence (`sequence` set), refused when the driver runs it again
 * (it retries a transaction that failed with a transient error) after an attempt said it holds
 * its lock. A batch behind it may then be waiting in Neo4j; if that one got the lock when the
 * attempt rolled back, the next attempt would wait in Neo4j for it while it waits here for this
 * one, for ever. Refused, the batch fails, the one behind rolls back (PreviousBatchFailedError)
 * and the writer writes both again, one at a time. Before that, nothing can be behind it, and the
 * driver retries as for any transaction (a deadlock with another instance's batch, say).
 */
export function retriedUntilLocked<T>(
  sequence: Sequence | null,
  work: (tx: Tx, sequence: Sequence | null) => Promise<T>,
): (tx: Tx) => Promise<T> {
  if (!sequence) return (tx) => work(tx, null);
  let locked = false;
  const watched: Sequence = {
    previous: sequence.previous,
    locked: () => {
      locked = true;
      sequence.locked();
    },
  };
  return (tx) => (locked ? Promise.reject(new SequencedRetryError()) : work(tx, watched));
}

/** A journal cursor with the instance whose journal it follows. */
export interface InstanceCursor extends JournalCursor {
  instance: string;
}

/**
 * One batch in one transaction; a batch id already written changes nothing. With `cursor`, the
 * instance's journal cursor is moved in the same transaction; with `sequence` too, the batch is
 * written behind the one before it (writeInTx).
 */
export async function writeBatch(
  graph: Graph,
  batch: WriteBatch,
  cursor: InstanceCursor | null = null,
  sequence: Sequence | null = null,
): Promise<AlertNotice[]> {
  try {
    return await graph.transaction(
      'WRITE',
      retriedUntilLocked(sequence, (tx, watched) => writeInTx(tx, batch, cursor, watched)),
    );
  } catch (err) {
    if (err instanceof BatchWrittenBefore) return [];
    throw err;
  }
}

/** Where the instance's journal run stood at its last committed batch; null when none did. */
export async function readJournalCursor(
  graph: Graph,
  instance: string,
): Promise<JournalCursor | null> {
  const [row] = await graph.read(READ_JOURNAL_CURSOR, { instance });
  if (!row || typeof row['run'] !== 'string') return null;
  const count = (key: string) => Number(row[key] ?? 0);
  return {
    run: row['run'],
    through: {
      readings: count('readings'),
      states: count('states'),
      rejections: count('rejections'),
      observations: count('observations'),
    },
  };
}

/**
 * Retention: readings older than `retentionMs` go, and so do the ids of batches written before
 * then; each rejection reason keeps its newest `examplesPerReason` examples; asset state changes
 * older than `timelineRetentionMs` go, but each asset's latest one before then stays
 * (src/alerts/timeline/). Deletes in bounded chunks so a large backlog never needs one huge
 * transaction.
 */
export async function pruneTelemetry(
  graph: Graph,
  retentionMs: number,
  examplesPerReason: number,
  timelineRetentionMs: number,
  now = Date.now(),
): Promise<{ readings: number; examples: number; batches: number; stateChanges: number }> {
  const cutoff = new Date(now - retentionMs).toISOString();
  const chunks = async (cypher: string): Promise<number> => {
    let total = 0;
    for (;;) {
      const rows = await graph.write(cypher, { cutoff });
      const n = Number(rows[0]?.['n'] ?? 0);
      total += n;
      if (n < 10000) return total;
    }
  };
  const readings = await chunks(PRUNE_READINGS);
  const batches = await chunks(PRUNE_BATCHES);
  const rows = await graph.write(PRUNE_REJECTION_EXAMPLES, { keep: examplesPerReason });
  const stateChanges = await pruneTimeline(graph, timelineRetentionMs, now);
  return { readings, examples: Number(rows[0]?.['n'] ?? 0), batches, stateChanges };
}

/** Recent readings of each metric in `ids`, newest first: one list per id, in id order. */
export async function readHistory(
  graph: Graph,
  ids: string[],
  from: string | null,
  to: string | null,
  limit: number,
): Promise<Props[][]> {
  const rows = await graph.read(READ_HISTORY, { ids, from, to, limit });
  const byId = new Map<string, Props[]>();
  for (const row of rows) {
    byId.set(String(row['id']), asPropsList(row['items']));
  }
  return ids.map((id) => byId.get(id) ?? []);
}
