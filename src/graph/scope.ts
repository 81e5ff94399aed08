import type { Graph } from './executor';

/*
 * Factory scopes (docs/security.md, "Factory scopes"): a credential scoped to factories sees only
 * the twins that belong to them, and the shared twins (products, suppliers) it reaches through
 * them. What a scope sees is computed once, in one round trip, as id sets per label, and every
 * reader filters with them: the loaders (twins by id and every relationship field), the list
 * queries (`n.id IN $ids`, so `totalCount` and pages agree), alerts, timelines, telemetry, exports
 * and analysis results. An unscoped credential (factoryIds null) costs nothing.
 */

export const SCOPED_LABELS = [
  'Factory',
  'Line',
  'Asset',
  'Product',
  'Supplier',
  'Shipment',
  'Order',
] as const;
export type ScopedLabel = (typeof SCOPED_LABELS)[number];

export type VisibleIds = Readonly<Record<ScopedLabel, ReadonlySet<string>>>;

export function isScopedLabel(label: string): label is ScopedLabel {
  return (SCOPED_LABELS as readonly string[]).includes(label);
}

/**
 * Everything a set of factories sees (the rule of docs/security.md):
 * - its factories, their lines and assets (and the assets' metrics, through the assets);
 * - shipments to them and orders at them;
 * - products made on their lines, stocked, shipped to or ordered at them, and every component of
 *   those down the bill of materials;
 * - suppliers of those products, and suppliers shipping to them.
 */
export const VISIBLE_IDS = `
  CALL () { MATCH (f:Factory) WHERE f.id IN $factoryIds RETURN collect(f.id) AS factories }
  CALL () {
    MATCH (f:Factory)-[:HAS_LINE]->(l:Line) WHERE f.id IN $factoryIds
    RETURN collect(DISTINCT l.id) AS lines
  }
  CALL () {
    MATCH (f:Factory)-[:HAS_LINE]->(:Line)-[:HAS_ASSET]->(a:Asset) WHERE f.id IN $factoryIds
    RETURN collect(DISTINCT a.id) AS assets
  }
  CALL () {
    MATCH (s:Shipment)-[:TO]->(f:Factory) WHERE f.id IN $factoryIds
    RETURN collect(DISTINCT s.id) AS shipments
  }
  CALL () {
    MATCH (o:Order)-[:AT]->(f:Factory) WHERE f.id IN $factoryIds
    RETURN collect(DISTINCT o.id) AS orders
  }
  CALL () {
    CALL () {
      MATCH (f:Factory)-[:HAS_LINE]->(:Line)-[:PRODUCES]->(p:Product) WHERE f.id IN $factoryIds
      RETURN p
      UNION
      MATCH (f:Factory)-[:STOCKS]->(p:Product) WHERE f.id IN $factoryIds
      RETURN p
      UNION
      MATCH (f:Factory)<-[:TO]-(:Shipment)-[:CARRIES]->(p:Product) WHERE f.id IN $factoryIds
      RETURN p
      UNION
      MATCH (f:Factory)<-[:AT]-(:Order)-[:FOR]->(p:Product) WHERE f.id IN $factoryIds
      RETURN p
    }
    MATCH (p)-[:REQUIRES*0..]->(c:Product)
    RETURN collect(DISTINCT c) AS productNodes
  }
  CALL (productNodes) {
    CALL (productNodes) {
      UNWIND productNodes AS p
      MATCH (s:Supplier)-[:SUPPLIES]->(p)
      RETURN s
      UNION
      MATCH (f:Factory)<-[:TO]-(:Shipment)-[:FROM]->(s:Supplier) WHERE f.id IN $factoryIds
      RETURN s
    }
    RETURN collect(DISTINCT s.id) AS suppliers
  }
  RETURN factories, lines, assets, shipments, orders,
         [p IN productNodes | p.id] AS products, suppliers`;

const ids = (v: unknown): ReadonlySet<string> =>
  new Set(Array.isArray(v) ? v.map((x) => String(x)) : []);

async function readVisible(graph: Graph, factoryIds: readonly string[]): Promise<VisibleIds> {
  const [row] = await graph.read(VISIBLE_IDS, { factoryIds: [...factoryIds] });
  return {
    Factory: ids(row?.['factories']),
    Line: ids(row?.['lines']),
    Asset: ids(row?.['assets']),
    Product: ids(row?.['products']),
    Supplier: ids(row?.['suppliers']),
    Shipment: ids(row?.['shipments']),
    Order: ids(row?.['orders']),
  };
}

interface CacheEntry {
  at: number;
  visible: Promise<VisibleIds>;
}

/**
 * What each scope sees, per database connection, reused for `ttlMs` (SCOPE_CACHE_MS): a partner's
 * subscriptions do not read their scope at every event, and a structure change (a line moved to
 * another factory) reaches every scope within that time. A failed read is not kept.
 */
class ScopeCache {
  private readonly entries = new Map<string, CacheEntry>();

  get(graph: Graph, factoryIds: readonly string[], ttlMs: number): Promise<VisibleIds> {
    const key = JSON.stringify([...factoryIds].sort());
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < ttlMs) return hit.visible;
    const visible = readVisible(graph, factoryIds);
    if (ttlMs > 0) {
      if (this.entries.size > 1000) this.entries.clear();
      this.entries.set(key, { at: now, visible });
      visible.catch(() => {
        if (this.entries.get(key)?.visible === visible) this.entries.delete(key);
      });
    }
    return visible;
  }

  clear(): void {
    this.entries.clear();
  }
}

const caches = new WeakMap<Graph, ScopeCache>();

function cacheOf(root: Graph): ScopeCache {
  let cache = caches.get(root);
  if (!cache) {
    cache = new ScopeCache();
    caches.set(root, cache);
  }
  return cache;
}

/**
 * The scope of one request (or subscription event). `all` when the credential is not scoped:
 * then every method answers without a round trip and keeps everything.
 */
export class Scope {
  private memo: Promise<VisibleIds> | undefined;

  constructor(
    /** The root executor the cache is kept for (createContext's). */
    private readonly root: Graph,
    /** The executor this request's reads are counted on. */
    private readonly graph: Graph,
    readonly factoryIds: readonly string[] | null,
    private readonly ttlMs: number,
  ) {}

  /** A scope that sees everything (tools, tests, unscoped keys). */
  static all(graph: Graph): Scope {
    return new Scope(graph, graph, null, 0);
  }

  get all(): boolean {
    return this.factoryIds === null;
  }

  /** The ids this scope sees, per label; null when it sees everything. */
  visible(): Promise<VisibleIds | null> {
    const factoryIds = this.factoryIds;
    if (factoryIds === null) return Promise.resolve(null);
    this.memo ??=
      this.ttlMs > 0
        ? cacheOf(this.root).get(this.graph, factoryIds, this.ttlMs)
        : readVisible(this.graph, factoryIds);
    return this.memo;
  }

  /** Read again at the next use (after this request wrote twins). */
  forget(): void {
    this.memo = undefined;
    cacheOf(this.root).clear();
  }

  async sees(label: ScopedLabel, id: string): Promise<boolean> {
    const visible = await this.visible();
    return visible === null || visible[label].has(id);
  }

  /** The items whose twin this scope sees, in their order. */
  async keep<T>(label: ScopedLabel, items: readonly T[], idOf: (item: T) => string): Promise<T[]> {
    const visible = await this.visible();
    if (visible === null) return [...items];
    const set = visible[label];
    return items.filter((item) => set.has(idOf(item)));
  }

  /** A factory id of a filter argument: whether the scope sees it (an unknown id does not matter). */
  seesFactory(id: string): boolean {
    return this.factoryIds === null || this.factoryIds.includes(id);
  }

  /**
   * A Cypher condition that keeps `variable` (a node of `label`) to this scope, with its
   * parameter; none when the scope sees everything. The parameter is named after the variable so
   * that two conditions can share a statement.
   */
  async where(
    label: ScopedLabel,
    variable = 'n',
  ): Promise<{ where: string[]; params: Record<string, unknown> }> {
    const visible = await this.visible();
    if (visible === null) return { where: [], params: {} };
    const param = `scope_${variable}`;
    return { where: [`${variable}.id IN $${param}`], params: { [param]: [...visible[label]] } };
  }
}
