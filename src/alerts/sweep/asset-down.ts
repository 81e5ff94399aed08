import type { Graph } from '../../graph/executor';
import { asPropsList, optStr, str, type Props } from '../../graph/props';
import type { AlertRuleDef, Observation } from '../model';
import {
  label,
  observation,
  perRule,
  readOpen,
  scopeParam,
  withClears,
  type OpenSubject,
} from './common';
import { ASSET_DOWN_SWEEP } from './sweep.cypher';
import { iso, readTimeMs } from './time';

/**
 * ASSET_DOWN: each asset in a rule's scope whose status is DOWN is bad, observed at the time the
 * asset went DOWN (`statusTs`, when a state message set it) or now; an open alert whose asset is
 * no longer DOWN (or out of scope, or gone) gets a clear. One round trip.
 */
export async function evaluateAssetDown(
  graph: Graph,
  rules: readonly AlertRuleDef[],
  nowMs: number,
): Promise<Observation[]> {
  if (rules.length === 0) return [];
  const [row] = await graph.read(ASSET_DOWN_SWEEP, { rules: rules.map(scopeParam) });
  return assetDownObservations(
    perRule(asPropsList(row?.['down'])),
    asPropsList(row?.['open']).map(readOpen),
    nowMs,
  );
}

/** The observations of the statement's rows (pure). */
export function assetDownObservations(
  down: readonly Props[],
  open: readonly OpenSubject[],
  nowMs: number,
): Observation[] {
  const now = iso(nowMs);
  const bad = down.map((d) => {
    const assetId = str(d, 'assetId');
    const lineId = optStr(d, 'lineId');
    const atMs = readTimeMs(d['statusTs']);
    const reason = optStr(d, 'reason');
    const line = lineId === null ? 'on no line' : `on line ${label(d, 'lineName', lineId)}`;
    return observation({
      ruleId: str(d, 'ruleId'),
      subjectId: assetId,
      about: { label: 'Asset', id: assetId },
      condition: 'bad',
      at: atMs === null ? now : iso(atMs),
      message:
        `Asset ${label(d, 'assetName', assetId)} ${line} is DOWN` +
        (reason !== null && reason.trim() !== '' ? `: ${reason}` : ' (no reason given)'),
      factoryId: optStr(d, 'factoryId'),
      lineId,
      assetId,
    });
  });
  return withClears(bad, open, (s) => {
    const status = optStr(s.row, 'status');
    const name = label(s.row, 'assetName', s.subjectId);
    const message =
      s.row['exists'] !== true
        ? `Asset ${s.subjectId} no longer exists`
        : status === 'DOWN'
          ? `Asset ${name} is DOWN but no longer in the rule's scope`
          : `Asset ${name} is no longer DOWN (${status ?? 'no status'})`;
    return observation({
      ruleId: s.ruleId,
      subjectId: s.subjectId,
      about: { label: 'Asset', id: s.subjectId },
      condition: 'clear',
      at: now,
      message,
      factoryId: optStr(s.row, 'factoryId'),
      lineId: optStr(s.row, 'lineId'),
      assetId: s.subjectId,
    });
  });
}
