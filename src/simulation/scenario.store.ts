import { randomBytes } from 'node:crypto';
import type { ScenarioStatus } from '../domain/enums';
import { asScenarioStatus } from '../domain/enums.graphql';
import type { Graph } from '../graph/executor';
import { asProps, asPropsList, optStr } from '../graph/props';
import { type Page, type PageWindow, toPage } from '../twins/connection';
import {
  ACTIVE,
  CREATE_SCENARIO,
  DELETE_SCENARIO,
  FINISH_JOB,
  HEARTBEAT,
  INTERRUPT_OWN,
  LIST_ALL_SCENARIOS,
  LIST_SCENARIOS,
  MARK_RUNNING,
  QUEUE_SCENARIO,
  READ_RESULTS,
  READ_SCENARIOS,
  REQUEST_CANCEL,
  SWEEP_STALE,
  WRITE_PROGRESS,
} from './scenario.cypher';
import { SavedScenario } from './scenario.type';

/*
 * Reads and writes of (:Scenario) nodes, one round trip each (statements in scenario.cypher.ts).
 * Times the API shows are the instance's clock in UTC ISO-8601; the heartbeat is Neo4j's.
 */

/** Ids sort by creation time (keyset pages list scenarios oldest first) and never collide. */
export function newScenarioId(now = Date.now()): string {
  return `scn-${now.toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
}

const scenarioOf = (row: Record<string, unknown> | undefined): SavedScenario | null =>
  row ? SavedScenario.fromProps(asProps(row['scenario'])) : null;

const scenariosOf = (rows: Record<string, unknown>[]): SavedScenario[] =>
  rows.map((r) => SavedScenario.fromProps(asProps(r['scenario'])));

export async function createScenario(
  graph: Graph,
  s: {
    name: string;
    input: string;
    runsTotal: number;
    /** The factories of the scoped key saving it; null: unscoped. */
    scope: string[] | null;
  },
): Promise<SavedScenario> {
  const rows = await graph.write(CREATE_SCENARIO, {
    id: newScenarioId(),
    ...s,
    now: new Date().toISOString(),
  });
  const created = scenarioOf(rows[0]);
  if (!created) throw new Error('creating a scenario returned nothing');
  return created;
}

/** The scenarios of `ids`, in their order (null for an unknown id). */
export async function readScenarios(
  graph: Graph,
  ids: readonly string[],
): Promise<(SavedScenario | null)[]> {
  const rows = await graph.read(READ_SCENARIOS, { ids });
  const byId = new Map(rows.map((r) => [String(r['id']), scenarioOf(r)]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function readScenario(graph: Graph, id: string): Promise<SavedScenario | null> {
  return (await readScenarios(graph, [id]))[0] ?? null;
}

/** The stored result JSON of each scenario of `ids`, in their order (null: none). */
export async function readResults(
  graph: Graph,
  ids: readonly string[],
): Promise<(string | null)[]> {
  const rows = await graph.read(READ_RESULTS, { ids });
  const byId = new Map(rows.map((r) => [String(r['id']), optStr(r, 'result')]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function listScenarios(
  graph: Graph,
  window: PageWindow,
  status: ScenarioStatus | null,
): Promise<Page<SavedScenario>> {
  const rows = await graph.read(LIST_SCENARIOS, {
    status,
    after: window.afterId,
    limit: window.limit + 1,
  });
  const row = rows[0];
  const nodes = asPropsList(row?.['nodes']).map((p) => SavedScenario.fromProps(p));
  return toPage(nodes, window, Number(row?.['total'] ?? 0));
}

/**
 * A page of the scenarios `keep` lets through (a factory scope's), oldest first; totalCount
 * counts them only. Every scenario's definition is read (not its result) to decide.
 */
export async function listScenariosKept(
  graph: Graph,
  window: PageWindow,
  status: ScenarioStatus | null,
  keep: (all: SavedScenario[]) => Promise<boolean[]>,
): Promise<Page<SavedScenario>> {
  const rows = await graph.read(LIST_ALL_SCENARIOS, { status });
  const all = asPropsList(rows[0]?.['nodes']).map((p) => SavedScenario.fromProps(p));
  const seen = await keep(all);
  const kept = all.filter((_, i) => seen[i] === true);
  const after = window.afterId;
  const rest = after === null ? kept : kept.filter((s) => s.id > after);
  return toPage(rest.slice(0, window.limit + 1), window, kept.length);
}

/** Who holds a job: this life of this instance, and the start it belongs to. */
export interface JobOwner {
  instanceId: string;
  bootId: string;
}

export interface JobRef {
  id: string;
  runId: string;
}

/** The scenario QUEUED for a job of `owner`, or null when it does not exist or a job holds it. */
export async function queueScenario(
  graph: Graph,
  job: JobRef,
  owner: JobOwner,
  runsTotal: number,
): Promise<SavedScenario | null> {
  const rows = await graph.write(QUEUE_SCENARIO, {
    ...job,
    ...owner,
    runsTotal,
    active: ACTIVE,
  });
  return scenarioOf(rows[0]);
}

/**
 * QUEUED → RUNNING; the stored input and the scope it was saved in (null: unscoped), or null
 * when the job no longer may run.
 */
export async function markRunning(
  graph: Graph,
  job: JobRef,
): Promise<{ input: string | null; scope: string[] | null } | null> {
  const rows = await graph.write(MARK_RUNNING, { ...job, now: new Date().toISOString() });
  const row = rows[0];
  if (!row) return null;
  const scope = row['scope'];
  return {
    input: optStr(row, 'input'),
    scope: Array.isArray(scope) ? scope.map((id) => String(id)) : null,
  };
}

export async function writeProgress(
  graph: Graph,
  job: JobRef,
  p: { progress: number; runsDone: number; runsTotal: number },
): Promise<boolean> {
  return (await graph.write(WRITE_PROGRESS, { ...job, ...p })).length > 0;
}

export interface JobEnd {
  status: Extract<ScenarioStatus, 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'INTERRUPTED'>;
  error: string | null;
  result: string | null;
  /** Null: as last written. */
  progress: number | null;
  runsDone: number | null;
}

/** Ends the job; null when it no longer held its scenario (nothing written). */
export async function finishJob(
  graph: Graph,
  job: JobRef,
  end: JobEnd,
): Promise<SavedScenario | null> {
  const rows = await graph.write(FINISH_JOB, {
    ...job,
    ...end,
    now: new Date().toISOString(),
    active: ACTIVE,
  });
  return scenarioOf(rows[0]);
}

export interface Heartbeat {
  id: string;
  /** The job still holds its scenario (not deleted, swept or started again). */
  held: boolean;
  cancel: boolean;
}

export async function heartbeat(graph: Graph, jobs: readonly JobRef[]): Promise<Heartbeat[]> {
  const rows = await graph.write(HEARTBEAT, { jobs, active: ACTIVE });
  return rows.map((r) => ({
    id: String(r['id']),
    held: r['held'] === true,
    cancel: r['cancel'] === true,
  }));
}

/** Marks INTERRUPTED every job nobody runs any more; returns them. */
export async function sweepStale(
  graph: Graph,
  owner: JobOwner,
  staleMs: number,
): Promise<SavedScenario[]> {
  return scenariosOf(
    await graph.write(SWEEP_STALE, {
      ...owner,
      staleMs,
      now: new Date().toISOString(),
      active: ACTIVE,
    }),
  );
}

/** Shutdown: marks INTERRUPTED every job this life of the instance holds; returns them. */
export async function interruptOwn(graph: Graph, bootId: string): Promise<SavedScenario[]> {
  return scenariosOf(
    await graph.write(INTERRUPT_OWN, { bootId, now: new Date().toISOString(), active: ACTIVE }),
  );
}

/** Flags the job holding the scenario to stop; null when no job holds it. */
export async function requestCancel(
  graph: Graph,
  id: string,
): Promise<{ scenario: SavedScenario; job: JobRef; bootId: string | null } | null> {
  const row = (await graph.write(REQUEST_CANCEL, { id, active: ACTIVE }))[0];
  const scenario = scenarioOf(row);
  if (!row || !scenario) return null;
  return {
    scenario,
    job: { id, runId: optStr(row, 'runId') ?? '' },
    bootId: optStr(row, 'bootId'),
  };
}

/** 'deleted', 'missing', or the status of the job holding it. */
export async function deleteScenario(
  graph: Graph,
  id: string,
): Promise<'deleted' | 'missing' | ScenarioStatus> {
  const row = (await graph.write(DELETE_SCENARIO, { id, active: ACTIVE }))[0];
  if (!row) return 'missing';
  if (Number(row['deleted']) > 0) return 'deleted';
  return asScenarioStatus(row['status']);
}
