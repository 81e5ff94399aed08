import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Graph } from '../../src/graph/executor';
import { allFiles } from '../../src/history/layout';
import { startTestApp } from '../support/app';
import { exited, serverReady, startServer } from '../support/child-server';
import { resetTwins, testGraph } from '../support/db';
import { waitFor } from '../support/live';
import { freePort } from '../support/mosquitto';
import { importPlant, nextTs, readings } from '../support/plant';

/*
 * The long-term history's write path against the real parts (docs/history.md): readings that
 * arrive over MQTT reach Parquet files in HISTORY_DIR, stay there once the graph has let them go,
 * and two instances writing into one directory at once lose and duplicate nothing.
 */

let graph: Graph;
const dirs: string[] = [];

beforeAll(async () => {
  graph = testGraph();
  await resetTwins(graph);
});
afterAll(async () => {
  await graph.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function historyDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'twin-history-it-'));
  dirs.push(dir);
  return dir;
}

interface FileRow {
  metricId: string;
  ts: string;
  value: number;
  source: string;
  factory: string;
  file: string;
}

/** Every row of every history file under `dir` whose topic starts with `prefix/` (none: []). */
async function fileRows(dir: string, prefix: string): Promise<FileRow[]> {
  const names = await readdir(dir, { recursive: true });
  if (!names.some((n) => n.endsWith('.parquet'))) return [];
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll(
      `SELECT metric_id, epoch_ms(ts)::DOUBLE AS ts_ms, value,
              source, factory, filename
         FROM read_parquet('${allFiles(dir)}', hive_partitioning = true, filename = true)
        WHERE starts_with(source, $1)`,
      [`${prefix}/`],
    );
    return reader.getRowObjectsJson().map((r) => ({
      metricId: String(r['metric_id']),
      ts: new Date(Number(r['ts_ms'])).toISOString(),
      value: Number(r['value']),
      source: String(r['source']),
      factory: String(r['factory']),
      file: basename(String(r['filename'])),
    }));
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** `n` QoS 1 readings of A1 under `prefix`; returns their timestamps. */
async function publish(client: MqttClient, prefix: string, n: number): Promise<string[]> {
  const stamps: string[] = [];
  for (let i = 0; i < n; i++) {
    const ts = nextTs();
    stamps.push(ts);
    await client.publishAsync(
      `${prefix}/F1/L1/A1/telemetry`,
      JSON.stringify({ ts, metrics: { temperature: 20 + (i % 50) } }),
      { qos: 1 },
    );
  }
  return stamps;
}

const connect = (name: string) =>
  mqtt.connectAsync(process.env['MQTT_URL'] ?? '', { clientId: `pub-${name}-${Date.now()}` });

describe('the telemetry history files', () => {
  it('when readings arrive over MQTT, then they reach Parquet files and stay there after the graph lets them go', async () => {
    const dir = await historyDir();
    const app = await startTestApp({
      MQTT_TOPIC_PREFIX: 'hw',
      HISTORY_DIR: dir,
      HISTORY_ROLL_MS: '1000',
    });
    const publisher = await connect('hw');
    try {
      await importPlant(app);
      const stamps = await publish(publisher, 'hw', 50);
      await waitFor(
        '50 readings in the graph',
        async () => ((await readings(graph, 'hw')) >= 50 ? true : undefined),
        30000,
      );
      const rows = await waitFor(
        `50 rows in the files (${JSON.stringify(app.runtime.telemetry.stats().history)})`,
        async () => {
          const found = await fileRows(dir, 'hw');
          return found.length >= 50 ? found : undefined;
        },
        30000,
      );
      expect(rows.map((r) => r.ts).sort()).toEqual([...stamps].sort());
      expect(new Set(rows.map((r) => `${r.metricId} ${r.factory} ${r.source}`))).toEqual(
        new Set(['A1/temperature F1 hw/F1/L1/A1/telemetry']),
      );
      const stats = app.runtime.telemetry.stats().history;
      expect(stats).toMatchObject({ lastError: null, appendFailures: 0 });
      expect(stats?.files).toBeGreaterThan(0);

      // what retention does once TELEMETRY_RETENTION_HOURS have passed (only this test's readings:
      // the suite's other tests share the graph)
      await graph.write('MATCH (r:Reading) WHERE r.topic STARTS WITH $p DETACH DELETE r', {
        p: 'hw/',
      });
      expect(await readings(graph, 'hw')).toBe(0);
      expect((await fileRows(dir, 'hw')).map((r) => r.ts).sort()).toEqual([...stamps].sort());
    } finally {
      await publisher.endAsync();
      await app.stop();
    }
  });

  it('when two instances write into one directory at once, then every reading is there once and each file is named by its writer', async () => {
    const dir = await historyDir();
    const now = Date.now();
    const shared = {
      MQTT_TOPIC_PREFIX: 'hx',
      MQTT_SHARED_GROUP: `hx${now}`,
      HISTORY_DIR: dir,
      HISTORY_ROLL_MS: '1000',
    };
    const ids = [`hxa${now}`, `hxb${now}`];
    const a = await startTestApp({ ...shared, INSTANCE_ID: ids[0] ?? '' });
    const b = await startTestApp({ ...shared, INSTANCE_ID: ids[1] ?? '' });
    const publisher = await connect('hx');
    let stopped = false;
    try {
      await importPlant(a);
      await waitFor('b to know A1', () => b.runtime.telemetry.registry.cached('A1'));
      const stamps = await publish(publisher, 'hx', 200);
      await waitFor(
        '200 readings in the graph',
        async () => ((await readings(graph, 'hx')) >= 200 ? true : undefined),
        30000,
      );
      const received = [a, b].map((app) => app.runtime.telemetry.stats().received);
      expect(received[0]).toBeGreaterThan(0);
      expect(received[1]).toBeGreaterThan(0);
      await waitFor(
        '200 rows in the files',
        async () => ((await fileRows(dir, 'hx')).length >= 200 ? true : undefined),
        30000,
      );
      // stopping rolls what is left: nothing may appear later that was missed now
      await a.stop();
      await b.stop();
      stopped = true;
      const rows = await fileRows(dir, 'hx');
      const distinct = new Set(rows.map((r) => `${r.metricId}@${r.ts}`));
      expect(distinct.size).toBe(200);
      expect([...distinct].sort()).toEqual(stamps.map((ts) => `A1/temperature@${ts}`).sort());
      expect(rows).toHaveLength(200); // each reading was taken by one instance, once
      const byWriter = ids.map((id) => rows.filter((r) => r.file.startsWith(`${id}-`)).length);
      expect(byWriter).toEqual(received);
      expect(byWriter.reduce((n, m) => n + m, 0)).toBe(200);
    } finally {
      await publisher.endAsync();
      if (!stopped) {
        await a.stop();
        await b.stop();
      }
    }
  });

  it('when the server is killed with readings in its spool, then its next start rolls them into files', async () => {
    const dir = await historyDir();
    const port = await freePort();
    const id = `hk${Date.now()}`;
    const env = {
      PORT: String(port),
      MQTT_TOPIC_PREFIX: 'hk',
      INSTANCE_ID: id,
      MQTT_SHARED_GROUP: id,
      HISTORY_DIR: dir,
      HISTORY_ROLL_MS: '3600000', // no roll before the kill
      SIM_WORKERS: '1',
    };
    let server = startServer(env);
    const publisher = await connect('hk');
    try {
      await serverReady(port, server);
      await importPlant({ url: `http://127.0.0.1:${port}` });
      await new Promise((r) => setTimeout(r, 500)); // the import event reaches the cache
      const stamps = await publish(publisher, 'hk', 40);
      await waitFor(
        '40 readings in the graph',
        async () => ((await readings(graph, 'hk')) >= 40 ? true : undefined),
        30000,
      );
      const spool = join(dir, '_spool', id);
      // the spool is appended after the graph's commit: wait until all 40 lines are there
      await waitFor('40 spooled lines', async () => {
        const names = await readdir(spool);
        let lines = 0;
        for (const n of names)
          lines += (await readFile(join(spool, n), 'utf8')).split('\n').length - 1;
        return lines >= 40 ? true : undefined;
      });
      const left = await readdir(spool);
      server.child.kill('SIGKILL');
      await exited(server.child);
      expect(await fileRows(dir, 'hk')).toEqual([]);

      server = startServer(env);
      await serverReady(port, server);
      const rows = await waitFor('the spool rolled at start', async () => {
        const found = await fileRows(dir, 'hk');
        return found.length >= 40 ? found : undefined;
      });
      // at least once: a journal segment replayed at the start may spool a reading again
      expect([...new Set(rows.map((r) => r.ts))].sort()).toEqual([...stamps].sort());
      expect(rows.every((r) => r.file.startsWith(`${id}-`))).toBe(true);
      // what the killed run left is gone (a journal replayed at the start may spool anew)
      const now = await readdir(spool);
      expect(left.filter((n) => now.includes(n))).toEqual([]);
    } finally {
      await publisher.endAsync();
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  }, 120_000);
});
