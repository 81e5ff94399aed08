/**
 * Metric.history and Metric.rollup across the graph's recent window and the history files
 * (docs/history.md, "Reading history"): the files answer before the boundary B = now − retention/2
 * and the graph from B on. Both stores here overlap B the way they do in production (the graph
 * keeps the whole retention, the files get rows within minutes), and some readings are only in
 * the files (the graph pruned them): each reading must come back once, none missing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryReader } from '../../src/history/reader';
import { WRITE_READINGS } from '../../src/telemetry/telemetry.cypher';
import { gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';
import { type FixtureRow, writeHistoryFiles } from '../support/history-files';

const HOUR = 3_600_000;
const STEP = 10 * 60_000;
const ZONE = 'Europe/Berlin';
const METRIC = 'A1/temperature';

const PLANT = {
  factories: [{ id: 'F1', name: 'Leipzig', timezone: ZONE }],
  lines: [{ id: 'L1', factoryId: 'F1', name: 'Body' }],
  assets: [
    {
      id: 'A1',
      lineId: 'L1',
      name: 'Press',
      kind: 'PRESS',
      ratePerHour: 60,
      metrics: [
        { name: 'temperature', unit: 'Cel' },
        { name: 'pressure', unit: 'bar' },
      ],
    },
  ],
};

interface Reading {
  tsMs: number;
  value: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The reading every STEP from `from` to `to`: its value is a function of its time. */
function readings(from: number, to: number): Reading[] {
  const out: Reading[] = [];
  for (let ts = Math.ceil(from / STEP) * STEP; ts <= to; ts += STEP) {
    out.push({ tsMs: ts, value: Math.round(Math.sin(ts / 7e6) * 1000) / 10 });
  }
  return out;
}

async function writeGraph(app: TestApp, metricId: string, rows: readonly Reading[]) {
  await app.graph.write(WRITE_READINGS, {
    rows: rows.map((r) => ({
      id: `${metricId}@${iso(r.tsMs)}`,
      metricId,
      assetId: 'A1',
      metric: metricId.split('/')[1],
      ts: iso(r.tsMs),
      value: r.value,
      unit: 'Cel',
      flagged: false,
      topic: `tt/F1/L1/A1/telemetry`,
      receivedAt: iso(r.tsMs + 500),
      originalValue: r.value,
      originalUnit: null,
      conversion: null,
    })),
  });
}

/** The rollup a client expects, computed from the readings themselves. */
function reference(rows: readonly Reading[], from: number, to: number, bucket: 'HOUR' | 'DAY') {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE });
  const buckets = new Map<string, Reading[]>();
  for (const r of rows.filter((x) => x.tsMs >= from && x.tsMs < to)) {
    const key =
      bucket === 'HOUR' ? iso(Math.floor(r.tsMs / HOUR) * HOUR) : day.format(new Date(r.tsMs));
    buckets.set(key, [...(buckets.get(key) ?? []), r]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, rs]) => {
      const values = rs.map((r) => r.value);
      const latest = rs.reduce((a, b) => (b.tsMs > a.tsMs ? b : a));
      return {
        key,
        count: rs.length,
        min: Math.min(...values),
        max: Math.max(...values),
        avg: values.reduce((a, b) => a + b, 0) / values.length,
        last: latest.value,
      };
    });
}

describe('history over the graph and the files', () => {
  let app: TestApp;
  let dir: string;
  const now = Date.now();
  const boundary = now - 12 * HOUR; // TELEMETRY_RETENTION_HOURS=24
  const first = now - 3 * 24 * HOUR;
  // every reading of the metric, wherever it is stored
  const all = readings(first, now - 60_000);
  // the graph keeps 13 hours (retention pruned the rest); the files got everything up to 11 h ago
  const inGraph = all.filter((r) => r.tsMs >= now - 13 * HOUR);
  const inFiles = all.filter((r) => r.tsMs <= now - 11 * HOUR);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'history-read-'));
    // a thousand readings of each metric cost more than the default limit allows
    app = await startTestApp({
      HISTORY_DIR: dir,
      TELEMETRY_RETENTION_HOURS: '24',
      GRAPHQL_MAX_COST: '100000',
    });
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
      d: PLANT,
    });
    expect(res.errors).toBeUndefined();
    await writeGraph(app, METRIC, inGraph);
    const rows: FixtureRow[] = inFiles.map((r) => ({ metricId: METRIC, ...r, assetId: 'A1' }));
    await writeHistoryFiles(dir, rows);
    // a replay: the same readings again in another file, received later (and a different value,
    // which must not win: the first received does)
    await writeHistoryFiles(
      dir,
      rows.slice(-20).map((r) => ({ ...r, value: -999, receivedAtMs: now })),
      'replay',
    );
    // another metric of the same asset, only in the files
    await writeHistoryFiles(dir, [{ metricId: 'A1/pressure', tsMs: first, value: 2.5 }]);
  });
  afterAll(async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const history = async (from: number, to: number, limit: number) => {
    const res = await gql(
      app,
      `query($from: String, $to: String, $limit: Int!) { asset(id: "A1") { metrics {
         id history(from: $from, to: $to, limit: $limit) { ts value topic }
       } } }`,
      { from: iso(from), to: iso(to), limit },
    );
    expect(res.errors).toBeUndefined();
    const data = res.data as {
      asset: { metrics: { id: string; history: { ts: string; value: number }[] }[] };
    };
    return new Map(data.asset.metrics.map((m) => [m.id, m.history]));
  };

  it('when history spans the boundary, then every reading comes once, newest first, with no gap', async () => {
    const got = await history(first, now, 1000);
    const expected = [...all].reverse().map((r) => ({ ts: iso(r.tsMs), value: r.value }));
    expect(got.get(METRIC)?.map(({ ts, value }) => ({ ts, value }))).toEqual(expected);
    // the files' rows carry their lineage too
    expect(got.get(METRIC)?.at(-1)).toMatchObject({ topic: 'twin/F1/L1/A1/temperature' });
    expect(got.get('A1/pressure')?.map((r) => r.value)).toEqual([2.5]);
  });

  it('when the limit falls before the boundary, then the newest readings fill it from both sides', async () => {
    const got = await history(boundary - 2 * HOUR, boundary + 2 * HOUR, 15);
    const expected = all
      .filter((r) => r.tsMs >= boundary - 2 * HOUR && r.tsMs <= boundary + 2 * HOUR)
      .reverse()
      .slice(0, 15);
    expect(got.get(METRIC)?.map((r) => r.ts)).toEqual(expected.map((r) => iso(r.tsMs)));
  });

  it('when a reading is only in the files (the graph pruned it), then history still returns it', async () => {
    const got = await history(first - HOUR, first + HOUR, 10);
    expect(got.get(METRIC)?.map((r) => r.ts)).toEqual(
      all
        .filter((r) => r.tsMs <= first + HOUR)
        .reverse()
        .map((r) => iso(r.tsMs)),
    );
    const stored = await app.graph.read(
      'MATCH (r:Reading {metricId: $id}) WHERE r.ts <= $t RETURN count(r) AS n',
      { id: METRIC, t: iso(first + HOUR) },
    );
    expect(stored[0]?.['n']).toBe(0);
  });

  it.each(['HOUR', 'DAY'] as const)(
    'when the metric is rolled up by %s, then each bucket equals the one computed from the readings',
    async (bucket) => {
      const from = first - HOUR;
      const to = now + HOUR;
      const res = await gql(
        app,
        `query($from: DateTime!, $to: DateTime!, $bucket: RollupBucket!) { asset(id: "A1") {
           metrics { id rollup(from: $from, to: $to, bucket: $bucket) {
             bucketStart count min max avg last } } } }`,
        { from: iso(from), to: iso(to), bucket },
      );
      expect(res.errors).toBeUndefined();
      const data = res.data as {
        asset: {
          metrics: {
            id: string;
            rollup: {
              bucketStart: string;
              count: number;
              min: number;
              max: number;
              avg: number;
              last: number;
            }[];
          }[];
        };
      };
      const points = data.asset.metrics.find((m) => m.id === METRIC)?.rollup ?? [];
      const expected = reference(all, from, to, bucket);
      expect(
        points.map((p) => (bucket === 'HOUR' ? p.bucketStart : p.bucketStart.slice(0, 10))),
      ).toEqual(expected.map((e) => e.key));
      points.forEach((p, i) => {
        const e = expected[i];
        expect(p).toMatchObject({ count: e?.count, min: e?.min, max: e?.max, last: e?.last });
        expect(p.avg).toBeCloseTo(e?.avg ?? Number.NaN, 9);
      });
      if (bucket === 'DAY') {
        // local midnight with Berlin's offset
        expect(points[0]?.bucketStart).toMatch(/T00:00:00\.000\+0[12]:00$/);
      }
    },
  );

  it('when a level of metrics reads history and rollups across the boundary, then each half is one batch for all of them', async () => {
    const readings = jest.spyOn(HistoryReader.prototype, 'readings');
    const rollups = jest.spyOn(HistoryReader.prototype, 'rollup');
    try {
      const res = await gql(
        app,
        `query($from: String, $to: String, $f: DateTime!, $t: DateTime!) { asset(id: "A1") {
           metrics { id history(from: $from, to: $to, limit: 1000) { ts }
                     rollup(from: $f, to: $t, bucket: DAY) { count } } } }`,
        { from: iso(first), to: iso(now), f: iso(first), t: iso(now) },
      );
      expect(res.errors).toBeUndefined();
      // asset, its metrics, the graph's half of history; the metrics' factories, the graph's
      // half of rollup: one round trip each for both metrics
      expect(res.extensions?.['cypherQueries']).toBe(5);
      expect(readings).toHaveBeenCalledTimes(1);
      expect(readings.mock.calls[0]?.[0].metricIds).toEqual(['A1/pressure', METRIC]);
      expect(rollups).toHaveBeenCalledTimes(1);
      expect(rollups.mock.calls[0]?.[0]).toMatchObject({
        metricIds: ['A1/pressure', METRIC],
        timeZone: ZONE,
        factoryIds: ['F1'],
      });
    } finally {
      readings.mockRestore();
      rollups.mockRestore();
    }
  });

  it('when a rollup asks for a range backwards or too many buckets, then it is refused as BAD_USER_INPUT', async () => {
    const ask = (from: number, to: number, bucket: string) =>
      gql(
        app,
        `query($from: DateTime!, $to: DateTime!, $bucket: RollupBucket!) { asset(id: "A1") {
           metrics { rollup(from: $from, to: $to, bucket: $bucket) { count } } } }`,
        { from: iso(from), to: iso(to), bucket },
      );
    const backwards = await ask(now, now - HOUR, 'HOUR');
    expect(backwards.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(backwards.errors?.[0]?.message).toMatch(/"to" must be after "from"/);
    const tooMany = await ask(now - 400 * 24 * HOUR, now, 'MINUTE');
    expect(tooMany.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(tooMany.errors?.[0]?.message).toMatch(/at most 100000 buckets/);
  });
});
