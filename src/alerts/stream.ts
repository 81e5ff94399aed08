import type { AlertRuleDef, Observation } from './model';
import { inScope } from './rules';

/** A metric of an asset, where it stands and its valid range: what a reading is checked against. */
export interface MetricPlace {
  factoryId: string;
  lineId: string;
  assetId: string;
  metricId: string;
  metric: string;
  unit: string;
  min: number | null;
  max: number | null;
}

/** Outside the metric's own valid range (the reading is stored flagged, whatever the rules). */
export function outsideRange(
  range: { min: number | null; max: number | null },
  value: number,
): boolean {
  return (range.min !== null && value < range.min) || (range.max !== null && value > range.max);
}

const fmt = (v: number | null, missing: string): string => (v === null ? missing : String(v));

/**
 * The OUT_OF_RANGE observations of one reading (value in the metric's canonical unit): bad
 * outside [lo, hi] (the rule's thresholds, else the metric's range), clear once back inside by
 * the rule's hysteresis, hold in between.
 */
export function readingObservations(
  rules: readonly AlertRuleDef[],
  place: MetricPlace,
  value: number,
  ts: string,
): Observation[] {
  const out: Observation[] = [];
  for (const rule of rules) {
    if (rule.kind !== 'OUT_OF_RANGE' || !rule.enabled) continue;
    if (rule.metric !== null && rule.metric !== place.metric) continue;
    if (!inScope(rule, place)) continue;
    const lo = rule.min ?? place.min;
    const hi = rule.max ?? place.max;
    if (lo === null && hi === null) continue;
    const h = rule.hysteresis;
    const bad = (lo !== null && value < lo) || (hi !== null && value > hi);
    const clear = (lo === null || value >= lo + h) && (hi === null || value <= hi - h);
    out.push({
      ruleId: rule.id,
      subjectId: place.metricId,
      about: { label: 'Asset', id: place.assetId },
      condition: bad ? 'bad' : clear ? 'clear' : 'hold',
      at: ts,
      message: `${place.assetId} ${place.metric} = ${value} ${place.unit} is outside [${fmt(lo, '-∞')}, ${fmt(hi, '∞')}]`,
      value,
      factoryId: place.factoryId,
      lineId: place.lineId,
      assetId: place.assetId,
      metricId: place.metricId,
    });
  }
  return out;
}

/** The ASSET_DOWN observations of one state message (or status change): bad while DOWN. */
export function stateObservations(
  rules: readonly AlertRuleDef[],
  place: { factoryId: string; lineId: string; assetId: string },
  status: string,
  reason: string | null,
  ts: string,
): Observation[] {
  const out: Observation[] = [];
  for (const rule of rules) {
    if (rule.kind !== 'ASSET_DOWN' || !rule.enabled || !inScope(rule, place)) continue;
    out.push({
      ruleId: rule.id,
      subjectId: place.assetId,
      about: { label: 'Asset', id: place.assetId },
      condition: status === 'DOWN' ? 'bad' : 'clear',
      at: ts,
      message: `${place.assetId} on line ${place.lineId} is DOWN` + (reason ? ` (${reason})` : ''),
      value: null,
      factoryId: place.factoryId,
      lineId: place.lineId,
      assetId: place.assetId,
      metricId: null,
    });
  }
  return out;
}
