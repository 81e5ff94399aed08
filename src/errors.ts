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

export const badInput = (message: string, problems?: Problem[]) =>
  new TwinError('BAD_USER_INPUT', message, problems ? { problems } : {});

export const notFound = (kind: string, id: string) =>
  new TwinError(
    'NOT_FOUND',
    `${kind} "${id}" does not exist; check the id (ids are case-sensitive)`,
    {
      kind,
      id,
    },
  );
