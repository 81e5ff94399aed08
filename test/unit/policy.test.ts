import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse } from 'graphql';
import { forbiddenRootFields, requiredRole, ROOT_ROLES } from '../../src/auth/policy';
import type { Principal, Role } from '../../src/domain/principal';

const schema = buildSchema(
  readFileSync(join(__dirname, '..', '..', 'graph-schema', 'schema.graphql'), 'utf8'),
);

/** Root fields any key may call: reads of the twin graph, telemetry and alerts. */
const PLAIN_READS = new Set([
  'query.alerts',
  'query.alert',
  'query.alertRules',
  'query.alertRule',
  'query.alertDeliveries',
  'query.telemetryRejections',
  'query.asset',
  'query.assets',
  'query.factory',
  'query.factories',
  'query.exportTwinGraph',
  'query.line',
  'query.lines',
  'query.order',
  'query.orders',
  'query.product',
  'query.products',
  'query.shipment',
  'query.shipments',
  'query.supplier',
  'query.suppliers',
  'query.me',
  'subscription.alertRaised',
  'subscription.telemetry',
  'subscription.assetStatusChanged',
]);

const key = (role: Role): Principal => ({ keyId: 'k', name: 'k', role, factoryIds: null });

describe('who may call which root field', () => {
  it('every query and subscription of the schema is a plain read or has a role of its own, and every listed field exists', () => {
    const roots = [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
      ['subscription', schema.getSubscriptionType()],
    ] as const;
    const all = new Set<string>();
    for (const [op, type] of roots) {
      for (const name of Object.keys(type?.getFields() ?? {})) all.add(`${op}.${name}`);
    }
    const unclassified = [...all].filter(
      (f) => !f.startsWith('mutation.') && !PLAIN_READS.has(f) && !(f in ROOT_ROLES),
    );
    expect(unclassified).toEqual([]);
    const unknown = [...Object.keys(ROOT_ROLES), ...PLAIN_READS].filter(
      (f) => !all.has(f) && f !== 'query.me' && f !== 'query.apiKeys',
    );
    expect(unknown).toEqual([]);
  });

  it('mutations need admin unless they are listed', () => {
    expect(requiredRole('mutation', 'createFactory')).toBe('admin');
    expect(requiredRole('mutation', 'importTwinGraph')).toBe('admin');
    expect(requiredRole('mutation', 'createAlertRule')).toBe('admin');
    expect(requiredRole('mutation', 'acknowledgeAlert')).toBe('operator');
    expect(requiredRole('mutation', 'startSimulation')).toBe('analyst');
    expect(requiredRole('query', 'impact')).toBe('analyst');
    expect(requiredRole('query', 'factories')).toBe('viewer');
  });

  it('a document asking for a field above its role names it, through fragments too', () => {
    const doc = parse(`
      query Q { factories { totalCount } ...F }
      fragment F on Query { impact(disruption: {}) { asOf } __typename }
    `);
    expect(forbiddenRootFields(doc, 'Q', key('viewer'))).toEqual([
      { field: 'impact', needs: 'analyst' },
    ]);
    expect(forbiddenRootFields(doc, 'Q', key('analyst'))).toEqual([]);
    const mutation = parse(
      'mutation { acknowledgeAlert(id: "x", by: "y") { id } createFactory(input: {}) { id } }',
    );
    expect(forbiddenRootFields(mutation, undefined, key('operator'))).toEqual([
      { field: 'createFactory', needs: 'admin' },
    ]);
    expect(forbiddenRootFields(mutation, undefined, key('admin'))).toEqual([]);
  });
});
