import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Graph } from '../../src/graph/executor';
import { MigrationError, Migrator } from '../../src/graph/migrations';
import { testGraph } from '../support/db';

/*
 * Each test runs its own migration chain (a namespace of its own and a folder of its own), so
 * the product's applied chain in the shared database is left alone.
 */
describe('migrations on a real Neo4j', () => {
  let graph: Graph;
  let dir: string;
  let namespace: string;
  let label: string;

  beforeAll(() => {
    graph = testGraph();
  });
  afterAll(async () => {
    await graph.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twin-migrations-'));
    namespace = `test-${randomUUID()}`;
    label = `MigTest${randomUUID().replace(/-/g, '').slice(0, 8)}`;
    await writeFile(
      join(dir, 'V0001__first.cypher'),
      `// a comment line\nCREATE (:${label} {step: 1});\n`,
    );
    await writeFile(
      join(dir, 'V0002__second.cypher'),
      `CREATE (:${label} {step: 2});\nCREATE (:${label} {step: 3});\n`,
    );
  });
  afterEach(async () => {
    await graph.write(`MATCH (n:${label}) DELETE n`);
    await graph.write('MATCH (m:__Migration {namespace: $namespace}) DETACH DELETE m', {
      namespace,
    });
    await rm(dir, { recursive: true, force: true });
  });

  const steps = async () =>
    (await graph.read(`MATCH (n:${label}) RETURN n.step AS step ORDER BY step`)).map(
      (r) => r['step'],
    );

  it('when run twice, then the first run applies every file in order and the second applies nothing', async () => {
    const migrator = new Migrator(graph, { dir, namespace });
    const first = await migrator.migrate();
    expect(first.applied).toEqual(['V0001__first.cypher', 'V0002__second.cypher']);
    expect(await steps()).toEqual([1, 2, 3]);

    const second = await new Migrator(graph, { dir, namespace }).migrate();
    expect(second).toEqual({ applied: [], alreadyApplied: 2 });
    expect(await steps()).toEqual([1, 2, 3]);

    const chain = await graph.read(
      `MATCH (a:__Migration {namespace: $namespace})-[:NEXT]->(b:__Migration)
       RETURN a.version AS from, b.version AS to`,
      { namespace },
    );
    expect(chain).toEqual([{ from: 1, to: 2 }]);
    const applied = await migrator.applied();
    expect(applied.map((a) => a.checksum)).toHaveLength(2);
    expect(applied[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('when an applied file was changed, then migrating is refused with an error naming the file', async () => {
    await new Migrator(graph, { dir, namespace }).migrate();
    await writeFile(join(dir, 'V0001__first.cypher'), `CREATE (:${label} {step: 99});\n`);
    await writeFile(join(dir, 'V0003__third.cypher'), `CREATE (:${label} {step: 4});\n`);

    const attempt = new Migrator(graph, { dir, namespace }).migrate();
    await expect(attempt).rejects.toThrow(MigrationError);
    await expect(new Migrator(graph, { dir, namespace }).migrate()).rejects.toThrow(
      /V0001__first\.cypher was changed after it was applied/,
    );
    expect(await steps()).toEqual([1, 2, 3]);
    const lock = await graph.read('MATCH (l:__MigrationLock {namespace: $namespace}) RETURN l', {
      namespace,
    });
    expect(lock).toHaveLength(0);
  });

  it('when two runners start together, then only one applies the files and both finish', async () => {
    const a = new Migrator(graph, { dir, namespace });
    const b = new Migrator(graph, { dir, namespace });
    const [ra, rb] = await Promise.all([a.migrate(), b.migrate()]);
    const appliedCounts = [ra.applied.length, rb.applied.length].sort();
    expect(appliedCounts).toEqual([0, 2]);
    expect(await steps()).toEqual([1, 2, 3]);
    const versions = await graph.read(
      'MATCH (m:__Migration {namespace: $namespace}) RETURN m.version AS v ORDER BY v',
      { namespace },
    );
    expect(versions.map((r) => r['v'])).toEqual([1, 2]);
  });

  it('when a file name does not follow V<n>__<name>.cypher, then the error says how to name it', async () => {
    await writeFile(join(dir, 'add-things.cypher'), 'RETURN 1;');
    await expect(new Migrator(graph, { dir, namespace }).migrate()).rejects.toThrow(
      /must be named V<version>__<description>\.cypher/,
    );
  });

  it('when the product migrations ran in the global setup, then every twin label has its uniqueness constraint', async () => {
    const rows = await graph.autoCommit(
      `SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties
       WHERE type CONTAINS 'UNIQUENESS' AND properties = ['id'] RETURN labelsOrTypes[0] AS label`,
    );
    const labels = rows.map((r) => r['label']);
    for (const l of [
      'Factory',
      'Line',
      'Asset',
      'Metric',
      'Product',
      'Supplier',
      'Shipment',
      'Order',
      'Alert',
    ]) {
      expect(labels).toContain(l);
    }
  });
});
