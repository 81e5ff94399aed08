import type { Graph } from '../../src/graph/executor';
import type { Snapshot } from '../../src/simulation/model';
import { loadSnapshot } from '../../src/simulation/snapshot.load';
import { gql, startTestApp, type TestApp } from '../support/app';
import { graphFingerprint, resetTwins } from '../support/db';
import { BEHIND_THE_IMPORT, SNAPSHOT_PLANT } from '../support/snapshot-plant';

/*
 * The simulation's snapshot of a small hand-written plant (test/support/snapshot-plant.ts), and
 * Supplier.recoveryDays through import, export, GraphQL and the supplier mutations.
 */

const ms = (iso: string): number => Date.parse(iso);

/** The parts every snapshot has, whatever its factories. */
const CATALOGUE = {
  products: [
    { id: 'P1', unitPrice: 100, unitCost: 60 },
    { id: 'P2', unitPrice: 0, unitCost: 3 },
    { id: 'P3', unitPrice: 0, unitCost: 0 },
  ],
  bom: [
    { parentId: 'P1', componentId: 'P2', quantity: 4 },
    { parentId: 'P1', componentId: 'P3', quantity: 2 },
  ],
  suppliers: [
    { id: 'S1', recoveryDays: 21 },
    { id: 'S2', recoveryDays: null },
  ],
  supplies: [
    { supplierId: 'S1', productId: 'P2', leadTimeDays: 7, unitCost: 3.5 },
    { supplierId: 'S2', productId: 'P3', leadTimeDays: null, unitCost: null },
  ],
};

const L1 = {
  id: 'L1',
  factoryId: 'F1',
  shiftsPerDay: 3,
  hoursPerShift: 7,
  stations: [
    { id: 'A1', status: 'RUNNING', ratePerHour: 60, mtbfHours: 400, mttrHours: 4 },
    { id: 'A2', status: 'DOWN', ratePerHour: 30, mtbfHours: 250.5, mttrHours: 0 },
    { id: 'A3', status: 'IDLE', ratePerHour: 50, mtbfHours: null, mttrHours: null },
  ],
  flows: [
    { from: 'A1', to: 'A2' },
    { from: 'A1', to: 'A3' },
    { from: 'A2', to: 'A3' },
  ],
};
const L2 = {
  ...{ id: 'L2', factoryId: 'F1', shiftsPerDay: 2, hoursPerShift: 8, flows: [] },
  stations: [{ id: 'B1', status: 'RUNNING', ratePerHour: 0, mtbfHours: null, mttrHours: null }],
};
const SHIPMENT = { supplierId: 'S1', factoryId: 'F1', productId: 'P2' };
const F1_SHIPMENTS = [
  {
    ...{ id: 'SH1', ...SHIPMENT, quantity: 2000, status: 'IN_TRANSIT' },
    ...{ departedAtMs: ms('2026-11-20T07:00:00Z'), etaMs: ms('2026-11-27T08:00:00Z') },
  },
  {
    ...{ id: 'SH2', supplierId: 'S2', factoryId: 'F1', productId: 'P3', quantity: 500 },
    ...{ status: 'PLANNED', departedAtMs: null, etaMs: ms('2026-12-01T00:00:00Z') },
  },
  {
    ...{ id: 'SH4', ...SHIPMENT, quantity: 300, status: 'DELAYED' },
    ...{ departedAtMs: ms('2026-11-21T00:00:00Z'), etaMs: ms('2026-11-29T08:00:00Z') },
  },
  {
    ...{ id: 'SH5', ...SHIPMENT, quantity: 40, status: 'DELIVERED' },
    ...{ departedAtMs: null, etaMs: null },
  },
];
const F1_ORDERS = [
  { id: 'O1', factoryId: 'F1', productId: 'P1', quantity: 300, dueMs: ms('2026-12-05T00:00:00Z') },
  { id: 'O4', factoryId: 'F1', productId: 'P1', quantity: 50, dueMs: ms('2026-12-10T12:00:00Z') },
];

let app: TestApp;
let graph: Graph;

beforeAll(async () => {
  app = await startTestApp({ MQTT_TOPIC_PREFIX: 'snapshot' });
  graph = app.graph;
  await resetTwins(graph);
  const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
    d: SNAPSHOT_PLANT,
  });
  expect(res.errors).toBeUndefined();
  await graph.transaction('WRITE', async (tx) => {
    for (const cypher of BEHIND_THE_IMPORT) await tx.run(cypher);
  });
});
afterAll(async () => {
  await app.stop();
});

describe('the simulation snapshot', () => {
  it('when scoped to F1 (and an unknown id), then it is exactly F1 with every default, in one round trip', async () => {
    const scoped = graph.scope();
    const snapshot = await loadSnapshot(scoped, ['F404', 'F1']);
    expect(scoped.queries).toBe(1);
    const expected: Snapshot = {
      factories: [{ id: 'F1' }],
      lines: [L1, L2],
      production: [
        { lineId: 'L1', factoryId: 'F1', productId: 'P1', ratePerHour: 40 },
        { lineId: 'L2', factoryId: 'F1', productId: 'P1', ratePerHour: 20 },
      ],
      ...CATALOGUE,
      stock: [
        { factoryId: 'F1', productId: 'P2', quantity: 5000, safetyStock: 800 },
        { factoryId: 'F1', productId: 'P3', quantity: 100, safetyStock: 0 },
      ],
      shipments: F1_SHIPMENTS,
      orders: F1_ORDERS,
    };
    expect(snapshot).toEqual(expected);
    expect(structuredClone(snapshot)).toEqual(snapshot);
  });

  it('when not scoped, then every factory is in, sorted by id', async () => {
    const snapshot = await loadSnapshot(graph, null);
    expect(snapshot.factories).toEqual([{ id: 'F1' }, { id: 'F2' }, { id: 'F3' }]);
    const L3 = { id: 'L3', factoryId: 'F2', shiftsPerDay: 2, hoursPerShift: 8, flows: [] };
    const C1 = { id: 'C1', status: 'RUNNING', ratePerHour: 10, mtbfHours: null, mttrHours: null };
    expect(snapshot.lines).toEqual([L1, L2, { ...L3, stations: [C1] }]);
    expect(snapshot.production.map((p) => `${p.lineId}>${p.productId}@${p.factoryId}`)).toEqual([
      'L1>P1@F1',
      'L2>P1@F1',
      'L3>P1@F2',
    ]);
    expect(snapshot.stock.map((s) => `${s.factoryId}/${s.productId}`)).toEqual([
      'F1/P2',
      'F1/P3',
      'F2/P2',
    ]);
    expect(snapshot.shipments.map((s) => s.id)).toEqual(['SH1', 'SH2', 'SH3', 'SH4', 'SH5']);
    expect(snapshot.orders.map((o) => o.id)).toEqual(['O1', 'O3', 'O4']);
    expect(snapshot).toMatchObject(CATALOGUE);
  });

  it('when scoped to no factory, then only the products, BOM, suppliers and supplies are in', async () => {
    const snapshot = await loadSnapshot(graph, []);
    expect(snapshot).toEqual({
      ...{ factories: [], lines: [], production: [], stock: [], shipments: [], orders: [] },
      ...CATALOGUE,
    });
  });
});

describe('Supplier.recoveryDays', () => {
  const problemPaths = (res: Awaited<ReturnType<typeof gql>>): string[] => {
    const problems: unknown = res.errors?.[0]?.extensions?.['problems'];
    return (Array.isArray(problems) ? problems : []).map((p: { path: string }) => p.path);
  };

  it('when imported, then GraphQL and the export show it where it is set', async () => {
    const res = await gql(
      app,
      '{ a: supplier(id: "S1") { recoveryDays } b: supplier(id: "S2") { recoveryDays } }',
    );
    expect(res.data).toEqual({ a: { recoveryDays: 21 }, b: { recoveryDays: null } });
    const exported = await gql(app, '{ exportTwinGraph }');
    expect(exported.data?.['exportTwinGraph']).toMatchObject({
      suppliers: [
        { id: 'S1', name: 'Acme', country: 'PL', recoveryDays: 21 },
        { id: 'S2', name: 'Beta' },
      ],
    });
  });

  it('when created and updated, then it is stored and the snapshot reads it', async () => {
    const created = await gql(
      app,
      'mutation { createSupplier(input: { id: "S3", name: "Gamma", recoveryDays: 0 }) { id recoveryDays } }',
    );
    expect(created.data).toEqual({ createSupplier: { id: 'S3', recoveryDays: 0 } });
    const updated = await gql(
      app,
      'mutation { updateSupplier(id: "S2", patch: { recoveryDays: 9.5 }) { id name recoveryDays } }',
    );
    expect(updated.data).toEqual({ updateSupplier: { id: 'S2', name: 'Beta', recoveryDays: 9.5 } });
    const snapshot = await loadSnapshot(graph, []);
    expect(snapshot.suppliers).toEqual([
      { id: 'S1', recoveryDays: 21 },
      { id: 'S2', recoveryDays: 9.5 },
      { id: 'S3', recoveryDays: 0 },
    ]);
  });

  it('when negative, then BAD_USER_INPUT names its path and nothing is written', async () => {
    const before = await graphFingerprint(graph);
    const create = await gql(
      app,
      'mutation { createSupplier(input: { id: "S9", name: "Bad", recoveryDays: -1 }) { id } }',
    );
    expect(create.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(problemPaths(create)).toEqual(['input.recoveryDays']);
    const update = await gql(
      app,
      'mutation { updateSupplier(id: "S1", patch: { recoveryDays: -0.5 }) { id } }',
    );
    expect(update.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(problemPaths(update)).toEqual(['patch.recoveryDays']);
    const imported = await gql(
      app,
      'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }',
      {
        d: { suppliers: [{ id: 'S9', name: 'Bad', recoveryDays: -3 }] },
      },
    );
    expect(imported.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(problemPaths(imported)).toEqual(['suppliers[0].recoveryDays']);
    expect(await graphFingerprint(graph)).toBe(before);
  });
});
