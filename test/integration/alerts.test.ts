import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { splitStatements } from '../../src/graph/migrations';
import { gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';
import { subscribe, waitFor } from '../support/live';
import { SIM_PLANT } from '../support/plant';

/*
 * Event management end to end (docs/alerts.md): rules as data, each rule kind raising and
 * resolving alerts from real MQTT messages (Mosquitto) or from the sweep, de-duplication of a
 * flapping sensor, acknowledge and resolve, and routing to graphql-ws, MQTT and webhooks.
 */

const PREFIX = 'al';
const PLANT = {
  ...SIM_PLANT,
  factories: [
    { id: 'F1', name: 'Leipzig', timezone: 'Europe/Berlin' },
    { id: 'F2', name: 'Dresden', timezone: 'Europe/Berlin' },
  ],
  lines: [
    ...SIM_PLANT.lines,
    { id: 'L2', factoryId: 'F2', name: 'Spare', shiftsPerDay: 2, hoursPerShift: 8 },
  ],
  assets: [
    {
      ...SIM_PLANT.assets[0],
      metrics: [
        { name: 'temperature', unit: 'Cel', min: 0, max: 150 },
        { name: 'pressure', unit: 'bar', min: 0, max: 10 },
      ],
    },
    SIM_PLANT.assets[1],
    { id: 'B1', lineId: 'L2', name: 'Spare press', kind: 'PRESS', ratePerHour: 5 },
  ],
  // F1 needs 320 P2 a day (P1 at 10/h × 16 h × 2 P2) and keeps 2,000 as safety stock
  inventory: [
    { factoryId: 'F1', productId: 'P2', quantity: 1000, safetyStock: 2000 },
    { factoryId: 'F1', productId: 'P1', quantity: 100, safetyStock: 0 },
  ],
  shipments: [
    {
      id: 'SH1',
      supplierId: 'S1',
      factoryId: 'F1',
      productId: 'P2',
      quantity: 500,
      status: 'DELAYED',
      departedAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
      eta: new Date(Date.now() - 2 * 86_400_000).toISOString(),
    },
    {
      id: 'SH2',
      supplierId: 'S1',
      factoryId: 'F1',
      productId: 'P2',
      quantity: 100,
      status: 'IN_TRANSIT',
      departedAt: new Date(Date.now() - 86_400_000).toISOString(),
      eta: new Date(Date.now() + 5 * 86_400_000).toISOString(),
    },
  ],
  orders: [],
};

const ALERT_FIELDS =
  'id ruleId kind severity state message count raisedAt lastSeenAt acknowledgedAt acknowledgedBy resolvedAt resolvedBy factoryId assetId metricId about { __typename ... on Asset { id } ... on Shipment { id } ... on Factory { id } }';

type Json = Record<string, unknown>;

let app: TestApp;
let client: MqttClient;
/** Reading time: starts an hour ago and moves forward one second per call by default. */
let clock = Date.now() - 3_600_000;
const tick = (seconds = 1): string => new Date((clock += seconds * 1000)).toISOString();

async function createRule(input: Json, id?: string): Promise<Json> {
  const res = await gql(
    app,
    `mutation($input: AlertRuleInput!, $id: ID) { createAlertRule(input: $input, id: $id) { id kind severity clearDelayS } }`,
    { input, id },
  );
  expect(res.errors).toBeUndefined();
  return res.data?.['createAlertRule'] as Json;
}

async function alertsWhere(args: string): Promise<Json[]> {
  const res = await gql(
    app,
    `{ alerts(${args}) { totalCount edges { node { ${ALERT_FIELDS} } } } }`,
  );
  expect(res.errors).toBeUndefined();
  const conn = res.data?.['alerts'] as { edges: { node: Json }[] };
  return conn.edges.map((e) => e.node);
}

async function publish(
  asset: string,
  kind: 'telemetry' | 'state',
  body: Json,
  line = 'L1',
  factory = 'F1',
) {
  await client.publishAsync(`${PREFIX}/${factory}/${line}/${asset}/${kind}`, JSON.stringify(body), {
    qos: 1,
  });
}

/** Waits until telemetry has written everything the broker handed over so far. */
async function settle(received: number): Promise<void> {
  await waitFor(`${received} messages received`, () =>
    app.runtime.telemetry.stats().received >= received ? true : undefined,
  );
  await app.runtime.telemetry.flush();
}

let published = 0;
async function send(
  asset: string,
  kind: 'telemetry' | 'state',
  body: Json,
  line?: string,
  factory?: string,
) {
  await publish(asset, kind, body, line, factory);
  published += 1;
}

beforeAll(async () => {
  // the sweep is driven by hand here (sweep(now, force)), so its timing is the test's
  app = await startTestApp({ MQTT_TOPIC_PREFIX: PREFIX, ALERT_SWEEP_S: '3600' });
  await resetTwins(app.graph, app.runtime.telemetry.rules);
  const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
    d: PLANT,
  });
  expect(res.errors).toBeUndefined();
  await waitFor('the registry to know A1', () => app.runtime.telemetry.registry.cached('A1'));
  client = await mqtt.connectAsync(process.env['MQTT_URL'] ?? '', {
    clientId: `test-alerts-${Date.now()}`,
  });
});

afterAll(async () => {
  await client?.endAsync();
  await app?.stop();
});

describe('alert rules as data', () => {
  it('when a rule is invalid, then it is refused with a problem per field and nothing is stored', async () => {
    const res = await gql(
      app,
      `mutation { createAlertRule(input: { name: "", kind: MISSING_DATA, factoryId: "NOPE", min: 3, clearDelayS: -5, webhookUrl: "ftp://x" }) { id } }`,
    );
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const paths = (res.errors?.[0]?.extensions?.['problems'] as { path: string }[]).map(
      (p) => p.path,
    );
    expect(paths.sort()).toEqual(['clearDelayS', 'expectedIntervalS', 'min', 'name', 'webhookUrl']);
    const scope = await gql(
      app,
      `mutation { createAlertRule(input: { name: "x", kind: ASSET_DOWN, factoryId: "F2", lineId: "L1" }) { id } }`,
    );
    expect(scope.errors?.[0]?.extensions?.['problems']).toEqual([
      { path: 'lineId', message: 'line "L1" is in factory "F1", not "F2"' },
    ]);
    const rules = await gql(app, '{ alertRules { id } }');
    expect(rules.data).toEqual({ alertRules: [{ id: 'metric-range' }] });
  });

  it('when a rule is created, updated and deleted, then the list follows and unknown ids say NOT_FOUND', async () => {
    await createRule(
      { name: 'Oven silent', kind: 'MISSING_DATA', assetId: 'A2', expectedIntervalS: 60 },
      'tmp-rule',
    );
    const updated = await gql(
      app,
      'mutation { updateAlertRule(id: "tmp-rule", input: { severity: CRITICAL, expectedIntervalS: 120 }) { severity expectedIntervalS assetId name } }',
    );
    expect(updated.data?.['updateAlertRule']).toEqual({
      severity: 'CRITICAL',
      expectedIntervalS: 120,
      assetId: 'A2',
      name: 'Oven silent',
    });
    const dup = await gql(
      app,
      'mutation { createAlertRule(id: "tmp-rule", input: { name: "x", kind: ASSET_DOWN }) { id } }',
    );
    expect(dup.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const deleted = await gql(
      app,
      'mutation { deleteAlertRule(id: "tmp-rule") { id resolvedAlerts } }',
    );
    expect(deleted.data?.['deleteAlertRule']).toEqual({ id: 'tmp-rule', resolvedAlerts: 0 });
    const unknown = await gql(
      app,
      'mutation { updateAlertRule(id: "tmp-rule", input: { enabled: false }) { id } }',
    );
    expect(unknown.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });
});

describe('the number of rules', () => {
  it('when a deployment holds the most rules it may, then another is refused with what to do instead', async () => {
    await app.graph.write(
      `UNWIND range(1, 999) AS i
       CREATE (:AlertRule {id: 'bulk-' + i, name: 'bulk', kind: 'MISSING_DATA', severity: 'INFO',
                           enabled: false, expectedIntervalS: 60, clearDelayS: 0})`,
    );
    try {
      const res = await gql(
        app,
        'mutation { createAlertRule(input: { name: "one more", kind: ASSET_DOWN }) { id } }',
      );
      expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toContain('1000 alert rules');
    } finally {
      await app.graph.write("MATCH (r:AlertRule) WHERE r.id STARTS WITH 'bulk-' DELETE r");
    }
  });
});

describe('OUT_OF_RANGE', () => {
  it("when readings cross a rule's own threshold, then hysteresis keeps one alert and the clear delay (in reading time) resolves it", async () => {
    await createRule(
      {
        name: 'Press hot',
        kind: 'OUT_OF_RANGE',
        assetId: 'A1',
        metric: 'temperature',
        max: 100,
        hysteresis: 5,
        clearDelayS: 10,
        severity: 'CRITICAL',
      },
      'press-hot',
    );
    await waitFor('the rule in the cache', () =>
      app.runtime.telemetry.rules.rules().some((r) => r.id === 'press-hot') ? true : undefined,
    );
    // 101 bad, 98 held (inside 5 of the limit), 101 bad: no return, count 1; 90 clear, 101: count 2
    for (const t of [101, 98, 101, 90, 101, 90])
      await send('A1', 'telemetry', { ts: tick(), metrics: { temperature: t } });
    await settle(published);
    let [alert] = await alertsWhere('ruleId: "press-hot"');
    expect(alert).toMatchObject({
      kind: 'OUT_OF_RANGE',
      severity: 'CRITICAL',
      state: 'RAISED',
      count: 2,
      factoryId: 'F1',
      assetId: 'A1',
      metricId: 'A1/temperature',
      about: { __typename: 'Asset', id: 'A1' },
    });
    // clear for 9 s of reading time: still open; 10 s: resolved
    await send('A1', 'telemetry', { ts: tick(9), metrics: { temperature: 50 } });
    await settle(published);
    [alert] = await alertsWhere('ruleId: "press-hot"');
    expect(alert?.['state']).toBe('RAISED');
    await send('A1', 'telemetry', { ts: tick(1), metrics: { temperature: 50 } });
    await settle(published);
    [alert] = await alertsWhere('ruleId: "press-hot"');
    expect(alert).toMatchObject({ state: 'RESOLVED', resolvedAt: new Date(clock).toISOString() });
    expect(alert?.['resolvedBy']).toContain('clear for 10 s');
    await gql(app, 'mutation { deleteAlertRule(id: "press-hot") { id } }');
  });

  it('when a sensor flaps in and out of range 100 times, then one alert counts 100, one event reaches subscribers and one raise reaches MQTT', async () => {
    const live = await subscribe(
      app.wsUrl,
      'subscription { alertRaised(factoryId: "F1", minSeverity: WARNING) { id kind count state about { __typename ... on Asset { id } } } }',
    );
    const other = await subscribe(
      app.wsUrl,
      'subscription { alertRaised(factoryId: "F2") { id } }',
    );
    const onMqtt: Json[] = [];
    const watcher = await mqtt.connectAsync(process.env['MQTT_URL'] ?? '', {
      clientId: `test-alerts-watch-${Date.now()}`,
    });
    watcher.on('message', (topic, payload) => {
      onMqtt.push({ topic, ...(JSON.parse(payload.toString('utf8')) as Json) });
    });
    await watcher.subscribeAsync(`${PREFIX}/_alerts/#`, { qos: 1 });
    try {
      for (let i = 0; i < 100; i++) {
        await send('A1', 'telemetry', { ts: tick(), metrics: { pressure: 12 } });
        await send('A1', 'telemetry', { ts: tick(), metrics: { pressure: 5 } });
      }
      await settle(published);
      const open = await alertsWhere('ruleId: "metric-range", assetId: "A1", open: true');
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({ count: 100, metricId: 'A1/pressure', severity: 'WARNING' });
      const [event] = await live.until(1);
      expect(event?.['alertRaised']).toMatchObject({
        id: open[0]?.['id'],
        count: 1,
        state: 'RAISED',
      });
      await waitFor('the raise on MQTT', () => (onMqtt.length > 0 ? true : undefined));
      await new Promise((r) => setTimeout(r, 500)); // anything more would have come by now
      expect(live.events).toHaveLength(1);
      expect(other.events).toHaveLength(0);
      expect(onMqtt).toHaveLength(1);
      expect(onMqtt[0]).toMatchObject({
        topic: `${PREFIX}/_alerts/F1/WARNING`,
        event: 'RAISED',
        id: open[0]?.['id'],
        factoryId: 'F1',
      });

      // acknowledge and resolve, each once, each routed to MQTT
      const id = String(open[0]?.['id']);
      const ack = await gql(
        app,
        `mutation { acknowledgeAlert(id: "${id}", by: "shift lead") { state acknowledgedBy acknowledgedAt } }`,
      );
      expect(ack.data?.['acknowledgeAlert']).toMatchObject({
        state: 'ACKNOWLEDGED',
        acknowledgedBy: 'shift lead',
      });
      const again = await gql(
        app,
        `mutation { acknowledgeAlert(id: "${id}", by: "someone else") { acknowledgedBy acknowledgedAt } }`,
      );
      expect(again.data?.['acknowledgeAlert']).toEqual({
        acknowledgedBy: 'shift lead',
        acknowledgedAt: (ack.data?.['acknowledgeAlert'] as Json)['acknowledgedAt'],
      });
      const resolved = await gql(
        app,
        `mutation { resolveAlert(id: "${id}", by: "maintenance") { state resolvedBy count } }`,
      );
      expect(resolved.data?.['resolveAlert']).toEqual({
        state: 'RESOLVED',
        resolvedBy: 'maintenance',
        count: 100,
      });
      await waitFor('ack and resolve on MQTT', () => (onMqtt.length >= 3 ? true : undefined));
      expect(onMqtt.map((m) => m['event'])).toEqual(['RAISED', 'ACKNOWLEDGED', 'RESOLVED']);
      const missing = await gql(
        app,
        'mutation { acknowledgeAlert(id: "no-such-alert", by: "x") { id } }',
      );
      expect(missing.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      const noBy = await gql(app, `mutation { acknowledgeAlert(id: "${id}", by: "  ") { id } }`);
      expect(noBy.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');

      // the condition is still there: the next bad reading raises a new alert
      await send('A1', 'telemetry', { ts: tick(), metrics: { pressure: 12 } });
      await settle(published);
      const reopened = await alertsWhere('ruleId: "metric-range", assetId: "A1", open: true');
      expect(reopened).toHaveLength(1);
      expect(reopened[0]?.['id']).not.toBe(id);
      // `by` is optional: resolved without it, nobody is named (it had failed as an internal error)
      const anonymous = await gql(
        app,
        `mutation { resolveAlert(id: "${String(reopened[0]?.['id'])}") { state resolvedBy } }`,
      );
      expect(anonymous.errors).toBeUndefined();
      expect(anonymous.data?.['resolveAlert']).toEqual({
        state: 'RESOLVED',
        resolvedBy: 'unknown',
      });
    } finally {
      await live.close();
      await other.close();
      await watcher.endAsync();
    }
  });
});

describe('ASSET_DOWN', () => {
  it('when a state message says DOWN, then a critical alert is raised at once, and RUNNING resolves it', async () => {
    await createRule(
      {
        name: 'Station down',
        kind: 'ASSET_DOWN',
        factoryId: 'F1',
        severity: 'CRITICAL',
        clearDelayS: 0,
      },
      'down',
    );
    await waitFor('the rule in the cache', () =>
      app.runtime.telemetry.rules.rules().some((r) => r.id === 'down') ? true : undefined,
    );
    const live = await subscribe(
      app.wsUrl,
      'subscription { alertRaised(minSeverity: CRITICAL) { kind message about { ... on Asset { id } } } }',
    );
    try {
      await send('A2', 'state', { ts: tick(), status: 'DOWN', reason: 'belt jam' });
      const [event] = await live.until(1);
      expect(event?.['alertRaised']).toEqual({
        kind: 'ASSET_DOWN',
        message: 'A2 on line L1 is DOWN (belt jam)',
        about: { id: 'A2' },
      });
      await send('A2', 'state', { ts: tick(), status: 'RUNNING' });
      await settle(published);
      const [alert] = await alertsWhere('ruleId: "down"');
      expect(alert).toMatchObject({ state: 'RESOLVED', assetId: 'A2' });
    } finally {
      await live.close();
    }
  });

  it('when an asset is set DOWN through the API, then the sweep raises the alert', async () => {
    const res = await gql(
      app,
      'mutation { updateAsset(id: "A1", patch: { status: DOWN }) { status } }',
    );
    expect(res.errors).toBeUndefined();
    await app.runtime.sweeper.sweep(Date.now(), true);
    const open = await alertsWhere('ruleId: "down", open: true');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ assetId: 'A1', severity: 'CRITICAL' });
    await gql(app, 'mutation { updateAsset(id: "A1", patch: { status: RUNNING }) { status } }');
    await app.runtime.sweeper.sweep(Date.now() + 1000, true);
    expect(await alertsWhere('ruleId: "down", open: true')).toEqual([]);
    await gql(app, 'mutation { deleteAlertRule(id: "down") { id } }');
  });
});

describe('MISSING_DATA, SHIPMENT_LATE and COVER_BELOW_SAFETY (the sweep)', () => {
  it('when a metric stays silent past its interval, then an alert is raised, and a new reading clears it', async () => {
    await createRule(
      {
        name: 'Pressure silent',
        kind: 'MISSING_DATA',
        assetId: 'A1',
        metric: 'pressure',
        expectedIntervalS: 120,
        clearDelayS: 0,
      },
      'silent',
    );
    const last = Date.parse(
      String(
        (await app.graph.read("MATCH (m:Metric {id: 'A1/pressure'}) RETURN m.ts AS ts"))[0]?.['ts'],
      ),
    );
    await app.runtime.sweeper.sweep(last + 60_000, true);
    expect(await alertsWhere('ruleId: "silent"')).toEqual([]);
    await app.runtime.sweeper.sweep(last + 300_000, true);
    const [alert] = await alertsWhere('ruleId: "silent"');
    expect(alert).toMatchObject({ state: 'RAISED', kind: 'MISSING_DATA', metricId: 'A1/pressure' });
    // a reading arrives; the next sweep sees it fresh
    clock = Math.max(clock, Date.now() - 1000);
    await send('A1', 'telemetry', { ts: tick(0), metrics: { pressure: 5 } });
    await settle(published);
    await app.runtime.sweeper.sweep(Date.now() + 1000, true);
    const [after] = await alertsWhere('ruleId: "silent"');
    expect(after?.['state']).toBe('RESOLVED');
    await gql(app, 'mutation { deleteAlertRule(id: "silent") { id } }');
  });

  it('when a shipment is DELAYED or past its eta, then it is alerted, and a delivery resolves it', async () => {
    await createRule(
      { name: 'Late inbound', kind: 'SHIPMENT_LATE', factoryId: 'F1', clearDelayS: 0 },
      'late',
    );
    await app.runtime.sweeper.sweep(Date.now(), true);
    const open = await alertsWhere('ruleId: "late", open: true');
    expect(open.map((a) => (a['about'] as Json)['id'])).toEqual(['SH1']);
    expect(open[0]).toMatchObject({
      factoryId: 'F1',
      about: { __typename: 'Shipment', id: 'SH1' },
    });
    // SH2 is on time today; seven days on, its eta has passed undelivered
    await app.runtime.sweeper.sweep(Date.now() + 7 * 86_400_000, true);
    const later = await alertsWhere('ruleId: "late", open: true');
    expect(later.map((a) => (a['about'] as Json)['id']).sort()).toEqual(['SH1', 'SH2']);
    await gql(
      app,
      'mutation { updateShipment(id: "SH2", patch: { status: DELIVERED }) { status } }',
    );
    await app.runtime.sweeper.sweep(Date.now() + 8 * 86_400_000, true);
    expect(
      (await alertsWhere('ruleId: "late", open: true')).map((a) => (a['about'] as Json)['id']),
    ).toEqual(['SH1']);
    await gql(app, 'mutation { deleteAlertRule(id: "late") { resolvedAlerts } }');
  });

  it('when a late shipment leaves a component under its safety-stock cover, then the factory is alerted', async () => {
    await createRule(
      { name: 'Cover', kind: 'COVER_BELOW_SAFETY', severity: 'CRITICAL', clearDelayS: 0 },
      'cover',
    );
    await app.runtime.sweeper.sweep(Date.now(), true);
    const [alert] = await alertsWhere('ruleId: "cover", open: true');
    expect(alert).toMatchObject({
      kind: 'COVER_BELOW_SAFETY',
      severity: 'CRITICAL',
      factoryId: 'F1',
      about: { __typename: 'Factory', id: 'F1' },
    });
    expect(alert?.['message']).toContain('P2');
    // the safety stock is lowered below what is on hand: the next sweep clears it
    await gql(
      app,
      'mutation { setInventory(factoryId: "F1", productId: "P2", quantity: 1000, safetyStock: 10) { __typename } }',
    );
    await app.runtime.sweeper.sweep(Date.now() + 1000, true);
    expect(await alertsWhere('ruleId: "cover", open: true')).toEqual([]);
    await gql(app, 'mutation { deleteAlertRule(id: "cover") { id } }');
  });
});

describe('the alerts connection', () => {
  it('pages newest first without skipping, with filters and totalCount', async () => {
    const all = await gql(
      app,
      '{ alerts(first: 500) { totalCount edges { node { id raisedAt } } } }',
    );
    const total = (all.data?.['alerts'] as { totalCount: number }).totalCount;
    expect(total).toBeGreaterThan(4);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { data?: Json | null } = await gql(
        app,
        'query($after: String) { alerts(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id raisedAt } } } }',
        { after },
      );
      const conn = page.data?.['alerts'] as {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { node: { id: string; raisedAt: string } }[];
      };
      expect(conn.totalCount).toBe(total);
      seen.push(...conn.edges.map((e) => e.node.id));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    const crit = await gql(
      app,
      '{ alerts(minSeverity: CRITICAL, factoryId: "F1") { totalCount edges { node { severity factoryId } } } }',
    );
    const critConn = crit.data?.['alerts'] as { totalCount: number; edges: { node: Json }[] };
    expect(critConn.totalCount).toBeGreaterThan(0);
    for (const e of critConn.edges)
      expect(e.node).toEqual({ severity: 'CRITICAL', factoryId: 'F1' });
    const none = await gql(app, '{ alerts(factoryId: "F2") { totalCount } }');
    expect(none.data).toEqual({ alerts: { totalCount: 0 } });
    const bad = await gql(app, '{ alerts(after: "garbage") { totalCount } }');
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });
});

describe('alerts stored by earlier versions', () => {
  it('when the rules migration runs over them, then open ones stay open under the default rule, acknowledged ones are resolved, and only the newest per metric stays open', async () => {
    await app.graph.write(
      `MATCH (a:Asset {id: 'A2'})
       CREATE (:Alert {id: 'old-open', kind: 'OUT_OF_RANGE', severity: 'WARNING', message: 'm',
                       raisedAt: '2026-01-01T00:00:02.000Z', lastAt: '2026-01-01T00:00:03.000Z',
                       metricId: 'A2/x', count: 4})-[:ABOUT]->(a),
              (:Alert {id: 'old-older', kind: 'OUT_OF_RANGE', severity: 'WARNING', message: 'm',
                       raisedAt: '2026-01-01T00:00:01.000Z', metricId: 'A2/x', count: 1})-[:ABOUT]->(a),
              (:Alert {id: 'old-acked', kind: 'OUT_OF_RANGE', severity: 'CRITICAL', message: 'm',
                       raisedAt: '2026-01-01T00:00:00.000Z', metricId: 'A2/y', count: 2,
                       acknowledgedAt: '2026-01-01T01:00:00.000Z', acknowledgedBy: 'op'})-[:ABOUT]->(a)`,
    );
    const file = join(__dirname, '..', '..', 'migrations', 'V0007__default_alert_rule.cypher');
    for (const statement of splitStatements(readFileSync(file, 'utf8'))) {
      await app.graph.write(statement);
    }
    const rows = await app.graph.read(
      `MATCH (x:Alert) WHERE x.id STARTS WITH 'old-'
       RETURN x.id AS id, x.state AS state, x.openKey AS openKey, x.factoryId AS factoryId,
              x.lastSeenAt AS lastSeenAt, x.resolvedBy AS resolvedBy ORDER BY id`,
    );
    expect(rows).toEqual([
      {
        id: 'old-acked',
        state: 'RESOLVED',
        openKey: null,
        factoryId: 'F1',
        lastSeenAt: '2026-01-01T00:00:00.000Z',
        resolvedBy: 'op',
      },
      {
        id: 'old-older',
        state: 'RESOLVED',
        openKey: null,
        factoryId: 'F1',
        lastSeenAt: '2026-01-01T00:00:01.000Z',
        resolvedBy: 'migration: a newer alert was open',
      },
      {
        id: 'old-open',
        state: 'RAISED',
        openKey: 'metric-range|A2/x',
        factoryId: 'F1',
        lastSeenAt: '2026-01-01T00:00:03.000Z',
        resolvedBy: null,
      },
    ]);
    // the open one goes on counting under the default rule
    const [open] = await alertsWhere('assetId: "A2", open: true, ruleId: "metric-range"');
    expect(open).toMatchObject({ id: 'old-open', count: 4, state: 'RAISED' });
    await app.graph.write("MATCH (x:Alert) WHERE x.id STARTS WITH 'old-' DETACH DELETE x");
  });
});
