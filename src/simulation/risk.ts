import { dailyConsumption, isUsableStatus } from '../impact/quantities';
import { factorCache } from './capacity';
import { catalogue } from './compile.inputs';
import { applyChanges, cmp, compileBase, type CompiledModel } from './compile';
import { runKpis } from './engine';
import type { Kpis, Scenario, Snapshot } from './model';

/*
 * Risk exposure of a whole supply base (domain.md §4b, docs/analysis.md "Risk exposure"): per
 * supplier, time to survive (TTS) from the shared quantities, time to recover (TTR), and the
 * performance impact of an outage of TTR days from the simulation engine. Pure: it works on one
 * snapshot of the whole network, so ranking every supplier costs one load.
 */

const DAY_MS = 86_400_000;
/** Days simulated after the recovery, so late effects of the outage show (domain.md §4b). */
export const AFTER_RECOVERY_DAYS = 30;
export const DEFAULT_RECOVERY_DAYS = 14;

export interface RiskOptions {
  asOfMs: number;
  /** TTR of a supplier without its own recoveryDays. */
  recoveryDays: number;
  /** Dual-sourced components count too (and lose their supply in the simulated outage). */
  includeMitigated: boolean;
}

export interface RiskComponentRow {
  factoryId: string;
  componentId: string;
  dailyConsumption: number;
  onHand: number;
  timeToSurvive: number;
}

export interface SupplierRiskRow {
  supplierId: string;
  timeToSurvive: number | null;
  timeToRecover: number;
  revenueLost: number;
  unitsShort: number;
  riskExposureIndex: number;
  atRisk: boolean;
  /** The exposure rows, shortest survival first. */
  components: RiskComponentRow[];
}

/** Every supplier, ranked: REI descending, then TTS ascending (unbounded last), then id. */
export function riskExposure(snapshot: Snapshot, options: RiskOptions): SupplierRiskRow[] {
  const split = byFactory(snapshot);
  const cons = consumption(snapshot);
  const { suppliersOf } = catalogue(snapshot);
  const bases = new Map<string, FactoryBase>();
  const inbound = inboundByRow(snapshot, options.asOfMs);

  const rows = snapshot.suppliers.map((supplier): SupplierRiskRow => {
    const components = [
      ...new Set(
        snapshot.supplies.filter((s) => s.supplierId === supplier.id).map((s) => s.productId),
      ),
    ].filter((c) => options.includeMitigated || (suppliersOf.get(c) ?? []).length === 1);
    const exposures = exposureRows(snapshot, cons, inbound, new Set(components));
    const tts = exposures.length === 0 ? null : Math.min(...exposures.map((e) => e.timeToSurvive));
    const ttr = supplier.recoveryDays ?? options.recoveryDays;

    // only the factories whose supply the outage touches can lose anything: the rest of the
    // network runs the same with and without it (factories share no material in the model)
    const touched = new Set(exposures.map((e) => e.factoryId));
    for (const sh of snapshot.shipments) {
      if (sh.supplierId === supplier.id && sh.status === 'PLANNED' && sh.factoryId !== null) {
        touched.add(sh.factoryId);
      }
    }
    let revenueLost = 0;
    let unitsShort = 0;
    for (const factoryId of [...touched].sort()) {
      const part = split.get(factoryId);
      if (part === undefined) continue;
      const impact = outageImpact(part, factoryId, supplier.id, ttr, options, bases);
      revenueLost += impact.revenueLost;
      unitsShort += impact.unitsShort;
    }
    return {
      supplierId: supplier.id,
      timeToSurvive: tts,
      timeToRecover: ttr,
      revenueLost,
      unitsShort,
      riskExposureIndex: 0,
      atRisk: tts !== null && tts < ttr,
      components: exposures,
    };
  });

  const worst = Math.max(0, ...rows.map((r) => r.revenueLost));
  for (const r of rows) r.riskExposureIndex = worst > 0 ? r.revenueLost / worst : 0;
  return rows.sort(
    (a, b) =>
      b.riskExposureIndex - a.riskExposureIndex ||
      (a.timeToSurvive ?? Infinity) - (b.timeToSurvive ?? Infinity) ||
      cmp(a.supplierId, b.supplierId),
  );
}

/** cons(F,C) over the whole network at the lines' current capacity factors. */
function consumption(snapshot: Snapshot): Map<string, Map<string, number>> {
  const lines = new Map(
    snapshot.lines.map((l) => [
      l.id,
      {
        shape: { shiftsPerDay: l.shiftsPerDay, hoursPerShift: l.hoursPerShift },
        // the stations down now, through the engine's cache of max flows (the same sets come back)
        capacity: factorCache(l)(
          l.stations.flatMap((s, i) => (isUsableStatus(s.status) ? [] : [i])),
        ),
      },
    ]),
  );
  return dailyConsumption(snapshot.production, snapshot.bom, lines);
}

/**
 * TTS of each (factory, component) row (domain.md §4b): inbound IN_TRANSIT or DELAYED shipments
 * with eta ≥ asOf in eta order; cover after k arrivals c_k = (onHand + q1 + … + qk) / cons; the row
 * survives c_k days for the first k whose next arrival comes after c_k (one exactly at c_k is in
 * time), or c_n when all arrive in time.
 */
export function exposureRows(
  snapshot: Snapshot,
  cons: ReadonlyMap<string, ReadonlyMap<string, number>>,
  inbound: ReadonlyMap<string, { day: number; quantity: number }[]>,
  components: ReadonlySet<string>,
): RiskComponentRow[] {
  const onHand = new Map(snapshot.stock.map((s) => [rowKey(s.factoryId, s.productId), s.quantity]));
  const rows: RiskComponentRow[] = [];
  for (const [factoryId, perComponent] of cons) {
    for (const [componentId, daily] of perComponent) {
      if (!components.has(componentId) || !(daily > 0)) continue;
      const stock = onHand.get(rowKey(factoryId, componentId)) ?? 0;
      let have = stock;
      let survive = have / daily;
      for (const a of inbound.get(rowKey(factoryId, componentId)) ?? []) {
        if (a.day > survive) break;
        have += a.quantity;
        survive = have / daily;
      }
      rows.push({
        factoryId,
        componentId,
        dailyConsumption: daily,
        onHand: stock,
        timeToSurvive: survive,
      });
    }
  }
  return rows.sort(
    (a, b) =>
      a.timeToSurvive - b.timeToSurvive ||
      cmp(a.factoryId, b.factoryId) ||
      cmp(a.componentId, b.componentId),
  );
}

const rowKey = (factoryId: string, productId: string): string => `${factoryId}\u0000${productId}`;

/** IN_TRANSIT and DELAYED shipments with eta ≥ asOf per (factory, component), in eta order (days after asOf). */
export function inboundByRow(
  snapshot: Snapshot,
  asOfMs: number,
): Map<string, { day: number; quantity: number }[]> {
  const result = new Map<string, { day: number; quantity: number }[]>();
  for (const s of snapshot.shipments) {
    if (s.status !== 'IN_TRANSIT' && s.status !== 'DELAYED') continue;
    if (s.etaMs === null || s.etaMs < asOfMs || s.factoryId === null || s.productId === null)
      continue;
    const key = rowKey(s.factoryId, s.productId);
    const list = result.get(key) ?? [];
    list.push({ day: (s.etaMs - asOfMs) / DAY_MS, quantity: s.quantity });
    result.set(key, list);
  }
  for (const list of result.values()) list.sort((a, b) => a.day - b.day);
  return result;
}

/** A factory's compiled base and baseline KPIs for one horizon, shared by every supplier's outage. */
interface FactoryBase {
  model: CompiledModel;
  baseline: Kpis;
}

/** revenueLost and unitsShort of the simulation's delta for "S out from asOf for TTR days" at one factory. */
function outageImpact(
  part: Snapshot,
  factoryId: string,
  supplierId: string,
  ttr: number,
  options: RiskOptions,
  bases: Map<string, FactoryBase>,
): { revenueLost: number; unitsShort: number } {
  const scenario: Scenario = {
    startMs: options.asOfMs,
    horizonDays: ttr + AFTER_RECOVERY_DAYS,
    stepHours: 24,
    factoryIds: [factoryId],
    runs: 1,
    seed: 1,
    seriesProductIds: [],
    standingSupply: true,
    supplierOutages: ttr > 0 ? [{ supplierId, startDay: 0, days: ttr }] : [],
    shipmentDelays: [],
    assetDowntimes: [],
    maintenanceWindows: [],
    shiftChanges: [],
    demandChanges: [],
  };
  const key = `${factoryId}\u0000${scenario.horizonDays}`;
  let base = bases.get(key);
  if (base === undefined) {
    const model = compileBase(part, scenario);
    base = { model, baseline: runKpis(model, 0, false) };
    bases.set(key, base);
  }
  const model = applyChanges(base.model, part, scenario, {
    alternativesMitigate: !options.includeMitigated,
  });
  const changed = runKpis(model, 0, true);
  return {
    revenueLost: changed.revenueLost - base.baseline.revenueLost,
    unitsShort: changed.unitsShort - base.baseline.unitsShort,
  };
}

/** One snapshot per factory (products, BOM, suppliers and supplies shared), so each run compiles only its factory. */
export function byFactory(snapshot: Snapshot): Map<string, Snapshot> {
  const parts = new Map<string, Snapshot>(
    snapshot.factories.map((f) => [
      f.id,
      {
        factories: [f],
        lines: [],
        production: [],
        bom: snapshot.bom,
        products: snapshot.products,
        suppliers: snapshot.suppliers,
        supplies: snapshot.supplies,
        stock: [],
        shipments: [],
        orders: [],
      },
    ]),
  );
  for (const l of snapshot.lines) parts.get(l.factoryId)?.lines.push(l);
  for (const p of snapshot.production) parts.get(p.factoryId)?.production.push(p);
  for (const s of snapshot.stock) parts.get(s.factoryId)?.stock.push(s);
  for (const s of snapshot.shipments)
    if (s.factoryId !== null) parts.get(s.factoryId)?.shipments.push(s);
  for (const o of snapshot.orders) parts.get(o.factoryId)?.orders.push(o);
  return parts;
}
