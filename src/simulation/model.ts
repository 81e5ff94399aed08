import type { BomLink, Flow, ProductionLink, Station } from '../impact/quantities';

/*
 * The plain data the simulation works on and returns (docs/simulation.md). Everything here is
 * JSON- and structured-clone-safe (numbers, strings, arrays, plain objects: no Map, no Date), so a
 * snapshot crosses to a worker thread and a result is stored as JSON as it is. Times are epoch
 * milliseconds (UTC), durations in days or hours as their names say.
 */

// ---------------------------------------------------------------- the snapshot (what is loaded)

/** A station with what Monte Carlo failures need. */
export interface SimStation extends Station {
  /** Mean time between failures (hours); null or ≤ 0: never fails at random. */
  mtbfHours: number | null;
  /** Mean time to repair (hours); also how long an asset DOWN at the start stays down. */
  mttrHours: number | null;
}

export interface SnapshotLine {
  id: string;
  factoryId: string;
  shiftsPerDay: number;
  hoursPerShift: number;
  stations: SimStation[];
  flows: Flow[];
}

export interface SnapshotProduct {
  id: string;
  unitPrice: number;
  unitCost: number;
}

export interface SnapshotSupplier {
  id: string;
  /** Days the supplier needs to recover from a disruption (risk exposure's TTR); null: not set. */
  recoveryDays: number | null;
}

export interface SnapshotSupply {
  supplierId: string;
  productId: string;
  leadTimeDays: number | null;
  unitCost: number | null;
}

export interface SnapshotStock {
  factoryId: string;
  productId: string;
  quantity: number;
  safetyStock: number;
}

export interface SnapshotShipment {
  id: string;
  supplierId: string | null;
  factoryId: string | null;
  productId: string | null;
  quantity: number;
  status: string;
  departedAtMs: number | null;
  etaMs: number | null;
}

export interface SnapshotOrder {
  id: string;
  factoryId: string;
  productId: string;
  quantity: number;
  dueMs: number;
}

/**
 * The part of the graph a scenario touches: with `factoryIds` the factories named, their lines,
 * stock, inbound shipments and open orders; the products, BOM links, suppliers and supplies are
 * all of them (they are few next to the rest, and validation needs them to tell an unknown id
 * from one outside the run).
 */
export interface Snapshot {
  factories: { id: string }[];
  lines: SnapshotLine[];
  /** PRODUCES links of the snapshot's lines. */
  production: ProductionLink[];
  bom: BomLink[];
  products: SnapshotProduct[];
  suppliers: SnapshotSupplier[];
  supplies: SnapshotSupply[];
  stock: SnapshotStock[];
  /** Every shipment to the snapshot's factories, whatever its status (validation names them). */
  shipments: SnapshotShipment[];
  /** OPEN orders at the snapshot's factories. */
  orders: SnapshotOrder[];
}

// ---------------------------------------------------------------- the scenario (what is asked)

export interface SupplierOutage {
  supplierId: string;
  /** Day of the horizon the outage starts (0 = startAt). */
  startDay: number;
  days: number;
}

export interface ShipmentDelay {
  shipmentId: string;
  days: number;
}

export interface AssetWindow {
  assetId: string;
  startDay: number;
  hours: number;
}

export interface ShiftChange {
  lineId: string;
  shiftsPerDay: number;
}

export interface DemandChange {
  productId: string;
  /** Order quantities of the product are multiplied by it (0 removes the demand). */
  factor: number;
}

/** The changes a scenario makes; an empty one is the baseline. */
export interface ScenarioChanges {
  supplierOutages: SupplierOutage[];
  shipmentDelays: ShipmentDelay[];
  assetDowntimes: AssetWindow[];
  maintenanceWindows: AssetWindow[];
  shiftChanges: ShiftChange[];
  demandChanges: DemandChange[];
}

/** A validated scenario (scenario.ts makes one from client input). */
export interface Scenario extends ScenarioChanges {
  startMs: number;
  horizonDays: number;
  /** 1 (hourly) or 24 (daily). */
  stepHours: number;
  /** null: every factory. */
  factoryIds: string[] | null;
  /** 1: one deterministic run without random failures. */
  runs: number;
  seed: number;
  /** Products whose per-step series the result carries (few, so results stay small). */
  seriesProductIds: string[];
  /** Suppliers keep replacing what is consumed unless an outage stops them (docs/simulation.md). */
  standingSupply: boolean;
}

/** How the engine reads a scenario, beyond the scenario itself. */
export interface EngineOptions {
  /**
   * When a supplier is out, another supplier of the same component keeps the standing supply going
   * (true, the default; the outage of a multi-sourced component costs nothing). False: every
   * component of an out supplier loses its standing supply (risk exposure's includeMitigated).
   */
  alternativesMitigate: boolean;
}

// ---------------------------------------------------------------- results

export const KPI_NAMES = [
  'fillRate',
  'unitsProduced',
  'unitsShort',
  'lateOrders',
  'revenueLost',
] as const;
export type KpiName = (typeof KPI_NAMES)[number];
export type Kpis = Record<KpiName, number>;

export interface InventoryRow {
  factoryId: string;
  productId: string;
  start: number;
  end: number;
  received: number;
  produced: number;
  consumed: number;
  shipped: number;
  min: number;
}

export interface ProductionRow {
  lineId: string;
  productId: string;
  units: number;
  capacityUnits: number;
}

export interface Stockout {
  factoryId: string;
  productId: string;
  fromDay: number;
  days: number;
}

export interface LateOrder {
  orderId: string;
  daysLate: number;
  /** Units missing at the due date. */
  unitsShort: number;
  /** Units still missing at the end of the horizon. */
  unitsUndelivered: number;
}

/** Per-step values of one product at one factory (step i starts at day[i]). */
export interface SeriesRow {
  factoryId: string;
  productId: string;
  day: number[];
  inventory: number[];
  produced: number[];
  consumed: number[];
  received: number[];
  shipped: number[];
}

/** Everything one run of the engine reports. */
export interface RunDetail {
  kpis: Kpis;
  inventory: InventoryRow[];
  production: ProductionRow[];
  stockouts: Stockout[];
  lateOrders: LateOrder[];
  series: SeriesRow[];
}

export interface Band {
  /** A KPI name, or `baseline.<kpi>`, or `delta.<kpi>`. */
  metric: string;
  p10: number;
  p50: number;
  p90: number;
}

export interface SimulationResult extends Omit<RunDetail, 'kpis'> {
  kpis: Kpis;
  baseline: Kpis;
  /** kpis − baseline (with runs > 1: the median of the per-run differences). */
  delta: Kpis;
  /** Empty when runs = 1. */
  bands: Band[];
  runs: number;
  seed: number;
  steps: number;
  startAt: string;
  horizonDays: number;
  stepHours: number;
  /** With runs > 1, the run whose details (inventory, production, …) are shown. */
  representativeRun: number;
}

/** Monte Carlo: the KPIs of one run, with and without the scenario's changes. */
export interface RunKpis {
  run: number;
  kpis: Kpis;
  baseline: Kpis;
}
