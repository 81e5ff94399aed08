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
import type { ShipmentStatus } from '../domain/enums';
import { ShipmentStatusEnum } from '../domain/enums.graphql';
import { Factory } from './factory.type';
import { listPage } from './list';
import { loadOne } from '../graph/loaders';
import { Filters, PageArgs } from './page.args';
import { Product } from './product.type';
import { Shipment, ShipmentConnection } from './shipment.type';
import { REL } from './specs';
import { Supplier } from './supplier.type';

@ArgsType()
export class ShipmentListArgs extends PageArgs {
  @Field(() => ShipmentStatusEnum, { nullable: true })
  status?: ShipmentStatus | null;

  @Field(() => ID, { nullable: true })
  supplierId?: string | null;

  @Field(() => ID, { nullable: true })
  factoryId?: string | null;

  @Field(() => ID, { nullable: true })
  productId?: string | null;
}

@Resolver(() => Shipment)
export class ShipmentResolver {
  @Query(() => Shipment, { nullable: true, description: 'One shipment by id, or null.' })
  async shipment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Shipment | null> {
    const props = await ctx.loaders.node('Shipment').load(id);
    return props ? Shipment.fromProps(props) : null;
  }

  @Query(() => ShipmentConnection, { description: 'Shipments ordered by id, a page at a time.' })
  async shipments(
    @Args() args: ShipmentListArgs,
    @Ctx() ctx: Context,
  ): Promise<ShipmentConnection> {
    const f = new Filters().eq('status', args.status);
    if (args.supplierId) f.where.push('EXISTS { (n)-[:FROM]->(:Supplier {id: $supplierId}) }');
    if (args.factoryId) f.where.push('EXISTS { (n)-[:TO]->(:Factory {id: $factoryId}) }');
    if (args.productId) f.where.push('EXISTS { (n)-[:CARRIES]->(:Product {id: $productId}) }');
    return listPage(
      ctx.graph,
      {
        label: 'Shipment',
        where: f.where,
        params: {
          ...f.params,
          supplierId: args.supplierId ?? null,
          factoryId: args.factoryId ?? null,
          productId: args.productId ?? null,
        },
      },
      pageWindow(args, ctx.config.MAX_PAGE_SIZE),
      Shipment.fromProps,
    );
  }

  @FieldResolver(() => Supplier, { nullable: true })
  supplier(@Root() s: Shipment, @Ctx() ctx: Context): Promise<Supplier | null> {
    return loadOne(ctx.loaders, REL.shipmentSupplier, s.id, Supplier.fromProps);
  }

  @FieldResolver(() => Factory, { nullable: true })
  factory(@Root() s: Shipment, @Ctx() ctx: Context): Promise<Factory | null> {
    return loadOne(ctx.loaders, REL.shipmentFactory, s.id, Factory.fromProps);
  }

  @FieldResolver(() => Product, { nullable: true })
  product(@Root() s: Shipment, @Ctx() ctx: Context): Promise<Product | null> {
    return loadOne(ctx.loaders, REL.shipmentProduct, s.id, Product.fromProps);
  }
}
