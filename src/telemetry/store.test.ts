import type { Tx } from '../graph/executor';
import { retriedUntilLocked, SequencedRetryError } from './store';
import type { Sequence } from './writer';

/* The driver runs a transaction's work again after a transient error; a sequenced batch's may not
 * run again once it said it holds its lock (a batch may be behind it). */
const tx: Tx = { run: () => Promise.resolve([]) };
const alone: Sequence = { previous: null, locked: () => {} };

describe('retriedUntilLocked', () => {
  it('when a batch written in sequence said it holds its lock, then a second attempt is refused without running', async () => {
    let runs = 0;
    let told = 0;
    const work = retriedUntilLocked({ previous: null, locked: () => (told += 1) }, (_tx, seq) => {
      runs += 1;
      seq?.locked();
      return Promise.reject(new Error('transient: the commit failed'));
    });
    await expect(work(tx)).rejects.toThrow('transient');
    await expect(work(tx)).rejects.toBeInstanceOf(SequencedRetryError);
    expect({ runs, told }).toEqual({ runs: 1, told: 1 });
  });

  it('when an attempt failed before it held its lock, then the driver may run it again', async () => {
    let runs = 0;
    const work = retriedUntilLocked(alone, () => {
      runs += 1;
      return runs === 1
        ? Promise.reject(new Error('deadlock detected'))
        : Promise.resolve('written');
    });
    await expect(work(tx)).rejects.toThrow('deadlock');
    await expect(work(tx)).resolves.toBe('written');
    expect(runs).toBe(2);
  });

  it('when a batch is written alone, then the driver may run it as often as it retries', async () => {
    let runs = 0;
    const work = retriedUntilLocked(null, (_tx, seq) => {
      runs += 1;
      return Promise.resolve(seq);
    });
    await expect(work(tx)).resolves.toBeNull();
    await work(tx);
    expect(runs).toBe(2);
  });
});
