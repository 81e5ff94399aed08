import type { Config } from './config';
import { Graph } from './graph/executor';
import { MigrationError, Migrator } from './graph/migrations';
import { logger } from './log';
import { projectRoot } from './paths';
import { type RunningApp, startApp } from './server/app';
import type { ReadinessReport } from './server/health';
import { createSchema } from './server/schema';
import { join } from 'node:path';

export interface Runtime {
  app: RunningApp;
  graph: Graph;
  /** Shut down in order: stop accepting and drain HTTP, close WebSockets, end MQTT, close the driver. */
  stop(): Promise<void>;
}

export function migrator(graph: Graph, log = logger('migrate')): Migrator {
  return new Migrator(graph, { dir: join(projectRoot(), 'migrations'), log });
}

/** The composition root: config → driver → migrations → schema → server. */
export async function startRuntime(config: Config): Promise<Runtime> {
  const log = logger('twin-graph');
  const graph = Graph.connect({
    uri: config.NEO4J_URI,
    user: config.NEO4J_USER,
    password: config.NEO4J_PASSWORD,
    database: config.NEO4J_DATABASE,
  });
  try {
    await graph.ping();
    const migrations = migrator(graph);
    if (config.MIGRATE_ON_START) {
      const result = await migrations.migrate();
      log(
        result.applied.length > 0
          ? `applied migrations: ${result.applied.join(', ')}`
          : `schema up to date (${result.alreadyApplied} migrations)`,
      );
    }
    const schema = await createSchema();
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
      return { ready: Object.values(checks).every((c) => c.ok), checks };
    };
    const app = await startApp({ config, graph, schema, readiness, log });
    let stopping: Promise<void> | undefined;
    return {
      app,
      graph,
      stop() {
        stopping ??= (async () => {
          await app.stop();
          await graph.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await graph.close();
    if (err instanceof MigrationError) log(`migration refused: ${err.message}`);
    throw err;
  }
}
