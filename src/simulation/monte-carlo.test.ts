import { bands, percentile, representativeRun, runSimulation } from './monte-carlo';
import { chunkBounds, chunkPlan } from './monte-carlo.runs';
import { KPI_NAMES, type Kpis, type RunKpis, type Scenario, type Snapshot } from './model';

/*
 * The aggregation is tested against a stand-in engine whose KPIs are simple functions of the run
 * index, so what runSimulation does with them can be computed by hand. The real engine, on worker
 * threads, is tested in test/integration/simulation-pool.test.ts.
 */
jest.mock('./engine', () => {
  type Model = { scenario: { seed: number }; steps: number };
  const kpisOf = (model: Model, run: number, withChanges: boolean) => {
    // seed 99: each run takes about 2 ms, so an in-thread job spans several time slices
    if (model.scenario.seed === 99) {
      const until = performance.now() + 2;
      while (performance.now() < until);
    }
    const revenueLost = withChanges ? (run * 7) % 10 : (run * 3) % 5;
    return {
      fillRate: 1 - revenueLost / 100,
      unitsProduced: 100 + run,
      unitsShort: withChanges ? run % 4 : 0,
      lateOrders: run % 3,
      revenueLost,
    };
  };
  return {
    compile: (_snapshot: unknown, scenario: { seed: number }) => ({ scenario, steps: 3 }),
    runKpis: kpisOf,
    runDetail: (model: Model, run: number, withChanges: boolean) => ({
      kpis: kpisOf(model, run, withChanges),
      inventory: [
        {
          factoryId: 'F',
          productId: `run-${run}`,
          start: 0,
          end: 0,
          received: 0,
          produced: 0,
          consumed: 0,
          shipped: 0,
          min: 0,
        },
      ],
      production: [],
      stockouts: [],
      lateOrders: [],
      series: [],
    }),
  };
});

const kpis = (revenueLost: number, unitsShort = 0, fillRate = 1): Kpis => ({
  fillRate,
  unitsProduced: 0,
  unitsShort,
  lateOrders: 0,
  revenueLost,
});
const zero = kpis(0);

describe('percentile (type 7, numpy default)', () => {
  it('when the rank falls between two values, then it interpolates linearly', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 10)).toBeCloseTo(1.3, 12);
    expect(percentile([1, 2, 3, 4], 90)).toBeCloseTo(3.7, 12);
    expect(percentile([15, 20, 35, 40, 50], 40)).toBeCloseTo(29, 12);
  });

  it('when the rank is whole, then it is that value; p0 and p100 are min and max', () => {
    expect(percentile([15, 20, 35, 40, 50], 50)).toBe(35);
    expect(percentile([15, 20, 35, 40, 50], 0)).toBe(15);
    expect(percentile([15, 20, 35, 40, 50], 100)).toBe(50);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([3, 3, 3], 37)).toBe(3);
  });

  it('when there are no values or p is outside [0, 100], then it throws', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('bands', () => {
  it('when there are runs, then KPIs, baseline.* and delta.* come in KPI_NAMES order', () => {
    const runs: RunKpis[] = [0, 1, 2].map((run) => ({ run, kpis: zero, baseline: zero }));
    expect(bands(runs).map((b) => b.metric)).toEqual([
      ...KPI_NAMES,
      ...KPI_NAMES.map((k) => `baseline.${k}`),
      ...KPI_NAMES.map((k) => `delta.${k}`),
    ]);
    expect(bands([])).toEqual([]);
  });

  it('when scenario and baseline move together, then the delta band is of paired differences', () => {
    // revenueLost 10, 20, …, 110 with the changes, 0, 10, …, 100 without: each run loses 10 more
    const runs: RunKpis[] = Array.from({ length: 11 }, (_, i) => ({
      run: i,
      kpis: kpis(10 * (10 - i) + 10),
      baseline: kpis(10 * (10 - i)),
    }));
    const byMetric = new Map(bands(runs).map((b) => [b.metric, b]));
    expect(byMetric.get('revenueLost')).toEqual({
      metric: 'revenueLost',
      p10: 20,
      p50: 60,
      p90: 100,
    });
    expect(byMetric.get('baseline.revenueLost')).toEqual({
      metric: 'baseline.revenueLost',
      p10: 10,
      p50: 50,
      p90: 90,
    });
    expect(byMetric.get('delta.revenueLost')).toEqual({
      metric: 'delta.revenueLost',
      p10: 10,
      p50: 10,
      p90: 10,
    });
  });
});

describe('representativeRun', () => {
  it('when one run has revenueLost at the median, then it is that run', () => {
    const runs = [30, 10, 20].map((lost, run) => ({ run, kpis: kpis(lost), baseline: zero }));
    expect(representativeRun(runs)).toBe(2);
  });

  it('when revenueLost ties, then unitsShort closest to its median decides', () => {
    // revenueLost median 5: runs 1 (4) and 2 (6) tie, 1 away; unitsShort median 3.5: run 2 (3) wins
    const runs = [
      { run: 0, kpis: kpis(0, 9), baseline: zero },
      { run: 1, kpis: kpis(4, 0), baseline: zero },
      { run: 2, kpis: kpis(6, 3), baseline: zero },
      { run: 3, kpis: kpis(10, 4), baseline: zero },
    ];
    expect(representativeRun(runs)).toBe(2);
  });

  it('when both tie, then the lowest run index wins, whatever the order given', () => {
    const runs = [3, 1, 2, 0].map((run) => ({ run, kpis: kpis(5, 2), baseline: zero }));
    expect(representativeRun(runs)).toBe(0);
    expect(() => representativeRun([])).toThrow(RangeError);
  });
});

describe('chunkBounds', () => {
  it('when 10 runs go in 4 chunks, then they cover [0, 10) in order with sizes 2 or 3', () => {
    expect(chunkBounds(10, 4)).toEqual([
      [0, 2],
      [2, 5],
      [5, 7],
      [7, 10],
    ]);
  });

  it('when there are fewer runs than chunks, then each chunk has one run', () => {
    expect(chunkBounds(3, 8)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(chunkBounds(5, 0)).toEqual([[0, 5]]);
  });
});

describe('chunkPlan', () => {
  const sizes = (plan: [number, number][]) => plan.map(([from, to]) => to - from);

  it('when a job is small, then each worker gets 4 chunks', () => {
    expect(sizes(chunkPlan(40, 2))).toEqual([5, 5, 5, 5, 5, 5, 5, 5]);
    expect(chunkPlan(3, 2)).toHaveLength(3);
  });

  it('when 4 chunks per worker would exceed 50 runs, then there are more chunks of at most 50', () => {
    const plan = chunkPlan(10_000, 2);
    expect(plan).toHaveLength(200);
    expect(new Set(sizes(plan))).toEqual(new Set([50]));
    expect(sizes(chunkPlan(1_001, 2))).toEqual(expect.arrayContaining([47, 48]));
    expect(Math.max(...sizes(chunkPlan(1_001, 2)))).toBeLessThanOrEqual(50);
    // 8 workers × 4 chunks of 1,000 runs are already ≤ 50 each
    expect(chunkPlan(1_000, 8)).toHaveLength(32);
  });

  it('when asked twice, then it splits the same way, covering every run once in order', () => {
    const plan = chunkPlan(7_777, 3);
    expect(chunkPlan(7_777, 3)).toEqual(plan);
    expect(plan[0]?.[0]).toBe(0);
    expect(plan.at(-1)?.[1]).toBe(7_777);
    expect(plan.every(([from], i) => i === 0 || from === plan[i - 1]?.[1])).toBe(true);
  });
});

const snapshot: Snapshot = {
  factories: [],
  lines: [],
  production: [],
  bom: [],
  products: [],
  suppliers: [],
  supplies: [],
  stock: [],
  shipments: [],
  orders: [],
};
const scenario = (runs: number, seed = 7): Scenario => ({
  supplierOutages: [],
  shipmentDelays: [],
  assetDowntimes: [],
  maintenanceWindows: [],
  shiftChanges: [],
  demandChanges: [],
  startMs: Date.UTC(2026, 10, 25),
  horizonDays: 3,
  stepHours: 24,
  factoryIds: null,
  runs,
  seed,
  seriesProductIds: [],
  standingSupply: true,
});
const options = { alternativesMitigate: true };

describe('runSimulation in this thread (stand-in engine)', () => {
  it('when runs = 1, then kpis, baseline and delta are of run 0, without bands', async () => {
    const result = await runSimulation(snapshot, scenario(1), options);
    expect(result.kpis).toEqual({
      fillRate: 1,
      unitsProduced: 100,
      unitsShort: 0,
      lateOrders: 0,
      revenueLost: 0,
    });
    expect(result.baseline).toEqual(result.kpis);
    expect(result.delta).toEqual(kpis(0, 0, 0));
    expect(result).toMatchObject({
      bands: [],
      representativeRun: 0,
      runs: 1,
      seed: 7,
      steps: 3,
      startAt: '2026-11-25T00:00:00.000Z',
      horizonDays: 3,
      stepHours: 24,
    });
  });

  it('when runs = 20, then KPIs are medians, delta the median of differences, details of the representative run', async () => {
    const progress: number[] = [];
    const result = await runSimulation(snapshot, scenario(20), options, {
      onProgress: (done, total) => {
        expect(total).toBe(20);
        progress.push(done);
      },
    });
    // with the changes revenueLost is (7r) mod 10 over r = 0..19: each of 0..9 twice, median 4.5
    expect(result.kpis.revenueLost).toBe(4.5);
    expect(result.kpis.unitsProduced).toBe(109.5);
    // without: (3r) mod 5, each of 0..4 four times: median 2
    expect(result.baseline.revenueLost).toBe(2);
    const runs: RunKpis[] = Array.from({ length: 20 }, (_, r) => ({
      run: r,
      kpis: { ...zero, revenueLost: (r * 7) % 10, unitsShort: r % 4 },
      baseline: zero,
    }));
    expect(result.representativeRun).toBe(representativeRun(runs));
    expect(result.inventory[0]?.productId).toBe(`run-${result.representativeRun}`);
    expect(result.bands).toHaveLength(3 * KPI_NAMES.length);
    expect(result.delta.unitsProduced).toBe(0);
    expect(progress.at(0)).toBe(0);
    expect(progress.at(-1)).toBe(20);
  });

  it('when the signal aborts midway, then it rejects with an AbortError before the last run', async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const job = runSimulation(snapshot, scenario(200, 99), options, {
      signal: controller.signal,
      onProgress: (done) => {
        progress.push(done);
        if (done > 0) controller.abort();
      },
    });
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    expect(progress.at(-1)).toBeLessThan(200);
  });

  it('when the signal is already aborted, then nothing runs', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(
      runSimulation(snapshot, scenario(5), options, { signal: controller.signal }),
    ).rejects.toThrow('gone');
  });
});
