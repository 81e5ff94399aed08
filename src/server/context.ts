import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import type { Context } from '../domain/context';
import { NO_EVENTS, type TwinEvents } from '../domain/events';
import { OPEN_PRINCIPAL, type Principal } from '../domain/principal';
import type { Graph } from '../graph/executor';
import { createLoaders } from '../graph/loaders';
import { Scope } from '../graph/scope';
import { logger, type Log } from '../log';

export type { Context };

const requestLog = logger('graphql');

/** A new context: its own round-trip count, its own DataLoaders, and a request id. */
export function createContext(
  root: Graph,
  config: Config,
  events: TwinEvents = NO_EVENTS,
  requestId: string = randomUUID(),
  names: {
    operationName?: string | undefined;
    signal?: AbortSignal | undefined;
    /** Who the request acts for; a server with authentication off (and tools) act as admin. */
    principal?: Principal | undefined;
  } = {},
): Context {
  // Neo4j sees the request id and operation name as transaction metadata (SHOW TRANSACTIONS)
  // and the operation's signal: past its deadline, nothing more is read or committed
  const graph = root.scope({
    requestId,
    ...(names.operationName ? { operationName: names.operationName } : {}),
    ...(names.signal ? { signal: names.signal } : {}),
  });
  // made on first use: a subscription event that logs nothing costs no child logger
  let log: Log | undefined;
  const principal = names.principal ?? OPEN_PRINCIPAL;
  const scope = new Scope(root, graph, principal.factoryIds, config.SCOPE_CACHE_MS);
  return {
    graph,
    loaders: createLoaders(graph, scope),
    config,
    events,
    principal,
    scope,
    requestId,
    signal: names.signal,
    get log(): Log {
      log ??= requestLog.child({ requestId });
      return log;
    },
  };
}
