import type { ScopedLabel, VisibleIds } from '../graph/scope';
import { str } from '../graph/props';
import type { Closure } from './impact.load';
import type { ImpactPath, PathStep } from './impact.model';

/*
 * The impact report as a factory scope sees it (docs/security.md, "Factory scopes: analyses"):
 * the analysis reads only the scope's factories (lines, stock, shipments, orders), and these
 * helpers drop the shared twins (products up the bill of materials, alternative suppliers) and
 * the paths it does not see. `visible` null: an unscoped credential, nothing is dropped.
 */

/** The closure without the twins the scope does not see (its figures are then ranked from it). */
export function keepClosure(closure: Closure, visible: VisibleIds | null): Closure {
  if (visible === null) return closure;
  return {
    products: closure.products.filter((p) => visible.Product.has(str(p.product, 'id'))),
    lines: closure.lines
      .filter((l) => visible.Line.has(str(l.line, 'id')) && visible.Factory.has(l.factoryId))
      .map((l) => ({ ...l, products: l.products.filter((p) => visible.Product.has(p)) })),
    orders: closure.orders.filter(
      (o) =>
        visible.Order.has(str(o.order, 'id')) &&
        visible.Product.has(o.productId) &&
        visible.Factory.has(o.factoryId),
    ),
  };
}

/** Which labels a stored relationship joins, (start)-[r]->(end). */
const ENDS: Readonly<Record<string, readonly [ScopedLabel, ScopedLabel]>> = {
  SUPPLIES: ['Supplier', 'Product'],
  REQUIRES: ['Product', 'Product'],
  PRODUCES: ['Line', 'Product'],
  HAS_LINE: ['Factory', 'Line'],
  HAS_ASSET: ['Line', 'Asset'],
  FEEDS: ['Asset', 'Asset'],
  STOCKS: ['Factory', 'Product'],
  FOR: ['Order', 'Product'],
  AT: ['Order', 'Factory'],
  FROM: ['Shipment', 'Supplier'],
  CARRIES: ['Shipment', 'Product'],
  TO: ['Shipment', 'Factory'],
};

/** Both twins of the step are visible (a relationship this file does not know is not). */
function seesStep(step: PathStep, visible: VisibleIds): boolean {
  const ends = ENDS[step.relationship];
  if (!ends) return false;
  const [start, end] = step.forward ? [step.from, step.to] : [step.to, step.from];
  return visible[ends[0]].has(start) && visible[ends[1]].has(end);
}

/** The paths whose twin and every step the scope sees: a path is kept whole or not at all. */
export function keepPaths(paths: ImpactPath[], visible: VisibleIds | null): ImpactPath[] {
  if (visible === null) return paths;
  return paths.filter(
    (p) => visible[p.kind].has(p.id) && p.steps.every((s) => seesStep(s, visible)),
  );
}
