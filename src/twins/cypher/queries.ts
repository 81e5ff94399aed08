import type { TwinLabel } from '../../graph/loaders';

/*
 * The reads behind the twins' list queries (`factories`, `lines`, `assets`, …). A twin by id and
 * the relationship fields are read through the generic loaders of src/graph/loaders.ts.
 */

/** A list query of one label: what `listPageCypher` builds its statement from. */
export interface ListStatement {
  /** The twin's label: one of the closed list `TwinLabel`, never user input. */
  label: TwinLabel;
  /**
   * Cypher boolean conditions on `n`, joined with AND. They come from `Filters` (page.args.ts):
   * property names written in the code, values always passed as parameters.
   */
  where: string[];
  /** Optional MATCH clause that binds `n` by a relationship (one of the `MATCH_*` below). */
  match?: string;
}

/**
 * Count and one page of a label in a single round trip, ordered by id (keyset pagination).
 * Parameters: those of `where`, `$after` (the last id already seen, or null) and `$limit`.
 * Returns one row: `total` and `nodes` (the page's property maps).
 */
export function listPageCypher({ label, where, match }: ListStatement): string {
  const bind = match ?? `MATCH (n:${label})`;
  const all = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const pageWhere = [...where, '($after IS NULL OR n.id > $after)'].join(' AND ');
  // a plain label count is answered from Neo4j's count store; a relationship match needs DISTINCT
  return `CALL () { ${bind} ${all} RETURN ${match ? 'count(DISTINCT n)' : 'count(n)'} AS total }
     CALL () {
       ${bind} WHERE ${pageWhere}
       WITH DISTINCT n ORDER BY n.id LIMIT toInteger($limit)
       RETURN collect(n {.*}) AS nodes
     }
     RETURN total, nodes`;
}

/** `lines(factoryId)`: the lines of one factory. */
export const MATCH_LINES_OF_FACTORY = 'MATCH (:Factory {id: $factoryId})-[:HAS_LINE]->(n:Line)';

/** `assets(factoryId, lineId)`: the assets of a line, if it belongs to the factory. */
export const MATCH_ASSETS_OF_FACTORY_LINE =
  'MATCH (:Factory {id: $factoryId})-[:HAS_LINE]->(:Line {id: $lineId})-[:HAS_ASSET]->(n:Asset)';

/** `assets(lineId)`: the assets of one line. */
export const MATCH_ASSETS_OF_LINE = 'MATCH (:Line {id: $lineId})-[:HAS_ASSET]->(n:Asset)';

/** `assets(factoryId)`: the assets of every line of one factory. */
export const MATCH_ASSETS_OF_FACTORY =
  'MATCH (:Factory {id: $factoryId})-[:HAS_LINE]->(:Line)-[:HAS_ASSET]->(n:Asset)';
