import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Graph } from '../../src/graph/executor';
import { MigrationError, Migrator } from '../../src/graph/migrations';
import { memoryLog } from '../../src/log';
import { testGraph } from '../support/db';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds; fails the test (instead of hanging) after `timeoutMs`. */
async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

/** Settles to the error a promise rejects with, or undefined when it resolves. */
const failureOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (err: unknown) => err,
  );

/*
 * Each test runs its own migration chain (a namespace of its own and a folder of its own), so
 * the product's applied chain in the shared database is left alone.
 */
describe('migrations on a real Neo4j', () => {
  let graph: Graph;
  let dir: string;
  let namespace: string;
  let label: string;
  let gate: string;

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
    gate = `${label}Gate`;
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
    await graph.write(`MATCH (n:${label}) DETACH DELETE n`);
    await graph.write(`MATCH (n:${gate}) DETACH DELETE n`);
    await graph.write('MATCH (m:__Migration {namespace: $namespace}) DETACH DELETE m', {
      namespace,
    });
    await graph.write('MATCH (l:__MigrationLock {namespace: $namespace}) DETACH DELETE l', {
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

  /**
   * V0001 becomes a file that stops at a gate node: the test holds a write lock on the gate in an
   * open transaction, so the migration's first statement waits until the test opens the gate (a
   * migration that runs as long as the test wants, without timing). The gate counts the passes,
   * that is how many times the file ran.
   */
  async function gatedFirstFile(): Promise<{ open(): Promise<void> }> {
    await writeFile(
      join(dir, 'V0001__first.cypher'),
      `MATCH (g:${gate}) SET g.passes = g.passes + 1;\nCREATE (:${label} {step: 1});\n`,
    );
    await graph.write(`CREATE (:${gate} {passes: 0})`);
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = () => {};
    const isHeld = new Promise<void>((resolve) => (held = resolve));
    const holding = graph.transaction('WRITE', async (tx) => {
      await tx.run(`MATCH (g:${gate}) SET g.heldByTest = true`);
      held();
      await released;
    });
    await isHeld;
    return {
      open: async () => {
        release();
        await holding;
      },
    };
  }

  const blockedAtGate = async () => {
    const rows = await graph.autoCommit(
      `SHOW TRANSACTIONS YIELD currentQuery, status
       WHERE currentQuery CONTAINS $gate AND status STARTS WITH 'Blocked' RETURN count(*) AS n`,
      { gate },
    );
    return Number(rows[0]?.['n']);
  };

  const passes = async () => (await graph.read(`MATCH (g:${gate}) RETURN g.passes AS n`))[0]?.['n'];

  it('when a migration runs longer than the takeover age, then its heartbeat keeps the lock and a second runner waits instead of running the file again', async () => {
    const gateway = await gatedFirstFile();
    const quick = { dir, namespace, staleLockMs: 1000, heartbeatMs: 100 };
    const a = new Migrator(graph, quick).migrate();
    const waiting: string[] = [];
    let b: Promise<unknown> = Promise.resolve();
    try {
      await waitFor('the first runner waits at the gate inside V0001', async () => {
        return (await blockedAtGate()) === 1;
      });
      b = new Migrator(graph, {
        ...quick,
        lockTimeoutMs: 60_000,
        log: memoryLog(waiting),
      }).migrate();
      await waitFor('the second runner waits for the lock', () =>
        waiting.some((l) => l.includes('waiting for its lock')),
      );
      // Several takeover ages pass while the first runner is still inside V0001.
      await sleep(3 * quick.staleLockMs);
    } finally {
      await gateway.open();
    }
    const [ra, rb] = await Promise.allSettled([a, b]);

    expect(await passes()).toBe(1);
    expect(ra).toEqual({
      status: 'fulfilled',
      value: { applied: ['V0001__first.cypher', 'V0002__second.cypher'], alreadyApplied: 0 },
    });
    expect(rb).toEqual({ status: 'fulfilled', value: { applied: [], alreadyApplied: 2 } });
    expect(waiting.some((l) => l.includes('took over'))).toBe(false);
    expect(await steps()).toEqual([1, 2, 3]);
  });

  it('when a runner loses its lock in the middle of a file, then no file runs twice and both runners say why they stopped', async () => {
    const gateway = await gatedFirstFile();
    // The first runner renews its lock far less often than the second runner's takeover age, as
    // if it had frozen: the second takes the lock over while the first is inside V0001.
    const first = failureOf(
      new Migrator(graph, { dir, namespace, staleLockMs: 120_000, heartbeatMs: 60_000 }).migrate(),
    );
    let secondDone = false;
    let second: Promise<unknown> = Promise.resolve();
    try {
      await waitFor('the first runner waits at the gate inside V0001', async () => {
        return (await blockedAtGate()) === 1;
      });
      second = failureOf(
        new Migrator(graph, { dir, namespace, staleLockMs: 100, heartbeatMs: 20 }).migrate(),
      ).finally(() => (secondDone = true));
      // Without the fence the second runner would run V0001 again and wait at the gate too.
      await waitFor('the second runner stops or runs V0001 again', async () => {
        return secondDone || (await blockedAtGate()) >= 2;
      });
    } finally {
      await gateway.open();
    }
    const [firstError, secondError] = await Promise.all([first, second]);

    expect(await passes()).toBe(1);
    expect(secondError).toBeInstanceOf(MigrationError);
    expect(String(secondError)).toMatch(
      /V0001__first\.cypher was started by .* and did not finish/,
    );
    expect(firstError).toBeInstanceOf(MigrationError);
    expect(String(firstError)).toMatch(
      /lost the migration lock before applying V0002__second\.cypher/,
    );
    expect(await steps()).toEqual([1]);
    const applied = await new Migrator(graph, { dir, namespace }).applied();
    expect(applied.map((m) => m.version)).toEqual([1]);
  });

  it('when the lock owner stopped renewing it longer ago than the takeover age, then it is taken over', async () => {
    await graph.write(
      `CREATE (:__MigrationLock {namespace: $namespace, owner: 'a-dead-instance',
                                 acquiredAt: datetime() - duration('PT1H'),
                                 heartbeatAt: datetime() - duration('PT1H')})`,
      { namespace },
    );
    const lines: string[] = [];
    const result = await new Migrator(graph, {
      dir,
      namespace,
      staleLockMs: 60_000,
      log: memoryLog(lines),
    }).migrate();
    expect(result.applied).toHaveLength(2);
    expect(lines.some((l) => l.includes('took over the migration lock of a-dead-instance'))).toBe(
      true,
    );
  });

  it('when a migration fails and releasing the lock fails too, then the migration error is reported and the release failure is logged', async () => {
    // The file ties the lock node to a node by a relationship, so deleting the lock fails too.
    await writeFile(
      join(dir, 'V0001__first.cypher'),
      `MATCH (l:__MigrationLock {namespace: '${namespace}'}) CREATE (l)-[:PINNED_BY_TEST]->(:${label} {step: 1});\n` +
        'RETURN 1 / 0;\n',
    );
    const lines: string[] = [];
    const error = await failureOf(
      new Migrator(graph, { dir, namespace, log: memoryLog(lines) }).migrate(),
    );

    expect(error).toBeInstanceOf(MigrationError);
    expect(String(error)).toMatch(/V0001__first\.cypher failed at statement "RETURN 1 \/ 0"/);
    expect(
      lines.some((l) =>
        l.includes('could not release the migration lock after the migration failed'),
      ),
    ).toBe(true);
    expect(await new Migrator(graph, { dir, namespace }).applied()).toEqual([]);
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
