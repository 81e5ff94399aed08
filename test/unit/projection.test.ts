import {
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionNode,
} from 'graphql';
import { listProjection, projectionOf, type SelectionInfo } from '../../src/graph/projection';

const isField = (s: SelectionNode): s is FieldNode => s.kind === Kind.FIELD;

/* Which properties a relationship field's loader reads for a selection set (projection.ts). */

/** The resolve info of the first field under the root's first field (`lines` in `{ factory { lines {…} } }`). */
function infoOf(query: string): SelectionInfo {
  const doc = parse(query);
  const op = doc.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const fragments = Object.fromEntries(
    doc.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const root = op?.selectionSet.selections[0];
  const field = root && isField(root) ? root.selectionSet?.selections[0] : undefined;
  if (!field || !isField(field)) throw new Error('the query has no nested field');
  return { fieldNodes: [field], fragments };
}

describe('projection', () => {
  it('when a nested list asks for plain fields and relationships, then only those properties (and id, name) are read', () => {
    const info = infoOf('{ factory(id: "F") { assets { status metrics { value } } } }');
    expect(projectionOf(info, 'Asset')).toEqual(['id', 'name', 'status']);
    expect(listProjection('t', ['id', 'name', 'status'])).toBe('[t.id, t.name, t.status]');
  });

  it('when fields come through fragments, then they count too', () => {
    const info = infoOf(
      '{ factory(id: "F") { assets { ...A ... on Asset { kind } } } } fragment A on Asset { ratePerHour line { id } }',
    );
    expect(projectionOf(info, 'Asset')).toEqual(['id', 'name', 'kind', 'ratePerHour']);
  });

  it('when a field needs more of the twin than its id (or is unknown), then every property is read', () => {
    expect(
      projectionOf(infoOf('{ f { lines { stateSummary { availability } } } }'), 'Line'),
    ).toBeNull();
    expect(projectionOf(infoOf('{ f { assets { timeline { status } } } }'), 'Asset')).toBeNull();
  });
});
