import { deserialize } from 'node:v8';
import { compile, runDetail, runKpis, type CompiledModel } from './engine';
import type { RunKpis } from './model';
import type { ModelInput, WorkerRequest } from './pool';
import type { DetailAnswer } from './worker.answers';

/*
 * The worker thread of SimulationPool (pool.ts): piscina calls the default export once per task.
 * It must run as JS (dist/src/simulation/worker.js): worker threads do not load TS.
 */

/**
 * Models kept, by job key: a job's tasks after the first skip deserializing the snapshot and
 * compiling it again. Two, because concurrent jobs (SIM_MAX_CONCURRENT_JOBS, 2 by default) send
 * a few chunks at a time each, so their chunks interleave on every worker: with one model kept,
 * each switch compiled again (measured: two concurrent jobs of 1,000 runs of a 12-line plant
 * took about 20% more CPU than with two kept).
 * A model with its snapshot is about 30 MB for 50 factories, so a worker holds at most about 60.
 */
const KEPT_MODELS = 2;
/** Least recently used first. */
const cached: { key: string; model: CompiledModel }[] = [];

/**
 * The bytes come from the pool's own v8.serialize of a typed ModelInput, so the top-level shape
 * is what is checked; a mismatch means a pool and worker from different builds.
 */
function isModelInput(value: unknown): value is ModelInput {
  return (
    typeof value === 'object' &&
    value !== null &&
    'snapshot' in value &&
    typeof value.snapshot === 'object' &&
    value.snapshot !== null &&
    'scenario' in value &&
    typeof value.scenario === 'object' &&
    value.scenario !== null &&
    'options' in value &&
    typeof value.options === 'object' &&
    value.options !== null
  );
}

function modelFor(request: WorkerRequest): CompiledModel {
  const at = cached.findIndex((c) => c.key === request.key);
  const hit = cached[at];
  if (hit) {
    cached.splice(at, 1);
    cached.push(hit);
    return hit.model;
  }
  // Let the oldest go before building the next, so no more than KEPT_MODELS are ever held.
  if (cached.length >= KEPT_MODELS) cached.shift();
  const input: unknown = deserialize(new Uint8Array(request.model));
  if (!isModelInput(input)) throw new Error('simulation worker: the model bytes are not a model');
  const model = compile(input.snapshot, input.scenario, input.options);
  cached.push({ key: request.key, model });
  return model;
}

/**
 * A chunk: runs [from, to), each with and without the changes, same random failures (same run
 * index). A detail: the run with the changes and its details, and its baseline KPIs if asked
 * (a single-run job needs them; a Monte Carlo job has them from its chunks already).
 */
export default function work(request: WorkerRequest): RunKpis[] | DetailAnswer {
  const model = modelFor(request);
  if (request.detail) {
    const { run } = request;
    const detail = runDetail(model, run, true);
    return { detail, baseline: request.baseline ? runKpis(model, run, false) : null };
  }
  const out: RunKpis[] = [];
  for (let run = request.from; run < request.to; run += 1) {
    out.push({ run, kpis: runKpis(model, run, true), baseline: runKpis(model, run, false) });
  }
  return out;
}
