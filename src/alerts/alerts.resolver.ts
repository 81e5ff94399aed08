import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { Context } from '../domain/context';
import { ALERT_SEVERITIES, type AlertSeverity } from '../domain/enums';
import { AlertSeverityEnum } from '../domain/enums.graphql';
import { LIVE, routeFor } from '../domain/live';
import { badInput, notFound } from '../errors';
import { asProps } from '../graph/props';
import type { LiveAlertEvent } from './alert.records';
import { Alert } from './alert.type';
import { ACKNOWLEDGE_ALERT, LIST_ALERTS } from './alerts.cypher';

const rank = (s: AlertSeverity): number => ALERT_SEVERITIES.indexOf(s);

@ArgsType()
class AlertArgs {
  @Field(() => ID, { nullable: true, description: 'Only alerts about assets of this factory.' })
  factoryId?: string | null;

  @Field(() => AlertSeverityEnum, {
    nullable: true,
    description: 'Only alerts of this severity and above (default: all).',
  })
  minSeverity?: AlertSeverity | null;
}

@Resolver()
export class AlertResolver {
  @Subscription(() => Alert, {
    topics: LIVE.ALERT,
    topicId: ({ args }: { args: AlertArgs }) => routeFor(args),
    description: 'A new alert (an open alert seen again only raises its count).',
    filter: ({ payload, args }: { payload: LiveAlertEvent; args: AlertArgs }) =>
      (!args.factoryId || args.factoryId === payload.factoryId) &&
      rank(payload.severity) >= rank(args.minSeverity ?? 'INFO'),
  })
  alertRaised(@Root() event: LiveAlertEvent, @Args() _args: AlertArgs): Alert {
    return Alert.fromProps({ ...event });
  }

  @Query(() => [Alert], { description: 'Alerts, newest first.' })
  async alerts(
    @Arg('open', () => Boolean, {
      nullable: true,
      description: 'true: unacknowledged only; false: acknowledged only.',
    })
    open: boolean | null,
    @Arg('assetId', () => ID, { nullable: true }) assetId: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Ctx() ctx: Context,
  ): Promise<Alert[]> {
    if (first < 0 || first > ctx.config.MAX_PAGE_SIZE) {
      throw badInput(`"first" must be from 0 to ${ctx.config.MAX_PAGE_SIZE}, got ${first}`);
    }
    const rows = await ctx.graph.read(LIST_ALERTS, {
      assetId: assetId ?? null,
      open: open ?? null,
      first,
    });
    return rows.map((r) => Alert.fromProps(asProps(r['alert'])));
  }

  @Mutation(() => Alert, {
    description: 'Marks an alert as seen; a later out-of-range reading opens a new one.',
  })
  async acknowledgeAlert(
    @Arg('id', () => ID) id: string,
    @Arg('by', { description: 'Who acknowledges (a name or system).' }) by: string,
    @Ctx() ctx: Context,
  ): Promise<Alert> {
    if (by.trim() === '') throw badInput('"by" must name who acknowledges the alert');
    const rows = await ctx.graph.write(ACKNOWLEDGE_ALERT, {
      id,
      by,
      now: new Date().toISOString(),
    });
    const row = rows[0];
    if (!row) throw notFound('Alert', id);
    return Alert.fromProps(asProps(row['alert']));
  }
}
