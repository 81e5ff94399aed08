import type { Props } from '../graph/props';
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

export interface LiveTelemetryEvent {
  factoryId: string;
  lineId: string;
  asset: Props;
  ts: string;
  readings: LiveReading[];
}

export interface LiveStatusEvent {
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

export interface LiveAlertEvent extends StoredAlert {
  factoryId: string;
  lineId: string;
}
