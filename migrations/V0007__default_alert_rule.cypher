// The rule that keeps the behaviour of earlier versions: a reading outside its metric's valid
// range raises a WARNING about the asset. It is data like any other rule: change or delete it.
MERGE (r:AlertRule {id: 'metric-range'})
ON CREATE SET r.name = "Reading outside its metric's valid range", r.kind = 'OUT_OF_RANGE',
  r.severity = 'WARNING', r.enabled = true, r.hysteresis = 0.0, r.clearDelayS = 60,
  r.createdAt = toString(datetime()), r.updatedAt = toString(datetime());
// Alerts stored by earlier versions join the lifecycle: an acknowledged one was closed (it is
// RESOLVED when it was acknowledged); an unacknowledged one stays open under the default rule.
MATCH (x:Alert)-[:ABOUT]->(a:Asset)<-[:HAS_ASSET]-(l:Line)<-[:HAS_LINE]-(f:Factory)
WHERE x.state IS NULL
SET x.state = CASE WHEN x.acknowledgedAt IS NULL THEN 'RAISED' ELSE 'RESOLVED' END,
    x.resolvedAt = x.acknowledgedAt, x.resolvedBy = x.acknowledgedBy,
    x.ruleId = 'metric-range', x.subjectId = x.metricId, x.assetId = a.id, x.factoryId = f.id,
    x.lineId = l.id, x.lastSeenAt = coalesce(x.lastAt, x.raisedAt), x.lastEvalAt = coalesce(x.lastAt, x.raisedAt),
    x.lastBad = true;
MATCH (x:Alert) WHERE x.state = 'RAISED' AND x.openKey IS NULL AND x.ruleId = 'metric-range'
WITH x.subjectId AS subject, x ORDER BY x.raisedAt DESC
WITH subject, collect(x) AS open
WITH subject, open, open[0] AS keep
SET keep.openKey = 'metric-range|' + subject
WITH open[1..] AS older
UNWIND older AS x
SET x.state = 'RESOLVED', x.resolvedAt = x.lastSeenAt, x.resolvedBy = 'migration: a newer alert was open';
