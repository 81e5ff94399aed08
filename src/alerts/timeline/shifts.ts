import { DateTime, IANAZone } from 'luxon';

/*
 * A line's shifts in its factory's own time zone (docs/timeline.md#shifts). Shift times are wall
 * clock times: the first shift of a day starts at 06:00 local time, the others follow back to back,
 * and each starts and ends where the clock on the factory wall says so. On the night the clocks
 * go back a 22:00–06:00 shift therefore lasts 9 hours, and on the night they go forward 7.
 */

export interface ShiftPlan {
  /** Shifts a day; a fraction adds a shorter last shift (2.5 × 8 h: 8 h, 8 h and 4 h). */
  shiftsPerDay: number;
  hoursPerShift: number;
  /** Local time the first shift of a day starts, in minutes after midnight. */
  firstShiftStartMinutes: number;
  /** IANA time zone of the factory (an unknown or missing zone counts as UTC). */
  zone: string;
}

export interface ShiftSpan {
  /** The local date the shift starts on (YYYY-MM-DD). */
  date: string;
  /** 1-based number of the shift within its day. */
  shift: number;
  /** Epoch ms. */
  start: number;
  end: number;
}

/** 06:00: when the first shift of a day starts. */
export const FIRST_SHIFT_START_MINUTES = 6 * 60;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The zone to compute in: the factory's when it is a valid IANA name, else UTC. */
export function shiftZone(timezone: string | null | undefined): string {
  return timezone && IANAZone.isValidZone(timezone) ? timezone : 'UTC';
}

/** The instant the wall clock in `zone` shows `offsetMs` after the midnight that starts `day`. */
function wallClock(day: DateTime, offsetMs: number): number {
  const days = Math.floor(offsetMs / DAY);
  let rest = Math.round(offsetMs - days * DAY);
  const hour = Math.floor(rest / HOUR);
  rest -= hour * HOUR;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const millisecond = rest - second * 1000;
  // calendar days keep the wall clock time; a time the clocks skip moves forward past the gap
  return day.plus({ days }).set({ hour, minute, second, millisecond }).toMillis();
}

/** The shifts of one local day (`day` is any instant of that day in the plan's zone). */
export function shiftsOfDay(plan: ShiftPlan, day: DateTime): ShiftSpan[] {
  const n = plan.shiftsPerDay;
  const h = plan.hoursPerShift;
  if (!(n > 0) || !(h > 0)) return [];
  const date = day.toISODate() ?? '';
  const first = plan.firstShiftStartMinutes * 60_000;
  const out: ShiftSpan[] = [];
  for (let k = 0; k < Math.ceil(n); k++) {
    const start = wallClock(day, first + k * h * HOUR);
    const end = wallClock(day, first + Math.min(k + 1, n) * h * HOUR);
    if (end > start) out.push({ date, shift: k + 1, start, end });
  }
  return out;
}

/**
 * The shifts that overlap `[from, to)`, in order of start, each clipped to the window (`start`
 * and `end` are the clipped times; `date` and `shift` name the whole shift).
 */
export function shiftsOverlapping(plan: ShiftPlan, from: number, to: number): ShiftSpan[] {
  if (to <= from) return [];
  const zone = shiftZone(plan.zone);
  const local = (ms: number) => DateTime.fromMillis(ms, { zone });
  // noon exists on every day (the clocks change at night), so day arithmetic stays on the day
  const noon = (t: DateTime) =>
    DateTime.fromObject({ year: t.year, month: t.month, day: t.day, hour: 12 }, { zone });
  // a shift of an earlier day can reach into the window: at most a day of shifts, from up to
  // 24:00 local, so starting two days before is enough
  let day = noon(local(from)).minus({ days: 2 });
  const last = noon(local(to));
  const out: ShiftSpan[] = [];
  while (day <= last) {
    for (const s of shiftsOfDay(plan, day)) {
      if (s.end <= from || s.start >= to) continue;
      out.push({ ...s, start: Math.max(s.start, from), end: Math.min(s.end, to) });
    }
    day = day.plus({ days: 1 });
  }
  return out.sort((a, b) => a.start - b.start || a.shift - b.shift);
}
