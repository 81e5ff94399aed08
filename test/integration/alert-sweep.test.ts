import type { Graph } from '../../src/graph/executor';
import type { AlertRuleDef, AlertRuleKind, Observation } from '../../src/alerts/model';
import { evaluateSweep } from '../../src/alerts/sweep';
import { analyseImpact } from '../../src/impact/impact.service';
import { importDocument } from '../../src/twins/import/service';
import { resetTwins, testGraph } from '../support/db';

/*
 * The sweep's evaluators against a real Neo4j, on a plant worked out by hand. The sweep's time is
 * NOW; readings, etas and rule creation times are placed around it.
 *
 * F1 Leipzig: line L1 (2 shifts × 8 h = 16 h/day) with press A1 (60/h, RUNNING) makes P1 at 40/h,
 * so out(L1, P1) = 40 × 16 × c(L1) = 640/day (c = 1: A1 alone); P1 needs 4 P2 and 2 P3, so
 * cons(F1, P2) = 2,560/day and cons(F1, P3) = 1,280/day. Line L3 (no production) has oven A2
 * (DOWN since NOW − 1 h, "hydraulic leak") and robot A4. F1 holds 5,000 P2 (safety stock 8,000:
 * 8,000 / 2,560 = 3.125 days needed) and 5,000 P3 (safety 1,000: 0.78125 days needed).
 * F2 Dresden: line L2 with conveyor A3 (DOWN, no statusTs, no reason), no production, so
 * cons(F2, ·) = 0; F2 holds 10 P2 with a safety stock of 100.
 */
const NOW = Date.parse('2026-11-25T08:00:00.000Z');
const DAY = 86_400_000;
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

const metric = (name: string) => ({ name, unit: 'Cel', min: 0, max: 100 });
const PLANT = {
  factories: [
    { id: 'F1', name: 'Leipzig' },
    { id: 'F2', name: 'Dresden' },
  ],
  lines: [
    { id: 'L1', factoryId: 'F1', name: 'Body', shiftsPerDay: 2, hoursPerShift: 8 },
    { id: 'L3', factoryId: 'F1', name: 'Paint' },
    { id: 'L2', factoryId: 'F2', name: 'Assembly' },
  ],
  assets: [
    {
      id: 'A1',
      lineId: 'L1',
      name: 'Press',
      kind: 'PRESS',
      status: 'RUNNING',
      ratePerHour: 60,
      metrics: [metric('temperature'), metric('pressure'), metric('vibration')],
    },
    {
      id: 'A2',
      lineId: 'L3',
      name: 'Oven',
      kind: 'OVEN',
      status: 'DOWN',
      ratePerHour: 50,
      metrics: [],
    },
    {
      id: 'A4',
      lineId: 'L3',
      name: 'Robot',
      kind: 'ROBOT',
      status: 'RUNNING',
      ratePerHour: 50,
      metrics: [metric('torque')],
    },
    {
      id: 'A3',
      lineId: 'L2',
      name: 'Conveyor',
      kind: 'CONVEYOR',
      status: 'DOWN',
      ratePerHour: 80,
      metrics: [metric('temperature')],
    },
  ],
  products: [
    { id: 'P1', name: 'Door' },
    { id: 'P2', name: 'Steel sheet' },
    { id: 'P3', name: 'Bolt' },
  ],
  bom: [
    { parentId: 'P1', componentId: 'P2', quantity: 4 },
    { parentId: 'P1', componentId: 'P3', quantity: 2 },
  ],
  production: [{ lineId: 'L1', productId: 'P1', ratePerHour: 40 }],
  suppliers: [
    { id: 'S1', name: 'Acme Steel' },
    { id: 'S2', name: 'Bolt & Co' },
  ],
  inventory: [
    { factoryId: 'F1', productId: 'P2', quantity: 5000, safetyStock: 8000 },
    { factoryId: 'F1', productId: 'P3', quantity: 5000, safetyStock: 1000 },
    { factoryId: 'F2', productId: 'P2', quantity: 10, safetyStock: 100 },
  ],
  shipments: [
    // F1: DELAYED, 2 days past its eta
    ship('SH1', 'S1', 'F1', 'P2', 2000, 'DELAYED', at(-2 * DAY)),
    // F1: IN_TRANSIT, half a day past its eta
    ship('SH2', 'S2', 'F1', 'P3', 500, 'IN_TRANSIT', at(-0.5 * DAY)),
    // delivered long after its eta: not late
    ship('SH3', 'S1', 'F1', 'P2', 700, 'DELIVERED', at(-5 * DAY)),
    // planned, due in 3 days: on time
    ship('SH4', 'S1', 'F2', 'P2', 300, 'PLANNED', at(3 * DAY)),
    // F1: in transit, due tomorrow: on time
    ship('SH5', 'S1', 'F1', 'P2', 1000, 'IN_TRANSIT', at(DAY)),
    // F1: DELAYED but its eta is still 2 days ahead
    ship('SH6', 'S2', 'F1', 'P2', 400, 'DELAYED', at(2 * DAY)),
    // F2: DELAYED, a day past its eta
    ship('SH7', 'S2', 'F2', 'P2', 50, 'DELAYED', at(-DAY)),
    // F2: eta rewritten below as a Neo4j DATETIME a day ago
    ship('SH8', 'S2', 'F2', 'P2', 60, 'IN_TRANSIT', at(3 * DAY)),
    // F2: eta rewritten below as the string "2026-11-24T09:00:00+01:00" (a day ago)
    ship('SH9', 'S2', 'F2', 'P2', 70, 'IN_TRANSIT', at(3 * DAY)),
    // F2: eta rewritten below as the string "2026-11-26T09:00:00+01:00" (a day ahead)
    ship('SH10', 'S2', 'F2', 'P2', 80, 'IN_TRANSIT', at(3 * DAY)),
    // F1: cancelled, past its eta: not late
    ship('SH11', 'S1', 'F1', 'P3', 90, 'CANCELLED', at(-DAY)),
  ],
};

function ship(
  id: string,
  supplierId: string,
  factoryId: string,
  productId: string,
  quantity: number,
  status: string,
  eta: string,
) {
  return { id, supplierId, factoryId, productId, quantity, status, eta };
}

function rule(id: string, kind: AlertRuleKind, over: Partial<AlertRuleDef> = {}): AlertRuleDef {
  return {
    id,
    name: id,
    kind,
    severity: 'WARNING',
    enabled: true,
    factoryId: null,
    lineId: null,
    assetId: null,
    metric: null,
    min: null,
    max: null,
    hysteresis: 0,
    expectedIntervalS: kind === 'MISSING_DATA' ? 300 : null,
    clearDelayS: 0,
    webhookUrl: null,
    createdAt: at(-3_600_000),
    updatedAt: at(-3_600_000),
    ...over,
  };
}

let graph: Graph;

async function openAlert(ruleId: string, subjectId: string): Promise<void> {
  await graph.write(`CREATE (:Alert {id: randomUUID(), openKey: $key, state: 'RAISED'})`, {
    key: `${ruleId}|${subjectId}`,
  });
}

/** The observations of one rule, as [subjectId, condition] pairs. */
function conditions(obs: Observation[], ruleId: string): [string, string][] {
  return obs.filter((o) => o.ruleId === ruleId).map((o) => [o.subjectId, o.condition]);
}

function one(obs: Observation[], ruleId: string, subjectId: string): Observation {
  const found = obs.filter((o) => o.ruleId === ruleId && o.subjectId === subjectId);
  expect(found).toHaveLength(1);
  return found[0] as Observation;
}

/** Runs the sweep and checks the round trips: at most `max`. */
async function sweep(rules: AlertRuleDef[], max: number): Promise<Observation[]> {
  const before = graph.queries;
  const obs = await evaluateSweep(graph, rules, NOW);
  expect(graph.queries - before).toBeLessThanOrEqual(max);
  return obs;
}

beforeAll(async () => {
  graph = testGraph();
  await resetTwins(graph);
  await importDocument(graph, PLANT);
  // the import stamps a status it sets with its own time and reason "imported": A2 went DOWN an
  // hour before NOW for a stated reason, A3's time and reason are unknown
  await graph.write(
    `MATCH (a2:Asset {id: 'A2'}), (a3:Asset {id: 'A3'}), (m1:Metric {id: 'A1/temperature'}), (m2:Metric {id: 'A1/pressure'}),
           (m4:Metric {id: 'A4/torque'}), (m3:Metric {id: 'A3/temperature'}),
           (sh8:Shipment {id: 'SH8'}), (sh9:Shipment {id: 'SH9'}), (sh10:Shipment {id: 'SH10'})
     SET a2.statusTs = $downSince, a2.statusReason = 'hydraulic leak',
         a3.statusTs = null, a3.statusReason = null,
         m1.ts = $t600, m2.ts = $t60, m3.ts = $t10000,
         m4.ts = datetime({epochMillis: toInteger($t900ms)}),
         sh8.eta = datetime({epochMillis: toInteger($dayAgoMs)}),
         sh9.eta = '2026-11-24T09:00:00+01:00', sh10.eta = '2026-11-26T09:00:00+01:00'`,
    {
      downSince: at(-3_600_000),
      t600: at(-600_000),
      t60: at(-60_000),
      t10000: at(-10_000_000),
      t900ms: NOW - 900_000,
      dayAgoMs: NOW - DAY,
    },
  );
});
afterAll(async () => {
  await graph.close();
});

describe('ASSET_DOWN', () => {
  beforeAll(async () => {
    await openAlert('down-all', 'A1'); // RUNNING now: cleared
    await openAlert('down-all', 'A2'); // still DOWN: bad, no clear
    await openAlert('down-all', 'A-gone'); // deleted since: cleared
    await openAlert('down-off', 'A1'); // a disabled rule: nothing
  });

  it('when assets are DOWN, then each in scope is bad at its status time, and assets with an open alert that are not DOWN are cleared', async () => {
    const obs = await sweep([rule('down-all', 'ASSET_DOWN')], 1);
    expect(conditions(obs, 'down-all')).toEqual([
      ['A-gone', 'clear'],
      ['A1', 'clear'],
      ['A2', 'bad'],
      ['A3', 'bad'],
    ]);
    expect(one(obs, 'down-all', 'A2')).toEqual({
      ruleId: 'down-all',
      subjectId: 'A2',
      about: { label: 'Asset', id: 'A2' },
      condition: 'bad',
      at: at(-3_600_000),
      message: 'Asset Oven (A2) on line Paint (L3) is DOWN: hydraulic leak',
      value: null,
      factoryId: 'F1',
      lineId: 'L3',
      assetId: 'A2',
      metricId: null,
    });
    expect(one(obs, 'down-all', 'A3')).toMatchObject({
      at: at(0),
      message: 'Asset Conveyor (A3) on line Assembly (L2) is DOWN (no reason given)',
      factoryId: 'F2',
      lineId: 'L2',
    });
    expect(one(obs, 'down-all', 'A1')).toMatchObject({
      condition: 'clear',
      at: at(0),
      about: { label: 'Asset', id: 'A1' },
      message: 'Asset Press (A1) is no longer DOWN (RUNNING)',
      factoryId: 'F1',
      lineId: 'L1',
      assetId: 'A1',
    });
    expect(one(obs, 'down-all', 'A-gone').message).toBe('Asset A-gone no longer exists');
  });

  it('when a rule is scoped to a factory, line or asset, then it sees only the assets there', async () => {
    const obs = await sweep(
      [
        rule('down-f1', 'ASSET_DOWN', { factoryId: 'F1' }),
        rule('down-l2', 'ASSET_DOWN', { lineId: 'L2' }),
        rule('down-a1', 'ASSET_DOWN', { assetId: 'A1' }),
        rule('down-f9', 'ASSET_DOWN', { factoryId: 'F9' }),
        rule('down-f2-l3', 'ASSET_DOWN', { factoryId: 'F2', lineId: 'L3' }),
      ],
      1,
    );
    expect(conditions(obs, 'down-f1')).toEqual([['A2', 'bad']]);
    expect(conditions(obs, 'down-l2')).toEqual([['A3', 'bad']]);
    expect(conditions(obs, 'down-a1')).toEqual([]);
    expect(conditions(obs, 'down-f9')).toEqual([]);
    expect(conditions(obs, 'down-f2-l3')).toEqual([]);
  });

  it('when a rule is disabled, then it yields nothing, not even clears', async () => {
    const obs = await sweep([rule('down-off', 'ASSET_DOWN', { enabled: false })], 0);
    expect(obs).toEqual([]);
  });
});

describe('MISSING_DATA', () => {
  beforeAll(async () => {
    await openAlert('miss-old', 'A1/pressure'); // fresh: cleared
    await openAlert('miss-old', 'A1/temperature'); // still silent: bad only
  });

  it('when metrics are silent past the interval, then they are bad with the seconds of silence; fresh ones with an open alert clear', async () => {
    // created an hour ago, interval 5 min, F1 only
    const obs = await sweep([rule('miss-old', 'MISSING_DATA', { factoryId: 'F1' })], 1);
    expect(conditions(obs, 'miss-old')).toEqual([
      ['A1/pressure', 'clear'],
      ['A1/temperature', 'bad'],
      ['A1/vibration', 'bad'],
      ['A4/torque', 'bad'],
    ]);
    expect(one(obs, 'miss-old', 'A1/temperature')).toEqual({
      ruleId: 'miss-old',
      subjectId: 'A1/temperature',
      about: { label: 'Asset', id: 'A1' },
      condition: 'bad',
      at: at(0),
      message:
        'temperature of asset Press (A1) has sent nothing for 10 min (last reading at ' +
        `${at(-600_000)}; expected every 5 min)`,
      value: 600,
      factoryId: 'F1',
      lineId: 'L1',
      assetId: 'A1',
      metricId: 'A1/temperature',
    });
    // never reported: silent since the rule was created an hour ago
    expect(one(obs, 'miss-old', 'A1/vibration')).toMatchObject({
      value: 3600,
      message:
        'vibration of asset Press (A1) has sent no reading since the rule was created at ' +
        `${at(-3_600_000)} (60 min ago; expected every 5 min)`,
    });
    // its ts is a Neo4j DATETIME 15 minutes ago
    expect(one(obs, 'miss-old', 'A4/torque')).toMatchObject({ value: 900, lineId: 'L3' });
    expect(one(obs, 'miss-old', 'A1/pressure')).toMatchObject({
      condition: 'clear',
      about: { label: 'Asset', id: 'A1' },
      assetId: 'A1',
      metricId: 'A1/pressure',
      message: `pressure of asset Press (A1) reported at ${at(-60_000)}`,
    });
  });

  it('when a rule was created a minute ago, then a metric that never reported is not missing yet', async () => {
    const obs = await sweep(
      [rule('miss-new', 'MISSING_DATA', { factoryId: 'F1', createdAt: at(-60_000) })],
      1,
    );
    expect(conditions(obs, 'miss-new')).toEqual([
      ['A1/temperature', 'bad'],
      ['A4/torque', 'bad'],
    ]);
  });

  it('when a rule names a metric or another scope, then it sees only those metrics', async () => {
    const obs = await sweep(
      [
        rule('miss-temp', 'MISSING_DATA', { metric: 'temperature' }),
        rule('miss-l2', 'MISSING_DATA', { lineId: 'L2' }),
        rule('miss-a1-long', 'MISSING_DATA', { assetId: 'A1', expectedIntervalS: 3 * 3600 }),
        rule('miss-f2-pressure', 'MISSING_DATA', { factoryId: 'F2', metric: 'pressure' }),
        rule('miss-off', 'MISSING_DATA', { enabled: false }),
      ],
      1,
    );
    expect(conditions(obs, 'miss-temp')).toEqual([
      ['A1/temperature', 'bad'],
      ['A3/temperature', 'bad'],
    ]);
    expect(one(obs, 'miss-temp', 'A3/temperature')).toMatchObject({
      value: 10_000,
      factoryId: 'F2',
    });
    expect(conditions(obs, 'miss-l2')).toEqual([['A3/temperature', 'bad']]);
    // an interval of 3 h: only the metric that never reported since the rule's creation, an hour
    // ago, is not yet missing either
    expect(conditions(obs, 'miss-a1-long')).toEqual([]);
    expect(conditions(obs, 'miss-f2-pressure')).toEqual([]);
    expect(conditions(obs, 'miss-off')).toEqual([]);
  });
});

describe('SHIPMENT_LATE', () => {
  beforeAll(async () => {
    await openAlert('late-all', 'SH3'); // delivered: cleared
    await openAlert('late-all', 'SH5'); // on time: cleared
    await openAlert('late-all', 'SH1'); // still late: bad only
  });

  it('when shipments are DELAYED or past their eta undelivered, then they are bad with the days late; delivered and on-time ones with an open alert clear', async () => {
    const obs = await sweep([rule('late-all', 'SHIPMENT_LATE')], 1);
    expect(conditions(obs, 'late-all')).toEqual([
      ['SH1', 'bad'],
      ['SH2', 'bad'],
      ['SH3', 'clear'],
      ['SH5', 'clear'],
      ['SH6', 'bad'],
      ['SH7', 'bad'],
      ['SH8', 'bad'],
      ['SH9', 'bad'],
    ]);
    expect(one(obs, 'late-all', 'SH1')).toEqual({
      ruleId: 'late-all',
      subjectId: 'SH1',
      about: { label: 'Shipment', id: 'SH1' },
      condition: 'bad',
      at: at(0),
      message:
        'Shipment SH1 of 2000 × Steel sheet (P2) from Acme Steel (S1) to Leipzig (F1) is ' +
        `DELAYED and 2 days past its eta ${at(-2 * DAY)}`,
      value: 2,
      factoryId: 'F1',
      lineId: null,
      assetId: null,
      metricId: null,
    });
    expect(one(obs, 'late-all', 'SH2')).toMatchObject({
      value: 0.5,
      message:
        'Shipment SH2 of 500 × Bolt (P3) from Bolt & Co (S2) to Leipzig (F1) is 0.5 days past ' +
        `its eta ${at(-0.5 * DAY)} and not delivered (IN_TRANSIT)`,
    });
    // DELAYED with its eta still ahead: late by 0 days
    expect(one(obs, 'late-all', 'SH6')).toMatchObject({
      value: 0,
      message: expect.stringContaining(`is DELAYED (eta ${at(2 * DAY)})`),
    });
    // the eta as a Neo4j DATETIME, and as an ISO string with an offset
    expect(one(obs, 'late-all', 'SH8').value).toBe(1);
    expect(one(obs, 'late-all', 'SH9').value).toBe(1);
    expect(one(obs, 'late-all', 'SH3')).toMatchObject({
      condition: 'clear',
      about: { label: 'Shipment', id: 'SH3' },
      message: 'Shipment SH3 is DELIVERED',
      factoryId: 'F1',
    });
    expect(one(obs, 'late-all', 'SH5').message).toBe(
      `Shipment SH5 is IN_TRANSIT and on time (eta ${at(DAY)})`,
    );
  });

  it('when a rule is scoped to a factory, then it sees only the shipments to it', async () => {
    const obs = await sweep(
      [
        rule('late-f2', 'SHIPMENT_LATE', { factoryId: 'F2' }),
        rule('late-f9', 'SHIPMENT_LATE', { factoryId: 'F9' }),
        // a line on a shipment rule means nothing: ignored
        rule('late-f2-l1', 'SHIPMENT_LATE', { factoryId: 'F2', lineId: 'L1' }),
        rule('late-off', 'SHIPMENT_LATE', { enabled: false }),
      ],
      1,
    );
    expect(conditions(obs, 'late-f2')).toEqual([
      ['SH7', 'bad'],
      ['SH8', 'bad'],
      ['SH9', 'bad'],
    ]);
    expect(conditions(obs, 'late-f2-l1')).toEqual(conditions(obs, 'late-f2'));
    expect(conditions(obs, 'late-f9')).toEqual([]);
    expect(conditions(obs, 'late-off')).toEqual([]);
  });
});

describe('COVER_BELOW_SAFETY', () => {
  beforeAll(async () => {
    await openAlert('cover-all', 'F1|P3'); // its late shipment leaves enough cover: cleared
    await openAlert('cover-all', 'F2|P9'); // nothing late: cleared
  });

  it('when a late shipment leaves a component under what its safety stock needs, then (F, C) is bad with the days of cover; one that leaves enough is not', async () => {
    const obs = await sweep([rule('cover-all', 'COVER_BELOW_SAFETY')], 2);
    expect(conditions(obs, 'cover-all')).toEqual([
      ['F1|P2', 'bad'],
      ['F1|P3', 'clear'],
      ['F2|P9', 'clear'],
    ]);
    // SH1 (2 days late) assumed 2 days later than its eta: it arrives now, with no other P2 due
    // by then (SH5 tomorrow, SH6 in 2 days): 5,000 / 2,560 = 1.953125 days left. SH6 (DELAYED,
    // eta in 2 days) assumed a day later lands in 3 days; by then SH1 and SH5 count too, but 3 days
    // of consumption are gone: (5,000 + 2,000 + 1,000) / 2,560 − 3 = 0.125 days left when it
    // lands, below the 8,000 / 2,560 = 3.125 its safety stock needs, and worse than SH1: reported.
    expect(one(obs, 'cover-all', 'F1|P2')).toEqual({
      ruleId: 'cover-all',
      subjectId: 'F1|P2',
      about: { label: 'Factory', id: 'F1' },
      condition: 'bad',
      at: at(0),
      message: expect.stringContaining(
        'Steel sheet (P2) at Leipzig (F1) will have 0.13 days of cover left when the shipment ' +
          'lands in 3 days, below the 3.13 days its safety stock of 8000 needs at 2560 a day: ' +
          'Shipment SH6 ',
      ) as unknown,
      value: 0.125,
      factoryId: 'F1',
      lineId: null,
      assetId: null,
      metricId: null,
    });
    // SH2 (half a day late) assumed a day late: 5,000 / 1,280 = 3.9 days of P3 ≥ 0.78 needed
    expect(one(obs, 'cover-all', 'F1|P3')).toMatchObject({
      about: { label: 'Factory', id: 'F1' },
      factoryId: 'F1',
      message: 'The late shipments of F1|P3 leave enough cover for its safety stock',
    });
    // F2 consumes nothing (no production): never bad, whatever its stock
    expect(one(obs, 'cover-all', 'F2|P9')).toMatchObject({
      about: { label: 'Factory', id: 'F2' },
      message: 'No shipment of F2|P9 is late any more',
    });
  });

  it('when the impact query analyses the same delay, then it reports the same days of cover', async () => {
    // the cover the sweep starts from is the impact query's for SH6 a day late; 3 days pass
    // until it lands
    const obs = await sweep([rule('cover-all', 'COVER_BELOW_SAFETY')], 2);
    const report = await analyseImpact(
      graph,
      { kind: 'SHIPMENT_DELAY', shipmentId: 'SH6', days: 1 },
      NOW,
      false,
    );
    expect(report.exposures).toHaveLength(1);
    expect(one(obs, 'cover-all', 'F1|P2').value).toBeCloseTo(
      (report.exposures[0]?.daysOfCover ?? NaN) - 3,
      9,
    );
  });

  it('when a rule is scoped to another factory, or disabled, then it sees nothing', async () => {
    const obs = await sweep(
      [
        rule('cover-f2', 'COVER_BELOW_SAFETY', { factoryId: 'F2' }),
        rule('cover-off', 'COVER_BELOW_SAFETY', { enabled: false }),
      ],
      2,
    );
    expect(obs).toEqual([]);
  });
});

describe('a sweep of every kind', () => {
  it('when rules of other kinds are among them, then they are ignored', async () => {
    const obs = await sweep([rule('range', 'OUT_OF_RANGE')], 0);
    expect(obs).toEqual([]);
  });

  it('when there are many rules of every kind over many twins, then it costs at most five round trips', async () => {
    // 40 more factories, each with a line of 5 parallel assets (4 DOWN, each with 2 metrics that
    // never reported) making P1 at 1/h, so cons(F, P2) = 1 × 16 × 0.2 × 4 = 12.8/day, a stock of 1
    // P2 with a safety stock of 1,000, and a DELAYED shipment of P2 two days past its eta
    // (cover 1 / 12.8 days, below the 1,000 / 12.8 needed)
    const n = 40;
    const ids = Array.from({ length: n }, (_, i) => `X${i}`);
    await importDocument(graph, {
      factories: ids.map((id) => ({ id: `F-${id}`, name: id })),
      lines: ids.map((id) => ({ id: `L-${id}`, factoryId: `F-${id}`, name: id })),
      assets: ids.flatMap((id) =>
        [0, 1, 2, 3, 4].map((k) => ({
          id: `A-${id}-${k}`,
          lineId: `L-${id}`,
          name: `${id}.${k}`,
          kind: 'CNC',
          status: k < 4 ? 'DOWN' : 'RUNNING',
          ratePerHour: 10,
          metrics: [metric('a'), metric('b')],
        })),
      ),
      production: ids.map((id) => ({ lineId: `L-${id}`, productId: 'P1', ratePerHour: 1 })),
      inventory: ids.map((id) => ({
        factoryId: `F-${id}`,
        productId: 'P2',
        quantity: 1,
        safetyStock: 1000,
      })),
      shipments: ids.map((id) =>
        ship(`SH-${id}`, 'S1', `F-${id}`, 'P2', 10, 'DELAYED', at(-2 * DAY)),
      ),
    });
    const kinds: AlertRuleKind[] = [
      'ASSET_DOWN',
      'MISSING_DATA',
      'SHIPMENT_LATE',
      'COVER_BELOW_SAFETY',
    ];
    const rules = kinds.flatMap((kind) =>
      Array.from({ length: 25 }, (_, i) =>
        rule(`${kind}-${i}`, kind, i % 5 === 4 ? { factoryId: `F-X${i}` } : {}),
      ),
    );
    const obs = await sweep(rules, 5);

    // per unscoped rule: every DOWN asset (2 + 160), every silent metric (4 + 400), every late
    // shipment (6 + 40), every (F, C) below its safety stock (1 + 40)
    const bad = (ruleId: string) =>
      obs.filter((o) => o.ruleId === ruleId && o.condition === 'bad').length;
    expect(bad('ASSET_DOWN-0')).toBe(162);
    expect(bad('MISSING_DATA-0')).toBe(404);
    expect(bad('SHIPMENT_LATE-0')).toBe(46);
    expect(bad('COVER_BELOW_SAFETY-0')).toBe(41);
    // scoped to one of the new factories: its 4 DOWN assets, 10 metrics, 1 shipment, 1 (F, C)
    expect(bad('ASSET_DOWN-4')).toBe(4);
    expect(bad('MISSING_DATA-4')).toBe(10);
    expect(bad('SHIPMENT_LATE-4')).toBe(1);
    expect(bad('COVER_BELOW_SAFETY-4')).toBe(1);
    expect(obs).toHaveLength(20 * (162 + 404 + 46 + 41) + 5 * (4 + 10 + 1 + 1));
  });
});
