import mqtt, { type MqttClient } from 'mqtt';
import { validateDocument } from '../../src/twins/import/validate';
import { gql, type GqlResponse, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';
import { type LiveSubscription, subscribe, waitFor } from '../support/live';
import { WebhookReceiver } from '../support/webhook-receiver';

/*
 * Factory scopes for events, alerts and the export (docs/security.md, "Factory scopes: alerts,
 * telemetry and export"): a key scoped to factory EVA-F reads the alerts, alert rules and webhook
 * deliveries of what it sees, hears the telemetry, status changes and alert raises of its own
 * assets only (real MQTT messages of both factories through Mosquitto), gets another factory's
 * alert or delivery answered exactly like an unknown id, and exports a document of what it sees
 * that imports on its own. Everything of the other factory EVB-F carries `EVB-` in its id and
 * name, so a leak shows as that text anywhere in an answer; its alerts' ids are checked too.
 */

const PREFIX = 'sce';

const PLANT = {
  factories: [
    { id: 'EVA-F', name: 'EVA works', timezone: 'Europe/Berlin' },
    { id: 'EVB-F', name: 'EVB-works', timezone: 'Europe/Berlin' },
  ],
  lines: [
    { id: 'EVA-L', factoryId: 'EVA-F', name: 'EVA body' },
    { id: 'EVB-L', factoryId: 'EVB-F', name: 'EVB-body' },
  ],
  assets: ['EVA', 'EVB'].flatMap((f) =>
    [1, 2].map((n) => ({
      id: `${f}-A${n}`,
      lineId: `${f}-L`,
      name: `${f}-press ${n}`,
      kind: 'PRESS',
      ratePerHour: 60,
      metrics: [{ name: 'temperature', unit: 'Cel', min: 0, max: 100 }],
    })),
  ),
  flows: [
    { from: 'EVA-A1', to: 'EVA-A2' },
    { from: 'EVB-A1', to: 'EVB-A2' },
  ],
  products: [
    { id: 'SH-P', sku: 'SH-P', name: 'Shared sheet', unitCost: 3 },
    { id: 'EVA-P', sku: 'EVA-P', name: 'EVA door', unitCost: 50, unitPrice: 90 },
    { id: 'EVB-P', sku: 'EVB-P', name: 'EVB-roof', unitCost: 50, unitPrice: 90 },
  ],
  // EVB-P needs the shared sheet: a BOM edge from a twin EVA-F does not see to one it does
  bom: [
    { parentId: 'EVA-P', componentId: 'SH-P', quantity: 2 },
    { parentId: 'EVB-P', componentId: 'SH-P', quantity: 1 },
  ],
  production: [
    { lineId: 'EVA-L', productId: 'EVA-P', ratePerHour: 20 },
    { lineId: 'EVB-L', productId: 'EVB-P', ratePerHour: 20 },
  ],
  suppliers: [
    { id: 'SH-S', name: 'Shared steel', country: 'PL' },
    { id: 'EVB-S', name: 'EVB-glass', country: 'CZ' },
  ],
  // the shared supplier also supplies EVB-P: a supply EVA-F sees one end of
  supplies: [
    { supplierId: 'SH-S', productId: 'SH-P', leadTimeDays: 7, unitCost: 3 },
    { supplierId: 'SH-S', productId: 'EVB-P', leadTimeDays: 9, unitCost: 40 },
    { supplierId: 'EVB-S', productId: 'EVB-P', leadTimeDays: 9, unitCost: 45 },
  ],
  inventory: [
    { factoryId: 'EVA-F', productId: 'SH-P', quantity: 500, safetyStock: 100 },
    { factoryId: 'EVB-F', productId: 'SH-P', quantity: 400, safetyStock: 100 },
  ],
  shipments: ['EVA', 'EVB'].map((f) => ({
    id: `${f}-SH`,
    supplierId: 'SH-S',
    factoryId: `${f}-F`,
    productId: 'SH-P',
    quantity: 100,
    status: 'DELAYED',
    departedAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
    eta: new Date(Date.now() - 2 * 86_400_000).toISOString(),
  })),
  orders: [
    {
      id: 'EVA-O',
      factoryId: 'EVA-F',
      productId: 'EVA-P',
      quantity: 10,
      customer: 'Retail',
      dueDate: '2026-12-20T00:00:00Z',
    },
    {
      id: 'EVB-O',
      factoryId: 'EVB-F',
      productId: 'EVB-P',
      quantity: 10,
      customer: 'EVB-customer',
      dueDate: '2026-12-20T00:00:00Z',
    },
  ],
};

type Json = Record<string, unknown>;

let app: TestApp;
let client: MqttClient;
const hook = new WebhookReceiver(() => 200);
/** The operator key scoped to EVA-F. */
let keyA = '';
const asA = () => ({ authorization: `Bearer ${keyA}` });
const wsA = () => ({ authorization: `Bearer ${keyA}` });

let clock = Date.now() - 3_600_000;
const tick = (): string => new Date((clock += 1000)).toISOString();

async function send(asset: string, kind: 'telemetry' | 'state', body: Json): Promise<void> {
  const f = asset.slice(0, 3);
  await client.publishAsync(`${PREFIX}/${f}-F/${f}-L/${asset}/${kind}`, JSON.stringify(body), {
    qos: 1,
  });
}

const hot = (asset: string) =>
  send(asset, 'telemetry', { ts: tick(), metrics: { temperature: 120 } });

/** Fails with what leaked when `value` holds anything of EVB-F (its ids, names, alerts). */
function expectNothingOfB(what: string, value: unknown, alsoIds: readonly string[] = []): void {
  const text = JSON.stringify(value) ?? '';
  const leaks = ['EVB-', ...alsoIds].filter((s) => text.includes(s));
  expect({ what, leaks }).toEqual({ what, leaks: [] });
}

/** The same query for another factory's id and for an unknown one: the answers, ids masked. */
async function expectSameAnswer(
  query: (id: string) => string,
  other: string,
  unknown: string,
): Promise<GqlResponse> {
  const a = await gql(app, query(other), {}, asA());
  const b = await gql(app, query(unknown), {}, asA());
  const mask = ({ data, errors }: GqlResponse, id: string) =>
    JSON.parse(
      JSON.stringify({ data: data ?? null, errors })
        .split(id)
        .join('<id>'),
    ) as unknown;
  expect({ query: query('<id>'), answer: mask(a, other) }).toEqual({
    query: query('<id>'),
    answer: mask(b, unknown),
  });
  return a;
}

const ALERT_FIELDS = `id ruleId kind factoryId assetId message about { __typename ... on Asset { id name }
  ... on Shipment { id } ... on Factory { id } } rule { id factoryId } deliveries { id alertId event }`;

interface AlertView {
  id: string;
  ruleId: string | null;
  kind: string;
  factoryId: string | null;
  assetId: string | null;
  about: { __typename: string; id: string } | null;
}

async function alertsOf(headers: Record<string, string> = {}, args = 'first: 100') {
  const res = await gql(
    app,
    `{ alerts(${args}) { totalCount edges { node { ${ALERT_FIELDS} } } } }`,
    {},
    headers,
  );
  expect(res.errors).toBeUndefined();
  const conn = res.data?.['alerts'] as { totalCount: number; edges: { node: AlertView }[] };
  return { totalCount: conn.totalCount, alerts: conn.edges.map((e) => e.node), raw: res.data };
}

/** The subscriptions of the test, opened before anything is published. */
const subs: Record<string, LiveSubscription> = {};
const TELEMETRY = (args = '') =>
  `subscription { telemetry${args} { asset { id name line { id factory { id } } } ts readings { metric value } } }`;
const STATUS = (args = '') =>
  `subscription { assetStatusChanged${args} { asset { id name status } previousStatus source } }`;
const RAISED = (args = '') =>
  `subscription { alertRaised${args} { id kind factoryId assetId about { __typename ... on Asset { id } ... on Shipment { id } ... on Factory { id } } } }`;

const idsIn = (events: Json[], field: string): string[] =>
  events.map((e) => {
    const v = e[field] as { asset?: { id: string }; about?: { id: string } | null };
    return v.asset?.id ?? v.about?.id ?? '';
  });

beforeAll(async () => {
  await hook.start();
  app = await startTestApp({
    MQTT_TOPIC_PREFIX: PREFIX,
    // the sweep is driven by hand (sweep(now, force))
    ALERT_SWEEP_S: '3600',
    WEBHOOK_POLL_MS: '100',
    // alerts with their deliveries and rules, 100 at a time
    GRAPHQL_MAX_COST: '100000',
  });
  await resetTwins(app.graph, app.runtime.telemetry.rules);
  const imported = await gql(
    app,
    'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }',
    { d: PLANT },
  );
  expect(imported.errors).toBeUndefined();
  await waitFor('the registry to know both factories', () =>
    app.runtime.telemetry.registry.cached('EVA-A2') &&
    app.runtime.telemetry.registry.cached('EVB-A2')
      ? true
      : undefined,
  );
  const made = await gql(
    app,
    'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { key } }',
    { input: { name: 'EVA-F operator', role: 'operator', factoryIds: ['EVA-F'] } },
  );
  expect(made.errors).toBeUndefined();
  keyA = (made.data?.['createApiKey'] as { key: string }).key;

  // rules: the default one with a webhook (a delivery per raise), a global SHIPMENT_LATE, one of
  // EVB-F (a second alert about its press), one of an EVA-F line
  for (const mutation of [
    `updateAlertRule(id: "metric-range", input: { webhookUrl: "${hook.url}" }) { id }`,
    'createAlertRule(id: "late", input: { name: "Late", kind: SHIPMENT_LATE, clearDelayS: 0 }) { id }',
    'createAlertRule(id: "b-hot", input: { name: "Hot", kind: OUT_OF_RANGE, severity: CRITICAL, factoryId: "EVB-F", metric: "temperature", max: 50 }) { id }',
    'createAlertRule(id: "a-line", input: { name: "Line hot", kind: OUT_OF_RANGE, lineId: "EVA-L", metric: "temperature", max: 500 }) { id }',
  ]) {
    const res = await gql(app, `mutation { ${mutation} }`);
    expect(res.errors).toBeUndefined();
  }
  await waitFor('the rules in the cache', () =>
    app.runtime.telemetry.rules.rules().some((r) => r.id === 'b-hot') ? true : undefined,
  );
  client = await mqtt.connectAsync(process.env['MQTT_URL'] ?? '', {
    clientId: `test-scope-events-${Date.now()}`,
  });

  subs['telemetryA'] = await subscribe(app.wsUrl, TELEMETRY(), {}, wsA());
  subs['telemetryAll'] = await subscribe(app.wsUrl, TELEMETRY());
  subs['telemetryA:factoryB'] = await subscribe(
    app.wsUrl,
    TELEMETRY('(factoryId: "EVB-F")'),
    {},
    wsA(),
  );
  subs['telemetryA:lineB'] = await subscribe(app.wsUrl, TELEMETRY('(lineId: "EVB-L")'), {}, wsA());
  subs['telemetryA:assetB'] = await subscribe(
    app.wsUrl,
    TELEMETRY('(assetId: "EVB-A1")'),
    {},
    wsA(),
  );
  subs['telemetryA:unknown'] = await subscribe(
    app.wsUrl,
    TELEMETRY('(factoryId: "NO-SUCH-F")'),
    {},
    wsA(),
  );
  subs['statusA'] = await subscribe(app.wsUrl, STATUS(), {}, wsA());
  subs['statusAll'] = await subscribe(app.wsUrl, STATUS());
  subs['statusA:factoryB'] = await subscribe(app.wsUrl, STATUS('(factoryId: "EVB-F")'), {}, wsA());
  subs['statusA:lineB'] = await subscribe(app.wsUrl, STATUS('(lineId: "EVB-L")'), {}, wsA());
  subs['statusA:unknown'] = await subscribe(
    app.wsUrl,
    STATUS('(factoryId: "NO-SUCH-F")'),
    {},
    wsA(),
  );
  subs['raisedA'] = await subscribe(app.wsUrl, RAISED(), {}, wsA());
  subs['raisedAll'] = await subscribe(app.wsUrl, RAISED());
  subs['raisedA:factoryB'] = await subscribe(app.wsUrl, RAISED('(factoryId: "EVB-F")'), {}, wsA());
  subs['raisedA:unknown'] = await subscribe(
    app.wsUrl,
    RAISED('(factoryId: "NO-SUCH-F")'),
    {},
    wsA(),
  );
});

afterAll(async () => {
  for (const sub of Object.values(subs)) await sub.close();
  await client?.endAsync();
  await app?.stop();
  await hook.stop();
});

/** Ids of EVB-F's alerts (as the unscoped key sees them), filled by the first test. */
const bAlertIds: string[] = [];

describe('a subscriber scoped to one factory', () => {
  it("when both factories' assets report, change status and raise alerts, then it hears its own factory's events and none of the other's, while an unscoped subscriber hears both", async () => {
    // EVB-F first: once the unscoped subscriber has each of its events, they have passed every
    // subscriber's filter in order, so EVA-F's later events arriving at the scoped one prove
    // that EVB-F's were dropped, not late
    await hot('EVB-A1');
    await send('EVB-A1', 'state', { ts: tick(), status: 'DOWN', reason: 'EVB-leak' });
    await waitFor("the unscoped subscribers to hear EVB-F's events", () =>
      idsIn(subs['telemetryAll']?.events ?? [], 'telemetry').includes('EVB-A1') &&
      idsIn(subs['statusAll']?.events ?? [], 'assetStatusChanged').includes('EVB-A1') &&
      (subs['raisedAll']?.events.length ?? 0) >= 2
        ? true
        : undefined,
    );
    const bStatus = await gql(
      app,
      'mutation { updateAsset(id: "EVB-A2", patch: { status: MAINTENANCE }) { status } }',
    );
    expect(bStatus.errors).toBeUndefined();
    await waitFor('the unscoped subscriber to hear the API status change', () =>
      idsIn(subs['statusAll']?.events ?? [], 'assetStatusChanged').includes('EVB-A2')
        ? true
        : undefined,
    );

    await hot('EVA-A1');
    await send('EVA-A1', 'state', { ts: tick(), status: 'DOWN', reason: 'leak' });
    const aStatus = await gql(
      app,
      'mutation { updateAsset(id: "EVA-A2", patch: { status: MAINTENANCE }) { status } }',
      {},
      asA(),
    );
    expect(aStatus.errors).toBeUndefined();
    await subs['telemetryA']?.until(1);
    await subs['statusA']?.until(2);
    await subs['raisedA']?.until(1);
    await subs['raisedAll']?.until(3);
    await subs['telemetryAll']?.until(2);
    await subs['statusAll']?.until(4);

    expect(idsIn(subs['telemetryA']?.events ?? [], 'telemetry')).toEqual(['EVA-A1']);
    expect(idsIn(subs['statusA']?.events ?? [], 'assetStatusChanged').sort()).toEqual([
      'EVA-A1',
      'EVA-A2',
    ]);
    expect(idsIn(subs['raisedA']?.events ?? [], 'alertRaised')).toEqual(['EVA-A1']);
    expect(subs['raisedA']?.events[0]).toMatchObject({
      alertRaised: { factoryId: 'EVA-F', assetId: 'EVA-A1', kind: 'OUT_OF_RANGE' },
    });
    // the unscoped ones heard both factories
    expect(new Set(idsIn(subs['telemetryAll']?.events ?? [], 'telemetry'))).toEqual(
      new Set(['EVA-A1', 'EVB-A1']),
    );
    expect(new Set(idsIn(subs['statusAll']?.events ?? [], 'assetStatusChanged'))).toEqual(
      new Set(['EVA-A1', 'EVA-A2', 'EVB-A1', 'EVB-A2']),
    );
    expect(idsIn(subs['raisedAll']?.events ?? [], 'alertRaised').sort()).toEqual([
      'EVA-A1',
      'EVB-A1',
      'EVB-A1',
    ]);
    for (const [name, sub] of Object.entries(subs)) {
      expect({ name, errors: sub.errors }).toEqual({ name, errors: [] });
      if (!name.endsWith('All')) expectNothingOfB(name, sub.events);
    }
    // naming the other factory, its line or its asset is as silent as naming an unknown factory
    for (const name of [
      'telemetryA:factoryB',
      'telemetryA:lineB',
      'telemetryA:assetB',
      'telemetryA:unknown',
      'statusA:factoryB',
      'statusA:lineB',
      'statusA:unknown',
      'raisedA:factoryB',
      'raisedA:unknown',
    ]) {
      expect({ name, events: subs[name]?.events }).toEqual({ name, events: [] });
    }
  });

  it('when the sweep raises late-shipment alerts in both factories, then the scoped subscriber hears its own only', async () => {
    const before = {
      all: subs['raisedAll']?.events.length ?? 0,
      a: subs['raisedA']?.events.length ?? 0,
    };
    await app.runtime.sweeper.sweep(Date.now(), true);
    const all = await subs['raisedAll']?.until(before.all + 2);
    const a = await subs['raisedA']?.until(before.a + 1);
    expect(idsIn(all?.slice(before.all) ?? [], 'alertRaised').sort()).toEqual(['EVA-SH', 'EVB-SH']);
    expect(idsIn(a?.slice(before.a) ?? [], 'alertRaised')).toEqual(['EVA-SH']);
    // the EVB-F raise reached the unscoped subscriber; nothing more comes to the scoped one
    await new Promise((r) => setTimeout(r, 300));
    expect(subs['raisedA']?.events).toHaveLength(before.a + 1);
    expectNothingOfB('raisedA', subs['raisedA']?.events);
    expect(subs['raisedA:factoryB']?.events).toEqual([]);
  });
});

describe('alerts, rules and deliveries of a key scoped to one factory', () => {
  it("when it lists and counts alerts, then it finds exactly those about its factory's twins, and nothing of the other's", async () => {
    // the two presses EVA-A2 and EVB-A2 raise an alert each, then are scrapped: an alert whose
    // twin is gone stays with the factory it recorded
    await hot('EVA-A2');
    await hot('EVB-A2');
    const all = await waitFor('four asset alerts of each factory', async () => {
      await app.runtime.telemetry.flush();
      const found = await alertsOf();
      const assets = found.alerts.map((x) => x.assetId).filter((x) => x !== null);
      return assets.includes('EVA-A2') && assets.includes('EVB-A2') ? found : undefined;
    });
    for (const id of ['EVA-A2', 'EVB-A2']) {
      const res = await gql(
        app,
        `mutation { deleteAsset(id: "${id}", cascade: true) { deleted { id } } }`,
      );
      expect(res.errors).toBeUndefined();
    }
    const admin = await alertsOf();
    expect(admin.totalCount).toBe(all.totalCount);
    const ofA = admin.alerts.filter((x) => x.factoryId === 'EVA-F');
    const ofB = admin.alerts.filter((x) => x.factoryId === 'EVB-F');
    expect(ofA.length + ofB.length).toBe(admin.totalCount);
    bAlertIds.push(...ofB.map((x) => x.id));
    // EVB-F: metric-range and b-hot on each press, the late EVB-SH
    expect(ofB.map((x) => `${x.ruleId} ${x.about?.id ?? x.assetId ?? ''}`).sort()).toEqual([
      'b-hot EVB-A1',
      'b-hot EVB-A2',
      'late EVB-SH',
      'metric-range EVB-A1',
      'metric-range EVB-A2',
    ]);

    const scoped = await alertsOf(asA());
    expect(scoped.alerts.map((x) => x.id).sort()).toEqual(ofA.map((x) => x.id).sort());
    expect(scoped.totalCount).toBe(ofA.length);
    // the scrapped press's alert: no twin any more, still EVA-F's
    expect(scoped.alerts.find((x) => x.assetId === 'EVA-A2')).toMatchObject({ about: null });
    expectNothingOfB('alerts', scoped.raw, bAlertIds);

    // pages of one agree with the count
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res = await gql(
        app,
        'query($after: String) { alerts(first: 1, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }',
        { after },
        asA(),
      );
      const conn = res.data?.['alerts'] as {
        totalCount: number;
        edges: { node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
      expect(conn.totalCount).toBe(ofA.length);
      seen.push(...conn.edges.map((e) => e.node.id));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual(ofA.map((x) => x.id).sort());

    // filters naming the other factory or its asset find what unknown ones find: nothing
    for (const args of [
      'factoryId: "EVB-F"',
      'factoryId: "NO-SUCH-F"',
      'assetId: "EVB-A1"',
      'ruleId: "b-hot"',
    ]) {
      const res = await alertsOf(asA(), `first: 100, ${args}`);
      expect({ args, totalCount: res.totalCount, alerts: res.alerts }).toEqual({
        args,
        totalCount: 0,
        alerts: [],
      });
    }
  });

  it("when it names another factory's alert, then the answer is exactly that of an unknown id, and the alert stays as it was", async () => {
    expect(bAlertIds.length).toBeGreaterThan(0);
    for (const other of bAlertIds) {
      const one = await expectSameAnswer(
        (id) => `{ alert(id: "${id}") { id } }`,
        other,
        'no-such-alert',
      );
      expect(one.data).toEqual({ alert: null });
      for (const mutation of [
        'acknowledgeAlert(id: "$", by: "EVA") { id state }',
        'resolveAlert(id: "$", by: "EVA") { id state }',
      ]) {
        const answer = await expectSameAnswer(
          (id) => `mutation { ${mutation.replace('$', id)} }`,
          other,
          'no-such-alert',
        );
        expect(answer.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      }
    }
    const after = await alertsOf({}, 'first: 100, factoryId: "EVB-F"');
    expect(after.alerts.length).toBe(bAlertIds.length);
    for (const x of after.alerts) {
      const res = await gql(app, `{ alert(id: "${x.id}") { state acknowledgedBy resolvedBy } }`);
      expect(res.data).toEqual({
        alert: { state: 'RAISED', acknowledgedBy: null, resolvedBy: null },
      });
    }
    // its own alerts it acknowledges and resolves
    const own = (await alertsOf(asA(), 'first: 1')).alerts[0];
    const ack = await gql(
      app,
      `mutation { acknowledgeAlert(id: "${own?.id ?? ''}", by: "EVA shift") { state acknowledgedBy } }`,
      {},
      asA(),
    );
    expect(ack.errors).toBeUndefined();
    expect(ack.data).toEqual({
      acknowledgeAlert: { state: 'ACKNOWLEDGED', acknowledgedBy: 'EVA shift' },
    });
  });

  it('when it reads alert rules, then it sees the global ones and those inside its factory, and another factory’s rule is unknown', async () => {
    const res = await gql(app, '{ alertRules { id factoryId lineId assetId } }', {}, asA());
    expect(res.errors).toBeUndefined();
    const ids = (res.data?.['alertRules'] as { id: string }[]).map((r) => r.id).sort();
    expect(ids).toEqual(['a-line', 'late', 'metric-range']);
    const admin = await gql(app, '{ alertRules { id } }');
    expect((admin.data?.['alertRules'] as { id: string }[]).map((r) => r.id)).toContain('b-hot');
    const one = await expectSameAnswer(
      (id) => `{ alertRule(id: "${id}") { id } }`,
      'b-hot',
      'no-such-rule',
    );
    expect(one.data).toEqual({ alertRule: null });
    const mine = await gql(app, '{ alertRule(id: "a-line") { id lineId } }', {}, asA());
    expect(mine.data).toEqual({ alertRule: { id: 'a-line', lineId: 'EVA-L' } });
  });

  it("when it reads webhook deliveries, then it gets those of its alerts only, and retrying another factory's answers like an unknown id", async () => {
    const all = await waitFor('deliveries of both factories', async () => {
      const res = await gql(app, '{ alertDeliveries(first: 100) { id alertId event state } }');
      const list = res.data?.['alertDeliveries'] as { id: string; alertId: string }[] | undefined;
      return list &&
        list.some((d) => bAlertIds.includes(d.alertId)) &&
        list.some((d) => !bAlertIds.includes(d.alertId))
        ? list
        : undefined;
    });
    const scoped = await gql(
      app,
      '{ alertDeliveries(first: 100) { id alertId event state } }',
      {},
      asA(),
    );
    expect(scoped.errors).toBeUndefined();
    const mine = scoped.data?.['alertDeliveries'] as { id: string; alertId: string }[];
    expect(mine.map((d) => d.id).sort()).toEqual(
      all
        .filter((d) => !bAlertIds.includes(d.alertId))
        .map((d) => d.id)
        .sort(),
    );
    expectNothingOfB('alertDeliveries', scoped.data, bAlertIds);
    // by the other factory's alert id: nothing, as for an unknown alert
    const byAlert = await expectSameAnswer(
      (id) => `{ alertDeliveries(alertId: "${id}") { id } }`,
      bAlertIds.find((id) => all.some((d) => d.alertId === id)) ?? '',
      'no-such-alert',
    );
    expect(byAlert.data).toEqual({ alertDeliveries: [] });
    const other = all.find((d) => bAlertIds.includes(d.alertId));
    const retry = await expectSameAnswer(
      (id) => `mutation { retryAlertDelivery(id: "${id}") { id state } }`,
      other?.id ?? '',
      'no-such-delivery',
    );
    expect(retry.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });
});

describe('the export of a key scoped to one factory', () => {
  it('when it exports, then the document holds what it sees and nothing of the other factory, validates on its own, and imports into an empty database unchanged', async () => {
    // the database is emptied below, the scoped key with it: its sockets would close (4403)
    for (const sub of Object.values(subs)) await sub.close();
    const full = await gql(app, '{ exportTwinGraph }');
    expect(JSON.stringify(full.data)).toContain('EVB-');
    const res = await gql(app, '{ exportTwinGraph }', {}, asA());
    expect(res.errors).toBeUndefined();
    const doc = res.data?.['exportTwinGraph'] as Record<string, Json[]>;
    expectNothingOfB('exportTwinGraph', doc);
    const ids = (section: string) => (doc[section] ?? []).map((r) => r['id']);
    expect(ids('factories')).toEqual(['EVA-F']);
    expect(ids('lines')).toEqual(['EVA-L']);
    expect(ids('assets')).toEqual(['EVA-A1']);
    expect(ids('products')).toEqual(['EVA-P', 'SH-P']);
    expect(ids('suppliers')).toEqual(['SH-S']);
    expect(ids('shipments')).toEqual(['EVA-SH']);
    expect(ids('orders')).toEqual(['EVA-O']);
    // the relationships of the other factory's product went with it
    expect(doc['bom']).toEqual([{ parentId: 'EVA-P', componentId: 'SH-P', quantity: 2 }]);
    expect(doc['supplies']).toEqual([
      { supplierId: 'SH-S', productId: 'SH-P', leadTimeDays: 7, unitCost: 3 },
    ]);
    expect(doc['inventory']).toEqual([
      { factoryId: 'EVA-F', productId: 'SH-P', quantity: 500, safetyStock: 100 },
    ]);

    const checked = validateDocument(doc);
    expect(checked.ok ? [] : checked.problems).toEqual([]);

    await resetTwins(app.graph, app.runtime.telemetry.rules);
    const imported = await gql(
      app,
      'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }',
      { d: doc },
    );
    expect(imported.errors).toBeUndefined();
    const again = await gql(app, '{ exportTwinGraph }');
    expect(again.data?.['exportTwinGraph']).toEqual(doc);
  });
});
