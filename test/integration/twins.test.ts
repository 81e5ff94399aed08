import {
  AssetPageDocument,
  type AssetPageQuery,
  type AssetPageQueryVariables,
  ProductTreeDocument,
} from '../generated/graphql';
import { gql, run, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';

/** A plant of 2 factories with 3 lines and 25 assets, written directly so the test controls it. */
async function seedPlant(app: TestApp): Promise<void> {
  const assets = Array.from({ length: 25 }, (_, i) => ({
    id: `A${String(i).padStart(2, '0')}`,
    lineId: i < 10 ? 'L1' : i < 20 ? 'L2' : 'L3',
    name: i % 5 === 0 ? `Press ${i}` : `Robot ${i}`,
    kind: i % 5 === 0 ? 'PRESS' : 'ROBOT',
    status: i % 4 === 0 ? 'DOWN' : 'RUNNING',
    ratePerHour: 50,
  }));
  const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
    d: {
      factories: [
        { id: 'F1', name: 'Leipzig', country: 'DE' },
        { id: 'F2', name: 'Puebla', country: 'MX' },
      ],
      lines: [
        { id: 'L1', factoryId: 'F1', name: 'Body' },
        { id: 'L2', factoryId: 'F1', name: 'Paint' },
        { id: 'L3', factoryId: 'F2', name: 'Final' },
      ],
      assets,
      products: [
        { id: 'CAR', name: 'Car' },
        { id: 'DOOR', name: 'Door' },
        { id: 'SHEET', name: 'Sheet' },
      ],
      bom: [
        { parentId: 'CAR', componentId: 'DOOR', quantity: 4 },
        { parentId: 'DOOR', componentId: 'SHEET', quantity: 2 },
      ],
      production: [{ lineId: 'L1', productId: 'DOOR', ratePerHour: 30 }],
      suppliers: [{ id: 'S1', name: 'Acme' }],
      supplies: [{ supplierId: 'S1', productId: 'SHEET', leadTimeDays: 7 }],
    },
  });
  expect(res.errors).toBeUndefined();
}

describe('twin queries', () => {
  let app: TestApp;

  beforeAll(async () => {
    // ProductTree walks components two levels down: depth 8, over the default 6 on purpose
    app = await startTestApp({ MAX_PAGE_SIZE: '20', GRAPHQL_MAX_DEPTH: '10' });
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    await seedPlant(app);
  });
  afterAll(async () => {
    await app.stop();
  });

  async function allIds(
    vars: { status?: 'DOWN'; factoryId?: string; search?: string },
    pageSize: number,
  ) {
    const ids: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const page: Awaited<ReturnType<typeof run<AssetPageQuery, AssetPageQueryVariables>>> =
        await run(app, AssetPageDocument, { ...vars, first: pageSize, after });
      expect(page.errors).toBeUndefined();
      const conn: AssetPageQuery['assets'] | undefined = page.data?.assets;
      ids.push(...(conn?.edges.map((e) => e.node.id) ?? []));
      if (!conn?.pageInfo.hasNextPage) return { ids, totalCount: conn?.totalCount };
      after = conn.pageInfo.endCursor ?? null;
    }
    throw new Error('pagination did not end');
  }

  it('when paging through assets in pages of 7, then every asset comes once, in id order', async () => {
    const { ids, totalCount } = await allIds({}, 7);
    expect(totalCount).toBe(25);
    expect(ids).toHaveLength(25);
    expect(ids).toEqual([...ids].sort());
  });

  it('when assets are added and removed between pages, then the walk neither skips nor repeats what stays', async () => {
    const first = await run(app, AssetPageDocument, { first: 5 });
    const seen = first.data?.assets.edges.map((e) => e.node.id) ?? [];
    // insert before and after the cursor, and delete the cursor's own node
    await app.graph.write(
      `MATCH (l:Line {id: 'L1'})
       CREATE (l)-[:HAS_ASSET]->(:Asset {id: 'A00a', name: 'late', kind: 'ROBOT', status: 'RUNNING', ratePerHour: 1}),
              (l)-[:HAS_ASSET]->(:Asset {id: 'A99', name: 'late', kind: 'ROBOT', status: 'RUNNING', ratePerHour: 1})`,
    );
    expect(seen.at(-1)).toBe('A04');
    await app.graph.write(`MATCH (a:Asset {id: $id}) DETACH DELETE a`, { id: seen.at(-1) });
    try {
      let after = first.data?.assets.pageInfo.endCursor ?? null;
      const rest: string[] = [];
      for (;;) {
        const page: { data: AssetPageQuery | null } = await run(app, AssetPageDocument, {
          first: 6,
          after,
        });
        rest.push(...(page.data?.assets.edges.map((e) => e.node.id) ?? []));
        if (!page.data?.assets.pageInfo.hasNextPage) break;
        after = page.data.assets.pageInfo.endCursor ?? null;
      }
      const expectedRest = Array.from(
        { length: 20 },
        (_, i) => `A${String(i + 5).padStart(2, '0')}`,
      ).concat('A99');
      expect(rest).toEqual(expectedRest);
    } finally {
      await app.graph.write(`MATCH (a:Asset) WHERE a.id IN ['A00a', 'A99'] DETACH DELETE a`);
      await app.graph.write(
        `MATCH (l:Line {id: 'L1'}) CREATE (l)-[:HAS_ASSET]->(:Asset {id: $id, name: 'Robot 4', kind: 'ROBOT', status: 'DOWN', ratePerHour: 50})`,
        { id: seen.at(-1) },
      );
    }
  });

  it('when filters are combined, then totalCount and pages cover exactly the matching assets', async () => {
    const down = await allIds({ status: 'DOWN' }, 3);
    expect(down.ids).toEqual(['A00', 'A04', 'A08', 'A12', 'A16', 'A20', 'A24']);
    expect(down.totalCount).toBe(7);
    const f2 = await allIds({ factoryId: 'F2' }, 20);
    expect(f2.ids).toEqual(['A20', 'A21', 'A22', 'A23', 'A24']);
    const presses = await allIds({ search: 'PRESS 1' }, 20);
    expect(presses.ids).toEqual(['A10', 'A15']);
    const none = await allIds({ factoryId: 'NOPE' }, 20);
    expect(none).toEqual({ ids: [], totalCount: 0 });
  });

  it('when first is 0, then the page is empty but totalCount and hasNextPage still answer', async () => {
    const page = await run(app, AssetPageDocument, { first: 0 });
    expect(page.data?.assets).toMatchObject({
      totalCount: 25,
      edges: [],
      pageInfo: { hasNextPage: true },
    });
  });

  it('when first exceeds the maximum page size, then the error says the limit', async () => {
    const page = await run(app, AssetPageDocument, { first: 21 });
    expect(page.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(page.errors?.[0]?.message).toMatch(/from 0 to 20/);
  });

  it('when the cursor is not one of ours, then the error says to pass cursors unchanged', async () => {
    const page = await run(app, AssetPageDocument, { first: 2, after: 'not-a-cursor' });
    expect(page.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(page.errors?.[0]?.message).toMatch(/pass an edge's cursor/);
  });

  it('when a product is asked for, then its BOM both ways, suppliers and lines come back', async () => {
    const door = await run(app, ProductTreeDocument, { id: 'CAR' });
    expect(door.data?.product).toEqual({
      id: 'CAR',
      sku: 'CAR',
      components: [
        {
          quantity: 4,
          product: {
            id: 'DOOR',
            components: [
              {
                quantity: 2,
                product: { id: 'SHEET', suppliers: [{ supplier: { id: 'S1' }, leadTimeDays: 7 }] },
              },
            ],
          },
        },
      ],
      usedIn: [],
      producedBy: [],
    });
    const sheet = await run(app, ProductTreeDocument, { id: 'DOOR' });
    expect(sheet.data?.product?.usedIn).toEqual([{ product: { id: 'CAR' } }]);
    expect(sheet.data?.product?.producedBy).toEqual([{ line: { id: 'L1' }, ratePerHour: 30 }]);
  });

  it('when list families are filtered, then each filter narrows its list', async () => {
    const res = await gql(
      app,
      `{ factories(country: "MX") { totalCount edges { node { id } } }
         lines(factoryId: "F1") { totalCount }
         products(search: "she") { edges { node { id } } }
         suppliers(search: "acm") { totalCount }
         shipments { totalCount } orders { totalCount } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      factories: { totalCount: 1, edges: [{ node: { id: 'F2' } }] },
      lines: { totalCount: 2 },
      products: { edges: [{ node: { id: 'SHEET' } }] },
      suppliers: { totalCount: 1 },
      shipments: { totalCount: 0 },
      orders: { totalCount: 0 },
    });
  });
});
