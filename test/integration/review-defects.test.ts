import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Graph } from '../../src/graph/executor';
import { writeBatch } from '../../src/telemetry/store';
import type { WriteBatch } from '../../src/telemetry/records';
import { silentLog } from '../../src/log';
import { openClient, type OpenClient } from '../../src/telemetry/mqtt';
import { ingestWith } from '../../src/telemetry/ingest';
import { Persister } from '../../src/telemetry/persist';
import { AssetRegistry } from '../../src/telemetry/registry';
import { TelemetryWriter, type Added } from '../../src/telemetry/writer';
import { gql, startTestApp } from '../support/app';
import { resetTwins, testGraph } from '../support/db';
import { subscribe, waitFor } from '../support/live';
import { importPlant, nextTs, PLANT, publishMany, readings } from '../support/plant';
import { freePort } from '../support/mosquitto';
import { ADMIN_AUTHORIZATION, TEST_ADMIN_KEY } from '../support/credentials';
import { exited, serverReady, startServer } from '../support/child-server';

/*
 * The defects found by the review of main (issue 7), each against the real parts: Neo4j,
 * Mosquitto, the server (in process, or the compiled one as a child process where signals and
 * restarts are the point).
 */

let graph: Graph;
const mqttUrl = () => process.env['MQTT_URL'] ?? '';

beforeAll(async () => {
  graph = testGraph();
  await resetTwins(graph);
});
afterAll(async () => {
  await graph.close();
});

describe('subscriptions see the graph as it is at each event (defect 1)', () => {
  it('when a line is renamed and a value stored after the subscription started, then the next event shows both', async () => {
    const app = await startTestApp({ MQTT_TOPIC_PREFIX: 'd1' });
    const publisher = await mqtt.connectAsync(mqttUrl(), { clientId: `pub-d1-${Date.now()}` });
    try {
      await importPlant(app);
      const live = await subscribe(
        app.wsUrl,
        'subscription { telemetry(assetId: "A1") { asset { line { name } metrics { value } } readings { value } } }',
      );
      const send = (value: number) =>
        publisher.publishAsync(
          'd1/F1/L1/A1/telemetry',
          JSON.stringify({ ts: nextTs(), metrics: { temperature: value } }),
          { qos: 1 },
        );
      await send(11);
      const [first] = await live.until(1);
      expect(JSON.stringify(first)).toContain('"name":"Body"');
      await app.runtime.telemetry.flush(); // 11 is now the stored value
      const renamed = await gql(
        app,
        'mutation { updateLine(id: "L1", patch: {name: "Paint"}) { name } }',
      );
      expect(renamed.errors).toBeUndefined();
      await send(12);
      const events = await live.until(2);
      const second = JSON.stringify(events[1]);
      expect(second).toContain('"name":"Paint"');
      expect(second).toContain('"metrics":[{"value":11}]');
      expect(live.errors).toEqual([]);
      await live.close();
    } finally {
      await publisher.endAsync();
      await app.stop();
    }
  });
});

describe('alertRaised takes the severity enum (defect 5)', () => {
  it('when minSeverity is not a severity, then the subscription is refused with a message naming the values', async () => {
    const app = await startTestApp({ MQTT_TOPIC_PREFIX: 'd5' });
    try {
      const live = await subscribe(
        app.wsUrl,
        'subscription { alertRaised(minSeverity: SEVERE) { id } }',
      );
      await waitFor('the refusal', () => (live.errors.length > 0 ? true : undefined));
      expect(JSON.stringify(live.errors)).toMatch(/AlertSeverity/);
      await live.close();
    } finally {
      await app.stop();
    }
  });
});

describe('the asset cache follows structure changes (defect 6)', () => {
  it('when a line moves to another factory, then readings on its old topic are refused and live events go to the new factory', async () => {
    const app = await startTestApp({ MQTT_TOPIC_PREFIX: 'd6' });
    const publisher = await mqtt.connectAsync(mqttUrl(), { clientId: `pub-d6-${Date.now()}` });
    try {
      await importPlant(app);
      const moved = await gql(
        app,
        'mutation { updateLine(id: "L1", patch: {factoryId: "F2"}) { factory { id } } }',
      );
      expect(moved.errors).toBeUndefined();
      await waitFor('the cache to see L1 in F2', () =>
        app.runtime.telemetry.registry.cached('A1')?.factoryId === 'F2' ? true : undefined,
      );
      const inF2 = await subscribe(app.wsUrl, 'subscription { telemetry(factoryId: "F2") { ts } }');
      await publisher.publishAsync(
        'd6/F1/L1/A1/telemetry',
        JSON.stringify({ ts: nextTs(), metrics: { temperature: 30 } }),
        { qos: 1 },
      );
      await publisher.publishAsync(
        'd6/F2/L1/A1/telemetry',
        JSON.stringify({ ts: nextTs(), metrics: { temperature: 31 } }),
        { qos: 1 },
      );
      await waitFor('both messages processed', () =>
        app.runtime.telemetry.stats().received >= 2 ? true : undefined,
      );
      await app.runtime.telemetry.flush();
      expect(await readings(graph, 'd6/F1')).toBe(0);
      expect(await readings(graph, 'd6/F2')).toBe(1);
      const rejected = await graph.read(
        "MATCH (e:TelemetryRejection {reason: 'WRONG_LINE'}) WHERE e.topic STARTS WITH 'd6/F1' RETURN count(e) AS n",
      );
      expect(Number(rejected[0]?.['n'])).toBe(1);
      await inF2.until(1);
      expect(inF2.events).toHaveLength(1);
      await inF2.close();
    } finally {
      await publisher.endAsync();
      await app.stop();
    }
  });
});

describe('a replayed batch changes nothing that was written (defect 2)', () => {
  it('when the same batch is written twice, then rejection counts and alert repeats count it once', async () => {
    await graph.write("MATCH (s:TelemetryRejectionStat {reason: 'NOT_JSON'}) DETACH DELETE s");
    const app = await startTestApp({ MQTT_TOPIC_PREFIX: 'd2' });
    try {
      await importPlant(app);
    } finally {
      await app.stop();
    }
    const at = nextTs();
    const batch: WriteBatch = {
      id: `test-batch-${Date.now()}`,
      readings: [],
      states: [],
      rejections: [
        {
          reason: 'NOT_JSON',
          detail: 'x',
          topic: 'd2/x',
          payload: 'x',
          receivedAt: at,
          metric: null,
        },
      ],
      observations: [
        {
          ruleId: 'metric-range',
          subjectId: 'A1/temperature',
          about: { label: 'Asset', id: 'A1' },
          condition: 'bad',
          at,
          message: 'hot',
          value: 500,
          factoryId: null,
          lineId: null,
          assetId: 'A1',
          metricId: 'A1/temperature',
        },
        {
          ruleId: 'metric-range',
          subjectId: 'A1/temperature',
          about: { label: 'Asset', id: 'A1' },
          condition: 'clear',
          at: new Date(Date.parse(at) + 1000).toISOString(),
          message: 'fine',
          value: 20,
          factoryId: null,
          lineId: null,
          assetId: 'A1',
          metricId: 'A1/temperature',
        },
        {
          ruleId: 'metric-range',
          subjectId: 'A1/temperature',
          about: { label: 'Asset', id: 'A1' },
          condition: 'bad',
          at: new Date(Date.parse(at) + 2000).toISOString(),
          message: 'hot again',
          value: 500,
          factoryId: null,
          lineId: null,
          assetId: 'A1',
          metricId: 'A1/temperature',
        },
      ],
    };
    const counts = async () => {
      const rows = await graph.read(
        `OPTIONAL MATCH (s:TelemetryRejectionStat {reason: 'NOT_JSON'})
         OPTIONAL MATCH (x:Alert {openKey: 'metric-range|A1/temperature'})
         RETURN s.count AS rejections, x.count AS repeats`,
      );
      return rows[0];
    };
    const raised = await writeBatch(graph, batch);
    expect(raised).toHaveLength(1);
    const once = await counts();
    expect(await writeBatch(graph, batch)).toEqual([]);
    expect(await counts()).toEqual(once);
    // raised, cleared, back: one alert that came back once (count 2), counted once
    expect(once).toEqual({ rejections: 1, repeats: 2 });
  });
});

describe('the compiled server under signals and restarts (defects 9, 10)', () => {
  it('when SIGTERM arrives mid-ingest, then the ordered shutdown writes every acknowledged reading and exits 0', async () => {
    const port = await freePort();
    const app = { url: `http://127.0.0.1:${port}` };
    const env = {
      PORT: String(port),
      MQTT_TOPIC_PREFIX: 'd9',
      INSTANCE_ID: `d9-${Date.now()}`,
      MQTT_SHARED_GROUP: `d9-${Date.now()}`,
      // a long flush interval keeps readings in the buffer when the signal arrives
      TELEMETRY_FLUSH_MS: '60000',
      TELEMETRY_BATCH_SIZE: '100000',
    };
    const server = startServer(env);
    const publisher = await mqtt.connectAsync(mqttUrl(), { clientId: `pub-d9-${Date.now()}` });
    try {
      await serverReady(port, server);
      await importPlant(app);
      await new Promise((r) => setTimeout(r, 500)); // the import event reaches the cache
      // every publish is acknowledged by the broker; the server acknowledges once buffered
      await publishMany(publisher, 'd9', 500);
      await new Promise((r) => setTimeout(r, 500));
      expect(await readings(graph, 'd9')).toBe(0); // all still buffered
      server.child.kill('SIGTERM');
      expect(await exited(server.child)).toBe(0);
      expect(await readings(graph, 'd9')).toBe(500);
      expect(server.stderr()).not.toMatch(/spilled/);
    } finally {
      await publisher.endAsync();
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });

  it('when the server restarts with messages queued for its session, then every one of them is stored', async () => {
    const port = await freePort();
    const app = { url: `http://127.0.0.1:${port}` };
    const env = {
      PORT: String(port),
      MQTT_TOPIC_PREFIX: 'd10',
      INSTANCE_ID: `d10-${Date.now()}`,
      MQTT_SHARED_GROUP: `d10-${Date.now()}`,
    };
    const first = startServer(env);
    const publisher = await mqtt.connectAsync(mqttUrl(), { clientId: `pub-d10-${Date.now()}` });
    try {
      await serverReady(port, first);
      await importPlant(app);
      first.child.kill('SIGTERM');
      expect(await exited(first.child)).toBe(0);
      // the server is away: the broker queues these for its persistent shared session
      await publishMany(publisher, 'd10', 300);
      const second = startServer(env);
      try {
        await waitFor(
          `300 stored after the restart (${second.stderr().slice(-2000)})`,
          async () => ((await readings(graph, 'd10')) >= 300 ? true : undefined),
          30000,
        );
        second.child.kill('SIGTERM');
        expect(await exited(second.child)).toBe(0);
        expect(await readings(graph, 'd10')).toBe(300);
      } finally {
        if (second.child.exitCode === null) second.child.kill('SIGKILL');
      }
    } finally {
      await publisher.endAsync();
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
    }
  });
});

describe('a message that could not be buffered is not acknowledged (defect 3)', () => {
  it('when buffering fails once, then the broker redelivers the message and it is stored once', async () => {
    const app = await startTestApp({ MQTT_TOPIC_PREFIX: 'd3' });
    try {
      await importPlant(app);
    } finally {
      await app.stop();
    }
    const registry = new AssetRegistry(graph);
    await registry.loadAll();
    const log = silentLog();
    let failures = 1;
    let calls = 0;
    class FlakyWriter extends TelemetryWriter {
      override async add(rows: Parameters<TelemetryWriter['add']>[0]): Promise<Added> {
        calls += 1;
        if (failures-- > 0) throw new Error('injected: buffer unavailable');
        return super.add(rows);
      }
    }
    const writer = new FlakyWriter((b) => writeBatch(graph, b), {
      flushMs: 50,
      maxBatch: 100,
      maxBuffered: 1000,
      spillDir: '/tmp/twin-graph-d3-spill',
      log,
    });
    let open: OpenClient | undefined = undefined;
    const persister = new Persister(
      ingestWith(registry, 'd3', {
        maxFutureMs: 300_000,
        maxAgeMs: 3_600_000 * 24,
        maxBytes: 65536,
      }),
      writer,
      'd3',
      log,
      () => undefined,
      () => open?.redeliver(),
    );
    open = openClient({
      url: mqttUrl(),
      clientId: `d3-persist-${Date.now()}`,
      clean: false,
      v5: true,
      filters: ['d3/#'],
      handleMessage: persister.handleMessage,
      log,
    });
    const publisher = await mqtt.connectAsync(mqttUrl(), { clientId: `pub-d3-${Date.now()}` });
    try {
      await open.ready;
      await publishMany(publisher, 'd3', 1);
      await waitFor('the redelivered message stored', async () =>
        (await readings(graph, 'd3')) === 1 ? true : undefined,
      );
      expect(calls).toBe(2);
      expect(persister.counts).toMatchObject({ received: 1, accepted: 1, notAcknowledged: 1 });
      await writer.stop(1000);
      expect(await readings(graph, 'd3')).toBe(1);
    } finally {
      await publisher.endAsync();
      await open.client.endAsync(true);
    }
  });
});

describe('npm run import tells running servers (defect 6)', () => {
  it('when a document is imported from the command line, then a running server accepts readings of its new assets', async () => {
    const app = await startTestApp({ MQTT_TOPIC_PREFIX: 'd6i', TELEMETRY_CACHE_RELOAD_S: '0' });
    const dir = await mkdtemp(join(tmpdir(), 'd6i-'));
    const file = join(dir, 'plant.json');
    const doc = {
      ...PLANT,
      assets: [{ ...PLANT.assets[0], id: 'A-CLI', metrics: PLANT.assets[0]?.metrics }],
    };
    await writeFile(file, JSON.stringify(doc));
    try {
      expect(app.runtime.telemetry.registry.cached('A-CLI')).toBeUndefined();
      const cli = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'import.js');
      const run = spawnSync(process.execPath, [cli, file], {
        env: {
          PATH: process.env['PATH'] ?? '',
          TWIN_ADMIN_KEY: TEST_ADMIN_KEY,
          NEO4J_URI: process.env['NEO4J_URI'] ?? '',
          MQTT_URL: mqttUrl(),
          MQTT_TOPIC_PREFIX: 'd6i',
        },
        encoding: 'utf8',
        timeout: 60000,
      });
      expect(run.stderr).toMatch(/told running servers/);
      expect(run.status).toBe(0);
      await waitFor('the server to know A-CLI', () =>
        app.runtime.telemetry.registry.cached('A-CLI'),
      );
    } finally {
      await app.stop();
    }
  });
});

describe('start-up does not wait for the broker (defect 8)', () => {
  it('when the external broker is unreachable, then the server listens, /readyz fails its check, the log names the broker, and SIGTERM shuts down in order', async () => {
    const port = await freePort();
    const nobody = await freePort();
    const server = startServer({
      PORT: String(port),
      MQTT_URL: `mqtt://127.0.0.1:${nobody}`,
      MQTT_TOPIC_PREFIX: 'd8',
      INSTANCE_ID: `d8-${Date.now()}`,
    });
    try {
      const health = await waitFor(`/healthz (${server.stderr()})`, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        return res.ok ? res.status : undefined;
      });
      expect(health).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      // /readyz answers anyone, so it names the failing check, never its detail: that is logged
      const report = await ready.json();
      expect(report).toMatchObject({ ready: false, checks: { mqtt: { ok: false } } });
      expect(JSON.stringify(report)).not.toContain(`127.0.0.1:${nobody}`);
      await waitFor(`the log to name the broker (${server.stderr()})`, () =>
        server.stderr().includes(`not ready: mqtt: not connected to mqtt://127.0.0.1:${nobody}`)
          ? true
          : undefined,
      );
      server.child.kill('SIGTERM');
      expect(await exited(server.child)).toBe(0);
      expect(server.stderr()).toMatch(/SIGTERM: shutting down/);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });
});

describe('structured logs (defect 4)', () => {
  const lines = (stderr: string): Record<string, unknown>[] =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l): unknown => JSON.parse(l))
      .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);

  async function serveOnce(level: string, requestId: string): Promise<Record<string, unknown>[]> {
    const port = await freePort();
    const server = startServer({
      PORT: String(port),
      LOG_LEVEL: level,
      MQTT_TOPIC_PREFIX: 'd4',
      INSTANCE_ID: `d4-${level}-${Date.now()}`,
    });
    try {
      await serverReady(port, server);
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': requestId,
          authorization: ADMIN_AUTHORIZATION,
        },
        body: JSON.stringify({ query: 'query Plants { factories(first: 1) { totalCount } }' }),
      });
      expect(res.headers.get('x-request-id')).toBe(requestId);
      server.child.kill('SIGTERM');
      expect(await exited(server.child)).toBe(0);
      return lines(server.stderr());
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  }

  it('when LOG_LEVEL is debug, then every line of an operation carries its request id, its Cypher included', async () => {
    const logged = await serveOnce('debug', 'req-d4-debug');
    const ofRequest = logged.filter((l) => l['requestId'] === 'req-d4-debug');
    expect(
      ofRequest.some((l) => l['msg'] === 'graphql operation' && l['operationName'] === 'Plants'),
    ).toBe(true);
    expect(ofRequest.some((l) => l['level'] === 20 && String(l['msg']).startsWith('cypher'))).toBe(
      true,
    );
  });

  it('when LOG_LEVEL is warn, then no info or debug line is written', async () => {
    const logged = await serveOnce('warn', 'req-d4-warn');
    expect(logged.filter((l) => Number(l['level']) < 40)).toEqual([]);
  });
});
