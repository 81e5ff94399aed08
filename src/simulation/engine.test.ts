import { compile, runDetail } from './engine';
import type { EngineOptions, Scenario, Snapshot } from './model';

/*
 * Hand-computed fixtures (docs/simulation.md has the same numbers worked out). One factory F1, one
 * line L1 that works 2 × 8 = 16 h a day and makes P1 at 30 units an hour: 480 units a day.
 */
const START = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
const mitigate: EngineOptions = { alternativesMitigate: true };

function plant(over: Partial<Snapshot> = {}): Snapshot {
  const station = (id: string, ratePerHour: number) => ({
    id,
    status: 'RUNNING',
    ratePerHour,
    mtbfHours: null,
    mttrHours: null,
  });
  return {
    factories: [{ id: 'F1' }],
    lines: [
      {
        id: 'L1',
        factoryId: 'F1',
        shiftsPerDay: 2,
        hoursPerShift: 8,
        // A1 feeds two parallel presses A2, A2b, both feed A3: nominal flow min(60, 80, 50) = 50
        stations: [station('A1', 60), station('A2', 40), station('A2b', 40), station('A3', 50)],
        flows: [
          { from: 'A1', to: 'A2' },
          { from: 'A1', to: 'A2b' },
          { from: 'A2', to: 'A3' },
          { from: 'A2b', to: 'A3' },
        ],
      },
    ],
    production: [{ lineId: 'L1', factoryId: 'F1', productId: 'P1', ratePerHour: 30 }],
    bom: [],
    products: [
      { id: 'P1', unitPrice: 100, unitCost: 40 },
      { id: 'C1', unitPrice: 5, unitCost: 2 },
    ],
    suppliers: [],
    supplies: [],
    stock: [],
    shipments: [],
    orders: [],
    ...over,
  };
}

function scenario(over: Partial<Scenario> = {}): Scenario {
  return {
    startMs: START,
    horizonDays: 5,
    stepHours: 24,
    factoryIds: null,
    runs: 1,
    seed: 1,
    seriesProductIds: [],
    standingSupply: true,
    supplierOutages: [],
    shipmentDelays: [],
    assetDowntimes: [],
    maintenanceWindows: [],
    shiftChanges: [],
    demandChanges: [],
    ...over,
  };
}

describe('simulation engine, hand-computed fixtures', () => {
  it('when a press of a parallel pair is down for 2 days, then the line runs at 40/50 of its rate those days', () => {
    const model = compile(
      plant(),
      scenario({ assetDowntimes: [{ assetId: 'A2', startDay: 1, hours: 48 }] }),
      mitigate,
    );
    const changed = runDetail(model, 0, true);
    const base = runDetail(model, 0, false);
    expect(base.production[0]?.units).toBeCloseTo(480 * 5, 6);
    // days 1 and 2 at c = min(60, 40, 50) / 50 = 0.8: 480 × (3 + 2 × 0.8)
    expect(changed.production[0]?.units).toBeCloseTo(480 * 4.6, 6);
    expect(changed.production[0]?.capacityUnits).toBeCloseTo(480 * 4.6, 6);
  });

  it('when half a day of downtime falls in a daily step, then that step runs at the time-weighted factor', () => {
    const model = compile(
      plant(),
      scenario({ assetDowntimes: [{ assetId: 'A3', startDay: 0, hours: 12 }] }),
      mitigate,
    );
    // A3 is the only way out: c = 0 for 12 h, 1 for the rest of day 0
    expect(runDetail(model, 0, true).production[0]?.units).toBeCloseTo(480 * 4.5, 6);
  });

  it('when a component runs out on day 2, then production falls to what is left and a stockout starts on day 2', () => {
    const snap = plant({
      bom: [{ parentId: 'P1', componentId: 'C1', quantity: 2 }],
      stock: [{ factoryId: 'F1', productId: 'C1', quantity: 2000, safetyStock: 0 }],
    });
    const result = runDetail(compile(snap, scenario(), mitigate), 0, true);
    // 960 C1 a day: day 0 and 1 full (2000 → 80), day 2 makes 40 units from the last 80
    expect(result.production[0]?.units).toBeCloseTo(480 + 480 + 40, 6);
    expect(result.stockouts).toEqual([{ factoryId: 'F1', productId: 'C1', fromDay: 2, days: 3 }]);
    const c1 = result.inventory.find((r) => r.productId === 'C1');
    expect(c1).toMatchObject({ start: 2000, consumed: 2000, end: 0, min: 0 });
  });

  it('when an order needs more than a day of output, then it ships late by a known number of days', () => {
    const snap = plant({
      orders: [
        {
          id: 'O1',
          factoryId: 'F1',
          productId: 'P1',
          quantity: 1200,
          dueMs: START + DAY + 3_600_000,
        },
        { id: 'O2', factoryId: 'F1', productId: 'P1', quantity: 500, dueMs: START + 2 * DAY },
      ],
    });
    const result = runDetail(compile(snap, scenario(), mitigate), 0, true);
    // stock after day 1: 960 < 1200; after day 2: 1440 → O1 ships a day late; 240 left < 500;
    // after day 3: 720 → O2 ships a day late. On time: 960 of O1 and 240 of O2 in their due steps
    expect(result.lateOrders).toEqual([
      { orderId: 'O1', daysLate: 1, unitsShort: 240, unitsUndelivered: 0 },
      { orderId: 'O2', daysLate: 1, unitsShort: 260, unitsUndelivered: 0 },
    ]);
    // a unit not there when due is short (and its revenue lost), even if it ships later
    expect(result.kpis).toMatchObject({ lateOrders: 2, unitsShort: 500, revenueLost: 500 * 100 });
    expect(result.kpis.fillRate).toBeCloseTo((960 + 240) / 1700, 9);
  });

  it('when a sole supplier is out, then the standing supply stops and the stock runs down; with an alternative it does not', () => {
    const snap = plant({
      bom: [{ parentId: 'P1', componentId: 'C1', quantity: 1 }],
      stock: [{ factoryId: 'F1', productId: 'C1', quantity: 1000, safetyStock: 0 }],
      suppliers: [
        { id: 'S1', recoveryDays: null },
        { id: 'S2', recoveryDays: null },
      ],
      supplies: [{ supplierId: 'S1', productId: 'C1', leadTimeDays: 5, unitCost: 2 }],
      orders: [
        { id: 'O1', factoryId: 'F1', productId: 'P1', quantity: 2400, dueMs: START + 4 * DAY },
      ],
    });
    const outage = scenario({ supplierOutages: [{ supplierId: 'S1', startDay: 0, days: 3 }] });
    const model = compile(snap, outage, mitigate);
    const base = runDetail(model, 0, false);
    const changed = runDetail(model, 0, true);
    expect(base.production[0]?.units).toBeCloseTo(2400, 6);
    // 1000 on hand covers 480 + 480 + 40 over the 3 days out; supply is back on day 3
    expect(changed.production[0]?.units).toBeCloseTo(480 + 480 + 40 + 480 + 480, 6);
    expect(changed.kpis.unitsShort).toBeCloseTo(2400 - 1960, 6);
    expect(changed.kpis.revenueLost).toBeCloseTo((2400 - 1960) * 100, 6);

    const dual = {
      ...snap,
      supplies: [
        ...snap.supplies,
        { supplierId: 'S2', productId: 'C1', leadTimeDays: 9, unitCost: 3 },
      ],
    };
    const mitigated = runDetail(compile(dual, outage, mitigate), 0, true);
    expect(mitigated.production[0]?.units).toBeCloseTo(2400, 6);
    const unmitigated = runDetail(compile(dual, outage, { alternativesMitigate: false }), 0, true);
    expect(unmitigated.production[0]?.units).toBeCloseTo(1960, 6);
  });

  it('when a PLANNED shipment would leave during an outage of its supplier, then it leaves when the outage ends', () => {
    const snap = plant({
      suppliers: [{ id: 'S1', recoveryDays: null }],
      shipments: [
        {
          id: 'SH1',
          supplierId: 'S1',
          factoryId: 'F1',
          productId: 'C1',
          quantity: 100,
          status: 'PLANNED',
          departedAtMs: START + DAY,
          etaMs: START + 2 * DAY,
        },
      ],
    });
    const model = compile(
      snap,
      scenario({
        standingSupply: false,
        seriesProductIds: ['C1'],
        supplierOutages: [{ supplierId: 'S1', startDay: 0, days: 2.5 }],
      }),
      mitigate,
    );
    expect(runDetail(model, 0, false).series[0]?.received).toEqual([0, 0, 100, 0, 0]);
    // departs at day 2.5 instead of day 1: arrives 1.5 days later, on day 3.5
    expect(runDetail(model, 0, true).series[0]?.received).toEqual([0, 0, 0, 100, 0]);
  });
});
