/**
 * Validation of the two MQTT payloads of docs/mqtt.md ("Payloads"), pure and total: any buffer gives a result,
 * never an exception. A problem with the whole message (size, JSON, shape, timestamp) rejects it;
 * a problem with one metric rejects only that metric, listed in `rejectedMetrics`.
 *
 * Hand-written rather than a zod schema: it runs for every reading, must tell the per-metric
 * reasons apart, and never walks the parsed value recursively (a deeply nested payload cannot
 * exhaust the stack: only the two top levels of the JSON are ever looked at).
 */
import { isUtf8 } from 'node:buffer';
import { ASSET_STATUSES, type AssetStatus } from '../domain/enums';
import { parseIsoDate } from '../twins/import/values';
import { reject, type MetricRejectionReason, type Rejection } from './reasons';
import { resolveUnit } from '../domain/units';

export interface PayloadLimits {
  /** The receive time, epoch ms: the reference of FUTURE_TIMESTAMP and STALE_TIMESTAMP. */
  readonly now: number;
  /** Allowed clock skew of a sender: a `ts` later than `now + maxFutureMs` is rejected. */
  readonly maxFutureMs: number;
  /** Oldest accepted reading: a `ts` earlier than `now - maxAgeMs` is rejected. */
  readonly maxAgeMs: number;
  /** Larger payloads are rejected before they are decoded. */
  readonly maxBytes: number;
  /** Most metrics in one telemetry message (default DEFAULT_PAYLOAD_LIMITS.maxMetrics). */
  readonly maxMetrics?: number;
}

/**
 * Recommended limits: 5 minutes of clock skew (a future reading would hide newer ones as the
 * "latest" value), 7 days of age (an edge gateway replaying its buffer after a long weekend's
 * outage), 128 KiB (1000 metrics as `{value, unit}` objects with long names fit).
 */
export const DEFAULT_PAYLOAD_LIMITS = {
  maxFutureMs: 5 * 60_000,
  maxAgeMs: 7 * 24 * 3_600_000,
  maxBytes: 128 * 1024,
  maxMetrics: 1000,
} as const satisfies Omit<PayloadLimits, 'now'>;

/**
 * Numeric `ts` is integer epoch milliseconds in [1e11, 1e14): below is 1973-03-03 in ms but
 * year 5138 in seconds, so a smaller number is almost surely epoch seconds; above is year 5138 in
 * ms, so a larger number is almost surely micro- or nanoseconds. Both are refused, not guessed.
 */
export const MIN_EPOCH_MS = 1e11;
export const MAX_EPOCH_MS = 1e14;
export const MAX_METRIC_NAME_LENGTH = 200;
export const MAX_STATE_REASON_LENGTH = 1000;
const MAX_TS_LENGTH = 64;

/**
 * The MQTT messages as a publisher sends them (docs/mqtt.md): what the demo feed and the tests
 * publish, and what parseTelemetry/parseState accept.
 */
export interface TelemetryMessage {
  ts: string;
  metrics: Record<string, number | { value: number; unit: string }>;
}
export interface StateMessage {
  ts: string;
  status: AssetStatus;
  reason?: string;
}

export interface Timestamp {
  /** UTC ISO-8601 with milliseconds, e.g. 2026-11-25T10:00:00.123Z. */
  readonly ts: string;
  readonly tsMs: number;
}
export interface ParsedReading {
  readonly name: string;
  readonly value: number;
  /** The unit as sent (aliases included); null for a bare number, in the canonical unit. */
  readonly unit: string | null;
}
export interface RejectedMetric {
  readonly name: string;
  readonly reason: MetricRejectionReason;
  readonly detail: string;
}
export type ParsedTelemetry = { readonly ok: true } & Timestamp & {
    readonly metrics: ParsedReading[];
    readonly rejectedMetrics: RejectedMetric[];
  };
export type ParsedState = { readonly ok: true } & Timestamp & {
    readonly status: AssetStatus;
    readonly reason: string | null;
  };
export type TimestampResult =
  | ({ readonly ok: true } & Timestamp)
  | Rejection<'BAD_TIMESTAMP' | 'FUTURE_TIMESTAMP' | 'STALE_TIMESTAMP'>;

/** `{"ts": ..., "metrics": {"temperature": 71.3, "pressure": {"value": 30.5, "unit": "[psi]"}}}` */
export function parseTelemetry(buf: Buffer, opts: PayloadLimits): ParsedTelemetry | Rejection {
  const root = parseRoot(buf, opts.maxBytes, TELEMETRY_KEYS);
  if (!root.ok) return root;
  const metrics = own(root.value, 'metrics');
  if (!isObject(metrics)) {
    return reject(
      'BAD_SHAPE',
      metrics === undefined
        ? 'metrics is required: an object of name → number or {value, unit}'
        : `metrics is ${describe(metrics)}; expected an object of name → number or {value, unit}`,
    );
  }
  const names = Object.keys(metrics);
  const maxMetrics = opts.maxMetrics ?? DEFAULT_PAYLOAD_LIMITS.maxMetrics;
  if (names.length === 0) return reject('BAD_SHAPE', 'metrics is empty');
  if (names.length > maxMetrics) {
    return reject('BAD_SHAPE', `metrics has ${names.length} entries; at most ${maxMetrics}`);
  }
  const time = parseTimestamp(own(root.value, 'ts'), opts);
  if (!time.ok) return time;
  const accepted: ParsedReading[] = [];
  const rejectedMetrics: RejectedMetric[] = [];
  for (const name of names) {
    const reading = readMetric(name, own(metrics, name));
    if ('reason' in reading) rejectedMetrics.push(reading);
    else accepted.push(reading);
  }
  return { ok: true, ts: time.ts, tsMs: time.tsMs, metrics: accepted, rejectedMetrics };
}

/** `{"ts": ..., "status": "DOWN", "reason": "hydraulic leak"}`; `reason` may be absent or null. */
export function parseState(buf: Buffer, opts: PayloadLimits): ParsedState | Rejection {
  const root = parseRoot(buf, opts.maxBytes, STATE_KEYS);
  if (!root.ok) return root;
  const time = parseTimestamp(own(root.value, 'ts'), opts);
  if (!time.ok) return time;
  const status = own(root.value, 'status');
  if (typeof status !== 'string' || !statusSet.has(status)) {
    const given = status === undefined ? 'is required' : `${describe(status)} is not valid`;
    return reject('BAD_STATUS', `status ${given}: one of ${ASSET_STATUSES.join(', ')}`);
  }
  const reason = own(root.value, 'reason');
  if (reason !== undefined && reason !== null && typeof reason !== 'string') {
    return reject('BAD_SHAPE', `reason is ${describe(reason)}; expected a string or null`);
  }
  const text = reason?.trim() ?? '';
  if (text.length > MAX_STATE_REASON_LENGTH) {
    return reject(
      'BAD_SHAPE',
      `reason has ${text.length} characters; at most ${MAX_STATE_REASON_LENGTH}`,
    );
  }
  return {
    ok: true,
    ts: time.ts,
    tsMs: time.tsMs,
    status: status as AssetStatus, // checked against statusSet above
    reason: text === '' ? null : text,
  };
}

/** An ISO-8601 date-time with `Z` or an offset (normalised to UTC), or integer epoch ms. */
export function parseTimestamp(
  value: unknown,
  opts: Pick<PayloadLimits, 'now' | 'maxFutureMs' | 'maxAgeMs'>,
): TimestampResult {
  const hint = 'expected ISO-8601 with Z or an offset (2026-11-25T10:00:00.123Z) or epoch ms';
  let tsMs: number;
  let ts: string;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      return reject('BAD_TIMESTAMP', `ts ${value} is not whole epoch milliseconds`);
    }
    if (value < MIN_EPOCH_MS) {
      const why = value > 0 ? 'looks like epoch seconds' : 'is not after 1973';
      return reject('BAD_TIMESTAMP', `ts ${value} ${why}: send epoch milliseconds`);
    }
    if (value >= MAX_EPOCH_MS) {
      const why = 'looks like epoch micro- or nanoseconds';
      return reject('BAD_TIMESTAMP', `ts ${value} ${why}: send epoch milliseconds`);
    }
    tsMs = value;
    ts = new Date(value).toISOString();
  } else if (typeof value === 'string') {
    // described only when refused: this runs for every accepted message
    const shown = (): string => describe(value);
    if (value.length > MAX_TS_LENGTH) return reject('BAD_TIMESTAMP', `ts ${shown()} is too long`);
    if (!/^\d{4}-\d{2}-\d{2}[Tt]\d/.test(value)) {
      return reject('BAD_TIMESTAMP', `ts ${shown()} is not a date-time: ${hint}`);
    }
    if (!/(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$/.test(value)) {
      return reject(
        'BAD_TIMESTAMP',
        `ts ${shown()} has no zone (Z or ±hh:mm): a local time is ambiguous`,
      );
    }
    const parsed = parseIsoDate(value);
    if (!parsed.ok) return reject('BAD_TIMESTAMP', `ts ${shown()} is no such date-time: ${hint}`);
    ts = parsed.iso;
    tsMs = Date.parse(ts);
  } else {
    const given = value === undefined ? 'is required' : `is ${describe(value)}`;
    return reject('BAD_TIMESTAMP', `ts ${given}: ${hint}`);
  }
  if (tsMs > opts.now + opts.maxFutureMs) {
    return reject(
      'FUTURE_TIMESTAMP',
      `ts ${ts} is more than ${opts.maxFutureMs} ms after ${iso(opts.now)}`,
    );
  }
  if (tsMs < opts.now - opts.maxAgeMs) {
    return reject(
      'STALE_TIMESTAMP',
      `ts ${ts} is more than ${opts.maxAgeMs} ms before ${iso(opts.now)}`,
    );
  }
  return { ok: true, ts, tsMs };
}

const TELEMETRY_KEYS: ReadonlySet<string> = new Set(['ts', 'metrics']);
const STATE_KEYS: ReadonlySet<string> = new Set(['ts', 'status', 'reason']);
const VALUE_KEYS: ReadonlySet<string> = new Set(['value', 'unit']);
const statusSet: ReadonlySet<string> = new Set(ASSET_STATUSES);

type JsonObject = Readonly<Record<string, unknown>>;

function parseRoot(
  buf: Buffer,
  maxBytes: number,
  keys: ReadonlySet<string>,
): { ok: true; value: JsonObject } | Rejection {
  if (buf.length > maxBytes) {
    return reject('PAYLOAD_TOO_LARGE', `payload has ${buf.length} bytes; at most ${maxBytes}`);
  }
  if (buf.length === 0) return reject('NOT_JSON', 'payload is empty');
  if (!isUtf8(buf)) return reject('NOT_JSON', 'payload is not UTF-8 text');
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (error) {
    const why = error instanceof Error ? error.message.slice(0, 200) : 'parse error';
    return reject('NOT_JSON', `payload is not JSON: ${why}`);
  }
  if (!isObject(value)) {
    return reject('BAD_SHAPE', `payload is ${describe(value)}; expected an object`);
  }
  const unknown = unknownKey(value, keys);
  if (unknown !== null) return reject('BAD_SHAPE', unknown);
  return { ok: true, value };
}

function readMetric(name: string, raw: unknown): ParsedReading | RejectedMetric {
  if (name === '' || name.length > MAX_METRIC_NAME_LENGTH) {
    const why = name === '' ? 'is empty' : `is longer than ${MAX_METRIC_NAME_LENGTH} characters`;
    return {
      name: cut(name, MAX_METRIC_NAME_LENGTH),
      reason: 'BAD_SHAPE',
      detail: `metric name ${why}`,
    };
  }
  const fail = (reason: MetricRejectionReason, detail: string): RejectedMetric => ({
    name,
    reason,
    detail: `metric ${describe(name)}: ${detail}`,
  });
  if (typeof raw === 'number') {
    return Number.isFinite(raw)
      ? { name, value: raw, unit: null }
      : fail('NOT_FINITE', `value ${raw} is not a finite number`);
  }
  if (!isObject(raw)) {
    return fail('NOT_FINITE', `value is ${describe(raw)}, not a number (nor {value, unit})`);
  }
  const unknown = unknownKey(raw, VALUE_KEYS);
  if (unknown !== null) return fail('BAD_SHAPE', unknown);
  const value = own(raw, 'value');
  const unit = own(raw, 'unit');
  if (value === undefined) return fail('BAD_SHAPE', '{value, unit} has no value');
  if (typeof value !== 'number')
    return fail('NOT_FINITE', `value is ${describe(value)}, not a number`);
  if (!Number.isFinite(value)) return fail('NOT_FINITE', `value ${value} is not a finite number`);
  if (unit === undefined) {
    return fail(
      'BAD_SHAPE',
      '{value, unit} has no unit (send a bare number for the canonical unit)',
    );
  }
  if (typeof unit !== 'string') return fail('BAD_UNIT', `unit is ${describe(unit)}, not a string`);
  const resolved = resolveUnit(unit);
  if (!resolved.ok) return fail('BAD_UNIT', resolved.detail);
  return { name, value, unit };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property only: nothing inherited (a polluted prototype) can pass for a field. */
function own(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function unknownKey(object: JsonObject, allowed: ReadonlySet<string>): string | null {
  for (const key of Object.keys(object)) {
    if (!allowed.has(key)) {
      return `unknown key ${describe(key)}; allowed keys: ${[...allowed].join(', ')}`;
    }
  }
  return null;
}

/** A short, non-recursive description of a JSON value for a detail message. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(cut(value, 60));
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}
