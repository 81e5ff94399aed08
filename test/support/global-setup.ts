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

/** The part of jest's GlobalConfig read here (jest 30: `testPathPatterns.patterns`). */
interface SelectedPaths {
  testPathPatterns?: { patterns?: readonly string[] };
}

interface EnsureDepsModule {
  MOSQUITTO: unknown[];
  CHROMIUM: unknown;
  findCommand(spec: unknown): string | undefined;
  ensureDebianPackages(options: { commands: unknown[]; why: string }): Promise<unknown>;
}

function isEnsureDepsModule(value: unknown): value is EnsureDepsModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    'ensureDebianPackages' in value &&
    typeof value.ensureDebianPackages === 'function' &&
    'findCommand' in value &&
    'MOSQUITTO' in value &&
    'CHROMIUM' in value
  );
}

/** Whether the run may include this test file: no path patterns, or one that matches it. */
function selects(config: SelectedPaths | undefined, file: string): boolean {
  const patterns = config?.testPathPatterns?.patterns ?? [];
  return (
    patterns.length === 0 ||
    patterns.some((pattern) => {
      try {
        return new RegExp(pattern, 'i').test(file);
      } catch {
        return true;
      }
    })
  );
}

/**
 * The Debian packages this run needs (scripts/ensure-deps.mjs): Mosquitto unless MQTT_URL names a
 * broker, Chromium when the playground e2e test may run. Installed when this process is root or
 * has passwordless sudo. Without Mosquitto nothing can run, so that stops the run with the exact
 * command; without Chromium the rest runs and the e2e test fails with the command.
 */
async function ensurePackages(
  root: string,
  config: SelectedPaths | undefined,
  log: (m: string) => void,
): Promise<void> {
  const mod: unknown = await import(`${root}/scripts/ensure-deps.mjs`);
  if (!isEnsureDepsModule(mod))
    throw new Error('scripts/ensure-deps.mjs does not have the expected exports');
  const mqtt = !process.env['MQTT_URL'];
  const e2e = selects(config, join(root, 'test', 'e2e', 'playground.e2e.test.ts'));
  const commands = [...(mqtt ? mod.MOSQUITTO : []), ...(e2e ? [mod.CHROMIUM] : [])];
  const why = [
    ...(mqtt ? ['the integration tests run a real Mosquitto broker (MQTT_URL is unset)'] : []),
    ...(e2e ? ['the playground e2e test drives headless Chromium'] : []),
  ].join('; ');
  try {
    await mod.ensureDebianPackages({ commands, why });
  } catch (err) {
    if (mqtt && mod.MOSQUITTO.some((spec) => mod.findCommand(spec) === undefined)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    log(`${message}\nThe other tests run; the playground e2e test fails until Chromium is there.`);
  }
}

/** Starts the real dependencies once for the whole run, unless they are already reachable. */
export default async function globalSetup(config?: SelectedPaths): Promise<void> {
  const root = join(__dirname, '..', '..');
  const log = (m: string) => process.stderr.write(`[test-setup] ${m}\n`);
  await ensurePackages(root, config, log);
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
