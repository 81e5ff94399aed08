/**
 * Backfill (docs/history.md, "Backfill"): rows of a historian export or a quality file, checked by
 * the rules of MQTT ingestion (check.ts) and written in chunks: every accepted row to the history
 * files, and those within the graph's retention window to the graph as well (WRITE_READINGS, one
 * transaction per chunk), so the recent window the graph answers for stays complete.
 *
 * - Idempotent: a reading is MERGEd by `metricId@ts` in the graph (the first write stays), and the
 *   files' readers keep one row per (metric, ts), the first received. A second run of a file adds
 *   files but changes no answer.
 * - No alerts: nothing here goes through the alert rules (no observations) nor to live
 *   subscribers. A backfill is the past; an alert raised now for it would page someone for
 *   nothing. A metric's latest value does move forward when a backfilled reading is newer.
 * - A duplicate row (asset, metric and ts of an earlier accepted row) is reported and not
 *   written; the first row wins, as it would in the graph and the files.
 * - One graph write and one file write are in flight while the next chunk is read.
 */
import type { Graph } from '../../graph/executor';
import type { HistoryRow } from '../../history/layout';
import type { ReadingRecord } from '../records';
import { WRITE_READINGS } from '../telemetry.cypher';
import { checkRow, type AssetLookup, type CheckLimits } from './check';
import type { SourceRow } from './parse';
import type { BackfillReason } from './reasons';

/** Said by the mutation's answer, the CLI's summary and docs/history.md. */
export const NO_ALERTS_NOTE =
  'Backfilled readings raise no alerts: they do not go through the alert rules (a value out of ' +
  'range is stored with flagged: true) and reach no live subscription.';

/** Where accepted rows go: the history files (HistoryWriter.write or ParquetFiles.write). */
export interface FilesTarget {
  /** Writes the rows to new files; at most one call at a time. */
  write(rows: readonly HistoryRow[]): Promise<unknown>;
}

export interface BackfillOptions {
  /** Names the input in the lineage: `backfill:<source>:<line>`. */
  readonly source: string;
  readonly lookup: AssetLookup;
  readonly limits: CheckLimits;
  /** The graph for rows within its retention window; null: none written there (a dry run). */
  readonly graph: Graph | null;
  /** The history files; null: none written (a dry run, or HISTORY_ENABLED=false). */
  readonly files: FilesTarget | null;
  /** Rows per graph transaction (default 5,000). */
  readonly graphChunk?: number;
  /**
   * Rows of one (UTC day, factory) partition per file (default 100,000). Rows wait per partition,
   * so a file holds one partition's rows of many chunks: fewer, larger files.
   */
  readonly fileChunk?: number;
  /** Rows waiting for the files at most (default 300,000); past it the fullest partition is written. */
  readonly fileBuffer?: number;
  /** Hears every refused or duplicate row, in line order. */
  readonly onIssue?: (issue: BackfillIssue) => void;
  /** Hears the counts at most every `progressEveryMs` (default 250) and once at the end. */
  readonly onProgress?: (progress: BackfillProgress) => void;
  readonly progressEveryMs?: number;
  /**
   * (metric, ts) pairs remembered to find duplicates (default 10 million, about 0.5 GB); past it,
   * later duplicates of pairs not remembered are written again (harmless: see above), not reported.
   */
  readonly maxTrackedKeys?: number;
  /** Bytes read so far, for the progress (the reader's count). */
  readonly bytesRead?: () => number;
}

export interface BackfillIssue {
  readonly line: number;
  readonly reason: BackfillReason;
  readonly detail: string;
  readonly raw: string;
}

export interface BackfillProgress {
  /** Rows read (blank lines and the header are not rows). */
  readonly read: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** Rows read per second so far. */
  readonly rate: number;
}

export interface BackfillSummary extends BackfillProgress {
  /** Refused rows and duplicates by reason. */
  readonly byReason: ReadonlyMap<BackfillReason, number>;
  /** Accepted rows within the graph's retention window (written there unless a dry run). */
  readonly inGraphWindow: number;
  /** Readings written to the graph (within its retention window). */
  readonly toGraph: number;
  /** Readings written to the history files. */
  readonly toFiles: number;
  /** Earliest and latest accepted ts (ISO), null when none. */
  readonly firstTs: string | null;
  readonly lastTs: string | null;
  /** The duplicate tracking was full (maxTrackedKeys): some duplicates may have gone unreported. */
  readonly duplicatesCapped: boolean;
}

/** Runs one write at a time; the next waits for it, and a failure surfaces at the next call. */
class OneInFlight {
  private last: Promise<unknown> = Promise.resolve();

  async add(work: () => Promise<unknown>): Promise<void> {
    await this.last;
    const next = work();
    next.catch(() => undefined); // awaited by the next add or drain
    this.last = next;
  }

  async drain(): Promise<void> {
    await this.last;
  }
}

function fullest(partitions: ReadonlyMap<string, readonly unknown[]>): string {
  let best = '';
  let most = -1;
  for (const [key, rows] of partitions) {
    if (rows.length > most) {
      best = key;
      most = rows.length;
    }
  }
  return best;
}

export async function backfill(
  batches: AsyncIterable<readonly SourceRow[]> | Iterable<readonly SourceRow[]>,
  options: BackfillOptions,
): Promise<BackfillSummary> {
  const started = performance.now();
  const graphChunk = options.graphChunk ?? 5000;
  const fileChunk = options.fileChunk ?? 100_000;
  const fileBuffer = options.fileBuffer ?? 300_000;
  const maxKeys = options.maxTrackedKeys ?? 10_000_000;
  const progressEveryMs = options.progressEveryMs ?? 250;
  const byReason = new Map<BackfillReason, number>();
  const seen = new Map<string, Map<number, number>>();
  let tracked = 0;
  let duplicatesCapped = false;
  let read = 0;
  let accepted = 0;
  let rejected = 0;
  let duplicates = 0;
  let toGraph = 0;
  let inGraphWindow = 0;
  let toFiles = 0;
  let firstMs = Infinity;
  let lastMs = -Infinity;
  let graphRows: ReadingRecord[] = [];
  // rows waiting for the files, by partition (UTC day number and factory)
  const partitions = new Map<string, HistoryRow[]>();
  let buffered = 0;
  const graphWrites = new OneInFlight();
  const fileWrites = new OneInFlight();
  let lastProgress = started;

  const issue = (row: SourceRow, reason: BackfillReason, detail: string): void => {
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    options.onIssue?.({ line: row.line, reason, detail, raw: row.raw });
  };
  const flushGraph = async (): Promise<void> => {
    const { graph } = options;
    const rows = graphRows;
    graphRows = [];
    if (!graph || rows.length === 0) return;
    await graphWrites.add(async () => {
      await graph.write(WRITE_READINGS, { rows });
      toGraph += rows.length;
    });
  };
  const flushPartition = async (key: string): Promise<void> => {
    const { files } = options;
    const rows = partitions.get(key) ?? [];
    partitions.delete(key);
    buffered -= rows.length;
    if (!files || rows.length === 0) return;
    await fileWrites.add(async () => {
      await files.write(rows);
      toFiles += rows.length;
    });
  };
  const progress = (): BackfillProgress => {
    const elapsedMs = performance.now() - started;
    return {
      read,
      accepted,
      rejected,
      duplicates,
      bytes: options.bytesRead?.() ?? 0,
      elapsedMs,
      rate: elapsedMs > 0 ? (read * 1000) / elapsedMs : 0,
    };
  };

  try {
    for await (const batch of batches) {
      for (const row of batch) {
        read += 1;
        if (row.problem) {
          rejected += 1;
          issue(row, row.problem.reason, row.problem.detail);
          continue;
        }
        const checked = checkRow(
          row.fields,
          row.line,
          options.source,
          options.lookup,
          options.limits,
        );
        if (!checked.ok) {
          rejected += 1;
          issue(row, checked.reason, checked.detail);
          continue;
        }
        const { reading, history } = checked;
        let times = seen.get(history.metricId);
        const earlier = times?.get(history.tsMs);
        if (earlier !== undefined) {
          duplicates += 1;
          issue(
            row,
            'DUPLICATE',
            `same asset, metric and ts as line ${earlier} (${history.assetId}, ${history.metric}, ${new Date(history.tsMs).toISOString()}): that line is written, this one is not`,
          );
          continue;
        }
        if (tracked < maxKeys) {
          if (!times) {
            times = new Map();
            seen.set(history.metricId, times);
          }
          times.set(history.tsMs, row.line);
          tracked += 1;
        } else {
          duplicatesCapped = true;
        }
        accepted += 1;
        if (history.tsMs < firstMs) firstMs = history.tsMs;
        if (history.tsMs > lastMs) lastMs = history.tsMs;
        if (options.files) {
          const key = `${Math.floor(history.tsMs / 86_400_000)}|${history.factoryId}`;
          let rows = partitions.get(key);
          if (!rows) {
            rows = [];
            partitions.set(key, rows);
          }
          rows.push(history);
          buffered += 1;
          if (rows.length >= fileChunk) await flushPartition(key);
          else if (buffered >= fileBuffer) await flushPartition(fullest(partitions));
        }
        if (reading) {
          inGraphWindow += 1;
          if (options.graph) graphRows.push(reading);
        }
        if (graphRows.length >= graphChunk) await flushGraph();
      }
      if (options.onProgress && performance.now() - lastProgress >= progressEveryMs) {
        lastProgress = performance.now();
        options.onProgress(progress());
      }
    }
    await flushGraph();
    for (const key of [...partitions.keys()]) await flushPartition(key);
    await graphWrites.drain();
    await fileWrites.drain();
  } catch (err) {
    // nothing may still be writing when the caller closes the targets
    await graphWrites.drain().catch(() => undefined);
    await fileWrites.drain().catch(() => undefined);
    throw err;
  }
  const done = progress();
  options.onProgress?.(done);
  return {
    ...done,
    byReason,
    inGraphWindow,
    toGraph,
    toFiles,
    firstTs: accepted > 0 ? new Date(firstMs).toISOString() : null,
    lastTs: accepted > 0 ? new Date(lastMs).toISOString() : null,
    duplicatesCapped,
  };
}
