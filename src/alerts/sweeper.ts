import type { TwinEvents } from '../domain/events';
import type { Graph } from '../graph/executor';
import { takeLease } from '../graph/lease';
import { asProps } from '../graph/props';
import { errorText, type Log } from '../log';
import { Periodic } from '../periodic';
import { applyInTx } from './alert.store';
import { LIST_RULES, PRUNE_ALERTS } from './alerts.cypher';
import { SWEEP_RULE_KINDS, type AlertRuleDef, type Observation } from './model';
import { ruleFromProps } from './rules';
import { evaluateSweep } from './sweep';

export interface SweeperOptions {
  /** How often the time-based rules are evaluated (ALERT_SWEEP_S). */
  intervalMs: number;
  /** Names this instance on the sweep's lease. */
  instanceId: string;
  /**
   * RESOLVED alerts resolved longer ago than this go, with their webhook deliveries
   * (ALERT_RETENTION_DAYS); unset: none is pruned.
   */
  retentionMs?: number;
  log: Log;
}

/** Alerts pruned per sweep at most: a large backlog goes over several sweeps. */
const PRUNE_PER_SWEEP = 1000;

export type Evaluate = (
  graph: Graph,
  rules: readonly AlertRuleDef[],
  nowMs: number,
) => Promise<Observation[]>;

const SWEEP_KINDS: readonly string[] = SWEEP_RULE_KINDS;

/**
 * Evaluates the time-based rules (missing data, late shipments, cover below safety stock, assets
 * DOWN whatever set it) every `intervalMs` and applies what it saw to the alerts. Every instance
 * runs one; a lease in the graph lets one sweep at a time (another takes over when the holder
 * stops renewing it: three intervals). Never throws; a failed sweep is logged and tried again.
 */
export class AlertSweeper {
  private readonly periodic: Periodic;

  constructor(
    private readonly graph: Graph,
    private readonly events: TwinEvents,
    private readonly options: SweeperOptions,
    private readonly evaluate: Evaluate = evaluateSweep,
  ) {
    this.periodic = new Periodic({
      name: 'alert sweep',
      everyMs: options.intervalMs,
      log: options.log,
      run: async () => {
        await this.sweep(Date.now());
      },
      failure: (err) => `alert sweep failed (retrying): ${errorText(err)}`,
    });
  }

  start(): void {
    this.periodic.start();
  }

  /**
   * Stops the timer and waits a little for a sweep in flight (its transaction is rolled back if
   * the driver closes first: the next sweep, on any instance, sees the same conditions again).
   */
  stop(waitMs = 2000): Promise<void> {
    return this.periodic.stop(waitMs);
  }

  /**
   * One sweep at `nowMs` if this instance holds (or takes) the lease: returns the observations
   * applied and the lifecycle steps announced, or null when another instance holds the lease.
   */
  async sweep(
    nowMs: number,
    force = false,
  ): Promise<{ observations: number; steps: number } | null> {
    if (!force && !(await this.takeLease(nowMs))) return null;
    await this.prune(nowMs);
    const rows = await this.graph.read(LIST_RULES, { kind: null });
    const rules = rows
      .map((r) => ruleFromProps(asProps(r['rule'])))
      .filter((r) => r.enabled && SWEEP_KINDS.includes(r.kind));
    if (rules.length === 0) return { observations: 0, steps: 0 };
    const observations = await this.evaluate(this.graph, rules, nowMs);
    const { notices } = await this.graph.transaction('WRITE', (tx) => applyInTx(tx, observations));
    for (const notice of notices) this.events.alertChanged(notice);
    return { observations: observations.length, steps: notices.length };
  }

  /**
   * Retention, done by the lease holder: one instance at a time, a bounded number per sweep.
   * Returns how many alerts went.
   */
  async prune(nowMs: number): Promise<number> {
    const retentionMs = this.options.retentionMs;
    if (retentionMs === undefined) return 0;
    const rows = await this.graph.write(PRUNE_ALERTS, {
      cutoff: new Date(nowMs - retentionMs).toISOString(),
      limit: PRUNE_PER_SWEEP,
    });
    const n = Number(rows[0]?.['n'] ?? 0);
    if (n > 0) this.options.log.debug(`alert retention: ${n} resolved alerts pruned`);
    return n;
  }

  private takeLease(nowMs: number): Promise<boolean> {
    const { instanceId, intervalMs } = this.options;
    return takeLease(this.graph, 'alert-sweep', instanceId, nowMs, 3 * intervalMs);
  }
}
