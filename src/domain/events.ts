import type { AlertNotice } from './alerts';
import type { ScenarioStatus } from './enums';

/**
 * What capabilities tell the rest of the deployment when twins change. The telemetry capability
 * implements it by publishing on the broker, so every API instance (its asset cache, its
 * subscribers) hears it; tools without a broker use NO_EVENTS and rely on the cache's periodic
 * check of the graph's change stamp.
 */

/** Twin kinds whose changes matter to the caches of running servers. */
export const TWIN_KINDS = [
  'Factory',
  'Line',
  'Asset',
  'Metric',
  'Product',
  'Supplier',
  'Shipment',
  'Order',
] as const;
export type TwinKind = (typeof TWIN_KINDS)[number];

export interface TwinChange {
  kind: TwinKind;
  ids: string[];
  op: 'create' | 'update' | 'delete';
}

export interface AssetStatusChange {
  assetId: string;
  previousStatus: string | null;
  status: string | null;
  reason: string | null;
}

/** Where a simulation job stands, as its subscribers hear it (simulationProgress). */
export interface SimulationProgressEvent {
  scenarioId: string;
  status: ScenarioStatus;
  /** 0..1. */
  progress: number;
  runsDone: number;
  runsTotal: number;
  /** What happened, in words (the error of a FAILED or INTERRUPTED job). */
  message: string | null;
}

export interface TwinEvents {
  /** Twins were created, changed or deleted through the API: caches refresh what they hold of them. */
  twinsChanged(change: TwinChange): void;
  /** An asset's status changed through the API: subscribers of assetStatusChanged hear it. */
  assetStatusChanged(change: AssetStatusChange): void;
  /** Many twins changed at once (an import): caches reload. */
  twinsImported(): void;
  /**
   * A simulation job moved on (written to its Scenario node first): subscribers of
   * simulationProgress on every instance hear it, whichever instance runs the job.
   */
  simulationProgress(progress: SimulationProgressEvent): void;
  /**
   * An alert was raised, acknowledged or resolved (written first): every instance's alertRaised
   * subscribers hear a raise, and the broker's `<prefix>/_alerts/{factoryId}/{severity}` carries
   * every step to other plant systems.
   */
  alertChanged(notice: AlertNotice): void;
  /** Alert rules were created, changed or deleted: every instance reloads the rules it checks. */
  alertRulesChanged(): void;
}

/** For a server without telemetry (and for tools that build a context without one). */
export const NO_EVENTS: TwinEvents = {
  twinsChanged: () => undefined,
  assetStatusChanged: () => undefined,
  twinsImported: () => undefined,
  simulationProgress: () => undefined,
  alertChanged: () => undefined,
  alertRulesChanged: () => undefined,
};
