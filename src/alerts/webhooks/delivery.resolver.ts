import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../domain/context';
import { webhookErrorFor, webhookUrlFor } from '../../domain/principal';
import { badInput, notFound } from '../../errors';
import { asProps, asPropsList, type Props } from '../../graph/props';
import { alertScopeParams } from '../alert.scope';
import { Alert } from '../alert.type';
import { AlertDelivery, DeliveryAttempt, DeliveryStateEnum } from './delivery.type';
import { type DeliveryState, readDelivery } from './outbox';
import {
  ATTEMPTS_OF_DELIVERIES,
  DELIVERIES_OF_ALERTS,
  LIST_DELIVERIES,
  RETRY_DELIVERY,
} from './outbox.cypher';

/** One list per key, in key order, from rows of `{<keyField>, <listField>}` (loader batches). */
function listsByKey(rows: Props[], ids: string[], keyField: string, listField: string): Props[][] {
  const byKey = new Map(rows.map((r) => [String(r[keyField]), asPropsList(r[listField])]));
  return ids.map((id) => byKey.get(id) ?? []);
}

@ArgsType()
class DeliveryListArgs {
  @Field(() => DeliveryStateEnum, { nullable: true, description: 'Only deliveries in this state.' })
  state?: DeliveryState | null;

  @Field(() => ID, { nullable: true, description: "Only this alert's deliveries." })
  alertId?: string | null;

  @Field(() => Int, { defaultValue: 50, description: 'At most this many (up to MAX_PAGE_SIZE).' })
  first!: number;
}

/** The webhook outbox through GraphQL: list deliveries, their attempts, re-send a FAILED one. */
@Resolver(() => AlertDelivery)
export class AlertDeliveryResolver {
  @Query(() => [AlertDelivery], {
    description: 'Webhook deliveries of alert events, newest first (docs/webhooks.md).',
  })
  async alertDeliveries(
    @Args() { state, alertId, first }: DeliveryListArgs,
    @Ctx() ctx: Context,
  ): Promise<AlertDelivery[]> {
    if (first < 0 || first > ctx.config.MAX_PAGE_SIZE) {
      throw badInput(`"first" must be from 0 to ${ctx.config.MAX_PAGE_SIZE}, got ${first}`);
    }
    const rows = await ctx.graph.read(LIST_DELIVERIES, {
      state: state ?? null,
      alertId: alertId ?? null,
      first,
      ...(await alertScopeParams(ctx.scope)),
    });
    return rows.map((r) => AlertDelivery.from(readDelivery(asProps(r['delivery']))));
  }

  @Mutation(() => AlertDelivery, {
    description:
      'Sends a FAILED delivery again: it becomes PENDING, due now, with a fresh retry window. A PENDING one is made due now. A DELIVERED one is refused.',
  })
  async retryAlertDelivery(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: Context,
  ): Promise<AlertDelivery> {
    // a delivery of an alert the scope does not see is not found, as an unknown id is
    const scope = await alertScopeParams(ctx.scope);
    const rows = await ctx.graph.write(RETRY_DELIVERY, {
      id,
      now: new Date().toISOString(),
      ...scope,
    });
    ctx.loaders.clearAll();
    const row = rows[0];
    if (!row) throw notFound('AlertDelivery', id);
    const delivery = readDelivery(asProps(row['delivery']));
    if (row['before'] === 'DELIVERED') {
      throw badInput(
        `AlertDelivery "${id}" was already delivered (at ${delivery.deliveredAt ?? 'an unknown time'}); only a FAILED or PENDING delivery can be sent again`,
      );
    }
    return AlertDelivery.from(delivery);
  }

  @FieldResolver(() => String, {
    description:
      "The rule's webhook URL. Whole only for an admin key without a factory scope; others see its origin.",
  })
  url(@Root() delivery: AlertDelivery, @Ctx() ctx: Context): string {
    return webhookUrlFor(ctx.principal, delivery.url);
  }

  @FieldResolver(() => String, { nullable: true })
  lastError(@Root() delivery: AlertDelivery, @Ctx() ctx: Context): string | null {
    return webhookErrorFor(ctx.principal, delivery.lastError);
  }

  @FieldResolver(() => [DeliveryAttempt], {
    description: 'Every attempt of the delivery, first to last.',
  })
  async attemptLog(
    @Root() delivery: AlertDelivery,
    @Ctx() ctx: Context,
  ): Promise<DeliveryAttempt[]> {
    const attempts = await ctx.loaders
      .lists('deliveryAttempts', async (ids) =>
        listsByKey(await ctx.graph.read(ATTEMPTS_OF_DELIVERIES, { ids }), ids, 'id', 'attempts'),
      )
      .load(delivery.id);
    return attempts.map((a) => {
      const attempt = DeliveryAttempt.fromProps(a);
      attempt.error = webhookErrorFor(ctx.principal, attempt.error);
      return attempt;
    });
  }
}

/** `Alert.deliveries`: one Cypher query for the deliveries of every alert in the request. */
@Resolver(() => Alert)
export class AlertDeliveriesResolver {
  @FieldResolver(() => [AlertDelivery], {
    description: "The webhook deliveries of this alert's events, in event order.",
  })
  async deliveries(@Root() alert: Alert, @Ctx() ctx: Context): Promise<AlertDelivery[]> {
    const rows = await ctx.loaders
      .lists('alertDeliveries', async (ids) =>
        listsByKey(
          await ctx.graph.read(DELIVERIES_OF_ALERTS, {
            ids,
            ...(await alertScopeParams(ctx.scope)),
          }),
          ids,
          'alertId',
          'deliveries',
        ),
      )
      .load(alert.id);
    return rows.map((p) => AlertDelivery.from(readDelivery(p)));
  }
}
