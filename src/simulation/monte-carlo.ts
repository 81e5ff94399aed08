import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { compile, runDetail, runKpis, type CompiledModel } from './engine';
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
import { abortError, type SimulationPool } from './pool';

/*
 * The simulation of a scenario: one deterministic run, or Monte Carlo runs summarised by
 * percentiles. Run r's random failures depend only on the seed and r, and its baseline sees the
 * same failures (common random numbers), so the paired difference kpis − baseline isolates what
 * the scenario changes. Results never depend on how runs are split across workers: chunk results
 * are put back in run order before anything is aggregated.
 */

/** Chunks per worker: enough that a slow chunk does not leave the other workers idle at the end. */
const CHUNKS_PER_WORKER = 4;
/** In-thread runs yield to the event loop at least this often (ms), so a server stays responsive. */
const SLICE_MS = 20;

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

/** [from, to) of `parts` chunks covering [0, runs), sizes differing by at most one. */
export function chunkBounds(runs: number, parts: number): [number, number][] {
  const n = Math.max(1, Math.min(runs, Math.floor(parts)));
  const out: [number, number][] = [];
  for (let i = 0; i < n; i += 1) {
    const from = Math.floor((i * runs) / n);
    const to = Math.floor(((i + 1) * runs) / n);
    if (to > from) out.push([from, to]);
  }
  return out;
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

export interface SimulationExec {
  /** Worker threads for runs > 1; without it the runs go in this thread. */
  pool?: SimulationPool;
  signal?: AbortSignal;
  /** Runs done so far, of `total`: starts at 0, never goes back, ends at total. */
  onProgress?: (done: number, total: number) => void;
}

/** Runs, in this thread, a time slice at a time, checking the signal between runs. */
async function runsInThread(
  model: CompiledModel,
  total: number,
  exec: SimulationExec,
): Promise<RunKpis[]> {
  const out: RunKpis[] = [];
  let sliceStart = performance.now();
  for (let run = 0; run < total; run += 1) {
    if (exec.signal?.aborted) throw abortError(exec.signal);
    out.push({ run, kpis: runKpis(model, run, true), baseline: runKpis(model, run, false) });
    // A run lasts from microseconds to a good fraction of a second (horizon, step, network):
    // yielding by time bounds the stall without paying a turn of the loop per tiny run.
    if (performance.now() - sliceStart >= SLICE_MS && run + 1 < total) {
      exec.onProgress?.(run + 1, total);
      await nextTurn();
      sliceStart = performance.now();
    }
  }
  return out;
}

/**
 * Runs the job's chunks on the pool. The first failure (abort, crash) cancels the other chunks
 * and is what rejects, after every chunk has settled, so no worker is left busy with this job.
 */
async function runsOnPool(
  pool: SimulationPool,
  task: { snapshot: Snapshot; scenario: Scenario; options: EngineOptions },
  total: number,
  exec: SimulationExec,
): Promise<RunKpis[]> {
  const key = randomUUID();
  const cancel = new AbortController();
  const onAbort = () => cancel.abort(exec.signal?.reason);
  exec.signal?.addEventListener('abort', onAbort, { once: true });
  // An abort before the listener was added (from onProgress, say) fires no event.
  if (exec.signal?.aborted) onAbort();
  let failure: { error: unknown } | undefined;
  let done = 0;
  try {
    const chunks = chunkBounds(total, pool.size * CHUNKS_PER_WORKER).map(([from, to]) =>
      pool
        .runChunk({ ...task, key, from, to }, cancel.signal)
        .then((runs) => {
          done += runs.length;
          exec.onProgress?.(done, total);
          return runs;
        })
        // Caught per chunk, so Promise.all waits for every chunk (none left running).
        .catch((error: unknown): RunKpis[] => {
          failure ??= { error };
          cancel.abort(error);
          return [];
        }),
    );
    const results = await Promise.all(chunks);
    if (exec.signal?.aborted) throw abortError(exec.signal);
    if (failure) throw failure.error;
    return results.flat();
  } finally {
    exec.signal?.removeEventListener('abort', onAbort);
    pool.forget(key);
  }
}

/**
 * Simulates the scenario on the snapshot. runs = 1: one run in this thread, no random failures.
 * runs > 1: every run on the pool (or in this thread without one), KPIs as medians, bands, and
 * the details of the representative run. The result is the same whatever the pool's size.
 */
export async function runSimulation(
  snapshot: Snapshot,
  scenario: Scenario,
  options: EngineOptions,
  exec: SimulationExec = {},
): Promise<SimulationResult> {
  if (exec.signal?.aborted) throw abortError(exec.signal);
  const total = scenario.runs;
  const model = compile(snapshot, scenario, options);
  const frame = {
    runs: total,
    seed: scenario.seed,
    steps: model.steps,
    startAt: new Date(scenario.startMs).toISOString(),
    horizonDays: scenario.horizonDays,
    stepHours: scenario.stepHours,
  };
  if (total <= 1) {
    exec.onProgress?.(0, 1);
    const detail = runDetail(model, 0, true);
    const baseline = runKpis(model, 0, false);
    exec.onProgress?.(1, 1);
    const { kpis } = detail;
    const delta = minus(kpis, baseline);
    return { ...frame, ...lists(detail), kpis, baseline, delta, bands: [], representativeRun: 0 };
  }

  exec.onProgress?.(0, total);
  const found = exec.pool
    ? await runsOnPool(exec.pool, { snapshot, scenario, options }, total, exec)
    : await runsInThread(model, total, exec);
  const runs = found.sort((a, b) => a.run - b.run);
  if (runs.length !== total || runs.some((r, i) => r.run !== i))
    throw new Error(`simulation: expected runs 0..${total - 1}, got ${runs.length} runs`);
  if (!exec.pool) exec.onProgress?.(total, total);
  if (exec.signal?.aborted) throw abortError(exec.signal);

  const rep = representativeRun(runs);
  return {
    ...frame,
    ...lists(runDetail(model, rep, true)),
    kpis: median(runs, (r, k) => r.kpis[k]),
    baseline: median(runs, (r, k) => r.baseline[k]),
    delta: median(runs, (r, k) => r.kpis[k] - r.baseline[k]),
    bands: bands(runs),
    representativeRun: rep,
  };
}
