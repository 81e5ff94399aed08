import { randomUUID } from 'node:crypto';
import type { TwinEvents } from '../domain/events';
import { TwinError } from '../errors';
import type { Graph } from '../graph/executor';
import { errorText, type Log } from '../log';
import type { SimulationResult } from './model';
import { runSimulation } from './monte-carlo';
import type { SimulationPool } from './pool';
import { type SimulationLimits, validateScenario } from './scenario';
import { parseStoredInput } from './scenario.records';
import {
  finishJob,
  heartbeat,
  interruptOwn,
  type JobEnd,
  type JobOwner,
  type JobRef,
  markRunning,
  queueScenario,
  readScenario,
  sweepStale,
  writeProgress,
} from './scenario.store';
import type { SavedScenario } from './scenario.type';
import { loadScopedSnapshot, scopeResult, visibleTo } from './scoped';

export interface JobSettings {
  /** Names this instance in the graph (INSTANCE_ID) and in the error of a job it dropped. */
  instanceId: string;
  maxConcurrent: number;
  limits: SimulationLimits;
  timeoutMs: number;
  /** The setting that bounds a job's time, named in its error. */
  timeoutSetting: string;
  heartbeatMs?: number;
  staleMs?: number;
  sweepMs?: number;
  progressMs?: number;
  /** How long shutdown and a local cancel wait for a running job to wind up. */
  settleMs?: number;
}

/** Why a job stopped before its end: it decides the status it ends in. */
type StopReason = 'cancel' | 'timeout' | 'shutdown' | 'lost';

interface Job extends JobRef {
  controller: AbortController;
  reason: StopReason | null;
  /** Set once it takes a slot; resolves when it has ended (never rejects). */
  settled: Promise<void> | null;
}

/**
 * The simulation jobs of this instance (docs/simulation.md, "Jobs"): at most `maxConcurrent`
 * run at once, the others wait QUEUED and start first come first served. Everything a client
 * sees is in the graph (status, progress, result), written before each event goes out on the bus,
 * so any instance can answer for any job. Each job heartbeats its node; a job whose instance
 * stopped is marked INTERRUPTED by whichever instance sweeps first, so none is left RUNNING.
 */
export class SimulationJobs {
  /** This life of the instance: after a restart, jobs of the earlier life are known dead at once. */
  readonly bootId = randomUUID();
  private readonly waiting: Job[] = [];
  private readonly running = new Map<string, Job>();
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private readonly heartbeatMs: number;
  private readonly staleMs: number;
  private readonly settleMs: number;

  constructor(
    private readonly graph: Graph,
    private readonly pool: SimulationPool | undefined,
    private readonly events: TwinEvents,
    private readonly settings: JobSettings,
    private readonly log: Log,
  ) {
    this.heartbeatMs = settings.heartbeatMs ?? 2000;
    this.staleMs = settings.staleMs ?? 15000;
    this.settleMs = settings.settleMs ?? 5000;
  }

  private get owner(): JobOwner {
    return { instanceId: this.settings.instanceId, bootId: this.bootId };
  }

  /** Sweeps what stopped instances left (this one's earlier life at once), then keeps at it. */
  async start(): Promise<void> {
    await this.sweep();
    this.every(this.heartbeatMs, () => this.beat());
    this.every(this.settings.sweepMs ?? 10000, () => this.sweep());
  }

  /** Jobs of this instance, waiting or running. */
  get size(): number {
    return this.waiting.length + this.running.size;
  }

  /** Queues the scenario for a job here; CONFLICT when a job already holds it. */
  async enqueue(id: string, runsTotal: number): Promise<SavedScenario> {
    if (this.stopping) {
      throw new TwinError(
        'CONFLICT',
        'this instance is shutting down; call startSimulation again (another instance takes it)',
      );
    }
    const job: Job = {
      id,
      runId: randomUUID(),
      controller: new AbortController(),
      reason: null,
      settled: null,
    };
    const queued = await queueScenario(this.graph, job, this.owner, runsTotal);
    if (!queued) {
      const current = await readScenario(this.graph, id);
      if (!current)
        throw new TwinError('NOT_FOUND', `scenario "${id}" does not exist; check the id`);
      throw new TwinError(
        'CONFLICT',
        `scenario "${id}" is ${current.status} already; wait for its job to end or cancelSimulation first`,
        { status: current.status },
      );
    }
    this.waiting.push(job);
    const ahead = this.waiting.length - 1 + this.running.size;
    this.publish(
      queued,
      ahead > 0 ? `queued behind ${ahead} job(s) on ${this.settings.instanceId}` : 'queued',
    );
    this.pump();
    return queued;
  }

  /**
   * Stops the job of this instance that holds the scenario, if there is one, and waits (bounded)
   * until it has ended; false when no job of this instance holds it.
   */
  async cancel(ref: JobRef): Promise<boolean> {
    const job = this.find(ref);
    if (!job) return false;
    await this.stopJob(job, 'cancel');
    return true;
  }

  /**
   * Shutdown: stops taking jobs, aborts its own, waits (bounded) for the running ones to write
   * how they ended, and marks INTERRUPTED whatever it still holds. Never throws.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.waiting.splice(0);
    const running = [...this.running.values()];
    for (const job of running) this.abort(job, 'shutdown');
    await withTimeout(Promise.all(running.map((j) => j.settled)), this.settleMs);
    try {
      for (const s of await interruptOwn(this.graph, this.bootId)) this.publish(s, s.error);
    } catch (err) {
      this.log.error(
        `marking this instance's simulation jobs INTERRUPTED failed: ${errorText(err)}`,
      );
    }
  }

  private find(ref: JobRef): Job | undefined {
    const match = (j: Job) => j.id === ref.id && j.runId === ref.runId;
    return this.waiting.find(match) ?? [...this.running.values()].find(match);
  }

  private async stopJob(job: Job, reason: StopReason): Promise<void> {
    const at = this.waiting.indexOf(job);
    if (at < 0) {
      this.abort(job, reason);
      if (job.settled) await withTimeout(job.settled, this.settleMs);
      return;
    }
    this.waiting.splice(at, 1);
    job.reason ??= reason;
    await this.end(job, null);
  }

  private abort(job: Job, reason: StopReason): void {
    job.reason ??= reason;
    job.controller.abort(new Error(`simulation job ${reason}`));
  }

  private pump(): void {
    while (!this.stopping && this.running.size < this.settings.maxConcurrent) {
      const job = this.waiting.shift();
      if (!job) return;
      this.running.set(job.runId, job);
      job.settled = this.run(job).finally(() => {
        this.running.delete(job.runId);
        this.pump();
      });
    }
  }

  /** One job from QUEUED to its end; never throws. */
  private async run(job: Job): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let runsDone: number | null = null;
    let progress: ProgressWriter | undefined;
    try {
      const running = await markRunning(this.graph, job);
      const inputText = running?.input ?? null;
      if (running === null || inputText === null) {
        // cancelled while it waited, or no longer ours: end it if it is still ours to end
        job.reason ??= 'cancel';
        await this.end(job, null);
        return;
      }
      timer = setTimeout(() => this.abort(job, 'timeout'), this.settings.timeoutMs);
      const input = parseStoredInput(inputText, job.id);
      // a scenario saved by a scoped key runs on its factories, as that scope sees the graph now
      const visible = await visibleTo(this.graph, running.scope);
      const snapshot = await loadScopedSnapshot(this.graph, input, running.scope, visible);
      const scenario = validateScenario(input, snapshot, this.settings.limits, Date.now());
      const writer = new ProgressWriter(
        this.settings.progressMs ?? 1000,
        (p) => writeProgress(this.graph, job, p),
        (p) =>
          this.publish(
            { ...p, id: job.id, status: 'RUNNING' },
            `${p.runsDone} of ${p.runsTotal} runs`,
          ),
        (err) => this.log.warn(`progress of simulation job ${job.id}: ${errorText(err)}`),
      );
      progress = writer;
      writer.report(0, scenario.runs);
      const result = await runSimulation(
        snapshot,
        scenario,
        { alternativesMitigate: true },
        {
          ...(this.pool ? { pool: this.pool } : {}),
          signal: job.controller.signal,
          onProgress: (done, total) => {
            runsDone = done;
            writer.report(done, total);
          },
        },
      );
      await writer.flush();
      if (job.reason) throw new Error(`simulation job ${job.reason}`);
      await this.end(job, scopeResult(result, visible));
    } catch (err) {
      if (!job.reason) this.log.warn(`simulation job ${job.id} failed: ${errorText(err)}`);
      // a progress event must not follow the end's
      await progress?.flush();
      await this.end(job, null, err, runsDone);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes how the job ended (if it still holds its scenario) and tells the subscribers. */
  private async end(
    job: Job,
    result: SimulationResult | null,
    err?: unknown,
    runsDone: number | null = null,
  ): Promise<void> {
    if (job.reason === 'lost') return;
    const end = result ? succeeded(result) : this.failure(job.reason, err, runsDone);
    try {
      const s = await finishJob(this.graph, job, end);
      if (s) this.publish(s, end.error ?? (end.status === 'SUCCEEDED' ? 'done' : 'cancelled'));
    } catch (e) {
      // the sweep marks it INTERRUPTED once its heartbeat stops
      this.log.error(`writing the end of simulation job ${job.id} failed: ${errorText(e)}`);
    }
  }

  private failure(reason: StopReason | null, err: unknown, runsDone: number | null): JobEnd {
    const base = { result: null, progress: null, runsDone };
    switch (reason) {
      case 'cancel':
        return { ...base, status: 'CANCELLED', error: null };
      case 'shutdown':
        return {
          ...base,
          status: 'INTERRUPTED',
          error: `the instance ${this.settings.instanceId} shut down while this job ran; start it again with startSimulation`,
        };
      case 'timeout':
        return {
          ...base,
          status: 'FAILED',
          error: `the job ran longer than ${this.settings.timeoutSetting} (${Math.round(this.settings.timeoutMs / 1000)} s) and was stopped; raise ${this.settings.timeoutSetting}, or ask for fewer runs, a shorter horizon or daily steps`,
        };
      default:
        return { ...base, status: 'FAILED', error: failureText(err) };
    }
  }

  /** Renews this instance's heartbeats; stops jobs cancelled elsewhere or no longer held. */
  private async beat(): Promise<void> {
    const jobs = [...this.waiting, ...this.running.values()];
    if (jobs.length === 0) return;
    const beats = await heartbeat(
      this.graph,
      jobs.map((j) => ({ id: j.id, runId: j.runId })),
    );
    const byId = new Map(beats.map((b) => [b.id, b]));
    for (const job of jobs) {
      const beat = byId.get(job.id);
      if (!beat || !beat.held) void this.stopJob(job, 'lost');
      else if (beat.cancel) void this.stopJob(job, 'cancel');
    }
  }

  private async sweep(): Promise<void> {
    for (const s of await sweepStale(this.graph, this.owner, this.staleMs)) {
      this.log.warn(`simulation job of scenario ${s.id} marked INTERRUPTED: ${s.error ?? ''}`);
      this.publish(s, s.error);
    }
  }

  /** Tells every instance's subscribers where the scenario's job stands (written already). */
  private publish(s: JobState, message: string | null): void {
    this.events.simulationProgress({
      scenarioId: s.id,
      status: s.status,
      progress: s.progress,
      runsDone: s.runsDone,
      runsTotal: s.runsTotal,
      message,
    });
  }

  private every(ms: number, work: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return; // a slow database must not stack ticks
      busy = true;
      work()
        .catch((err: unknown) => this.log.warn(`simulation jobs: ${errorText(err)}`))
        .finally(() => (busy = false));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

type JobState = Pick<SavedScenario, 'id' | 'status' | 'progress' | 'runsDone' | 'runsTotal'>;
type Progress = Pick<JobState, 'progress' | 'runsDone' | 'runsTotal'>;

/**
 * Writes a job's progress at most every `everyMs`, one write at a time and in order, each
 * followed by its event: subscribers see runsDone only grow.
 */
class ProgressWriter {
  private lastAt = 0;
  private inFlight = false;
  private chain: Promise<void> = Promise.resolve();
  private written = -1;
  private latest = 0;
  private total = 0;

  constructor(
    private readonly everyMs: number,
    /** Writes the progress; false when the job no longer holds its scenario. */
    private readonly store: (p: Progress) => Promise<boolean>,
    private readonly announce: (p: Progress) => void,
    private readonly warn: (err: unknown) => void,
  ) {}

  report(done: number, total: number): void {
    this.latest = Math.max(this.latest, done);
    this.total = total;
    if (this.inFlight || Date.now() - this.lastAt < this.everyMs) return;
    this.write();
  }

  /** Waits for the writes under way (the end is written after them). */
  async flush(): Promise<void> {
    await this.chain;
  }

  private write(): void {
    const runsDone = this.latest;
    if (runsDone === this.written) return;
    this.inFlight = true;
    this.lastAt = Date.now();
    const p: Progress = {
      progress: this.total > 0 ? runsDone / this.total : 0,
      runsDone,
      runsTotal: this.total,
    };
    this.chain = this.chain
      .then(async () => {
        if (!(await this.store(p))) return;
        this.written = runsDone;
        this.announce(p);
      })
      .catch(this.warn)
      .finally(() => (this.inFlight = false));
  }
}

function succeeded(result: SimulationResult): JobEnd {
  return {
    status: 'SUCCEEDED',
    error: null,
    result: JSON.stringify(result),
    progress: 1,
    runsDone: result.runs,
  };
}

/** What a FAILED job says: the problems of a rejected scenario one by one, else the error. */
function failureText(err: unknown): string {
  if (err instanceof TwinError && Array.isArray(err.extensions['problems'])) {
    const problems: unknown[] = err.extensions['problems'];
    const lines = problems.map((p) =>
      typeof p === 'object' && p !== null && 'path' in p && 'message' in p
        ? `${String(p.path)}: ${String(p.message)}`
        : String(p),
    );
    return `the scenario no longer fits the graph: ${lines.join('; ')}; change it (saveScenario) and start it again`;
  }
  return `the simulation failed: ${errorText(err)}`;
}

async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
