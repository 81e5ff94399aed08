/**
 * The asset state timeline's statements (docs/timeline.md): reading the changes of assets and
 * lines, and retention.
 *
 * A change is a `(:StateChange {id, assetId, at, status, reason, source, receivedAt, topic?})`
 * with `id = assetId + '@' + at` (migration V0006: unique id, indexes on (assetId, at) and at);
 * `at` is UTC ISO-8601 with milliseconds, so strings compare in time order. Three statements
 * write them, each in the transaction that changes the status, in its own room:
 * - telemetry: `WRITE_STATES` (src/telemetry/telemetry.cypher.ts), source `telemetry`;
 * - mutations: `RECORD_API_STATUS_CHANGE` (src/twins/cypher/mutations.ts), source `api`;
 * - imports: `WRITE_SECTION.assets` (src/twins/cypher/import-export.ts), source `import`.
 */

/** What a read returns of a change. */
const CHANGE = `{.status, .reason, .at, .source}`;

/**
 * For the asset whose id is the variable `assetId`: `prior`, the last change before `$from`
 * (null when none), and `changes`, those from `$from` to `$to` (both included), oldest first, at
 * most `$maxChanges` + 1 (one more than the reader accepts, so it can tell the window was too
 * busy instead of answering with part of it).
 */
const changesOf = (assetId: string) => `
  CALL (${assetId}) {
    OPTIONAL MATCH (c:StateChange) WHERE c.assetId = ${assetId} AND c.at < $from
    WITH c ORDER BY c.at DESC LIMIT 1
    RETURN c ${CHANGE} AS prior
  }
  CALL (${assetId}) {
    OPTIONAL MATCH (c:StateChange)
    WHERE c.assetId = ${assetId} AND c.at >= $from AND c.at <= $to
    WITH c ORDER BY c.at LIMIT toInteger($maxChanges) + 1
    RETURN collect(c ${CHANGE}) AS changes
  }`;

/**
 * Per asset of `$ids`: its changes in the window (`prior`, `changes`) and what its shifts need
 * (its line's `shiftsPerDay`, `hoursPerShift`, its factory's `timezone`). One row per id.
 */
export const READ_ASSET_CHANGES = `
  UNWIND $ids AS id
  CALL (id) {
    OPTIONAL MATCH (f:Factory)-[:HAS_LINE]->(l:Line)-[:HAS_ASSET]->(:Asset {id: id})
    RETURN l.shiftsPerDay AS shiftsPerDay, l.hoursPerShift AS hoursPerShift,
           f.timezone AS timezone
    LIMIT 1
  }
  ${changesOf('id')}
  RETURN id, shiftsPerDay, hoursPerShift, timezone, prior, changes`;

/**
 * Per line of `$lineIds` (one row each, none for a line that does not exist): its shift
 * settings, its factory's timezone and, in one list ordered by asset id, the changes of each of
 * its assets in the window (`assets: [{assetId, prior, changes}]`).
 */
export const READ_LINE_CHANGES = `
  UNWIND $lineIds AS lineId
  MATCH (l:Line {id: lineId})
  CALL (l) {
    OPTIONAL MATCH (f:Factory)-[:HAS_LINE]->(l)
    RETURN f.timezone AS timezone LIMIT 1
  }
  CALL (l) {
    MATCH (l)-[:HAS_ASSET]->(a:Asset)
    WITH a.id AS assetId
    ${changesOf('assetId')}
    WITH assetId, prior, changes ORDER BY assetId
    RETURN collect({assetId: assetId, prior: prior, changes: changes}) AS assets
  }
  RETURN lineId, l.shiftsPerDay AS shiftsPerDay, l.hoursPerShift AS hoursPerShift, timezone,
         assets`;

/**
 * Retention: deletes up to 10,000 changes from before `$cutoff` (returns `n`), but keeps, for
 * each asset, the latest change at or before the cutoff, so the state in force at the cutoff
 * stays known (and the previous status of the first change after it). The changes of an asset
 * that no longer exists go whole once they are older than the cutoff.
 */
export const PRUNE_STATE_CHANGES = `
  MATCH (c:StateChange) WHERE c.at < $cutoff
    AND (EXISTS {
          MATCH (d:StateChange) WHERE d.assetId = c.assetId AND d.at > c.at AND d.at <= $cutoff
        }
        OR NOT EXISTS { MATCH (a:Asset {id: c.assetId}) })
  WITH c LIMIT 10000
  DELETE c
  RETURN count(*) AS n`;
