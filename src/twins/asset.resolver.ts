import type { GraphQLResolveInfo } from 'graphql';
import {
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Query,
  Resolver,
  Root,
  Info,
} from 'type-graphql';
import type { Context } from '../domain/context';
import { Asset, AssetConnection, Metric } from './asset.type';
import type { AssetStatus } from '../domain/enums';
import { AssetStatusEnum } from '../domain/enums.graphql';
import {
  MATCH_ASSETS_OF_FACTORY,
  MATCH_ASSETS_OF_FACTORY_LINE,
  MATCH_ASSETS_OF_LINE,
} from './cypher';
import { Line } from './line.type';
import { loadNode, loadNodes } from '../graph/loaders';
import { Filters, SearchPageArgs } from './page.args';
import { REL } from './specs';
import { ASSET } from './twin.kinds';
import { createTwinResolver } from './twin.resolver';

@ArgsType()
export class AssetListArgs extends SearchPageArgs {
  @Field(() => ID, { nullable: true, description: 'Only assets of this factory.' })
  factoryId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only assets of this line.' })
  lineId?: string | null;

  @Field(() => AssetStatusEnum, { nullable: true })
  status?: AssetStatus | null;

  @Field(() => String, { nullable: true, description: 'Only assets of this kind, e.g. PRESS.' })
  kind?: string | null;
}

function assetMatch(args: AssetListArgs): string | undefined {
  if (args.lineId && args.factoryId) {
    return MATCH_ASSETS_OF_FACTORY_LINE;
  }
  if (args.lineId) return MATCH_ASSETS_OF_LINE;
  if (args.factoryId) return MATCH_ASSETS_OF_FACTORY;
  return undefined;
}

@Resolver(() => Asset)
export class AssetResolver extends createTwinResolver(ASSET) {
  @Query(() => AssetConnection, { description: 'Assets ordered by id, a page at a time.' })
  async assets(@Args() args: AssetListArgs, @Ctx() ctx: Context): Promise<AssetConnection> {
    const f = new Filters()
      .eq('status', args.status)
      .eq('kind', args.kind)
      .search(args.search, ['name', 'id']);
    const match = assetMatch(args);
    return this.page(ctx, args, {
      where: f.where,
      params: { ...f.params, factoryId: args.factoryId ?? null, lineId: args.lineId ?? null },
      ...(match ? { match } : {}),
    });
  }

  @FieldResolver(() => Line, { nullable: true })
  line(
    @Root() asset: Asset,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Line | null> {
    return loadNode(ctx.loaders, REL.assetLine, asset.id, info, Line.fromProps);
  }

  @FieldResolver(() => [Metric], { description: 'What the asset measures, with latest values.' })
  metrics(
    @Root() asset: Asset,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Metric[]> {
    return loadNodes(ctx.loaders, REL.assetMetrics, asset.id, info, Metric.fromProps);
  }

  @FieldResolver(() => [Asset], { description: 'Stations this asset passes material to.' })
  feeds(
    @Root() asset: Asset,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Asset[]> {
    return loadNodes(ctx.loaders, REL.assetFeeds, asset.id, info, Asset.fromProps);
  }

  @FieldResolver(() => [Asset], { description: 'Stations that pass material to this asset.' })
  fedBy(
    @Root() asset: Asset,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Asset[]> {
    return loadNodes(ctx.loaders, REL.assetFedBy, asset.id, info, Asset.fromProps);
  }
}
