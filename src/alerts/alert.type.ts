import { createUnionType, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ALERT_STATES, type AlertState, type AlertSubjectLabel } from '../domain/alerts';
import type { AlertSeverity } from '../domain/enums';
import { AlertSeverityEnum, graphqlEnum } from '../domain/enums.graphql';
import { Asset } from '../twins/asset.type';
import { Connection } from '../twins/connection';
import { Factory } from '../twins/factory.type';
import { Shipment } from '../twins/shipment.type';
import type { AlertRow } from './lifecycle';
import { ALERT_RULE_KINDS, type AlertRuleDef, type AlertRuleKind } from './model';

export const AlertStateEnum = graphqlEnum(ALERT_STATES);
registerEnumType(AlertStateEnum, {
  name: 'AlertState',
  description:
    'RAISED: open, nobody has acknowledged it; ACKNOWLEDGED: open, someone has seen it; ' +
    'RESOLVED: closed (by hand, or its condition stayed clear for the rule’s clear delay).',
});

export const AlertRuleKindEnum = graphqlEnum(ALERT_RULE_KINDS);
registerEnumType(AlertRuleKindEnum, {
  name: 'AlertRuleKind',
  description: 'What an alert rule watches (docs/alerts.md, "Rule kinds").',
});

/** The twin an alert is ABOUT. */
export const AlertSubject = createUnionType({
  name: 'AlertSubject',
  description: 'The twin an alert is about.',
  types: () => [Asset, Shipment, Factory] as const,
});

@ObjectType({
  description: 'Something that needs attention, about a twin, raised by a rule.',
  simpleResolvers: true,
})
export class Alert {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true, description: 'The rule that raised it.' })
  ruleId!: string | null;
  @Field(() => AlertSeverityEnum) severity!: AlertSeverity;
  @Field({ description: 'The kind of the rule that raised it, e.g. OUT_OF_RANGE.' })
  kind!: string;
  @Field(() => AlertStateEnum) state!: AlertState;
  @Field({ description: 'What was seen, last time the condition held.' }) message!: string;
  @Field({ description: 'When the condition was first seen (reading or sweep time).' })
  raisedAt!: string;
  @Field({ description: 'When the condition was last seen.' }) lastSeenAt!: string;
  @Field(() => Int, {
    description:
      'How often the condition came back while the alert was open (1: it never went away).',
  })
  count!: number;
  @Field(() => String, { nullable: true }) acknowledgedAt!: string | null;
  @Field(() => String, { nullable: true }) acknowledgedBy!: string | null;
  @Field(() => String, { nullable: true }) resolvedAt!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Who resolved it; "twin-graph (clear for N s)" when its clear delay did.',
  })
  resolvedBy!: string | null;
  @Field(() => Float, { nullable: true, description: 'The value last seen (reading, days, s).' })
  lastValue!: number | null;
  @Field(() => ID, { nullable: true }) factoryId!: string | null;
  @Field(() => ID, { nullable: true }) lineId!: string | null;
  @Field(() => ID, { nullable: true }) assetId!: string | null;
  @Field(() => ID, { nullable: true }) metricId!: string | null;

  /** What the `about` field loads. */
  aboutLabel!: AlertSubjectLabel;
  aboutId!: string;

  static fromRow(row: AlertRow): Alert {
    return Object.assign(new Alert(), {
      id: row.id,
      ruleId: row.ruleId === '' ? null : row.ruleId,
      severity: row.severity,
      kind: row.kind,
      state: row.state,
      message: row.message,
      raisedAt: row.raisedAt,
      lastSeenAt: row.lastSeenAt,
      count: row.count,
      acknowledgedAt: row.acknowledgedAt,
      acknowledgedBy: row.acknowledgedBy,
      resolvedAt: row.resolvedAt,
      resolvedBy: row.resolvedBy,
      lastValue: row.lastValue,
      factoryId: row.factoryId,
      lineId: row.lineId,
      assetId: row.assetId,
      metricId: row.metricId,
      aboutLabel: row.aboutLabel,
      aboutId: row.aboutId,
    });
  }
}

@ObjectType({ description: 'A page of alerts, newest first.', simpleResolvers: true })
export class AlertConnection extends Connection('Alert', Alert) {}

@ObjectType({
  description: 'A rule that raises alerts: data, changed through mutations.',
  simpleResolvers: true,
})
export class AlertRule {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => AlertRuleKindEnum) kind!: AlertRuleKind;
  @Field(() => AlertSeverityEnum) severity!: AlertSeverity;
  @Field() enabled!: boolean;
  @Field(() => ID, { nullable: true, description: 'Only twins of this factory.' })
  factoryId!: string | null;
  @Field(() => ID, { nullable: true, description: 'Only assets of this line.' })
  lineId!: string | null;
  @Field(() => ID, { nullable: true, description: 'Only this asset.' })
  assetId!: string | null;
  @Field(() => String, { nullable: true, description: 'Only metrics of this name.' })
  metric!: string | null;
  @Field(() => Float, {
    nullable: true,
    description: "OUT_OF_RANGE: lower threshold (null: the metric's min).",
  })
  min!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: "OUT_OF_RANGE: upper threshold (null: the metric's max).",
  })
  max!: number | null;
  @Field(() => Float, {
    description: 'OUT_OF_RANGE: how far inside the range a value must come back to count as clear.',
  })
  hysteresis!: number;
  @Field(() => Int, { nullable: true, description: 'MISSING_DATA: seconds of silence allowed.' })
  expectedIntervalS!: number | null;
  @Field(() => Int, {
    description: 'Seconds the condition must stay clear before the alert resolves by itself.',
  })
  clearDelayS!: number;
  @Field(() => String, {
    nullable: true,
    description:
      'Raised, acknowledged and resolved alerts are POSTed here (docs/webhooks.md). Whole only for an admin key without a factory scope; others see its origin (`https://hooks.example.com/…`).',
  })
  webhookUrl!: string | null;
  @Field() createdAt!: string;
  @Field() updatedAt!: string;

  static fromDef(def: AlertRuleDef): AlertRule {
    return Object.assign(new AlertRule(), def);
  }
}
