import mqtt, { type IClientOptions, type ISubscriptionMap, type MqttClient } from 'mqtt';
import { errorText, type Log } from '../log';

/** mqtt.js's per-message hook: `done()` acknowledges (PUBACK), `done(err)` does not. */
export type MessageHandler = NonNullable<MqttClient['handleMessage']>;

export interface ClientSpec {
  url: string;
  clientId: string;
  /** false: a persistent session, so the broker queues QoS 1 messages while we are away. */
  clean: boolean;
  /** MQTT 5 (external brokers); aedes speaks 3.1.1 only. */
  v5: boolean;
  /** Subscribed at every (re)connect. */
  filter: string;
  /**
   * Installed before the client connects: with a persistent session the broker resends its
   * queue right after CONNACK, and mqtt.js's default handler would acknowledge and drop those.
   */
  handleMessage?: MessageHandler;
  log: Log;
}

export interface OpenClient {
  client: MqttClient;
  /** Resolves at the first connect and subscription; start-up does not wait for it. */
  ready: Promise<void>;
  /** Drops the connection without acknowledging, so the broker redelivers what is unacknowledged. */
  redeliver(): void;
}

/** Opens a client that reconnects for ever and resubscribes after every reconnect. */
export function openClient(spec: ClientSpec): OpenClient {
  const options: IClientOptions = {
    protocolVersion: spec.v5 ? 5 : 4,
    reconnectPeriod: 500,
    connectTimeout: 10_000,
    clientId: spec.clientId,
    clean: spec.clean,
    resubscribe: true,
    manualConnect: true,
    // the broker keeps this session's subscriptions and queued QoS 1 messages across reconnects
    ...(spec.v5 && !spec.clean ? { properties: { sessionExpiryInterval: 3600 } } : {}),
  };
  const client = mqtt.connect(spec.url, options);
  if (spec.handleMessage) client.handleMessage = spec.handleMessage;

  let lastError = '';
  client.on('error', (err) => {
    // one line per distinct error, not one per reconnect attempt
    if (err.message !== lastError) spec.log.warn(`MQTT ${spec.clientId}: ${err.message}`);
    lastError = err.message;
  });
  client.on('offline', () =>
    spec.log.warn(`MQTT ${spec.clientId} offline; reconnecting to ${spec.url}`),
  );

  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const waiting = setTimeout(
    () => spec.log.warn(`waiting for the MQTT broker at ${spec.url} (readiness reports it)`),
    3000,
  );
  waiting.unref();
  client.on('connect', () => {
    lastError = '';
    // A broker that restarted may report the session as present yet have lost its
    // subscriptions (seen with shared subscriptions): subscribe at every connect; `resubscribe`
    // makes mqtt.js send a filter it believes is subscribed already.
    const again: ISubscriptionMap = Object.assign(
      { [spec.filter]: { qos: 1 as const } },
      { resubscribe: true },
    );
    client.subscribe(again, (err) => {
      if (err) {
        spec.log.warn(`subscribing to ${spec.filter} failed: ${errorText(err)}`);
        return;
      }
      clearTimeout(waiting);
      resolveReady();
    });
  });
  client.connect();
  return {
    client,
    ready,
    redeliver() {
      if (client.connected) client.stream.destroy();
    },
  };
}

/** Ends a client; with `force`, unacknowledged messages are left to the broker to redeliver. */
export async function closeClient(client: MqttClient, force = false): Promise<void> {
  await client.endAsync(force);
}
