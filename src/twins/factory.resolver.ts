import type { GraphQLResolveInfo } from 'graphql';
import {
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  Query,
  Resolver,
  Root,
  Info,
} from 'type-graphql';
import type { Context } from '../domain/context';
import { Factory, FactoryConnection } from './factory.type';
import { Line } from './line.type';
import { loadMany, loadNodes } from '../graph/loaders';
import { Filters, SearchPageArgs } from './page.args';
import { Product } from './product.type';
import { num, optNum } from '../graph/props';
import { InventoryEntry } from './relations.type';
import { REL } from './specs';
import { FACTORY } from './twin.kinds';
import { createTwinResolver } from './twin.resolver';

@ArgsType()
export class FactoryListArgs extends SearchPageArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Only factories in this country (ISO code).',
  })
  country?: string | null;
}

@Resolver(() => Factory)
export class FactoryResolver extends createTwinResolver(FACTORY) {
  @Query(() => FactoryConnection, { description: 'Factories ordered by id, a page at a time.' })
  async factories(@Args() args: FactoryListArgs, @Ctx() ctx: Context): Promise<FactoryConnection> {
    const f = new Filters().eq('country', args.country).search(args.search, ['name', 'id']);
    return this.page(ctx, args, { where: f.where, params: f.params });
  }

  @FieldResolver(() => [Line], { description: 'The lines of the factory, ordered by id.' })
  lines(
    @Root() factory: Factory,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Line[]> {
    return loadNodes(ctx.loaders, REL.factoryLines, factory.id, info, Line.fromProps);
  }

  @FieldResolver(() => [InventoryEntry], { description: 'Stock on hand, per product.' })
  inventory(@Root() factory: Factory, @Ctx() ctx: Context): Promise<InventoryEntry[]> {
    return loadMany(ctx.loaders, REL.factoryInventory, factory.id, (r) =>
      Object.assign(new InventoryEntry(), {
        product: Product.fromProps(r.node),
        quantity: num(r.rel, 'quantity', 0),
        safetyStock: optNum(r.rel, 'safetyStock'),
      }),
    );
  }
}
