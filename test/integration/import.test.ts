import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql, startTestApp, type TestApp } from '../support/app';
import { graphFingerprint, resetTwins } from '../support/db';
import { ADMIN_AUTHORIZATION } from '../support/credentials';

const example = (): Record<string, unknown[]> =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'example.json'), 'utf8'));

/** JSON cannot say Infinity, but 1e400 in a request body parses to it: sent as such below. */
const INFINITY = '__1e400__';

async function importRaw(app: TestApp, doc: unknown) {
  const body = JSON.stringify({ query: IMPORT, variables: { doc } }).replace(
    `"${INFINITY}"`,
    '1e400',
  );
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: ADMIN_AUTHORIZATION },
    body,
  });
  const json: unknown = await res.json();
  return typeof json === 'object' && json !== null && 'errors' in json && Array.isArray(json.errors)
    ? { errors: json.errors.map((e: { extensions?: Record<string, unknown> }) => e) }
    : {};
}

const IMPORT = `mutation($doc: JSON!) { importTwinGraph(document: $doc) {
  factories lines assets metrics flows products bom production suppliers supplies inventory shipments orders twins } }`;

describe('batch import of the twin-graph document', () => {
  let app: TestApp;

  beforeAll(async () => {
    // reading a whole imported plant back in one query nests past the default depth and cost
    app = await startTestApp({ GRAPHQL_MAX_DEPTH: '10', GRAPHQL_MAX_COST: '1000000' });
  });
  afterAll(async () => {
    await app.stop();
  });
  beforeEach(async () => {
    await resetTwins(app.graph, app.runtime.telemetry.rules);
  });

  it('when the example document is imported, then every twin and relationship is stored and counted', async () => {
    const res = await gql(app, IMPORT, { doc: example() });
    expect(res.errors).toBeUndefined();
    expect(res.data?.['importTwinGraph']).toEqual({
      factories: 1,
      lines: 1,
      assets: 2,
      metrics: 1,
      flows: 1,
      products: 2,
      bom: 1,
      production: 1,
      suppliers: 1,
      supplies: 1,
      inventory: 1,
      shipments: 1,
      orders: 1,
      twins: 10,
    });
    const q = await gql(
      app,
      `{ factory(id: "F1") { name lines { id hoursPerDay assets { id feeds { id } metrics { name unit max } }
           produces { product { id components { product { id suppliers { supplier { id } leadTimeDays } } quantity } } ratePerHour } }
           inventory { product { id } quantity safetyStock } }
         shipment(id: "SH1") { status eta supplier { id } factory { id } product { sku } }
         order(id: "O1") { customer dueDate product { id } factory { id } } }`,
    );
    expect(q.errors).toBeUndefined();
    expect(q.data).toEqual({
      factory: {
        name: 'Leipzig',
        lines: [
          {
            id: 'L1',
            hoursPerDay: 16,
            assets: [
              {
                id: 'A1',
                feeds: [{ id: 'A2' }],
                metrics: [{ name: 'temperature', unit: 'Cel', max: 90 }],
              },
              { id: 'A2', feeds: [], metrics: [] },
            ],
            produces: [
              {
                product: {
                  id: 'P1',
                  components: [
                    {
                      product: {
                        id: 'P2',
                        suppliers: [{ supplier: { id: 'S1' }, leadTimeDays: 7 }],
                      },
                      quantity: 4,
                    },
                  ],
                },
                ratePerHour: 40,
              },
            ],
          },
        ],
        inventory: [{ product: { id: 'P2' }, quantity: 5000, safetyStock: 800 }],
      },
      shipment: {
        status: 'IN_TRANSIT',
        eta: '2026-11-27T08:00:00.000Z',
        supplier: { id: 'S1' },
        factory: { id: 'F1' },
        product: { sku: 'STEEL-SHEET' },
      },
      order: {
        customer: 'Retail EU',
        dueDate: '2026-12-05T00:00:00.000Z',
        product: { id: 'P1' },
        factory: { id: 'F1' },
      },
    });
  });

  it('when the same document is imported twice, then the second import changes nothing', async () => {
    await gql(app, IMPORT, { doc: example() });
    const before = await graphFingerprint(app.graph);
    const again = await gql(app, IMPORT, { doc: example() });
    expect(again.errors).toBeUndefined();
    expect(await graphFingerprint(app.graph)).toBe(before);
  });

  it('when the graph is exported and imported again, then the graph is unchanged and the export is identical', async () => {
    await gql(app, IMPORT, { doc: example() });
    const first = await gql(app, '{ exportTwinGraph }');
    expect(first.errors).toBeUndefined();
    const before = await graphFingerprint(app.graph);
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    const reimport = await gql(app, IMPORT, { doc: first.data?.['exportTwinGraph'] });
    expect(reimport.errors).toBeUndefined();
    expect(await graphFingerprint(app.graph)).toBe(before);
    const second = await gql(app, '{ exportTwinGraph }');
    expect(second.data?.['exportTwinGraph']).toEqual(first.data?.['exportTwinGraph']);
  });

  it('when a second document references twins stored by the first, then the references resolve', async () => {
    await gql(app, IMPORT, { doc: example() });
    const res = await gql(app, IMPORT, {
      doc: {
        lines: [{ id: 'L2', factoryId: 'F1', name: 'Paint' }],
        assets: [{ id: 'A3', lineId: 'L1', name: 'Conveyor', kind: 'CONVEYOR', ratePerHour: 80 }],
        flows: [{ from: 'A2', to: 'A3' }],
        bom: [{ parentId: 'P1', componentId: 'P2', quantity: 5 }],
      },
    });
    expect(res.errors).toBeUndefined();
    const q = await gql(
      app,
      '{ asset(id: "A2") { feeds { id } } product(id: "P1") { components { quantity } } line(id: "L2") { factory { id } shiftsPerDay } }',
    );
    expect(q.data).toEqual({
      asset: { feeds: [{ id: 'A3' }] },
      product: { components: [{ quantity: 5 }] },
      line: { factory: { id: 'F1' }, shiftsPerDay: 2 },
    });
  });

  describe('when a document is bad, then it is rejected with every problem and its path, and nothing is written', () => {
    type Case = [string, (doc: Record<string, unknown[]>) => unknown, RegExp, RegExp];
    const cases: Case[] = [
      ['an unknown key', (d) => ({ ...d, colours: [] }), /^colours$/, /unknown key "colours"/],
      [
        'an unknown row key',
        (d) => {
          (d['factories']?.[0] as Record<string, unknown>)['colour'] = 'red';
          return d;
        },
        /^factories\[0\]\.colour$/,
        /unknown key/,
      ],
      [
        'a wrong type',
        (d) => {
          (d['lines']?.[0] as Record<string, unknown>)['shiftsPerDay'] = 'two';
          return d;
        },
        /^lines\[0\]\.shiftsPerDay$/,
        /expected a number/,
      ],
      [
        'a duplicate id',
        (d) => {
          d['assets']?.push({ ...(d['assets']?.[1] as object) });
          return d;
        },
        /^assets\[2\]\.id$/,
        /duplicate/,
      ],
      [
        'a dangling reference',
        (d) => {
          (d['assets']?.[1] as Record<string, unknown>)['lineId'] = 'L9';
          return d;
        },
        /^assets\[1\]\.lineId$/,
        /unknown line "L9"/,
      ],
      [
        'a flow between lines',
        (d) => {
          d['lines']?.push({ id: 'L2', factoryId: 'F1', name: 'Other' });
          (d['assets']?.[1] as Record<string, unknown>)['lineId'] = 'L2';
          return d;
        },
        /^flows\[0\]/,
        /line/,
      ],
      [
        'a flow cycle',
        (d) => {
          d['flows']?.push({ from: 'A2', to: 'A1' });
          return d;
        },
        /^flows\[\d\]/,
        /cycle/,
      ],
      [
        'a BOM cycle',
        (d) => {
          d['bom']?.push({ parentId: 'P2', componentId: 'P1', quantity: 1 });
          return d;
        },
        /^bom\[\d\]/,
        /cycle/,
      ],
      [
        'a negative quantity',
        (d) => {
          (d['inventory']?.[0] as Record<string, unknown>)['quantity'] = -5;
          return d;
        },
        /^inventory\[0\]\.quantity$/,
        /.+/,
      ],
      [
        'a non-finite rate',
        (d) => {
          (d['production']?.[0] as Record<string, unknown>)['ratePerHour'] = INFINITY;
          return d;
        },
        /^production\[0\]\.ratePerHour$/,
        /finite|number/,
      ],
      [
        'an unknown enum value',
        (d) => {
          (d['shipments']?.[0] as Record<string, unknown>)['status'] = 'LOST';
          return d;
        },
        /^shipments\[0\]\.status$/,
        /IN_TRANSIT/,
      ],
      [
        'a date that does not parse',
        (d) => {
          (d['orders']?.[0] as Record<string, unknown>)['dueDate'] = 'next tuesday';
          return d;
        },
        /^orders\[0\]\.dueDate$/,
        /.+/,
      ],
    ];

    beforeEach(async () => {
      await gql(app, IMPORT, { doc: { factories: [{ id: 'KEEP', name: 'Stored before' }] } });
    });

    it.each(cases)('%s', async (_name, spoil, path, message) => {
      const before = await graphFingerprint(app.graph);
      const res = await importRaw(app, spoil(example()));
      const error = res.errors?.[0];
      expect(error?.extensions?.['code']).toBe('BAD_USER_INPUT');
      const problems = error?.extensions?.['problems'];
      expect(Array.isArray(problems)).toBe(true);
      const list = Array.isArray(problems) ? problems : [];
      expect(
        list.some(
          (p: { path: string; message: string }) => path.test(p.path) && message.test(p.message),
        ),
      ).toBe(true);
      expect(await graphFingerprint(app.graph)).toBe(before);
    });

    it('several problems at once are all listed', async () => {
      const doc = example();
      (doc['assets']?.[0] as Record<string, unknown>)['lineId'] = 'NOPE';
      (doc['orders']?.[0] as Record<string, unknown>)['status'] = 'MAYBE';
      (doc['bom']?.[0] as Record<string, unknown>)['quantity'] = 0;
      const res = await gql(app, IMPORT, { doc });
      const problems = res.errors?.[0]?.extensions?.['problems'];
      const paths = (Array.isArray(problems) ? problems : []).map((p: { path: string }) => p.path);
      expect(paths).toEqual(
        expect.arrayContaining(['assets[0].lineId', 'orders[0].status', 'bom[0].quantity']),
      );
    });

    it('a BOM cycle through stored edges is found too', async () => {
      await gql(app, IMPORT, { doc: example() });
      const before = await graphFingerprint(app.graph);
      const res = await gql(app, IMPORT, {
        doc: {
          products: [{ id: 'P3', name: 'Blank' }],
          bom: [
            { parentId: 'P2', componentId: 'P3', quantity: 1 },
            { parentId: 'P3', componentId: 'P1', quantity: 1 },
          ],
        },
      });
      expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.errors?.[0]?.extensions?.['problems'])).toMatch(/cycle/);
      expect(await graphFingerprint(app.graph)).toBe(before);
    });
  });
});
