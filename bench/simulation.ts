/**
 * Simulation benchmark (issue 9): the engine, Monte Carlo on the worker pool, and risk exposure
 * over a whole supply base, on the generated ~10^5-twin network. Every figure is printed next to a
 * baseline measured in the same run:
 *
 * 1. One run, 90 days, hourly step: snapshot load, compile, run (runDetail with the changes +
 *    runKpis baseline), factory-days/s and steps x jobs/s. Baselines: the same with a daily step,
 *    and a bare step loop over the same compiled model (no stockout, series or minimum
 *    bookkeeping) that must reproduce the engine's KPIs.
 * 2. Monte Carlo, 1,000 runs: SimulationPool(1) against SimulationPool(2), alternating, median;
 *    the results must be deep-equal (and equal to the in-thread runs).
 * 3. riskExposure over every supplier: snapshot load + compute; baselines: the load alone, and
 *    analyseImpact(supplierOutage) for a sample of suppliers, extrapolated to all; GraphQL
 *    `riskExposure` through the real server.
 *
 *   npm run build && node dist/bench/simulation.js [--factories 50] [--seed 1] [--reps 5]
 *     [--mc-runs 1000] [--mc-reps 3] [--mc-factories 50] [--mc-budget-s 900] [--risk-reps 3]
 *     [--impact-sample 20] [--only run,mc,risk] [--no-graphql] [--wipe]
 *
 * Without NEO4J_URI a throwaway local Neo4j (heap 2g, page cache 512m) is started and deleted.
 */
import './production';
import 'reflect-metadata';
import { parseArgs, isDeepStrictEqual } from 'node:util';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { loadConfig } from '../src/config';
import type { Graph } from '../src/graph/executor';
import { analyseImpact } from '../src/impact/impact.service';
import { startRuntime } from '../src/runtime';
import { buildDemoDocument } from '../src/seeds/demo';
import type { SeedDocument } from '../src/seeds/document';
import { DEFAULT_GENERATOR_NOW, generateDocument } from '../src/seeds/generate';
import { capacityPerStep, downIntervals } from '../src/simulation/capacity';
import { compile, runDetail, runKpis, type CompiledModel } from '../src/simulation/engine';
import type {
  AssetWindow,
  EngineOptions,
  Kpis,
  Scenario,
  SimulationResult,
  Snapshot,
} from '../src/simulation/model';
import { runSimulation } from '../src/simulation/monte-carlo';
import { SimulationPool } from '../src/simulation/pool';
import { DEFAULT_RECOVERY_DAYS, riskExposure, type SupplierRiskRow } from '../src/simulation/risk';
import {
  validateScenario,
  type ScenarioInput,
  type SimulationLimits,
} from '../src/simulation/scenario';
import { loadSnapshot } from '../src/simulation/snapshot.load';
import { importDocument } from '../src/twins/import/service';
import {
  BenchError,
  fmt,
  intFlag,
  median,
  neo4jSettings,
  note,
  now,
  openBenchGraph,
  out,
  runBench,
  table,
  timed,
  wipeTwins,
} from './lib';

const USAGE = `Usage: node dist/bench/simulation.js [options]
  --factories N      factories in the generated network (default 50, ~2,000 twins each)
  --seed N           generator seed (default 1)
  --reps N           measured repetitions of the single run, per side (default 5, after 1 warm-up)
  --mc-runs N        Monte Carlo runs per simulation (default 1000)
  --mc-reps N        Monte Carlo repetitions per pool size, alternating (default 3)
  --mc-factories N   factories of the large Monte Carlo network (default: all of them)
  --mc-budget-s N    when 1 worker would take longer than this for all reps on the large network,
                     its Monte Carlo runs on 5 factories instead (default 900)
  --risk-reps N      repetitions of riskExposure, load + compute (default 3)
  --impact-sample N  suppliers whose impact(supplierOutage) is timed (default 20)
  --only LIST        sections to run: run,mc,risk (default all)
  --no-graphql       skip the GraphQL riskExposure request (no server started)
  --wipe             with NEO4J_URI: delete the twins already stored there first`;

const START = DEFAULT_GENERATOR_NOW;
const HORIZON_DAYS = 90;
const OPTIONS: EngineOptions = { alternativesMitigate: true };
const EPS = 1e-9;

// ---------------------------------------------------------------------------------------------
// the scenario's changes, chosen deterministically from the snapshot

interface Changes {
  supplierId: string;
  supplierWhy: string;
  shipmentId: string;
  shipmentWhy: string;
  assetId: string;
  assetWhy: string;
  seriesProductIds: string[];
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Counts of `keys`, largest first, then by key. */
function ranking(keys: Iterable<string>): [string, number][] {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || byId(a[0], b[0]));
}

/**
 * The outage: the supplier with the most supplied components (then the most shipments, then id).
 * The delay: the largest IN_TRANSIT shipment of another supplier. The downtime: the first RUNNING
 * station (by id) alone in its stage, so that its line really stops. Series: the 3 products with
 * the most open orders.
 */
function chooseChanges(snapshot: Snapshot): Changes {
  const shipmentsBy = new Map(ranking(snapshot.shipments.flatMap((s) => s.supplierId ?? [])));
  const components = ranking(snapshot.supplies.map((s) => s.supplierId)).sort(
    (a, b) =>
      b[1] - a[1] ||
      (shipmentsBy.get(b[0]) ?? 0) - (shipmentsBy.get(a[0]) ?? 0) ||
      byId(a[0], b[0]),
  );
  const supplier = components[0];
  if (supplier === undefined) throw new BenchError('the snapshot has no supplier with supplies');
  const [supplierId, supplied] = supplier;

  const shipment = snapshot.shipments
    .filter((s) => s.status === 'IN_TRANSIT' && s.supplierId !== supplierId && s.etaMs !== null)
    .sort((a, b) => b.quantity - a.quantity || byId(a.id, b.id))[0];
  if (shipment === undefined) throw new BenchError('the snapshot has no IN_TRANSIT shipment');

  const alone: { id: string; lineId: string }[] = [];
  for (const line of snapshot.lines) {
    const preds = new Map<string, string[]>();
    for (const f of line.flows) preds.set(f.to, [...(preds.get(f.to) ?? []), f.from]);
    const stage = (id: string) => [...(preds.get(id) ?? [])].sort().join(',');
    const width = new Map(ranking(line.stations.map((s) => stage(s.id))));
    for (const s of line.stations) {
      if (s.status === 'RUNNING' && width.get(stage(s.id)) === 1)
        alone.push({ id: s.id, lineId: line.id });
    }
  }
  const asset = alone.sort((a, b) => byId(a.id, b.id))[0];
  if (asset === undefined)
    throw new BenchError('the snapshot has no RUNNING station alone in its stage');

  return {
    supplierId,
    supplierWhy: `${supplied} components, ${shipmentsBy.get(supplierId) ?? 0} shipments`,
    shipmentId: shipment.id,
    shipmentWhy: `the largest IN_TRANSIT one of another supplier, ${fmt.int(shipment.quantity)} units`,
    assetId: asset.id,
    assetWhy: `alone in its stage on ${asset.lineId}`,
    seriesProductIds: ranking(snapshot.orders.map((o) => o.productId))
      .slice(0, 3)
      .map(([id]) => id)
      .sort(),
  };
}

function scenarioInput(
  changes: Changes,
  over: { stepHours: number; runs: number; seed?: number },
): ScenarioInput {
  return {
    startAt: START.toISOString(),
    horizonDays: HORIZON_DAYS,
    stepHours: over.stepHours,
    supplierOutages: [{ supplierId: changes.supplierId, startDay: 5, days: 14 }],
    shipmentDelays: [{ shipmentId: changes.shipmentId, days: 7 }],
    assetDowntimes: [{ assetId: changes.assetId, startDay: 10, hours: 48 }],
    runs: over.runs,
    seed: over.seed ?? 1,
    seriesProductIds: changes.seriesProductIds,
  };
}

// ---------------------------------------------------------------------------------------------
// 1. one run

/**
 * The baseline of the single run: the engine's step loop over the same compiled model, with the
 * same arithmetic in the same order (arrivals, demand, standing supply, jobs missing a component
 * stepping aside, proportional sharing, production, orders by due date), but without stockout
 * tracking, received/consumed/shipped totals, per-slot minimums or series. It returns the KPIs it
 * can compute, which must equal the engine's: when engine.ts changes its step rules, this follows.
 */
function bareRun(
  model: CompiledModel,
  withChanges: boolean,
): Pick<Kpis, 'unitsProduced' | 'unitsShort' | 'fillRate'> & { capacityMs: number } {
  const { steps, jobs, stepLengths } = model;
  const c0 = now();
  const slots = model.slotFactory.length;
  const windows = withChanges ? model.windows : new Map<string, AssetWindow[]>();
  const cap = model.lines.map((line) => {
    const intervals = downIntervals(line.stations, windows, model.horizonHours, null);
    return intervals.length === 0
      ? null
      : capacityPerStep(intervals, model.stepStarts, model.stepLengths, line.factor);
  });
  const capacityMs = now() - c0;
  const hours = model.lines.map((l) => (withChanges ? l.hoursChanged : l.hoursBase));
  const arrivals = withChanges ? model.arrivalsChanged : model.arrivalsBase;
  const inv = Float64Array.from(model.startStock);
  const demand = new Float64Array(slots);
  const ratio = new Float64Array(slots).fill(1);
  const potential = new Float64Array(jobs.length);
  const made = new Float64Array(jobs.length);
  const blocked = new Uint8Array(jobs.length);
  const jobUnits = new Float64Array(jobs.length);
  const groups = model.orderGroups;
  const whole = (o: { quantityBase: number; quantityChanged: number }) =>
    withChanges ? o.quantityChanged : o.quantityBase;
  const remaining = groups.map((g) => Float64Array.from(g.map(whole)));
  const onTime = groups.map((g) => new Float64Array(g.length));
  const next = new Int32Array(groups.length);

  let a = 0;
  for (let k = 0; k < steps; k++) {
    while (a < arrivals.step.length && arrivals.step[a] === k) {
      const s = arrivals.slot[a] ?? 0;
      inv[s] = (inv[s] ?? 0) + (arrivals.quantity[a] ?? 0);
      a++;
    }
    for (const c of model.componentSlots) demand[c] = 0;
    const len = stepLengths[k] ?? 0;
    for (let j = 0; j < jobs.length; j++) {
      const job = jobs[j];
      if (job === undefined) continue;
      const p = (job.ratePerHour * (hours[job.line] ?? 0) * len * (cap[job.line]?.[k] ?? 1)) / 24;
      potential[j] = p;
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
      if (have < target && share > 0) inv[s] = have + (target - have) * share;
    }
    // a job missing a component entirely makes nothing and asks for none of the others
    let anyBlocked = false;
    for (let j = 0; j < jobs.length; j++) {
      blocked[j] = 0;
      const job = jobs[j];
      if (job === undefined || !((potential[j] ?? 0) > 0)) continue;
      for (const c of job.components) {
        if (!((inv[c] ?? 0) > 0)) {
          blocked[j] = 1;
          anyBlocked = true;
          break;
        }
      }
    }
    if (anyBlocked) {
      for (const c of model.componentSlots) demand[c] = 0;
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
    for (const c of model.componentSlots) {
      const d = demand[c] ?? 0;
      ratio[c] = d > 0 ? Math.min(1, (inv[c] ?? 0) / d) : 1;
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
        inv[s] = (inv[s] ?? 0) - Math.min(units * (job.quantities[i] ?? 0), inv[s] ?? 0);
      }
    }
    for (let j = 0; j < jobs.length; j++) {
      const o = jobs[j]?.out ?? 0;
      inv[o] = (inv[o] ?? 0) + (made[j] ?? 0);
    }
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g] ?? [];
      const rem = remaining[g] ?? new Float64Array(0);
      let i = next[g] ?? 0;
      while (i < group.length) {
        const order = group[i];
        if (order === undefined || order.dueStep > k) break;
        const s = order.slot;
        const ship = Math.min(rem[i] ?? 0, inv[s] ?? 0);
        inv[s] = (inv[s] ?? 0) - ship;
        rem[i] = (rem[i] ?? 0) - ship;
        if (order.dueStep === k) (onTime[g] ?? [])[i] = ship;
        if ((rem[i] ?? 0) > EPS * Math.max(1, whole(order))) break;
        rem[i] = 0;
        i++;
      }
      next[g] = i;
    }
  }
  let unitsProduced = 0;
  for (const u of jobUnits) unitsProduced += u;
  let due = 0;
  let shipped = 0;
  let unitsShort = 0;
  groups.forEach((group, g) =>
    group.forEach((order, i) => {
      const inTime = onTime[g]?.[i] ?? 0;
      due += whole(order);
      shipped += inTime;
      // short: not there at the due date (a late unit is a lost sale), as engine.books.ts counts
      unitsShort += Math.max(0, whole(order) - inTime);
    }),
  );
  return { unitsProduced, unitsShort, fillRate: due > 0 ? shipped / due : 1, capacityMs };
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

interface RunSample {
  compileMs: number;
  detailMs: number;
  baselineMs: number;
  runMs: number;
  steps: number;
  jobs: number;
  kpis: Kpis;
  baseline: Kpis;
  /** Bare loop only: time spent on the lines' capacity factors per step (both runs). */
  capacityMs?: number;
}

/** Compile (as runSimulation does), then the scenario with its details and the baseline's KPIs. */
function engineRun(snapshot: Snapshot, scenario: Scenario): RunSample {
  const t0 = now();
  const model = compile(snapshot, scenario, OPTIONS);
  const t1 = now();
  const detail = runDetail(model, 0, true);
  const t2 = now();
  const baseline = runKpis(model, 0, false);
  const t3 = now();
  return {
    compileMs: t1 - t0,
    detailMs: t2 - t1,
    baselineMs: t3 - t2,
    runMs: t3 - t1,
    steps: model.steps,
    jobs: model.jobs.length,
    kpis: detail.kpis,
    baseline,
  };
}

/** The baseline side: the same fresh compile, then the bare loop with and without the changes. */
function bareSample(snapshot: Snapshot, scenario: Scenario): RunSample {
  const t0 = now();
  const model = compile(snapshot, scenario, OPTIONS);
  const t1 = now();
  const changed = bareRun(model, true);
  const t2 = now();
  const base = bareRun(model, false);
  const t3 = now();
  // the bare loop counts no late orders and no revenue
  const kpis = (k: ReturnType<typeof bareRun>): Kpis => ({
    fillRate: k.fillRate,
    unitsProduced: k.unitsProduced,
    unitsShort: k.unitsShort,
    lateOrders: Number.NaN,
    revenueLost: Number.NaN,
  });
  return {
    compileMs: t1 - t0,
    detailMs: t2 - t1,
    baselineMs: t3 - t2,
    runMs: t3 - t1,
    steps: model.steps,
    jobs: model.jobs.length,
    kpis: kpis(changed),
    baseline: kpis(base),
    capacityMs: changed.capacityMs + base.capacityMs,
  };
}

async function singleRun(
  snapshot: Snapshot,
  changes: Changes,
  limits: SimulationLimits,
  reps: number,
  loadMs: number[],
): Promise<void> {
  const factories = snapshot.factories.length;
  const hourly = validateScenario(
    scenarioInput(changes, { stepHours: 1, runs: 1 }),
    snapshot,
    limits,
    START.getTime(),
  );
  const daily = validateScenario(
    scenarioInput(changes, { stepHours: 24, runs: 1 }),
    snapshot,
    limits,
    START.getTime(),
  );
  const SIDES = ['hourly', 'daily', 'bare hourly'] as const;
  type Side = (typeof SIDES)[number];
  const samples: Record<Side, RunSample[]> = { hourly: [], daily: [], 'bare hourly': [] };
  let mismatch: string | undefined;
  for (let r = -1; r < reps; r++) {
    note(r < 0 ? 'single run: warm-up' : `single run: rep ${r + 1}/${reps}`);
    for (let i = 0; i < SIDES.length; i++) {
      const side = SIDES[(Math.max(0, r) + i) % SIDES.length] ?? 'hourly';
      // a fresh copy: the max-flow caches hang off the snapshot's line objects (capacity.ts
      // factorCache), and a simulate request starts from a freshly loaded snapshot
      const fresh = structuredClone(snapshot);
      const sample =
        side === 'hourly'
          ? engineRun(fresh, hourly)
          : side === 'daily'
            ? engineRun(fresh, daily)
            : bareSample(fresh, hourly);
      if (r >= 0) samples[side].push(sample);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  // check: the bare loop reproduced the engine's KPIs (same work), both with and without changes
  const e = samples.hourly[0];
  const b = samples['bare hourly'][0];
  if (e === undefined || b === undefined) throw new BenchError('no single-run sample');
  for (const [what, x, y] of [
    ['scenario', e.kpis, b.kpis],
    ['baseline', e.baseline, b.baseline],
  ] as const) {
    for (const k of ['unitsProduced', 'unitsShort', 'fillRate'] as const) {
      if (!close(x[k], y[k])) mismatch ??= `${what} ${k}: engine ${x[k]}, bare loop ${y[k]}`;
    }
  }
  const med = (side: Side, f: (s: RunSample) => number) => median(samples[side].map(f));
  const runH = med('hourly', (s) => s.runMs);
  const runD = med('daily', (s) => s.runMs);
  const runB = med('bare hourly', (s) => s.runMs);
  const rate = (side: Side, ms: number) => {
    const s = samples[side][0];
    return {
      fd: (factories * HORIZON_DAYS * 2) / (ms / 1000),
      sj: ((s?.steps ?? 0) * (s?.jobs ?? 0) * 2) / (ms / 1000),
    };
  };

  out(`== 1. one run: ${factories} factories, ${HORIZON_DAYS} days, scenario + baseline ==`);
  out(
    `scenario: outage of ${changes.supplierId} (${changes.supplierWhy}) days 5-19; ${changes.shipmentId} 7 days late (${changes.shipmentWhy}); ${changes.assetId} down 48 h from day 10 (${changes.assetWhy}); series of ${changes.seriesProductIds.join(', ')}`,
  );
  out(
    `model: ${fmt.int(e.jobs)} jobs (line x product), ${fmt.int(snapshot.lines.length)} lines, ${fmt.int(snapshot.lines.reduce((n, l) => n + l.stations.length, 0))} stations, ${fmt.int(snapshot.orders.length)} open orders, ${fmt.int(snapshot.shipments.length)} shipments`,
  );
  out(
    `snapshot load (loadSnapshot, every factory, one Cypher statement): median ${fmt.ms(median(loadMs))} of ${loadMs.length} (${loadMs.map((x) => fmt.ms(x)).join(', ')})`,
  );
  out(
    `median of ${reps} reps after 1 warm-up, sides in rotating order, a fresh compile per sample:`,
  );
  for (const line of table(
    [
      '',
      'steps',
      'compile',
      'runDetail (changes)',
      'runKpis (baseline)',
      'run',
      'factory-days/s',
      'steps x jobs/s',
    ],
    SIDES.map((side) => {
      const s = samples[side][0];
      const ms = med(side, (x) => x.runMs);
      const r = rate(side, ms);
      return [
        side === 'bare hourly' ? 'bare loop, hourly (baseline)' : `engine, ${side}`,
        fmt.int(s?.steps ?? 0),
        fmt.ms(med(side, (x) => x.compileMs)),
        fmt.ms(med(side, (x) => x.detailMs)),
        fmt.ms(med(side, (x) => x.baselineMs)),
        fmt.ms(ms),
        fmt.rate(r.fd),
        fmt.rate(r.sj),
      ];
    }),
  )) {
    out(`  ${line}`);
  }
  const stepsH = samples.hourly[0]?.steps ?? 1;
  const stepsD = samples.daily[0]?.steps ?? 1;
  out(
    `ratios: hourly / daily run time ${fmt.ratio(runH / runD)} for ${fmt.ratio(stepsH / stepsD)} the steps (per step ${fmt.ratio(runH / stepsH / (runD / stepsD))}); engine / bare loop (hourly) ${fmt.ratio(runH / runB)}`,
  );
  const capMs = med('bare hourly', (x) => x.capacityMs ?? 0);
  out(
    `of the bare loop's ${fmt.ms(runB)}, the lines' capacity factors per step (downIntervals + capacityPerStep, max flow per distinct set of down stations) take ${fmt.ms(capMs)} (${((100 * capMs) / runB).toFixed(0)}%), the step loop the rest`,
  );
  out(
    `runs per rep: ${SIDES.map((side) => `${side} ${samples[side].map((s) => fmt.ms(s.runMs)).join(' / ')}`).join('; ')}`,
  );
  const fmtK = (k: Kpis) =>
    `fill ${(k.fillRate * 100).toFixed(2)}%, produced ${fmt.int(Math.round(k.unitsProduced))}, short ${fmt.int(Math.round(k.unitsShort))}, late ${k.lateOrders}, revenue lost ${fmt.int(Math.round(k.revenueLost))}`;
  out(`KPIs hourly: scenario ${fmtK(e.kpis)}; baseline ${fmtK(e.baseline)}`);
  const d = samples.daily[0];
  if (d) out(`KPIs daily:  scenario ${fmtK(d.kpis)}; baseline ${fmtK(d.baseline)}`);
  out(
    `check: the bare loop reproduced the engine's unitsProduced, unitsShort and fillRate (scenario and baseline): ${mismatch === undefined ? 'OK' : 'FAILED'}`,
  );
  out();
  if (mismatch !== undefined)
    throw new BenchError(
      `the bare loop and the engine disagree: ${mismatch}. If the engine's step rules changed (src/simulation/engine.ts execute), bareRun here must follow them.`,
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Monte Carlo

interface McFigures {
  label: string;
  one: number[];
  two: number[];
  /** CPU time of the whole process (main thread + workers) per rep, ms. */
  oneCpu: number[];
  twoCpu: number[];
  inThreadMs: number;
  inThreadCpu: number;
  equal: boolean;
}

/** CPU time (user + system, every thread of this process) spent by `work`, with its wall time. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t = await timed(work);
  const c = process.cpuUsage(c0);
  return { ...t, cpu: (c.user + c.system) / 1000 };
}

async function monteCarlo(
  label: string,
  snapshot: Snapshot,
  scenario: Scenario,
  pools: { one: SimulationPool; two: SimulationPool },
  reps: number,
): Promise<McFigures> {
  note(`Monte Carlo, ${label}: in-thread reference (${scenario.runs} runs)`);
  // a fresh copy, as a worker deserializes one per job (the max-flow caches start empty)
  const fresh = structuredClone(snapshot);
  const ref = await measured(() => runSimulation(fresh, scenario, OPTIONS));
  // warm-up: each pool's workers load and compile once, unmeasured
  const small: Scenario = { ...scenario, runs: Math.min(scenario.runs, 16) };
  await runSimulation(snapshot, small, OPTIONS, { pool: pools.one });
  await runSimulation(snapshot, small, OPTIONS, { pool: pools.two });
  const one: number[] = [];
  const two: number[] = [];
  const oneCpu: number[] = [];
  const twoCpu: number[] = [];
  let equal = true;
  const same = (r: SimulationResult) => isDeepStrictEqual(r, ref.value);
  for (let r = 0; r < reps; r++) {
    const order = r % 2 === 0 ? (['one', 'two'] as const) : (['two', 'one'] as const);
    for (const size of order) {
      note(
        `Monte Carlo, ${label}: rep ${r + 1}/${reps}, SimulationPool(${size === 'one' ? 1 : 2})`,
      );
      const t = await measured(() =>
        runSimulation(snapshot, scenario, OPTIONS, { pool: pools[size] }),
      );
      (size === 'one' ? one : two).push(t.ms);
      (size === 'one' ? oneCpu : twoCpu).push(t.cpu);
      if (!same(t.value)) equal = false;
    }
  }
  return { label, one, two, oneCpu, twoCpu, inThreadMs: ref.ms, inThreadCpu: ref.cpu, equal };
}

// ---------------------------------------------------------------------------------------------
// 3. risk exposure

/** n items evenly spread over `items` (all of them when there are fewer). */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]).filter(
    (x): x is T => x !== undefined,
  );
}

function obj(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BenchError(
      `expected an object for ${what}, got ${JSON.stringify(value)?.slice(0, 300)}`,
    );
  }
  return Object.fromEntries(Object.entries(value));
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new BenchError(`expected a list for ${what}`);
  return value;
}

const RISK_QUERY = `query RiskBench($asOf: DateTime) {
  riskExposure(asOf: $asOf) {
    supplier { id } timeToSurvive timeToRecover riskExposureIndex atRisk
    performanceImpact { revenueLost unitsShort }
    components { factory { id } component { id } dailyConsumption onHand timeToSurvive }
  }
}`;

/** The GraphQL ranking: supplier ids in order, at-risk count, body size; null when the schema lacks the field. */
async function graphqlRisk(
  url: string,
): Promise<{ ids: string[]; atRisk: number; bytes: number } | null> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: RISK_QUERY, variables: { asOf: START.toISOString() } }),
  });
  const body = await res.text();
  if (!res.ok && body.includes('Cannot query field "riskExposure"')) return null;
  if (!res.ok) throw new BenchError(`GraphQL answered HTTP ${res.status}: ${body.slice(0, 500)}`);
  const json = obj(JSON.parse(body), 'response');
  if (json['errors'] !== undefined)
    throw new BenchError(
      `GraphQL riskExposure errors: ${JSON.stringify(json['errors']).slice(0, 500)}`,
    );
  const rows = list(obj(json['data'], 'data')['riskExposure'], 'riskExposure').map((r) =>
    obj(r, 'row'),
  );
  return {
    ids: rows.map((r) => String(obj(r['supplier'], 'supplier')['id'])),
    atRisk: rows.filter((r) => r['atRisk'] === true).length,
    bytes: Buffer.byteLength(body),
  };
}

async function risk(
  graph: Graph,
  reps: number,
  sampleSize: number,
  graphqlUrl: (() => Promise<string>) | null,
): Promise<void> {
  const asOfMs = START.getTime();
  const loads: number[] = [];
  const computes: number[] = [];
  let rows: SupplierRiskRow[] = [];
  let snapshot: Snapshot | undefined;
  for (let r = -1; r < reps; r++) {
    note(r < 0 ? 'riskExposure: warm-up' : `riskExposure: rep ${r + 1}/${reps}`);
    const load = await timed(() => loadSnapshot(graph, null));
    const t0 = now();
    rows = riskExposure(load.value, {
      asOfMs,
      recoveryDays: DEFAULT_RECOVERY_DAYS,
      includeMitigated: false,
    });
    const computeMs = now() - t0;
    snapshot = load.value;
    if (r >= 0) {
      loads.push(load.ms);
      computes.push(computeMs);
    }
  }
  if (snapshot === undefined) throw new BenchError('no snapshot');
  const suppliers = snapshot.suppliers.length;
  if (rows.length !== suppliers)
    throw new BenchError(`riskExposure ranked ${rows.length} suppliers of ${suppliers}`);
  const atRisk = rows.filter((r) => r.atRisk).length;
  const totals = loads.map((l, i) => l + (computes[i] ?? 0));

  // baseline: impact(supplierOutage) for a sample, one supplier at a time, over the TTR
  const sample = spread(
    [...snapshot.suppliers].sort((a, b) => byId(a.id, b.id)),
    sampleSize,
  );
  const impactMs: number[] = [];
  for (let pass = 0; pass < 2; pass++) {
    note(
      `impact(supplierOutage) for ${sample.length} suppliers: ${pass === 0 ? 'warm-up' : 'measured'} pass`,
    );
    for (const s of sample) {
      const days = s.recoveryDays ?? DEFAULT_RECOVERY_DAYS;
      const t = await timed(() =>
        analyseImpact(graph, { kind: 'SUPPLIER_OUTAGE', supplierId: s.id, days }, asOfMs, false),
      );
      if (pass === 1) impactMs.push(t.ms);
    }
  }
  const meanImpact = impactMs.reduce((a, b) => a + b, 0) / Math.max(1, impactMs.length);
  const extrapolated = meanImpact * suppliers;

  let gql: { ms: number[]; bytes: number; same: boolean } | 'absent' | 'skipped' = 'skipped';
  if (graphqlUrl !== null) {
    const url = await graphqlUrl();
    const first = await graphqlRisk(url);
    if (first === null) gql = 'absent';
    else {
      const ms: number[] = [];
      let same =
        isDeepStrictEqual(
          first.ids,
          rows.map((r) => r.supplierId),
        ) && first.atRisk === atRisk;
      for (let r = 0; r < reps; r++) {
        note(`GraphQL riskExposure: rep ${r + 1}/${reps}`);
        const t = await timed(() => graphqlRisk(url));
        ms.push(t.ms);
        if (t.value === null || !isDeepStrictEqual(t.value.ids, first.ids)) same = false;
      }
      gql = { ms, bytes: first.bytes, same };
    }
  }

  const total = median(totals);
  out(`== 3. riskExposure over every supplier: ${snapshot.factories.length} factories ==`);
  out(
    `suppliers: ${suppliers}; at risk (TTS < TTR): ${atRisk}; with a TTS (something depends on them alone): ${rows.filter((r) => r.timeToSurvive !== null).length}; asOf ${START.toISOString()}, default TTR ${DEFAULT_RECOVERY_DAYS} days, includeMitigated false`,
  );
  out(`median of ${reps} reps after 1 warm-up:`);
  for (const line of table(
    ['', 'time', 'per supplier'],
    [
      [
        'snapshot load (loadSnapshot, baseline)',
        fmt.ms(median(loads)),
        fmt.ms(median(loads) / suppliers),
      ],
      [
        'riskExposure compute (in-process)',
        fmt.ms(median(computes)),
        fmt.ms(median(computes) / suppliers),
      ],
      ['riskExposure total (load + compute)', fmt.ms(total), fmt.ms(total / suppliers)],
      [
        `impact(supplierOutage), ${impactMs.length} suppliers (mean; p50 ${fmt.ms(median(impactMs))}, max ${fmt.ms(Math.max(...impactMs))})`,
        fmt.ms(impactMs.reduce((a, b) => a + b, 0)),
        fmt.ms(meanImpact),
      ],
      [
        `impact extrapolated to all ${suppliers} suppliers`,
        fmt.ms(extrapolated),
        fmt.ms(meanImpact),
      ],
      ...(typeof gql === 'object'
        ? [
            [
              `GraphQL riskExposure (HTTP, every field, ${Math.round(gql.bytes / 1024)} KiB)`,
              fmt.ms(median(gql.ms)),
              fmt.ms(median(gql.ms) / suppliers),
            ],
          ]
        : []),
    ],
  )) {
    out(`  ${line}`);
  }
  out(
    `ratios: riskExposure total / snapshot load ${fmt.ratio(total / median(loads))}; impact for every supplier (extrapolated) / riskExposure total ${fmt.ratio(extrapolated / total)}` +
      (typeof gql === 'object'
        ? `; GraphQL / in-process total ${fmt.ratio(median(gql.ms) / total)}`
        : ''),
  );
  out(
    `per rep (load + compute): ${loads.map((l, i) => `${fmt.ms(l)} + ${fmt.ms(computes[i] ?? 0)}`).join(', ')}`,
  );
  if (gql === 'absent')
    out('GraphQL riskExposure: the schema of this build has no riskExposure field, not measured');
  if (typeof gql === 'object') {
    out(
      `check: GraphQL ranked the same suppliers in the same order with the same at-risk count: ${gql.same ? 'OK' : 'FAILED'}`,
    );
    if (!gql.same) throw new BenchError('GraphQL riskExposure differs from the in-process ranking');
  }
  out();
}

// ---------------------------------------------------------------------------------------------

const SECTIONS = ['run', 'mc', 'risk'] as const;
type Section = (typeof SECTIONS)[number];

runBench('bench/simulation', async (defer) => {
  const { values } = parseArgs({
    options: {
      factories: { type: 'string' },
      seed: { type: 'string' },
      reps: { type: 'string' },
      'mc-runs': { type: 'string' },
      'mc-reps': { type: 'string' },
      'mc-factories': { type: 'string' },
      'mc-budget-s': { type: 'string' },
      'risk-reps': { type: 'string' },
      'impact-sample': { type: 'string' },
      only: { type: 'string' },
      'no-graphql': { type: 'boolean', default: false },
      wipe: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out(USAGE);
    return;
  }
  const factories = intFlag('factories', values.factories, 50);
  const seed = intFlag('seed', values.seed, 1, 0);
  const reps = intFlag('reps', values.reps, 5);
  const mcRuns = intFlag('mc-runs', values['mc-runs'], 1000, 2);
  const mcReps = intFlag('mc-reps', values['mc-reps'], 3);
  const mcFactories = intFlag('mc-factories', values['mc-factories'], factories);
  const mcBudgetS = intFlag('mc-budget-s', values['mc-budget-s'], 900);
  const riskReps = intFlag('risk-reps', values['risk-reps'], 3);
  const impactSample = intFlag('impact-sample', values['impact-sample'], 20);
  const only = (values.only ?? SECTIONS.join(',')).split(',').map((s) => s.trim());
  const known: readonly string[] = SECTIONS;
  const unknown = only.filter((s) => !known.includes(s));
  if (unknown.length > 0)
    throw new BenchError(
      `--only: unknown section(s) ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`,
    );
  const run = (s: Section) => only.includes(s);

  const { db, graph } = await openBenchGraph(defer, values.wipe);
  const config = loadConfig({
    ...process.env,
    ...neo4jSettings(db),
    // the benchmarks measure the work behind a request, not the credential check (bench/README.md)
    AUTH_REQUIRED: 'false',
    PORT: '0',
    HOST: '127.0.0.1',
    MIGRATE_ON_START: 'true',
    MQTT_EMBEDDED_PORT: '0',
    PLAYGROUND: 'false',
  });
  const limits: SimulationLimits = {
    maxHorizonDays: config.SIM_MAX_HORIZON_DAYS,
    maxRuns: Math.max(config.SIM_JOB_MAX_RUNS, mcRuns),
    maxSeriesProducts: config.SIM_MAX_SERIES_PRODUCTS,
  };

  // the demo network first (its snapshot is kept in memory), then the generated one
  const demoDoc: SeedDocument = buildDemoDocument({ now: START });
  note('importing the demo network');
  await importDocument(graph, demoDoc);
  const demo = await loadSnapshot(graph, null);
  await wipeTwins(graph);
  note(`importing the generated network (${factories} factories)`);
  // the document is not kept: a 10^5-twin object graph in the heap would slow every major GC
  const imported = await timed(() => importDocument(graph, generateDocument({ factories, seed })));

  const loadMs: number[] = [];
  let snapshot: Snapshot | undefined;
  for (let r = -1; r < 3; r++) {
    const t = await timed(() => loadSnapshot(graph, null));
    if (r >= 0) loadMs.push(t.ms);
    snapshot = t.value;
  }
  if (snapshot === undefined) throw new BenchError('no snapshot');
  const changes = chooseChanges(snapshot);

  out(
    `== simulation benchmark: ${factories} factories (seed ${seed}), ${fmt.int(imported.value.twins)} twins imported in ${fmt.s(imported.ms)} ==`,
  );
  out(
    `machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average at start ${loadavg()
      .map((x) => x.toFixed(1))
      .join(
        ' / ',
      )}; Neo4j: ${db.source === 'launcher' ? 'throwaway local 5.26, heap 2g, page cache 512m' : db.uri}`,
  );
  out(
    `snapshot: ${snapshot.factories.length} factories, ${fmt.int(snapshot.lines.length)} lines, ${fmt.int(snapshot.production.length)} PRODUCES, ${fmt.int(snapshot.stock.length)} stock rows, ${fmt.int(snapshot.shipments.length)} shipments, ${fmt.int(snapshot.orders.length)} open orders, ${snapshot.suppliers.length} suppliers; demo: ${demo.factories.length} factories, ${demo.lines.length} lines, ${demo.orders.length} orders`,
  );
  out();

  if (run('run')) await singleRun(snapshot, changes, limits, reps, loadMs);

  if (run('mc')) {
    const one = new SimulationPool(1);
    defer(() => one.close());
    const two = new SimulationPool(2);
    defer(() => two.close());
    const pools = { one, two };
    const figures: McFigures[] = [];
    const notes: string[] = [];

    const demoScenario = validateScenario(
      scenarioInput(chooseChanges(demo), { stepHours: 24, runs: mcRuns }),
      demo,
      limits,
      START.getTime(),
    );
    figures.push(
      await monteCarlo(
        `demo (${demo.factories.length} factories)`,
        demo,
        demoScenario,
        pools,
        mcReps,
      ),
    );

    // the large network: estimate 1 worker's time from a few in-thread runs first
    let large =
      mcFactories >= snapshot.factories.length
        ? snapshot
        : await loadSnapshot(
            graph,
            snapshot.factories.slice(0, mcFactories).map((f) => f.id),
          );
    const largeScenario = (s: Snapshot) =>
      validateScenario(
        scenarioInput(chooseChanges(s), { stepHours: 24, runs: mcRuns }),
        s,
        limits,
        START.getTime(),
      );
    // up to 20 runs or 30 s; the first run (JIT, every capacity factor computed cold) is left out.
    // Later runs get cheaper as the model's capacity-factor caches fill, so this overestimates.
    const probe = compile(large, largeScenario(large), OPTIONS);
    const probeMs: number[] = [];
    const probeStart = now();
    for (let r = 0; r < 20 && (r < 3 || now() - probeStart < 30_000); r++) {
      const t = now();
      runKpis(probe, r, true);
      runKpis(probe, r, false);
      probeMs.push(now() - t);
    }
    const later = probeMs.slice(1);
    const perRun = later.reduce((a, b) => a + b, 0) / Math.max(1, later.length);
    const estimateS = (perRun * mcRuns * (1 + mcReps * 1.5)) / 1000;
    notes.push(
      `probe on ${large.factories.length} factories, in-thread: run 0 ${fmt.ms(probeMs[0] ?? 0)}, runs 1-${later.length} ${fmt.ms(perRun)} each (scenario + baseline); so about ${estimateS.toFixed(0)} s for the in-thread reference and ${mcReps} reps of both pools (an overestimate: runs get cheaper as the capacity-factor caches fill)`,
    );
    if (estimateS > mcBudgetS && large.factories.length > 5) {
      notes.push(
        `that is above --mc-budget-s ${mcBudgetS}: the large Monte Carlo runs on 5 factories instead`,
      );
      large = await loadSnapshot(
        graph,
        snapshot.factories.slice(0, 5).map((f) => f.id),
      );
    }
    figures.push(
      await monteCarlo(
        `generated, ${large.factories.length} factories`,
        large,
        largeScenario(large),
        pools,
        mcReps,
      ),
    );

    out(
      `== 2. Monte Carlo: ${fmt.int(mcRuns)} runs (seed 1, ${HORIZON_DAYS} days, daily step, random failures), SimulationPool(1) vs SimulationPool(2) ==`,
    );
    for (const n of notes) out(n);
    out(
      `median of ${mcReps} reps per pool size, alternating which goes first, after an unmeasured 16-run warm-up per pool:`,
    );
    for (const line of table(
      [
        'network',
        'in-thread',
        'runs/s',
        '1 worker',
        'runs/s',
        '2 workers',
        'runs/s',
        'speed-up 2/1',
        'per rep',
        'target >= 1.7x',
      ],
      figures.map((f) => {
        const m1 = median(f.one);
        const m2 = median(f.two);
        const perRep = f.one.map((x, i) => fmt.ratio(x / (f.two[i] ?? Number.NaN))).join(' / ');
        return [
          f.label,
          fmt.s(f.inThreadMs),
          fmt.rate(mcRuns / (f.inThreadMs / 1000)),
          fmt.s(m1),
          fmt.rate(mcRuns / (m1 / 1000)),
          fmt.s(m2),
          fmt.rate(mcRuns / (m2 / 1000)),
          fmt.ratio(m1 / m2),
          perRep,
          m1 / m2 >= 1.7 ? 'met' : 'MISSED',
        ];
      }),
    )) {
      out(`  ${line}`);
    }
    out(
      'CPU time of the process (main thread + workers), median per rep; cores busy = CPU / wall:',
    );
    for (const line of table(
      [
        'network',
        'in-thread CPU',
        'cores busy',
        '1 worker CPU',
        'cores busy',
        '2 workers CPU',
        'cores busy',
        'CPU 2/1',
        'speed-up on 2 free cores (2 x CPU 1/2)',
      ],
      figures.map((f) => {
        const c1 = median(f.oneCpu);
        const c2 = median(f.twoCpu);
        return [
          f.label,
          fmt.s(f.inThreadCpu),
          (f.inThreadCpu / f.inThreadMs).toFixed(2),
          fmt.s(c1),
          (c1 / median(f.one)).toFixed(2),
          fmt.s(c2),
          (c2 / median(f.two)).toFixed(2),
          fmt.ratio(c2 / c1),
          fmt.ratio((2 * c1) / c2),
        ];
      }),
    )) {
      out(`  ${line}`);
    }
    out(
      `per rep (1 worker | 2 workers): ${figures.map((f) => `${f.label}: ${f.one.map((x) => fmt.s(x)).join(', ')} | ${f.two.map((x) => fmt.s(x)).join(', ')}`).join('; ')}`,
    );
    const bad = figures.filter((f) => !f.equal);
    out(
      `check: every pooled result deep-equals the in-thread one (1 and 2 workers, every rep): ${bad.length === 0 ? 'OK' : 'FAILED'}`,
    );
    out();
    if (bad.length > 0)
      throw new BenchError(
        `Monte Carlo results depend on the worker count: ${bad.map((f) => f.label).join(', ')}`,
      );
  }

  if (run('risk')) {
    let started: Promise<string> | undefined;
    const url = async () => {
      started ??= (async () => {
        note('starting the server (startRuntime)');
        const runtime = await startRuntime(config);
        defer(() => runtime.stop());
        return `${runtime.app.url}/graphql`;
      })();
      return started;
    };
    await risk(graph, riskReps, impactSample, values['no-graphql'] ? null : url);
  }
});
