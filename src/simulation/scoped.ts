import type { Graph } from '../graph/executor';
import { Scope, SCOPED_LABELS, type ScopedLabel, type VisibleIds } from '../graph/scope';
import type { SimulationResult, Snapshot } from './model';
import type { SupplierRiskRow } from './risk';
import type { ScenarioInput } from './scenario';
import { EXISTING_TWINS } from './scenario.cypher';
import { parseStoredInput } from './scenario.records';
import type { SavedScenario } from './scenario.type';
import { loadSnapshot } from './snapshot.load';

/*
 * Simulations, risk exposure and saved scenarios as a factory scope sees them (docs/security.md,
 * "Factory scopes: analyses"). Factories share no material in the model, so a scope's part of a
 * simulation is the simulation of its factories alone: a scoped run reads only them, with the
 * shared twins (products, suppliers, supplies, BOM links) kept to what the scope sees, so an id
 * it does not see is refused by the scenario's validation exactly like an unknown one, and every
 * figure (KPIs, baseline, bands, risk exposure index) is worked out from its factories only.
 * `visible` null, `scope` null: an unscoped credential; nothing changes.
 */

/**
 * The factories a run covers: those a scenario names (`factoryIds`), kept to the scope's
 * factories; the scope's when it names none; null (every factory) when neither limits it.
 * A named factory outside the scope is not read, so validation reports it as unknown.
 */
export function runFactories(
  named: readonly string[] | null | undefined,
  scope: readonly string[] | null,
): string[] | null {
  if (scope === null) return named ? [...named] : null;
  if (named === null || named === undefined) return [...scope];
  return named.filter((id) => scope.includes(id));
}

/** The snapshot without what the scope does not see (its factories' parts are all seen). */
export function scopeSnapshot(snapshot: Snapshot, visible: VisibleIds | null): Snapshot {
  if (visible === null) return snapshot;
  const product = (id: string | null) => id !== null && visible.Product.has(id);
  return {
    factories: snapshot.factories.filter((f) => visible.Factory.has(f.id)),
    lines: snapshot.lines.filter((l) => visible.Line.has(l.id) && visible.Factory.has(l.factoryId)),
    production: snapshot.production.filter(
      (p) => visible.Line.has(p.lineId) && product(p.productId),
    ),
    bom: snapshot.bom.filter((b) => product(b.parentId) && product(b.componentId)),
    products: snapshot.products.filter((p) => product(p.id)),
    suppliers: snapshot.suppliers.filter((s) => visible.Supplier.has(s.id)),
    supplies: snapshot.supplies.filter(
      (s) => visible.Supplier.has(s.supplierId) && product(s.productId),
    ),
    stock: snapshot.stock.filter((s) => visible.Factory.has(s.factoryId) && product(s.productId)),
    shipments: snapshot.shipments.filter((s) => visible.Shipment.has(s.id)),
    orders: snapshot.orders.filter((o) => visible.Order.has(o.id)),
  };
}

/** The snapshot a scenario runs on: its factories within the scope, as the scope sees them. */
export async function loadScopedSnapshot(
  graph: Graph,
  input: Pick<ScenarioInput, 'factoryIds'>,
  scope: readonly string[] | null,
  visible: VisibleIds | null,
): Promise<Snapshot> {
  const snapshot = await loadSnapshot(graph, runFactories(input.factoryIds, scope));
  return scopeSnapshot(snapshot, visible);
}

/** What a scope recorded on a saved scenario sees, read now (null: unscoped). */
export function visibleTo(
  graph: Graph,
  scope: readonly string[] | null,
): Promise<VisibleIds | null> {
  return scope === null ? Promise.resolve(null) : new Scope(graph, graph, scope, 0).visible();
}

/**
 * A result's rows without the twins the scope does not see, before their twins are resolved
 * (twin-ref.ts would show a twin it cannot load by its id). A scoped run has only its own rows
 * already; a stored result read by a scope is filtered the same way.
 */
export function scopeResult(
  result: SimulationResult,
  visible: VisibleIds | null,
): SimulationResult {
  if (visible === null) return result;
  const at = (r: { factoryId: string; productId: string }) =>
    visible.Factory.has(r.factoryId) && visible.Product.has(r.productId);
  return {
    ...result,
    inventory: result.inventory.filter(at),
    production: result.production.filter(
      (r) => visible.Line.has(r.lineId) && visible.Product.has(r.productId),
    ),
    stockouts: result.stockouts.filter(at),
    lateOrders: result.lateOrders.filter((r) => visible.Order.has(r.orderId)),
    series: result.series.filter(at),
  };
}

/** Risk rows of the suppliers the scope sees, with their rows at its factories. */
export function scopeRisk(rows: SupplierRiskRow[], visible: VisibleIds | null): SupplierRiskRow[] {
  if (visible === null) return rows;
  return rows
    .filter((r) => visible.Supplier.has(r.supplierId))
    .map((r) => ({
      ...r,
      components: r.components.filter(
        (c) => visible.Factory.has(c.factoryId) && visible.Product.has(c.componentId),
      ),
    }));
}

/** Every twin a scenario's definition names, by label. */
export function namedTwins(input: ScenarioInput): Record<ScopedLabel, string[]> {
  const named = emptyIds();
  for (const o of input.supplierOutages ?? []) named.Supplier.push(o.supplierId);
  for (const d of input.shipmentDelays ?? []) named.Shipment.push(d.shipmentId);
  for (const w of [...(input.assetDowntimes ?? []), ...(input.maintenanceWindows ?? [])])
    named.Asset.push(w.assetId);
  for (const c of input.shiftChanges ?? []) named.Line.push(c.lineId);
  for (const c of input.demandChanges ?? []) named.Product.push(c.productId);
  named.Product.push(...(input.seriesProductIds ?? []));
  named.Factory.push(...(input.factoryIds ?? []));
  return named;
}

function emptyIds(): Record<ScopedLabel, string[]> {
  return {
    Factory: [],
    Line: [],
    Asset: [],
    Product: [],
    Supplier: [],
    Shipment: [],
    Order: [],
  };
}

/** The `label:id` of each twin of `ids` that exists, whoever may see it (one round trip). */
async function existing(graph: Graph, ids: Record<ScopedLabel, string[]>): Promise<Set<string>> {
  const rows = await graph.read(EXISTING_TWINS, ids);
  return new Set(rows.map((r) => `${String(r['label'])}:${String(r['id'])}`));
}

/**
 * Whether a scope sees each saved scenario (null: none, so not seen). The rule (docs/security.md,
 * "Factory scopes: analyses"): a scoped credential sees a scenario when
 * - it can only have run inside the scope's factories: the factories of its runs (`factoryIds`
 *   of its definition, within the scope recorded when it was saved) are all factories of the
 *   scope; a scenario that runs every factory (saved unscoped, naming no factory) is not seen;
 * - and every twin its definition names is one the scope sees, or one that no longer exists (an
 *   id nobody sees tells nothing).
 * A stored input that cannot be read is not seen. An unscoped credential sees every scenario.
 */
export async function scenariosSeen(
  graph: Graph,
  scope: Scope,
  scenarios: readonly (SavedScenario | null)[],
): Promise<boolean[]> {
  if (scope.all) return scenarios.map((s) => s !== null);
  const visible = await scope.visible();
  if (visible === null) return scenarios.map((s) => s !== null);
  const unseen = emptyIds();
  const named = scenarios.map((s) => {
    if (s === null) return null;
    let input: ScenarioInput;
    try {
      input = parseStoredInput(s.inputJson, s.id);
    } catch {
      return null;
    }
    const run = runFactories(input.factoryIds, s.scopeFactoryIds);
    if (run === null || !run.every((f) => scope.seesFactory(f))) return null;
    const twins = namedTwins(input);
    const hidden: string[] = [];
    for (const label of SCOPED_LABELS) {
      for (const id of twins[label]) {
        if (visible[label].has(id)) continue;
        unseen[label].push(id);
        hidden.push(`${label}:${id}`);
      }
    }
    return hidden;
  });
  const any = SCOPED_LABELS.some((label) => unseen[label].length > 0);
  const exists = any ? await existing(graph, unseen) : new Set<string>();
  return named.map((hidden) => hidden !== null && hidden.every((t) => !exists.has(t)));
}

export async function scenarioSeen(
  graph: Graph,
  scope: Scope,
  scenario: SavedScenario | null,
): Promise<boolean> {
  return (await scenariosSeen(graph, scope, [scenario]))[0] ?? false;
}
