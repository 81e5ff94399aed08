/*
 * The twin-graph document (domain.md section 2) as plain TypeScript types, for the seeds. The
 * import validator owns what is accepted; these types only make the builders say exactly the keys
 * of the contract, no more.
 */

export type AssetStatus = 'RUNNING' | 'IDLE' | 'DOWN' | 'MAINTENANCE';
export type ShipmentStatus = 'PLANNED' | 'IN_TRANSIT' | 'DELAYED' | 'DELIVERED' | 'CANCELLED';
export type OrderStatus = 'OPEN' | 'FULFILLED' | 'CANCELLED';

/** Asset.kind is open-ended in the model; the seeds keep to these. */
export const ASSET_KINDS = [
  'PRESS',
  'CNC',
  'ROBOT',
  'CONVEYOR',
  'OVEN',
  'WELDER',
  'PAINT_BOOTH',
] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

export interface FactoryRow {
  id: string;
  name: string;
  country: string;
  timezone: string;
  lat: number;
  lon: number;
}
export interface LineRow {
  id: string;
  factoryId: string;
  name: string;
  shiftsPerDay: number;
  hoursPerShift: number;
}
export interface MetricRow {
  name: string;
  unit: string;
  min: number;
  max: number;
}
export interface AssetRow {
  id: string;
  lineId: string;
  name: string;
  kind: AssetKind;
  status: AssetStatus;
  ratePerHour: number;
  mtbfHours: number;
  mttrHours: number;
  metrics: MetricRow[];
}
export interface FlowRow {
  from: string;
  to: string;
}
export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  unitCost: number;
  unitPrice: number;
}
export interface BomRow {
  parentId: string;
  componentId: string;
  quantity: number;
}
export interface ProductionRow {
  lineId: string;
  productId: string;
  ratePerHour: number;
}
export interface SupplierRow {
  id: string;
  name: string;
  country: string;
}
export interface SupplyRow {
  supplierId: string;
  productId: string;
  leadTimeDays: number;
  unitCost: number;
}
export interface InventoryRow {
  factoryId: string;
  productId: string;
  quantity: number;
  safetyStock: number;
}
export interface ShipmentRow {
  id: string;
  supplierId: string;
  factoryId: string;
  productId: string;
  quantity: number;
  status: ShipmentStatus;
  departedAt: string;
  eta: string;
}
export interface OrderRow {
  id: string;
  factoryId: string;
  productId: string;
  quantity: number;
  customer: string;
  dueDate: string;
  status: OrderStatus;
}

export interface TwinGraphDocument {
  factories: FactoryRow[];
  lines: LineRow[];
  assets: AssetRow[];
  flows: FlowRow[];
  products: ProductRow[];
  bom: BomRow[];
  production: ProductionRow[];
  suppliers: SupplierRow[];
  supplies: SupplyRow[];
  inventory: InventoryRow[];
  shipments: ShipmentRow[];
  orders: OrderRow[];
}

export function emptyDocument(): TwinGraphDocument {
  return {
    factories: [],
    lines: [],
    assets: [],
    flows: [],
    products: [],
    bom: [],
    production: [],
    suppliers: [],
    supplies: [],
    inventory: [],
    shipments: [],
    orders: [],
  };
}

export interface TwinCounts {
  factories: number;
  lines: number;
  assets: number;
  metrics: number;
  products: number;
  suppliers: number;
  shipments: number;
  orders: number;
  total: number;
}

/** Nodes the document creates (relationship rows such as flows or inventory are not twins). */
export function countTwins(doc: TwinGraphDocument): TwinCounts {
  const counts = {
    factories: doc.factories.length,
    lines: doc.lines.length,
    assets: doc.assets.length,
    metrics: doc.assets.reduce((n, a) => n + a.metrics.length, 0),
    products: doc.products.length,
    suppliers: doc.suppliers.length,
    shipments: doc.shipments.length,
    orders: doc.orders.length,
  };
  return { ...counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
}

const HOUR_MS = 3_600_000;

/**
 * The reference instant the seeds count from: `now` floored to the full UTC hour, so that times
 * derived from it stay readable (`2026-11-27T08:00:00Z`) whatever moment a demo starts.
 */
export function anchorHour(now: Date): number {
  const t = now.getTime();
  if (!Number.isFinite(t)) throw new RangeError('now is not a valid date');
  return Math.floor(t / HOUR_MS) * HOUR_MS;
}

/** UTC ISO-8601 without milliseconds, `days` (fractional) after the anchor, to the minute. */
export function isoAfter(anchorMs: number, days: number): string {
  const t = anchorMs + Math.round(days * 24 * 60) * 60_000;
  return new Date(t).toISOString().replace('.000Z', 'Z');
}
