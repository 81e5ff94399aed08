import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { Graph } from '../../src/graph/executor';
import { emptyBatch, type RowCounts, type WriteBatch } from '../../src/telemetry/records';
import { SequencedRetryError, writeBatch, type InstanceCursor } from '../../src/telemetry/store';
import { PreviousBatchFailedError, type Sequence } from '../../src/telemetry/writer';
import { startTestApp } from '../support/app';
import { readingRecord } from '../support/records';
import { resetTwins, testGraph } from '../support/db';
import { importPlant, nextTs, readings as readingsUnder } from '../support/plant';
import { waitFor } from '../support/live';
import { startTcpProxy } from '../support/tcp-proxy';

/*
 * Two telemetry batches in flight at once (the writer's overlap under a backlog), against Neo4j:
 * the one behind waits in Neo4j on the cursor the one ahead holds, so what it reads and sets is
 * what the one ahead committed, and it never commits when the one ahead did not.
 */

let graph: Graph;
const run = randomUUID();
const instance = `overlap-${run}`;
const metrics = [`ovl-${run}/temp`, `ovl-${run}/rpm`];

beforeAll(async () => {
  graph = testGraph();
  await graph.write('UNWIND $ids AS id CREATE (:Metric {id: id})', { ids: metrics });
});
afterAll(async () => {
  await graph.write(
    `MATCH (n) WHERE (n:Metric OR n:Reading OR n:Asset) AND n.id STARTS WITH $prefix
        OR n:StateChange AND n.assetId STARTS WITH $prefix
        OR n:TelemetryJournalCursor AND n.instance STARTS WITH $instance
     DETACH DELETE n`,
    { prefix: `ovl-${run}/`, instance },
  );
  await graph.close();
});

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

function batch(rows: [metric: number, second: number, value: number][]): WriteBatch {
  const readings = rows.map(([m, s, value]) =>
    readingRecord({ metricId: metrics[m] ?? '', ts: at(s), value }),
  );
  return { ...emptyBatch(), id: randomUUID(), readings };
}

const cursor = (readings: number): InstanceCursor => {
  const through: RowCounts = { readings, states: 0, rejections: 0, observations: 0 };
  return { instance, run, through };
};

/** Gates not yet settled: a failed test opens them, so no transaction stays open. */
const gates: (() => void)[] = [];
afterEach(() => {
  for (const open of gates.splice(0)) open();
});

/** A promise settled from outside, standing in for a batch ahead held open. */
function gate(): { promise: Promise<void>; open: () => void; fail: () => void } {
  let open = () => {};
  let fail = () => {};
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = () => reject(new Error('the batch ahead failed'));
  });
  promise.catch(() => {});
  gates.push(() => open());
  return { promise, open: () => open(), fail: () => fail() };
}

/** Resolves once `sequence.locked` was called. */
function lockWatch(previous: Promise<unknown> | null): { sequence: Sequence; held: Promise<void> } {
  let locked = () => {};
  const held = new Promise<void>((resolve) => (locked = resolve));
  return { sequence: { previous, locked }, held };
}

/** The batch watched for being Blocked in Neo4j writes through this scope. */
const behindName = `overlap-behind-${run}`;
const behindGraph = () => graph.scope({ operationName: behindName });

/** Resolves once Neo4j shows a transaction of `behindGraph` waiting for a lock. */
async function behindBlocked(): Promise<void> {
  await waitFor(
    'the batch behind to wait for a lock in Neo4j',
    async () => {
      const rows = await graph.read(
        `SHOW TRANSACTIONS YIELD status, metaData
         WHERE status STARTS WITH 'Blocked' AND metaData.operationName = $name
         RETURN count(*) AS n`,
        { name: behindName },
      );
      return Number(rows[0]?.['n'] ?? 0) > 0 ? true : undefined;
    },
    10_000,
  );
}

async function stored(): Promise<{ readings: number; cursor: number | null; latest: unknown[] }> {
  const [row] = await graph.read(
    `OPTIONAL MATCH (r:Reading) WHERE r.id STARTS WITH $prefix
     WITH count(r) AS readings
     OPTIONAL MATCH (c:TelemetryJournalCursor {instance: $instance})
     WITH readings, c.readings AS cursor
     UNWIND $metrics AS id
     MATCH (m:Metric {id: id})
     RETURN readings, cursor, collect([m.ts, m.value]) AS latest`,
    { prefix: `ovl-${run}/`, instance, metrics },
  );
  return {
    readings: Number(row?.['readings'] ?? 0),
    cursor: row?.['cursor'] == null ? null : Number(row['cursor']),
    latest: Array.isArray(row?.['latest']) ? row['latest'] : [],
  };
}

describe('a batch written behind another (overlapping write transactions)', () => {
  it('when the one ahead is held open, then the one behind waits in Neo4j, and commits what writing them in turn leaves', async () => {
    // ahead: temp at :05 (newest); behind: temp at :03 (older, must not win), rpm at :09
    const ahead = batch([
      [0, 1, 1],
      [0, 5, 5],
    ]);
    const behind = batch([
      [0, 3, 3],
      [1, 9, 90],
    ]);
    const hold = gate(); // the ahead batch may not commit before this opens
    const first = lockWatch(hold.promise);
    const aheadDone = writeBatch(graph, ahead, cursor(2), first.sequence);
    await first.held;
    const second = lockWatch(aheadDone);
    const behindDone = writeBatch(behindGraph(), behind, cursor(4), second.sequence);
    let behindSettled = false;
    void behindDone.finally(() => (behindSettled = true)).catch(() => {});

    // the one behind is stopped by the cursor's lock, in Neo4j
    await behindBlocked();
    expect(behindSettled).toBe(false);
    expect((await stored()).readings).toBe(0);

    hold.open();
    await expect(aheadDone).resolves.toEqual([]);
    await expect(behindDone).resolves.toEqual([]);
    expect(await stored()).toEqual({
      readings: 4,
      cursor: 4,
      // temp keeps the newest of both batches (:05), not the one behind's older :03
      latest: [
        [at(5), 5],
        [at(9), 90],
      ],
    });
  });

  it('when the one ahead rolls back, then the one behind rolls back too and neither is stored', async () => {
    const before = await stored();
    const ahead = batch([[0, 20, 20]]);
    const behind = batch([[1, 21, 21]]);
    const hold = gate();
    const first = lockWatch(hold.promise);
    const aheadDone = writeBatch(graph, ahead, cursor(10), first.sequence);
    aheadDone.catch(() => {});
    await first.held;
    const behindDone = writeBatch(behindGraph(), behind, cursor(11), lockWatch(aheadDone).sequence);
    behindDone.catch(() => {});
    await behindBlocked();

    hold.fail();
    await expect(aheadDone).rejects.toBeInstanceOf(PreviousBatchFailedError);
    await expect(behindDone).rejects.toBeInstanceOf(PreviousBatchFailedError);
    expect(await stored()).toEqual(before);
  });
});

describe('a transient failure of the batch ahead (its connection lost)', () => {
  it('when the driver would run the batch ahead again, then it is refused, both roll back and neither waits for the other for ever', async () => {
    const uri = new URL(process.env['NEO4J_URI'] ?? '');
    const proxy = await startTcpProxy({
      target: { host: uri.hostname, port: Number(uri.port || 7687) },
    });
    // the batch ahead goes through the proxy, the one behind straight to Neo4j
    const ahead = Graph.connect({
      uri: `bolt://127.0.0.1:${proxy.port}`,
      user: process.env['NEO4J_USER'] ?? 'neo4j',
      password: process.env['NEO4J_PASSWORD'] ?? '',
      database: 'neo4j',
    });
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const before = await stored();
      const hold = gate();
      const first = lockWatch(hold.promise);
      const aheadDone = writeBatch(ahead, batch([[0, 60, 60]]), cursor(30), first.sequence);
      aheadDone.catch(() => {});
      await first.held;
      const behindDone = writeBatch(
        behindGraph(),
        batch([[1, 61, 61]]),
        cursor(31),
        lockWatch(aheadDone).sequence,
      );
      behindDone.catch(() => {});
      await behindBlocked();
      // Neo4j rolls the batch ahead back and the one behind takes the cursor; the driver's
      // retry of the one ahead would find a working connection
      proxy.cut();
      proxy.restore();
      hold.open();
      const settled = (p: Promise<unknown>) =>
        Promise.race([
          p.then(
            () => 'committed',
            (err: unknown) => err,
          ),
          new Promise((r) => setTimeout(() => r('still waiting after 20 s'), 20_000)),
        ]);
      const [a, b] = await Promise.all([settled(aheadDone), settled(behindDone)]);
      expect(a).toBeInstanceOf(SequencedRetryError);
      expect(b).toBeInstanceOf(PreviousBatchFailedError);
      expect(await stored()).toEqual(before);
    } finally {
      quiet.mockRestore();
      await ahead.close();
      await proxy.stop();
    }
  }, 60_000);
});

describe('two instances writing one metric at once (each with its own cursor)', () => {
  it('when the other instance commits a newer reading while this one waits for the metric, then the newer stays', async () => {
    // instance A's batch holds the metric (a newer reading) open; instance B's has an older one
    const newer = batch([[0, 40, 40]]);
    const older = batch([[0, 35, 35]]);
    const other = { instance: `${instance}-b`, run, through: cursor(1).through };
    const hold = gate();
    const first = lockWatch(hold.promise);
    const aDone = writeBatch(graph, newer, cursor(20), first.sequence);
    await first.held;
    // B is not behind A (another instance, another cursor): it waits on the metric alone
    const bDone = writeBatch(behindGraph(), older, other);
    await behindBlocked();
    hold.open();
    await aDone;
    await bDone;
    const [row] = await graph.read('MATCH (m:Metric {id: $id}) RETURN m.ts AS ts, m.value AS v', {
      id: metrics[0],
    });
    expect(row).toEqual({ ts: at(40), v: 40 });
  });

  it('when the other instance commits a newer state while this one waits for the asset, then the asset keeps the newer status', async () => {
    const assetId = `ovl-${run}/asset`;
    await graph.write('CREATE (:Asset {id: $assetId})', { assetId });
    const state = (second: number, status: string): WriteBatch => ({
      ...emptyBatch(),
      id: randomUUID(),
      states: [
        {
          assetId,
          status,
          reason: null,
          ts: at(second),
          topic: 't/F/L/A/state',
          receivedAt: at(second),
        },
      ],
    });
    const states = (n: number): InstanceCursor => ({
      instance,
      run,
      through: { readings: 0, states: n, rejections: 0, observations: 0 },
    });
    const hold = gate();
    const first = lockWatch(hold.promise);
    const aDone = writeBatch(graph, state(50, 'DOWN'), states(1), first.sequence);
    await first.held;
    const bDone = writeBatch(behindGraph(), state(45, 'RUNNING'), {
      ...states(1),
      instance: `${instance}-b`,
    });
    await behindBlocked();
    hold.open();
    await aDone;
    await bDone;
    const [row] = await graph.read(
      'MATCH (a:Asset {id: $assetId}) RETURN a.status AS status, a.statusTs AS ts',
      { assetId },
    );
    expect(row).toEqual({ status: 'DOWN', ts: at(50) });
  });
});

describe('the server under a backlog (batches of 10, a burst of 1,500 readings out of time order)', () => {
  it('when batches overlap, then every reading is stored once, the metric keeps its newest value and the cursor counts them all', async () => {
    const prefix = `ovl${run.slice(0, 8)}`;
    const id = `overlap-e2e-${run}`;
    const app = await startTestApp({
      MQTT_TOPIC_PREFIX: prefix,
      INSTANCE_ID: id,
      TELEMETRY_BATCH_SIZE: '10',
      TELEMETRY_FLUSH_MS: '20',
    });
    const client = await mqtt.connectAsync(process.env['MQTT_URL'] ?? '', {
      clientId: `test-overlap-${run}`,
    });
    try {
      await resetTwins(app.graph, app.runtime.telemetry.rules);
      await importPlant(app);
      // increasing times, published shuffled (a fixed permutation), each value its time's rank
      const n = 1500;
      const times = Array.from({ length: n }, () => nextTs());
      const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
      await Promise.all(
        order.map((i) =>
          client.publishAsync(
            `${prefix}/F1/L1/A1/telemetry`,
            JSON.stringify({ ts: times[i], metrics: { temperature: i % 100 } }),
            { qos: 1 },
          ),
        ),
      );
      await waitFor('every reading stored', async () =>
        (await readingsUnder(app.graph, prefix)) >= n ? true : undefined,
      );
      await waitFor('the writer to have written all', () =>
        app.runtime.telemetry.stats().writer.buffered === 0 ? true : undefined,
      );
      expect(await readingsUnder(app.graph, prefix)).toBe(n);
      expect(app.runtime.telemetry.stats().writer.overlapped).toBeGreaterThan(0);
      const [metric] = await app.graph.read(
        'MATCH (m:Metric {id: $id}) RETURN m.ts AS ts, m.value AS value',
        { id: 'A1/temperature' },
      );
      expect(metric).toEqual({ ts: times[n - 1], value: (n - 1) % 100 });
      const [cursor] = await app.graph.read(
        'MATCH (c:TelemetryJournalCursor {instance: $id}) RETURN c.readings AS readings',
        { id },
      );
      expect(Number(cursor?.['readings'])).toBe(n);
    } finally {
      await client.endAsync();
      await app.stop();
      await graph.write('MATCH (c:TelemetryJournalCursor {instance: $id}) DELETE c', { id });
    }
  });
});
