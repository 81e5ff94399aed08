import type { MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { RuleCache } from '../alerts/rule-cache';
import type { AlertNotice } from '../domain/alerts';
import type { TelemetryObserver } from '../domain/observers';
import type {
  AssetStatusChange,
  SimulationProgressEvent,
  TwinChange,
  TwinEvents,
} from '../domain/events';
import type { Graph } from '../graph/executor';
import { LIVE, type LivePubSub } from '../domain/live';
import { HistoryWriter, type HistoryWriterStats } from '../history/writer';
import { errorText, shownUrl, type Log } from '../log';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { busFilter, busTopic, encodeBus, type BusMessage } from './bus';
import { historyRows } from './history-rows';
import { ingestWith, type IngestLimits } from './ingest';
import { Journal, type JournalStats } from './journal';
import { LiveFeed } from './live';
import { closeClient, openClient, type OpenClient } from './mqtt';
import { Persister, type Durable } from './persist';
import { AssetRegistry } from './registry';
import { startRetention } from './retention';
import { alertTopic, subscriptionFilters } from './topics';
import { batchSize, emptyBatch, storedRows, type ReadingRecord } from './records';
import { rowsOf, uncommitted, type JournalCursor, type JournalRecord } from './replay';
import { readJournalCursor, writeBatch } from './store';
import { appendRows, TelemetryWriter, type WriterStats } from './writer';

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host.startsWith('127.');

export interface TelemetrySettings {
  /** External broker; when undefined an embedded broker is started on `embeddedPort`. */
  mqttUrl: string | undefined;
  embeddedPort: number;
  /** Where the embedded broker listens (MQTT_EMBEDDED_HOST: it has no authentication). */
  embeddedHost: string;
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
  /** Asset state changes (the timeline) older than this are pruned (TIMELINE_RETENTION_DAYS). */
  timelineRetentionMs: number;
  spillDir: string;
  /**
   * The write-ahead journal: a message is acknowledged once its rows are fsync'd there (in
   * `dir/<instanceId>`, group-committed every `groupCommitMs`). null: acknowledged once buffered.
   */
  journal: { dir: string; groupCommitMs: number } | null;
  /** The asset cache is reloaded whole this often, whatever events it heard (0: never). */
  cacheReloadMs: number;
  /**
   * The long-term history (docs/history.md): readings committed to the graph are appended to its
   * spool and rolled into Parquet files in `dir` every `rollMs`. null: off (HISTORY_ENABLED=false).
   */
  history?: { dir: string; rollMs: number } | null;
  /** Told of each committed batch and routed alert step (the metrics; runtime.ts wires it). */
  observer?: TelemetryObserver;
  /**
   * The live connection takes telemetry only while a GraphQL subscription listens to it; after the
   * last one ends it stays subscribed this long (LIVE_TELEMETRY_LINGER_MS), for the next one.
   */
  liveLingerMs?: number;
}

/** LIVE_TELEMETRY_LINGER_MS's default. */
export const LIVE_LINGER_MS = 30_000;

export interface IngestStats {
  /** Both broker connections are up (readiness reports it too). */
  connected: boolean;
  received: number;
  accepted: number;
  rejected: number;
  notAcknowledged: number;
  writer: WriterStats;
  /** null when the journal is off (TELEMETRY_JOURNAL=false) or telemetry is not persisted. */
  journal: JournalStats | null;
  /** null when the history is off (HISTORY_ENABLED=false) or telemetry is not persisted. */
  history: HistoryStats | null;
  /** The live connection (GraphQL subscriptions of this instance). */
  live: LiveStats;
}

export interface LiveStats {
  /** Whether it takes every asset's telemetry now (a subscription listens, or did lately). */
  telemetrySubscribed: boolean;
  /** Telemetry messages it received since the start. */
  telemetryMessages: number;
}

export interface HistoryStats extends HistoryWriterStats {
  /** Batches whose readings are in the graph but could not be appended to the history's spool. */
  appendFailures: number;
}

/**
 * MQTT in, graph and live events out. Two connections to the broker:
 * - live (LiveFeed): every instance subscribes to the bus (QoS 1: alerts, rule and twin changes)
 *   and to every asset's state, and to every asset's telemetry while one of its GraphQL
 *   subscriptions listens to telemetry (an instance nobody watches live is not sent each reading
 *   a second time); it pushes validated events to its own subscribers at once, without waiting
 *   for Neo4j;
 * - persist (Persister): a shared subscription (QoS 1, persistent session), so each reading is
 *   validated, written and counted by exactly one instance of the group.
 * The embedded broker (aedes) has no shared subscriptions; it serves one instance.
 *
 * `start()` does not wait for the broker: the server listens meanwhile and `/readyz` reports the
 * broker; `ready()` resolves once both connections are subscribed.
 */
export class TelemetryService implements TwinEvents {
  readonly registry: AssetRegistry;
  /** The enabled alert rules checked as messages arrive. */
  readonly rules: RuleCache;
  private broker: EmbeddedBroker | null = null;
  private live: OpenClient | null = null;
  private persistClient: OpenClient | null = null;
  private persister: Persister | null = null;
  private writer: TelemetryWriter | null = null;
  private journal: Journal<JournalRecord> | null = null;
  /** This start's journal run: its records and the cursor its batches move carry it. */
  private readonly journalRun = randomUUID();
  private history: HistoryWriter | null = null;
  private historyAppendFailures = 0;
  private readonly stopTimers: (() => void)[] = [];
  private feed: LiveFeed | null = null;
  /** Whether the live connection is subscribed to telemetry (followTelemetryDemand). */
  private liveTelemetry = false;
  url = '';

  constructor(
    private readonly graph: Graph,
    private readonly pubSub: LivePubSub,
    private readonly settings: TelemetrySettings,
    private readonly log: Log,
  ) {
    this.registry = new AssetRegistry(graph);
    this.rules = new RuleCache(graph);
  }

  stats(): IngestStats {
    const counts = this.persister?.counts ?? {
      received: 0,
      accepted: 0,
      rejected: 0,
      notAcknowledged: 0,
    };
    return {
      connected:
        (this.live?.client.connected ?? false) &&
        (this.persistClient?.client.connected ?? !this.settings.persist),
      ...counts,
      writer: this.writer?.stats() ?? {
        buffered: 0,
        written: 0,
        failedAttempts: 0,
        lastError: null,
        overlapped: 0,
      },
      journal: this.journal?.stats() ?? null,
      history: this.history
        ? { ...this.history.stats(), appendFailures: this.historyAppendFailures }
        : null,
      live: {
        telemetrySubscribed: this.liveTelemetry,
        telemetryMessages: this.feed?.telemetryMessages ?? 0,
      },
    };
  }

  /** Resolves once every broker connection is connected and subscribed. */
  async ready(): Promise<void> {
    await Promise.all([this.live?.ready, this.persistClient?.ready]);
  }

  async start(): Promise<void> {
    try {
      await this.startParts();
    } catch (err) {
      // nothing half-started stays behind (an embedded broker, a connecting client)
      await this.stop(0);
      throw err;
    }
  }

  private async startParts(): Promise<void> {
    const s = this.settings;
    if (s.mqttUrl) this.url = s.mqttUrl;
    else {
      const host = s.embeddedHost;
      this.broker = await startEmbeddedBroker(s.embeddedPort, host);
      this.url = this.broker.url;
      this.log.info(
        `embedded MQTT broker on ${host}:${this.broker.port} (set MQTT_URL to use an external broker)`,
      );
      if (!isLoopback(host)) {
        this.log.warn(
          `the embedded MQTT broker listens on ${host} without authentication: whoever reaches it ` +
            "reads every factory's telemetry and alerts and can publish readings; use an external " +
            'broker with users (MQTT_URL, docs/security.md) where others share the network',
        );
      }
    }
    await this.registry.loadAll();
    await this.rules.load();
    if (s.cacheReloadMs > 0) this.stopTimers.push(this.reloadCacheEvery(s.cacheReloadMs));
    // Everything under the prefix, so that a topic of the wrong shape is seen and rejected
    // (BAD_TOPIC) rather than silently missed; reserved levels (_events, _rejected) are ours.
    const everything = `${s.prefix}/#`;
    const v5 = this.broker === null;

    const ingest = ingestWith(this.registry, s.prefix, s.limits, () => this.rules.rules());
    const feed = new LiveFeed(this.registry, this.rules, ingest, this.pubSub, s.prefix, this.log);
    this.feed = feed;
    const [telemetryFilter, stateFilter] = subscriptionFilters(s.prefix);
    this.live = openClient({
      url: this.url,
      clientId: `twin-graph-live-${s.instanceId}-${process.pid}`,
      clean: true,
      v5,
      // telemetry is added while subscriptions listen (followTelemetryDemand)
      filters: [busFilter(s.prefix), stateFilter],
      // QoS 1: the bus (`_events`: alerts, rule and twin changes) rides on this connection too
      // After a broker restart, a telemetry message that matches any subscription is acknowledged
      // with reason code 0; while only the live one is back, the broker would hand it to live
      // alone and it would never be stored. So live subscribes after persist (at most 5 s later).
      beforeSubscribe: () =>
        this.persistClient ? bounded(this.persistClient.subscribed(), 5000) : Promise.resolve(),
      log: this.log,
    });
    this.live.client.on('message', (topic, payload) => void feed.onMessage(topic, payload));
    this.followTelemetryDemand(this.live, telemetryFilter);

    if (s.persist) {
      // before the spill and journal replays: what they write reaches the history too
      if (s.history) this.history = await this.openHistory(s.history);
      const writer = new TelemetryWriter(
        async (batch, through, sequence) => {
          const cursor =
            this.journal && through
              ? { instance: s.instanceId, run: this.journalRun, through }
              : null;
          const alerts = await writeBatch(this.graph, batch, cursor, sequence);
          s.observer?.batchWritten(batch, Date.now());
          await this.appendHistory(batch.readings);
          return alerts;
        },
        {
          flushMs: s.flushMs,
          maxBatch: s.maxBatch,
          maxBuffered: s.maxBuffered,
          spillDir: s.spillDir,
          // the journal cursor written in each batch keeps overlapping batches in order
          overlap: s.journal !== null,
          log: this.log,
        },
        (alerts) => this.announceAlerts(alerts),
      );
      this.writer = writer;
      await writer.replaySpill();
      const journal = s.journal ? await this.openJournal(s.journal, writer) : null;
      let open: OpenClient | null = null;
      const persister = new Persister(
        ingest,
        writer,
        s.prefix,
        this.log,
        (topic, body) => open?.client.publish(topic, body, { qos: 0 }),
        () => open?.redeliver(),
        journal ? this.durable(journal) : null,
      );
      this.persister = persister;
      open = openClient({
        url: this.url,
        clientId: `twin-graph-persist-${s.instanceId}`,
        clean: false,
        v5,
        filters: [(this.broker ? '' : `$share/${s.sharedGroup}/`) + everything],
        ...(journal
          ? { handleDelivery: persister.handleDelivery }
          : { handleMessage: persister.handleMessage }),
        log: this.log,
      });
      this.persistClient = open;
      this.stopTimers.push(
        startRetention(this.graph, s.retentionMs, s.timelineRetentionMs, this.log),
      );
    }
    this.log.info(
      `telemetry from ${shownUrl(this.url)} (${everything})${s.persist ? '' : ', live only'}`,
    );
  }

  /**
   * Subscribes the live connection to telemetry when a GraphQL subscription starts listening to
   * it, and unsubscribes `liveLingerMs` after the last one ended (unless another came meanwhile).
   */
  private followTelemetryDemand(live: OpenClient, filter: string): void {
    const linger = this.settings.liveLingerMs ?? LIVE_LINGER_MS;
    let leaving: NodeJS.Timeout | null = null;
    const join = () => {
      if (this.liveTelemetry) return;
      this.liveTelemetry = true;
      void live.subscribeTo(filter);
    };
    const leave = () => {
      leaving = null;
      if (this.pubSub.demand.listened(LIVE.TELEMETRY)) return;
      this.liveTelemetry = false;
      void live.unsubscribeFrom(filter);
    };
    this.pubSub.demand.watch(LIVE.TELEMETRY, (listened) => {
      if (leaving) clearTimeout(leaving);
      leaving = null;
      if (listened) join();
      else if (linger === 0) leave();
      else {
        leaving = setTimeout(leave, linger);
        leaving.unref();
      }
    });
    this.stopTimers.push(() => {
      if (leaving) clearTimeout(leaving);
    });
    if (this.pubSub.demand.listened(LIVE.TELEMETRY)) join();
  }

  /** Accepted rows go to the journal with this run and their offsets (src/telemetry/replay.ts). */
  private durable(journal: Journal<JournalRecord>): Durable {
    const run = this.journalRun;
    return {
      append: (rows, added) => journal.append({ run, before: added.before, rows }, added.seq),
    };
  }

  /**
   * Opens this instance's journal and writes what an earlier run left in it (a crash, or Neo4j
   * away at shutdown) before anything is read from the broker: only the rows that its run's
   * cursor in the graph does not show committed. Replayed batches are named after their segment,
   * so a replay cut short by another crash skips what it had written.
   */
  private async openJournal(
    settings: { dir: string; groupCommitMs: number },
    writer: TelemetryWriter,
  ): Promise<Journal<JournalRecord>> {
    const journal = await Journal.open<JournalRecord>({
      dir: join(settings.dir, this.settings.instanceId),
      groupCommitMs: settings.groupCommitMs,
      log: this.log,
    });
    this.journal = journal;
    let rows = 0;
    let skipped = 0;
    // read once, and only when there is something to replay (null: no batch committed yet)
    let cursorRead: Promise<JournalCursor | null> | null = null;
    const records = await journal.replay(async (list, segment) => {
      const cursor = await (cursorRead ??= readJournalCursor(this.graph, this.settings.instanceId));
      let batch = emptyBatch();
      let n = 0;
      const write = async () => {
        if (batchSize(batch) === 0) return;
        rows += batchSize(batch);
        await writer.writeReplayed({
          id: `journal:${this.settings.instanceId}:${segment}:${n++}`,
          ...batch,
        });
        batch = emptyBatch();
      };
      for (const record of list) {
        const left = uncommitted(record, cursor);
        skipped += batchSize(rowsOf(record)) - batchSize(left);
        appendRows(batch, left);
        if (storedRows(batch) >= this.settings.maxBatch) await write();
      }
      await write();
    });
    if (records > 0) {
      this.log.info(
        `wrote ${rows} telemetry rows of ${records} messages left in the journal ` +
          `(${skipped} rows of them were committed before the stop, and skipped)`,
      );
    }
    writer.onCommitted((seq) => journal.committed(seq));
    return journal;
  }

  private async openHistory(settings: { dir: string; rollMs: number }): Promise<HistoryWriter> {
    if (settings.rollMs * 4 > this.settings.retentionMs) {
      // readers take the files over from the graph at half the retention (docs/history.md)
      this.log.warn(
        `HISTORY_ROLL_MS (${settings.rollMs} ms) is over a quarter of TELEMETRY_RETENTION_HOURS: ` +
          'readings may be pruned from the graph before they reach the history files',
      );
    }
    try {
      return await HistoryWriter.open({
        dir: settings.dir,
        instanceId: this.settings.instanceId,
        rollMs: settings.rollMs,
        log: this.log,
      });
    } catch (err) {
      throw new Error(
        `HISTORY_DIR ${settings.dir} cannot be used (set another, or HISTORY_ENABLED=false): ${errorText(err)}`,
      );
    }
  }

  /**
   * Committed readings into the history's spool. A failure does not fail the batch (the graph has
   * the rows, for TELEMETRY_RETENTION_HOURS): it is logged and counted (history.appendFailures).
   */
  private async appendHistory(readings: readonly ReadingRecord[]): Promise<void> {
    if (!this.history || readings.length === 0) return;
    try {
      await this.history.append(historyRows(readings, this.registry, this.settings.prefix));
    } catch (err) {
      this.historyAppendFailures += 1;
      if (this.historyAppendFailures % 100 === 1) {
        this.log.error(
          `history: ${readings.length} readings stored in the graph could not be spooled ` +
            `(${this.historyAppendFailures} batches so far): ${errorText(err)}`,
        );
      }
    }
  }

  /** A safety net under the events: whatever was missed (a tool that wrote directly) heals. */
  private reloadCacheEvery(ms: number): () => void {
    const timer = setInterval(() => {
      Promise.all([this.registry.loadAll(), this.rules.load()])
        .then(() => undefined)
        .catch((err: unknown) =>
          this.log.warn(`reloading the asset cache failed: ${errorText(err)}`),
        );
    }, ms);
    timer.unref();
    return () => clearInterval(timer);
  }

  private publishBus(message: BusMessage): void {
    this.live?.client.publish(busTopic(this.settings.prefix, message.kind), encodeBus(message), {
      qos: 1,
    });
  }

  private announceAlerts(notices: AlertNotice[]): void {
    for (const notice of notices) this.alertChanged(notice);
  }

  /**
   * To every instance's subscribers (the bus), and to other plant systems on
   * `<prefix>/_alerts/{factoryId}/{severity}` (QoS 1, published once, by this instance).
   */
  alertChanged(notice: AlertNotice): void {
    this.settings.observer?.alertRouted(notice.event);
    this.publishBus({ kind: 'alert', body: notice });
    this.live?.client.publish(alertTopic(this.settings.prefix, notice), JSON.stringify(notice), {
      qos: 1,
    });
  }

  alertRulesChanged(): void {
    this.publishBus({ kind: 'rules', body: { at: new Date().toISOString() } });
  }

  twinsChanged(change: TwinChange): void {
    this.publishBus({ kind: 'twins', body: change });
  }

  assetStatusChanged(change: AssetStatusChange): void {
    this.publishBus({ kind: 'asset', body: change });
  }

  twinsImported(): void {
    this.publishBus({ kind: 'import', body: { at: new Date().toISOString() } });
  }

  simulationProgress(progress: SimulationProgressEvent): void {
    this.publishBus({ kind: 'simulation', body: progress });
  }

  /** Writes everything accepted so far (tests and benchmarks wait on it). */
  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  /**
   * Stops reading, writes what was accepted (or spills it), then closes the live connection and
   * the embedded broker. Every step runs whatever the one before did; never throws.
   */
  async stop(timeoutMs: number): Promise<void> {
    for (const stop of this.stopTimers.splice(0)) stop();
    const journal = this.journal;
    await this.step('closing the persist connection', async () => {
      if (!this.persistClient) return;
      if (journal && this.persister) {
        // what was taken is acknowledged once in the journal, then the connection closes
        // cleanly so that those acknowledgements reach the broker; the rest is redelivered
        await bounded(this.persister.drain(), timeoutMs);
        await closeGently(this.persistClient.client);
      } else {
        // forced: a message not yet buffered stays unacknowledged and is redelivered
        await closeClient(this.persistClient.client, true);
      }
    });
    let allWritten = true;
    await this.step('writing buffered telemetry', async () => {
      if (!this.writer) return;
      const result = await this.writer.stop(timeoutMs, { spill: !journal });
      allWritten = result.written;
      if (!result.written && !journal) {
        this.log.warn(
          `telemetry: ${result.spilled} rows spilled for the next start` +
            (result.lost > 0 ? `, ${result.lost} rows lost` : ''),
        );
      }
    });
    await this.step('closing the telemetry journal', async () => {
      // everything written: the journal is empty; otherwise it is replayed at the next start
      await journal?.close(!allWritten);
    });
    await this.step('rolling the telemetry history', async () => {
      // after the writer: what it committed last is in the spool; close never throws
      await this.history?.close();
    });
    await this.step('closing the live connection', async () => {
      if (this.live) await closeLive(this.live.client);
    });
    await this.step('closing the embedded broker', async () => {
      await this.broker?.close();
    });
  }

  private async step(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.log.error(`shutdown: ${what} failed: ${errorText(err)}`);
    }
  }
}

async function bounded(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** The live connection may hold our own QoS 1 events in flight: give them a moment, then go. */
async function closeLive(client: MqttClient): Promise<void> {
  await closeGently(client);
}

/** A clean DISCONNECT (after what was written, acknowledgements included), forced after 2 s. */
async function closeGently(client: MqttClient): Promise<void> {
  await Promise.race([
    closeClient(client),
    new Promise<void>((resolve) => setTimeout(resolve, 2000).unref()),
  ]);
  if (!client.disconnected) await closeClient(client, true);
}
