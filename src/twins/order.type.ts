import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Connection } from './connection';
import type { OrderStatus } from '../domain/enums';
import { asOrderStatus, OrderStatusEnum } from '../domain/enums.graphql';
import { num, optStr, type Props, str } from '../graph/props';

@ObjectType({
  description: 'A customer order of a product, filled by a factory.',
  simpleResolvers: true,
})
export class Order {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  customer!: string | null;

  @Field(() => Float)
  quantity!: number;

  @Field(() => String, { nullable: true, description: 'UTC ISO-8601.' })
  dueDate!: string | null;

  @Field(() => OrderStatusEnum)
  status!: OrderStatus;

  static fromProps(p: Props): Order {
    return Object.assign(new Order(), {
      id: str(p, 'id'),
      customer: optStr(p, 'customer'),
      quantity: num(p, 'quantity', 0),
      dueDate: optStr(p, 'dueDate'),
      status: asOrderStatus(p['status']),
    });
  }
}

@ObjectType({ simpleResolvers: true })
export class OrderConnection extends Connection('Order', Order) {}
