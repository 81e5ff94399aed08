import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createServer, type Server } from 'node:http';
import { WebSocketServer } from 'ws';
import type { Config } from '../config';
import type { Log } from '../log';
import type { Graph } from '../graph/executor';
import type { TwinEvents } from '../domain/events';
import { type Context, createContext } from './context';
import { healthRoutes, type Readiness } from './health';
import { playgroundRouter } from './playground';

export interface AppDeps {
  config: Config;
  graph: Graph;
  schema: GraphQLSchema;
  readiness: Readiness;
  events: TwinEvents;
  log: Log;
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
  const httpServer = createServer(app);

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer<Record<string, unknown>, { context?: Context }>(
    {
      schema,
      context: () => createContext(graph, config, deps.events),
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    plugins: [
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
      // Counts Cypher round trips per request, reported in the response extensions.
      {
        async requestDidStart() {
          return {
            async willSendResponse({ contextValue, response }) {
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
  app.use(healthRoutes(deps.readiness));
  app.use(
    '/graphql',
    express.json({ limit: '50mb' }),
    expressMiddleware(apollo, { context: async () => createContext(graph, config, deps.events) }),
  );
  if (config.PLAYGROUND) app.use(playgroundRouter());

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
      await apollo.stop();
    },
  };
}
