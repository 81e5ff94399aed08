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

export interface TwinEvents {
  /** Twins were created, changed or deleted through the API: caches refresh what they hold of them. */
  twinsChanged(change: TwinChange): void;
  /** An asset's status changed through the API: subscribers of assetStatusChanged hear it. */
  assetStatusChanged(change: AssetStatusChange): void;
  /** Many twins changed at once (an import): caches reload. */
  twinsImported(): void;
}

/** For a server without telemetry (and for tools that build a context without one). */
export const NO_EVENTS: TwinEvents = {
  twinsChanged: () => undefined,
  assetStatusChanged: () => undefined,
  twinsImported: () => undefined,
};
