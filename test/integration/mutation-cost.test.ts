import neo4j, { type Driver, type ProfiledPlan } from 'neo4j-driver';
import type { Params, Row, Tx } from '../../src/graph/executor';
import { importDocument } from '../../src/twins/import/service';
import {
  createTwin,
  deleteTwin,
  setRelationship,
  type Transactions,
  updateTwin,
} from '../../src/twins/mutations/service';
import { resetTwins, testGraph } from '../support/db';

/*
 * Defect 11: a mutation of one twin or relationship must cost the same on a small graph and on a
 * large one. Each mutation's statements run with PROFILE in a transaction that is rolled back, so
 * every measurement starts from the same graph; the measure is Neo4j's db hits (deterministic),
 * never time.
 */

interface Statement {
  cypher: string;
  dbHits: number;
  rows: number;
}

function dbHits(plan: ProfiledPlan | false): number {
  if (!plan) return 0;
  return plan.dbHits + plan.children.reduce((sum, child) => sum + dbHits(child), 0);
}

/** Runs a mutation's transaction with every statement profiled, then rolls it back. */
class Profiler implements Transactions {
  statements: Statement[] = [];

  constructor(private readonly driver: Driver) {}

  async transaction<T>(_mode: 'READ' | 'WRITE', work: (tx: Tx) => Promise<T>): Promise<T> {
    const session = this.driver.session({ database: 'neo4j' });
    const tx = session.beginTransaction();
    const profiled: Tx = {
      run: async (cypher: string, params: Params = {}): Promise<Row[]> => {
        const result = await tx.run(`PROFILE ${cypher}`, params);
        this.statements.push({
          cypher: cypher.replace(/\s+/g, ' ').trim(),
          dbHits: dbHits(result.summary.profile),
          rows: result.records.length,
        });
        return result.records.map((r) => r.toObject());
      },
    };
    try {
      return await work(profiled);
    } finally {
      await tx.rollback();
      await session.close();
    }
  }
}

/** A small plant: the twins the measured mutations name. */
const SMALL = {
  factories: [
    { id: 'F1', name: 'Leipzig' },
    { id: 'F2', name: 'Puebla' },
  ],
  lines: [{ id: 'L1', factoryId: 'F1', name: 'Body' }],
  assets: ['A1', 'A2', 'A3'].map((id) => ({
    id,
    lineId: 'L1',
    name: id,
    kind: 'PRESS',
    ratePerHour: 60,
    metrics: [{ name: 'temperature', unit: 'Cel' }],
  })),
  flows: [{ from: 'A1', to: 'A2' }],
  products: ['P1', 'P2', 'P3', 'P4'].map((id) => ({ id, name: id })),
  bom: [
    { parentId: 'P1', componentId: 'P2', quantity: 2 },
    { parentId: 'P2', componentId: 'P3', quantity: 3 },
  ],
};

/**
 * Thousands of twins and edges that no measured mutation touches: a bill of materials of 4000
 * products and 7997 REQUIRES edges, and 1000 stations with 999 flows on the measured line.
 */
function unrelated(): Record<string, unknown[]> {
  const n = 4000;
  const products = Array.from({ length: n }, (_, i) => ({ id: `X${i}`, name: `X${i}` }));
  const bom = products.flatMap((_, i) =>
    [i + 1, i + 2]
      .filter((j) => j < n)
      .map((j) => ({ parentId: `X${i}`, componentId: `X${j}`, quantity: 1 })),
  );
  const assets = Array.from({ length: 1000 }, (_, i) => ({
    id: `B${i}`,
    lineId: 'L1',
    name: `B${i}`,
    kind: 'CONVEYOR',
    ratePerHour: 60,
  }));
  const flows = assets.slice(1).map((a, i) => ({ from: `B${i}`, to: a.id }));
  return { products, bom, assets, flows };
}

/** The mutations measured: each a single-twin or single-relationship write. */
const MUTATIONS: Record<string, (g: Transactions) => Promise<unknown>> = {
  'setBomEntry P3 → P4': (g) =>
    setRelationship(g, 'bom', { parentId: 'P3', componentId: 'P4', quantity: 1 }),
  'setBomEntry P3 → P1 (a cycle, refused)': (g) =>
    setRelationship(g, 'bom', { parentId: 'P3', componentId: 'P1', quantity: 1 }).then(
      () => {
        throw new Error('the cycle was accepted');
      },
      (err: unknown) => err,
    ),
  'setFlow A2 → A3': (g) => setRelationship(g, 'flows', { from: 'A2', to: 'A3' }),
  'createProduct P9': (g) => createTwin(g, 'products', { id: 'P9', name: 'New' }),
  'updateAsset A1': (g) => updateTwin(g, 'assets', 'A1', { status: 'DOWN' }),
  'updateLine L1 to F2': (g) => updateTwin(g, 'lines', 'L1', { factoryId: 'F2' }),
  'deleteProduct P4': (g) => deleteTwin(g, 'products', 'P4', true),
};

/** Extra db hits allowed on the large graph. */
const TOLERANCE = 10;

describe('the cost of a mutation', () => {
  const graph = testGraph();
  let driver: Driver;

  beforeAll(async () => {
    driver = neo4j.driver(
      process.env['NEO4J_URI'] ?? '',
      neo4j.auth.basic(process.env['NEO4J_USER'] ?? 'neo4j', process.env['NEO4J_PASSWORD'] ?? ''),
      { disableLosslessIntegers: true },
    );
    await resetTwins(graph);
    await importDocument(graph, SMALL);
  });
  afterAll(async () => {
    await driver.close();
    await graph.close();
  });

  async function measure(): Promise<Record<string, Statement[]>> {
    const out: Record<string, Statement[]> = {};
    for (const [name, mutation] of Object.entries(MUTATIONS)) {
      const profiler = new Profiler(driver);
      await mutation(profiler);
      out[name] = profiler.statements;
    }
    return out;
  }

  const total = (statements: Statement[] = []) => statements.reduce((s, x) => s + x.dbHits, 0);

  it('when thousands of unrelated BOM edges and flows are added, then no single mutation reads more of the graph', async () => {
    // twice on the small graph: the first run warms the plan cache
    await measure();
    const small = await measure();
    const summary = await importDocument(graph, unrelated());
    expect(summary.counts.bom).toBeGreaterThan(7000);
    const large = await measure();

    const report = Object.keys(MUTATIONS).map((name) => ({
      name,
      statements: large[name]?.length,
      small: total(small[name]),
      large: total(large[name]),
    }));
    console.log(
      'db hits per mutation (small graph → with the large unrelated BOM and flows):\n' +
        report.map((r) => `  ${r.name}: ${r.small} → ${r.large}`).join('\n'),
    );
    // The same statements on a graph 100 times larger do the same work, give or take a few hits
    // (a statement may be re-planned for the new statistics); reading the large BOM costs thousands.
    expect(report.filter((r) => r.statements !== small[r.name]?.length)).toEqual([]);
    expect(report.filter((r) => r.large > r.small + TOLERANCE)).toEqual([]);
  });
});
