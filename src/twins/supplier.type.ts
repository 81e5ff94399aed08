import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Connection } from './connection';
import { optNum, optStr, type Props, str } from '../graph/props';

/** The description of Supplier.recoveryDays, in the type and in its inputs alike. */
export const RECOVERY_DAYS =
  'Days the supplier needs to recover from a disruption, ≥ 0: the time to recover of riskExposure ' +
  "(unset: the query's recoveryDays).";

@ObjectType({ description: 'A company that delivers components.', simpleResolvers: true })
export class Supplier {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  country!: string | null;

  @Field(() => Float, { nullable: true, description: RECOVERY_DAYS })
  recoveryDays!: number | null;

  static fromProps(p: Props): Supplier {
    return Object.assign(new Supplier(), {
      id: str(p, 'id'),
      name: optStr(p, 'name') ?? str(p, 'id'),
      country: optStr(p, 'country'),
      recoveryDays: optNum(p, 'recoveryDays'),
    });
  }
}

@ObjectType({ simpleResolvers: true })
export class SupplierConnection extends Connection('Supplier', Supplier) {}
