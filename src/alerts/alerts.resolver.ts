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
  Subscription,
} from 'type-graphql';
import type { Context } from '../domain/context';
import type { AlertNotice, AlertState } from '../domain/alerts';
import { ALERT_SEVERITIES, type AlertSeverity } from '../domain/enums';
import { AlertSeverityEnum } from '../domain/enums.graphql';
import { LIVE } from '../domain/live';
import { badInput, notFound } from '../errors';
import { asProps, asPropsList } from '../graph/props';
import { Asset } from '../twins/asset.type';
import { Factory } from '../twins/factory.type';
import { Shipment } from '../twins/shipment.type';
import { alertScopeParams, principalHears, seesRule } from './alert.scope';
import { alertRowFromProps, noticeOf } from './alert.store';
import { Alert, AlertConnection, AlertRule, AlertStateEnum, AlertSubject } from './alert.type';
import {
  ACKNOWLEDGE_ALERT,
  GET_ALERT,
  LIST_ALERTS,
  READ_RULES,
  RESOLVE_ALERT,
} from './alerts.cypher';
import { routeNotices } from './routing';
import { ruleFromProps } from './rules';

const rank = (s: AlertSeverity): number => ALERT_SEVERITIES.indexOf(s);
const atLeast = (min: AlertSeverity): AlertSeverity[] =>
  ALERT_SEVERITIES.filter((s) => rank(s) >= rank(min));

@ArgsType()
class AlertRaisedArgs {
  @Field(() => ID, { nullable: true, description: 'Only alerts in this factory.' })
  factoryId?: string | null;

  @Field(() => AlertSeverityEnum, {
    nullable: true,
    description: 'Only alerts of this severity and above (default: all).',
  })
  minSeverity?: AlertSeverity | null;
}

@ArgsType()
class AlertListArgs {
  @Field(() => Int, { defaultValue: 50, description: 'Page size (at most MAX_PAGE_SIZE).' })
  first!: number;
  @Field(() => String, { nullable: true, description: 'Continue after this cursor.' })
  after?: string | null;
  @Field(() => ID, { nullable: true }) factoryId?: string | null;
  @Field(() => ID, { nullable: true }) assetId?: string | null;
  @Field(() => ID, { nullable: true }) ruleId?: string | null;
  @Field(() => String, { nullable: true, description: 'The rule kind, e.g. OUT_OF_RANGE.' })
  kind?: string | null;
  @Field(() => AlertSeverityEnum, { nullable: true, description: 'Exactly this severity.' })
  severity?: AlertSeverity | null;
  @Field(() => AlertSeverityEnum, { nullable: true, description: 'This severity and above.' })
  minSeverity?: AlertSeverity | null;
  @Field(() => AlertStateEnum, { nullable: true }) state?: AlertState | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'true: open alerts (RAISED or ACKNOWLEDGED); false: RESOLVED ones.',
  })
  open?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Raised at or after (ISO-8601).' })
  from?: string | null;
  @Field(() => String, { nullable: true, description: 'Raised at or before (ISO-8601).' })
  to?: string | null;
}

/* Cursors: the (raisedAt, id) of the last alert of a page, opaque to clients. */
const encodeCursor = (raisedAt: string, id: string): string =>
  Buffer.from(JSON.stringify([raisedAt, id]), 'utf8').toString('base64url');

function decodeCursor(cursor: string): { at: string; id: string } {
  const fail = () =>
    badInput('"after" is not a cursor of this list; pass an endCursor or edge cursor of `alerts`');
  if (cursor.length > 512) throw fail();
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') {
      return { at: v[0], id: v[1] };
    }
  } catch {
    // fall through
  }
  throw fail();
}

function isoOrNull(v: string | null | undefined, name: string): string | null {
  if (v === null || v === undefined) return null;
  const ms = Date.parse(v);
  if (Number.isNaN(ms))
    throw badInput(`"${name}" must be an ISO-8601 time, got "${v.slice(0, 40)}"`);
  return new Date(ms).toISOString();
}

@Resolver(() => Alert)
export class AlertResolver {
  @Subscription(() => Alert, {
    topics: LIVE.ALERT,
    topicId: ({ args }: { args: AlertRaisedArgs }) =>
      args.factoryId ? `factory:${args.factoryId}` : 'all',
    description:
      'A new alert. An open alert seen again raises its count, not a new alert (see `alerts`).',
    // a factory scope hears the alerts of its factories only; a factoryId outside it is silent,
    // as an unknown factory is (docs/security.md, "Factory scopes: alerts, telemetry and export")
    filter: ({
      payload,
      args,
      context,
    }: {
      payload: AlertNotice;
      args: AlertRaisedArgs;
      context: Pick<Context, 'principal'>;
    }) =>
      principalHears(context.principal, payload) &&
      rank(payload.severity) >= rank(args.minSeverity ?? 'INFO'),
  })
  alertRaised(@Root() notice: AlertNotice, @Args() _args: AlertRaisedArgs): Alert {
    return Alert.fromRow({
      ...notice,
      ruleId: notice.ruleId ?? '',
      subjectId: '',
      aboutLabel: notice.about.label,
      aboutId: notice.about.id,
      lastEvalAt: notice.lastSeenAt,
      lastBad: true,
      clearSince: null,
      lastValue: null,
    });
  }

  @Query(() => AlertConnection, { description: 'Alerts, newest first, with filters.' })
  async alerts(@Args() args: AlertListArgs, @Ctx() ctx: Context): Promise<AlertConnection> {
    if (args.first < 0 || args.first > ctx.config.MAX_PAGE_SIZE) {
      throw badInput(`"first" must be from 0 to ${ctx.config.MAX_PAGE_SIZE}, got ${args.first}`);
    }
    if (args.severity && args.minSeverity) {
      throw badInput('give "severity" (exactly) or "minSeverity" (and above), not both');
    }
    if (args.state && args.open !== null && args.open !== undefined) {
      throw badInput('give "state" or "open", not both');
    }
    const after = args.after ? decodeCursor(args.after) : null;
    const states: AlertState[] | null = args.state
      ? [args.state]
      : args.open === true
        ? ['RAISED', 'ACKNOWLEDGED']
        : args.open === false
          ? ['RESOLVED']
          : null;
    const rows = await ctx.graph.read(LIST_ALERTS, {
      // another factory's id finds what an unknown one does (alerts keep the factory they were
      // raised in, so a twin moved in from it would otherwise answer to its old factory)
      factoryId:
        args.factoryId && !ctx.scope.seesFactory(args.factoryId)
          ? NO_FACTORY
          : (args.factoryId ?? null),
      assetId: args.assetId ?? null,
      ruleId: args.ruleId ?? null,
      kind: args.kind ?? null,
      severities: args.severity
        ? [args.severity]
        : args.minSeverity
          ? atLeast(args.minSeverity)
          : null,
      states,
      from: isoOrNull(args.from, 'from'),
      to: isoOrNull(args.to, 'to'),
      afterAt: after?.at ?? null,
      afterId: after?.id ?? null,
      first: args.first,
      ...(await alertScopeParams(ctx.scope)),
    });
    const row = rows[0];
    const items = asPropsList(row?.['items']).map((p) => Alert.fromRow(alertRowFromProps(p)));
    const page = items.slice(0, args.first);
    const edges = page.map((node) => ({ cursor: encodeCursor(node.raisedAt, node.id), node }));
    return Object.assign(new AlertConnection(), {
      edges,
      totalCount: Number(row?.['total'] ?? 0),
      pageInfo: {
        hasNextPage: items.length > args.first,
        hasPreviousPage: after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    });
  }

  @Query(() => Alert, { nullable: true, description: 'One alert by id (null when unknown).' })
  async alert(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Alert | null> {
    const row = (
      await ctx.graph.read(GET_ALERT, { id, ...(await alertScopeParams(ctx.scope)) })
    )[0];
    return row ? Alert.fromRow(alertRowFromProps(asProps(row['alert']))) : null;
  }

  @Mutation(() => Alert, {
    description:
      'Someone has seen the alert: it stays open (ACKNOWLEDGED) until it is resolved. ' +
      'Acknowledging again changes nothing.',
  })
  async acknowledgeAlert(
    @Arg('id', () => ID) id: string,
    @Arg('by', { description: 'Who acknowledges (a name or system).' }) by: string,
    @Ctx() ctx: Context,
  ): Promise<Alert> {
    return this.step(ctx, ACKNOWLEDGE_ALERT, 'ACKNOWLEDGED', id, checkedBy(by, 'acknowledges'));
  }

  @Mutation(() => Alert, {
    description:
      'Closes the alert by hand (RESOLVED). If its condition still holds, the next observation ' +
      'raises a new alert; to silence a rule, disable it. Resolving again changes nothing.',
  })
  async resolveAlert(
    @Arg('id', () => ID) id: string,
    @Arg('by', () => String, { nullable: true, description: 'Who resolves it.' })
    by: string | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<Alert> {
    return this.step(
      ctx,
      RESOLVE_ALERT,
      'RESOLVED',
      id,
      // omitted (undefined) or null: nobody named
      by === null || by === undefined ? 'unknown' : checkedBy(by, 'resolves'),
    );
  }

  private async step(
    ctx: Context,
    cypher: string,
    event: 'ACKNOWLEDGED' | 'RESOLVED',
    id: string,
    by: string,
  ): Promise<Alert> {
    const now = new Date().toISOString();
    // an alert the scope does not see is not found, as an unknown id is
    const scope = await alertScopeParams(ctx.scope);
    const result = await ctx.graph.transaction('WRITE', async (tx) => {
      const row = (await tx.run(cypher, { id, by, now, ...scope }))[0];
      if (!row) return null;
      const alert = alertRowFromProps(asProps(row['alert']));
      const notice = row['first'] === true ? noticeOf(alert, event) : null;
      if (notice) {
        const rules = await tx.run(READ_RULES, { ids: [alert.ruleId] });
        const defs = new Map(
          rules.map((r) => {
            const def = ruleFromProps(asProps(r['rule']));
            return [def.id, def] as const;
          }),
        );
        await routeNotices(tx, [notice], defs, now);
      }
      return { alert, notice };
    });
    if (!result) throw notFound('Alert', id);
    if (result.notice) ctx.events.alertChanged(result.notice);
    return Alert.fromRow(result.alert);
  }

  @FieldResolver(() => AlertSubject, {
    nullable: true,
    description: 'The twin the alert is about (null when it has been deleted since).',
  })
  async about(
    @Root() alert: Alert,
    @Ctx() ctx: Context,
  ): Promise<Asset | Shipment | Factory | null> {
    const p = await ctx.loaders.node(alert.aboutLabel).load(alert.aboutId);
    if (!p) return null;
    switch (alert.aboutLabel) {
      case 'Asset':
        return Asset.fromProps(p);
      case 'Shipment':
        return Shipment.fromProps(p);
      case 'Factory':
        return Factory.fromProps(p);
    }
  }

  @FieldResolver(() => AlertRule, {
    nullable: true,
    description: 'The rule that raised it (null when the rule has been deleted since).',
  })
  async rule(@Root() alert: Alert, @Ctx() ctx: Context): Promise<AlertRule | null> {
    if (!alert.ruleId) return null;
    return this.ruleOf(alert.ruleId, ctx);
  }

  @FieldResolver(() => ID, { nullable: true })
  async ruleId(@Root() alert: Alert, @Ctx() ctx: Context): Promise<string | null> {
    // a rule the scope does not see is not named either
    if (!alert.ruleId || ctx.scope.all) return alert.ruleId;
    return (await this.ruleOf(alert.ruleId, ctx)) ? alert.ruleId : null;
  }

  /*
   * Where the alert's twin stood when it was raised: for a scoped key, a twin moved in from
   * another factory since then must not name that factory or its line.
   */
  @FieldResolver(() => ID, { nullable: true })
  factoryId(@Root() alert: Alert, @Ctx() ctx: Context): string | null {
    return alert.factoryId !== null && ctx.scope.seesFactory(alert.factoryId)
      ? alert.factoryId
      : null;
  }

  @FieldResolver(() => ID, { nullable: true })
  async lineId(@Root() alert: Alert, @Ctx() ctx: Context): Promise<string | null> {
    return alert.lineId !== null && (await ctx.scope.sees('Line', alert.lineId))
      ? alert.lineId
      : null;
  }

  private async ruleOf(ruleId: string, ctx: Context): Promise<AlertRule | null> {
    const visible = await ctx.scope.visible();
    const found = await ctx.loaders
      .lists('alertRule', async (ids) => {
        const rows = await ctx.graph.read(READ_RULES, { ids });
        const byId = new Map(
          rows.map((r) => {
            const p = asProps(r['rule']);
            return [String(p['id']), p] as const;
          }),
        );
        return ids.map((id) => {
          const p = byId.get(id);
          return p ? [p] : [];
        });
      })
      .load(ruleId);
    const def = found[0] ? ruleFromProps(found[0]) : null;
    // a rule the scope does not see (alertRules) answers like a deleted one
    return def && seesRule(visible, def) ? AlertRule.fromDef(def) : null;
  }
}

/** A factory id no twin has (ids never hold control characters): matches nothing. */
const NO_FACTORY = '\u0000';

function checkedBy(by: string, verb: string): string {
  const trimmed = by.trim();
  if (trimmed === '' || trimmed.length > 200) {
    throw badInput(`"by" must name who ${verb} the alert (1 to 200 characters)`);
  }
  return trimmed;
}
