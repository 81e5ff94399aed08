import { Field, ID, ObjectType } from 'type-graphql';
import { Connection } from './connection';
import { optStr, type Props, str } from '../graph/props';

@ObjectType({ description: 'A company that delivers components.' })
export class Supplier {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  country!: string | null;

  static fromProps(p: Props): Supplier {
    return Object.assign(new Supplier(), {
      id: str(p, 'id'),
      name: optStr(p, 'name') ?? str(p, 'id'),
      country: optStr(p, 'country'),
    });
  }
}

@ObjectType()
export class SupplierConnection extends Connection('Supplier', Supplier) {}
