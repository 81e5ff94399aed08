import { graphSettings, loadConfig } from '../config';
import { Graph } from '../graph/executor';

/** A driver for command-line tools, from the same validated settings as the server. */
export function cliGraph(): Graph {
  const config = loadConfig();
  return Graph.connect(graphSettings(config));
}
