import { str } from '../graph/props';
import type { Closure } from './impact.load';
import type { ImpactPath, PathStep, TwinKindName } from './impact.model';

/*
 * Why each twin is affected: the shortest chain of stored relationships from the disrupted twin.
 */

export class Paths {
  private readonly byTwin = new Map<string, ImpactPath>();

  set(kind: TwinKindName, id: string, steps: PathStep[]): void {
    const k = `${kind}:${id}`;
    const known = this.byTwin.get(k);
    if (!known || steps.length < known.steps.length) this.byTwin.set(k, { kind, id, steps });
  }

  get(kind: TwinKindName, id: string): PathStep[] {
    return this.byTwin.get(`${kind}:${id}`)?.steps ?? [];
  }

  has(kind: TwinKindName, id: string): boolean {
    return this.byTwin.has(`${kind}:${id}`);
  }

  all(): ImpactPath[] {
    return [...this.byTwin.values()];
  }
}

/** A chain [P, ..., C] (P requires ... requires C) walked from C up to P. */
export function upChain(chain: string[]): PathStep[] {
  const steps: PathStep[] = [];
  for (let i = chain.length - 1; i > 0; i--) {
    const from = chain[i];
    const to = chain[i - 1];
    if (from !== undefined && to !== undefined) {
      steps.push({ from, relationship: 'REQUIRES', to, forward: false });
    }
  }
  return steps;
}

/** Paths of the closure's products, lines, factories and orders, given each start's path. */
export function closurePaths(
  paths: Paths,
  closure: Closure,
  startPath: (component: string) => PathStep[],
) {
  for (const p of closure.products) {
    const start = p.chain[p.chain.length - 1];
    if (start === undefined) continue;
    paths.set('Product', str(p.product, 'id'), [...startPath(start), ...upChain(p.chain)]);
  }
  for (const l of closure.lines) {
    const lineId = str(l.line, 'id');
    for (const productId of l.products) {
      paths.set('Line', lineId, [
        ...paths.get('Product', productId),
        { from: productId, relationship: 'PRODUCES', to: lineId, forward: false },
      ]);
    }
    paths.set('Factory', l.factoryId, [
      ...paths.get('Line', lineId),
      { from: lineId, relationship: 'HAS_LINE', to: l.factoryId, forward: false },
    ]);
  }
  for (const o of closure.orders) {
    const orderId = str(o.order, 'id');
    paths.set('Order', orderId, [
      ...paths.get('Product', o.productId),
      { from: o.productId, relationship: 'FOR', to: orderId, forward: false },
    ]);
  }
}
