import type { Graph } from '../graph/executor';
import { errorText, type Log } from '../log';
import { pruneTelemetry } from './store';

/**
 * Prunes old readings (and the rest of telemetry's bookkeeping) and old asset state changes every
 * minute; returns a stop.
 */
export function startRetention(
  graph: Graph,
  retentionMs: number,
  timelineRetentionMs: number,
  log: Log,
  everyMs = 60_000,
): () => void {
  const timer = setInterval(() => {
    pruneTelemetry(graph, retentionMs, 50, timelineRetentionMs).catch((err: unknown) =>
      log.warn(`telemetry retention failed (will retry): ${errorText(err)}`),
    );
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
