import type { Props } from '../twins/props';
import type { StoredAlert } from './store';

/** Routing keys of the in-process live event bus (GraphQL subscriptions). */
export const LIVE = {
  TELEMETRY: 'TELEMETRY',
  ASSET_STATUS: 'ASSET_STATUS',
  ALERT: 'ALERT',
} as const;

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
