import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineOptions, Scenario, Snapshot } from '../../src/simulation/model';
import { runSimulation } from '../../src/simulation/monte-carlo';
import { SimulationPool, workerFilename } from '../../src/simulation/pool';
import { syntheticSnapshot } from '../support/sim-snapshot';

/*
 * Monte Carlo on worker threads. Pure (no Neo4j): a hand-built snapshot whose stations fail at
 * random. The workers run the built JS (dist/src/simulation/worker.js), this file the TS sources,
 * so the build must be current: `npm run build` first (`npm test` does it); the first test says so
 * when it is not.
 */

const START = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
const options: EngineOptions = { alternativesMitigate: true };

/** Stations that fail about every 5 days and take half a day to repair, on average. */
const station = (id: string, ratePerHour: number) => ({
  id,
  status: 'RUNNING',
  ratePerHour,
  mtbfHours: 120,
  mttrHours: 12,
});

/**
 * F1: L1 makes P1 from 2 × C1 (bought from S1) over a serial line, L2 makes P2 over two parallel
 * stations. Orders due every day take about what the lines make, so failures show as shortfalls.
 */
const snapshot: Snapshot = {
  factories: [{ id: 'F1' }],
  lines: [
    {
      id: 'L1',
      factoryId: 'F1',
      shiftsPerDay: 2,
      hoursPerShift: 8,
      stations: [station('A1', 60), station('A2', 50), station('A3', 55)],
      flows: [
        { from: 'A1', to: 'A2' },
        { from: 'A2', to: 'A3' },
      ],
    },
    {
      id: 'L2',
      factoryId: 'F1',
      shiftsPerDay: 3,
      hoursPerShift: 8,
      stations: [station('B1', 20), station('B2', 20)],
      flows: [],
    },
  ],
  production: [
    { lineId: 'L1', factoryId: 'F1', productId: 'P1', ratePerHour: 30 },
    { lineId: 'L2', factoryId: 'F1', productId: 'P2', ratePerHour: 40 },
  ],
  bom: [{ parentId: 'P1', componentId: 'C1', quantity: 2 }],
  products: [
    { id: 'P1', unitPrice: 100, unitCost: 40 },
    { id: 'P2', unitPrice: 60, unitCost: 25 },
    { id: 'C1', unitPrice: 5, unitCost: 2 },
  ],
  suppliers: [{ id: 'S1', recoveryDays: 10 }],
  supplies: [{ supplierId: 'S1', productId: 'C1', leadTimeDays: 7, unitCost: 2 }],
  stock: [
    { factoryId: 'F1', productId: 'C1', quantity: 5000, safetyStock: 1000 },
    { factoryId: 'F1', productId: 'P1', quantity: 200, safetyStock: 100 },
    { factoryId: 'F1', productId: 'P2', quantity: 100, safetyStock: 50 },
  ],
  shipments: [],
  orders: Array.from({ length: 20 }, (_, d) => [
    {
      id: `O1-${d}`,
      factoryId: 'F1',
      productId: 'P1',
      quantity: 450,
      dueMs: START + (d + 1) * DAY,
    },
    {
      id: `O2-${d}`,
      factoryId: 'F1',
      productId: 'P2',
      quantity: 900,
      dueMs: START + (d + 1) * DAY,
    },
  ]).flat(),
};

const scenario = (over: Partial<Scenario> = {}): Scenario => ({
  startMs: START,
  horizonDays: 20,
  stepHours: 24,
  factoryIds: null,
  runs: 40,
  seed: 7,
  seriesProductIds: ['P1'],
  standingSupply: true,
  supplierOutages: [{ supplierId: 'S1', startDay: 2, days: 5 }],
  shipmentDelays: [],
  assetDowntimes: [{ assetId: 'B1', startDay: 3, hours: 48 }],
  maintenanceWindows: [],
  shiftChanges: [],
  demandChanges: [],
  ...over,
});

/** The pools of a test, closed after it whatever happens. */
const opened: SimulationPool[] = [];
function pool(workers: number, filename?: string): SimulationPool {
  const made = new SimulationPool(workers, filename === undefined ? {} : { filename });
  opened.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

/** The event-loop watches of a test, stopped after it even when it fails midway. */
const watches: NodeJS.Timeout[] = [];
afterEach(() => {
  for (const timer of watches.splice(0)) clearInterval(timer);
});

/**
 * Watches this thread's event loop: a 10 ms interval that records the longest gap between its
 * ticks. A run in this thread shows as a gap as long as the run.
 */
function watchLoop(): () => { maxGapMs: number } {
  let maxGapMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 10);
  watches.push(timer);
  return () => {
    clearInterval(timer);
    return { maxGapMs: Math.max(maxGapMs, performance.now() - last) };
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

describe('Monte Carlo on the simulation pool', () => {
  it('when the sources are newer than the build, then this says to run npm run build', () => {
    const root = join(__dirname, '..', '..');
    // what the workers load (worker.js and its imports)
    const loaded = ['worker', 'engine', 'engine.books', 'compile', 'compile.inputs', 'capacity'];
    const stale = [...loaded, 'model'].filter((name) => {
      const built = join(root, 'dist', 'src', 'simulation', `${name}.js`);
      const source = join(root, 'src', 'simulation', `${name}.ts`);
      return !existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs;
    });
    expect({ stale, remedy: stale.length ? 'run `npm run build`' : 'none' }).toEqual({
      stale: [],
      remedy: 'none',
    });
    expect(existsSync(workerFilename())).toBe(true);
  });

  it('when 40 runs with seed 7 go in this thread, on 1 worker and on 2, then the results are identical', async () => {
    const inThread = await runSimulation(snapshot, scenario(), options);
    const one = await runSimulation(snapshot, scenario(), options, { pool: pool(1) });
    const two = await runSimulation(snapshot, scenario(), options, { pool: pool(2) });
    expect(one).toEqual(inThread);
    expect(two).toEqual(inThread);
    // the failures are random: the runs differ, so the bands have width
    const units = inThread.bands.find((b) => b.metric === 'baseline.unitsProduced');
    expect(units && units.p90 > units.p10).toBe(true);
    expect(inThread).toMatchObject({ runs: 40, seed: 7, steps: 20, horizonDays: 20 });
    expect(inThread.bands).toHaveLength(15);
    // another seed draws other failures
    const other = await runSimulation(snapshot, scenario({ seed: 8 }), options);
    expect(other.bands).not.toEqual(inThread.bands);
  });

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
    const started = performance.now();
    const seen: number[] = [];
    const pooled = await runSimulation(big, bigScenario, options, {
      pool: shared,
      onProgress: (done) => seen.push(done),
    });
    const elapsedMs = performance.now() - started;
    const loop = stop();
    // the premise: a run long enough that running it here would stall the loop for a second
    expect(elapsedMs).toBeGreaterThan(1000);
    // the loop never stopped for long: a stall of the run's length would show here
    expect(loop.maxGapMs).toBeLessThan(500);
    expect(seen).toEqual([0, 1]);
    expect(pooled.steps).toBe(366 * 24);
    expect(pooled.series[0]?.day).toHaveLength(366 * 24);
    expect(pooled.kpis.fillRate).toBeGreaterThan(0);
    expect(pooled.kpis.fillRate).toBeLessThan(1);
    // the outage and the downtime cost output against the baseline of the same run
    expect(pooled.delta.unitsProduced).toBeLessThan(0);
  });

  it('when a single long run is aborted midway, then it rejects promptly, the loop ticks throughout and the pool is free for the next job', async () => {
    const shared = pool(1);
    const controller = new AbortController();
    const stop = watchLoop();
    const job = runSimulation(big, bigScenario, options, {
      pool: shared,
      signal: controller.signal,
    });
    // past the worker's compile, inside the run (which takes over a second)
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 700);
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    const rejectedAfterMs = performance.now() - abortedAt;
    const loop = stop();
    expect(abortedAt).toBeGreaterThan(0);
    // the worker is ended mid-run rather than waited for
    expect(rejectedAfterMs).toBeLessThan(500);
    expect(loop.maxGapMs).toBeLessThan(500);
    expect(shared.pending).toBe(0);
    const single = scenario({ runs: 1 });
    expect(await runSimulation(snapshot, single, options, { pool: shared })).toEqual(
      await runSimulation(snapshot, single, options),
    );
  });

  it('when runs complete on the pool, then progress starts at 0, never goes back and ends at total', async () => {
    const seen: [number, number][] = [];
    await runSimulation(snapshot, scenario(), options, {
      pool: pool(2),
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(seen.every(([, total]) => total === 40)).toBe(true);
    const done = seen.map(([d]) => d);
    expect(done[0]).toBe(0);
    expect(done.at(-1)).toBe(40);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(new Set(done).size).toBe(done.length);
    // 2 workers × 4 chunks of 5 runs, plus the start
    expect(done).toHaveLength(9);
  });

  it('when a job has many runs, then progress moves every 50 runs at most', async () => {
    const seen: number[] = [];
    const many = scenario({ runs: 1000, horizonDays: 5 });
    const result = await runSimulation(snapshot, many, options, {
      pool: pool(2),
      onProgress: (done) => seen.push(done),
    });
    // 20 chunks of 50 runs, plus the start
    expect(seen).toHaveLength(21);
    expect(seen.slice(1).every((done, i) => done - (seen[i] ?? 0) === 50)).toBe(true);
    expect(result).toEqual(await runSimulation(snapshot, many, options));
  });

  it('when jobs run at once on the pool (their chunks interleave), then each gets the result it gets alone', async () => {
    const shared = pool(2);
    const jobs = [scenario({ runs: 120 }), scenario({ runs: 120, seed: 8 }), scenario({ runs: 1 })];
    const together = await Promise.all(
      jobs.map((s) => runSimulation(snapshot, s, options, { pool: shared })),
    );
    for (const [i, s] of jobs.entries())
      expect(together[i]).toEqual(await runSimulation(snapshot, s, options));
  });

  it('when the job is aborted midway, then it rejects with AbortError and the pool is free for the next job', async () => {
    const shared = pool(2);
    const controller = new AbortController();
    const seen: number[] = [];
    // hourly steps over a long horizon: each chunk takes long enough to abort the others in flight
    const long = scenario({ runs: 400, stepHours: 1, horizonDays: 120 });
    const job = runSimulation(snapshot, long, options, {
      pool: shared,
      signal: controller.signal,
      onProgress: (done) => {
        seen.push(done);
        if (done > 0) controller.abort();
      },
    });
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.at(-1)).toBeLessThan(400);
    expect(shared.pending).toBe(0);
    // the pool still answers (aborted workers are replaced), and with the same result as before
    const after = await runSimulation(snapshot, scenario(), options, { pool: shared });
    expect(after).toEqual(await runSimulation(snapshot, scenario(), options));
  });

  it('when the signal is aborted before the job starts, then no chunk is sent', async () => {
    const shared = pool(1);
    const controller = new AbortController();
    controller.abort();
    await expect(
      runSimulation(snapshot, scenario(), options, { pool: shared, signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(shared.pending).toBe(0);
  });

  it('when the first progress report aborts, then the job rejects without waiting for its runs', async () => {
    const shared = pool(1);
    const controller = new AbortController();
    const seen: number[] = [];
    const job = runSimulation(snapshot, scenario({ runs: 400, stepHours: 1 }), options, {
      pool: shared,
      signal: controller.signal,
      onProgress: (done) => {
        seen.push(done);
        controller.abort();
      },
    });
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([0]);
    expect(shared.pending).toBe(0);
  });

  describe('with a worker that dies', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'sim-pool-'));
      // exits the thread mid-task, as an out-of-memory or a native crash would end it
      writeFileSync(join(dir, 'exits.js'), 'module.exports = () => { process.exit(3); };\n');
      // throws outside the task, where nothing awaits it
      writeFileSync(
        join(dir, 'throws.js'),
        "module.exports = () => new Promise(() => { setImmediate(() => { throw new Error('boom'); }); });\n",
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each(['exits.js', 'throws.js'])(
      'when %s, then the job rejects naming the runs and the process goes on',
      async (file) => {
        const crashing = pool(2, join(dir, file));
        await expect(
          runSimulation(snapshot, scenario(), options, { pool: crashing }),
        ).rejects.toThrow(/simulation worker failed on runs \[\d+, \d+\)/);
        expect(crashing.pending).toBe(0);
      },
    );

    it.each(['exits.js', 'throws.js'])(
      'when %s on a single run, then the job rejects naming the run and the process goes on',
      async (file) => {
        const crashing = pool(1, join(dir, file));
        await expect(
          runSimulation(snapshot, scenario({ runs: 1 }), options, { pool: crashing }),
        ).rejects.toThrow(/simulation worker failed on the details of run 0/);
        expect(crashing.pending).toBe(0);
      },
    );

    it('when a worker answers a single run with something else than details, then the job rejects', async () => {
      writeFileSync(
        join(dir, 'wrong.js'),
        'module.exports = () => ({ detail: { kpis: { fillRate: 1 } }, baseline: null });\n',
      );
      const wrong = pool(1, join(dir, 'wrong.js'));
      await expect(
        runSimulation(snapshot, scenario({ runs: 1 }), options, { pool: wrong }),
      ).rejects.toThrow('simulation worker answered the details of run 0 with bad data');
    });

    it('when the worker file is missing, then the pool says to build', () => {
      expect(() => new SimulationPool(1, { filename: join(dir, 'none.js') })).toThrow(
        /npm run build/,
      );
    });
  });

  it('when the pool is asked for 0 workers, then it has one per available CPU', () => {
    expect(pool(0).size).toBe(availableParallelism());
    expect(pool(3).size).toBe(3);
  });
});
