import type { AlertRecord } from './alert.records';

export interface RangeDef {
  id: string;
  name: string;
  unit: string;
  min: number | null;
  max: number | null;
}

/** Outside the valid range by more than a tenth of the range is critical. */
export function outOfRange(def: RangeDef, value: number): AlertRecord['severity'] | null {
  const below = def.min !== null && value < def.min;
  const above = def.max !== null && value > def.max;
  if (!below && !above) return null;
  const span = def.min !== null && def.max !== null ? def.max - def.min : Math.abs(value);
  const excess =
    below && def.min !== null ? def.min - value : def.max !== null ? value - def.max : 0;
  return excess > span * 0.1 ? 'CRITICAL' : 'WARNING';
}

/** The OUT_OF_RANGE alert of one reading, or null when it is within range. */
export function rangeAlert(
  assetId: string,
  def: RangeDef,
  value: number,
  ts: string,
): AlertRecord | null {
  const severity = outOfRange(def, value);
  if (!severity) return null;
  return {
    kind: 'OUT_OF_RANGE',
    severity,
    assetId,
    metricId: def.id,
    message: `${assetId} ${def.name} = ${value} ${def.unit} is outside [${def.min ?? '-∞'}, ${def.max ?? '∞'}]`,
    raisedAt: ts,
    value,
  };
}

/** Alerts of one batch for the same metric and kind become one row that counts them. */
export function perMetric(
  alerts: AlertRecord[],
): (AlertRecord & { count: number; lastAt: string })[] {
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
