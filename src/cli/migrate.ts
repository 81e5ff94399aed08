import { ConfigError, loadConfig } from '../config';
import { Graph } from '../graph/executor';
import { projectMigrator } from '../graph/migrations';

/** `npm run migrate`: apply pending migrations to NEO4J_URI and print what happened. */
async function run(): Promise<void> {
  const config = loadConfig();
  const graph = Graph.connect({
    uri: config.NEO4J_URI,
    user: config.NEO4J_USER,
    password: config.NEO4J_PASSWORD,
    database: config.NEO4J_DATABASE,
  });
  try {
    const result = await projectMigrator(graph, (m) => console.error(m)).migrate();
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
