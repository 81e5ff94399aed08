import type { ApolloServerPlugin } from '@apollo/server';
import {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  Router,
} from 'express';
import { type DocumentNode, getOperationAST } from 'graphql';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Context } from '../domain/context';
import type { TelemetryObserver, WrittenBatch } from '../domain/observers';
import type { StatementMode, StatementObserver } from '../graph/executor';
import { REJECTION_REASONS } from '../telemetry/reasons';
import type { IngestStats } from '../telemetry/service';
import type { CohortStats } from './cohorts';
import type { JitStats } from './jit';
import type { AttemptRecord } from '../alerts/webhooks/dispatcher';
import { ALERT_STATES } from '../domain/alerts';

/**
 * The Prometheus metrics of one API process (docs/operations.md lists them). Only this module
 * imports prom-client: the composition root (`runtime.ts`) creates one `Metrics` and hands its
 * small hooks to the rooms (a `StatementObserver` to graph/, a `TelemetryObserver` to telemetry/,
 * a callback to the webhook dispatcher), so no capability knows how it is measured.
 *
 * Every label has a bounded set of values: operation names are capped (`OPERATION_NAMES`, then
 * "other"), error codes likewise, rejection reasons and the rest are closed lists. Nothing on the
 * ingest path creates a labelled series per reading: the children are created once, and the
 * message counts are read from `TelemetryService.stats()` when Prometheus scrapes.
 */

/** Prefix of every metric, Node's default metrics included. */
export const PREFIX = 'twin_graph_';
/** Distinct GraphQL operation names kept as label values; later names count as "other". */
export const OPERATION_NAMES = 200;
/** Distinct `extensions.code` values kept as label values; later codes count as "OTHER". */
export const ERROR_CODES = 50;

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const CYPHER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
const STATEMENTS_BUCKETS = [0, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000];
const LAG_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 86400];

const ATTEMPT_RECORDS: readonly AttemptRecord[] = [
  'delivered',
  'retry',
  'failed',
  'unrecorded',
  'superseded',
];

type OperationType = 'query' | 'mutation' | 'subscription' | 'unknown';
export type RateLimitedTransport = 'http' | 'ws';

/**
 * Label values taken from what clients send, bounded: a value matching `pattern` is kept until
 * `max` distinct values were seen, later ones (and ones that do not match) become `overflow`.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly pattern: RegExp,
    private readonly overflow: string,
  ) {}

  /** `admit: false` maps a value not seen yet to the overflow instead of taking a place. */
  of(value: string, admit = true): string {
    if (this.seen.has(value)) return value;
    if (!admit || this.seen.size >= this.max || !this.pattern.test(value)) return this.overflow;
    this.seen.add(value);
    return value;
  }
}

let processRegistry: Registry | undefined;

/** Node's default metrics (CPU, memory, event loop lag, GC), collected once per process. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: PREFIX });
  }
  return processRegistry;
}

/** The metrics of one runtime, and the hooks that feed them. */
export class Metrics {
  /** This runtime's metrics (Node's default metrics are in a registry of the process). */
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  /** Names of GraphQL operations (HTTP requests and subscriptions share the cap). */
  readonly operationNames = new BoundedLabel(
    OPERATION_NAMES,
    /^[_A-Za-z][_0-9A-Za-z]{0,99}$/,
    'other',
  );
  /** `extensions.code` values of GraphQL errors. */
  readonly errorCodes = new BoundedLabel(ERROR_CODES, /^[A-Z][A-Z0-9_]{0,63}$/, 'OTHER');

  readonly httpResponses: Counter<'path' | 'status'>;
  readonly requests: Counter<'type' | 'operation'>;
  readonly errors: Counter<'code'>;
  readonly duration: Histogram<'type' | 'operation'>;
  readonly requestStatements: Histogram<'type'>;
  readonly statements: Counter<'mode'>;
  readonly statementErrors: Counter<'mode'>;
  readonly statementDuration: Histogram<'mode'>;
  readonly subscriptionsOpen: Gauge<'operation'>;
  /**
   * Requests refused by the rate limiter. Increment with `metrics.rateLimited('http')` (or
   * `'ws'` for a graphql-ws operation), once per refused request.
   */
  readonly rateLimitedTotal: Counter<'transport'>;
  readonly readingsWritten: Counter;
  readonly batchesWritten: Counter;
  readonly rejections: Counter<'reason'>;
  readonly ingestLag: Histogram;
  readonly lastBatchLag: Gauge<'reading'>;
  readonly alertSteps: Counter<'event'>;
  readonly webhookAttempts: Counter<'outcome'>;

  private telemetryStats: (() => IngestStats) | undefined;
  private cohortStats: (() => CohortStats) | undefined;
  private jitStats: (() => JitStats) | undefined;
  private readonly rejectionsByReason = new Map<string, Counter.Internal>();
  private readonly statementChildren: Record<
    StatementMode,
    { count: Counter.Internal; errors: Counter.Internal; duration: Histogram.Internal<'mode'> }
  >;

  constructor() {
    const registers = [this.registry];
    this.httpResponses = new Counter({
      name: `${PREFIX}http_responses_total`,
      help: 'HTTP responses by path (/graphql, /metrics, /healthz, /readyz, other) and status code.',
      labelNames: ['path', 'status'],
      registers,
    });
    this.requests = new Counter({
      name: `${PREFIX}graphql_requests_total`,
      help: 'GraphQL operations over HTTP by operation type and name (anonymous, other past the cap).',
      labelNames: ['type', 'operation'],
      registers,
    });
    this.errors = new Counter({
      name: `${PREFIX}graphql_errors_total`,
      help: 'GraphQL operations over HTTP that answered with at least one error of this extensions.code.',
      labelNames: ['code'],
      registers,
    });
    this.duration = new Histogram({
      name: `${PREFIX}graphql_request_duration_seconds`,
      help: 'Time from receiving a GraphQL operation over HTTP to sending its response.',
      labelNames: ['type', 'operation'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.requestStatements = new Histogram({
      name: `${PREFIX}graphql_request_cypher_statements`,
      help: 'Cypher statements (round trips to Neo4j) one GraphQL operation over HTTP sent.',
      labelNames: ['type'],
      buckets: STATEMENTS_BUCKETS,
      registers,
    });
    this.statements = new Counter({
      name: `${PREFIX}cypher_statements_total`,
      help: 'Cypher statements sent to Neo4j by transaction mode (read, write, auto).',
      labelNames: ['mode'],
      registers,
    });
    this.statementErrors = new Counter({
      name: `${PREFIX}cypher_statement_errors_total`,
      help: 'Cypher statements that failed, by transaction mode.',
      labelNames: ['mode'],
      registers,
    });
    this.statementDuration = new Histogram({
      name: `${PREFIX}cypher_statement_duration_seconds`,
      help: 'Time of one Cypher statement, from sending it to having its rows, by transaction mode.',
      labelNames: ['mode'],
      buckets: CYPHER_BUCKETS,
      registers,
    });
    const child = (mode: StatementMode) => {
      const children = {
        count: this.statements.labels(mode),
        errors: this.statementErrors.labels(mode),
        duration: this.statementDuration.labels(mode),
      };
      children.count.inc(0);
      children.errors.inc(0);
      return children;
    };
    this.statementChildren = { read: child('read'), write: child('write'), auto: child('auto') };
    this.subscriptionsOpen = new Gauge({
      name: `${PREFIX}subscriptions_open`,
      help: 'GraphQL subscriptions open over graphql-ws, by operation name.',
      labelNames: ['operation'],
      registers,
    });
    this.rateLimitedTotal = new Counter({
      name: `${PREFIX}rate_limited_total`,
      help: 'Requests refused by the rate limiter, by transport (http, ws).',
      labelNames: ['transport'],
      registers,
    });
    // series of closed label sets exist from the start at 0, so rate() and increase() see them
    for (const transport of ['http', 'ws']) this.rateLimitedTotal.inc({ transport }, 0);

    this.telemetryCounters(registers);
    this.cohortMetrics(registers);
    this.jitMetrics(registers);
    this.readingsWritten = new Counter({
      name: `${PREFIX}telemetry_readings_written_total`,
      help: 'Readings committed to Neo4j.',
      registers,
    });
    this.batchesWritten = new Counter({
      name: `${PREFIX}telemetry_batches_written_total`,
      help: 'Telemetry write transactions committed.',
      registers,
    });
    this.rejections = new Counter({
      name: `${PREFIX}telemetry_rejections_total`,
      help: 'Rejections stored, by reason (a message may carry several: one per refused metric).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of REJECTION_REASONS) {
      const counter = this.rejections.labels(reason);
      counter.inc(0);
      this.rejectionsByReason.set(reason, counter);
    }
    this.ingestLag = new Histogram({
      name: `${PREFIX}telemetry_ingest_lag_seconds`,
      help: "Per telemetry batch committed: commit time minus the timestamp of the batch's oldest reading.",
      buckets: LAG_BUCKETS,
      registers,
    });
    this.lastBatchLag = new Gauge({
      name: `${PREFIX}telemetry_last_batch_lag_seconds`,
      help: 'Of the last telemetry batch with readings: commit time minus its oldest and newest reading timestamps.',
      labelNames: ['reading'],
      registers,
    });
    this.alertSteps = new Counter({
      name: `${PREFIX}alert_steps_routed_total`,
      help: 'Alert lifecycle steps routed to subscribers and MQTT by this instance, by event.',
      labelNames: ['event'],
      registers,
    });
    for (const event of ALERT_STATES) this.alertSteps.inc({ event }, 0);
    this.webhookAttempts = new Counter({
      name: `${PREFIX}webhook_attempts_total`,
      help: 'Webhook delivery attempts by outcome (delivered, retry, failed, unrecorded, superseded).',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ATTEMPT_RECORDS) this.webhookAttempts.inc({ outcome }, 0);
  }

  /** Shared subscription execution (cohorts.ts), read when Prometheus scrapes. */
  watchCohorts(stats: () => CohortStats): void {
    this.cohortStats = stats;
  }

  /** The compiled execution's totals (jit.ts), read when Prometheus scrapes. */
  watchJit(stats: () => JitStats): void {
    this.jitStats = stats;
  }

  private jitMetrics(registers: Registry[]): void {
    const stats = () => this.jitStats?.();
    collectedCounter(
      registers,
      'graphql_jit_compiled_total',
      'GraphQL documents compiled (graphql-jit), each on its second run.',
      stats,
      (s) => s.compiled,
    );
    collectedCounter(
      registers,
      'graphql_jit_executions_total',
      'Queries and mutations run as compiled code (the others ran on graphql-js).',
      stats,
      (s) => s.executions,
    );
  }

  private cohortMetrics(registers: Registry[]): void {
    const stats = () => this.cohortStats?.();
    const counter = (name: string, help: string, value: (s: CohortStats) => number) =>
      collectedCounter(registers, name, help, stats, value);
    const gauge = (name: string, help: string, value: (s: CohortStats) => number) =>
      collectedGauge(registers, name, help, stats, value, 0);
    gauge(
      'subscription_cohorts',
      'Cohorts of graphql-ws subscriptions: subscribers of one document, variables and access, executed once per event.',
      (s) => s.cohorts,
    );
    gauge('subscription_cohort_members', 'Subscribers in the cohorts.', (s) => s.members);
    counter(
      'subscription_executions_total',
      'Executions of a subscription selection set (one per cohort and event).',
      (s) => s.executions,
    );
    counter(
      'subscription_deliveries_total',
      'Subscription results handed to subscribers (executions x members).',
      (s) => s.deliveries,
    );
    counter(
      'subscription_missed_total',
      'Events subscribers did not get, each told in extensions.missed: dropped from the queue of one that did not read, or from the backlog of a cohort behind its source (SUBSCRIPTION_QUEUE), counted per subscriber.',
      (s) => s.missed,
    );
  }

  /** The message and writer counts of telemetry, read from its stats when Prometheus scrapes. */
  private telemetryCounters(registers: Registry[]): void {
    const stats = () => this.telemetryStats?.();
    const fromStats = (name: string, help: string, value: (s: IngestStats) => number) =>
      collectedCounter(registers, name, help, stats, value);
    fromStats(
      'telemetry_messages_received_total',
      'MQTT messages this instance took from its shared subscription and buffered.',
      (s) => s.received,
    );
    fromStats(
      'telemetry_messages_accepted_total',
      'MQTT messages with at least one accepted reading, or an accepted state change.',
      (s) => s.accepted,
    );
    fromStats(
      'telemetry_messages_rejected_total',
      'MQTT messages rejected whole (nothing in them accepted).',
      (s) => s.rejected,
    );
    fromStats(
      'telemetry_messages_unacknowledged_total',
      'MQTT messages left unacknowledged because they could not be buffered (redelivered).',
      (s) => s.notAcknowledged,
    );
    fromStats(
      'telemetry_rows_written_total',
      'Rows committed by the telemetry writer (readings, state changes, rejections).',
      (s) => s.writer.written,
    );
    fromStats(
      'telemetry_write_failures_total',
      'Failed telemetry write attempts (each is retried; the rows stay buffered).',
      (s) => s.writer.failedAttempts,
    );
    fromStats(
      'telemetry_batches_overlapped_total',
      'Telemetry batches started while the one ahead was still being written (under a backlog; they still commit in order).',
      (s) => s.writer.overlapped,
    );
    fromStats(
      'telemetry_journal_records_total',
      "Messages' rows appended and fsync'd to the write-ahead journal before their acknowledgement (0 when it is off).",
      (s) => s.journal?.records ?? 0,
    );
    fromStats(
      'telemetry_journal_commits_total',
      'Write-and-fsync rounds of the journal (records / commits = records per fsync).',
      (s) => s.journal?.commits ?? 0,
    );
    fromStats(
      'telemetry_live_messages_total',
      'Telemetry messages taken on the live connection (for GraphQL subscriptions; 0 while none listens).',
      (s) => s.live.telemetryMessages,
    );
    const gauge = (name: string, help: string, value: (s: IngestStats) => number) =>
      collectedGauge(registers, name, help, stats, value);
    gauge(
      'telemetry_live_subscribed',
      "1 while the live connection takes every asset's telemetry: a GraphQL subscription listens to telemetry, or did within LIVE_TELEMETRY_LINGER_MS.",
      (s) => (s.live.telemetrySubscribed ? 1 : 0),
    );
    gauge(
      'telemetry_buffered_rows',
      'Rows accepted and waiting to be written (readings, state changes, rejections, alert observations).',
      (s) => s.writer.buffered,
    );
    gauge(
      'telemetry_broker_connected',
      '1 when both MQTT connections (live and persist) are up.',
      (s) => (s.connected ? 1 : 0),
    );
    gauge(
      'telemetry_journal_segments',
      'Segment files of the write-ahead journal on disk (deleted as the writer commits their rows).',
      (s) => s.journal?.segments ?? 0,
    );
    // the long-term history (docs/history.md): a roll failing for long means readings may leave
    // the graph (TELEMETRY_RETENTION_HOURS) before they reach the files
    fromStats(
      'history_files_written_total',
      'Parquet files of the telemetry history this instance put in place.',
      (s) => s.history?.files ?? 0,
    );
    fromStats(
      'history_roll_failures_total',
      'Failed rolls of the history spool into Parquet files (each is retried; the spool is kept).',
      (s) => s.history?.failedRolls ?? 0,
    );
    fromStats(
      'history_append_failures_total',
      'Batches stored in the graph whose readings could not be appended to the history spool.',
      (s) => s.history?.appendFailures ?? 0,
    );
    gauge(
      'history_spooled_rows',
      'Readings in the history spool, not yet rolled into Parquet files.',
      (s) => s.history?.spooledRows ?? 0,
    );
    gauge(
      'history_last_roll_timestamp_seconds',
      'When the history spool was last rolled into Parquet files (0: not yet); alert when it is older than a few HISTORY_ROLL_MS.',
      (s) => (s.history?.lastRollAt ? Date.parse(s.history.lastRollAt) / 1000 : 0),
    );
  }

  /** Telemetry's counts are read from `stats` at each scrape. */
  watchTelemetry(stats: () => IngestStats): void {
    this.telemetryStats = stats;
  }

  /** For graph/'s `GraphSettings.observe`: one call per Cypher statement. */
  readonly cypher: StatementObserver = (mode, ms, failed) => {
    const c = this.statementChildren[mode];
    c.count.inc();
    if (failed) c.errors.inc();
    c.duration.observe(ms / 1000);
  };

  /** For telemetry/'s settings: one call per committed batch and per routed alert step. */
  readonly telemetry: TelemetryObserver = {
    batchWritten: (batch, at) => this.batchWritten(batch, at),
    alertRouted: (event) => this.alertSteps.inc({ event }),
  };

  /** One webhook attempt (the dispatcher's `onAttempt`). */
  readonly webhookAttempt = (outcome: AttemptRecord): void => {
    this.webhookAttempts.inc({ outcome });
  };

  /** One request refused by the rate limiter. */
  rateLimited(transport: RateLimitedTransport): void {
    this.rateLimitedTotal.inc({ transport });
  }

  private batchWritten(batch: WrittenBatch, at: number): void {
    this.batchesWritten.inc();
    for (const r of batch.rejections) {
      (this.rejectionsByReason.get(r.reason) ?? this.rejections.labels('OTHER')).inc();
    }
    const readings = batch.readings;
    if (readings.length === 0) return;
    this.readingsWritten.inc(readings.length);
    // timestamps are UTC ISO-8601 with milliseconds: their order as strings is their time order,
    // so a batch costs one string comparison per reading and two parses
    let oldest = readings[0]!.ts;
    let newest = oldest;
    for (const r of readings) {
      if (r.ts < oldest) oldest = r.ts;
      else if (r.ts > newest) newest = r.ts;
    }
    const lagOf = (ts: string) => Math.max(0, (at - Date.parse(ts)) / 1000);
    const worst = lagOf(oldest);
    if (!Number.isFinite(worst)) return;
    this.ingestLag.observe(worst);
    this.lastBatchLag.set({ reading: 'oldest' }, worst);
    this.lastBatchLag.set({ reading: 'newest' }, lagOf(newest));
  }

  /** The exposition text: Node's default metrics, then this runtime's. */
  async text(): Promise<string> {
    const [node, own] = await Promise.all([processMetrics().metrics(), this.registry.metrics()]);
    return `${node.endsWith('\n') ? node : `${node}\n`}${own}`;
  }

  /** graphql-ws hooks: open subscriptions by operation name. */
  readonly subscriptions = new SubscriptionGauge(this);
}

/** Open graphql-ws subscriptions, per socket and operation id, so that each is counted down once. */
export class SubscriptionGauge {
  private readonly open = new WeakMap<object, Map<string, string>>();

  constructor(private readonly metrics: Metrics) {}

  /** graphql-ws `onOperation`: a subscription is open once its source stream exists. */
  opened(
    ctx: object,
    id: string,
    args: { document: DocumentNode; operationName?: string | null | undefined },
    result: unknown,
  ): void {
    if (typeof result !== 'object' || result === null || !(Symbol.asyncIterator in result)) return;
    const name = getOperationAST(args.document, args.operationName)?.name?.value;
    const operation = name ? this.metrics.operationNames.of(name) : 'anonymous';
    let ops = this.open.get(ctx);
    if (!ops) this.open.set(ctx, (ops = new Map()));
    ops.set(id, operation);
    this.metrics.subscriptionsOpen.inc({ operation });
  }

  /** graphql-ws `onComplete`: the client completed it, the stream ended, or the socket closed. */
  completed(ctx: object, id: string): void {
    const ops = this.open.get(ctx);
    const operation = ops?.get(id);
    if (operation === undefined) return;
    ops!.delete(id);
    this.metrics.subscriptionsOpen.dec({ operation });
  }

  /** graphql-ws `onClose`: whatever the socket still had open. */
  closed(ctx: object): void {
    const ops = this.open.get(ctx);
    if (!ops) return;
    for (const operation of ops.values()) this.metrics.subscriptionsOpen.dec({ operation });
    this.open.delete(ctx);
  }
}

/**
 * Apollo plugin: GraphQL operations over HTTP by type and name, errors by code, latency, and the
 * Cypher statements each sent (the request scope's `graph.queries`).
 */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      const started = performance.now();
      let type: OperationType = 'unknown';
      let operation: string | undefined;
      return {
        async didResolveOperation({ operation: op, operationName }) {
          if (op) type = op.operation;
          // a validated operation's name takes a place under the cap
          operation = operationName ? metrics.operationNames.of(operationName) : 'anonymous';
        },
        async didEncounterErrors({ errors }) {
          const codes = new Set<string>();
          for (const e of errors) {
            const code = e.extensions['code'];
            codes.add(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
          }
          for (const code of codes) metrics.errors.inc({ code: metrics.errorCodes.of(code) });
        },
        async willSendResponse({ contextValue }) {
          // a request refused before its operation was resolved (parse or validation errors) keeps
          // a name only when it was seen before: refused requests must not fill the cap
          const name =
            operation ??
            (request.operationName
              ? metrics.operationNames.of(request.operationName, false)
              : 'anonymous');
          const labels = { type, operation: name };
          metrics.requests.inc(labels);
          metrics.duration.observe(labels, (performance.now() - started) / 1000);
          // the context is missing when the request failed before it was built
          const queries = (contextValue as Partial<Context> | undefined)?.graph?.queries;
          if (queries !== undefined) metrics.requestStatements.observe({ type }, queries);
        },
      };
    },
  };
}

const PATHS = new Set(['/graphql', '/metrics', '/healthz', '/readyz']);

/**
 * Counts every HTTP response by path and status (malformed bodies never reach Apollo) and serves
 * `GET /metrics` in the Prometheus text format to whom `guard` lets through (metrics-auth.ts).
 * Mounted before every other route.
 */
export function metricsRoutes(metrics: Metrics, guard: RequestHandler): Router {
  const router = Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    const path = PATHS.has(req.path) ? req.path : 'other';
    res.once('finish', () => metrics.httpResponses.inc({ path, status: String(res.statusCode) }));
    next();
  });
  router.get('/metrics', guard, async (_req, res, next) => {
    try {
      const text = await metrics.text();
      res.setHeader('content-type', metrics.contentType);
      res.setHeader('cache-control', 'no-store');
      res.send(text);
    } catch (err) {
      next(err);
    }
  });
  return router;
}

/** A counter read from a capability's running totals when Prometheus scrapes (none: 0). */
function collectedCounter<S>(
  registers: Registry[],
  name: string,
  help: string,
  stats: () => S | undefined,
  value: (s: S) => number,
): Counter {
  return new Counter({
    name: `${PREFIX}${name}`,
    help,
    registers,
    collect() {
      const s = stats();
      this.reset();
      if (s) this.inc(value(s));
    },
  });
}

/** A gauge read when Prometheus scrapes; without stats it shows `absent`, or keeps its value. */
function collectedGauge<S>(
  registers: Registry[],
  name: string,
  help: string,
  stats: () => S | undefined,
  value: (s: S) => number,
  absent?: number,
): Gauge {
  return new Gauge({
    name: `${PREFIX}${name}`,
    help,
    registers,
    collect() {
      const s = stats();
      if (s) this.set(value(s));
      else if (absent !== undefined) this.set(absent);
    },
  });
}
