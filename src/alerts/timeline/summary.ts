import { ASSET_STATUSES, type AssetStatus } from '../../domain/enums';

/*
 * The asset state timeline's figures (docs/timeline.md), as pure functions of plain data: the
 * status changes of assets, ordered by time, and a window. Times are epoch milliseconds; the
 * figures are in seconds.
 */

/** One stored status change (a `(:StateChange)`), as the computation needs it. */
export interface Change {
  /** When the status took effect (epoch ms). */
  at: number;
  status: string;
}

/** A stretch of time in one status; `status` null: unknown (before the first known change). */
export interface Segment {
  from: number;
  to: number;
  status: AssetStatus | null;
}

export interface StatusSeconds {
  running: number;
  idle: number;
  down: number;
  maintenance: number;
  /** Before the first known state of the asset. */
  unknown: number;
}

/** An uninterrupted IDLE stretch, clipped to the window it was found in. */
export interface IdleStretch {
  assetId: string;
  from: number;
  to: number;
  seconds: number;
}

export interface Summary {
  from: number;
  to: number;
  seconds: StatusSeconds;
  /** (running + idle) / (window − maintenance − unknown); null when that is 0. */
  availability: number | null;
  /** The longest IDLE stretches, longest first (at most LONGEST_IDLE). */
  longestIdle: IdleStretch[];
}

/** How many idle stretches a summary lists. */
export const LONGEST_IDLE = 5;

const KEY: Record<AssetStatus, keyof StatusSeconds> = {
  RUNNING: 'running',
  IDLE: 'idle',
  DOWN: 'down',
  MAINTENANCE: 'maintenance',
};

function asStatus(s: string): AssetStatus | null {
  return ASSET_STATUSES.find((x) => x === s) ?? null;
}

/**
 * The asset's status over `[from, to)` as consecutive segments, neighbours of the same status
 * merged. `changes` must be ordered by `at`; the state in force at `from` is that of the last
 * change at or before `from` (a window may start in the middle of a state), and before the first
 * change the status is unknown. A change at or after `to` does not count.
 */
export function segments(changes: readonly Change[], from: number, to: number): Segment[] {
  const out: Segment[] = [];
  const push = (a: number, b: number, status: AssetStatus | null) => {
    if (b <= a) return;
    const last = out[out.length - 1];
    if (last && last.status === status && last.to === a) last.to = b;
    else out.push({ from: a, to: b, status });
  };
  let status: AssetStatus | null = null;
  let cursor = from;
  for (const c of changes) {
    if (c.at <= from) {
      status = asStatus(c.status);
      continue;
    }
    if (c.at >= to) break;
    push(cursor, c.at, status);
    status = asStatus(c.status);
    cursor = c.at;
  }
  push(cursor, to, status);
  return out;
}

export const zeroSeconds = (): StatusSeconds => ({
  running: 0,
  idle: 0,
  down: 0,
  maintenance: 0,
  unknown: 0,
});

/** (running + idle) / (window − maintenance − unknown), i.e. / (running + idle + down). */
export function availability(s: StatusSeconds): number | null {
  // the same as (running + idle) / (running + idle + down), taken that way: window − maintenance
  // − unknown in floating point can come out a hair under running + idle (1.0000000000000573)
  const up = s.running + s.idle;
  const denominator = up + s.down;
  return denominator > 0 ? Math.min(1, up / denominator) : null;
}

/** Longest first; equal lengths by start, then by asset id (a stable, documented order). */
export function longest(stretches: readonly IdleStretch[], n = LONGEST_IDLE): IdleStretch[] {
  return [...stretches]
    .sort(
      (a, b) =>
        b.seconds - a.seconds ||
        a.from - b.from ||
        (a.assetId < b.assetId ? -1 : a.assetId > b.assetId ? 1 : 0),
    )
    .slice(0, n);
}

/** An asset's segments over the whole window it was loaded for. */
export interface AssetSegments {
  assetId: string;
  segments: readonly Segment[];
}

/** Index of the first segment that ends after `t` (segments are ordered and do not overlap). */
function firstEndingAfter(segs: readonly Segment[], t: number): number {
  let lo = 0;
  let hi = segs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((segs[mid] as Segment).to <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The figures of one or more assets over `[from, to)`, which must lie within the window their
 * segments cover. Several assets add up: seconds are asset-seconds (a line of 3 assets over one
 * hour has 10,800 of them), availability is taken from the sums, and the longest idle stretches
 * are the longest of all the assets'.
 */
export function summarize(assets: readonly AssetSegments[], from: number, to: number): Summary {
  const ms = zeroSeconds();
  const idle: IdleStretch[] = [];
  for (const asset of assets) {
    const segs = asset.segments;
    for (let i = firstEndingAfter(segs, from); i < segs.length; i++) {
      const seg = segs[i] as Segment;
      if (seg.from >= to) break;
      const a = Math.max(seg.from, from);
      const b = Math.min(seg.to, to);
      if (b <= a) continue;
      ms[seg.status === null ? 'unknown' : KEY[seg.status]] += b - a;
      if (seg.status === 'IDLE') {
        idle.push({ assetId: asset.assetId, from: a, to: b, seconds: (b - a) / 1000 });
      }
    }
  }
  const seconds: StatusSeconds = {
    running: ms.running / 1000,
    idle: ms.idle / 1000,
    down: ms.down / 1000,
    maintenance: ms.maintenance / 1000,
    unknown: ms.unknown / 1000,
  };
  return { from, to, seconds, availability: availability(seconds), longestIdle: longest(idle) };
}

/** A status change as the timeline lists it. */
export interface TimelineEntry<C extends Change> {
  change: C;
  /** The status before this change; null for the very first known change of the asset. */
  previousStatus: string | null;
}

/**
 * The changes of one asset in order of `at`, each with the status before it: `prior` is the last
 * change before the listed ones (null when none is known), so an out-of-order arrival is placed
 * by its time, whenever it was received.
 */
export function timelineEntries<C extends Change>(
  prior: Change | null,
  changes: readonly C[],
): TimelineEntry<C>[] {
  let previous = prior?.status ?? null;
  return [...changes]
    .sort((a, b) => a.at - b.at)
    .map((change) => {
      const entry = { change, previousStatus: previous };
      previous = change.status;
      return entry;
    });
}
