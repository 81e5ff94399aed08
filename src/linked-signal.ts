/**
 * One abort signal for one piece of work, aborted by whichever comes first: one of `sources`
 * aborting, `timeout.ms` passing (with `timeout.reason()`), or `abort(reason)`. `release()` when the
 * work is done: it stops the timer and detaches the listeners from the sources.
 *
 * Why not `AbortSignal.any`: on Node 20 a signal it makes stays strongly reachable while it has
 * `abort` listeners until one of its sources aborts. A request's signal gets one (a field racing
 * the deadline, a fetch) and its sources usually never abort (the client stays, the deadline is
 * cleared), so every request's whole result stayed on the heap: the soak's leak of ~80 MB/min.
 * A plain AbortController is reachable only from what uses it.
 */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  abort(reason: unknown): void;
  release(): void;
}

export function linkedSignal(
  sources: readonly (AbortSignal | undefined)[],
  timeout?: { ms: number; reason: () => unknown },
): LinkedSignal {
  const controller = new AbortController();
  const detach: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const release = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (const off of detach.splice(0)) off();
  };
  const abort = (reason: unknown): void => {
    release();
    if (!controller.signal.aborted) controller.abort(reason);
  };
  for (const source of sources) {
    if (!source) continue;
    if (source.aborted) {
      abort(source.reason);
      break;
    }
    const onAbort = (): void => abort(source.reason);
    source.addEventListener('abort', onAbort, { once: true });
    detach.push(() => source.removeEventListener('abort', onAbort));
  }
  if (timeout && timeout.ms > 0 && !controller.signal.aborted) {
    timer = setTimeout(() => abort(timeout.reason()), timeout.ms);
    timer.unref();
  }
  return { signal: controller.signal, abort, release };
}
