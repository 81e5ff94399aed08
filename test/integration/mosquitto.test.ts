import type { StateMessage, TelemetryMessage } from '../../src/telemetry/payload';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { startDemoFeed, type FeedAsset } from '../../src/telemetry/demo-feed';
import { freePort, startMosquitto, type MosquittoHandle } from '../support/mosquitto';

/*
 * The suite's broker (MQTT_URL, started by the global setup) for plain publish/subscribe, and
 * brokers of their own for the tests that restart one.
 */

const run = promisify(execFile);
const clients: MqttClient[] = [];
const brokers: MosquittoHandle[] = [];

function suiteUrl(): string {
  const url = process.env['MQTT_URL'];
  if (!url) throw new Error('MQTT_URL is unset: run through the integration project');
  return url;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms).unref(),
    ),
  ]);
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A connected client (registered for clean-up); `received` collects every message. */
async function client(url: string, options: IClientOptions = {}) {
  const c = connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  clients.push(c);
  const received: { topic: string; payload: string }[] = [];
  c.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  const connack = await within(
    new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      c.once('connect', resolve);
      c.once('error', reject);
    }),
    10_000,
    `connect to ${url}`,
  );
  return { c, received, sessionPresent: connack.sessionPresent };
}

/** Resolves at the next CONNACK of a client that reconnects by itself. */
function reconnected(c: MqttClient): Promise<{ sessionPresent: boolean }> {
  return within(
    new Promise((resolve) => c.once('connect', resolve)),
    15_000,
    'automatic reconnect',
  );
}

async function broker(persistence: boolean): Promise<MosquittoHandle> {
  const b = await startMosquitto({ persistence });
  brokers.push(b);
  return b;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});

describe('mosquitto', () => {
  it('when mosquitto_pub publishes, then an mqtt.js subscriber receives it at QoS 1', async () => {
    const topic = `it/${randomUUID()}/cli`;
    const { c, received } = await client(suiteUrl());
    await c.subscribeAsync(topic, { qos: 1 });
    const { port, hostname } = new URL(suiteUrl());
    await run('mosquitto_pub', [
      '-h',
      hostname,
      '-p',
      port,
      '-q',
      '1',
      '-t',
      topic,
      '-m',
      '{"a":1}',
    ]);
    await until(() => received.length === 1, 'message from mosquitto_pub');
    expect(received).toEqual([{ topic, payload: '{"a":1}' }]);
  });

  it('when mqtt.js publishes at QoS 1, then every message arrives once, in order', async () => {
    const topic = `it/${randomUUID()}/js`;
    const sub = await client(suiteUrl());
    await sub.c.subscribeAsync(topic, { qos: 1 });
    const pub = await client(suiteUrl());
    for (let i = 0; i < 50; i++) await pub.c.publishAsync(topic, String(i), { qos: 1 });
    await until(() => sub.received.length >= 50, '50 messages');
    expect(sub.received.map((m) => Number(m.payload))).toEqual([...Array(50).keys()]);
  });

  it('when two clients share a subscription, then each message reaches exactly one of them', async () => {
    const topic = `it/${randomUUID()}/shared`;
    const a = await client(suiteUrl());
    const b = await client(suiteUrl());
    await a.c.subscribeAsync(`$share/writers/${topic}`, { qos: 1 });
    await b.c.subscribeAsync(`$share/writers/${topic}`, { qos: 1 });
    const pub = await client(suiteUrl());
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => pub.c.publishAsync(topic, String(i), { qos: 1 })),
    );
    await until(() => a.received.length + b.received.length >= 40, '40 shared messages');
    await new Promise((resolve) => setTimeout(resolve, 200)); // room for any duplicate
    const all = [...a.received, ...b.received].map((m) => Number(m.payload));
    expect(all.sort((x, y) => x - y)).toEqual([...Array(40).keys()]);
    expect(a.received.length).toBeGreaterThan(0);
    expect(b.received.length).toBeGreaterThan(0);
    expect(a.received.every((m) => m.topic === topic)).toBe(true);
  });
});

describe('mosquitto restart', () => {
  const persistent = (clientId: string): IClientOptions => ({
    clientId,
    clean: false,
    reconnectPeriod: 100,
  });

  it('when the broker restarts, then a reconnecting client keeps its session and receives again', async () => {
    const mosquitto = await broker(true);
    const topic = `it/${randomUUID()}/restart`;
    const sub = await client(mosquitto.url, persistent(`sub-${randomUUID()}`));
    await sub.c.subscribeAsync(topic, { qos: 1 });

    const back = reconnected(sub.c);
    await mosquitto.restart();
    expect((await back).sessionPresent).toBe(true);

    const pub = await client(mosquitto.url);
    await pub.c.publishAsync(topic, 'after restart', { qos: 1 });
    await until(() => sub.received.length === 1, 'message after restart');
  });

  it('when a persistent subscriber is away, then QoS 1 messages wait for it, across a graceful restart too', async () => {
    const mosquitto = await broker(true);
    const topic = `it/${randomUUID()}/queued`;
    const id = `sub-${randomUUID()}`;
    const first = await client(mosquitto.url, persistent(id));
    await first.c.subscribeAsync(topic, { qos: 1 });
    await first.c.endAsync();

    const pub = await client(mosquitto.url, { reconnectPeriod: 100 });
    await pub.c.publishAsync(topic, 'while away', { qos: 1 });
    const again = await client(mosquitto.url, persistent(id));
    expect(again.sessionPresent).toBe(true);
    await until(() => again.received.length === 1, 'message queued while away');
    await again.c.endAsync();

    await pub.c.publishAsync(topic, 'before restart', { qos: 1 });
    const pubBack = reconnected(pub.c);
    await mosquitto.restart();
    await pubBack;
    const third = await client(mosquitto.url, persistent(id));
    expect(third.sessionPresent).toBe(true);
    await until(() => third.received.length === 1, 'message queued across the restart');
    expect(third.received[0]?.payload).toBe('before restart');
  });

  it('when the broker runs without persistence, then a restart forgets sessions and mqtt.js resubscribes', async () => {
    const mosquitto = await broker(false);
    const topic = `it/${randomUUID()}/volatile`;
    const sub = await client(mosquitto.url, persistent(`sub-${randomUUID()}`));
    await sub.c.subscribeAsync(topic, { qos: 1 });

    const back = reconnected(sub.c);
    await mosquitto.restart();
    expect((await back).sessionPresent).toBe(false);
    // mqtt.js sees sessionPresent false and subscribes again by itself.
    const pub = await client(mosquitto.url);
    await until(() => {
      pub.c.publish(topic, 'ping', { qos: 1 }, () => {});
      return sub.received.length > 0;
    }, 'message after the resubscribe');
  });

  it('when the broker crashes, then restart() brings it back and clients reconnect', async () => {
    const mosquitto = await broker(true);
    const topic = `it/${randomUUID()}/crash`;
    const sub = await client(mosquitto.url, persistent(`sub-${randomUUID()}`));
    await sub.c.subscribeAsync(topic, { qos: 1 });

    const back = reconnected(sub.c);
    mosquitto.kill();
    await mosquitto.restart();
    // Nothing was saved before the crash, so the session is gone; mqtt.js resubscribes.
    expect((await back).sessionPresent).toBe(false);
    const pub = await client(mosquitto.url);
    await until(() => {
      pub.c.publish(topic, 'ping', { qos: 1 }, () => {});
      return sub.received.length > 0;
    }, 'message after the crash');
  });
});

describe('demo telemetry feed', () => {
  const asset = (assetId: string, metrics: FeedAsset['metrics']): FeedAsset => ({
    factoryId: 'F1',
    lineId: 'L1',
    assetId,
    status: 'RUNNING',
    metrics,
  });

  it('when it runs against the broker, then well-formed telemetry and state messages arrive on the asset topics', async () => {
    const prefix = `it-${randomUUID()}`;
    const { c, received } = await client(suiteUrl());
    await c.subscribeAsync(`${prefix}/#`, { qos: 1 });
    const sim = startDemoFeed({
      mqttUrl: suiteUrl(),
      prefix,
      intervalMs: 200,
      stateChangeEvery: 3,
      assets: [
        asset('PRESS-1', [
          { name: 'hydraulicPressure', unit: 'bar', min: 0, max: 320 },
          { name: 'oilTemperature', unit: 'Cel', min: 10, max: 65 },
        ]),
        asset('ROBOT-1', [{ name: 'power', unit: 'kW', min: 0, max: 12 }]),
      ],
    });
    try {
      await within(sim.ready, 10_000, 'simulator connected');
      await until(
        () => received.filter((m) => m.topic.endsWith('/state')).length >= 2,
        'two state messages',
      );
    } finally {
      await sim.stop();
    }
    expect(sim.published()).toBeGreaterThanOrEqual(received.length);

    const telemetry = received.filter((m) => m.topic.endsWith('/telemetry'));
    expect(telemetry.length).toBeGreaterThanOrEqual(4);
    for (const m of telemetry) {
      expect(m.topic).toMatch(new RegExp(`^${prefix}/F1/L1/(PRESS-1|ROBOT-1)/telemetry$`));
      const payload = JSON.parse(m.payload) as TelemetryMessage;
      expect(new Date(payload.ts).toISOString()).toBe(payload.ts);
      expect(Object.keys(payload.metrics).sort()).toEqual(
        m.topic.includes('PRESS') ? ['hydraulicPressure', 'oilTemperature'] : ['power'],
      );
      for (const reading of Object.values(payload.metrics)) {
        const value = typeof reading === 'number' ? reading : reading.value;
        expect(Number.isFinite(value)).toBe(true);
      }
    }
    // Spread over the interval: two assets every 200 ms are about 100 ms apart, not a burst.
    const times = telemetry.map((m) => Date.parse((JSON.parse(m.payload) as TelemetryMessage).ts));
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    const median = [...gaps].sort((x, y) => x - y)[Math.floor(gaps.length / 2)] as number;
    expect(median).toBeGreaterThanOrEqual(60);
    expect(median).toBeLessThanOrEqual(140);

    const states = received.filter((m) => m.topic.endsWith('/state'));
    for (const m of states) {
      expect(m.topic).toMatch(new RegExp(`^${prefix}/F1/L1/(PRESS-1|ROBOT-1)/state$`));
      const payload = JSON.parse(m.payload) as StateMessage;
      expect(['RUNNING', 'IDLE', 'DOWN', 'MAINTENANCE']).toContain(payload.status);
      expect(payload.reason?.length).toBeGreaterThan(0);
    }
    // The first change takes an asset away, the next message brings it back.
    expect(JSON.parse(states[1]?.payload ?? '{}')).toMatchObject({ status: 'RUNNING' });
  });

  it('when the broker is not up yet, then the demo feed waits and publishes once it is', async () => {
    const port = await freePort();
    const logs: string[] = [];
    const sim = startDemoFeed({
      mqttUrl: `mqtt://127.0.0.1:${port}`,
      intervalMs: 100,
      stateChangeEvery: 0,
      log: (m: string) => logs.push(m),
      assets: [asset('A1', [{ name: 'power', unit: 'kW', min: 0, max: 12 }])],
    });
    try {
      await until(() => logs.some((l) => l.includes('retrying')), 'a retry log');
      brokers.push(await startMosquitto({ port }));
      await within(sim.ready, 10_000, 'simulator connected');
      await until(() => sim.published() >= 3, 'three acknowledged messages');
    } finally {
      await sim.stop();
    }
  });
});
