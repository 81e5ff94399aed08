/**
 * Why a telemetry or state message (or one metric of it) was rejected (docs/mqtt.md, "Rejection reasons": a reading is
 * rejected, counted and reported, never silently dropped). The list is closed: it becomes a
 * GraphQL enum and the last level of the dead-letter topic `<prefix>/_rejected/<reason>`, so a
 * name is UPPER_SNAKE_CASE and never changes once shipped; add new ones at the end.
 */
export const REJECTION_REASONS = [
  'PAYLOAD_TOO_LARGE',
  'NOT_JSON',
  'BAD_SHAPE',
  'BAD_TOPIC',
  'UNKNOWN_ASSET',
  'WRONG_LINE',
  'UNKNOWN_METRIC',
  'NOT_FINITE',
  'BAD_UNIT',
  'INCOMPATIBLE_UNIT',
  'BAD_TIMESTAMP',
  'FUTURE_TIMESTAMP',
  'STALE_TIMESTAMP',
  'BAD_STATUS',
  'INTERNAL_ERROR',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** One line each, for the GraphQL enum's descriptions, logs and the README. */
export const REJECTION_REASON_DESCRIPTIONS: Readonly<Record<RejectionReason, string>> = {
  PAYLOAD_TOO_LARGE: 'The payload is larger than the configured maximum number of bytes.',
  NOT_JSON: 'The payload is not UTF-8 JSON text.',
  BAD_SHAPE:
    'The JSON is not of the documented shape (not an object, a missing or unknown key, no metrics, too many metrics).',
  BAD_TOPIC:
    'The topic is not <prefix>/{factoryId}/{lineId}/{assetId}/telemetry or .../state, or uses a reserved level.',
  UNKNOWN_ASSET: 'No asset has the id named by the topic.',
  WRONG_LINE:
    'The asset exists but is not on the line, or the line not in the factory, that the topic names.',
  UNKNOWN_METRIC: 'The metric is not defined on the asset.',
  NOT_FINITE:
    'The value is not a finite number (a string, null, a boolean, or a number too large).',
  BAD_UNIT: 'The unit is not a UCUM code nor one of the accepted aliases (degC, degF, psi).',
  INCOMPATIBLE_UNIT:
    "The unit cannot be converted to the metric's canonical unit (another dimension).",
  BAD_TIMESTAMP:
    'The timestamp is missing or does not parse: ISO-8601 with Z or an offset, or integer epoch milliseconds.',
  FUTURE_TIMESTAMP: 'The timestamp lies further in the future than the allowed clock skew.',
  STALE_TIMESTAMP: 'The timestamp lies further in the past than the maximum accepted age.',
  BAD_STATUS: 'The state message has no status, or not one of RUNNING, IDLE, DOWN, MAINTENANCE.',
  INTERNAL_ERROR:
    'The server failed to process the message (a bug, see the logs); nothing was stored.',
};

/** The reasons that reject one metric of a telemetry message and keep the others. */
export const METRIC_REJECTION_REASONS = [
  'BAD_SHAPE',
  'NOT_FINITE',
  'BAD_UNIT',
  'INCOMPATIBLE_UNIT',
  'UNKNOWN_METRIC',
] as const satisfies readonly RejectionReason[];
export type MetricRejectionReason = (typeof METRIC_REJECTION_REASONS)[number];

/** The failure half of every result in telemetry/: a reason from the list and what was wrong. */
export interface Rejection<R extends RejectionReason = RejectionReason> {
  readonly ok: false;
  readonly reason: R;
  readonly detail: string;
}

const reasonSet: ReadonlySet<string> = new Set(REJECTION_REASONS);

export function isRejectionReason(value: unknown): value is RejectionReason {
  return typeof value === 'string' && reasonSet.has(value);
}

export function reject<R extends RejectionReason>(reason: R, detail: string): Rejection<R> {
  return { ok: false, reason, detail };
}
