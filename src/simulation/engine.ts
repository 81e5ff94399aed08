import { capacityPerStep, downIntervals, runRandom } from './capacity';
import { cmp, compile, type CompiledModel, type Job } from './compile';
import { EPS, OrderBook, SeriesRecorder, StockoutTracker } from './engine.books';
import type { Kpis, RunDetail } from './model';

/*
 * The time-stepped model of docs/simulation.md: pure, over plain data, the same answer for the same
 * inputs on any thread. Each step, in this order: shipments due in the step arrive; every line
 * asks for the components of what it could make at its capacity in the step; the standing supply
 * tops purchased components up; components that are short are shared in proportion to what each
 * line asks; production is added to stock at the end of the step (so a sub-assembly made now is
 * used from the next step on); orders due by the step are filled from finished goods, earliest due
 * first.
 */

export { compile, type CompiledModel };

/** One run with its details. With scenario.runs = 1 there are no random failures. */
export function runDetail(model: CompiledModel, run: number, withChanges: boolean): RunDetail {
  return execute(model, run, withChanges, true);
}

/** One run, KPIs only (Monte Carlo). */
export function runKpis(model: CompiledModel, run: number, withChanges: boolean): Kpis {
  return execute(model, run, withChanges, false).kpis;
}

/** Capacity factor per step of each line (null: 1 throughout). */
function capacities(
  model: CompiledModel,
  run: number,
  withChanges: boolean,
): (Float64Array | null)[] {
  const { scenario } = model;
  const random = scenario.runs > 1 ? runRandom(scenario.seed, run) : null;
  const windows = withChanges ? model.windows : new Map();
  // without random failures or windows every run sees the same capacities: compute them once per
  // base model (risk exposure runs one outage after another on it)
  const fixed = random === null && windows.size === 0;
  if (fixed && model.fixedCapacities.value !== null) return model.fixedCapacities.value;
  const result = model.lines.map((line) => {
    const intervals = downIntervals(line.stations, windows, model.horizonHours, random);
    if (intervals.length === 0) return null;
    return capacityPerStep(intervals, model.stepStarts, model.stepLengths, line.factor);
  });
  if (fixed) model.fixedCapacities.value = result;
  return result;
}

function execute(
  model: CompiledModel,
  run: number,
  withChanges: boolean,
  detail: boolean,
): RunDetail {
  const { steps, jobs, stepLengths } = model;
  const slots = model.slotFactory.length;
  const cap = capacities(model, run, withChanges);
  const hours = model.lines.map((l) => (withChanges ? l.hoursChanged : l.hoursBase));
  const arrivals = withChanges ? model.arrivalsChanged : model.arrivalsBase;

  const inv = Float64Array.from(model.startStock);
  const received = new Float64Array(slots);
  const produced = new Float64Array(slots);
  const consumed = new Float64Array(slots);
  const shipped = new Float64Array(slots);
  const minInv = Float64Array.from(model.startStock);
  const demand = new Float64Array(slots);
  const ratio = new Float64Array(slots).fill(1);
  const potential = new Float64Array(jobs.length);
  const made = new Float64Array(jobs.length);
  const blocked = new Uint8Array(jobs.length);
  const jobUnits = new Float64Array(jobs.length);
  const jobCapacity = new Float64Array(jobs.length);
  const stockouts = new StockoutTracker(model);
  const orders = new OrderBook(model, withChanges);
  const series = detail ? new SeriesRecorder(model) : null;

  let a = 0;
  for (let k = 0; k < steps; k++) {
    series?.before(received, produced, consumed, shipped);
    while (a < arrivals.step.length && arrivals.step[a] === k) {
      const s = arrivals.slot[a] ?? 0;
      const q = arrivals.quantity[a] ?? 0;
      inv[s] = (inv[s] ?? 0) + q;
      received[s] = (received[s] ?? 0) + q;
      a++;
    }

    for (const c of model.componentSlots) demand[c] = 0;
    const len = stepLengths[k] ?? 0;
    for (let j = 0; j < jobs.length; j++) {
      const job = jobs[j];
      if (job === undefined) continue;
      const c = cap[job.line]?.[k] ?? 1;
      const p = (job.ratePerHour * (hours[job.line] ?? 0) * len * c) / 24;
      potential[j] = p;
      jobCapacity[j] = (jobCapacity[j] ?? 0) + p;
      for (let i = 0; i < job.components.length; i++) {
        const s = job.components[i] ?? 0;
        demand[s] = (demand[s] ?? 0) + p * (job.quantities[i] ?? 0);
      }
    }

    for (const pu of model.purchased) {
      const s = pu.slot;
      const share = withChanges && pu.availableChanged !== null ? (pu.availableChanged[k] ?? 1) : 1;
      const target = (demand[s] ?? 0) + (model.safetyStock[s] ?? 0);
      const have = inv[s] ?? 0;
      if (have < target && share > 0) {
        const add = (target - have) * share;
        inv[s] = have + add;
        received[s] = (received[s] ?? 0) + add;
      }
    }

    // short: a component some line asked for and none is on hand (it stops those lines), or one
    // the lines that can run ask more of than there is
    for (const c of model.componentSlots) {
      if ((demand[c] ?? 0) > 0 && !((inv[c] ?? 0) > 0)) stockouts.mark(c);
    }
    shareWithoutBlocked(jobs, potential, inv, blocked, demand, model.componentSlots);
    for (const c of model.componentSlots) {
      const d = demand[c] ?? 0;
      const r = d > 0 ? Math.min(1, (inv[c] ?? 0) / d) : 1;
      ratio[c] = r;
      if (r < 1 - EPS) stockouts.mark(c);
    }

    for (let j = 0; j < jobs.length; j++) {
      const job = jobs[j];
      if (job === undefined) continue;
      let f = blocked[j] === 1 ? 0 : 1;
      for (const s of job.components) f = Math.min(f, ratio[s] ?? 1);
      const units = f * (potential[j] ?? 0);
      made[j] = units;
      jobUnits[j] = (jobUnits[j] ?? 0) + units;
      for (let i = 0; i < job.components.length; i++) {
        const s = job.components[i] ?? 0;
        const take = Math.min(units * (job.quantities[i] ?? 0), inv[s] ?? 0);
        inv[s] = (inv[s] ?? 0) - take;
        consumed[s] = (consumed[s] ?? 0) + take;
      }
    }
    for (let j = 0; j < jobs.length; j++) {
      const out = jobs[j]?.out ?? 0;
      inv[out] = (inv[out] ?? 0) + (made[j] ?? 0);
      produced[out] = (produced[out] ?? 0) + (made[j] ?? 0);
    }

    orders.serve(k, inv, shipped, stockouts);
    stockouts.endStep(k);
    if (detail) for (let s = 0; s < slots; s++) minInv[s] = Math.min(minInv[s] ?? 0, inv[s] ?? 0);
    series?.after(k, inv, received, produced, consumed, shipped);
  }
  stockouts.endStep(steps);

  let unitsProduced = 0;
  for (const u of jobUnits) unitsProduced += u;
  const kpis: Kpis = { ...orders.kpis(), unitsProduced };
  if (!detail)
    return { kpis, inventory: [], production: [], stockouts: [], lateOrders: [], series: [] };

  const inventory = model.slotFactory
    .map((factoryId, s) => ({
      factoryId,
      productId: model.slotProduct[s] ?? '',
      start: model.startStock[s] ?? 0,
      end: inv[s] ?? 0,
      received: received[s] ?? 0,
      produced: produced[s] ?? 0,
      consumed: consumed[s] ?? 0,
      shipped: shipped[s] ?? 0,
      min: minInv[s] ?? 0,
    }))
    .sort((x, y) => cmp(x.factoryId, y.factoryId) || cmp(x.productId, y.productId));
  const production = jobs.map((job, j) => ({
    lineId: job.lineId,
    productId: job.productId,
    units: jobUnits[j] ?? 0,
    capacityUnits: jobCapacity[j] ?? 0,
  }));
  return {
    kpis,
    inventory,
    production,
    stockouts: stockouts.rows(),
    lateOrders: orders.late(),
    series: series?.rows() ?? [],
  };
}

/**
 * A job that cannot make anything this step (a component it needs is out of stock) asks for
 * nothing: otherwise its proportional share of its other components would sit idle while other
 * lines wait for them. Marks such jobs in `blocked` and, when there is one, recomputes `demand`
 * from the others.
 */
function shareWithoutBlocked(
  jobs: readonly Job[],
  potential: Float64Array,
  inv: Float64Array,
  blocked: Uint8Array,
  demand: Float64Array,
  componentSlots: Int32Array,
): void {
  let any = false;
  for (let j = 0; j < jobs.length; j++) {
    blocked[j] = 0;
    const job = jobs[j];
    if (job === undefined || !((potential[j] ?? 0) > 0)) continue;
    for (const c of job.components) {
      if (!((inv[c] ?? 0) > 0)) {
        blocked[j] = 1;
        any = true;
        break;
      }
    }
  }
  if (!any) return;
  for (const c of componentSlots) demand[c] = 0;
  for (let j = 0; j < jobs.length; j++) {
    const job = jobs[j];
    if (job === undefined || blocked[j] === 1) continue;
    const p = potential[j] ?? 0;
    for (let i = 0; i < job.components.length; i++) {
      const c = job.components[i] ?? 0;
      demand[c] = (demand[c] ?? 0) + p * (job.quantities[i] ?? 0);
    }
  }
}
