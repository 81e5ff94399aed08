import type { Props } from '../graph/props';

/** What the live bus carries to GraphQL subscriptions (routing: src/domain/live.ts). */
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
