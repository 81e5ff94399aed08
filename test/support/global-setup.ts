import 'reflect-metadata';
import { join } from 'node:path';
import { Graph } from '../../src/graph/executor';
import { projectMigrator } from '../../src/graph/migrations';
import { startMosquitto, type MosquittoHandle } from './mosquitto';
import { startTestNeo4j, type Neo4jHandle } from './neo4j';

declare global {
  var __twinNeo4j: Neo4jHandle | undefined;
  var __twinMosquitto: MosquittoHandle | undefined;
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
    await projectMigrator(graph).migrate();
  } finally {
    await graph.close();
  }

  // One broker for the whole run (each test uses its own topics); MQTT_URL wins when set.
  if (!process.env['MQTT_URL']) {
    const mqttStarted = Date.now();
    const mosquitto = await startMosquitto().catch(async (err: unknown) => {
      await neo4j.stop(); // jest skips the teardown when the setup fails
      throw err;
    });
    globalThis.__twinMosquitto = mosquitto;
    process.env['MQTT_URL'] = mosquitto.url;
    log(`Mosquitto at ${mosquitto.url} after ${Date.now() - mqttStarted} ms`);
  }
}
