import type { Scope, VisibleIds } from '../graph/scope';
import type { AlertNotice } from '../domain/alerts';
import type { Principal } from '../domain/principal';
import type { AlertRuleDef } from './model';

/*
 * Factory scopes for alerts (docs/security.md, "Factory scopes: alerts, telemetry and export").
 *
 * An alert is visible when the twin it is ABOUT is visible: its asset, shipment or factory. An
 * alert whose twin has been deleted since (no ABOUT any more) is visible when the factory it
 * recorded (`factoryId`) is one the scope sees, so a factory keeps the history of a machine it
 * scrapped. Everything else of a scoped key answers as if the alert did not exist: the list and
 * its `totalCount`, `alert(id)`, acknowledging and resolving, the webhook deliveries.
 */

/** The `$alertScope` parameter: the ids a scope sees, or null when it sees everything. */
export interface AlertScopeParam {
  assets: string[];
  shipments: string[];
  factories: string[];
}

/**
 * A Cypher condition on the alert `x`: true when the scope `$alertScope` sees it (always, when
 * `$alertScope` is null). Every statement that reads or changes alerts for a request carries it.
 */
export const ALERT_VISIBLE = `($alertScope IS NULL
    OR EXISTS {
      MATCH (x)-[:ABOUT]->(t)
      WHERE (t:Asset AND t.id IN $alertScope.assets)
         OR (t:Shipment AND t.id IN $alertScope.shipments)
         OR (t:Factory AND t.id IN $alertScope.factories)
    }
    OR (NOT EXISTS { (x)-[:ABOUT]->() } AND x.factoryId IN $alertScope.factories))`;

export function alertScopeParam(visible: VisibleIds | null): AlertScopeParam | null {
  if (visible === null) return null;
  return {
    assets: [...visible.Asset],
    shipments: [...visible.Shipment],
    factories: [...visible.Factory],
  };
}

/** `{alertScope}`: the parameter of ALERT_VISIBLE for this request's scope. */
export async function alertScopeParams(
  scope: Scope,
): Promise<{ alertScope: AlertScopeParam | null }> {
  return { alertScope: alertScopeParam(await scope.visible()) };
}

/**
 * Whether a scope sees an alert rule: a rule with no factory, line or asset (global) always; a
 * scoped rule when each of the twins it names is one the scope sees. A rule of another factory
 * (or of one of its lines or assets) answers like an unknown rule.
 */
export function seesRule(
  visible: VisibleIds | null,
  rule: Pick<AlertRuleDef, 'factoryId' | 'lineId' | 'assetId'>,
): boolean {
  if (visible === null) return true;
  return (
    (rule.factoryId === null || visible.Factory.has(rule.factoryId)) &&
    (rule.lineId === null || visible.Line.has(rule.lineId)) &&
    (rule.assetId === null || visible.Asset.has(rule.assetId))
  );
}

/**
 * Whether a principal's `alertRaised` hears a raise: the notice's factory (the factory of the
 * asset, of the shipment's destination, or the factory itself, as the alert recorded it) is one
 * of the principal's. Checked on the notice, without a round trip, for every subscriber.
 */
export function principalHears(
  principal: Pick<Principal, 'factoryIds'>,
  notice: Pick<AlertNotice, 'factoryId'>,
): boolean {
  const factoryIds = principal.factoryIds;
  if (factoryIds === null) return true;
  return notice.factoryId !== null && factoryIds.includes(notice.factoryId);
}
