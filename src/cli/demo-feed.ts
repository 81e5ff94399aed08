import { parseArgs } from 'node:util';
import { ConfigError, graphSettings, loadConfig } from '../config';
import { Graph } from '../graph/executor';
import { logger, shownUrl } from '../log';
import { mulberry32 } from '../domain/prng';
import { startDemoFeed, type FeedAsset, type FeedMetric } from '../telemetry/demo-feed';
import { READ_DEMO_FEED_ASSETS } from '../telemetry/telemetry.cypher';
import { embeddedBrokerUrl } from '../telemetry/broker';

const USAGE = `Publishes plausible telemetry for every asset in the graph, so the playground shows live data.

  node dist/src/cli/demo-feed.js [--interval-ms 5000] [--state-change-every N] [--seed S]

  --interval-ms          time between two messages of one asset (default 5000)
  --state-change-every   intervals between two asset state changes (default: about a minute; 0: none)
  --seed                 reproducible readings (default: random)

Reads NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE), MQTT_URL (default
the embedded broker at MQTT_EMBEDDED_HOST:MQTT_EMBEDDED_PORT) and MQTT_TOPIC_PREFIX. Stop with Ctrl-C.`;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function toMetric(raw: unknown): FeedMetric[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const m = raw as Record<string, unknown>;
  const name = str(m['name']);
  return name
    ? [{ name, unit: str(m['unit']) ?? '1', min: num(m['min']), max: num(m['max']) }]
    : [];
}

function toSimAssets(rows: readonly Record<string, unknown>[]): FeedAsset[] {
  return rows.flatMap((row) => {
    const factoryId = str(row['factoryId']);
    const lineId = str(row['lineId']);
    const assetId = str(row['assetId']);
    if (!factoryId || !lineId || !assetId) return [];
    const metrics = Array.isArray(row['metrics']) ? row['metrics'].flatMap(toMetric) : [];
    return [{ factoryId, lineId, assetId, status: str(row['status']) ?? 'RUNNING', metrics }];
  });
}

function intOption(value: string | undefined, name: string, def: number, min: number): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new ConfigError([`--${name}: expected an integer ≥ ${min}, got "${value}"`]);
  return n;
}

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'interval-ms': { type: 'string' },
      'state-change-every': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const intervalMs = intOption(values['interval-ms'], 'interval-ms', 5000, 1);
  const every = values['state-change-every'];
  const seed = values.seed;
  const config = loadConfig();
  const log = logger('demo-feed');
  const mqttUrl =
    config.MQTT_URL ?? embeddedBrokerUrl(config.MQTT_EMBEDDED_HOST, config.MQTT_EMBEDDED_PORT);

  const graph = Graph.connect(graphSettings(config));
  let assets: FeedAsset[];
  try {
    assets = toSimAssets(await graph.read(READ_DEMO_FEED_ASSETS));
  } finally {
    await graph.close();
  }
  if (assets.length === 0) {
    log.info(`no assets in ${config.NEO4J_URI}; load some first, e.g. \`npm run seed:demo\``);
    process.exitCode = 1;
    return;
  }

  const reporting = assets.filter((a) => a.status === 'RUNNING' || a.status === 'IDLE').length;
  log.info(
    `${assets.length} assets (${reporting} reporting), every ${intervalMs} ms, ` +
      `to ${shownUrl(mqttUrl)} under "${config.MQTT_TOPIC_PREFIX}/"`,
  );
  const sim = startDemoFeed({
    mqttUrl,
    prefix: config.MQTT_TOPIC_PREFIX,
    assets,
    intervalMs,
    log: (m: string) => log.info(m),
    ...(every === undefined
      ? {}
      : { stateChangeEvery: intOption(every, 'state-change-every', 0, 0) }),
    ...(seed === undefined ? {} : { random: mulberry32(intOption(seed, 'seed', 0, 0)) }),
  });

  let last = 0;
  const minutely = setInterval(() => {
    const total = sim.published();
    const skipped = sim.skipped();
    log.info(
      `published ${total - last} messages in the last minute (${total} in all${skipped ? `, ${skipped} skipped while the broker was away` : ''})`,
    );
    last = total;
  }, 60_000);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second Ctrl-C does not wait
    stopping = true;
    log.info(`${signal}: stopping after ${sim.published()} messages`);
    clearInterval(minutely);
    sim.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.info(`stop failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

run().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `demo-feed failed: ${String(err)}`);
  process.exit(1);
});
