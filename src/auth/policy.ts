import {
  getOperationAST,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { allows, type Principal, type Role } from '../domain/principal';

/**
 * Which role each root field needs (docs/security.md, "Roles"). Reading needs `viewer` (every
 * key); a mutation needs `admin` unless listed here. The schema test checks that every root field
 * of the schema is either a plain read or has its entry, so a new mutation or analysis is never
 * open by accident.
 */
export const ROOT_ROLES: Readonly<Record<string, Role>> = {
  // analyses (analyst)
  'query.impact': 'analyst',
  'query.simulate': 'analyst',
  'query.riskExposure': 'analyst',
  'query.scenario': 'analyst',
  'query.scenarios': 'analyst',
  'query.compareScenarios': 'analyst',
  'mutation.saveScenario': 'analyst',
  'mutation.startSimulation': 'analyst',
  'mutation.cancelSimulation': 'analyst',
  'mutation.deleteScenario': 'analyst',
  'subscription.simulationProgress': 'analyst',
  // plant floor (operator): statuses and alerts; an update of anything but the status needs admin
  'mutation.updateAsset': 'operator',
  'mutation.updateShipment': 'operator',
  'mutation.updateOrder': 'operator',
  'mutation.acknowledgeAlert': 'operator',
  'mutation.resolveAlert': 'operator',
  'mutation.retryAlertDelivery': 'operator',
  // administration
  'query.apiKeys': 'admin',
};

/**
 * Root fields a key scoped to factories may not call whatever its role: everything that needs
 * admin (structure, imports, rules, keys: their effects reach beyond any factory), and the
 * ingest pipeline's rejection report (messages of no known asset belong to no factory).
 * docs/security.md, "Factory scopes".
 */
export const UNSCOPED_ONLY: readonly string[] = ['query.telemetryRejections'];

export function needsUnscoped(operation: OperationType, field: string): boolean {
  return (
    requiredRole(operation, field) === 'admin' || UNSCOPED_ONLY.includes(`${operation}.${field}`)
  );
}

/** Mutations an operator may call only to change a twin's status (the resolver checks the patch). */
export const STATUS_ONLY_MUTATIONS: readonly string[] = [
  'updateAsset',
  'updateShipment',
  'updateOrder',
];

export type OperationType = 'query' | 'mutation' | 'subscription';

export function requiredRole(operation: OperationType, field: string): Role {
  return ROOT_ROLES[`${operation}.${field}`] ?? (operation === 'mutation' ? 'admin' : 'viewer');
}

/**
 * The root fields of the document's operation that the principal may not call, with the role
 * each needs. Fragments spread at the root are followed; `__typename` and introspection are free.
 */
export function forbiddenRootFields(
  document: DocumentNode,
  operationName: string | null | undefined,
  principal: Principal,
): { field: string; needs: Role; unscoped?: true }[] {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  }
  const fields = new Set<string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) fields.add(s.name.value);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const f = fragments.get(s.name.value);
        if (f) walk(f.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  const denied: { field: string; needs: Role; unscoped?: true }[] = [];
  for (const field of fields) {
    if (field.startsWith('__')) continue;
    const needs = requiredRole(operation.operation, field);
    if (!allows(principal.role, needs)) denied.push({ field, needs });
    else if (principal.factoryIds !== null && needsUnscoped(operation.operation, field)) {
      denied.push({ field, needs, unscoped: true });
    }
  }
  return denied;
}
