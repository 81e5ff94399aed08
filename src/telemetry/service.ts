import mqtt, { type IClientOptions, type ISubscriptionMap, type MqttClient } from 'mqtt';
import type { Graph } from '../graph/executor';
import type { Log } from '../log';
import type { PubSub } from 'type-graphql';
import type { TwinChange, TwinEvents } from '../domain/events';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import {
  LIVE,
  routeIds,
  type LiveAlertEvent,
  type LiveStatusEvent,
  type LiveTelemetryEvent,
} from './events';
import { processMessage, rejection, type IngestLimits, type Processed } from './ingest';
import { AssetRegistry } from './registry';
import { pruneTelemetry, writeBatch, type StoredAlert } from './store';
import { rejectedTopic } from './topics';
import { TelemetryWriter, type WriterStats } from './writer';

export interface TelemetrySettings {
  /** External broker; when undefined an embedded broker is started on `embeddedPort`. */
  mqttUrl: string | undefined;
  embeddedPort: number;
  prefix: string;
  /** Shared-subscription group: instances in one group write each reading once between them. */
  sharedGroup: string;
  /** Stable per instance, so its persistent MQTT session (queued QoS 1 readings) survives restarts. */
  instanceId: string;
  /** Whether this instance writes telemetry to the graph (a pure API replica may not). */
  persist: boolean;
  limits: IngestLimits;
  flushMs: number;
  maxBatch: number;
  maxBuffered: number;
  retentionMs: number;
  spillDir: string;
}

export interface IngestStats {
  /** Both broker connections are up (readiness reports it too). */
  connected: boolean;
  received: number;
  accepted: number;
  rejected: number;
  writer: WriterStats;
}

/**
 * MQTT in, graph and live events out. Two connections to the broker:
 * - live: every instance subscribes to everything (QoS 0) and pushes validated events to its own
 *   GraphQL subscribers at once, without waiting for Neo4j;
 * - persist: a shared subscription (QoS 1, persistent session), so each reading is validated,
 *   written and counted by exactly one instance of the group.
 * The embedded broker (aedes) has no shared subscriptions; it serves one instance.
 */
export class TelemetryService implements TwinEvents {
  readonly registry: AssetRegistry;
  private broker: EmbeddedBroker | null = null;
  private live: MqttClient | null = null;
  private persistClient: MqttClient | null = null;
  private writer: TelemetryWriter | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private readonly counts = { received: 0, accepted: 0, rejected: 0 };
  url = '';

  constructor(
    private readonly graph: Graph,
    private readonly pubSub: PubSub,
    private readonly settings: TelemetrySettings,
    private readonly log: Log,
  ) {
    this.registry = new AssetRegistry(graph);
  }

  stats(): IngestStats {
    return {
      connected:
        (this.live?.connected ?? false) &&
        (this.persistClient?.connected ?? !this.settings.persist),
      ...this.counts,
      writer: this.writer?.stats() ?? {
        buffered: 0,
        written: 0,
        failedAttempts: 0,
        lastError: null,
      },
    };
  }

  async start(): Promise<void> {
    const s = this.settings;
    if (s.mqttUrl) this.url = s.mqttUrl;
    else {
      this.broker = await startEmbeddedBroker(s.embeddedPort);
      this.url = this.broker.url;
      this.log.info(
        `embedded MQTT broker on port ${this.broker.port} (set MQTT_URL to use an external broker)`,
      );
    }
    await this.registry.loadAll();
    // Everything under the prefix, so that a topic of the wrong shape is seen and rejected
    // (BAD_TOPIC) rather than silently missed; reserved levels (_events, _rejected) are ours.
    const everything = `${s.prefix}/#`;

    this.live = await this.connect({
      clientId: `twin-graph-live-${s.instanceId}-${process.pid}`,
      clean: true,
    });
    this.live.on('message', (topic, payload) => void this.onLive(topic, payload));
    await this.subscribe(this.live, everything);

    if (s.persist) {
      this.writer = new TelemetryWriter(
        (batch) => writeBatch(this.graph, batch),
        {
          flushMs: s.flushMs,
          maxBatch: s.maxBatch,
          maxBuffered: s.maxBuffered,
          spillDir: s.spillDir,
          log: this.log,
        },
        (alerts) => this.announceAlerts(alerts),
      );
      await this.writer.replaySpill();
      const client = await this.connect({
        clientId: `twin-graph-persist-${s.instanceId}`,
        clean: false,
      });
      // One message at a time: the next is read only once this one is buffered, so a full
      // buffer (Neo4j slower than the broker) holds the broker back instead of growing memory.
      client.handleMessage = (packet, done) => {
        const payload =
          typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
        this.onPersist(packet.topic, payload).then(
          () => done(),
          (err: unknown) => {
            this.log.error(`persisting a message of ${packet.topic} failed: ${String(err)}`);
            done();
          },
        );
      };
      const share = this.broker ? '' : `$share/${s.sharedGroup}/`;
      await this.subscribe(client, share + everything);
      this.persistClient = client;
      this.pruneTimer = setInterval(() => void this.prune(), 60_000);
      this.pruneTimer.unref();
    }
    this.log.info(`telemetry from ${this.url} (${everything})${s.persist ? '' : ', live only'}`);
  }

  /**
   * Subscribes now and again after every reconnect: a broker that restarted may report the
   * session as present yet have lost its subscriptions (seen with shared subscriptions), and
   * subscribing twice to the same filter is harmless.
   */
  private async subscribe(client: MqttClient, filter: string): Promise<void> {
    await client.subscribeAsync(filter, { qos: 1 });
    client.on('connect', () => {
      // `resubscribe: true`: mqtt.js would otherwise skip a filter it believes is subscribed
      const again: ISubscriptionMap = Object.assign(
        { [filter]: { qos: 1 as const } },
        { resubscribe: true },
      );
      client.subscribe(again, (err) => {
        if (err) this.log.warn(`resubscribing to ${filter} failed: ${err.message}`);
      });
    });
  }

  private async connect(options: IClientOptions): Promise<MqttClient> {
    // MQTT 5 for external brokers (a persistent session needs an expiry there, or it ends at
    // disconnect); aedes speaks 3.1.1 only, where a persistent session simply lasts.
    const v5 = this.broker === null;
    const client = mqtt.connect(this.url, {
      protocolVersion: v5 ? 5 : 4,
      reconnectPeriod: 500,
      connectTimeout: 10_000,
      // the broker keeps this session's subscriptions and queued QoS 1 messages across reconnects
      ...(v5 && options.clean === false ? { properties: { sessionExpiryInterval: 3600 } } : {}),
      resubscribe: true,
      ...options,
    });
    const name = String(options.clientId);
    let lastError = '';
    client.on('error', (err) => {
      // one line per distinct error, not one per reconnect attempt
      if (err.message !== lastError) this.log.warn(`MQTT ${name}: ${err.message}`);
      lastError = err.message;
    });
    client.on('connect', () => {
      lastError = '';
    });
    client.on('offline', () => this.log.info(`MQTT ${name} offline; reconnecting to ${this.url}`));
    if (!client.connected) {
      // start-up waits for the broker (it may start a moment after us), and says so
      const waiting = setTimeout(
        () => this.log.info(`waiting for the MQTT broker at ${this.url} ...`),
        3000,
      );
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      clearTimeout(waiting);
    }
    return client;
  }

  private async onLive(topic: string, payload: Buffer): Promise<void> {
    try {
      if (topic.startsWith(`${this.settings.prefix}/_events/`))
        return await this.onEvent(topic, payload);
      if (this.isReserved(topic)) return;
      const result = await processMessage(
        this.registry,
        this.settings.prefix,
        this.settings.limits,
        topic,
        payload,
        Date.now(),
      );
      this.publishLive(result);
    } catch (err) {
      this.log.error(`live event of ${topic} failed: ${String(err)}`);
    }
  }

  private publishLive(result: Processed): void {
    if (result.kind === 'telemetry' && result.live.length > 0) {
      const event: LiveTelemetryEvent = {
        factoryId: result.asset.factoryId,
        lineId: result.asset.lineId,
        asset: result.asset.props,
        ts: result.ts,
        readings: result.live,
      };
      for (const id of routeIds({ ...event, assetId: result.asset.id })) {
        this.pubSub.publish(LIVE.TELEMETRY, id, event);
      }
    } else if (result.kind === 'state') {
      const event: LiveStatusEvent = {
        factoryId: result.asset.factoryId,
        lineId: result.asset.lineId,
        asset: result.asset.props,
        status: result.status,
        previousStatus: result.previousStatus,
        reason: result.state.reason,
        ts: result.state.ts,
        source: 'telemetry',
      };
      for (const id of routeIds(event)) this.pubSub.publish(LIVE.ASSET_STATUS, id, event);
    }
  }

  private async onPersist(topic: string, payload: Buffer): Promise<void> {
    const writer = this.writer;
    if (!writer || this.isReserved(topic)) return;
    this.counts.received += 1;
    let result: Processed;
    try {
      result = await processMessage(
        this.registry,
        this.settings.prefix,
        this.settings.limits,
        topic,
        payload,
        Date.now(),
      );
    } catch (err) {
      const receivedAt = new Date().toISOString();
      result = {
        kind: 'rejected',
        rejections: [rejection('INTERNAL_ERROR', String(err), topic, payload, receivedAt)],
      };
    }
    if (result.kind === 'telemetry') {
      if (result.readings.length > 0) this.counts.accepted += 1;
      if (result.rejections.length > 0 && result.readings.length === 0) this.counts.rejected += 1;
      await writer.add({
        readings: result.readings,
        alerts: result.alerts,
        rejections: result.rejections,
      });
    } else if (result.kind === 'state') {
      this.counts.accepted += 1;
      await writer.add({ states: [result.state] });
    } else {
      this.counts.rejected += 1;
      await writer.add({ rejections: result.rejections });
    }
    const rejections = result.kind === 'state' ? [] : result.rejections;
    for (const r of rejections) {
      // dead-letter: anyone may subscribe to <prefix>/_rejected/# to see what was refused and why
      this.persistClient?.publish(
        rejectedTopic(this.settings.prefix, r.reason),
        JSON.stringify(r),
        { qos: 0 },
      );
    }
  }

  /** `<prefix>/_...`: our own events and dead letters, never telemetry. */
  private isReserved(topic: string): boolean {
    return topic.startsWith(`${this.settings.prefix}/_`);
  }

  /** Events that must reach every instance's subscribers travel over the broker. */
  private async onEvent(topic: string, payload: Buffer): Promise<void> {
    const kind = topic.slice(`${this.settings.prefix}/_events/`.length);
    const body: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof body !== 'object' || body === null) return;
    const data = Object.fromEntries(Object.entries(body));
    const assetId = String(data['assetId']);
    if (kind === 'import') {
      await this.registry.loadAll();
      return;
    }
    if (kind === 'alert') {
      const asset = await this.registry.get(assetId);
      if (!asset) return;
      const alert: LiveAlertEvent = {
        id: String(data['id']),
        kind: String(data['kind']),
        severity: String(data['severity']),
        message: String(data['message']),
        raisedAt: String(data['raisedAt']),
        assetId,
        metricId: String(data['metricId']),
        factoryId: asset.factoryId,
        lineId: asset.lineId,
      };
      for (const id of routeIds(alert)) this.pubSub.publish(LIVE.ALERT, id, alert);
    } else if (kind === 'asset') {
      const asset = await this.registry.refresh(assetId);
      if (!asset) return;
      const status = data['status'];
      const previous = data['previousStatus'];
      if (typeof status === 'string' && typeof previous === 'string' && previous !== status) {
        const event: LiveStatusEvent = {
          factoryId: asset.factoryId,
          lineId: asset.lineId,
          asset: asset.props,
          status,
          previousStatus: previous,
          reason: typeof data['reason'] === 'string' ? data['reason'] : null,
          ts: new Date().toISOString(),
          source: 'api',
        };
        for (const id of routeIds(event)) this.pubSub.publish(LIVE.ASSET_STATUS, id, event);
      }
    }
  }

  private announceAlerts(alerts: StoredAlert[]): void {
    for (const alert of alerts) {
      this.live?.publish(`${this.settings.prefix}/_events/alert`, JSON.stringify(alert), {
        qos: 1,
      });
    }
  }

  /** A mutation changed an asset: every instance refreshes its cache and tells its subscribers. */
  twinsChanged(change: TwinChange): void {
    this.live?.publish(`${this.settings.prefix}/_events/twins`, JSON.stringify(change), { qos: 1 });
  }

  assetStatusChanged(change: {
    assetId: string;
    previousStatus: string | null;
    status: string | null;
    reason: string | null;
  }): void {
    this.live?.publish(`${this.settings.prefix}/_events/asset`, JSON.stringify(change), { qos: 1 });
  }

  twinsImported(): void {
    const at = new Date().toISOString();
    this.live?.publish(`${this.settings.prefix}/_events/import`, JSON.stringify({ at }), {
      qos: 1,
    });
  }

  /** Writes everything accepted so far (tests and benchmarks wait on it). */
  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  private async prune(): Promise<void> {
    try {
      await pruneTelemetry(this.graph, this.settings.retentionMs, 50);
    } catch (err) {
      this.log.warn(`telemetry retention failed (will retry): ${String(err)}`);
    }
  }

  /** Stops reading, writes what was accepted (or spills it), then closes the broker connections. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.persistClient?.endAsync();
    if (this.writer) {
      const result = await this.writer.stop(timeoutMs);
      if (!result.written)
        this.log.info(`telemetry: ${result.spilled} rows spilled for the next start`);
    }
    await this.live?.endAsync();
    await this.broker?.close();
  }
}
