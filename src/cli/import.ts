import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig } from '../config';
import { announceOnBus } from '../telemetry/bus';
import { embeddedBrokerUrl } from '../telemetry/broker';
import { TwinError } from '../errors';
import { COUNT_FACTORIES } from '../twins/cypher';
import { importDocument } from '../twins/import/service';
import { cliGraph } from './graph-cli';

const USAGE = `Usage: npm run import -- <file.json> [--if-empty]
Imports a twin-graph document into NEO4J_URI (all or nothing, upsert by id).
  --if-empty   import only when the graph holds no factory yet (used for the demo seed)`;

async function run(): Promise<number> {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file || args.includes('--help')) {
    console.error(USAGE);
    return file ? 0 : 2;
  }
  let input: unknown;
  try {
    input = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    console.error(
      `${file}: cannot read a JSON document: ${err instanceof Error ? err.message : String(err)}`,
    );
    return 2;
  }
  const graph = cliGraph();
  try {
    if (args.includes('--if-empty')) {
      const rows = await graph.read(COUNT_FACTORIES);
      if (Number(rows[0]?.['n'] ?? 0) > 0) {
        console.error('the graph already holds factories; nothing imported (--if-empty)');
        return 0;
      }
    }
    let lastSection = '';
    const summary = await importDocument(graph, input, (p) => {
      if (p.section !== lastSection || p.written === p.total) {
        process.stderr.write(`  ${p.section}: ${p.written}/${p.total}\n`);
        lastSection = p.section;
      }
    });
    console.error(
      `imported ${summary.twins} twins from ${file} in ${summary.durationMs} ms: ${JSON.stringify(summary.counts)}`,
    );
    await tellRunningServers();
    return 0;
  } catch (err) {
    if (err instanceof TwinError && Array.isArray(err.extensions['problems'])) {
      console.error(err.message);
      for (const p of err.extensions['problems']) console.error(`  ${p.path}: ${p.message}`);
      return 1;
    }
    throw err;
  } finally {
    await graph.close();
  }
}

/** Running servers reload their asset cache at once (else at their next periodic reload). */
async function tellRunningServers(): Promise<void> {
  const config = loadConfig();
  const url =
    config.MQTT_URL ?? embeddedBrokerUrl(config.MQTT_EMBEDDED_HOST, config.MQTT_EMBEDDED_PORT);
  const told = await announceOnBus(url, config.MQTT_TOPIC_PREFIX, {
    kind: 'import',
    body: { at: new Date().toISOString() },
  });
  console.error(
    told
      ? `told running servers through ${url}`
      : `no MQTT broker answered at ${url}; running servers reload their asset cache within TELEMETRY_CACHE_RELOAD_S (${config.TELEMETRY_CACHE_RELOAD_S} s)`,
  );
}

run().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `import failed: ${String(err)}`);
    process.exit(1);
  },
);
