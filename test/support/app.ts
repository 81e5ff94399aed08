import 'reflect-metadata';
import { loadConfig } from '../../src/config';
import type { Graph } from '../../src/graph/executor';
import { startRuntime } from '../../src/runtime';

export interface TestApp {
  url: string;
  wsUrl: string;
  port: number;
  graph: Graph;
  stop(): Promise<void>;
}

/** The real server on a free port, against the suite's Neo4j. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...env,
  });
  const runtime = await startRuntime(config);
  return {
    url: runtime.app.url,
    wsUrl: runtime.app.url.replace(/^http/, 'ws') + '/graphql',
    port: runtime.app.port,
    graph: runtime.graph,
    stop: () => runtime.stop(),
  };
}

export interface GqlResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** POST a GraphQL operation as any HTTP client would. */
export async function gql(
  app: { url: string },
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GqlResponse> {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body: unknown = await res.json();
  if (typeof body !== 'object' || body === null)
    throw new Error(`not a GraphQL response: ${String(body)}`);
  return body;
}
