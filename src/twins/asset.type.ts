import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Connection } from './connection';
import type { AssetStatus } from '../domain/enums';
import { asAssetStatus, AssetStatusEnum } from '../domain/enums.graphql';
import { num, optNum, optStr, type Props, str } from '../graph/props';

@ObjectType({ description: 'A machine or station of a line.', simpleResolvers: true })
export class Asset {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'PRESS, CNC, ROBOT, CONVEYOR, OVEN, ...' })
  kind!: string;

  @Field(() => AssetStatusEnum)
  status!: AssetStatus;

  @Field(() => Float, { description: 'Nominal throughput in units per hour.' })
  ratePerHour!: number;

  @Field(() => Float, { nullable: true, description: 'Mean time between failures, hours.' })
  mtbfHours!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean time to repair, hours.' })
  mttrHours!: number | null;

  static fromProps(p: Props): Asset {
    return Object.assign(new Asset(), {
      id: str(p, 'id'),
      name: optStr(p, 'name') ?? str(p, 'id'),
      kind: optStr(p, 'kind') ?? 'UNKNOWN',
      status: asAssetStatus(p['status']),
      ratePerHour: num(p, 'ratePerHour', 0),
      mtbfHours: optNum(p, 'mtbfHours'),
      mttrHours: optNum(p, 'mttrHours'),
    });
  }
}

@ObjectType({
  description: 'A measurement an asset reports, with its latest value.',
  simpleResolvers: true,
})
export class Metric {
  @Field(() => ID, { description: 'assetId/name' })
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'Canonical unit (UCUM code such as Cel, bar, mm/s, kW).' })
  unit!: string;

  @Field(() => Float, { nullable: true, description: 'Lower end of the valid range.' })
  min!: number | null;

  @Field(() => Float, { nullable: true, description: 'Upper end of the valid range.' })
  max!: number | null;

  @Field(() => Float, { nullable: true, description: 'Latest value, in the canonical unit.' })
  value!: number | null;

  @Field(() => String, { nullable: true, description: 'Time of the latest value (UTC ISO-8601).' })
  ts!: string | null;

  static fromProps(p: Props): Metric {
    return Object.assign(new Metric(), {
      id: str(p, 'id'),
      name: str(p, 'name'),
      unit: optStr(p, 'unit') ?? '1',
      min: optNum(p, 'min'),
      max: optNum(p, 'max'),
      value: optNum(p, 'value'),
      ts: optStr(p, 'ts'),
    });
  }
}

@ObjectType({ simpleResolvers: true })
export class AssetConnection extends Connection('Asset', Asset) {}
