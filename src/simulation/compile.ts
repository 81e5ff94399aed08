import { factorCache } from './capacity';
import {
  buildArrivals,
  buildOrders,
  buildPurchased,
  catalogue,
  cmp,
  type Arrivals,
  type CompiledOrder,
  type Purchased,
} from './compile.inputs';
import type {
  AssetWindow,
  EngineOptions,
  Scenario,
  SimStation,
  Snapshot,
  SnapshotShipment,
} from './model';

export { cmp, type Arrivals, type CompiledOrder, type Purchased };

/*
 * Turns a snapshot and a scenario into flat, index-based structures the step loop runs over
 * (docs/simulation.md). Built once; the baseline and every Monte Carlo run reuse it. Everything a
 * scenario changes is kept twice, `base` and `changed`, so one model answers both.
 */

export interface CompiledLine {
  id: string;
  stations: SimStation[];
  /** c(L) for a set of down stations (indexes into `stations`), cached. */
  factor: (down: readonly number[]) => number;
  shiftsPerDay: number;
  hoursPerShift: number;
  /** H(L) without and with the scenario's shift change. */
  hoursBase: number;
  hoursChanged: number;
}

export interface Job {
  line: number;
  lineId: string;
  productId: string;
  ratePerHour: number;
  out: number;
  components: Int32Array;
  quantities: Float64Array;
}

export interface CompiledModel {
  scenario: Scenario;
  steps: number;
  stepStarts: Float64Array;
  stepLengths: Float64Array;
  horizonHours: number;
  slotFactory: string[];
  slotProduct: string[];
  startStock: Float64Array;
  safetyStock: Float64Array;
  lines: CompiledLine[];
  jobs: Job[];
  /** Slots some job consumes. */
  componentSlots: Int32Array;
  arrivalsBase: Arrivals;
  arrivalsChanged: Arrivals;
  purchased: Purchased[];
  /** Component slots no line of their factory makes (purchased when they have a supplier). */
  purchaseCandidates: number[];
  /** Shipments to the run's factories. */
  shipments: SnapshotShipment[];
  slotIndex: Map<string, number>;
  /** Orders grouped by slot, each group sorted by due step, due time, id. */
  orderGroups: CompiledOrder[][];
  /**
   * Capacity per step of each line when no window and no random failure applies, filled by the
   * first run that needs it; shared by reference with every model applyChanges makes from this base.
   */
  fixedCapacities: { value: (Float64Array | null)[] | null };
  /** Scenario windows per asset id (downtime and maintenance). */
  windows: Map<string, AssetWindow[]>;
  seriesSlots: number[];
}

export function compile(
  snapshot: Snapshot,
  scenario: Scenario,
  options: EngineOptions,
): CompiledModel {
  return applyChanges(compileBase(snapshot, scenario), snapshot, scenario, options);
}

/**
 * The steps of the scenario's horizon, the last one possibly partial. Apart from compile, so a
 * result can say it without compiling the model in a thread that hands the runs to workers.
 */
export function stepCount(scenario: Pick<Scenario, 'horizonDays' | 'stepHours'>): number {
  return Math.max(1, Math.ceil((scenario.horizonDays * 24) / scenario.stepHours - 1e-9));
}

/**
 * What does not depend on the scenario's changes (everything but its change lists): the slots,
 * lines, jobs, the baseline's arrivals and the orders. Risk exposure builds it once per factory
 * and horizon and applies one supplier outage after another to it.
 */
export function compileBase(snapshot: Snapshot, scenario: Scenario): CompiledModel {
  const horizonHours = scenario.horizonDays * 24;
  const steps = stepCount(scenario);
  const stepStarts = new Float64Array(steps);
  const stepLengths = new Float64Array(steps);
  for (let k = 0; k < steps; k++) {
    stepStarts[k] = k * scenario.stepHours;
    stepLengths[k] = Math.min(scenario.stepHours, horizonHours - k * scenario.stepHours);
  }
  const inScope = scopeTest(snapshot, scenario);

  const slots = new Map<string, number>();
  const slotFactory: string[] = [];
  const slotProduct: string[] = [];
  const slot = (factoryId: string, productId: string): number => {
    const key = `${factoryId}\u0000${productId}`;
    let s = slots.get(key);
    if (s === undefined) {
      s = slotFactory.length;
      slots.set(key, s);
      slotFactory.push(factoryId);
      slotProduct.push(productId);
    }
    return s;
  };

  const stock = snapshot.stock.filter((s) => inScope(s.factoryId));
  for (const s of stock) slot(s.factoryId, s.productId);

  const lines = snapshot.lines.filter((l) => inScope(l.factoryId));
  const lineIndex = new Map(lines.map((l, i) => [l.id, i]));
  const compiledLines: CompiledLine[] = lines.map((l) => ({
    id: l.id,
    stations: l.stations,
    factor: factorCache(l),
    shiftsPerDay: l.shiftsPerDay,
    hoursPerShift: l.hoursPerShift,
    hoursBase: l.shiftsPerDay * l.hoursPerShift,
    hoursChanged: l.shiftsPerDay * l.hoursPerShift,
  }));

  const { requires, leadTimes, prices } = catalogue(snapshot);
  const made = new Set<number>();
  const jobs: Job[] = [];
  for (const p of snapshot.production) {
    const line = lineIndex.get(p.lineId);
    if (line === undefined || !(p.ratePerHour > 0)) continue;
    const out = slot(p.factoryId, p.productId);
    made.add(out);
    const reqs = (requires.get(p.productId) ?? []).filter((r) => r.quantity > 0);
    jobs.push({
      line,
      lineId: p.lineId,
      productId: p.productId,
      ratePerHour: p.ratePerHour,
      out,
      components: Int32Array.from(reqs.map((r) => slot(p.factoryId, r.componentId))),
      quantities: Float64Array.from(reqs.map((r) => r.quantity)),
    });
  }
  jobs.sort((a, b) => cmp(a.lineId, b.lineId) || cmp(a.productId, b.productId));
  const componentSet = new Set<number>();
  for (const j of jobs) for (const c of j.components) componentSet.add(c);

  const shipments = snapshot.shipments.filter(
    (s) => s.factoryId !== null && inScope(s.factoryId) && s.productId !== null,
  );
  // every shipment gets its slot now, so applyChanges can move arrivals without adding slots
  for (const sh of shipments) slot(sh.factoryId ?? '', sh.productId ?? '');
  const arrivalsBase = buildArrivals(shipments, scenario, false, leadTimes, steps, slot);

  const orderGroups = buildOrders(snapshot, scenario, inScope, steps, slot, prices);

  const startStock = new Float64Array(slotFactory.length);
  const safetyStock = new Float64Array(slotFactory.length);
  for (const s of stock) {
    const i = slot(s.factoryId, s.productId);
    startStock[i] = Math.max(0, s.quantity);
    safetyStock[i] = Math.max(0, s.safetyStock);
  }

  const candidates = [...componentSet].filter((s) => !made.has(s)).sort((a, b) => a - b);
  const series = new Set(scenario.seriesProductIds);
  const seriesSlots = slotProduct
    .map((p, i) => (series.has(p) ? i : -1))
    .filter((i) => i >= 0)
    .sort(
      (a, b) =>
        cmp(slotProduct[a] ?? '', slotProduct[b] ?? '') ||
        cmp(slotFactory[a] ?? '', slotFactory[b] ?? ''),
    );

  return {
    scenario,
    steps,
    stepStarts,
    stepLengths,
    horizonHours,
    slotFactory,
    slotProduct,
    startStock,
    safetyStock,
    lines: compiledLines,
    jobs,
    componentSlots: Int32Array.from([...componentSet].sort((a, b) => a - b)),
    arrivalsBase,
    arrivalsChanged: arrivalsBase,
    // the standing supply without outages: what the baseline runs on
    purchased: buildPurchased(
      catalogue(snapshot).suppliersOf,
      { ...scenario, supplierOutages: [] },
      { alternativesMitigate: true },
      candidates,
      (s) => slotProduct[s] ?? '',
      stepStarts,
      stepLengths,
    ),
    purchaseCandidates: candidates,
    shipments,
    slotIndex: slots,
    orderGroups,
    windows: new Map(),
    fixedCapacities: { value: null },
    seriesSlots,
  };
}

/** The model with the scenario's changes (its change lists and the engine options) applied to a base. */
export function applyChanges(
  base: CompiledModel,
  snapshot: Snapshot,
  scenario: Scenario,
  options: EngineOptions,
): CompiledModel {
  const { leadTimes, suppliersOf } = catalogue(snapshot);
  const slot = (factoryId: string, productId: string): number =>
    base.slotIndex.get(`${factoryId}\u0000${productId}`) ?? -1;
  const shifts = new Map(scenario.shiftChanges.map((c) => [c.lineId, c.shiftsPerDay]));
  const factors = new Map<string, number>();
  for (const d of scenario.demandChanges) {
    factors.set(d.productId, (factors.get(d.productId) ?? 1) * d.factor);
  }
  const windows = new Map<string, AssetWindow[]>();
  for (const w of [...scenario.assetDowntimes, ...scenario.maintenanceWindows]) {
    windows.set(w.assetId, [...(windows.get(w.assetId) ?? []), w]);
  }
  return {
    ...base,
    scenario,
    lines: base.lines.map((l) => ({
      ...l,
      hoursChanged: (shifts.get(l.id) ?? l.shiftsPerDay) * l.hoursPerShift,
    })),
    arrivalsChanged: buildArrivals(base.shipments, scenario, true, leadTimes, base.steps, slot),
    orderGroups: base.orderGroups.map((group) =>
      group.map((o) => ({
        ...o,
        quantityChanged: o.quantityBase * (factors.get(o.productId) ?? 1),
      })),
    ),
    purchased: buildPurchased(
      suppliersOf,
      scenario,
      options,
      base.purchaseCandidates,
      (s) => base.slotProduct[s] ?? '',
      base.stepStarts,
      base.stepLengths,
    ),
    windows,
  };
}

function scopeTest(snapshot: Snapshot, scenario: Scenario): (factoryId: string) => boolean {
  const known = new Set(snapshot.factories.map((f) => f.id));
  const wanted = scenario.factoryIds === null ? null : new Set(scenario.factoryIds);
  return (id) => known.has(id) && (wanted === null || wanted.has(id));
}
