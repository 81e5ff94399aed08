import type { ReadingRecord } from '../../src/telemetry/records';

/**
 * A reading row as ingestion makes it (src/telemetry/ingest.ts), for tests: the fields not given
 * are those of a plain reading of asset A1 on F1/L1, in Cel, no conversion, received at its `ts`.
 */
export function readingRecord(
  r: Pick<ReadingRecord, 'metricId' | 'ts' | 'value'> & Partial<ReadingRecord>,
): ReadingRecord {
  return {
    id: `${r.metricId}@${r.ts}`,
    assetId: 'A1',
    metric: 'temperature',
    unit: 'Cel',
    flagged: false,
    topic: 'twin/F1/L1/A1/telemetry',
    receivedAt: r.ts,
    originalValue: r.value,
    originalUnit: null,
    conversion: null,
    ...r,
  };
}
