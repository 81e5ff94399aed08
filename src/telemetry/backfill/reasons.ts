/**
 * Why a row of a backfill file was refused (docs/history.md, "Backfill"). The reasons are those of
 * MQTT (telemetry/reasons.ts) that apply to a row of a file, with the same names and the same
 * checks, plus two of a backfill's own: a DUPLICATE row (reported, written once) and a row that
 * has nowhere to go (OUTSIDE_RETENTION). The MQTT list stays as it is: it is the dead-letter topics
 * and the `telemetryRejections` enum, which a file never reaches.
 */
import type { RejectionReason } from '../reasons';

export const BACKFILL_REASONS = [
  'NOT_JSON',
  'BAD_SHAPE',
  'BAD_TIMESTAMP',
  'FUTURE_TIMESTAMP',
  'UNKNOWN_ASSET',
  'NOT_FINITE',
  'BAD_UNIT',
  'UNKNOWN_METRIC',
  'INCOMPATIBLE_UNIT',
  'OUTSIDE_RETENTION',
  'DUPLICATE',
] as const satisfies readonly (RejectionReason | 'OUTSIDE_RETENTION' | 'DUPLICATE')[];
export type BackfillReason = (typeof BACKFILL_REASONS)[number];

/** What was wrong and what to do about it, for the rejects report, --help and the GraphQL enum. */
export const BACKFILL_REASON_DESCRIPTIONS: Readonly<Record<BackfillReason, string>> = {
  NOT_JSON:
    'A JSONL line is not a JSON object: write one {"asset", "metric", "ts", "value", "unit"} object per line.',
  BAD_SHAPE:
    'The row has another number of fields than the header (quote a value that holds a comma), or asset, metric or value is missing, or a JSONL field has the wrong type.',
  BAD_TIMESTAMP:
    'ts is missing or does not parse: ISO-8601 with Z or an offset (2026-11-25T10:00:00.123Z), or integer epoch milliseconds.',
  FUTURE_TIMESTAMP:
    'ts lies further in the future than TELEMETRY_MAX_FUTURE_MS: a reading from the future would hide newer ones; check the clock or the zone of the export.',
  UNKNOWN_ASSET:
    'No asset has this id: import the asset first, or fix the id (ids are case-sensitive).',
  NOT_FINITE:
    'value is not a finite number (text, empty, a decimal comma, or too large): write a number with a decimal point.',
  BAD_UNIT:
    'unit is not a UCUM code nor one of the accepted aliases (degC, degF, psi): leave it empty for the canonical unit.',
  UNKNOWN_METRIC: 'The metric is not defined on the asset: add it to the asset, or fix the name.',
  INCOMPATIBLE_UNIT:
    "unit cannot be converted to the metric's canonical unit (another dimension): fix the unit or the metric.",
  OUTSIDE_RETENTION:
    'ts is older than the graph keeps readings (TELEMETRY_RETENTION_HOURS) and the history files are off (HISTORY_ENABLED=false): enable them to backfill the past.',
  DUPLICATE:
    'Another row of the same input has the same asset, metric and ts: the first one is written, this one is not.',
};

/** A refused row's reason and detail; the half of every check of a row that failed. */
export interface RowProblem {
  readonly ok: false;
  readonly reason: BackfillReason;
  readonly detail: string;
}

export const problem = (reason: BackfillReason, detail: string): RowProblem => ({
  ok: false,
  reason,
  detail,
});
