import { capacityFactors, dailyConsumption, hoursPerDay } from './capacity';
import { DEMO_FACTORIES, DEMO_LINES, type LineSpec } from './demo-plants';
import { DEMO_BOM, DEMO_PRODUCTS, DEMO_SUPPLIERS, DEMO_SUPPLIES } from './demo-supply';
import type { OrderStatus, ShipmentStatus } from '../domain/enums';
import type { AssetInput } from '../twins/import/document';
import { anchorHour, isoAfter, type Complete, type SeedDocument } from './document';
import { metricsFor, RELIABILITY_BY_KIND } from './metrics';

/*
 * The demo plant network (seeds/README.md tells the story). Everything is fixed except the times:
 * shipments and orders are placed relative to `now`, so a demo started any day has shipments
 * arriving in the next days and orders due in the coming weeks.
 */

export interface DemoOptions {
  /** Reference instant (default: the current time), floored to the full UTC hour. */
  now?: Date;
}

/** Days of consumption on hand per factory and product; anything not listed has 12 days. */
const COVER_DAYS: Record<string, Record<string, number>> = {
  'F-LEI': {
    'P-MOTOR': 2.5,
    'P-SEALANT': 4,
    'P-COOLPLATE': 6,
    'P-GLASS': 7,
    'P-AL-EXTR': 8,
    'P-HARNESS': 9,
    'P-STEEL-COIL': 10,
    'P-FASTENER': 20,
    'P-SHELL-L': 0.5,
    'P-SHELL-R': 0.5,
    'P-WIN-REG': 0.75,
  },
  'F-PUE': {
    'P-HARNESS': 4,
    'P-LOCK': 4,
    'P-SEAL': 5,
    'P-MOTOR': 6,
    'P-STEEL-COIL': 8,
    'P-SEALANT': 9,
    'P-FASTENER': 25,
    'P-SHELL-L': 0.5,
    'P-SHELL-R': 0.5,
    'P-WIN-REG': 0.75,
  },
  'F-CHE': {
    'P-RECLINER': 3,
    'P-BALLCAGE': 5,
    'P-STEEL-TUBE': 9,
    'P-POWDER': 10,
    'P-WELD-WIRE': 20,
    'P-FASTENER': 30,
    'P-SEAT-RAIL': 1,
    'P-SEAT-BACK': 0.5,
  },
};
const DEFAULT_COVER_DAYS = 12;
const SAFETY_DAYS = 5;
const SUBASSEMBLY_SAFETY_DAYS = 0.5;

type ShipmentSpec = [
  id: string,
  supplierId: string,
  productId: string,
  daysOfConsumption: number,
  status: ShipmentStatus,
  departDays: number,
  etaDays: number,
];

/** Inbound shipments; the factory is in the id, quantities are days of that factory's use. */
const SHIPMENTS: ShipmentSpec[] = [
  ['SH-LEI-MOTOR-0', 'S-KIMOTO', 'P-MOTOR', 10, 'DELIVERED', -34, -6],
  ['SH-LEI-MOTOR-1', 'S-KIMOTO', 'P-MOTOR', 8, 'IN_TRANSIT', -19, 9],
  ['SH-LEI-MOTOR-2', 'S-KIMOTO', 'P-MOTOR', 12, 'PLANNED', 3, 31],
  ['SH-LEI-HARNESS-1', 'S-ATLAS', 'P-HARNESS', 8, 'IN_TRANSIT', -4, 1.5],
  ['SH-LEI-SEALANT-1', 'S-POLYBOND', 'P-SEALANT', 10, 'PLANNED', 1, 3],
  ['SH-LEI-COOLPLATE-1', 'S-THERMEX', 'P-COOLPLATE', 10, 'DELAYED', -32, 6],
  ['SH-LEI-AL-EXTR-1', 'S-NORDAL', 'P-AL-EXTR', 7, 'IN_TRANSIT', -3, 2],
  ['SH-LEI-STEEL-COIL-1', 'S-ELBE', 'P-STEEL-COIL', 5, 'DELIVERED', -3, -1],
  ['SH-LEI-STEEL-COIL-2', 'S-ELBE', 'P-STEEL-COIL', 5, 'IN_TRANSIT', -1, 1],
  ['SH-LEI-GLASS-1', 'S-VITRA', 'P-GLASS', 6, 'IN_TRANSIT', -2, 1],
  ['SH-LEI-SEAL-1', 'S-HANSE', 'P-SEAL', 6, 'PLANNED', 2, 4],
  ['SH-LEI-CABLE-1', 'S-BOWDEN', 'P-CABLE', 10, 'DELIVERED', -6, -3],
  ['SH-LEI-ECOAT-1', 'S-COLORIA', 'P-ECOAT', 10, 'CANCELLED', 2, 8],
  ['SH-PUE-HARNESS-1', 'S-ATLAS', 'P-HARNESS', 10, 'IN_TRANSIT', -12, 2.5],
  ['SH-PUE-HARNESS-2', 'S-ATLAS', 'P-HARNESS', 10, 'PLANNED', 4, 16],
  ['SH-PUE-MOTOR-1', 'S-KIMOTO', 'P-MOTOR', 5, 'IN_TRANSIT', -22, 3],
  ['SH-PUE-LOCK-1', 'S-LOCKWELL', 'P-LOCK', 8, 'DELAYED', -6, 3],
  ['SH-PUE-STEEL-COIL-1', 'S-ACERO', 'P-STEEL-COIL', 6, 'IN_TRANSIT', -1, 1],
  ['SH-PUE-GLASS-1', 'S-CRISTAL', 'P-GLASS', 5, 'DELIVERED', -2, -1],
  ['SH-PUE-SEAL-1', 'S-HANSE', 'P-SEAL', 10, 'IN_TRANSIT', -14, 4],
  ['SH-PUE-SEALANT-1', 'S-POLYBOND', 'P-SEALANT', 8, 'IN_TRANSIT', -10, 8],
  ['SH-PUE-AL-EXTR-1', 'S-NORDAL', 'P-AL-EXTR', 10, 'DELAYED', -20, 5],
  ['SH-CHE-RECLINER-1', 'S-HANSEI', 'P-RECLINER', 8, 'DELAYED', -9, 9],
  ['SH-CHE-RECLINER-2', 'S-HANSEI', 'P-RECLINER', 10, 'PLANNED', 6, 20],
  ['SH-CHE-BALLCAGE-1', 'S-DECCAN', 'P-BALLCAGE', 5, 'IN_TRANSIT', -0.5, 1.5],
  ['SH-CHE-STEEL-COIL-1', 'S-KAVERI', 'P-STEEL-COIL', 7, 'IN_TRANSIT', -1, 2],
  ['SH-CHE-STEEL-TUBE-1', 'S-KAVERI', 'P-STEEL-TUBE', 7, 'DELIVERED', -4, -2],
  ['SH-CHE-POWDER-1', 'S-COLORIA', 'P-POWDER', 15, 'IN_TRANSIT', -18, 7],
  ['SH-CHE-FASTENER-1', 'S-DECCAN', 'P-FASTENER', 20, 'PLANNED', 1, 2],
];

type OrderSpec = [
  id: string,
  productId: string,
  customer: string,
  quantity: number,
  dueDays: number,
  status: OrderStatus,
];

/** Customer orders; the factory is in the id, due dates are midnights UTC after today. */
const ORDERS: OrderSpec[] = [
  ['O-LEI-0998', 'P-DOOR-L', 'Volta Motors Zwickau', 1400, -3, 'FULFILLED'],
  ['O-LEI-0999', 'P-TRAY', 'Volta Motors EV Dresden', 700, -2, 'FULFILLED'],
  ['O-LEI-1001', 'P-DOOR-L', 'Volta Motors Zwickau', 1400, 4, 'OPEN'],
  ['O-LEI-1002', 'P-DOOR-R', 'Volta Motors Zwickau', 1400, 4, 'OPEN'],
  ['O-LEI-1003', 'P-DOOR-L', 'Volta Motors Zwickau', 2400, 11, 'OPEN'],
  ['O-LEI-1004', 'P-DOOR-R', 'Volta Motors Zwickau', 2400, 11, 'OPEN'],
  ['O-LEI-1005', 'P-TRAY', 'Volta Motors EV Dresden', 800, 6, 'OPEN'],
  ['O-LEI-1006', 'P-TRAY', 'Volta Motors EV Dresden', 1500, 20, 'OPEN'],
  ['O-LEI-1007', 'P-DOOR-L', 'Aftermarket EU', 300, 25, 'OPEN'],
  ['O-PUE-1999', 'P-DOOR-R', 'Autonorte Puebla', 1200, -4, 'FULFILLED'],
  ['O-PUE-2001', 'P-DOOR-L', 'Autonorte Puebla', 1200, 3, 'OPEN'],
  ['O-PUE-2002', 'P-DOOR-R', 'Autonorte Puebla', 1200, 3, 'OPEN'],
  ['O-PUE-2003', 'P-DOOR-L', 'Volta Motors Saltillo', 2000, 9, 'OPEN'],
  ['O-PUE-2004', 'P-DOOR-R', 'Volta Motors Saltillo', 2000, 9, 'OPEN'],
  ['O-PUE-2005', 'P-DOOR-L', 'Autonorte Puebla', 2400, 18, 'OPEN'],
  ['O-CHE-2998', 'P-SEAT-F', 'Bharat Motors Pune', 900, 8, 'CANCELLED'],
  ['O-CHE-2999', 'P-SEAT-F', 'Bharat Motors Chennai', 1500, -1, 'FULFILLED'],
  ['O-CHE-3001', 'P-SEAT-F', 'Bharat Motors Chennai', 1800, 5, 'OPEN'],
  ['O-CHE-3002', 'P-SEAT-F', 'Kaveri EV Hosur', 2500, 12, 'OPEN'],
  ['O-CHE-3003', 'P-SEAT-F', 'Bharat Motors Pune', 3200, 26, 'OPEN'],
];

/** `F-LEI` for ids like `SH-LEI-MOTOR-1` and `O-LEI-1001`. */
function factoryOf(id: string): string {
  return `F-${id.split('-')[1] ?? ''}`;
}

/** Stock counts as whole units; big ones rounded to tens, as a stock report would show them. */
function units(x: number): number {
  return x < 100 ? Math.max(1, Math.round(x)) : Math.round(x / 10) * 10;
}

function lineStations(spec: LineSpec): Pick<SeedDocument, 'assets' | 'flows'> {
  const prefix = `A-${spec.id.replace(/^L-/, '')}`;
  const assets = spec.stations.map((s, i): Complete<AssetInput> => {
    const r = RELIABILITY_BY_KIND[s.kind];
    const spread = 0.85 + ((i * 7 + spec.id.length) % 7) * 0.05; // stable, varies per station
    return {
      id: `${prefix}-${s.key}`,
      lineId: spec.id,
      name: s.name,
      kind: s.kind,
      status: s.status ?? 'RUNNING',
      ratePerHour: s.rate,
      mtbfHours: Math.round(r.mtbf * spread),
      mttrHours: Math.round(r.mttr * spread * 10) / 10,
      metrics: metricsFor(s.kind),
    };
  });
  const flows = spec.stages
    .slice(1)
    .flatMap((stage, i) =>
      (spec.stages[i] ?? []).flatMap((from) =>
        stage.map((to) => ({ from: `${prefix}-${from}`, to: `${prefix}-${to}` })),
      ),
    );
  return { assets, flows };
}

/** The demo plant network as a twin-graph document (docs/import-format.md). */
export function buildDemoDocument(options: DemoOptions = {}): SeedDocument {
  const anchor = anchorHour(options.now ?? new Date());
  const midnight = Math.floor(anchor / 86_400_000) * 86_400_000;
  const stations = DEMO_LINES.map(lineStations);
  const doc: SeedDocument = {
    factories: DEMO_FACTORIES.map((f) => ({ ...f })),
    lines: DEMO_LINES.map(({ id, factoryId, name, shiftsPerDay, hoursPerShift }) => ({
      id,
      factoryId,
      name,
      shiftsPerDay,
      hoursPerShift,
    })),
    assets: stations.flatMap((s) => s.assets),
    flows: stations.flatMap((s) => s.flows),
    products: DEMO_PRODUCTS.map((p) => ({ ...p })),
    bom: DEMO_BOM.map((b) => ({ ...b })),
    production: DEMO_LINES.flatMap((l) => l.produces.map((p) => ({ lineId: l.id, ...p }))),
    suppliers: DEMO_SUPPLIERS.map((s) => ({ ...s })),
    supplies: DEMO_SUPPLIES.map((s) => ({ ...s })),
    inventory: [],
    shipments: [],
    orders: [],
  };

  const consumption = dailyConsumption(doc);
  const perDay = (factoryId: string, productId: string): number =>
    consumption.get(factoryId)?.get(productId) ?? 0;
  const madeInHouse = new Set(doc.production.map((p) => p.productId));
  for (const [factoryId, byProduct] of consumption) {
    for (const [productId, cons] of byProduct) {
      const cover = COVER_DAYS[factoryId]?.[productId] ?? DEFAULT_COVER_DAYS;
      const safety = madeInHouse.has(productId) ? SUBASSEMBLY_SAFETY_DAYS : SAFETY_DAYS;
      doc.inventory.push({
        factoryId,
        productId,
        quantity: units(cons * cover),
        safetyStock: units(cons * safety),
      });
    }
  }
  doc.inventory.push(...finishedGoodsStock(doc));

  doc.shipments = SHIPMENTS.map(([id, supplierId, productId, days, status, dep, eta]) => ({
    id,
    supplierId,
    factoryId: factoryOf(id),
    productId,
    quantity: units(perDay(factoryOf(id), productId) * days),
    status,
    departedAt: isoAfter(anchor, dep),
    eta: isoAfter(anchor, eta),
  }));
  doc.orders = ORDERS.map(([id, productId, customer, quantity, due, status]) => ({
    id,
    factoryId: factoryOf(id),
    productId,
    quantity,
    customer,
    dueDate: isoAfter(midnight, due),
    status,
  }));
  return doc;
}

/** Half a day of each finished good's output in the warehouse of the factory that makes it. */
function finishedGoodsStock(doc: SeedDocument): SeedDocument['inventory'] {
  const usedAsComponent = new Set(doc.bom.map((b) => b.componentId));
  const factors = capacityFactors(doc);
  const lines = new Map(doc.lines.map((l) => [l.id, l]));
  const output = new Map<string, number>();
  for (const p of doc.production) {
    const line = lines.get(p.lineId);
    if (line === undefined || usedAsComponent.has(p.productId)) continue;
    const key = `${line.factoryId}|${p.productId}`;
    const out = p.ratePerHour * hoursPerDay(line) * (factors.get(line.id) ?? 1);
    output.set(key, (output.get(key) ?? 0) + out);
  }
  return [...output].map(([key, out]) => {
    const [factoryId = '', productId = ''] = key.split('|');
    return { factoryId, productId, quantity: units(out / 2), safetyStock: units(out / 4) };
  });
}
