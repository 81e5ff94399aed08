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
import { listPage } from './list';
import { loadMany } from '../graph/loaders';
import { Filters, SearchPageArgs } from './page.args';
import { Product } from './product.type';
import { optNum } from '../graph/props';
import { SuppliedProduct } from './relations.type';
import { REL } from './specs';
import { Supplier, SupplierConnection } from './supplier.type';

@ArgsType()
export class SupplierListArgs extends SearchPageArgs {
  @Field(() => String, { nullable: true, description: 'Only suppliers in this country.' })
  country?: string | null;
}

@Resolver(() => Supplier)
export class SupplierResolver {
  @Query(() => Supplier, { nullable: true, description: 'One supplier by id, or null.' })
  async supplier(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Supplier | null> {
    const props = await ctx.loaders.node('Supplier').load(id);
    return props ? Supplier.fromProps(props) : null;
  }

  @Query(() => SupplierConnection, { description: 'Suppliers ordered by id, a page at a time.' })
  async suppliers(
    @Args() args: SupplierListArgs,
    @Ctx() ctx: Context,
  ): Promise<SupplierConnection> {
    const f = new Filters().eq('country', args.country).search(args.search, ['name', 'id']);
    return listPage(
      ctx.graph,
      { label: 'Supplier', where: f.where, params: f.params },
      pageWindow(args, ctx.config.MAX_PAGE_SIZE),
      Supplier.fromProps,
    );
  }

  @FieldResolver(() => [SuppliedProduct], { description: 'Products it can deliver, with terms.' })
  supplies(@Root() supplier: Supplier, @Ctx() ctx: Context): Promise<SuppliedProduct[]> {
    return loadMany(ctx.loaders, REL.supplierSupplies, supplier.id, (r) =>
      Object.assign(new SuppliedProduct(), {
        product: Product.fromProps(r.node),
        leadTimeDays: optNum(r.rel, 'leadTimeDays'),
        unitCost: optNum(r.rel, 'unitCost'),
      }),
    );
  }
}
