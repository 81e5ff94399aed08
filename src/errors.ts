import { GraphQLError } from 'graphql';

/** Fixed error codes clients can switch on (`extensions.code`). */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'DATABASE_UNAVAILABLE'
  | 'TOO_LARGE'
  | 'TIMEOUT'
  /** A malformed request: unreadable JSON, a subscription over HTTP, a wrong content type. */
  | 'BAD_REQUEST'
  /** An operation over a depth, alias, token or cost limit, refused before it runs. */
  | 'QUERY_TOO_COMPLEX'
  /** Too many requests from one client in the rate-limit window; retry after `Retry-After`. */
  | 'RATE_LIMITED'
  | 'INTERNAL_SERVER_ERROR';

export interface Problem {
  path: string;
  message: string;
}

/** An error whose message says what to fix, with a stable code for programs. */
export class TwinError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
}

/** At most `max` characters of client input, for error messages: never echo a megabyte back. */
export function clip(text: string, max = 100): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

export const badInput = (message: string, problems?: Problem[]) =>
  new TwinError('BAD_USER_INPUT', message, problems ? { problems } : {});

export const notFound = (kind: string, id: string) =>
  new TwinError(
    'NOT_FOUND',
    `${kind} "${clip(id)}" does not exist; check the id (ids are case-sensitive)`,
    {
      kind,
      id: clip(id),
    },
  );

/**
 * What work of an aborted operation answers (a field over HTTP or graphql-ws, a transaction of its
 * graph scope): the deadline's TIMEOUT error, or a generic TIMEOUT when the client left.
 */
export function abortedError(signal: AbortSignal): TwinError {
  return signal.reason instanceof TwinError
    ? signal.reason
    : new TwinError('TIMEOUT', 'The request was aborted');
}
