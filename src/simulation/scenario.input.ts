import { DateTimeResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import type { ScenarioInput } from './scenario';

/*
 * The scenario as clients send it (domain.md §5). GraphQL checks only the shapes; every value and
 * id is checked by validateScenario (scenario.ts) against the snapshot the run uses, with the path
 * of each problem, so the rules live in one place for the query, saved scenarios and jobs.
 */

@InputType({ description: 'A supplier delivers nothing from startDay for `days` days.' })
export class ScenarioSupplierOutageInput {
  @Field(() => ID) supplierId!: string;
  @Field(() => Float, {
    nullable: true,
    description: 'Day of the horizon it starts (0 = startAt, the default).',
  })
  startDay?: number | null;
  @Field(() => Float, { description: 'Length in days (> 0).' }) days!: number;
}

@InputType({ description: 'A shipment arrives `days` days after its eta.' })
export class ScenarioShipmentDelayInput {
  @Field(() => ID) shipmentId!: string;
  @Field(() => Float, { description: 'Delay in days (≥ 0).' }) days!: number;
}

@InputType({
  description: 'An asset stands still (rate 0) from startDay for `hours` hours.',
})
export class AssetWindowInput {
  @Field(() => ID) assetId!: string;
  @Field(() => Float, {
    nullable: true,
    description: 'Day of the horizon it starts (0 = startAt, the default).',
  })
  startDay?: number | null;
  @Field(() => Float, { description: 'Length in hours (> 0).' }) hours!: number;
}

@InputType({ description: 'A line works another number of shifts a day over the horizon.' })
export class ShiftChangeInput {
  @Field(() => ID) lineId!: string;
  @Field(() => Float, { description: 'Shifts per day (≥ 0; shifts × hoursPerShift ≤ 24).' })
  shiftsPerDay!: number;
}

@InputType({ description: 'Order quantities of a product are multiplied by `factor`.' })
export class DemandChangeInput {
  @Field(() => ID) productId!: string;
  @Field(() => Float, { description: '≥ 0; 0 removes the demand, 1.2 adds a fifth.' })
  factor!: number;
}

@InputType('ScenarioInput', {
  description:
    'What-if changes to the factories as the graph holds them now; an empty scenario is the baseline (docs/simulation.md).',
})
export class ScenarioInputType {
  @Field(() => DateTimeResolver, {
    nullable: true,
    description: 'Start of the horizon (default: now, when the run starts).',
  })
  startAt?: Date | null;

  @Field(() => Float, { description: 'Length of the horizon in days (> 0, SIM_MAX_HORIZON_DAYS).' })
  horizonDays!: number;

  @Field(() => Float, { nullable: true, description: '1 (hourly) or 24 (daily, the default).' })
  stepHours?: number | null;

  @Field(() => [ScenarioSupplierOutageInput], { nullable: true })
  supplierOutages?: ScenarioSupplierOutageInput[] | null;

  @Field(() => [ScenarioShipmentDelayInput], { nullable: true })
  shipmentDelays?: ScenarioShipmentDelayInput[] | null;

  @Field(() => [AssetWindowInput], { nullable: true, description: 'Unplanned stops.' })
  assetDowntimes?: AssetWindowInput[] | null;

  @Field(() => [AssetWindowInput], { nullable: true, description: 'Planned stops.' })
  maintenanceWindows?: AssetWindowInput[] | null;

  @Field(() => [ShiftChangeInput], { nullable: true })
  shiftChanges?: ShiftChangeInput[] | null;

  @Field(() => [DemandChangeInput], { nullable: true })
  demandChanges?: DemandChangeInput[] | null;

  @Field(() => [ID], {
    nullable: true,
    description: 'Run only these factories (default: all).',
  })
  factoryIds?: string[] | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Monte Carlo runs (default 1: one run without random failures). The simulate query takes at most SIM_QUERY_MAX_RUNS; more run as a job (saveScenario, startSimulation).',
  })
  runs?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Seed of the random failures (default 1); the same seed gives the same result.',
  })
  seed?: number | null;

  @Field(() => [ID], {
    nullable: true,
    description:
      'Products whose per-step series the result carries (at most SIM_MAX_SERIES_PRODUCTS).',
  })
  seriesProductIds?: string[] | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: true,
    description:
      'Suppliers keep replacing what is consumed unless an outage stops them; false: only the shipments in the graph arrive.',
  })
  standingSupply?: boolean | null;
}

/**
 * The input as plain data (what validateScenario reads and a saved scenario stores as JSON):
 * startAt as ISO-8601, the fields a client left out left out.
 */
export function plainInput(input: ScenarioInputType): ScenarioInput {
  const plain: ScenarioInput = { horizonDays: input.horizonDays };
  if (input.startAt) plain.startAt = input.startAt.toISOString();
  if (input.stepHours != null) plain.stepHours = input.stepHours;
  if (input.supplierOutages) {
    plain.supplierOutages = input.supplierOutages.map((o) => ({
      supplierId: o.supplierId,
      ...(o.startDay != null ? { startDay: o.startDay } : {}),
      days: o.days,
    }));
  }
  if (input.shipmentDelays) {
    plain.shipmentDelays = input.shipmentDelays.map((d) => ({
      shipmentId: d.shipmentId,
      days: d.days,
    }));
  }
  if (input.assetDowntimes) plain.assetDowntimes = input.assetDowntimes.map(plainWindow);
  if (input.maintenanceWindows)
    plain.maintenanceWindows = input.maintenanceWindows.map(plainWindow);
  if (input.shiftChanges) {
    plain.shiftChanges = input.shiftChanges.map((c) => ({
      lineId: c.lineId,
      shiftsPerDay: c.shiftsPerDay,
    }));
  }
  if (input.demandChanges) {
    plain.demandChanges = input.demandChanges.map((d) => ({
      productId: d.productId,
      factor: d.factor,
    }));
  }
  if (input.factoryIds) plain.factoryIds = [...input.factoryIds];
  if (input.runs != null) plain.runs = input.runs;
  if (input.seed != null) plain.seed = input.seed;
  if (input.seriesProductIds) plain.seriesProductIds = [...input.seriesProductIds];
  if (input.standingSupply != null) plain.standingSupply = input.standingSupply;
  return plain;
}

function plainWindow(w: AssetWindowInput): { assetId: string; startDay?: number; hours: number } {
  return {
    assetId: w.assetId,
    ...(w.startDay != null ? { startDay: w.startDay } : {}),
    hours: w.hours,
  };
}
