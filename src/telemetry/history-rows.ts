import type { HistoryRow } from '../history/layout';
import type { ReadingRecord } from './records';
import { parseTopic } from './topics';

/** Partition of a reading whose factory is known neither to the cache nor from its topic. */
export const UNKNOWN_FACTORY = '_unknown';

/**
 * Committed readings as rows of the long-term history (docs/history.md). The factory is the one
 * the asset belongs to now (the cache), else the topic's factory level: the one it came under.
 */
export function historyRows(
  readings: readonly ReadingRecord[],
  registry: { cached(assetId: string): { factoryId: string } | undefined },
  prefix: string,
): HistoryRow[] {
  return readings.map((r) => ({
    metricId: r.metricId,
    assetId: r.assetId,
    factoryId: registry.cached(r.assetId)?.factoryId ?? topicFactory(prefix, r.topic),
    metric: r.metric,
    tsMs: Date.parse(r.ts),
    value: r.value,
    unit: r.unit,
    flagged: r.flagged,
    originalValue: r.originalValue,
    originalUnit: r.originalUnit,
    conversion: r.conversion,
    source: r.topic,
    receivedAtMs: Date.parse(r.receivedAt),
  }));
}

function topicFactory(prefix: string, topic: string): string {
  const parsed = parseTopic(prefix, topic);
  return parsed.ok ? parsed.factoryId : UNKNOWN_FACTORY;
}
