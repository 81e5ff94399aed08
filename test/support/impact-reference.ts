import type { Disruption } from '../../src/impact/impact.model';
import type { AssetRow, TwinDocument } from '../../src/twins/import/document';

/*
 * A straightforward in-memory reading of domain.md §3 and §4 over a validated twin-graph document:
 * plain loops over the document's arrays, no graph, no shared code with src/impact/ (the capacity
 * factor included: a brute-force minimum node cut, fine for lines of a handful of stations). The
 * impact property test compares the Cypher-backed analysis with it.
 *
 * Times are compared in integer milliseconds (eta ≤ asOf + D·24 h), so a shipment exactly on a
 * window edge is inside whatever the floating-point rounding of "days after asOf".
 */

const DAY_MS = 86_400_000;

export interface ReferenceComponent {
  id: string;
  soleSourced: boolean;
  alternativeIds: string[];
  atRisk: boolean;
}

export interface ReferenceExposure {
  factoryId: string;
  componentId: string;
  dailyConsumption: number;
  onHand: number;
  inbound: number;
  daysOfCover: number;
  shortfallDays: number;
}

export interface ReferenceLine {
  lineId: string;
  capacityBefore: number;
  capacityAfter: number;
}

export interface ReferenceImpact {
  components: ReferenceComponent[];
  productIds: Set<string>;
  lines: ReferenceLine[];
  factoryIds: Set<string>;
  orderIds: Set<string>;
  shipmentIds: Set<string>;
  exposures: ReferenceExposure[];
  /** productId → units lost (asset downtime: every product of the line, 0 included). */
  lostUnits: Map<string, number>;
}

// ---------------------------------------------------------------------------------------------
// §3: shared quantities

/** H(L) = shiftsPerDay × hoursPerShift */
function hoursPerDay(doc: TwinDocument, lineId: string): number {
  for (const l of doc.lines) if (l.id === lineId) return l.shiftsPerDay * l.hoursPerShift;
  throw new Error(`no line ${lineId}`);
}

/**
 * Max flow through the line's stations with node capacities `rate`, by max-flow = min-cut: the
 * smallest total rate of a set of stations that every source-to-sink path passes through
 * (sources: stations without an incoming FEEDS inside the line; sinks: without an outgoing one).
 * Brute force over every subset of stations.
 */
function maxFlowByMinCut(assets: AssetRow[], doc: TwinDocument, rate: (a: AssetRow) => number) {
  const ids = assets.map((a) => a.id);
  const inLine = new Set(ids);
  const flows = doc.flows.filter((f) => inLine.has(f.from) && inLine.has(f.to));
  const paths: string[][] = [];
  const walk = (path: string[]) => {
    const last = path[path.length - 1];
    const next = flows.filter((f) => f.from === last).map((f) => f.to);
    if (next.length === 0) paths.push(path);
    for (const n of next) walk([...path, n]);
  };
  for (const id of ids) if (!flows.some((f) => f.to === id)) walk([id]);
  let best = Infinity;
  for (let mask = 0; mask < 1 << assets.length; mask++) {
    const cut = new Set(ids.filter((_, i) => (mask & (1 << i)) !== 0));
    if (!paths.every((p) => p.some((id) => cut.has(id)))) continue;
    const total = assets.filter((a) => cut.has(a.id)).reduce((sum, a) => sum + rate(a), 0);
    best = Math.min(best, total);
  }
  return best;
}

/** c(L), with the assets in `down` at rate 0. */
function capacityFactor(doc: TwinDocument, lineId: string, down: string | null = null): number {
  const assets = doc.assets.filter((a) => a.lineId === lineId);
  if (assets.length === 0) return 1;
  const nominal = maxFlowByMinCut(assets, doc, (a) => a.ratePerHour);
  if (nominal === 0) return 1;
  const usable = maxFlowByMinCut(assets, doc, (a) =>
    a.id !== down && (a.status === 'RUNNING' || a.status === 'IDLE') ? a.ratePerHour : 0,
  );
  return usable / nominal;
}

function factoryOf(doc: TwinDocument, lineId: string): string {
  for (const l of doc.lines) if (l.id === lineId) return l.factoryId;
  throw new Error(`no line ${lineId}`);
}

/** cons(F,C) = Σ over lines L of F and products P of L of out(L,P) × REQUIRES(P,C).quantity */
function consumption(doc: TwinDocument, factoryId: string, componentId: string): number {
  let total = 0;
  for (const pr of doc.production) {
    if (factoryOf(doc, pr.lineId) !== factoryId) continue;
    const out = pr.ratePerHour * hoursPerDay(doc, pr.lineId) * capacityFactor(doc, pr.lineId);
    for (const b of doc.bom) {
      if (b.parentId === pr.productId && b.componentId === componentId) total += out * b.quantity;
    }
  }
  return total;
}

/** The start products and every product requiring one of them, by repeated scans of the BOM. */
function upwardClosure(doc: TwinDocument, start: Iterable<string>): Set<string> {
  const products = new Set(start);
  for (let changed = true; changed;) {
    changed = false;
    for (const b of doc.bom) {
      if (products.has(b.componentId) && !products.has(b.parentId)) {
        products.add(b.parentId);
        changed = true;
      }
    }
  }
  return products;
}

/** Lines (restricted to `factoryIds` unless null) that make one of `products`; their factories; OPEN orders. */
function follow(
  doc: TwinDocument,
  products: Set<string>,
  factoryIds: Set<string> | null,
): { lineIds: Set<string>; factoryIds: Set<string>; orderIds: Set<string> } {
  const lineIds = new Set<string>();
  const factories = new Set<string>();
  for (const pr of doc.production) {
    const f = factoryOf(doc, pr.lineId);
    if (products.has(pr.productId) && (factoryIds === null || factoryIds.has(f))) {
      lineIds.add(pr.lineId);
      factories.add(f);
    }
  }
  const orderIds = new Set<string>();
  for (const o of doc.orders) {
    if (o.status === 'OPEN' && products.has(o.productId) && factories.has(o.factoryId)) {
      orderIds.add(o.id);
    }
  }
  return { lineIds, factoryIds: factories, orderIds };
}

const unchanged = (doc: TwinDocument, lineIds: Iterable<string>): ReferenceLine[] =>
  [...lineIds].map((lineId) => {
    const c = capacityFactor(doc, lineId);
    return { lineId, capacityBefore: c, capacityAfter: c };
  });

function onHandOf(doc: TwinDocument, factoryId: string, componentId: string): number {
  let onHand = 0;
  for (const i of doc.inventory) {
    if (i.factoryId === factoryId && i.productId === componentId) onHand += i.quantity;
  }
  return onHand;
}

const inboundStatus = (status: string) => status === 'IN_TRANSIT' || status === 'DELAYED';

// ---------------------------------------------------------------------------------------------
// §4: impact

export function referenceImpact(
  doc: TwinDocument,
  disruption: Disruption,
  asOfMs: number,
  includeMitigated: boolean,
): ReferenceImpact {
  switch (disruption.kind) {
    case 'SUPPLIER_OUTAGE':
      return supplierOutage(doc, disruption.supplierId, disruption.days, asOfMs, includeMitigated);
    case 'SHIPMENT_DELAY':
      return shipmentDelay(doc, disruption.shipmentId, disruption.days, asOfMs);
    case 'ASSET_DOWNTIME':
      return assetDowntime(doc, disruption.assetId, disruption.hours);
  }
}

function supplierOutage(
  doc: TwinDocument,
  supplierId: string,
  days: number,
  asOfMs: number,
  includeMitigated: boolean,
): ReferenceImpact {
  const components: ReferenceComponent[] = [];
  for (const s of doc.supplies) {
    if (s.supplierId !== supplierId) continue;
    const alternativeIds = doc.supplies
      .filter((o) => o.productId === s.productId && o.supplierId !== supplierId)
      .map((o) => o.supplierId);
    const soleSourced = alternativeIds.length === 0;
    components.push({
      id: s.productId,
      soleSourced,
      alternativeIds,
      atRisk: soleSourced || includeMitigated,
    });
  }
  const atRisk = components.filter((c) => c.atRisk).map((c) => c.id);
  const productIds = upwardClosure(doc, atRisk);
  const followed = follow(doc, productIds, null);
  const windowEndMs = asOfMs + days * DAY_MS;
  const exposures: ReferenceExposure[] = [];
  for (const f of doc.factories) {
    for (const c of atRisk) {
      const daily = consumption(doc, f.id, c);
      if (!(daily > 0)) continue;
      const onHand = onHandOf(doc, f.id, c);
      let inbound = 0;
      for (const sh of doc.shipments) {
        const eta = Date.parse(sh.eta);
        if (
          sh.productId === c &&
          sh.factoryId === f.id &&
          inboundStatus(sh.status) &&
          eta >= asOfMs &&
          eta <= windowEndMs
        ) {
          inbound += sh.quantity;
        }
      }
      const daysOfCover = (onHand + inbound) / daily;
      exposures.push({
        factoryId: f.id,
        componentId: c,
        dailyConsumption: daily,
        onHand,
        inbound,
        daysOfCover,
        shortfallDays: Math.max(0, days - daysOfCover),
      });
    }
  }
  return {
    components,
    productIds,
    lines: unchanged(doc, followed.lineIds),
    factoryIds: followed.factoryIds,
    orderIds: followed.orderIds,
    shipmentIds: new Set(
      doc.shipments
        .filter((s) => s.supplierId === supplierId && s.status === 'PLANNED')
        .map((s) => s.id),
    ),
    exposures,
    lostUnits: new Map(),
  };
}

function shipmentDelay(
  doc: TwinDocument,
  shipmentId: string,
  days: number,
  asOfMs: number,
): ReferenceImpact {
  const x = doc.shipments.find((s) => s.id === shipmentId);
  if (!x) throw new Error(`no shipment ${shipmentId}`);
  const c = x.productId;
  const f = x.factoryId;
  const etaMs = Date.parse(x.eta);
  const lateMs = etaMs + days * DAY_MS; // e' = e + D, as a time
  const e = (etaMs - asOfMs) / DAY_MS;
  const eLate = (lateMs - asOfMs) / DAY_MS;
  const daily = consumption(doc, f, c);
  const exposures: ReferenceExposure[] = [];
  let shortfall = 0;
  if (daily > 0) {
    const onHand = onHandOf(doc, f, c);
    let inbound = 0;
    for (const sh of doc.shipments) {
      if (
        sh.id !== shipmentId &&
        sh.productId === c &&
        sh.factoryId === f &&
        inboundStatus(sh.status) &&
        Date.parse(sh.eta) <= lateMs
      ) {
        inbound += sh.quantity;
      }
    }
    const cover = (onHand + inbound) / daily;
    shortfall = Math.max(0, eLate - Math.max(cover, e));
    exposures.push({
      factoryId: f,
      componentId: c,
      dailyConsumption: daily,
      onHand,
      inbound,
      daysOfCover: cover,
      shortfallDays: shortfall,
    });
  }
  const alternativeIds = doc.supplies
    .filter((s) => s.productId === c && s.supplierId !== x.supplierId)
    .map((s) => s.supplierId);
  const components = [
    { id: c, soleSourced: alternativeIds.length === 0, alternativeIds, atRisk: shortfall > 0 },
  ];
  const base = { components, shipmentIds: new Set([shipmentId]), exposures, lostUnits: new Map() };
  if (!(shortfall > 0)) {
    return {
      ...base,
      productIds: new Set(),
      lines: [],
      factoryIds: new Set(),
      orderIds: new Set(),
    };
  }
  const productIds = upwardClosure(doc, [c]);
  const followed = follow(doc, productIds, new Set([f]));
  return {
    ...base,
    productIds,
    lines: unchanged(doc, followed.lineIds),
    factoryIds: new Set([f]),
    orderIds: followed.orderIds,
  };
}

function assetDowntime(doc: TwinDocument, assetId: string, hours: number): ReferenceImpact {
  const asset = doc.assets.find((a) => a.id === assetId);
  if (!asset) throw new Error(`no asset ${assetId}`);
  const lineId = asset.lineId;
  const f = factoryOf(doc, lineId);
  const before = capacityFactor(doc, lineId);
  const after = capacityFactor(doc, lineId, assetId);
  const h = hoursPerDay(doc, lineId);
  const lostUnits = new Map<string, number>();
  for (const pr of doc.production) {
    if (pr.lineId === lineId) {
      lostUnits.set(pr.productId, (pr.ratePerHour * (before - after) * hours * h) / 24);
    }
  }
  const theLine = { lineId, capacityBefore: before, capacityAfter: after };
  const base = {
    components: [],
    shipmentIds: new Set<string>(),
    exposures: [],
    lostUnits,
  };
  if (![...lostUnits.values()].some((u) => u > 0)) {
    return {
      ...base,
      productIds: new Set(),
      lines: [theLine],
      factoryIds: new Set(),
      orderIds: new Set(),
    };
  }
  const productIds = upwardClosure(doc, lostUnits.keys());
  const followed = follow(doc, productIds, new Set([f]));
  followed.lineIds.delete(lineId);
  return {
    ...base,
    productIds,
    lines: [theLine, ...unchanged(doc, followed.lineIds)],
    factoryIds: new Set([f]),
    orderIds: followed.orderIds,
  };
}
