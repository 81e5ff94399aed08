import { LIVE } from '../domain/live';

/** The pub/sub's iterables are Repeaters (async iterators); type-graphql types them as iterables. */
const iterate = (iterable: AsyncIterable<unknown>) => iterable[Symbol.asyncIterator]();
import { createLivePubSub } from './pubsub';

describe('the live pub/sub', () => {
  it('when subscriptions start and end, then demand tells the first and the last of a routing key, and a published event reaches its listeners', async () => {
    const pubSub = createLivePubSub();
    const changes: boolean[] = [];
    pubSub.demand.watch(LIVE.TELEMETRY, (listened) => changes.push(listened));
    expect(pubSub.demand.listened(LIVE.TELEMETRY)).toBe(false);

    const all = iterate(pubSub.subscribe(LIVE.TELEMETRY, 'all'));
    const one = iterate(pubSub.subscribe(LIVE.TELEMETRY, 'asset:A1'));
    const status = iterate(pubSub.subscribe(LIVE.ASSET_STATUS, 'all'));
    // a Repeater starts listening at its first next()
    const nextAll = all.next();
    const nextOne = one.next();
    const nextStatus = status.next();
    expect(changes).toEqual([true]);
    expect(pubSub.demand.listened(LIVE.TELEMETRY)).toBe(true);
    expect(pubSub.demand.listened(LIVE.ASSET_STATUS)).toBe(true);

    pubSub.publish(LIVE.TELEMETRY, 'asset:A1', { n: 1 });
    pubSub.publish(LIVE.TELEMETRY, 'all', { n: 2 });
    expect(await nextOne).toEqual({ value: { n: 1 }, done: false });
    expect(await nextAll).toEqual({ value: { n: 2 }, done: false });

    await all.return?.();
    expect(changes).toEqual([true]);
    expect(pubSub.demand.listened(LIVE.TELEMETRY)).toBe(true);
    await one.return?.();
    expect(changes).toEqual([true, false]);
    expect(pubSub.demand.listened(LIVE.TELEMETRY)).toBe(false);
    // another routing key is counted on its own
    expect(pubSub.demand.listened(LIVE.ASSET_STATUS)).toBe(true);
    await status.return?.();
    await expect(nextStatus).resolves.toEqual({ value: undefined, done: true });

    // a new listener after the last left is a first again
    const again = iterate(pubSub.subscribe(LIVE.TELEMETRY, 'all'));
    const nextAgain = again.next();
    expect(changes).toEqual([true, false, true]);
    await again.return?.();
    await nextAgain;
    expect(changes).toEqual([true, false, true, false]);
  });
});
