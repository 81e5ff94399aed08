import type { Props } from '../twins/props';
import type { StoredAlert } from './store';

/** Routing keys of the in-process live event bus (GraphQL subscriptions). */
export const LIVE = {
  TELEMETRY: 'TELEMETRY',
  ASSET_STATUS: 'ASSET_STATUS',
  ALERT: 'ALERT',
} as const;

/**
 * Routing ids under which an event is published, so a subscriber listens only to the narrowest
 * stream it asked for (one asset's events, not the whole plant's) instead of filtering them all.
 */
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

export interface LiveReading {
  metric: string;
  value: number;
  unit: string;
  flagged: boolean;
}

export interface TelemetryPayload {
  factoryId: string;
  lineId: string;
  asset: Props;
  ts: string;
  readings: LiveReading[];
}

export interface StatusPayload {
  factoryId: string;
  lineId: string;
  asset: Props;
  status: string;
  previousStatus: string | null;
  reason: string | null;
  ts: string;
  /** telemetry (a state message) or api (a mutation). */
  source: 'telemetry' | 'api';
}

export interface AlertPayload extends StoredAlert {
  factoryId: string;
  lineId: string;
}

/** What other parts of the server (mutations) tell the telemetry side, to reach every instance. */
export interface TwinEvents {
  /** An asset was created, changed or deleted through the API. */
  assetChanged(change: {
    assetId: string;
    previousStatus: string | null;
    status: string | null;
    reason: string | null;
  }): void;
  /** Many twins changed at once (an import): caches reload. */
  twinsImported(): void;
}

/** For a server without telemetry (and for tools that build a context without one). */
export const NO_EVENTS: TwinEvents = {
  assetChanged: () => undefined,
  twinsImported: () => undefined,
};
