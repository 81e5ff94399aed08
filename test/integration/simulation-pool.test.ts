import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulation } from '../../src/simulation/monte-carlo';
import { SimulationPool, workerFilename } from '../../src/simulation/pool';
import { closePools, options, pool, scenario, snapshot } from '../support/sim-pool';

/*
 * Monte Carlo on worker threads. Pure (no Neo4j): a hand-built snapshot whose stations fail at
 * random (test/support/sim-pool.ts). The workers run the built JS (dist/src/simulation/worker.js),
 * this file the TS sources, so the build must be current: `npm run build` first (`npm test` does
 * it); the first test says so when it is not. A single run on the pool (the details on a worker)
 * is tested in simulation-pool-detail.test.ts.
 */

afterEach(closePools);

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
