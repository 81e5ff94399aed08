/** Every Cypher statement of the alerts capability. */

/* An alert stays open (one per metric and kind) until acknowledged; repeats count on it. */
export const WRITE_ALERTS = `
  UNWIND $rows AS al
  MATCH (a:Asset {id: al.assetId})
  OPTIONAL MATCH (open:Alert {metricId: al.metricId, kind: al.kind})
  WHERE open.acknowledgedAt IS NULL
  WITH al, a, head(collect(open)) AS open
  CALL (al, a, open) {
    WITH al, a, open WHERE open IS NULL
    CREATE (x:Alert {id: randomUUID(), kind: al.kind, severity: al.severity, message: al.message,
                     raisedAt: al.raisedAt, lastAt: al.lastAt, metricId: al.metricId, count: al.count,
                     lastValue: al.value})
    CREATE (x)-[:ABOUT]->(a)
    RETURN x {.id, .kind, .severity, .message, .raisedAt, .metricId, assetId: a.id} AS created
    UNION
    WITH al, open WHERE open IS NOT NULL
    SET open.count = open.count + al.count, open.lastAt = al.lastAt, open.lastValue = al.value,
        open.severity = CASE WHEN al.severity = 'CRITICAL' THEN 'CRITICAL' ELSE open.severity END
    RETURN null AS created
  }
  WITH created WHERE created IS NOT NULL
  RETURN created`;

export const LIST_ALERTS = `
  MATCH (x:Alert)-[:ABOUT]->(a)
  WHERE ($assetId IS NULL OR a.id = $assetId)
    AND ($open IS NULL OR ($open = (x.acknowledgedAt IS NULL)))
  WITH x, a ORDER BY x.raisedAt DESC LIMIT toInteger($first)
  RETURN x {.*, assetId: a.id} AS alert`;

export const ACKNOWLEDGE_ALERT = `
  MATCH (x:Alert {id: $id})-[:ABOUT]->(a)
  SET x.acknowledgedAt = coalesce(x.acknowledgedAt, $now), x.acknowledgedBy = coalesce(x.acknowledgedBy, $by)
  RETURN x {.*, assetId: a.id} AS alert`;
