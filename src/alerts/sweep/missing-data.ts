import type { Graph } from '../../graph/executor';
import { asPropsList, optStr, str, type Props } from '../../graph/props';
import type { AlertRuleDef, Observation } from '../model';
import {
  label,
  observation,
  perRule,
  readOpen,
  timeParams,
  withClears,
  type OpenSubject,
} from './common';
import { MISSING_DATA_SWEEP } from './sweep.cypher';
import { duration, iso, readTimeMs } from './time';

/**
 * MISSING_DATA: a metric in a rule's scope (and of the rule's metric name, if it names one) whose
 * latest reading (`Metric.ts`) is more than `expectedIntervalS` old is bad, with the seconds of
 * silence as its value; a metric that never reported is bad once the rule itself is more than
 * `expectedIntervalS` old (the silence is counted from the rule's `createdAt`). An open alert whose
 * metric reported since gets a clear. One round trip.
 *
 * A rule without a positive `expectedIntervalS` (or whose `createdAt` does not parse, for the
 * metrics that never reported) cannot be evaluated and is skipped; rule validation refuses it.
 */
export async function evaluateMissingData(
  graph: Graph,
  rules: readonly AlertRuleDef[],
  nowMs: number,
): Promise<Observation[]> {
  const params = missingDataParams(rules, nowMs);
  if (params === null) return [];
  const [row] = await graph.read(MISSING_DATA_SWEEP, params);
  return missingDataObservations(
    rules,
    perRule(asPropsList(row?.['silent'])),
    asPropsList(row?.['open']).map(readOpen),
    nowMs,
  );
}

/** A rule's expected interval in ms, or null when it has none usable. */
function intervalMs(rule: AlertRuleDef): number | null {
  const s = rule.expectedIntervalS;
  return s !== null && Number.isFinite(s) && s > 0 ? s * 1000 : null;
}

/** The statement's parameters, or null when no rule can be evaluated (pure). */
export function missingDataParams(
  rules: readonly AlertRuleDef[],
  nowMs: number,
): Record<string, unknown> | null {
  const params = rules.flatMap((rule) => {
    const interval = intervalMs(rule);
    if (interval === null) return [];
    const cutoffMs = nowMs - interval;
    const createdMs = readTimeMs(rule.createdAt);
    return [
      {
        id: rule.id,
        factoryId: rule.factoryId,
        lineId: rule.lineId,
        assetId: rule.assetId,
        metric: rule.metric,
        cutoffMs,
        cutoffIso: iso(cutoffMs),
        createdLongAgo: createdMs !== null && createdMs < cutoffMs,
      },
    ];
  });
  if (params.length === 0) return null;
  const widestMs = Math.max(...params.map((p) => p.cutoffMs));
  return {
    ...timeParams(nowMs),
    rules: params,
    widestMs,
    widestIso: iso(widestMs),
    anyCreatedLongAgo: params.some((p) => p.createdLongAgo),
  };
}

/** The observations of the statement's rows (pure): the statement pre-filters, this decides. */
export function missingDataObservations(
  rules: readonly AlertRuleDef[],
  silent: readonly Props[],
  open: readonly OpenSubject[],
  nowMs: number,
): Observation[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const now = iso(nowMs);
  const bad = silent.flatMap((m) => {
    const rule = byId.get(str(m, 'ruleId'));
    const interval = rule ? intervalMs(rule) : null;
    if (!rule || interval === null) return [];
    const metricId = str(m, 'metricId');
    const assetId = str(m, 'assetId');
    const what = `${optStr(m, 'metricName') ?? metricId} of asset ${label(m, 'assetName', assetId)}`;
    const expected = `expected every ${duration(interval / 1000)}`;
    const lastMs = readTimeMs(m['ts']);
    let silentMs: number;
    let message: string;
    if (lastMs !== null) {
      silentMs = nowMs - lastMs;
      if (!(silentMs > interval)) return [];
      message = `${what} has sent nothing for ${duration(silentMs / 1000)} (last reading at ${iso(lastMs)}; ${expected})`;
    } else {
      const createdMs = readTimeMs(rule.createdAt);
      if (createdMs === null) return [];
      silentMs = nowMs - createdMs;
      if (!(silentMs > interval)) return [];
      message = `${what} has sent no reading since the rule was created at ${iso(createdMs)} (${duration(silentMs / 1000)} ago; ${expected})`;
    }
    return [
      observation({
        ruleId: rule.id,
        subjectId: metricId,
        about: { label: 'Asset', id: assetId },
        condition: 'bad',
        at: now,
        message,
        value: silentMs / 1000,
        factoryId: optStr(m, 'factoryId'),
        lineId: optStr(m, 'lineId'),
        assetId,
        metricId,
      }),
    ];
  });
  return withClears(bad, open, (s) => {
    const assetId = optStr(s.row, 'assetId');
    const what = `${optStr(s.row, 'metricName') ?? s.subjectId}${
      assetId === null ? '' : ` of asset ${label(s.row, 'assetName', assetId)}`
    }`;
    const lastMs = readTimeMs(s.row['ts']);
    const message =
      s.row['exists'] !== true
        ? `Metric ${s.subjectId} no longer exists`
        : lastMs !== null
          ? `${what} reported at ${iso(lastMs)}`
          : `${what} is no longer in the rule's scope`;
    return observation({
      ruleId: s.ruleId,
      subjectId: s.subjectId,
      // a metric that is gone, of an alert that recorded no asset: its id stands in
      about: { label: 'Asset', id: assetId ?? s.subjectId },
      condition: 'clear',
      at: now,
      message,
      factoryId: optStr(s.row, 'factoryId'),
      lineId: optStr(s.row, 'lineId'),
      assetId,
      metricId: s.subjectId,
    });
  });
}
