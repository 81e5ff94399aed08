import { execFileSync } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import { gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';
import { subscribe, waitFor } from '../support/live';

const PREFIX = 'tt';
const topic = (asset: string, kind: 'telemetry' | 'state', line = 'L1', factory = 'F1') =>
  `${PREFIX}/${factory}/${line}/${asset}/${kind}`;

const PLANT = {
  factories: [{ id: 'F1', name: 'Leipzig' }],
  lines: [
    { id: 'L1', factoryId: 'F1', name: 'Body' },
    { id: 'L2', factoryId: 'F1', name: 'Paint' },
  ],
  assets: [
    {
      id: 'A1',
      lineId: 'L1',
      name: 'Press',
      kind: 'PRESS',
      ratePerHour: 60,
      metrics: [
        { name: 'temperature', unit: 'Cel', min: 0, max: 150 },
        { name: 'pressure', unit: 'bar', min: 0, max: 10 },
      ],
    },
    {
      id: 'A2',
      lineId: 'L2',
      name: 'Oven',
      kind: 'OVEN',
      ratePerHour: 30,
      metrics: [{ name: 'temperature', unit: 'Cel' }],
    },
  ],
};

const metricValue = async (app: TestApp, id: string) =>
  (await app.graph.read('MATCH (m:Metric {id: $id}) RETURN m.value AS v, m.ts AS ts', { id }))[0];

const readingCount = async (app: TestApp, where = 'true') =>
  Number((await app.graph.read(`MATCH (r:Reading) WHERE ${where} RETURN count(r) AS n`))[0]?.['n']);

describe('telemetry from a real Mosquitto into Neo4j and out to graphql-ws subscribers', () => {
  let app: TestApp;
  let client: MqttClient;
  const mqttUrl = process.env['MQTT_URL'] ?? '';
  const port = new URL(mqttUrl || 'mqtt://x:1').port;

  beforeAll(async () => {
    app = await startTestApp({ MQTT_TOPIC_PREFIX: PREFIX });
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
      d: PLANT,
    });
    expect(res.errors).toBeUndefined();
    // the import tells every instance to reload its asset cache
    await waitFor('the registry to know A1', () => app.runtime.telemetry.registry.cached('A1'));
    client = await mqtt.connectAsync(mqttUrl, { clientId: `test-pub-${Date.now()}` });
  });
  afterAll(async () => {
    await client.endAsync();
    await app.stop();
  });

  it('when a reading is published with mosquitto_pub, then it is stored with its lineage and converted to the canonical unit', async () => {
    const ts = new Date(Date.now() - 1000).toISOString();
    const payload = JSON.stringify({
      ts,
      metrics: { temperature: { value: 212, unit: '[degF]' }, pressure: 2.5 },
    });
    execFileSync('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-q',
      '1',
      '-t',
      topic('A1', 'telemetry'),
      '-m',
      payload,
    ]);
    const latest = await waitFor('A1/temperature to be 100', async () => {
      const row = await metricValue(app, 'A1/temperature');
      return row?.['v'] === 100 ? row : undefined;
    });
    expect(latest['ts']).toBe(ts);
    const q = await gql(
      app,
      `{ asset(id: "A1") { metrics { name value ts history(limit: 5) { ts value originalValue originalUnit conversion topic flagged } } } }`,
    );
    expect(q.errors).toBeUndefined();
    expect(q.data).toEqual({
      asset: {
        metrics: [
          {
            name: 'pressure',
            value: 2.5,
            ts,
            history: [
              {
                ts,
                value: 2.5,
                originalValue: 2.5,
                originalUnit: null,
                conversion: null,
                topic: topic('A1', 'telemetry'),
                flagged: false,
              },
            ],
          },
          {
            name: 'temperature',
            value: 100,
            ts,
            history: [
              {
                ts,
                value: 100,
                originalValue: 212,
                originalUnit: '[degF]',
                conversion: '[degF]→Cel',
                topic: topic('A1', 'telemetry'),
                flagged: false,
              },
            ],
          },
        ],
      },
    });
  });

  it('when readings are published with mqtt.js, then graphql-ws subscribers receive them, filtered on the server', async () => {
    const onA1 = await subscribe(
      app.wsUrl,
      'subscription { telemetry(assetId: "A1", metrics: ["pressure"]) { asset { id } ts readings { metric value unit flagged } } }',
    );
    const onL2 = await subscribe(
      app.wsUrl,
      'subscription { telemetry(lineId: "L2") { asset { id } readings { metric value } } }',
    );
    try {
      const ts = Date.now() - 500;
      await client.publishAsync(
        topic('A1', 'telemetry'),
        JSON.stringify({
          ts,
          metrics: { temperature: 50, pressure: { value: 14.5038, unit: 'psi' } },
        }),
        { qos: 1 },
      );
      await client.publishAsync(
        topic('A2', 'telemetry', 'L2'),
        JSON.stringify({ ts, metrics: { temperature: 180 } }),
        { qos: 1 },
      );
      const [a1] = await onA1.until(1);
      expect(a1).toEqual({
        telemetry: {
          asset: { id: 'A1' },
          ts: new Date(ts).toISOString(),
          readings: [
            { metric: 'pressure', value: expect.closeTo(1, 5), unit: 'bar', flagged: false },
          ],
        },
      });
      const [l2] = await onL2.until(1);
      expect(l2).toEqual({
        telemetry: { asset: { id: 'A2' }, readings: [{ metric: 'temperature', value: 180 }] },
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(onA1.events).toHaveLength(1);
      expect(onL2.events).toHaveLength(1);
    } finally {
      await onA1.close();
      await onL2.close();
    }
  });

  it('when the same reading is delivered twice, then it is stored once', async () => {
    const ts = new Date(Date.now() - 2000).toISOString();
    const same = `r.metricId = 'A1/pressure' AND r.ts = '${ts}'`;
    for (let i = 0; i < 2; i++) {
      await client.publishAsync(
        topic('A1', 'telemetry'),
        JSON.stringify({ ts, metrics: { pressure: 3 } }),
        { qos: 1 },
      );
    }
    // a later marker on the same ordered stream: once it is stored, both copies were processed
    const marker = new Date(Date.now() - 1000).toISOString();
    await client.publishAsync(
      topic('A1', 'telemetry'),
      JSON.stringify({ ts: marker, metrics: { pressure: 3.5 } }),
      { qos: 1 },
    );
    await waitFor('the marker reading', async () =>
      (await readingCount(app, `r.metricId = 'A1/pressure' AND r.ts = '${marker}'`)) === 1
        ? true
        : undefined,
    );
    await app.runtime.telemetry.flush();
    expect(await readingCount(app, same)).toBe(1);
  });

  it('when a value is outside the valid range, then it is stored flagged and one alert is raised by the default rule, which counts returns while open', async () => {
    const alerts = await subscribe(
      app.wsUrl,
      'subscription { alertRaised(factoryId: "F1", minSeverity: WARNING) { id severity kind assetId metricId message } }',
    );
    try {
      const ts = Date.now() - 100;
      await client.publishAsync(
        topic('A1', 'telemetry'),
        JSON.stringify({ ts, metrics: { temperature: 160 } }),
        { qos: 1 },
      );
      const [raised] = await alerts.until(1);
      expect(raised?.['alertRaised']).toMatchObject({
        severity: 'WARNING',
        kind: 'OUT_OF_RANGE',
        assetId: 'A1',
        metricId: 'A1/temperature',
      });
      // back in range (inside the rule's 60 s clear delay), then out again: the open alert
      // counts the return, no second alert is raised
      for (const [dt, temperature] of [
        [1, 20],
        [2, 300],
      ] as const) {
        await client.publishAsync(
          topic('A1', 'telemetry'),
          JSON.stringify({ ts: ts + dt, metrics: { temperature } }),
          { qos: 1 },
        );
      }
      await waitFor('the open alert to count 2', async () => {
        const res = await gql(
          app,
          '{ alerts(assetId: "A1", open: true) { totalCount edges { node { count severity state } } } }',
        );
        return JSON.stringify(res.data) ===
          '{"alerts":{"totalCount":1,"edges":[{"node":{"count":2,"severity":"WARNING","state":"RAISED"}}]}}'
          ? true
          : undefined;
      });
      const stored = await gql(
        app,
        '{ asset(id: "A1") { metrics { name history(limit: 2) { value flagged } } } }',
      );
      expect(JSON.stringify(stored.data?.['asset'])).toContain('{"value":300,"flagged":true}');
      await new Promise((r) => setTimeout(r, 300));
      expect(alerts.events).toHaveLength(1);
    } finally {
      await alerts.close();
    }
  });

  it('when a state message arrives, then the asset status changes and assetStatusChanged reports the previous one', async () => {
    const changes = await subscribe(
      app.wsUrl,
      'subscription { assetStatusChanged(factoryId: "F1", lineId: "L1") { asset { id status } previousStatus reason ts source } }',
    );
    try {
      const ts = new Date(Date.now() - 100).toISOString();
      await client.publishAsync(
        topic('A1', 'state'),
        JSON.stringify({ ts, status: 'DOWN', reason: 'hydraulic leak' }),
        { qos: 1 },
      );
      const [event] = await changes.until(1);
      expect(event).toEqual({
        assetStatusChanged: {
          asset: { id: 'A1', status: 'DOWN' },
          previousStatus: 'RUNNING',
          reason: 'hydraulic leak',
          ts,
          source: 'telemetry',
        },
      });
      await waitFor('A1 DOWN in the graph', async () => {
        const q = await gql(app, '{ asset(id: "A1") { status } }');
        return JSON.stringify(q.data) === '{"asset":{"status":"DOWN"}}' ? true : undefined;
      });
      // a mutation reaches the same subscription
      const m = await gql(
        app,
        'mutation { updateAsset(id: "A1", patch: { status: MAINTENANCE }) { status } }',
      );
      expect(m.errors).toBeUndefined();
      const [, second] = await changes.until(2);
      expect(second?.['assetStatusChanged']).toMatchObject({
        asset: { id: 'A1', status: 'MAINTENANCE' },
        previousStatus: 'DOWN',
        source: 'api',
      });
    } finally {
      await changes.close();
    }
  });

  describe('when bad messages arrive, then each is rejected with its reason, counted, dead-lettered, and nothing crashes', () => {
    const now = Date.now();
    const cases: [string, string, string | Buffer][] = [
      ['NOT_JSON', topic('A2', 'telemetry', 'L2'), 'this is not json {'],
      ['NOT_JSON', topic('A2', 'telemetry', 'L2'), Buffer.from([0xff, 0xfe, 0x00, 0x01])],
      ['BAD_SHAPE', topic('A2', 'telemetry', 'L2'), JSON.stringify([1, 2, 3])],
      ['BAD_SHAPE', topic('A2', 'telemetry', 'L2'), JSON.stringify({ ts: now, metrics: {} })],
      [
        'BAD_SHAPE',
        topic('A2', 'telemetry', 'L2'),
        `{"ts": ${now}, "metrics": ${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
      ],
      [
        'PAYLOAD_TOO_LARGE',
        topic('A2', 'telemetry', 'L2'),
        JSON.stringify({ ts: now, metrics: { temperature: 1 }, pad: 'x'.repeat(300_000) }),
      ],
      [
        'NOT_FINITE',
        topic('A2', 'telemetry', 'L2'),
        JSON.stringify({ ts: now, metrics: { temperature: 'NaN' } }),
      ],
      [
        'NOT_FINITE',
        topic('A2', 'telemetry', 'L2'),
        `{"ts": ${now}, "metrics": {"temperature": 1e999}}`,
      ],
      [
        'FUTURE_TIMESTAMP',
        topic('A2', 'telemetry', 'L2'),
        JSON.stringify({ ts: now + 3_600_000, metrics: { temperature: 20 } }),
      ],
      [
        'STALE_TIMESTAMP',
        topic('A2', 'telemetry', 'L2'),
        JSON.stringify({ ts: '1999-01-01T00:00:00Z', metrics: { temperature: 20 } }),
      ],
      [
        'BAD_TIMESTAMP',
        topic('A2', 'telemetry', 'L2'),
        JSON.stringify({ ts: 'yesterday', metrics: { temperature: 20 } }),
      ],
      [
        'UNKNOWN_ASSET',
        topic('NOPE', 'telemetry', 'L2'),
        JSON.stringify({ ts: now, metrics: { temperature: 20 } }),
      ],
      [
        'WRONG_LINE',
        topic('A2', 'telemetry', 'L1'),
        JSON.stringify({ ts: now, metrics: { temperature: 20 } }),
      ],
      [
        'UNKNOWN_METRIC',
        topic('A2', 'telemetry', 'L2'),
        JSON.stringify({ ts: now, metrics: { humidity: 20 } }),
      ],
      [
        'BAD_UNIT',
        topic('A2', 'telemetry', 'L2'),
        JSON.stringify({ ts: now, metrics: { temperature: { value: 3, unit: 'furlongs' } } }),
      ],
      [
        'INCOMPATIBLE_UNIT',
        topic('A2', 'telemetry', 'L2'),
        JSON.stringify({ ts: now, metrics: { temperature: { value: 3, unit: 'bar' } } }),
      ],
      ['BAD_STATUS', topic('A2', 'state', 'L2'), JSON.stringify({ ts: now, status: 'EXPLODED' })],
      [
        'BAD_TOPIC',
        `${PREFIX}/F1/L2/telemetry`,
        JSON.stringify({ ts: now, metrics: { temperature: 20 } }),
      ],
    ];

    it.each(cases)('%s', async (reason, where, payload) => {
      const dead = await mqtt.connectAsync(mqttUrl, { clientId: `test-dlq-${Date.now()}` });
      const deadLetters: Record<string, unknown>[] = [];
      dead.on('message', (_t, body) => deadLetters.push(JSON.parse(body.toString())));
      await dead.subscribeAsync(`${PREFIX}/_rejected/${reason}`, { qos: 1 });
      try {
        const before = await gql(app, '{ telemetryRejections { byReason { reason count } } }');
        const countOf = (res: typeof before) =>
          (
            res.data?.['telemetryRejections'] as
              { byReason: { reason: string; count: number }[] } | undefined
          )?.byReason.find((r) => r.reason === reason)?.count ?? 0;
        const start = countOf(before);
        await client.publishAsync(where, payload, { qos: 1 });
        const [letter] = await waitFor('the dead letter', () =>
          deadLetters.length > 0 ? deadLetters : undefined,
        );
        expect(letter).toMatchObject({ reason, topic: where });
        expect(String(letter?.['detail']).length).toBeGreaterThan(5);
        await app.runtime.telemetry.flush();
        const after = await gql(
          app,
          '{ telemetryRejections(latest: 5) { total byReason { reason count } latest { reason topic detail } } }',
        );
        expect(countOf(after)).toBe(start + 1);
        const health = await fetch(`${app.url}/healthz`);
        expect(health.status).toBe(200);
      } finally {
        await dead.endAsync();
      }
    });

    it('a message with one bad metric keeps the good one', async () => {
      const ts = Date.now() - 50;
      await client.publishAsync(
        topic('A1', 'telemetry'),
        JSON.stringify({ ts, metrics: { temperature: 'hot', pressure: 4 } }),
        { qos: 1 },
      );
      await waitFor('pressure 4', async () =>
        (await metricValue(app, 'A1/pressure'))?.['v'] === 4 ? true : undefined,
      );
    });
  });
});
