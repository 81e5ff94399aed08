import type { Observation } from '../alerts/model';
import type { RejectionReason } from './reasons';

/** What ingestion writes to the graph: plain rows, ready for UNWIND. */

export interface ReadingRecord {
  /** `${metricId}@${ts}`: a redelivered reading of the same (asset, metric, ts) is the same reading. */
  id: string;
  metricId: string;
  assetId: string;
  metric: string;
  /** UTC ISO-8601 with milliseconds. */
  ts: string;
  /** In the metric's canonical unit. */
  value: number;
  unit: string;
  /** Outside the metric's [min, max] (whatever the alert rules say). */
  flagged: boolean;
  // lineage
  topic: string;
  receivedAt: string;
  originalValue: number;
  /** null when the payload gave a bare number (already canonical). */
  originalUnit: string | null;
  /** e.g. "[degF]→Cel", null when none was applied. */
  conversion: string | null;
}

export interface StatusRecord {
  assetId: string;
  status: string;
  reason: string | null;
  ts: string;
  topic: string;
  receivedAt: string;
}

export interface RejectionRecord {
  reason: RejectionReason;
  detail: string;
  topic: string;
  /** The start of the payload as text, for diagnosis. */
  payload: string;
  receivedAt: string;
  metric: string | null;
}

/** Rows waiting to be written (the writer's buffer). */
export interface BatchRows {
  readings: ReadingRecord[];
  states: StatusRecord[];
  rejections: RejectionRecord[];
  /** What the alert rules saw in these messages (OUT_OF_RANGE, ASSET_DOWN): applied in the batch. */
  observations: Observation[];
}

/**
 * One write transaction's rows with the batch's id: the id is recorded with the rows, so a batch
 * written twice (spilled at a shutdown that timed out while it was in flight, then replayed) is
 * applied once.
 */
export interface WriteBatch extends BatchRows {
  id: string;
}

export const emptyBatch = (): BatchRows => ({
  readings: [],
  states: [],
  rejections: [],
  observations: [],
});

export const batchSize = (b: Partial<BatchRows>): number =>
  (b.readings?.length ?? 0) +
  (b.states?.length ?? 0) +
  (b.rejections?.length ?? 0) +
  (b.observations?.length ?? 0);

/** Rows stored by a batch: readings, state changes and rejections (observations only update alerts). */
export const storedRows = (b: BatchRows): number =>
  b.readings.length + b.states.length + b.rejections.length;

/** Rows of each kind: added or committed so far by a writer, or the offsets of one add's rows. */
export type RowCounts = Record<keyof BatchRows, number>;

export const ROW_KINDS: readonly (keyof BatchRows)[] = [
  'readings',
  'states',
  'rejections',
  'observations',
];

export const emptyCounts = (): RowCounts => ({
  readings: 0,
  states: 0,
  rejections: 0,
  observations: 0,
});

/** Adds the rows of each kind in `rows` to `into`. */
export function addCounts(into: RowCounts, rows: Partial<BatchRows>): void {
  for (const k of ROW_KINDS) into[k] += rows[k]?.length ?? 0;
}

/** What WRITE_LATEST_VALUES sets on a metric. */
export type LatestValue = Pick<ReadingRecord, 'metricId' | 'ts' | 'value' | 'flagged'>;

/**
 * Each metric's newest reading among `rows` (the last of those with its newest `ts`): applied with
 * "only if not older than the metric's", it leaves each metric as applying every row in order does.
 */
export function latestPerMetric(rows: readonly ReadingRecord[]): LatestValue[] {
  const latest = new Map<string, LatestValue>();
  for (const r of rows) {
    const seen = latest.get(r.metricId);
    if (seen && seen.ts > r.ts) continue;
    latest.set(r.metricId, { metricId: r.metricId, ts: r.ts, value: r.value, flagged: r.flagged });
  }
  return [...latest.values()];
}
