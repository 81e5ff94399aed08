import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import type { Graph } from '../../src/graph/executor';
import { exited, serverReady, startServer } from '../support/child-server';
import { composeValue, ROOT } from '../support/compose';
import { resetTwins, testGraph } from '../support/db';
import { waitFor } from '../support/live';
import { freePort } from '../support/mosquitto';
import { importPlant, nextTs } from '../support/plant';

/*
 * The broker that docker-compose.yml runs, without Docker: the compose service's own start script
 * (it writes the password file from the environment, then execs Mosquitto on
 * docker/mosquitto.conf), the shipped docker/mosquitto.acl and the service's healthcheck, run
 * against the Debian Mosquitto with the container's paths moved into a temp dir. Then the API logs
 * in with the compose file's MQTT_URL, and a gateway with its own user.
 */

const run = promisify(execFile);

/** What docker compose makes of a value: `$$` is a `$`, `${NAME:-default}` the default (unset). */
const interpolate = (text: string): string =>
  text
    .replace(/\$\{(\w+):-([^}]*)\}/g, (_, _name: string, fallback: string) => fallback)
    .replace(/\$\$/g, '$');

const str = (value: unknown, what: string): string => {
  if (typeof value !== 'string') throw new Error(`docker-compose.yml: ${what} is not a string`);
  return value;
};

interface ComposeBroker {
  script: string;
  healthcheck: string;
  env: Record<string, string>;
  apiUrl: string;
}

function composeBroker(): ComposeBroker {
  const env: Record<string, string> = {};
  const environment = composeValue('services', 'mosquitto', 'environment');
  for (const [k, v] of Object.entries(
    typeof environment === 'object' && environment ? environment : {},
  )) {
    env[k] = interpolate(str(v, `mosquitto.environment.${k}`));
  }
  return {
    script: interpolate(
      str(composeValue('services', 'mosquitto', 'command', 2), 'mosquitto.command[2]'),
    ),
    healthcheck: interpolate(
      str(composeValue('services', 'mosquitto', 'healthcheck', 'test', 1), 'mosquitto.healthcheck'),
    ),
    env,
    apiUrl: interpolate(
      str(composeValue('services', 'api', 'environment', 'MQTT_URL'), 'api.MQTT_URL'),
    ),
  };
}

let graph: Graph;
let dir = '';
let port = 0;
let broker: ChildProcess | undefined;
let compose: ComposeBroker;
const clients: MqttClient[] = [];

beforeAll(async () => {
  graph = testGraph();
  await resetTwins(graph);
  compose = composeBroker();
  dir = await mkdtemp(join(tmpdir(), 'twin-compose-broker-'));
  await mkdir(join(dir, 'data'));
  port = await freePort();
  // the shipped config, its container paths moved here; the broker drops to this user, as it
  // drops to `mosquitto` in the container (the script's chown is pointed at it too)
  const me = userInfo().username;
  const conf = (await readFile(join(ROOT, 'docker', 'mosquitto.conf'), 'utf8'))
    .replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`)
    .replaceAll('/mosquitto/data', join(dir, 'data'))
    .replace('/mosquitto/config/acl', join(ROOT, 'docker', 'mosquitto.acl'));
  await writeFile(
    join(dir, 'mosquitto.conf'),
    `${conf}\nuser ${me}\nlog_dest file ${join(dir, 'log')}\n`,
  );
  await chmod(dir, 0o755);
  const script = compose.script
    .replaceAll('/mosquitto/data', join(dir, 'data'))
    .replace('/mosquitto/config/mosquitto.conf', join(dir, 'mosquitto.conf'))
    .replace('chown mosquitto:mosquitto', `chown ${me}`)
    .replace('exec mosquitto ', 'exec /usr/sbin/mosquitto ');
  broker = spawn('sh', ['-c', script], {
    env: { PATH: process.env['PATH'] ?? '', ...compose.env },
    stdio: 'ignore',
  });
  await waitFor(
    'the compose broker to let the API user in',
    async () => {
      try {
        const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
          username: 'twin-graph',
          password: compose.env['MQTT_API_PASSWORD'] ?? '',
          reconnectPeriod: 0,
          connectTimeout: 1000,
        });
        await c.endAsync();
        return true;
      } catch {
        return undefined;
      }
    },
    15_000,
  );
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  broker?.kill('SIGTERM');
  if (broker) await exited(broker);
  await rm(dir, { recursive: true, force: true });
  await graph.close();
});

const gateway = async (): Promise<MqttClient> => {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    username: 'gateway',
    password: compose.env['MQTT_GATEWAY_PASSWORD'] ?? '',
    protocolVersion: 5,
    reconnectPeriod: 0,
  });
  clients.push(c);
  return c;
};

describe("docker-compose.yml's broker: no anonymous clients, a user per role", () => {
  it('when the compose healthcheck runs against it, then it passes', async () => {
    const check = compose.healthcheck.replace('mosquitto_sub ', `mosquitto_sub -p ${port} `);
    const { stdout } = await run('sh', ['-c', check], {
      env: { PATH: process.env['PATH'] ?? '', ...compose.env },
    });
    expect(stdout.trim()).toMatch(/seconds/); // the broker's uptime
  });

  it('when a client connects without credentials, then it is refused', async () => {
    await expect(
      mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 2000 }),
    ).rejects.toThrow(/[Nn]ot authori[sz]ed/);
  });

  it('when a gateway reaches for the bus or other plants, then the broker refuses: it may only publish telemetry and state', async () => {
    const c = await gateway();
    const got: string[] = [];
    c.on('message', (topic) => got.push(topic));
    // Mosquitto grants the subscription and filters what it delivers by the ACL
    await c.subscribeAsync({ 'twin/#': { qos: 1 } });
    const api = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: 'twin-graph',
      password: compose.env['MQTT_API_PASSWORD'] ?? '',
      reconnectPeriod: 0,
    });
    clients.push(api);
    await api.publishAsync('twin/_events/alert', '{}', { qos: 1 });
    await api.publishAsync('twin/_alerts/F1/A1', '{}', { qos: 1 });
    await api.publishAsync('twin/F2/L9/A9/telemetry', '{}', { qos: 1 });
    const control: string[] = [];
    api.on('message', (topic) => control.push(topic));
    await api.subscribeAsync({ 'twin/_events/#': { qos: 1 } });
    await api.publishAsync('twin/_events/alert', '{}', { qos: 1 });
    await waitFor('the API user to get its own bus message', async () =>
      control.length > 0 ? true : undefined,
    );
    expect(got).toEqual([]);
    // a spoofed bus event (a twin change every instance would act on) is refused
    await expect(c.publishAsync('twin/_events/twins', '{}', { qos: 1 })).rejects.toMatchObject({
      code: 135,
    });
  });

  it('when the API logs in with the compose MQTT_URL, then a gateway reading is stored and the log shows the URL without its password', async () => {
    const apiPassword = compose.env['MQTT_API_PASSWORD'] ?? '';
    expect(apiPassword.length).toBeGreaterThan(0);
    const httpPort = await freePort();
    const id = `compose-${Date.now()}`;
    const server = startServer({
      PORT: String(httpPort),
      MQTT_URL: compose.apiUrl.replace('@mosquitto:1883', `@127.0.0.1:${port}`),
      MQTT_TOPIC_PREFIX: 'twin',
      INSTANCE_ID: id,
      MQTT_SHARED_GROUP: id,
      TELEMETRY_JOURNAL_DIR: join(dir, 'journal'),
      TELEMETRY_FLUSH_MS: '50',
    });
    try {
      await serverReady(httpPort, server);
      const app = { url: `http://127.0.0.1:${httpPort}` };
      await importPlant(app);
      await new Promise((r) => setTimeout(r, 500)); // the import event reaches the cache
      const c = await gateway();
      const ts = nextTs();
      // resolves on a PUBACK with reason code 0 (an error code rejects)
      await c.publishAsync(
        'twin/F1/L1/A1/telemetry',
        JSON.stringify({ ts, metrics: { temperature: 42 } }),
        { qos: 1 },
      );
      const stored = await waitFor('the reading stored', async () => {
        const rows = await graph.read('MATCH (r:Reading {id: $id}) RETURN r.value AS v', {
          id: `A1/temperature@${ts}`,
        });
        return rows[0]?.['v'];
      });
      expect(stored).toBe(42);
      expect(server.stderr()).toContain('twin-graph:***@127.0.0.1');
      expect(server.stderr()).not.toContain(apiPassword);
    } finally {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
  });
});
