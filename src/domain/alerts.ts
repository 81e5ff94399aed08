import type { AlertSeverity } from './enums';

/**
 * What an alert's lifecycle tells the rest of the deployment (docs/alerts.md): the alert
 * capability produces these, telemetry routes them (every instance's `alertRaised` subscribers,
 * MQTT `<prefix>/_alerts/{factoryId}/{severity}`), so the shape lives here where both can see it.
 */

export const ALERT_STATES = ['RAISED', 'ACKNOWLEDGED', 'RESOLVED'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Labels an alert may be ABOUT. */
export const ALERT_SUBJECT_LABELS = ['Asset', 'Shipment', 'Factory'] as const;
export type AlertSubjectLabel = (typeof ALERT_SUBJECT_LABELS)[number];

/** A lifecycle step of an alert, as routed to subscribers, MQTT and webhooks. */
export type AlertEventKind = 'RAISED' | 'ACKNOWLEDGED' | 'RESOLVED';

/** An alert as routed: the stored alert's fields at the moment of the event. */
export interface AlertNotice {
  event: AlertEventKind;
  id: string;
  ruleId: string | null;
  kind: string;
  severity: AlertSeverity;
  state: AlertState;
  message: string;
  raisedAt: string;
  lastSeenAt: string;
  count: number;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  about: { label: AlertSubjectLabel; id: string };
  factoryId: string | null;
  lineId: string | null;
  assetId: string | null;
  metricId: string | null;
}
