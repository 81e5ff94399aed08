import { Field, Float, ObjectType } from 'type-graphql';

/*
 * riskExposure's answer (domain.md §4b, §7). Twin fields (supplier, factory, component) are
 * resolved by RiskResolver through the request's DataLoaders, so a ranking of every supplier
 * costs one batch per twin kind.
 */

@ObjectType({
  simpleResolvers: true,
  description: 'What an outage of the supplier for its time to recover costs (simulated).',
})
export class PerformanceImpact {
  @Field(() => Float, {
    description: 'Revenue of order units not delivered, against the baseline.',
  })
  revenueLost!: number;
  @Field(() => Float, { description: 'Order units not delivered, against the baseline.' })
  unitsShort!: number;
}

@ObjectType({
  simpleResolvers: true,
  description: 'One factory and component the supplier alone feeds, and how long it lasts.',
})
export class RiskComponent {
  factoryId!: string;
  componentId!: string;
  @Field(() => Float, { description: 'cons(F,C), units per day.' }) dailyConsumption!: number;
  @Field(() => Float, { description: 'Stock at the factory.' }) onHand!: number;
  @Field(() => Float, {
    description: 'Days the factory lasts on stock and the inbound shipments that arrive in time.',
  })
  timeToSurvive!: number;
}

@ObjectType({
  simpleResolvers: true,
  description: 'A supplier ranked by its risk exposure (docs/analysis.md, "Risk exposure").',
})
export class SupplierRisk {
  supplierId!: string;
  @Field(() => Float, {
    nullable: true,
    description:
      'Days the network lasts without the supplier; null: unbounded (nothing depends on it alone).',
  })
  timeToSurvive!: number | null;
  @Field(() => Float, { description: "The supplier's recoveryDays, or the query's recoveryDays." })
  timeToRecover!: number;
  @Field(() => PerformanceImpact) performanceImpact!: PerformanceImpact;
  @Field(() => Float, {
    description: 'revenueLost over the largest revenueLost of all suppliers (0..1).',
  })
  riskExposureIndex!: number;
  @Field({ description: 'timeToSurvive < timeToRecover: needs mitigation.' }) atRisk!: boolean;
  @Field(() => [RiskComponent], { description: 'The rows behind timeToSurvive, shortest first.' })
  components!: RiskComponent[];
}
