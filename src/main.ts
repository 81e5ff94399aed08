import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { logger, setLogLevel } from './log';
import { startRuntime } from './runtime';

const log = logger('twin-graph');

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
  const runtime = await startRuntime(config);
  const shutdown = (signal: string) => {
    log.info(`${signal}: shutting down`);
    const force = setTimeout(() => {
      log.info('shutdown took too long; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 5000);
    force.unref();
    runtime.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.info(`error during shutdown: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  log.info(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
