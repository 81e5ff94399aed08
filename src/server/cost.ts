import {
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  type GraphQLField,
  type GraphQLNamedType,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { TwinError } from '../errors';

/** Arguments that set how many items a field returns: they multiply the cost of what it holds. */
export const PAGE_SIZE_ARGS = ['first', 'last', 'limit'] as const;

export interface CostOptions {
  maxCost: number;
  /** The operation's variables: a page size passed as `$first` counts with its value. */
  variables?: Readonly<Record<string, unknown>> | null | undefined;
  /** The page size of a paged field whose `first` is absent and has no default (the server's 50). */
  defaultPageSize: number;
  /** How many items a list field without a page size (`lines`, `assets`) is assumed to hold. */
  listSize: number;
}

/**
 * The estimated cost of each operation of a document, refused above `maxCost` with code
 * QUERY_TOO_COMPLEX (extensions `limit: "cost"`, `max`, `found`). Written by hand because GraphQL
 * Armor's cost rule multiplies only by a literal `first` (a `$first` variable or an absent `first`
 * counts 1) and knows no types. The formula (docs/security.md, "How cost is computed"):
 *
 * - a leaf field (scalar, enum, or a list of them) costs 1; `__typename` and introspection 0;
 * - an object field costs `m × (1 + cost of its selection)`, where `m` is its page size (`first`,
 *   `last` or `limit`: the literal, the variable's value, its default, the argument's default, or
 *   `defaultPageSize`), else `listSize` for a list, else 1;
 * - a list directly inside a paged object (a connection's `edges`) is the page itself: `m = 1`;
 * - fragments cost what their selection costs where they are spread (computed once per fragment);
 *   inline fragments of several types all count (an upper bound).
 *
 * It needs the variables, so Apollo runs it per request once the operation is resolved, and
 * graphql-ws at each subscribe (src/server/limits.ts); unit tests in cost.test.ts.
 */
export function costLimitRule(options: CostOptions): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation: OperationDefinitionNode) {
      const found = operationCost(context, operation, options);
      if (found > options.maxCost) {
        context.reportError(
          new TwinError(
            'QUERY_TOO_COMPLEX',
            `The operation's estimated cost is ${Math.ceil(found)}, over the limit of ${options.maxCost}: ` +
              'ask for smaller pages (`first`), fewer nested lists, or split it (docs/security.md)',
            { limit: 'cost', max: options.maxCost, found: Math.ceil(found) },
          ),
        );
      }
      return false;
    },
  });
}

/** The cost of one operation as `costLimitRule` counts it (exported for tests and tools). */
export function operationCost(
  context: ValidationContext,
  operation: OperationDefinitionNode,
  options: Omit<CostOptions, 'maxCost'>,
): number {
  const schema = context.getSchema();
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return 0;

  const variableDefaults = new Map<string, ValueNode>();
  for (const def of operation.variableDefinitions ?? []) {
    if (def.defaultValue) variableDefaults.set(def.variable.name.value, def.defaultValue);
  }
  const fragmentCosts = new Map<string, number>();
  const inProgress = new Set<string>();

  const pageSize = (node: FieldNode, def: GraphQLField<unknown, unknown>): number | undefined => {
    const arg = def.args.find((a) => (PAGE_SIZE_ARGS as readonly string[]).includes(a.name));
    if (!arg) return undefined;
    const given = node.arguments?.find((a) => a.name.value === arg.name)?.value;
    const fromNode = (value: ValueNode | undefined): number | undefined => {
      if (!value) return undefined;
      if (value.kind === Kind.INT) return Number(value.value);
      if (value.kind === Kind.VARIABLE) {
        const v = options.variables?.[value.name.value];
        if (typeof v === 'number') return v;
        if (v === undefined) return fromNode(variableDefaults.get(value.name.value));
      }
      return undefined;
    };
    const n =
      fromNode(given) ??
      (typeof arg.defaultValue === 'number' ? arg.defaultValue : options.defaultPageSize);
    return Number.isFinite(n) ? Math.max(1, n) : options.defaultPageSize;
  };

  const selectionCost = (
    type: GraphQLNamedType,
    set: SelectionSetNode,
    insidePage: boolean,
  ): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(type, selection, insidePage);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : type;
        if (on) total += selectionCost(on, selection.selectionSet, insidePage);
      } else {
        total += fragmentCost(context.getFragment(selection.name.value), insidePage);
      }
    }
    return total;
  };

  const fragmentCost = (
    fragment: FragmentDefinitionNode | null | undefined,
    insidePage: boolean,
  ) => {
    if (!fragment) return 0;
    const key = `${fragment.name.value}:${insidePage}`;
    const known = fragmentCosts.get(key);
    if (known !== undefined) return known;
    if (inProgress.has(key)) return 0; // a cycle: NoFragmentCyclesRule reports it
    inProgress.add(key);
    const on = schema.getType(fragment.typeCondition.name.value);
    const cost = on ? selectionCost(on, fragment.selectionSet, insidePage) : 0;
    inProgress.delete(key);
    fragmentCosts.set(key, cost);
    return cost;
  };

  const fieldCost = (parent: GraphQLNamedType, node: FieldNode, insidePage: boolean): number => {
    const name = node.name.value;
    if (name.startsWith('__')) return 0;
    if (!isObjectType(parent) && !isInterfaceType(parent)) return 0;
    const def = parent.getFields()[name];
    if (!def) return 0; // FieldsOnCorrectTypeRule reports it
    const type = getNamedType(def.type);
    if (isLeafType(type) || !node.selectionSet) return 1;
    if (!isCompositeType(type)) return 1;
    const isList = isListType(getNullableType(def.type));
    const page = pageSize(node, def);
    const multiplier = page !== undefined ? page : isList ? (insidePage ? 1 : options.listSize) : 1;
    // a paged object (a connection) holds its page in a list child (`edges`)
    const childrenInsidePage = page !== undefined && !isList;
    return multiplier * (1 + selectionCost(type, node.selectionSet, childrenInsidePage));
  };

  return selectionCost(root, operation.selectionSet, false);
}
