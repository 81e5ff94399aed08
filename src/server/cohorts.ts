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
  /** Events dropped from the queue of a member that did not keep up. */
  missed: number;
}

export interface CohortSettings {
  /** The context one event executes with, from the operation's context (a fresh one each time). */
  perEvent: (operationContext: unknown) => unknown;
  /** Who the operation acts for, as a key: role and factory scope (never shared across them). */
  accessKey: (operationContext: unknown) => string;
  /** Events a member may have waiting before the oldest is dropped (SUBSCRIPTION_QUEUE). */
  queueSize: number;
}

/** Longest stretch of events a cohort runs before it lets I/O in (ms). */
const SLICE_MS = 5;

type Source = AsyncIterator<unknown> & { return?: () => Promise<IteratorResult<unknown>> };

/** One subscriber: a bounded queue of results and the pull that waits for the next. */
class Member implements AsyncIterableIterator<ExecutionResult> {
  private readonly queue: ExecutionResult[] = [];
  private missed = 0;
  private waiting: ((r: IteratorResult<ExecutionResult>) => void) | undefined;
  private done = false;

  constructor(
    private readonly cohort: Cohort,
    private readonly size: number,
    private readonly stats: CohortStats,
  ) {}

  push(result: ExecutionResult): void {
    if (this.done) return;
    this.stats.deliveries++;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ done: false, value: this.withMissed(result) });
      return;
    }
    if (this.queue.length >= this.size) {
      this.queue.shift();
      this.missed++;
      this.stats.missed++;
    }
    this.queue.push(result);
  }

  /** The source ended (or failed): what is queued is still delivered, then the iteration ends. */
  end(): void {
    if (this.done) return;
    this.done = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting && this.queue.length === 0) waiting({ done: true, value: undefined });
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    const first = this.queue.shift();
    if (first) return Promise.resolve({ done: false, value: this.withMissed(first) });
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

  private withMissed(result: ExecutionResult): ExecutionResult {
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

  constructor(
    private readonly key: string,
    private readonly args: ExecutionArgs,
    private readonly source: Source,
    private readonly owner: Cohorts,
  ) {}

  join(): Member | undefined {
    if (this.closed) return undefined;
    const member = new Member(this, this.owner.settings.queueSize, this.owner.stats);
    this.members.add(member);
    this.owner.stats.members++;
    return member;
  }

  async leave(member: Member): Promise<void> {
    if (!this.members.delete(member)) return;
    this.owner.stats.members--;
    if (this.members.size === 0) await this.close();
  }

  /** Pulls the source's events until it ends or the last member leaves. */
  async pump(): Promise<void> {
    let slice = performance.now();
    try {
      for (;;) {
        const event = await this.source.next();
        if (event.done || this.closed) break;
        this.owner.stats.executions++;
        const result = await execute({
          ...this.args,
          rootValue: event.value,
          contextValue: this.owner.settings.perEvent(this.args.contextValue),
        });
        this.owner.share(result);
        for (const member of this.members) member.push(result);
        // a backlog resolves in microtasks alone: after a slice of work, let I/O in (MQTT, HTTP,
        // the sockets' writes), or the event loop would block for as long as the backlog lasts
        if (performance.now() - slice > SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
      }
    } catch (err) {
      // the source failed: every member hears it (formatted as an internal error), then the end
      const originalError = err instanceof Error ? err : new Error(String(err));
      const failed: ExecutionResult = {
        errors: [
          new GraphQLError(originalError.message, {
            originalError,
            extensions: { code: 'INTERNAL_SERVER_ERROR' },
          }),
        ],
      };
      for (const member of this.members) member.push(failed);
    } finally {
      await this.close();
    }
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.owner.forget(this.key, this);
    for (const member of this.members) member.end();
    await this.source.return?.();
  }
}

/** The cohorts of one server: graphql-ws's `subscribe`. */
export class Cohorts {
  readonly stats: CohortStats = { cohorts: 0, members: 0, executions: 0, deliveries: 0, missed: 0 };
  private readonly cohorts = new Map<string, Promise<Cohort | ExecutionResult>>();
  /** The results of events, each handed to every member of its cohort as it is. */
  private readonly shared = new WeakSet<object>();

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
      const member = cohort.join();
      if (member) return member;
      // it closed between the lookup and the join: open a new one
      if (this.cohorts.get(key) === pending) this.cohorts.delete(key);
    }
  };

  share(result: ExecutionResult): void {
    this.shared.add(result);
  }

  /** Whether `result` is an event's result as its cohort shares it (the same for every member). */
  readonly isShared = (result: object): boolean => this.shared.has(result);

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
    void cohort.pump();
    return cohort;
  }
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}
