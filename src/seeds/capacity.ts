import type { AssetRow, FlowRow } from '../twins/import/document';
import type { SeedDocument } from './document';

/*
 * The shared quantities of docs/analysis.md, computed the way the analyses define them. The
 * seeds use them to size inventory in days of cover; the real implementation lives with the
 * analyses, this one only has to agree with the formulas on seed data.
 */

/** `H(L) = shiftsPerDay × hoursPerShift`. */
export function hoursPerDay(line: { shiftsPerDay: number; hoursPerShift: number }): number {
  return line.shiftsPerDay * line.hoursPerShift;
}

/** What the capacity factor reads of an asset: a seed's row or a validated one alike. */
type Station = Pick<AssetRow, 'id' | 'lineId' | 'status' | 'ratePerHour'>;

function usableRate(a: Station, nominal: boolean): number {
  if (nominal) return a.ratePerHour;
  return a.status === 'RUNNING' || a.status === 'IDLE' ? a.ratePerHour : 0;
}

/**
 * Maximum flow through a line's station graph, each asset a node of capacity `rate(asset)`,
 * from a source feeding every asset without an incoming FEEDS to a sink fed by every asset
 * without an outgoing one (Edmonds-Karp on the node-split graph).
 */
export function maxStationFlow(
  assets: readonly Station[],
  flows: readonly FlowRow[],
  rate: (a: Station) => number,
): number {
  const index = new Map(assets.map((a, i) => [a.id, i]));
  const n = assets.length;
  // node 2i = asset i in, 2i+1 = asset i out, 2n = source, 2n+1 = sink
  const source = 2 * n;
  const sink = 2 * n + 1;
  const cap = new Map<number, Map<number, number>>();
  const add = (u: number, v: number, c: number) => {
    const row = cap.get(u) ?? new Map<number, number>();
    row.set(v, (row.get(v) ?? 0) + c);
    cap.set(u, row);
    const back = cap.get(v) ?? new Map<number, number>();
    if (!back.has(u)) back.set(u, 0);
    cap.set(v, back);
  };
  const hasIn = new Set<number>();
  const hasOut = new Set<number>();
  for (const f of flows) {
    const u = index.get(f.from);
    const v = index.get(f.to);
    if (u === undefined || v === undefined) continue;
    add(2 * u + 1, 2 * v, Infinity);
    hasOut.add(u);
    hasIn.add(v);
  }
  assets.forEach((a, i) => {
    add(2 * i, 2 * i + 1, rate(a));
    if (!hasIn.has(i)) add(source, 2 * i, Infinity);
    if (!hasOut.has(i)) add(2 * i + 1, sink, Infinity);
  });

  let total = 0;
  for (;;) {
    const parent = new Map<number, number>([[source, source]]);
    const queue = [source];
    while (queue.length > 0 && !parent.has(sink)) {
      const u = queue.shift() as number;
      for (const [v, c] of cap.get(u) ?? []) {
        if (c > 0 && !parent.has(v)) {
          parent.set(v, u);
          queue.push(v);
        }
      }
    }
    if (!parent.has(sink)) return total;
    let push = Infinity;
    for (let v = sink; v !== source; v = parent.get(v) as number) {
      const u = parent.get(v) as number;
      push = Math.min(push, cap.get(u)?.get(v) ?? 0);
    }
    for (let v = sink; v !== source; v = parent.get(v) as number) {
      const u = parent.get(v) as number;
      const fwd = cap.get(u) as Map<number, number>;
      fwd.set(v, (fwd.get(v) ?? 0) - push);
      const back = cap.get(v) as Map<number, number>;
      back.set(u, (back.get(u) ?? 0) + push);
    }
    total += push;
  }
}

/** `c(L)`: usable max flow over nominal max flow; 1 for an empty line or a zero nominal flow. */
export function capacityFactor(assets: readonly Station[], flows: readonly FlowRow[]): number {
  if (assets.length === 0) return 1;
  const nominal = maxStationFlow(assets, flows, (a) => usableRate(a, true));
  if (nominal === 0) return 1;
  return maxStationFlow(assets, flows, (a) => usableRate(a, false)) / nominal;
}

/** `c(L)` for every line of the document. */
export function capacityFactors(doc: SeedDocument): Map<string, number> {
  const assetsByLine = new Map<string, Station[]>();
  for (const a of doc.assets) {
    const list = assetsByLine.get(a.lineId) ?? [];
    list.push(a);
    assetsByLine.set(a.lineId, list);
  }
  const lineOf = new Map(doc.assets.map((a) => [a.id, a.lineId]));
  const flowsByLine = new Map<string, FlowRow[]>();
  for (const f of doc.flows) {
    const line = lineOf.get(f.from);
    if (line === undefined) continue;
    const list = flowsByLine.get(line) ?? [];
    list.push(f);
    flowsByLine.set(line, list);
  }
  return new Map(
    doc.lines.map((l) => [
      l.id,
      capacityFactor(assetsByLine.get(l.id) ?? [], flowsByLine.get(l.id) ?? []),
    ]),
  );
}

/** `cons(F,C)` for every factory and component with a positive value, keyed factory → product. */
export function dailyConsumption(doc: SeedDocument): Map<string, Map<string, number>> {
  const factors = capacityFactors(doc);
  const lines = new Map(doc.lines.map((l) => [l.id, l]));
  const requires = new Map<string, { componentId: string; quantity: number }[]>();
  for (const b of doc.bom) {
    const list = requires.get(b.parentId) ?? [];
    list.push(b);
    requires.set(b.parentId, list);
  }
  const result = new Map<string, Map<string, number>>();
  for (const p of doc.production) {
    const line = lines.get(p.lineId);
    if (line === undefined) continue;
    const out = p.ratePerHour * hoursPerDay(line) * (factors.get(line.id) ?? 1);
    const perFactory = result.get(line.factoryId) ?? new Map<string, number>();
    for (const r of requires.get(p.productId) ?? []) {
      const add = out * r.quantity;
      if (add > 0) perFactory.set(r.componentId, (perFactory.get(r.componentId) ?? 0) + add);
    }
    result.set(line.factoryId, perFactory);
  }
  return result;
}
