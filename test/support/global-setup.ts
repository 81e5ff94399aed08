import 'reflect-metadata';
import { join } from 'node:path';
import { Graph } from '../../src/graph/executor';
import { Migrator } from '../../src/graph/migrations';
import { startTestNeo4j, type Neo4jHandle } from './neo4j';

declare global {
  var __twinNeo4j: Neo4jHandle | undefined;
}

/** Starts the real dependencies once for the whole run, unless they are already reachable. */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..');
  const log = (m: string) => process.stderr.write(`[test-setup] ${m}\n`);
  const started = Date.now();
  const neo4j = await startTestNeo4j(root, log);
  globalThis.__twinNeo4j = neo4j;
  process.env['NEO4J_URI'] = neo4j.uri;
  process.env['NEO4J_USER'] = neo4j.user;
  process.env['NEO4J_PASSWORD'] = neo4j.password;
  log(`Neo4j (${neo4j.source}) at ${neo4j.uri} after ${Date.now() - started} ms`);

  const graph = Graph.connect({
    uri: neo4j.uri,
    user: neo4j.user,
    password: neo4j.password,
    database: 'neo4j',
  });
  try {
    await new Migrator(graph, { dir: join(root, 'migrations') }).migrate();
  } finally {
    await graph.close();
  }
}
