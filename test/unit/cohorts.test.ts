import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLInt,
  GraphQLObjectType,
  GraphQLSchema,
  parse,
} from 'graphql';
import { Cohorts } from '../../src/server/cohorts';

/*
 * Shared execution of subscriptions (src/server/cohorts.ts), on a schema of its own: a `tick`
 * subscription fed by the test, whose resolver counts how often it runs.
 */

/** A broadcast: every source stream opened gets every value published after it opened. */
class Broadcast {
  private readonly listeners = new Set<(v: number) => void>();
  opened = 0;
  closed = 0;

  stream(): AsyncIterableIterator<number> {
    this.opened++;
    const queue: number[] = [];
    let wake: (() => void) | undefined;
    const listener = (v: number) => {
      queue.push(v);
      wake?.();
    };
    this.listeners.add(listener);
    const listeners = this.listeners;
    const closed = () => this.closed++;
    let done = false;
    return {
      async next() {
        for (;;) {
          const v = queue.shift();
          if (v !== undefined) return { done: false, value: v };
          if (done) return { done: true, value: undefined };
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
      async return() {
        done = true;
        listeners.delete(listener);
        closed();
        wake?.();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  publish(v: number): void {
    for (const l of this.listeners) l(v);
  }
}

let broadcast: Broadcast;
let executions = 0;

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      tick: {
        type: GraphQLInt,
        args: { times: { type: GraphQLInt } },
        subscribe: () => broadcast.stream(),
        resolve: (value: number, args: { times?: number | null }) => {
          executions++;
          return value * (args.times ?? 1);
        },
      },
      /** A source that fails at its first pull. */
      failTick: {
        type: GraphQLInt,
        subscribe: () => ({
          [Symbol.asyncIterator]() {
            return this;
          },
          next: () => Promise.reject(new Error('secret internals')),
        }),
      },
      /** Takes a few milliseconds per event: a cohort slower than its source. */
      slowTick: {
        type: GraphQLInt,
        subscribe: () => broadcast.stream(),
        resolve: async (value: number) => {
          await new Promise((r) => setTimeout(r, 2));
          return value;
        },
      },
    },
  }),
});

const DOC = parse('subscription($times: Int) { tick(times: $times) }');

function cohorts(queueSize = 100) {
  return new Cohorts({
    perEvent: (operation) => ({ operation, fresh: true }),
    accessKey: accessOf,
    queueSize,
  });
}

function args(access: string, times = 1): ExecutionArgs {
  return { schema, document: DOC, variableValues: { times }, contextValue: { access } };
}

type Member = AsyncIterableIterator<ExecutionResult>;

function accessOf(operation: unknown): string {
  const access: unknown =
    typeof operation === 'object' && operation !== null ? Reflect.get(operation, 'access') : null;
  return String(access);
}

async function join(c: Cohorts, a: ExecutionArgs): Promise<Member> {
  const m = await c.subscribe(a);
  if (!(Symbol.asyncIterator in m)) throw new Error(`not subscribed: ${JSON.stringify(m)}`);
  return m;
}

const tick = async (m: Member) => (await m.next()).value as ExecutionResult;

/** Lets the cohorts' pumps run until every published value is executed. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

beforeEach(() => {
  broadcast = new Broadcast();
  executions = 0;
});

describe('cohorts', () => {
  it('when subscribers share document, variables and access, then each event is executed once and every one gets it', async () => {
    const c = cohorts();
    const members = await Promise.all([1, 2, 3].map(() => join(c, args('viewer:F1'))));
    expect(broadcast.opened).toBe(1);
    broadcast.publish(7);
    for (const m of members) expect(await tick(m)).toEqual({ data: { tick: 7 } });
    expect(executions).toBe(1);
    expect(c.stats).toMatchObject({ cohorts: 1, members: 3, executions: 1, deliveries: 3 });
  });

  it('when subscribers differ in variables or in access, then they are executed apart', async () => {
    const c = cohorts();
    const a = await join(c, args('viewer:F1', 1));
    const b = await join(c, args('viewer:F1', 2));
    const scoped = await join(c, args('viewer:F2', 1));
    const role = await join(c, args('admin:*', 1));
    expect(broadcast.opened).toBe(4);
    broadcast.publish(5);
    expect(await tick(a)).toEqual({ data: { tick: 5 } });
    expect(await tick(b)).toEqual({ data: { tick: 10 } });
    expect(await tick(scoped)).toEqual({ data: { tick: 5 } });
    expect(await tick(role)).toEqual({ data: { tick: 5 } });
    expect(executions).toBe(4);
  });

  it('when a member does not read, then its queue keeps the newest, the next event says how many it missed, and the others get everything', async () => {
    const c = cohorts(2);
    const fast = await join(c, args('viewer:*'));
    const slow = await join(c, args('viewer:*'));
    for (const v of [1, 2, 3, 4, 5]) {
      broadcast.publish(v);
      await settle();
      expect(await tick(fast)).toEqual({ data: { tick: v } });
    }
    expect(await tick(slow)).toEqual({ data: { tick: 4 }, extensions: { missed: 3 } });
    expect(await tick(slow)).toEqual({ data: { tick: 5 } });
    expect(c.stats.missed).toBe(3);
    expect(executions).toBe(5);
  });

  it('when the last member leaves, then the source stream ends, and the next subscriber opens a new one', async () => {
    const c = cohorts();
    const a = await join(c, args('viewer:*'));
    const b = await join(c, args('viewer:*'));
    await a.return?.();
    expect(broadcast.closed).toBe(0);
    broadcast.publish(1);
    expect(await tick(b)).toEqual({ data: { tick: 1 } });
    await b.return?.();
    await settle();
    expect(broadcast.closed).toBe(1);
    expect(c.stats).toMatchObject({ cohorts: 0, members: 0 });
    const again = await join(c, args('viewer:*'));
    expect(broadcast.opened).toBe(2);
    broadcast.publish(2);
    expect(await tick(again)).toEqual({ data: { tick: 2 } });
  });

  it('when each event runs, then it gets a fresh context from the operation', async () => {
    const contexts: unknown[] = [];
    const c = new Cohorts({
      perEvent: (operation) => {
        const ctx = { operation };
        contexts.push(ctx);
        return ctx;
      },
      accessKey: () => 'k',
      queueSize: 10,
    });
    const m = await join(c, args('k'));
    broadcast.publish(1);
    broadcast.publish(2);
    await tick(m);
    await tick(m);
    expect(contexts).toHaveLength(2);
    expect(contexts[0]).not.toBe(contexts[1]);
  });
});

/** A socket as a cohort member sees it (outbox.ts): frames kept, readiness set by the test. */
class FakeOutbox {
  frames: string[] = [];
  accepting = true;
  isOpen = true;
  private readonly waiting = new Set<{ flush(): void }>();
  ready = () => this.isOpen && this.accepting;
  open = () => this.isOpen;
  send = (frame: string) => {
    if (this.isOpen) this.frames.push(frame);
  };
  waitDrain = (m: { flush(): void }) => {
    this.waiting.add(m);
  };
  drain(): void {
    this.accepting = true;
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const m of waiting) m.flush();
  }
}

function directCohorts(
  outboxes: Map<unknown, { id: string; outbox: FakeOutbox }>,
  queueSize = 100,
) {
  return new Cohorts({
    perEvent: (operation) => ({ operation }),
    accessKey: accessOf,
    queueSize,
    sinkOf: (operation) => outboxes.get(operation),
    format: (result) =>
      result.errors ? { errors: result.errors.map(() => ({ message: 'formatted' })) } : undefined,
  });
}

/** `payload.extensions.missed` of a `next` message, 0 when absent. */
function missedIn(frame: string): number {
  const match = /"extensions":\{"missed":(\d+)\}/.exec(frame);
  return match ? Number(match[1]) : 0;
}

/** graphql-ws's own `next` message for `payload`: what a direct member must send byte for byte. */
const nextMessage = (id: string, payload: unknown) => JSON.stringify({ id, type: 'next', payload });

describe('cohorts with direct sinks', () => {
  it('when members have sinks, then each gets graphql-ws next messages with its own id, built from one result', async () => {
    const sinks = new Map<unknown, { id: string; outbox: FakeOutbox }>();
    const c = directCohorts(sinks);
    const members: Member[] = [];
    for (const id of ['1', 'op "two"']) {
      const a = args('viewer:*');
      sinks.set(a.contextValue, { id, outbox: new FakeOutbox() });
      members.push(await join(c, a));
    }
    broadcast.publish(3);
    broadcast.publish(4);
    await settle();
    const [one, two] = [...sinks.values()];
    expect(one?.outbox.frames).toEqual([
      nextMessage('1', { data: { tick: 3 } }),
      nextMessage('1', { data: { tick: 4 } }),
    ]);
    expect(two?.outbox.frames).toEqual([
      nextMessage('op "two"', { data: { tick: 3 } }),
      nextMessage('op "two"', { data: { tick: 4 } }),
    ]);
    expect(executions).toBe(2);
    // the iterator of a direct member yields nothing: it ends when the member leaves
    const pending = members[0]?.next();
    await members[0]?.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('when a socket is above its high-water mark, then events wait in the bounded queue and go out on drain, the first saying how many were dropped', async () => {
    const sinks = new Map<unknown, { id: string; outbox: FakeOutbox }>();
    const c = directCohorts(sinks, 2);
    const slowArgs = args('viewer:*');
    const fastArgs = args('viewer:*');
    const slow = new FakeOutbox();
    const fast = new FakeOutbox();
    sinks.set(slowArgs.contextValue, { id: 's', outbox: slow });
    sinks.set(fastArgs.contextValue, { id: 'f', outbox: fast });
    await join(c, slowArgs);
    await join(c, fastArgs);
    slow.accepting = false;
    for (const v of [1, 2, 3, 4, 5]) broadcast.publish(v);
    await settle();
    expect(fast.frames).toHaveLength(5);
    expect(slow.frames).toEqual([]);
    slow.drain();
    expect(slow.frames).toEqual([
      nextMessage('s', { data: { tick: 4 }, extensions: { missed: 3 } }),
      nextMessage('s', { data: { tick: 5 } }),
    ]);
    expect(c.stats.missed).toBe(3);
  });

  it('when the source fails, then every member gets the formatted error before its iterator ends', async () => {
    const sinks = new Map<unknown, { id: string; outbox: FakeOutbox }>();
    const c = directCohorts(sinks);
    const a: ExecutionArgs = {
      schema,
      document: parse('subscription { failTick }'),
      contextValue: {},
    };
    const outbox = new FakeOutbox();
    sinks.set(a.contextValue, { id: '9', outbox });
    const m = await join(c, a);
    expect(await m.next()).toEqual({ done: true, value: undefined });
    expect(outbox.frames).toEqual([nextMessage('9', { errors: [{ message: 'formatted' }] })]);
  });

  it('when events come faster than the cohort executes them, then the ones it drops are counted and the members told', async () => {
    const sinks = new Map<unknown, { id: string; outbox: FakeOutbox }>();
    const c = directCohorts(sinks, 2);
    const a: ExecutionArgs = {
      schema,
      document: parse('subscription { slowTick }'),
      contextValue: { access: 'viewer:*' },
    };
    const outbox = new FakeOutbox();
    sinks.set(a.contextValue, { id: '1', outbox });
    await join(c, a);
    for (let v = 1; v <= 20; v++) broadcast.publish(v);
    await new Promise((r) => setTimeout(r, 200));
    const payloads = outbox.frames.map((f): unknown => JSON.parse(f));
    const missed = outbox.frames.reduce((sum, f) => sum + missedIn(f), 0);
    // every event was either delivered or counted as missed, the newest delivered last
    expect(payloads.length + missed).toBe(20);
    expect(missed).toBeGreaterThan(0);
    expect(c.stats.missed).toBe(missed);
    expect(payloads.at(-1)).toMatchObject({ payload: { data: { slowTick: 20 } } });
  });

  it('when handing out an event throws, then the members hear an internal error, the cohort ends and nothing is left unhandled', async () => {
    const sinks = new Map<unknown, { id: string; outbox: FakeOutbox }>();
    const c = new Cohorts({
      perEvent: (operation) => ({ operation }),
      accessKey: accessOf,
      queueSize: 10,
      sinkOf: (operation) => sinks.get(operation),
      format: (result) => {
        if (result.errors) return { errors: [{ message: 'formatted' }] };
        if (JSON.stringify(result.data) === '{"tick":2}') throw new Error('a bug in formatting');
        return undefined;
      },
    });
    const a = args('viewer:*');
    const outbox = new FakeOutbox();
    sinks.set(a.contextValue, { id: '5', outbox });
    const member = await join(c, a);
    broadcast.publish(1);
    broadcast.publish(2);
    expect(await member.next()).toEqual({ done: true, value: undefined });
    expect(outbox.frames).toEqual([
      nextMessage('5', { data: { tick: 1 } }),
      nextMessage('5', { errors: [{ message: 'formatted' }] }),
    ]);
    expect(broadcast.closed).toBe(1);
  });
});
