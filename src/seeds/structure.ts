import { ASSET_STATUSES, ORDER_STATUSES, SHIPMENT_STATUSES } from '../domain/enums';
import type { SeedDocument } from './document';

/*
 * Structural facts about a twin-graph document that the seeds promise: every reference resolves,
 * ids are unique, FEEDS stay inside a line, FEEDS and the BOM are acyclic. The import validator
 * is the authority on what is accepted; these checks describe what the seeds are made of.
 */

const ASSET_STATUS = new Set<string>(ASSET_STATUSES);
const SHIPMENT_STATUS = new Set<string>(SHIPMENT_STATUSES);
const ORDER_STATUS = new Set<string>(ORDER_STATUSES);

/** Adjacency lists of a set of directed edges. */
export function adjacency(edges: Iterable<readonly [string, string]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [from, to] of edges) {
    const list = out.get(from) ?? [];
    list.push(to);
    out.set(from, list);
  }
  return out;
}

/** A node on a directed cycle, or null when the graph is acyclic (iterative DFS). */
export function findCycle(next: Map<string, string[]>): string | null {
  const state = new Map<string, 1 | 2>(); // 1 on the stack, 2 done
  for (const start of next.keys()) {
    if (state.has(start)) continue;
    const stack: [string, number][] = [[start, 0]];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [string, number];
      const [node, i] = top;
      const succ = next.get(node) ?? [];
      if (i >= succ.length) {
        state.set(node, 2);
        stack.pop();
        continue;
      }
      top[1] = i + 1;
      const child = succ[i] as string;
      const s = state.get(child);
      if (s === 1) return child;
      if (s === undefined) {
        state.set(child, 1);
        stack.push([child, 0]);
      }
    }
  }
  return null;
}

/** Levels of the longest chain of REQUIRES from a finished good down to a bought part. */
export function bomDepth(doc: SeedDocument): number {
  const next = adjacency(doc.bom.map((b) => [b.parentId, b.componentId] as const));
  const memo = new Map<string, number>();
  const depth = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const d = 1 + Math.max(0, ...(next.get(id) ?? []).map(depth));
    memo.set(id, d);
    return d;
  };
  return Math.max(0, ...doc.products.map((p) => depth(p.id)));
}

/** Assets with two or more successors, and assets with two or more predecessors. */
export function parallelStations(doc: SeedDocument): { forks: string[]; joins: string[] } {
  const outs = new Map<string, number>();
  const ins = new Map<string, number>();
  for (const f of doc.flows) {
    outs.set(f.from, (outs.get(f.from) ?? 0) + 1);
    ins.set(f.to, (ins.get(f.to) ?? 0) + 1);
  }
  const atLeastTwo = (m: Map<string, number>) => [...m].filter(([, n]) => n >= 2).map(([k]) => k);
  return { forks: atLeastTwo(outs), joins: atLeastTwo(ins) };
}

/** Suppliers per bought product. */
export function suppliersByProduct(doc: SeedDocument): Map<string, string[]> {
  return adjacency(doc.supplies.map((s) => [s.productId, s.supplierId] as const));
}

/** Everything that is structurally wrong with the document, as `path: message` lines. */
export function structuralProblems(doc: SeedDocument): string[] {
  const problems: string[] = [];
  const ids = <T extends { id: string }>(key: string, rows: T[]): Set<string> => {
    const seen = new Set<string>();
    rows.forEach((r, i) => {
      if (seen.has(r.id)) problems.push(`${key}[${i}].id: duplicate id "${r.id}"`);
      seen.add(r.id);
    });
    return seen;
  };
  const factories = ids('factories', doc.factories);
  const lines = ids('lines', doc.lines);
  const assets = ids('assets', doc.assets);
  const products = ids('products', doc.products);
  const suppliers = ids('suppliers', doc.suppliers);
  ids('shipments', doc.shipments);
  ids('orders', doc.orders);

  const ref = (path: string, set: Set<string>, id: string, what: string) => {
    if (!set.has(id)) problems.push(`${path}: unknown ${what} "${id}"`);
  };
  const nonNegative = (path: string, v: number) => {
    if (!Number.isFinite(v) || v < 0) problems.push(`${path}: ${v} is not a finite number >= 0`);
  };
  const date = (path: string, v: string) => {
    if (Number.isNaN(Date.parse(v))) problems.push(`${path}: "${v}" is not a date`);
  };

  doc.lines.forEach((l, i) => ref(`lines[${i}].factoryId`, factories, l.factoryId, 'factory'));
  const lineOf = new Map(doc.assets.map((a) => [a.id, a.lineId]));
  doc.assets.forEach((a, i) => {
    ref(`assets[${i}].lineId`, lines, a.lineId, 'line');
    if (!ASSET_STATUS.has(a.status)) problems.push(`assets[${i}].status: "${a.status}"`);
    nonNegative(`assets[${i}].ratePerHour`, a.ratePerHour);
    if (a.metrics.length === 0) problems.push(`assets[${i}].metrics: none`);
    a.metrics.forEach((m, j) => {
      if (!(m.min < m.max)) problems.push(`assets[${i}].metrics[${j}]: min ${m.min} >= max`);
    });
  });
  doc.flows.forEach((f, i) => {
    ref(`flows[${i}].from`, assets, f.from, 'asset');
    ref(`flows[${i}].to`, assets, f.to, 'asset');
    if (lineOf.get(f.from) !== lineOf.get(f.to)) {
      problems.push(`flows[${i}]: ${f.from} -> ${f.to} crosses lines`);
    }
  });
  const feedsCycle = findCycle(adjacency(doc.flows.map((f) => [f.from, f.to] as const)));
  if (feedsCycle !== null) problems.push(`flows: cycle through asset "${feedsCycle}"`);

  doc.bom.forEach((b, i) => {
    ref(`bom[${i}].parentId`, products, b.parentId, 'product');
    ref(`bom[${i}].componentId`, products, b.componentId, 'product');
    nonNegative(`bom[${i}].quantity`, b.quantity);
  });
  const bomCycle = findCycle(adjacency(doc.bom.map((b) => [b.parentId, b.componentId] as const)));
  if (bomCycle !== null) problems.push(`bom: cycle through product "${bomCycle}"`);

  doc.production.forEach((p, i) => {
    ref(`production[${i}].lineId`, lines, p.lineId, 'line');
    ref(`production[${i}].productId`, products, p.productId, 'product');
    nonNegative(`production[${i}].ratePerHour`, p.ratePerHour);
  });
  doc.supplies.forEach((s, i) => {
    ref(`supplies[${i}].supplierId`, suppliers, s.supplierId, 'supplier');
    ref(`supplies[${i}].productId`, products, s.productId, 'product');
    nonNegative(`supplies[${i}].leadTimeDays`, s.leadTimeDays);
    nonNegative(`supplies[${i}].unitCost`, s.unitCost);
  });
  doc.inventory.forEach((s, i) => {
    ref(`inventory[${i}].factoryId`, factories, s.factoryId, 'factory');
    ref(`inventory[${i}].productId`, products, s.productId, 'product');
    nonNegative(`inventory[${i}].quantity`, s.quantity);
    nonNegative(`inventory[${i}].safetyStock`, s.safetyStock);
  });
  doc.shipments.forEach((s, i) => {
    ref(`shipments[${i}].supplierId`, suppliers, s.supplierId, 'supplier');
    ref(`shipments[${i}].factoryId`, factories, s.factoryId, 'factory');
    ref(`shipments[${i}].productId`, products, s.productId, 'product');
    nonNegative(`shipments[${i}].quantity`, s.quantity);
    if (!SHIPMENT_STATUS.has(s.status)) problems.push(`shipments[${i}].status: "${s.status}"`);
    date(`shipments[${i}].departedAt`, s.departedAt);
    date(`shipments[${i}].eta`, s.eta);
    if (Date.parse(s.eta) < Date.parse(s.departedAt)) {
      problems.push(`shipments[${i}]: eta before departedAt`);
    }
  });
  doc.orders.forEach((o, i) => {
    ref(`orders[${i}].factoryId`, factories, o.factoryId, 'factory');
    ref(`orders[${i}].productId`, products, o.productId, 'product');
    nonNegative(`orders[${i}].quantity`, o.quantity);
    if (!ORDER_STATUS.has(o.status)) problems.push(`orders[${i}].status: "${o.status}"`);
    date(`orders[${i}].dueDate`, o.dueDate);
  });
  return problems;
}
