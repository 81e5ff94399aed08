import { ADMIN_AUTHORIZATION } from './credentials';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** Polls `check` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface LiveSubscription {
  events: Record<string, unknown>[];
  errors: unknown[];
  /** Resolves once `n` events arrived. */
  until(n: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** A graphql-ws client subscribed to one operation; events are the `data` of each result. */
export async function subscribe(
  wsUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  connectionParams: Record<string, unknown> = { authorization: ADMIN_AUTHORIZATION },
): Promise<LiveSubscription> {
  const client: Client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
  });
  await new Promise<void>((resolve, reject) => {
    client.on('connected', () => resolve());
    client.on('error', reject);
  });
  const events: Record<string, unknown>[] = [];
  const errors: unknown[] = [];
  client.subscribe(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) errors.push(value.errors);
        if (value.data) events.push(value.data);
      },
      error: (err) => errors.push(err),
      complete: () => undefined,
    },
  );
  // the subscription is registered on the server once the subscribe message is processed (no
  // message says so); 150 ms was once too short in a clean-clone CI run, and an event published
  // before it is missed for good
  await new Promise((r) => setTimeout(r, 400));
  return {
    events,
    errors,
    until: (n, timeoutMs = 20000) =>
      waitFor(
        `${n} subscription events (have ${events.length}, errors ${JSON.stringify(errors)})`,
        () => (events.length >= n ? events : undefined),
        timeoutMs,
      ),
    close: async () => {
      await client.dispose();
    },
  };
}
