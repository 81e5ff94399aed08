import mqtt, { type MqttClient } from 'mqtt';
import { pruneTelemetry } from '../../src/telemetry/store';
import { gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';
import { waitFor } from '../support/live';

/*
 * The asset state timeline (docs/timeline.md) against the real Neo4j and Mosquitto: changes from
 * state messages (out of order too), mutations and imports; the figures of assets and lines on a
 * hand-computed sequence across the night the clocks go back in Berlin; retention; round trips.
 */

const PREFIX = 'tl';

const asset = (id: string, lineId: string, status?: string) => ({
  id,
  lineId,
  name: id,
  kind: 'PRESS',
  ratePerHour: 60,
  ...(status ? { status } : {}),
});

const PLANT = {
  factories: [{ id: 'F1', name: 'Leipzig', timezone: 'Europe/Berlin' }],
  lines: [
    { id: 'L1', factoryId: 'F1', name: 'Body' },
    { id: 'L2', factoryId: 'F1', name: 'Paint', shiftsPerDay: 3, hoursPerShift: 8 },
    { id: 'L3', factoryId: 'F1', name: 'Assembly' },
  ],
  assets: [
    asset('A1', 'L1'),
    asset('A2', 'L1'),
    asset('A3', 'L2'),
    asset('A4', 'L2'),
    asset('A5', 'L1'),
  ],
};

interface Row {
  status: string;
  previousStatus: string | null;
  reason: string | null;
  at: string;
  source: string;
}

const importDoc = async (app: TestApp, doc: unknown) => {
  const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
    d: doc,
  });
  expect(res.errors).toBeUndefined();
};

/** The stored changes of an asset, oldest first. */
const stored = async (app: TestApp, assetId: string) =>
  app.graph.read('MATCH (c:StateChange {assetId: $assetId}) RETURN c {.*} AS c ORDER BY c.at', {
    assetId,
  });

/** Changes written straight to the graph, as telemetry would have written them. */
async function writeChanges(app: TestApp, assetId: string, changes: [string, string][]) {
  await app.graph.write(
    `UNWIND $rows AS r
     MERGE (c:StateChange {id: r.assetId + '@' + r.at})
     ON CREATE SET c += r`,
    {
      rows: changes.map(([at, status]) => ({
        assetId,
        at,
        status,
        reason: 'written by the test',
        source: 'telemetry',
        receivedAt: at,
      })),
    },
  );
}

async function timeline(app: TestApp, assetId: string, from?: string, to?: string) {
  const res = await gql(
    app,
    `query($id: ID!, $from: DateTime, $to: DateTime) {
       asset(id: $id) { timeline(from: $from, to: $to) { status previousStatus reason at source } }
     }`,
    { id: assetId, from, to },
  );
  expect(res.errors).toBeUndefined();
  return (res.data?.['asset'] as { timeline: Row[] }).timeline;
}

const FIGURES = `seconds { running idle down maintenance unknown } availability
  longestIdle { from to seconds asset { id } }`;

describe('the asset state timeline', () => {
  let app: TestApp;
  let client: MqttClient;

  beforeAll(async () => {
    // keep every change the tests write, however old (the tests prune by hand)
    // one query reads every level's timeline and summaries: past the default depth and cost
    app = await startTestApp({
      MQTT_TOPIC_PREFIX: PREFIX,
      TIMELINE_RETENTION_DAYS: '3650',
      GRAPHQL_MAX_DEPTH: '10',
      GRAPHQL_MAX_COST: '1000000',
    });
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    await importDoc(app, PLANT);
    await waitFor('the registry to know A1', () => app.runtime.telemetry.registry.cached('A1'));
    client = await mqtt.connectAsync(process.env['MQTT_URL'] ?? '', {
      clientId: `test-timeline-${Date.now()}`,
    });
  });
  afterAll(async () => {
    await client.endAsync();
    await app.stop();
  });

  it('when state messages arrive out of order, then the timeline is in time order with the right previous status, and the asset has the latest status', async () => {
    // the import recorded A1's first status; the messages follow it by minutes
    const [imported] = await stored(app, 'A1');
    const t0 = Date.parse(String((imported?.['c'] as Record<string, unknown>)['at']));
    const ts = (s: number) => new Date(t0 + s * 1000).toISOString();
    const publish = (s: number, status: string, reason: string) =>
      client.publishAsync(
        `${PREFIX}/F1/L1/A1/state`,
        JSON.stringify({ ts: ts(s), status, reason }),
        { qos: 1 },
      );
    const count = async () => (await stored(app, 'A1')).length;

    // the latest first, written in a batch of its own
    await publish(180, 'IDLE', 'waiting for parts');
    await waitFor('the latest change', async () => ((await count()) === 2 ? true : undefined));
    // then the earlier ones, one of them delivered twice
    await publish(60, 'DOWN', 'hydraulic leak');
    await publish(120, 'MAINTENANCE', 'repair');
    await publish(60, 'DOWN', 'hydraulic leak');
    await waitFor('the earlier changes', async () => ((await count()) === 4 ? true : undefined));
    await app.runtime.telemetry.flush();
    expect(await count()).toBe(4);

    expect(await timeline(app, 'A1', ts(-60), ts(240))).toEqual([
      {
        status: 'RUNNING',
        previousStatus: null,
        reason: 'imported',
        at: ts(0),
        source: 'import',
      },
      {
        status: 'DOWN',
        previousStatus: 'RUNNING',
        reason: 'hydraulic leak',
        at: ts(60),
        source: 'telemetry',
      },
      {
        status: 'MAINTENANCE',
        previousStatus: 'DOWN',
        reason: 'repair',
        at: ts(120),
        source: 'telemetry',
      },
      {
        status: 'IDLE',
        previousStatus: 'MAINTENANCE',
        reason: 'waiting for parts',
        at: ts(180),
        source: 'telemetry',
      },
    ]);
    // a window after the first change still knows the status before it
    expect((await timeline(app, 'A1', ts(100), ts(240)))[0]).toMatchObject({
      status: 'MAINTENANCE',
      previousStatus: 'DOWN',
    });
    const current = await app.graph.read(
      'MATCH (a:Asset {id: "A1"}) RETURN a.status AS status, a.statusTs AS statusTs',
    );
    expect(current[0]).toEqual({ status: 'IDLE', statusTs: ts(180) });
    const topic = (await stored(app, 'A1')).map(
      (r) => (r['c'] as Record<string, unknown>)['topic'],
    );
    expect(topic.slice(1)).toEqual(Array(3).fill(`${PREFIX}/F1/L1/A1/state`));
  });

  it('when a status changes through a mutation or an import, then the timeline has it with source api or import, and a write that keeps the status adds nothing', async () => {
    const update = await gql(
      app,
      'mutation { updateAsset(id: "A2", patch: { status: DOWN }) { status } }',
    );
    expect(update.errors).toBeUndefined();
    await importDoc(app, { assets: [asset('A2', 'L1', 'MAINTENANCE')] });
    // the same document again, and a rename: the status does not change
    await importDoc(app, { assets: [asset('A2', 'L1', 'MAINTENANCE')] });
    const rename = await gql(
      app,
      'mutation { updateAsset(id: "A2", patch: { name: "Oven" }) { id } }',
    );
    expect(rename.errors).toBeUndefined();
    const create = await gql(
      app,
      `mutation { createAsset(input: { id: "A9", lineId: "L1", name: "New", kind: "CNC",
         ratePerHour: 10, status: IDLE }) { id } }`,
    );
    expect(create.errors).toBeUndefined();

    const a2 = await timeline(app, 'A2');
    expect(
      a2.map(({ status, previousStatus, reason, source }) => ({
        status,
        previousStatus,
        reason,
        source,
      })),
    ).toEqual([
      { status: 'RUNNING', previousStatus: null, reason: 'imported', source: 'import' },
      {
        status: 'DOWN',
        previousStatus: 'RUNNING',
        reason: 'changed through the API',
        source: 'api',
      },
      { status: 'MAINTENANCE', previousStatus: 'DOWN', reason: 'imported', source: 'import' },
    ]);
    // the asset's status time is the last change's, so an older state message cannot undo it
    const current = await app.graph.read(
      'MATCH (a:Asset {id: "A2"}) RETURN a.status AS status, a.statusTs AS statusTs',
    );
    expect(current[0]).toEqual({ status: 'MAINTENANCE', statusTs: a2[2]?.at });
    expect(await timeline(app, 'A9')).toMatchObject([
      { status: 'IDLE', previousStatus: null, reason: 'created through the API', source: 'api' },
    ]);
  });

  describe('figures over the night the clocks go back in Berlin (25 October 2026)', () => {
    // 22:00 CEST on the 24th to 14:00 CET on the 25th: 17 hours, the 9-hour night shift and the
    // first day shift of line L2 (3 × 8 h from 06:00)
    const from = '2026-10-24T20:00:00.000Z';
    const to = '2026-10-25T13:00:00.000Z';

    beforeAll(async () => {
      await writeChanges(app, 'A3', [
        ['2026-10-24T12:00:00.000Z', 'RUNNING'],
        ['2026-10-25T01:00:00.000Z', 'IDLE'], // 02:00 CET, the second 02:00 of the night
        ['2026-10-25T02:00:00.000Z', 'RUNNING'],
        ['2026-10-25T07:00:00.000Z', 'DOWN'],
        ['2026-10-25T07:30:00.000Z', 'RUNNING'],
      ]);
      // nothing known of A4 before 03:00 UTC
      await writeChanges(app, 'A4', [
        ['2026-10-25T03:00:00.000Z', 'IDLE'],
        ['2026-10-25T05:30:00.000Z', 'RUNNING'],
      ]);
    });

    it('when an asset is summarised by shift, then the window starts in the middle of a state and the night shift lasts 9 hours', async () => {
      const res = await gql(
        app,
        `query($from: DateTime, $to: DateTime) { asset(id: "A3") {
           stateSummary(from: $from, to: $to, byShift: true) {
             from to ${FIGURES}
             shifts { date shift start end ${FIGURES} }
           } } }`,
        { from, to },
      );
      expect(res.errors).toBeUndefined();
      const s = (res.data?.['asset'] as { stateSummary: Record<string, unknown> }).stateSummary;
      expect(s).toEqual({
        from,
        to,
        // RUNNING from before the window (12:00 on the 24th)
        seconds: { running: 55800, idle: 3600, down: 1800, maintenance: 0, unknown: 0 },
        availability: (55800 + 3600) / (61200 - 0 - 0),
        longestIdle: [
          {
            from: '2026-10-25T01:00:00.000Z',
            to: '2026-10-25T02:00:00.000Z',
            seconds: 3600,
            asset: { id: 'A3' },
          },
        ],
        shifts: [
          {
            date: '2026-10-24',
            shift: 3,
            start: from,
            end: '2026-10-25T05:00:00.000Z',
            seconds: { running: 28800, idle: 3600, down: 0, maintenance: 0, unknown: 0 },
            availability: 1,
            longestIdle: [
              {
                from: '2026-10-25T01:00:00.000Z',
                to: '2026-10-25T02:00:00.000Z',
                seconds: 3600,
                asset: { id: 'A3' },
              },
            ],
          },
          {
            date: '2026-10-25',
            shift: 1,
            start: '2026-10-25T05:00:00.000Z',
            end: to,
            seconds: { running: 27000, idle: 0, down: 1800, maintenance: 0, unknown: 0 },
            availability: 27000 / 28800,
            longestIdle: [],
          },
        ],
      });
    });

    it('when a line is summarised, then its figures are the sums over its assets, unknown before an asset’s first state', async () => {
      const res = await gql(
        app,
        `query($from: DateTime, $to: DateTime) { line(id: "L2") {
           stateSummary(from: $from, to: $to, byShift: true) {
             ${FIGURES} shifts { date shift seconds { running idle down unknown } longestIdle { seconds asset { id } } }
           } } }`,
        { from, to },
      );
      expect(res.errors).toBeUndefined();
      const s = (res.data?.['line'] as { stateSummary: Record<string, unknown> }).stateSummary;
      // A3 as above; A4 unknown 20:00–03:00, idle 03:00–05:30, running 05:30–13:00
      expect(s).toEqual({
        seconds: { running: 82800, idle: 12600, down: 1800, maintenance: 0, unknown: 25200 },
        availability: (82800 + 12600) / (2 * 61200 - 0 - 25200),
        longestIdle: [
          {
            from: '2026-10-25T03:00:00.000Z',
            to: '2026-10-25T05:30:00.000Z',
            seconds: 9000,
            asset: { id: 'A4' },
          },
          {
            from: '2026-10-25T01:00:00.000Z',
            to: '2026-10-25T02:00:00.000Z',
            seconds: 3600,
            asset: { id: 'A3' },
          },
        ],
        shifts: [
          {
            date: '2026-10-24',
            shift: 3,
            seconds: { running: 28800, idle: 10800, down: 0, unknown: 25200 },
            longestIdle: [
              { seconds: 7200, asset: { id: 'A4' } },
              { seconds: 3600, asset: { id: 'A3' } },
            ],
          },
          {
            date: '2026-10-25',
            shift: 1,
            seconds: { running: 54000, idle: 1800, down: 1800, unknown: 0 },
            longestIdle: [{ seconds: 1800, asset: { id: 'A4' } }],
          },
        ],
      });
    });

    it('when the window is too long, reversed or not a time, then BAD_USER_INPUT says what to fix', async () => {
      const ask = (f: string, t: string) =>
        gql(
          app,
          'query($from: DateTime, $to: DateTime) { asset(id: "A3") { stateSummary(from: $from, to: $to) { availability } } }',
          { from: f, to: t },
        );
      const long = await ask('2025-01-01T00:00:00Z', '2026-06-01T00:00:00Z');
      expect(long.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(long.errors?.[0]?.message).toMatch(/at most 366 days/);
      const reversed = await ask(to, from);
      expect(reversed.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(reversed.errors?.[0]?.message).toMatch(/must be before "to"/);
      const bad = await ask('next tuesday', to);
      expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    });
  });

  it('when an asset changed status more often in the window than one request reads, then TOO_LARGE asks for a shorter window', async () => {
    // 50,001 changes a second apart, in 2020 (far from the other tests' windows)
    await app.graph.write(
      `UNWIND range(0, 50000) AS i
       WITH i, toString(datetime('2020-01-01T00:00:00Z') + duration({seconds: i})) AS at
       CREATE (:StateChange {id: 'A1@busy' + i, assetId: 'A1', at: left(at, 19) + '.000Z',
                             status: CASE i % 2 WHEN 0 THEN 'RUNNING' ELSE 'IDLE' END,
                             source: 'telemetry'})`,
    );
    try {
      const res = await gql(
        app,
        '{ asset(id: "A1") { stateSummary(from: "2020-01-01T00:00:00Z", to: "2020-01-02T00:00:00Z") { availability } } }',
      );
      expect(res.errors?.[0]?.extensions?.['code']).toBe('TOO_LARGE');
      expect(res.errors?.[0]?.message).toContain('ask for a shorter window');
      const shorter = await gql(
        app,
        '{ asset(id: "A1") { stateSummary(from: "2020-01-01T00:00:00Z", to: "2020-01-01T01:00:00Z") { seconds { running idle } } } }',
      );
      expect(shorter.errors).toBeUndefined();
      expect(shorter.data).toEqual({
        asset: { stateSummary: { seconds: { running: 1800, idle: 1800 } } },
      });
    } finally {
      await app.graph.write("MATCH (c:StateChange) WHERE c.id STARTS WITH 'A1@busy' DELETE c");
    }
  });

  it('when old changes are pruned, then the latest one before the cutoff stays, so the state at the cutoff is still known', async () => {
    // long ago, so that no other test's changes are older than this cutoff
    const day = 86_400_000;
    const now = Date.parse('2020-01-20T00:00:00.000Z');
    const at = (days: number) => new Date(now - days * day).toISOString();
    await writeChanges(app, 'A5', [
      [at(10), 'RUNNING'],
      [at(9), 'DOWN'],
      [at(8), 'RUNNING'],
      [at(1), 'IDLE'],
    ]);
    // an asset that no longer exists loses its old changes whole
    await writeChanges(app, 'GONE', [
      [at(10), 'RUNNING'],
      [at(7), 'DOWN'],
    ]);
    const pruned = await pruneTelemetry(app.graph, day, 50, 5 * day, now);
    expect(pruned.stateChanges).toBe(4);
    // (and the change the import recorded today)
    const kept = (await stored(app, 'A5')).map((r) =>
      String((r['c'] as Record<string, unknown>)['at']),
    );
    expect(kept.filter((x) => x < '2021')).toEqual([at(8), at(1)]);
    expect(await stored(app, 'GONE')).toEqual([]);
    expect(await timeline(app, 'A5', at(6), at(0))).toMatchObject([
      { status: 'IDLE', previousStatus: 'RUNNING' },
    ]);
    // pruning again finds nothing more
    expect((await pruneTelemetry(app.graph, day, 50, 5 * day, now)).stateChanges).toBe(0);
  });

  it('when the timelines and summaries of many assets and lines are asked at once, then the round trips do not grow with them', async () => {
    const query = `query($from: DateTime, $to: DateTime) {
      factories(first: 10) { edges { node { lines {
        stateSummary(from: $from, to: $to, byShift: true) { availability longestIdle { asset { id } } }
        assets {
          timeline(from: $from, to: $to) { status previousStatus }
          stateSummary(from: $from, to: $to, byShift: true) {
            seconds { running } longestIdle { asset { id name } } shifts { shift }
          }
        }
      } } } } }`;
    const vars = { from: '2026-10-24T20:00:00.000Z', to: '2026-10-25T13:00:00.000Z' };
    const small = await gql(app, query, vars);
    expect(small.errors).toBeUndefined();
    // forty more assets on line L3, each with a few changes in the window
    const ids = Array.from({ length: 40 }, (_, i) => `M${i}`);
    await importDoc(app, { assets: ids.map((id) => asset(id, 'L3')) });
    for (const id of ids) {
      await writeChanges(app, id, [
        ['2026-10-24T22:00:00.000Z', 'IDLE'],
        ['2026-10-25T04:00:00.000Z', 'RUNNING'],
      ]);
    }
    const large = await gql(app, query, vars);
    expect(large.errors).toBeUndefined();
    const lines = (
      large.data?.['factories'] as {
        edges: { node: { lines: { assets: { timeline: unknown[] }[] }[] } }[];
      }
    ).edges.flatMap((e) => e.node.lines);
    expect(lines.flatMap((l) => l.assets)).toHaveLength(46);
    // the page, lines, assets, the lines' timelines, the assets' timelines, and the idle assets
    // (the lines' and the assets' resolve in different ticks: one or two reads), whatever the size
    for (const res of [small, large]) {
      expect(Number(res.extensions?.['cypherQueries'])).toBeLessThanOrEqual(7);
    }
  });
});
