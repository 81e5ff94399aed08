/*
 * A small hand-written plant for the simulation snapshot's test (test/integration/
 * simulation-snapshot.test.ts): rows listed out of id order on purpose, and statements that remove
 * or rewrite a few properties behind the import's back (missing defaults, Neo4j temporals,
 * unparseable dates, a FEEDS across lines), as other writers may leave them.
 */

function shipment(
  id: string,
  supplierId: string,
  factoryId: string,
  productId: string,
  quantity: number,
  more: Record<string, string>,
) {
  return { id, supplierId, factoryId, productId, quantity, ...more };
}

function order(id: string, factoryId: string, quantity: number, dueDate: string) {
  return { id, factoryId, productId: 'P1', quantity, dueDate };
}

export const SNAPSHOT_PLANT = {
  factories: [
    { id: 'F1', name: 'Leipzig' },
    { id: 'F2', name: 'Puebla' },
    { id: 'F3', name: 'Chennai' },
  ],
  lines: [
    { id: 'L2', factoryId: 'F1', name: 'Paint' },
    { id: 'L1', factoryId: 'F1', name: 'Body', shiftsPerDay: 3, hoursPerShift: 7 },
    { id: 'L3', factoryId: 'F2', name: 'Body' },
  ],
  assets: [
    { id: 'A3', lineId: 'L1', name: 'Robot', kind: 'ROBOT', ratePerHour: 50, status: 'IDLE' },
    {
      ...{ id: 'A1', lineId: 'L1', name: 'Press', kind: 'PRESS', ratePerHour: 60 },
      ...{ mtbfHours: 400, mttrHours: 4 },
    },
    {
      ...{ id: 'A2', lineId: 'L1', name: 'Mill', kind: 'CNC', ratePerHour: 30, status: 'DOWN' },
      ...{ mtbfHours: 250.5, mttrHours: 0 },
    },
    { id: 'B1', lineId: 'L2', name: 'Booth', kind: 'PAINT_BOOTH', ratePerHour: 20 },
    { id: 'C1', lineId: 'L3', name: 'Press', kind: 'PRESS', ratePerHour: 10 },
  ],
  flows: [
    { from: 'A2', to: 'A3' },
    { from: 'A1', to: 'A3' },
    { from: 'A1', to: 'A2' },
  ],
  products: [
    { id: 'P3', name: 'Bolt' },
    { id: 'P1', name: 'Door', unitCost: 60, unitPrice: 100 },
    { id: 'P2', name: 'Sheet', unitCost: 3 },
  ],
  bom: [
    { parentId: 'P1', componentId: 'P3', quantity: 2 },
    { parentId: 'P1', componentId: 'P2', quantity: 4 },
  ],
  production: [
    { lineId: 'L2', productId: 'P1', ratePerHour: 20 },
    { lineId: 'L3', productId: 'P1', ratePerHour: 10 },
    { lineId: 'L1', productId: 'P1', ratePerHour: 40 },
  ],
  suppliers: [
    { id: 'S2', name: 'Beta' },
    { id: 'S1', name: 'Acme', country: 'PL', recoveryDays: 21 },
  ],
  supplies: [
    { supplierId: 'S2', productId: 'P3' },
    { supplierId: 'S1', productId: 'P2', leadTimeDays: 7, unitCost: 3.5 },
  ],
  inventory: [
    { factoryId: 'F1', productId: 'P3', quantity: 100 },
    { factoryId: 'F2', productId: 'P2', quantity: 10 },
    { factoryId: 'F1', productId: 'P2', quantity: 5000, safetyStock: 800 },
  ],
  shipments: [
    shipment('SH4', 'S1', 'F1', 'P2', 300, { status: 'DELAYED', eta: '2026-11-29' }),
    shipment('SH2', 'S2', 'F1', 'P3', 500, { eta: '2026-12-01T00:00:00Z' }),
    shipment('SH1', 'S1', 'F1', 'P2', 2000, {
      ...{ status: 'IN_TRANSIT', departedAt: '2026-11-20T08:00:00+01:00' },
      eta: '2026-11-27T08:00Z',
    }),
    shipment('SH5', 'S1', 'F1', 'P2', 40, { status: 'DELIVERED', eta: '2026-11-01T00:00:00Z' }),
    shipment('SH3', 'S1', 'F2', 'P2', 100, { eta: '2026-11-28' }),
  ],
  orders: [
    order('O4', 'F1', 50, '2026-12-07'),
    order('O5', 'F1', 70, '2026-12-07'),
    order('O1', 'F1', 300, '2026-12-05T00:00:00Z'),
    { ...order('O2', 'F1', 10, '2026-12-01'), status: 'FULFILLED' },
    order('O3', 'F2', 20, '2026-12-02'),
  ],
};

/** What the import cannot write, but a graph may hold (domain.md §1 allows DATETIME). */
export const BEHIND_THE_IMPORT = [
  "MATCH (l:Line {id: 'L2'}) REMOVE l.shiftsPerDay, l.hoursPerShift",
  "MATCH (a:Asset {id: 'B1'}) REMOVE a.status, a.ratePerHour",
  // a FEEDS across lines is not a flow of either line
  "MATCH (a:Asset {id: 'A3'}), (b:Asset {id: 'B1'}) CREATE (a)-[:FEEDS]->(b)",
  `MATCH (sh:Shipment {id: 'SH4'})
   SET sh.eta = datetime('2026-11-29T10:00:00+02:00'), sh.departedAt = date('2026-11-21')`,
  // local time has no zone: as unparseable as text that is no date
  `MATCH (sh:Shipment {id: 'SH5'})
   SET sh.eta = 'soon', sh.departedAt = localdatetime('2026-10-20T10:00')`,
  "MATCH (o:Order {id: 'O4'}) SET o.dueDate = datetime('2026-12-10T12:00:00Z')",
  "MATCH (o:Order {id: 'O5'}) SET o.dueDate = 'next week'",
];
