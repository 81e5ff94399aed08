import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Config } from '../config';
import type { Context } from '../domain/context';
import { badInput, TwinError } from '../errors';
import { Factory } from '../twins/factory.type';
import { Line } from '../twins/line.type';
import { Order } from '../twins/order.type';
import { Product } from '../twins/product.type';
import type { SimulationJobs } from './jobs';
import type { SimulationResult as Result } from './model';
import { runSimulation } from './monte-carlo';
import type { SimulationPool } from './pool';
import { type ScenarioInput, type SimulationLimits, validateScenario } from './scenario';
import { plainInput, ScenarioInputType } from './scenario.input';
import {
  InventoryRow,
  LateOrder,
  ProductionRow,
  SeriesRow,
  SimulationResult,
  Stockout,
} from './simulation.type';
import { loadScopedSnapshot, scopeResult } from './scoped';
import { linkedSignal } from '../linked-signal';
import { twin } from './twin-ref';

/** What the runtime gives the simulation resolvers (nothing in tools that only build the schema). */
export interface SimulationServices {
  /** Worker threads for Monte Carlo runs; without it they run on the event loop's thread. */
  pool?: SimulationPool | undefined;
  /** This instance's job runner; without it jobs cannot start here. */
  jobs?: SimulationJobs | undefined;
}

/** Bounds of a scenario: `runs` up to SIM_QUERY_MAX_RUNS in a query, SIM_JOB_MAX_RUNS in a job. */
export function simulationLimits(config: Config, kind: 'query' | 'job'): SimulationLimits {
  return {
    maxHorizonDays: config.SIM_MAX_HORIZON_DAYS,
    maxRuns: kind === 'query' ? config.SIM_QUERY_MAX_RUNS : config.SIM_JOB_MAX_RUNS,
    maxSeriesProducts: config.SIM_MAX_SERIES_PRODUCTS,
  };
}

/** A query with more runs than it may do is pointed to the job that can. */
function refuseManyRuns(input: ScenarioInput, config: Config): void {
  const runs = input.runs ?? 1;
  if (runs <= config.SIM_QUERY_MAX_RUNS) return;
  const message =
    `${runs} runs are more than the simulate query does (SIM_QUERY_MAX_RUNS = ${config.SIM_QUERY_MAX_RUNS}); ` +
    `save the scenario with saveScenario and run it as a job with startSimulation ` +
    `(up to SIM_JOB_MAX_RUNS = ${config.SIM_JOB_MAX_RUNS} runs), following it with simulationProgress`;
  throw badInput(`scenario rejected: runs: ${message}`, [{ path: 'runs', message }]);
}

@Resolver()
export class SimulationResolver {
  constructor(private readonly services: SimulationServices = {}) {}

  @Query(() => SimulationResult, {
    description:
      'Runs the scenario over the horizon from the graph as it stands, with its baseline, and writes nothing (docs/simulation.md). At most SIM_QUERY_MAX_RUNS runs and SIM_QUERY_TIMEOUT_MS; longer work runs as a job (saveScenario, startSimulation).',
  })
  async simulate(
    @Arg('scenario', () => ScenarioInputType) scenario: ScenarioInputType,
    @Ctx() ctx: Context,
  ): Promise<Result> {
    const { config } = ctx;
    // the request's signal (its deadline, the client leaving) or SIM_QUERY_TIMEOUT_MS
    const timedOut = new Error('SIM_QUERY_TIMEOUT_MS');
    const run = linkedSignal([ctx.signal], {
      ms: config.SIM_QUERY_TIMEOUT_MS,
      reason: () => timedOut,
    });
    const { signal } = run;
    try {
      const input = plainInput(scenario);
      refuseManyRuns(input, config);
      // a factory scope simulates its own factories, as it sees them (scoped.ts)
      const visible = await ctx.scope.visible();
      const snapshot = await loadScopedSnapshot(ctx.graph, input, ctx.scope.factoryIds, visible);
      const valid = validateScenario(
        input,
        snapshot,
        simulationLimits(config, 'query'),
        Date.now(),
      );
      const result = await runSimulation(
        snapshot,
        valid,
        { alternativesMitigate: true },
        { ...(this.services.pool ? { pool: this.services.pool } : {}), signal },
      );
      return scopeResult(result, visible);
    } catch (err) {
      if (signal.reason !== timedOut) throw err;
      throw new TwinError(
        'TIMEOUT',
        `the simulation ran longer than SIM_QUERY_TIMEOUT_MS (${config.SIM_QUERY_TIMEOUT_MS} ms) and was stopped; ask for fewer runs, a shorter horizon or daily steps, or run it as a job (saveScenario, startSimulation)`,
      );
    } finally {
      run.release();
    }
  }
}

// the twins of a result's rows come through twin-ref.ts: one round trip per label for the result;
// a scoped request's rows were kept to its twins before (scoped.ts `scopeResult`)

@Resolver(() => InventoryRow)
export class InventoryRowResolver {
  @FieldResolver(() => Factory)
  factory(@Root() row: InventoryRow, @Ctx() ctx: Context): Promise<Factory> {
    return twin(ctx, 'Factory', row.factoryId, Factory.fromProps);
  }

  @FieldResolver(() => Product)
  product(@Root() row: InventoryRow, @Ctx() ctx: Context): Promise<Product> {
    return twin(ctx, 'Product', row.productId, Product.fromProps);
  }
}

@Resolver(() => ProductionRow)
export class ProductionRowResolver {
  @FieldResolver(() => Line)
  line(@Root() row: ProductionRow, @Ctx() ctx: Context): Promise<Line> {
    return twin(ctx, 'Line', row.lineId, Line.fromProps);
  }

  @FieldResolver(() => Product)
  product(@Root() row: ProductionRow, @Ctx() ctx: Context): Promise<Product> {
    return twin(ctx, 'Product', row.productId, Product.fromProps);
  }
}

@Resolver(() => Stockout)
export class StockoutResolver {
  @FieldResolver(() => Factory)
  factory(@Root() row: Stockout, @Ctx() ctx: Context): Promise<Factory> {
    return twin(ctx, 'Factory', row.factoryId, Factory.fromProps);
  }

  @FieldResolver(() => Product)
  product(@Root() row: Stockout, @Ctx() ctx: Context): Promise<Product> {
    return twin(ctx, 'Product', row.productId, Product.fromProps);
  }
}

@Resolver(() => LateOrder)
export class LateOrderResolver {
  @FieldResolver(() => Order)
  order(@Root() row: LateOrder, @Ctx() ctx: Context): Promise<Order> {
    return twin(ctx, 'Order', row.orderId, Order.fromProps);
  }
}

@Resolver(() => SeriesRow)
export class SeriesRowResolver {
  @FieldResolver(() => Factory)
  factory(@Root() row: SeriesRow, @Ctx() ctx: Context): Promise<Factory> {
    return twin(ctx, 'Factory', row.factoryId, Factory.fromProps);
  }

  @FieldResolver(() => Product)
  product(@Root() row: SeriesRow, @Ctx() ctx: Context): Promise<Product> {
    return twin(ctx, 'Product', row.productId, Product.fromProps);
  }
}
