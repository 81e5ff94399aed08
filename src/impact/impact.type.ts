import { Field, Float, ID, InputType, ObjectType } from 'type-graphql';
import { Factory } from '../twins/factory.type';
import { Line } from '../twins/line.type';
import { Order } from '../twins/order.type';
import { Product } from '../twins/product.type';
import { Shipment } from '../twins/shipment.type';
import { Supplier } from '../twins/supplier.type';

@InputType({ description: 'The supplier delivers nothing for `days` days from asOf.' })
export class SupplierOutageInput {
  @Field(() => ID) supplierId!: string;
  @Field(() => Float, { description: 'Length of the outage in days (> 0).' }) days!: number;
}

@InputType({ description: 'The shipment arrives `days` days after its current eta.' })
export class ShipmentDelayInput {
  @Field(() => ID) shipmentId!: string;
  @Field(() => Float, { description: 'Delay in days (> 0).' }) days!: number;
}

@InputType({ description: 'The asset is down (rate 0) for `hours` hours from asOf.' })
export class AssetDowntimeInput {
  @Field(() => ID) assetId!: string;
  @Field(() => Float, { description: 'Length of the downtime in hours (> 0).' }) hours!: number;
}

@InputType({ description: 'Exactly one disruption.' })
export class DisruptionInput {
  @Field(() => SupplierOutageInput, { nullable: true })
  supplierOutage?: SupplierOutageInput | null;
  @Field(() => ShipmentDelayInput, { nullable: true })
  shipmentDelay?: ShipmentDelayInput | null;
  @Field(() => AssetDowntimeInput, { nullable: true })
  assetDowntime?: AssetDowntimeInput | null;
}

@ObjectType({
  description: 'A component the disrupted supplier (or shipment) delivers.',
  simpleResolvers: true,
})
export class ImpactComponent {
  @Field(() => Product) product!: Product;
  @Field({ description: 'No other supplier supplies it.' }) soleSourced!: boolean;
  @Field(() => [Supplier], { description: 'The other suppliers of it, by id.' })
  alternativeSuppliers!: Supplier[];
  @Field({
    description:
      'The disruption propagates from it: sole-sourced (or any, with includeMitigated) for an outage; a positive shortfall for a delay.',
  })
  atRisk!: boolean;
}

@ObjectType({
  description: 'An affected line with its capacity factor before and after.',
  simpleResolvers: true,
})
export class ImpactLine {
  @Field(() => Line) line!: Line;
  /** Resolved by ImpactLineResolver: null here means "read the line's stations on demand". */
  known!: { before: number; after: number } | null;
}

@ObjectType({
  description: 'How long a factory lasts on a component (docs/analysis.md).',
  simpleResolvers: true,
})
export class Exposure {
  @Field(() => Factory) factory!: Factory;
  @Field(() => Product) component!: Product;
  @Field(() => Float, { description: 'cons(F,C), units per day.' }) dailyConsumption!: number;
  @Field(() => Float, { description: 'Stock at the factory.' }) onHand!: number;
  @Field(() => Float, { description: 'Units arriving in time (see docs/analysis.md).' })
  inbound!: number;
  @Field(() => Float, { description: '(onHand + inbound) / dailyConsumption.' })
  daysOfCover!: number;
  @Field(() => Float, { description: 'Days without the component; 0: covered.' })
  shortfallDays!: number;
}

@ObjectType({
  description: 'Units of a product the line cannot make during the downtime.',
  simpleResolvers: true,
})
export class LostUnits {
  @Field(() => Product) product!: Product;
  @Field(() => Float) units!: number;
  @Field(() => Float, { nullable: true, description: 'units × unitPrice; null without a price.' })
  valueAtRisk!: number | null;
}

@ObjectType({
  description: 'How badly one affected twin is hit; the report ranks by this.',
  simpleResolvers: true,
})
export class ImpactRank {
  @Field({ description: 'Product, Line, Factory or Order.' }) kind!: string;
  @Field(() => ID) id!: string;
  @Field(() => Float) shortfallDays!: number;
  @Field(() => Float) lostUnits!: number;
  @Field(() => Float, { nullable: true }) valueAtRisk!: number | null;
}

@ObjectType({
  description: 'One relationship on the way from the disrupted twin.',
  simpleResolvers: true,
})
export class ImpactStep {
  @Field(() => ID) from!: string;
  @Field({ description: 'The relationship type, e.g. SUPPLIES, REQUIRES, PRODUCES.' })
  relationship!: string;
  @Field(() => ID) to!: string;
  @Field({ description: 'true: stored (from)-[r]->(to); false: stored (to)-[r]->(from).' })
  forward!: boolean;
}

@ObjectType({
  description: 'Why a twin is affected: the chain from the disrupted twin to it.',
  simpleResolvers: true,
})
export class ImpactPath {
  @Field() kind!: string;
  @Field(() => ID) id!: string;
  @Field(() => [ImpactStep]) steps!: ImpactStep[];
}

@ObjectType({
  simpleResolvers: true,
  description: 'What a disruption puts at risk (docs/analysis.md, "Impact analysis").',
})
export class ImpactReport {
  @Field({ description: 'SUPPLIER_OUTAGE, SHIPMENT_DELAY or ASSET_DOWNTIME.' }) kind!: string;
  @Field({ description: 'Start of the window (UTC ISO-8601).' }) asOf!: string;
  @Field({ description: 'End of the window, included.' }) windowEnd!: string;
  @Field(() => [ImpactComponent]) components!: ImpactComponent[];
  @Field(() => [Product], { description: 'Affected products, most severely hit first.' })
  products!: Product[];
  @Field(() => [ImpactLine]) lines!: ImpactLine[];
  @Field(() => [Factory]) factories!: Factory[];
  @Field(() => [Order], { description: 'OPEN orders at risk, most severely hit first.' })
  orders!: Order[];
  @Field(() => [Shipment]) shipments!: Shipment[];
  @Field(() => [Exposure], { description: 'Most shortfall days first.' }) exposures!: Exposure[];
  @Field(() => [LostUnits], { description: 'Most units first.' }) lostUnits!: LostUnits[];
  @Field(() => [ImpactRank], {
    description:
      'Every affected product, line, factory and order by severity: shortfall days, then lost units, then value at risk.',
  })
  ranking!: ImpactRank[];
  @Field(() => [ImpactPath], { description: 'For every affected twin, why.' })
  paths!: ImpactPath[];
}
