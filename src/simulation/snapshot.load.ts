import type { Graph, Row } from '../graph/executor';
import { asProps, asPropsList, num, optNum, optStr, str, type Props } from '../graph/props';
import { flow, lineShape, station, strings } from '../impact/impact.load';
import type { ProductionLink } from '../impact/quantities';
import { parseIsoDate } from '../twins/import/values';
import type { SimStation, Snapshot, SnapshotLine, SnapshotOrder, SnapshotShipment } from './model';
import { FLOW_FIELDS, SNAPSHOT, STATION_FIELDS, type SnapshotPart } from './simulation.cypher';

/*
 * Typed reads of the snapshot statement's rows (simulation.cypher.ts): defaults of domain.md §1
 * applied, times turned into epoch milliseconds. One round trip.
 */

/**
 * The part of the graph a simulation works on (model.ts `Snapshot`): `factoryIds` null for every
 * factory, else those that exist of the ones named.
 */
export async function loadSnapshot(graph: Graph, factoryIds: string[] | null): Promise<Snapshot> {
  const rows: Row[] = await graph.read(SNAPSHOT, { factoryIds });
  const lines: { line: SnapshotLine; production: ProductionLink[] }[] = [];
  const parts = new Map<string, Props[]>();
  let factories: string[] = [];
  for (const row of rows) {
    const part = str(row, 'part');
    if (part === 'factories') factories = strings(row['value']);
    else if (part === 'line') lines.push(snapshotLine(asProps(row['value'])));
    else parts.set(part, asPropsList(row['value']));
  }
  // rows of lines come in no particular order (simulation.cypher.ts)
  lines.sort((a, b) => compareIds(a.line.id, b.line.id));
  const part = (name: Exclude<SnapshotPart, 'factories' | 'line'>): Props[] =>
    parts.get(name) ?? [];
  return {
    factories: factories.map((id) => ({ id })),
    lines: lines.map((l) => l.line),
    production: lines.flatMap((l) => l.production),
    bom: part('bom').map((b) => ({
      parentId: str(b, 'parentId'),
      componentId: str(b, 'componentId'),
      quantity: num(b, 'quantity', 0),
    })),
    products: part('products').map((p) => ({
      id: str(p, 'id'),
      unitPrice: num(p, 'unitPrice', 0),
      unitCost: num(p, 'unitCost', 0),
    })),
    suppliers: part('suppliers').map((s) => ({
      id: str(s, 'id'),
      recoveryDays: optNum(s, 'recoveryDays'),
    })),
    supplies: part('supplies').map((s) => ({
      supplierId: str(s, 'supplierId'),
      productId: str(s, 'productId'),
      leadTimeDays: optNum(s, 'leadTimeDays'),
      unitCost: optNum(s, 'unitCost'),
    })),
    stock: part('stock').map((s) => ({
      factoryId: str(s, 'factoryId'),
      productId: str(s, 'productId'),
      quantity: num(s, 'quantity', 0),
      safetyStock: num(s, 'safetyStock', 0),
    })),
    shipments: part('shipments').map(shipment),
    orders: part('orders').flatMap(order),
  };
}

/** Cypher's ORDER BY on strings: by UTF-16 code units, not by locale. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A tuple of the statement (a list of values in the order of `fields`) as a property map. */
function fromTuple(fields: readonly string[], value: unknown): Props {
  if (!Array.isArray(value)) throw new TypeError(`expected a list, got ${typeof value}`);
  const list: unknown[] = value;
  return Object.fromEntries(fields.map((field, i) => [field, list[i]]));
}

const tuples = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function snapshotLine(p: Props): { line: SnapshotLine; production: ProductionLink[] } {
  const id = str(p, 'id');
  const factoryId = str(p, 'factoryId');
  return {
    line: {
      id,
      factoryId,
      ...lineShape(p),
      stations: tuples(p['stations']).map((t) => simStation(fromTuple(STATION_FIELDS, t))),
      flows: tuples(p['flows']).map((t) => flow(fromTuple(FLOW_FIELDS, t))),
    },
    production: asPropsList(p['produces']).map((pr) => ({
      lineId: id,
      factoryId,
      productId: str(pr, 'productId'),
      ratePerHour: num(pr, 'ratePerHour', 0),
    })),
  };
}

function simStation(p: Props): SimStation {
  return { ...station(p), mtbfHours: optNum(p, 'mtbfHours'), mttrHours: optNum(p, 'mttrHours') };
}

function shipment(p: Props): SnapshotShipment {
  return {
    id: str(p, 'id'),
    supplierId: optStr(p, 'supplierId'),
    factoryId: optStr(p, 'factoryId'),
    productId: optStr(p, 'productId'),
    quantity: num(p, 'quantity', 0),
    // as stored; one written without a status is in the first state of its lifecycle, as the
    // import would have written it
    status: optStr(p, 'status') ?? 'PLANNED',
    departedAtMs: epochMs(p['departedAt']),
    etaMs: epochMs(p['eta']),
  };
}

/** An order without a product or a due date cannot be filled by date, so it is left out. */
function order(p: Props): SnapshotOrder[] {
  const productId = optStr(p, 'productId');
  const dueMs = epochMs(p['dueDate']);
  if (productId === null || dueMs === null) return [];
  return [
    {
      id: str(p, 'id'),
      factoryId: str(p, 'factoryId'),
      productId,
      quantity: num(p, 'quantity', 0),
      dueMs,
    },
  ];
}

/**
 * A stored time (the statement turned temporals into epoch ms) as epoch ms; null when missing or
 * not a date. Strings go through the import's own parser, not Date.parse, which would read a time
 * without a zone in the server's local zone.
 */
export function epochMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const parsed = parseIsoDate(value);
  return parsed.ok ? Date.parse(parsed.iso) : null;
}

/**
 * Has Neo4j plan the snapshot statement for both kinds of `factoryIds` (null and a list) before
 * the first simulation asks: planning it took seconds on first use, which the first `simulate`
 * or `riskExposure` after a start paid. The list variant runs on no factory (nothing to read);
 * the null one is only explained, so the whole network is not read at start.
 */
export async function warmUpSnapshot(graph: Graph): Promise<void> {
  await graph.read(`EXPLAIN ${SNAPSHOT}`, { factoryIds: null });
  await loadSnapshot(graph, []);
}
