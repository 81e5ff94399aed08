import { FIRST_SHIFT_START_MINUTES, shiftsOverlapping, shiftZone } from './shifts';
import { type AssetSegments, segments, summarize, type Summary } from './summary';
import type { AssetHistory, ShiftSettings } from './timeline.store';
import type { TimeWindow } from './window';

/*
 * From loaded histories to the figures the API returns: pure, so the resolvers only load and map.
 */

export interface ShiftFigures extends Summary {
  /** The local date the shift starts on (YYYY-MM-DD). */
  date: string;
  /** 1-based within its day. */
  shift: number;
}

export interface StateFigures extends Summary {
  /** Per shift overlapping the window (clipped to it) when asked for, else null. */
  shifts: ShiftFigures[] | null;
}

/** Each asset's segments over the counted window `[from, end)`. */
export function assetSegments(histories: readonly AssetHistory[], w: TimeWindow): AssetSegments[] {
  return histories.map((h) => ({
    assetId: h.assetId,
    segments: segments(h.prior ? [h.prior, ...h.changes] : h.changes, w.from, w.end),
  }));
}

/**
 * The figures of one asset (one history) or of a line (the histories of all its assets: the
 * sums of asset-seconds) over the window, and per shift of the line when `byShift`.
 */
export function stateFigures(
  histories: readonly AssetHistory[],
  w: TimeWindow,
  shifts: ShiftSettings,
  byShift: boolean,
): StateFigures {
  const segs = assetSegments(histories, w);
  const whole = summarize(segs, w.from, w.end);
  if (!byShift) return { ...whole, shifts: null };
  const plan = {
    shiftsPerDay: shifts.shiftsPerDay,
    hoursPerShift: shifts.hoursPerShift,
    firstShiftStartMinutes: FIRST_SHIFT_START_MINUTES,
    zone: shiftZone(shifts.timezone),
  };
  return {
    ...whole,
    shifts: shiftsOverlapping(plan, w.from, w.end).map((s) => ({
      ...summarize(segs, s.start, s.end),
      date: s.date,
      shift: s.shift,
    })),
  };
}
