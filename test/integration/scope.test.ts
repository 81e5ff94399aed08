import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  getNamedType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  isObjectType,
  isUnionType,
} from 'graphql';
import mqtt, { type MqttClient } from 'mqtt';
import { gql, type GqlResponse, startTestApp, type TestApp, createKey } from '../support/app';
import { resetTwins } from '../support/db';
import { waitFor } from '../support/live';

/*
 * Factory scopes across the whole schema (docs/security.md, "Factory scopes"): two factories
 * share a supplier, a product and its component; a key scoped to QA-F walks every root query of
 * the schema with every field it can reach (generated from graph-schema/schema.graphql, so a new
 * field is walked without anyone adding it here) and finds nothing of XB-F's own twins. Every
 * twin of XB-F is named `XB-…`, so a leak of an id or a name shows as that text anywhere in the
 * answer. The same walk with the admin key does find them: the walk reaches them when they are
 * not hidden. Another factory's id answers exactly like an id that does not exist.
 */

const PREFIX = 'sc';

const DOCUMENT = {
  factories: [
    { id: 'QA-F', name: 'QA works', timezone: 'Europe/Berlin' },
    { id: 'XB-F', name: 'XB works', timezone: 'Europe/Berlin' },
  ],
  lines: [
    { id: 'QA-L1', factoryId: 'QA-F', name: 'QA body' },
    { id: 'XB-L1', factoryId: 'XB-F', name: 'XB body' },
  ],
  assets: [
    {
      id: 'QA-A1',
      lineId: 'QA-L1',
      name: 'QA press',
      kind: 'PRESS',
      ratePerHour: 60,
      metrics: [{ name: 'temperature', unit: 'Cel', min: 0, max: 100 }],
    },
    { id: 'QA-A2', lineId: 'QA-L1', name: 'QA welder', kind: 'ROBOT', ratePerHour: 60 },
    {
      id: 'XB-A1',
      lineId: 'XB-L1',
      name: 'XB press',
      kind: 'PRESS',
      ratePerHour: 60,
      metrics: [{ name: 'temperature', unit: 'Cel', min: 0, max: 100 }],
    },
  ],
  flows: [{ from: 'QA-A1', to: 'QA-A2' }],
  products: [
    { id: 'SH-PX', sku: 'SH-PX', name: 'Shared door', unitCost: 100, unitPrice: 200 },
    { id: 'SH-C1', sku: 'SH-C1', name: 'Shared sheet', unitCost: 3 },
    { id: 'QA-P', sku: 'QA-P', name: 'QA hood', unitCost: 50, unitPrice: 90 },
    { id: 'XB-P', sku: 'XB-P', name: 'XB roof', unitCost: 50, unitPrice: 90 },
    { id: 'XB-C', sku: 'XB-C', name: 'XB glass', unitCost: 5 },
  ],
  bom: [
    { parentId: 'SH-PX', componentId: 'SH-C1', quantity: 4 },
    { parentId: 'QA-P', componentId: 'SH-C1', quantity: 2 },
    { parentId: 'XB-P', componentId: 'XB-C', quantity: 1 },
    { parentId: 'XB-P', componentId: 'SH-C1', quantity: 1 },
  ],
  production: [
    { lineId: 'QA-L1', productId: 'SH-PX', ratePerHour: 40 },
    { lineId: 'QA-L1', productId: 'QA-P', ratePerHour: 20 },
    { lineId: 'XB-L1', productId: 'SH-PX', ratePerHour: 40 },
    { lineId: 'XB-L1', productId: 'XB-P', ratePerHour: 20 },
  ],
  suppliers: [
    { id: 'SH-S', name: 'Shared steel', country: 'PL' },
    { id: 'XB-S', name: 'XB glassworks', country: 'CZ' },
  ],
  supplies: [
    { supplierId: 'SH-S', productId: 'SH-C1', leadTimeDays: 7, unitCost: 3 },
    { supplierId: 'XB-S', productId: 'XB-C', leadTimeDays: 9, unitCost: 5 },
  ],
  inventory: [
    { factoryId: 'QA-F', productId: 'SH-C1', quantity: 500, safetyStock: 100 },
    { factoryId: 'XB-F', productId: 'SH-C1', quantity: 400, safetyStock: 100 },
    { factoryId: 'XB-F', productId: 'XB-C', quantity: 40, safetyStock: 10 },
  ],
  shipments: [
    {
      id: 'QA-SH',
      supplierId: 'SH-S',
      factoryId: 'QA-F',
      productId: 'SH-C1',
      quantity: 1000,
      status: 'IN_TRANSIT',
      departedAt: '2026-11-20T08:00:00Z',
      eta: '2026-11-27T08:00:00Z',
    },
    {
      id: 'XB-SH1',
      supplierId: 'SH-S',
      factoryId: 'XB-F',
      productId: 'SH-C1',
      quantity: 900,
      status: 'DELAYED',
      departedAt: '2026-11-20T08:00:00Z',
      eta: '2026-11-27T08:00:00Z',
    },
    {
      id: 'XB-SH2',
      supplierId: 'XB-S',
      factoryId: 'XB-F',
      productId: 'XB-C',
      quantity: 90,
      status: 'IN_TRANSIT',
      departedAt: '2026-11-20T08:00:00Z',
      eta: '2026-11-27T08:00:00Z',
    },
  ],
  orders: [
    {
      id: 'QA-O',
      factoryId: 'QA-F',
      productId: 'SH-PX',
      quantity: 300,
      customer: 'QA customer',
      dueDate: '2026-12-20T00:00:00Z',
      status: 'OPEN',
    },
    {
      id: 'XB-O',
      factoryId: 'XB-F',
      productId: 'XB-P',
      quantity: 300,
      customer: 'XB customer',
      dueDate: '2026-12-20T00:00:00Z',
      status: 'OPEN',
    },
  ],
};

/** What QA-F's key sees of the graph: its own twins and the shared ones it reaches. */
const VISIBLE = {
  factories: ['QA-F'],
  lines: ['QA-L1'],
  assets: ['QA-A1', 'QA-A2'],
  products: ['QA-P', 'SH-C1', 'SH-PX'],
  suppliers: ['SH-S'],
  shipments: ['QA-SH'],
  orders: ['QA-O'],
};

const SCHEMA: GraphQLSchema = buildSchema(
  readFileSync(join(__dirname, '..', '..', 'graph-schema', 'schema.graphql'), 'utf8'),
);

/**
 * Arguments of every root query. The test fails on a root query missing here, so a new one is
 * walked with a scoped key from the day it exists. Ids are QA-F's or shared ones.
 */
const ROOT_ARGS: Record<string, string> = {
  alerts: '(first: 100)',
  alert: '(id: "$alert")',
  alertRules: '',
  alertRule: '(id: "metric-range")',
  me: '',
  apiKeys: '', // unscoped only: FORBIDDEN
  alertDeliveries: '(first: 100)',
  impact:
    '(disruption: { supplierOutage: { supplierId: "SH-S", days: 20 } }, asOf: "2026-11-25T00:00:00Z")',
  riskExposure: '',
  simulate:
    '(scenario: { startAt: "2026-11-25T00:00:00Z", horizonDays: 7, supplierOutages: [{ supplierId: "SH-S", days: 20 }] })',
  scenario: '(id: "$scenario")',
  scenarios: '',
  compareScenarios: '(ids: ["$scenario"])',
  telemetryRejections: '', // unscoped only: FORBIDDEN
  asset: '(id: "QA-A1")',
  assets: '(first: 100)',
  factory: '(id: "QA-F")',
  factories: '(first: 100)',
  exportTwinGraph: '',
  line: '(id: "QA-L1")',
  lines: '(first: 100)',
  order: '(id: "QA-O")',
  orders: '(first: 100)',
  product: '(id: "SH-PX")',
  products: '(first: 100)',
  shipment: '(id: "QA-SH")',
  shipments: '(first: 100)',
  supplier: '(id: "SH-S")',
  suppliers: '(first: 100)',
};

/** Root queries a scoped key may not call at all (their answer covers no factory in particular). */
const UNSCOPED_ONLY = new Set(['apiKeys', 'telemetryRejections']);

/** Arguments of nested fields that take required ones without defaults. */
const FIELD_ARGS: Record<string, string> = {
  'Metric.rollup': '(from: "2026-06-01T00:00:00Z", to: "2027-05-31T00:00:00Z", bucket: DAY)',
};

const WINDOW = '(from: "2026-06-01T00:00:00Z", to: "2027-05-31T00:00:00Z")';

/** Nested fields whose arguments the walk sets (to a window that holds the test's data). */
const WINDOWED = new Set(['Asset.timeline', 'Asset.stateSummary', 'Line.stateSummary']);

/**
 * Every field reachable from `type`, `depth` levels down; a type already twice on the path is not
 * entered again (the cycles of the graph: line → factory → lines → …).
 */
function selection(
  type: GraphQLNamedType,
  depth: number,
  path: string[],
  /** Inside a union's member: fields are aliased by type (two members' `status` differ). */
  alias = '',
): string {
  if (isLeafType(type)) return '';
  if (isUnionType(type)) {
    if (depth <= 0) return '{ __typename }';
    const parts = type
      .getTypes()
      .map((t) => `... on ${t.name} ${selection(t, depth, path, `${t.name}_`)}`)
      .join(' ');
    return `{ __typename ${parts} }`;
  }
  if (!isObjectType(type) && !isInterfaceType(type)) return '';
  const fields: string[] = [];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    const leaf = isLeafType(named);
    if (!leaf && (depth <= 0 || path.filter((p) => p === named.name).length >= 2)) continue;
    const args = fieldArgs(type.name, field);
    if (args === null) continue;
    const sub = leaf ? '' : selection(named, depth - 1, [...path, named.name]);
    if (!leaf && sub === '') continue;
    fields.push(`${alias ? `${alias}${field.name}: ` : ''}${field.name}${args} ${sub}`);
  }
  return fields.length ? `{ ${fields.join(' ')} }` : '';
}

function fieldArgs(typeName: string, field: GraphQLField<unknown, unknown>): string | null {
  const key = `${typeName}.${field.name}`;
  if (WINDOWED.has(key)) return WINDOW;
  if (key in FIELD_ARGS) return FIELD_ARGS[key] ?? '';
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  if (required.length > 0) {
    throw new Error(`${key} needs arguments: add it to FIELD_ARGS in this test`);
  }
  return '';
}

const rootQuery = (): GraphQLObjectType => {
  const q = SCHEMA.getQueryType();
  if (!q) throw new Error('no Query type');
  return q;
};

let app: TestApp;
let client: MqttClient;
let scopedKey = '';
let operatorKey = '';
let alertId = '';
let otherAlertId = '';
let scenarioId = '';

const scoped = () => ({ authorization: `Bearer ${scopedKey}` });

async function alertOf(assetId: string): Promise<string> {
  return waitFor(`an alert about ${assetId}`, async () => {
    const res = await gql(app, `{ alerts(assetId: "${assetId}") { edges { node { id } } } }`);
    const edges = (res.data?.['alerts'] as { edges: { node: { id: string } }[] } | undefined)
      ?.edges;
    return edges?.[0]?.node.id;
  });
}

const queryOf = (field: string, depth: number) => {
  const f = rootQuery().getFields()[field];
  if (!f) throw new Error(`no root query ${field}`);
  const args = (ROOT_ARGS[field] ?? '').replace('$alert', alertId).replace('$scenario', scenarioId);
  return `{ ${field}${args} ${selection(getNamedType(f.type), depth, [getNamedType(f.type).name])} }`;
};

beforeAll(async () => {
  app = await startTestApp({
    MQTT_TOPIC_PREFIX: PREFIX,
    // the walk asks for everything at once: limits that refuse nothing of it
    GRAPHQL_MAX_DEPTH: '20',
    GRAPHQL_MAX_TOKENS: '100000',
    GRAPHQL_MAX_COST: '100000000',
    GRAPHQL_MAX_ALIASES: '1000',
    SCOPE_CACHE_MS: '0',
  });
  await resetTwins(app.graph, app.runtime.telemetry.rules);
  const imported = await gql(
    app,
    'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }',
    { d: DOCUMENT },
  );
  expect(imported.errors).toBeUndefined();
  await waitFor('the registry to know both presses', () =>
    app.runtime.telemetry.registry.cached('QA-A1') && app.runtime.telemetry.registry.cached('XB-A1')
      ? true
      : undefined,
  );
  // readings (one out of range: an alert each), a state change each, and one rejected message
  client = await mqtt.connectAsync(process.env['MQTT_URL'] ?? '', {
    clientId: `scope-${process.pid}`,
  });
  const ts = (s: number) => new Date(Date.now() - 60_000 + s * 1000).toISOString();
  for (const [f, l, a] of [
    ['QA-F', 'QA-L1', 'QA-A1'],
    ['XB-F', 'XB-L1', 'XB-A1'],
  ] as const) {
    for (const [i, value] of [20, 150, 30].entries()) {
      await client.publishAsync(
        `${PREFIX}/${f}/${l}/${a}/telemetry`,
        JSON.stringify({ ts: ts(i), metrics: { temperature: value } }),
        { qos: 1 },
      );
    }
    await client.publishAsync(
      `${PREFIX}/${f}/${l}/${a}/state`,
      // now: the import stamped the status with its own time, and an older state is ignored
      JSON.stringify({ ts: new Date().toISOString(), status: 'DOWN', reason: 'jam' }),
      { qos: 1 },
    );
  }
  alertId = await alertOf('QA-A1');
  otherAlertId = await alertOf('XB-A1');
  // a scenario of XB-F saved by the admin, and one of QA-F
  const saved = await gql(
    app,
    `mutation { saveScenario(name: "QA overtime", scenario: { startAt: "2026-11-25T00:00:00Z",
      horizonDays: 7, factoryIds: ["QA-F"], shiftChanges: [{ lineId: "QA-L1", shiftsPerDay: 3 }] }) { id } }`,
  );
  expect(saved.errors).toBeUndefined();
  scenarioId = (saved.data?.['saveScenario'] as { id: string }).id;
  scopedKey = await createKey(app, 'analyst', ['QA-F']);
  operatorKey = await createKey(app, 'operator', ['QA-F']);
}, 120_000);

afterAll(async () => {
  await client?.endAsync();
  await app?.stop();
});

describe('a key scoped to one factory', () => {
  it('when it walks every root query with every field it reaches, then nothing of the other factory appears', async () => {
    const missing = Object.keys(rootQuery().getFields()).filter((f) => !(f in ROOT_ARGS));
    expect(missing).toEqual([]);
    const leaks: string[] = [];
    const adminSees: string[] = [];
    for (const field of Object.keys(ROOT_ARGS)) {
      const query = queryOf(field, 4);
      const res = await gql(app, query, {}, scoped());
      if (UNSCOPED_ONLY.has(field)) {
        expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
        continue;
      }
      expect({ field, errors: res.errors }).toEqual({ field, errors: undefined });
      const text = JSON.stringify(res.data);
      if (text.includes('XB-')) leaks.push(`${field}: ${text.match(/.{0,60}XB-.{0,40}/)?.[0]}`);
      const full = await gql(app, query);
      expect({ field, errors: full.errors }).toEqual({ field, errors: undefined });
      if (JSON.stringify(full.data).includes('XB-')) adminSees.push(field);
    }
    expect(leaks).toEqual([]);
    // the walk does reach the other factory's twins where they are not hidden
    for (const field of ['factories', 'products', 'suppliers', 'alerts', 'exportTwinGraph']) {
      expect(adminSees).toContain(field);
    }
  }, 120_000);

  it('when it lists twins, then pages and totalCount hold exactly what it sees', async () => {
    for (const [list, ids] of Object.entries(VISIBLE)) {
      const res = await gql(
        app,
        `{ ${list}(first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
        {},
        scoped(),
      );
      expect(res.errors).toBeUndefined();
      const page = res.data?.[list] as {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: { id: string } }[];
      };
      expect({ list, total: page.totalCount }).toEqual({ list, total: ids.length });
      // every page, one at a time: exactly the visible ids, none skipped
      const seen = page.edges.map((e) => e.node.id);
      let after = page.pageInfo.endCursor;
      let more = page.pageInfo.hasNextPage;
      while (more) {
        const next = await gql(
          app,
          `query($after: String) { ${list}(first: 1, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
          { after },
          scoped(),
        );
        const p = next.data?.[list] as typeof page;
        seen.push(...p.edges.map((e) => e.node.id));
        after = p.pageInfo.endCursor;
        more = p.pageInfo.hasNextPage;
      }
      expect({ list, seen }).toEqual({ list, seen: ids });
    }
    // a filter naming the other factory finds what an unknown factory finds: nothing
    for (const factoryId of ['XB-F', 'NO-SUCH-F']) {
      const res = await gql(
        app,
        `{ assets(factoryId: "${factoryId}") { totalCount } lines(factoryId: "${factoryId}") { totalCount }
           shipments(factoryId: "${factoryId}") { totalCount } orders(factoryId: "${factoryId}") { totalCount } }`,
        {},
        scoped(),
      );
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({
        assets: { totalCount: 0 },
        lines: { totalCount: 0 },
        shipments: { totalCount: 0 },
        orders: { totalCount: 0 },
      });
    }
  });

  it("when it names another factory's twin, then the answer is exactly that of an id that does not exist", async () => {
    const same = async (
      query: (id: string) => string,
      other: string,
      unknown: string,
      headers = scoped(),
    ) => {
      const a = await gql(app, query(other), {}, headers);
      const b = await gql(app, query(unknown), {}, headers);
      const normalise = ({ data, errors }: GqlResponse, id: string) =>
        JSON.parse(JSON.stringify({ data, errors }).split(id).join('<id>')) as unknown;
      expect({ query: query('<id>'), answer: normalise(a, other) }).toEqual({
        query: query('<id>'),
        answer: normalise(b, unknown),
      });
      return a;
    };
    for (const [field, other] of [
      ['factory', 'XB-F'],
      ['line', 'XB-L1'],
      ['asset', 'XB-A1'],
      ['product', 'XB-P'],
      ['supplier', 'XB-S'],
      ['shipment', 'XB-SH1'],
      ['order', 'XB-O'],
    ] as const) {
      const answer = await same((id) => `{ ${field}(id: "${id}") { id } }`, other, 'NO-SUCH-ID');
      expect(answer.data).toEqual({ [field]: null });
    }
    const alert = await same(
      (id) => `{ alert(id: "${id}") { id } }`,
      otherAlertId,
      'no-such-alert',
    );
    expect(alert.data).toEqual({ alert: null });
    // the mutations a scoped key may call (statuses, alerts) answer NOT_FOUND for both
    for (const [mutation, other] of [
      ['updateAsset(id: "$", patch: { status: IDLE }) { id }', 'XB-A1'],
      ['updateShipment(id: "$", patch: { status: DELIVERED }) { id }', 'XB-SH1'],
      ['updateOrder(id: "$", patch: { status: CANCELLED }) { id }', 'XB-O'],
      ['acknowledgeAlert(id: "$", by: "me") { id }', otherAlertId],
      ['resolveAlert(id: "$", by: "me") { id }', otherAlertId],
    ] as const) {
      const answer = await same(
        (id) => `mutation { ${mutation.replace('$', id)} }`,
        other,
        'NO-SUCH-ID',
        { authorization: `Bearer ${operatorKey}` },
      );
      expect(answer.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    }
    // and nothing of XB-F changed
    const after = await gql(
      app,
      '{ asset(id: "XB-A1") { status } shipment(id: "XB-SH1") { status } order(id: "XB-O") { status } }',
    );
    expect(after.data).toEqual({
      asset: { status: 'DOWN' },
      shipment: { status: 'DELAYED' },
      order: { status: 'OPEN' },
    });
  });

  it('when it changes what it may change, then that works inside its factory only', async () => {
    const res = await gql(
      app,
      'mutation { updateAsset(id: "QA-A2", patch: { status: MAINTENANCE }) { id status } }',
      {},
      { authorization: `Bearer ${operatorKey}` },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ updateAsset: { id: 'QA-A2', status: 'MAINTENANCE' } });
    // moving a twin, or any structure, needs an unscoped admin key even for a scoped admin
    const admin = await createKey(app, 'admin', ['QA-F']);
    for (const mutation of [
      'updateAsset(id: "QA-A2", patch: { lineId: "XB-L1" }) { id }',
      'createFactory(input: { id: "QA-F2", name: "More" }) { id }',
      'createApiKey(input: { name: "wider", role: "admin", factoryIds: null }) { key }',
    ]) {
      const denied = await gql(
        app,
        `mutation { ${mutation} }`,
        {},
        {
          authorization: `Bearer ${admin}`,
        },
      );
      expect({ mutation, code: denied.errors?.[0]?.extensions?.['code'] }).toEqual({
        mutation,
        code: 'FORBIDDEN',
      });
      expect(denied.errors?.[0]?.message).toMatch(/without a factory scope/);
    }
    const line = await gql(app, '{ asset(id: "QA-A2") { line { id } } }');
    expect(line.data).toEqual({ asset: { line: { id: 'QA-L1' } } });
  });

  it("when it reads a rule's webhook, then it sees where it goes and not its secret", async () => {
    const url = 'https://hooks.example.com/services/T000/B000/s3cr3t?token=abc';
    const made = await gql(
      app,
      `mutation($url: String) { createAlertRule(id: "scope-hook", input: { name: "Hooked", kind: ASSET_DOWN, severity: WARNING, webhookUrl: $url }) { id webhookUrl } }`,
      { url },
    );
    expect(made.errors).toBeUndefined();
    expect(made.data).toEqual({ createAlertRule: { id: 'scope-hook', webhookUrl: url } });
    const seen = await gql(app, '{ alertRule(id: "scope-hook") { webhookUrl } }', {}, scoped());
    expect(seen.data).toEqual({ alertRule: { webhookUrl: 'https://hooks.example.com/…' } });
    const removed = await gql(app, 'mutation { deleteAlertRule(id: "scope-hook") { id } }');
    expect(removed.errors).toBeUndefined();
  });

  it('when a twin moves in from the other factory, then its old alerts and readings do not name that factory', async () => {
    const moved = await gql(
      app,
      'mutation { updateAsset(id: "XB-A1", patch: { lineId: "QA-L1" }) { id } }',
    );
    expect(moved.errors).toBeUndefined();
    try {
      const seen = await gql(
        app,
        `{ alert(id: "${otherAlertId}") { id factoryId lineId about { ... on Asset { id } } }
           asset(id: "XB-A1") { metrics { history(limit: 5) { topic } } } }`,
        {},
        scoped(),
      );
      expect(seen.errors).toBeUndefined();
      expect(seen.data?.['alert']).toEqual({
        id: otherAlertId,
        factoryId: null,
        lineId: null,
        about: { id: 'XB-A1' },
      });
      const topics = JSON.stringify(seen.data?.['asset']);
      expect(topics).toContain('/…/…/XB-A1/telemetry');
      expect(topics).not.toContain('XB-F');
      expect(topics).not.toContain('XB-L1');
      // a filter naming the old factory finds what an unknown one does
      for (const factoryId of ['XB-F', 'NO-SUCH-F']) {
        const res = await gql(
          app,
          `{ alerts(factoryId: "${factoryId}") { totalCount } }`,
          {},
          scoped(),
        );
        expect(res.data).toEqual({ alerts: { totalCount: 0 } });
      }
    } finally {
      await gql(app, 'mutation { updateAsset(id: "XB-A1", patch: { lineId: "XB-L1" }) { id } }');
    }
  });
});
