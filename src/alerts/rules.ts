import { ALERT_SEVERITIES, type AlertSeverity } from '../domain/enums';
import type { Problem } from '../errors';
import { num, optNum, optStr, type Props } from '../graph/props';
import { ALERT_RULE_KINDS, type AlertRuleDef, type AlertRuleKind } from './model';

/** Rule settings as a client gives them (create: all that matter; update: only what changes). */
export interface RuleInput {
  name?: string | null;
  kind?: AlertRuleKind | null;
  severity?: AlertSeverity | null;
  enabled?: boolean | null;
  factoryId?: string | null;
  lineId?: string | null;
  assetId?: string | null;
  metric?: string | null;
  min?: number | null;
  max?: number | null;
  hysteresis?: number | null;
  expectedIntervalS?: number | null;
  clearDelayS?: number | null;
  webhookUrl?: string | null;
}

/** The settings a rule may change, as stored (every unset one null). */
export type RuleFields = Omit<AlertRuleDef, 'id' | 'createdAt' | 'updatedAt'>;

const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T =>
  typeof v === 'string' && (list as readonly string[]).includes(v);

/** A stored rule; a property of the wrong type reads as unset (validation keeps them right). */
export function ruleFromProps(p: Props): AlertRuleDef {
  const kind = p['kind'];
  const severity = p['severity'];
  return {
    id: String(p['id']),
    name: optStr(p, 'name') ?? String(p['id']),
    kind: isOneOf(ALERT_RULE_KINDS, kind) ? kind : 'OUT_OF_RANGE',
    severity: isOneOf(ALERT_SEVERITIES, severity) ? severity : 'WARNING',
    enabled: p['enabled'] !== false,
    factoryId: optStr(p, 'factoryId'),
    lineId: optStr(p, 'lineId'),
    assetId: optStr(p, 'assetId'),
    metric: optStr(p, 'metric'),
    min: optNum(p, 'min'),
    max: optNum(p, 'max'),
    hysteresis: num(p, 'hysteresis', 0),
    expectedIntervalS: optNum(p, 'expectedIntervalS'),
    clearDelayS: num(p, 'clearDelayS', 0),
    webhookUrl: optStr(p, 'webhookUrl'),
    createdAt: optStr(p, 'createdAt') ?? '',
    updatedAt: optStr(p, 'updatedAt') ?? '',
  };
}

/** Which scope and settings each kind takes (anything else set is refused, not ignored). */
const KIND_TAKES: Record<AlertRuleKind, { scope: readonly string[]; settings: readonly string[] }> =
  {
    OUT_OF_RANGE: {
      scope: ['factoryId', 'lineId', 'assetId', 'metric'],
      settings: ['min', 'max', 'hysteresis'],
    },
    ASSET_DOWN: { scope: ['factoryId', 'lineId', 'assetId'], settings: [] },
    MISSING_DATA: {
      scope: ['factoryId', 'lineId', 'assetId', 'metric'],
      settings: ['expectedIntervalS'],
    },
    SHIPMENT_LATE: { scope: ['factoryId'], settings: [] },
    COVER_BELOW_SAFETY: { scope: ['factoryId'], settings: [] },
  };

export const MAX_CLEAR_DELAY_S = 7 * 86_400;
export const MAX_EXPECTED_INTERVAL_S = 30 * 86_400;

/**
 * The rule that `input` makes of `base` (null: a new rule), or every problem with it. Checks
 * only what needs no database: that the named twins exist is the caller's check.
 */
export function mergeRule(
  base: RuleFields | null,
  input: RuleInput,
): { ok: true; rule: RuleFields } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  // optional settings: undefined keeps, null unsets; required ones: undefined or null keeps
  const opt = <T>(given: T | null | undefined, current: T | null): T | null =>
    given === undefined ? current : given;
  const req = <T>(given: T | null | undefined, current: T): T => given ?? current;
  if (!base && !input.kind)
    add('kind', `a rule needs a kind: one of ${ALERT_RULE_KINDS.join(', ')}`);
  if (!base && !input.name) add('name', 'a rule needs a name (what its alerts are about)');
  const rule: RuleFields = {
    name: req(input.name, base?.name ?? ''),
    kind: req(input.kind, base?.kind ?? 'OUT_OF_RANGE'),
    severity: req(input.severity, base?.severity ?? 'WARNING'),
    enabled: req(input.enabled, base?.enabled ?? true),
    factoryId: opt(input.factoryId, base?.factoryId ?? null),
    lineId: opt(input.lineId, base?.lineId ?? null),
    assetId: opt(input.assetId, base?.assetId ?? null),
    metric: opt(input.metric, base?.metric ?? null),
    min: opt(input.min, base?.min ?? null),
    max: opt(input.max, base?.max ?? null),
    hysteresis: req(input.hysteresis, base?.hysteresis ?? 0),
    expectedIntervalS: opt(input.expectedIntervalS, base?.expectedIntervalS ?? null),
    clearDelayS: req(input.clearDelayS, base?.clearDelayS ?? 60),
    webhookUrl: opt(input.webhookUrl, base?.webhookUrl ?? null),
  };
  if (base && input.kind && input.kind !== base.kind) {
    add('kind', `a rule's kind cannot change (it is ${base.kind}); create a new rule instead`);
  }
  const name = rule.name.trim();
  const nameGiven = typeof input.name === 'string' && (base !== null || input.name !== '');
  if (nameGiven && (name === '' || name.length > 200)) {
    add('name', 'must be 1 to 200 characters');
  }
  rule.name = name;
  const takes = KIND_TAKES[rule.kind];
  for (const key of ['factoryId', 'lineId', 'assetId', 'metric'] as const) {
    const v = rule[key];
    if (v === null) continue;
    if (!takes.scope.includes(key)) {
      add(
        key,
        `a ${rule.kind} rule cannot be scoped by ${key}; it takes ${takes.scope.join(', ')}`,
      );
    } else if (v.trim() === '' || v.length > 200) add(key, 'must be 1 to 200 characters');
  }
  for (const key of ['min', 'max', 'expectedIntervalS'] as const) {
    const v = rule[key];
    if (v === null) continue;
    if (!takes.settings.includes(key)) {
      add(key, `a ${rule.kind} rule has no ${key}`);
    } else if (!Number.isFinite(v)) add(key, 'must be a finite number');
  }
  if (rule.min !== null && rule.max !== null && rule.min >= rule.max) {
    add('max', `must be above min (${rule.min}), got ${rule.max}`);
  }
  if (!Number.isFinite(rule.hysteresis) || rule.hysteresis < 0) {
    add('hysteresis', `must be 0 or more (in the metric's unit), got ${rule.hysteresis}`);
  } else if (rule.hysteresis > 0 && rule.kind !== 'OUT_OF_RANGE') {
    add('hysteresis', `only OUT_OF_RANGE rules have a hysteresis`);
  } else if (rule.min !== null && rule.max !== null && rule.hysteresis * 2 >= rule.max - rule.min) {
    add('hysteresis', `must be under half the range (${(rule.max - rule.min) / 2})`);
  }
  if (rule.kind === 'MISSING_DATA') {
    const s = rule.expectedIntervalS;
    if (s === null)
      add('expectedIntervalS', 'a MISSING_DATA rule needs the expected interval (seconds)');
    else if (s < 1 || s > MAX_EXPECTED_INTERVAL_S) {
      add('expectedIntervalS', `must be from 1 to ${MAX_EXPECTED_INTERVAL_S} seconds, got ${s}`);
    }
  }
  if (
    !Number.isInteger(rule.clearDelayS) ||
    rule.clearDelayS < 0 ||
    rule.clearDelayS > MAX_CLEAR_DELAY_S
  ) {
    add(
      'clearDelayS',
      `must be a whole number of seconds from 0 to ${MAX_CLEAR_DELAY_S}, got ${rule.clearDelayS}`,
    );
  }
  if (rule.webhookUrl !== null) {
    const problem = webhookProblem(rule.webhookUrl);
    if (problem) add('webhookUrl', problem);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rule };
}

function webhookProblem(url: string): string | null {
  if (url.length > 2000) return 'must be at most 2000 characters';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url.slice(0, 100)}" is not a URL; give an absolute http:// or https:// URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `must be an http:// or https:// URL, got ${parsed.protocol}`;
  }
  if (parsed.username || parsed.password) {
    return 'must not carry credentials; receivers authenticate deliveries by their x-twin-graph-delivery header and a secret path';
  }
  return null;
}

/** Whether a rule applies to a twin at this place in the plant. */
export function inScope(
  rule: Pick<AlertRuleDef, 'factoryId' | 'lineId' | 'assetId'>,
  place: { factoryId: string; lineId?: string | null; assetId?: string | null },
): boolean {
  return (
    (rule.factoryId === null || rule.factoryId === place.factoryId) &&
    (rule.lineId === null || rule.lineId === (place.lineId ?? null)) &&
    (rule.assetId === null || rule.assetId === (place.assetId ?? null))
  );
}
