import { Args, ArgsType, Ctx, Field, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../domain/context';
import { loadMany } from '../graph/loaders';
import { Filters, SearchPageArgs } from './page.args';
import { Product } from './product.type';
import { optNum } from '../graph/props';
import { SuppliedProduct } from './relations.type';
import { REL } from './specs';
import { SUPPLIER } from './twin.kinds';
import { createTwinResolver } from './twin.resolver';
import { Supplier, SupplierConnection } from './supplier.type';

@ArgsType()
export class SupplierListArgs extends SearchPageArgs {
  @Field(() => String, { nullable: true, description: 'Only suppliers in this country.' })
  country?: string | null;
}

@Resolver(() => Supplier)
export class SupplierResolver extends createTwinResolver(SUPPLIER) {
  @Query(() => SupplierConnection, { description: 'Suppliers ordered by id, a page at a time.' })
  async suppliers(
    @Args() args: SupplierListArgs,
    @Ctx() ctx: Context,
  ): Promise<SupplierConnection> {
    const f = new Filters().eq('country', args.country).search(args.search, ['name', 'id']);
    return this.page(ctx, args, { where: f.where, params: f.params });
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
