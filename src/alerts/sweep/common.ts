import { asProps, optStr, str, type Props } from '../../graph/props';
import type { AlertRuleDef, Observation } from '../model';
import { CANONICAL_ISO } from './time';

/*
 * What the four sweep evaluators share: a rule's scope as a statement parameter, the open alerts
 * a statement returns, and the step from "the subjects that are bad" to the observations
 * (clears only where an alert is open).
 */

/** A rule's scope as the statements read it (`rule.factoryId`, …; null: any). */
export interface ScopeParam {
  id: string;
  factoryId: string | null;
  lineId: string | null;
  assetId: string | null;
}

export function scopeParam(rule: AlertRuleDef): ScopeParam {
  return {
    id: rule.id,
    factoryId: rule.factoryId,
    lineId: rule.lineId,
    assetId: rule.assetId,
  };
}

/**
 * The scope of a shipment or cover rule: only the factory (the shipment's destination); a line or
 * asset on such a rule means nothing and is ignored (rule validation refuses it).
 */
export function factoryScopeParam(rule: AlertRuleDef): ScopeParam {
  return { id: rule.id, factoryId: rule.factoryId, lineId: null, assetId: null };
}

/** Parameters every statement takes besides `$rules`. */
export function timeParams(nowMs: number): Record<string, unknown> {
  return { isoPattern: CANONICAL_ISO, nowIso: new Date(nowMs).toISOString(), nowMs };
}

/** A subject with an open alert of a rule (`openKey = ruleId|subjectId`), with what the statement read of it. */
export interface OpenSubject {
  ruleId: string;
  subjectId: string;
  /** The rest of the statement's row: the subject as it stands (null fields when it is gone). */
  row: Props;
}

export function readOpen(value: unknown): OpenSubject {
  const row = asProps(value);
  return { ruleId: str(row, 'ruleId'), subjectId: str(row, 'subjectId'), row };
}

/**
 * A statement's subject rows (`ruleIds`: the rules each may be bad for), one per rule and subject,
 * with `ruleId` set.
 */
export function perRule(rows: readonly Props[]): Props[] {
  return rows.flatMap((row) => {
    const ids = row['ruleIds'];
    return Array.isArray(ids)
      ? ids
          .filter((id): id is string => typeof id === 'string')
          .map((ruleId) => ({ ...row, ruleId }))
      : [];
  });
}

/** `${ruleId}|${subjectId}`: the open key of an alert, and the key observations are matched by. */
export const openKey = (ruleId: string, subjectId: string): string => `${ruleId}|${subjectId}`;

/** An observation with the location fields null unless given. */
export function observation(
  fields: Pick<Observation, 'ruleId' | 'subjectId' | 'about' | 'condition' | 'at' | 'message'> &
    Partial<Observation>,
): Observation {
  return {
    value: null,
    factoryId: null,
    lineId: null,
    assetId: null,
    metricId: null,
    ...fields,
  };
}

/**
 * The bad observations, one per (rule, subject) (the first of several wins: callers put the worst
 * first), and a clear for each open alert whose subject is not bad (it recovered, left the rule's
 * scope, or is gone). Sorted by rule, then subject, then condition.
 */
export function withClears(
  bad: readonly Observation[],
  open: readonly OpenSubject[],
  clear: (subject: OpenSubject) => Observation,
): Observation[] {
  const seen = new Map<string, Observation>();
  for (const o of bad) {
    const k = openKey(o.ruleId, o.subjectId);
    if (!seen.has(k)) seen.set(k, o);
  }
  const out = [...seen.values()];
  const cleared = new Set<string>();
  for (const s of open) {
    const k = openKey(s.ruleId, s.subjectId);
    if (seen.has(k) || cleared.has(k)) continue;
    cleared.add(k);
    out.push(clear(s));
  }
  return out.sort(
    (a, b) =>
      a.ruleId.localeCompare(b.ruleId) ||
      a.subjectId.localeCompare(b.subjectId) ||
      a.condition.localeCompare(b.condition),
  );
}

/** `Name (id)` of the twin whose name is `row[nameKey]`, or the id alone when it has no name. */
export function label(row: Props, nameKey: string, id: string): string {
  const name = optStr(row, nameKey);
  return name !== null && name !== id ? `${name} (${id})` : id;
}
