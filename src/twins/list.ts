import type { Graph, Params } from '../graph/executor';
import { type Page, type PageWindow, toPage } from './connection';
import { asProps } from '../graph/props';

export interface ListQuery {
  label: string;
  /** Cypher boolean conditions on `n`, joined with AND. */
  where: string[];
  params: Params;
  /** Optional MATCH clauses that bind `n` by a relationship (e.g. the factory of a line). */
  match?: string;
}

/** Count and one page of a label in a single round trip, ordered by id (keyset pagination). */
export async function listPage<T extends { id: string }>(
  graph: Graph,
  query: ListQuery,
  window: PageWindow,
  map: (props: Record<string, unknown>) => T,
): Promise<Page<T>> {
  const match = query.match ?? `MATCH (n:${query.label})`;
  const where = query.where.length > 0 ? `WHERE ${query.where.join(' AND ')}` : '';
  const pageWhere = [...query.where, '($after IS NULL OR n.id > $after)'].join(' AND ');
  const rows = await graph.read(
    // a plain label count is answered from Neo4j's count store; a relationship match needs DISTINCT
    `CALL () { ${match} ${where} RETURN ${query.match ? 'count(DISTINCT n)' : 'count(n)'} AS total }
     CALL () {
       ${match} WHERE ${pageWhere}
       WITH DISTINCT n ORDER BY n.id LIMIT toInteger($limit)
       RETURN collect(n {.*}) AS nodes
     }
     RETURN total, nodes`,
    { ...query.params, after: window.afterId, limit: window.limit + 1 },
  );
  const row = rows[0];
  const raw: unknown = row?.['nodes'];
  const nodes: unknown[] = Array.isArray(raw) ? raw : [];
  const items = nodes.map((n) => map(asProps(n)));
  return toPage(items, window, Number(row?.['total'] ?? 0));
}
