/**
 * The in-process live event bus behind GraphQL subscriptions: its routing keys, and the routing
 * ids under which an event is published, so a subscriber listens only to the narrowest stream it
 * asked for (one asset's events, not the whole plant's) instead of filtering them all.
 */
export const LIVE = {
  TELEMETRY: 'TELEMETRY',
  ASSET_STATUS: 'ASSET_STATUS',
  ALERT: 'ALERT',
  /** Progress of a simulation job, routed by the scenario's id. */
  SIMULATION_PROGRESS: 'SIMULATION_PROGRESS',
} as const;

export function routeIds(e: { factoryId: string; lineId: string; assetId?: string }): string[] {
  const ids = ['all', `factory:${e.factoryId}`, `line:${e.lineId}`];
  if (e.assetId !== undefined) ids.push(`asset:${e.assetId}`);
  return ids;
}

/** The narrowest routing id that a subscription's arguments allow. */
export function routeFor(args: {
  factoryId?: string | null | undefined;
  lineId?: string | null | undefined;
  assetId?: string | null | undefined;
}): string {
  if (args.assetId) return `asset:${args.assetId}`;
  if (args.lineId) return `line:${args.lineId}`;
  if (args.factoryId) return `factory:${args.factoryId}`;
  return 'all';
}
