import { registerEnumType } from 'type-graphql';
import {
  ALERT_SEVERITIES,
  type AlertSeverity,
  ASSET_STATUSES,
  type AssetStatus,
  ORDER_STATUSES,
  type OrderStatus,
  SCENARIO_STATUSES,
  type ScenarioStatus,
  SHIPMENT_STATUSES,
  type ShipmentStatus,
} from './enums';

/** A GraphQL enum built from one of the model's const arrays (the single list of values). */
export function graphqlEnum<T extends string>(values: readonly T[]): { [K in T]: K } {
  const entries: Partial<{ [K in T]: K }> = {};
  for (const v of values) entries[v] = v;
  return entries as { [K in T]: K };
}

export const AssetStatusEnum = graphqlEnum(ASSET_STATUSES);
export const ShipmentStatusEnum = graphqlEnum(SHIPMENT_STATUSES);
export const OrderStatusEnum = graphqlEnum(ORDER_STATUSES);
export const AlertSeverityEnum = graphqlEnum(ALERT_SEVERITIES);
export const ScenarioStatusEnum = graphqlEnum(SCENARIO_STATUSES);

registerEnumType(AssetStatusEnum, {
  name: 'AssetStatus',
  description: 'Operating state of an asset.',
});
registerEnumType(ShipmentStatusEnum, { name: 'ShipmentStatus' });
registerEnumType(OrderStatusEnum, { name: 'OrderStatus' });
registerEnumType(ScenarioStatusEnum, {
  name: 'ScenarioStatus',
  description:
    'Where a saved scenario stands: DRAFT (never started), QUEUED and RUNNING (a job holds it), SUCCEEDED, FAILED, CANCELLED, or INTERRUPTED (its instance stopped; start it again).',
});
registerEnumType(AlertSeverityEnum, {
  name: 'AlertSeverity',
  description: 'How urgent an alert is, from INFO (lowest) to CRITICAL (highest).',
});

function isOneOf<T extends string>(values: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && values.some((x) => x === v);
}

/* Reads of stored values; a value outside the vocabulary (written by hand) reads as the first state. */
export const asAssetStatus = (v: unknown): AssetStatus =>
  isOneOf(ASSET_STATUSES, v) ? v : 'RUNNING';
export const asShipmentStatus = (v: unknown): ShipmentStatus =>
  isOneOf(SHIPMENT_STATUSES, v) ? v : 'PLANNED';
export const asOrderStatus = (v: unknown): OrderStatus => (isOneOf(ORDER_STATUSES, v) ? v : 'OPEN');
export const asScenarioStatus = (v: unknown): ScenarioStatus =>
  isOneOf(SCENARIO_STATUSES, v) ? v : 'DRAFT';
export const asAlertSeverity = (v: unknown): AlertSeverity =>
  isOneOf(ALERT_SEVERITIES, v) ? v : 'WARNING';
