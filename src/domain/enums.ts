/**
 * The closed value sets of the twin graph (docs/graph-model.md, "Enums"), as const arrays so that the import
 * validation, the GraphQL enums and the analyses all read one list.
 */

export const ASSET_STATUSES = ['RUNNING', 'IDLE', 'DOWN', 'MAINTENANCE'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

export const SHIPMENT_STATUSES = [
  'PLANNED',
  'IN_TRANSIT',
  'DELAYED',
  'DELIVERED',
  'CANCELLED',
] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export const ORDER_STATUSES = ['OPEN', 'FULFILLED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ALERT_SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/**
 * Where a saved simulation scenario stands (docs/simulation.md, "Jobs"). DRAFT: saved, never
 * started; QUEUED and RUNNING: a job holds it; the other four end a job. INTERRUPTED: the
 * instance running it stopped, so nobody finishes it unless it is started again.
 */
export const SCENARIO_STATUSES = [
  'DRAFT',
  'QUEUED',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'INTERRUPTED',
] as const;
export type ScenarioStatus = (typeof SCENARIO_STATUSES)[number];

/**
 * Asset kinds are open-ended (PRESS, CNC, ROBOT, CONVEYOR, OVEN, ...): any UPPER_SNAKE_CASE word
 * is a kind, so a plant can add its own without a schema change.
 */
export const ASSET_KIND_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
export const ASSET_KIND_EXAMPLES = ['PRESS', 'CNC', 'ROBOT', 'CONVEYOR', 'OVEN'] as const;
