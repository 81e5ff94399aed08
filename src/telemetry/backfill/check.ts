/**
 * One row of a backfill input checked and normalised by the rules of MQTT ingestion
 * (docs/mqtt.md, "Validation"), with the functions ingestion uses: parseTimestamp for `ts`, the
 * asset registry for the asset and its metrics, `convert` for the unit. The differences are those
 * of a file: no age limit (a backfill is the past; the future is still refused), no topic (so no
 * WRONG_LINE: the asset's place comes from the graph), and a row carries one metric.
 *
 * Checks run in MQTT's order and the first that fails decides the reason: shape (BAD_SHAPE),
 * timestamp (BAD_TIMESTAMP, FUTURE_TIMESTAMP), asset (UNKNOWN_ASSET), then the metric's value
 * (NOT_FINITE), unit (BAD_UNIT), name (UNKNOWN_METRIC) and conversion (INCOMPATIBLE_UNIT).
 */
import { outsideRange } from '../../alerts/stream';
import { convert, resolveUnit } from '../../domain/units';
import type { HistoryRow } from '../../history/layout';
import { MAX_METRIC_NAME_LENGTH, parseTimestamp, type TimestampResult } from '../payload';
import type { ReadingRecord } from '../records';
import type { AssetInfo } from '../registry';
import type { RowFields } from './parse';
import { problem, type RowProblem } from './reasons';

/** The asset of an id as the graph has it, without a round trip (the registry's cache). */
export type AssetLookup = (id: string) => AssetInfo | undefined;

export interface CheckLimits {
  /** When the input is read, epoch ms: the reference of FUTURE_TIMESTAMP and of the windows. */
  readonly now: number;
  /** TELEMETRY_MAX_FUTURE_MS: a `ts` later than `now + maxFutureMs` is refused. */
  readonly maxFutureMs: number;
  /** Readings at or after this (epoch ms) also go to the graph: its retention window. */
  readonly graphFromMs: number;
  /** Whether the history files take rows; when not, rows before graphFromMs have nowhere to go. */
  readonly files: boolean;
}

export interface CheckedRow {
  readonly ok: true;
  readonly history: HistoryRow;
  /** The graph's reading: only for a row within its retention window (toGraph). */
  readonly reading: ReadingRecord | null;
  readonly toGraph: boolean;
}

/** Lineage of a backfilled row: `backfill:<source>:<line>`, the topic of an MQTT reading. */
export const lineage = (source: string, line: number): string => `backfill:${source}:${line}`;

const MAX_ID_LENGTH = 200;

export function checkRow(
  fields: RowFields,
  line: number,
  source: string,
  lookup: AssetLookup,
  limits: CheckLimits,
): CheckedRow | RowProblem {
  const assetId = text('asset', fields.asset, MAX_ID_LENGTH);
  if (typeof assetId !== 'string') return assetId;
  const name = text('metric', fields.metric, MAX_METRIC_NAME_LENGTH);
  if (typeof name !== 'string') return name;
  if (fields.value === undefined || fields.value === null) {
    return problem('BAD_SHAPE', 'value is missing: give a number in the unit of the row');
  }
  const unitText = fields.unit === undefined || fields.unit === null ? '' : fields.unit;
  if (typeof unitText !== 'string') {
    return problem(
      'BAD_SHAPE',
      `unit is ${describe(unitText)}; expected text (a UCUM code) or nothing`,
    );
  }

  const time = timestampOf(fields.ts, limits);
  if (!time.ok) {
    // no age limit, so never STALE_TIMESTAMP
    return problem(
      time.reason === 'FUTURE_TIMESTAMP' ? 'FUTURE_TIMESTAMP' : 'BAD_TIMESTAMP',
      time.detail,
    );
  }

  const asset = lookup(assetId);
  if (!asset) return problem('UNKNOWN_ASSET', `no asset has the id ${describe(assetId)}`);

  const value = fields.value;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const why =
      typeof value === 'number'
        ? `value ${value} is not a finite number`
        : `value is ${describe(value)}, not a number${typeof value === 'string' && /^[+-]?\d+,\d+$/.test(value) ? ' (write a decimal point, not a comma)' : ''}`;
    return problem('NOT_FINITE', `metric ${describe(name)}: ${why}`);
  }
  const unit = unitText.trim() === '' ? null : unitText.trim();
  if (unit !== null) {
    const resolved = resolveUnit(unit);
    if (!resolved.ok) return problem('BAD_UNIT', `metric ${describe(name)}: ${resolved.detail}`);
  }
  const def = asset.metrics.get(name);
  if (!def) {
    const known = [...asset.metrics.keys()].join(', ') || 'none';
    return problem(
      'UNKNOWN_METRIC',
      `metric ${describe(name)} is not defined on asset "${asset.id}" (its metrics: ${known})`,
    );
  }
  const converted =
    unit === null ? { ok: true as const, value, conversion: null } : convert(value, unit, def.unit);
  if (!converted.ok)
    return problem(converted.reason, `metric ${describe(name)}: ${converted.detail}`);

  const toGraph = time.tsMs >= limits.graphFromMs;
  if (!toGraph && !limits.files) {
    return problem(
      'OUTSIDE_RETENTION',
      `ts ${time.ts} is before ${new Date(limits.graphFromMs).toISOString()}, the start of what the graph keeps, and the history files are off`,
    );
  }
  const src = lineage(source, line);
  const flagged = outsideRange(def, converted.value);
  const receivedAt = receivedIso(limits.now);
  return {
    ok: true,
    toGraph,
    reading: !toGraph
      ? null
      : {
          id: `${def.id}@${time.ts}`,
          metricId: def.id,
          assetId: asset.id,
          metric: def.name,
          ts: time.ts,
          value: converted.value,
          unit: def.unit,
          flagged,
          topic: src,
          receivedAt,
          originalValue: value,
          originalUnit: unit,
          conversion: converted.conversion,
        },
    history: {
      metricId: def.id,
      assetId: asset.id,
      factoryId: asset.factoryId,
      metric: def.name,
      tsMs: time.tsMs,
      value: converted.value,
      unit: def.unit,
      flagged,
      originalValue: value,
      originalUnit: unit,
      conversion: converted.conversion,
      source: src,
      receivedAtMs: limits.now,
    },
  };
}

/**
 * parseTimestamp without an age limit, made cheap for files: the last answer is kept (an export
 * lists every metric of an instant together), and a UTC time already in canonical form
 * (`2026-11-25T10:00:00Z`, `.123Z`) is read by its digits, which gives what parseTimestamp gives
 * (a test holds them equal). Anything else, and every refusal, is parseTimestamp's.
 */
export function timestampOf(value: unknown, limits: CheckLimits): TimestampResult {
  const memo = lastTime;
  if (memo.value === value && memo.now === limits.now && memo.maxFutureMs === limits.maxFutureMs) {
    return memo.result;
  }
  const result =
    canonicalUtc(value, limits) ??
    parseTimestamp(value, {
      now: limits.now,
      maxFutureMs: limits.maxFutureMs,
      maxAgeMs: Number.POSITIVE_INFINITY,
    });
  lastTime = { value, now: limits.now, maxFutureMs: limits.maxFutureMs, result };
  return result;
}

let lastTime: { value: unknown; now: number; maxFutureMs: number; result: TimestampResult } = {
  value: Symbol('none'),
  now: Number.NaN,
  maxFutureMs: Number.NaN,
  result: { ok: true, ts: '', tsMs: 0 },
};

const CANONICAL_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z$/;

function canonicalUtc(value: unknown, limits: CheckLimits): TimestampResult | null {
  if (typeof value !== 'string') return null;
  const m = CANONICAL_UTC.exec(value);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined ||
    year < 1000 || // Date.UTC reads 0…99 as 1900…1999
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null; // parseTimestamp says why
  }
  const tsMs = Date.UTC(year, month - 1, day, hour, minute, second, Number(m[7] ?? 0));
  if (tsMs > limits.now + limits.maxFutureMs) return null;
  return { ok: true, ts: m[7] === undefined ? `${value.slice(0, 19)}.000Z` : value, tsMs };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A required text field, or BAD_SHAPE saying what is wrong with it. */
function text(name: string, value: unknown, max: number): string | RowProblem {
  if (value === undefined || value === null || value === '') {
    return problem('BAD_SHAPE', `${name} is missing`);
  }
  if (typeof value !== 'string')
    return problem('BAD_SHAPE', `${name} is ${describe(value)}; expected text`);
  if (value.length > max) return problem('BAD_SHAPE', `${name} is longer than ${max} characters`);
  return value;
}

let isoOf = { ms: Number.NaN, iso: '' };
/** The receive time as ISO text, made once per run rather than once per row. */
function receivedIso(ms: number): string {
  if (isoOf.ms !== ms) isoOf = { ms, iso: new Date(ms).toISOString() };
  return isoOf.iso;
}

/** A short description of a field's value for a detail message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
