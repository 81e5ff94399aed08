import { Args, ArgsType, Ctx, Field, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../domain/context';
import { Line } from './line.type';
import { loadMany } from '../graph/loaders';
import { Filters, SearchPageArgs } from './page.args';
import { Product, ProductConnection } from './product.type';
import { num, optNum } from '../graph/props';
import { BomEntry, ProductionLine, ProductSupplier } from './relations.type';
import { REL } from './specs';
import { PRODUCT } from './twin.kinds';
import { createTwinResolver } from './twin.resolver';
import { Supplier } from './supplier.type';

@ArgsType()
export class ProductListArgs extends SearchPageArgs {
  @Field(() => String, { nullable: true, description: 'Exact SKU.' })
  sku?: string | null;
}

const bomEntry = (r: { node: Record<string, unknown>; rel: Record<string, unknown> }) =>
  Object.assign(new BomEntry(), {
    product: Product.fromProps(r.node),
    quantity: num(r.rel, 'quantity', 0),
  });

@Resolver(() => Product)
export class ProductResolver extends createTwinResolver(PRODUCT) {
  @Query(() => ProductConnection, {
    description: 'Products ordered by id; search looks at name, SKU and id.',
  })
  async products(@Args() args: ProductListArgs, @Ctx() ctx: Context): Promise<ProductConnection> {
    const f = new Filters().eq('sku', args.sku).search(args.search, ['name', 'sku', 'id']);
    return this.page(ctx, args, { where: f.where, params: f.params });
  }

  @FieldResolver(() => [BomEntry], {
    description: 'Bill of materials: direct components per unit.',
  })
  components(@Root() product: Product, @Ctx() ctx: Context): Promise<BomEntry[]> {
    return loadMany(ctx.loaders, REL.productComponents, product.id, bomEntry);
  }

  @FieldResolver(() => [BomEntry], { description: 'Products that directly require this one.' })
  usedIn(@Root() product: Product, @Ctx() ctx: Context): Promise<BomEntry[]> {
    return loadMany(ctx.loaders, REL.productUsedIn, product.id, bomEntry);
  }

  @FieldResolver(() => [ProductSupplier], { description: 'Suppliers that can deliver it.' })
  suppliers(@Root() product: Product, @Ctx() ctx: Context): Promise<ProductSupplier[]> {
    return loadMany(ctx.loaders, REL.productSuppliers, product.id, (r) =>
      Object.assign(new ProductSupplier(), {
        supplier: Supplier.fromProps(r.node),
        leadTimeDays: optNum(r.rel, 'leadTimeDays'),
        unitCost: optNum(r.rel, 'unitCost'),
      }),
    );
  }

  @FieldResolver(() => [ProductionLine], { description: 'Lines that make it.' })
  producedBy(@Root() product: Product, @Ctx() ctx: Context): Promise<ProductionLine[]> {
    return loadMany(ctx.loaders, REL.productProducedBy, product.id, (r) =>
      Object.assign(new ProductionLine(), {
        line: Line.fromProps(r.node),
        ratePerHour: optNum(r.rel, 'ratePerHour'),
      }),
    );
  }
}
