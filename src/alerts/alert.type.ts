import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { AlertSeverity } from '../domain/enums';
import { AlertSeverityEnum, asAlertSeverity } from '../domain/enums.graphql';
import { num, optStr, type Props } from '../graph/props';

@ObjectType({ description: 'Something that needs attention, about an asset.' })
export class Alert {
  @Field(() => ID) id!: string;
  @Field(() => AlertSeverityEnum) severity!: AlertSeverity;
  @Field({ description: 'e.g. OUT_OF_RANGE.' }) kind!: string;
  @Field() message!: string;
  @Field() raisedAt!: string;
  @Field(() => String, { nullable: true }) acknowledgedAt!: string | null;
  @Field(() => String, { nullable: true }) acknowledgedBy!: string | null;
  @Field(() => Int, { description: 'How often the condition was seen while the alert was open.' })
  count!: number;
  @Field(() => ID, { nullable: true }) assetId!: string | null;
  @Field(() => ID, { nullable: true }) metricId!: string | null;

  static fromProps(p: Props): Alert {
    return Object.assign(new Alert(), {
      id: String(p['id']),
      severity: asAlertSeverity(p['severity']),
      kind: String(p['kind']),
      message: String(p['message']),
      raisedAt: String(p['raisedAt']),
      acknowledgedAt: optStr(p, 'acknowledgedAt'),
      acknowledgedBy: optStr(p, 'acknowledgedBy'),
      count: num(p, 'count', 1),
      assetId: optStr(p, 'assetId'),
      metricId: optStr(p, 'metricId'),
    });
  }
}
