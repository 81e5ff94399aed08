import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { errorText, logger, setLogLevel } from './log';
import { type Runtime, startRuntime } from './runtime';

const log = logger('twin-graph');

/**
 * The process's one owner of termination signals: SIGINT/SIGTERM run the ordered shutdown
 * (stop accepting, drain HTTP, close WebSockets, flush or spill telemetry, close the broker
 * connections, close the driver) once, whenever they arrive, even during start-up. A second
 * signal while shutting down exits at once.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nThe server did not start; fix the variables above.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  setLogLevel(config.LOG_LEVEL);
  const timeoutMs = config.SHUTDOWN_TIMEOUT_MS;

  const started: { runtime?: Runtime } = {};
  let signalled: string | undefined;
  const shutdown = (signal: string) => {
    if (signalled) {
      log.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    signalled = signal;
    log.info(`${signal}: shutting down`);
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs + 5000);
    force.unref();
    // during start-up, the runtime stops as soon as it exists (see below)
    started.runtime?.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error(`error during shutdown: ${errorText(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const runtime = await startRuntime(config);
  started.runtime = runtime;
  if (signalled) {
    await runtime.stop();
    process.exit(0);
  }
}

main().catch((err: unknown) => {
  log.error(`failed to start: ${errorText(err)}`);
  process.exit(1);
});
