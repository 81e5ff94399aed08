import { badInput } from '../errors';
import type { Graph } from '../graph/executor';
import { asProps, num, optNum, optStr, str, type Props } from '../graph/props';
import { ASSET_DOWNTIME_START, SHIPMENT_DELAY_START, SUPPLIER_OUTAGE_START } from './impact.cypher';
import {
  type Closure,
  type ConsumptionInputs,
  flow,
  key,
  lineShape,
  list,
  loadClosure,
  loadConsumption,
  station,
} from './impact.load';
import type {
  Disruption,
  Exposure,
  ImpactComponent,
  ImpactLine,
  ImpactPath,
  ImpactResult,
  LostUnits,
  PathStep,
  Severity,
  TwinKindName,
} from './impact.model';
import { capacityFactor, dailyConsumption, hoursPerDay } from './quantities';

const DAY_MS = 86_400_000;

/**
 * What a disruption puts at risk (docs/analysis.md, "Impact analysis"). At most three Cypher
 * round trips whatever the plant's size: the disrupted twin and its neighbourhood, what consuming
 * the affected components means, and the upward closure with its lines and orders.
 */
export async function analyseImpact(
  graph: Graph,
  disruption: Disruption,
  asOfMs: number,
  includeMitigated: boolean,
): Promise<ImpactResult> {
  switch (disruption.kind) {
    case 'SUPPLIER_OUTAGE':
      return supplierOutage(graph, disruption, asOfMs, includeMitigated);
    case 'SHIPMENT_DELAY':
      return shipmentDelay(graph, disruption, asOfMs);
    case 'ASSET_DOWNTIME':
      return assetDowntime(graph, disruption, asOfMs);
  }
}

/**
 * cons(F,C) for the uses loaded, with each line's capacity factor as its stations stand.
 *
 * A use is one (line, product, component) row, so one PRODUCES link comes once per component of
 * the product and one REQUIRES link once per line making the product: each is passed once, or
 * dailyConsumption would sum out(L,P) × quantity once per pairing (a product with two affected
 * components, made on two lines, counted four times).
 */
function consumption(inputs: ConsumptionInputs): Map<string, Map<string, number>> {
  const lines = new Map(
    [...inputs.lines].map(([id, l]) => [
      id,
      { shape: lineShape(l.line), capacity: capacityFactor(l.stations, l.flows) },
    ]),
  );
  const production = new Map(
    inputs.uses.map((u) => [
      `${u.lineId}|${u.productId}`,
      {
        lineId: u.lineId,
        factoryId: u.factoryId,
        productId: u.productId,
        ratePerHour: u.ratePerHour,
      },
    ]),
  );
  const bom = new Map(
    inputs.uses.map((u) => [
      `${u.productId}|${u.componentId}`,
      { parentId: u.productId, componentId: u.componentId, quantity: u.quantity },
    ]),
  );
  return dailyConsumption([...production.values()], [...bom.values()], lines);
}

// ---------------------------------------------------------------------------------------------
// paths

class Paths {
  private readonly byTwin = new Map<string, ImpactPath>();

  set(kind: TwinKindName, id: string, steps: PathStep[]): void {
    const k = `${kind}:${id}`;
    const known = this.byTwin.get(k);
    if (!known || steps.length < known.steps.length) this.byTwin.set(k, { kind, id, steps });
  }

  get(kind: TwinKindName, id: string): PathStep[] {
    return this.byTwin.get(`${kind}:${id}`)?.steps ?? [];
  }

  has(kind: TwinKindName, id: string): boolean {
    return this.byTwin.has(`${kind}:${id}`);
  }

  all(): ImpactPath[] {
    return [...this.byTwin.values()];
  }
}

/** A chain [P, ..., C] (P requires ... requires C) walked from C up to P. */
function upChain(chain: string[]): PathStep[] {
  const steps: PathStep[] = [];
  for (let i = chain.length - 1; i > 0; i--) {
    const from = chain[i];
    const to = chain[i - 1];
    if (from !== undefined && to !== undefined) {
      steps.push({ from, relationship: 'REQUIRES', to, forward: false });
    }
  }
  return steps;
}

/** Paths of the closure's products, lines, factories and orders, given each start's path. */
function closurePaths(
  paths: Paths,
  closure: Closure,
  startPath: (component: string) => PathStep[],
) {
  for (const p of closure.products) {
    const start = p.chain[p.chain.length - 1];
    if (start === undefined) continue;
    paths.set('Product', str(p.product, 'id'), [...startPath(start), ...upChain(p.chain)]);
  }
  for (const l of closure.lines) {
    const lineId = str(l.line, 'id');
    for (const productId of l.products) {
      paths.set('Line', lineId, [
        ...paths.get('Product', productId),
        { from: productId, relationship: 'PRODUCES', to: lineId, forward: false },
      ]);
    }
    paths.set('Factory', l.factoryId, [
      ...paths.get('Line', lineId),
      { from: lineId, relationship: 'HAS_LINE', to: l.factoryId, forward: false },
    ]);
  }
  for (const o of closure.orders) {
    const orderId = str(o.order, 'id');
    paths.set('Order', orderId, [
      ...paths.get('Product', o.productId),
      { from: o.productId, relationship: 'FOR', to: orderId, forward: false },
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
// ranking

interface Hit {
  shortfallDays: number;
  lostUnits: number;
}

/** How hard a product is hit, at one factory (null: anywhere in the report). */
type HitAt = (p: Closure['products'][number], factoryId: string | null) => Hit;

/**
 * Severity of every affected twin: shortfall days, then lost units, then value at risk.
 * - A product's shortfall is the worst exposure of a component it requires, at any factory; a
 *   line's, a factory's and an order's is the worst at their own factory (falling back to the
 *   product's when that factory consumes none of those components directly).
 * - Units at risk: a product's lost units, or else its open orders in the report; an order's
 *   quantity, capped by its product's lost units for a downtime. Value = units × unitPrice
 *   (null without a price); a line's and a factory's value is that of the orders at their
 *   factory for what they make.
 */
function rank(
  closure: Closure,
  hitAt: HitAt,
): { ranking: Severity[]; products: Props[]; orders: Props[] } {
  const byId = new Map(closure.products.map((p) => [str(p.product, 'id'), p]));
  const price = (productId: string): number | null => {
    const p = byId.get(productId);
    return p ? optNum(p.product, 'unitPrice') : null;
  };
  const worst = (productIds: string[], factoryId: string | null): Hit => {
    const hits = productIds.flatMap((id) => {
      const p = byId.get(id);
      return p ? [hitAt(p, factoryId)] : [];
    });
    return {
      shortfallDays: Math.max(0, ...hits.map((h) => h.shortfallDays)),
      lostUnits: Math.max(0, ...hits.map((h) => h.lostUnits)),
    };
  };
  const orders: Severity[] = closure.orders.map((o) => {
    const hit = worst([o.productId], o.factoryId);
    const quantity = num(o.order, 'quantity', 0);
    const units = hit.lostUnits > 0 ? Math.min(quantity, hit.lostUnits) : quantity;
    const unitPrice = price(o.productId);
    return {
      kind: 'Order',
      id: str(o.order, 'id'),
      ...hit,
      valueAtRisk: unitPrice === null ? null : units * unitPrice,
    };
  });
  const orderValue = (factoryId: string | null, productIds: Set<string>): number | null => {
    const values = closure.orders.flatMap((o, i) =>
      productIds.has(o.productId) && (factoryId === null || o.factoryId === factoryId)
        ? [orders[i]?.valueAtRisk ?? null]
        : [],
    );
    return values.some((v) => v !== null) ? values.reduce<number>((a, v) => a + (v ?? 0), 0) : null;
  };
  const products: Severity[] = closure.products.map((p) => {
    const id = str(p.product, 'id');
    const hit = hitAt(p, null);
    const unitPrice = price(id);
    return {
      kind: 'Product',
      id,
      ...hit,
      valueAtRisk:
        hit.lostUnits > 0
          ? unitPrice === null
            ? null
            : hit.lostUnits * unitPrice
          : orderValue(null, new Set([id])),
    };
  });
  const lines: Severity[] = closure.lines.map((l) => ({
    kind: 'Line',
    id: str(l.line, 'id'),
    ...worst(l.products, l.factoryId),
    valueAtRisk: orderValue(l.factoryId, new Set(l.products)),
  }));
  const factoryProducts = new Map<string, Set<string>>();
  for (const l of closure.lines) {
    const set = factoryProducts.get(l.factoryId) ?? new Set<string>();
    for (const p of l.products) set.add(p);
    factoryProducts.set(l.factoryId, set);
  }
  const factories: Severity[] = [...factoryProducts].map(([id, ps]) => ({
    kind: 'Factory',
    id,
    ...worst([...ps], id),
    valueAtRisk: orderValue(id, ps),
  }));
  const ranking = [...products, ...lines, ...factories, ...orders].sort(bySeverity);
  const order = new Map(ranking.map((r, i) => [`${r.kind}:${r.id}`, i]));
  const at = (kind: string, id: string) => order.get(`${kind}:${id}`) ?? Infinity;
  return {
    ranking,
    products: closure.products
      .map((p) => p.product)
      .sort((a, b) => at('Product', str(a, 'id')) - at('Product', str(b, 'id'))),
    orders: closure.orders
      .map((o) => o.order)
      .sort((a, b) => at('Order', str(a, 'id')) - at('Order', str(b, 'id'))),
  };
}

export function bySeverity(a: Severity, b: Severity): number {
  return (
    b.shortfallDays - a.shortfallDays ||
    b.lostUnits - a.lostUnits ||
    (b.valueAtRisk ?? -1) - (a.valueAtRisk ?? -1) ||
    a.kind.localeCompare(b.kind) ||
    a.id.localeCompare(b.id)
  );
}

function closureLines(closure: Closure): ImpactLine[] {
  return closure.lines.map((l) => {
    const c = capacityFactor(l.stations, l.flows);
    return { line: l.line, capacityFactorBefore: c, capacityFactorAfter: c };
  });
}

function uniqueFactories(closure: Closure): Props[] {
  const seen = new Map<string, Props>();
  for (const l of closure.lines) if (!seen.has(l.factoryId)) seen.set(l.factoryId, l.factory);
  return [...seen.values()].sort((a, b) => str(a, 'id').localeCompare(str(b, 'id')));
}

const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------
// supplier outage

async function supplierOutage(
  graph: Graph,
  d: Extract<Disruption, { kind: 'SUPPLIER_OUTAGE' }>,
  asOfMs: number,
  includeMitigated: boolean,
): Promise<ImpactResult> {
  const start = (await graph.read(SUPPLIER_OUTAGE_START, { id: d.supplierId }))[0];
  if (!start) throw badInput(`unknown supplier "${d.supplierId}": no supplier has that id`);
  const supplierId = d.supplierId;
  const components: ImpactComponent[] = list(start['components']).map((c) => {
    const alternativeSuppliers = list(c['alternatives']);
    const soleSourced = alternativeSuppliers.length === 0;
    return {
      product: asProps(c['product']),
      soleSourced,
      alternativeSuppliers,
      atRisk: soleSourced || includeMitigated,
    };
  });
  components.sort((a, b) => str(a.product, 'id').localeCompare(str(b.product, 'id')));
  const atRisk = components.filter((c) => c.atRisk).map((c) => str(c.product, 'id'));
  const windowEndMs = asOfMs + d.days * DAY_MS;

  const [inputs, closure] = await Promise.all([
    loadConsumption(graph, atRisk, null),
    loadClosure(graph, atRisk, null),
  ]);
  const cons = consumption(inputs);
  const exposures: Exposure[] = [];
  for (const [factoryId, perComponent] of cons) {
    for (const [componentId, daily] of perComponent) {
      const onHand = inputs.onHand.get(key(factoryId, componentId)) ?? 0;
      const inbound = inputs.inbound
        .filter(
          (s) =>
            s.factoryId === factoryId &&
            s.componentId === componentId &&
            s.etaMs >= asOfMs &&
            s.etaMs <= windowEndMs,
        )
        .reduce((sum, s) => sum + s.quantity, 0);
      const daysOfCover = (onHand + inbound) / daily;
      exposures.push({
        factoryId,
        componentId,
        dailyConsumption: daily,
        onHand,
        inbound,
        daysOfCover,
        shortfallDays: Math.max(0, d.days - daysOfCover),
      });
    }
  }
  exposures.sort(byShortfall);

  const paths = new Paths();
  const supplies = (c: string): PathStep[] => [
    { from: supplierId, relationship: 'SUPPLIES', to: c, forward: true },
  ];
  for (const c of components)
    paths.set('Product', str(c.product, 'id'), supplies(str(c.product, 'id')));
  closurePaths(paths, closure, supplies);
  const shipments = list(start['planned']);
  for (const s of shipments) {
    const id = str(s, 'id');
    paths.set('Shipment', id, [{ from: supplierId, relationship: 'FROM', to: id, forward: false }]);
  }

  const worstShortfall = new Map<string, number>();
  for (const e of exposures) {
    worstShortfall.set(
      e.componentId,
      Math.max(worstShortfall.get(e.componentId) ?? 0, e.shortfallDays),
    );
  }
  const atFactory = new Map(exposures.map((e) => [key(e.factoryId, e.componentId), e]));
  const ranked = rank(closure, (p, factoryId) => {
    const own =
      factoryId === null ? [] : p.reaches.flatMap((c) => atFactory.get(key(factoryId, c)) ?? []);
    // a factory that consumes none of the components directly takes the product's worst
    const shortfalls =
      own.length > 0
        ? own.map((e) => e.shortfallDays)
        : p.reaches.map((c) => worstShortfall.get(c) ?? 0);
    return { shortfallDays: Math.max(0, ...shortfalls), lostUnits: 0 };
  });
  return {
    disruption: d,
    asOf: iso(asOfMs),
    windowEnd: iso(windowEndMs),
    components,
    products: ranked.products,
    lines: closureLines(closure),
    factories: uniqueFactories(closure),
    orders: ranked.orders,
    shipments,
    exposures,
    lostUnits: [],
    ranking: ranked.ranking,
    paths: paths.all(),
  };
}

function byShortfall(a: Exposure, b: Exposure): number {
  return (
    b.shortfallDays - a.shortfallDays ||
    a.daysOfCover - b.daysOfCover ||
    a.factoryId.localeCompare(b.factoryId) ||
    a.componentId.localeCompare(b.componentId)
  );
}

// ---------------------------------------------------------------------------------------------
// shipment delay

async function shipmentDelay(
  graph: Graph,
  d: Extract<Disruption, { kind: 'SHIPMENT_DELAY' }>,
  asOfMs: number,
): Promise<ImpactResult> {
  const start = (await graph.read(SHIPMENT_DELAY_START, { id: d.shipmentId }))[0];
  if (!start) throw badInput(`unknown shipment "${d.shipmentId}": no shipment has that id`);
  const shipment = asProps(start['shipment']);
  const component = start['component'] ? asProps(start['component']) : null;
  const factory = start['factory'] ? asProps(start['factory']) : null;
  const etaMs = Date.parse(optStr(shipment, 'eta') ?? '');
  const e = Number.isNaN(etaMs) ? 0 : (etaMs - asOfMs) / DAY_MS;
  const eLate = e + d.days;
  // e' as a time: a shipment due exactly then is in time whatever the rounding of days after asOf
  const lateMs = (Number.isNaN(etaMs) ? asOfMs : etaMs) + d.days * DAY_MS;
  const empty = {
    disruption: d,
    asOf: iso(asOfMs),
    windowEnd: iso(lateMs),
    lostUnits: [],
  };
  if (!component || !factory) {
    return {
      ...empty,
      components: [],
      products: [],
      lines: [],
      factories: [],
      orders: [],
      shipments: [shipment],
      exposures: [],
      ranking: [],
      paths: [{ kind: 'Shipment', id: d.shipmentId, steps: [] }],
    };
  }
  const componentId = str(component, 'id');
  const factoryId = str(factory, 'id');
  const inputs = await loadConsumption(graph, [componentId], [factoryId]);
  const daily = consumption(inputs).get(factoryId)?.get(componentId) ?? 0;
  const exposures: Exposure[] = [];
  let shortfall = 0;
  if (daily > 0) {
    const onHand = inputs.onHand.get(key(factoryId, componentId)) ?? 0;
    const inbound = inputs.inbound
      .filter(
        (s) =>
          s.id !== d.shipmentId &&
          s.factoryId === factoryId &&
          s.componentId === componentId &&
          s.etaMs <= lateMs,
      )
      .reduce((sum, s) => sum + s.quantity, 0);
    const cover = (onHand + inbound) / daily;
    shortfall = Math.max(0, eLate - Math.max(cover, e));
    exposures.push({
      factoryId,
      componentId,
      dailyConsumption: daily,
      onHand,
      inbound,
      daysOfCover: cover,
      shortfallDays: shortfall,
    });
  }
  const alternatives = list(start['alternatives']);
  const components: ImpactComponent[] = [
    {
      product: component,
      soleSourced: alternatives.length === 0,
      alternativeSuppliers: alternatives,
      atRisk: shortfall > 0,
    },
  ];
  const paths = new Paths();
  // the delayed shipment is listed in the report's shipments: the disrupted twin itself, explained
  // by the empty path
  paths.set('Shipment', d.shipmentId, []);
  const carries: PathStep[] = [
    { from: d.shipmentId, relationship: 'CARRIES', to: componentId, forward: true },
  ];
  paths.set('Product', componentId, carries);
  if (shortfall <= 0) {
    return {
      ...empty,
      components,
      products: [],
      lines: [],
      factories: [],
      orders: [],
      shipments: [shipment],
      exposures,
      ranking: [],
      paths: paths.all(),
    };
  }
  const closure = await loadClosure(graph, [componentId], [factoryId]);
  closurePaths(paths, closure, () => carries);
  paths.set('Factory', factoryId, [
    { from: d.shipmentId, relationship: 'TO', to: factoryId, forward: true },
  ]);
  const ranked = rank(closure, () => ({ shortfallDays: shortfall, lostUnits: 0 }));
  return {
    ...empty,
    components,
    products: ranked.products,
    lines: closureLines(closure),
    factories: [factory],
    orders: ranked.orders,
    shipments: [shipment],
    exposures,
    ranking: ranked.ranking,
    paths: paths.all(),
  };
}

// ---------------------------------------------------------------------------------------------
// asset downtime

async function assetDowntime(
  graph: Graph,
  d: Extract<Disruption, { kind: 'ASSET_DOWNTIME' }>,
  asOfMs: number,
): Promise<ImpactResult> {
  const start = (await graph.read(ASSET_DOWNTIME_START, { id: d.assetId }))[0];
  if (!start) throw badInput(`unknown asset "${d.assetId}": no asset has that id`);
  const windowEnd = iso(asOfMs + d.hours * 3_600_000);
  const base = { disruption: d, asOf: iso(asOfMs), windowEnd, components: [], exposures: [] };
  if (!start['line']) {
    return {
      ...base,
      products: [],
      lines: [],
      factories: [],
      orders: [],
      shipments: [],
      lostUnits: [],
      ranking: [],
      paths: [],
    };
  }
  const line = asProps(start['line']);
  const lineId = str(line, 'id');
  const factoryId = String(start['factoryId']);
  const stations = list(start['stations']).map(station);
  const flows = list(start['flows']).map(flow);
  const before = capacityFactor(stations, flows);
  const after = capacityFactor(stations, flows, new Set([d.assetId]));
  const hours = hoursPerDay(lineShape(line));
  const lostUnits: LostUnits[] = list(start['produces']).map((p) => {
    const product = asProps(p['product']);
    const units = num(p, 'ratePerHour', 0) * (before - after) * d.hours * (hours / 24);
    const price = optNum(product, 'unitPrice');
    return {
      productId: str(product, 'id'),
      units,
      valueAtRisk: price === null ? null : units * price,
    };
  });
  lostUnits.sort(
    (a, b) =>
      b.units - a.units ||
      (b.valueAtRisk ?? -1) - (a.valueAtRisk ?? -1) ||
      a.productId.localeCompare(b.productId),
  );
  const theLine: ImpactLine = { line, capacityFactorBefore: before, capacityFactorAfter: after };
  const paths = new Paths();
  const hasAsset: PathStep[] = [
    { from: d.assetId, relationship: 'HAS_ASSET', to: lineId, forward: false },
  ];
  paths.set('Line', lineId, hasAsset);
  if (!lostUnits.some((l) => l.units > 0)) {
    return {
      ...base,
      products: [],
      lines: [theLine],
      factories: [],
      orders: [],
      shipments: [],
      lostUnits,
      ranking: [],
      paths: paths.all(),
    };
  }
  const made = lostUnits.map((l) => l.productId);
  const closure = await loadClosure(graph, made, [factoryId]);
  const produces = (p: string): PathStep[] => [
    ...hasAsset,
    { from: lineId, relationship: 'PRODUCES', to: p, forward: true },
  ];
  closurePaths(paths, closure, produces);
  paths.set('Line', lineId, hasAsset);
  paths.set('Factory', factoryId, [
    ...hasAsset,
    { from: lineId, relationship: 'HAS_LINE', to: factoryId, forward: false },
  ]);
  const lost = new Map(lostUnits.map((l) => [l.productId, l.units]));
  const ranked = rank(closure, (p) => ({
    shortfallDays: 0,
    lostUnits: Math.max(0, ...p.reaches.map((c) => lost.get(c) ?? 0)),
  }));
  const lines = closureLines(closure).filter((l) => str(l.line, 'id') !== lineId);
  return {
    ...base,
    products: ranked.products,
    lines: [theLine, ...lines],
    factories: uniqueFactories(closure),
    orders: ranked.orders,
    shipments: [],
    lostUnits,
    ranking: ranked.ranking,
    paths: paths.all(),
  };
}
