import { num, optNum, str, type Props } from '../graph/props';
import type { Closure } from './impact.load';
import type { Severity } from './impact.model';

export interface Hit {
  shortfallDays: number;
  lostUnits: number;
}

/** How hard a product is hit, at one factory (null: anywhere in the report). */
export type HitAt = (p: Closure['products'][number], factoryId: string | null) => Hit;

/**
 * Severity of every affected twin: shortfall days, then lost units, then value at risk.
 * - A product's shortfall is the worst exposure of a component it requires, at any factory; a
 *   line's, a factory's and an order's is the worst at their own factory (falling back to the
 *   product's when that factory consumes none of those components directly).
 * - Units at risk: a product's lost units, or else its open orders in the report; an order's
 *   quantity, capped by its product's lost units for a downtime. Value = units × unitPrice
 *   (null without a price); a line's and a factory's value is that of the orders at their
 *   factory for what they make, or for a downtime that of the lost units they make (so units
 *   shared by several orders count once).
 */
export function rank(
  closure: Closure,
  hitAt: HitAt,
): { ranking: Severity[]; products: Props[]; orders: Props[] } {
  const byId = new Map(closure.products.map((p) => [str(p.product, 'id'), p]));
  const price = (productId: string): number | null => {
    const p = byId.get(productId);
    return p ? optNum(p.product, 'unitPrice') : null;
  };
  const worst = (productIds: string[], factoryId: string | null): Hit => {
    const hits = productIds.flatMap((id) => {
      const p = byId.get(id);
      return p ? [hitAt(p, factoryId)] : [];
    });
    return {
      shortfallDays: Math.max(0, ...hits.map((h) => h.shortfallDays)),
      lostUnits: Math.max(0, ...hits.map((h) => h.lostUnits)),
    };
  };
  const orders: Severity[] = closure.orders.map((o) => {
    const hit = worst([o.productId], o.factoryId);
    const quantity = num(o.order, 'quantity', 0);
    const units = hit.lostUnits > 0 ? Math.min(quantity, hit.lostUnits) : quantity;
    const unitPrice = price(o.productId);
    return {
      kind: 'Order',
      id: str(o.order, 'id'),
      ...hit,
      valueAtRisk: unitPrice === null ? null : units * unitPrice,
    };
  });
  const orderValue = (factoryId: string | null, productIds: Set<string>): number | null => {
    const values = closure.orders.flatMap((o, i) =>
      productIds.has(o.productId) && (factoryId === null || o.factoryId === factoryId)
        ? [orders[i]?.valueAtRisk ?? null]
        : [],
    );
    return values.some((v) => v !== null) ? values.reduce<number>((a, v) => a + (v ?? 0), 0) : null;
  };
  const products: Severity[] = closure.products.map((p) => {
    const id = str(p.product, 'id');
    const hit = hitAt(p, null);
    const unitPrice = price(id);
    return {
      kind: 'Product',
      id,
      ...hit,
      valueAtRisk:
        hit.lostUnits > 0
          ? unitPrice === null
            ? null
            : hit.lostUnits * unitPrice
          : orderValue(null, new Set([id])),
    };
  });
  // the lost units themselves, counted once: the value of the started-from products it makes
  const lostValue = (productIds: Set<string>): number | null => {
    const values = [...productIds].flatMap((id) => {
      const p = byId.get(id);
      if (!p || p.chain.length !== 1) return [];
      const unitPrice = price(id);
      return [unitPrice === null ? null : hitAt(p, null).lostUnits * unitPrice];
    });
    return values.some((v) => v !== null) ? values.reduce<number>((a, v) => a + (v ?? 0), 0) : null;
  };
  const value = (hit: Hit, factoryId: string, productIds: Set<string>): number | null =>
    hit.lostUnits > 0 ? lostValue(productIds) : orderValue(factoryId, productIds);
  const lines: Severity[] = closure.lines.map((l) => {
    const hit = worst(l.products, l.factoryId);
    return {
      kind: 'Line',
      id: str(l.line, 'id'),
      ...hit,
      valueAtRisk: value(hit, l.factoryId, new Set(l.products)),
    };
  });
  const factoryProducts = new Map<string, Set<string>>();
  for (const l of closure.lines) {
    const set = factoryProducts.get(l.factoryId) ?? new Set<string>();
    for (const p of l.products) set.add(p);
    factoryProducts.set(l.factoryId, set);
  }
  const factories: Severity[] = [...factoryProducts].map(([id, ps]) => {
    const hit = worst([...ps], id);
    return { kind: 'Factory', id, ...hit, valueAtRisk: value(hit, id, ps) };
  });
  const ranking = [...products, ...lines, ...factories, ...orders].sort(bySeverity);
  const order = new Map(ranking.map((r, i) => [`${r.kind}:${r.id}`, i]));
  const at = (kind: string, id: string) => order.get(`${kind}:${id}`) ?? Infinity;
  return {
    ranking,
    products: closure.products
      .map((p) => p.product)
      .sort((a, b) => at('Product', str(a, 'id')) - at('Product', str(b, 'id'))),
    orders: closure.orders
      .map((o) => o.order)
      .sort((a, b) => at('Order', str(a, 'id')) - at('Order', str(b, 'id'))),
  };
}

export function bySeverity(a: Severity, b: Severity): number {
  return (
    b.shortfallDays - a.shortfallDays ||
    b.lostUnits - a.lostUnits ||
    (b.valueAtRisk ?? -1) - (a.valueAtRisk ?? -1) ||
    a.kind.localeCompare(b.kind) ||
    a.id.localeCompare(b.id)
  );
}
