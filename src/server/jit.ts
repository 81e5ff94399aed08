/**
 * Queries and mutations executed by code compiled for their document (graphql-jit), through
 * Apollo Server's executor interface (issue 12, docs/architecture.md "Execution: compiled
 * documents"). graphql-js walks the document anew for every object of a result: for the nested
 * list of the benchmark (19k objects) that walk, its promises and its garbage were most of the
 * request. graphql-jit compiles the document once into plain functions that call the same
 * resolvers (the request guard's wrappers, the DataLoaders: nothing else changes), measured at
 * 1.32-1.41x the requests per second of graphql-js in the same run.
 *
 * - A document is compiled on its JIT_AFTER-th execution; one seen less often (a one-off, a hostile
 *   client's ever new queries) runs on graphql-js and costs no compilation. Compiled documents are
 *   kept with Apollo's parsed document (a WeakMap on it), JIT_MAX_COMPILED of them at most.
 * - Variables are coerced by graphql-js first, so a bad variable gets the same error as before
 *   (Apollo answers it with BAD_USER_INPUT and HTTP 400).
 * - A document graphql-jit cannot compile, and subscriptions (cohorts.ts runs those), run on
 *   graphql-js. GRAPHQL_JIT=false runs every operation on graphql-js.
 * - Queries and mutations sent over graphql-ws run the same way (`executeCompiled`, from
 *   ws-operations.ts): their documents come from a cache of parsed documents (documents.ts), so
 *   the same text is the same DocumentNode, as with Apollo's document store over HTTP. */
import type {
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
} from '@apollo/server-gateway-interface';
import {
  type DocumentNode,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
  getOperationAST,
  getVariableValues,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, type CompiledQuery } from 'graphql-jit';

/** A document is compiled when it runs for this time (the first runs go to graphql-js). */
export const JIT_AFTER = 2;

/**
 * Compiled documents kept at most (the least recently run goes first, back to graphql-js until it
 * runs twice again). A compiled nested query weighs some 80 KB, and Apollo's document cache holds
 * thousands of documents: without a bound, a client sending each new document twice would grow
 * the process by that much per document.
 */
export const JIT_MAX_COMPILED = 500;

interface Entry {
  runs: number;
  /** Null until compiled; `false` when graphql-jit could not compile it. */
  compiled: CompiledQuery<unknown, unknown> | null | false;
}

/** Running totals of the compiled execution (metrics.ts). */
export interface JitStats {
  /** Documents (operations) compiled. */
  compiled: number;
  /** Operations run as compiled code. */
  executions: number;
}

/** Compiled documents and their run counts, per operation name, per parsed document. */
export class JitCache {
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, Entry>>();
  /** The entries holding compiled code, least recently run first (a Map keeps insertion order). */
  private readonly recent = new Map<Entry, true>();
  readonly stats: JitStats = { compiled: 0, executions: 0 };

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly after = JIT_AFTER,
    private readonly maxCompiled = JIT_MAX_COMPILED,
  ) {}

  /** The compiled query of a document's operation once it has run `after` times, else null. */
  compiled(
    document: DocumentNode,
    operationName: string | null,
  ): CompiledQuery<unknown, unknown> | null {
    let entries = this.byDocument.get(document);
    if (!entries) {
      entries = new Map();
      this.byDocument.set(document, entries);
    }
    const name = operationName ?? '';
    let entry = entries.get(name);
    if (!entry) {
      entry = { runs: 0, compiled: null };
      entries.set(name, entry);
    }
    if (entry.compiled === false) return null;
    if (entry.compiled !== null) {
      this.recent.delete(entry);
      this.recent.set(entry, true);
      return entry.compiled;
    }
    entry.runs += 1;
    if (entry.runs < this.after) return null;
    let compiled: ReturnType<typeof compileQuery>;
    try {
      compiled = compileQuery(this.schema, document, operationName ?? undefined);
    } catch {
      compiled = { errors: [] };
    }
    // an ExecutionResult (errors) when it could not compile
    entry.compiled = 'query' in compiled ? compiled : false;
    if (entry.compiled) {
      this.stats.compiled += 1;
      this.recent.set(entry, true);
      for (const [oldest] of this.recent) {
        if (this.recent.size <= this.maxCompiled) break;
        this.recent.delete(oldest);
        oldest.compiled = null;
        oldest.runs = 0;
      }
    }
    return entry.compiled || null;
  }
}

/**
 * Runs a query or mutation: as compiled code once its document has run JIT_AFTER times, else on
 * graphql-js (a subscription always is). `operation` saves looking it up when the caller has it.
 */
export async function executeCompiled(
  cache: JitCache,
  args: ExecutionArgs,
  operation: OperationDefinitionNode | null | undefined = getOperationAST(
    args.document,
    args.operationName ?? null,
  ),
): Promise<ExecutionResult> {
  if (!operation || operation.operation === 'subscription') return execute(args);
  const variables = args.variableValues ?? {};
  // graphql-js's coercion first: the same errors for bad variables with or without the JIT
  const coerced = getVariableValues(args.schema, operation.variableDefinitions ?? [], variables, {
    maxErrors: 50,
  });
  if (coerced.errors) return { errors: coerced.errors };
  const compiled = cache.compiled(args.document, args.operationName ?? null);
  if (!compiled) return execute(args);
  cache.stats.executions += 1;
  return plainResult(await compiled.query(args.rootValue, args.contextValue, variables));
}

/** Runs one operation for Apollo: compiled when its document is, else on graphql-js. */
export function jitExecutor(schema: GraphQLSchema, cache = new JitCache(schema)): GatewayExecutor {
  return async (rc: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> =>
    executeCompiled(
      cache,
      {
        schema,
        document: rc.document,
        contextValue: rc.context,
        variableValues: rc.request.variables ?? {},
        operationName: rc.operationName,
      },
      rc.operation,
    );
}

/** A compiled query's result as graphql-js gives one (its data is an object, or null). */
function plainResult(result: ExecutionResult<unknown>): ExecutionResult {
  const { data, errors } = result;
  return {
    ...(errors ? { errors } : {}),
    ...(data === null || isRecord(data) ? { data } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The executor as Apollo Server takes one: its `gateway` option (Apollo Server 4 and 5 have no
 * other; the schema is this one, never reloaded).
 */
export function jitGateway(schema: GraphQLSchema, cache = new JitCache(schema)): GatewayInterface {
  return {
    load: () => Promise.resolve({ executor: jitExecutor(schema, cache) }),
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    stop: () => Promise.resolve(),
  };
}
