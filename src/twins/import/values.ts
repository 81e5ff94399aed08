/** Value-level rules of the import that no schema library knows: dates, time zones, paths. */

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const DATE_HINT =
  'expected ISO-8601 with a time zone (2026-11-20T08:00:00Z) or a date (2026-11-20)';

export type DateParse = { ok: true; iso: string } | { ok: false; message: string };

/**
 * Parses an ISO-8601 date-time with a zone designator, or a date alone (UTC midnight), into UTC
 * ISO form. Hand-rolled because `Date` accepts far more (local times, "2026-02-30" rolled over to
 * March), and a twin's time must never depend on the importing server's zone.
 */
export function parseIsoDate(text: string): DateParse {
  const fail = (why: string): DateParse => ({
    ok: false,
    message: `${quote(text)} does not parse as a date${why}: ${DATE_HINT}`,
  });
  const m = ISO_DATE.exec(text);
  if (m === null) return fail('');
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (h !== undefined && zone === undefined) return fail(' (it has no time zone)');
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return fail(' (no such day)');
  }
  if (hour > 23 || minute > 59 || second > 59) return fail(' (no such time of day)');
  const offsetMinutes = parseOffset(zone);
  if (offsetMinutes === null) return fail(' (no such offset)');
  const millis = frac === undefined ? 0 : Number(frac.padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, millis);
  return { ok: true, iso: date.toISOString() };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Minutes east of UTC, or null when out of range. */
function parseOffset(zone: string | undefined): number | null {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

/**
 * Time zones seen so far, valid (canonical spelling) or not (null): constructing an
 * Intl.DateTimeFormat costs tens of microseconds, too much to repeat for 10^5 factories.
 */
const zoneCache = new Map<string, string | null>();

/** The zone's canonical spelling if `name` is an IANA time zone this runtime knows, else null. */
export function canonicalTimeZone(name: string): string | null {
  const cached = zoneCache.get(name);
  if (cached !== undefined) return cached;
  let canonical: string | null = null;
  // A bare offset ("+01:00") is not a zone: it knows nothing of daylight saving time.
  if (name.trim() === name && !/^[+-]?\d/.test(name)) {
    try {
      const resolved = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
      // Keep the given name unless only its case differs: "EST" must not become a city.
      canonical = resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
    } catch {
      canonical = null;
    }
  }
  if (zoneCache.size < 10_000) zoneCache.set(name, canonical);
  return canonical;
}

/** Short, readable rendering of a value in a message: `string "12"`, `null`, `an array`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `string ${quote(value)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** JSON-quotes a string, shortened so one absurd value cannot swamp the problem list. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

/** `['assets', 3, 'metrics', 0, 'unit']` → `assets[3].metrics[0].unit`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) {
      path += path === '' ? segment : `.${segment}`;
    } else path += `[${JSON.stringify(String(segment))}]`;
  }
  return path;
}
