import { type ClassType, Field, Int, ObjectType } from 'type-graphql';
import { badInput, clip } from '../errors';

@ObjectType({ description: 'Relay page information.', simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Page<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** A Relay connection type for one node type (`FactoryConnection`, `FactoryEdge`). */
export function Connection<T extends object>(name: string, nodeType: ClassType<T>) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class EdgeType {
    @Field({ description: 'Opaque; pass it as `after` to continue after this node.' })
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  // Concrete subclasses (`class FactoryConnection extends Connection(...)`) give the GraphQL name.
  @ObjectType({ simpleResolvers: true })
  abstract class ConnectionType {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Number of nodes matching the filters, over all pages.' })
    totalCount!: number;
  }
  return ConnectionType;
}

/*
 * Keyset pagination on the id: a cursor names the last id seen, so a page continues
 * strictly after it. Nodes added or removed meanwhile never make a page skip or repeat one.
 */
const CURSOR_PREFIX = 'id:';

export function encodeCursor(id: string): string {
  return Buffer.from(CURSOR_PREFIX + id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (
    !text.startsWith(CURSOR_PREFIX) ||
    encodeCursor(text.slice(CURSOR_PREFIX.length)) !== cursor
  ) {
    throw badInput(
      `"after" is not a cursor of this API: "${clip(cursor, 40)}"; pass an edge's cursor or pageInfo.endCursor unchanged`,
    );
  }
  return text.slice(CURSOR_PREFIX.length);
}

export interface PageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
}

export interface PageWindow {
  limit: number;
  afterId: string | null;
}

export function pageWindow(args: PageArgs, maxPageSize: number, defaultSize = 50): PageWindow {
  const first = args.first ?? Math.min(defaultSize, maxPageSize);
  if (!Number.isInteger(first) || first < 0 || first > maxPageSize) {
    throw badInput(
      `"first" must be an integer from 0 to ${maxPageSize}, got ${first}; page with "after" for more`,
    );
  }
  return { limit: first, afterId: args.after ? decodeCursor(args.after) : null };
}

/** Build a page from up to `limit + 1` rows sorted by id (the extra row tells whether more follow). */
export function toPage<T extends { id: string }>(
  rows: T[],
  window: PageWindow,
  totalCount: number,
): Page<T> {
  const nodes = rows.slice(0, window.limit);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
  const pageInfo = new PageInfo();
  pageInfo.hasNextPage = rows.length > window.limit;
  pageInfo.hasPreviousPage = window.afterId !== null;
  pageInfo.startCursor = edges[0]?.cursor ?? null;
  pageInfo.endCursor = edges.at(-1)?.cursor ?? null;
  return { edges, pageInfo, totalCount };
}
