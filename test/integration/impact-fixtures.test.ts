import type { Graph } from '../../src/graph/executor';
import { gql, startTestApp, type TestApp } from '../support/app';
import { testGraph } from '../support/db';

/*
 * Hand-computed fixtures for the impact analysis (docs: domain.md sections 3 and 4), one small
 * document per disruption kind, each worked out on paper in the comment above its tests. Every
 * report is also checked for what holds whatever the fixture (`expectConsistent`): the ranking is
 * ordered by shortfall days, then lost units, then value at risk; products, orders and exposures
 * come in that order; and every listed twin has a path from the disrupted twin whose steps chain
 * and are stored relationships, pointing the way `forward` says.
 *
 * Every id of this file starts with "X". Each test removes those twins and imports its own
 * document, so it never sees (nor wipes) another test file's twins.
 */

let app: TestApp;
let graph: Graph;

beforeAll(async () => {
  graph = testGraph();
  app = await startTestApp({ MQTT_TOPIC_PREFIX: 'impact-fixtures' });
});
afterAll(async () => {
  await app.stop();
  await graph.close();
});

// ---------------------------------------------------------------------------------------------
// document builders: only what the analysis reads, the rest left to the import's defaults

type Doc = Record<string, unknown[]>;
const DUE = '2027-12-31T00:00:00Z';

const factory = (id: string) => ({ id, name: id });
const line = (id: string, factoryId: string, shiftsPerDay: number, hoursPerShift: number) => ({
  id,
  factoryId,
  name: id,
  shiftsPerDay,
  hoursPerShift,
});
const asset = (id: string, lineId: string, ratePerHour: number, status = 'RUNNING') => ({
  id,
  lineId,
  name: id,
  kind: 'CNC',
  status,
  ratePerHour,
});
const product = (id: string, unitPrice?: number) =>
  unitPrice === undefined ? { id, name: id } : { id, name: id, unitPrice };
const supplier = (id: string) => ({ id, name: id });
const shipment = (
  id: string,
  supplierId: string,
  productId: string,
  factoryId: string,
  quantity: number,
  status: string,
  eta: string,
) => ({ id, supplierId, productId, factoryId, quantity, status, eta });
const order = (
  id: string,
  productId: string,
  factoryId: string,
  quantity: number,
  status = 'OPEN',
) => ({ id, productId, factoryId, quantity, status, dueDate: DUE });

/** Removes this file's twins (ids starting with "X") and imports `doc`. */
async function load(doc: Doc): Promise<void> {
  await graph.autoCommit(`MATCH (n) WHERE n.id STARTS WITH 'X' DETACH DELETE n`);
  const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
    d: doc,
  });
  expect(res.errors).toBeUndefined();
}

// ---------------------------------------------------------------------------------------------
// the query and what every report must satisfy

interface Ref {
  id: string;
}
interface Step {
  from: string;
  relationship: string;
  to: string;
  forward: boolean;
}
interface Rank {
  kind: string;
  id: string;
  shortfallDays: number;
  lostUnits: number;
  valueAtRisk: number | null;
}
interface Report {
  kind: string;
  asOf: string;
  windowEnd: string;
  components: {
    product: Ref;
    soleSourced: boolean;
    alternativeSuppliers: Ref[];
    atRisk: boolean;
  }[];
  products: Ref[];
  lines: { line: Ref; capacityFactorBefore: number; capacityFactorAfter: number }[];
  factories: Ref[];
  orders: Ref[];
  shipments: Ref[];
  exposures: {
    factory: Ref;
    component: Ref;
    dailyConsumption: number;
    onHand: number;
    inbound: number;
    daysOfCover: number;
    shortfallDays: number;
  }[];
  lostUnits: { product: Ref; units: number; valueAtRisk: number | null }[];
  ranking: Rank[];
  paths: { kind: string; id: string; steps: Step[] }[];
}

const REPORT = `
  kind asOf windowEnd
  components { product { id } soleSourced alternativeSuppliers { id } atRisk }
  products { id } lines { line { id } capacityFactorBefore capacityFactorAfter }
  factories { id } orders { id } shipments { id }
  exposures { factory { id } component { id } dailyConsumption onHand inbound daysOfCover shortfallDays }
  lostUnits { product { id } units valueAtRisk }
  ranking { kind id shortfallDays lostUnits valueAtRisk }
  paths { kind id steps { from relationship to forward } }`;

type Disruption =
  | { supplierOutage: { supplierId: string; days: number } }
  | { shipmentDelay: { shipmentId: string; days: number } }
  | { assetDowntime: { assetId: string; hours: number } };

function disruptedId(d: Disruption): string {
  if ('supplierOutage' in d) return d.supplierOutage.supplierId;
  if ('shipmentDelay' in d) return d.shipmentDelay.shipmentId;
  return d.assetDowntime.assetId;
}

/** The report of `d` from `asOf`, checked with `expectConsistent`. */
async function impact(d: Disruption, asOf: string, includeMitigated = false): Promise<Report> {
  const res = await gql(
    app,
    `query($d: DisruptionInput!, $asOf: DateTime, $m: Boolean) {
       impact(disruption: $d, asOf: $asOf, includeMitigated: $m) { ${REPORT} } }`,
    { d, asOf, m: includeMitigated },
  );
  expect(res.errors).toBeUndefined();
  const report = res.data?.['impact'] as Report;
  await expectConsistent(report, disruptedId(d));
  return report;
}

const severityKey = (r: Rank) => [r.shortfallDays, r.lostUnits, r.valueAtRisk ?? -1];

/** b is not more severe than a: (shortfall, lost units, value at risk) does not increase. */
function notMoreSevere(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/**
 * What holds for any report: the ranking ordered by shortfall days, then lost units, then value
 * at risk; products and orders in ranking order; exposures by shortfall days; and every twin
 * listed in products, lines, factories, orders and shipments explained by a path that starts at
 * the disrupted twin (its first step's `from`), chains (each `to` is the next `from`) and ends at
 * the twin, each step a stored relationship in the direction `forward` says. (The disrupted twin
 * itself, when listed, is explained by the empty path.)
 */
async function expectConsistent(report: Report, disrupted: string): Promise<void> {
  const ranking = report.ranking;
  for (let i = 1; i < ranking.length; i++) {
    const [a, b] = [ranking[i - 1], ranking[i]];
    if (a && b && !notMoreSevere(severityKey(a), severityKey(b))) {
      throw new Error(`ranking out of order at ${i}: ${JSON.stringify([a, b])}`);
    }
  }
  const ranked = (kind: string) => ranking.filter((r) => r.kind === kind).map((r) => r.id);
  expect(ids(report.products)).toEqual(ranked('Product'));
  expect(ids(report.orders)).toEqual(ranked('Order'));
  const shortfalls = report.exposures.map((e) => e.shortfallDays);
  expect(shortfalls).toEqual([...shortfalls].sort((a, b) => b - a));

  const listed: [string, string][] = [
    ...report.products.map((p): [string, string] => ['Product', p.id]),
    ...report.lines.map((l): [string, string] => ['Line', l.line.id]),
    ...report.factories.map((f): [string, string] => ['Factory', f.id]),
    ...report.orders.map((o): [string, string] => ['Order', o.id]),
    ...report.shipments.map((s): [string, string] => ['Shipment', s.id]),
  ];
  const problems: string[] = [];
  for (const [kind, id] of listed) {
    const path = report.paths.find((p) => p.kind === kind && p.id === id);
    if (!path) {
      problems.push(`${kind} ${id}: no path`);
      continue;
    }
    const steps = path.steps;
    const first = steps[0];
    const last = steps[steps.length - 1];
    if (!first || !last) {
      if (id !== disrupted) problems.push(`${kind} ${id}: empty path`);
      continue;
    }
    if (first.from !== disrupted) problems.push(`${kind} ${id}: starts at ${first.from}`);
    if (last.to !== id) problems.push(`${kind} ${id}: ends at ${last.to}`);
    steps.slice(1).forEach((s, i) => {
      if (steps[i]?.to !== s.from) problems.push(`${kind} ${id}: breaks before step ${i + 1}`);
    });
  }
  expect(problems).toEqual([]);

  const steps = report.paths.flatMap((p) => p.steps);
  const stored = await graph.read(
    `UNWIND $steps AS s
     OPTIONAL MATCH (a {id: s.start})-[r]->(b {id: s.end}) WHERE type(r) = s.rel
     WITH s, count(r) AS n WHERE n = 0
     RETURN s.start + ' -[' + s.rel + ']-> ' + s.end AS missing`,
    {
      steps: steps.map((s) => ({
        start: s.forward ? s.from : s.to,
        end: s.forward ? s.to : s.from,
        rel: s.relationship,
      })),
    },
  );
  expect(stored.map((r) => r['missing'])).toEqual([]);
}

const ids = (xs: Ref[]) => xs.map((x) => x.id);
const sortedIds = (xs: Ref[]) => ids(xs).sort();
const round = (x: number) => Math.round(x * 1e9) / 1e9;

/** [factory, component, dailyConsumption, onHand, inbound, daysOfCover, shortfallDays] */
type ExposureRow = [string, string, number, number, number, number, number];
const exposureRows = (r: Report): ExposureRow[] =>
  r.exposures.map((e) => [
    e.factory.id,
    e.component.id,
    round(e.dailyConsumption),
    round(e.onHand),
    round(e.inbound),
    round(e.daysOfCover),
    round(e.shortfallDays),
  ]);
const byFactoryAndComponent = (a: ExposureRow, b: ExposureRow) =>
  a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]);

const lineRows = (r: Report) =>
  r.lines
    .map((l): [string, number, number] => [
      l.line.id,
      round(l.capacityFactorBefore),
      round(l.capacityFactorAfter),
    ])
    .sort((a, b) => a[0].localeCompare(b[0]));

const lostRows = (r: Report) =>
  r.lostUnits.map((l): [string, number, number | null] => [
    l.product.id,
    round(l.units),
    l.valueAtRisk === null ? null : round(l.valueAtRisk),
  ]);

// ---------------------------------------------------------------------------------------------
// supplier outage: sourcing, a three-level BOM, orders, shipments, exposures

/*
 * Supplier XS1 supplies XC1, XC2 and XC3; XS2 also supplies XC2. So XC1 and XC3 are sole-sourced
 * and XC2 is not (alternative XS2).
 *
 * BOM (three levels): XFG (finished good) needs 1 XSA (sub-assembly); XSA needs 2 XC1 and 1 XC3.
 * XD2 needs 1 XC2.
 *
 * Lines, no stations (c = 1):
 *   XL1 in XF1, H = 2 × 8 = 16 h, makes XSA at 10/h  → out = 160/day
 *   XLD in XF1, H = 1 × 8 =  8 h, makes XD2 at 20/h  → out = 160/day
 *   XL2 in XF2, H = 2 × 8 = 16 h, makes XFG at  5/h  (needs XSA, never a component directly)
 *   XL3 in XF3, H = 1 × 8 =  8 h, makes XSA at  5/h  → out =  40/day
 * XF9 has no line (only an order).
 *
 * Daily consumption, direct requirements only:
 *   cons(XF1, XC1) = 160 × 2 = 320    cons(XF1, XC3) = 160 × 1 = 160    cons(XF1, XC2) = 160 × 1 = 160
 *   cons(XF3, XC1) =  40 × 2 =  80    cons(XF3, XC3) =  40 × 1 =  40
 *   XF2 consumes none of them (it consumes XSA), so it has no exposure row.
 *
 * Stock: XF1 holds 1,600 XC1, 1,600 XC3 and 800 XC2; XF3 holds 1,200 XC1 and no XC3.
 * Shipments:
 *   XH1 PLANNED    XS1 → XF1, 500 XC2,  eta 02-05: a PLANNED shipment from XS1 → listed, not inbound
 *   XH2 IN_TRANSIT XS1 → XF1, 320 XC1,  eta 02-04: in the window → inbound, not listed
 *   XH3 PLANNED    XS2 → XF1, 100 XC2,  eta 02-06: another supplier → not listed, not inbound
 *   XH4 DELIVERED  XS1 → XF3, 1000 XC1, eta 01-20: neither listed nor inbound
 *
 * Outage of XS1 for D = 10 days from 2027-02-01T00:00Z (window up to 02-11T00:00Z included):
 *   (XF3, XC3): (0 + 0) / 40       = 0 days  → shortfall 10 − 0  = 10
 *   (XF1, XC1): (1600 + 320) / 320 = 6 days  → shortfall 10 − 6  = 4
 *   (XF1, XC3): (1600 + 0) / 160   = 10 days → shortfall 0
 *   (XF3, XC1): (1200 + 0) / 80    = 15 days → shortfall 0
 *   with includeMitigated, also (XF1, XC2): (800 + 0) / 160 = 5 days → shortfall 10 − 5 = 5
 *
 * Products: the upward closure of the at-risk components, them included: XC1, XC3, XSA, XFG
 * (with includeMitigated also XC2, XD2). Lines making them: XL1, XL2, XL3 (+ XLD); factories
 * XF1, XF2, XF3 (never XF9). Orders:
 *   XO1 OPEN      XFG at XF2 → listed
 *   XO2 FULFILLED XFG at XF2 → not listed
 *   XO3 CANCELLED XSA at XF1 → not listed
 *   XO4 OPEN      XFG at XF1 → listed (an affected product at an affected factory)
 *   XO5 OPEN      XD2 at XF1 → listed only with includeMitigated
 *   XO6 OPEN      XFG at XF9 → not listed (XF9 has no affected line)
 */
const SOURCING: Doc = {
  factories: ['XF1', 'XF2', 'XF3', 'XF9'].map(factory),
  lines: [
    line('XL1', 'XF1', 2, 8),
    line('XLD', 'XF1', 1, 8),
    line('XL2', 'XF2', 2, 8),
    line('XL3', 'XF3', 1, 8),
  ],
  products: [
    product('XC1'),
    product('XC2'),
    product('XC3'),
    product('XSA', 200),
    product('XFG', 900),
    product('XD2', 40),
  ],
  bom: [
    { parentId: 'XFG', componentId: 'XSA', quantity: 1 },
    { parentId: 'XSA', componentId: 'XC1', quantity: 2 },
    { parentId: 'XSA', componentId: 'XC3', quantity: 1 },
    { parentId: 'XD2', componentId: 'XC2', quantity: 1 },
  ],
  production: [
    { lineId: 'XL1', productId: 'XSA', ratePerHour: 10 },
    { lineId: 'XLD', productId: 'XD2', ratePerHour: 20 },
    { lineId: 'XL2', productId: 'XFG', ratePerHour: 5 },
    { lineId: 'XL3', productId: 'XSA', ratePerHour: 5 },
  ],
  suppliers: [supplier('XS1'), supplier('XS2')],
  supplies: [
    { supplierId: 'XS1', productId: 'XC1' },
    { supplierId: 'XS1', productId: 'XC2' },
    { supplierId: 'XS1', productId: 'XC3' },
    { supplierId: 'XS2', productId: 'XC2' },
  ],
  inventory: [
    { factoryId: 'XF1', productId: 'XC1', quantity: 1600 },
    { factoryId: 'XF1', productId: 'XC3', quantity: 1600 },
    { factoryId: 'XF1', productId: 'XC2', quantity: 800 },
    { factoryId: 'XF3', productId: 'XC1', quantity: 1200 },
  ],
  shipments: [
    shipment('XH1', 'XS1', 'XC2', 'XF1', 500, 'PLANNED', '2027-02-05T00:00:00Z'),
    shipment('XH2', 'XS1', 'XC1', 'XF1', 320, 'IN_TRANSIT', '2027-02-04T00:00:00Z'),
    shipment('XH3', 'XS2', 'XC2', 'XF1', 100, 'PLANNED', '2027-02-06T00:00:00Z'),
    shipment('XH4', 'XS1', 'XC1', 'XF3', 1000, 'DELIVERED', '2027-01-20T00:00:00Z'),
  ],
  orders: [
    order('XO1', 'XFG', 'XF2', 10),
    order('XO2', 'XFG', 'XF2', 10, 'FULFILLED'),
    order('XO3', 'XSA', 'XF1', 10, 'CANCELLED'),
    order('XO4', 'XFG', 'XF1', 5),
    order('XO5', 'XD2', 'XF1', 7),
    order('XO6', 'XFG', 'XF9', 3),
  ],
};
const SOURCING_AS_OF = '2027-02-01T00:00:00Z';
const XS1_OUT_10_DAYS: Disruption = { supplierOutage: { supplierId: 'XS1', days: 10 } };

describe('supplier outage (hand-computed)', () => {
  beforeEach(() => load(SOURCING));

  it('when XS1 is out 10 days, then the sole-sourced XC1 and XC3 propagate and the dual-sourced XC2 is only listed', async () => {
    const r = await impact(XS1_OUT_10_DAYS, SOURCING_AS_OF);
    expect(r).toMatchObject({
      kind: 'SUPPLIER_OUTAGE',
      asOf: '2027-02-01T00:00:00.000Z',
      windowEnd: '2027-02-11T00:00:00.000Z',
    });
    expect(r.components).toEqual([
      { product: { id: 'XC1' }, soleSourced: true, alternativeSuppliers: [], atRisk: true },
      {
        product: { id: 'XC2' },
        soleSourced: false,
        alternativeSuppliers: [{ id: 'XS2' }],
        atRisk: false,
      },
      { product: { id: 'XC3' }, soleSourced: true, alternativeSuppliers: [], atRisk: true },
    ]);
    expect(sortedIds(r.products)).toEqual(['XC1', 'XC3', 'XFG', 'XSA']);
    expect(lineRows(r)).toEqual([
      ['XL1', 1, 1],
      ['XL2', 1, 1],
      ['XL3', 1, 1],
    ]);
    expect(sortedIds(r.factories)).toEqual(['XF1', 'XF2', 'XF3']);
    expect(sortedIds(r.orders)).toEqual(['XO1', 'XO4']);
    expect(ids(r.shipments)).toEqual(['XH1']);
    expect(exposureRows(r).sort(byFactoryAndComponent)).toEqual([
      ['XF1', 'XC1', 320, 1600, 320, 6, 4],
      ['XF1', 'XC3', 160, 1600, 0, 10, 0],
      ['XF3', 'XC1', 80, 1200, 0, 15, 0],
      ['XF3', 'XC3', 40, 0, 0, 0, 10],
    ]);
    expect(exposureRows(r).map((e) => e[6])).toEqual([10, 4, 0, 0]);
    expect(r.lostUnits).toEqual([]);
  });

  it('when XS1 is out 10 days with includeMitigated, then XC2 propagates too: XD2, XLD, XO5 and the (XF1, XC2) row join', async () => {
    const r = await impact(XS1_OUT_10_DAYS, SOURCING_AS_OF, true);
    expect(r.components).toEqual([
      { product: { id: 'XC1' }, soleSourced: true, alternativeSuppliers: [], atRisk: true },
      {
        product: { id: 'XC2' },
        soleSourced: false,
        alternativeSuppliers: [{ id: 'XS2' }],
        atRisk: true,
      },
      { product: { id: 'XC3' }, soleSourced: true, alternativeSuppliers: [], atRisk: true },
    ]);
    expect(sortedIds(r.products)).toEqual(['XC1', 'XC2', 'XC3', 'XD2', 'XFG', 'XSA']);
    expect(lineRows(r)).toEqual([
      ['XL1', 1, 1],
      ['XL2', 1, 1],
      ['XL3', 1, 1],
      ['XLD', 1, 1],
    ]);
    expect(sortedIds(r.factories)).toEqual(['XF1', 'XF2', 'XF3']);
    expect(sortedIds(r.orders)).toEqual(['XO1', 'XO4', 'XO5']);
    expect(ids(r.shipments)).toEqual(['XH1']);
    expect(exposureRows(r).sort(byFactoryAndComponent)).toEqual([
      ['XF1', 'XC1', 320, 1600, 320, 6, 4],
      ['XF1', 'XC2', 160, 800, 0, 5, 5],
      ['XF1', 'XC3', 160, 1600, 0, 10, 0],
      ['XF3', 'XC1', 80, 1200, 0, 15, 0],
      ['XF3', 'XC3', 40, 0, 0, 0, 10],
    ]);
    expect(exposureRows(r).map((e) => e[6])).toEqual([10, 5, 4, 0, 0]);
  });

  it('when XS1 is out, then the order XO1 for the finished good is explained from XS1 up the three BOM levels', async () => {
    const r = await impact(XS1_OUT_10_DAYS, SOURCING_AS_OF);
    const path = r.paths.find((p) => p.kind === 'Order' && p.id === 'XO1');
    // XS1 -SUPPLIES-> XC1 or XC3, <-REQUIRES- XSA, <-REQUIRES- XFG, <-FOR- XO1
    expect(path?.steps.map((s) => [s.relationship, s.to, s.forward])).toEqual([
      ['SUPPLIES', expect.stringMatching(/^XC[13]$/), true],
      ['REQUIRES', 'XSA', false],
      ['REQUIRES', 'XFG', false],
      ['FOR', 'XO1', false],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// supplier outage: the inbound window

/*
 * XL1 in XF1, H = 1 × 10 = 10 h, makes XP1 at 10/h; XP1 needs 1 XC1 (sole-sourced from XS1):
 * cons(XF1, XC1) = 10 × 10 × 1 = 100/day. XF1 holds 193 XC1.
 *
 * Outage of XS1 for D = 4 days from 2027-03-01T00:00Z: window [03-01T00:00Z, 03-05T00:00Z].
 * Shipments of XC1 (quantities are powers of two, so the sum tells which were counted):
 *   XW1  IN_TRANSIT to XF1, eta 03-01T00:00:00Z (= asOf, included)      1 → counted
 *   XW2  IN_TRANSIT to XF1, eta 03-05T00:00:00Z (= window end, included) 2 → counted
 *   XW3  DELAYED    to XF1, eta 03-03T12:00:00Z (inside)                 4 → counted
 *   XW4  IN_TRANSIT to XF1, eta 02-28T23:59:59Z (1 s before)             8 → not
 *   XW5  IN_TRANSIT to XF1, eta 03-05T00:00:01Z (1 s after)             16 → not
 *   XW6  PLANNED    to XF1, inside                                      32 → not (but listed)
 *   XW7  DELIVERED  to XF1, inside                                      64 → not
 *   XW8  CANCELLED  to XF1, inside                                     128 → not
 *   XW9  IN_TRANSIT to XF2, inside                                     256 → not (other factory)
 *   XW10 IN_TRANSIT to XF1, inside, carrying XQ instead                512 → not (other product)
 * inbound = 1 + 2 + 4 = 7; daysOfCover = (193 + 7) / 100 = 2; shortfall = 4 − 2 = 2.
 */
const WINDOW: Doc = {
  factories: [factory('XF1'), factory('XF2')],
  lines: [line('XL1', 'XF1', 1, 10)],
  products: [product('XC1'), product('XP1'), product('XQ')],
  bom: [{ parentId: 'XP1', componentId: 'XC1', quantity: 1 }],
  production: [{ lineId: 'XL1', productId: 'XP1', ratePerHour: 10 }],
  suppliers: [supplier('XS1')],
  supplies: [{ supplierId: 'XS1', productId: 'XC1' }],
  inventory: [{ factoryId: 'XF1', productId: 'XC1', quantity: 193 }],
  shipments: [
    shipment('XW1', 'XS1', 'XC1', 'XF1', 1, 'IN_TRANSIT', '2027-03-01T00:00:00Z'),
    shipment('XW2', 'XS1', 'XC1', 'XF1', 2, 'IN_TRANSIT', '2027-03-05T00:00:00Z'),
    shipment('XW3', 'XS1', 'XC1', 'XF1', 4, 'DELAYED', '2027-03-03T12:00:00Z'),
    shipment('XW4', 'XS1', 'XC1', 'XF1', 8, 'IN_TRANSIT', '2027-02-28T23:59:59Z'),
    shipment('XW5', 'XS1', 'XC1', 'XF1', 16, 'IN_TRANSIT', '2027-03-05T00:00:01Z'),
    shipment('XW6', 'XS1', 'XC1', 'XF1', 32, 'PLANNED', '2027-03-02T00:00:00Z'),
    shipment('XW7', 'XS1', 'XC1', 'XF1', 64, 'DELIVERED', '2027-03-02T00:00:00Z'),
    shipment('XW8', 'XS1', 'XC1', 'XF1', 128, 'CANCELLED', '2027-03-02T00:00:00Z'),
    shipment('XW9', 'XS1', 'XC1', 'XF2', 256, 'IN_TRANSIT', '2027-03-02T00:00:00Z'),
    shipment('XW10', 'XS1', 'XQ', 'XF1', 512, 'IN_TRANSIT', '2027-03-02T00:00:00Z'),
  ],
};

describe('supplier outage: inbound shipments in the window (hand-computed)', () => {
  beforeEach(() => load(WINDOW));

  it('when XS1 is out 4 days, then only IN_TRANSIT/DELAYED shipments of XC1 to XF1 with eta in [asOf, asOf + 4 days] count: 1 + 2 + 4', async () => {
    const r = await impact(
      { supplierOutage: { supplierId: 'XS1', days: 4 } },
      '2027-03-01T00:00:00Z',
    );
    expect(r.windowEnd).toBe('2027-03-05T00:00:00.000Z');
    expect(exposureRows(r)).toEqual([['XF1', 'XC1', 100, 193, 7, 2, 2]]);
    expect(ids(r.shipments)).toEqual(['XW6']);
    expect(sortedIds(r.products)).toEqual(['XC1', 'XP1']);
    expect(sortedIds(r.factories)).toEqual(['XF1']);
  });
});

// ---------------------------------------------------------------------------------------------
// asset downtime

/*
 * XF1:
 *   XL1, H = 2 × 6 = 12 h: XA1 (30/h) and XA2 (30/h, IDLE) in parallel, both feeding XA3 (50/h).
 *        Nominal max flow min(30 + 30, 50) = 50. Makes XP1 at 20/h and XP2 at 10/h.
 *   XL2, H = 16 h, no stations: makes XP9 (needs 2 XP1).
 *   XL5, H = 2 × 8 = 16 h: XA51 (60/h, already DOWN) and XA52 (60/h) in parallel, no flows.
 *        Nominal 120, usable 60: c = 0.5. Makes XP5 at 12/h.
 * XF2:
 *   XL3 makes XP1 and XL4 makes XP9 too (another factory making the same products).
 *   XL6, H = 3 × 8 = 24 h: XA61 (60/h) → XA62 (40/h) → XA63 (80/h) in series: nominal 40.
 *        Makes XP6 at 40/h.
 *   XL7, H = 16 h: XA71 (60/h) and XA72 (60/h) in parallel feeding XA73 (50/h): nominal 50.
 *        Makes XP7 at 20/h (no price).
 * Orders: XO1 OPEN XP9 at XF1, XO2 OPEN XP1 at XF2, XO3 FULFILLED XP2 at XF1, XO4 OPEN XP2 at
 * XF1, XO5 OPEN XP5 at XF1, XO6 OPEN XP6 at XF2, XO7 OPEN XP7 at XF2.
 * Prices: XP1 100, XP2 50, XP9 500.
 */
const ASSETS: Doc = {
  factories: [factory('XF1'), factory('XF2')],
  lines: [
    line('XL1', 'XF1', 2, 6),
    line('XL2', 'XF1', 2, 8),
    line('XL5', 'XF1', 2, 8),
    line('XL3', 'XF2', 2, 8),
    line('XL4', 'XF2', 2, 8),
    line('XL6', 'XF2', 3, 8),
    line('XL7', 'XF2', 2, 8),
  ],
  assets: [
    asset('XA1', 'XL1', 30),
    asset('XA2', 'XL1', 30, 'IDLE'),
    asset('XA3', 'XL1', 50),
    asset('XA51', 'XL5', 60, 'DOWN'),
    asset('XA52', 'XL5', 60),
    asset('XA61', 'XL6', 60),
    asset('XA62', 'XL6', 40),
    asset('XA63', 'XL6', 80),
    asset('XA71', 'XL7', 60),
    asset('XA72', 'XL7', 60),
    asset('XA73', 'XL7', 50),
  ],
  flows: [
    { from: 'XA1', to: 'XA3' },
    { from: 'XA2', to: 'XA3' },
    { from: 'XA61', to: 'XA62' },
    { from: 'XA62', to: 'XA63' },
    { from: 'XA71', to: 'XA73' },
    { from: 'XA72', to: 'XA73' },
  ],
  products: [
    product('XP1', 100),
    product('XP2', 50),
    product('XP9', 500),
    product('XP5'),
    product('XP6'),
    product('XP7'),
  ],
  bom: [{ parentId: 'XP9', componentId: 'XP1', quantity: 2 }],
  production: [
    { lineId: 'XL1', productId: 'XP1', ratePerHour: 20 },
    { lineId: 'XL1', productId: 'XP2', ratePerHour: 10 },
    { lineId: 'XL2', productId: 'XP9', ratePerHour: 5 },
    { lineId: 'XL5', productId: 'XP5', ratePerHour: 12 },
    { lineId: 'XL3', productId: 'XP1', ratePerHour: 20 },
    { lineId: 'XL4', productId: 'XP9', ratePerHour: 5 },
    { lineId: 'XL6', productId: 'XP6', ratePerHour: 40 },
    { lineId: 'XL7', productId: 'XP7', ratePerHour: 20 },
  ],
  orders: [
    order('XO1', 'XP9', 'XF1', 4),
    order('XO2', 'XP1', 'XF2', 4),
    order('XO3', 'XP2', 'XF1', 4, 'FULFILLED'),
    order('XO4', 'XP2', 'XF1', 4),
    order('XO5', 'XP5', 'XF1', 4),
    order('XO6', 'XP6', 'XF2', 4),
    order('XO7', 'XP7', 'XF2', 4),
  ],
};
const ASSETS_AS_OF = '2027-04-01T06:00:00Z';
const down = (assetId: string, hours: number) =>
  impact({ assetDowntime: { assetId, hours } }, ASSETS_AS_OF);

describe('asset downtime (hand-computed)', () => {
  beforeEach(() => load(ASSETS));

  /*
   * XA1 down 6 h: usable flow min(0 + 30, 50) = 30, so c goes 50/50 = 1 → 30/50 = 0.6.
   *   lost XP1 = 20 × (1 − 0.6) × 6 × 12/24 = 24 (× 100 = 2,400)
   *   lost XP2 = 10 × (1 − 0.6) × 6 × 12/24 = 12 (×  50 =   600)
   * The impact stays in XF1: products XP1, XP2 and XP9 (needs XP1); lines XL1 (1 → 0.6) and XL2
   * (makes XP9, 1 → 1), not XL5 (XP5) nor XF2's XL3/XL4; factories XF1; orders XO1 and XO4
   * (not XO2 at XF2, not the FULFILLED XO3, not XO5 for XP5).
   */
  it('when one of two parallel 30/h stations feeding a 50/h one is down 6 h, then c goes 1 → 30/50 and the loss stays in XF1', async () => {
    const r = await down('XA1', 6);
    expect(r.windowEnd).toBe('2027-04-01T12:00:00.000Z');
    expect(lineRows(r)).toEqual([
      ['XL1', 1, 0.6],
      ['XL2', 1, 1],
    ]);
    expect(r.lines[0]?.line.id).toBe('XL1');
    expect(lostRows(r)).toEqual([
      ['XP1', 24, 2400],
      ['XP2', 12, 600],
    ]);
    expect(sortedIds(r.products)).toEqual(['XP1', 'XP2', 'XP9']);
    // more units lost comes first: XP1 (24) before XP2 (12)
    expect(ids(r.products).indexOf('XP1')).toBeLessThan(ids(r.products).indexOf('XP2'));
    expect(ids(r.factories)).toEqual(['XF1']);
    expect(sortedIds(r.orders)).toEqual(['XO1', 'XO4']);
    expect(r.shipments).toEqual([]);
    expect(r.exposures).toEqual([]);
    expect(r.components).toEqual([]);
  });

  /*
   * XA71 down 5 h: XA72 alone still feeds 60 ≥ 50 into XA73, so c stays 1 → 1; lost XP7 =
   * 20 × 0 × 5 × 16/24 = 0. Nothing propagates (not XO7 either), but XL7 is listed.
   */
  it('when a redundant parallel station is down, then c stays 1, nothing is lost and only the line is listed', async () => {
    const r = await down('XA71', 5);
    expect(lineRows(r)).toEqual([['XL7', 1, 1]]);
    expect(lostRows(r)).toEqual([['XP7', 0, null]]);
    expect(r.products).toEqual([]);
    expect(r.orders).toEqual([]);
    expect(r.factories).toEqual([]);
    expect(r.ranking).toEqual([]);
  });

  /*
   * XA62 (the 40/h bottleneck of XA61 → XA62 → XA63) down 2 h: no flow, c goes 1 → 0;
   * lost XP6 = 40 × (1 − 0) × 2 × 24/24 = 80. Impact in XF2: XP6, XL6, XO6. XA61 (60/h, not the
   * bottleneck) down stops the line just as well: in series one station down stops all.
   */
  it('when a station in series is down, then the line stops (c = 0) and its whole rate is lost', async () => {
    const r = await down('XA62', 2);
    expect(lineRows(r)).toEqual([['XL6', 1, 0]]);
    expect(lostRows(r)).toEqual([['XP6', 80, null]]);
    expect(ids(r.products)).toEqual(['XP6']);
    expect(ids(r.factories)).toEqual(['XF2']);
    expect(ids(r.orders)).toEqual(['XO6']);

    const upstream = await down('XA61', 2);
    expect(lineRows(upstream)).toEqual([['XL6', 1, 0]]);
    expect(lostRows(upstream)).toEqual([['XP6', 80, null]]);
  });

  /*
   * XL5: XA51 is already DOWN, so before = 60/120 = 0.5. Taking XA51 down again: after = 0.5,
   * lost 0, only XL5 listed. Taking XA52 down 4 h: after = 0/120 = 0, lost XP5 =
   * 12 × (0.5 − 0) × 4 × 16/24 = 16; impact XP5, XL5, XF1, XO5.
   */
  it('when an asset already DOWN is taken down, then before already reflects it and nothing more is lost', async () => {
    const again = await down('XA51', 3);
    expect(lineRows(again)).toEqual([['XL5', 0.5, 0.5]]);
    expect(lostRows(again)).toEqual([['XP5', 0, null]]);
    expect(again.products).toEqual([]);
    expect(again.factories).toEqual([]);
    expect(again.orders).toEqual([]);

    const other = await down('XA52', 4);
    expect(lineRows(other)).toEqual([['XL5', 0.5, 0]]);
    expect(lostRows(other)).toEqual([['XP5', 16, null]]);
    expect(ids(other.products)).toEqual(['XP5']);
    expect(ids(other.factories)).toEqual(['XF1']);
    expect(ids(other.orders)).toEqual(['XO5']);
  });
});

// ---------------------------------------------------------------------------------------------
// shipment delay

/*
 * XL1 in XF1, H = 1 × 10 = 10 h, makes XP1 at 10/h; XP1 needs 2 XC1 and 1 XC2:
 *   cons(XF1, XC1) = 100 × 2 = 200/day, cons(XF1, XC2) = 100 × 1 = 100/day.
 * XL2 in XF1 makes XP9 (needs 1 XP1); XL9 in XF2 makes XP1 and XP9 (another factory).
 * XF1 holds 400 XC1 and 1,000 XC2. XC1 comes from XS1 only; XC2 from XS1 and XS2.
 * asOf = 2027-05-01T00:00Z. Shipments of XC1 to XF1 unless said otherwise:
 *   XH1 IN_TRANSIT  600, eta 05-03 (e = 2): the one delayed
 *   XH2 IN_TRANSIT  200, eta 05-05 (4 days)
 *   XH3 DELAYED     100, eta 05-08T00:00:00Z (7 days)
 *   XH4 IN_TRANSIT 1000, eta 05-08T00:00:01Z (7 days + 1 s)
 *   XH5 PLANNED    2000, eta 05-04
 *   XH6 DELIVERED  4000, eta 04-30
 *   XH7 IN_TRANSIT 8000, eta 05-04, to XF2
 *   XH8 IN_TRANSIT   50 XC2, eta 05-02 (e = 1)
 * Orders: XO1 OPEN XP9 at XF1, XO2 OPEN XP9 at XF2, XO3 OPEN XP1 at XF1.
 */
const DELAY: Doc = {
  factories: [factory('XF1'), factory('XF2')],
  lines: [line('XL1', 'XF1', 1, 10), line('XL2', 'XF1', 2, 8), line('XL9', 'XF2', 2, 8)],
  products: [product('XC1'), product('XC2'), product('XP1', 30), product('XP9', 90)],
  bom: [
    { parentId: 'XP1', componentId: 'XC1', quantity: 2 },
    { parentId: 'XP1', componentId: 'XC2', quantity: 1 },
    { parentId: 'XP9', componentId: 'XP1', quantity: 1 },
  ],
  production: [
    { lineId: 'XL1', productId: 'XP1', ratePerHour: 10 },
    { lineId: 'XL2', productId: 'XP9', ratePerHour: 5 },
    { lineId: 'XL9', productId: 'XP1', ratePerHour: 10 },
    { lineId: 'XL9', productId: 'XP9', ratePerHour: 5 },
  ],
  suppliers: [supplier('XS1'), supplier('XS2')],
  supplies: [
    { supplierId: 'XS1', productId: 'XC1' },
    { supplierId: 'XS1', productId: 'XC2' },
    { supplierId: 'XS2', productId: 'XC2' },
  ],
  inventory: [
    { factoryId: 'XF1', productId: 'XC1', quantity: 400 },
    { factoryId: 'XF1', productId: 'XC2', quantity: 1000 },
  ],
  shipments: [
    shipment('XH1', 'XS1', 'XC1', 'XF1', 600, 'IN_TRANSIT', '2027-05-03T00:00:00Z'),
    shipment('XH2', 'XS1', 'XC1', 'XF1', 200, 'IN_TRANSIT', '2027-05-05T00:00:00Z'),
    shipment('XH3', 'XS1', 'XC1', 'XF1', 100, 'DELAYED', '2027-05-08T00:00:00Z'),
    shipment('XH4', 'XS1', 'XC1', 'XF1', 1000, 'IN_TRANSIT', '2027-05-08T00:00:01Z'),
    shipment('XH5', 'XS1', 'XC1', 'XF1', 2000, 'PLANNED', '2027-05-04T00:00:00Z'),
    shipment('XH6', 'XS1', 'XC1', 'XF1', 4000, 'DELIVERED', '2027-04-30T00:00:00Z'),
    shipment('XH7', 'XS1', 'XC1', 'XF2', 8000, 'IN_TRANSIT', '2027-05-04T00:00:00Z'),
    shipment('XH8', 'XS1', 'XC2', 'XF1', 50, 'IN_TRANSIT', '2027-05-02T00:00:00Z'),
  ],
  orders: [
    order('XO1', 'XP9', 'XF1', 3),
    order('XO2', 'XP9', 'XF2', 3),
    order('XO3', 'XP1', 'XF1', 3),
  ],
};
const DELAY_AS_OF = '2027-05-01T00:00:00Z';

describe('shipment delay (hand-computed)', () => {
  beforeEach(() => load(DELAY));

  /*
   * XH1 5 days late: e = 2, e' = 7. Other IN_TRANSIT/DELAYED shipments of XC1 to XF1 with eta ≤ 7
   * days: XH2 (200) and XH3 (100, exactly at e'); not XH4 (after e'), XH5 (PLANNED), XH6
   * (DELIVERED), XH7 (XF2). cover = (400 + 300) / 200 = 3.5; shortfall = 7 − max(3.5, 2) = 3.5.
   * Products XC1, XP1, XP9; lines of XF1 only: XL1, XL2 (not XL9); factory XF1; orders XO1, XO3
   * (not XO2 at XF2).
   */
  it('when XH1 is 5 days late and the cover runs out first, then the shortfall is e′ − cover = 3.5 days, inside XF1', async () => {
    const r = await impact({ shipmentDelay: { shipmentId: 'XH1', days: 5 } }, DELAY_AS_OF);
    expect(r.windowEnd).toBe('2027-05-08T00:00:00.000Z');
    expect(exposureRows(r)).toEqual([['XF1', 'XC1', 200, 400, 300, 3.5, 3.5]]);
    expect(r.components).toEqual([
      { product: { id: 'XC1' }, soleSourced: true, alternativeSuppliers: [], atRisk: true },
    ]);
    expect(sortedIds(r.products)).toEqual(['XC1', 'XP1', 'XP9']);
    expect(lineRows(r)).toEqual([
      ['XL1', 1, 1],
      ['XL2', 1, 1],
    ]);
    expect(ids(r.factories)).toEqual(['XF1']);
    expect(sortedIds(r.orders)).toEqual(['XO1', 'XO3']);
    expect(ids(r.shipments)).toEqual(['XH1']);
  });

  /*
   * XH8 (XC2) 3 days late: e = 1, e' = 4; no other shipment of XC2; cover = 1000 / 100 = 10;
   * shortfall = max(0, 4 − max(10, 1)) = 0. Not at risk: no products, lines, factories, orders,
   * but the exposure row is there (cons > 0).
   */
  it('when XH8 is 3 days late but the stock lasts 10 days, then the shortfall is 0 and only the exposure row is reported', async () => {
    const r = await impact({ shipmentDelay: { shipmentId: 'XH8', days: 3 } }, DELAY_AS_OF);
    expect(exposureRows(r)).toEqual([['XF1', 'XC2', 100, 1000, 0, 10, 0]]);
    expect(r.components).toEqual([
      {
        product: { id: 'XC2' },
        soleSourced: false,
        alternativeSuppliers: [{ id: 'XS2' }],
        atRisk: false,
      },
    ]);
    expect(r.products).toEqual([]);
    expect(r.lines).toEqual([]);
    expect(r.factories).toEqual([]);
    expect(r.orders).toEqual([]);
    expect(ids(r.shipments)).toEqual(['XH8']);
  });
});

// ---------------------------------------------------------------------------------------------
// ranking

/*
 * XS1 supplies XC1 and XC2 (sole). In XF1, H = 1 × 10 = 10 h for both lines:
 *   XL1 makes XPA at 10/h, XPA needs 1 XC1 → cons(XF1, XC1) = 100; XF1 holds 100 → 1 day
 *   XL2 makes XPB at 10/h, XPB needs 1 XC2 → cons(XF1, XC2) = 100; XF1 holds 400 → 4 days
 * Outage of 6 days: shortfall XC1 6 − 1 = 5, XC2 6 − 4 = 2.
 * No unit is lost in an outage; value at risk = open units × unitPrice:
 *   XPA (price 50): XO1 10 units → 500;  XPB (price 100): XO2 1 unit → 100;  XC1, XC2: no price.
 * Products by (shortfall, lost, value): XPA (5, 0, 500), XC1 (5, 0, none), XPB (2, 0, 100),
 * XC2 (2, 0, none). Exposures: (XF1, XC1) 5 then (XF1, XC2) 2. Orders: XO1 (5) then XO2 (2).
 */
const RANKING: Doc = {
  factories: [factory('XF1')],
  lines: [line('XL1', 'XF1', 1, 10), line('XL2', 'XF1', 1, 10)],
  products: [product('XC1'), product('XC2'), product('XPA', 50), product('XPB', 100)],
  bom: [
    { parentId: 'XPA', componentId: 'XC1', quantity: 1 },
    { parentId: 'XPB', componentId: 'XC2', quantity: 1 },
  ],
  production: [
    { lineId: 'XL1', productId: 'XPA', ratePerHour: 10 },
    { lineId: 'XL2', productId: 'XPB', ratePerHour: 10 },
  ],
  suppliers: [supplier('XS1')],
  supplies: [
    { supplierId: 'XS1', productId: 'XC1' },
    { supplierId: 'XS1', productId: 'XC2' },
  ],
  inventory: [
    { factoryId: 'XF1', productId: 'XC1', quantity: 100 },
    { factoryId: 'XF1', productId: 'XC2', quantity: 400 },
  ],
  orders: [order('XO1', 'XPA', 'XF1', 10), order('XO2', 'XPB', 'XF1', 1)],
};

describe('ranking (hand-computed)', () => {
  beforeEach(() => load(RANKING));

  it('when XC1 runs short 5 days and XC2 2 days, then products, orders and exposures come most severe first', async () => {
    const r = await impact(
      { supplierOutage: { supplierId: 'XS1', days: 6 } },
      '2027-06-01T00:00:00Z',
    );
    expect(exposureRows(r)).toEqual([
      ['XF1', 'XC1', 100, 100, 0, 1, 5],
      ['XF1', 'XC2', 100, 400, 0, 4, 2],
    ]);
    expect(ids(r.products)).toEqual(['XPA', 'XC1', 'XPB', 'XC2']);
    expect(ids(r.orders)).toEqual(['XO1', 'XO2']);
    const rank = (kind: string, id: string) => {
      const found = r.ranking.find((x) => x.kind === kind && x.id === id);
      return found && [found.shortfallDays, found.lostUnits, found.valueAtRisk];
    };
    expect(rank('Product', 'XPA')).toEqual([5, 0, 500]);
    expect(rank('Product', 'XC1')).toEqual([5, 0, null]);
    expect(rank('Product', 'XPB')).toEqual([2, 0, 100]);
    expect(rank('Product', 'XC2')).toEqual([2, 0, null]);
    expect(rank('Order', 'XO1')).toEqual([5, 0, 500]);
    expect(rank('Order', 'XO2')).toEqual([2, 0, 100]);
    expect(rank('Line', 'XL1')).toEqual([5, 0, 500]);
    expect(rank('Line', 'XL2')).toEqual([2, 0, 100]);
    expect(rank('Factory', 'XF1')?.[0]).toBe(5);
    // everything hit 5 days before anything hit 2 days
    const days = r.ranking.map((x) => x.shortfallDays);
    expect(days).toEqual([5, 5, 5, 5, 5, 2, 2, 2, 2]);
  });
});

/*
 * Two factories make XPA from XC1, 100/day each (1 line each, 10/h × 10 h). XF1 holds 100 XC1
 * (1 day), XF2 holds 1000 (10 days). XS1 out 6 days: XF1 is short 5 days, XF2 not at all. Each
 * factory has one open order of 10 XPA at 50: a twin of XF2 ranks with XF2's own 0, and a line or
 * factory counts only the orders at its own factory (500 each), the product all of them (1000).
 */
const TWO_FACTORIES: Doc = {
  factories: [factory('XF1'), factory('XF2')],
  lines: [line('XL1', 'XF1', 1, 10), line('XL2', 'XF2', 1, 10)],
  products: [product('XC1'), product('XPA', 50)],
  bom: [{ parentId: 'XPA', componentId: 'XC1', quantity: 1 }],
  production: [
    { lineId: 'XL1', productId: 'XPA', ratePerHour: 10 },
    { lineId: 'XL2', productId: 'XPA', ratePerHour: 10 },
  ],
  suppliers: [supplier('XS1')],
  supplies: [{ supplierId: 'XS1', productId: 'XC1' }],
  inventory: [
    { factoryId: 'XF1', productId: 'XC1', quantity: 100 },
    { factoryId: 'XF2', productId: 'XC1', quantity: 1000 },
  ],
  orders: [order('XO1', 'XPA', 'XF1', 10), order('XO2', 'XPA', 'XF2', 10)],
};

/*
 * One line makes XPT (price 10) at 12/h on one station, 24 h a day; two open orders of 100 and
 * 50. The station down 10 h loses 120 units: each order is capped at 120 (1200 and 500), and the
 * line and the factory count the 120 lost units once (1200), not the orders' sum.
 */
const SHARED_LOSS: Doc = {
  factories: [factory('XF1')],
  lines: [line('XL1', 'XF1', 3, 8)],
  assets: [asset('XA1', 'XL1', 12)],
  products: [product('XPT', 10)],
  production: [{ lineId: 'XL1', productId: 'XPT', ratePerHour: 12 }],
  orders: [order('XO1', 'XPT', 'XF1', 100), order('XO2', 'XPT', 'XF1', 50)],
};

describe("ranking by each twin's own factory (hand-computed)", () => {
  const figures = (r: Report, kind: string, id: string) => {
    const found = r.ranking.find((x) => x.kind === kind && x.id === id);
    return found && [found.shortfallDays, found.lostUnits, found.valueAtRisk];
  };

  it('when only XF1 runs short, then XF2, its line and its order rank with their own 0', async () => {
    await load(TWO_FACTORIES);
    const r = await impact(
      { supplierOutage: { supplierId: 'XS1', days: 6 } },
      '2027-06-01T00:00:00Z',
    );
    expect(figures(r, 'Product', 'XPA')).toEqual([5, 0, 1000]);
    expect(figures(r, 'Factory', 'XF1')).toEqual([5, 0, 500]);
    expect(figures(r, 'Line', 'XL1')).toEqual([5, 0, 500]);
    expect(figures(r, 'Order', 'XO1')).toEqual([5, 0, 500]);
    expect(figures(r, 'Factory', 'XF2')).toEqual([0, 0, 500]);
    expect(figures(r, 'Line', 'XL2')).toEqual([0, 0, 500]);
    expect(figures(r, 'Order', 'XO2')).toEqual([0, 0, 500]);
    expect(ids(r.orders)).toEqual(['XO1', 'XO2']);
  });

  it("when a downtime's lost units are wanted by two orders, then each order is capped and the line counts them once", async () => {
    await load(SHARED_LOSS);
    const r = await impact(
      { assetDowntime: { assetId: 'XA1', hours: 10 } },
      '2027-06-01T00:00:00Z',
    );
    expect(figures(r, 'Order', 'XO1')).toEqual([0, 120, 1000]);
    expect(figures(r, 'Order', 'XO2')).toEqual([0, 120, 500]);
    expect(figures(r, 'Product', 'XPT')).toEqual([0, 120, 1200]);
    expect(figures(r, 'Line', 'XL1')).toEqual([0, 120, 1200]);
    expect(figures(r, 'Factory', 'XF1')).toEqual([0, 120, 1200]);
  });
});

// ---------------------------------------------------------------------------------------------
// paths, for every kind of disruption

describe('paths (every listed twin explained from the disrupted twin)', () => {
  it.each<[string, Doc, Disruption, string, boolean]>([
    ['a supplier outage', SOURCING, XS1_OUT_10_DAYS, SOURCING_AS_OF, true],
    [
      'an asset downtime',
      ASSETS,
      { assetDowntime: { assetId: 'XA1', hours: 6 } },
      ASSETS_AS_OF,
      false,
    ],
    [
      'a shipment delay',
      DELAY,
      { shipmentDelay: { shipmentId: 'XH1', days: 5 } },
      DELAY_AS_OF,
      false,
    ],
  ])(
    'when %s is analysed, then each product, line, factory, order and shipment has a chained path of stored relationships',
    async (_name, doc, d, asOf, includeMitigated) => {
      await load(doc);
      const r = await impact(d, asOf, includeMitigated); // impact() runs expectConsistent
      const listed =
        r.products.length +
        r.lines.length +
        r.factories.length +
        r.orders.length +
        r.shipments.length;
      expect(listed).toBeGreaterThan(3);
      expect(r.paths.length).toBeGreaterThanOrEqual(listed);
    },
  );
});
