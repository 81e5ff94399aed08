import { setMaxListeners } from 'node:events';
import { Repeater, SlidingBuffer } from '@graphql-yoga/subscription';
import { LiveDemand, type LivePubSub } from '../domain/live';

/**
 * The in-process event bus behind GraphQL subscriptions. Like @graphql-yoga's createPubSub, but
 * every subscriber gets its own bounded buffer that drops its oldest events when it falls
 * behind, so one slow WebSocket client can neither stall nor break the others; and it counts
 * the listeners of each routing key (`demand`).
 */
export function createLivePubSub(bufferPerSubscriber = 1000): LivePubSub {
  const target = new EventTarget();
  // one listener per subscriber on a topic: hundreds are expected, not a leak
  setMaxListeners(Infinity, target);
  const demand = new LiveDemand();
  return {
    demand,
    publish(routingKey: string, ...args: unknown[]) {
      const payload = args[1] ?? args[0] ?? null;
      const topic = args[1] === undefined ? routingKey : `${routingKey}:${String(args[0])}`;
      target.dispatchEvent(new CustomEvent(topic, { detail: payload }));
    },
    subscribe(routingKey: string, id?: unknown) {
      const topic = id === undefined ? routingKey : `${routingKey}:${String(id)}`;
      return new Repeater((push, stop) => {
        const listener = (event: Event) => {
          if (event instanceof CustomEvent) void push(event.detail);
        };
        target.addEventListener(topic, listener);
        demand.add(routingKey);
        void stop.then(() => {
          target.removeEventListener(topic, listener);
          demand.remove(routingKey);
        });
      }, new SlidingBuffer(bufferPerSubscriber));
    },
  };
}
