import { Field, Float, ObjectType } from 'type-graphql';
import { Line } from './line.type';
import { Product } from './product.type';
import { Supplier } from './supplier.type';

/* Relationship rows: the twin at the other end plus the relationship's properties. */

@ObjectType({ description: 'A product a line makes, at its nominal rate.', simpleResolvers: true })
export class LineProduct {
  @Field(() => Product)
  product!: Product;

  @Field(() => Float, { nullable: true, description: 'Nominal units per hour.' })
  ratePerHour!: number | null;
}

@ObjectType({
  description: 'A line that makes the product, at its nominal rate.',
  simpleResolvers: true,
})
export class ProductionLine {
  @Field(() => Line)
  line!: Line;

  @Field(() => Float, { nullable: true })
  ratePerHour!: number | null;
}

@ObjectType({
  simpleResolvers: true,
  description: 'A bill-of-materials entry: units of the component per unit of the parent.',
})
export class BomEntry {
  @Field(() => Product)
  product!: Product;

  @Field(() => Float)
  quantity!: number;
}

@ObjectType({ description: 'A supplier of the product, with its terms.', simpleResolvers: true })
export class ProductSupplier {
  @Field(() => Supplier)
  supplier!: Supplier;

  @Field(() => Float, { nullable: true })
  leadTimeDays!: number | null;

  @Field(() => Float, { nullable: true })
  unitCost!: number | null;
}

@ObjectType({
  description: 'A product the supplier delivers, with its terms.',
  simpleResolvers: true,
})
export class SuppliedProduct {
  @Field(() => Product)
  product!: Product;

  @Field(() => Float, { nullable: true })
  leadTimeDays!: number | null;

  @Field(() => Float, { nullable: true })
  unitCost!: number | null;
}

@ObjectType({ description: 'Stock of a product on hand at a factory.', simpleResolvers: true })
export class InventoryEntry {
  @Field(() => Product)
  product!: Product;

  @Field(() => Float)
  quantity!: number;

  @Field(() => Float, { nullable: true })
  safetyStock!: number | null;
}
