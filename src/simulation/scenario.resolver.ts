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
import { Scope } from '../graph/scope';
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
  listScenariosKept,
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
import { loadScopedSnapshot, scenarioSeen, scenariosSeen, scopeResult } from './scoped';
import { simulationLimits, type SimulationServices } from './simulation.resolver';
import { SimulationResult } from './simulation.type';

@ArgsType()
class ScenarioListArgs extends PageArgs {
  @Field(() => ScenarioStatusEnum, {
    nullable: true,
    description: 'Only scenarios in this status.',
  })
  status?: ScenarioStatus | null;
}

/**
 * The stored result of a SUCCEEDED scenario, read once per request for all scenarios asking;
 * rows of twins the request's scope does not see are left out (scoped.ts).
 */
async function storedResult(ctx: Context, s: SavedScenario): Promise<Result | null> {
  if (s.status !== 'SUCCEEDED') return null;
  const [row] = await ctx.loaders
    .lists('scenario:result', async (ids) =>
      (await readResults(ctx.graph, ids)).map((text) => (text === null ? [] : [{ text }])),
    )
    .load(s.id);
  const text = row?.['text'];
  if (typeof text !== 'string') return null;
  return scopeResult(parseStoredResult(text, s.id), await ctx.scope.visible());
}

/**
 * The scenario if the request's scope sees it (scoped.ts, `scenariosSeen`), else null: a
 * scenario a scope does not see answers exactly as one that does not exist.
 */
async function seenScenario(ctx: Context, id: string): Promise<SavedScenario | null> {
  const s = await readScenario(ctx.graph, id);
  return (await scenarioSeen(ctx.graph, ctx.scope, s)) ? s : null;
}

/** A queued job's message names how many jobs it waits behind: not another scope's business. */
function progressMessage(ctx: Context, message: string | null): string | null {
  return !ctx.scope.all && message?.startsWith('queued behind') ? 'queued' : message;
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
    return seenScenario(ctx, id);
  }

  @Query(() => ScenarioConnection, {
    description: 'Saved scenarios, oldest first, a page at a time.',
  })
  scenarios(@Args() args: ScenarioListArgs, @Ctx() ctx: Context): Promise<ScenarioConnection> {
    const window = pageWindow(args, ctx.config.MAX_PAGE_SIZE);
    if (ctx.scope.all) return listScenarios(ctx.graph, window, args.status ?? null);
    return listScenariosKept(ctx.graph, window, args.status ?? null, (all) =>
      scenariosSeen(ctx.graph, ctx.scope, all),
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
    const seen = await scenariosSeen(ctx.graph, ctx.scope, found);
    return Promise.all(
      found.map(async (s, i) => {
        if (!s || !seen[i]) throw notFound('Scenario', ids[i] ?? '');
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
    const scope = ctx.scope.factoryIds;
    return createScenario(ctx.graph, {
      name: trimmed,
      input: JSON.stringify(input),
      runsTotal: valid.runs,
      // a scoped key's scenario runs on its factories only, and is seen only within them
      scope: scope === null ? null : [...new Set(scope)].sort(),
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
    const s = await seenScenario(ctx, id);
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
    // a scope asks only for a scenario it sees (one it does not see is not flagged)
    if (!ctx.scope.all && !(await seenScenario(ctx, id))) throw notFound('Scenario', id);
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
    if (!ctx.scope.all && !(await seenScenario(ctx, id))) throw notFound('Scenario', id);
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
    // a scope gets no event of a scenario it does not see, as for an id that does not exist
    filter: ({ payload, context }: { payload: SimulationProgressEvent; context: Context }) =>
      context.scope.all || progressSeen(context, payload.scenarioId),
  })
  simulationProgress(
    @Root() event: SimulationProgressEvent,
    @Arg('id', () => ID) _id: string,
    @Ctx() ctx: Context,
  ): SimulationProgress {
    return Object.assign(new SimulationProgress(), {
      ...event,
      message: progressMessage(ctx, event.message),
    });
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
    const s = await seenScenario(ctx, p.scenarioId);
    if (!s) throw notFound('Scenario', p.scenarioId);
    return s;
  }
}

/**
 * Whether a subscription's scope sees the scenario of an event. The filter runs with the
 * operation's context, which lives as long as the subscription: what the scope sees is read
 * through a Scope of its own (cached SCOPE_CACHE_MS), not the operation's, which keeps its first
 * answer for good.
 */
async function progressSeen(ctx: Context, scenarioId: string): Promise<boolean> {
  const scope = new Scope(ctx.graph, ctx.graph, ctx.scope.factoryIds, ctx.config.SCOPE_CACHE_MS);
  return scenarioSeen(ctx.graph, scope, await readScenario(ctx.graph, scenarioId));
}

/**
 * The scenario checked against the graph as it is now, with the bounds of a job; for a scoped
 * key, against its factories as it sees them, so an id outside them is refused as unknown.
 */
async function validateNow(ctx: Context, input: ScenarioInput) {
  const visible = await ctx.scope.visible();
  const snapshot = await loadScopedSnapshot(ctx.graph, input, ctx.scope.factoryIds, visible);
  return validateScenario(input, snapshot, simulationLimits(ctx.config, 'job'), Date.now());
}
