import type { Config } from '../config';
import type { Graph } from '../graph/executor';
import type { Loaders } from '../graph/loaders';
import type { Scope } from '../graph/scope';
import type { Log } from '../log';
import type { TwinEvents } from './events';
import type { Principal } from './principal';

/**
 * What every resolver gets: a counting view of the graph and a fresh set of DataLoaders per
 * GraphQL request (and per subscription event, so an event never sees an earlier event's cache),
 * the settings, the change events, and a logger that names the request.
 */
export interface Context {
  graph: Graph;
  loaders: Loaders;
  config: Config;
  events: TwinEvents;
  /** Who the request acts for: its role and the factories it may see (docs/security.md). */
  principal: Principal;
  /**
   * What the principal's factory scope sees (graph/scope.ts): the loaders and list queries
   * already keep to it; a capability filters its own results (alerts, analyses) with it.
   */
  scope: Scope;
  /** Sent back as the `x-request-id` header and on every log line of the operation. */
  requestId: string;
  log: Log;
  /**
   * Aborted when the operation's deadline passes (GRAPHQL_EXECUTION_TIMEOUT_MS) or its client
   * goes away before the answer (an HTTP request, or the graphql-ws socket of a query or mutation;
   * absent for subscriptions): no field resolves after it, and long work such as `simulate` stops
   * instead of computing for nobody.
   */
  signal?: AbortSignal | undefined;
}
