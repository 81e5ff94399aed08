import type { Graph, Params } from '../graph/executor';
import { type Page, type PageWindow, toPage } from './connection';
import { asProps } from '../graph/props';
import { type ListStatement, listPageCypher } from './cypher';

export interface ListQuery extends ListStatement {
  params: Params;
}

/** Count and one page of a label in a single round trip, ordered by id (keyset pagination). */
export async function listPage<T extends { id: string }>(
  graph: Graph,
  query: ListQuery,
  window: PageWindow,
  map: (props: Record<string, unknown>) => T,
): Promise<Page<T>> {
  const rows = await graph.read(listPageCypher(query), {
    ...query.params,
    after: window.afterId,
    limit: window.limit + 1,
  });
  const row = rows[0];
  const raw: unknown = row?.['nodes'];
  const nodes: unknown[] = Array.isArray(raw) ? raw : [];
  const items = nodes.map((n) => map(asProps(n)));
  return toPage(items, window, Number(row?.['total'] ?? 0));
}
