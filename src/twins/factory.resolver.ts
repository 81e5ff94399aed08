import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../domain/context';
import { pageWindow } from './connection';
import { Factory, FactoryConnection } from './factory.type';
import { Line } from './line.type';
import { listPage } from './list';
import { loadMany } from '../graph/loaders';
import { Filters, SearchPageArgs } from './page.args';
import { Product } from './product.type';
import { num, optNum } from '../graph/props';
import { InventoryEntry } from './relations.type';
import { REL } from './specs';

@ArgsType()
export class FactoryListArgs extends SearchPageArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Only factories in this country (ISO code).',
  })
  country?: string | null;
}

@Resolver(() => Factory)
export class FactoryResolver {
  @Query(() => Factory, { nullable: true, description: 'One factory by id, or null.' })
  async factory(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Factory | null> {
    const props = await ctx.loaders.node('Factory').load(id);
    return props ? Factory.fromProps(props) : null;
  }

  @Query(() => FactoryConnection, { description: 'Factories ordered by id, a page at a time.' })
  async factories(@Args() args: FactoryListArgs, @Ctx() ctx: Context): Promise<FactoryConnection> {
    const f = new Filters().eq('country', args.country).search(args.search, ['name', 'id']);
    return listPage(
      ctx.graph,
      { label: 'Factory', where: f.where, params: f.params },
      pageWindow(args, ctx.config.MAX_PAGE_SIZE),
      Factory.fromProps,
    );
  }

  @FieldResolver(() => [Line], { description: 'The lines of the factory, ordered by id.' })
  lines(@Root() factory: Factory, @Ctx() ctx: Context): Promise<Line[]> {
    return loadMany(ctx.loaders, REL.factoryLines, factory.id, (r) => Line.fromProps(r.node));
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
