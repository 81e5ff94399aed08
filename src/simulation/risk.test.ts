import type { Snapshot } from './model';
import { riskExposure } from './risk';

/*
 * A hand-computed supply base (docs/analysis.md, "Risk exposure"). F1's line L1 makes P1 at
 * 480 units a day from one C1 and one C2 each. S1 alone supplies C1 and needs 10 days to recover;
 * S2 alone supplies C2 and needs 3; S3 supplies nothing F1 uses.
 */
const START = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;

const shipment = (
  id: string,
  productId: string,
  supplierId: string,
  quantity: number,
  day: number,
) => ({
  id,
  supplierId,
  factoryId: 'F1',
  productId,
  quantity,
  status: 'IN_TRANSIT',
  departedAtMs: START - DAY,
  etaMs: START + day * DAY,
});

const snapshot: Snapshot = {
  factories: [{ id: 'F1' }],
  lines: [
    {
      id: 'L1',
      factoryId: 'F1',
      shiftsPerDay: 2,
      hoursPerShift: 8,
      stations: [
        { id: 'A1', status: 'RUNNING', ratePerHour: 30, mtbfHours: null, mttrHours: null },
      ],
      flows: [],
    },
  ],
  production: [{ lineId: 'L1', factoryId: 'F1', productId: 'P1', ratePerHour: 30 }],
  bom: [
    { parentId: 'P1', componentId: 'C1', quantity: 1 },
    { parentId: 'P1', componentId: 'C2', quantity: 1 },
  ],
  products: [
    { id: 'P1', unitPrice: 100, unitCost: 40 },
    { id: 'C1', unitPrice: 5, unitCost: 2 },
    { id: 'C2', unitPrice: 5, unitCost: 2 },
    { id: 'C3', unitPrice: 5, unitCost: 2 },
  ],
  suppliers: [
    { id: 'S1', recoveryDays: 10 },
    { id: 'S2', recoveryDays: 3 },
    { id: 'S3', recoveryDays: null },
  ],
  supplies: [
    { supplierId: 'S1', productId: 'C1', leadTimeDays: 5, unitCost: 2 },
    { supplierId: 'S2', productId: 'C2', leadTimeDays: 5, unitCost: 2 },
    { supplierId: 'S3', productId: 'C3', leadTimeDays: 5, unitCost: 2 },
  ],
  stock: [
    { factoryId: 'F1', productId: 'C1', quantity: 960, safetyStock: 0 },
    { factoryId: 'F1', productId: 'C2', quantity: 4800, safetyStock: 0 },
  ],
  // C1: 960 on hand (2 days) + 960 on day 1 (in time) = 4 days; the one of day 5 comes too late
  shipments: [shipment('SH1', 'C1', 'S1', 960, 1), shipment('SH2', 'C1', 'S1', 960, 5)],
  // the 40 days of output, due on the last day
  orders: [
    { id: 'O1', factoryId: 'F1', productId: 'P1', quantity: 480 * 40, dueMs: START + 39 * DAY },
  ],
};

describe('risk exposure, hand-computed', () => {
  const rows = riskExposure(snapshot, { asOfMs: START, recoveryDays: 14, includeMitigated: false });
  const row = (id: string) => rows.find((r) => r.supplierId === id);

  it('when a sole supplier needs longer to recover than the network survives, then it is at risk', () => {
    expect(row('S1')).toMatchObject({ timeToSurvive: 4, timeToRecover: 10, atRisk: true });
    expect(row('S1')?.components).toEqual([
      { factoryId: 'F1', componentId: 'C1', dailyConsumption: 480, onHand: 960, timeToSurvive: 4 },
    ]);
  });

  it('when the network survives longer than the supplier needs, then it is not at risk and loses nothing', () => {
    expect(row('S2')).toMatchObject({ timeToSurvive: 10, timeToRecover: 3, atRisk: false });
    expect(row('S2')).toMatchObject({ revenueLost: 0, unitsShort: 0, riskExposureIndex: 0 });
  });

  it('when a supplier has no exposure, then its time to survive is unbounded and TTR is the default', () => {
    expect(row('S3')).toMatchObject({
      timeToSurvive: null,
      timeToRecover: 14,
      atRisk: false,
      components: [],
    });
  });

  it('when S1 is out 10 days, then 4 days without C1 (days 4 and 7 to 9) cost 1,920 units of P1', () => {
    // C1 over the outage: 960 + 960 (day 1) + 960 (day 5) = 2,880 = 6 days of 480, not 10
    expect(row('S1')?.unitsShort).toBeCloseTo(1920, 6);
    expect(row('S1')?.revenueLost).toBeCloseTo(192_000, 6);
    expect(row('S1')?.riskExposureIndex).toBe(1);
  });

  it('then suppliers rank by index, then by time to survive with unbounded last', () => {
    expect(rows.map((r) => r.supplierId)).toEqual(['S1', 'S2', 'S3']);
  });
});
