import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { ScenarioStatus } from '../domain/enums';
import { asScenarioStatus, ScenarioStatusEnum } from '../domain/enums.graphql';
import { num, optStr, type Props, str } from '../graph/props';
import { Connection } from '../twins/connection';
import { Band, Kpis } from './simulation.type';

/*
 * Saved scenarios and their jobs (docs/simulation.md, "Jobs"). `result` and `input` are resolved
 * by scenario.resolver.ts: the result is read only when selected (it can be large), both are
 * parsed from their stored JSON there.
 */

@ObjectType('Scenario', {
  simpleResolvers: true,
  description:
    'A saved scenario and the state of its last job: startSimulation runs it, simulationProgress follows it.',
})
export class SavedScenario {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => ScenarioStatusEnum) status!: ScenarioStatus;
  @Field(() => Float, { description: 'Share of the runs done, 0..1 (1 once SUCCEEDED).' })
  progress!: number;
  @Field(() => Int) runsDone!: number;
  @Field(() => Int) runsTotal!: number;
  @Field({ description: 'UTC ISO-8601.' }) createdAt!: string;
  @Field(() => String, { nullable: true, description: 'When the last job began running.' })
  startedAt!: string | null;
  @Field(() => String, { nullable: true, description: 'When the last job ended.' })
  finishedAt!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Why the last job FAILED or was INTERRUPTED, and what to do.',
  })
  error!: string | null;
  @Field({
    description: 'A cancel was asked for; the job stops within a heartbeat (2 s) wherever it runs.',
  })
  cancelRequested!: boolean;
  /** The stored JSON of the ScenarioInput (the `input` field parses it). */
  inputJson!: string;
  /**
   * The factories of the scoped key that saved it, where its jobs run; null: saved unscoped.
   * Not a field: it may name factories a reader does not see (docs/security.md).
   */
  scopeFactoryIds!: string[] | null;

  static fromProps(p: Props): SavedScenario {
    return Object.assign(new SavedScenario(), {
      id: str(p, 'id'),
      name: optStr(p, 'name') ?? str(p, 'id'),
      status: asScenarioStatus(p['status']),
      progress: num(p, 'progress', 0),
      runsDone: num(p, 'runsDone', 0),
      runsTotal: num(p, 'runsTotal', 0),
      createdAt: optStr(p, 'createdAt') ?? '',
      startedAt: optStr(p, 'startedAt'),
      finishedAt: optStr(p, 'finishedAt'),
      error: optStr(p, 'error'),
      cancelRequested: p['cancelRequested'] === true,
      inputJson: optStr(p, 'input') ?? '{}',
      scopeFactoryIds: Array.isArray(p['scope']) ? p['scope'].map((id) => String(id)) : null,
    });
  }
}

@ObjectType({ simpleResolvers: true })
export class ScenarioConnection extends Connection('Scenario', SavedScenario) {}

@ObjectType({
  description: 'The stored figures of one scenario, side by side with others.',
  simpleResolvers: true,
})
export class ScenarioComparison {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => ScenarioStatusEnum) status!: ScenarioStatus;
  @Field(() => Kpis, { nullable: true, description: 'Null until the scenario has SUCCEEDED.' })
  kpis!: Kpis | null;
  @Field(() => Kpis, { nullable: true }) baseline!: Kpis | null;
  @Field(() => Kpis, { nullable: true }) delta!: Kpis | null;
  @Field(() => [Band], { nullable: true, description: 'Empty for a single run.' })
  bands!: Band[] | null;
}

@ObjectType({ description: 'A simulation job moved on (or ended).', simpleResolvers: true })
export class SimulationProgress {
  /** Whose progress: the `scenario` field reads it afresh. */
  scenarioId!: string;
  @Field(() => ScenarioStatusEnum) status!: ScenarioStatus;
  @Field(() => Float, { description: '0..1.' }) progress!: number;
  @Field(() => Int) runsDone!: number;
  @Field(() => Int) runsTotal!: number;
  @Field(() => String, {
    nullable: true,
    description: 'What happened, in words; the error of a FAILED or INTERRUPTED job.',
  })
  message!: string | null;
}
