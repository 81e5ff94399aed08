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
 * The last compiled model and its job key: consecutive tasks of one job skip deserializing the
 * snapshot and compiling it again. One only, so an idle worker holds at most one model.
 */
let cached: { key: string; model: CompiledModel } | undefined;

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
  if (cached?.key === request.key) return cached.model;
  // Let the previous model go before building the next, so two are never held at once.
  cached = undefined;
  const input: unknown = deserialize(new Uint8Array(request.model));
  if (!isModelInput(input)) throw new Error('simulation worker: the model bytes are not a model');
  const model = compile(input.snapshot, input.scenario, input.options);
  cached = { key: request.key, model };
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
