import { Field, Float, ID, InputType } from 'type-graphql';
import type { AssetStatus, OrderStatus, ShipmentStatus } from '../../domain/enums';
import { AssetStatusEnum, OrderStatusEnum, ShipmentStatusEnum } from '../../domain/enums.graphql';
import { RECOVERY_DAYS } from '../supplier.type';

/*
 * Inputs mirror the rows of the import document (domain.md §2): a create or update is validated
 * by the same rules as an import, so the API and the batch import cannot disagree.
 * Create inputs need what the document needs; patch inputs change only the fields given.
 */

@InputType()
export class FactoryInput {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) country?: string | null;
  @Field(() => String, { nullable: true, description: 'IANA time zone.' }) timezone?: string | null;
  @Field(() => Float, { nullable: true }) lat?: number | null;
  @Field(() => Float, { nullable: true }) lon?: number | null;
}

@InputType()
export class FactoryPatch {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) country?: string | null;
  @Field(() => String, { nullable: true }) timezone?: string | null;
  @Field(() => Float, { nullable: true }) lat?: number | null;
  @Field(() => Float, { nullable: true }) lon?: number | null;
}

@InputType()
export class LineInput {
  @Field(() => ID) id!: string;
  @Field(() => ID) factoryId!: string;
  @Field() name!: string;
  @Field(() => Float, { nullable: true, description: 'Default 2.' }) shiftsPerDay?: number | null;
  @Field(() => Float, { nullable: true, description: 'Default 8.' }) hoursPerShift?: number | null;
}

@InputType()
export class LinePatch {
  @Field(() => ID, { nullable: true, description: 'Moves the line to another factory.' })
  factoryId?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => Float, { nullable: true }) shiftsPerDay?: number | null;
  @Field(() => Float, { nullable: true }) hoursPerShift?: number | null;
}

@InputType()
export class MetricInput {
  @Field() name!: string;
  @Field({ description: 'Canonical UCUM unit, e.g. Cel, bar, mm/s.' }) unit!: string;
  @Field(() => Float, { nullable: true }) min?: number | null;
  @Field(() => Float, { nullable: true }) max?: number | null;
}

@InputType()
export class AssetInput {
  @Field(() => ID) id!: string;
  @Field(() => ID) lineId!: string;
  @Field() name!: string;
  @Field({ description: 'UPPER_SNAKE kind: PRESS, CNC, ROBOT, ...' }) kind!: string;
  @Field(() => AssetStatusEnum, { nullable: true, description: 'Default RUNNING.' })
  status?: AssetStatus | null;
  @Field(() => Float) ratePerHour!: number;
  @Field(() => Float, { nullable: true }) mtbfHours?: number | null;
  @Field(() => Float, { nullable: true }) mttrHours?: number | null;
  @Field(() => [MetricInput], { nullable: true }) metrics?: MetricInput[] | null;
}

@InputType()
export class AssetPatch {
  @Field(() => ID, { nullable: true, description: 'Moves the asset to another line.' })
  lineId?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) kind?: string | null;
  @Field(() => AssetStatusEnum, { nullable: true }) status?: AssetStatus | null;
  @Field(() => Float, { nullable: true }) ratePerHour?: number | null;
  @Field(() => Float, { nullable: true }) mtbfHours?: number | null;
  @Field(() => Float, { nullable: true }) mttrHours?: number | null;
  @Field(() => [MetricInput], {
    nullable: true,
    description: 'Metrics to add or redefine (by name).',
  })
  metrics?: MetricInput[] | null;
}

@InputType()
export class ProductInput {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true, description: 'Default: the id.' }) sku?: string | null;
  @Field(() => Float, { nullable: true }) unitCost?: number | null;
  @Field(() => Float, { nullable: true }) unitPrice?: number | null;
}

@InputType()
export class ProductPatch {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) sku?: string | null;
  @Field(() => Float, { nullable: true }) unitCost?: number | null;
  @Field(() => Float, { nullable: true }) unitPrice?: number | null;
}

@InputType()
export class SupplierInput {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) country?: string | null;
  @Field(() => Float, { nullable: true, description: RECOVERY_DAYS })
  recoveryDays?: number | null;
}

@InputType()
export class SupplierPatch {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) country?: string | null;
  @Field(() => Float, { nullable: true, description: RECOVERY_DAYS })
  recoveryDays?: number | null;
}

@InputType()
export class ShipmentInput {
  @Field(() => ID) id!: string;
  @Field(() => ID) supplierId!: string;
  @Field(() => ID) factoryId!: string;
  @Field(() => ID) productId!: string;
  @Field(() => Float) quantity!: number;
  @Field(() => ShipmentStatusEnum, { nullable: true, description: 'Default PLANNED.' })
  status?: ShipmentStatus | null;
  @Field(() => String, { nullable: true, description: 'ISO-8601 with offset.' })
  departedAt?: string | null;
  @Field({ description: 'ISO-8601 with offset.' }) eta!: string;
}

@InputType()
export class ShipmentPatch {
  @Field(() => ID, { nullable: true }) supplierId?: string | null;
  @Field(() => ID, { nullable: true }) factoryId?: string | null;
  @Field(() => ID, { nullable: true }) productId?: string | null;
  @Field(() => Float, { nullable: true }) quantity?: number | null;
  @Field(() => ShipmentStatusEnum, { nullable: true }) status?: ShipmentStatus | null;
  @Field(() => String, { nullable: true }) departedAt?: string | null;
  @Field(() => String, { nullable: true }) eta?: string | null;
}

@InputType()
export class OrderInput {
  @Field(() => ID) id!: string;
  @Field(() => ID) factoryId!: string;
  @Field(() => ID) productId!: string;
  @Field(() => Float) quantity!: number;
  @Field(() => String, { nullable: true }) customer?: string | null;
  @Field({ description: 'ISO-8601 with offset.' }) dueDate!: string;
  @Field(() => OrderStatusEnum, { nullable: true, description: 'Default OPEN.' })
  status?: OrderStatus | null;
}

@InputType()
export class OrderPatch {
  @Field(() => ID, { nullable: true }) factoryId?: string | null;
  @Field(() => ID, { nullable: true }) productId?: string | null;
  @Field(() => Float, { nullable: true }) quantity?: number | null;
  @Field(() => String, { nullable: true }) customer?: string | null;
  @Field(() => String, { nullable: true }) dueDate?: string | null;
  @Field(() => OrderStatusEnum, { nullable: true }) status?: OrderStatus | null;
}
