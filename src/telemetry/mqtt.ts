import mqtt, {
  type IClientOptions,
  type IPublishPacket,
  type ISubscriptionMap,
  type MqttClient,
} from 'mqtt';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { errorText, shownUrl, type Log } from '../log';

/** mqtt.js's per-message hook: `done()` acknowledges (PUBACK), `done(err)` does not. */
export type MessageHandler = NonNullable<MqttClient['handleMessage']>;

/**
 * One delivered message whose acknowledgement the handler decides on. mqtt.js hands messages over
 * one at a time and sends a QoS 1 message's PUBACK when its handler calls back; a `Delivery`
 * separates the two, so that the next message can be read while this one is made durable:
 * - `next()` lets mqtt.js go on to the next message, this one still unacknowledged;
 * - `ack()` acknowledges it (calls must come in delivery order: MQTT acknowledges QoS 1 in order);
 *   on a connection that has dropped since, it does nothing: the broker redelivers the message;
 * - `fail(err)` goes on without ever acknowledging it.
 */
export interface Delivery {
  next(): void;
  ack(): void;
  fail(err: Error): void;
}

export type DeliveryHandler = (packet: IPublishPacket, delivery: Delivery) => void;

/**
 * Whether DEBUG turns mqtt.js's own log on (`DEBUG=mqttjs*`, `*`, …), as decided by the `debug`
 * package that mqtt.js logs through (`debug.enabled`), found from mqtt.js's location.
 */
function mqttDebugEnabled(): boolean {
  try {
    const debug: unknown = createRequire(require.resolve('mqtt'))('debug');
    const enabled: unknown = typeof debug === 'function' ? Reflect.get(debug, 'enabled') : null;
    return (
      typeof enabled === 'function' && Reflect.apply(enabled, debug, ['mqttjs:client']) === true
    );
  } catch {
    return false;
  }
}
const MQTT_DEBUG = mqttDebugEnabled();

/** mqtt.js goes on without a PUBACK when the handler's callback gets an error. */
const DEFERRED = new Error('acknowledged later');

type PubackPacket = { cmd: 'puback'; messageId: number; reasonCode: number };

/**
 * mqtt.js's own packet writer `_sendPacket` (not part of its typed API), found at run time: a
 * version without it leaves the server acknowledging one message at a time.
 */
function packetWriter(client: MqttClient): ((packet: PubackPacket) => void) | undefined {
  const send: unknown = Reflect.get(client, '_sendPacket');
  if (typeof send !== 'function') return undefined;
  return (packet) => {
    Reflect.apply(send, client, [packet]);
  };
}

function deliveryHandler(client: MqttClient, handle: DeliveryHandler): MessageHandler {
  const sendPacket = packetWriter(client);
  return (packet, done) => {
    const stream = client.stream;
    let released = false;
    let settled = false;
    const release = (err?: Error) => {
      if (released) return;
      released = true;
      done(err);
    };
    handle(packet, {
      next() {
        // without a way to send the PUBACK later, stay one message at a time
        if (sendPacket) release(DEFERRED);
      },
      ack() {
        if (settled) return;
        settled = true;
        if (!released) return release(); // mqtt.js sends the PUBACK
        if (packet.qos === 0 || packet.messageId === undefined) return;
        if (client.stream !== stream || !client.connected) return; // redelivered on the new one
        sendPacket?.({ cmd: 'puback', messageId: packet.messageId, reasonCode: 0 });
      },
      fail(err) {
        settled = true;
        release(err);
      },
    });
  };
}

export interface ClientSpec {
  url: string;
  clientId: string;
  /** false: a persistent session, so the broker queues QoS 1 messages while we are away. */
  clean: boolean;
  /** MQTT 5 (external brokers); aedes speaks 3.1.1 only. */
  v5: boolean;
  /** Subscribed at every (re)connect (with those added by `subscribeTo` since). */
  filters: readonly string[];
  /**
   * Installed before the client connects: with a persistent session the broker resends its
   * queue right after CONNACK, and mqtt.js's default handler would acknowledge and drop those.
   */
  handleMessage?: MessageHandler;
  /** Like `handleMessage`, with acknowledgements that may come after the next message is read. */
  handleDelivery?: DeliveryHandler;
  /** Awaited at every connect before subscribing (see TelemetryService: live waits for persist). */
  beforeSubscribe?: () => Promise<void>;
  log: Log;
}

export interface OpenClient {
  client: MqttClient;
  /** Resolves at the first connect and subscription; start-up does not wait for it. */
  ready: Promise<void>;
  /** Drops the connection without acknowledging, so the broker redelivers what is unacknowledged. */
  redeliver(): void;
  /** Resolves once the current connection's subscription is acknowledged (waits while down). */
  subscribed(): Promise<void>;
  /**
   * Adds a filter, subscribed now and at every reconnect; resolves once the broker acknowledged
   * it, or at once while disconnected (the next connect subscribes it).
   */
  subscribeTo(filter: string): Promise<void>;
  /** Removes a filter added by `subscribeTo`: unsubscribed now, and not at the next connect. */
  unsubscribeFrom(filter: string): Promise<void>;
}

/** Opens a client that reconnects for ever and resubscribes after every reconnect. */
export function openClient(spec: ClientSpec): OpenClient {
  const options: IClientOptions = {
    protocolVersion: spec.v5 ? 5 : 4,
    reconnectPeriod: 500,
    connectTimeout: 10_000,
    clientId: spec.clientId,
    clean: spec.clean,
    // our 'connect' handler subscribes at every connect, when it is its turn (beforeSubscribe)
    resubscribe: false,
    manualConnect: true,
    // the broker keeps this session's subscriptions and queued QoS 1 messages across reconnects
    ...(spec.v5 && !spec.clean ? { properties: { sessionExpiryInterval: 3600 } } : {}),
    // mqtt.js logs through `debug` several times a packet, formatting arguments even when off:
    // 2.5% of the server thread under a flood. DEBUG=mqttjs* still turns its log on.
    ...(MQTT_DEBUG ? {} : { log: () => {} }),
  };
  const client = mqtt.connect(spec.url, options);
  if (spec.handleMessage) client.handleMessage = spec.handleMessage;
  if (spec.handleDelivery) client.handleMessage = deliveryHandler(client, spec.handleDelivery);
  coalesceWrites(client);

  let lastError = '';
  client.on('error', (err) => {
    // one line per distinct error, not one per reconnect attempt
    if (err.message !== lastError) spec.log.warn(`MQTT ${spec.clientId}: ${err.message}`);
    lastError = err.message;
  });
  client.on('offline', () =>
    spec.log.warn(`MQTT ${spec.clientId} offline; reconnecting to ${shownUrl(spec.url)}`),
  );

  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const waiting = setTimeout(
    () =>
      spec.log.warn(`waiting for the MQTT broker at ${shownUrl(spec.url)} (readiness reports it)`),
    3000,
  );
  waiting.unref();
  let current = pending();
  /** Filters added by subscribeTo, subscribed at every connect with spec.filters. */
  const added = new Set<string>();
  client.on('close', () => {
    if (current.done) current = pending();
  });
  client.on('connect', () => {
    lastError = '';
    void (spec.beforeSubscribe?.() ?? Promise.resolve()).then(() => subscribe());
  });
  const subscribe = () => {
    if (!client.connected) return;
    // A broker that restarted may report the session as present yet have lost its
    // subscriptions: Mosquitto 2.0.11 restores a persistent session and its plain subscriptions
    // but not its shared ones (test/integration/durability.test.ts). So subscribe at every
    // connect whatever `sessionPresent` says; `resubscribe` makes mqtt.js send a filter it
    // believes is subscribed already.
    const filters = [...spec.filters, ...added];
    const again: ISubscriptionMap = Object.assign(
      Object.fromEntries(filters.map((f) => [f, { qos: 1 as const }])),
      { resubscribe: true },
    );
    client.subscribe(again, (err) => {
      if (err) {
        spec.log.warn(`subscribing to ${filters.join(', ')} failed: ${errorText(err)}`);
        return;
      }
      clearTimeout(waiting);
      resolveReady();
      current.resolve();
    });
  };
  client.connect();
  return {
    client,
    ready,
    redeliver() {
      if (client.connected) client.stream.destroy();
    },
    subscribed: () => current.promise,
    subscribeTo(filter) {
      added.add(filter);
      if (!client.connected) return Promise.resolve(); // the next connect subscribes it
      // after this connection's own subscription, which waits for `beforeSubscribe` (a filter
      // subscribed twice is subscribed once)
      return current.promise.then(
        () =>
          new Promise<void>((resolve) => {
            if (!added.has(filter) || !client.connected) return resolve();
            client.subscribe(filter, { qos: 1 }, (err) => {
              if (err) spec.log.warn(`subscribing to ${filter} failed: ${errorText(err)}`);
              resolve();
            });
          }),
      );
    },
    unsubscribeFrom(filter) {
      added.delete(filter);
      if (!client.connected) return Promise.resolve();
      return new Promise<void>((resolve) => {
        client.unsubscribe(filter, (err) => {
          if (err) spec.log.warn(`unsubscribing from ${filter} failed: ${errorText(err)}`);
          resolve();
        });
      });
    },
  };
}

/**
 * mqtt.js reads one packet per tick and writes each PUBACK corked until the next tick, so under
 * load every acknowledgement was its own write system call (a fifth of the server thread while it
 * took in 10k msg/s, bench/ingest.ts). Holding the socket corked from the first packet read in a
 * turn of the event loop until the turn ends (setImmediate) sends the turn's PUBACKs together.
 * A write is delayed by at most that turn; a socket closed meanwhile just drops the buffer.
 */
function coalesceWrites(client: MqttClient): void {
  let corked = false;
  client.on('packetreceive', () => {
    if (corked) return;
    const stream: unknown = client.stream;
    if (!(stream instanceof Writable)) return; // sockets, TLS and WebSocket streams all are
    corked = true;
    stream.cork();
    setImmediate(() => {
      corked = false;
      stream.uncork();
    });
  });
}

function pending(): { promise: Promise<void>; resolve: () => void; done: boolean } {
  const p = { promise: Promise.resolve(), resolve: () => {}, done: false };
  p.promise = new Promise<void>((resolve) => {
    p.resolve = () => {
      p.done = true;
      resolve();
    };
  });
  return p;
}

/** Ends a client; with `force`, unacknowledged messages are left to the broker to redeliver. */
export async function closeClient(client: MqttClient, force = false): Promise<void> {
  await client.endAsync(force);
}
