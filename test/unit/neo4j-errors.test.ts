import { Neo4jError } from 'neo4j-driver';
import { mapNeo4jError } from '../../src/graph/executor';
import { TwinError } from '../../src/errors';

/* What a client hears when Neo4j fails: a code it can act on, never a bare INTERNAL_SERVER_ERROR for an overload. */

const codeOf = (err: unknown) =>
  err instanceof TwinError ? [err.extensions['code'], err.extensions['http']] : ['not mapped'];

describe('Neo4j errors', () => {
  it('when no pooled connection frees up in time, then the answer is DATABASE_UNAVAILABLE (503), not an internal error', () => {
    const err = new Neo4jError(
      'Connection acquisition timed out in 20000 ms. Pool status: Active conn count = 3, Idle conn count = 0.',
      'N/A',
      'N/A',
      'N/A',
    );
    expect(codeOf(mapNeo4jError(err))).toEqual(['DATABASE_UNAVAILABLE', { status: 503 }]);
  });

  it('when the database is unreachable, then DATABASE_UNAVAILABLE (503); a constraint, CONFLICT; anything else, INTERNAL_SERVER_ERROR', () => {
    expect(
      codeOf(mapNeo4jError(new Neo4jError('gone', 'ServiceUnavailable', 'N/A', 'N/A'))),
    ).toEqual(['DATABASE_UNAVAILABLE', { status: 503 }]);
    expect(
      codeOf(
        mapNeo4jError(
          new Neo4jError('dup', 'Neo.ClientError.Schema.ConstraintValidationFailed', 'N/A', 'N/A'),
        ),
      ),
    ).toEqual(['CONFLICT', undefined]);
    expect(
      codeOf(
        mapNeo4jError(
          new Neo4jError('odd', 'Neo.DatabaseError.General.UnknownError', 'N/A', 'N/A'),
        ),
      ),
    ).toEqual(['INTERNAL_SERVER_ERROR', undefined]);
  });
});
