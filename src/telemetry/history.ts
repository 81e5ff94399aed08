/**
 * Where the graph's recent window and the history files meet (docs/history.md, "Reading history").
 *
 * The boundary B = now − TELEMETRY_RETENTION_HOURS / 2. The files answer for ts < B and the graph
 * for ts ≥ B, in `Metric.history` and `Metric.rollup` alike, so a reading present in both (every
 * reading is, for a while) is read once, and none is lost:
 * - rows reach the files within minutes of arriving, so every reading older than B is in a file;
 * - the graph keeps readings for the whole retention (pruned at now − retention), so every
 *   reading since B is still in the graph.
 * A reading stored only in the files (a backfill, or the graph pruned) counts when older than B.
 * With HISTORY_ENABLED=false no file is written, so B = now − retention: the graph answers for
 * everything it keeps and files left from before answer only for what it no longer keeps.
 * B is taken once per request, so every metric of a request splits at the same instant and the
 * loaders still batch.
 */
import type { Context } from '../domain/context';
import type { Props } from '../graph/props';
import type { HistoryReader } from '../history/reader';

const boundaries = new WeakMap<object, number>();

/** B for this request (taken at its first use). */
export function historyBoundaryMs(ctx: Pick<Context, 'loaders' | 'config'>): number {
  let b = boundaries.get(ctx.loaders);
  if (b === undefined) {
    const retentionMs = ctx.config.TELEMETRY_RETENTION_HOURS * 3_600_000;
    // HISTORY_ENABLED=false: no new files, so the graph answers for all it keeps
    b = Date.now() - (ctx.config.HISTORY_ENABLED ? retentionMs / 2 : retentionMs);
    boundaries.set(ctx.loaders, b);
  }
  return b;
}

/**
 * The newest `limit` readings of each metric in [from, to] older than `boundaryMs`, from the
 * files, as property maps shaped like the graph's Reading nodes (one list per id, in id order).
 */
export async function readFileHistory(
  reader: HistoryReader,
  ids: readonly string[],
  fromMs: number | null,
  toMs: number | null,
  limit: number,
  boundaryMs: number,
): Promise<Props[][]> {
  const end = toMs === null ? boundaryMs : Math.min(toMs + 1, boundaryMs);
  const byId = await reader.readings({ metricIds: ids, fromMs, toMs: end, limit });
  return ids.map((id) =>
    (byId.get(id) ?? []).map((r) => ({
      ts: new Date(r.tsMs).toISOString(),
      value: r.value,
      flagged: r.flagged,
      topic: r.source ?? '',
      receivedAt: r.receivedAtMs === null ? '' : new Date(r.receivedAtMs).toISOString(),
      originalValue: r.originalValue ?? r.value,
      originalUnit: r.originalUnit,
      conversion: r.conversion,
    })),
  );
}

/**
 * Both halves of one metric's history, newest first, at most `limit`: the graph's rows are all at
 * or after the boundary and the files' all before it, so the graph's come first.
 */
export function mergeHistory(graphRows: Props[], fileRows: Props[], limit: number): Props[] {
  return graphRows.length >= limit
    ? graphRows.slice(0, limit)
    : [...graphRows, ...fileRows.slice(0, limit - graphRows.length)];
}
