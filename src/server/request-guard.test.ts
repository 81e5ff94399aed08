import { GraphQLError } from 'graphql';
import { TwinError } from '../errors';
import type { LimitSettings } from './limits';
import { formatError, operationSignal } from './request-guard';

const settings: LimitSettings = {
  GRAPHQL_MAX_DEPTH: 6,
  GRAPHQL_MAX_ALIASES: 15,
  GRAPHQL_MAX_TOKENS: 1000,
  GRAPHQL_MAX_COST: 5000,
  GRAPHQL_COST_LIST_SIZE: 10,
  GRAPHQL_INTROSPECTION: true,
  GRAPHQL_SUGGESTIONS: false,
  MAX_PAGE_SIZE: 500,
};
const format = formatError(settings);

describe('formatError', () => {
  it('when an error is internal, then the client gets a generic message, no detail and no Cypher', () => {
    const formatted = format(
      {
        message: 'Database error: Invalid input near MATCH (n:Factory) RETURN n',
        path: ['factories'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', neo4jCode: 'Neo.ClientError.Statement' },
      },
      new GraphQLError('Database error: …'),
    );
    expect(formatted).toEqual({
      message: 'Internal server error; the server log has the details under the request id',
      path: ['factories'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('when a limit error comes through Apollo as a validation error, then it keeps QUERY_TOO_COMPLEX', () => {
    const original = new TwinError('QUERY_TOO_COMPLEX', 'depth 9 over 6', { limit: 'depth' });
    const wrapped = new GraphQLError(original.message, {
      originalError: original,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth' },
    });
    expect(format({ message: wrapped.message, extensions: wrapped.extensions }, wrapped)).toEqual({
      message: 'depth 9 over 6',
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth' },
    });
  });

  it('when graphql-js stops parsing at the token limit, then the code is QUERY_TOO_COMPLEX with the limit', () => {
    const formatted = format(
      {
        message: 'Syntax Error: Document contains more that 1000 tokens. Parsing aborted.',
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      },
      undefined,
    );
    expect(formatted.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens', max: 1000 });
  });

  it('when suggestions are off, then "Did you mean" goes, and a long message is clipped', () => {
    const typo = format(
      {
        message:
          'Cannot query field "factorys" on type "Query". Did you mean "factories" or "factory"?',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
      undefined,
    );
    expect(typo.message).toBe('Cannot query field "factorys" on type "Query".');
    const long = format(
      {
        message: `Variable "$x" got invalid value "${'x'.repeat(100_000)}"`,
        extensions: { code: 'BAD_USER_INPUT' },
      },
      undefined,
    );
    expect(long.message.length).toBeLessThan(600);
  });
});

describe('operationSignal', () => {
  it('when the time is 0, then only abort ends it', async () => {
    const op = operationSignal(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(op.signal.aborted).toBe(false);
    op.abort(new Error('the client closed the request'));
    expect(op.signal.aborted).toBe(true);
  });

  it('when the deadline passes, then the signal aborts with a TIMEOUT error; released, it never does', async () => {
    const deadline = operationSignal(1);
    const released = operationSignal(1);
    released.release();
    await new Promise((r) => setTimeout(r, 20));
    expect(deadline.signal.aborted).toBe(true);
    const reason: unknown = deadline.signal.reason;
    expect(reason instanceof TwinError && reason.extensions['code']).toBe('TIMEOUT');
    expect(released.signal.aborted).toBe(false);
  });
});
