import { backoffMs, FIRST_BACKOFF_MS, nextStep, type DeliveryProgress } from './backoff';

const noJitter = () => 0;
const fullJitter = () => 1;

describe('backoffMs', () => {
  it('when attempts keep failing, then the wait doubles from 1 s', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, 3_600_000, noJitter))).toEqual([
      1000, 2000, 4000, 8000, 16000,
    ]);
  });

  it('when the doubled wait passes the maximum, then the maximum is the wait', () => {
    expect(backoffMs(10, 300_000, noJitter)).toBe(300_000);
    expect(backoffMs(10_000, 300_000, noJitter)).toBe(300_000);
  });

  it('when jitter applies, then the wait is shortened by at most 20 % and never exceeds the maximum', () => {
    for (let n = 1; n <= 12; n += 1) {
      for (const r of [0, 0.25, 0.5, 0.99, 1]) {
        const wait = backoffMs(n, 60_000, () => r);
        const base = Math.min(60_000, FIRST_BACKOFF_MS * 2 ** (n - 1));
        expect(wait).toBeLessThanOrEqual(base);
        expect(wait).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
      }
    }
    expect(backoffMs(1, 60_000, fullJitter)).toBe(800);
  });

  it('when the maximum is smaller than 1 s (tests), then every wait is at most the maximum', () => {
    expect(backoffMs(1, 50, noJitter)).toBe(50);
    expect(backoffMs(0, 50, noJitter)).toBe(50);
  });
});

describe('nextStep', () => {
  const created = '2026-01-01T00:00:00.000Z';
  const t0 = Date.parse(created);
  const delivery = (extra: Partial<DeliveryProgress> = {}): DeliveryProgress => ({
    createdAt: created,
    retriedAt: null,
    attempts: 0,
    retryBase: 0,
    ...extra,
  });
  const policy = { retryMs: 3_600_000, maxBackoffMs: 300_000 };

  it('when the attempt succeeded, then the delivery is DELIVERED', () => {
    expect(nextStep(delivery({ attempts: 5 }), { ok: true }, t0 + 10_000_000, policy)).toEqual({
      state: 'DELIVERED',
    });
  });

  it('when an attempt fails inside the retry window, then the next attempt is due after the backoff', () => {
    const step = nextStep(delivery({ attempts: 2 }), { ok: false }, t0 + 60_000, policy, noJitter);
    expect(step).toEqual({ state: 'PENDING', nextAttemptAt: new Date(t0 + 64_000).toISOString() });
  });

  it('when an attempt fails after the retry window, then the delivery is FAILED and says why', () => {
    const step = nextStep(delivery({ attempts: 40 }), { ok: false }, t0 + 3_600_001, policy);
    expect(step.state).toBe('FAILED');
    expect(step.state === 'FAILED' && step.reason).toMatch(/retry window of 3600 s/);
  });

  it('when the retry window is 0, then the first failure ends the delivery', () => {
    const step = nextStep(delivery(), { ok: false }, t0 + 1, { ...policy, retryMs: 0 });
    expect(step.state).toBe('FAILED');
  });

  it('when the failure is permanent (a URL that is not http), then the delivery is FAILED at once', () => {
    expect(nextStep(delivery(), { ok: false, permanent: true }, t0, policy).state).toBe('FAILED');
  });

  it('when a FAILED delivery was re-sent by hand, then its window and backoff start again', () => {
    const retriedAt = new Date(t0 + 7_200_000).toISOString();
    const step = nextStep(
      delivery({ attempts: 30, retryBase: 30, retriedAt }),
      { ok: false },
      t0 + 7_200_000 + 10,
      policy,
      noJitter,
    );
    expect(step).toEqual({
      state: 'PENDING',
      nextAttemptAt: new Date(t0 + 7_200_000 + 10 + 1000).toISOString(),
    });
  });
});
