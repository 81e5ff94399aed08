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
