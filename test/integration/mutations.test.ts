import {
  CreateFactoryDocument,
  DeleteLineDocument,
  UpdateAssetDocument,
} from '../generated/graphql';
import { gql, run, startTestApp, type TestApp } from '../support/app';
import { graphFingerprint, resetTwins } from '../support/db';

describe('mutations of twins and relationships', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.stop();
  });
  beforeEach(async () => {
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
      d: {
        factories: [{ id: 'F1', name: 'Leipzig' }],
        lines: [{ id: 'L1', factoryId: 'F1', name: 'Body' }],
        assets: [
          {
            id: 'A1',
            lineId: 'L1',
            name: 'Press',
            kind: 'PRESS',
            ratePerHour: 60,
            metrics: [{ name: 'temperature', unit: 'Cel', min: 0, max: 90 }],
          },
          { id: 'A2', lineId: 'L1', name: 'Robot', kind: 'ROBOT', ratePerHour: 40 },
        ],
        flows: [{ from: 'A1', to: 'A2' }],
        products: [
          { id: 'P1', name: 'Door' },
          { id: 'P2', name: 'Sheet' },
        ],
        bom: [{ parentId: 'P1', componentId: 'P2', quantity: 4 }],
      },
    });
    expect(res.errors).toBeUndefined();
  });

  it('when a factory is created, then it can be read back', async () => {
    const res = await run(app, CreateFactoryDocument, {
      input: { id: 'F2', name: 'Puebla', timezone: 'America/Mexico_City' },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.createFactory).toEqual({
      id: 'F2',
      name: 'Puebla',
      timezone: 'America/Mexico_City',
    });
  });

  it('when a factory is created with an id in use, then CONFLICT says to update instead', async () => {
    const res = await run(app, CreateFactoryDocument, { input: { id: 'F1', name: 'Again' } });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
    expect(res.errors?.[0]?.message).toMatch(/already exists; use updateFactory/);
  });

  it('when a create input breaks the rules, then every problem is named on the input and nothing is written', async () => {
    const before = await graphFingerprint(app.graph);
    const res = await run(app, CreateFactoryDocument, {
      input: { id: 'F3', name: 'Nowhere', timezone: 'Mars/Olympus', lat: 123 },
    });
    const error = res.errors?.[0];
    expect(error?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const problems = error?.extensions?.['problems'];
    const paths = (Array.isArray(problems) ? problems : []).map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['input.timezone', 'input.lat']));
    expect(error?.message).toMatch(/input\.timezone/);
    expect(await graphFingerprint(app.graph)).toBe(before);
  });

  it('when an asset is patched, then only the given fields change', async () => {
    const res = await run(app, UpdateAssetDocument, { id: 'A1', patch: { status: 'DOWN' } });
    expect(res.errors).toBeUndefined();
    expect(res.data?.updateAsset).toEqual({ id: 'A1', status: 'DOWN', ratePerHour: 60 });
    const q = await gql(
      app,
      '{ asset(id: "A1") { name kind metrics { name max } line { id } feeds { id } } }',
    );
    expect(q.data).toEqual({
      asset: {
        name: 'Press',
        kind: 'PRESS',
        metrics: [{ name: 'temperature', max: 90 }],
        line: { id: 'L1' },
        feeds: [{ id: 'A2' }],
      },
    });
  });

  it('when an unknown asset is patched, then NOT_FOUND names it', async () => {
    const res = await run(app, UpdateAssetDocument, { id: 'A404', patch: { status: 'DOWN' } });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(res.errors?.[0]?.message).toMatch(/Asset "A404" does not exist/);
  });

  it('when a patch gives a negative rate, then BAD_USER_INPUT points at patch.ratePerHour', async () => {
    const res = await run(app, UpdateAssetDocument, { id: 'A1', patch: { ratePerHour: -1 } });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res.errors?.[0]?.extensions?.['problems'])).toMatch(/patch\.ratePerHour/);
  });

  it('when a linked line is deleted without cascade, then it is kept and the error lists its links', async () => {
    const res = await run(app, DeleteLineDocument, { id: 'L1', cascade: false });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
    expect(res.errors?.[0]?.message).toMatch(/Line "L1" is linked to 3 twin\(s\)/);
    expect(res.errors?.[0]?.message).toMatch(/HAS_ASSET\]->\(Asset "A1"\)/);
    const q = await gql(app, '{ line(id: "L1") { id } }');
    expect(q.data).toEqual({ line: { id: 'L1' } });
  });

  it('when a line is deleted with cascade, then its assets and metrics go with it and the result says what it was linked to', async () => {
    const res = await run(app, DeleteLineDocument, { id: 'L1', cascade: true });
    expect(res.errors).toBeUndefined();
    expect(res.data?.deleteLine.deleted).toEqual(
      expect.arrayContaining([
        { kind: 'Line', id: 'L1' },
        { kind: 'Asset', id: 'A1' },
        { kind: 'Asset', id: 'A2' },
        { kind: 'Metric', id: 'A1/temperature' },
      ]),
    );
    expect(res.data?.deleteLine.deleted).toHaveLength(4);
    expect(res.data?.deleteLine.links).toContainEqual({
      type: 'HAS_LINE',
      direction: 'in',
      kind: 'Factory',
      id: 'F1',
    });
    const q = await gql(app, '{ factory(id: "F1") { lines { id } } asset(id: "A1") { id } }');
    expect(q.data).toEqual({ factory: { lines: [] }, asset: null });
  });

  it('when relationships are set and removed, then the graph follows, and cycles or cross-line flows are refused', async () => {
    const set = await gql(
      app,
      'mutation { setBomEntry(parentId: "P1", componentId: "P2", quantity: 6) { components { quantity } } }',
    );
    expect(set.data).toEqual({ setBomEntry: { components: [{ quantity: 6 }] } });

    const cycle = await gql(
      app,
      'mutation { setBomEntry(parentId: "P2", componentId: "P1", quantity: 1) { id } }',
    );
    expect(cycle.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(cycle.errors?.[0]?.message).toMatch(/cycle P2 → P1 → P2/);

    const back = await gql(app, 'mutation { setFlow(from: "A2", to: "A1") { id } }');
    expect(back.errors?.[0]?.message).toMatch(/flows form a cycle A2 → A1 → A2/);

    const removed = await gql(
      app,
      'mutation { removeFlow(from: "A1", to: "A2") { feeds { id } } }',
    );
    expect(removed.data).toEqual({ removeFlow: { feeds: [] } });

    const again = await gql(app, 'mutation { removeFlow(from: "A1", to: "A2") { id } }');
    expect(again.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(again.errors?.[0]?.message).toMatch(/no flow from asset "A1" to "A2"/);

    const inv = await gql(
      app,
      'mutation { setInventory(factoryId: "F1", productId: "P2", quantity: 100) { inventory { product { id } quantity safetyStock } } }',
    );
    expect(inv.data).toEqual({
      setInventory: { inventory: [{ product: { id: 'P2' }, quantity: 100, safetyStock: 0 }] },
    });

    const dangling = await gql(
      app,
      'mutation { setProduction(lineId: "L1", productId: "NOPE", ratePerHour: 5) { id } }',
    );
    expect(dangling.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(dangling.errors?.[0]?.message).toMatch(/input\.productId: unknown product "NOPE"/);
  });

  it('when a new BOM edge closes a cycle through several stored edges, then BAD_USER_INPUT names the whole cycle and nothing is written', async () => {
    const chain = await gql(
      app,
      `mutation { a: createProduct(input: { id: "P3", name: "Coil" }) { id }
                  b: setBomEntry(parentId: "P2", componentId: "P3", quantity: 1) { id } }`,
    );
    expect(chain.errors).toBeUndefined();
    const before = await graphFingerprint(app.graph);
    const res = await gql(
      app,
      'mutation { setBomEntry(parentId: "P3", componentId: "P1", quantity: 1) { id } }',
    );
    const error = res.errors?.[0];
    expect(error?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(error?.extensions?.['problems']).toEqual([
      {
        path: 'input',
        message:
          'the bill of materials has a cycle P3 → P1 → P2 → P3 (closed by stored relationships)',
      },
    ]);
    expect(await graphFingerprint(app.graph)).toBe(before);
  });
});
