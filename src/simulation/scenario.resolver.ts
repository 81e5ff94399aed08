import { GraphQLJSON } from 'graphql-scalars';
import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { Context } from '../domain/context';
import type { ScenarioStatus } from '../domain/enums';
import { ScenarioStatusEnum } from '../domain/enums.graphql';
import type { SimulationProgressEvent } from '../domain/events';
import { LIVE } from '../domain/live';
import { badInput, notFound, TwinError } from '../errors';
import { pageWindow } from '../twins/connection';
import { PageArgs } from '../twins/page.args';
import type { SimulationJobs } from './jobs';
import type { SimulationResult as Result } from './model';
import { type ScenarioInput, validateScenario } from './scenario';
import { plainInput, ScenarioInputType } from './scenario.input';
import { parseStoredInput, parseStoredResult } from './scenario.records';
import {
  createScenario,
  deleteScenario,
  listScenarios,
  readResults,
  readScenario,
  readScenarios,
  requestCancel,
} from './scenario.store';
import {
  SavedScenario,
  ScenarioComparison,
  ScenarioConnection,
  SimulationProgress,
} from './scenario.type';
import { simulationLimits, type SimulationServices } from './simulation.resolver';
import { SimulationResult } from './simulation.type';
import { loadSnapshot } from './snapshot.load';

@ArgsType()
class ScenarioListArgs extends PageArgs {
  @Field(() => ScenarioStatusEnum, {
    nullable: true,
    description: 'Only scenarios in this status.',
  })
  status?: ScenarioStatus | null;
}

/** The stored result of a SUCCEEDED scenario, read once per request for all scenarios asking. */
async function storedResult(ctx: Context, s: SavedScenario): Promise<Result | null> {
  if (s.status !== 'SUCCEEDED') return null;
  const [row] = await ctx.loaders
    .lists('scenario:result', async (ids) =>
      (await readResults(ctx.graph, ids)).map((text) => (text === null ? [] : [{ text }])),
    )
    .load(s.id);
  const text = row?.['text'];
  return typeof text === 'string' ? parseStoredResult(text, s.id) : null;
}

/**
 * Saved scenarios and their jobs (docs/simulation.md, "Jobs"): saveScenario checks a scenario
 * against the graph and keeps it as a DRAFT; startSimulation hands it to a job on this instance;
 * simulationProgress follows the job from any instance.
 */
@Resolver(() => SavedScenario)
export class ScenarioResolver {
  constructor(private readonly services: SimulationServices = {}) {}

  private get jobs(): SimulationJobs {
    const { jobs } = this.services;
    if (!jobs) {
      throw new TwinError(
        'INTERNAL_SERVER_ERROR',
        'simulation jobs do not run in this process; send the request to the API server',
      );
    }
    return jobs;
  }

  @Query(() => SavedScenario, { nullable: true, description: 'One saved scenario by id, or null.' })
  scenario(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SavedScenario | null> {
    return readScenario(ctx.graph, id);
  }

  @Query(() => ScenarioConnection, {
    description: 'Saved scenarios, oldest first, a page at a time.',
  })
  scenarios(@Args() args: ScenarioListArgs, @Ctx() ctx: Context): Promise<ScenarioConnection> {
    return listScenarios(
      ctx.graph,
      pageWindow(args, ctx.config.MAX_PAGE_SIZE),
      args.status ?? null,
    );
  }

  @Query(() => [ScenarioComparison], {
    description:
      'The stored figures of several scenarios side by side, in the order asked; kpis, baseline, delta and bands are null until a scenario has SUCCEEDED.',
  })
  async compareScenarios(
    @Arg('ids', () => [ID]) ids: string[],
    @Ctx() ctx: Context,
  ): Promise<ScenarioComparison[]> {
    const max = ctx.config.MAX_PAGE_SIZE;
    if (ids.length > max)
      throw badInput(`compare at most ${max} scenarios (MAX_PAGE_SIZE) at once`);
    const found = await readScenarios(ctx.graph, ids);
    return Promise.all(
      found.map(async (s, i) => {
        if (!s) throw notFound('Scenario', ids[i] ?? '');
        const r = await storedResult(ctx, s);
        return Object.assign(new ScenarioComparison(), {
          id: s.id,
          name: s.name,
          status: s.status,
          kpis: r?.kpis ?? null,
          baseline: r?.baseline ?? null,
          delta: r?.delta ?? null,
          bands: r?.bands ?? null,
        });
      }),
    );
  }

  @Mutation(() => SavedScenario, {
    description:
      'Keeps a scenario, checked against the graph now (BAD_USER_INPUT lists every problem), as a DRAFT for startSimulation. Up to SIM_JOB_MAX_RUNS runs.',
  })
  async saveScenario(
    @Arg('name') name: string,
    @Arg('scenario', () => ScenarioInputType) scenario: ScenarioInputType,
    @Ctx() ctx: Context,
  ): Promise<SavedScenario> {
    const trimmed = name.trim();
    if (trimmed === '')
      throw badInput('"name" must say what the scenario is, e.g. "S1 out 2 weeks"');
    const input = plainInput(scenario);
    const valid = await validateNow(ctx, input);
    return createScenario(ctx.graph, {
      name: trimmed,
      input: JSON.stringify(input),
      runsTotal: valid.runs,
    });
  }

  @Mutation(() => SavedScenario, {
    description:
      'Runs a saved scenario (a DRAFT, or a finished one again) as a job on this instance: QUEUED, then RUNNING when a slot is free (SIM_MAX_CONCURRENT_JOBS), then SUCCEEDED, FAILED or CANCELLED. CONFLICT while a job holds it. Follow it with simulationProgress.',
  })
  async startSimulation(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: Context,
  ): Promise<SavedScenario> {
    const jobs = this.jobs;
    const s = await readScenario(ctx.graph, id);
    if (!s) throw notFound('Scenario', id);
    const input = parseStoredInput(s.inputJson, id);
    return jobs.enqueue(id, input.runs ?? 1);
  }

  @Mutation(() => SavedScenario, {
    description:
      'Stops the job of a QUEUED or RUNNING scenario, which ends CANCELLED: at once on this instance, within a heartbeat (2 s) on another. Any other scenario is returned unchanged.',
  })
  async cancelSimulation(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: Context,
  ): Promise<SavedScenario> {
    const asked = await requestCancel(ctx.graph, id);
    if (asked && asked.bootId === this.services.jobs?.bootId) await this.jobs.cancel(asked.job);
    const s = await readScenario(ctx.graph, id);
    if (!s) throw notFound('Scenario', id);
    return s;
  }

  @Mutation(() => Boolean, {
    description:
      'Deletes a saved scenario and its result; CONFLICT while a job holds it (cancelSimulation first), NOT_FOUND if there is none.',
  })
  async deleteScenario(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    const outcome = await deleteScenario(ctx.graph, id);
    if (outcome === 'missing') throw notFound('Scenario', id);
    if (outcome !== 'deleted') {
      throw new TwinError(
        'CONFLICT',
        `scenario "${id}" is ${outcome}; cancelSimulation first, then delete it`,
        { status: outcome },
      );
    }
    return true;
  }

  @Subscription(() => SimulationProgress, {
    topics: LIVE.SIMULATION_PROGRESS,
    topicId: ({ args }: { args: { id: string } }) => args.id,
    description:
      'Where the job of a saved scenario stands, from whichever instance runs it: QUEUED, RUNNING with progress (at most about once a second), then its end. Subscribe before startSimulation to see every step.',
  })
  simulationProgress(
    @Root() event: SimulationProgressEvent,
    @Arg('id', () => ID) _id: string,
  ): SimulationProgress {
    return Object.assign(new SimulationProgress(), event);
  }

  @FieldResolver(() => GraphQLJSON, {
    description: 'The ScenarioInput as saved (fields left out read null).',
  })
  input(@Root() s: SavedScenario): ScenarioInput {
    return parseStoredInput(s.inputJson, s.id);
  }

  @FieldResolver(() => SimulationResult, {
    nullable: true,
    description: 'The result of the last job; null until it has SUCCEEDED.',
  })
  result(@Root() s: SavedScenario, @Ctx() ctx: Context): Promise<Result | null> {
    return storedResult(ctx, s);
  }
}

@Resolver(() => SimulationProgress)
export class SimulationProgressResolver {
  @FieldResolver(() => SavedScenario, { description: 'The scenario as it is now.' })
  async scenario(@Root() p: SimulationProgress, @Ctx() ctx: Context): Promise<SavedScenario> {
    const s = await readScenario(ctx.graph, p.scenarioId);
    if (!s) throw notFound('Scenario', p.scenarioId);
    return s;
  }
}

/** The scenario checked against the graph as it is now, with the bounds of a job. */
async function validateNow(ctx: Context, input: ScenarioInput) {
  const snapshot = await loadSnapshot(ctx.graph, input.factoryIds ?? null);
  return validateScenario(input, snapshot, simulationLimits(ctx.config, 'job'), Date.now());
}
