import type { EngineOptions, Scenario, Snapshot, SnapshotShipment } from './model';

/*
 * The inputs of a compiled model that a scenario moves (compile.ts builds the rest): when
 * shipments arrive, the orders, the standing supply's availability, and the indexes of the
 * network-wide lists they read.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

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
export function catalogue(snapshot: Snapshot): Catalogue {
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
export function buildArrivals(
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
export function buildOrders(
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
export function buildPurchased(
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
