import type { Graph, Tx } from '../graph/executor';
import { asProps, type Props } from '../graph/props';
import { READ_HISTORY } from './telemetry.cypher';
import type { AlertRecord, RejectionRecord, WriteBatch } from './records';

/** A raised alert as stored: what the live `alertRaised` event carries. */
export interface StoredAlert {
  id: string;
  kind: string;
  severity: string;
  message: string;
  raisedAt: string;
  assetId: string;
  metricId: string;
}

/*
 * One transaction per batch. Readings are MERGEd by id, so a redelivered message writes nothing
 * new; a metric's latest value only moves forward in time, so late or redelivered readings never
 * overwrite a newer one. The same guard holds for asset status.
 */
const WRITE_READINGS = `
  UNWIND $rows AS r
  MERGE (x:Reading {id: r.id})
  ON CREATE SET x += r
  WITH r
  MATCH (m:Metric {id: r.metricId})
  WHERE m.ts IS NULL OR m.ts <= r.ts
  SET m.value = r.value, m.ts = r.ts, m.flagged = r.flagged`;

const WRITE_STATES = `
  UNWIND $rows AS s
  MATCH (a:Asset {id: s.assetId})
  WHERE a.statusTs IS NULL OR a.statusTs <= s.ts
  SET a.status = s.status, a.statusTs = s.ts, a.statusReason = s.reason`;

const WRITE_REJECTION_STATS = `
  UNWIND $rows AS j
  MERGE (s:TelemetryRejectionStat {reason: j.reason})
  ON CREATE SET s.count = 0
  SET s.count = s.count + j.count, s.lastAt = j.lastAt`;

const WRITE_REJECTION_EXAMPLES = `
  UNWIND $rows AS j
  CREATE (e:TelemetryRejection)
  SET e = j`;

/* An alert stays open (one per metric and kind) until acknowledged; repeats count on it. */
const WRITE_ALERTS = `
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

function rejectionStats(
  rows: RejectionRecord[],
): { reason: string; count: number; lastAt: string }[] {
  const byReason = new Map<string, { reason: string; count: number; lastAt: string }>();
  for (const r of rows) {
    const s = byReason.get(r.reason) ?? { reason: r.reason, count: 0, lastAt: r.receivedAt };
    s.count += 1;
    if (r.receivedAt > s.lastAt) s.lastAt = r.receivedAt;
    byReason.set(r.reason, s);
  }
  return [...byReason.values()];
}

/** Alerts of one batch for the same metric and kind become one row that counts them. */
function perMetric(alerts: AlertRecord[]): (AlertRecord & { count: number; lastAt: string })[] {
  const byKey = new Map<string, AlertRecord & { count: number; lastAt: string }>();
  for (const a of alerts) {
    const key = `${a.metricId}|${a.kind}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { ...a, count: 1, lastAt: a.raisedAt });
    else {
      seen.count += 1;
      if (a.raisedAt >= seen.lastAt) {
        seen.lastAt = a.raisedAt;
        seen.value = a.value;
      }
      if (a.severity === 'CRITICAL') seen.severity = 'CRITICAL';
    }
  }
  return [...byKey.values()];
}

async function writeInTx(tx: Tx, batch: WriteBatch): Promise<StoredAlert[]> {
  if (batch.readings.length > 0) await tx.run(WRITE_READINGS, { rows: batch.readings });
  if (batch.states.length > 0) await tx.run(WRITE_STATES, { rows: batch.states });
  if (batch.rejections.length > 0) {
    await tx.run(WRITE_REJECTION_STATS, { rows: rejectionStats(batch.rejections) });
    await tx.run(WRITE_REJECTION_EXAMPLES, { rows: batch.rejections.slice(-200) });
  }
  if (batch.alerts.length === 0) return [];
  const rows = await tx.run(WRITE_ALERTS, { rows: perMetric(batch.alerts) });
  return rows.map((r) => {
    const c: unknown = r['created'];
    const p = typeof c === 'object' && c !== null ? Object.fromEntries(Object.entries(c)) : {};
    return {
      id: String(p['id']),
      kind: String(p['kind']),
      severity: String(p['severity']),
      message: String(p['message']),
      raisedAt: String(p['raisedAt']),
      assetId: String(p['assetId']),
      metricId: String(p['metricId']),
    };
  });
}

export function writeBatch(graph: Graph, batch: WriteBatch): Promise<StoredAlert[]> {
  return graph.transaction('WRITE', (tx) => writeInTx(tx, batch));
}

/**
 * Retention: readings older than `retentionMs` go, and each rejection reason keeps its newest
 * `examplesPerReason` examples. Deletes in bounded chunks so a large backlog never needs one
 * huge transaction.
 */
export async function pruneTelemetry(
  graph: Graph,
  retentionMs: number,
  examplesPerReason: number,
  now = Date.now(),
): Promise<{ readings: number; examples: number }> {
  const cutoff = new Date(now - retentionMs).toISOString();
  let readings = 0;
  for (;;) {
    const rows = await graph.write(
      `MATCH (r:Reading) WHERE r.ts < $cutoff WITH r LIMIT 10000 DELETE r RETURN count(*) AS n`,
      { cutoff },
    );
    const n = Number(rows[0]?.['n'] ?? 0);
    readings += n;
    if (n < 10000) break;
  }
  const rows = await graph.write(
    `MATCH (e:TelemetryRejection)
     WITH e.reason AS reason, e ORDER BY e.receivedAt DESC
     WITH reason, collect(e) AS examples
     UNWIND examples[toInteger($keep)..] AS old
     DELETE old
     RETURN count(*) AS n`,
    { keep: examplesPerReason },
  );
  return { readings, examples: Number(rows[0]?.['n'] ?? 0) };
}

/** Recent readings of each metric in `ids`, newest first: one list per id, in id order. */
export async function readHistory(
  graph: Graph,
  ids: string[],
  from: string | null,
  to: string | null,
  limit: number,
): Promise<Props[][]> {
  const rows = await graph.read(READ_HISTORY, { ids, from, to, limit });
  const byId = new Map<string, Props[]>();
  for (const row of rows) {
    const items: unknown = row['items'];
    byId.set(
      String(row['id']),
      (Array.isArray(items) ? items : []).map((i: unknown) => asProps(i)),
    );
  }
  return ids.map((id) => byId.get(id) ?? []);
}
