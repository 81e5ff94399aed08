import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { GraphQLError } from 'graphql';
import { Graph, type GraphSettings } from '../../src/graph/executor';
import { memoryLog } from '../../src/log';
import { testGraph } from '../support/db';

function settings(extra: Partial<GraphSettings> = {}): GraphSettings {
  const uri = process.env['NEO4J_URI'];
  if (!uri) throw new Error('NEO4J_URI is unset: run through the integration project');
  return {
    uri,
    user: process.env['NEO4J_USER'] ?? 'neo4j',
    password: process.env['NEO4J_PASSWORD'] ?? '',
    database: 'neo4j',
    ...extra,
  };
}

const codeOf = (err: unknown): unknown =>
  err instanceof GraphQLError ? err.extensions['code'] : err;

const failureOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (err: unknown) => err,
  );

describe('the executor on a real Neo4j', () => {
  let graph: Graph;
  const opened: Graph[] = [];
  const open = (g: Graph): Graph => {
    opened.push(g);
    return g;
  };
  let label: string;

  beforeAll(() => {
    graph = testGraph();
  });
  afterAll(async () => {
    await Promise.all(opened.map((g) => g.close()));
    await graph.close();
  });
  beforeEach(() => {
    label = `ExecTest${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  });
  afterEach(async () => {
    await graph.write(`MATCH (n:${label}) DETACH DELETE n`);
  });

  /** The metadata of the transaction running this very statement, as Neo4j lists it. */
  const ownMetadata = (marker: string) =>
    `SHOW TRANSACTIONS YIELD currentQuery, metaData
     WHERE currentQuery CONTAINS '${marker}' RETURN metaData`;

  it('when a scope names the operation and request, then every transaction of it carries them as metadata', async () => {
    const scope = graph.scope({ operationName: 'FactoryPage', requestId: 'req-42' });
    const expected = { app: 'twin-graph', operationName: 'FactoryPage', requestId: 'req-42' };

    const read = await scope.read(ownMetadata(`read-${label}`));
    expect(read).toEqual([{ metaData: expected }]);
    const auto = await scope.autoCommit(ownMetadata(`auto-${label}`));
    expect(auto).toEqual([{ metaData: expected }]);
    const inTx = await scope.transaction('READ', (tx) => tx.run(ownMetadata(`tx-${label}`)));
    expect(inTx).toEqual([{ metaData: expected }]);

    const nested = await scope.scope({ requestId: 'req-43' }).read(ownMetadata(`nested-${label}`));
    expect(nested).toEqual([{ metaData: { ...expected, requestId: 'req-43' } }]);
    const plain = await graph.scope().read(ownMetadata(`plain-${label}`));
    expect(plain).toEqual([{ metaData: { app: 'twin-graph' } }]);
  });

  it('when a scope runs statements, then it counts them and so does the executor it came from', async () => {
    const root = open(Graph.connect(settings()));
    const scope = root.scope({ requestId: 'count' });
    await scope.read('RETURN 1');
    await scope.transaction('READ', async (tx) => {
      await tx.run('RETURN 1');
      await tx.run('RETURN 2');
    });
    expect(scope.queries).toBe(3);
    expect(root.queries).toBe(3);
  });

  /**
   * Holds a write lock on a node in an open transaction until `release()`: a statement that
   * writes the node waits for as long as the test wants, without a slow query.
   */
  async function lockedNode(): Promise<{ release(): Promise<void> }> {
    await graph.write(`CREATE (:${label} {id: 'locked'})`);
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = () => {};
    const isHeld = new Promise<void>((resolve) => (held = resolve));
    const holding = graph.transaction('WRITE', async (tx) => {
      await tx.run(`MATCH (n:${label} {id: 'locked'}) SET n.heldByTest = true`);
      held();
      await released;
    });
    await isHeld;
    return {
      release: async () => {
        release();
        await holding;
      },
    };
  }

  it('when a transaction runs longer than the timeout, then Neo4j stops it and the error has code TIMEOUT and says what to do', async () => {
    const timed = open(Graph.connect(settings({ txTimeoutMs: 100 })));
    const lock = await lockedNode();
    let inTransaction: unknown;
    let autoCommitted: unknown;
    try {
      inTransaction = await failureOf(
        timed.write(`MATCH (n:${label} {id: 'locked'}) SET n.touched = true`),
      );
      autoCommitted = await failureOf(
        timed.autoCommit(`MATCH (n:${label} {id: 'locked'}) SET n.touched = true`),
      );
    } finally {
      await lock.release();
    }
    for (const err of [inTransaction, autoCommitted]) {
      expect(codeOf(err)).toBe('TIMEOUT');
      expect(String(err)).toMatch(/100 ms transaction timeout/);
      expect(String(err)).toMatch(/raise NEO4J_TX_TIMEOUT_MS/);
    }
    const touched = await graph.read(`MATCH (n:${label} {id: 'locked'}) RETURN n.touched AS t`);
    expect(touched).toEqual([{ t: null }]);
  });

  it('when a read computes for longer than the timeout, then it is stopped with code TIMEOUT too', async () => {
    const timed = open(Graph.connect(settings({ txTimeoutMs: 100 })));
    const err = await failureOf(
      timed.read('UNWIND range(1, 1000000000) AS i WITH i WHERE i % 7 = 99 RETURN count(i) AS n'),
    );
    expect(codeOf(err)).toBe('TIMEOUT');
  });

  it('when a scope sets no timeout, then its statement waits as long as it must', async () => {
    const timed = open(Graph.connect(settings({ txTimeoutMs: 100 })));
    const lock = await lockedNode();
    const write = timed
      .scope({ txTimeoutMs: 0 })
      .write(`MATCH (n:${label} {id: 'locked'}) SET n.touched = true RETURN n.touched AS t`);
    let waited = false;
    try {
      // Waiting here until the statement is blocked shows it outlived 100 ms without failing.
      for (let i = 0; i < 400 && !waited; i++) {
        const rows = await graph.autoCommit(
          `SHOW TRANSACTIONS YIELD currentQuery, status
           WHERE currentQuery CONTAINS $label AND status STARTS WITH 'Blocked' RETURN count(*) AS n`,
          { label },
        );
        waited = Number(rows[0]?.['n']) === 1;
        if (!waited) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      await lock.release();
    }
    expect(waited).toBe(true);
    expect(await write).toEqual([{ t: true }]);
  });

  it('when debug logging is on, then each statement is logged once with its rows, duration and request', async () => {
    const lines: string[] = [];
    const logged = open(Graph.connect(settings({ log: memoryLog(lines) })));
    const scope = logged.scope({ operationName: 'Probe', requestId: 'req-7' });

    await scope.read('UNWIND range(1, 3) AS i RETURN i');
    await scope.write(`CREATE (:${label} {id: 'a'})`);
    await scope.transaction('READ', async (tx) => {
      await tx.run('RETURN 1 AS one');
      await tx.run(`MATCH (n:${label}) RETURN n.id AS id`);
    });
    await scope.autoCommit('RETURN 2 AS two');
    await failureOf(scope.read('RETURN 1 / 0 AS boom'));

    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(
      /^cypher 3 rows in \d+ ms \(request req-7\): UNWIND range\(1, 3\) AS i RETURN i$/,
    );
    expect(lines[1]).toMatch(/^cypher 0 rows in \d+ ms \(request req-7\): CREATE \(:ExecTest/);
    expect(lines[2]).toMatch(/^cypher 1 row in \d+ ms \(request req-7\): RETURN 1 AS one$/);
    expect(lines[4]).toMatch(/: RETURN 2 AS two$/);
    expect(lines[5]).toMatch(/^cypher failed in \d+ ms \(request req-7\): RETURN 1 \/ 0 AS boom$/);
  });

  it('when a statement is long, then the debug line shows its first 200 characters on one line', async () => {
    const lines: string[] = [];
    const logged = open(Graph.connect(settings({ log: memoryLog(lines) })));
    const padding = Array.from({ length: 60 }, (_, i) => `${i} AS c${i}`).join(',\n       ');
    await logged.read(`RETURN ${padding}`);
    expect(lines).toHaveLength(1);
    const text = lines[0]?.split(': ').slice(1).join(': ') ?? '';
    expect(text).toHaveLength(200);
    expect(text).not.toContain('\n');
  });

  it('when the log level is above debug, then statements are not logged', async () => {
    const lines: string[] = [];
    const quiet = open(Graph.connect(settings({ log: memoryLog(lines, 'info') })));
    await quiet.read('RETURN 1');
    await quiet.scope({ requestId: 'r' }).autoCommit('RETURN 1');
    expect(lines).toEqual([]);
  });

  it('when a statement carries a large parameter, then its Bolt chunks leave in a few socket writes, not one per 1,400-byte chunk', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      id: `${label}-${i}`,
      topic: `twin/F1/L1/A${i % 100}/telemetry`,
      ts: new Date(1_700_000_000_000 + i).toISOString(),
      value: i / 3,
    }));
    await graph.read('RETURN 1'); // a pooled connection, so that only the statement is counted
    const chunks = jest.spyOn(Socket.prototype, 'write');
    const writes = jest.spyOn(Socket.prototype, '_write');
    const writevs = jest.spyOn(Socket.prototype, '_writev');
    let calls = 0;
    let written = 0;
    try {
      const [row] = await graph.write(
        `UNWIND $rows AS r CREATE (n:${label}) SET n = r RETURN count(n) AS n, sum(n.value) AS total`,
        { rows },
      );
      expect(row?.['n']).toBe(2000);
      expect(row?.['total']).toBeCloseTo(
        rows.reduce((t, r) => t + r.value, 0),
        6,
      );
      written = chunks.mock.calls.length;
      calls = writes.mock.calls.length + writevs.mock.calls.length;
    } finally {
      chunks.mockRestore();
      writes.mockRestore();
      writevs.mockRestore();
    }
    // ~190 KB of parameters: the driver writes ~140 chunks of 1,400 bytes; without coalescing,
    // each was its own system call
    expect(written).toBeGreaterThan(100);
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThan(10);
  });
});
