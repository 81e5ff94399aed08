import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Connection } from './connection';
import { optNum, optStr, type Props, str } from '../graph/props';

@ObjectType({
  description: 'A finished good, sub-assembly or purchased component.',
  simpleResolvers: true,
})
export class Product {
  @Field(() => ID)
  id!: string;

  @Field()
  sku!: string;

  @Field()
  name!: string;

  @Field(() => Float, { nullable: true })
  unitCost!: number | null;

  @Field(() => Float, { nullable: true })
  unitPrice!: number | null;

  static fromProps(p: Props): Product {
    return Object.assign(new Product(), {
      id: str(p, 'id'),
      sku: optStr(p, 'sku') ?? str(p, 'id'),
      name: optStr(p, 'name') ?? str(p, 'id'),
      unitCost: optNum(p, 'unitCost'),
      unitPrice: optNum(p, 'unitPrice'),
    });
  }
}

@ObjectType({ simpleResolvers: true })
export class ProductConnection extends Connection('Product', Product) {}
