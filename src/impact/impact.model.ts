import type { Props } from '../graph/props';

/** One disruption, validated: exactly one kind, a positive finite duration. */
export type Disruption =
  | { kind: 'SUPPLIER_OUTAGE'; supplierId: string; days: number }
  | { kind: 'SHIPMENT_DELAY'; shipmentId: string; days: number }
  | { kind: 'ASSET_DOWNTIME'; assetId: string; hours: number };

/** One step of a path: the stored relationship between two twins, and which way it points. */
export interface PathStep {
  from: string;
  relationship: string;
  to: string;
  /** true: stored as (from)-[relationship]->(to); false: as (to)-[relationship]->(from). */
  forward: boolean;
}

export type TwinKindName =
  'Supplier' | 'Shipment' | 'Asset' | 'Product' | 'Line' | 'Factory' | 'Order';

/** Why a twin is affected: the chain from the disrupted twin to it. */
export interface ImpactPath {
  kind: TwinKindName;
  id: string;
  steps: PathStep[];
}

export interface ImpactComponent {
  product: Props;
  soleSourced: boolean;
  alternativeSuppliers: Props[];
  /** The outage propagates from it (sole-sourced, or any with includeMitigated). */
  atRisk: boolean;
}

export interface ImpactLine {
  line: Props;
  /** null: the line is not changed by the disruption and its factor was not needed; read on demand. */
  capacityFactorBefore: number | null;
  capacityFactorAfter: number | null;
}

export interface Exposure {
  factoryId: string;
  componentId: string;
  factory: Props;
  component: Props;
  dailyConsumption: number;
  onHand: number;
  inbound: number;
  daysOfCover: number;
  shortfallDays: number;
}

export interface LostUnits {
  productId: string;
  product: Props;
  units: number;
  /** units × unitPrice, null when the product has no price. */
  valueAtRisk: number | null;
}

/** How badly one affected twin is hit, for ranking. */
export interface Severity {
  kind: TwinKindName;
  id: string;
  shortfallDays: number;
  lostUnits: number;
  valueAtRisk: number | null;
}

export interface ImpactResult {
  disruption: Disruption;
  asOf: string;
  windowEnd: string;
  components: ImpactComponent[];
  products: Props[];
  lines: ImpactLine[];
  factories: Props[];
  orders: Props[];
  shipments: Props[];
  exposures: Exposure[];
  lostUnits: LostUnits[];
  ranking: Severity[];
  paths: ImpactPath[];
}
