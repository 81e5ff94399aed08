import { badInput } from '../errors';
import type { Graph } from '../graph/executor';
import type { VisibleIds } from '../graph/scope';
import { asProps, asPropsList, num, optNum, optStr, str, type Props } from '../graph/props';
import { ASSET_DOWNTIME_START, SHIPMENT_DELAY_START, SUPPLIER_OUTAGE_START } from './impact.cypher';
import {
  type Closure,
  type ConsumptionInputs,
  flow,
  key,
  lineShape,
  loadClosure,
  loadConsumption,
  station,
} from './impact.load';
import { closurePaths, Paths } from './impact.paths';
import { rank } from './impact.rank';
import { keepClosure, keepPaths } from './impact.scope';
import type {
  Disruption,
  Exposure,
  ImpactComponent,
  ImpactLine,
  ImpactResult,
  LostUnits,
  PathStep,
} from './impact.model';
import { capacityFactor, dailyConsumption, hoursPerDay } from './quantities';

const DAY_MS = 86_400_000;

/**
 * What a disruption puts at risk (docs/analysis.md, "Impact analysis"). At most three Cypher
 * round trips whatever the plant's size: the disrupted twin and its neighbourhood, what consuming
 * the affected components means, and the upward closure with its lines and orders.
 *
 * `visible` (a factory scope's ids; null: unscoped) keeps the report to what the scope sees
 * (docs/security.md, "Factory scopes: analyses"): a disrupted twin it does not see is refused as
 * unknown, only its factories are read, the shared twins it does not see are dropped, and the
 * ranking is worked out from what is left.
 */
export async function analyseImpact(
  graph: Graph,
  disruption: Disruption,
  asOfMs: number,
  includeMitigated: boolean,
  visible: VisibleIds | null = null,
): Promise<ImpactResult> {
  switch (disruption.kind) {
    case 'SUPPLIER_OUTAGE':
      return supplierOutage(graph, disruption, asOfMs, includeMitigated, visible);
    case 'SHIPMENT_DELAY':
      return shipmentDelay(graph, disruption, asOfMs, visible);
    case 'ASSET_DOWNTIME':
      return assetDowntime(graph, disruption, asOfMs, visible);
  }
}

/** The factories the statements read: the scope's, or every one (null). */
const scopeFactories = (visible: VisibleIds | null): string[] | null =>
  visible === null ? null : [...visible.Factory];

/**
 * cons(F,C) for the uses loaded, with each line's capacity factor as its stations stand.
 *
 * A use is one (line, product, component) row, so one PRODUCES link comes once per component of
 * the product and one REQUIRES link once per line making the product: each is passed once, or
 * dailyConsumption would sum out(L,P) × quantity once per pairing (a product with two affected
 * components, made on two lines, counted four times). Exported for the alert sweep's
 * COVER_BELOW_SAFETY rules, which load many shipments' inputs in one loadConsumption.
 */
export function consumption(inputs: ConsumptionInputs): Map<string, Map<string, number>> {
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

/** The closure's lines; a factor already computed (a consuming line) is passed on, others read on demand. */
function closureLines(closure: Closure, inputs?: ConsumptionInputs): ImpactLine[] {
  return closure.lines.map((l) => {
    const shape = inputs?.lines.get(str(l.line, 'id'));
    const c = shape ? capacityFactor(shape.stations, shape.flows) : null;
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
  visible: VisibleIds | null,
): Promise<ImpactResult> {
  const start = (await graph.read(SUPPLIER_OUTAGE_START, { id: d.supplierId }))[0];
  if (!start || (visible !== null && !visible.Supplier.has(d.supplierId))) {
    throw badInput(`unknown supplier "${d.supplierId}": no supplier has that id`);
  }
  const supplierId = d.supplierId;
  const components: ImpactComponent[] = asPropsList(start['components']).flatMap((c) => {
    const product = asProps(c['product']);
    if (visible !== null && !visible.Product.has(str(product, 'id'))) return [];
    const alternatives = asPropsList(c['alternatives']);
    const soleSourced = alternatives.length === 0;
    return [
      {
        product,
        soleSourced,
        // every supplier of a product a scope sees is one it sees too; kept to it all the same
        alternativeSuppliers:
          visible === null
            ? alternatives
            : alternatives.filter((s) => visible.Supplier.has(str(s, 'id'))),
        atRisk: soleSourced || includeMitigated,
      },
    ];
  });
  components.sort((a, b) => str(a.product, 'id').localeCompare(str(b.product, 'id')));
  const atRisk = components.filter((c) => c.atRisk).map((c) => str(c.product, 'id'));
  const windowEndMs = asOfMs + d.days * DAY_MS;

  const factoryIds = scopeFactories(visible);
  const [inputs, loaded] = await Promise.all([
    loadConsumption(graph, atRisk, factoryIds),
    loadClosure(graph, atRisk, factoryIds),
  ]);
  const closure = keepClosure(loaded, visible);
  const cons = consumption(inputs);
  const factoryProps = new Map(closure.lines.map((l) => [l.factoryId, l.factory]));
  const productProps = new Map(closure.products.map((p) => [str(p.product, 'id'), p.product]));
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
        factory: factoryProps.get(factoryId) ?? { id: factoryId, name: factoryId },
        component: productProps.get(componentId) ?? { id: componentId },
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
  const shipments = asPropsList(start['planned']).filter(
    (s) => visible === null || visible.Shipment.has(str(s, 'id')),
  );
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
    lines: closureLines(closure, inputs),
    factories: uniqueFactories(closure),
    orders: ranked.orders,
    shipments,
    exposures,
    lostUnits: [],
    ranking: ranked.ranking,
    paths: keepPaths(paths.all(), visible),
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
  visible: VisibleIds | null,
): Promise<ImpactResult> {
  const start = (await graph.read(SHIPMENT_DELAY_START, { id: d.shipmentId }))[0];
  if (!start || (visible !== null && !visible.Shipment.has(d.shipmentId))) {
    throw badInput(`unknown shipment "${d.shipmentId}": no shipment has that id`);
  }
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
      factory,
      component,
      dailyConsumption: daily,
      onHand,
      inbound,
      daysOfCover: cover,
      shortfallDays: shortfall,
    });
  }
  const alternatives = asPropsList(start['alternatives']).filter(
    (s) => visible === null || visible.Supplier.has(str(s, 'id')),
  );
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
      paths: keepPaths(paths.all(), visible),
    };
  }
  const closure = keepClosure(await loadClosure(graph, [componentId], [factoryId]), visible);
  closurePaths(paths, closure, () => carries);
  paths.set('Factory', factoryId, [
    { from: d.shipmentId, relationship: 'TO', to: factoryId, forward: true },
  ]);
  const ranked = rank(closure, () => ({ shortfallDays: shortfall, lostUnits: 0 }));
  return {
    ...empty,
    components,
    products: ranked.products,
    lines: closureLines(closure, inputs),
    factories: [factory],
    orders: ranked.orders,
    shipments: [shipment],
    exposures,
    ranking: ranked.ranking,
    paths: keepPaths(paths.all(), visible),
  };
}

// ---------------------------------------------------------------------------------------------
// asset downtime

async function assetDowntime(
  graph: Graph,
  d: Extract<Disruption, { kind: 'ASSET_DOWNTIME' }>,
  asOfMs: number,
  visible: VisibleIds | null,
): Promise<ImpactResult> {
  const start = (await graph.read(ASSET_DOWNTIME_START, { id: d.assetId }))[0];
  if (!start || (visible !== null && !visible.Asset.has(d.assetId))) {
    throw badInput(`unknown asset "${d.assetId}": no asset has that id`);
  }
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
  const stations = asPropsList(start['stations']).map(station);
  const flows = asPropsList(start['flows']).map(flow);
  const before = capacityFactor(stations, flows);
  const after = capacityFactor(stations, flows, new Set([d.assetId]));
  const hours = hoursPerDay(lineShape(line));
  const lostUnits: LostUnits[] = asPropsList(start['produces']).map((p) => {
    const product = asProps(p['product']);
    const units = num(p, 'ratePerHour', 0) * (before - after) * d.hours * (hours / 24);
    const price = optNum(product, 'unitPrice');
    return {
      productId: str(product, 'id'),
      product,
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
      paths: keepPaths(paths.all(), visible),
    };
  }
  const made = lostUnits.map((l) => l.productId);
  const closure = keepClosure(await loadClosure(graph, made, [factoryId]), visible);
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
    paths: keepPaths(paths.all(), visible),
  };
}
