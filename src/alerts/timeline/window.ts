import { badInput } from '../../errors';

/** The longest window a timeline or summary may ask for. */
export const MAX_WINDOW_DAYS = 366;
/** A window without `from` starts this long before its end. */
export const DEFAULT_WINDOW_MS = 24 * 3_600_000;

const DAY = 86_400_000;

/** A window of the timeline, in epoch ms. */
export interface TimeWindow {
  /** Start, as asked (default: `to` − 24 h). */
  from: number;
  /** End, as asked (default: now). */
  to: number;
  /**
   * The end the figures count up to: `to`, or now when `to` lies in the future (what has not
   * happened yet is not counted as any state); never before `from`.
   */
  end: number;
}

function ms(name: string, value: Date | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const t = value.getTime();
  if (!Number.isFinite(t)) {
    throw badInput(
      `"${name}" is not a valid time; give ISO-8601 with a zone, e.g. 2026-11-25T06:00:00Z`,
    );
  }
  return t;
}

/**
 * The window `[from, to)` of a timeline or summary, checked: `from` must be before `to`, and the
 * window at most MAX_WINDOW_DAYS long. `now` is the request's one clock reading.
 */
export function resolveWindow(
  from: Date | null | undefined,
  to: Date | null | undefined,
  now: number,
): TimeWindow {
  const end = ms('to', to) ?? now;
  const start = ms('from', from) ?? end - DEFAULT_WINDOW_MS;
  if (start >= end) {
    throw badInput(
      `"from" (${new Date(start).toISOString()}) must be before "to" (${new Date(end).toISOString()})`,
    );
  }
  if (end - start > MAX_WINDOW_DAYS * DAY) {
    const days = Math.round(((end - start) / DAY) * 10) / 10;
    throw badInput(
      `the window from "from" to "to" is ${days} days long; at most ${MAX_WINDOW_DAYS} days can be asked at once, ask for several windows instead`,
    );
  }
  return { from: start, to: end, end: Math.max(start, Math.min(end, now)) };
}

export const iso = (t: number): string => new Date(t).toISOString();
