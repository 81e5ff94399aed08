import { performance } from 'node:perf_hooks';
import { linkedSignal } from '../../linked-signal';
import { webhookUrlProblem } from './envelope';

/** How one POST ended. */
export interface AttemptOutcome {
  ok: boolean;
  /** The receiver's status, when it answered. */
  httpStatus: number | null;
  /** Why it failed (null on success). */
  error: string | null;
  /** From sending to the answer's status line (or the failure). */
  ms: number;
  /** The failure can never go away (a URL that is not http or https): no retry. */
  permanent: boolean;
}

/** At most this much of an error answer is read (for `lastError`); a 2xx body is not read at all. */
export const MAX_RESPONSE_BYTES = 4096;
/** At most this much of an error answer goes into the recorded error. */
const ERROR_SNIPPET_CHARS = 200;

/**
 * POSTs one body; never throws. Redirects are not followed (a 3xx is a failure), so a receiver
 * cannot send the alert on to another address. `stop` aborts the attempt when the dispatcher stops.
 */
export async function postOnce(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<AttemptOutcome> {
  const problem = webhookUrlProblem(url);
  if (problem) return { ok: false, httpStatus: null, error: problem, ms: 0, permanent: true };
  const timedOut = new Error('timeout');
  const attempt = linkedSignal([stop], { ms: timeoutMs, reason: () => timedOut });
  const { signal } = attempt;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
    const ms = elapsed();
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => undefined);
      return { ok: true, httpStatus: res.status, error: null, ms, permanent: false };
    }
    const snippet = await readSome(res, MAX_RESPONSE_BYTES).catch(() => '');
    const text = snippet.replace(/\s+/g, ' ').trim().slice(0, ERROR_SNIPPET_CHARS);
    const redirect = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
    return {
      ok: false,
      httpStatus: res.status,
      error: `HTTP ${res.status}${redirect}${text ? `: ${text}` : ''}`,
      ms,
      permanent: false,
    };
  } catch (err) {
    const error =
      signal.reason === timedOut
        ? `timeout: no answer within ${timeoutMs} ms`
        : stop.aborted
          ? 'aborted: the dispatcher stopped before the receiver answered'
          : fetchErrorText(err);
    return { ok: false, httpStatus: null, error, ms: elapsed(), permanent: false };
  } finally {
    attempt.release();
  }
}

/** The first `max` bytes of an answer's body; the rest is never downloaded. */
async function readSome(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < max) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value instanceof Uint8Array) {
        chunks.push(value);
        total += value.byteLength;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/** fetch says only "fetch failed"; the reason (refused, reset, DNS) is in its cause. */
export function fetchErrorText(err: unknown): string {
  const outer = describe(err);
  const cause = err !== null && typeof err === 'object' && 'cause' in err ? err.cause : undefined;
  const inner = describe(firstOf(cause)) ?? describe(cause);
  return inner ?? outer ?? String(err);
}

/** `message (code)` of an error-like value; errors of another realm fail `instanceof Error`. */
function describe(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return null;
  const message = 'message' in value && typeof value.message === 'string' ? value.message : '';
  const code = 'code' in value && typeof value.code === 'string' ? value.code : '';
  if (!message) return code || null;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** The first error of an AggregateError (a connection tried on several addresses). */
function firstOf(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || !('errors' in value)) return undefined;
  return Array.isArray(value.errors) ? (value.errors[0] as unknown) : undefined;
}
