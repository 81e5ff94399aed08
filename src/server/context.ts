import type { Config } from '../config';
import type { Graph } from '../graph/executor';
import { NO_EVENTS, type TwinEvents } from '../telemetry/events';
import { createLoaders, type Loaders } from '../twins/loaders';

/** Per-request state: a counting view of the graph and a fresh set of DataLoaders. */
export interface Context {
  graph: Graph;
  loaders: Loaders;
  config: Config;
  /** Tells every instance (through the broker) that twins changed. */
  events: TwinEvents;
}

export function createContext(
  root: Graph,
  config: Config,
  events: TwinEvents = NO_EVENTS,
): Context {
  const graph = root.scope();
  return { graph, loaders: createLoaders(graph), config, events };
}
