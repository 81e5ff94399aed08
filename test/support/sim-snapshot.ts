import type { Snapshot, SnapshotLine } from '../../src/simulation/model';

/*
 * A synthetic snapshot of any size, built in memory (no Neo4j), for tests and measurements that
 * need the engine to work hard: the pool's tests of a single long run. Deterministic: the same
 * sizes give the same snapshot.
 *
 * Each factory has `lines` lines of 4 serial stations that fail at random (mtbf 200 h, mttr 8 h).
 * Line i makes finished product P<i> from 2 × sub-assembly S<i> (made on the same line) and 1 ×
 * purchased C<i mod 3>; S<i> takes 3 × C<(i+1) mod 3>. Each finished product has an order of 220
 * due every day of `days`, below what its line makes without failures (about 300 a day), so that
 * failures and outages make some orders late rather than all of them.
 */

export interface SyntheticSizes {
  factories: number;
  lines: number;
  /** Days covered by the orders (from startMs). */
  days: number;
  startMs: number;
}

const DAY_MS = 86_400_000;

export function syntheticSnapshot(sizes: SyntheticSizes): Snapshot {
  const { factories, lines, days, startMs } = sizes;
  const factoryIds = Array.from({ length: factories }, (_, f) => `F${f}`);
  const snapshot: Snapshot = {
    factories: factoryIds.map((id) => ({ id })),
    lines: [],
    production: [],
    bom: [],
    products: [],
    suppliers: [
      { id: 'S0', recoveryDays: 14 },
      { id: 'S1', recoveryDays: 30 },
    ],
    supplies: [],
    stock: [],
    shipments: [],
    orders: [],
  };
  for (let c = 0; c < 3; c += 1) {
    snapshot.products.push({ id: `C${c}`, unitPrice: 4, unitCost: 2 });
    snapshot.supplies.push({
      supplierId: `S${c % 2}`,
      productId: `C${c}`,
      leadTimeDays: 10,
      unitCost: 2,
    });
  }
  for (let i = 0; i < lines; i += 1) {
    snapshot.products.push({ id: `P${i}`, unitPrice: 120, unitCost: 50 });
    snapshot.products.push({ id: `S${i}`, unitPrice: 30, unitCost: 12 });
    snapshot.bom.push({ parentId: `P${i}`, componentId: `S${i}`, quantity: 2 });
    snapshot.bom.push({ parentId: `P${i}`, componentId: `C${i % 3}`, quantity: 1 });
    snapshot.bom.push({ parentId: `S${i}`, componentId: `C${(i + 1) % 3}`, quantity: 3 });
  }
  for (const factoryId of factoryIds) {
    for (let i = 0; i < lines; i += 1) {
      snapshot.lines.push(line(`${factoryId}-L${i}`, factoryId));
      const lineId = `${factoryId}-L${i}`;
      snapshot.production.push({ lineId, factoryId, productId: `P${i}`, ratePerHour: 20 });
      snapshot.production.push({ lineId, factoryId, productId: `S${i}`, ratePerHour: 45 });
      snapshot.stock.push({ factoryId, productId: `P${i}`, quantity: 300, safetyStock: 100 });
      snapshot.stock.push({ factoryId, productId: `S${i}`, quantity: 200, safetyStock: 50 });
      for (let d = 0; d < days; d += 1) {
        snapshot.orders.push({
          id: `${factoryId}-O${i}-${d}`,
          factoryId,
          productId: `P${i}`,
          quantity: 220,
          dueMs: startMs + (d + 1) * DAY_MS,
        });
      }
    }
    for (let c = 0; c < 3; c += 1)
      snapshot.stock.push({ factoryId, productId: `C${c}`, quantity: 4000, safetyStock: 1000 });
  }
  return snapshot;
}

function line(id: string, factoryId: string): SnapshotLine {
  const stations = Array.from({ length: 4 }, (_, s) => ({
    id: `${id}-A${s}`,
    status: 'RUNNING',
    ratePerHour: 40 + 5 * s,
    mtbfHours: 200,
    mttrHours: 8,
  }));
  const flows = stations.slice(1).map((to, s) => ({ from: stations[s]?.id ?? '', to: to.id }));
  return { id, factoryId, shiftsPerDay: 2, hoursPerShift: 8, stations, flows };
}
