import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { getOperationAST, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createServer, type Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Config } from '../config';
import { logger, type Log } from '../log';
import { randomUUID } from 'node:crypto';
import type { Graph } from '../graph/executor';
import type { TwinEvents } from '../domain/events';
import { type Context, createContext } from './context';
import { Cohorts, type DirectSink } from './cohorts';
import { Outbox } from './outbox';
import { healthRoutes, type Readiness } from './health';
import { playgroundRouter } from './playground';
import { type Metrics, metricsPlugin, metricsRoutes } from './metrics';
import { checkOperation, documentRules, parseOptions } from './limits';
import { ParsedDocuments } from './documents';
import { clientIp, ipKey, RateLimit, rateLimitedError, wsClientKey } from './rate-limit';
import { metricsAuth } from './metrics-auth';
import { WsOperations } from './ws-operations';
import {
  authMiddleware,
  type AuthSettings,
  type CredentialBudget,
  forbidden,
  isPrincipal,
  principalKey,
  requestPrincipal,
  rolesPlugin,
  SocketAuth,
  unauthenticatedError,
} from './auth';
import { forbiddenRootFields } from '../auth/policy';
import type { Principal } from '../domain/principal';
import {
  operationSignal,
  formatError,
  formatWsResult,
  jsonErrorHandler,
  requestGuardPlugin,
  stopFieldsOnAbort,
} from './request-guard';
import { JitCache, jitGateway } from './jit';

export interface AppDeps {
  config: Config;
  graph: Graph;
  schema: GraphQLSchema;
  readiness: Readiness;
  events: TwinEvents;
  log: Log;
  /** Prometheus metrics (METRICS); when absent, no /metrics and nothing is counted. */
  metrics?: Metrics | undefined;
  /** Credentials and roles (docs/security.md). */
  auth: AuthSettings;
}

export interface RunningApp {
  httpServer: Server;
  url: string;
  port: number;
  /** Stop accepting, drain HTTP, close WebSockets; the caller then closes MQTT and the driver. */
  stop(): Promise<void>;
}

/** One HTTP server: GraphQL over HTTP and graphql-ws at /graphql, health, and the playground at /. */
export async function startApp(deps: AppDeps): Promise<RunningApp> {
  const { config, graph, schema } = deps;
  const app = express();
  // req.ip: the socket's address, or with TRUST_PROXY what trusted proxies say in X-Forwarded-For
  app.set('trust proxy', config.TRUST_PROXY);
  const httpServer = createServer(app);

  const rateLimit = new RateLimit(config);
  /** A failed credential draws on its IP's budget; once spent, lookups wait (auth.ts). */
  const failedCredential: CredentialBudget = {
    spent: (ip) => rateLimit.spent(ipKey(ip)),
    fail: (ip) => rateLimit.take(ipKey(ip)),
    refuse: (res, seconds) => {
      deps.metrics?.rateLimited('http');
      rateLimit.refuse(res, seconds);
    },
  };
  // no field resolves once its operation's deadline passed, over HTTP and graphql-ws alike
  stopFieldsOnAbort(schema);
  // queries and mutations run compiled once seen twice (jit.ts), over HTTP and graphql-ws
  const jit = config.GRAPHQL_JIT ? new JitCache(schema) : null;
  if (jit) deps.metrics?.watchJit(() => jit.stats);
  const wsOperations = new WsOperations(config.GRAPHQL_EXECUTION_TIMEOUT_MS, jit);
  const wsDocuments = new ParsedDocuments();
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    // a larger message closes the socket (1009) before it is parsed
    maxPayload: config.GRAPHQL_MAX_BODY_BYTES,
  });
  const wsLog = logger('graphql-ws');
  const cohorts = new Cohorts({
    perEvent: (operation) =>
      createContext(graph, config, deps.events, requestIdOf(operation), {
        principal: principalOfContext(operation),
      }),
    accessKey: (operation) => accessKey(principalOfContext(operation)),
    queueSize: config.SUBSCRIPTION_QUEUE,
    // a subscriber's events go straight to its socket, the result serialised once per event
    sinkOf: (operation) =>
      typeof operation === 'object' && operation !== null ? sinks.get(operation) : undefined,
    // errors as over HTTP: internal ones logged and answered generically, never their own text
    format: (result, operation) => formatWsResult(config, result, operation),
  });
  deps.metrics?.watchCohorts(() => cohorts.stats);
  /** Each socket's outbox (outbox.ts), and each subscription's way out, by its context. */
  const outboxes = new WeakMap<WebSocket, Outbox>();
  const sinks = new WeakMap<object, DirectSink>();
  // before graphql-ws's own listener: its sends must not wait for each write to flush
  wsServer.on('connection', (socket) => {
    const outbox = new Outbox(socket, config.SUBSCRIPTION_SOCKET_BUFFER);
    outbox.wrapSend();
    outboxes.set(socket, outbox);
  });
  const sockets = new SocketAuth(deps.auth, failedCredential);
  const wsCleanup = useServer<Record<string, unknown>, { context?: Context }>(
    {
      schema,
      // one context per operation (its request id); each event of a subscription gets a fresh
      // one of its own (new DataLoaders), with the operation's request id
      // a socket without a valid credential closes at connection_init (4403 Forbidden)
      // and one whose address spent its failed-credential budget with 4429 (auth.ts)
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        const ip = clientIp(app, ctx.extra.request);
        const connected = await sockets.connect(ctx.connectionParams, socket, ip);
        if (typeof connected !== 'number') return connected !== false;
        deps.metrics?.rateLimited('ws');
        socket.close(
          4429,
          `Too many failed credentials from this address: retry in ${connected} s`,
        );
        return false;
      },
      // a query or mutation gets the HTTP execution timeout (ws-operations.ts)
      context: (ctx, id, _payload, args) => {
        const principal = sockets.principalOf(ctx.extra.socket);
        const operation = getOperationAST(args.document, args.operationName)?.operation;
        if (operation === 'subscription') {
          const context = createContext(graph, config, deps.events, undefined, { principal });
          const outbox = outboxes.get(ctx.extra.socket);
          if (outbox) sinks.set(context, { id, outbox });
          context.log.debug(`graphql-ws subscription ${id}`);
          return context;
        }
        const context = wsOperations.open(ctx.extra.socket, (signal) =>
          createContext(graph, config, deps.events, undefined, { principal, signal }),
        );
        context.log.debug(`graphql-ws operation ${id}`);
        return context;
      },
      execute: wsOperations.execute,
      // the limits of HTTP (tokens, depth, aliases, cost, introspection) and the same rate budget
      onSubscribe: async (ctx, _id, payload) => {
        // a socket whose key was revoked (closing, its client not answering yet) runs nothing
        if (!sockets.isOpen(ctx.extra.socket)) return [unauthenticatedError()];
        const retryAfter = await rateLimit.take(
          principalKey(sockets.principalOf(ctx.extra.socket)) ??
            wsClientKey(ctx.connectionParams, clientIp(app, ctx.extra.request)),
        );
        if (retryAfter !== undefined) {
          deps.metrics?.rateLimited('ws');
          return [rateLimitedError(retryAfter, config)];
        }
        const checked = checkOperation(schema, config, payload, wsDocuments);
        if (Array.isArray(checked)) return checked;
        const principal = sockets.principalOf(ctx.extra.socket);
        const denied = forbiddenRootFields(checked.document, payload.operationName, principal);
        if (denied.length > 0) return [forbidden(principal, denied)];
        return { schema, ...checked };
      },
      // subscribers of one document, variables and access share one execution per event
      subscribe: cohorts.subscribe,
      // open subscriptions by operation name, for the metrics
      onOperation: (ctx, id, _payload, args, result) => {
        deps.metrics?.subscriptions.opened(ctx, id, args, result);
      },
      onComplete: (ctx, id) => {
        deps.metrics?.subscriptions.completed(ctx, id);
      },
      onClose: (ctx) => {
        deps.metrics?.subscriptions.closed(ctx);
      },
      // errors as over HTTP: internal ones logged and answered generically, never their own text
      onNext: (_ctx, _id, _payload, args, result) =>
        formatWsResult(config, result, args.contextValue),
      onError: (_ctx, id, _payload, errors) => {
        wsLog.warn(`graphql-ws operation ${id} failed: ${errors.map((e) => e.message).join('; ')}`);
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    // Apollo takes a custom executor (jit.ts) only as a gateway, whose schema is this one
    ...(jit ? { gateway: jitGateway(schema, jit) } : { schema }),
    // main.ts owns the termination signals and runs the one ordered shutdown (see runtime.ts)
    stopOnTerminationSignals: false,
    introspection: config.GRAPHQL_INTROSPECTION,
    includeStacktraceInErrorResponses: false,
    // limits: docs/security.md; the cost limit needs the variables, so requestGuardPlugin runs it
    parseOptions: parseOptions(config),
    validationRules: documentRules(config),
    hideSchemaDetailsFromClientErrors: !config.GRAPHQL_SUGGESTIONS,
    formatError: formatError(config),
    plugins: [
      // no cache hints are given; Apollo's default cache-control plugin has a willResolveField
      // hook, which makes Apollo wrap and time every field of every request
      ApolloServerPluginCacheControlDisabled(),
      ...(deps.metrics ? [metricsPlugin(deps.metrics)] : []),
      requestGuardPlugin(config),
      rolesPlugin(),
      ApolloServerPluginDrainHttpServer({
        httpServer,
        stopGracePeriodMillis: config.SHUTDOWN_TIMEOUT_MS,
      }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      // Counts Cypher round trips per request, reported in the response extensions, and logs
      // each operation with its request id.
      {
        async requestDidStart({ contextValue }) {
          const started = performance.now();
          return {
            async didEncounterErrors({ errors }) {
              contextValue.log.warn(
                `GraphQL errors: ${errors.map((e) => `${String(e.extensions['code'] ?? 'ERROR')}: ${e.message}`).join('; ')}`,
              );
            },
            async willSendResponse({ contextValue, response, operationName }) {
              contextValue.log.info(
                {
                  operationName: operationName ?? null,
                  ms: Math.round(performance.now() - started),
                  cypherQueries: contextValue.graph.queries,
                },
                'graphql operation',
              );
              if (response.body.kind === 'single') {
                response.body.singleResult.extensions = {
                  ...response.body.singleResult.extensions,
                  cypherQueries: contextValue.graph.queries,
                };
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.disable('x-powered-by');
  if (deps.metrics) {
    // METRICS_TOKEN or an admin key (metrics-auth.ts)
    const guard = metricsAuth(deps.auth, config.METRICS_TOKEN, failedCredential);
    app.use(metricsRoutes(deps.metrics, guard));
  }
  app.use(healthRoutes(deps.readiness, deps.log));
  app.use(
    '/graphql',
    authMiddleware(deps.auth, failedCredential),
    rateLimit.middleware(
      (res) => principalKey(requestPrincipal(res)),
      () => deps.metrics?.rateLimited('http'),
    ),
    express.json({ limit: config.GRAPHQL_MAX_BODY_BYTES }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = requestIdFrom(req.headers['x-request-id']);
        res.setHeader('x-request-id', requestId);
        const body: unknown = req.body;
        const named =
          typeof body === 'object' && body !== null && 'operationName' in body
            ? body.operationName
            : undefined;
        // GRAPHQL_EXECUTION_TIMEOUT_MS: no field resolves after it (requestGuardPlugin); 'close'
        // before the response is written: the client went away
        const operation = operationSignal(config.GRAPHQL_EXECUTION_TIMEOUT_MS);
        res.once('close', () => {
          if (res.writableFinished) operation.release();
          else operation.abort(new Error('the client closed the request'));
        });
        return createContext(graph, config, deps.events, requestId, {
          operationName: typeof named === 'string' ? named.slice(0, 200) : undefined,
          signal: operation.signal,
          principal: requestPrincipal(res),
        });
      },
    }),
  );
  if (config.PLAYGROUND) app.use(playgroundRouter(config.PLAYGROUND_API_KEY));
  // malformed JSON, a body too large: JSON with a code, never Express's HTML page (keep it last)
  app.use(jsonErrorHandler(deps.log, config.GRAPHQL_MAX_BODY_BYTES));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.PORT, config.HOST, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
  deps.log.info(
    `API on http://${host}:${port}/graphql (ws same path), playground on http://${host}:${port}/`,
  );

  return {
    httpServer,
    port,
    url: `http://${host}:${port}`,
    async stop() {
      sockets.stop();
      await apollo.stop();
    },
  };
}

/** A caller's request id (a proxy's or a client's) is kept when it is short and plain. */
function requestIdFrom(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v && /^[A-Za-z0-9._:-]{1,128}$/.test(v) ? v : randomUUID();
}

function requestIdOf(context: unknown): string | undefined {
  if (typeof context !== 'object' || context === null || !('requestId' in context))
    return undefined;
  return typeof context.requestId === 'string' ? context.requestId : undefined;
}

/** The principal of an operation's context (a subscription's events act for the same key). */
/** What a subscription may see, as a cohort key: its role and its factory scope. */
function accessKey(p: Principal | undefined): string {
  if (!p) return 'unknown';
  return JSON.stringify([p.role, p.factoryIds === null ? null : [...p.factoryIds].sort()]);
}

function principalOfContext(context: unknown): Principal | undefined {
  if (typeof context !== 'object' || context === null || !('principal' in context))
    return undefined;
  const p: unknown = context.principal;
  return isPrincipal(p) ? p : undefined;
}
