import type { TwinChange, TwinEvents, TwinKind } from '../domain/events';
import type { DeletedTwin, TwinWrite } from './mutations/service';

/*
 * What the API tells the rest of the deployment when twins change (src/domain/events.ts). Every
 * write publishes twinsChanged for the twins it wrote; a kind declares any further event with its
 * other declarations (twin.kinds.ts). Only the batch import publishes twinsImported.
 */

/** An event a kind publishes, beyond twinsChanged, when one of its twins is created or updated. */
export type WriteEvent = (events: TwinEvents, write: TwinWrite) => void;

/** A created or updated twin changed; `before` tells which. */
export function publishWrite(
  events: TwinEvents,
  kind: TwinKind,
  write: TwinWrite,
  also: readonly WriteEvent[] = [],
): void {
  events.twinsChanged({ kind, ids: [write.id], op: write.before ? 'update' : 'create' });
  for (const publish of also) publish(events, write);
}

/** Subscribers of assetStatusChanged hear a status that a create or update set or changed. */
export const assetStatusChanged: WriteEvent = (events, { id, before, after }) => {
  const previousStatus = typeof before?.['status'] === 'string' ? before['status'] : null;
  const status = typeof after['status'] === 'string' ? after['status'] : null;
  if (status === previousStatus) return;
  events.assetStatusChanged({
    assetId: id,
    previousStatus,
    status,
    reason: before ? 'changed through the API' : 'created through the API',
  });
};

const KINDS: Record<TwinKind, true> = {
  Factory: true,
  Line: true,
  Asset: true,
  Metric: true,
  Product: true,
  Supplier: true,
  Shipment: true,
  Order: true,
};

function isTwinKind(kind: string): kind is TwinKind {
  return Object.hasOwn(KINDS, kind);
}

/**
 * One change per kind and operation (in the order first seen), with its ids sorted. A metric counts as its asset, so
 * caches that hold an asset with its metrics refresh the asset: deleted with its asset, or
 * updated when the asset stays.
 */
export function groupChanges(
  twins: readonly { kind: string; id: string; op: TwinChange['op']; assetId?: string }[],
): TwinChange[] {
  const deletedAssets = new Set(
    twins.filter((t) => t.kind === 'Asset' && t.op === 'delete').map((t) => t.id),
  );
  const groups = new Map<string, { change: TwinChange; seen: Set<string> }>();
  for (const twin of twins) {
    let { kind, id, op } = twin;
    if (kind === 'Metric' && twin.assetId !== undefined) {
      kind = 'Asset';
      id = twin.assetId;
      op = deletedAssets.has(id) ? 'delete' : 'update';
    }
    if (!isTwinKind(kind)) continue;
    const key = `${kind} ${op}`;
    const group = groups.get(key) ?? { change: { kind, ids: [], op }, seen: new Set<string>() };
    groups.set(key, group);
    if (group.seen.has(id)) continue;
    group.seen.add(id);
    group.change.ids.push(id);
  }
  return [...groups.values()].map((g) => ({ ...g.change, ids: g.change.ids.sort() }));
}

/** A (cascade) delete: one twinsChanged per kind of deleted twin. */
export function publishDelete(events: TwinEvents, deleted: readonly DeletedTwin[]): void {
  for (const change of groupChanges(deleted.map((d) => ({ ...d, op: 'delete' as const })))) {
    events.twinsChanged(change);
  }
}

/** A relationship set or removed changes the twins at both of its ends. */
export function publishLinked(
  events: TwinEvents,
  ends: readonly { kind: string; id: string }[],
): void {
  for (const change of groupChanges(ends.map((e) => ({ ...e, op: 'update' as const })))) {
    events.twinsChanged(change);
  }
}
