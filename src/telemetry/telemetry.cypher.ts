/**
 * Every Cypher statement of the telemetry capability, in one place: the writer, the asset cache,
 * retention, rejections and history all take their statements from here, and so do the
 * benchmarks (bench/ingest.ts measures the product's own statements, not a copy).
 */

/*
 * One transaction per batch. Readings are MERGEd by id, so a redelivered message writes nothing
 * new; a metric's latest value only moves forward in time, so late or redelivered readings never
 * overwrite a newer one. The same guard holds for asset status.
 *
 * The guard reads `m.ts` only once the metric is locked (`SET m._lock … REMOVE m._lock` takes
 * the write lock and leaves nothing). Read before, under Neo4j's read-committed isolation, it
 * could be the value from before another transaction's commit (another instance's batch, a
 * backfill), whose lock this one then waited for and whose newer value it overwrote.
 */
const READING_NODES = `
  UNWIND $rows AS r
  MERGE (x:Reading {id: r.id})
  ON CREATE SET x += r`;
/** A metric's latest value from row `r`, under the metric's lock. */
const LATEST_VALUE = `
  MATCH (m:Metric {id: r.metricId})
  SET m._lock = true
  REMOVE m._lock
  WITH m, r
  WHERE m.ts IS NULL OR m.ts <= r.ts
  SET m.value = r.value, m.ts = r.ts, m.flagged = r.flagged`;

/** Readings and their metrics' latest values in one statement (backfill; the ingest baseline). */
export const WRITE_READINGS = `${READING_NODES}
  WITH r${LATEST_VALUE}`;

/*
 * WRITE_READINGS in two statements, as the telemetry writer sends them (src/telemetry/store.ts).
 * The readings first: no other batch touches them, so a batch written behind another creates its
 * readings while that one commits. Then, behind the lock that keeps batches in order, each
 * metric's latest value from the batch's newest reading of it (latestPerMetric: one row per
 * metric, and the same values as WRITE_READINGS leaves).
 */
export const WRITE_READING_NODES = READING_NODES;
export const WRITE_LATEST_VALUES = `
  UNWIND $rows AS r${LATEST_VALUE}`;

/*
 * Every state message is also kept on the asset's timeline (src/alerts/timeline/, docs/timeline.md)
 * as a StateChange with id `assetId@ts`, whatever order it arrived in: a redelivered message
 * writes nothing new, and one older than the asset's current status is placed by its time when
 * the timeline is read, while the asset's current status stays that of the latest timestamp.
 */
export const WRITE_STATES = `
  UNWIND $rows AS s
  MATCH (a:Asset {id: s.assetId})
  SET a._lock = true
  REMOVE a._lock
  WITH a, s
  CALL (a, s) {
    WITH a, s WHERE a.statusTs IS NULL OR a.statusTs <= s.ts
    SET a.status = s.status, a.statusTs = s.ts, a.statusReason = s.reason
  }
  CALL (s) {
    MERGE (c:StateChange {id: s.assetId + '@' + s.ts})
    ON CREATE SET c.assetId = s.assetId, c.at = s.ts, c.status = s.status, c.reason = s.reason,
                  c.source = 'telemetry', c.receivedAt = s.receivedAt, c.topic = s.topic
  }`;

/*
 * A batch is written at most once: its id is recorded in the same transaction, and a batch whose
 * id is already recorded (a spilled batch that was also committed while shutdown timed out) is
 * skipped whole, so a replay changes no count (rejections, alert repeats). MARK_BATCH records the
 * id unless it is there and says whether it was; the writer sends the batch's other statements
 * right behind it (src/telemetry/store.ts) and rolls the transaction back when it was.
 */
export const MARK_BATCH = `
  OPTIONAL MATCH (b:TelemetryBatch {id: $id})
  CALL (b) {
    WITH b WHERE b IS NULL
    CREATE (:TelemetryBatch {id: $id, at: $at})
  }
  RETURN b IS NOT NULL AS seen`;
/*
 * How far this instance's journal run is in the database (src/telemetry/replay.ts): set in every
 * batch's transaction, so a journal replay after a crash writes only the rows not committed.
 */
export const WRITE_JOURNAL_CURSOR = `
  MERGE (c:TelemetryJournalCursor {instance: $instance})
  SET c.run = $run, c.readings = $readings, c.states = $states, c.rejections = $rejections,
      c.observations = $observations, c.at = $at`;
export const READ_JOURNAL_CURSOR = `
  MATCH (c:TelemetryJournalCursor {instance: $instance})
  RETURN c.run AS run, c.readings AS readings, c.states AS states, c.rejections AS rejections,
         c.observations AS observations`;
export const PRUNE_BATCHES = `
  MATCH (b:TelemetryBatch) WHERE b.at < $cutoff WITH b LIMIT 10000 DELETE b RETURN count(*) AS n`;

export const WRITE_REJECTION_STATS = `
  UNWIND $rows AS j
  MERGE (s:TelemetryRejectionStat {reason: j.reason})
  ON CREATE SET s.count = 0
  SET s.count = s.count + j.count, s.lastAt = j.lastAt`;

export const WRITE_REJECTION_EXAMPLES = `
  UNWIND $rows AS j
  CREATE (e:TelemetryRejection)
  SET e = j`;

/** What ingestion must know of assets: their place in the plant and their metrics. */
export const READ_ASSETS = `
  MATCH (f:Factory)-[:HAS_LINE]->(l:Line)-[:HAS_ASSET]->(a:Asset)
  WHERE ($ids IS NULL OR a.id IN $ids)
    AND ($lineIds IS NULL OR l.id IN $lineIds)
    AND ($factoryIds IS NULL OR f.id IN $factoryIds)
  CALL (a) {
    OPTIONAL MATCH (a)-[:HAS_METRIC]->(m:Metric)
    RETURN collect(m {.id, .name, .unit, .min, .max}) AS metrics
  }
  RETURN a {.*} AS asset, f.id AS factoryId, l.id AS lineId, metrics`;

/**
 * Recent readings of metrics, newest first: one round trip for all metrics with one window. The
 * hint and the ORDER BY on both index keys make it a descending seek of (metricId, ts) that stops
 * after `limit` rows: without them the planner scanned every Reading of the database per metric
 * (the soak's history read grew with the stored readings, p99 1.5 s after 3 minutes).
 */
export const READ_HISTORY = `
  UNWIND $ids AS id
  CALL (id) {
    MATCH (r:Reading) USING INDEX r:Reading(metricId, ts)
    WHERE r.metricId = id AND r.ts IS NOT NULL
      AND ($from IS NULL OR r.ts >= $from) AND ($to IS NULL OR r.ts <= $to)
    WITH r ORDER BY r.metricId DESC, r.ts DESC LIMIT toInteger($limit)
    RETURN collect(r {.*}) AS items
  }
  RETURN id, items`;

export const READ_REJECTIONS = `
  CALL () { MATCH (s:TelemetryRejectionStat) RETURN collect(s {.*}) AS stats }
  CALL () {
    MATCH (e:TelemetryRejection) WITH e ORDER BY e.receivedAt DESC LIMIT toInteger($latest)
    RETURN collect(e {.*}) AS examples
  }
  RETURN stats, examples`;

export const PRUNE_READINGS = `
  MATCH (r:Reading) WHERE r.ts < $cutoff WITH r LIMIT 10000 DELETE r RETURN count(*) AS n`;

export const PRUNE_REJECTION_EXAMPLES = `
  MATCH (e:TelemetryRejection)
  WITH e.reason AS reason, e ORDER BY e.receivedAt DESC
  WITH reason, collect(e) AS examples
  UNWIND examples[toInteger($keep)..] AS old
  DELETE old
  RETURN count(*) AS n`;

/**
 * What the demo feed (`npm run demo-feed`, src/cli/demo-feed.ts) publishes for: every asset with
 * its line, factory, status and metrics, in one round trip.
 */
export const READ_DEMO_FEED_ASSETS = `
  MATCH (f:Factory)-[:HAS_LINE]->(l:Line)-[:HAS_ASSET]->(a:Asset)
  OPTIONAL MATCH (a)-[:HAS_METRIC]->(m:Metric)
  WITH f, l, a, m ORDER BY m.name
  RETURN f.id AS factoryId, l.id AS lineId, a.id AS assetId, a.status AS status,
         collect(m {.name, .unit, .min, .max}) AS metrics
  ORDER BY factoryId, lineId, assetId`;

/** The factory each metric's asset stands in (for its time zone and history partition). */
export const READ_METRIC_FACTORIES = `
  MATCH (m:Metric) WHERE m.id IN $ids
  MATCH (m)<-[:HAS_METRIC]-(:Asset)<-[:HAS_ASSET]-(:Line)<-[:HAS_LINE]-(f:Factory)
  RETURN m.id AS id, collect(f {.id, .timezone}) AS items`;

/**
 * The graph's half of `Metric.rollup` (src/telemetry/rollup.resolver.ts): per metric, its readings
 * in [$from, $to) grouped by the bucket key of src/history/buckets.ts, computed here as DuckDB
 * computes it over the files: the UTC start in ms for MINUTE/HOUR (`$size`), the local date in
 * the metric's zone (`m.tz`) for DAY. `last` is the value at the latest ts, found by a fold, not by
 * the order of collect.
 */
export const READ_ROLLUP = `
  UNWIND $metrics AS m
  CALL (m) {
    MATCH (r:Reading) USING INDEX r:Reading(metricId, ts)
    WHERE r.metricId = m.id AND r.ts >= $from AND r.ts < $to
    WITH CASE WHEN m.tz IS NULL
           THEN toString(datetime(r.ts).epochMillis / toInteger($size) * toInteger($size))
           ELSE toString(date(datetime({datetime: datetime(r.ts), timezone: m.tz}))) END AS key,
         r
    WITH key, count(*) AS n, min(r.value) AS mn, max(r.value) AS mx, sum(r.value) AS total,
         collect(r {.ts, .value}) AS rs
    WITH key, n, mn, mx, total,
         reduce(b = head(rs), x IN rs | CASE WHEN x.ts > b.ts THEN x ELSE b END) AS latest
    RETURN collect({key: key, n: n, mn: mn, mx: mx, total: total, lastTs: latest.ts,
                    last: latest.value}) AS items
  }
  RETURN m.key AS id, items`;

/** Every asset's factory now (the export's `factory_id` for the graph's recent readings). */
export const ASSET_FACTORIES = `
  MATCH (f:Factory)-[:HAS_LINE]->(:Line)-[:HAS_ASSET]->(a:Asset)
  WHERE $factoryId IS NULL OR f.id = $factoryId
  RETURN a.id AS assetId, f.id AS factoryId`;

/**
 * One page of the graph's readings in [$from, $to) after the cursor ($afterTs, $afterId), in
 * (ts, id) order along the `reading_ts` index; `$assetIds` null: every asset.
 */
export const EXPORT_READINGS = `
  MATCH (r:Reading)
  WHERE r.ts >= $from AND r.ts < $to
    AND (r.ts > $afterTs OR (r.ts = $afterTs AND r.id > $afterId))
    AND ($assetIds IS NULL OR r.assetId IN $assetIds)
  WITH r ORDER BY r.ts, r.id LIMIT toInteger($page)
  RETURN r {.id, .metricId, .assetId, .metric, .ts, .value, .unit, .flagged, .topic, .receivedAt,
            .originalValue, .originalUnit, .conversion} AS reading`;
