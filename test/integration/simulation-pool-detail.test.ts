import { runSimulation } from '../../src/simulation/monte-carlo';
import { closePools, options, pool, scenario, snapshot, START } from '../support/sim-pool';
import { syntheticSnapshot } from '../support/sim-snapshot';

/*
 * The run whose details a result shows goes on a worker when there is a pool: here, a single run
 * (runs = 1), the same in this thread and on 1 or 2 workers, and a long one that must neither stop
 * this thread's event loop nor outlast an abort. Needs the build, as simulation-pool.test.ts.
 */

afterEach(closePools);

/** The event-loop watches of a test, stopped after it even when it fails midway. */
const watches: NodeJS.Timeout[] = [];
afterEach(() => {
  for (const timer of watches.splice(0)) clearInterval(timer);
});

/**
 * Counts this thread's event-loop turns with a 10 ms interval. A run in this thread is one
 * synchronous call, so the count would not move while it runs; no wall-clock bound is asserted
 * (the machines are shared and noisy), only that the loop kept turning.
 */
function watchLoop(): () => { ticks: number } {
  let ticks = 0;
  const timer = setInterval(() => {
    ticks += 1;
  }, 10);
  watches.push(timer);
  return () => {
    clearInterval(timer);
    return { ticks };
  };
}

/**
 * 25 factories of 10 lines over a year in hourly steps: one run (with the changes, with details,
 * then the baseline) takes about 2 s on a worker of the machine this was written on. The same run
 * in this thread under jest takes several times as long (about 10 s for 15 factories, measured),
 * and comparing two of its results with toEqual seconds more, so that the pool gives this
 * thread's result is checked on the small snapshot instead.
 */
const big = syntheticSnapshot({ factories: 25, lines: 10, days: 366, startMs: START });
const bigScenario = scenario({
  runs: 1,
  horizonDays: 366,
  stepHours: 1,
  seriesProductIds: ['P0', 'P1'],
  supplierOutages: [{ supplierId: 'S0', startDay: 30, days: 20 }],
  assetDowntimes: [{ assetId: 'F0-L0-A1', startDay: 3, hours: 48 }],
});

describe('a single run on the simulation pool', () => {
  it('when a single run goes in this thread, on 1 worker and on 2, then the results are identical', async () => {
    const single = scenario({ runs: 1 });
    const inThread = await runSimulation(snapshot, single, options);
    expect(await runSimulation(snapshot, single, options, { pool: pool(1) })).toEqual(inThread);
    expect(await runSimulation(snapshot, single, options, { pool: pool(2) })).toEqual(inThread);
    expect(inThread).toMatchObject({ runs: 1, bands: [], representativeRun: 0, steps: 20 });
    // the changes cost something against the baseline, and the series of P1 is there
    expect(inThread.delta.unitsProduced).toBeLessThan(0);
    expect(inThread.series.map((r) => r.productId)).toEqual(['P1']);
  });

  it('when a single run takes seconds on the pool, then this thread keeps ticking throughout', async () => {
    const shared = pool(1);
    const stop = watchLoop();
    const seen: number[] = [];
    const pooled = await runSimulation(big, bigScenario, options, {
      pool: shared,
      onProgress: (done) => seen.push(done),
    });
    const loop = stop();
    // the loop kept turning while the worker ran (in this thread it would not turn at all)
    expect(loop.ticks).toBeGreaterThan(3);
    expect(seen).toEqual([0, 1]);
    expect(pooled.steps).toBe(366 * 24);
    expect(pooled.series[0]?.day).toHaveLength(366 * 24);
    expect(pooled.kpis.fillRate).toBeGreaterThan(0);
    expect(pooled.kpis.fillRate).toBeLessThan(1);
    // the outage and the downtime cost output against the baseline of the same run
    expect(pooled.delta.unitsProduced).toBeLessThan(0);
  });

  it('when a single long run is aborted midway, then it rejects, the loop keeps turning and the pool is free for the next job', async () => {
    const shared = pool(1);
    const controller = new AbortController();
    const stop = watchLoop();
    const job = runSimulation(big, bigScenario, options, {
      pool: shared,
      signal: controller.signal,
    });
    // inside the run (which takes seconds on a worker)
    setTimeout(() => controller.abort(), 700);
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    const loop = stop();
    expect(loop.ticks).toBeGreaterThan(3);
    // the worker was ended, not waited for: nothing is left pending and the next job runs
    expect(shared.pending).toBe(0);
    const single = scenario({ runs: 1 });
    expect(await runSimulation(snapshot, single, options, { pool: shared })).toEqual(
      await runSimulation(snapshot, single, options),
    );
  });
});
