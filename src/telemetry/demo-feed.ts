import type { AssetStatus } from '../domain/enums';
import type { StateMessage, TelemetryMessage } from './payload';
import { connect } from 'mqtt';
import { shownUrl } from '../log';
import { stateTopic, telemetryTopic } from './topics';

/*
 * Demo data source: plausible readings for the assets of the graph, published over MQTT in the
 * shape of docs/mqtt.md, so a newcomer sees live telemetry (and the odd alert and breakdown) in
 * the playground within seconds. The pure part (DemoFeedPlan) decides what to send; the
 * MQTT part (startDemoFeed) only spreads it over time and publishes it.
 */

export interface FeedMetric {
  name: string;
  /** Canonical UCUM unit; `Cel` and `bar` metrics are sometimes sent in `[degF]` / `[psi]`. */
  unit: string;
  min: number | null;
  max: number | null;
}

export interface FeedAsset {
  factoryId: string;
  lineId: string;
  assetId: string;
  /** As stored in the graph; only RUNNING and IDLE assets report telemetry. */
  status: string;
  metrics: FeedMetric[];
}

export type FeedReading = TelemetryMessage['metrics'][string];
export interface FeedMessage {
  topic: string;
  payload: TelemetryMessage | StateMessage;
}

/** Share of readings sent slightly outside [min, max], so that alerts appear now and then. */
export const OUT_OF_RANGE_SHARE = 0.005;
/** Share of telemetry messages in which one temperature or pressure goes in a foreign unit. */
export const ALTERNATIVE_UNIT_SHARE = 1 / 20;

const PSI_PER_BAR = 1e5 / 6894.757293168; // 1 [psi] = 6894.757293168 Pa (exact by definition)
const ALTERNATIVES: Readonly<Record<string, { unit: string; convert: (v: number) => number }>> = {
  Cel: { unit: '[degF]', convert: (c) => (c * 9) / 5 + 32 },
  bar: { unit: '[psi]', convert: (b) => b * PSI_PER_BAR },
};

/** The reading in the metric's alternative unit, or undefined when its unit has none here. */
export function toAlternativeUnit(
  value: number,
  unit: string,
): { value: number; unit: string } | undefined {
  const alt = ALTERNATIVES[unit];
  return alt && { value: round(alt.convert(value), 4), unit: alt.unit };
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/**
 * A smooth, mean-reverting random walk inside the middle 80% of [min, max], with a rare spike
 * (OUT_OF_RANGE_SHARE) just beyond the nearer bound. A missing bound is replaced by a guess and
 * never exceeded.
 */
export class MetricWalk {
  private readonly lo: number;
  private readonly hi: number;
  private readonly range: number;
  private readonly decimals: number;
  private value: number;

  constructor(
    private readonly metric: FeedMetric,
    private readonly random: () => number,
  ) {
    const { min, max } = metric;
    const guess = (bound: number) => Math.max(Math.abs(bound), 100);
    const low = min ?? (max === null ? 0 : max - guess(max));
    const high = max ?? low + guess(low);
    this.range = Math.max(0, high - low);
    this.lo = low + 0.1 * this.range;
    this.hi = high - 0.1 * this.range;
    this.decimals =
      this.range > 0 ? Math.min(6, Math.max(0, 3 - Math.floor(Math.log10(this.range)))) : 3;
    this.value = this.lo + (this.hi - this.lo) * (0.3 + 0.4 * random());
  }

  next(): number {
    const width = this.hi - this.lo;
    const mid = (this.lo + this.hi) / 2;
    let v = this.value + 0.05 * (mid - this.value) + (this.random() - 0.5) * 0.08 * width;
    if (v < this.lo) v = Math.min(this.hi, 2 * this.lo - v);
    if (v > this.hi) v = Math.max(this.lo, 2 * this.hi - v);
    this.value = v;
    if (this.range > 0 && this.random() < OUT_OF_RANGE_SHARE)
      return round(this.spike(), this.decimals);
    return round(v, this.decimals);
  }

  private spike(): number {
    const { min, max } = this.metric;
    const beyond = this.range * (0.02 + 0.08 * this.random());
    const upward = max !== null && (min === null || this.value > (this.lo + this.hi) / 2);
    if (upward) return max + beyond;
    if (min !== null) return min - beyond;
    return this.value;
  }
}

const REASONS: Readonly<Record<Exclude<AssetStatus, 'RUNNING'>, readonly string[]>> = {
  DOWN: ['hydraulic leak', 'motor overload trip', 'sensor fault', 'jammed part', 'emergency stop'],
  IDLE: ['waiting for material', 'no operator', 'starved by upstream station'],
  MAINTENANCE: ['planned maintenance', 'tool change', 'lubrication round'],
};
const BACK: Readonly<Record<Exclude<AssetStatus, 'RUNNING'>, string>> = {
  DOWN: 'repaired',
  IDLE: 'material available again',
  MAINTENANCE: 'maintenance complete',
};

export interface FeedPlanOptions {
  prefix?: string;
  assets: readonly FeedAsset[];
  /** Every this many intervals one RUNNING asset changes state, and returns to RUNNING after
   * half as many; 0 never changes state. Default 12 (a minute at the default 5 s interval). */
  stateChangeEvery?: number;
  /** Uniform in [0, 1); pass a seeded one for a reproducible sequence. Default Math.random. */
  random?: () => number;
}

/** What to send, interval by interval; no timers and no I/O, so tests drive it directly. */
export class DemoFeedPlan {
  private readonly random: () => number;
  private readonly every: number;
  private readonly assets: {
    asset: FeedAsset;
    walks: MetricWalk[];
    status: AssetStatus;
    topics: { telemetry: string; state: string };
  }[];
  private readonly away = new Map<
    number,
    { until: number; status: Exclude<AssetStatus, 'RUNNING'> }
  >();
  private rounds = 0;

  constructor(options: FeedPlanOptions) {
    this.random = options.random ?? Math.random;
    this.every = Math.max(0, Math.floor(options.stateChangeEvery ?? 12));
    const prefix = options.prefix ?? 'twin';
    // Built once, so an id that cannot be a topic level fails here, at the start.
    this.assets = options.assets.map((asset) => {
      const { factoryId: f, lineId: l, assetId: a } = asset;
      return {
        asset,
        walks: asset.metrics.map((m) => new MetricWalk(m, this.random)),
        status: isStatus(asset.status) ? asset.status : 'RUNNING',
        topics: { telemetry: telemetryTopic(prefix, f, l, a), state: stateTopic(prefix, f, l, a) },
      };
    });
  }

  /** Starts the next interval: the state messages due now, and which assets report in it. */
  beginRound(now: Date): { state: FeedMessage[]; reporting: number[] } {
    this.rounds++;
    const state: FeedMessage[] = [];
    for (const [index, away] of this.away) {
      if (away.until > this.rounds) continue;
      this.away.delete(index);
      state.push(this.setStatus(index, 'RUNNING', BACK[away.status], now));
    }
    if (this.every > 0 && this.rounds % this.every === 0) {
      const running = this.assets.flatMap((a, i) =>
        a.status === 'RUNNING' && !this.away.has(i) ? [i] : [],
      );
      if (running.length > 0) {
        const index = this.pick(running);
        const roll = this.random();
        const status = roll < 0.4 ? 'DOWN' : roll < 0.7 ? 'IDLE' : 'MAINTENANCE';
        this.away.set(index, {
          until: this.rounds + Math.max(1, Math.ceil(this.every / 2)),
          status,
        });
        state.push(this.setStatus(index, status, this.pick(REASONS[status]), now));
      }
    }
    const reporting = this.assets.flatMap((a, i) =>
      a.status === 'RUNNING' || a.status === 'IDLE' ? [i] : [],
    );
    return { state, reporting };
  }

  /** One telemetry message of the asset at `index`: every metric advances one step. */
  telemetry(index: number, now: Date): FeedMessage {
    const sim = this.assets[index];
    if (!sim) throw new RangeError(`no asset at index ${index}`);
    const metrics: Record<string, FeedReading> = {};
    sim.walks.forEach((walk, i) => {
      const metric = sim.asset.metrics[i];
      if (metric) metrics[metric.name] = walk.next();
    });
    const convertible = sim.asset.metrics.filter((m) => ALTERNATIVES[m.unit] !== undefined);
    if (convertible.length > 0 && this.random() < ALTERNATIVE_UNIT_SHARE) {
      const metric = this.pick(convertible);
      const value = metrics[metric.name];
      const alt = typeof value === 'number' ? toAlternativeUnit(value, metric.unit) : undefined;
      if (alt) metrics[metric.name] = alt;
    }
    return { topic: sim.topics.telemetry, payload: { ts: now.toISOString(), metrics } };
  }

  private setStatus(index: number, status: AssetStatus, reason: string, now: Date): FeedMessage {
    const sim = this.assets[index];
    if (!sim) throw new RangeError(`no asset at index ${index}`);
    sim.status = status;
    return { topic: sim.topics.state, payload: { ts: now.toISOString(), status, reason } };
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.min(items.length - 1, Math.floor(this.random() * items.length))] as T;
  }
}

function isStatus(s: string): s is AssetStatus {
  return s === 'RUNNING' || s === 'IDLE' || s === 'DOWN' || s === 'MAINTENANCE';
}

export interface DemoFeedOptions extends FeedPlanOptions {
  mqttUrl: string;
  /** Time between two messages of one asset; the assets' messages are spread over it. */
  intervalMs?: number;
  log?: (message: string) => void;
}

export interface DemoFeed {
  /** Resolves once the broker first accepted the connection (or the demo feed was stopped). */
  ready: Promise<void>;
  /** Messages the broker acknowledged (QoS 1). */
  published(): number;
  /** Telemetry messages not sent because the broker was unreachable at the time. */
  skipped(): number;
  /** Stops publishing, waits (up to 2 s) for the acknowledgements of sent messages, disconnects. */
  stop(): Promise<void>;
}

/**
 * Connects to the broker (retrying every second until it answers) and publishes one telemetry
 * message per reporting asset per interval. Telemetry due while the broker is away is skipped,
 * as a gateway without a buffer would; state messages are queued and sent on reconnect.
 */
export function startDemoFeed(options: DemoFeedOptions): DemoFeed {
  const intervalMs = options.intervalMs ?? 5000;
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
  const log = options.log ?? (() => {});
  const sim = new DemoFeedPlan({
    ...options,
    stateChangeEvery: options.stateChangeEvery ?? Math.max(1, Math.round(60_000 / intervalMs)),
  });
  const client = connect(options.mqttUrl, {
    clientId: `twin-sim-${process.pid}-${Date.now().toString(36)}`,
    reconnectPeriod: 1000,
    connectTimeout: 5000,
  });
  let published = 0;
  let skipped = 0;
  let pending = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: { start: number; reporting: number[]; next: number; step: number } | undefined;
  let lastError = '';
  let wasConnected = false;
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const publish = (message: FeedMessage, evenIfOffline: boolean) => {
    if (!evenIfOffline && !client.connected) {
      skipped++;
      return;
    }
    pending++;
    client.publish(message.topic, JSON.stringify(message.payload), { qos: 1 }, (err) => {
      pending--;
      if (!err) published++;
    });
  };

  const tick = () => {
    timer = undefined;
    if (stopped) return;
    const now = Date.now();
    if (!round || (round.next >= round.reporting.length && now >= round.start + intervalMs)) {
      // Keep the cadence unless we fell a whole interval behind (a paused laptop).
      const due = round ? round.start + intervalMs : now;
      const plan = sim.beginRound(new Date(now));
      for (const message of plan.state) publish(message, true);
      const n = plan.reporting.length;
      round = {
        start: now - due < intervalMs ? due : now,
        reporting: plan.reporting,
        next: 0,
        step: intervalMs / Math.max(1, n),
      };
    }
    while (round.next < round.reporting.length && now >= round.start + round.next * round.step) {
      publish(sim.telemetry(round.reporting[round.next] ?? 0, new Date(now)), false);
      round.next++;
    }
    const at =
      round.next < round.reporting.length
        ? round.start + round.next * round.step
        : round.start + intervalMs;
    timer = setTimeout(tick, Math.max(0, at - Date.now()));
  };

  client.on('connect', () => {
    log(`connected to ${shownUrl(options.mqttUrl)}`);
    lastError = '';
    wasConnected = true;
    markReady();
    if (!round && !timer && !stopped) tick();
  });
  client.on('error', (err) => {
    if (err.message === lastError) return;
    lastError = err.message;
    log(`MQTT broker ${shownUrl(options.mqttUrl)}: ${err.message}; retrying every second`);
  });
  client.on('offline', () => {
    if (wasConnected && !stopped)
      log(`lost the connection to ${shownUrl(options.mqttUrl)}; reconnecting`);
  });

  let stopping: Promise<void> | undefined;
  return {
    ready,
    published: () => published,
    skipped: () => skipped,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        markReady();
        const deadline = Date.now() + 2000;
        while (pending > 0 && client.connected && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await client.endAsync(!client.connected || pending > 0);
      })();
      return stopping;
    },
  };
}
