import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { num, optNum, optStr, type Props } from '../../graph/props';
import { DELIVERY_STATES, type DeliveryState, type StoredDelivery } from './outbox';

export const DeliveryStateEnum = Object.fromEntries(DELIVERY_STATES.map((s) => [s, s])) as {
  [K in DeliveryState]: K;
};

registerEnumType(DeliveryStateEnum, {
  name: 'DeliveryState',
  description:
    'Where a webhook delivery stands: PENDING (waiting for its first or next attempt), DELIVERED (the receiver answered 2xx), FAILED (given up after the retry window, WEBHOOK_RETRY_HOURS; re-send it with retryAlertDelivery).',
});

@ObjectType({ description: 'One attempt to POST a webhook delivery.', simpleResolvers: true })
export class DeliveryAttempt {
  @Field(() => Int, { description: '1 for the first attempt of the delivery.' }) n!: number;
  @Field({ description: 'When the attempt was sent (ISO-8601).' }) at!: string;
  @Field({ description: 'The receiver answered 2xx.' }) ok!: boolean;
  @Field(() => Int, { nullable: true, description: "The receiver's status, if it answered." })
  httpStatus!: number | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Why it failed: "HTTP 500: …", a refused or dropped connection, "timeout: …"; null on success.',
  })
  error!: string | null;
  @Field(() => Int, { description: 'Milliseconds from sending to the answer (or the failure).' })
  ms!: number;

  static fromProps(p: Props): DeliveryAttempt {
    return Object.assign(new DeliveryAttempt(), {
      n: num(p, 'n', 0),
      at: String(p['at']),
      ok: p['ok'] === true,
      httpStatus: optNum(p, 'httpStatus'),
      error: optStr(p, 'error'),
      ms: num(p, 'ms', 0),
    });
  }
}

@ObjectType({
  simpleResolvers: true,
  description:
    "One lifecycle event of an alert POSTed to its rule's webhookUrl; kept in the graph, so it survives a restart (docs/webhooks.md).",
})
export class AlertDelivery {
  @Field(() => ID, {
    description:
      "Also the x-twin-graph-delivery header and the body's deliveryId: receivers deduplicate by it.",
  })
  id!: string;
  @Field(() => ID, { description: 'The alert the event is about.' }) alertId!: string;
  @Field(() => ID, { nullable: true, description: 'The rule whose webhookUrl it goes to.' })
  ruleId!: string | null;
  @Field({ description: 'RAISED, ACKNOWLEDGED or RESOLVED.' }) event!: string;
  @Field({
    description:
      "The rule's webhook URL. Whole only for an admin key without a factory scope; others see its origin.",
  })
  url!: string;
  @Field(() => DeliveryStateEnum) state!: DeliveryState;
  @Field(() => Int, { description: 'Attempts made so far.' }) attempts!: number;
  @Field(() => String, {
    nullable: true,
    description:
      'The error of the latest failed attempt (kept after a later success). Whole only for an admin key without a factory scope; others see the HTTP status of an HTTP error, not the text the receiver answered (it may echo the secret path).',
  })
  lastError!: string | null;
  @Field({ description: 'When the event happened and the delivery was queued (ISO-8601).' })
  createdAt!: string;
  @Field(() => String, {
    nullable: true,
    description: 'When the next attempt is due (null once DELIVERED or FAILED).',
  })
  nextAttemptAt!: string | null;
  @Field(() => String, { nullable: true, description: 'When the receiver answered 2xx.' })
  deliveredAt!: string | null;

  static from(d: StoredDelivery): AlertDelivery {
    return Object.assign(new AlertDelivery(), {
      id: d.id,
      alertId: d.alertId,
      ruleId: d.ruleId,
      event: d.event,
      url: d.url,
      state: d.state,
      attempts: d.attempts,
      lastError: d.lastError,
      createdAt: d.createdAt,
      nextAttemptAt: d.state === 'PENDING' ? d.nextAttemptAt : null,
      deliveredAt: d.deliveredAt,
    });
  }
}
