import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { compile, runDetail, runKpis, type CompiledModel } from './engine';
import type { EngineOptions, RunKpis, Scenario, Snapshot } from './model';
import { abortError, type DetailAnswer, type SimulationPool } from './pool';

/*
 * Where a simulation's runs go: worker threads when there is a pool (a server), else this thread
 * (tests, tools). Both answer the same for the same run: the engine is pure, and run r depends
 * only on the seed and r.
 */

export interface SimulationExec {
  /** Worker threads for every run; without it the runs go in this thread. */
  pool?: SimulationPool;
  signal?: AbortSignal;
  /** Runs done so far, of `total`: starts at 0, never goes back, ends at total. */
  onProgress?: (done: number, total: number) => void;
}

/** The runs of one job. */
export interface RunSource {
  /** KPIs of runs [0, total) with and without the changes, in any order; reports progress. */
  kpis(total: number, exec: SimulationExec): Promise<RunKpis[]>;
  /** Run `run` with the changes and its details, and its baseline KPIs when `baseline`. */
  detail(run: number, baseline: boolean, signal?: AbortSignal): Promise<DetailAnswer>;
  /** The job is over: what it kept for its runs can go. */
  close(): void;
}

/** Chunks per worker at least: enough that a slow chunk does not leave the other workers idle. */
const CHUNKS_PER_WORKER = 4;
/**
 * Runs per chunk at most: progress moves when a chunk ends, so a large job must not come in a few
 * big chunks (10,000 runs on 2 workers in 8 chunks reported every few seconds). A chunk costs a
 * message each way and nothing more (the model is shared and compiled once per worker and job):
 * about 0.5 ms, measured, against about 2 ms per run of a 12-line plant over 90 days. A count of
 * runs rather than a time, so the split depends on (runs, workers) alone.
 */
const MAX_CHUNK_RUNS = 50;
/** Chunks on the pool at once per worker: one running, one queued, so no worker waits for work. */
const CHUNKS_IN_FLIGHT_PER_WORKER = 2;
/** In-thread runs yield to the event loop at least this often (ms), so a server stays responsive. */
const SLICE_MS = 20;

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

/**
 * The chunks of `runs` runs on `workers` workers: at least CHUNKS_PER_WORKER per worker, and more
 * when that would make them larger than MAX_CHUNK_RUNS. A function of (runs, workers) only, so a
 * job splits the same way every time (results do not depend on the split anyway).
 */
export function chunkPlan(runs: number, workers: number): [number, number][] {
  return chunkBounds(runs, Math.max(workers * CHUNKS_PER_WORKER, Math.ceil(runs / MAX_CHUNK_RUNS)));
}

/** Runs in this thread: the compiled model here, a time slice at a time between Monte Carlo runs. */
export function threadSource(
  snapshot: Snapshot,
  scenario: Scenario,
  options: EngineOptions,
): RunSource {
  const model = compile(snapshot, scenario, options);
  return {
    kpis: (total, exec) => runsInThread(model, total, exec),
    detail: (run, baseline, signal) => {
      if (signal?.aborted) return Promise.reject(abortError(signal));
      // One run cannot be cut into slices: without a pool it holds this thread until it ends.
      const detail = runDetail(model, run, true);
      return Promise.resolve({ detail, baseline: baseline ? runKpis(model, run, false) : null });
    },
    close: () => undefined,
  };
}

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
 * Runs on the pool: nothing is compiled in this thread. One job key for all the job's tasks, so
 * each worker compiles the model once per job whatever it runs of it.
 */
export function poolSource(
  pool: SimulationPool,
  snapshot: Snapshot,
  scenario: Scenario,
  options: EngineOptions,
): RunSource {
  const task = { key: randomUUID(), snapshot, scenario, options };
  return {
    kpis: (total, exec) => runsOnPool(pool, task, total, exec),
    detail: (run, baseline, signal) => pool.runDetail({ ...task, run, baseline }, signal),
    close: () => pool.forget(task.key),
  };
}

/**
 * Runs the job's chunks on the pool, a few at a time (CHUNKS_IN_FLIGHT_PER_WORKER): a job of
 * 10,000 runs does not queue 200 tasks, each with its abort listener, ahead of every other job's.
 * The first failure (abort, crash) cancels the chunks in flight, sends no more, and is what
 * rejects once those have settled, so no worker is left busy with this job.
 */
async function runsOnPool(
  pool: SimulationPool,
  task: { key: string; snapshot: Snapshot; scenario: Scenario; options: EngineOptions },
  total: number,
  exec: SimulationExec,
): Promise<RunKpis[]> {
  const cancel = new AbortController();
  const onAbort = () => cancel.abort(exec.signal?.reason);
  exec.signal?.addEventListener('abort', onAbort, { once: true });
  // An abort before the listener was added (from onProgress, say) fires no event.
  if (exec.signal?.aborted) onAbort();
  const chunks = chunkPlan(total, pool.size);
  const results: RunKpis[][] = [];
  let failure: { error: unknown } | undefined;
  let next = 0;
  let done = 0;
  // Each lane sends the next chunk when its last one has settled.
  const lane = async (): Promise<void> => {
    while (!cancel.signal.aborted) {
      const chunk = chunks[next];
      if (!chunk) return;
      next += 1;
      try {
        const runs = await pool.runChunk({ ...task, from: chunk[0], to: chunk[1] }, cancel.signal);
        results.push(runs);
        done += runs.length;
        exec.onProgress?.(done, total);
      } catch (error) {
        failure ??= { error };
        cancel.abort(error);
      }
    }
  };
  try {
    const lanes = Math.min(chunks.length, pool.size * CHUNKS_IN_FLIGHT_PER_WORKER);
    await Promise.all(Array.from({ length: lanes }, lane));
    if (exec.signal?.aborted) throw abortError(exec.signal);
    if (failure) throw failure.error;
    return results.flat();
  } finally {
    exec.signal?.removeEventListener('abort', onAbort);
  }
}
