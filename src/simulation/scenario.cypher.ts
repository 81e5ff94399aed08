/*
 * Every statement on saved scenarios and their jobs (docs/simulation.md, "Jobs"). A job's writes
 * are conditioned on its `runId` (one per startSimulation), so a job that lost its scenario (it
 * was deleted, swept as INTERRUPTED, or started again elsewhere) can never overwrite what came
 * after it. Statements that decide on a status first take the node's write lock (`revision`), so
 * two instances deciding at once see each other's outcome instead of both passing the check.
 * heartbeatAt is Neo4j's clock (timestamp()), so instances with skewed clocks agree on staleness.
 */

import { SCOPED_LABELS } from '../graph/scope';

/** The statuses a job holds its scenario in. */
export const ACTIVE = ['QUEUED', 'RUNNING'] as const;

/**
 * Everything but the result, which can be large: it is read on demand (READ_RESULTS). `scope`:
 * the factories of the scoped key that saved it (absent: saved unscoped), where its jobs run.
 */
const PROPS = `s {.id, .name, .input, .status, .progress, .runsDone, .runsTotal, .createdAt,
  .startedAt, .finishedAt, .error, .cancelRequested, .instanceId, .scope}`;

const LOCK = 'SET s.revision = coalesce(s.revision, 0) + 1';

export const CREATE_SCENARIO = `
  CREATE (s:Scenario {id: $id, name: $name, input: $input, status: 'DRAFT', progress: 0.0,
                      runsDone: 0, runsTotal: $runsTotal, createdAt: $now, cancelRequested: false,
                      scope: $scope})
  RETURN ${PROPS} AS scenario`;

export const READ_SCENARIOS = `
  UNWIND $ids AS id
  MATCH (s:Scenario {id: id})
  RETURN id, ${PROPS} AS scenario`;

export const READ_RESULTS = `
  UNWIND $ids AS id
  MATCH (s:Scenario {id: id})
  RETURN id, s.result AS result`;

/** Count and one page in one round trip, by id (ids grow with creation time). */
export const LIST_SCENARIOS = `
  CALL () {
    MATCH (s:Scenario) WHERE $status IS NULL OR s.status = $status
    RETURN count(s) AS total
  }
  CALL () {
    MATCH (s:Scenario)
    WHERE ($status IS NULL OR s.status = $status) AND ($after IS NULL OR s.id > $after)
    WITH s ORDER BY s.id LIMIT toInteger($limit)
    RETURN collect(${PROPS}) AS nodes
  }
  RETURN total, nodes`;

/**
 * Every scenario (in a status), by id, without results: a factory scope's list keeps those it
 * sees (scoped.ts) and pages them itself, so that totalCount and pages agree.
 */
export const LIST_ALL_SCENARIOS = `
  MATCH (s:Scenario) WHERE $status IS NULL OR s.status = $status
  WITH s ORDER BY s.id
  RETURN collect(${PROPS}) AS nodes`;

/** Which of the ids (one list parameter per label, named after it) are twins that exist. */
export const EXISTING_TWINS = `
  CALL () {
${SCOPED_LABELS.map(
  (label) =>
    `    MATCH (n:${label}) WHERE n.id IN $${label} RETURN '${label}' AS label, n.id AS id`,
).join('\n    UNION ALL\n')}
  }
  RETURN label, id`;

/**
 * Hands the scenario to a job of this instance, QUEUED, if no job holds it. Returns no row when
 * it does not exist or is held (the caller reads which).
 */
export const QUEUE_SCENARIO = `
  MATCH (s:Scenario {id: $id})
  ${LOCK}
  WITH s WHERE NOT s.status IN $active
  SET s.status = 'QUEUED', s.progress = 0.0, s.runsDone = 0, s.runsTotal = $runsTotal,
      s.startedAt = null, s.finishedAt = null, s.error = null, s.result = null,
      s.cancelRequested = false, s.instanceId = $instanceId, s.bootId = $bootId,
      s.runId = $runId, s.heartbeatAt = timestamp()
  RETURN ${PROPS} AS scenario`;

/** The job takes a slot: QUEUED → RUNNING, unless it was cancelled or lost meanwhile. */
export const MARK_RUNNING = `
  MATCH (s:Scenario {id: $id, runId: $runId})
  ${LOCK}
  WITH s WHERE s.status = 'QUEUED' AND NOT coalesce(s.cancelRequested, false)
  SET s.status = 'RUNNING', s.startedAt = $now, s.heartbeatAt = timestamp()
  RETURN s.input AS input, s.scope AS scope`;

export const WRITE_PROGRESS = `
  MATCH (s:Scenario {id: $id, runId: $runId})
  WHERE s.status = 'RUNNING'
  SET s.progress = $progress, s.runsDone = $runsDone, s.runsTotal = $runsTotal
  RETURN s.id AS id`;

/** The job's end. `result` null but for SUCCEEDED. */
export const FINISH_JOB = `
  MATCH (s:Scenario {id: $id, runId: $runId})
  ${LOCK}
  WITH s WHERE s.status IN $active
  SET s.status = $status, s.finishedAt = $now, s.error = $error, s.result = $result,
      s.progress = coalesce($progress, s.progress), s.runsDone = coalesce($runsDone, s.runsDone)
  RETURN ${PROPS} AS scenario`;

/**
 * This instance's jobs are alive: their heartbeat is renewed, and each says whether it still
 * holds its scenario and whether a cancel was asked for (from any instance).
 */
export const HEARTBEAT = `
  UNWIND $jobs AS job
  OPTIONAL MATCH (s:Scenario {id: job.id, runId: job.runId})
  WHERE s.status IN $active
  SET s.heartbeatAt = timestamp()
  RETURN job.id AS id, s IS NOT NULL AS held, coalesce(s.cancelRequested, false) AS cancel`;

/**
 * Jobs nobody runs any more: no heartbeat for $staleMs, or held by an earlier life of this very
 * instance (it restarted, so none of them can be running).
 */
export const SWEEP_STALE = `
  MATCH (s:Scenario)
  WHERE s.status IN $active
    AND (coalesce(s.heartbeatAt, 0) < timestamp() - $staleMs
         OR (s.instanceId = $instanceId AND s.bootId <> $bootId))
  ${LOCK}
  WITH s WHERE s.status IN $active
  SET s.error = 'the instance ' + coalesce(s.instanceId, '(unknown)') + ' that held this job stopped while it was ' + s.status + '; start it again with startSimulation',
      s.status = 'INTERRUPTED', s.finishedAt = $now
  RETURN ${PROPS} AS scenario`;

/** Shutdown: every job this life of the instance still holds. */
export const INTERRUPT_OWN = `
  MATCH (s:Scenario)
  WHERE s.bootId = $bootId AND s.status IN $active
  ${LOCK}
  WITH s WHERE s.status IN $active
  SET s.error = 'the instance ' + s.instanceId + ' shut down while this job was ' + s.status + '; start it again with startSimulation',
      s.status = 'INTERRUPTED', s.finishedAt = $now
  RETURN ${PROPS} AS scenario`;

/** Asks the job holding the scenario to stop; no row when no job holds it. */
export const REQUEST_CANCEL = `
  MATCH (s:Scenario {id: $id})
  ${LOCK}
  WITH s WHERE s.status IN $active
  SET s.cancelRequested = true
  RETURN ${PROPS} AS scenario, s.runId AS runId, s.bootId AS bootId`;

/** Deletes the scenario unless a job holds it; no row: there is none; `deleted` 0: held. */
export const DELETE_SCENARIO = `
  MATCH (s:Scenario {id: $id})
  ${LOCK}
  WITH s, s.status AS status
  CALL (s, status) {
    WITH s WHERE NOT status IN $active
    DETACH DELETE s
    RETURN count(*) AS deleted
  }
  RETURN status, deleted`;
