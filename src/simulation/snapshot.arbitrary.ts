import fc from 'fast-check';
import type { BomLink, Flow, ProductionLink } from '../impact/quantities';
import type {
  Scenario,
  SimStation,
  Snapshot,
  SnapshotLine,
  SnapshotOrder,
  SnapshotShipment,
  SnapshotStock,
  SnapshotSupply,
} from './model';
import { validateScenario, type ScenarioInput, type SimulationLimits } from './scenario';

/*
 * fast-check arbitraries of small plants as the simulation engine sees them (a plain Snapshot, no
 * Neo4j) together with a scenario, for the engine's property tests. The ideas are those of
 * test/support/plant-arbitrary.ts (ids by index with a label prefix, FEEDS a DAG by station
 * order, the BOM a DAG by product order, inventory and shipments mostly aimed at what a factory
 * consumes), with what the engine needs beyond the impact analysis:
 *
 * - 1–2 factories with 1–2 lines of 1–4 stations; every status; rates mostly positive; mtbf and
 *   mttr on some stations (Monte Carlo failures), so a DOWN station may come back in the horizon;
 * - 2–6 products, a BOM DAG of several levels whose components are often shared by two parents
 *   (or, with `treeBom`, a forest: each component has one parent and no order asks for one);
 * - suppliers and supplies with sole-sourced, multi-sourced and unsupplied products; stock with
 *   safety stock;
 * - shipments of every status, with or without a departure, and orders, at moments before, inside
 *   and after the horizon: a moment is a fraction k/32 of the horizon for k in −8 … 44, rounded to
 *   the hour, sometimes moved off the hour;
 * - a scenario of every kind of change, daily or hourly steps, a horizon of 1–60 days (15 at
 *   most with hourly steps; sometimes ending inside a day, so the last step is partial), with or
 *   without standing supply, one run or a few with a seed. It goes through validateScenario, so every case is a scenario the
 *   API would accept (an invalid one would fail the property that draws it).
 *
 * Plants stay small (at most 4 lines, 6 products, 6 shipments, 6 orders) so a few hundred cases
 * run in seconds.
 */

export const START_MS = Date.parse('2026-12-01T00:00:00Z');
const HOUR_MS = 3_600_000;

export const LIMITS: SimulationLimits = { maxHorizonDays: 60, maxRuns: 8, maxSeriesProducts: 4 };

export const DELAYABLE = ['PLANNED', 'IN_TRANSIT', 'DELAYED'] as const;
const SHIPMENT_STATUSES = [...DELAYABLE, 'DELIVERED', 'CANCELLED'] as const;

/** A plant and a scenario on it, with the client input the scenario was validated from. */
export interface SimCase {
  snapshot: Snapshot;
  input: ScenarioInput;
  scenario: Scenario;
  [fc.toStringMethod]?: () => string;
}

export interface SimCaseOptions {
  /** Each component has at most one parent in the BOM, and no order is for a component. */
  treeBom?: boolean;
  /** Every station gets an mtbf and an mttr (Monte Carlo failures are sure to happen). */
  failures?: boolean;
}

const pick = <T>(items: readonly T[], i: number): T => {
  const item = items[i % items.length];
  if (item === undefined) throw new Error(`pick from an empty list (index ${i})`);
  return item;
};

const stationArb = (failures: boolean) =>
  fc.record({
    status: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('RUNNING', 'IDLE') },
      { weight: 1, arbitrary: fc.constantFrom('DOWN', 'MAINTENANCE') },
    ),
    rate: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: 120 }) },
      { weight: 1, arbitrary: fc.constant(0) },
    ),
    mtbf: failures
      ? fc.integer({ min: 4, max: 200 })
      : fc.option(fc.integer({ min: 4, max: 400 }), { freq: 2 }),
    mttr: failures
      ? fc.integer({ min: 1, max: 48 })
      : fc.option(fc.integer({ min: 1, max: 48 }), { freq: 3 }),
  });

const lineArb = (failures: boolean) =>
  fc.record({
    shiftsPerDay: fc.integer({ min: 1, max: 3 }),
    hoursPerShift: fc.constantFrom(4, 6, 8),
    stations: fc.array(stationArb(failures), { minLength: 1, maxLength: 4 }),
    // one bit per pair i < j of the line's stations (at most 6 pairs): i FEEDS j, a DAG by order
    feeds: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    produces: fc.uniqueArray(fc.nat(5), { minLength: 1, maxLength: 2 }),
    rates: fc.array(
      fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 1, max: 60 }) },
        { weight: 1, arbitrary: fc.constant(0) },
      ),
      { minLength: 2, maxLength: 2 },
    ),
  });

/** A moment relative to the horizon: k/32 of it (k < 0 before, k ≥ 32 after), plus a few ms. */
const momentArb = fc.record({
  k: fc.integer({ min: -8, max: 44 }),
  offHour: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: HOUR_MS - 1 }) },
  ),
});
type Moment = typeof momentArb extends fc.Arbitrary<infer T> ? T : never;

/** Quarters: exact in binary, so windows and step edges meet exactly. */
const quarters = (min: number, max: number) =>
  fc.integer({ min: min * 4, max: max * 4 }).map((q) => q / 4);

const rawPlantArb = (failures: boolean) =>
  fc.record({
    factories: fc.array(fc.array(lineArb(failures), { minLength: 1, maxLength: 2 }), {
      minLength: 1,
      maxLength: 2,
    }),
    products: fc.array(
      fc.record({
        price: fc.integer({ min: 1, max: 500 }),
        cost: fc.integer({ min: 0, max: 200 }),
      }),
      { minLength: 2, maxLength: 6 },
    ),
    // one entry per pair i < j of products (at most 15): Pi requires Pj, with a quantity
    bom: fc.array(
      fc.option(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(0.5, 0.25)), {
        freq: 3,
      }),
      { minLength: 15, maxLength: 15 },
    ),
    suppliers: fc.integer({ min: 1, max: 3 }),
    // per product: no supplier, one, or several
    supplies: fc.array(
      fc.record({
        by: fc.oneof(
          { weight: 2, arbitrary: fc.constant<number[]>([]) },
          { weight: 3, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 1 }) },
          { weight: 2, arbitrary: fc.array(fc.nat(), { minLength: 2, maxLength: 3 }) },
        ),
        leadTimeDays: fc.option(fc.integer({ min: 1, max: 14 }), { freq: 4 }),
      }),
      { minLength: 6, maxLength: 6 },
    ),
    // `aim`: index of a (factory, component) pair the factory's lines consume; null: any pair
    stock: fc.array(
      fc.record({
        aim: fc.option(fc.nat(), { freq: 5 }),
        factory: fc.nat(),
        product: fc.nat(),
        quantity: fc.oneof(
          { weight: 3, arbitrary: fc.integer({ min: 0, max: 3000 }) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 100000 }) },
        ),
        safetyStock: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 500 })),
      }),
      { maxLength: 8 },
    ),
    shipments: fc.array(
      fc.record({
        aim: fc.option(fc.nat(), { freq: 4 }),
        supplier: fc.option(fc.nat(), { freq: 8 }),
        factory: fc.nat(),
        product: fc.nat(),
        quantity: fc.integer({ min: 1, max: 5000 }),
        status: fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...DELAYABLE) },
          { weight: 1, arbitrary: fc.constantFrom(...SHIPMENT_STATUSES) },
        ),
        eta: momentArb,
        // days before the eta it leaves; null: unknown (a PLANNED one then leaves at eta − lead time)
        departsBefore: fc.option(quarters(0, 10), { freq: 2 }),
      }),
      { maxLength: 6 },
    ),
    orders: fc.array(
      fc.record({
        // index of a (factory, product) pair some line makes; null: any pair
        aim: fc.option(fc.nat(), { freq: 4 }),
        factory: fc.nat(),
        product: fc.nat(),
        quantity: fc.integer({ min: 1, max: 5000 }),
        due: momentArb,
      }),
      { maxLength: 6 },
    ),
  });
type RawPlant = ReturnType<typeof rawPlantArb> extends fc.Arbitrary<infer T> ? T : never;

const rawScenarioArb = fc.record({
  horizonDays: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 10 }) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 60 }) },
    // a partial last step
    { weight: 1, arbitrary: quarters(1, 10) },
  ),
  stepHours: fc.constantFrom(1, 24),
  // start days are k/32 of the horizon, k in 0 … 31 (inside it)
  supplierOutages: fc.array(
    fc.record({
      supplier: fc.nat(),
      start: fc.integer({ min: 0, max: 31 }),
      days: fc.oneof(quarters(0.25, 20), fc.double({ min: 0.01, max: 30, noNaN: true })),
    }),
    { maxLength: 2 },
  ),
  shipmentDelays: fc.array(fc.record({ shipment: fc.nat(), days: quarters(0, 15) }), {
    maxLength: 2,
  }),
  assetDowntimes: fc.array(
    fc.record({
      asset: fc.nat(),
      start: fc.integer({ min: 0, max: 31 }),
      hours: fc.oneof(
        fc.integer({ min: 1, max: 120 }),
        fc.double({ min: 0.01, max: 200, noNaN: true }),
      ),
    }),
    { maxLength: 2 },
  ),
  maintenanceWindows: fc.array(
    fc.record({
      asset: fc.nat(),
      start: fc.integer({ min: 0, max: 31 }),
      hours: fc.integer({ min: 1, max: 48 }),
    }),
    { maxLength: 2 },
  ),
  // shiftsPerDay = u × (24 / hoursPerShift), u in 0 … 1 by eighths, rounded down to halves
  shiftChanges: fc.array(fc.record({ line: fc.nat(), u: fc.integer({ min: 0, max: 8 }) }), {
    maxLength: 2,
  }),
  demandChanges: fc.array(fc.record({ product: fc.nat(), factor: quarters(0, 3) }), {
    maxLength: 2,
  }),
  factory: fc.option(fc.nat(), { freq: 5 }),
  series: fc.uniqueArray(fc.nat(5), { maxLength: 2 }),
  runs: fc.oneof({ weight: 2, arbitrary: fc.constant(1) }, fc.integer({ min: 2, max: 4 })),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
  standingSupply: fc.boolean(),
});
type RawScenario = typeof rawScenarioArb extends fc.Arbitrary<infer T> ? T : never;

function momentMs(m: Moment, horizonDays: number): number {
  return START_MS + Math.round((m.k * horizonDays * 24) / 32) * HOUR_MS + m.offHour;
}

function buildSnapshot(raw: RawPlant, horizonDays: number, treeBom: boolean): Snapshot {
  const productIds = raw.products.map((_, i) => `P${i + 1}`);
  const supplierIds = Array.from({ length: raw.suppliers }, (_, i) => `S${i + 1}`);
  const factoryIds = raw.factories.map((_, i) => `F${i + 1}`);
  const lines: SnapshotLine[] = [];
  const production: ProductionLink[] = [];
  let assets = 0;
  raw.factories.forEach((factoryLines, f) => {
    const factoryId = pick(factoryIds, f);
    for (const l of factoryLines) {
      const lineId = `L${lines.length + 1}`;
      const stations: SimStation[] = l.stations.map((s) => ({
        id: `A${++assets}`,
        status: s.status,
        ratePerHour: s.rate,
        mtbfHours: s.mtbf,
        mttrHours: s.mttr,
      }));
      const flows: Flow[] = [];
      let bit = 0;
      for (let i = 0; i < stations.length; i++) {
        for (let j = i + 1; j < stations.length; j++, bit++) {
          const from = stations[i];
          const to = stations[j];
          if (l.feeds[bit] === true && from !== undefined && to !== undefined) {
            flows.push({ from: from.id, to: to.id });
          }
        }
      }
      lines.push({
        id: lineId,
        factoryId,
        shiftsPerDay: l.shiftsPerDay,
        hoursPerShift: l.hoursPerShift,
        stations,
        flows,
      });
      const made = [...new Set(l.produces.map((p) => pick(productIds, p)))];
      made.forEach((productId, k) =>
        production.push({ lineId, factoryId, productId, ratePerHour: pick(l.rates, k) }),
      );
    }
  });

  const bom: BomLink[] = [];
  const hasParent = new Set<string>();
  let bit = 0;
  for (let i = 0; i < productIds.length; i++) {
    for (let j = i + 1; j < productIds.length; j++, bit++) {
      const quantity = raw.bom[bit];
      const parentId = productIds[i];
      const componentId = productIds[j];
      if (quantity === null || quantity === undefined || !parentId || !componentId) continue;
      if (treeBom && hasParent.has(componentId)) continue;
      hasParent.add(componentId);
      bom.push({ parentId, componentId, quantity });
    }
  }

  const supplies: SnapshotSupply[] = [];
  productIds.forEach((productId, p) => {
    const row = raw.supplies[p];
    if (row === undefined) return;
    for (const supplierId of new Set(row.by.map((s) => pick(supplierIds, s)))) {
      supplies.push({ supplierId, productId, leadTimeDays: row.leadTimeDays, unitCost: 1 });
    }
  });

  // (factory, component) pairs some line of the factory consumes; (factory, product) pairs made
  const consumed: { factoryId: string; productId: string }[] = [];
  const made: { factoryId: string; productId: string }[] = [];
  for (const pr of production) {
    made.push({ factoryId: pr.factoryId, productId: pr.productId });
    for (const b of bom) {
      if (b.parentId === pr.productId) {
        consumed.push({ factoryId: pr.factoryId, productId: b.componentId });
      }
    }
  }
  const target = (
    row: { aim: number | null; factory: number; product: number },
    aims: { factoryId: string; productId: string }[],
  ) =>
    row.aim !== null && aims.length > 0
      ? pick(aims, row.aim)
      : { factoryId: pick(factoryIds, row.factory), productId: pick(productIds, row.product) };

  const stocked = new Map<string, SnapshotStock>();
  for (const row of raw.stock) {
    const { factoryId, productId } = target(row, consumed);
    stocked.set(`${factoryId}|${productId}`, {
      factoryId,
      productId,
      quantity: row.quantity,
      safetyStock: row.safetyStock,
    });
  }

  const shipments: SnapshotShipment[] = raw.shipments.map((s, i) => {
    const etaMs = momentMs(s.eta, horizonDays);
    return {
      id: `SH${i + 1}`,
      supplierId: s.supplier === null ? null : pick(supplierIds, s.supplier),
      ...target(s, consumed),
      quantity: s.quantity,
      status: s.status,
      departedAtMs: s.departsBefore === null ? null : etaMs - s.departsBefore * 24 * HOUR_MS,
      etaMs,
    };
  });

  const orders: SnapshotOrder[] = raw.orders
    .map((o, i) => ({
      id: `O${i + 1}`,
      ...target(o, made),
      quantity: o.quantity,
      dueMs: momentMs(o.due, horizonDays),
    }))
    .filter((o) => !treeBom || !hasParent.has(o.productId));

  return {
    factories: factoryIds.map((id) => ({ id })),
    lines,
    production,
    bom,
    products: productIds.map((id, i) => ({
      id,
      unitPrice: raw.products[i]?.price ?? 0,
      unitCost: raw.products[i]?.cost ?? 0,
    })),
    suppliers: supplierIds.map((id) => ({ id, recoveryDays: null })),
    supplies,
    stock: [...stocked.values()],
    shipments,
    orders,
  };
}

function buildInput(raw: RawScenario, snapshot: Snapshot): ScenarioInput {
  const h = raw.horizonDays;
  const startDay = (k: number) => (k / 32) * h;
  const assets = snapshot.lines.flatMap((l) => l.stations.map((s) => s.id));
  const delayable = snapshot.shipments.filter((s) =>
    DELAYABLE.some((status) => status === s.status),
  );
  const window = (w: { asset: number; start: number; hours: number }) => ({
    assetId: pick(assets, w.asset),
    startDay: startDay(w.start),
    hours: w.hours,
  });
  const shifts = new Map<string, number>();
  for (const c of raw.shiftChanges) {
    const line = pick(snapshot.lines, c.line);
    shifts.set(line.id, Math.floor((c.u / 8) * (24 / line.hoursPerShift) * 2) / 2);
  }
  return {
    startAt: new Date(START_MS).toISOString(),
    horizonDays: h,
    stepHours: raw.stepHours,
    supplierOutages: raw.supplierOutages.map((o) => ({
      supplierId: pick(snapshot.suppliers, o.supplier).id,
      startDay: startDay(o.start),
      days: o.days,
    })),
    shipmentDelays:
      delayable.length === 0
        ? []
        : raw.shipmentDelays.map((d) => ({
            shipmentId: pick(delayable, d.shipment).id,
            days: d.days,
          })),
    assetDowntimes: raw.assetDowntimes.map(window),
    maintenanceWindows: raw.maintenanceWindows.map(window),
    shiftChanges: [...shifts].map(([lineId, shiftsPerDay]) => ({ lineId, shiftsPerDay })),
    demandChanges: raw.demandChanges.map((d) => ({
      productId: pick(snapshot.products, d.product).id,
      factor: d.factor,
    })),
    factoryIds: raw.factory === null ? null : [pick(snapshot.factories, raw.factory).id],
    runs: raw.runs,
    seed: raw.seed,
    seriesProductIds: [...new Set(raw.series.map((p) => pick(snapshot.products, p).id))],
    standingSupply: raw.standingSupply,
  };
}

/** A validated case: throws (failing the property) if validation refuses a generated scenario. */
export function simCase(snapshot: Snapshot, input: ScenarioInput): SimCase {
  const scenario = validateScenario(input, snapshot, LIMITS, START_MS);
  return {
    snapshot,
    input,
    scenario,
    // a counterexample prints as the snapshot and the client input, not the validated copy too
    [fc.toStringMethod]: () => JSON.stringify({ snapshot, input }),
  };
}

/** A small plant and a scenario on it (see the top of this file). */
export function simCaseArbitrary(options: SimCaseOptions = {}): fc.Arbitrary<SimCase> {
  return fc
    .record({ plant: rawPlantArb(options.failures === true), scenario: rawScenarioArb })
    .map(({ plant, scenario: raw }) => {
      // hourly steps over at most 15 days: 60 days of hours cost much and show nothing more
      const scenario = {
        ...raw,
        horizonDays: raw.stepHours === 1 ? Math.min(raw.horizonDays, 15) : raw.horizonDays,
      };
      const snapshot = buildSnapshot(plant, scenario.horizonDays, options.treeBom === true);
      return simCase(snapshot, buildInput(scenario, snapshot));
    });
}
