import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Connection } from './connection';
import { optNum, optStr, type Props, str } from '../graph/props';

@ObjectType({ description: 'A plant: it has lines and stocks products.', simpleResolvers: true })
export class Factory {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true, description: 'ISO 3166 country code.' })
  country!: string | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. Europe/Berlin.' })
  timezone!: string | null;

  @Field(() => Float, { nullable: true })
  lat!: number | null;

  @Field(() => Float, { nullable: true })
  lon!: number | null;

  static fromProps(p: Props): Factory {
    return Object.assign(new Factory(), {
      id: str(p, 'id'),
      name: optStr(p, 'name') ?? str(p, 'id'),
      country: optStr(p, 'country'),
      timezone: optStr(p, 'timezone'),
      lat: optNum(p, 'lat'),
      lon: optNum(p, 'lon'),
    });
  }
}

@ObjectType({ simpleResolvers: true })
export class FactoryConnection extends Connection('Factory', Factory) {}
