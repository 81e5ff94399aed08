import type { Section } from './document';

/** A twin-graph document as JSON: rows as plain records, so tests and tools can bend them. */
export type JsonDocument = Record<Section, Record<string, unknown>[]>;

/**
 * The example of domain.md §2, completed so that every reference resolves: product P2 (the
 * component) and asset A2 (the station A1 feeds) are added; A2 leaves out status and metrics.
 */
export function exampleDocument(): JsonDocument {
  return {
    factories: [
      {
        id: 'F1',
        name: 'Leipzig',
        country: 'DE',
        timezone: 'Europe/Berlin',
        lat: 51.34,
        lon: 12.37,
      },
    ],
    lines: [{ id: 'L1', factoryId: 'F1', name: 'Body shop', shiftsPerDay: 2, hoursPerShift: 8 }],
    assets: [
      {
        id: 'A1',
        lineId: 'L1',
        name: 'Press 1',
        kind: 'PRESS',
        status: 'RUNNING',
        ratePerHour: 60,
        mtbfHours: 400,
        mttrHours: 4,
        metrics: [{ name: 'temperature', unit: 'Cel', min: 0, max: 90 }],
      },
      { id: 'A2', lineId: 'L1', name: 'Welder 1', kind: 'ROBOT', ratePerHour: 50 },
    ],
    flows: [{ from: 'A1', to: 'A2' }],
    products: [
      { id: 'P1', sku: 'CAR-DOOR-L', name: 'Door, left', unitCost: 120, unitPrice: 310 },
      { id: 'P2', sku: 'STEEL-SHEET', name: 'Steel sheet', unitCost: 3.5 },
    ],
    bom: [{ parentId: 'P1', componentId: 'P2', quantity: 4 }],
    production: [{ lineId: 'L1', productId: 'P1', ratePerHour: 40 }],
    suppliers: [{ id: 'S1', name: 'Acme Steel', country: 'PL' }],
    supplies: [{ supplierId: 'S1', productId: 'P2', leadTimeDays: 7, unitCost: 3.5 }],
    inventory: [{ factoryId: 'F1', productId: 'P2', quantity: 5000, safetyStock: 800 }],
    shipments: [
      {
        id: 'SH1',
        supplierId: 'S1',
        factoryId: 'F1',
        productId: 'P2',
        quantity: 2000,
        status: 'IN_TRANSIT',
        departedAt: '2026-11-20T08:00:00Z',
        eta: '2026-11-27T08:00:00Z',
      },
    ],
    orders: [
      {
        id: 'O1',
        factoryId: 'F1',
        productId: 'P1',
        quantity: 300,
        customer: 'Retail EU',
        dueDate: '2026-12-05T00:00:00Z',
        status: 'OPEN',
      },
    ],
  };
}
