import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';
import { waitFor } from '../support/live';
import { importPlant } from '../support/plant';

/*
 * Webhooks of alert rules through the whole server: a rule's alert steps reach a local HTTP
 * receiver that fails the first attempts (every attempt recorded), and a receiver that is down
 * across a restart of the API gets what was queued before it, once.
 */

const PREFIX = 'wh';

interface Received {
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** A receiver answering each POST with the next status of `script` (then 200). */
async function receiver(
  script: number[] = [],
  port = 0,
): Promise<{ server: Server; port: number; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = script[n++] ?? 200;
      if (status === 0) {
        req.socket.destroy(); // a dropped connection
        return;
      }
      if (status === 200) {
        got.push({
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        });
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    server,
    port: address.port,
    got,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const SETTINGS = {
  MQTT_TOPIC_PREFIX: PREFIX,
  WEBHOOK_POLL_MS: '100',
  WEBHOOK_MAX_BACKOFF_S: '1',
  WEBHOOK_TIMEOUT_MS: '2000',
  // DELIVERIES reads 50 alerts' deliveries and their attempts: a cost over the default 5,000
  GRAPHQL_MAX_COST: '100000',
};

let client: MqttClient;
let clock = Date.now() - 600_000;
const ts = () => new Date((clock += 1000)).toISOString();

async function reading(temperature: number): Promise<void> {
  await client.publishAsync(
    `${PREFIX}/F1/L1/A1/telemetry`,
    JSON.stringify({ ts: ts(), metrics: { temperature } }),
    { qos: 1 },
  );
}

async function ruleWithWebhook(app: TestApp, url: string): Promise<void> {
  // the default rule would raise the same alert without a webhook: this one replaces it
  await gql(
    app,
    'mutation { updateAlertRule(id: "metric-range", input: { enabled: false }) { id } }',
  );
  const res = await gql(
    app,
    `mutation($url: String!) { createAlertRule(id: "hook", input: { name: "Press hot", kind: OUT_OF_RANGE, metric: "temperature", clearDelayS: 0, webhookUrl: $url }) { id } }`,
    { url },
  );
  expect(res.errors).toBeUndefined();
  await waitFor('the rule in the cache', () =>
    app.runtime.telemetry.rules.rules().some((r) => r.id === 'hook') ? true : undefined,
  );
}

const DELIVERIES = `{ alerts(ruleId: "hook") { edges { node { id state deliveries { id event state attempts attemptLog { n ok httpStatus error } } } } } }`;

interface DeliveryView {
  id: string;
  event: string;
  state: string;
  attempts: number;
  attemptLog: { n: number; ok: boolean; httpStatus: number | null; error: string | null }[];
}

async function deliveries(app: TestApp): Promise<DeliveryView[]> {
  const res = await gql(app, DELIVERIES);
  expect(res.errors).toBeUndefined();
  const edges = (res.data?.['alerts'] as { edges: { node: { deliveries: DeliveryView[] } }[] })
    .edges;
  return edges.flatMap((e) => e.node.deliveries);
}

beforeAll(async () => {
  client = await mqtt.connectAsync(process.env['MQTT_URL'] ?? '', {
    clientId: `test-webhooks-${Date.now()}`,
  });
});
afterAll(async () => {
  await client.endAsync();
});

describe('alert webhooks through the API', () => {
  it('when the receiver fails the first two attempts, then the raise arrives on the third, every attempt is recorded, and the resolve follows it', async () => {
    const hook = await receiver([500, 0]);
    const app = await startTestApp(SETTINGS);
    try {
      await resetTwins(app.graph, app.runtime.telemetry.rules);
      await importPlant(app);
      await ruleWithWebhook(app, `http://127.0.0.1:${hook.port}/alerts`);
      await reading(150); // above the metric's max of 100
      await reading(50); // back: resolves (clear delay 0)
      await waitFor('both steps delivered', () => (hook.got.length >= 2 ? true : undefined), 30000);
      expect(hook.got.map((g) => g.body['event'])).toEqual(['RAISED', 'RESOLVED']);
      const [raised, resolved] = hook.got;
      expect(raised?.body).toMatchObject({
        attempt: 3,
        alert: { kind: 'OUT_OF_RANGE', ruleId: 'hook', assetId: 'A1', state: 'RAISED' },
      });
      expect(raised?.headers['x-twin-graph-event']).toBe('RAISED');
      expect(raised?.headers['x-twin-graph-delivery']).toBe(raised?.body['deliveryId']);
      expect(resolved?.body).toMatchObject({ alert: { state: 'RESOLVED' } });

      const recorded = await deliveries(app);
      const first = recorded.find((d) => d.event === 'RAISED');
      expect(first).toMatchObject({ state: 'DELIVERED', attempts: 3 });
      expect(first?.attemptLog.map((a) => [a.n, a.ok, a.httpStatus])).toEqual([
        [1, false, 500],
        [2, false, null],
        [3, true, 200],
      ]);
      expect(first?.attemptLog[1]?.error).toBeTruthy();
      expect(recorded.find((d) => d.event === 'RESOLVED')).toMatchObject({
        state: 'DELIVERED',
        attempts: 1,
      });
    } finally {
      await app.stop();
      await hook.close();
    }
  });

  it('when the receiver is down across a restart of the API, then what was queued before is delivered after, once', async () => {
    // a port nobody listens on yet
    const probe = await receiver();
    const port = probe.port;
    await probe.close();
    const first = await startTestApp(SETTINGS);
    let deliveryId = '';
    try {
      await resetTwins(first.graph, first.runtime.telemetry.rules);
      await importPlant(first);
      await ruleWithWebhook(first, `http://127.0.0.1:${port}/alerts`);
      await reading(170);
      // generous: on a loaded machine the reading, its alert and the first attempt took over 20 s once
      const failed = await waitFor(
        'an attempt refused by the closed port',
        async () => {
          const [d] = await deliveries(first);
          return d && d.attempts >= 1 ? d : undefined;
        },
        60_000,
      );
      expect(failed.state).toBe('PENDING');
      expect(failed.attemptLog[0]?.ok).toBe(false);
      deliveryId = failed.id;
    } finally {
      await first.stop();
    }
    const hook = await receiver([], port);
    const second = await startTestApp(SETTINGS);
    try {
      await waitFor(
        'the queued raise delivered',
        () => (hook.got.length >= 1 ? true : undefined),
        30000,
      );
      const [d] = await deliveries(second);
      expect(d).toMatchObject({ id: deliveryId, state: 'DELIVERED' });
      await new Promise((r) => setTimeout(r, 1000)); // a second send would have come by now
      expect(hook.got).toHaveLength(1);
      expect(hook.got[0]?.body['deliveryId']).toBe(deliveryId);
    } finally {
      await second.stop();
      await hook.close();
    }
  });
});
