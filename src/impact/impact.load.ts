import type { Graph, Row } from '../graph/executor';
import { asProps, asPropsList, num, optNum, optStr, str, type Props } from '../graph/props';
import { CLOSURE, CONSUMPTION_INPUTS, LINE_SHAPES } from './impact.cypher';
import type { Flow, LineShape, Station } from './quantities';

/*
 * Typed reads of the impact statements' rows. Each function is one round trip.
 */

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function station(p: Props): Station {
  return {
    id: str(p, 'id'),
    status: optStr(p, 'status') ?? 'RUNNING',
    ratePerHour: num(p, 'ratePerHour', 0),
  };
}

export function flow(p: Props): Flow {
  return { from: str(p, 'from'), to: str(p, 'to') };
}

export function lineShape(p: Props): LineShape {
  return { shiftsPerDay: num(p, 'shiftsPerDay', 2), hoursPerShift: num(p, 'hoursPerShift', 8) };
}

export interface LineData {
  line: Props;
  factoryId: string;
  stations: Station[];
  flows: Flow[];
}

export interface ConsumptionUse {
  factoryId: string;
  lineId: string;
  productId: string;
  componentId: string;
  ratePerHour: number;
  quantity: number;
}

export interface InboundShipment {
  id: string;
  factoryId: string;
  componentId: string;
  quantity: number;
  etaMs: number;
}

export interface ConsumptionInputs {
  uses: ConsumptionUse[];
  lines: Map<string, LineData>;
  /** `${factoryId}|${componentId}` → quantity on hand. */
  onHand: Map<string, number>;
  inbound: InboundShipment[];
}

export const key = (factoryId: string, componentId: string): string =>
  `${factoryId}|${componentId}`;

/** With `withShapes` false the lines' stations and flows are not read (the caller has them). */
export async function loadConsumption(
  graph: Graph,
  componentIds: string[],
  factoryIds: string[] | null,
  withShapes = true,
): Promise<ConsumptionInputs> {
  const empty: ConsumptionInputs = { uses: [], lines: new Map(), onHand: new Map(), inbound: [] };
  if (componentIds.length === 0) return empty;
  const row: Row =
    (await graph.read(CONSUMPTION_INPUTS, { componentIds, factoryIds, withShapes }))[0] ?? {};
  const uses = asPropsList(row['uses']).map((u) => ({
    factoryId: str(u, 'factoryId'),
    lineId: str(u, 'lineId'),
    productId: str(u, 'productId'),
    componentId: str(u, 'componentId'),
    ratePerHour: num(u, 'ratePerHour', 0),
    quantity: num(u, 'quantity', 0),
  }));
  const factoryOfLine = new Map(uses.map((u) => [u.lineId, u.factoryId]));
  const lines = new Map<string, LineData>();
  for (const shape of asPropsList(row['shapes'])) {
    const line = asProps(shape['line']);
    const id = str(line, 'id');
    lines.set(id, {
      line,
      factoryId: factoryOfLine.get(id) ?? '',
      stations: asPropsList(shape['stations']).map(station),
      flows: asPropsList(shape['flows']).map(flow),
    });
  }
  const onHand = new Map<string, number>();
  for (const s of asPropsList(row['stock'])) {
    onHand.set(key(str(s, 'factoryId'), str(s, 'componentId')), num(s, 'quantity', 0));
  }
  const inbound = asPropsList(row['inbound']).flatMap((s) => {
    const etaMs = Date.parse(optStr(s, 'eta') ?? '');
    if (Number.isNaN(etaMs)) return [];
    return [
      {
        id: str(s, 'id'),
        factoryId: str(s, 'factoryId'),
        componentId: str(s, 'componentId'),
        quantity: optNum(s, 'quantity') ?? 0,
        etaMs,
      },
    ];
  });
  return { uses, lines, onHand, inbound };
}

export interface ClosureProduct {
  product: Props;
  /** Product ids from this product down to the component it reaches soonest. */
  chain: string[];
  /** The components of the closure's start that this product requires, at any depth. */
  reaches: string[];
}

export interface ClosureLine {
  line: Props;
  factoryId: string;
  factory: Props;
  /** The affected products this line makes. */
  products: string[];
}

export interface Closure {
  products: ClosureProduct[];
  lines: ClosureLine[];
  orders: { order: Props; productId: string; factoryId: string }[];
}

export async function loadClosure(
  graph: Graph,
  componentIds: string[],
  factoryIds: string[] | null,
): Promise<Closure> {
  if (componentIds.length === 0) return { products: [], lines: [], orders: [] };
  const row: Row = (await graph.read(CLOSURE, { componentIds, factoryIds }))[0] ?? {};
  return {
    products: asPropsList(row['products']).map((p) => ({
      product: asProps(p['product']),
      chain: strings(p['chain']),
      reaches: strings(p['reaches']),
    })),
    lines: asPropsList(row['lines']).map((l) => {
      const factory = asProps(l['factory']);
      return {
        line: asProps(l['line']),
        factory,
        factoryId: str(factory, 'id'),
        products: strings(l['products']),
      };
    }),
    orders: asPropsList(row['orders']).map((o) => ({
      order: asProps(o['order']),
      productId: str(o, 'productId'),
      factoryId: str(o, 'factoryId'),
    })),
  };
}

/** Stations and flows of each line in `ids`, in id order (empty for an unknown line). */
export async function loadLineShapes(
  graph: Graph,
  ids: string[],
): Promise<{ stations: Station[]; flows: Flow[] }[]> {
  const rows = await graph.read(LINE_SHAPES, { ids });
  const byId = new Map(
    rows.map((r) => [
      String(r['id']),
      {
        stations: asPropsList(r['stations']).map(station),
        flows: asPropsList(r['flows']).map(flow),
      },
    ]),
  );
  return ids.map((id) => byId.get(id) ?? { stations: [], flows: [] });
}
