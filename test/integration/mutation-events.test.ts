import type { AssetStatusChange, TwinChange, TwinEvents } from '../../src/domain/events';
import { gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';

type Event =
  | { twinsChanged: TwinChange }
  | { assetStatusChanged: AssetStatusChange }
  | { twinsImported: true }
  | { simulationProgress: true };

/** Every change event the API publishes, in order. */
class Recorder implements TwinEvents {
  events: Event[] = [];
  twinsChanged(change: TwinChange): void {
    this.events.push({ twinsChanged: change });
  }
  assetStatusChanged(change: AssetStatusChange): void {
    this.events.push({ assetStatusChanged: change });
  }
  twinsImported(): void {
    this.events.push({ twinsImported: true });
  }
  // twin mutations never report simulation progress
  simulationProgress(): void {
    this.events.push({ simulationProgress: true });
  }
  // nor alert steps (their own tests hear those)
  alertChanged(): void {}
  alertRulesChanged(): void {}
}

const changed = (kind: TwinChange['kind'], ids: string[], op: TwinChange['op']): Event => ({
  twinsChanged: { kind, ids, op },
});

const PLANT = {
  factories: [
    { id: 'F1', name: 'Leipzig' },
    { id: 'F2', name: 'Puebla' },
  ],
  lines: [{ id: 'L1', factoryId: 'F1', name: 'Body' }],
  assets: [
    {
      id: 'A1',
      lineId: 'L1',
      name: 'Press',
      kind: 'PRESS',
      ratePerHour: 60,
      metrics: [
        { name: 'temperature', unit: 'Cel' },
        { name: 'pressure', unit: 'bar' },
      ],
    },
    { id: 'A2', lineId: 'L1', name: 'Robot', kind: 'ROBOT', ratePerHour: 40 },
  ],
  flows: [{ from: 'A1', to: 'A2' }],
  products: [
    { id: 'P1', name: 'Door' },
    { id: 'P2', name: 'Sheet' },
  ],
  bom: [{ parentId: 'P1', componentId: 'P2', quantity: 4 }],
  suppliers: [{ id: 'S1', name: 'Acme' }],
  supplies: [{ supplierId: 'S1', productId: 'P2' }],
  shipments: [
    {
      id: 'SH1',
      supplierId: 'S1',
      factoryId: 'F1',
      productId: 'P2',
      quantity: 10,
      eta: '2026-12-24T08:00:00Z',
    },
  ],
  orders: [{ id: 'O1', factoryId: 'F1', productId: 'P1', quantity: 3, dueDate: '2026-12-31' }],
};

describe('change events of mutations', () => {
  const recorder = new Recorder();
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({}, { events: recorder });
  });
  afterAll(async () => {
    await app.stop();
  });
  beforeEach(async () => {
    recorder.events = [];
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
      d: PLANT,
    });
    expect(res.errors).toBeUndefined();
    const imported = recorder.events;
    recorder.events = [];
    expect(imported).toEqual([{ twinsImported: true }]);
  });

  /** Runs a mutation that must succeed and returns the events it published. */
  async function eventsOf(mutation: string): Promise<Event[]> {
    const res = await gql(app, `mutation { ${mutation} }`);
    expect(res.errors).toBeUndefined();
    return recorder.events;
  }

  it('when a line moves to another factory, then twinsChanged names the line and nothing else is published', async () => {
    expect(await eventsOf('updateLine(id: "L1", patch: { factoryId: "F2" }) { id }')).toEqual([
      changed('Line', ['L1'], 'update'),
    ]);
  });

  it.each([
    [
      'createFactory(input: { id: "F3", name: "Pune" }) { id }',
      changed('Factory', ['F3'], 'create'),
    ],
    [
      'updateFactory(id: "F1", patch: { name: "Halle" }) { id }',
      changed('Factory', ['F1'], 'update'),
    ],
    ['deleteFactory(id: "F2") { deleted { id } }', changed('Factory', ['F2'], 'delete')],
    [
      'createLine(input: { id: "L2", factoryId: "F1", name: "Paint" }) { id }',
      changed('Line', ['L2'], 'create'),
    ],
    [
      'createProduct(input: { id: "P3", name: "Coil" }) { id }',
      changed('Product', ['P3'], 'create'),
    ],
    [
      'updateProduct(id: "P1", patch: { unitPrice: 310 }) { id }',
      changed('Product', ['P1'], 'update'),
    ],
    [
      'createSupplier(input: { id: "S2", name: "Beta" }) { id }',
      changed('Supplier', ['S2'], 'create'),
    ],
    [
      'updateSupplier(id: "S1", patch: { country: "PL" }) { id }',
      changed('Supplier', ['S1'], 'update'),
    ],
    [
      'createShipment(input: { id: "SH2", supplierId: "S1", factoryId: "F1", productId: "P2", quantity: 5, eta: "2027-01-02" }) { id }',
      changed('Shipment', ['SH2'], 'create'),
    ],
    [
      'updateShipment(id: "SH1", patch: { status: DELAYED }) { id }',
      changed('Shipment', ['SH1'], 'update'),
    ],
    [
      'deleteShipment(id: "SH1", cascade: true) { deleted { id } }',
      changed('Shipment', ['SH1'], 'delete'),
    ],
    [
      'createOrder(input: { id: "O2", factoryId: "F1", productId: "P1", quantity: 1, dueDate: "2027-01-05" }) { id }',
      changed('Order', ['O2'], 'create'),
    ],
    ['updateOrder(id: "O1", patch: { quantity: 4 }) { id }', changed('Order', ['O1'], 'update')],
    ['deleteOrder(id: "O1", cascade: true) { deleted { id } }', changed('Order', ['O1'], 'delete')],
  ])(
    'when %s succeeds, then twinsChanged names its kind, id and operation',
    async (mutation, event) => {
      expect(await eventsOf(mutation)).toEqual([event]);
    },
  );

  it('when an asset is created, then twinsChanged and assetStatusChanged (from no status) are published', async () => {
    expect(
      await eventsOf(
        'createAsset(input: { id: "A3", lineId: "L1", name: "Oven", kind: "OVEN", ratePerHour: 10, metrics: [{ name: "temperature", unit: "Cel" }] }) { id }',
      ),
    ).toEqual([
      changed('Asset', ['A3'], 'create'),
      {
        assetStatusChanged: {
          assetId: 'A3',
          previousStatus: null,
          status: 'RUNNING',
          reason: 'created through the API',
        },
      },
    ]);
  });

  it('when an asset status changes, then assetStatusChanged follows twinsChanged; an update that keeps the status publishes only twinsChanged', async () => {
    expect(await eventsOf('updateAsset(id: "A1", patch: { status: DOWN }) { id }')).toEqual([
      changed('Asset', ['A1'], 'update'),
      {
        assetStatusChanged: {
          assetId: 'A1',
          previousStatus: 'RUNNING',
          status: 'DOWN',
          reason: 'changed through the API',
        },
      },
    ]);
    recorder.events = [];
    expect(
      await eventsOf(
        'updateAsset(id: "A1", patch: { status: DOWN, name: "Press 1", metrics: [{ name: "flow", unit: "L/min" }] }) { id }',
      ),
    ).toEqual([changed('Asset', ['A1'], 'update')]);
  });

  it('when a line is deleted with cascade, then one twinsChanged per kind names every deleted twin, its metrics counting as their assets', async () => {
    expect(await eventsOf('deleteLine(id: "L1", cascade: true) { deleted { id } }')).toEqual([
      changed('Line', ['L1'], 'delete'),
      changed('Asset', ['A1', 'A2'], 'delete'),
    ]);
  });

  it('when a factory is deleted with cascade, then its lines, assets, shipments and orders are named, kind by kind', async () => {
    const events = await eventsOf('deleteFactory(id: "F1", cascade: true) { deleted { id } }');
    expect(events).toHaveLength(5);
    expect(events).toEqual(
      expect.arrayContaining([
        changed('Factory', ['F1'], 'delete'),
        changed('Line', ['L1'], 'delete'),
        changed('Asset', ['A1', 'A2'], 'delete'),
        changed('Shipment', ['SH1'], 'delete'),
        changed('Order', ['O1'], 'delete'),
      ]),
    );
  });

  it('when an asset is deleted with cascade, then its metrics count as the asset: one twinsChanged', async () => {
    await eventsOf('removeFlow(from: "A1", to: "A2") { id }');
    recorder.events = [];
    expect(await eventsOf('deleteAsset(id: "A1", cascade: true) { deleted { id } }')).toEqual([
      changed('Asset', ['A1'], 'delete'),
    ]);
  });

  it('when relationships are set or removed, then the twins at both ends are changed', async () => {
    expect(
      await eventsOf('setBomEntry(parentId: "P1", componentId: "P2", quantity: 6) { id }'),
    ).toEqual([changed('Product', ['P1', 'P2'], 'update')]);
    recorder.events = [];
    expect(
      await eventsOf('setInventory(factoryId: "F1", productId: "P2", quantity: 5) { id }'),
    ).toEqual([changed('Factory', ['F1'], 'update'), changed('Product', ['P2'], 'update')]);
    recorder.events = [];
    expect(await eventsOf('removeFlow(from: "A1", to: "A2") { id }')).toEqual([
      changed('Asset', ['A1', 'A2'], 'update'),
    ]);
  });

  it('when a mutation fails, then nothing is published', async () => {
    const refused = [
      'createFactory(input: { id: "F1", name: "Again" }) { id }',
      'updateAsset(id: "A404", patch: { status: DOWN }) { id }',
      'updateAsset(id: "A1", patch: { ratePerHour: -1 }) { id }',
      'deleteLine(id: "L1") { deleted { id } }',
      'setBomEntry(parentId: "P2", componentId: "P1", quantity: 1) { id }',
      'removeFlow(from: "A2", to: "A1") { id }',
    ];
    for (const mutation of refused) {
      const res = await gql(app, `mutation { ${mutation} }`);
      expect(res.errors).toHaveLength(1);
    }
    expect(recorder.events).toEqual([]);
  });
});
