import { gql, type GqlResponse, startTestApp, type TestApp, createKey } from '../support/app';
import { resetTwins } from '../support/db';
import { subscribe, waitFor } from '../support/live';

/*
 * The analyses as a factory scope sees them (docs/security.md, "Factory scopes: analyses"): two
 * factories share a supplier (SH-S), a product (SH-PX) and its component (SH-C1); a key scoped
 * to QA-F runs impact, simulate, riskExposure and saved scenarios and finds nothing of XB-F's
 * own twins anywhere in the answers (every one is named `XB-…`), while the unscoped key finds
 * them in the same answers. A disruption or scenario naming one of XB-F's twins answers exactly
 * like an id that does not exist.
 */

const PREFIX = 'scan';
const START = '2026-11-25T00:00:00Z';

const DOCUMENT = {
  factories: [
    { id: 'QA-F', name: 'QA works', timezone: 'Europe/Berlin' },
    { id: 'XB-F', name: 'XB works', timezone: 'Europe/Berlin' },
  ],
  lines: [
    { id: 'QA-L1', factoryId: 'QA-F', name: 'QA body', shiftsPerDay: 2, hoursPerShift: 8 },
    { id: 'XB-L1', factoryId: 'XB-F', name: 'XB body', shiftsPerDay: 2, hoursPerShift: 8 },
  ],
  assets: [
    { id: 'QA-A1', lineId: 'QA-L1', name: 'QA press', kind: 'PRESS', ratePerHour: 60 },
    { id: 'QA-A2', lineId: 'QA-L1', name: 'QA welder', kind: 'ROBOT', ratePerHour: 60 },
    { id: 'XB-A1', lineId: 'XB-L1', name: 'XB press', kind: 'PRESS', ratePerHour: 60 },
  ],
  flows: [{ from: 'QA-A1', to: 'QA-A2' }],
  products: [
    { id: 'SH-PX', sku: 'SH-PX', name: 'Shared door', unitCost: 100, unitPrice: 200 },
    { id: 'SH-C1', sku: 'SH-C1', name: 'Shared sheet', unitCost: 3 },
    { id: 'QA-P', sku: 'QA-P', name: 'QA hood', unitCost: 50, unitPrice: 90 },
    { id: 'XB-P', sku: 'XB-P', name: 'XB roof', unitCost: 50, unitPrice: 90 },
    { id: 'XB-C', sku: 'XB-C', name: 'XB glass', unitCost: 5 },
    { id: 'XB-KIT', sku: 'XB-KIT', name: 'XB door kit', unitCost: 150, unitPrice: 500 },
  ],
  bom: [
    { parentId: 'SH-PX', componentId: 'SH-C1', quantity: 4 },
    { parentId: 'QA-P', componentId: 'SH-C1', quantity: 2 },
    { parentId: 'XB-P', componentId: 'XB-C', quantity: 1 },
    { parentId: 'XB-P', componentId: 'SH-C1', quantity: 1 },
    // a B-only product above the shared door: the upward closure of SH-C1 reaches it
    { parentId: 'XB-KIT', componentId: 'SH-PX', quantity: 1 },
  ],
  production: [
    { lineId: 'QA-L1', productId: 'SH-PX', ratePerHour: 40 },
    { lineId: 'QA-L1', productId: 'QA-P', ratePerHour: 20 },
    { lineId: 'XB-L1', productId: 'SH-PX', ratePerHour: 40 },
    { lineId: 'XB-L1', productId: 'XB-P', ratePerHour: 20 },
    { lineId: 'XB-L1', productId: 'XB-KIT', ratePerHour: 10 },
  ],
  suppliers: [
    { id: 'SH-S', name: 'Shared steel', country: 'PL', recoveryDays: 10 },
    { id: 'XB-S', name: 'XB glassworks', country: 'CZ', recoveryDays: 10 },
  ],
  supplies: [
    { supplierId: 'SH-S', productId: 'SH-C1', leadTimeDays: 7, unitCost: 3 },
    { supplierId: 'XB-S', productId: 'XB-C', leadTimeDays: 9, unitCost: 5 },
  ],
  inventory: [
    { factoryId: 'QA-F', productId: 'SH-C1', quantity: 5000, safetyStock: 100 },
    { factoryId: 'XB-F', productId: 'SH-C1', quantity: 4000, safetyStock: 100 },
    { factoryId: 'XB-F', productId: 'XB-C', quantity: 400, safetyStock: 10 },
  ],
  shipments: [
    {
      id: 'QA-SH',
      supplierId: 'SH-S',
      factoryId: 'QA-F',
      productId: 'SH-C1',
      quantity: 3000,
      status: 'IN_TRANSIT',
      departedAt: '2026-11-20T08:00:00Z',
      eta: '2026-11-27T08:00:00Z',
    },
    {
      id: 'QA-SH2',
      supplierId: 'SH-S',
      factoryId: 'QA-F',
      productId: 'SH-C1',
      quantity: 2000,
      status: 'PLANNED',
      eta: '2026-12-05T08:00:00Z',
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
      supplierId: 'SH-S',
      factoryId: 'XB-F',
      productId: 'SH-C1',
      quantity: 800,
      status: 'PLANNED',
      eta: '2026-12-05T08:00:00Z',
    },
    {
      id: 'XB-SH3',
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
      quantity: 3000,
      customer: 'QA customer',
      dueDate: '2026-12-01T00:00:00Z',
      status: 'OPEN',
    },
    {
      id: 'XB-O',
      factoryId: 'XB-F',
      productId: 'XB-P',
      quantity: 2000,
      customer: 'XB customer',
      dueDate: '2026-12-01T00:00:00Z',
      status: 'OPEN',
    },
    {
      id: 'XB-O2',
      factoryId: 'XB-F',
      productId: 'SH-PX',
      quantity: 2000,
      customer: 'XB customer',
      dueDate: '2026-12-01T00:00:00Z',
      status: 'OPEN',
    },
  ],
};

/** Every twin of XB-F's own, and the shared twins QA-F does not reach: all named `XB-…`. */
const HIDDEN = 'XB-';

let app: TestApp;
let scopedKey = '';

const scoped = () => ({ authorization: `Bearer ${scopedKey}` });

/** Every string of a JSON value (keys included) that names a hidden twin, with its path. */
function hiddenIn(value: unknown, path = '$'): string[] {
  if (typeof value === 'string') return value.includes(HIDDEN) ? [`${path}: ${value}`] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => hiddenIn(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(k.includes(HIDDEN) ? [`${path}.${k} (key)`] : []),
      ...hiddenIn(v, `${path}.${k}`),
    ]);
  }
  return [];
}

/** The answer's data and errors, with `id` written as `<id>`: two ids' answers compare equal. */
function normalise(res: GqlResponse, id: string): unknown {
  return JSON.parse(
    JSON.stringify({ data: res.data ?? null, errors: res.errors ?? null })
      .split(id)
      .join('<id>'),
  );
}

/**
 * Runs `query` for another factory's id and for an unknown one with the scoped key: the answers
 * are the same but for the id. Returns the answer for the other factory's id.
 */
async function sameAsUnknown(
  query: string,
  variables: (id: string) => Record<string, unknown>,
  other: string,
  unknown: string,
): Promise<GqlResponse> {
  const a = await gql(app, query, variables(other), scoped());
  const b = await gql(app, query, variables(unknown), scoped());
  expect({ query, other, answer: normalise(a, other) }).toEqual({
    query,
    other,
    answer: normalise(b, unknown),
  });
  return a;
}

beforeAll(async () => {
  app = await startTestApp({
    MQTT_TOPIC_PREFIX: PREFIX,
    SCOPE_CACHE_MS: '0',
    // the answers are read whole, nested twins included
    GRAPHQL_MAX_DEPTH: '10',
    GRAPHQL_MAX_COST: '1000000',
  });
  await resetTwins(app.graph, app.runtime.telemetry.rules);
  const imported = await gql(
    app,
    'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }',
    { d: DOCUMENT },
  );
  expect(imported.errors).toBeUndefined();
  scopedKey = await createKey(app, 'analyst', ['QA-F']);
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

// ------------------------------------------------------------------------------------- impact

const REPORT = `
  kind asOf windowEnd
  components { product { id name usedIn { product { id } } } soleSourced alternativeSuppliers { id } atRisk }
  products { id producedBy { line { id } } usedIn { product { id } } }
  lines { line { id factory { id } } capacityFactorBefore capacityFactorAfter }
  factories { id name } orders { id customer factory { id } } shipments { id factory { id } }
  exposures { factory { id } component { id } dailyConsumption onHand inbound daysOfCover shortfallDays }
  lostUnits { product { id } units valueAtRisk }
  ranking { kind id shortfallDays lostUnits valueAtRisk }
  paths { kind id steps { from relationship to forward } }`;

const IMPACT = `query($d: DisruptionInput!) { impact(disruption: $d, asOf: "${START}") { ${REPORT} } }`;

interface Report {
  products: { id: string }[];
  factories: { id: string }[];
  lines: { line: { id: string } }[];
  orders: { id: string }[];
  shipments: { id: string }[];
  exposures: { factory: { id: string }; component: { id: string }; shortfallDays: number }[];
  ranking: { kind: string; id: string; shortfallDays: number; valueAtRisk: number | null }[];
  paths: { kind: string; id: string; steps: { from: string; to: string }[] }[];
}

const ids = (list: { id: string }[]) => list.map((x) => x.id).sort();

describe('impact with a key scoped to QA-F', () => {
  it('when SH-S (shared) is out, then the report holds QA-F only, ranked from what QA-F sees', async () => {
    const d = { supplierOutage: { supplierId: 'SH-S', days: 20 } };
    const full = await gql(app, IMPACT, { d });
    expect(full.errors).toBeUndefined();
    // the unscoped report reaches XB-F: its line, orders, planned shipment, exposure, products
    const all = full.data?.['impact'] as Report;
    expect(hiddenIn(all).length).toBeGreaterThan(0);
    expect(ids(all.factories)).toEqual(['QA-F', 'XB-F']);
    expect(ids(all.shipments)).toEqual(['QA-SH2', 'XB-SH2']);

    const res = await gql(app, IMPACT, { d }, scoped());
    expect(res.errors).toBeUndefined();
    expect(hiddenIn(res.data)).toEqual([]);
    const mine = res.data?.['impact'] as Report;
    expect(ids(mine.factories)).toEqual(['QA-F']);
    expect(mine.lines.map((l) => l.line.id)).toEqual(['QA-L1']);
    expect(ids(mine.orders)).toEqual(['QA-O']);
    expect(ids(mine.shipments)).toEqual(['QA-SH2']);
    expect(ids(mine.products)).toEqual(['QA-P', 'SH-C1', 'SH-PX']);
    expect(mine.exposures.map((e) => `${e.factory.id}/${e.component.id}`)).toEqual(['QA-F/SH-C1']);
    // QA-F's own rows are those of the unscoped report
    const own = (r: Report) => r.ranking.filter((x) => ['QA-F', 'QA-L1', 'QA-O'].includes(x.id));
    expect(own(mine)).toEqual(own(all));
    expect(mine.exposures[0]).toEqual(all.exposures.find((e) => e.factory.id === 'QA-F'));
    // a shared product's figures come from QA-F's rows only: its value is QA-F's order, not XB-F's
    const door = (r: Report) => r.ranking.find((x) => x.kind === 'Product' && x.id === 'SH-PX');
    expect(door(mine)?.valueAtRisk).toBe(3000 * 200);
    expect(door(all)?.valueAtRisk).toBe((3000 + 2000) * 200);
    // every twin named has its path, and every path is QA-F's
    expect(mine.paths.map((p) => `${p.kind}:${p.id}`).sort()).toEqual(
      [
        'Factory:QA-F',
        'Line:QA-L1',
        'Order:QA-O',
        'Product:QA-P',
        'Product:SH-C1',
        'Product:SH-PX',
        'Shipment:QA-SH2',
      ].sort(),
    );
  });

  it('when its shipment of SH-C1 is late, then the BOM closure stops at what QA-F sees', async () => {
    const d = { shipmentDelay: { shipmentId: 'QA-SH', days: 10 } };
    const full = await gql(app, IMPACT, { d });
    expect(full.errors).toBeUndefined();
    const all = full.data?.['impact'] as Report;
    // SH-C1 goes up into XB-P and XB-KIT, products of XB-F only
    expect(ids(all.products)).toEqual(['QA-P', 'SH-C1', 'SH-PX', 'XB-KIT', 'XB-P']);
    const res = await gql(app, IMPACT, { d }, scoped());
    expect(res.errors).toBeUndefined();
    expect(hiddenIn(res.data)).toEqual([]);
    const mine = res.data?.['impact'] as Report;
    expect(ids(mine.products)).toEqual(['QA-P', 'SH-C1', 'SH-PX']);
    expect(mine.exposures).toEqual(all.exposures);
    expect(mine.ranking).toEqual(all.ranking.filter((r) => !r.id.startsWith(HIDDEN)));
  });

  it('when its press is down, then the report holds QA-F only', async () => {
    const d = { assetDowntime: { assetId: 'QA-A1', hours: 8 } };
    const full = await gql(app, IMPACT, { d });
    expect(full.errors).toBeUndefined();
    const all = full.data?.['impact'] as Report;
    expect(ids(all.products)).toContain('XB-KIT');
    const res = await gql(app, IMPACT, { d }, scoped());
    expect(res.errors).toBeUndefined();
    expect(hiddenIn(res.data)).toEqual([]);
    const mine = res.data?.['impact'] as Report;
    expect(ids(mine.products)).toEqual(['QA-P', 'SH-PX']);
    expect(ids(mine.orders)).toEqual(['QA-O']);
  });

  it("when the disruption names XB-F's twin, then the answer is that of an unknown id", async () => {
    for (const [d, other] of [
      [(id: string) => ({ supplierOutage: { supplierId: id, days: 5 } }), 'XB-S'],
      [(id: string) => ({ shipmentDelay: { shipmentId: id, days: 5 } }), 'XB-SH1'],
      [(id: string) => ({ assetDowntime: { assetId: id, hours: 5 } }), 'XB-A1'],
    ] as const) {
      const answer = await sameAsUnknown(IMPACT, (id) => ({ d: d(id) }), other, 'NO-SUCH-ID');
      expect(answer.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      // the unscoped key does see it
      const full = await gql(app, IMPACT, { d: d(other) });
      expect(full.errors).toBeUndefined();
    }
  });
});

// ------------------------------------------------------------------------------ risk exposure

const RISK = `{ riskExposure(asOf: "${START}") {
  supplier { id name supplies { product { id } } } timeToSurvive timeToRecover
  performanceImpact { revenueLost unitsShort } riskExposureIndex atRisk
  components { factory { id } component { id } dailyConsumption onHand timeToSurvive } } }`;

interface Risk {
  supplier: { id: string };
  timeToSurvive: number | null;
  performanceImpact: { revenueLost: number; unitsShort: number };
  riskExposureIndex: number;
  components: { factory: { id: string }; timeToSurvive: number }[];
}

describe('riskExposure with a key scoped to QA-F', () => {
  it('when it ranks suppliers, then it ranks those it sees by what their outage costs QA-F', async () => {
    const full = await gql(app, RISK);
    expect(full.errors).toBeUndefined();
    const all = full.data?.['riskExposure'] as Risk[];
    expect(all.map((r) => r.supplier.id).sort()).toEqual(['SH-S', 'XB-S']);
    expect(hiddenIn(all).length).toBeGreaterThan(0);

    const res = await gql(app, RISK, {}, scoped());
    expect(res.errors).toBeUndefined();
    expect(hiddenIn(res.data)).toEqual([]);
    const mine = res.data?.['riskExposure'] as Risk[];
    expect(mine.map((r) => r.supplier.id)).toEqual(['SH-S']);
    const [shared] = mine;
    const sharedAll = all.find((r) => r.supplier.id === 'SH-S');
    // the rows at QA-F are the unscoped ones; the time to survive is QA-F's
    expect(shared?.components).toEqual(
      sharedAll?.components.filter((c) => c.factory.id === 'QA-F'),
    );
    expect(shared?.timeToSurvive).toBe(shared?.components[0]?.timeToSurvive);
    // the cost is QA-F's: the simulated outage of SH-S for its 10 days of recovery, at QA-F only
    const sim = await gql(
      app,
      `{ simulate(scenario: { startAt: "${START}", horizonDays: 40, factoryIds: ["QA-F"],
           supplierOutages: [{ supplierId: "SH-S", days: 10 }] }) { delta { revenueLost unitsShort } } }`,
    );
    expect(sim.errors).toBeUndefined();
    const delta = (sim.data?.['simulate'] as { delta: Risk['performanceImpact'] }).delta;
    expect(shared?.performanceImpact.revenueLost).toBeCloseTo(delta.revenueLost, 6);
    expect(shared?.performanceImpact.unitsShort).toBeCloseTo(delta.unitsShort, 6);
    expect(delta.revenueLost).toBeGreaterThan(0);
    expect(sharedAll?.performanceImpact.revenueLost).toBeGreaterThan(delta.revenueLost);
    // and the index is relative to the suppliers it sees
    expect(shared?.riskExposureIndex).toBe(1);
  });
});

// ---------------------------------------------------------------------------------- simulate

const KPIS = 'fillRate unitsProduced unitsShort lateOrders revenueLost';
const RESULT = `
  kpis { ${KPIS} } baseline { ${KPIS} } delta { ${KPIS} }
  inventory { factory { id name } product { id } start end received produced consumed shipped min }
  production { line { id factory { id } } product { id } units capacityUnits }
  stockouts { factory { id } product { id } fromDay days }
  lateOrders { order { id customer } daysLate unitsShort unitsUndelivered }
  series { factory { id } product { id } day inventory }
  bands { metric p10 p50 p90 } runs seed steps startAt horizonDays stepHours representativeRun`;
const SIMULATE = `query($s: ScenarioInput!) { simulate(scenario: $s) { ${RESULT} } }`;

const outage = (extra: Record<string, unknown> = {}) => ({
  startAt: START,
  horizonDays: 14,
  supplierOutages: [{ supplierId: 'SH-S', days: 10 }],
  seriesProductIds: ['SH-C1'],
  ...extra,
});

describe('simulate with a key scoped to QA-F', () => {
  it('when it simulates, then it gets the simulation of QA-F alone, whole: KPIs, baseline, bands and rows', async () => {
    const full = await gql(app, SIMULATE, { s: outage({ runs: 3 }) });
    expect(full.errors).toBeUndefined();
    expect(hiddenIn(full.data).length).toBeGreaterThan(0);

    const res = await gql(app, SIMULATE, { s: outage({ runs: 3 }) }, scoped());
    expect(res.errors).toBeUndefined();
    expect(hiddenIn(res.data)).toEqual([]);
    // exactly what the unscoped key gets when it names QA-F: the KPIs are QA-F's, not the network's
    const qa = await gql(app, SIMULATE, { s: outage({ runs: 3, factoryIds: ['QA-F'] }) });
    expect(qa.errors).toBeUndefined();
    expect(res.data).toEqual(qa.data);
    const mine = res.data?.['simulate'] as {
      kpis: { revenueLost: number };
      lateOrders: { order: { id: string } }[];
    };
    const all = full.data?.['simulate'] as typeof mine;
    expect(mine.lateOrders.map((o) => o.order.id)).toEqual(['QA-O']);
    expect(all.lateOrders.map((o) => o.order.id).sort()).toEqual(['QA-O', 'XB-O', 'XB-O2']);
    expect(mine.kpis.revenueLost).toBeGreaterThan(0);
    expect(mine.kpis.revenueLost).toBeLessThan(all.kpis.revenueLost);
    // naming its own factory changes nothing
    const named = await gql(
      app,
      SIMULATE,
      { s: outage({ runs: 3, factoryIds: ['QA-F'] }) },
      scoped(),
    );
    expect(named.data).toEqual(res.data);
  });

  it("when the scenario names XB-F's twin, then the answer is that of an unknown id", async () => {
    const cases: [(id: string) => Record<string, unknown>, string][] = [
      [(id) => ({ supplierOutages: [{ supplierId: id, days: 3 }] }), 'XB-S'],
      [(id) => ({ shipmentDelays: [{ shipmentId: id, days: 3 }] }), 'XB-SH1'],
      [(id) => ({ assetDowntimes: [{ assetId: id, hours: 3 }] }), 'XB-A1'],
      [(id) => ({ maintenanceWindows: [{ assetId: id, hours: 3 }] }), 'XB-A1'],
      [(id) => ({ shiftChanges: [{ lineId: id, shiftsPerDay: 3 }] }), 'XB-L1'],
      [(id) => ({ demandChanges: [{ productId: id, factor: 2 }] }), 'XB-P'],
      [(id) => ({ seriesProductIds: [id] }), 'XB-C'],
      [(id) => ({ factoryIds: [id] }), 'XB-F'],
      [(id) => ({ factoryIds: ['QA-F', id] }), 'XB-F'],
    ];
    for (const [change, other] of cases) {
      const scenario = (id: string) => ({ s: { startAt: START, horizonDays: 7, ...change(id) } });
      const answer = await sameAsUnknown(SIMULATE, scenario, other, 'NO-SUCH-ID');
      expect(answer.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      // and saving it answers the same way
      await sameAsUnknown(
        'mutation($s: ScenarioInput!) { saveScenario(name: "x", scenario: $s) { id } }',
        scenario,
        other,
        'NO-SUCH-ID',
      );
      // the unscoped key may name it
      const full = await gql(app, SIMULATE, scenario(other));
      expect({ other, errors: full.errors }).toEqual({ other, errors: undefined });
    }
  });
});

// --------------------------------------------------------------------------- saved scenarios

const SCENARIO = `id name status input result { ${RESULT} }`;

async function save(
  name: string,
  scenario: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await gql(
    app,
    'mutation($n: String!, $s: ScenarioInput!) { saveScenario(name: $n, scenario: $s) { id } }',
    { n: name, s: scenario },
    headers,
  );
  expect(res.errors).toBeUndefined();
  return (res.data?.['saveScenario'] as { id: string }).id;
}

async function runToEnd(id: string, headers: Record<string, string> = {}): Promise<void> {
  const started = await gql(
    app,
    'mutation($id: ID!) { startSimulation(id: $id) { status } }',
    { id },
    headers,
  );
  expect(started.errors).toBeUndefined();
  await waitFor(`scenario ${id} to succeed`, async () => {
    const res = await gql(app, 'query($id: ID!) { scenario(id: $id) { status error } }', { id });
    const s = res.data?.['scenario'] as { status: string; error: string | null } | null;
    if (s?.status === 'FAILED') throw new Error(s.error ?? 'failed');
    return s?.status === 'SUCCEEDED' ? true : undefined;
  });
}

describe('saved scenarios with a key scoped to QA-F', () => {
  let mine = '';
  let qaOnly = '';
  let network = '';
  let theirs = '';
  let namesTheirs = '';

  beforeAll(async () => {
    // saved by the scoped key: it records the scope, and its job runs on QA-F only
    mine = await save('QA: SH-S out', outage({ runs: 3 }), scoped());
    // saved by the admin: one for QA-F, one for every factory, one for XB-F, and one for QA-F
    // that names an XB twin
    qaOnly = await save('QA-F: SH-S out', outage({ factoryIds: ['QA-F'] }));
    network = await save('network: SH-S out', outage());
    theirs = await save('XB-F: SH-S out', outage({ factoryIds: ['XB-F'] }));
    namesTheirs = await save(
      'QA-F, XB-S out',
      outage({ factoryIds: ['QA-F'], supplierOutages: [{ supplierId: 'XB-S', days: 3 }] }),
    );
  });

  it('when its own scenario runs, then its result is the simulation of QA-F, for the admin too', async () => {
    await runToEnd(mine, scoped());
    const res = await gql(
      app,
      `query($id: ID!) { scenario(id: $id) { ${SCENARIO} } }`,
      { id: mine },
      scoped(),
    );
    expect(res.errors).toBeUndefined();
    expect(hiddenIn(res.data)).toEqual([]);
    const stored = (res.data?.['scenario'] as { result: unknown }).result;
    const live = await gql(app, SIMULATE, { s: outage({ runs: 3 }) }, scoped());
    expect(stored).toEqual(live.data?.['simulate']);
    // the admin sees the same: the job ran on QA-F only
    const admin = await gql(app, `query($id: ID!) { scenario(id: $id) { result { ${RESULT} } } }`, {
      id: mine,
    });
    expect(admin.errors).toBeUndefined();
    expect((admin.data?.['scenario'] as { result: unknown }).result).toEqual(stored);
  });

  it('when it lists scenarios, then it sees those that ran inside QA-F and name nothing of XB-F', async () => {
    await runToEnd(network);
    const list = await gql(
      app,
      `{ scenarios(first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${SCENARIO} } } } }`,
      {},
      scoped(),
    );
    expect(list.errors).toBeUndefined();
    type Page = {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      edges: { node: { id: string } }[];
    };
    const first = list.data?.['scenarios'] as Page;
    expect(first.totalCount).toBe(2);
    const seen = first.edges.map((e) => e.node.id);
    let after = first.pageInfo.endCursor;
    let more = first.pageInfo.hasNextPage;
    while (more) {
      const next = await gql(
        app,
        'query($after: String) { scenarios(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id input } } } }',
        { after },
        scoped(),
      );
      expect(hiddenIn(next.data)).toEqual([]);
      const page = next.data?.['scenarios'] as Page;
      expect(page.totalCount).toBe(2);
      seen.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.endCursor;
      more = page.pageInfo.hasNextPage;
    }
    expect(seen).toEqual([mine, qaOnly]);
    expect(hiddenIn(list.data)).toEqual([]);
    // the admin sees all five
    const admin = await gql(app, '{ scenarios { totalCount } }');
    expect(admin.data).toEqual({ scenarios: { totalCount: 5 } });
    // and the network-wide result names XB-F's twins, which the scoped key never gets
    const net = await gql(
      app,
      'query($id: ID!) { scenario(id: $id) { result { lateOrders { order { id } } } } }',
      {
        id: network,
      },
    );
    expect(hiddenIn(net.data).length).toBeGreaterThan(0);
  });

  it('when it names a scenario it does not see, then every answer is that of an unknown id', async () => {
    const unknown = 'scn-000000000-deadbeef';
    for (const id of [network, theirs, namesTheirs]) {
      for (const query of [
        `query($id: ID!) { scenario(id: $id) { ${SCENARIO} } }`,
        `query($id: ID!) { compareScenarios(ids: [$id]) { id name kpis { ${KPIS} } } }`,
        'mutation($id: ID!) { startSimulation(id: $id) { id status } }',
        'mutation($id: ID!) { cancelSimulation(id: $id) { id status } }',
        'mutation($id: ID!) { deleteScenario(id: $id) }',
      ]) {
        await sameAsUnknown(query, (x) => ({ id: x }), id, unknown);
      }
    }
    // nothing was started, flagged or deleted
    const admin = await gql(
      app,
      `{ scenarios { totalCount edges { node { id status cancelRequested } } } }`,
    );
    const nodes = (
      admin.data?.['scenarios'] as {
        edges: { node: { id: string; status: string; cancelRequested: boolean } }[];
      }
    ).edges.map((e) => e.node);
    expect(nodes.find((n) => n.id === theirs)).toEqual({
      id: theirs,
      status: 'DRAFT',
      cancelRequested: false,
    });
    expect(nodes.find((n) => n.id === network)?.status).toBe('SUCCEEDED');
    expect(nodes.find((n) => n.id === namesTheirs)?.status).toBe('DRAFT');
    // a comparison of what it sees works, with QA-F's figures
    const compared = await gql(
      app,
      `query($ids: [ID!]!) { compareScenarios(ids: $ids) { id kpis { ${KPIS} } } }`,
      { ids: [mine, qaOnly] },
      scoped(),
    );
    expect(compared.errors).toBeUndefined();
    expect(hiddenIn(compared.data)).toEqual([]);
  });

  it('when it follows a job it does not see, then it hears nothing, as for an unknown id', async () => {
    const query =
      'subscription($id: ID!) { simulationProgress(id: $id) { status message scenario { id } } }';
    const auth = { authorization: `Bearer ${scopedKey}` };
    const hidden = await subscribe(app.wsUrl, query, { id: theirs }, auth);
    const nobody = await subscribe(app.wsUrl, query, { id: 'scn-000000000-00000000' }, auth);
    const admin = await subscribe(app.wsUrl, query, { id: theirs });
    const own = await subscribe(app.wsUrl, query, { id: qaOnly }, auth);
    try {
      await runToEnd(theirs);
      const done = (events: Record<string, unknown>[]) =>
        events.some((e) => (e['simulationProgress'] as { status: string }).status === 'SUCCEEDED');
      await waitFor('the admin to hear the end', () => (done(admin.events) ? true : undefined));
      // its own scenario's job is heard, after the other one's events went out
      await runToEnd(qaOnly, scoped());
      await waitFor('its own job to be heard', () => (done(own.events) ? true : undefined));
      expect(hiddenIn(own.events)).toEqual([]);
      expect({ events: hidden.events, errors: hidden.errors }).toEqual({
        events: nobody.events,
        errors: nobody.errors,
      });
      expect(hidden.events).toEqual([]);
    } finally {
      await Promise.all([hidden.close(), nobody.close(), admin.close(), own.close()]);
    }
  });

  it('when a twin its scenario names is deleted, then it still sees the scenario', async () => {
    const late = await save(
      'QA: planned sheets late',
      { startAt: START, horizonDays: 7, shipmentDelays: [{ shipmentId: 'QA-SH2', days: 2 }] },
      scoped(),
    );
    const deleted = await gql(
      app,
      'mutation { deleteShipment(id: "QA-SH2", cascade: true) { deleted { id } } }',
    );
    expect(deleted.errors).toBeUndefined();
    // an id nobody sees any more tells nothing: the scenario stays its own
    const res = await gql(
      app,
      'query($id: ID!) { scenario(id: $id) { id input } }',
      { id: late },
      scoped(),
    );
    expect(res.errors).toBeUndefined();
    expect((res.data?.['scenario'] as { id: string } | null)?.id).toBe(late);
  });
});
