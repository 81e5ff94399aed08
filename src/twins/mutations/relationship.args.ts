import { ArgsType, Field, Float, ID } from 'type-graphql';

/*
 * Arguments of the relationship mutations: the two ends (what `remove<Relationship>` takes) and,
 * for `set<Relationship>`, the relationship's properties. Same names as the document's rows.
 */

@ArgsType()
export class FlowArgs {
  @Field(() => ID, { description: 'The station the material leaves.' }) from!: string;
  @Field(() => ID, { description: 'The station it goes to next, on the same line.' }) to!: string;
}

@ArgsType()
export class BomKeys {
  @Field(() => ID) parentId!: string;
  @Field(() => ID) componentId!: string;
}

@ArgsType()
export class BomArgs extends BomKeys {
  @Field(() => Float, { description: 'Units of the component per unit of the parent (> 0).' })
  quantity!: number;
}

@ArgsType()
export class ProductionKeys {
  @Field(() => ID) lineId!: string;
  @Field(() => ID) productId!: string;
}

@ArgsType()
export class ProductionArgs extends ProductionKeys {
  @Field(() => Float, { description: 'Nominal units per hour.' }) ratePerHour!: number;
}

@ArgsType()
export class SupplyKeys {
  @Field(() => ID) supplierId!: string;
  @Field(() => ID) productId!: string;
}

@ArgsType()
export class SupplyArgs extends SupplyKeys {
  @Field(() => Float, { nullable: true }) leadTimeDays?: number | null;
  @Field(() => Float, { nullable: true }) unitCost?: number | null;
}

@ArgsType()
export class InventoryKeys {
  @Field(() => ID) factoryId!: string;
  @Field(() => ID) productId!: string;
}

@ArgsType()
export class InventoryArgs extends InventoryKeys {
  @Field(() => Float) quantity!: number;
  @Field(() => Float, { nullable: true, description: 'Default 0.' }) safetyStock?: number | null;
}
