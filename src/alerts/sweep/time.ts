import { parseIsoDate } from '../../twins/import/values';

/*
 * Times and durations of the sweep: reading a stored time whatever its form, and writing
 * durations and figures into messages. Pure functions.
 */

export const DAY_MS = 86_400_000;

/**
 * The one form the product writes its times in (`Date.prototype.toISOString`: the import and the
 * mutations through `parseIsoDate`, telemetry through `parseTimestamp`), as a Java regular
 * expression for Cypher's `=~`: two strings of this form compare as text in time order, so the
 * statements pre-filter on them without parsing.
 */
export const CANONICAL_ISO = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z`;

/**
 * Epoch ms of a stored time as the statements return it (`timeOf`): a number is already epoch ms
 * (a Neo4j DATETIME, or a number stored as such); a string is read as ISO-8601 with a zone, or as
 * a date alone (UTC midnight), the import's rule. Anything else, a string that is no such date
 * (a local time without a zone, "2026-02-30"), or null: null, "not known".
 */
export function readTimeMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const parsed = parseIsoDate(value.trim());
  return parsed.ok ? Date.parse(parsed.iso) : null;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** A figure with at most `digits` decimals, trailing zeros dropped: 2.5, 3, 0.33. */
export function figure(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toFixed(digits)));
}

/** A duration for people: "45 s", "12 min", "5.5 h", "3.2 days". */
export function duration(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 120) return `${figure(s, 0)} s`;
  if (s < 7_200) return `${figure(s / 60, 0)} min`;
  if (s < 172_800) return `${figure(s / 3_600, 1)} h`;
  return `${figure(s / 86_400, 1)} days`;
}

/** "1 day", "2.5 days" (at most `digits` decimals). */
export function days(value: number, digits = 1): string {
  const text = figure(value, digits);
  return text === '1' ? '1 day' : `${text} days`;
}
