import { execute, parse } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { createContext } from '../../src/server/context';
import { createSchema } from '../../src/server/schema';
import { importDocument } from '../../src/twins/import/service';
import { NestedPlantDocument } from '../generated/graphql';
import { run, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';

/*
 * DataLoader batching: a nested query costs one Cypher round trip per level of the query,
 * whatever the number of factories, lines, assets and metrics.
 */
describe('round trips of nested queries over the demo seed data', () => {
  let app: TestApp;
  let counts: { factories: number; lines: number; assets: number; metrics: number };

  beforeAll(async () => {
    // these queries nest past the default limits on purpose (NestedPlant is depth 7, and 100
    // factories cost more than 5,000): the round trips per level are what is measured here
    app = await startTestApp({ GRAPHQL_MAX_DEPTH: '10', GRAPHQL_MAX_COST: '1000000' });
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    const demo: unknown = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'seeds', 'demo.json'), 'utf8'),
    );
    const summary = await importDocument(app.graph, demo);
    counts = summary.counts;
  });
  afterAll(async () => {
    await app.stop();
  });

  it('when factories → lines → assets → metrics is queried, then it costs 4 round trips whatever the page size', async () => {
    const small = await run(app, NestedPlantDocument, { first: 1 });
    const all = await run(app, NestedPlantDocument, { first: 100 });
    expect(small.errors).toBeUndefined();
    expect(all.errors).toBeUndefined();

    const factories = all.data?.factories.edges ?? [];
    const lines = factories.flatMap((e) => e.node.lines);
    const assets = lines.flatMap((l) => l.assets);
    const metrics = assets.flatMap((a) => a.metrics);
    // the answer covers the whole seed: the bound is not bought by dropping data
    expect(factories).toHaveLength(counts.factories);
    expect(lines).toHaveLength(counts.lines);
    expect(assets).toHaveLength(counts.assets);
    expect(metrics).toHaveLength(counts.metrics);
    expect(assets.length).toBeGreaterThan(50);

    // one for the page (count and nodes together), one per relationship level
    expect(small.extensions?.['cypherQueries']).toBe(4);
    expect(all.extensions?.['cypherQueries']).toBe(4);
  });

  it('when one request asks for the same twins along several paths, then no key is loaded twice', async () => {
    const schema = await createSchema();
    const ctx = createContext(app.graph, loadConfig({ ...process.env }));
    const result = await execute({
      schema,
      contextValue: ctx,
      document: parse(`{
        factories(first: 100) { edges { node { id lines { id factory { id lines { id } } assets { id line { id } feeds { id line { id } } fedBy { id } } } } } }
        again: factories(first: 100) { edges { node { lines { assets { id metrics { id } } } } } }
      }`),
    });
    expect(result.errors).toBeUndefined();
    for (const loader of new Set(ctx.loaders.batches.map((b) => b.loader))) {
      const keys = ctx.loaders.batches.filter((b) => b.loader === loader).flatMap((b) => b.keys);
      expect({ loader, duplicates: keys.length - new Set(keys).size }).toEqual({
        loader,
        duplicates: 0,
      });
    }
    // seven relationship kinds plus the two list queries; nothing per twin
    expect(ctx.graph.queries).toBeLessThanOrEqual(9);
    expect(ctx.loaders.batches.length).toBeLessThanOrEqual(7);
  });
});
