import type { AlertEventKind } from './alerts';

/**
 * Hooks through which a capability reports what it did to whoever measures it (the Prometheus
 * metrics of `server/metrics.ts`, wired by `runtime.ts`), so that no room imports a metrics
 * library. Each call must be cheap and must not throw: it runs on the path it reports on.
 */

/** What a committed telemetry batch tells its observer (a structural view of its rows). */
export interface WrittenBatch {
  /** `ts`: UTC ISO-8601 with milliseconds. */
  readonly readings: readonly { readonly ts: string }[];
  readonly rejections: readonly { readonly reason: string }[];
}

export interface TelemetryObserver {
  /** A batch was committed to the graph at `at` (epoch ms): once per write transaction. */
  batchWritten(batch: WrittenBatch, at: number): void;
  /** An alert lifecycle step was routed to subscribers and MQTT by this instance. */
  alertRouted(event: AlertEventKind): void;
}
