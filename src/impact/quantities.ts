import { FlowNetwork } from './maxflow';

/*
 * The quantities every analysis shares (docs/analysis.md, "Shared quantities"): hours a line
 * works per day, the capacity factor of a line by max flow through its stations, daily output
 * and daily consumption. Pure functions over plain values: the impact analysis, the simulation
 * and the seeds call them with what they loaded, and nothing here reads the graph.
 */

/** A station of a line: an asset, as far as the capacity factor is concerned. */
export interface Station {
  id: string;
  status: string;
  ratePerHour: number;
}

/** A FEEDS relationship between two stations. */
export interface Flow {
  from: string;
  to: string;
}

export interface LineShape {
  shiftsPerDay: number;
  hoursPerShift: number;
}

/** H(L) = shiftsPerDay × hoursPerShift */
export function hoursPerDay(line: LineShape): number {
  return line.shiftsPerDay * line.hoursPerShift;
}

/** A station works at its rate when RUNNING or IDLE; DOWN, MAINTENANCE and anything else is 0. */
export function isUsableStatus(status: string): boolean {
  return status === 'RUNNING' || status === 'IDLE';
}

/** ratePerHour when RUNNING or IDLE, else 0 (DOWN, MAINTENANCE, anything else). */
export function usableRate(station: Station): number {
  return isUsableStatus(station.status) ? station.ratePerHour : 0;
}

/**
 * Max flow through the station graph (node capacities `rate(s)`), source → every station without
 * an incoming flow (among `flows` whose both ends are in `stations`), every station without an
 * outgoing one → sink. Flows naming unknown stations are ignored.
 *
 * Each station is split into an inner and an outer node joined by an edge of capacity `rate(s)`;
 * flows and the source and sink edges are unbounded. Stations with no flow between them are in
 * parallel and add up. A rate that is negative or NaN counts as 0; an `Infinity` rate on a
 * whole source-to-sink path gives `Infinity`. Station ids are expected to be unique (a repeated
 * id is a separate station, and the flows naming that id attach to its last occurrence).
 */
export function maxStationFlow(
  stations: readonly Station[],
  flows: readonly Flow[],
  rate: (s: Station) => number,
): number {
  const n = stations.length;
  if (n === 0) return 0;
  const index = new Map<string, number>();
  stations.forEach((s, i) => index.set(s.id, i));

  const links: { from: number; to: number }[] = [];
  const hasIn = new Uint8Array(n);
  const hasOut = new Uint8Array(n);
  for (const f of flows) {
    const from = index.get(f.from);
    const to = index.get(f.to);
    if (from === undefined || to === undefined) continue;
    links.push({ from, to });
    hasOut[from] = 1;
    hasIn[to] = 1;
  }

  // node 2i: station i in, 2i + 1: station i out, 2n: source, 2n + 1: sink
  const source = 2 * n;
  const sink = 2 * n + 1;
  const network = new FlowNetwork(2 * n + 2, 3 * n + links.length);
  for (const { from, to } of links) network.addEdge(2 * from + 1, 2 * to, Infinity);
  stations.forEach((s, i) => {
    network.addEdge(2 * i, 2 * i + 1, rate(s));
    if (hasIn[i] === 0) network.addEdge(source, 2 * i, Infinity);
    if (hasOut[i] === 0) network.addEdge(2 * i + 1, sink, Infinity);
  });
  return network.maxFlow(source, sink);
}

/**
 * c(L): max flow with usable rates (and the stations in `down` at 0) over max flow at nominal
 * rates; 1 when there are no stations or the nominal flow is 0.
 *
 * Always in [0, 1]: a usable rate never exceeds the nominal one. (Unbounded flows: a finite
 * usable flow over an infinite nominal one is 0, and infinite over infinite is 1.)
 */
export function capacityFactor(
  stations: readonly Station[],
  flows: readonly Flow[],
  down?: ReadonlySet<string>,
): number {
  if (stations.length === 0) return 1;
  const nominal = maxStationFlow(stations, flows, (s) => s.ratePerHour);
  if (!(nominal > 0)) return 1;
  const usable = maxStationFlow(stations, flows, (s) =>
    down?.has(s.id) === true ? 0 : usableRate(s),
  );
  return capacityFactorOf(nominal, usable);
}

/** usable / nominal within [0, 1], 1 when that is not a number (∞/∞), for a nominal flow above 0. */
export function capacityFactorOf(nominal: number, usable: number): number {
  const factor = usable / nominal;
  return Number.isNaN(factor) ? 1 : Math.min(1, factor);
}

/** out(L,P) = PRODUCES.ratePerHour × H(L) × c(L) */
export function dailyOutput(
  producesRatePerHour: number,
  line: LineShape,
  capacity: number,
): number {
  return producesRatePerHour * hoursPerDay(line) * capacity;
}

/** A PRODUCES relationship, with the factory of its line. */
export interface ProductionLink {
  lineId: string;
  factoryId: string;
  productId: string;
  ratePerHour: number;
}

/** A REQUIRES relationship: one `parentId` needs `quantity` of `componentId`. */
export interface BomLink {
  parentId: string;
  componentId: string;
  quantity: number;
}

/**
 * cons(F,C) = Σ over lines L of F and products P that L produces of out(L,P) × REQUIRES(P,C).quantity
 * (direct requirements only); result factory → component → value, only positive values kept.
 * `lines` gives each line's shape and capacity factor.
 *
 * A production link whose line is not in `lines` is skipped; a term that is not positive (a
 * stopped line, a zero rate) adds nothing, and a factory left without any component is not in
 * the result. Factories come in the order of their first production link, components in the
 * order of their first positive term (following `production`, then `bom`).
 */
export function dailyConsumption(
  production: readonly ProductionLink[],
  bom: readonly BomLink[],
  lines: ReadonlyMap<string, { shape: LineShape; capacity: number }>,
): Map<string, Map<string, number>> {
  const requires = new Map<string, BomLink[]>();
  for (const b of bom) {
    const list = requires.get(b.parentId);
    if (list === undefined) requires.set(b.parentId, [b]);
    else list.push(b);
  }

  const result = new Map<string, Map<string, number>>();
  for (const p of production) {
    const line = lines.get(p.lineId);
    if (line === undefined) continue;
    const out = dailyOutput(p.ratePerHour, line.shape, line.capacity);
    let perFactory = result.get(p.factoryId);
    if (perFactory === undefined) {
      perFactory = new Map<string, number>();
      result.set(p.factoryId, perFactory);
    }
    for (const r of requires.get(p.productId) ?? []) {
      const add = out * r.quantity;
      if (add > 0) perFactory.set(r.componentId, (perFactory.get(r.componentId) ?? 0) + add);
    }
  }
  for (const [factoryId, perFactory] of result) {
    if (perFactory.size === 0) result.delete(factoryId);
  }
  return result;
}
