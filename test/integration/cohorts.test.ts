import mqtt, { type MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { gql, startTestApp, type TestApp, createKey } from '../support/app';
import { ADMIN_AUTHORIZATION } from '../support/credentials';
import { resetTwins } from '../support/db';
import { type LiveSubscription, subscribe, waitFor } from '../support/live';

/*
 * Shared execution of subscriptions and slow consumers on the real server (docs/live.md): the
 * executions per event are read from /metrics, the events from real graphql-ws clients fed by
 * real MQTT messages through Mosquitto.
 */

const METRICS = 40;
const PLANT = {
  factories: [
    { id: 'F1', name: 'Leipzig' },
    { id: 'F2', name: 'Dresden' },
  ],
  lines: [{ id: 'L1', factoryId: 'F1', name: 'Body' }],
  assets: [
    {
      id: 'A1',
      lineId: 'L1',
      name: 'Press',
      kind: 'PRESS',
      ratePerHour: 60,
      // many metrics: each event is a few kilobytes, so a client that stops reading fills its
      // socket's buffers after a few thousand, and its queue after that
      metrics: Array.from({ length: METRICS }, (_, i) => ({
        name: `m${i}`,
        unit: 'Cel',
        min: 0,
        max: 1000,
      })),
    },
  ],
};

const DOC = `subscription($f: ID, $l: ID) {
  telemetry(factoryId: $f, lineId: $l) { ts asset { id name } readings { metric value unit } }
}`;

async function scrape(app: TestApp, name: string): Promise<number> {
  const res = await fetch(`${app.url}/metrics`, {
    headers: { authorization: ADMIN_AUTHORIZATION },
  });
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(`twin_graph_${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

/** The `ts` of a telemetry event's data. */
function tsOf(data: Record<string, unknown>): string {
  const t: unknown = data['telemetry'];
  const ts: unknown = typeof t === 'object' && t !== null ? Reflect.get(t, 'ts') : undefined;
  if (typeof ts !== 'string') throw new Error(`not a telemetry event: ${JSON.stringify(data)}`);
  return ts;
}

let stamp = Date.now() - 3_600_000;
const message = (i: number) =>
  JSON.stringify({
    ts: new Date((stamp += 1)).toISOString(),
    metrics: Object.fromEntries(Array.from({ length: METRICS }, (_, m) => [`m${m}`, i % 1000])),
  });

async function start(prefix: string, env: Record<string, string> = {}) {
  const app = await startTestApp({ MQTT_TOPIC_PREFIX: prefix, ...env });
  await resetTwins(app.graph, app.runtime.telemetry.rules);
  const imported = await gql(
    app,
    'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }',
    {
      d: PLANT,
    },
  );
  expect(imported.errors).toBeUndefined();
  await waitFor('the registry to know A1', () => app.runtime.telemetry.registry.cached('A1'));
  const client = await mqtt.connectAsync(process.env['MQTT_URL'] ?? '', {
    clientId: `cohorts-${prefix}-${process.pid}`,
  });
  return { app, client };
}

describe('subscribers sharing a cohort', () => {
  let app: TestApp;
  let client: MqttClient;
  const subs: LiveSubscription[] = [];

  beforeAll(async () => {
    ({ app, client } = await start('coh'));
  });
  afterAll(async () => {
    for (const s of subs) await s.close();
    await client?.endAsync();
    await app?.stop();
  });

  it('when subscribers share document, variables and access, then an event is executed once per cohort; variables, role or scope that differ make cohorts of their own', async () => {
    const viewerF1a = await createKey(app, 'viewer', ['F1']);
    const viewerF1b = await createKey(app, 'viewer', ['F1']);
    const viewer = await createKey(app, 'viewer', null);
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    const admin = { authorization: ADMIN_AUTHORIZATION };
    const groups: [Record<string, unknown>, Record<string, unknown>, number][] = [
      // five admin subscribers of the same variables: one cohort
      [{ f: 'F1' }, admin, 5],
      // other variables: another
      [{ f: 'F1', l: 'L1' }, admin, 2],
    ];
    for (const [vars, params, n] of groups) {
      for (let i = 0; i < n; i++) subs.push(await subscribe(app.wsUrl, DOC, vars, params));
    }
    // two different keys of the same role and scope share one; the unscoped viewer has its own
    subs.push(await subscribe(app.wsUrl, DOC, { f: 'F1' }, as(viewerF1a)));
    subs.push(await subscribe(app.wsUrl, DOC, { f: 'F1' }, as(viewerF1b)));
    subs.push(await subscribe(app.wsUrl, DOC, { f: 'F1' }, as(viewer)));
    expect(await scrape(app, 'subscription_cohorts')).toBe(4);
    expect(await scrape(app, 'subscription_cohort_members')).toBe(10);

    const executions = await scrape(app, 'subscription_executions_total');
    const deliveries = await scrape(app, 'subscription_deliveries_total');
    for (let i = 0; i < 3; i++) {
      await client.publishAsync('coh/F1/L1/A1/telemetry', message(i), { qos: 1 });
    }
    for (const s of subs) {
      const events = await s.until(3);
      expect(events[0]).toEqual({
        telemetry: expect.objectContaining({ asset: { id: 'A1', name: 'Press' } }) as unknown,
      });
    }
    // 3 events × 4 cohorts, whatever the number of subscribers
    expect((await scrape(app, 'subscription_executions_total')) - executions).toBe(12);
    expect((await scrape(app, 'subscription_deliveries_total')) - deliveries).toBe(30);
    // everyone got the same events
    const first = JSON.stringify(subs[0]?.events);
    for (const s of subs) expect(JSON.stringify(s.events)).toBe(first);

    // a subscriber leaving keeps its cohort for the others; the last one closes it
    for (const s of subs.splice(0)) await s.close();
    await waitFor('every cohort closed', async () =>
      (await scrape(app, 'subscription_cohorts')) === 0 ? true : undefined,
    );
  });
});

describe('a subscriber that stops reading', () => {
  let app: TestApp;
  let client: MqttClient;

  beforeAll(async () => {
    ({ app, client } = await start('slow', {
      SUBSCRIPTION_QUEUE: '200',
      // live only: the test is about the fan-out, not about storing 100k readings
      TELEMETRY_PERSIST: 'false',
    }));
  });
  afterAll(async () => {
    await client?.endAsync();
    await app?.stop();
  });

  it('when one client stops reading, then the others get every event, its queue stays bounded, and once it reads again the next event says how many it missed', async () => {
    const fast = await subscribe(app.wsUrl, DOC, { f: 'F1' });
    // the slow client speaks graphql-transport-ws by hand, so that it can stop reading
    const slow = new WebSocket(app.wsUrl, 'graphql-transport-ws');
    const received: { missed: number; ts: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      slow.once('open', () =>
        slow.send(
          JSON.stringify({
            type: 'connection_init',
            payload: { authorization: ADMIN_AUTHORIZATION },
          }),
        ),
      );
      slow.on('message', (raw: Buffer) => {
        const msg = JSON.parse(raw.toString()) as {
          type: string;
          payload?: { data?: { telemetry: { ts: string } }; extensions?: { missed?: number } };
        };
        if (msg.type === 'connection_ack') {
          slow.send(
            JSON.stringify({
              id: '1',
              type: 'subscribe',
              payload: { query: DOC, variables: { f: 'F1' } },
            }),
          );
          resolve();
        } else if (msg.type === 'next' && msg.payload?.data) {
          received.push({
            missed: msg.payload.extensions?.missed ?? 0,
            ts: msg.payload.data.telemetry.ts,
          });
        }
      });
      slow.once('error', reject);
    });
    await waitFor('both subscribed', async () =>
      (await scrape(app, 'subscription_cohort_members')) === 2 ? true : undefined,
    );
    slow.pause();

    const published = 6000;
    // QoS 1, in bursts of 100 that the reading client takes in whole before the next: a burst
    // larger than a subscriber's queue would make even a reading client miss its oldest events
    for (let i = 0; i < published; i += 100) {
      const burst = Math.min(100, published - i);
      await Promise.all(
        Array.from({ length: burst }, (_, j) =>
          client.publishAsync('slow/F1/L1/A1/telemetry', message(i + j), { qos: 1 }),
        ),
      );
      await fast.until(i + burst, 60_000);
    }
    // the client that reads gets every event, in order, while the other does not read
    const events = await fast.until(published, 60_000);
    expect(events).toHaveLength(published);
    const missed = await waitFor('events dropped for the slow client', async () => {
      const n = await scrape(app, 'subscription_missed_total');
      return n > 0 ? n : undefined;
    });

    slow.resume();
    // what it gets afterwards: every event is either received or counted as missed, none lost silently
    await waitFor(
      `the slow client to account for every event (received ${received.length})`,
      () =>
        received.length + received.reduce((sum, r) => sum + r.missed, 0) >= published
          ? true
          : undefined,
      60_000,
    );
    const missedSeen = received.reduce((sum, r) => sum + r.missed, 0);
    expect(received.length + missedSeen).toBe(published);
    expect(missedSeen).toBe(missed);
    // the events it did get come in the order the reader got them, and the drop was of the oldest:
    // the newest events arrived
    const position = new Map(events.map((e, i) => [tsOf(e), i]));
    const positions = received.map((r) => position.get(r.ts) ?? -1);
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > (positions[i - 1] ?? -1)))).toBe(
      true,
    );
    expect(positions.at(-1)).toBe(published - 1);
    slow.close();
    await fast.close();
  }, 180_000);
});

describe('the live connection and telemetry demand', () => {
  let app: TestApp;
  let client: MqttClient;

  beforeAll(async () => {
    ({ app, client } = await start('dem', { LIVE_TELEMETRY_LINGER_MS: '300' }));
  });
  afterAll(async () => {
    await client?.endAsync();
    await app?.stop();
  });

  const STATUS_DOC = 'subscription { assetStatusChanged { asset { id status } reason } }';

  /** Publishes `n` telemetry messages and waits until the persist connection took them all. */
  async function publishStored(n: number): Promise<void> {
    const before = await scrape(app, 'telemetry_messages_received_total');
    for (let i = 0; i < n; i++) {
      await client.publishAsync('dem/F1/L1/A1/telemetry', message(i), { qos: 1 });
    }
    await waitFor(`${n} messages taken by the persist connection`, async () =>
      (await scrape(app, 'telemetry_messages_received_total')) - before >= n ? true : undefined,
    );
    // the live connection, were it subscribed, is sent its copy at the same time: give it a moment
    await new Promise((r) => setTimeout(r, 300));
  }

  it('when no subscription listens to telemetry, then the live connection is not sent it (state still is); a telemetry subscription brings it, and it goes again after the linger', async () => {
    expect(await scrape(app, 'telemetry_live_subscribed')).toBe(0);
    await publishStored(3);
    expect(await scrape(app, 'telemetry_live_messages_total')).toBe(0);

    // asset status is always followed: a state subscription alone gets its events
    const status = await subscribe(app.wsUrl, STATUS_DOC);
    await client.publishAsync(
      'dem/F1/L1/A1/state',
      JSON.stringify({ ts: new Date((stamp += 1)).toISOString(), status: 'DOWN', reason: 'jam' }),
      { qos: 1 },
    );
    expect((await status.until(1))[0]).toEqual({
      assetStatusChanged: { asset: { id: 'A1', status: 'DOWN' }, reason: 'jam' },
    });
    expect(await scrape(app, 'telemetry_live_subscribed')).toBe(0);

    const live = await subscribe(app.wsUrl, DOC, { f: 'F1' });
    expect(await scrape(app, 'telemetry_live_subscribed')).toBe(1);
    await publishStored(2);
    expect((await live.until(2)).map((e) => Object.keys(e))).toEqual([
      ['telemetry'],
      ['telemetry'],
    ]);
    expect(await scrape(app, 'telemetry_live_messages_total')).toBe(2);

    await live.close();
    await waitFor('the live connection to leave telemetry after the linger', async () =>
      (await scrape(app, 'telemetry_live_subscribed')) === 0 ? true : undefined,
    );
    await publishStored(2);
    expect(await scrape(app, 'telemetry_live_messages_total')).toBe(2);
    // every message was stored all along: 3 + 2 + 2 readings of each metric
    await waitFor('7 readings of A1 m0 stored', async () => {
      const rows = await app.graph.read(
        "MATCH (r:Reading {assetId: 'A1', metric: 'm0'}) RETURN count(r) AS n",
      );
      return Number(rows[0]?.['n']) === 7 ? true : undefined;
    });
    await status.close();
  });
});
