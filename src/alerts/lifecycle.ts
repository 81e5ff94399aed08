import type { AlertEventKind, AlertState, AlertSubjectLabel } from '../domain/alerts';
import type { AlertSeverity } from '../domain/enums';
import type { AlertRuleDef, Observation } from './model';

/**
 * The alert lifecycle as a pure function (docs/alerts.md, "Lifecycle"): the open alert of one
 * rule and subject, and the observations of one batch, give the alerts to write and the events to
 * route. The store reads the open alerts and writes the result in one transaction.
 *
 * - bad, no open alert: a new alert is RAISED (count 1).
 * - bad while open: lastSeenAt moves on; coming back from clear counts a repeat (count + 1), so a
 *   sensor flapping in and out of range is one alert whose count says how often it came back.
 * - hold (inside the hysteresis band): neither bad nor clear; stops a clear delay running.
 * - clear while open: starts the clear delay (clearSince); once the condition has stayed clear
 *   for the rule's clearDelayS (in observation time), the alert is RESOLVED.
 * - an observation older than the last one applied to the open alert is ignored (a late reading
 *   does not rewind the alert).
 */

/** An alert as stored (the `(:Alert)` node's properties that the lifecycle reads and writes). */
export interface AlertRow {
  id: string;
  ruleId: string;
  kind: string;
  severity: AlertSeverity;
  state: AlertState;
  message: string;
  subjectId: string;
  aboutLabel: AlertSubjectLabel;
  aboutId: string;
  factoryId: string | null;
  lineId: string | null;
  assetId: string | null;
  metricId: string | null;
  raisedAt: string;
  lastSeenAt: string;
  /** Time of the last observation applied (reading time); older ones are ignored. */
  lastEvalAt: string;
  count: number;
  /** Whether the last observation that was not `hold` was bad (a later bad is then no repeat). */
  lastBad: boolean;
  /** When the condition became clear (and has stayed clear since); null while bad or held. */
  clearSince: string | null;
  lastValue: number | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export type RuleSettings = Pick<AlertRuleDef, 'id' | 'kind' | 'severity' | 'clearDelayS'>;

export interface LifecycleResult {
  /** Every alert touched, in its final state; `created` ones are new nodes. */
  alerts: { row: AlertRow; created: boolean }[];
  /**
   * What happened, in order: RAISED for each new alert, RESOLVED for each resolved one, each
   * with the alert as it stood at that moment.
   */
  events: { event: AlertEventKind; row: AlertRow }[];
}

export const openKey = (ruleId: string, subjectId: string): string => `${ruleId}|${subjectId}`;

/**
 * Applies the observations of one rule and subject (any order; sorted here by time) to its open
 * alert. `newId` names a new alert.
 */
export function applyObservations(
  open: AlertRow | null,
  observations: readonly Observation[],
  rule: RuleSettings,
  newId: () => string,
): LifecycleResult {
  const sorted = [...observations].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const touched: { row: AlertRow; created: boolean }[] = [];
  const events: LifecycleResult['events'] = [];
  let current: AlertRow | null = open ? { ...open } : null;
  if (current) touched.push({ row: current, created: false });
  const clearDelayMs = rule.clearDelayS * 1000;

  for (const obs of sorted) {
    if (current && obs.at < current.lastEvalAt) continue;
    if (!current) {
      if (obs.condition !== 'bad') continue;
      current = raise(obs, rule, newId());
      touched.push({ row: current, created: true });
      events.push({ event: 'RAISED', row: { ...current } });
      continue;
    }
    current.lastEvalAt = obs.at;
    if (obs.condition === 'bad') {
      if (!current.lastBad) current.count += 1;
      current.lastBad = true;
      current.clearSince = null;
      current.lastSeenAt = obs.at;
      current.message = obs.message;
      current.lastValue = obs.value;
      current.severity = rule.severity;
    } else if (obs.condition === 'hold') {
      current.clearSince = null;
    } else {
      current.lastBad = false;
      current.clearSince ??= obs.at;
      if (Date.parse(obs.at) - Date.parse(current.clearSince) >= clearDelayMs) {
        current.state = 'RESOLVED';
        current.resolvedAt = obs.at;
        current.resolvedBy = `twin-graph (clear for ${rule.clearDelayS} s)`;
        events.push({ event: 'RESOLVED', row: { ...current } });
        current = null;
      }
    }
  }
  return { alerts: touched, events };
}

function raise(obs: Observation, rule: RuleSettings, id: string): AlertRow {
  return {
    id,
    ruleId: rule.id,
    kind: rule.kind,
    severity: rule.severity,
    state: 'RAISED',
    message: obs.message,
    subjectId: obs.subjectId,
    aboutLabel: obs.about.label,
    aboutId: obs.about.id,
    factoryId: obs.factoryId,
    lineId: obs.lineId,
    assetId: obs.assetId,
    metricId: obs.metricId,
    raisedAt: obs.at,
    lastSeenAt: obs.at,
    lastEvalAt: obs.at,
    count: 1,
    lastBad: true,
    clearSince: null,
    lastValue: obs.value,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
  };
}

/** Observations grouped by the open alert they concern (rule and subject), in first-seen order. */
export function byOpenKey(observations: readonly Observation[]): Map<string, Observation[]> {
  const groups = new Map<string, Observation[]>();
  for (const o of observations) {
    const key = openKey(o.ruleId, o.subjectId);
    const list = groups.get(key);
    if (list) list.push(o);
    else groups.set(key, [o]);
  }
  return groups;
}
