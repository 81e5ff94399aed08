import type { ApolloServerPlugin } from '@apollo/server';
import type { ErrorRequestHandler } from 'express';
import {
  GraphQLError,
  type GraphQLFormattedError,
  GraphQLObjectType,
  type GraphQLSchema,
  isIntrospectionType,
  type FormattedExecutionResult,
  validate,
} from 'graphql';
import type { Context } from '../domain/context';
import { abortedError, clip, TwinError } from '../errors';
import { linkedSignal, type LinkedSignal } from '../linked-signal';
import { logger, type Log } from '../log';
import { costRule, type LimitSettings, tidyMessage, tokenLimitError } from './limits';

/**
 * What protects a running HTTP operation (docs/security.md): the cost limit once the variables
 * are known, subscriptions refused over HTTP, the execution timeout, and internal errors answered
 * with a generic message and the request id.
 */
export function requestGuardPlugin(settings: LimitSettings): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, schema }) {
          if (operation?.operation === 'subscription') {
            const host = request.http?.headers.get('host');
            const at =
              host && /^[A-Za-z0-9.:[\]-]{1,100}$/.test(host)
                ? `ws://${host}/graphql`
                : 'ws://<this host>/graphql';
            throw new TwinError(
              'BAD_REQUEST',
              `Subscriptions go over graphql-ws (the graphql-transport-ws protocol) at ${at}, not over HTTP POST`,
              { http: { status: 400 } },
            );
          }
          const errors = validate(schema, document, [costRule(settings, request.variables)]);
          const first = errors[0];
          if (first) {
            throw new TwinError('QUERY_TOO_COMPLEX', first.message, {
              ...first.extensions,
              http: { status: 400 },
            });
          }
        },
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isInternal(error)) {
              const cause = error.originalError ?? error;
              contextValue.log.error(
                { err: cause, path: error.path },
                `internal error (answered as INTERNAL_SERVER_ERROR): ${cause.message}`,
              );
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (!result.errors) return;
          result.errors = oneTimeout(result.errors).map((e) =>
            e.extensions?.['code'] === 'INTERNAL_SERVER_ERROR'
              ? { ...e, extensions: { ...e.extensions, requestId: contextValue.requestId } }
              : e,
          );
        },
      };
    },
  };
}

/**
 * The signal of one operation (HTTP or graphql-ws): aborted with a TIMEOUT error once `ms` pass
 * (0: never), or by `abort` (the client left); `release` when answered.
 */
export function operationSignal(ms: number): LinkedSignal {
  return linkedSignal([], {
    ms,
    reason: () =>
      new TwinError(
        'TIMEOUT',
        `The operation ran longer than ${ms} ms (GRAPHQL_EXECUTION_TIMEOUT_MS) and was cut; ask for less or split it`,
        { limit: 'executionTimeMs', max: ms },
      ),
  });
}

/** Every field resolved after the deadline fails alike: of the TIMEOUT errors, the first only. */
export function oneTimeout<E extends { readonly extensions?: Readonly<Record<string, unknown>> }>(
  errors: readonly E[],
): E[] {
  let timeouts = 0;
  return errors.filter((e) => e.extensions?.['code'] !== 'TIMEOUT' || ++timeouts === 1);
}

const guarded = new WeakSet<GraphQLSchema>();
const wsLog = logger('graphql-ws');

/**
 * Every field of `schema` first looks at its operation's `signal` (the context's): once the
 * execution deadline passed, or the client left, no field resolves, it fails with the deadline's
 * TIMEOUT. The resolvers are wrapped once and in place, for HTTP (Apollo) and graphql-ws
 * (graphql-js alone) alike; no Apollo plugin has `willResolveField`, which would make Apollo wrap
 * every field a second time. A context without a signal (a subscription's events) is not
 * affected.
 */
export function stopFieldsOnAbort(schema: GraphQLSchema): void {
  if (guarded.has(schema)) return;
  guarded.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || isIntrospectionType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      // a field read from its parent object (no resolver of its own) does no I/O: nothing to stop
      // (the object types have simple resolvers, so these are most fields of a large answer)
      const resolve = field.resolve;
      if (!resolve) continue;
      field.resolve = (source, args, context: unknown, info) => {
        const signal = signalOf(context);
        if (signal?.aborted) throw abortedError(signal);
        const value: unknown = resolve(source, args, context, info);
        // a field still waiting when the deadline passes (a Cypher round trip stuck behind a busy
        // pool) fails then, so the answer goes out at the deadline, not when the database answers
        return signal && value instanceof Promise
          ? Promise.race([value, abortedBy(signal)])
          : value;
      };
    }
  }
}

const abortPromises = new WeakMap<AbortSignal, Promise<never>>();

/** One promise per signal that rejects with its TIMEOUT (or leaving) error once it aborts. */
function abortedBy(signal: AbortSignal): Promise<never> {
  let p = abortPromises.get(signal);
  if (!p) {
    p = new Promise<never>((_resolve, reject) => {
      if (signal.aborted) reject(abortedError(signal));
      else signal.addEventListener('abort', () => reject(abortedError(signal)), { once: true });
    });
    // the race's own handler reports it; this one keeps an unused rejection from being "unhandled"
    p.catch(() => undefined);
    abortPromises.set(signal, p);
  }
  return p;
}

function signalOf(context: unknown): AbortSignal | undefined {
  if (typeof context !== 'object' || context === null || !('signal' in context)) return undefined;
  return context.signal instanceof AbortSignal ? context.signal : undefined;
}

/** An error the client may not read: not one of ours and not GraphQL's own. */
function isInternal(error: GraphQLError): boolean {
  const code = error.extensions['code'];
  return code === undefined || code === 'INTERNAL_SERVER_ERROR';
}

/**
 * Apollo's `formatError`: internal errors answer a generic message (their detail is logged with
 * the request id, which `requestGuardPlugin` adds); limit errors keep their code; every message
 * is clipped and loses its suggestions when they are off.
 */
export function formatError(settings: LimitSettings) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.['code'];
    if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
      return {
        message: 'Internal server error; the server log has the details under the request id',
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      };
    }
    if (
      code === 'GRAPHQL_PARSE_FAILED' &&
      /Document contains more th(?:at|an) \d+ tokens/.test(formatted.message)
    ) {
      return tokenLimitError(settings).toJSON();
    }
    const original = error instanceof GraphQLError ? error.originalError : undefined;
    const originalCode = original instanceof GraphQLError ? original.extensions['code'] : undefined;
    return {
      ...formatted,
      message: tidyMessage(formatted.message, settings),
      extensions: {
        ...formatted.extensions,
        // a limit refused in validation keeps its own code (Apollo files it under validation)
        ...(originalCode === 'QUERY_TOO_COMPLEX' ? { code: originalCode } : {}),
      },
    };
  };
}

/**
 * graphql-ws's `onNext`: a result's errors formatted as over HTTP (formatError): an internal error
 * is logged with its request id and answers the generic message with that id, never its own text
 * (a Cypher statement, a file path); the rest are clipped. Undefined when there is nothing to change.
 */
export function formatWsResult(
  settings: LimitSettings,
  result: {
    readonly errors?: readonly GraphQLError[] | undefined;
    readonly data?: Record<string, unknown> | null | undefined;
    readonly extensions?: Record<string, unknown> | undefined;
  },
  context: unknown,
): FormattedExecutionResult | undefined {
  if (!result.errors || result.errors.length === 0) return undefined;
  const format = formatError(settings);
  const requestId = stringField(context, 'requestId');
  const errors = oneTimeout(result.errors).map((error) => {
    if (isInternal(error)) {
      const cause = error.originalError ?? error;
      wsLog.error(
        { err: cause, path: error.path, requestId },
        `internal error (answered as INTERNAL_SERVER_ERROR): ${cause.message}`,
      );
      const formatted = format(error.toJSON(), error);
      return { ...formatted, extensions: { ...formatted.extensions, requestId } };
    }
    return format(error.toJSON(), error);
  });
  const formatted: FormattedExecutionResult = { errors };
  if (result.data !== undefined) formatted.data = result.data;
  if (result.extensions !== undefined) formatted.extensions = result.extensions;
  return formatted;
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null || !(key in value)) return undefined;
  const v: unknown = Reflect.get(value, key);
  return typeof v === 'string' ? v : undefined;
}

/**
 * The last Express error handler: what body-parser and the rest throw (malformed JSON, a body
 * over GRAPHQL_MAX_BODY_BYTES, an unknown charset) answers JSON with a code, never Express's HTML
 * page with a stack trace.
 */
export function jsonErrorHandler(log: Log, maxBodyBytes: number): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    const e = (typeof err === 'object' && err !== null ? err : {}) as {
      status?: unknown;
      type?: unknown;
      message?: unknown;
    };
    const status =
      typeof e.status === 'number' && e.status >= 400 && e.status < 600 ? e.status : 500;
    let body: TwinError;
    if (e.type === 'entity.too.large') {
      body = new TwinError(
        'TOO_LARGE',
        `The request body is larger than ${maxBodyBytes} bytes (GRAPHQL_MAX_BODY_BYTES); pass large inputs in smaller requests`,
        { maxBytes: maxBodyBytes },
      );
    } else if (e.type === 'entity.parse.failed') {
      body = new TwinError(
        'BAD_REQUEST',
        'The request body is not valid JSON; send {"query": "…", "variables": {…}} as application/json',
      );
    } else if (status < 500) {
      body = new TwinError(
        'BAD_REQUEST',
        `The request could not be read: ${clip(typeof e.message === 'string' ? e.message : String(err))}`,
      );
    } else {
      log.error({ err }, 'unexpected error outside GraphQL');
      body = new TwinError('INTERNAL_SERVER_ERROR', 'Internal server error');
    }
    res.status(status).json({ errors: [body.toJSON()] });
  };
}
