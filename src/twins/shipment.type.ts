import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Connection } from './connection';
import type { ShipmentStatus } from '../domain/enums';
import { asShipmentStatus, ShipmentStatusEnum } from '../domain/enums.graphql';
import { num, optStr, type Props, str } from '../graph/props';

@ObjectType({
  description: 'One inbound shipment of one product from a supplier to a factory.',
  simpleResolvers: true,
})
export class Shipment {
  @Field(() => ID)
  id!: string;

  @Field(() => ShipmentStatusEnum)
  status!: ShipmentStatus;

  @Field(() => Float)
  quantity!: number;

  @Field(() => String, { nullable: true, description: 'UTC ISO-8601.' })
  departedAt!: string | null;

  @Field(() => String, { nullable: true, description: 'Expected arrival, UTC ISO-8601.' })
  eta!: string | null;

  static fromProps(p: Props): Shipment {
    return Object.assign(new Shipment(), {
      id: str(p, 'id'),
      status: asShipmentStatus(p['status']),
      quantity: num(p, 'quantity', 0),
      departedAt: optStr(p, 'departedAt'),
      eta: optStr(p, 'eta'),
    });
  }
}

@ObjectType({ simpleResolvers: true })
export class ShipmentConnection extends Connection('Shipment', Shipment) {}
