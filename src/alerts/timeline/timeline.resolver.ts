import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../domain/context';
import { Asset } from '../../twins/asset.type';
import { Line } from '../../twins/line.type';
import { timelineEntries } from './summary';
import { stateFigures } from './timeline.service';
import {
  type AssetTimeline,
  type LineTimeline,
  readAssetTimelines,
  readLineTimelines,
} from './timeline.store';
import { IdleStretch, StateChange, StateSummary, SummaryArgs, WindowArgs } from './timeline.type';
import { iso, resolveWindow, type TimeWindow } from './window';

/*
 * Asset.timeline, Asset.stateSummary and Line.stateSummary (docs/timeline.md). Every field of
 * one request with the same window shares one batched read: N assets cost one round trip, and
 * so do N lines (each line's assets come with it).
 */

/** One clock reading per request, so every field of it counts up to the same "now". */
const requestNow = new WeakMap<object, number>();
function nowOf(ctx: Context): number {
  let now = requestNow.get(ctx.loaders);
  if (now === undefined) {
    now = Date.now();
    requestNow.set(ctx.loaders, now);
  }
  return now;
}

function assetTimeline(ctx: Context, assetId: string, w: TimeWindow): Promise<AssetTimeline> {
  const [from, to] = [iso(w.from), iso(w.to)];
  return ctx.loaders
    .lists(`timeline:asset:${from}:${to}`, async (ids) =>
      (await readAssetTimelines(ctx.graph, ids, from, to)).map((t) => [{ t }]),
    )
    .load(assetId)
    .then(([row]) => row?.['t'] as AssetTimeline);
}

function lineTimeline(ctx: Context, lineId: string, w: TimeWindow): Promise<LineTimeline | null> {
  const [from, to] = [iso(w.from), iso(w.to)];
  return ctx.loaders
    .lists(`timeline:line:${from}:${to}`, async (ids) =>
      (await readLineTimelines(ctx.graph, ids, from, to)).map((t) => [{ t }]),
    )
    .load(lineId)
    .then(([row]) => (row?.['t'] as LineTimeline | null | undefined) ?? null);
}

@Resolver(() => Asset)
export class AssetTimelineResolver {
  @FieldResolver(() => [StateChange], {
    description:
      "The asset's status changes in the window, oldest first, each with the status before it. Changes are kept TIMELINE_RETENTION_DAYS (see docs/timeline.md).",
  })
  async timeline(
    @Root() asset: Asset,
    @Args() args: WindowArgs,
    @Ctx() ctx: Context,
  ): Promise<StateChange[]> {
    const w = resolveWindow(args.from, args.to, nowOf(ctx));
    const t = await assetTimeline(ctx, asset.id, w);
    return timelineEntries(t.prior, t.changes).map((e) => StateChange.from(e));
  }

  @FieldResolver(() => StateSummary, {
    description:
      "Seconds in each status over the window (default: the last 24 hours), availability and the longest idle stretches; per shift of its line with byShift: true, in the factory's time zone.",
  })
  async stateSummary(
    @Root() asset: Asset,
    @Args() args: SummaryArgs,
    @Ctx() ctx: Context,
  ): Promise<StateSummary> {
    const w = resolveWindow(args.from, args.to, nowOf(ctx));
    const t = await assetTimeline(ctx, asset.id, w);
    return StateSummary.from(stateFigures([t], w, t.shifts, args.byShift));
  }
}

@Resolver(() => Line)
export class LineTimelineResolver {
  @FieldResolver(() => StateSummary, {
    description:
      "The line's figures over the window: the sums over its assets (asset-seconds), availability from those sums, and the longest idle stretches of all its assets; per shift with byShift: true.",
  })
  async stateSummary(
    @Root() line: Line,
    @Args() args: SummaryArgs,
    @Ctx() ctx: Context,
  ): Promise<StateSummary> {
    const w = resolveWindow(args.from, args.to, nowOf(ctx));
    const t = await lineTimeline(ctx, line.id, w);
    const shifts = t?.shifts ?? {
      shiftsPerDay: line.shiftsPerDay,
      hoursPerShift: line.hoursPerShift,
      timezone: null,
    };
    return StateSummary.from(stateFigures(t?.assets ?? [], w, shifts, args.byShift));
  }
}

@Resolver(() => IdleStretch)
export class IdleStretchResolver {
  @FieldResolver(() => Asset, { nullable: true, description: 'The asset that stood idle.' })
  async asset(@Root() stretch: IdleStretch, @Ctx() ctx: Context): Promise<Asset | null> {
    const props = await ctx.loaders.node('Asset').load(stretch.assetId);
    return props ? Asset.fromProps(props) : null;
  }
}
