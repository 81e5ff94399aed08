import type { TwinLabel } from '../../graph/loaders';
import type { TwinSection } from '../mutations/service';

/*
 * The single-twin and single-relationship mutations (mutations/service.ts, mutations/cycles.ts).
 * Creates, updates and `set<Relationship>` write through the import's statements
 * (import-export.ts); what is here is what only a mutation does: check, remove, delete, and
 * search for a cycle from one new edge.
 *
 * Labels and relationship types are spliced into these statements (Cypher takes no parameter
 * for them); each builder takes them from a closed list declared in the code (`TwinLabel`, the
 * relationships of twin.kinds.ts, `ACYCLIC`), never from the request. Ids are parameters.
 */

/**
 * An asset's status set by a mutation (at creation, or changed): the asset's `statusTs` becomes
 * `$at` (now) and the change is recorded on its timeline as a StateChange with source `api`
 * (docs/timeline.md), in the mutation's transaction. `$status`, `$reason`: the new status and why.
 * The write of the asset itself (WRITE_SECTION.assets) runs before it with `$statusAt` null.
 */
export const RECORD_API_STATUS_CHANGE = `
  MATCH (a:Asset {id: $id})
  SET a.statusTs = $at, a.statusReason = $reason
  MERGE (c:StateChange {id: $id + '@' + $at})
  ON CREATE SET c.assetId = $id, c.at = $at, c.status = $status, c.reason = $reason,
                c.source = 'api', c.receivedAt = $at`;

/** Whether the twin `$id` of `label` exists: a row (`id`) if it does, none if not. */
export function twinExistsCypher(label: TwinLabel): string {
  return `MATCH (n:${label} {id: $id}) RETURN n.id AS id`;
}

/**
 * Deletes the relationship `(:from {id: $from})-[:rel]->(:to {id: $to})` (returns `n`, how many
 * were deleted). `rel` is the type of a relationship declared in twin.kinds.ts.
 */
export function removeRelationshipCypher(from: TwinLabel, rel: string, to: TwinLabel): string {
  return `MATCH (:${from} {id: $from})-[r:${rel}]->(:${to} {id: $to}) DELETE r RETURN count(*) AS n`;
}

/**
 * Every link of the twin `$id` of `label`, ordered by type and the other end's id: no row when
 * the twin does not exist, else one row with `links` (`type`, `direction` 'out' or 'in', `kind`
 * and `id` of the other end), empty when it has none.
 */
export function twinLinksCypher(label: TwinLabel): string {
  return `MATCH (n:${label} {id: $id})
       OPTIONAL MATCH (n)-[r]-(m)
       WITH n, r, m ORDER BY type(r), m.id
       RETURN collect(CASE WHEN r IS NULL THEN null ELSE {type: type(r),
         direction: CASE WHEN startNode(r) = n THEN 'out' ELSE 'in' END,
         kind: labels(m)[0], id: m.id} END) AS links`;
}

/**
 * Per section, a subquery on the twin `n` returning `deps`: the twins that cannot exist without
 * it and go with it when it is deleted with cascade (mutations/service.ts `CASCADE` says the same
 * in words, for the mutations' descriptions).
 */
export const CASCADE_DEPENDENTS: Record<TwinSection, string> = {
  factories: `OPTIONAL MATCH (n)-[:HAS_LINE]->(l:Line)
      OPTIONAL MATCH (l)-[:HAS_ASSET]->(a:Asset)
      OPTIONAL MATCH (a)-[:HAS_METRIC]->(m:Metric)
      OPTIONAL MATCH (n)<-[:TO|AT]-(x:Shipment|Order)
      RETURN collect(DISTINCT l) + collect(DISTINCT a) + collect(DISTINCT m) + collect(DISTINCT x) AS deps`,
  lines: `OPTIONAL MATCH (n)-[:HAS_ASSET]->(a:Asset)
      OPTIONAL MATCH (a)-[:HAS_METRIC]->(m:Metric)
      RETURN collect(DISTINCT a) + collect(DISTINCT m) AS deps`,
  assets: `OPTIONAL MATCH (n)-[:HAS_METRIC]->(m:Metric) RETURN collect(DISTINCT m) AS deps`,
  products: `OPTIONAL MATCH (n)<-[:CARRIES|FOR]-(x:Shipment|Order) RETURN collect(DISTINCT x) AS deps`,
  suppliers: `OPTIONAL MATCH (n)<-[:FROM]-(x:Shipment) RETURN collect(DISTINCT x) AS deps`,
  shipments: `RETURN [] AS deps`,
  orders: `RETURN [] AS deps`,
};

/**
 * Deletes the twin `$id` of `label` (the label of `section`) with its dependents
 * (`CASCADE_DEPENDENTS[section]`), detaching every other link. Returns one row per deleted twin:
 * `kind` (its label), `id`, and for a metric `assetId`, the asset it belonged to.
 */
export function deleteTwinCypher(label: TwinLabel, section: TwinSection): string {
  return `MATCH (n:${label} {id: $id})
       CALL (n) { ${CASCADE_DEPENDENTS[section]} }
       WITH n, [d IN deps WHERE d IS NOT NULL] AS deps
       WITH [n] + deps AS doomed
       UNWIND doomed AS d
       WITH d, labels(d)[0] AS kind, d.id AS id,
            CASE WHEN d:Metric THEN head([(a:Asset)-[:HAS_METRIC]->(d) | a.id]) END AS assetId
       DETACH DELETE d
       RETURN kind, id, assetId`;
}

/** The relationships that must stay acyclic, as the document names their sections. */
export const ACYCLIC = {
  flows: { label: 'Asset', rel: 'FEEDS' },
  bom: { label: 'Product', rel: 'REQUIRES' },
} as const;

export type AcyclicSection = keyof typeof ACYCLIC;

/**
 * A shortest path of stored edges back from `$to` to `$from`, at most `maxLength` long (an integer
 * written into the statement, at least 1): the cycle a new edge `$from → $to` of `section` would
 * close. One row with `ids` (the twins along the path, `$to` first) if there is one, none if not.
 */
export function storedCycleCypher(section: AcyclicSection, maxLength: number): string {
  const { label, rel } = ACYCLIC[section];
  return `MATCH (start:${label} {id: $to}), (end:${label} {id: $from})
     MATCH path = shortestPath((start)-[:${rel}*1..${Math.max(1, Math.floor(maxLength))}]->(end))
     RETURN [n IN nodes(path) | n.id] AS ids`;
}
