import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { linkedSignal } from './linked-signal';

setFlagsFromString('--expose-gc');
const gc: unknown = runInNewContext('gc');

async function collect(): Promise<void> {
  if (typeof gc !== 'function') throw new Error('gc is not exposed');
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
}

describe('linkedSignal', () => {
  it('when a source aborts, then the signal aborts with its reason', () => {
    const source = new AbortController();
    const linked = linkedSignal([undefined, source.signal]);
    source.abort('gone');
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('gone');
  });

  it('when a source was aborted already, then the signal starts aborted', () => {
    const linked = linkedSignal([AbortSignal.abort('before')], { ms: 1000, reason: () => 'late' });
    expect(linked.signal.reason).toBe('before');
  });

  it('when the time passes, then it aborts with the timeout reason; released, it never does', async () => {
    const reason = new Error('deadline');
    const timed = linkedSignal([], { ms: 1, reason: () => reason });
    const source = new AbortController();
    const released = linkedSignal([source.signal], { ms: 1, reason: () => 'late' });
    released.release();
    await new Promise((r) => setTimeout(r, 20));
    source.abort('late');
    expect(timed.signal.reason).toBe(reason);
    expect(released.signal.aborted).toBe(false);
  });

  it('when released, then a signal with a listener is collected though its long-lived source never aborts', async () => {
    // AbortSignal.any on Node 20 keeps such a signal (and all its listener reaches) alive
    const longLived = new AbortController();
    const refs: WeakRef<object>[] = [];
    const useAndRelease = (i: number): void => {
      const linked = linkedSignal([longLived.signal], { ms: 60_000, reason: () => 'late' });
      const payload = { rows: new Array<number>(1000).fill(i) };
      linked.signal.addEventListener('abort', () => payload.rows.length, { once: true });
      refs.push(new WeakRef(linked.signal), new WeakRef(payload));
      linked.release();
    };
    for (let i = 0; i < 50; i++) useAndRelease(i);
    await collect();
    // the last one may still sit in a register; the other 49 pairs are gone
    expect(refs.filter((r) => r.deref() !== undefined).length).toBeLessThanOrEqual(2);
    expect(longLived.signal.aborted).toBe(false);
  });
});
