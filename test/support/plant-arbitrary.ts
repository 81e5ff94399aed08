import fc from 'fast-check';
import type { Disruption } from '../../src/impact/impact.model';
import {
  ASSET_STATUSES,
  ORDER_STATUSES,
  SHIPMENT_STATUSES,
  type AssetInput,
  type BomInput,
  type FlowInput,
  type InventoryInput,
  type LineInput,
  type OrderInput,
  type ProductionInput,
  type ShipmentInput,
  type SupplyInput,
  type TwinDocument,
  type TwinDocumentInput,
} from '../../src/twins/import/document';
import { validateDocument } from '../../src/twins/import/validate';

/*
 * fast-check arbitraries of small plants for the impact property test (issue 8): 1–2 factories,
 * 1–3 lines each with 1–4 assets (random statuses and rates, FEEDS a DAG inside the line), 2–6
 * products with a random BOM DAG, production rows, 1–3 suppliers (some products dual-sourced),
 * inventory, shipments with random status and an eta spread around AS_OF, and orders.
 *
 * Times and durations live on a grid most of the time (eta offsets are multiples of 12 hours,
 * durations multiples of 1/4 day or 1 hour, all exact in binary), and a disruption may take its
 * duration from the plant, so shipments land exactly on the window edges [asOf, asOf + D] and on
 * a delayed shipment's new eta e + D. Half the plants slide the eta grid off asOf by a random
 * jitter: shipments stay exactly 12 hours apart while "days after asOf" become inexact.
 * Most assets run, most production rates are positive, and most inventory and shipments go to a
 * (factory, component) pair the factory consumes, so that most disruptions have exposures.
 * Every id carries its label's prefix, so ids are distinct across labels as well.
 */

export const AS_OF = '2026-11-25T08:00:00.000Z';
export const AS_OF_MS = Date.parse(AS_OF);
const HOUR_MS = 3_600_000;

export interface Plant {
  /** The document as imported. */
  input: TwinDocumentInput;
  /** The same document validated (defaults applied): what the reference reads. */
  doc: TwinDocument;
  [fc.toStringMethod]?: () => string;
}

const pick = <T>(items: readonly T[], i: number): T => {
  const item = items[i % items.length];
  if (item === undefined) throw new Error(`pick from an empty list (index ${i})`);
  return item;
};

const assetArb = fc.record({
  // mostly usable: a line whose every path is stopped consumes nothing and loses nothing
  status: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ASSET_STATUSES.slice(0, 2)) },
    { weight: 1, arbitrary: fc.constantFrom(...ASSET_STATUSES) },
  ),
  // halves: exact in binary, so max flows are exact sums
  rate: fc.oneof(
    fc.integer({ min: 0, max: 120 }),
    fc.integer({ min: 1, max: 240 }).map((x) => x / 2),
  ),
});

const lineArb = fc.record({
  shape: fc.option(
    fc.record({
      shiftsPerDay: fc.integer({ min: 1, max: 3 }),
      hoursPerShift: fc.constantFrom(4, 6, 8),
    }),
  ),
  assets: fc.array(assetArb, { minLength: 1, maxLength: 4 }),
  // one bit per pair i < j of the line's assets (at most 6 pairs): i FEEDS j, a DAG by order
  feeds: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  produces: fc.uniqueArray(fc.nat(5), { maxLength: 3 }),
  rates: fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 1, max: 60 }) },
      { weight: 1, arbitrary: fc.constant(0) },
    ),
    { minLength: 3, maxLength: 3 },
  ),
});

/** Offset from AS_OF of an eta: on the 12-hour grid (days −2 … 10), or anywhere in between. */
const etaOffsetArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -4, max: 20 }).map((k) => k * 12 * HOUR_MS) },
  { weight: 1, arbitrary: fc.integer({ min: -2 * 24 * HOUR_MS, max: 10 * 24 * HOUR_MS }) },
);

const rawPlantArb = fc.record({
  factories: fc.array(fc.array(lineArb, { minLength: 1, maxLength: 3 }), {
    minLength: 1,
    maxLength: 2,
  }),
  products: fc.array(fc.option(fc.integer({ min: 1, max: 500 })), {
    minLength: 2,
    maxLength: 6,
  }),
  // one bit per pair i < j of products (at most 15): Pi requires Pj, with a quantity
  bom: fc.array(fc.option(fc.integer({ min: 1, max: 5 }), { freq: 2 }), {
    minLength: 15,
    maxLength: 15,
  }),
  suppliers: fc.integer({ min: 1, max: 3 }),
  // per product, its supplier (sometimes none) and sometimes a second or third one
  supplies: fc.array(
    fc.record({
      first: fc.option(fc.nat(), { freq: 6 }),
      more: fc.oneof(
        { weight: 2, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }) },
      ),
    }),
    { minLength: 6, maxLength: 6 },
  ),
  // `aim`: the index of a (factory, component) pair that the factory's lines consume (the
  // interesting case for exposures); null (or no such pair): any factory and product
  inventory: fc.array(
    fc.record({
      aim: fc.option(fc.nat(), { freq: 4 }),
      factory: fc.nat(),
      product: fc.nat(),
      quantity: fc.integer({ min: 0, max: 5000 }),
    }),
    { maxLength: 8 },
  ),
  shipments: fc.array(
    fc.record({
      aim: fc.option(fc.nat(), { freq: 4 }),
      supplier: fc.nat(),
      factory: fc.nat(),
      product: fc.nat(),
      quantity: fc.integer({ min: 1, max: 3000 }),
      // mostly inbound (IN_TRANSIT, DELAYED), the statuses the analysis counts
      status: fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom(...SHIPMENT_STATUSES.slice(1, 3)) },
        { weight: 1, arbitrary: fc.constantFrom(...SHIPMENT_STATUSES) },
      ),
      eta: etaOffsetArb,
    }),
    { maxLength: 8 },
  ),
  // added to every eta: the grid slides off asOf (etas in days after asOf are then inexact in
  // binary while the shipments stay exactly 12 hours apart)
  jitter: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 * HOUR_MS - 1 })),
  orders: fc.array(
    fc.record({
      factory: fc.nat(),
      product: fc.nat(),
      quantity: fc.integer({ min: 1, max: 500 }),
      status: fc.constantFrom(...ORDER_STATUSES),
    }),
    { maxLength: 5 },
  ),
});

type RawPlant = typeof rawPlantArb extends fc.Arbitrary<infer T> ? T : never;

function build(raw: RawPlant): TwinDocumentInput {
  const productIds = raw.products.map((_, i) => `P${i + 1}`);
  const supplierIds = Array.from({ length: raw.suppliers }, (_, i) => `S${i + 1}`);
  const factoryIds = raw.factories.map((_, i) => `F${i + 1}`);
  const lines: LineInput[] = [];
  const assets: AssetInput[] = [];
  const flows: FlowInput[] = [];
  const production: ProductionInput[] = [];
  raw.factories.forEach((factoryLines, f) => {
    for (const l of factoryLines) {
      const lineId = `L${lines.length + 1}`;
      lines.push({
        id: lineId,
        factoryId: pick(factoryIds, f),
        name: `Line ${lineId}`,
        ...(l.shape ?? {}),
      });
      const ids = l.assets.map((a, i) => {
        const id = `A${assets.length + 1}`;
        assets.push({
          id,
          lineId,
          name: `Station ${i + 1} of ${lineId}`,
          kind: 'CNC',
          status: a.status,
          ratePerHour: a.rate,
        });
        return id;
      });
      let bit = 0;
      for (let i = 0; i < ids.length; i++) {
        for (let j = i + 1; j < ids.length; j++, bit++) {
          const from = ids[i];
          const to = ids[j];
          if (l.feeds[bit] === true && from !== undefined && to !== undefined) {
            flows.push({ from, to });
          }
        }
      }
      const made = new Set(l.produces.map((p) => pick(productIds, p)));
      [...made].forEach((productId, k) =>
        production.push({ lineId, productId, ratePerHour: pick(l.rates, k) }),
      );
    }
  });
  const bom: BomInput[] = [];
  let bit = 0;
  for (let i = 0; i < productIds.length; i++) {
    for (let j = i + 1; j < productIds.length; j++, bit++) {
      const quantity = raw.bom[bit];
      const parentId = productIds[i];
      const componentId = productIds[j];
      if (quantity !== null && quantity !== undefined && parentId && componentId) {
        bom.push({ parentId, componentId, quantity });
      }
    }
  }
  const supplies: SupplyInput[] = [];
  productIds.forEach((productId, p) => {
    const row = raw.supplies[p];
    if (row === undefined || row.first === null) return;
    const by = new Set([row.first, ...row.more].map((s) => pick(supplierIds, s)));
    for (const supplierId of by) supplies.push({ supplierId, productId, leadTimeDays: 7 });
  });
  // (factory, component) pairs some line of the factory consumes, by structure alone
  const lineFactory = new Map(lines.map((l) => [l.id, l.factoryId]));
  const consumed: { factoryId: string; productId: string }[] = [];
  for (const pr of production) {
    const factoryId = lineFactory.get(pr.lineId);
    for (const b of bom) {
      if (b.parentId === pr.productId && factoryId !== undefined) {
        consumed.push({ factoryId, productId: b.componentId });
      }
    }
  }
  const target = (row: { aim: number | null; factory: number; product: number }) =>
    row.aim !== null && consumed.length > 0
      ? pick(consumed, row.aim)
      : { factoryId: pick(factoryIds, row.factory), productId: pick(productIds, row.product) };
  const stocked = new Map<string, InventoryInput>();
  for (const row of raw.inventory) {
    const { factoryId, productId } = target(row);
    stocked.set(`${factoryId}|${productId}`, { factoryId, productId, quantity: row.quantity });
  }
  const shipments: ShipmentInput[] = raw.shipments.map((s, i) => ({
    id: `SH${i + 1}`,
    supplierId: pick(supplierIds, s.supplier),
    ...target(s),
    quantity: s.quantity,
    status: s.status,
    eta: new Date(AS_OF_MS + s.eta + raw.jitter).toISOString(),
  }));
  const orders: OrderInput[] = raw.orders.map((o, i) => ({
    id: `O${i + 1}`,
    factoryId: pick(factoryIds, o.factory),
    productId: pick(productIds, o.product),
    quantity: o.quantity,
    customer: 'Retail',
    dueDate: new Date(AS_OF_MS + 14 * 24 * HOUR_MS).toISOString(),
    status: o.status,
  }));
  return {
    factories: factoryIds.map((id) => ({ id, name: `Factory ${id}` })),
    lines,
    assets,
    flows,
    products: productIds.map((id, i) => ({
      id,
      name: `Product ${id}`,
      unitPrice: raw.products[i] ?? null,
    })),
    bom,
    production,
    suppliers: supplierIds.map((id) => ({ id, name: `Supplier ${id}` })),
    supplies,
    inventory: [...stocked.values()],
    shipments,
    orders,
  };
}

/** A plant of a valid document (throws on an invalid one). */
export function plantOf(input: TwinDocumentInput): Plant {
  const result = validateDocument(input);
  if (!result.ok) throw new Error(`invalid plant: ${JSON.stringify(result.problems)}`);
  // a counterexample prints as the document to import, not as the validated copy too
  return { input, doc: result.doc, [fc.toStringMethod]: () => JSON.stringify(input) };
}

/** A small valid plant: its input document and the validated document. */
export const plantArbitrary: fc.Arbitrary<Plant> = rawPlantArb.map((raw) => plantOf(build(raw)));

/** A disruption, to be resolved against a plant: which kind, which twin (by index), how long. */
export interface DisruptionSpec {
  kind: 'supplier' | 'shipment' | 'asset';
  index: number;
  days: number;
  hours: number;
  includeMitigated: boolean;
  /**
   * When not null, the duration is chosen instead so that a shipment lands exactly on the window's
   * end (supplier outage: an inbound shipment's eta = asOf + D; shipment delay: another inbound
   * shipment's eta = the delayed eta e + D), if the plant has such a shipment on the 6-hour grid.
   */
  edge: number | null;
}

export const disruptionSpecArbitrary: fc.Arbitrary<DisruptionSpec> = fc.record({
  kind: fc.constantFrom('supplier', 'shipment', 'asset'),
  index: fc.nat(),
  // quarter days (exact in binary: windows end exactly on the eta grid), or any length
  days: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 48 }).map((k) => k / 4) },
    { weight: 1, arbitrary: fc.double({ min: 0.001, max: 15, noNaN: true }) },
  ),
  hours: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 72 }) },
    { weight: 1, arbitrary: fc.double({ min: 0.001, max: 100, noNaN: true }) },
  ),
  includeMitigated: fc.boolean(),
  edge: fc.option(fc.nat(), { freq: 2 }),
});

const DAY_MS = 24 * HOUR_MS;
const inbound = (s: { status: string }) => s.status === 'IN_TRANSIT' || s.status === 'DELAYED';

/** Days from `fromMs` to one of `etas` (by `edge`) when positive and on the 6-hour grid; else `days`. */
function edgeDays(fromMs: number, etas: string[], edge: number | null, days: number): number {
  const gaps = etas
    .map((eta) => Date.parse(eta) - fromMs)
    .filter((gap) => gap > 0 && gap % (6 * HOUR_MS) === 0);
  return edge === null || gaps.length === 0 ? days : pick(gaps, edge) / DAY_MS;
}

/**
 * The disruption a spec names in `doc` (a shipment delay falls back to a supplier outage when the
 * plant has no shipment).
 */
export function resolveDisruption(doc: TwinDocument, spec: DisruptionSpec): Disruption {
  if (spec.kind === 'shipment' && doc.shipments.length > 0) {
    const x = pick(doc.shipments, spec.index);
    const others = doc.shipments.filter(
      (s) => s.id !== x.id && s.productId === x.productId && s.factoryId === x.factoryId,
    );
    const etas = others.filter(inbound).map((s) => s.eta);
    return {
      kind: 'SHIPMENT_DELAY',
      shipmentId: x.id,
      days: edgeDays(Date.parse(x.eta), etas, spec.edge, spec.days),
    };
  }
  if (spec.kind === 'asset') {
    return { kind: 'ASSET_DOWNTIME', assetId: pick(doc.assets, spec.index).id, hours: spec.hours };
  }
  const supplierId = pick(doc.suppliers, spec.index).id;
  const supplied = new Set(
    doc.supplies.filter((s) => s.supplierId === supplierId).map((s) => s.productId),
  );
  const etas = doc.shipments
    .filter((s) => inbound(s) && supplied.has(s.productId))
    .map((s) => s.eta);
  return {
    kind: 'SUPPLIER_OUTAGE',
    supplierId,
    days: edgeDays(AS_OF_MS, etas, spec.edge, spec.days),
  };
}
