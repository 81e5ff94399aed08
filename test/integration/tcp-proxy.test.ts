import neo4j from 'neo4j-driver';
import { GraphQLError } from 'graphql';
import { Graph, type GraphSettings } from '../../src/graph/executor';
import { startTcpProxy, type TcpProxyHandle } from '../support/tcp-proxy';

/**
 * The proxy sits between a Graph and the suite's Neo4j so a test can make the database vanish
 * for a moment. Graph.connect has no retry-time setting, so the test that needs the driver to
 * give up quickly builds its own driver through a subclass.
 */
class ShortRetryGraph extends Graph {
  static open(settings: GraphSettings, maxTransactionRetryTime: number): Graph {
    const driver = neo4j.driver(settings.uri, neo4j.auth.basic(settings.user, settings.password), {
      disableLosslessIntegers: true,
      maxTransactionRetryTime,
      connectionTimeout: 2000,
      logging: { level: 'error', logger: () => {} },
    });
    return new ShortRetryGraph(driver, settings.database);
  }
}

function target(): { host: string; port: number } {
  const uri = process.env['NEO4J_URI'];
  if (!uri) throw new Error('NEO4J_URI is unset: run through the integration project');
  const url = new URL(uri);
  return { host: url.hostname, port: Number(url.port || 7687) };
}

const settings = (port: number): GraphSettings => ({
  uri: `bolt://127.0.0.1:${port}`,
  user: process.env['NEO4J_USER'] ?? 'neo4j',
  password: process.env['NEO4J_PASSWORD'] ?? '',
  database: 'neo4j',
});

function codeOf(err: unknown): unknown {
  return err instanceof GraphQLError ? err.extensions['code'] : err;
}

describe('tcp proxy in front of Neo4j', () => {
  let proxy: TcpProxyHandle;
  const graphs: Graph[] = [];
  const open = (graph: Graph) => (graphs.push(graph), graph);

  beforeEach(async () => {
    proxy = await startTcpProxy({ target: target() });
    // Graph logs each connection the cut breaks; expected here, so kept out of the output.
    jest.spyOn(console, 'error').mockImplementation(() => {});
  });

  afterEach(async () => {
    await Promise.all(graphs.splice(0).map((g) => g.close().catch(() => {})));
    await proxy.stop();
    jest.restoreAllMocks();
  });

  it('when the proxy forwards, then queries run through it', async () => {
    const graph = open(Graph.connect(settings(proxy.port)));
    await expect(graph.read('RETURN 1 AS x')).resolves.toEqual([{ x: 1 }]);
    expect(proxy.connections()).toBeGreaterThanOrEqual(1);
    expect(proxy.accepted()).toBeGreaterThanOrEqual(1);
  });

  it('when cut, then a query fails with DATABASE_UNAVAILABLE; when restored, then queries work again', async () => {
    const graph = open(Graph.connect(settings(proxy.port)));
    await graph.read('RETURN 1 AS x');

    proxy.cut();
    expect(proxy.connections()).toBe(0);
    // Auto-commit statements are not retried by the driver, so the failure shows at once.
    const err: unknown = await graph.autoCommit('RETURN 1 AS x').then(
      () => 'resolved',
      (e: unknown) => e,
    );
    expect(codeOf(err)).toBe('DATABASE_UNAVAILABLE');
    expect(String(err)).toMatch(/check NEO4J_URI/);

    proxy.restore();
    await expect(graph.read('RETURN 2 AS x')).resolves.toEqual([{ x: 2 }]);
    await expect(graph.autoCommit('RETURN 3 AS x')).resolves.toEqual([{ x: 3 }]);
  });

  it('when cut for longer than the retry time, then a read transaction gives up with DATABASE_UNAVAILABLE', async () => {
    const graph = open(ShortRetryGraph.open(settings(proxy.port), 1500));
    await graph.read('RETURN 1 AS x');

    proxy.cut();
    const started = Date.now();
    const err: unknown = await graph.read('RETURN 1 AS x').then(
      () => 'resolved',
      (e: unknown) => e,
    );
    expect(codeOf(err)).toBe('DATABASE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(15_000);

    proxy.restore();
    await expect(graph.read('RETURN 1 AS x')).resolves.toEqual([{ x: 1 }]);
  });

  it('when cut briefly, then a read transaction rides it out on the driver retries', async () => {
    const graph = open(Graph.connect(settings(proxy.port)));
    await graph.read('RETURN 1 AS x');

    proxy.cut();
    const pending = graph.read('RETURN 4 AS x');
    setTimeout(() => proxy.restore(), 1000);
    await expect(pending).resolves.toEqual([{ x: 4 }]);
    expect(proxy.isCut()).toBe(false);
  });
});
