import { loadConfig } from '../config';
import { Graph } from '../graph/executor';

/** A driver for command-line tools, from the same validated settings as the server. */
export function cliGraph(): Graph {
  const config = loadConfig();
  return Graph.connect({
    uri: config.NEO4J_URI,
    user: config.NEO4J_USER,
    password: config.NEO4J_PASSWORD,
    database: config.NEO4J_DATABASE,
  });
}
