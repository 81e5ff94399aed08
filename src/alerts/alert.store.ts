import { asAlertSeverity } from '../domain/enums.graphql';
import type { Tx } from '../graph/executor';
import { asProps } from '../graph/props';
import type { AlertRecord, StoredAlert } from './alert.records';
import { WRITE_ALERTS } from './alerts.cypher';
import { perMetric } from './out-of-range';

/** Stores the alerts of one telemetry batch in its transaction; returns those newly raised. */
export async function writeAlerts(tx: Tx, alerts: AlertRecord[]): Promise<StoredAlert[]> {
  if (alerts.length === 0) return [];
  const rows = await tx.run(WRITE_ALERTS, { rows: perMetric(alerts) });
  return rows.map((r) => {
    const p = asProps(r['created']);
    return {
      id: String(p['id']),
      kind: String(p['kind']),
      severity: asAlertSeverity(p['severity']),
      message: String(p['message']),
      raisedAt: String(p['raisedAt']),
      assetId: String(p['assetId']),
      metricId: String(p['metricId']),
    };
  });
}
