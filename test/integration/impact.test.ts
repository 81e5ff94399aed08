import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../../src/graph/executor';
import { gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins, testGraph } from '../support/db';

/*
 * The impact query on the documented example (test/fixtures/example.json), worked out by hand:
 * line L1 works H = 2 × 8 = 16 h/day; its stations A1 (60/h) → A2 (50/h) in series give a max
 * flow of 50 = the nominal one, so c(L1) = 1; out(L1, P1) = 40 × 16 × 1 = 640/day; P1 needs 4 P2,
 * so cons(F1, P2) = 2,560/day. F1 holds 5,000 P2; SH1 brings 2,000 on 2026-11-27T08:00Z.
 */
const example: unknown = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'example.json'), 'utf8'),
);
const AS_OF = '2026-11-25T08:00:00Z';

let app: TestApp;
let graph: Graph;

beforeAll(async () => {
  graph = testGraph();
  await resetTwins(graph);
  app = await startTestApp({ MQTT_TOPIC_PREFIX: 'impact' });
  const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
    d: example,
  });
  expect(res.errors).toBeUndefined();
});
afterAll(async () => {
  await app.stop();
  await graph.close();
});

const REPORT = `
  kind asOf windowEnd
  components { product { id } soleSourced alternativeSuppliers { id } atRisk }
  products { id } lines { line { id } capacityFactorBefore capacityFactorAfter }
  factories { id } orders { id } shipments { id }
  exposures { factory { id } component { id } dailyConsumption onHand inbound daysOfCover shortfallDays }
  lostUnits { product { id } units valueAtRisk }
  ranking { kind id shortfallDays lostUnits valueAtRisk }
  paths { kind id steps { from relationship to forward } }`;

async function impact(disruption: Record<string, unknown>, asOf: string | null = AS_OF) {
  return gql(
    app,
    `query($d: DisruptionInput!, $asOf: DateTime) { impact(disruption: $d, asOf: $asOf) { ${REPORT} } }`,
    { d: disruption, asOf },
  );
}

describe('impact of a supplier outage', () => {
  it('when S1 is out 7 days, then P2 lasts 7,000 / 2,560 days and the shortfall is the rest', async () => {
    const res = await impact({ supplierOutage: { supplierId: 'S1', days: 7 } });
    expect(res.errors).toBeUndefined();
    const report = res.data?.['impact'];
    expect(report).toMatchObject({
      kind: 'SUPPLIER_OUTAGE',
      components: [
        { product: { id: 'P2' }, soleSourced: true, alternativeSuppliers: [], atRisk: true },
      ],
      products: [{ id: 'P1' }, { id: 'P2' }],
      lines: [{ line: { id: 'L1' }, capacityFactorBefore: 1, capacityFactorAfter: 1 }],
      factories: [{ id: 'F1' }],
      orders: [{ id: 'O1' }],
      shipments: [],
      exposures: [
        {
          factory: { id: 'F1' },
          component: { id: 'P2' },
          dailyConsumption: 2560,
          onHand: 5000,
          inbound: 2000,
        },
      ],
    });
    const exposure = JSON.parse(JSON.stringify(report)).exposures[0];
    expect(exposure.daysOfCover).toBeCloseTo(7000 / 2560, 10);
    expect(exposure.shortfallDays).toBeCloseTo(7 - 7000 / 2560, 10);
    expect(JSON.stringify(report)).toContain(
      JSON.stringify({
        kind: 'Order',
        id: 'O1',
        steps: [
          { from: 'S1', relationship: 'SUPPLIES', to: 'P2', forward: true },
          { from: 'P2', relationship: 'REQUIRES', to: 'P1', forward: false },
          { from: 'P1', relationship: 'FOR', to: 'O1', forward: false },
        ],
      }),
    );
  });

  it('when the outage is shorter than the cover, then the shortfall is 0', async () => {
    const res = await impact({ supplierOutage: { supplierId: 'S1', days: 2 } });
    expect(JSON.stringify(res.data)).toContain('"shortfallDays":0');
  });
});

describe('impact of an asset downtime', () => {
  it('when the bottleneck A2 is down 8 hours, then L1 stops and 40 × 8 × 16/24 units of P1 are lost', async () => {
    const res = await impact({ assetDowntime: { assetId: 'A2', hours: 8 } });
    expect(res.errors).toBeUndefined();
    expect(res.data?.['impact']).toMatchObject({
      lines: [{ line: { id: 'L1' }, capacityFactorBefore: 1, capacityFactorAfter: 0 }],
      products: [{ id: 'P1' }],
      factories: [{ id: 'F1' }],
      orders: [{ id: 'O1' }],
    });
    const lost = JSON.parse(JSON.stringify(res.data)).impact.lostUnits[0];
    expect(lost.product.id).toBe('P1');
    expect(lost.units).toBeCloseTo((40 * 8 * 16) / 24, 10);
    expect(lost.valueAtRisk).toBeCloseTo(((40 * 8 * 16) / 24) * 310, 8);
  });
});

describe('impact of a shipment delay', () => {
  it('when SH1 is 5 days late, then the stock lasts 5,000 / 2,560 days and the rest is short', async () => {
    const res = await impact({ shipmentDelay: { shipmentId: 'SH1', days: 5 } });
    expect(res.errors).toBeUndefined();
    const report = JSON.parse(JSON.stringify(res.data)).impact;
    // e = 2 days after asOf, e' = 7; cover = 5,000 / 2,560 < e: shortfall = 7 − 2 = 5
    expect(report.exposures[0].daysOfCover).toBeCloseTo(5000 / 2560, 10);
    expect(report.exposures[0].shortfallDays).toBeCloseTo(5, 10);
    expect(report.products.map((p: { id: string }) => p.id).sort()).toEqual(['P1', 'P2']);
  });
});

describe('bad input', () => {
  it.each([
    [{}, /name one disruption/],
    [
      { supplierOutage: { supplierId: 'S1', days: 1 }, assetDowntime: { assetId: 'A1', hours: 1 } },
      /only one disruption/,
    ],
    [{ supplierOutage: { supplierId: 'S9', days: 1 } }, /unknown supplier "S9"/],
    [{ shipmentDelay: { shipmentId: 'SH9', days: 1 } }, /unknown shipment "SH9"/],
    [{ assetDowntime: { assetId: 'A9', hours: 1 } }, /unknown asset "A9"/],
    [{ supplierOutage: { supplierId: 'S1', days: 0 } }, /must be a positive number/],
    [{ assetDowntime: { assetId: 'A1', hours: -2 } }, /must be a positive number/],
  ])('when the disruption is %j, then BAD_USER_INPUT says what to fix', async (d, message) => {
    const res = await impact(d);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(message);
  });

  it('when asOf does not parse, then BAD_USER_INPUT names it', async () => {
    const res = await impact({ supplierOutage: { supplierId: 'S1', days: 1 } }, 'next tuesday');
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/asOf/);
  });
});

describe('round trips', () => {
  it('when any disruption is analysed, then it costs a bounded number of Cypher queries', async () => {
    for (const d of [
      { supplierOutage: { supplierId: 'S1', days: 7 } },
      { shipmentDelay: { shipmentId: 'SH1', days: 5 } },
      { assetDowntime: { assetId: 'A2', hours: 8 } },
    ]) {
      const res = await impact(d);
      expect(res.errors).toBeUndefined();
      // the disrupted twin, consumption, the closure; plus one read of stations for the capacity
      // factors of lines the disruption does not change, when selected (REPORT selects them)
      expect(Number(res.extensions?.['cypherQueries'])).toBeLessThanOrEqual(4);
    }
  });
});
