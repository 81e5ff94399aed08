/**
 * The twin-graph document (domain.md §2) after validation: every section present, every row
 * typed, defaults applied, dates in UTC ISO form. An absent optional property is `null` (never
 * missing), so a writer can UNWIND the rows with one fixed shape.
 *
 * Required vs optional (what the validation enforces):
 *
 * | Row | Required | Optional (null when absent) | Defaults |
 * | --- | --- | --- | --- |
 * | factory | id, name | country, timezone (IANA), lat [-90,90], lon [-180,180] | |
 * | line | id, factoryId, name | | shiftsPerDay 2, hoursPerShift 8 (shifts × hours ≤ 24) |
 * | asset | id, lineId, name, kind (UPPER_SNAKE), ratePerHour ≥ 0 | mtbfHours > 0, mttrHours ≥ 0 | status RUNNING, metrics [] |
 * | metric | name (no "/"), unit (non-empty) | min, max (min ≤ max) | id = `${assetId}/${name}` |
 * | flow | from, to (assets of one line, no cycle) | | |
 * | product | id, name | sku, unitCost ≥ 0, unitPrice ≥ 0 | |
 * | bom | parentId, componentId, quantity > 0 (no cycle) | | |
 * | production | lineId, productId, ratePerHour ≥ 0 | | |
 * | supplier | id, name | country, recoveryDays ≥ 0 | |
 * | supply | supplierId, productId | leadTimeDays ≥ 0, unitCost ≥ 0 | |
 * | inventory | factoryId, productId, quantity ≥ 0 | | safetyStock 0 |
 * | shipment | id, supplierId, factoryId, productId, quantity > 0, eta | departedAt (≤ eta) | status PLANNED |
 * | order | id, factoryId, productId, quantity > 0, dueDate | customer | status OPEN |
 *
 * Each status defaults to the first state of its lifecycle. `null` in the input means absent.
 * Ids and names must not be empty or blank; ids must not start or end with whitespace, and
 * factory, line and asset ids must not contain "/", "+" or "#" because they are MQTT topic
 * levels (domain.md §6). Optional strings, when given, must not be empty.
 */
import type { AssetStatus, OrderStatus, ShipmentStatus } from '../../domain/enums';

export {
  ASSET_KIND_PATTERN,
  ASSET_STATUSES,
  ORDER_STATUSES,
  SHIPMENT_STATUSES,
  type AssetStatus,
  type OrderStatus,
  type ShipmentStatus,
} from '../../domain/enums';

export interface FactoryRow {
  id: string;
  name: string;
  country: string | null;
  timezone: string | null;
  lat: number | null;
  lon: number | null;
}

export interface LineRow {
  id: string;
  factoryId: string;
  name: string;
  shiftsPerDay: number;
  hoursPerShift: number;
}

export interface MetricRow {
  /** `${assetId}/${name}`: deterministic, so a re-import upserts the same metric. */
  id: string;
  assetId: string;
  name: string;
  unit: string;
  min: number | null;
  max: number | null;
}

export interface AssetRow {
  id: string;
  lineId: string;
  name: string;
  kind: string;
  status: AssetStatus;
  ratePerHour: number;
  mtbfHours: number | null;
  mttrHours: number | null;
  metrics: MetricRow[];
}

export interface FlowRow {
  from: string;
  to: string;
}

export interface ProductRow {
  id: string;
  sku: string | null;
  name: string;
  unitCost: number | null;
  unitPrice: number | null;
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
  country: string | null;
  /** Days the supplier needs to recover from a disruption (risk exposure's time to recover). */
  recoveryDays: number | null;
}

export interface SupplyRow {
  supplierId: string;
  productId: string;
  leadTimeDays: number | null;
  unitCost: number | null;
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
  /** UTC ISO-8601. */
  departedAt: string | null;
  /** UTC ISO-8601. */
  eta: string;
}

export interface OrderRow {
  id: string;
  factoryId: string;
  productId: string;
  quantity: number;
  customer: string | null;
  /** UTC ISO-8601. */
  dueDate: string;
  status: OrderStatus;
}

export interface TwinDocument {
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

export type Section = keyof TwinDocument;

/** Keys of `Row` whose value may be `null`: the optional properties of the table above. */
type NullableKeys<Row> = { [K in keyof Row]-?: null extends Row[K] ? K : never }[keyof Row];

/**
 * A row as a file may give it, before validation: derived from its validated `Row`, so the two
 * cannot drift apart. A nullable property, and each `Defaulted` one, may be absent or `null`
 * (or `undefined`, which the validation takes as absent too).
 */
export type InputRow<Row, Defaulted extends keyof Row = never> = Flat<
  { [K in Exclude<keyof Row, NullableKeys<Row> | Defaulted>]: Row[K] } & {
    [K in NullableKeys<Row> | Defaulted]?: Row[K] | null | undefined;
  }
>;

/** One object type instead of an intersection, so that editors show the row's properties. */
type Flat<T> = { [K in keyof T]: T[K] };

export type FactoryInput = InputRow<FactoryRow>;
export type LineInput = InputRow<LineRow, 'shiftsPerDay' | 'hoursPerShift'>;
/** A metric in a file has no id or assetId yet: both come from the asset it is listed under. */
export type MetricInput = InputRow<Omit<MetricRow, 'id' | 'assetId'>>;
export type AssetInput = InputRow<
  Omit<AssetRow, 'metrics'> & { metrics: MetricInput[] },
  'status' | 'metrics'
>;
export type FlowInput = InputRow<FlowRow>;
export type ProductInput = InputRow<ProductRow>;
export type BomInput = InputRow<BomRow>;
export type ProductionInput = InputRow<ProductionRow>;
export type SupplierInput = InputRow<SupplierRow>;
export type SupplyInput = InputRow<SupplyRow>;
export type InventoryInput = InputRow<InventoryRow, 'safetyStock'>;
export type ShipmentInput = InputRow<ShipmentRow, 'status'>;
export type OrderInput = InputRow<OrderRow, 'status'>;

/** The input row of each section. */
export interface SectionInputs {
  factories: FactoryInput;
  lines: LineInput;
  assets: AssetInput;
  flows: FlowInput;
  products: ProductInput;
  bom: BomInput;
  production: ProductionInput;
  suppliers: SupplierInput;
  supplies: SupplyInput;
  inventory: InventoryInput;
  shipments: ShipmentInput;
  orders: OrderInput;
}

/**
 * The document as a file may give it, before validation fills in defaults: any section may be
 * absent or `null` (empty), and each row is its section's input row. What `validateDocument`
 * accepts (besides the checks no type can say: ranges, references, cycles).
 */
export type TwinDocumentInput = { [S in Section]?: SectionInputs[S][] | null | undefined };

/** The sections in document order (the order of domain.md §2 and of a sensible write). */
export const SECTIONS = [
  'factories',
  'lines',
  'assets',
  'flows',
  'products',
  'bom',
  'production',
  'suppliers',
  'supplies',
  'inventory',
  'shipments',
  'orders',
] as const satisfies readonly Section[];

/** One thing wrong with a document: where (a JSON path such as `assets[3].lineId`) and what. */
export interface Problem {
  path: string;
  message: string;
}

export type ValidationResult = { ok: true; doc: TwinDocument } | { ok: false; problems: Problem[] };

/** Anything that answers "is this id stored?": a Set, or a Map keyed by id. */
export interface IdLookup {
  has(id: string): boolean;
}

/**
 * Twins already in the database, so that a document may reference them. Every part is optional;
 * without it a reference must resolve inside the document. Stored FEEDS and REQUIRES edges take
 * part in cycle detection together with the document's own (import is an upsert: stored edges
 * stay). A document row with the same id as a stored twin is an update, not a duplicate.
 */
export interface KnownIds {
  factories?: IdLookup;
  lines?: IdLookup;
  /** Stored assets with their line, for the "flows stay within one line" rule. */
  assets?: ReadonlyMap<string, { lineId: string }>;
  products?: IdLookup;
  suppliers?: IdLookup;
  existingFlows?: Iterable<{ from: string; to: string }>;
  existingBom?: Iterable<{ parentId: string; componentId: string }>;
}

export interface ValidateOptions {
  /** Problems listed before the rest are summed up in one "... and N more problems" entry. */
  maxProblems?: number;
}

export type TwinCounts = Record<Section | 'metrics', number>;

export function emptyDocument(): TwinDocument {
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

/** Rows per kind: what an import reports back (`ImportResult`). */
export function countTwins(doc: TwinDocument): TwinCounts {
  let metrics = 0;
  for (const asset of doc.assets) metrics += asset.metrics.length;
  return {
    factories: doc.factories.length,
    lines: doc.lines.length,
    assets: doc.assets.length,
    metrics,
    flows: doc.flows.length,
    products: doc.products.length,
    bom: doc.bom.length,
    production: doc.production.length,
    suppliers: doc.suppliers.length,
    supplies: doc.supplies.length,
    inventory: doc.inventory.length,
    shipments: doc.shipments.length,
    orders: doc.orders.length,
  };
}
