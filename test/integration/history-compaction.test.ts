/**
 * History compaction (docs/history.md, "Compaction") on the real Neo4j: two instances compact the
 * same folder at once, one holds the lease, and every closed (day, factory) partition ends as one
 * compacted file. Metric.history and Metric.rollup answer the same before and after.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPACTION_LEASE, HistoryCompactor } from '../../src/history/compactor';
import { isCompacted, utcDay } from '../../src/history/layout';
import { closeHistoryReaders } from '../../src/history/reader';
import { silentLog } from '../../src/log';
import { gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';
import { type FixtureRow, writeHistoryFiles } from '../support/history-files';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STEP = 10 * 60_000;

const PLANT = {
  factories: [
    { id: 'F1', name: 'Leipzig', timezone: 'Europe/Berlin' },
    { id: 'F2', name: 'Austin', timezone: 'America/Chicago' },
  ],
  lines: [
    { id: 'L1', factoryId: 'F1', name: 'Body' },
    { id: 'L2', factoryId: 'F2', name: 'Paint' },
  ],
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
    {
      id: 'B1',
      lineId: 'L2',
      name: 'Oven',
      kind: 'OVEN',
      ratePerHour: 60,
      metrics: [{ name: 'temperature', unit: 'Cel' }],
    },
  ],
};

const iso = (ms: number) => new Date(ms).toISOString();

const QUERY = `query($id: ID!, $from: DateTime!, $to: DateTime!) { asset(id: $id) { metrics {
  id
  history(limit: 1000) { ts value }
  rollup(from: $from, to: $to, bucket: HOUR) { bucketStart count min max avg last }
} } }`;

/** Every `.parquet` file under `dir` (relative), and the temporary ones. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet') || f.endsWith('.tmp'))
    .sort();
}

const folderOf = (f: string) => f.split('/').slice(0, 2).join('/');

describe('history compaction', () => {
  let app: TestApp;
  let dir: string;
  const now = Date.now();
  const first = now - 4 * DAY;
  const last = now - 13 * HOUR; // older than the boundary (retention / 2): the files answer

  const clearLease = () =>
    app.graph.write('MATCH (l:Lease {name: $name}) DETACH DELETE l', { name: COMPACTION_LEASE });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'history-compaction-'));
    // every few hours a roll of each instance, as a running deployment leaves them
    const rows = (metricId: string, assetId: string, factoryId: string): FixtureRow[] => {
      const out: FixtureRow[] = [];
      for (let ts = Math.ceil(first / STEP) * STEP; ts <= last; ts += STEP) {
        const value = Math.round(Math.sin(ts / 7e6) * 1000) / 10 + (assetId === 'B1' ? 50 : 0);
        out.push({ metricId, tsMs: ts, value, assetId, factoryId });
      }
      return out;
    };
    const all = [
      ...rows('A1/temperature', 'A1', 'F1'),
      ...rows('A1/pressure', 'A1', 'F1'),
      ...rows('B1/temperature', 'B1', 'F2'),
    ];
    for (let from = first; from <= last; from += 6 * HOUR) {
      const chunk = all.filter((r) => r.tsMs >= from && r.tsMs < from + 6 * HOUR);
      await writeHistoryFiles(dir, chunk, 'api-1');
    }
    // a replay, received later with other values (which must not win), in files of another instance
    await writeHistoryFiles(
      dir,
      all.filter((_, i) => i % 7 === 0).map((r) => ({ ...r, value: -999, receivedAtMs: now })),
      'api-2',
    );
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
    await clearLease();
  });
  afterAll(async () => {
    await clearLease();
    await app.stop();
    await closeHistoryReaders();
    rmSync(dir, { recursive: true, force: true });
  });

  const answers = async () => {
    const out: unknown[] = [];
    for (const id of ['A1', 'B1']) {
      const res = await gql(app, QUERY, { id, from: iso(first - HOUR), to: iso(now + HOUR) });
      expect(res.errors).toBeUndefined();
      // an average is a sum, whose last bits depend on the order DuckDB adds the rows in (the
      // files' order, before and after alike): compared to 9 decimals, everything else exactly
      out.push(
        JSON.parse(JSON.stringify(res.data), (key, v: unknown) =>
          key === 'avg' && typeof v === 'number' ? Number(v.toFixed(9)) : v,
        ),
      );
    }
    return out;
  };

  it('when two instances compact the same folder at once, then one holds the lease, each closed partition ends as one file, and the answers do not change', async () => {
    const before = await answers();
    // the data is there: a reading every STEP, the replay's values lost
    expect(JSON.stringify(before)).not.toContain('-999');
    expect(JSON.stringify(before)).toContain('"count":6');

    const closedDay = (f: string) => {
      const day = /^day=(\d{4}-\d{2}-\d{2})\//u.exec(f)?.[1] ?? '';
      return Date.parse(`${day}T00:00:00Z`) + DAY + HOUR <= now;
    };
    const inputs = files(dir);
    const closed = [...new Set(inputs.filter(closedDay).map(folderOf))];
    expect(closed.length).toBeGreaterThanOrEqual(6); // 3 or 4 closed days × 2 factories
    const open = inputs.filter((f) => !closedDay(f));

    const compactor = (n: number) =>
      new HistoryCompactor({
        dir,
        instanceId: `compactor-${n}`,
        graph: app.graph,
        everyMs: 60_000,
        log: silentLog(),
        graceMs: 0, // no query runs meanwhile
      });
    const [a, b] = [compactor(1), compactor(2)];
    const results = await Promise.all([a.compactOnce(now), b.compactOnce(now)]);
    expect(results.filter((r) => r === null)).toHaveLength(1);
    const done = results.find((r) => r !== null);
    expect(done).toMatchObject({
      partitions: closed.length,
      filesOut: closed.length,
      summaries: closed.length,
    });
    expect(done?.filesIn).toBe(inputs.filter(closedDay).length);

    const after = files(dir);
    for (const folder of closed) {
      const inFolder = after.filter((f) => folderOf(f) === folder);
      expect(inFolder).toHaveLength(1);
      expect(isCompacted(inFolder[0] ?? '')).toBe(true);
    }
    // today's (and a day that ended less than an hour ago) stay as they were
    expect(after.filter((f) => !isCompacted(f))).toEqual(open);
    expect(open.every((f) => f.startsWith(`day=${utcDay(now)}/`) || !closedDay(f))).toBe(true);

    // compacted once: the holder's next run finds nothing to do, the other still no lease
    const winner = results[0] === null ? b : a;
    const loser = winner === a ? b : a;
    expect(await winner.compactOnce(now + 1000)).toEqual({
      partitions: 0,
      filesIn: 0,
      filesOut: 0,
      rows: 0,
      summaries: 0,
    });
    expect(await loser.compactOnce(now + 1000)).toBeNull();
    expect(files(dir)).toEqual(after);

    // the same reader (its DuckDB saw the old files) answers as before
    expect(await answers()).toEqual(before);
  });
});
