import {
  createSourceEventStream,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';

/**
 * Subscription execution with a fresh context per event. graphql-js runs every event of a
 * subscription with the context of the operation that opened it, so the DataLoaders of the first
 * event would answer every later one (a line renamed after the subscription started kept its old
 * name) and their caches would grow for as long as the socket lives. Here the source stream is
 * the operation's, and each event is executed with `perEvent(operationContext)`.
 */
export async function subscribeWithFreshContext(
  args: ExecutionArgs,
  perEvent: (operationContext: unknown) => unknown,
): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!isAsyncIterable(stream)) return stream;
  const iterator = stream[Symbol.asyncIterator]();
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const r = await iterator.next();
      if (r.done) return { done: true, value: undefined };
      const value = await execute({
        ...args,
        rootValue: r.value,
        contextValue: perEvent(args.contextValue),
      });
      return { done: false, value };
    },
    // called by graphql-ws when the client completes: ends the source at once, even while it
    // waits for its next event
    async return() {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}
