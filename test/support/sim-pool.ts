import type { EngineOptions, Scenario, Snapshot } from '../../src/simulation/model';
import { SimulationPool } from '../../src/simulation/pool';

/*
 * What the tests of the simulation pool share (test/integration/simulation-pool*.test.ts): a
 * hand-built plant whose stations fail at random, scenarios on it, and pools closed after each
 * test.
 */

export const START = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
export const options: EngineOptions = { alternativesMitigate: true };

/** Stations that fail about every 5 days and take half a day to repair, on average. */
const station = (id: string, ratePerHour: number) => ({
  id,
  status: 'RUNNING',
  ratePerHour,
  mtbfHours: 120,
  mttrHours: 12,
});

/**
 * F1: L1 makes P1 from 2 × C1 (bought from S1) over a serial line, L2 makes P2 over two parallel
 * stations. Orders due every day take about what the lines make, so failures show as shortfalls.
 */
export const snapshot: Snapshot = {
  factories: [{ id: 'F1' }],
  lines: [
    {
      id: 'L1',
      factoryId: 'F1',
      shiftsPerDay: 2,
      hoursPerShift: 8,
      stations: [station('A1', 60), station('A2', 50), station('A3', 55)],
      flows: [
        { from: 'A1', to: 'A2' },
        { from: 'A2', to: 'A3' },
      ],
    },
    {
      id: 'L2',
      factoryId: 'F1',
      shiftsPerDay: 3,
      hoursPerShift: 8,
      stations: [station('B1', 20), station('B2', 20)],
      flows: [],
    },
  ],
  production: [
    { lineId: 'L1', factoryId: 'F1', productId: 'P1', ratePerHour: 30 },
    { lineId: 'L2', factoryId: 'F1', productId: 'P2', ratePerHour: 40 },
  ],
  bom: [{ parentId: 'P1', componentId: 'C1', quantity: 2 }],
  products: [
    { id: 'P1', unitPrice: 100, unitCost: 40 },
    { id: 'P2', unitPrice: 60, unitCost: 25 },
    { id: 'C1', unitPrice: 5, unitCost: 2 },
  ],
  suppliers: [{ id: 'S1', recoveryDays: 10 }],
  supplies: [{ supplierId: 'S1', productId: 'C1', leadTimeDays: 7, unitCost: 2 }],
  stock: [
    { factoryId: 'F1', productId: 'C1', quantity: 5000, safetyStock: 1000 },
    { factoryId: 'F1', productId: 'P1', quantity: 200, safetyStock: 100 },
    { factoryId: 'F1', productId: 'P2', quantity: 100, safetyStock: 50 },
  ],
  shipments: [],
  orders: Array.from({ length: 20 }, (_, d) => [
    {
      id: `O1-${d}`,
      factoryId: 'F1',
      productId: 'P1',
      quantity: 450,
      dueMs: START + (d + 1) * DAY,
    },
    {
      id: `O2-${d}`,
      factoryId: 'F1',
      productId: 'P2',
      quantity: 900,
      dueMs: START + (d + 1) * DAY,
    },
  ]).flat(),
};

export const scenario = (over: Partial<Scenario> = {}): Scenario => ({
  startMs: START,
  horizonDays: 20,
  stepHours: 24,
  factoryIds: null,
  runs: 40,
  seed: 7,
  seriesProductIds: ['P1'],
  standingSupply: true,
  supplierOutages: [{ supplierId: 'S1', startDay: 2, days: 5 }],
  shipmentDelays: [],
  assetDowntimes: [{ assetId: 'B1', startDay: 3, hours: 48 }],
  maintenanceWindows: [],
  shiftChanges: [],
  demandChanges: [],
  ...over,
});

/** The pools of a test: `afterEach(closePools)` closes them whatever happens. */
const opened: SimulationPool[] = [];

export function pool(workers: number, filename?: string): SimulationPool {
  const made = new SimulationPool(workers, filename === undefined ? {} : { filename });
  opened.push(made);
  return made;
}

export async function closePools(): Promise<void> {
  await Promise.all(opened.splice(0).map((p) => p.close()));
}
