import type { Config } from '../config';
import type { Graph } from '../graph/executor';
import { createLoaders, type Loaders } from '../twins/loaders';

/** Per-request state: a counting view of the graph and a fresh set of DataLoaders. */
export interface Context {
  graph: Graph;
  loaders: Loaders;
  config: Config;
}

export function createContext(root: Graph, config: Config): Context {
  const graph = root.scope();
  return { graph, loaders: createLoaders(graph), config };
}
