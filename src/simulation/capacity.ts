import { createRng, deriveSeed } from '../domain/prng';
import {
  capacityFactorOf,
  isUsableStatus,
  maxStationFlow,
  type Flow,
  type Station,
} from '../impact/quantities';
import type { AssetWindow, SimStation } from './model';

/*
 * A line's capacity factor over time (docs/simulation.md, "Capacity"). The capacity factor is the
 * shared quantity of the impact analysis (max flow through the line's stations); here the set of
 * stations that are down changes over the horizon: scenario windows (downtime, maintenance), an
 * asset that is DOWN or in MAINTENANCE at the start (back after its mttrHours, or never without
 * one), and with Monte Carlo random failures. The factor of a step is the time-weighted mean of
 * the factor over the step.
 */

/** Hours [from, to) during which one station of a line is down. */
export interface DownInterval {
  station: number;
  from: number;
  to: number;
}

export interface LineStations {
  stations: SimStation[];
  flows: Flow[];
}

/** Stations as the capacity factor sees them when nothing is down: every one usable. */
export function usableStations(stations: readonly SimStation[]): Station[] {
  return stations.map((s) => ({ id: s.id, status: 'RUNNING', ratePerHour: s.ratePerHour }));
}

/** Exponential with the given mean (inverse transform of a uniform in [0, 1)). */
export function exponential(mean: number, u: number): number {
  return -mean * Math.log(1 - u);
}

/**
 * Every interval a line's stations are down over [0, horizonHours): the start status, the
 * scenario's windows, and (when `random` is given) failures drawn from it. The draws go station by
 * station in the line's order, so one run's failures depend only on its seed.
 */
export function downIntervals(
  stations: readonly SimStation[],
  windows: ReadonlyMap<string, readonly AssetWindow[]>,
  horizonHours: number,
  random: (() => number) | null,
): DownInterval[] {
  const out: DownInterval[] = [];
  stations.forEach((s, station) => {
    for (const w of windows.get(s.id) ?? []) {
      const from = w.startDay * 24;
      out.push({ station, from, to: Math.min(horizonHours, from + w.hours) });
    }
    const mttr = s.mttrHours ?? 0;
    const mtbf = s.mtbfHours ?? 0;
    let t = 0;
    if (!isUsableStatus(s.status)) {
      // a station that is down now stays down its mean repair time (a random one in Monte Carlo)
      t = mttr > 0 ? (random === null ? mttr : exponential(mttr, random())) : horizonHours;
      out.push({ station, from: 0, to: Math.min(horizonHours, t) });
    }
    if (random === null || !(mtbf > 0) || !(mttr > 0)) return;
    for (;;) {
      t += exponential(mtbf, random());
      if (t >= horizonHours) break;
      const repair = exponential(mttr, random());
      out.push({ station, from: t, to: Math.min(horizonHours, t + repair) });
      t += repair;
    }
  });
  return out.filter((i) => i.to > i.from);
}

/** The random source of run `run` of a Monte Carlo simulation with `seed`. */
export function runRandom(seed: number, run: number): () => number {
  return createRng(deriveSeed(seed, run)).next;
}

/**
 * Capacity factor per step: `stepStarts[k]` hours from the start, `stepLengths[k]` hours long.
 * `factor` gives c(L) for a set of down stations (callers cache it: the same sets come back).
 */
export function capacityPerStep(
  intervals: readonly DownInterval[],
  stepStarts: Float64Array,
  stepLengths: Float64Array,
  factor: (down: readonly number[]) => number,
): Float64Array {
  const steps = stepStarts.length;
  const result = new Float64Array(steps);
  const horizon = steps === 0 ? 0 : (stepStarts[steps - 1] ?? 0) + (stepLengths[steps - 1] ?? 0);
  // sweep over the change points; downCount allows overlapping windows of one station
  const events: { at: number; station: number; delta: number }[] = [];
  for (const i of intervals) {
    events.push(
      { at: i.from, station: i.station, delta: 1 },
      { at: i.to, station: i.station, delta: -1 },
    );
  }
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const downCount = new Map<number, number>();
  let at = 0;
  let e = 0;
  while (at < horizon) {
    while (e < events.length && (events[e]?.at ?? Infinity) <= at) {
      const ev = events[e++];
      if (ev === undefined) break;
      const n = (downCount.get(ev.station) ?? 0) + ev.delta;
      if (n <= 0) downCount.delete(ev.station);
      else downCount.set(ev.station, n);
    }
    const next = Math.min(horizon, events[e]?.at ?? horizon);
    const c = factor([...downCount.keys()].sort((a, b) => a - b));
    spread(result, stepStarts, stepLengths, at, next, c);
    at = next;
  }
  for (let k = 0; k < steps; k++) result[k] = (result[k] ?? 0) / (stepLengths[k] ?? 1);
  return result;
}

/** Adds c × overlap of [from, to) with each step. */
function spread(
  into: Float64Array,
  starts: Float64Array,
  lengths: Float64Array,
  from: number,
  to: number,
  c: number,
): void {
  if (!(to > from)) return;
  const stepHours = lengths[0] ?? 1;
  let k = Math.max(0, Math.floor(from / stepHours));
  for (; k < starts.length; k++) {
    const a = starts[k] ?? 0;
    const b = a + (lengths[k] ?? 0);
    if (a >= to) break;
    const overlap = Math.min(b, to) - Math.max(a, from);
    if (overlap > 0) into[k] = (into[k] ?? 0) + c * overlap;
  }
}

/** The caches of factorCache, by line: a snapshot's lines are compiled again and again (risk exposure). */
const caches = new WeakMap<LineStations, (down: readonly number[]) => number>();

/**
 * c(L) for sets of down stations of one line, computed once per distinct set and kept as long as
 * the line object lives, so every model compiled from one snapshot shares the max flows.
 */
export function factorCache(line: LineStations): (down: readonly number[]) => number {
  const known = caches.get(line);
  if (known !== undefined) return known;
  const stations = usableStations(line.stations);
  const cache = new Map<string, number>();
  // the nominal flow is the same for every set; capacityFactor would compute it each time
  let nominal: number | undefined;
  const factor = (down: readonly number[]): number => {
    if (down.length === 0) return 1;
    const key = down.join(',');
    let c = cache.get(key);
    if (c === undefined) {
      nominal ??= maxStationFlow(stations, line.flows, (s) => s.ratePerHour);
      const ids = new Set(down.map((i) => stations[i]?.id ?? ''));
      c =
        nominal > 0
          ? capacityFactorOf(
              nominal,
              maxStationFlow(stations, line.flows, (s) => (ids.has(s.id) ? 0 : s.ratePerHour)),
            )
          : 1;
      cache.set(key, c);
    }
    return c;
  };
  caches.set(line, factor);
  return factor;
}
