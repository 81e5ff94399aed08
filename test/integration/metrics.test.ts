import { createClient } from 'graphql-ws';
import mqtt, { type MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';
import { subscribe, waitFor } from '../support/live';
import { ADMIN_AUTHORIZATION } from '../support/credentials';

/*
 * GET /metrics on the real server: each test reads the exposition before and after what it does
 * and checks that the counters moved by exactly that (never by wall-clock figures).
 */

const PREFIX = 'mt';
const topic = (asset: string) => `${PREFIX}/F1/L1/${asset}/telemetry`;

const PLANT = {
  factories: [{ id: 'F1', name: 'Leipzig' }],
  lines: [{ id: 'L1', factoryId: 'F1', name: 'Body' }],
  assets: [
    {
      id: 'A1',
      lineId: 'L1',
      name: 'Press',
      kind: 'PRESS',
      ratePerHour: 60,
      metrics: [{ name: 'temperature', unit: 'Cel', min: 0, max: 150 }],
    },
  ],
};

/** One sample of the exposition: name, labels and value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format (version 0.0.4) as prom-client writes it. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

class Scrape {
  constructor(readonly samples: Sample[]) {}

  /** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  }

  has(name: string, labels: Record<string, string> = {}): boolean {
    return this.samples.some(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
  }
}

/** Scrapes as Prometheus would, with a credential (an admin key; METRICS_TOKEN works too). */
async function scrape(app: TestApp): Promise<Scrape> {
  const res = await fetch(`${app.url}/metrics`, {
    headers: { authorization: ADMIN_AUTHORIZATION },
  });
  expect(res.status).toBe(200);
  return new Scrape(parse(await res.text()));
}

/** Scrapes until `check` holds for the difference from `before`. */
async function until(app: TestApp, what: string, check: (now: Scrape) => boolean): Promise<Scrape> {
  return waitFor(what, async () => {
    const now = await scrape(app);
    return check(now) ? now : undefined;
  });
}

const FACTORIES = 'query MetricsFactories { factories(first: 5) { edges { node { id name } } } }';

describe('GET /metrics in the Prometheus text format', () => {
  let app: TestApp;
  let client: MqttClient;

  beforeAll(async () => {
    app = await startTestApp({ MQTT_TOPIC_PREFIX: PREFIX });
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
      d: PLANT,
    });
    expect(res.errors).toBeUndefined();
    await waitFor('the registry to know A1', () => app.runtime.telemetry.registry.cached('A1'));
    client = await mqtt.connectAsync(process.env['MQTT_URL'] ?? '', {
      clientId: `test-metrics-${Date.now()}`,
    });
  });
  afterAll(async () => {
    await client?.endAsync();
    await app?.stop();
  });

  it('when scraped, then it answers the text format with Node metrics and every metric of the API, prefixed twin_graph_', async () => {
    const res = await fetch(`${app.url}/metrics`, {
      headers: { authorization: ADMIN_AUTHORIZATION },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const s = new Scrape(parse(text));
    for (const name of [
      'twin_graph_process_cpu_user_seconds_total',
      'twin_graph_nodejs_eventloop_lag_seconds',
      'twin_graph_rate_limited_total',
      'twin_graph_telemetry_messages_received_total',
      'twin_graph_telemetry_buffered_rows',
      'twin_graph_telemetry_broker_connected',
      'twin_graph_telemetry_rejections_total',
    ]) {
      expect({ name, present: s.has(name) }).toEqual({ name, present: true });
    }
    // series of closed label sets exist from the start, at 0 (rate() needs the zero)
    for (const [name, labels] of [
      ['twin_graph_telemetry_rejections_total', { reason: 'STALE_TIMESTAMP' }],
      ['twin_graph_rate_limited_total', { transport: 'http' }],
      ['twin_graph_rate_limited_total', { transport: 'ws' }],
      ['twin_graph_alert_steps_routed_total', { event: 'RESOLVED' }],
      ['twin_graph_webhook_attempts_total', { outcome: 'failed' }],
      ['twin_graph_cypher_statement_errors_total', { mode: 'auto' }],
    ] as const) {
      expect({ name, labels, present: s.has(name, labels) }).toEqual({
        name,
        labels,
        present: true,
      });
    }
    expect(s.value('twin_graph_rate_limited_total')).toBe(0);
    expect(s.value('twin_graph_telemetry_broker_connected')).toBe(1);
    // every metric name is ours or Node's, all under the prefix
    expect(text).not.toMatch(/^(?!#)(?!twin_graph_)\S/m);
  });

  it('when a named query runs, then it counts one request of that name, its latency and its Cypher statements', async () => {
    const before = await scrape(app);
    const res = await gql(app, FACTORIES);
    expect(res.errors).toBeUndefined();
    const cypher = Number(res.extensions?.['cypherQueries']);
    expect(cypher).toBeGreaterThan(0);
    const after = await scrape(app);
    const labels = { type: 'query', operation: 'MetricsFactories' };
    const delta = (name: string, l: Record<string, string> = {}) =>
      after.value(name, l) - before.value(name, l);
    expect(delta('twin_graph_graphql_requests_total', labels)).toBe(1);
    expect(delta('twin_graph_graphql_request_duration_seconds_count', labels)).toBe(1);
    expect(delta('twin_graph_graphql_request_cypher_statements_count', { type: 'query' })).toBe(1);
    expect(delta('twin_graph_graphql_request_cypher_statements_sum', { type: 'query' })).toBe(
      cypher,
    );
    // the scrape in between costs no Cypher; other work of the server (sweeps) may add some
    expect(delta('twin_graph_cypher_statements_total', { mode: 'read' })).toBeGreaterThanOrEqual(
      cypher,
    );
    expect(delta('twin_graph_cypher_statement_duration_seconds_count')).toBeGreaterThanOrEqual(
      cypher,
    );
    expect(delta('twin_graph_http_responses_total', { path: '/graphql', status: '200' })).toBe(1);
  });

  it('when an operation fails with BAD_USER_INPUT, then the errors of that code count one more', async () => {
    const before = await scrape(app);
    const res = await gql(
      app,
      'query MetricsBadInput($n: Int!) { factories(first: $n) { edges { node { id } } } }',
      { n: 'many' },
    );
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const after = await scrape(app);
    const delta = (name: string, l: Record<string, string>) =>
      after.value(name, l) - before.value(name, l);
    expect(delta('twin_graph_graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
    expect(
      delta('twin_graph_graphql_requests_total', { type: 'query', operation: 'MetricsBadInput' }),
    ).toBe(1);
  });

  it('when anonymous or unnamed operations run, then their names collapse to "anonymous"', async () => {
    const before = await scrape(app);
    expect((await gql(app, '{ factories(first: 1) { edges { node { id } } } }')).errors).toBe(
      undefined,
    );
    const after = await scrape(app);
    const labels = { type: 'query', operation: 'anonymous' };
    expect(
      after.value('twin_graph_graphql_requests_total', labels) -
        before.value('twin_graph_graphql_requests_total', labels),
    ).toBe(1);
  });

  it('when a reading is accepted and a payload is not JSON, then accepted, written, lag and rejections{NOT_JSON} move', async () => {
    const before = await scrape(app);
    const ts = new Date(Date.now() - 1000).toISOString();
    await client.publishAsync(topic('A1'), JSON.stringify({ ts, metrics: { temperature: 20 } }), {
      qos: 1,
    });
    await client.publishAsync(topic('A1'), 'this is not json', { qos: 1 });
    const grew = (now: Scrape, name: string, by: number, l: Record<string, string> = {}) =>
      now.value(name, l) - before.value(name, l) >= by;
    const after = await until(
      app,
      'the reading and the rejection to be counted and written',
      (now) =>
        grew(now, 'twin_graph_telemetry_messages_accepted_total', 1) &&
        grew(now, 'twin_graph_telemetry_messages_rejected_total', 1) &&
        grew(now, 'twin_graph_telemetry_readings_written_total', 1) &&
        grew(now, 'twin_graph_telemetry_rejections_total', 1, { reason: 'NOT_JSON' }),
    );
    const delta = (name: string, l: Record<string, string> = {}) =>
      after.value(name, l) - before.value(name, l);
    expect(delta('twin_graph_telemetry_messages_accepted_total')).toBe(1);
    expect(delta('twin_graph_telemetry_messages_rejected_total')).toBe(1);
    expect(delta('twin_graph_telemetry_messages_received_total')).toBe(2);
    expect(delta('twin_graph_telemetry_readings_written_total')).toBe(1);
    expect(delta('twin_graph_telemetry_rejections_total', { reason: 'NOT_JSON' })).toBe(1);
    expect(delta('twin_graph_telemetry_rejections_total')).toBe(1);
    // the reading and the rejection: two rows, in one batch or two
    expect(delta('twin_graph_telemetry_rows_written_total')).toBe(2);
    expect(delta('twin_graph_telemetry_ingest_lag_seconds_count')).toBe(1);
    expect(after.value('twin_graph_telemetry_last_batch_lag_seconds', { reading: 'oldest' })).toBe(
      after.value('twin_graph_telemetry_last_batch_lag_seconds', { reading: 'newest' }),
    );
    expect(
      after.value('twin_graph_telemetry_last_batch_lag_seconds', { reading: 'oldest' }),
    ).toBeGreaterThan(0);
    expect(delta('twin_graph_telemetry_batches_written_total')).toBeGreaterThanOrEqual(1);
    expect(delta('twin_graph_cypher_statements_total', { mode: 'write' })).toBeGreaterThan(0);
    expect(after.value('twin_graph_telemetry_write_failures_total')).toBe(0);
    // acknowledged once durable: both messages went through the journal (when it is on)
    if (app.runtime.telemetry.stats().journal) {
      expect(delta('twin_graph_telemetry_journal_records_total')).toBeGreaterThanOrEqual(2);
      expect(delta('twin_graph_telemetry_journal_commits_total')).toBeGreaterThanOrEqual(1);
    }
  });

  it('when a subscription opens, then the gauge of its operation name is 1, and 0 once it is closed', async () => {
    const name = { operation: 'MetricsLive' };
    expect((await scrape(app)).value('twin_graph_subscriptions_open', name)).toBe(0);
    const live = await subscribe(
      app.wsUrl,
      'subscription MetricsLive { telemetry(assetId: "A1") { ts } }',
    );
    try {
      await until(app, 'the subscription to be counted open', (now) => {
        return now.value('twin_graph_subscriptions_open', name) === 1;
      });
    } finally {
      await live.close();
    }
    await until(app, 'the subscription to be counted closed', (now) => {
      return now.value('twin_graph_subscriptions_open', name) === 0;
    });
  });

  it('when a subscription is completed by the client on an open socket, then the gauge goes back too', async () => {
    const ws = createClient({
      url: app.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: ADMIN_AUTHORIZATION },
      retryAttempts: 0,
    });
    const name = { operation: 'MetricsAlerts' };
    try {
      const stop = ws.subscribe(
        { query: 'subscription MetricsAlerts { alertRaised { id } }' },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
      await until(app, 'the subscription to be counted open', (now) => {
        return now.value('twin_graph_subscriptions_open', name) === 1;
      });
      stop();
      await until(app, 'the completed subscription to be counted down', (now) => {
        return now.value('twin_graph_subscriptions_open', name) === 0;
      });
    } finally {
      await ws.dispose();
    }
  });
});

describe('METRICS=false', () => {
  it('when metrics are off, then /metrics is not served', async () => {
    const app = await startTestApp({ METRICS: 'false', PLAYGROUND: 'false' });
    try {
      const res = await fetch(`${app.url}/metrics`, {
        headers: { authorization: ADMIN_AUTHORIZATION },
      });
      expect(res.status).toBe(404);
      // the API itself is unaffected
      expect((await gql(app, '{ __typename }')).data).toEqual({ __typename: 'Query' });
    } finally {
      await app.stop();
    }
  });
});
