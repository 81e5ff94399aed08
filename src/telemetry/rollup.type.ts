import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { graphqlEnum } from '../domain/enums.graphql';
import { ROLLUP_BUCKETS } from '../history/buckets';

export const RollupBucketEnum = graphqlEnum(ROLLUP_BUCKETS);

registerEnumType(RollupBucketEnum, {
  name: 'RollupBucket',
  description: 'Width of a rollup bucket.',
  valuesConfig: {
    MINUTE: { description: 'A UTC minute.' },
    HOUR: { description: 'A UTC hour.' },
    DAY: {
      description:
        "A calendar day in the metric's factory's time zone (23 or 25 hours across a DST change; UTC when the factory has none).",
    },
  },
});

@ObjectType({
  description: 'Readings of one metric in one bucket of time, each reading counted once.',
  simpleResolvers: true,
})
export class RollupPoint {
  @Field({
    description:
      "Start of the bucket, ISO-8601: local midnight with the zone's offset for DAY (e.g. 2026-03-29T00:00:00.000+01:00), a UTC instant otherwise.",
  })
  bucketStart!: string;

  @Field(() => Int, { description: 'Readings in the bucket.' }) count!: number;
  @Field(() => Float) min!: number;
  @Field(() => Float) max!: number;
  @Field(() => Float, { description: 'Mean of the readings.' }) avg!: number;
  @Field(() => Float, { description: 'Value of the latest reading in the bucket.' }) last!: number;
}
