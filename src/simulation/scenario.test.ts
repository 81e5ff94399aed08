import fc from 'fast-check';
import { TwinError, type Problem } from '../errors';
import type { Snapshot } from './model';
import { validateScenario, type ScenarioInput } from './scenario';
import { LIMITS, simCaseArbitrary, START_MS } from './snapshot.arbitrary';

/*
 * Scenario validation: what it refuses, each problem with the path of the field at fault, every
 * problem listed at once. The limits are those of the arbitraries (60 days, 8 runs, 4 series).
 */

const snapshot: Snapshot = {
  factories: [{ id: 'F1' }],
  lines: [
    {
      id: 'L1',
      factoryId: 'F1',
      shiftsPerDay: 2,
      hoursPerShift: 8,
      stations: [
        { id: 'A1', status: 'RUNNING', ratePerHour: 10, mtbfHours: null, mttrHours: null },
      ],
      flows: [],
    },
  ],
  production: [{ lineId: 'L1', factoryId: 'F1', productId: 'P1', ratePerHour: 5 }],
  bom: [],
  products: [{ id: 'P1', unitPrice: 10, unitCost: 4 }],
  suppliers: [{ id: 'S1', recoveryDays: null }],
  supplies: [],
  stock: [],
  shipments: ['PLANNED', 'DELIVERED'].map((status, i) => ({
    id: `SH${i + 1}`,
    supplierId: 'S1',
    factoryId: 'F1',
    productId: 'P1',
    quantity: 10,
    status,
    departedAtMs: null,
    etaMs: START_MS,
  })),
  orders: [],
};

/** The problems validation reports for `input` (fails the test if it accepts it). */
function problemsOf(input: ScenarioInput, on: Snapshot = snapshot): Problem[] {
  try {
    validateScenario(input, on, LIMITS, START_MS);
  } catch (err) {
    if (!(err instanceof TwinError)) throw err;
    expect(err.extensions['code']).toBe('BAD_USER_INPUT');
    const problems: unknown = err.extensions['problems'];
    if (!Array.isArray(problems)) throw new Error('no extensions.problems');
    return problems.map((p: unknown) => {
      if (typeof p !== 'object' || p === null || !('path' in p) || !('message' in p)) {
        throw new Error(`not a problem: ${JSON.stringify(p)}`);
      }
      return { path: String(p.path), message: String(p.message) };
    });
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}
const pathsOf = (input: ScenarioInput) => problemsOf(input).map((p) => p.path);

describe('validateScenario', () => {
  it('accepts a scenario that names known twins inside the horizon, with defaults filled in', () => {
    const scenario = validateScenario(
      {
        horizonDays: 10,
        supplierOutages: [{ supplierId: 'S1', startDay: 9.5, days: 30 }],
        shipmentDelays: [{ shipmentId: 'SH1', days: 0 }],
        assetDowntimes: [{ assetId: 'A1', hours: 4 }],
        shiftChanges: [{ lineId: 'L1', shiftsPerDay: 3 }],
        demandChanges: [{ productId: 'P1', factor: 0 }],
      },
      snapshot,
      LIMITS,
      START_MS,
    );
    expect(scenario).toMatchObject({
      startMs: START_MS,
      stepHours: 24,
      runs: 1,
      factoryIds: null,
      standingSupply: true,
      assetDowntimes: [{ assetId: 'A1', startDay: 0, hours: 4 }],
    });
  });

  it('refuses unknown ids, each at its path', () => {
    expect(
      problemsOf({
        horizonDays: 10,
        supplierOutages: [{ supplierId: 'S9', days: 1 }],
        shipmentDelays: [{ shipmentId: 'SH9', days: 1 }],
        assetDowntimes: [{ assetId: 'A9', hours: 1 }],
        maintenanceWindows: [
          { assetId: 'A1', hours: 1 },
          { assetId: 'A9', hours: 1 },
        ],
        shiftChanges: [{ lineId: 'L9', shiftsPerDay: 1 }],
        demandChanges: [{ productId: 'P9', factor: 1 }],
        factoryIds: ['F9'],
        seriesProductIds: ['P1', 'P9'],
      }),
    ).toEqual([
      { path: 'supplierOutages[0].supplierId', message: 'unknown supplier "S9"' },
      {
        path: 'shipmentDelays[0].shipmentId',
        message: 'unknown shipment "SH9" (or not in the run\'s factoryIds)',
      },
      {
        path: 'assetDowntimes[0].assetId',
        message: 'unknown asset "A9" (or not in the run\'s factoryIds)',
      },
      {
        path: 'maintenanceWindows[1].assetId',
        message: 'unknown asset "A9" (or not in the run\'s factoryIds)',
      },
      {
        path: 'shiftChanges[0].lineId',
        message: 'unknown line "L9" (or not in the run\'s factoryIds)',
      },
      { path: 'demandChanges[0].productId', message: 'unknown product "P9"' },
      { path: 'factoryIds[0]', message: 'unknown factory "F9"' },
      { path: 'seriesProductIds[1]', message: 'unknown product "P9"' },
    ]);
  });

  it('refuses negative and non-finite numbers, each at its path', () => {
    expect(
      pathsOf({
        horizonDays: 10,
        supplierOutages: [
          { supplierId: 'S1', days: -1 },
          { supplierId: 'S1', days: Number.NaN },
          { supplierId: 'S1', days: Infinity },
          { supplierId: 'S1', days: 0 },
        ],
        shipmentDelays: [{ shipmentId: 'SH1', days: -0.5 }],
        assetDowntimes: [{ assetId: 'A1', hours: -Infinity }],
        maintenanceWindows: [{ assetId: 'A1', hours: 0 }],
        shiftChanges: [{ lineId: 'L1', shiftsPerDay: Number.NaN }],
        demandChanges: [
          { productId: 'P1', factor: -2 },
          { productId: 'P1', factor: Infinity },
        ],
      }),
    ).toEqual([
      'supplierOutages[0].days',
      'supplierOutages[1].days',
      'supplierOutages[2].days',
      'supplierOutages[3].days',
      'shipmentDelays[0].days',
      'assetDowntimes[0].hours',
      'maintenanceWindows[0].hours',
      'shiftChanges[0].shiftsPerDay',
      'demandChanges[0].factor',
      'demandChanges[1].factor',
    ]);
  });

  it('refuses windows that start outside the horizon (before day 0, at its end or later, or at no day)', () => {
    expect(
      problemsOf({
        horizonDays: 10,
        supplierOutages: [
          { supplierId: 'S1', startDay: -1, days: 1 },
          { supplierId: 'S1', startDay: 10, days: 1 },
        ],
        assetDowntimes: [{ assetId: 'A1', startDay: 12.5, hours: 1 }],
        maintenanceWindows: [{ assetId: 'A1', startDay: Number.NaN, hours: 1 }],
      }),
    ).toEqual([
      {
        path: 'supplierOutages[0].startDay',
        message: 'must be a day of the horizon, 0 or more, got -1',
      },
      {
        path: 'supplierOutages[1].startDay',
        message: 'day 10 is outside the horizon of 10 days',
      },
      {
        path: 'assetDowntimes[0].startDay',
        message: 'day 12.5 is outside the horizon of 10 days',
      },
      {
        path: 'maintenanceWindows[0].startDay',
        message: 'must be a day of the horizon, 0 or more, got NaN',
      },
    ]);
  });

  it('refuses a horizon, runs and step outside their limits, naming the limit', () => {
    for (const horizonDays of [0, -1, Number.NaN, Infinity, 60.5]) {
      expect(pathsOf({ horizonDays })).toEqual(['horizonDays']);
    }
    expect(problemsOf({ horizonDays: 61 })[0]?.message).toBe(
      'at most 60 days (SIM_MAX_HORIZON_DAYS), got 61',
    );
    for (const runs of [0, -3, 1.5, 9, Number.NaN]) {
      expect(pathsOf({ horizonDays: 1, runs })).toEqual(['runs']);
    }
    expect(problemsOf({ horizonDays: 1, runs: 9 })[0]?.message).toBe('at most 8 runs here, got 9');
    for (const stepHours of [0, 6, 12, 48]) {
      expect(pathsOf({ horizonDays: 1, stepHours })).toEqual(['stepHours']);
    }
    expect(pathsOf({ horizonDays: 1, seed: 0.5 })).toEqual(['seed']);
    expect(pathsOf({ horizonDays: 1, startAt: 'next tuesday' })).toEqual(['startAt']);
    // a product named again is the same series, not one more over the limit
    expect(
      validateScenario(
        { horizonDays: 1, seriesProductIds: ['P1', 'P1', 'P1', 'P1', 'P1'] },
        snapshot,
        LIMITS,
        START_MS,
      ).seriesProductIds,
    ).toEqual(['P1']);
  });

  it('refuses delaying a shipment that is not on its way, more than 24 h of shifts, and a line changed twice', () => {
    expect(
      problemsOf({
        horizonDays: 10,
        shipmentDelays: [{ shipmentId: 'SH2', days: 1 }],
        shiftChanges: [
          { lineId: 'L1', shiftsPerDay: 3.5 },
          { lineId: 'L1', shiftsPerDay: 1 },
        ],
      }),
    ).toEqual([
      {
        path: 'shipmentDelays[0].shipmentId',
        message:
          'shipment "SH2" is DELIVERED; only PLANNED, IN_TRANSIT or DELAYED shipments can be delayed',
      },
      {
        path: 'shiftChanges[0].shiftsPerDay',
        message: '3.5 shifts of 8 h is more than 24 hours a day',
      },
      {
        path: 'shiftChanges[1].lineId',
        message: 'line "L1" is changed twice; give one shiftsPerDay per line',
      },
    ]);
  });

  it('names the first problem and how many more in the message', () => {
    try {
      validateScenario({ horizonDays: 0, runs: 0, stepHours: 2 }, snapshot, LIMITS, START_MS);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(TwinError);
      expect(err instanceof Error ? err.message : '').toBe(
        'scenario rejected: horizonDays: must be a number of days above 0, got 0 (and 2 more in extensions.problems)',
      );
    }
  });
});

/** One field of a valid generated input spoiled, and the path validation must name. */
type Spoil = (input: ScenarioInput, bad: number) => { input: ScenarioInput; path: string } | null;

/** Spoils one entry of a list of changes (null when the list is empty). */
function entry<K extends keyof ScenarioInput, F extends string>(
  list: K,
  field: F,
  value: (bad: number, horizon: number) => number | string,
): Spoil {
  return (input, bad) => {
    const items: unknown = input[list];
    if (!Array.isArray(items) || items.length === 0) return null;
    const i = bad % items.length;
    const spoilt = items.map((item: unknown, j) =>
      j === i && typeof item === 'object'
        ? { ...item, [field]: value(bad, input.horizonDays) }
        : item,
    );
    return { input: { ...input, [list]: spoilt }, path: `${list}[${i}].${field}` };
  };
}

const NOT_FINITE = [Number.NaN, Infinity, -Infinity];
const badNumber = (bad: number) => [-1, -0.001, ...NOT_FINITE][bad % 5] ?? -1;
const badPositive = (bad: number) => [0, -1, ...NOT_FINITE][bad % 5] ?? 0;
const badStart = (bad: number, horizon: number) =>
  [-1, horizon, horizon + 0.5, ...NOT_FINITE][bad % 6] ?? -1;

const SPOILS: Spoil[] = [
  entry('supplierOutages', 'supplierId', () => 'S-unknown'),
  entry('supplierOutages', 'days', badPositive),
  entry('supplierOutages', 'startDay', badStart),
  entry('shipmentDelays', 'shipmentId', () => 'SH-unknown'),
  entry('shipmentDelays', 'days', badNumber),
  entry('assetDowntimes', 'assetId', () => 'A-unknown'),
  entry('assetDowntimes', 'hours', badPositive),
  entry('assetDowntimes', 'startDay', badStart),
  entry('maintenanceWindows', 'hours', badPositive),
  entry('maintenanceWindows', 'startDay', badStart),
  entry('shiftChanges', 'lineId', () => 'L-unknown'),
  entry('shiftChanges', 'shiftsPerDay', badNumber),
  entry('demandChanges', 'productId', () => 'P-unknown'),
  entry('demandChanges', 'factor', badNumber),
  (input, bad) => ({
    input: { ...input, horizonDays: [0, -1, 60.25, 1000, ...NOT_FINITE][bad % 6] ?? 0 },
    path: 'horizonDays',
  }),
  (input, bad) => ({ input: { ...input, runs: [0, -1, 2.5, 9][bad % 4] ?? 0 }, path: 'runs' }),
];

describe('validateScenario on generated scenarios', () => {
  it('refuses a valid scenario with one field spoilt, with a problem at that field', () => {
    fc.assert(
      fc.property(simCaseArbitrary(), fc.nat(SPOILS.length - 1), fc.nat(), (c, which, bad) => {
        const spoilt = SPOILS[which]?.(c.input, bad) ?? null;
        fc.pre(spoilt !== null);
        if (spoilt === null) return;
        expect(problemsOf(spoilt.input, c.snapshot).map((p) => p.path)).toContain(spoilt.path);
      }),
      { numRuns: 200 },
    );
  });
});
