import type { AlertSubjectLabel } from '../domain/alerts';
import type { AlertSeverity } from '../domain/enums';

/**
 * The event-management model (docs/alerts.md): rules are data, each evaluation of a rule yields
 * observations, and the alert store turns observations into alerts with a lifecycle.
 */

export const ALERT_RULE_KINDS = [
  /** A reading outside the metric's [min, max] (or the rule's own thresholds), with hysteresis. */
  'OUT_OF_RANGE',
  /** An asset's status is DOWN. */
  'ASSET_DOWN',
  /** A metric has reported nothing for longer than the rule's expected interval. */
  'MISSING_DATA',
  /** A shipment is DELAYED, or past its eta and not delivered. */
  'SHIPMENT_LATE',
  /**
   * A late shipment leaves a component fewer days of cover than its safety stock needs
   * (the impact analysis's days of cover against safetyStock / dailyConsumption).
   */
  'COVER_BELOW_SAFETY',
] as const;
export type AlertRuleKind = (typeof ALERT_RULE_KINDS)[number];

/** Rule kinds evaluated as telemetry arrives (in the telemetry batch's transaction). */
export const STREAM_RULE_KINDS = ['OUT_OF_RANGE', 'ASSET_DOWN'] as const;
/** Rule kinds evaluated by the periodic sweep (ALERT_SWEEP_S), on one instance at a time. */
export const SWEEP_RULE_KINDS = [
  'ASSET_DOWN',
  'MISSING_DATA',
  'SHIPMENT_LATE',
  'COVER_BELOW_SAFETY',
] as const;

/** An alert rule as stored (`(:AlertRule)`), every optional setting null when unset. */
export interface AlertRuleDef {
  id: string;
  name: string;
  kind: AlertRuleKind;
  severity: AlertSeverity;
  enabled: boolean;
  /** Scope: the rule applies only inside these twins (null: everywhere). */
  factoryId: string | null;
  lineId: string | null;
  assetId: string | null;
  /** OUT_OF_RANGE and MISSING_DATA: only metrics of this name (null: every metric). */
  metric: string | null;
  /** OUT_OF_RANGE: the rule's own thresholds (null: the metric's min and max). */
  min: number | null;
  max: number | null;
  /**
   * OUT_OF_RANGE: a value must come back inside the range by this much (in the metric's unit)
   * before it counts as clear, so a value hovering at the limit does not flap.
   */
  hysteresis: number;
  /** MISSING_DATA: a metric silent for longer than this (seconds) is missing. */
  expectedIntervalS: number | null;
  /**
   * How long the condition must stay clear before the alert resolves by itself (seconds, in
   * reading time for stream rules, in sweep time for the others). 0: at the first clear.
   */
  clearDelayS: number;
  /** Where raised, acknowledged and resolved alerts of this rule are POSTed (null: nowhere). */
  webhookUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export { ALERT_SUBJECT_LABELS, type AlertSubjectLabel } from '../domain/alerts';

/**
 * One evaluation of one rule for one subject at one time: what rule evaluators produce and the
 * alert store applies. An open alert is unique per (ruleId, subjectId).
 */
export interface Observation {
  ruleId: string;
  /**
   * What the open alert is unique for: a metric id for OUT_OF_RANGE and MISSING_DATA, an asset
   * id for ASSET_DOWN, a shipment id for SHIPMENT_LATE, `factoryId|componentId` for
   * COVER_BELOW_SAFETY.
   */
  subjectId: string;
  /** The twin the alert is ABOUT (an asset for metric rules). */
  about: { label: AlertSubjectLabel; id: string };
  /**
   * bad: the condition holds; clear: it does not (counts toward the clear delay);
   * hold: inside the hysteresis band (neither raises nor counts toward clearing).
   */
  condition: 'bad' | 'clear' | 'hold';
  /** ISO time of the observation: the reading's or state message's ts, or the sweep's time. */
  at: string;
  /** What the alert says (used when it is raised, and kept up to date while it is bad). */
  message: string;
  /** The value that was seen (a reading, days of cover, seconds silent), when there is one. */
  value: number | null;
  /** Where the subject stands, for filters and routing (null when it has none). */
  factoryId: string | null;
  lineId: string | null;
  assetId: string | null;
  metricId: string | null;
}

export type { AlertEventKind, AlertNotice, AlertState } from '../domain/alerts';
export { ALERT_STATES } from '../domain/alerts';
