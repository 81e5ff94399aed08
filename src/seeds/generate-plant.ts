import { isoAfter, type AssetKind, type SeedDocument } from './document';
import type { Catalog } from './generate-catalog';
import { metricsFor, RELIABILITY_BY_KIND } from './metrics';
import type { Rng } from '../domain/prng';

/*
 * One generated factory: lines for a few finished goods and every sub-assembly they need, each
 * line a chain of stages with parallel stations, then inventory, inbound shipments and orders
 * sized on the factory's own nominal consumption.
 */

export interface City {
  name: string;
  country: string;
  timezone: string;
  lat: number;
  lon: number;
}

/** About 2,000 twins per factory: ~530 assets with ~2.6 metrics each, plus lines, shipments, orders. */
const ASSETS_PER_FACTORY = 530;
const SHIPMENTS_PER_FACTORY = 40;
const ORDERS_PER_FACTORY = 25;

const STAGE_KINDS: Readonly<Record<AssetKind, number>> = {
  PRESS: 3,
  CNC: 3,
  ROBOT: 5,
  CONVEYOR: 3,
  OVEN: 1,
  WELDER: 3,
  PAINT_BOOTH: 1,
};
const KIND_NAMES: Readonly<Record<AssetKind, string>> = {
  PRESS: 'Press',
  CNC: 'CNC machine',
  ROBOT: 'Robot',
  CONVEYOR: 'Conveyor',
  OVEN: 'Oven',
  WELDER: 'Welding cell',
  PAINT_BOOTH: 'Paint booth',
};
const CUSTOMERS = ['Volta Motors', 'Autonorte', 'Bharat Motors', 'Kaveri EV', 'Aftermarket'];

export interface PlantInput {
  rng: Rng;
  catalog: Catalog;
  index: number;
  width: number;
  city: City;
  name: string;
  /** Anchor for shipment times (ms, full hour) and for due dates (ms, UTC midnight). */
  anchor: number;
  midnight: number;
}

/** Appends factory `index` of the network to `doc`. */
export function addPlant(doc: SeedDocument, input: PlantInput): void {
  const { rng, catalog, city } = input;
  const code = String(input.index + 1).padStart(input.width, '0');
  const factoryId = `F-${code}`;
  doc.factories.push({
    id: factoryId,
    name: input.name,
    country: city.country,
    timezone: city.timezone,
    lat: Math.round((city.lat + rng.between(-0.05, 0.05)) * 1e4) / 1e4,
    lon: Math.round((city.lon + rng.between(-0.05, 0.05)) * 1e4) / 1e4,
  });

  // what the factory makes: a few finished goods and the closure of their sub-assemblies
  const finished = rng.sample(catalog.finishedGoods, rng.int(2, 4));
  const subassemblies: string[] = [];
  const seen = new Set(finished);
  for (let i = 0; i < finished.length + subassemblies.length; i++) {
    const parent = i < finished.length ? finished[i] : subassemblies[i - finished.length];
    for (const r of catalog.requires.get(parent ?? '') ?? []) {
      if (catalog.made.has(r.componentId) && !seen.has(r.componentId)) {
        seen.add(r.componentId);
        subassemblies.push(r.componentId);
      }
    }
  }
  const groups: string[][] = finished.map((p) => [p]);
  for (let i = 0; i < subassemblies.length;) {
    const n = Math.min(rng.int(1, 2), subassemblies.length - i);
    groups.push(subassemblies.slice(i, i + n));
    i += n;
  }

  const output = new Map<string, number>(); // product → nominal units per day
  groups.forEach((products, l) => {
    const lineId = `L-${code}-${String(l + 1).padStart(2, '0')}`;
    const shiftsPerDay = rng.chance(0.4) ? 3 : 2;
    doc.lines.push({
      id: lineId,
      factoryId,
      name: `${l < finished.length ? 'Assembly' : 'Sub-assembly'} line ${l + 1}`,
      shiftsPerDay,
      hoursPerShift: 8,
    });
    const stations = Math.max(
      4,
      Math.round((ASSETS_PER_FACTORY / groups.length) * rng.between(0.8, 1.2)),
    );
    const rate = addStations(doc, rng, lineId, stations);
    const share = (rate * rng.between(0.75, 0.95)) / products.length;
    for (const productId of products) {
      const ratePerHour = Math.round(share * 10) / 10;
      doc.production.push({ lineId, productId, ratePerHour });
      output.set(productId, (output.get(productId) ?? 0) + ratePerHour * shiftsPerDay * 8);
    }
  });

  const consumption = new Map<string, number>();
  for (const [productId, perDay] of output) {
    for (const r of catalog.requires.get(productId) ?? []) {
      consumption.set(r.componentId, (consumption.get(r.componentId) ?? 0) + perDay * r.quantity);
    }
  }
  addStock(doc, rng, factoryId, consumption, catalog.made, finished, output);
  addShipments(doc, input, factoryId, code, consumption);
  addOrders(doc, input, factoryId, code, finished, output);
}

/** Stations in stages of 1-3 parallel machines, every one feeding the whole next stage. */
function addStations(doc: SeedDocument, rng: Rng, lineId: string, count: number): number {
  const rate = Math.round(rng.between(20, 120));
  const prefix = lineId.replace(/^L-/, 'A-');
  let previous: string[] = [];
  let n = 0;
  while (n < count) {
    const parallel = rng.weighted({ one: 55, two: 30, three: 15 });
    const width = Math.min(count - n, parallel === 'one' ? 1 : parallel === 'two' ? 2 : 3);
    const kind = rng.weighted(STAGE_KINDS);
    const stageRate = (rate * rng.between(1.05, 1.6)) / width;
    const stage: string[] = [];
    for (let k = 0; k < width; k++) {
      n += 1;
      const id = `${prefix}-${String(n).padStart(3, '0')}`;
      const reliability = RELIABILITY_BY_KIND[kind];
      doc.assets.push({
        id,
        lineId,
        name: `${KIND_NAMES[kind]} ${n}`,
        kind,
        status: rng.weighted({ RUNNING: 90, IDLE: 5, MAINTENANCE: 3, DOWN: 2 }),
        ratePerHour: Math.round(stageRate * 10) / 10,
        mtbfHours: Math.round(reliability.mtbf * rng.between(0.7, 1.3)),
        mttrHours: Math.round(reliability.mttr * rng.between(0.7, 1.3) * 10) / 10,
        metrics: metricsFor(kind, rng.int(2, 4)),
      });
      for (const from of previous) doc.flows.push({ from, to: id });
      stage.push(id);
    }
    previous = stage;
  }
  return rate;
}

const units = (x: number) => Math.max(1, x < 100 ? Math.round(x) : Math.round(x / 10) * 10);

function addStock(
  doc: SeedDocument,
  rng: Rng,
  factoryId: string,
  consumption: Map<string, number>,
  made: Set<string>,
  finished: string[],
  output: Map<string, number>,
): void {
  for (const [productId, perDay] of consumption) {
    const inHouse = made.has(productId);
    const cover = inHouse
      ? rng.between(0.3, 1.5)
      : rng.chance(0.12)
        ? rng.between(1.5, 5)
        : rng.between(7, 30);
    doc.inventory.push({
      factoryId,
      productId,
      quantity: units(perDay * cover),
      safetyStock: units(perDay * (inHouse ? 0.5 : rng.between(3, 7))),
    });
  }
  for (const productId of finished) {
    const perDay = output.get(productId) ?? 0;
    doc.inventory.push({
      factoryId,
      productId,
      quantity: units(perDay / 2),
      safetyStock: units(perDay / 4),
    });
  }
}

function addShipments(
  doc: SeedDocument,
  input: PlantInput,
  factoryId: string,
  code: string,
  consumption: Map<string, number>,
): void {
  const { rng, catalog } = input;
  const bought = [...consumption.keys()].filter((p) => catalog.sources.has(p));
  if (bought.length === 0) return;
  for (let i = 0; i < SHIPMENTS_PER_FACTORY; i++) {
    const productId = rng.pick(bought);
    const status = rng.weighted({
      IN_TRANSIT: 40,
      PLANNED: 25,
      DELIVERED: 20,
      DELAYED: 10,
      CANCELLED: 5,
    });
    let depart: number;
    let eta: number;
    if (status === 'IN_TRANSIT') [depart, eta] = [-rng.between(1, 25), rng.between(0.5, 14)];
    else if (status === 'DELAYED') [depart, eta] = [-rng.between(5, 30), rng.between(1, 10)];
    else if (status === 'DELIVERED') {
      eta = -rng.between(0.5, 20);
      depart = eta - rng.between(1, 25);
    } else {
      depart = rng.between(0.5, 10);
      eta = depart + rng.between(1, 30);
    }
    doc.shipments.push({
      id: `SH-${code}-${String(i + 1).padStart(4, '0')}`,
      supplierId: rng.pick(catalog.sources.get(productId) ?? []),
      factoryId,
      productId,
      quantity: units((consumption.get(productId) ?? 0) * rng.between(3, 20)),
      status,
      departedAt: isoAfter(input.anchor, depart),
      eta: isoAfter(input.anchor, eta),
    });
  }
}

function addOrders(
  doc: SeedDocument,
  input: PlantInput,
  factoryId: string,
  code: string,
  finished: string[],
  output: Map<string, number>,
): void {
  const { rng } = input;
  for (let i = 0; i < ORDERS_PER_FACTORY; i++) {
    const productId = rng.pick(finished);
    const status = rng.weighted({ OPEN: 80, FULFILLED: 15, CANCELLED: 5 });
    const due = status === 'FULFILLED' ? -rng.int(1, 30) : rng.int(1, 42);
    doc.orders.push({
      id: `O-${code}-${String(i + 1).padStart(4, '0')}`,
      factoryId,
      productId,
      quantity: units((output.get(productId) ?? 0) * rng.between(1, 8)),
      customer: `${rng.pick(CUSTOMERS)} ${input.city.name}`,
      dueDate: isoAfter(input.midnight, due),
      status,
    });
  }
}
