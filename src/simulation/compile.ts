import { factorCache } from './capacity';
import type {
  AssetWindow,
  EngineOptions,
  Scenario,
  SimStation,
  Snapshot,
  SnapshotShipment,
} from './model';

/*
 * Turns a snapshot and a scenario into flat, index-based structures the step loop runs over
 * (docs/simulation.md). Built once; the baseline and every Monte Carlo run reuse it. Everything a
 * scenario changes is kept twice, `base` and `changed`, so one model answers both.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

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

export interface Arrivals {
  step: Int32Array;
  slot: Int32Array;
  quantity: Float64Array;
}

export interface CompiledOrder {
  id: string;
  productId: string;
  slot: number;
  dueStep: number;
  quantityBase: number;
  quantityChanged: number;
  unitPrice: number;
}

/** A component a factory buys (it has a supplier and no line of the factory makes it). */
export interface Purchased {
  slot: number;
  /** Share of each step the standing supply runs under the scenario; null: all of it. */
  availableChanged: Float64Array | null;
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
 * What does not depend on the scenario's changes (everything but its change lists): the slots,
 * lines, jobs, the baseline's arrivals and the orders. Risk exposure builds it once per factory
 * and horizon and applies one supplier outage after another to it.
 */
export function compileBase(snapshot: Snapshot, scenario: Scenario): CompiledModel {
  const horizonHours = scenario.horizonDays * 24;
  const steps = Math.max(1, Math.ceil(horizonHours / scenario.stepHours - 1e-9));
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

interface Catalogue {
  requires: Map<string, { componentId: string; quantity: number }[]>;
  leadTimes: Map<string, number | null>;
  prices: Map<string, number>;
  suppliersOf: Map<string, string[]>;
}

/** Indexes of the network-wide lists, by the lists themselves: per-factory parts share them. */
const catalogues = new WeakMap<object, Catalogue>();

/**
 * The BOM, supplies and prices indexed once per snapshot: risk exposure compiles a model per
 * supplier and factory from parts that share these lists, and indexing them each time cost more
 * than the run.
 */
function catalogue(snapshot: Snapshot): Catalogue {
  const known = catalogues.get(snapshot.bom);
  if (
    known !== undefined &&
    catalogues.get(snapshot.supplies) === known &&
    catalogues.get(snapshot.products) === known
  ) {
    return known;
  }
  const requires = new Map<string, { componentId: string; quantity: number }[]>();
  for (const b of snapshot.bom) {
    const list = requires.get(b.parentId) ?? [];
    list.push({ componentId: b.componentId, quantity: b.quantity });
    requires.set(b.parentId, list);
  }
  const suppliersOf = new Map<string, string[]>();
  for (const s of snapshot.supplies) {
    const list = suppliersOf.get(s.productId) ?? [];
    list.push(s.supplierId);
    suppliersOf.set(s.productId, list);
  }
  const index: Catalogue = {
    requires,
    leadTimes: new Map(
      snapshot.supplies.map((s) => [`${s.supplierId}\u0000${s.productId}`, s.leadTimeDays]),
    ),
    prices: new Map(snapshot.products.map((p) => [p.id, p.unitPrice])),
    suppliersOf,
  };
  for (const list of [snapshot.bom, snapshot.supplies, snapshot.products])
    catalogues.set(list, index);
  return index;
}

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function scopeTest(snapshot: Snapshot, scenario: Scenario): (factoryId: string) => boolean {
  const known = new Set(snapshot.factories.map((f) => f.id));
  const wanted = scenario.factoryIds === null ? null : new Set(scenario.factoryIds);
  return (id) => known.has(id) && (wanted === null || wanted.has(id));
}

/** The step an instant falls in: before the start → 0; at or after the horizon → `steps`. */
function stepOf(ms: number, scenario: Scenario, steps: number): number {
  if (ms < scenario.startMs) return 0;
  return Math.min(steps, Math.floor((ms - scenario.startMs) / (scenario.stepHours * HOUR_MS)));
}

/**
 * When each shipment arrives. PLANNED, IN_TRANSIT and DELAYED ones arrive at their eta (plus the
 * scenario's delay); one that is overdue arrives in the first step. Under a supplier outage a
 * PLANNED shipment whose departure falls inside the outage leaves when the outage ends (its
 * departure is departedAt, else eta minus the supply's lead time, else eta); shipments already on
 * their way are not held.
 */
function buildArrivals(
  shipments: readonly SnapshotShipment[],
  scenario: Scenario,
  changed: boolean,
  leadTimes: ReadonlyMap<string, number | null>,
  steps: number,
  slot: (f: string, p: string) => number,
): Arrivals {
  const delays = new Map<string, number>();
  const outages = new Map<string, { from: number; to: number }[]>();
  if (changed) {
    for (const d of scenario.shipmentDelays) {
      delays.set(d.shipmentId, (delays.get(d.shipmentId) ?? 0) + d.days);
    }
    for (const o of scenario.supplierOutages) {
      const from = scenario.startMs + o.startDay * DAY_MS;
      const list = outages.get(o.supplierId) ?? [];
      list.push({ from, to: from + o.days * DAY_MS });
      outages.set(
        o.supplierId,
        list.sort((a, b) => a.from - b.from),
      );
    }
  }
  const rows: { step: number; slot: number; quantity: number; id: string }[] = [];
  for (const s of shipments) {
    if (!['PLANNED', 'IN_TRANSIT', 'DELAYED'].includes(s.status)) continue;
    if (s.etaMs === null || !(s.quantity > 0) || s.factoryId === null || s.productId === null) {
      continue;
    }
    let eta = s.etaMs + (delays.get(s.id) ?? 0) * DAY_MS;
    if (s.status === 'PLANNED' && s.supplierId !== null) {
      const lead = leadTimes.get(`${s.supplierId}\u0000${s.productId}`) ?? null;
      let departs = s.departedAtMs ?? (lead === null ? s.etaMs : s.etaMs - lead * DAY_MS);
      for (const w of outages.get(s.supplierId) ?? []) {
        if (departs >= w.from && departs < w.to) {
          eta += w.to - departs;
          departs = w.to;
        }
      }
    }
    const step = stepOf(eta, scenario, steps);
    if (step < steps)
      rows.push({ step, slot: slot(s.factoryId, s.productId), quantity: s.quantity, id: s.id });
  }
  rows.sort((a, b) => a.step - b.step || cmp(a.id, b.id));
  return {
    step: Int32Array.from(rows.map((r) => r.step)),
    slot: Int32Array.from(rows.map((r) => r.slot)),
    quantity: Float64Array.from(rows.map((r) => r.quantity)),
  };
}

/** Open orders due inside the horizon (an overdue one is due in the first step). */
function buildOrders(
  snapshot: Snapshot,
  scenario: Scenario,
  inScope: (f: string) => boolean,
  steps: number,
  slot: (f: string, p: string) => number,
  prices: ReadonlyMap<string, number>,
): CompiledOrder[][] {
  const due = snapshot.orders
    .filter((o) => inScope(o.factoryId) && o.quantity > 0)
    .map((o) => ({ o, dueStep: stepOf(o.dueMs, scenario, steps) }))
    .filter((x) => x.dueStep < steps)
    .sort((a, b) => a.dueStep - b.dueStep || a.o.dueMs - b.o.dueMs || cmp(a.o.id, b.o.id));
  const groups = new Map<number, CompiledOrder[]>();
  for (const { o, dueStep } of due) {
    const s = slot(o.factoryId, o.productId);
    const list = groups.get(s) ?? [];
    list.push({
      id: o.id,
      productId: o.productId,
      slot: s,
      dueStep,
      quantityBase: o.quantity,
      quantityChanged: o.quantity,
      unitPrice: prices.get(o.productId) ?? 0,
    });
    groups.set(s, list);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, list]) => list);
}

/**
 * Standing supply of purchased components and the share of each step it runs under the scenario:
 * it stops while every supplier of the component is out (or, without `alternativesMitigate`,
 * while any supplier of it is out).
 */
function buildPurchased(
  suppliersOf: ReadonlyMap<string, string[]>,
  scenario: Scenario,
  options: EngineOptions,
  candidates: number[],
  productOf: (slot: number) => string,
  stepStarts: Float64Array,
  stepLengths: Float64Array,
): Purchased[] {
  if (!scenario.standingSupply) return [];
  const outages = new Map<string, { from: number; to: number }[]>();
  for (const o of scenario.supplierOutages) {
    const from = o.startDay * 24;
    outages.set(o.supplierId, [
      ...(outages.get(o.supplierId) ?? []),
      { from, to: from + o.days * 24 },
    ]);
  }
  return candidates
    .filter((s) => (suppliersOf.get(productOf(s))?.length ?? 0) > 0)
    .sort((a, b) => a - b)
    .map((s) => {
      const suppliers = suppliersOf.get(productOf(s)) ?? [];
      const out = (hour: number): boolean => {
        const isOut = (id: string) =>
          (outages.get(id) ?? []).some((w) => hour >= w.from && hour < w.to);
        return options.alternativesMitigate ? suppliers.every(isOut) : suppliers.some(isOut);
      };
      if (!suppliers.some((id) => outages.has(id))) return { slot: s, availableChanged: null };
      return {
        slot: s,
        availableChanged: availability(out, stepStarts, stepLengths, suppliers, outages),
      };
    });
}

/** Share of each step during which `out` is false, exact at the outages' edges. */
function availability(
  out: (hour: number) => boolean,
  starts: Float64Array,
  lengths: Float64Array,
  suppliers: readonly string[],
  outages: ReadonlyMap<string, { from: number; to: number }[]>,
): Float64Array {
  const cuts = new Set<number>();
  for (const id of suppliers) for (const w of outages.get(id) ?? []) cuts.add(w.from).add(w.to);
  const result = new Float64Array(starts.length);
  for (let k = 0; k < starts.length; k++) {
    const a = starts[k] ?? 0;
    const b = a + (lengths[k] ?? 0);
    const points = [a, ...[...cuts].filter((c) => c > a && c < b).sort((x, y) => x - y), b];
    let up = 0;
    for (let i = 0; i + 1 < points.length; i++) {
      const from = points[i] ?? 0;
      const to = points[i + 1] ?? 0;
      if (!out((from + to) / 2)) up += to - from;
    }
    result[k] = b > a ? up / (b - a) : 1;
  }
  return result;
}
