/** Every Cypher statement of the alerts capability (rules, alerts, their lifecycle). */

import { ALERT_VISIBLE } from './alert.scope';

export const LIST_RULES = `
  MATCH (r:AlertRule) WHERE $kind IS NULL OR r.kind = $kind
  RETURN r {.*} AS rule ORDER BY r.id`;

export const COUNT_RULES = `MATCH (r:AlertRule) RETURN count(r) AS n`;

export const GET_RULE = `MATCH (r:AlertRule {id: $id}) RETURN r {.*} AS rule`;

export const CREATE_RULE = `
  CREATE (r:AlertRule {id: $id})
  SET r += $fields, r.createdAt = $now, r.updatedAt = $now
  RETURN r {.*} AS rule`;

/* null values in $fields remove the property (a setting unset) */
export const UPDATE_RULE = `
  MATCH (r:AlertRule {id: $id})
  SET r += $fields, r.updatedAt = $now
  RETURN r {.*} AS rule`;

export const DELETE_RULE = `MATCH (r:AlertRule {id: $id}) DELETE r RETURN count(*) AS deleted`;

/** Whether the twins a rule is scoped to exist and fit together (a line of the factory, …). */
export const CHECK_RULE_SCOPE = `
  OPTIONAL MATCH (f:Factory {id: $factoryId})
  OPTIONAL MATCH (l:Line {id: $lineId})
  OPTIONAL MATCH (a:Asset {id: $assetId})
  OPTIONAL MATCH (lf:Factory)-[:HAS_LINE]->(l)
  OPTIONAL MATCH (al:Line)-[:HAS_ASSET]->(a)
  OPTIONAL MATCH (af:Factory)-[:HAS_LINE]->(al)
  RETURN f IS NOT NULL AS factory, l IS NOT NULL AS line, a IS NOT NULL AS asset,
         lf.id AS lineFactory, al.id AS assetLine, af.id AS assetFactory`;

/** The rules of some observations and the open alerts of their (rule, subject) keys: one trip. */
export const READ_RULES_AND_OPEN = `
  CALL () { MATCH (r:AlertRule) WHERE r.id IN $ruleIds RETURN collect(r {.*}) AS rules }
  CALL () {
    UNWIND $keys AS k
    MATCH (x:Alert {openKey: k})
    RETURN collect(x {.*}) AS open
  }
  RETURN rules, open`;

export const READ_RULES = `
  MATCH (r:AlertRule) WHERE r.id IN $ids
  RETURN r {.*} AS rule`;

/** New alerts ABOUT one label of twin (the label comes from a fixed list, never from input). */
export const createAlertsAbout = (label: string) => `
  UNWIND $rows AS row
  MATCH (t:${label} {id: row.aboutId})
  CREATE (x:Alert)
  SET x = row.props
  CREATE (x)-[:ABOUT]->(t)
  WITH x, t
  CALL (x, t) {
    // an observation that did not know where its asset stands (a spill file of an old version)
    WITH x, t WHERE x.factoryId IS NULL AND t:Asset
    MATCH (f:Factory)-[:HAS_LINE]->(l:Line)-[:HAS_ASSET]->(t)
    SET x.factoryId = f.id, x.lineId = l.id
  }
  RETURN x.id AS id, x.factoryId AS factoryId, x.lineId AS lineId`;

/* null values remove the property: a resolved alert loses its openKey, freeing the key */
export const UPDATE_ALERTS = `
  UNWIND $rows AS row
  MATCH (x:Alert {id: row.id})
  SET x += row.props
  RETURN x.id AS id`;

const ALERT_FILTERS = `
  ($factoryId IS NULL OR x.factoryId = $factoryId)
  AND ($assetId IS NULL OR x.assetId = $assetId)
  AND ($ruleId IS NULL OR x.ruleId = $ruleId)
  AND ($kind IS NULL OR x.kind = $kind)
  AND ($severities IS NULL OR x.severity IN $severities)
  AND ($states IS NULL OR x.state IN $states)
  AND ($from IS NULL OR x.raisedAt >= $from)
  AND ($to IS NULL OR x.raisedAt <= $to)
  AND ${ALERT_VISIBLE}`;

/**
 * A page of alerts, newest first, after a (raisedAt, id) keyset cursor, with the total count; both
 * kept to the request's scope (`$alertScope`, alert.scope.ts), so they agree.
 */
export const LIST_ALERTS = `
  CALL () {
    MATCH (x:Alert) WHERE ${ALERT_FILTERS}
    RETURN count(x) AS total
  }
  CALL () {
    MATCH (x:Alert) WHERE ${ALERT_FILTERS}
      AND ($afterAt IS NULL OR x.raisedAt < $afterAt OR (x.raisedAt = $afterAt AND x.id < $afterId))
    WITH x ORDER BY x.raisedAt DESC, x.id DESC LIMIT toInteger($first) + 1
    RETURN collect(x {.*}) AS items
  }
  RETURN total, items`;

/** One alert, when the request's scope (`$alertScope`) sees it. */
export const GET_ALERT = `MATCH (x:Alert {id: $id}) WHERE ${ALERT_VISIBLE} RETURN x {.*} AS alert`;

export const ACKNOWLEDGE_ALERT = `
  MATCH (x:Alert {id: $id}) WHERE ${ALERT_VISIBLE}
  WITH x, x.acknowledgedAt IS NULL AS first
  SET x.acknowledgedAt = coalesce(x.acknowledgedAt, $now),
      x.acknowledgedBy = coalesce(x.acknowledgedBy, $by),
      x.state = CASE WHEN x.state = 'RAISED' THEN 'ACKNOWLEDGED' ELSE x.state END
  RETURN x {.*} AS alert, first`;

export const RESOLVE_ALERT = `
  MATCH (x:Alert {id: $id}) WHERE ${ALERT_VISIBLE}
  WITH x, x.state <> 'RESOLVED' AS first
  SET x.resolvedAt = coalesce(x.resolvedAt, $now), x.resolvedBy = coalesce(x.resolvedBy, $by),
      x.state = 'RESOLVED', x.clearSince = null
  REMOVE x.openKey
  RETURN x {.*} AS alert, first`;

/** The open alerts of a rule, resolved when the rule is deleted or disabled. */
export const RESOLVE_RULE_ALERTS = `
  MATCH (x:Alert {ruleId: $ruleId}) WHERE x.openKey IS NOT NULL
  SET x.resolvedAt = $now, x.resolvedBy = $by, x.state = 'RESOLVED', x.clearSince = null
  REMOVE x.openKey
  RETURN x {.*} AS alert`;

/** The twins alerts are ABOUT, by label and id (for the \`about\` field). */
export const ALERT_ABOUT = `
  UNWIND $ids AS id
  MATCH (x:Alert {id: id})-[:ABOUT]->(t)
  RETURN id, labels(t) AS labels, t {.*} AS props`;

/**
 * Retention (ALERT_RETENTION_DAYS): RESOLVED alerts resolved before `$cutoff`, with their webhook
 * deliveries and the attempts of those, at most `$limit` alerts per call. An alert with a delivery
 * still PENDING stays until the delivery ends. Open and acknowledged alerts stay whatever their
 * age.
 */
export const PRUNE_ALERTS = `
  MATCH (x:Alert) WHERE x.state = 'RESOLVED' AND x.resolvedAt < $cutoff
    AND NOT EXISTS { MATCH (p:AlertDelivery {alertId: x.id}) WHERE p.state = 'PENDING' }
  WITH x LIMIT toInteger($limit)
  CALL (x) {
    OPTIONAL MATCH (d:AlertDelivery {alertId: x.id})
    OPTIONAL MATCH (d)-[:ATTEMPT]->(a:DeliveryAttempt)
    DETACH DELETE a, d
  }
  DETACH DELETE x
  RETURN count(x) AS n`;
