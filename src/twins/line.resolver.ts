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
import { Asset } from './asset.type';
import { MATCH_LINES_OF_FACTORY } from './cypher';
import { Factory } from './factory.type';
import { Line, LineConnection } from './line.type';
import { loadMany, loadNode, loadNodes } from '../graph/loaders';
import { Filters, SearchPageArgs } from './page.args';
import { Product } from './product.type';
import { optNum } from '../graph/props';
import { LineProduct } from './relations.type';
import { REL } from './specs';
import { LINE } from './twin.kinds';
import { createTwinResolver } from './twin.resolver';

@ArgsType()
export class LineListArgs extends SearchPageArgs {
  @Field(() => ID, { nullable: true, description: 'Only lines of this factory.' })
  factoryId?: string | null;
}

@Resolver(() => Line)
export class LineResolver extends createTwinResolver(LINE) {
  @Query(() => LineConnection, { description: 'Lines ordered by id, a page at a time.' })
  async lines(@Args() args: LineListArgs, @Ctx() ctx: Context): Promise<LineConnection> {
    const f = new Filters().search(args.search, ['name', 'id']);
    return this.page(ctx, args, {
      where: f.where,
      params: { ...f.params, factoryId: args.factoryId ?? null },
      ...(args.factoryId ? { match: MATCH_LINES_OF_FACTORY } : {}),
    });
  }

  @FieldResolver(() => Factory, { nullable: true })
  factory(
    @Root() line: Line,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Factory | null> {
    return loadNode(ctx.loaders, REL.lineFactory, line.id, info, Factory.fromProps);
  }

  @FieldResolver(() => [Asset], { description: 'The stations of the line, ordered by id.' })
  assets(
    @Root() line: Line,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Asset[]> {
    return loadNodes(ctx.loaders, REL.lineAssets, line.id, info, Asset.fromProps);
  }

  @FieldResolver(() => [LineProduct], { description: 'What the line makes, at nominal rates.' })
  produces(@Root() line: Line, @Ctx() ctx: Context): Promise<LineProduct[]> {
    return loadMany(ctx.loaders, REL.lineProducts, line.id, (r) =>
      Object.assign(new LineProduct(), {
        product: Product.fromProps(r.node),
        ratePerHour: optNum(r.rel, 'ratePerHour'),
      }),
    );
  }
}
