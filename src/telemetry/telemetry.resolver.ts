import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { badInput } from '../errors';
import type { Context } from '../domain/context';
import { Asset, Metric } from '../twins/asset.type';
import { asPropsList, num, optNum, optStr } from '../graph/props';
import { LIVE, routeFor } from '../domain/live';
import { type LiveStatusEvent, type LiveTelemetryEvent } from './events';
import { historyDir, historyReaderFor } from '../history/reader';
import { historyBoundaryMs, mergeHistory, readFileHistory } from './history';
import { readHistory } from './store';
import { READ_REJECTIONS } from './telemetry.cypher';
import { REJECTION_REASON_DESCRIPTIONS, isRejectionReason } from './reasons';
import {
  AssetStatusEvent,
  MetricReading,
  ReadingValue,
  RejectionCount,
  RejectionExample,
  TelemetryEvent,
  TelemetryRejections,
} from './telemetry.type';

@ArgsType()
class TelemetryArgs {
  @Field(() => ID, { nullable: true, description: 'Only assets of this factory.' })
  factoryId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only assets of this line.' })
  lineId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this asset.' })
  assetId?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Only these metrics (others are left out of each event).',
  })
  metrics?: string[] | null;
}

@ArgsType()
class StatusArgs {
  @Field(() => ID, { nullable: true })
  factoryId?: string | null;

  @Field(() => ID, { nullable: true })
  lineId?: string | null;
}

const matches = (want: string | null | undefined, have: string) => !want || want === have;

/**
 * Whether the subscriber's factory scope sees an event's asset: the event carries the factory the
 * asset stands in (the registry's, as ingestion checked it), so this costs no round trip. A
 * subscription naming another factory, line or asset is then silent, as one naming an unknown id
 * is (docs/security.md, "Factory scopes: alerts, telemetry and export").
 */
const inScope = (context: Pick<Context, 'principal'>, factoryId: string): boolean =>
  context.principal.factoryIds === null || context.principal.factoryIds.includes(factoryId);

/** What a subscription's filter gets (type-graphql): the operation's context. */
interface FilterData<P, A> {
  payload: P;
  args: A;
  context: Pick<Context, 'principal'>;
}

@Resolver()
export class TelemetryResolver {
  @Subscription(() => TelemetryEvent, {
    topics: LIVE.TELEMETRY,
    topicId: ({ args }: { args: TelemetryArgs }) => routeFor(args),
    description: 'Validated telemetry as it arrives (before it is stored), filtered on the server.',
    filter: ({ payload, args, context }: FilterData<LiveTelemetryEvent, TelemetryArgs>) =>
      inScope(context, payload.factoryId) &&
      matches(args.factoryId, payload.factoryId) &&
      matches(args.lineId, payload.lineId) &&
      matches(args.assetId, String(payload.asset['id'])) &&
      (!args.metrics || payload.readings.some((r) => args.metrics?.includes(r.metric))),
  })
  telemetry(@Root() event: LiveTelemetryEvent, @Args() args: TelemetryArgs): TelemetryEvent {
    const readings = args.metrics
      ? event.readings.filter((r) => args.metrics?.includes(r.metric))
      : event.readings;
    return Object.assign(new TelemetryEvent(), {
      asset: Asset.fromProps(event.asset),
      ts: event.ts,
      readings: readings.map((r) => Object.assign(new ReadingValue(), r)),
    });
  }

  @Subscription(() => AssetStatusEvent, {
    topics: LIVE.ASSET_STATUS,
    topicId: ({ args }: { args: StatusArgs }) => routeFor(args),
    description: 'An asset changed status, by a state message or a mutation.',
    filter: ({ payload, args, context }: FilterData<LiveStatusEvent, StatusArgs>) =>
      inScope(context, payload.factoryId) &&
      matches(args.factoryId, payload.factoryId) &&
      matches(args.lineId, payload.lineId),
  })
  assetStatusChanged(@Root() event: LiveStatusEvent, @Args() _args: StatusArgs): AssetStatusEvent {
    return Object.assign(new AssetStatusEvent(), {
      asset: Asset.fromProps({ ...event.asset, status: event.status }),
      previousStatus: event.previousStatus,
      reason: event.reason,
      ts: event.ts,
      source: event.source,
    });
  }

  @Query(() => TelemetryRejections, {
    description: 'Refused telemetry: counts by reason and the newest examples.',
  })
  async telemetryRejections(
    @Arg('latest', () => Int, { defaultValue: 20, description: 'How many examples (at most 200).' })
    latest: number,
    @Ctx() ctx: Context,
  ): Promise<TelemetryRejections> {
    if (latest < 0 || latest > 200) throw badInput(`"latest" must be from 0 to 200, got ${latest}`);
    const rows = await ctx.graph.read(READ_REJECTIONS, { latest });
    const row = rows[0] ?? {};
    const byReason = asPropsList(row['stats'])
      .map((s) =>
        Object.assign(new RejectionCount(), {
          reason: String(s['reason']),
          description: isRejectionReason(s['reason'])
            ? REJECTION_REASON_DESCRIPTIONS[s['reason']]
            : '',
          count: num(s, 'count', 0),
          lastAt: optStr(s, 'lastAt'),
        }),
      )
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
    return Object.assign(new TelemetryRejections(), {
      total: byReason.reduce((sum, r) => sum + r.count, 0),
      byReason,
      latest: asPropsList(row['examples']).map((e) =>
        Object.assign(new RejectionExample(), {
          reason: String(e['reason']),
          detail: String(e['detail']),
          topic: String(e['topic']),
          payload: String(e['payload']),
          receivedAt: String(e['receivedAt']),
          metric: optStr(e, 'metric'),
        }),
      ),
    });
  }
}

@ArgsType()
class HistoryArgs {
  @Field(() => String, { nullable: true, description: 'From this time (ISO-8601), inclusive.' })
  from?: string | null;

  @Field(() => String, { nullable: true, description: 'Up to this time (ISO-8601), inclusive.' })
  to?: string | null;

  @Field(() => Int, { defaultValue: 100, description: 'Newest readings first; at most 1000.' })
  limit!: number;
}

function isoOrNull(name: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const ms = Date.parse(value);
  if (!/[zZ]|[+-]\d\d:?\d\d$/.test(value) || Number.isNaN(ms)) {
    throw badInput(
      `"${name}" must be an ISO-8601 time with a zone, e.g. 2026-11-25T10:00:00Z; got "${value}"`,
    );
  }
  return new Date(ms).toISOString();
}

@Resolver(() => Metric)
export class MetricHistoryResolver {
  @FieldResolver(() => [MetricReading], {
    description:
      "Stored readings, newest first, over the whole history: the graph's recent window and the history files (docs/history.md), each reading once.",
  })
  async history(
    @Root() metric: Metric,
    @Args() args: HistoryArgs,
    @Ctx() ctx: Context,
  ): Promise<MetricReading[]> {
    if (args.limit < 1 || args.limit > 1000)
      throw badInput(`"limit" must be from 1 to 1000, got ${args.limit}`);
    const from = isoOrNull('from', args.from);
    const to = isoOrNull('to', args.to);
    const fromMs = from === null ? null : Date.parse(from);
    const toMs = to === null ? null : Date.parse(to);
    // the graph answers from the boundary on, the files before it (src/telemetry/history.ts)
    const boundary = historyBoundaryMs(ctx);
    const graphFrom = new Date(
      fromMs === null ? boundary : Math.max(fromMs, boundary),
    ).toISOString();
    const graphRows =
      toMs !== null && toMs < boundary
        ? []
        : await ctx.loaders
            .lists(`history:${graphFrom}:${to}:${args.limit}`, (ids) =>
              readHistory(ctx.graph, ids, graphFrom, to, args.limit),
            )
            .load(metric.id);
    // one DuckDB query for the metrics of a level still short of their limit
    const fileRows =
      graphRows.length >= args.limit || (fromMs !== null && fromMs >= boundary)
        ? []
        : await ctx.loaders
            .lists(`history-files:${from}:${to}:${args.limit}:${boundary}`, (ids) =>
              readFileHistory(
                historyReaderFor(historyDir(ctx.config)),
                ids,
                fromMs,
                toMs,
                args.limit,
                boundary,
              ),
            )
            .load(metric.id);
    return mergeHistory(graphRows, fileRows, args.limit).map((r) =>
      Object.assign(new MetricReading(), {
        ts: String(r['ts']),
        value: num(r, 'value', 0),
        flagged: r['flagged'] === true,
        topic: topicFor(ctx, String(r['topic'])),
        receivedAt: String(r['receivedAt']),
        originalValue: optNum(r, 'originalValue') ?? num(r, 'value', 0),
        originalUnit: optStr(r, 'originalUnit'),
        conversion: optStr(r, 'conversion'),
      }),
    );
  }
}

/**
 * A stored reading's topic names the factory and line the asset stood in when it arrived; for a
 * scoped key, an asset moved since then would name another factory: those levels become `…`.
 */
function topicFor(ctx: Pick<Context, 'principal'>, topic: string): string {
  const scope = ctx.principal.factoryIds;
  if (scope === null) return topic;
  const levels = topic.split('/');
  const factory = levels.at(-4);
  if (levels.length < 5 || factory === undefined || scope.includes(factory)) return topic;
  return [...levels.slice(0, -4), '…', '…', ...levels.slice(-2)].join('/');
}
