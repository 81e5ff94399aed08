import { AlertSweeper } from './alerts/sweeper';
import { Authenticator } from './auth/authenticator';
import { jwtVerifierFor } from './auth/jwt';
import { WebhookDispatcher } from './alerts/webhooks/dispatcher';
import { type Config, graphSettings } from './config';
import { Graph } from './graph/executor';
import { HistoryCompactor } from './history/compactor';
import { closeHistoryReaders } from './history/reader';
import { MigrationError, projectMigrator } from './graph/migrations';
import { errorText, logger, setLogLevel, shownUrl } from './log';
import { type RunningApp, startApp } from './server/app';
import type { ReadinessReport } from './server/health';
import { Metrics } from './server/metrics';
import { createSchema } from './server/schema';
import { createLivePubSub } from './server/pubsub';
import { SimulationJobs } from './simulation/jobs';
import { SimulationPool } from './simulation/pool';
import { warmUpSnapshot } from './simulation/snapshot.load';
import { simulationLimits } from './simulation/simulation.resolver';
import { TelemetryService } from './telemetry/service';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

export interface Runtime {
  app: RunningApp;
  graph: Graph;
  telemetry: TelemetryService;
  /** This instance's simulation jobs. */
  jobs: SimulationJobs;
  /** Evaluates the time-based alert rules (one instance at a time). */
  sweeper: AlertSweeper;
  /** Sends the webhook outbox. */
  webhooks: WebhookDispatcher;
  /**
   * Shut down in order: stop the simulation jobs (marked INTERRUPTED), stop accepting and drain
   * HTTP, close WebSockets, end the simulation workers, end MQTT, close the driver.
   */
  stop(): Promise<void>;
}

/** The composition root: config → driver → migrations → schema → server. */
export async function startRuntime(config: Config): Promise<Runtime> {
  setLogLevel(config.LOG_LEVEL);
  const log = logger('twin-graph');
  // Prometheus metrics at /metrics; METRICS=false: none, and no hooks on any path
  const metrics = config.METRICS ? new Metrics() : undefined;
  const graph = Graph.connect({
    ...graphSettings(config),
    ...(metrics ? { observe: metrics.cypher } : {}),
  });
  try {
    await graph.ping();
    const migrations = projectMigrator(graph, logger('migrate'));
    if (config.MIGRATE_ON_START) {
      const result = await migrations.migrate();
      log.info(
        result.applied.length > 0
          ? `applied migrations: ${result.applied.join(', ')}`
          : `schema up to date (${result.alreadyApplied} migrations)`,
      );
    }
    const pubSub = createLivePubSub();
    const instanceId = config.INSTANCE_ID ?? `${hostname()}-${config.PORT}`;
    const telemetry = new TelemetryService(
      graph,
      pubSub,
      {
        mqttUrl: config.MQTT_URL,
        embeddedPort: config.MQTT_EMBEDDED_PORT,
        embeddedHost: config.MQTT_EMBEDDED_HOST,
        prefix: config.MQTT_TOPIC_PREFIX,
        sharedGroup: config.MQTT_SHARED_GROUP,
        instanceId,
        persist: config.TELEMETRY_PERSIST,
        limits: {
          maxFutureMs: config.TELEMETRY_MAX_FUTURE_MS,
          maxAgeMs: config.TELEMETRY_MAX_AGE_HOURS * 3_600_000,
          maxBytes: config.TELEMETRY_MAX_PAYLOAD_BYTES,
        },
        flushMs: config.TELEMETRY_FLUSH_MS,
        maxBatch: config.TELEMETRY_BATCH_SIZE,
        maxBuffered: config.TELEMETRY_MAX_BUFFERED,
        retentionMs: config.TELEMETRY_RETENTION_HOURS * 3_600_000,
        timelineRetentionMs: config.TIMELINE_RETENTION_DAYS * 86_400_000,
        spillDir: resolve(config.TELEMETRY_SPILL_DIR),
        journal: config.TELEMETRY_JOURNAL
          ? {
              dir: resolve(config.TELEMETRY_JOURNAL_DIR),
              groupCommitMs: config.TELEMETRY_JOURNAL_COMMIT_MS,
            }
          : null,
        cacheReloadMs: config.TELEMETRY_CACHE_RELOAD_S * 1000,
        liveLingerMs: config.LIVE_TELEMETRY_LINGER_MS,
        history: config.HISTORY_ENABLED
          ? { dir: resolve(config.HISTORY_DIR), rollMs: config.HISTORY_ROLL_MS }
          : null,
        ...(metrics ? { observer: metrics.telemetry } : {}),
      },
      logger('telemetry'),
    );
    metrics?.watchTelemetry(() => telemetry.stats());
    // the jobs announce progress through telemetry's bus, so every instance's subscribers hear it
    const pool = new SimulationPool(config.SIM_WORKERS);
    const jobs = new SimulationJobs(
      graph,
      pool,
      telemetry,
      {
        instanceId,
        maxConcurrent: config.SIM_MAX_CONCURRENT_JOBS,
        limits: simulationLimits(config, 'job'),
        timeoutMs: config.SIM_JOB_TIMEOUT_S * 1000,
        timeoutSetting: 'SIM_JOB_TIMEOUT_S',
        settleMs: Math.min(config.SHUTDOWN_TIMEOUT_MS, 5000),
      },
      logger('simulation'),
    );
    const schema = await createSchema(pubSub, { simulation: { pool, jobs } });
    const stopSimulation = async () => {
      await jobs.stop();
      await pool
        .close()
        .catch((err: unknown) => log.error(`closing the simulation workers: ${errorText(err)}`));
    };
    try {
      await telemetry.start();
    } catch (err) {
      await pool.close();
      throw err;
    }
    const readiness = async (): Promise<ReadinessReport> => {
      const checks: ReadinessReport['checks'] = {};
      try {
        await graph.ping();
        checks['neo4j'] = { ok: true };
        const pending = await migrations.pending();
        checks['migrations'] =
          pending.length === 0
            ? { ok: true }
            : { ok: false, detail: `pending: ${pending.map((p) => p.file).join(', ')}` };
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        if (!checks['neo4j']) checks['neo4j'] = { ok: false, detail };
        else checks['migrations'] = { ok: false, detail };
      }
      checks['mqtt'] = telemetry.stats().connected
        ? { ok: true }
        : { ok: false, detail: `not connected to ${shownUrl(telemetry.url)}; reconnecting` };
      return { ready: Object.values(checks).every((c) => c.ok), checks };
    };
    // alerts: the time-based rules and the webhook outbox, each instance taking its share
    const sweeper = new AlertSweeper(graph, telemetry, {
      intervalMs: config.ALERT_SWEEP_S * 1000,
      instanceId,
      retentionMs: config.ALERT_RETENTION_DAYS * 86_400_000,
      log: logger('alerts'),
    });
    const webhooks = new WebhookDispatcher(graph, {
      instanceId,
      pollMs: config.WEBHOOK_POLL_MS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      retryMs: config.WEBHOOK_RETRY_HOURS * 3_600_000,
      maxBackoffMs: config.WEBHOOK_MAX_BACKOFF_S * 1000,
      log: logger('webhooks'),
      ...(metrics ? { onAttempt: metrics.webhookAttempt } : {}),
    });
    // the history's closed days, one file per day and factory (one instance at a time)
    const compactor =
      config.HISTORY_ENABLED && config.TELEMETRY_PERSIST
        ? new HistoryCompactor({
            dir: resolve(config.HISTORY_DIR),
            instanceId,
            graph,
            everyMs: config.HISTORY_COMPACT_MS,
            log: logger('history'),
          })
        : null;
    const stopPeriodic = async () => {
      await sweeper.stop();
      await webhooks.stop();
      await compactor?.stop();
    };
    let app: RunningApp;
    try {
      // before the API listens: what stopped instances left is INTERRUPTED before anyone asks
      await jobs.start();
      const auth = {
        authenticator: new Authenticator(graph, {
          bootstrapKey: config.TWIN_ADMIN_KEY,
          cacheMs: config.AUTH_CACHE_MS,
          log: logger('auth'),
          jwt: jwtVerifierFor(config, logger('auth')),
        }),
        required: config.AUTH_REQUIRED,
        recheckMs: Math.max(100, Math.min(500, config.AUTH_CACHE_MS)),
        log: logger('auth'),
      };
      if (!config.AUTH_REQUIRED) {
        log.warn('AUTH_REQUIRED=false: every request acts as admin; never expose this server');
      }
      app = await startApp({
        config,
        graph,
        schema,
        readiness,
        log,
        events: telemetry,
        metrics,
        auth,
      });
      sweeper.start();
      webhooks.start();
      compactor?.start();
      // in the background: the API answers meanwhile, a failure only costs the first query time
      warmUpSnapshot(graph).catch((err: unknown) =>
        log.debug({ err }, 'snapshot warm-up failed; the first simulation plans it'),
      );
    } catch (err) {
      await stopPeriodic();
      await stopSimulation();
      await telemetry.stop(config.SHUTDOWN_TIMEOUT_MS);
      throw err;
    }
    let stopping: Promise<void> | undefined;
    return {
      app,
      graph,
      telemetry,
      jobs,
      sweeper,
      webhooks,
      stop() {
        // every step runs whatever the one before did: telemetry must flush or spill even
        // when draining HTTP failed, and the driver closes last. Jobs stop first, while the
        // graph and the bus can still record and announce them INTERRUPTED; the workers end
        // once HTTP is drained (a simulate query may still use them)
        stopping ??= (async () => {
          await jobs.stop();
          // never throw; an attempt in flight is recorded and retried after the restart (a
          // compaction cut short leaves a temporary file, or inputs that the next run merges)
          await stopPeriodic();
          await app
            .stop()
            .catch((err: unknown) => log.error(`stopping the API: ${errorText(err)}`));
          await pool
            .close()
            .catch((err: unknown) =>
              log.error(`closing the simulation workers: ${errorText(err)}`),
            );
          await telemetry.stop(config.SHUTDOWN_TIMEOUT_MS);
          // the history files' DuckDB (Metric.history, rollup, export), once no query runs
          await closeHistoryReaders().catch((err: unknown) =>
            log.error(`closing the history readers: ${errorText(err)}`),
          );
          await graph
            .close()
            .catch((err: unknown) => log.error(`closing Neo4j: ${errorText(err)}`));
        })();
        return stopping;
      },
    };
  } catch (err) {
    await graph.close();
    if (err instanceof MigrationError) log.error(`migration refused: ${err.message}`);
    throw err;
  }
}
