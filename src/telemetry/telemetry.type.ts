import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Asset } from '../twins/asset.type';
import type { AssetStatus } from '../domain/enums';
import { AssetStatusEnum } from '../domain/enums.graphql';

@ObjectType({
  description: 'One metric of a telemetry message, in the canonical unit.',
  simpleResolvers: true,
})
export class ReadingValue {
  @Field() metric!: string;
  @Field(() => Float) value!: number;
  @Field({ description: 'Canonical unit (UCUM).' }) unit!: string;
  @Field({ description: "Outside the metric's valid range." }) flagged!: boolean;
}

@ObjectType({ description: 'A validated telemetry message of one asset.', simpleResolvers: true })
export class TelemetryEvent {
  @Field(() => Asset) asset!: Asset;
  @Field({ description: 'Measurement time, UTC ISO-8601.' }) ts!: string;
  @Field(() => [ReadingValue]) readings!: ReadingValue[];
}

@ObjectType({ simpleResolvers: true })
export class AssetStatusEvent {
  @Field(() => Asset) asset!: Asset;
  @Field(() => AssetStatusEnum, { nullable: true }) previousStatus!: AssetStatus | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field() ts!: string;
  @Field({ description: 'telemetry (a state message) or api (a mutation).' }) source!: string;
}

@ObjectType({ description: 'A stored reading with its lineage.', simpleResolvers: true })
export class MetricReading {
  @Field() ts!: string;
  @Field(() => Float) value!: number;
  @Field() flagged!: boolean;
  @Field({ description: 'Topic the reading arrived on.' }) topic!: string;
  @Field() receivedAt!: string;
  @Field(() => Float, { description: 'Value as sent, before unit conversion.' })
  originalValue!: number;
  @Field(() => String, {
    nullable: true,
    description: 'Unit as sent; null for a bare (canonical) number.',
  })
  originalUnit!: string | null;
  @Field(() => String, { nullable: true, description: 'Conversion applied, e.g. [degF]→Cel.' })
  conversion!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class RejectionCount {
  @Field() reason!: string;
  @Field() description!: string;
  @Field(() => Int) count!: number;
  @Field(() => String, { nullable: true }) lastAt!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class RejectionExample {
  @Field() reason!: string;
  @Field() detail!: string;
  @Field() topic!: string;
  @Field({ description: 'Start of the payload as received.' }) payload!: string;
  @Field() receivedAt!: string;
  @Field(() => String, { nullable: true }) metric!: string | null;
}

@ObjectType({
  description: 'Telemetry that was refused, counted by reason over all instances.',
  simpleResolvers: true,
})
export class TelemetryRejections {
  @Field(() => Int) total!: number;
  @Field(() => [RejectionCount]) byReason!: RejectionCount[];
  @Field(() => [RejectionExample], { description: 'Newest first.' }) latest!: RejectionExample[];
}
