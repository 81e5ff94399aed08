import type { AlertSeverity } from '../domain/enums';

/** An alert condition seen in one reading: what telemetry hands to the alert store. */
export interface AlertRecord {
  /** Open alerts are unique per (metric, kind): a repeat raises the count of the open one. */
  kind: 'OUT_OF_RANGE';
  severity: Exclude<AlertSeverity, 'INFO'>;
  assetId: string;
  metricId: string;
  message: string;
  raisedAt: string;
  value: number;
}

/** A newly raised alert as stored: what the live `alertRaised` event carries. */
export interface StoredAlert {
  id: string;
  kind: string;
  severity: AlertSeverity;
  message: string;
  raisedAt: string;
  assetId: string;
  metricId: string;
}

/** A raised alert with its place in the plant, routed to `alertRaised` subscribers. */
export interface LiveAlertEvent extends StoredAlert {
  factoryId: string;
  lineId: string;
}
