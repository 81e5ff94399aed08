import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import type { TwinLabel } from './loaders';

/*
 * Fetch only what the query asks for (issue 12): a relationship field's loader reads the
 * properties its selection set names instead of `{.*}`, and no relationship properties when the
 * field maps nodes only. A selection with any field this table does not know to be a plain
 * property, or a relationship walked by id, reads every property as before: a field resolver that
 * needs more of its twin (a line's shifts for `stateSummary(byShift)`) is never starved.
 */

interface TwinFields {
  /** Properties read by the type's `fromProps`, named as its GraphQL fields. */
  props: readonly string[];
  /** Field resolvers that need nothing of the twin but its id (relationship fields). */
  byId: readonly string[];
}

export const TWIN_FIELDS: Partial<Record<TwinLabel, TwinFields>> = {
  Factory: {
    props: ['id', 'name', 'country', 'timezone', 'lat', 'lon'],
    byId: ['lines', 'inventory'],
  },
  Line: {
    props: ['id', 'name', 'shiftsPerDay', 'hoursPerShift'],
    byId: ['factory', 'assets', 'produces'],
  },
  Asset: {
    props: ['id', 'name', 'kind', 'status', 'ratePerHour', 'mtbfHours', 'mttrHours'],
    byId: ['line', 'metrics', 'feeds', 'fedBy'],
  },
  Metric: { props: ['id', 'name', 'unit', 'min', 'max', 'value', 'ts'], byId: ['history'] },
  Product: {
    props: ['id', 'sku', 'name', 'unitCost', 'unitPrice'],
    byId: ['components', 'usedIn', 'suppliers', 'producedBy'],
  },
  Supplier: { props: ['id', 'name', 'country', 'recoveryDays'], byId: ['supplies'] },
  Shipment: {
    props: ['id', 'status', 'quantity', 'departedAt', 'eta'],
    byId: ['supplier', 'factory', 'product'],
  },
  Order: {
    props: ['id', 'customer', 'quantity', 'dueDate', 'status'],
    byId: ['product', 'factory'],
  },
};

/** Properties every twin type needs whatever is asked (its id, and the name it falls back on). */
const ALWAYS = ['id', 'name', 'sku'];

/** What projectionOf reads of a field's resolve info. */
export type SelectionInfo = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>;

/**
 * The properties of a `label` twin that the field's selection set needs, or null to read them all
 * (a field the table does not know, or no selection info). The order is the table's, so equal
 * selections give equal projections (and share a DataLoader).
 */
export function projectionOf(info: SelectionInfo | undefined, label: TwinLabel): string[] | null {
  if (!info) return null;
  // graphql-js hands every item of a list the same fieldNodes array: worked out once per list
  let byLabel = projections.get(info.fieldNodes);
  if (!byLabel) {
    byLabel = new Map();
    projections.set(info.fieldNodes, byLabel);
  }
  let projection = byLabel.get(label);
  if (projection === undefined) {
    projection = project(info, label);
    byLabel.set(label, projection);
  }
  return projection;
}

/** Projections by the field nodes they were made for (fragments are per document, as these are). */
const projections = new WeakMap<SelectionInfo['fieldNodes'], Map<TwinLabel, string[] | null>>();

function project(info: SelectionInfo, label: TwinLabel): string[] | null {
  const fields = TWIN_FIELDS[label];
  if (!fields) return null;
  const asked = new Set<string>();
  for (const node of info.fieldNodes) {
    if (node.selectionSet && !collect(node.selectionSet, info, asked, new Set())) return null;
  }
  for (const name of asked) {
    if (name === '__typename' || fields.props.includes(name) || fields.byId.includes(name))
      continue;
    return null;
  }
  return fields.props.filter((p) => asked.has(p) || ALWAYS.includes(p));
}

/** Field names of a selection set, through fragments; false when it cannot tell (a directive). */
function collect(
  set: SelectionSetNode,
  info: SelectionInfo,
  into: Set<string>,
  seen: Set<string>,
): boolean {
  for (const s of set.selections) {
    // @include/@skip may depend on variables: take the field anyway (reading more is safe)
    if (s.kind === Kind.FIELD) into.add(s.name.value);
    else if (s.kind === Kind.INLINE_FRAGMENT) {
      if (!collect(s.selectionSet, info, into, seen)) return false;
    } else {
      if (seen.has(s.name.value)) continue;
      seen.add(s.name.value);
      const fragment = info.fragments[s.name.value];
      if (!fragment || !collect(fragment.selectionSet, info, into, seen)) return false;
    }
  }
  return true;
}

/** `[t.id, t.name]`: a projection's properties in its order. Names come from TWIN_FIELDS only. */
export function listProjection(variable: string, props: readonly string[]): string {
  return `[${props.map((p) => `${variable}.${p}`).join(', ')}]`;
}
