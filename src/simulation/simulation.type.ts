import { Field, Float, Int, ObjectType } from 'type-graphql';

/*
 * The GraphQL face of a simulation result (model.ts `SimulationResult`, domain.md §5). The row
 * types keep the twins' ids as plain properties; their `factory`, `product`, `line` and `order`
 * fields are resolved by simulation.resolver.ts through the request's DataLoaders, so a result
 * costs one round trip per twin label however many rows it has.
 */

@ObjectType({
  description: 'The key figures of a simulation over its horizon.',
  simpleResolvers: true,
})
export class Kpis {
  @Field(() => Float, {
    description:
      'Share of the ordered units shipped by their due date (1 without orders); see docs/simulation.md.',
  })
  fillRate!: number;

  @Field(() => Float, { description: 'Units made on every line over the horizon.' })
  unitsProduced!: number;

  @Field(() => Float, {
    description:
      'Ordered units not there at their due date (late or never shipped): 1 − fillRate of the units due.',
  })
  unitsShort!: number;

  @Field(() => Float, {
    description: 'Orders not complete at their due date (with runs > 1, a median).',
  })
  lateOrders!: number;

  @Field(() => Float, {
    description:
      'unitsShort × the product’s unitPrice, summed: a unit not there when due is a lost sale.',
  })
  revenueLost!: number;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'One product at one factory over the horizon: start + received + produced − consumed − shipped = end.',
})
export class InventoryRow {
  factoryId!: string;
  productId!: string;
  @Field(() => Float, { description: 'On hand at startAt.' }) start!: number;
  @Field(() => Float, { description: 'On hand at the end of the horizon.' }) end!: number;
  @Field(() => Float, { description: 'Arrived from suppliers.' }) received!: number;
  @Field(() => Float, { description: 'Made at the factory.' }) produced!: number;
  @Field(() => Float, { description: 'Used as a component.' }) consumed!: number;
  @Field(() => Float, { description: 'Sent to customers against orders.' }) shipped!: number;
  @Field(() => Float, { description: 'Lowest on hand at the end of any step.' }) min!: number;
}

@ObjectType({
  description: 'What one line made of one product over the horizon.',
  simpleResolvers: true,
})
export class ProductionRow {
  lineId!: string;
  productId!: string;
  @Field(() => Float) units!: number;
  @Field(() => Float, {
    description:
      'What the line could have made of the product with the capacity it had (never below units).',
  })
  capacityUnits!: number;
}

@ObjectType({
  description: 'A stretch of days a factory ran out of a product it needed.',
  simpleResolvers: true,
})
export class Stockout {
  factoryId!: string;
  productId!: string;
  @Field(() => Float, { description: 'Day of the horizon it began (0 = startAt).' })
  fromDay!: number;
  @Field(() => Float) days!: number;
}

@ObjectType({
  description: 'An order filled late, or not filled within the horizon.',
  simpleResolvers: true,
})
export class LateOrder {
  orderId!: string;
  @Field(() => Float, {
    description: 'Days after the due date it was filled (to the end of the horizon if it was not).',
  })
  daysLate!: number;
  @Field(() => Float, { description: 'Units missing at the due date.' })
  unitsShort!: number;
  @Field(() => Float, {
    description: 'Units still missing at the end of the horizon (0: filled late, within it).',
  })
  unitsUndelivered!: number;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'Per-step values of one product at one factory (seriesProductIds); step i starts at day[i].',
})
export class SeriesRow {
  factoryId!: string;
  productId!: string;
  @Field(() => [Float]) day!: number[];
  @Field(() => [Float], { description: 'On hand at the end of each step.' }) inventory!: number[];
  @Field(() => [Float]) produced!: number[];
  @Field(() => [Float]) consumed!: number[];
  @Field(() => [Float]) received!: number[];
  @Field(() => [Float]) shipped!: number[];
}

@ObjectType({
  description: 'Percentiles of one figure over the Monte Carlo runs.',
  simpleResolvers: true,
})
export class Band {
  @Field({
    description: 'A KPI name (fillRate, …), or baseline.<kpi>, or delta.<kpi> (paired per run).',
  })
  metric!: string;
  @Field(() => Float) p10!: number;
  @Field(() => Float) p50!: number;
  @Field(() => Float) p90!: number;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'What a scenario does to the factories over the horizon, and how that differs from the baseline without its changes (docs/simulation.md).',
})
export class SimulationResult {
  @Field(() => Kpis, { description: 'With the scenario’s changes (runs > 1: medians).' })
  kpis!: Kpis;
  @Field(() => Kpis, { description: 'Without them: the graph as it stands.' })
  baseline!: Kpis;
  @Field(() => Kpis, {
    description: 'kpis − baseline (runs > 1: the median of the per-run differences).',
  })
  delta!: Kpis;
  @Field(() => [InventoryRow], {
    description: 'Per factory and product (runs > 1: of representativeRun).',
  })
  inventory!: InventoryRow[];
  @Field(() => [ProductionRow], { description: 'Per line and product.' })
  production!: ProductionRow[];
  @Field(() => [Stockout]) stockouts!: Stockout[];
  @Field(() => [LateOrder]) lateOrders!: LateOrder[];
  @Field(() => [SeriesRow], { description: 'For the products of seriesProductIds only.' })
  series!: SeriesRow[];
  @Field(() => [Band], { description: 'Empty when runs = 1.' }) bands!: Band[];
  @Field(() => Int) runs!: number;
  @Field(() => Int) seed!: number;
  @Field(() => Int, { description: 'Time steps of one run.' }) steps!: number;
  @Field({ description: 'Start of the horizon (UTC ISO-8601).' }) startAt!: string;
  @Field(() => Float) horizonDays!: number;
  @Field(() => Float, { description: '1 (hourly) or 24 (daily).' }) stepHours!: number;
  @Field(() => Int, {
    description:
      'With runs > 1, the run whose details (inventory, production, …) are shown: the one closest to the median KPIs.',
  })
  representativeRun!: number;
}
