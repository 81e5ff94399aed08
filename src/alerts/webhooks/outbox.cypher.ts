import { ALERT_VISIBLE } from '../alert.scope';

/**
 * Every Cypher statement of the webhook outbox (docs/webhooks.md). Times are ISO-8601 strings
 * from `Date.toISOString()`, so they compare in time order as strings.
 */

/**
 * A delivery `d` that the request's scope (`$alertScope`, alert.scope.ts) sees: that of an alert
 * it sees. Every statement of the GraphQL API on deliveries carries it.
 */
const DELIVERY_VISIBLE = `($alertScope IS NULL
    OR EXISTS { MATCH (x:Alert {id: d.alertId}) WHERE ${ALERT_VISIBLE} })`;

/** The properties of a delivery that readers get (the body only where it is sent). */
const DELIVERY_FIELDS = `.id, .alertId, .ruleId, .event, .url, .state, .attempts, .seq, .lastError,
  .createdAt, .nextAttemptAt, .deliveredAt, .failedAt, .retriedAt, .retryBase`;

/**
 * One delivery per row, in one statement. `seq` orders the events of one alert: one more than the
 * alert's latest delivery, plus the row's place in this call. It is read from the graph rather
 * than from a clock, so two instances with clocks apart cannot swap an alert's events; the alert
 * store calls this after writing the alert in the same transaction, whose lock on the alert
 * serialises the transactions that change one alert. The aggregation reads every row's latest
 * `seq` before anything is created.
 */
export const ENQUEUE_DELIVERIES = `
  UNWIND $rows AS r
  OPTIONAL MATCH (e:AlertDelivery {alertId: r.alertId})
  WITH r, max(e.seq) AS last
  CREATE (:AlertDelivery {id: r.id, alertId: r.alertId, ruleId: r.ruleId, event: r.event,
                          url: r.url, body: r.body, state: 'PENDING', attempts: 0,
                          seq: coalesce(last, 0) + 1 + r.i, createdAt: $now, nextAttemptAt: $now})`;

/**
 * Taken first in every claim transaction: a write lock on one node, so claims of all instances
 * run one after the other and each claim's read sees the claims committed before it.
 */
export const LOCK_CLAIMS = `
  MERGE (l:Lease {name: 'webhook-claims'})
  SET l.lastClaimAt = $now, l.lastClaimBy = $instanceId`;

/**
 * Whether any delivery may be due now: a read, so an idle outbox costs each instance one cheap
 * index lookup per poll, not a write transaction on the claims lock.
 */
export const ANY_DUE = `
  MATCH (d:AlertDelivery)
  WHERE d.state = 'PENDING' AND d.nextAttemptAt <= $now
    AND (d.claimedUntil IS NULL OR d.claimedUntil <= $now)
  RETURN count(d) > 0 AS due LIMIT 1`;

/** Whether delivery `d` may be claimed now (see CLAIM_DUE). */
const CLAIMABLE = `d.state = 'PENDING' AND d.nextAttemptAt <= $now
    AND (d.claimedUntil IS NULL OR d.claimedUntil <= $now)
    AND NOT EXISTS {
      MATCH (e:AlertDelivery {alertId: d.alertId})
      WHERE e.state = 'PENDING' AND e.url = d.url AND e.id <> d.id
        AND (coalesce(e.seq, 0) < coalesce(d.seq, 0)
             OR (coalesce(e.seq, 0) = coalesce(d.seq, 0)
                 AND (e.createdAt < d.createdAt OR (e.createdAt = d.createdAt AND e.id < d.id))))
    }`;

/**
 * Due PENDING deliveries nobody holds (or whose holder's claim ran out: a crashed instance), and
 * none with an earlier PENDING delivery of the same alert to the same URL; oldest due first.
 *
 * Claiming takes two statements in one transaction (after LOCK_CLAIMS). Neo4j reads without
 * locks, each property as last committed, and a statement reuses a property it has read once:
 * a delivery could be read PENDING and then have its claim read as cleared by the attempt that had
 * just DELIVERED it, and two instances POSTed it twice. So LOCK_DUE picks the candidates and locks
 * each one (a write undone at once); CLAIM_DUE, a new statement, reads them again under those
 * locks, which sees every change committed before, and claims those still claimable.
 */
export const LOCK_DUE = `
  MATCH (d:AlertDelivery)
  WHERE ${CLAIMABLE}
  WITH d ORDER BY d.nextAttemptAt, coalesce(d.seq, 0) LIMIT toInteger($limit)
  SET d.claimLock = true
  REMOVE d.claimLock
  RETURN d.id AS id`;

/** See LOCK_DUE: claims the locked candidates (`$ids`) that are still claimable. */
export const CLAIM_DUE = `
  MATCH (d:AlertDelivery)
  WHERE d.id IN $ids AND ${CLAIMABLE}
  WITH d ORDER BY d.nextAttemptAt, coalesce(d.seq, 0)
  SET d.claimedBy = $instanceId, d.claimedUntil = $until, d.claimToken = $token
  RETURN d {${DELIVERY_FIELDS}, .body} AS delivery`;

/**
 * One attempt: always recorded (it happened); the delivery's state changes only while it is
 * PENDING and still held by this claim, or on success (a delivery another instance delivered in
 * the meantime stays DELIVERED). `$state`, `$nextAttemptAt` and `$error` are decided by the code.
 */
export const RECORD_ATTEMPT = `
  MATCH (d:AlertDelivery {id: $id})
  SET d.attempts = coalesce(d.attempts, 0) + 1
  CREATE (d)-[:ATTEMPT]->(:DeliveryAttempt {n: d.attempts, at: $at, ok: $ok, httpStatus: $httpStatus,
                                            error: $error, ms: $ms, by: $instanceId})
  WITH d, d.state = 'PENDING' AND ($ok OR d.claimToken = $token) AS applies
  FOREACH (_ IN CASE WHEN applies THEN [1] ELSE [] END |
    SET d.state = $state, d.nextAttemptAt = $nextAttemptAt,
        d.deliveredAt = CASE WHEN $ok THEN $at ELSE d.deliveredAt END,
        d.failedAt = CASE WHEN $state = 'FAILED' THEN $at ELSE null END,
        d.lastError = CASE WHEN $ok THEN d.lastError ELSE $error END,
        d.claimedBy = null, d.claimedUntil = null, d.claimToken = null)
  RETURN applies, d.attempts AS n`;

/** Gives back claimed deliveries that were not sent (the dispatcher is stopping). */
export const RELEASE_CLAIMS = `
  UNWIND $ids AS id
  MATCH (d:AlertDelivery {id: id})
  WHERE d.claimToken = $token
  SET d.claimedBy = null, d.claimedUntil = null, d.claimToken = null`;

/** `alertDeliveries`: newest first, of the alerts the scope sees. */
export const LIST_DELIVERIES = `
  MATCH (d:AlertDelivery)
  WHERE ($state IS NULL OR d.state = $state) AND ($alertId IS NULL OR d.alertId = $alertId)
    AND ${DELIVERY_VISIBLE}
  WITH d ORDER BY d.createdAt DESC, coalesce(d.seq, 0) DESC LIMIT toInteger($first)
  RETURN d {${DELIVERY_FIELDS}} AS delivery`;

/** `Alert.deliveries` for many alerts at once: each alert's in event order. */
export const DELIVERIES_OF_ALERTS = `
  UNWIND $ids AS alertId
  MATCH (d:AlertDelivery {alertId: alertId}) WHERE ${DELIVERY_VISIBLE}
  WITH alertId, d ORDER BY coalesce(d.seq, 0), d.createdAt
  RETURN alertId, collect(d {${DELIVERY_FIELDS}}) AS deliveries`;

/** `AlertDelivery.attemptLog` for many deliveries at once: each one's attempts in order. */
export const ATTEMPTS_OF_DELIVERIES = `
  UNWIND $ids AS id
  MATCH (:AlertDelivery {id: id})-[:ATTEMPT]->(a:DeliveryAttempt)
  WITH id, a ORDER BY a.n
  RETURN id, collect(a {.n, .at, .ok, .httpStatus, .error, .ms}) AS attempts`;

/**
 * `retryAlertDelivery`: a FAILED delivery becomes PENDING, due now, with a fresh retry window and
 * backoff (`retriedAt`, `retryBase`); a PENDING one is made due now. Returns the state before.
 */
export const RETRY_DELIVERY = `
  MATCH (d:AlertDelivery {id: $id}) WHERE ${DELIVERY_VISIBLE}
  WITH d, d.state AS before
  FOREACH (_ IN CASE WHEN before = 'FAILED' THEN [1] ELSE [] END |
    SET d.state = 'PENDING', d.nextAttemptAt = $now, d.retriedAt = $now,
        d.retryBase = coalesce(d.attempts, 0), d.failedAt = null,
        d.claimedBy = null, d.claimedUntil = null, d.claimToken = null)
  FOREACH (_ IN CASE WHEN before = 'PENDING' AND d.nextAttemptAt > $now THEN [1] ELSE [] END |
    SET d.nextAttemptAt = $now)
  RETURN before, d {${DELIVERY_FIELDS}} AS delivery`;
