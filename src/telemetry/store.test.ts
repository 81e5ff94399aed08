import type { Tx } from '../graph/executor';
import { firstAttemptOnly, SequencedRetryError } from './store';

/* The driver runs a transaction's work again after a transient error; a sequenced batch's may not. */
const tx: Tx = { run: () => Promise.resolve([]) };

describe('firstAttemptOnly', () => {
  it('when a batch written in sequence is run a second time, then the second attempt is refused without running', async () => {
    let runs = 0;
    const work = firstAttemptOnly({ previous: null, locked: () => {} }, () => {
      runs += 1;
      return Promise.resolve('written');
    });
    await expect(work(tx)).resolves.toBe('written');
    await expect(work(tx)).rejects.toBeInstanceOf(SequencedRetryError);
    expect(runs).toBe(1);
  });

  it('when a batch is written alone, then the driver may run it as often as it retries', async () => {
    let runs = 0;
    const work = firstAttemptOnly(null, () => {
      runs += 1;
      return Promise.resolve(runs);
    });
    await work(tx);
    await work(tx);
    expect(runs).toBe(2);
  });
});
