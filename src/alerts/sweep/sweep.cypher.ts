/**
 * Every Cypher statement of the alert sweep (docs/alert-rules-sweep.md): one statement per rule
 * kind, each taking all enabled rules of its kind as `$rules` and UNWINDing them, so a sweep costs
 * the same number of round trips whatever the number of rules and twins (COVER_BELOW_SAFETY adds
 * the impact module's CONSUMPTION_INPUTS, one more).
 *
 * Each statement returns two lists in one row:
 * - the subjects whose condition may hold (`down`, `silent`, `late`), each once with the rules it
 *   may hold for (`ruleIds`: a map per rule and subject took the driver far longer to decode than
 *   the statement took to run) and with what the message needs. The time conditions are a
 *   pre-filter here; the code decides (see `time.ts`);
 * - the subjects with an open alert of the rule (`open`), found by the alert's `openKey`
 *   (`ruleId|subjectId`, unique while the alert is open) with a prefix seek on the constraint's
 *   index, so clears cost what the open alerts cost, not what the plant costs.
 */

/**
 * A stored time as the code reads it (`readTimeMs`): a string as it is (the import, the mutations
 * and telemetry all store `Date.toISOString()` strings), a Neo4j temporal as epoch milliseconds
 * (a DATETIME, or a LOCAL DATETIME or DATE taken as UTC), a number as it is (epoch ms), anything
 * else null.
 */
export function timeOf(expr: string): string {
  return `CASE
      WHEN ${expr} IS :: STRING NOT NULL THEN ${expr}
      WHEN ${expr} IS :: ZONED DATETIME NOT NULL THEN ${expr}.epochMillis
      WHEN ${expr} IS :: LOCAL DATETIME NOT NULL THEN datetime({datetime: ${expr}, timezone: 'UTC'}).epochMillis
      WHEN ${expr} IS :: DATE NOT NULL THEN datetime({date: ${expr}, timezone: 'UTC'}).epochMillis
      WHEN ${expr} IS :: INTEGER NOT NULL OR ${expr} IS :: FLOAT NOT NULL THEN ${expr}
      ELSE null END`;
}

/**
 * Whether time `t` (a `timeOf` value, not null) may lie before the cutoff given as a canonical ISO
 * string and as epoch ms. A canonical string (`$isoPattern`: the form toISOString writes) compares
 * exactly as text; any other string is kept (the code parses it); a number compares as ms. No
 * `datetime(string)` here: one malformed stored string would fail the whole statement.
 */
export function mayBeBefore(t: string, iso: string, ms: string): string {
  return `(CASE WHEN ${t} IS :: STRING THEN NOT ${t} =~ $isoPattern OR ${t} < ${iso}
                ELSE ${t} < ${ms} END)`;
}

/** Asset `a` on line `l` of factory `f` (either may be null) lies inside `rule`'s scope. */
const IN_SCOPE = `(rule.factoryId IS NULL OR f.id = rule.factoryId)
      AND (rule.lineId IS NULL OR l.id = rule.lineId)
      AND (rule.assetId IS NULL OR a.id = rule.assetId)`;

/** Binds `rule`, the open alert `x` of the rule and its `subjectId`. */
const OPEN_ALERTS = `
    UNWIND $rules AS rule
    MATCH (x:Alert)
    WHERE x.openKey STARTS WITH rule.id + '|' AND (x.ruleId IS NULL OR x.ruleId = rule.id)
    WITH rule, x, substring(x.openKey, size(rule.id) + 1) AS subjectId`;

/** The line and factory of asset `a` (null when it has none). */
const PLACE_OF_ASSET = `
    OPTIONAL MATCH (l:Line)-[:HAS_ASSET]->(a)
    OPTIONAL MATCH (f:Factory)-[:HAS_LINE]->(l)`;

/**
 * ASSET_DOWN. `$rules`: [{id, factoryId, lineId, assetId}]. `down`: each DOWN asset in a rule's
 * scope (the asset_status index finds them); `open`: each open alert's asset as it stands.
 */
export const ASSET_DOWN_SWEEP = `
  CALL () {
    MATCH (a:Asset) WHERE a.status = 'DOWN'
    ${PLACE_OF_ASSET}
    WITH a, l, f, ${timeOf('a.statusTs')} AS statusTs
    UNWIND $rules AS rule
    WITH rule, a, l, f, statusTs
    WHERE ${IN_SCOPE}
    WITH a, l, f, statusTs, collect(rule.id) AS ruleIds
    RETURN collect({ruleIds: ruleIds, assetId: a.id, assetName: a.name, lineId: l.id,
                    lineName: l.name, factoryId: f.id, reason: a.statusReason,
                    statusTs: statusTs}) AS down
  }
  CALL () {
    ${OPEN_ALERTS}
    OPTIONAL MATCH (a:Asset {id: subjectId})
    ${PLACE_OF_ASSET}
    RETURN collect({ruleId: rule.id, subjectId: subjectId, exists: a IS NOT NULL,
                    assetName: a.name, status: a.status, lineId: l.id, factoryId: f.id}) AS open
  }
  RETURN down, open`;

/**
 * MISSING_DATA. `$rules`: [{id, factoryId, lineId, assetId, metric, cutoffIso, cutoffMs,
 * createdLongAgo}] where cutoff = now − expectedIntervalS and createdLongAgo = the rule was
 * created more than expectedIntervalS ago. `$widestIso`/`$widestMs`: the latest cutoff of all
 * rules, `$anyCreatedLongAgo`: some rule's createdLongAgo (a pre-filter before the walk up).
 * `silent`: each metric in a rule's scope whose latest reading (`ts`) may be older than the rule's
 * cutoff, or that never reported once the rule is old enough; `open`: each open alert's metric.
 */
export const MISSING_DATA_SWEEP = `
  CALL () {
    MATCH (a:Asset)-[:HAS_METRIC]->(m:Metric)
    WITH a, m, ${timeOf('m.ts')} AS ts
    WHERE CASE WHEN ts IS NULL THEN $anyCreatedLongAgo
               ELSE ${mayBeBefore('ts', '$widestIso', '$widestMs')} END
    ${PLACE_OF_ASSET}
    UNWIND $rules AS rule
    WITH rule, a, m, l, f, ts
    WHERE ${IN_SCOPE}
      AND (rule.metric IS NULL OR m.name = rule.metric)
      AND CASE WHEN ts IS NULL THEN rule.createdLongAgo
               ELSE ${mayBeBefore('ts', 'rule.cutoffIso', 'rule.cutoffMs')} END
    WITH a, m, l, f, ts, collect(rule.id) AS ruleIds
    RETURN collect({ruleIds: ruleIds, metricId: m.id, metricName: m.name, ts: ts, assetId: a.id,
                    assetName: a.name, lineId: l.id, factoryId: f.id}) AS silent
  }
  CALL () {
    ${OPEN_ALERTS}
    OPTIONAL MATCH (a:Asset)-[:HAS_METRIC]->(m:Metric {id: subjectId})
    ${PLACE_OF_ASSET}
    RETURN collect({ruleId: rule.id, subjectId: subjectId, exists: m IS NOT NULL,
                    metricName: m.name, ts: ${timeOf('m.ts')}, assetId: coalesce(a.id, x.assetId),
                    assetName: a.name, lineId: l.id, factoryId: f.id}) AS open
  }
  RETURN silent, open`;

/**
 * The shipments that may be late, per rule: DELAYED, or PLANNED / IN_TRANSIT with an eta that may
 * lie before `$nowIso`/`$nowMs` (the shipment_status index finds the candidates); in a rule's
 * scope when the rule names no factory or the shipment goes TO that factory. With what the
 * messages need, and the destination's STOCKS of the product (for COVER_BELOW_SAFETY).
 */
const LATE_SHIPMENTS = `
  CALL () {
    MATCH (sh:Shipment) WHERE sh.status IN ['DELAYED', 'PLANNED', 'IN_TRANSIT']
    WITH sh, ${timeOf('sh.eta')} AS eta
    WHERE sh.status = 'DELAYED' OR (eta IS NOT NULL AND ${mayBeBefore('eta', '$nowIso', '$nowMs')})
    OPTIONAL MATCH (sh)-[:TO]->(f:Factory)
    OPTIONAL MATCH (sh)-[:FROM]->(s:Supplier)
    OPTIONAL MATCH (sh)-[:CARRIES]->(c:Product)
    OPTIONAL MATCH (f)-[st:STOCKS]->(c)
    UNWIND $rules AS rule
    WITH rule, sh, eta, f, s, c, st
    WHERE rule.factoryId IS NULL OR f.id = rule.factoryId
    WITH sh, eta, f, s, c, st, collect(rule.id) AS ruleIds
    RETURN collect({ruleIds: ruleIds, id: sh.id, status: sh.status, eta: eta,
                    quantity: sh.quantity, factoryId: f.id, factoryName: f.name,
                    supplierId: s.id, supplierName: s.name, productId: c.id, productName: c.name,
                    safetyStock: st.safetyStock}) AS late
  }`;

/**
 * SHIPMENT_LATE. `$rules`: [{id, factoryId}]. `late` as above; `open`: each open alert's
 * shipment as it stands.
 */
export const SHIPMENT_LATE_SWEEP = `
  ${LATE_SHIPMENTS}
  CALL () {
    ${OPEN_ALERTS}
    OPTIONAL MATCH (sh:Shipment {id: subjectId})
    OPTIONAL MATCH (sh)-[:TO]->(f:Factory)
    RETURN collect({ruleId: rule.id, subjectId: subjectId, exists: sh IS NOT NULL,
                    status: sh.status, eta: ${timeOf('sh.eta')}, factoryId: f.id}) AS open
  }
  RETURN late, open`;

/**
 * COVER_BELOW_SAFETY, first half. `$rules`: [{id, factoryId}]. `late` as above; `open`: each open
 * alert's subject (`factoryId|componentId`) with the factory the alert recorded, if any.
 */
export const COVER_SWEEP = `
  ${LATE_SHIPMENTS}
  CALL () {
    ${OPEN_ALERTS}
    RETURN collect({ruleId: rule.id, subjectId: subjectId, factoryId: x.factoryId}) AS open
  }
  RETURN late, open`;
