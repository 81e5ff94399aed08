/**
 * When a webhook delivery is tried again, and when it is given up (docs/webhooks.md, "Retries").
 * Pure functions: the dispatcher passes the clock and the random source.
 */

/** The wait after the first failed attempt; it doubles with each further failure. */
export const FIRST_BACKOFF_MS = 1000;
/** Each wait is shortened by up to this share, at random, so deliveries that failed together spread out. */
export const BACKOFF_JITTER = 0.2;

/**
 * The wait before the next attempt after the `failures`-th failed attempt in a row (1, 2, …):
 * min(maxBackoffMs, 1 s × 2^(failures − 1)), less up to 20 % jitter. Never more than maxBackoffMs.
 */
export function backoffMs(
  failures: number,
  maxBackoffMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 40); // 2^40 s is past any cap
  const capped = Math.min(maxBackoffMs, FIRST_BACKOFF_MS * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.max(0, Math.round(capped * (1 - BACKOFF_JITTER * r)));
}

/** What the dispatcher knows of a delivery when its attempt ends. */
export interface DeliveryProgress {
  createdAt: string;
  /** Set by `retryAlertDelivery`: the retry window starts again here. */
  retriedAt: string | null;
  /** Attempts before this one. */
  attempts: number;
  /** `attempts` when the delivery was last re-sent by hand (0 if never): backoff starts over. */
  retryBase: number;
}

export interface RetryPolicy {
  /** Retry until this long after createdAt (or after the last manual re-send). */
  retryMs: number;
  maxBackoffMs: number;
}

export type NextStep =
  | { state: 'DELIVERED' }
  | { state: 'PENDING'; nextAttemptAt: string }
  | { state: 'FAILED'; reason: string };

/**
 * After an attempt: delivered on success; after a failure, given up when the retry window has
 * passed (or the failure can never go away, `permanent`), else due again after the backoff.
 * A delivery always gets at least one attempt, even when it is older than the window.
 */
export function nextStep(
  delivery: DeliveryProgress,
  outcome: { ok: boolean; permanent?: boolean },
  nowMs: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): NextStep {
  if (outcome.ok) return { state: 'DELIVERED' };
  if (outcome.permanent) return { state: 'FAILED', reason: 'the URL can never be called' };
  const windowStart = Date.parse(delivery.retriedAt ?? delivery.createdAt);
  const elapsed = nowMs - (Number.isFinite(windowStart) ? windowStart : 0);
  if (elapsed > policy.retryMs) {
    return {
      state: 'FAILED',
      reason: `still failing ${Math.round(elapsed / 1000)} s after it was ${delivery.retriedAt ? 're-sent' : 'created'}, past the retry window of ${Math.round(policy.retryMs / 1000)} s`,
    };
  }
  const failures = delivery.attempts + 1 - delivery.retryBase;
  const wait = backoffMs(failures, policy.maxBackoffMs, random);
  return { state: 'PENDING', nextAttemptAt: new Date(nowMs + wait).toISOString() };
}
