import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { Piscina } from 'piscina';
import { errorText, logger } from '../log';
import { projectRoot } from '../paths';
import type { EngineOptions, RunKpis, Scenario, Snapshot } from './model';
import { isDetailAnswer, isRunKpisList, type DetailAnswer } from './worker.answers';

export type { DetailAnswer };

/*
 * Simulation runs on worker threads (piscina). A Monte Carlo job is split into chunks of runs;
 * each chunk is one task. Run r depends only on the seed and r, so which worker runs which chunk
 * never changes a result. The run whose details a result shows (run 0 of a single-run job, the
 * representative run of a Monte Carlo one) is a task too: one run of a large network over a long
 * hourly horizon takes seconds, which this thread must not spend away from its event loop.
 *
 * The snapshot of a large network is several MB: structured-cloning it into every chunk's
 * message would stall the main thread for tens of ms per chunk (about 27 ms for a 50-factory
 * network, measured). So the pool serializes snapshot, scenario and options once per job key
 * (v8.serialize: the structured-clone algorithm, so -0, NaN and undefined survive exactly as they
 * would in a message) into a SharedArrayBuffer, which crosses to a worker without a copy; a worker
 * deserializes and compiles only when the key differs from its last one (worker.ts).
 */

/** A job's model. `key` names the job: its tasks with the same key share the compiled model. */
export interface ModelTask {
  key: string;
  snapshot: Snapshot;
  scenario: Scenario;
  options: EngineOptions;
}

/** Runs [from, to) of one job, KPIs only. */
export interface ChunkTask extends ModelTask {
  from: number;
  to: number;
}

/** One run of a job with its details (and the changes), plus its baseline KPIs when `baseline`. */
export interface DetailTask extends ModelTask {
  run: number;
  baseline: boolean;
}

/** What compile() takes, as the worker gets it back from the shared buffer. */
export interface ModelInput {
  snapshot: Snapshot;
  scenario: Scenario;
  options: EngineOptions;
}

/**
 * The message of one task (worker.ts): `detail` says which kind, and so which answer comes back
 * (RunKpis[] for a chunk, DetailAnswer for a detail).
 */
export type WorkerRequest = {
  key: string;
  /** v8.serialize of a ModelInput. */
  model: SharedArrayBuffer;
} & WorkerTask;

/** What a request asks of the model. */
type WorkerTask =
  { detail: false; from: number; to: number } | { detail: true; run: number; baseline: boolean };

/** How many serialized models the pool keeps: concurrent jobs each keep theirs without thrashing. */
const KEPT_MODELS = 4;

const log = logger('simulation-pool');

/**
 * The worker's JS file. tsc puts worker.js next to pool.js under dist/; when this module runs from
 * the TS sources (jest), there is no worker.js beside it and worker threads cannot load TS, so the
 * built one is used: tests of the pool need `npm run build` first (`npm test` builds).
 */
export function workerFilename(): string {
  const beside = join(__dirname, 'worker.js');
  if (existsSync(beside)) return beside;
  return join(projectRoot(), 'dist', 'src', 'simulation', 'worker.js');
}

/** The error an aborted signal rejects with: its reason when that is an Error (as fetch does). */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('simulation aborted', 'AbortError');
}

export interface SimulationPoolOptions {
  /** Another worker file (tests: one that crashes). Default workerFilename(). */
  filename?: string;
}

export class SimulationPool {
  readonly size: number;
  readonly #piscina: Piscina<WorkerRequest, unknown>;
  /** Serialized models by job key, oldest first. */
  readonly #models = new Map<string, SharedArrayBuffer>();
  #pending = 0;
  #closed = false;

  /** `workers` ≤ 0: one per available CPU. */
  constructor(workers: number, options: SimulationPoolOptions = {}) {
    this.size = workers > 0 ? Math.floor(workers) : availableParallelism();
    const filename = options.filename ?? workerFilename();
    // Fail here, with the remedy, rather than on the first chunk of the first request.
    if (!existsSync(filename))
      throw new Error(`simulation worker ${filename} does not exist: run \`npm run build\``);
    this.#piscina = new Piscina<WorkerRequest, unknown>({
      filename,
      // A fixed number of threads: a job's chunks are sized for it (monte-carlo.runs.ts). Idle
      // threads are unref'd by piscina, so they never keep the process alive.
      minThreads: this.size,
      maxThreads: this.size,
    });
    // piscina emits 'error' when a worker fails while it has no task; an EventEmitter 'error'
    // without a listener would throw and take the process down. A failure during a task
    // rejects that task instead (runChunk).
    this.#piscina.on('error', (err: unknown) => {
      log.error({ err: errorText(err) }, 'simulation worker failed outside a task');
    });
  }

  /** Tasks submitted and not yet settled (0 once every job has finished or been aborted). */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Runs [from, to) of the task's job on a worker: for each run its KPIs with and without the
   * scenario's changes. An aborted signal rejects with abortError(signal) and drops the task
   * (piscina removes it from the queue, or ends the worker running it and starts another); a
   * worker that throws or dies rejects with an error naming the runs, and the process goes on.
   */
  async runChunk(task: ChunkTask, signal?: AbortSignal): Promise<RunKpis[]> {
    const what = `runs [${task.from}, ${task.to})`;
    const answer = await this.#run(
      task,
      { detail: false, from: task.from, to: task.to },
      what,
      signal,
    );
    if (!isRunKpisList(answer) || answer.length !== task.to - task.from)
      throw new Error(`simulation worker answered ${what} with bad data`);
    return answer;
  }

  /**
   * One run of the task's job with its details, on a worker, so that a long run (a large network
   * over a long hourly horizon: seconds) does not hold up this thread. Aborts and failures as
   * runChunk: an abort ends the worker midway through the run.
   */
  async runDetail(task: DetailTask, signal?: AbortSignal): Promise<DetailAnswer> {
    const what = `the details of run ${task.run}`;
    const answer = await this.#run(
      task,
      { detail: true, run: task.run, baseline: task.baseline },
      what,
      signal,
    );
    if (!isDetailAnswer(answer) || (answer.baseline !== null) !== task.baseline)
      throw new Error(`simulation worker answered ${what} with bad data`);
    return answer;
  }

  /** Drops the serialized model of a finished job (runSimulation calls it; safe to skip). */
  forget(key: string): void {
    this.#models.delete(key);
  }

  /** Ends the workers: tasks still queued or running reject. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#models.clear();
    await this.#piscina.destroy();
  }

  /** Sends one task; rejects as runChunk says, naming `what` the task was for. */
  async #run(
    task: ModelTask,
    work: WorkerTask,
    what: string,
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (this.#closed) throw new Error('simulation pool is closed');
    if (signal?.aborted) throw abortError(signal);
    const request: WorkerRequest = { key: task.key, model: this.#model(task), ...work };
    this.#pending += 1;
    try {
      return await this.#piscina.run(request, signal ? { signal } : {});
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      throw new Error(`simulation worker failed on ${what}: ${errorText(err)}`, { cause: err });
    } finally {
      this.#pending -= 1;
    }
  }

  #model(task: ModelTask): SharedArrayBuffer {
    const kept = this.#models.get(task.key);
    if (kept) return kept;
    const input: ModelInput = {
      snapshot: task.snapshot,
      scenario: task.scenario,
      options: task.options,
    };
    const bytes = serialize(input);
    const shared = new SharedArrayBuffer(bytes.length);
    new Uint8Array(shared).set(bytes);
    this.#models.set(task.key, shared);
    for (const old of this.#models.keys()) {
      if (this.#models.size <= KEPT_MODELS) break;
      this.#models.delete(old);
    }
    return shared;
  }
}
