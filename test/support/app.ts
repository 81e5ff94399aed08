import 'reflect-metadata';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { loadConfig } from '../../src/config';
import type { TwinEvents } from '../../src/domain/events';
import type { Graph } from '../../src/graph/executor';
import { type Runtime, startRuntime } from '../../src/runtime';
import { ADMIN_AUTHORIZATION, TEST_ADMIN_KEY } from './credentials';

export { ADMIN_AUTHORIZATION, TEST_ADMIN_KEY };

export interface TestApp {
  url: string;
  wsUrl: string;
  port: number;
  graph: Graph;
  runtime: Runtime;
  stop(): Promise<void>;
}

export interface TestAppOptions {
  /** Hears every change event the API publishes (before the telemetry service does). */
  events?: TwinEvents;
}

/** The real server on a free port, against the suite's Neo4j. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const unique = Math.random().toString(36).slice(2, 10);
  const config = loadConfig({
    ...process.env,
    // each app its own persistent session and shared group: a stopped test app must not
    // keep a share of the next test's readings queued for itself
    INSTANCE_ID: `test-${unique}`,
    MQTT_SHARED_GROUP: `test-${unique}`,
    TELEMETRY_SPILL_DIR: `/tmp/twin-graph-test-spill-${unique}`,
    // the history's Parquet files and spool stay out of the working tree's .data
    HISTORY_DIR: `/tmp/twin-graph-test-history-${unique}`,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '2000',
    // every test app starts a simulation pool: one worker per core each would add up
    SIM_WORKERS: '2',
    TWIN_ADMIN_KEY: TEST_ADMIN_KEY,
    ...env,
  });
  const runtime = await startRuntime(config);
  // the server listens before the broker answers; tests publish only once it is subscribed
  await runtime.telemetry.ready();
  if (options.events) tapEvents(runtime.telemetry, options.events);
  return {
    url: runtime.app.url,
    wsUrl: runtime.app.url.replace(/^http/, 'ws') + '/graphql',
    port: runtime.app.port,
    graph: runtime.graph,
    runtime,
    stop: () => runtime.stop(),
  };
}

/** The runtime hands its telemetry service to every request context as its TwinEvents. */
function tapEvents(events: TwinEvents, listener: TwinEvents): void {
  const {
    twinsChanged,
    assetStatusChanged,
    twinsImported,
    simulationProgress,
    alertChanged,
    alertRulesChanged,
  } = events;
  events.twinsChanged = (change) => {
    listener.twinsChanged(change);
    twinsChanged.call(events, change);
  };
  events.assetStatusChanged = (change) => {
    listener.assetStatusChanged(change);
    assetStatusChanged.call(events, change);
  };
  events.twinsImported = () => {
    listener.twinsImported();
    twinsImported.call(events);
  };
  events.simulationProgress = (progress) => {
    listener.simulationProgress(progress);
    simulationProgress.call(events, progress);
  };
  events.alertChanged = (notice) => {
    listener.alertChanged(notice);
    alertChanged.call(events, notice);
  };
  events.alertRulesChanged = () => {
    listener.alertRulesChanged();
    alertRulesChanged.call(events);
  };
}

export interface GqlResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** POST a GraphQL operation as any HTTP client would, with the test admin key unless `headers` say otherwise. */
export async function gql(
  app: { url: string },
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GqlResponse> {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: ADMIN_AUTHORIZATION, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body: unknown = await res.json();
  if (typeof body !== 'object' || body === null)
    throw new Error(`not a GraphQL response: ${String(body)}`);
  return body;
}

/**
 * Creates an API key through the API, as the test admin, and returns its secret; the test fails on
 * an error or when the key's role is not the one asked for.
 */
export async function createKey(
  app: { url: string },
  role: string,
  factoryIds: string[] | null = null,
): Promise<string> {
  const res = await gql(
    app,
    'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { key apiKey { role } } }',
    { input: { name: `test ${role}`, role, factoryIds } },
  );
  expect(res.errors).toBeUndefined();
  const made: unknown = res.data?.['createApiKey'];
  const key: unknown = typeof made === 'object' && made !== null ? Reflect.get(made, 'key') : null;
  const apiKey: unknown =
    typeof made === 'object' && made !== null ? Reflect.get(made, 'apiKey') : null;
  expect(typeof apiKey === 'object' && apiKey !== null ? Reflect.get(apiKey, 'role') : null).toBe(
    role,
  );
  if (typeof key !== 'string')
    throw new Error(`createApiKey returned no key: ${JSON.stringify(made)}`);
  return key;
}

/** Runs a typed operation (generated by `npm run codegen` from test/operations) as a client would. */
export async function run<TResult, TVars extends Record<string, unknown>>(
  app: { url: string },
  document: TypedDocumentNode<TResult, TVars>,
  variables: TVars,
  headers: Record<string, string> = {},
): Promise<{
  data: TResult | null;
  errors: GqlResponse['errors'];
  extensions: GqlResponse['extensions'];
}> {
  const res = await gql(app, print(document), variables, headers);
  return {
    data: (res.data ?? null) as TResult | null,
    errors: res.errors,
    extensions: res.extensions,
  };
}
