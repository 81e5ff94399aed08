import { applyInTx } from '../alerts/alert.store';
import type { AlertNotice } from '../domain/alerts';
import { pruneTimeline } from '../alerts/timeline/timeline.store';
import type { Graph, Tx } from '../graph/executor';
import { asPropsList, type Props } from '../graph/props';
import type { RejectionRecord, WriteBatch } from './records';
import {
  BATCH_SEEN,
  MARK_BATCH,
  PRUNE_BATCHES,
  PRUNE_READINGS,
  PRUNE_REJECTION_EXAMPLES,
  READ_HISTORY,
  WRITE_READINGS,
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

async function writeInTx(tx: Tx, batch: WriteBatch): Promise<AlertNotice[]> {
  const seen = await tx.run(BATCH_SEEN, { id: batch.id });
  if (seen[0]?.['seen'] === true) return [];
  await tx.run(MARK_BATCH, { id: batch.id, at: new Date().toISOString() });
  if (batch.readings.length > 0) await tx.run(WRITE_READINGS, { rows: batch.readings });
  if (batch.states.length > 0) await tx.run(WRITE_STATES, { rows: batch.states });
  if (batch.rejections.length > 0) {
    await tx.run(WRITE_REJECTION_STATS, { rows: rejectionStats(batch.rejections) });
    await tx.run(WRITE_REJECTION_EXAMPLES, { rows: batch.rejections.slice(-200) });
  }
  return (await applyInTx(tx, batch.observations)).notices;
}

/** One batch in one transaction; a batch id already written changes nothing. */
export function writeBatch(graph: Graph, batch: WriteBatch): Promise<AlertNotice[]> {
  return graph.transaction('WRITE', (tx) => writeInTx(tx, batch));
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
