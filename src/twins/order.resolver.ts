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
import type { OrderStatus } from '../domain/enums';
import { OrderStatusEnum } from '../domain/enums.graphql';
import { Factory } from './factory.type';
import { listPage } from './list';
import { loadOne } from '../graph/loaders';
import { Filters, PageArgs } from './page.args';
import { Order, OrderConnection } from './order.type';
import { Product } from './product.type';
import { REL } from './specs';

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
export class OrderResolver {
  @Query(() => Order, { nullable: true, description: 'One order by id, or null.' })
  async order(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Order | null> {
    const props = await ctx.loaders.node('Order').load(id);
    return props ? Order.fromProps(props) : null;
  }

  @Query(() => OrderConnection, { description: 'Orders ordered by id, a page at a time.' })
  async orders(@Args() args: OrderListArgs, @Ctx() ctx: Context): Promise<OrderConnection> {
    const f = new Filters().eq('status', args.status).search(args.customer, ['customer']);
    if (args.factoryId) f.where.push('EXISTS { (n)-[:AT]->(:Factory {id: $factoryId}) }');
    if (args.productId) f.where.push('EXISTS { (n)-[:FOR]->(:Product {id: $productId}) }');
    return listPage(
      ctx.graph,
      {
        label: 'Order',
        where: f.where,
        params: {
          ...f.params,
          factoryId: args.factoryId ?? null,
          productId: args.productId ?? null,
        },
      },
      pageWindow(args, ctx.config.MAX_PAGE_SIZE),
      Order.fromProps,
    );
  }

  @FieldResolver(() => Product, { nullable: true })
  product(@Root() o: Order, @Ctx() ctx: Context): Promise<Product | null> {
    return loadOne(ctx.loaders, REL.orderProduct, o.id, Product.fromProps);
  }

  @FieldResolver(() => Factory, { nullable: true })
  factory(@Root() o: Order, @Ctx() ctx: Context): Promise<Factory | null> {
    return loadOne(ctx.loaders, REL.orderFactory, o.id, Factory.fromProps);
  }
}
