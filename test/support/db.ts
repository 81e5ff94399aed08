import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Graph } from '../../src/graph/executor';
import { splitStatements } from '../../src/graph/migrations';

/** A driver on the suite's Neo4j (started by the global setup). */
export function testGraph(): Graph {
  const uri = process.env['NEO4J_URI'];
  if (!uri)
    throw new Error(
      'NEO4J_URI is unset: run the tests through jest so the global setup starts Neo4j',
    );
  return Graph.connect({
    uri,
    user: process.env['NEO4J_USER'] ?? 'neo4j',
    password: process.env['NEO4J_PASSWORD'] ?? '',
    database: 'neo4j',
  });
}

/** The default alert rule as its migration creates it (the first statement of V0007). */
const DEFAULT_RULE = splitStatements(
  readFileSync(
    join(__dirname, '..', '..', 'migrations', 'V0007__default_alert_rule.cypher'),
    'utf8',
  ),
)[0];

/**
 * Test files run one at a time on one database; each starts from an empty twin graph, with the
 * alert rules a fresh install has (the default out-of-range rule) and no other. `rules`: a running
 * app's rule cache, loaded again afterwards: it was loaded when the app started, from whatever
 * the previous test file left (without the default rule, an ingest raises nothing).
 */
export async function resetTwins(graph: Graph, rules?: { load(): Promise<void> }): Promise<void> {
  await graph.autoCommit(
    `MATCH (n) WHERE NOT n:__Migration AND NOT n:__MigrationLock
     CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`,
  );
  if (DEFAULT_RULE) await graph.write(DEFAULT_RULE);
  await rules?.load();
}

/**
 * Nodes and relationships of the twin graph: a fingerprint to show that nothing was written.
 * Leases (the alert sweep's, the webhook claims') are the running server's bookkeeping, renewed
 * on a timer whatever the requests do: left out.
 */
export async function graphFingerprint(graph: Graph): Promise<string> {
  const rows = await graph.read(
    `CALL () { MATCH (n) WHERE NOT n:__Migration AND NOT n:__MigrationLock AND NOT n:Lease
               RETURN count(n) AS nodes, collect(DISTINCT labels(n)[0]) AS labels }
     CALL () { MATCH ()-[r]->() WHERE NOT startNode(r):__Migration
               RETURN count(r) AS rels, sum(size(keys(r))) AS relProps }
     CALL () { MATCH (n) WHERE NOT n:__Migration AND NOT n:__MigrationLock AND NOT n:Lease
               RETURN sum(size(keys(n))) AS props,
                      collect(CASE WHEN n:StateChange
                        // a timeline entry is named by what it says, not by its time: an export
                        // imported again records the same changes, at a later time
                        THEN 'StateChange:' + n.assetId + ':' + n.status + ':' + n.source
                        ELSE n.id + ':' + coalesce(toString(n.name), '') + ':' + coalesce(toString(n.quantity), '')
                      END) AS ids }
     RETURN nodes, rels, relProps, props, ids`,
  );
  const row = rows[0] ?? {};
  const ids: unknown = row['ids'];
  return JSON.stringify({
    nodes: row['nodes'],
    rels: row['rels'],
    relProps: row['relProps'],
    props: row['props'],
    ids: Array.isArray(ids) ? [...ids].sort() : [],
  });
}
