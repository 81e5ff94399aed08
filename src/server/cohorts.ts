import {
  createSourceEventStream,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  print,
} from 'graphql';

/*
 * Shared execution of subscriptions (docs/live.md, "Cohorts"). Subscribers of the same document,
 * variables and access (role and factory scope) form one cohort: per event, the selection set
 * runs once, with a fresh context (new DataLoaders: each event sees the graph as it is now), and
 * the one result goes to every member. Two keys of different scope or role never share a cohort;
 * two of the same do. What is left per subscriber is its queue and the send.
 *
 * Each member has a bounded queue: a client that does not read falls behind alone. When its queue
 * is full the oldest event is dropped and counted, and the next event it receives says how many
 * it missed (`extensions.missed`), so a slow consumer never slows the others nor grows memory.
 */

export interface CohortStats {
  /** Cohorts open now. */
  cohorts: number;
  /** Subscribers in them. */
  members: number;
  /** Executions of a selection set for an event (once per cohort and event). */
  executions: number;
  /** Results handed to members' queues. */
  deliveries: number;
  /**
   * Events members did not get, per member: dropped from the queue of one that did not read, or
   * from the backlog of a cohort behind its source.
   */
  missed: number;
}

export interface CohortSettings {
  /** The context one event executes with, from the operation's context (a fresh one each time). */
  perEvent: (operationContext: unknown) => unknown;
  /** Who the operation acts for, as a key: role and factory scope (never shared across them). */
  accessKey: (operationContext: unknown) => string;
  /** Events a member may have waiting before the oldest is dropped (SUBSCRIPTION_QUEUE). */
  queueSize: number;
  /**
   * Where a subscriber's events go directly, by its operation's context: its socket and its
   * operation id (graphql-ws). Without one, its events go through graphql-ws as an async iterator.
   */
  sinkOf?: (operationContext: unknown) => DirectSink | undefined;
  /** A result as it is sent: errors formatted (as graphql-ws's onNext would); undefined: as it is. */
  format?: (result: ExecutionResult, operationContext: unknown) => object | undefined;
}

/** A subscriber's direct way out: one socket (outbox.ts) and the operation's graphql-ws id. */
export interface DirectSink {
  readonly id: string;
  readonly outbox: {
    ready(): boolean;
    open(): boolean;
    send(frame: string): void;
    waitDrain(member: { flush(): void }): void;
  };
}

/**
 * One event's result as its cohort hands it out: the payload (formatted) and its JSON, made once
 * for all members on the first direct send.
 */
class Shared {
  private text: string | undefined;

  constructor(
    readonly result: ExecutionResult,
    readonly payload: object,
  ) {}

  json(): string {
    this.text ??= JSON.stringify(this.payload);
    return this.text;
  }
}

/** Longest stretch of events a cohort runs before it lets I/O in (ms). */
const SLICE_MS = 5;

type Source = AsyncIterator<unknown> & { return?: () => Promise<IteratorResult<unknown>> };

/**
 * One subscriber: a bounded queue of results. A member with a direct sink sends its events
 * itself, as graphql-ws `next` messages built around the shared JSON (the same bytes graphql-ws
 * would send), and its iterator yields nothing: it only ends, which makes graphql-ws send
 * `complete`. A member without one hands its results to graphql-ws through the iterator.
 */
class Member implements AsyncIterableIterator<ExecutionResult> {
  private readonly queue: Shared[] = [];
  private missed = 0;
  private waiting: ((r: IteratorResult<ExecutionResult>) => void) | undefined;
  private done = false;
  /** The frame's beginning, before the payload: `{"id":…,"type":"next","payload":`. */
  private readonly head: string;

  constructor(
    private readonly cohort: Cohort,
    private readonly size: number,
    private readonly stats: CohortStats,
    private readonly sink: DirectSink | undefined,
  ) {
    this.head = sink ? `{"id":${JSON.stringify(sink.id)},"type":"next","payload":` : '';
  }

  /** One event's result, after `dropped` events this member never got (the cohort fell behind). */
  push(event: Shared, dropped = 0): void {
    if (this.done) return;
    this.stats.deliveries++;
    if (dropped > 0) {
      this.missed += dropped;
      this.stats.missed += dropped;
    }
    if (this.sink) {
      if (this.queue.length === 0 && this.sink.outbox.ready()) {
        this.send(event);
        return;
      }
      this.enqueue(event);
      this.sink.outbox.waitDrain(this);
      return;
    }
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ done: false, value: this.withMissed(event.result) });
      return;
    }
    this.enqueue(event);
  }

  /** The socket drained: what waits goes out while it takes it. */
  flush(): void {
    const sink = this.sink;
    if (!sink) return;
    this.sendQueued(() => sink.outbox.ready());
    if (this.queue.length > 0) sink.outbox.waitDrain(this);
  }

  /** The source ended (or failed): what is queued is still delivered, then the iteration ends. */
  end(): void {
    if (this.done) return;
    this.done = true;
    const sink = this.sink;
    if (sink) {
      // before graphql-ws's `complete`: the queue is bounded, the socket takes it whole
      this.sendQueued(() => sink.outbox.open());
      this.queue.length = 0;
    }
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting && this.queue.length === 0) waiting({ done: true, value: undefined });
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    const first = this.sink ? undefined : this.queue.shift();
    if (first) return Promise.resolve({ done: false, value: this.withMissed(first.result) });
    if (this.done) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** graphql-ws calls it when the client completes or leaves. */
  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.queue.length = 0;
    this.end();
    await this.cohort.leave(this);
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private enqueue(event: Shared): void {
    if (this.queue.length >= this.size) {
      this.queue.shift();
      this.missed++;
      this.stats.missed++;
    }
    this.queue.push(event);
  }

  /** Sends queued events, oldest first, while `may()` allows. */
  private sendQueued(may: () => boolean): void {
    while (this.queue.length > 0 && may()) {
      const event = this.queue.shift();
      if (event) this.send(event);
    }
  }

  private send(event: Shared): void {
    const sink = this.sink;
    if (!sink) return;
    // withMissed resets the count it reports
    const payload =
      this.missed === 0 ? event.json() : JSON.stringify(this.withMissed(event.payload));
    sink.outbox.send(`${this.head}${payload}}`);
  }

  private withMissed<R extends { readonly extensions?: Record<string, unknown> }>(result: R): R {
    if (this.missed === 0) return result;
    const missed = this.missed;
    this.missed = 0;
    return { ...result, extensions: { ...result.extensions, missed } };
  }
}

/** Subscribers of one (document, variables, access): one source stream, one execution per event. */
class Cohort {
  private readonly members = new Set<Member>();
  private closed = false;
  private pumping = false;
  /** Events read from the source, not executed yet (at most SUBSCRIPTION_QUEUE). */
  private readonly backlog: unknown[] = [];
  /** Events dropped from the backlog since the last one executed. */
  private dropped = 0;
  private wake: (() => void) | undefined;
  private sourceDone = false;
  private failure: Error | undefined;

  constructor(
    private readonly key: string,
    private readonly args: ExecutionArgs,
    private readonly source: Source,
    private readonly owner: Cohorts,
  ) {}

  join(sink: DirectSink | undefined): Member | undefined {
    if (this.closed) return undefined;
    const member = new Member(this, this.owner.settings.queueSize, this.owner.stats, sink);
    this.members.add(member);
    this.owner.stats.members++;
    // the source is pulled once the first member is in: a source failing at once reaches it
    // (pulled at opening, it closed the cohort before anyone joined, and the next subscriber
    // opened another one, for ever)
    if (!this.pumping) {
      this.pumping = true;
      // pump answers its failures to the members; closing the source may still reject
      this.pump().catch(() => undefined);
    }
    return member;
  }

  async leave(member: Member): Promise<void> {
    if (!this.members.delete(member)) return;
    this.owner.stats.members--;
    if (this.members.size === 0) await this.close();
  }

  /**
   * Reads the source's events into the backlog as they come (cheap: no execution), so that a
   * cohort that falls behind drops events here, counted, rather than in the source's own buffer,
   * unseen; the members hear how many in `extensions.missed`.
   */
  private async read(): Promise<void> {
    try {
      for (;;) {
        const event = await this.source.next();
        if (event.done || this.closed) break;
        if (this.backlog.length >= this.owner.settings.queueSize) {
          this.backlog.shift();
          this.dropped++;
        }
        this.backlog.push(event.value);
        this.wake?.();
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    } finally {
      this.sourceDone = true;
      this.wake?.();
    }
  }

  /** Executes the backlog's events until the source ends or the last member leaves. */
  async pump(): Promise<void> {
    void this.read();
    let slice = performance.now();
    try {
      for (;;) {
        if (this.closed) break;
        if (this.backlog.length === 0) {
          if (this.sourceDone) break;
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        const value = this.backlog.shift();
        const dropped = this.dropped;
        this.dropped = 0;
        this.owner.stats.executions++;
        try {
          const result = await execute({
            ...this.args,
            rootValue: value,
            contextValue: this.owner.settings.perEvent(this.args.contextValue),
          });
          const shared = this.share(result);
          for (const member of this.members) member.push(shared, dropped);
        } catch (err) {
          // nothing here should throw (execute answers errors in its result); if something does,
          // the members hear it as a failed source and the cohort ends, the process goes on
          this.failure = err instanceof Error ? err : new Error(String(err));
          break;
        }
        // a backlog resolves in microtasks alone: after a slice of work, let I/O in (MQTT, HTTP,
        // the sockets' writes), or the event loop would block for as long as the backlog lasts
        if (performance.now() - slice > SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
      }
      if (this.failure && !this.closed) {
        // the source failed: every member hears it (formatted as an internal error), then the end
        const originalError = this.failure;
        const failed: ExecutionResult = {
          errors: [
            new GraphQLError(originalError.message, {
              originalError,
              extensions: { code: 'INTERNAL_SERVER_ERROR' },
            }),
          ],
        };
        const shared = this.failed(failed);
        for (const member of this.members) member.push(shared, this.dropped);
      }
    } finally {
      await this.close();
    }
  }

  /** A failure's result as it is sent; if formatting it fails too, a generic internal error. */
  private failed(result: ExecutionResult): Shared {
    try {
      return this.share(result);
    } catch {
      return new Shared(result, {
        errors: [
          { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        ],
      });
    }
  }

  private share(result: ExecutionResult): Shared {
    const format = this.owner.settings.format;
    return new Shared(result, format?.(result, this.args.contextValue) ?? result);
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    this.owner.forget(this.key, this);
    for (const member of this.members) member.end();
    await this.source.return?.();
  }
}

/** The cohorts of one server: graphql-ws's `subscribe`. */
export class Cohorts {
  readonly stats: CohortStats = { cohorts: 0, members: 0, executions: 0, deliveries: 0, missed: 0 };
  private readonly cohorts = new Map<string, Promise<Cohort | ExecutionResult>>();

  constructor(readonly settings: CohortSettings) {}

  /** The cohort key of a subscription: document, operation, variables and access. */
  keyOf(args: ExecutionArgs): string {
    return JSON.stringify([
      print(args.document),
      args.operationName ?? null,
      args.variableValues ?? null,
      this.settings.accessKey(args.contextValue),
    ]);
  }

  readonly subscribe = async (
    args: ExecutionArgs,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const key = this.keyOf(args);
    for (;;) {
      let pending = this.cohorts.get(key);
      if (!pending) {
        pending = this.open(key, args);
        this.cohorts.set(key, pending);
      }
      const cohort = await pending;
      if (!(cohort instanceof Cohort)) {
        // the source could not start (an unknown argument...): nothing is kept for the key
        if (this.cohorts.get(key) === pending) this.cohorts.delete(key);
        return cohort;
      }
      const member = cohort.join(this.settings.sinkOf?.(args.contextValue));
      if (member) return member;
      // it closed between the lookup and the join: open a new one
      if (this.cohorts.get(key) === pending) this.cohorts.delete(key);
    }
  };

  forget(key: string, cohort: Cohort): void {
    const pending = this.cohorts.get(key);
    if (!pending) return;
    this.stats.cohorts--;
    void pending.then((c) => {
      if (c === cohort && this.cohorts.get(key) === pending) this.cohorts.delete(key);
    });
  }

  private async open(key: string, args: ExecutionArgs): Promise<Cohort | ExecutionResult> {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream;
    const cohort = new Cohort(key, args, stream[Symbol.asyncIterator](), this);
    this.stats.cohorts++;
    return cohort;
  }
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}
