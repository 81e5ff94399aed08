import { randomUUID } from 'node:crypto';
import type { AlertEventKind, AlertNotice, AlertSubjectLabel } from '../domain/alerts';
import { ALERT_STATES, ALERT_SUBJECT_LABELS } from '../domain/alerts';
import { ALERT_SEVERITIES } from '../domain/enums';
import type { Row, Tx } from '../graph/executor';
import { asPropsList, num, optNum, optStr, type Props } from '../graph/props';
import { createAlertsAbout, READ_RULES_AND_OPEN, UPDATE_ALERTS } from './alerts.cypher';
import { type AlertRow, applyObservations, byOpenKey, openKey } from './lifecycle';
import type { AlertRuleDef, Observation } from './model';
import { routeNotices } from './routing';
import { ruleFromProps } from './rules';

const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T =>
  typeof v === 'string' && (list as readonly string[]).includes(v);

/** A stored alert (an `(:Alert)` node's properties). */
export function alertRowFromProps(p: Props): AlertRow {
  const severity = p['severity'];
  const state = p['state'];
  const label = p['aboutLabel'];
  const raisedAt = String(p['raisedAt'] ?? '');
  return {
    id: String(p['id']),
    ruleId: optStr(p, 'ruleId') ?? '',
    kind: optStr(p, 'kind') ?? 'OUT_OF_RANGE',
    severity: isOneOf(ALERT_SEVERITIES, severity) ? severity : 'WARNING',
    state: isOneOf(ALERT_STATES, state) ? state : 'RAISED',
    message: optStr(p, 'message') ?? '',
    subjectId: optStr(p, 'subjectId') ?? optStr(p, 'metricId') ?? '',
    aboutLabel: isOneOf(ALERT_SUBJECT_LABELS, label) ? label : 'Asset',
    aboutId: optStr(p, 'aboutId') ?? optStr(p, 'assetId') ?? '',
    factoryId: optStr(p, 'factoryId'),
    lineId: optStr(p, 'lineId'),
    assetId: optStr(p, 'assetId'),
    metricId: optStr(p, 'metricId'),
    raisedAt,
    lastSeenAt: optStr(p, 'lastSeenAt') ?? raisedAt,
    lastEvalAt: optStr(p, 'lastEvalAt') ?? raisedAt,
    count: num(p, 'count', 1),
    lastBad: p['lastBad'] !== false,
    clearSince: optStr(p, 'clearSince'),
    lastValue: optNum(p, 'lastValue'),
    acknowledgedAt: optStr(p, 'acknowledgedAt'),
    acknowledgedBy: optStr(p, 'acknowledgedBy'),
    resolvedAt: optStr(p, 'resolvedAt'),
    resolvedBy: optStr(p, 'resolvedBy'),
  };
}

/** The node's properties; `openKey` only while open (null removes it). */
function rowProps(row: AlertRow): Props {
  return {
    ...row,
    openKey: row.state === 'RESOLVED' ? null : openKey(row.ruleId, row.subjectId),
  };
}

export function noticeOf(row: AlertRow, event: AlertEventKind): AlertNotice {
  return {
    event,
    id: row.id,
    ruleId: row.ruleId === '' ? null : row.ruleId,
    kind: row.kind,
    severity: row.severity,
    state: row.state,
    message: row.message,
    raisedAt: row.raisedAt,
    lastSeenAt: row.lastSeenAt,
    count: row.count,
    acknowledgedAt: row.acknowledgedAt,
    acknowledgedBy: row.acknowledgedBy,
    resolvedAt: row.resolvedAt,
    resolvedBy: row.resolvedBy,
    about: { label: row.aboutLabel, id: row.aboutId },
    factoryId: row.factoryId,
    lineId: row.lineId,
    assetId: row.assetId,
    metricId: row.metricId,
  };
}

/** The row with the place its creation found, where it had none. */
function withPlace(
  row: AlertRow,
  place: Pick<AlertRow, 'factoryId' | 'lineId'> | undefined,
): AlertRow {
  if (!place || row.factoryId !== null) return row;
  return { ...row, factoryId: place.factoryId, lineId: row.lineId ?? place.lineId };
}

/** Lifecycle events of one transaction, with the rule each came from (for its webhook). */
export interface AppliedEvents {
  notices: AlertNotice[];
  rules: Map<string, AlertRuleDef>;
}

/** What applyInTx reads first: the observations' rules and the open alerts they touch. */
export type AlertsRead = Promise<Row[]>;

/**
 * Sends applyInTx's read now, so that a caller can pipeline it with its own statements (the
 * telemetry writer sends it with the batch's writes: one round trip for all of them).
 */
export function readForObservations(tx: Tx, observations: readonly Observation[]): AlertsRead {
  if (observations.length === 0) return Promise.resolve([]);
  const keys = [...byOpenKey(observations).keys()];
  const ruleIds = [...new Set(observations.map((o) => o.ruleId))];
  return tx.run(READ_RULES_AND_OPEN, { ruleIds, keys });
}

/**
 * Applies observations (of a telemetry batch, or of a sweep) inside the caller's transaction:
 * reads the open alerts they concern and their rules (or takes the read the caller sent already,
 * readForObservations), runs the lifecycle, writes new and changed alerts. Four round trips at
 * most, plus one per label of new alerts. Observations of a rule that no longer exists or is
 * disabled are dropped. Returns what was raised and resolved.
 */
export async function applyInTx(
  tx: Tx,
  observations: readonly Observation[],
  sent: AlertsRead = readForObservations(tx, observations),
): Promise<AppliedEvents> {
  const rules = new Map<string, AlertRuleDef>();
  const read = (await sent)[0];
  if (observations.length === 0) return { notices: [], rules };
  const groups = byOpenKey(observations);
  for (const p of asPropsList(read?.['rules'])) {
    const rule = ruleFromProps(p);
    if (rule.enabled) rules.set(rule.id, rule);
  }
  const keys = [...groups.keys()].filter((k) => rules.has(k.slice(0, k.indexOf('|'))));
  const open = new Map<string, AlertRow>();
  for (const p of asPropsList(read?.['open'])) {
    const row = alertRowFromProps(p);
    open.set(openKey(row.ruleId, row.subjectId), row);
  }

  const created = new Map<AlertSubjectLabel, AlertRow[]>();
  const updated: AlertRow[] = [];
  const events: { event: AlertEventKind; row: AlertRow }[] = [];
  for (const key of keys) {
    const group = groups.get(key) ?? [];
    const rule = rules.get(group[0]?.ruleId ?? '');
    if (!rule) continue;
    const result = applyObservations(open.get(key) ?? null, group, rule, randomUUID);
    for (const { row, created: isNew } of result.alerts) {
      if (!isNew) updated.push(row);
      else created.set(row.aboutLabel, [...(created.get(row.aboutLabel) ?? []), row]);
    }
    events.push(...result.events);
  }

  const written = new Set<string>(updated.map((r) => r.id));
  // where each new alert stands as written: an observation that did not know its asset's place
  // learns it there, and its notice carries it (a factory scope's alertRaised, the MQTT topic)
  const places = new Map<string, Pick<AlertRow, 'factoryId' | 'lineId'>>();
  for (const [label, rows] of created) {
    const out = await tx.run(createAlertsAbout(label), {
      rows: rows.map((row) => ({ aboutId: row.aboutId, props: rowProps(row) })),
    });
    for (const r of out) {
      const id = String(r['id']);
      written.add(id);
      places.set(id, { factoryId: optStr(r, 'factoryId'), lineId: optStr(r, 'lineId') });
    }
  }
  if (updated.length > 0) {
    await tx.run(UPDATE_ALERTS, {
      rows: updated.map((row) => ({ id: row.id, props: rowProps(row) })),
    });
  }
  // an alert whose twin vanished meanwhile was not created: nothing to tell
  const notices = events
    .filter((e) => written.has(e.row.id))
    .map((e) => noticeOf(withPlace(e.row, places.get(e.row.id)), e.event));
  await routeNotices(tx, notices, rules, new Date().toISOString());
  return { notices, rules };
}
