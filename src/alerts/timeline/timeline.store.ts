import { TwinError } from '../../errors';
import type { Graph } from '../../graph/executor';
import { asProps, asPropsList, num, optStr, type Props } from '../../graph/props';
import type { Change } from './summary';
import { PRUNE_STATE_CHANGES, READ_ASSET_CHANGES, READ_LINE_CHANGES } from './timeline.cypher';

/** A stored status change as read back. */
export interface StoredChange extends Change {
  /** `at` as stored (UTC ISO-8601). */
  atIso: string;
  reason: string | null;
  /** telemetry, api or import. */
  source: string;
}

/** One asset's changes in a window: the last one before it, and those inside it, oldest first. */
export interface AssetHistory {
  assetId: string;
  prior: StoredChange | null;
  changes: StoredChange[];
}

/** What a line's shifts need: its shift settings and its factory's time zone. */
export interface ShiftSettings {
  shiftsPerDay: number;
  hoursPerShift: number;
  timezone: string | null;
}

export interface AssetTimeline extends AssetHistory {
  shifts: ShiftSettings;
}

export interface LineTimeline {
  lineId: string;
  shifts: ShiftSettings;
  /** Every asset of the line, ordered by id. */
  assets: AssetHistory[];
}

function change(value: unknown): StoredChange | null {
  if (typeof value !== 'object' || value === null) return null;
  const p = asProps(value);
  const atIso = optStr(p, 'at');
  const at = atIso === null ? NaN : Date.parse(atIso);
  if (atIso === null || !Number.isFinite(at)) return null; // not a change we wrote: skip it
  return {
    at,
    atIso,
    status: optStr(p, 'status') ?? '',
    reason: optStr(p, 'reason'),
    source: optStr(p, 'source') ?? 'unknown',
  };
}

/**
 * Most changes of one asset that one request reads in a window: a sensor (or a device gone wrong)
 * flapping every second for a year must not load millions of rows into the API's memory.
 */
export const MAX_CHANGES_PER_ASSET = 50_000;

function history(assetId: string, p: Props): AssetHistory {
  const rows = asPropsList(p['changes']);
  if (rows.length > MAX_CHANGES_PER_ASSET) {
    throw new TwinError(
      'TOO_LARGE',
      `asset "${assetId}" changed status more than ${MAX_CHANGES_PER_ASSET} times in the window; ` +
        'ask for a shorter window (from, to)',
      { assetId, limit: MAX_CHANGES_PER_ASSET },
    );
  }
  return {
    assetId,
    prior: change(p['prior']),
    changes: rows.map(change).filter((c): c is StoredChange => c !== null),
  };
}

const settings = (p: Props): ShiftSettings => ({
  shiftsPerDay: num(p, 'shiftsPerDay', 2),
  hoursPerShift: num(p, 'hoursPerShift', 8),
  timezone: optStr(p, 'timezone'),
});

/**
 * The changes of each asset of `ids` from `from` to `to` (ISO, both included) with the last one
 * before `from`, and its line's shift settings: one round trip, one entry per id in id order.
 */
export async function readAssetTimelines(
  graph: Graph,
  ids: readonly string[],
  from: string,
  to: string,
): Promise<AssetTimeline[]> {
  const rows = await graph.read(READ_ASSET_CHANGES, {
    ids,
    from,
    to,
    maxChanges: MAX_CHANGES_PER_ASSET,
  });
  const byId = new Map(rows.map((r) => [String(r['id']), r]));
  return ids.map((id) => {
    const row = byId.get(id) ?? {};
    return { ...history(id, row), shifts: settings(row) };
  });
}

/**
 * Each line of `lineIds` with the changes of all its assets (as readAssetTimelines): one round
 * trip; null for a line that does not exist.
 */
export async function readLineTimelines(
  graph: Graph,
  lineIds: readonly string[],
  from: string,
  to: string,
): Promise<(LineTimeline | null)[]> {
  const rows = await graph.read(READ_LINE_CHANGES, {
    lineIds,
    from,
    to,
    maxChanges: MAX_CHANGES_PER_ASSET,
  });
  const byId = new Map(rows.map((r) => [String(r['lineId']), r]));
  return lineIds.map((lineId) => {
    const row = byId.get(lineId);
    if (!row) return null;
    return {
      lineId,
      shifts: settings(row),
      assets: asPropsList(row['assets']).map((a) => history(String(a['assetId']), a)),
    };
  });
}

/**
 * Retention of the timeline: changes older than `retentionMs` go, in chunks of 10,000 so a large
 * backlog never needs one huge transaction, except each asset's latest change at or before the
 * cutoff (the state in force then). Returns how many were deleted.
 */
export async function pruneTimeline(
  graph: Graph,
  retentionMs: number,
  now = Date.now(),
): Promise<number> {
  const cutoff = new Date(now - retentionMs).toISOString();
  let total = 0;
  for (;;) {
    const rows = await graph.write(PRUNE_STATE_CHANGES, { cutoff });
    const n = Number(rows[0]?.['n'] ?? 0);
    total += n;
    if (n < 10000) return total;
  }
}
