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
import type { OrderStatus } from '../domain/enums';
import { OrderStatusEnum } from '../domain/enums.graphql';
import { Factory } from './factory.type';
import { loadNode } from '../graph/loaders';
import { Filters, PageArgs } from './page.args';
import { Order, OrderConnection } from './order.type';
import { Product } from './product.type';
import { REL } from './specs';
import { ORDER } from './twin.kinds';
import { createTwinResolver } from './twin.resolver';

@ArgsType()
export class OrderListArgs extends PageArgs {
  @Field(() => OrderStatusEnum, { nullable: true })
  status?: OrderStatus | null;

  @Field(() => ID, { nullable: true })
  factoryId?: string | null;

  @Field(() => ID, { nullable: true })
  productId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Case-insensitive substring of the customer.',
  })
  customer?: string | null;
}

@Resolver(() => Order)
export class OrderResolver extends createTwinResolver(ORDER) {
  @Query(() => OrderConnection, { description: 'Orders ordered by id, a page at a time.' })
  async orders(@Args() args: OrderListArgs, @Ctx() ctx: Context): Promise<OrderConnection> {
    const f = new Filters().eq('status', args.status).search(args.customer, ['customer']);
    if (args.factoryId) f.where.push('EXISTS { (n)-[:AT]->(:Factory {id: $factoryId}) }');
    if (args.productId) f.where.push('EXISTS { (n)-[:FOR]->(:Product {id: $productId}) }');
    return this.page(ctx, args, {
      where: f.where,
      params: {
        ...f.params,
        factoryId: args.factoryId ?? null,
        productId: args.productId ?? null,
      },
    });
  }

  @FieldResolver(() => Product, { nullable: true })
  product(
    @Root() o: Order,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Product | null> {
    return loadNode(ctx.loaders, REL.orderProduct, o.id, info, Product.fromProps);
  }

  @FieldResolver(() => Factory, { nullable: true })
  factory(
    @Root() o: Order,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Factory | null> {
    return loadNode(ctx.loaders, REL.orderFactory, o.id, info, Factory.fromProps);
  }
}
