import { logger } from '../log';
import { ConfigError } from '../config';
import { projectMigrator } from '../graph/migrations';
import { cliGraph } from './graph-cli';

/** `npm run migrate`: apply pending migrations to NEO4J_URI and print what happened. */
async function run(): Promise<void> {
  const graph = cliGraph();
  try {
    const result = await projectMigrator(graph, logger('migrate')).migrate();
    console.log(
      result.applied.length > 0
        ? `applied ${result.applied.length}: ${result.applied.join(', ')}`
        : `nothing to apply (${result.alreadyApplied} applied before)`,
    );
  } finally {
    await graph.close();
  }
}

run().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `migration failed: ${String(err)}`);
  process.exit(1);
});
