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
import type { ShipmentStatus } from '../domain/enums';
import { ShipmentStatusEnum } from '../domain/enums.graphql';
import { Factory } from './factory.type';
import { loadNode } from '../graph/loaders';
import { Filters, PageArgs } from './page.args';
import { Product } from './product.type';
import { Shipment, ShipmentConnection } from './shipment.type';
import { REL } from './specs';
import { SHIPMENT } from './twin.kinds';
import { createTwinResolver } from './twin.resolver';
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
export class ShipmentResolver extends createTwinResolver(SHIPMENT) {
  @Query(() => ShipmentConnection, { description: 'Shipments ordered by id, a page at a time.' })
  async shipments(
    @Args() args: ShipmentListArgs,
    @Ctx() ctx: Context,
  ): Promise<ShipmentConnection> {
    const f = new Filters().eq('status', args.status);
    if (args.supplierId) f.where.push('EXISTS { (n)-[:FROM]->(:Supplier {id: $supplierId}) }');
    if (args.factoryId) f.where.push('EXISTS { (n)-[:TO]->(:Factory {id: $factoryId}) }');
    if (args.productId) f.where.push('EXISTS { (n)-[:CARRIES]->(:Product {id: $productId}) }');
    return this.page(ctx, args, {
      where: f.where,
      params: {
        ...f.params,
        supplierId: args.supplierId ?? null,
        factoryId: args.factoryId ?? null,
        productId: args.productId ?? null,
      },
    });
  }

  @FieldResolver(() => Supplier, { nullable: true })
  supplier(
    @Root() s: Shipment,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Supplier | null> {
    return loadNode(ctx.loaders, REL.shipmentSupplier, s.id, info, Supplier.fromProps);
  }

  @FieldResolver(() => Factory, { nullable: true })
  factory(
    @Root() s: Shipment,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Factory | null> {
    return loadNode(ctx.loaders, REL.shipmentFactory, s.id, info, Factory.fromProps);
  }

  @FieldResolver(() => Product, { nullable: true })
  product(
    @Root() s: Shipment,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Product | null> {
    return loadNode(ctx.loaders, REL.shipmentProduct, s.id, info, Product.fromProps);
  }
}
