import { stepCount } from './compile';
import {
  KPI_NAMES,
  type Band,
  type EngineOptions,
  type Kpis,
  type RunDetail,
  type RunKpis,
  type Scenario,
  type SimulationResult,
  type Snapshot,
} from './model';
import { poolSource, threadSource, type SimulationExec } from './monte-carlo.runs';
import { abortError } from './pool';

export type { SimulationExec };

/*
 * The simulation of a scenario: one deterministic run, or Monte Carlo runs summarised by
 * percentiles. Run r's random failures depend only on the seed and r, and its baseline sees the
 * same failures (common random numbers), so the paired difference kpis − baseline isolates what
 * the scenario changes. Results never depend on how runs are split across workers: chunk results
 * are put back in run order before anything is aggregated.
 */

/**
 * The p-th percentile (0 ≤ p ≤ 100) of ascending `sorted`, by linear interpolation between the
 * closest ranks: h = (n − 1)·p/100, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). This is Hyndman and
 * Fan's type 7, the default of numpy.percentile, R's quantile and Excel's PERCENTILE.INC.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in [0, 100]`);
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const low = sorted[lo] ?? Number.NaN;
  if (lo === h) return low;
  const high = sorted[lo + 1] ?? low;
  return low + (h - lo) * (high - low);
}

function ascending(values: number[]): number[] {
  return values.sort((a, b) => a - b);
}

function band(metric: string, values: number[]): Band {
  const sorted = ascending(values);
  return {
    metric,
    p10: percentile(sorted, 10),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
  };
}

/**
 * p10/p50/p90 of every KPI over the runs: the scenario's (`fillRate`, …), the baseline's
 * (`baseline.fillRate`, …), then the per-run paired differences (`delta.fillRate`, …). A delta
 * band is not the difference of the other two: medians do not subtract.
 */
export function bands(runs: readonly RunKpis[]): Band[] {
  if (runs.length === 0) return [];
  return [
    ...KPI_NAMES.map((k) =>
      band(
        k,
        runs.map((r) => r.kpis[k]),
      ),
    ),
    ...KPI_NAMES.map((k) =>
      band(
        `baseline.${k}`,
        runs.map((r) => r.baseline[k]),
      ),
    ),
    ...KPI_NAMES.map((k) =>
      band(
        `delta.${k}`,
        runs.map((r) => r.kpis[k] - r.baseline[k]),
      ),
    ),
  ];
}

/**
 * The run whose details stand for all: scenario revenueLost closest to its median, then
 * unitsShort closest to its median, then the lowest run index (so the choice is deterministic).
 */
export function representativeRun(runs: readonly RunKpis[]): number {
  const first = runs[0];
  if (!first) throw new RangeError('representative run of no runs');
  const lost = percentile(ascending(runs.map((r) => r.kpis.revenueLost)), 50);
  const short = percentile(ascending(runs.map((r) => r.kpis.unitsShort)), 50);
  let best = first;
  for (const r of runs) {
    const dLost = Math.abs(r.kpis.revenueLost - lost) - Math.abs(best.kpis.revenueLost - lost);
    const dShort = Math.abs(r.kpis.unitsShort - short) - Math.abs(best.kpis.unitsShort - short);
    if (dLost < 0 || (dLost === 0 && (dShort < 0 || (dShort === 0 && r.run < best.run)))) best = r;
  }
  return best.run;
}

function median(runs: readonly RunKpis[], value: (r: RunKpis, k: keyof Kpis) => number): Kpis {
  const out: Kpis = { fillRate: 0, unitsProduced: 0, unitsShort: 0, lateOrders: 0, revenueLost: 0 };
  for (const k of KPI_NAMES) out[k] = percentile(ascending(runs.map((r) => value(r, k))), 50);
  return out;
}

function minus(a: Kpis, b: Kpis): Kpis {
  const out: Kpis = { ...a };
  for (const k of KPI_NAMES) out[k] = a[k] - b[k];
  return out;
}

/** The detail lists of a run (its KPIs are aggregated separately). */
function lists(detail: RunDetail): Omit<RunDetail, 'kpis'> {
  const { inventory, production, stockouts, lateOrders, series } = detail;
  return { inventory, production, stockouts, lateOrders, series };
}

/**
 * Simulates the scenario on the snapshot. runs = 1: one run, no random failures. runs > 1: every
 * run, KPIs as medians, bands, and the details of the representative run. With a pool every run
 * goes on its workers, the details too, so this thread stays free (heartbeats, cancel, other
 * requests) however long a run takes; without one they go here. The result is the same either
 * way, whatever the pool's size.
 */
export async function runSimulation(
  snapshot: Snapshot,
  scenario: Scenario,
  options: EngineOptions,
  exec: SimulationExec = {},
): Promise<SimulationResult> {
  if (exec.signal?.aborted) throw abortError(exec.signal);
  const total = scenario.runs;
  const frame = {
    runs: total,
    seed: scenario.seed,
    steps: stepCount(scenario),
    startAt: new Date(scenario.startMs).toISOString(),
    horizonDays: scenario.horizonDays,
    stepHours: scenario.stepHours,
  };
  const source = exec.pool
    ? poolSource(exec.pool, snapshot, scenario, options)
    : threadSource(snapshot, scenario, options);
  try {
    if (total <= 1) {
      exec.onProgress?.(0, 1);
      const { detail, baseline } = await source.detail(0, true, exec.signal);
      if (baseline === null) throw new Error('simulation: run 0 came back without its baseline');
      exec.onProgress?.(1, 1);
      const { kpis } = detail;
      const delta = minus(kpis, baseline);
      return { ...frame, ...lists(detail), kpis, baseline, delta, bands: [], representativeRun: 0 };
    }

    exec.onProgress?.(0, total);
    const runs = (await source.kpis(total, exec)).sort((a, b) => a.run - b.run);
    if (runs.length !== total || runs.some((r, i) => r.run !== i))
      throw new Error(`simulation: expected runs 0..${total - 1}, got ${runs.length} runs`);
    if (!exec.pool) exec.onProgress?.(total, total);
    if (exec.signal?.aborted) throw abortError(exec.signal);

    const rep = representativeRun(runs);
    const { detail } = await source.detail(rep, false, exec.signal);
    return {
      ...frame,
      ...lists(detail),
      kpis: median(runs, (r, k) => r.kpis[k]),
      baseline: median(runs, (r, k) => r.baseline[k]),
      delta: median(runs, (r, k) => r.kpis[k] - r.baseline[k]),
      bands: bands(runs),
      representativeRun: rep,
    };
  } finally {
    source.close();
  }
}
