import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { Graph } from './executor';
import { asProps } from './props';
import type { Props } from './props';
import { listProjection, projectionOf } from './projection';
import { isScopedLabel, Scope } from './scope';

export type TwinLabel =
  'Factory' | 'Line' | 'Asset' | 'Metric' | 'Product' | 'Supplier' | 'Shipment' | 'Order' | 'Alert';

/** A relationship walked from a node: `(from)-[rel]->(to)` when out, `(from)<-[rel]-(to)` when in. */
export interface RelSpec {
  from: TwinLabel;
  rel: string;
  to: TwinLabel;
  direction: 'out' | 'in';
}

export interface Related {
  node: Props;
  rel: Props;
}

/** The relationship properties of a projected row: none were read (shared, never written). */
const NO_REL: Props = Object.freeze({});

/**
 * The DataLoaders of one request. Each node or relationship kind gets one loader, created
 * on first use; a batch is one Cypher round trip whatever the number of keys.
 */
export class Loaders {
  private readonly nodeLoaders = new Map<string, DataLoader<string, Props | null>>();
  private readonly relLoaders = new Map<string, DataLoader<string, Related[]>>();
  private readonly listLoaders = new Map<string, DataLoader<string, Props[]>>();
  /** Keys requested from the database, per loader: a test asserts none appears twice. */
  readonly batches: { loader: string; keys: string[] }[] = [];

  /** `scope`: what the request's credential sees; twins outside it load as if they did not exist. */
  constructor(
    private readonly graph: Graph,
    private readonly scope: Scope = Scope.all(graph),
  ) {}

  node(label: TwinLabel): DataLoader<string, Props | null> {
    return this.get(this.nodeLoaders, `node:${label}`, async (ids) => {
      const rows = await this.graph.read(
        `MATCH (n:${label}) WHERE n.id IN $ids RETURN n.id AS id, n {.*} AS props`,
        { ids },
      );
      const byId = new Map(rows.map((r) => [String(r['id']), asProps(r['props'])]));
      const visible = isScopedLabel(label) ? (await this.scope.visible())?.[label] : undefined;
      return ids.map((id) => (visible && !visible.has(id) ? null : (byId.get(id) ?? null)));
    });
  }

  /**
   * The twins at the end of a relationship, per source id. `only`: read just these properties of
   * each twin and none of the relationship (projection.ts); a loader per projection, so a level
   * of a nested query asking the same fields everywhere is still one round trip.
   */
  related(spec: RelSpec, only: readonly string[] | null = null): DataLoader<string, Related[]> {
    // called once per parent object of a list (5,308 times for the assets' metrics of the nested
    // benchmark): the loader is looked up before anything is built for a new one
    const name = `rel:${spec.from}-${spec.rel}-${spec.direction}-${spec.to}${only ? `:${only.join(',')}` : ''}`;
    return this.relLoaders.get(name) ?? this.newRelated(name, spec, only);
  }

  private newRelated(
    name: string,
    spec: RelSpec,
    only: readonly string[] | null,
  ): DataLoader<string, Related[]> {
    const pattern =
      spec.direction === 'out'
        ? `(s)-[r:${spec.rel}]->(t:${spec.to})`
        : `(s)<-[r:${spec.rel}]-(t:${spec.to})`;
    // projected: the node's properties as a list in the projection's order, no keys (a map
    // would have Bolt carry and the driver decode each key's name for every twin)
    const item = only ? listProjection('t', only) : '{node: t {.*}, rel: properties(r)}';
    return this.get(this.relLoaders, name, async (ids) => {
      const rows = await this.graph.read(
        // the sources by one seek of the unique index for the whole list: written as
        // UNWIND $ids … MATCH (s {id: id})-[r]->(t), the planner scanned the whole index once
        // per id (28 million rows for 5,308 assets' metrics, 7 s instead of 0.2 s)
        `MATCH (s:${spec.from}) WHERE s.id IN $ids
         MATCH ${pattern}
         WITH s.id AS id, t, r ORDER BY t.id
         RETURN id, collect(${item}) AS items`,
        { ids },
      );
      const byId = new Map<string, Related[]>();
      // a shared twin's relations reach only what the scope sees (a product's other lines)
      const visible = isScopedLabel(spec.to) ? (await this.scope.visible())?.[spec.to] : undefined;
      for (const row of rows) {
        const items: unknown = row['items'];
        const related = (Array.isArray(items) ? items : []).map((item: unknown): Related => {
          if (only) return { node: fromList(only, item), rel: NO_REL };
          const p = asProps(item);
          return { node: asProps(p['node']), rel: asProps(p['rel']) };
        });
        byId.set(
          String(row['id']),
          visible ? related.filter((r) => visible.has(String(r.node['id']))) : related,
        );
      }
      return ids.map((id) => byId.get(id) ?? []);
    });
  }

  /**
   * A list loader of a capability's own (e.g. a metric's readings): `batch` gets the distinct keys
   * of one tick and returns one list of property maps per key, in key order. Loaders with the same `name` are one loader for the request.
   */
  lists(name: string, batch: (ids: string[]) => Promise<Props[][]>): DataLoader<string, Props[]> {
    return this.get(this.listLoaders, name, batch);
  }

  /** Drop cached entries after a mutation so the same request reads what it wrote. */
  clearAll(): void {
    for (const loader of this.nodeLoaders.values()) loader.clearAll();
    for (const loader of this.relLoaders.values()) loader.clearAll();
    for (const loader of this.listLoaders.values()) loader.clearAll();
  }

  private get<V>(
    cache: Map<string, DataLoader<string, V>>,
    name: string,
    batch: (ids: string[]) => Promise<V[]>,
  ): DataLoader<string, V> {
    const existing = cache.get(name);
    if (existing) return existing;
    const loader = new DataLoader<string, V>(
      async (keys) => {
        const ids = [...keys];
        this.batches.push({ loader: name, keys: ids });
        return batch(ids);
      },
      // large enough that one level of a big nested query is one round trip
      { maxBatchSize: 20000 },
    );
    cache.set(name, loader);
    return loader;
  }
}

/** The properties of a `listProjection` row, named by the projection. */
function fromList(names: readonly string[], values: unknown): Props {
  const props: Props = {};
  if (!Array.isArray(values)) return props;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (name !== undefined) props[name] = values[i] ?? null;
  }
  return props;
}

export function createLoaders(graph: Graph, scope?: Scope): Loaders {
  return new Loaders(graph, scope);
}

/** The single twin at the end of a to-one relationship, or null. */
export async function loadOne<T>(
  loaders: Loaders,
  spec: RelSpec,
  id: string,
  map: (props: Props) => T,
): Promise<T | null> {
  const rows = await loaders.related(spec).load(id);
  return rows[0] ? map(rows[0].node) : null;
}

/** The twins at the end of a to-many relationship, ordered by id. */
export async function loadMany<T>(
  loaders: Loaders,
  spec: RelSpec,
  id: string,
  map: (row: Related) => T,
): Promise<T[]> {
  return (await loaders.related(spec).load(id)).map(map);
}

/**
 * The twins at the end of a relationship whose rows are the twins themselves (no relationship
 * properties), reading only the properties the field's selection set asks for.
 */
export async function loadNodes<T>(
  loaders: Loaders,
  spec: RelSpec,
  id: string,
  info: GraphQLResolveInfo,
  map: (props: Props) => T,
): Promise<T[]> {
  const rows = await loaders.related(spec, projectionOf(info, spec.to)).load(id);
  return rows.map((r) => map(r.node));
}

/** The single twin at the end of a to-one relationship, reading only what is asked, or null. */
export async function loadNode<T>(
  loaders: Loaders,
  spec: RelSpec,
  id: string,
  info: GraphQLResolveInfo,
  map: (props: Props) => T,
): Promise<T | null> {
  const rows = await loaders.related(spec, projectionOf(info, spec.to)).load(id);
  return rows[0] ? map(rows[0].node) : null;
}
