import { type ClassType, Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../domain/context';
import { Asset } from '../asset.type';
import { Factory } from '../factory.type';
import { Line } from '../line.type';
import { Product } from '../product.type';
import { Supplier } from '../supplier.type';
import { publishLinked } from '../twin.events';
import { reload, type TwinClass } from '../twin.resolver';
import {
  BomArgs,
  BomKeys,
  FlowArgs,
  InventoryArgs,
  InventoryKeys,
  ProductionArgs,
  ProductionKeys,
  SupplyArgs,
  SupplyKeys,
} from './relationship.args';
import {
  type RelationshipShape,
  type RelSection,
  removeRelationship,
  setRelationship,
} from './service';

/**
 * A relationship the API sets and removes (domain.md §1), declared once: `set<name>` creates it or
 * changes its properties, `remove<name>` deletes it; both return the twin at its start.
 */
export interface RelationshipSpec extends RelationshipShape {
  section: RelSection;
  name: string;
  /** The arguments of `set<name>`: the ends and the relationship's properties. */
  args: ClassType<object>;
  /** The arguments of `remove<name>`: the ends. */
  keys: ClassType<object>;
  /** The GraphQL type of the start twin, which both mutations return. */
  returns: TwinClass<object>;
  /** How descriptions name one relationship: `the flow`. */
  noun: string;
  describe: string;
}

export const RELATIONSHIPS: readonly RelationshipSpec[] = [
  {
    section: 'flows',
    name: 'Flow',
    noun: 'the flow',
    rel: 'FEEDS',
    from: { key: 'from', kind: 'Asset' },
    to: { key: 'to', kind: 'Asset' },
    args: FlowArgs,
    keys: FlowArgs,
    returns: Asset,
    describe: 'Material flows from one station to the next (same line, no cycle).',
    missing: (k) => `no flow from asset "${k['from']}" to "${k['to']}"`,
  },
  {
    section: 'bom',
    name: 'BomEntry',
    noun: 'the BOM entry',
    rel: 'REQUIRES',
    from: { key: 'parentId', kind: 'Product' },
    to: { key: 'componentId', kind: 'Product' },
    args: BomArgs,
    keys: BomKeys,
    returns: Product,
    describe: 'One unit of the parent needs `quantity` units of the component (no cycle).',
    missing: (k) => `product "${k['parentId']}" does not require "${k['componentId']}"`,
  },
  {
    section: 'production',
    name: 'Production',
    noun: "the line's production of the product",
    rel: 'PRODUCES',
    from: { key: 'lineId', kind: 'Line' },
    to: { key: 'productId', kind: 'Product' },
    args: ProductionArgs,
    keys: ProductionKeys,
    returns: Line,
    describe: 'The line makes the product at a nominal rate.',
    missing: (k) => `line "${k['lineId']}" does not produce "${k['productId']}"`,
  },
  {
    section: 'supplies',
    name: 'Supply',
    noun: 'the supply',
    rel: 'SUPPLIES',
    from: { key: 'supplierId', kind: 'Supplier' },
    to: { key: 'productId', kind: 'Product' },
    args: SupplyArgs,
    keys: SupplyKeys,
    returns: Supplier,
    describe: 'The supplier can deliver the product, with its terms.',
    missing: (k) => `supplier "${k['supplierId']}" does not supply "${k['productId']}"`,
  },
  {
    section: 'inventory',
    name: 'Inventory',
    noun: 'the stock entry',
    rel: 'STOCKS',
    from: { key: 'factoryId', kind: 'Factory' },
    to: { key: 'productId', kind: 'Product' },
    args: InventoryArgs,
    keys: InventoryKeys,
    returns: Factory,
    describe: 'Stock of a product on hand at the factory.',
    missing: (k) => `factory "${k['factoryId']}" holds no stock of "${k['productId']}"`,
  },
];

type ResolverClass = abstract new () => object;

interface Ends {
  from: string;
  to: string;
  /** The ends under their argument names, e.g. `{ parentId, componentId }`. */
  keys: Record<string, string>;
}

/** The twins a relationship's arguments name. */
function ends(spec: RelationshipSpec, args: object): Ends {
  const given: Record<string, unknown> = { ...args };
  const from = String(given[spec.from.key]);
  const to = String(given[spec.to.key]);
  return { from, to, keys: { [spec.from.key]: from, [spec.to.key]: to } };
}

/**
 * Adds a relationship's two mutations to a resolver class (a mixin: each relationship's methods
 * carry its own names, so they can share one resolver class). Both publish twinsChanged for the
 * twins at the two ends, whose relationship fields changed.
 */
function withRelationship(Base: ResolverClass, spec: RelationshipSpec): ResolverClass {
  const set = `set${spec.name}`;
  const remove = `remove${spec.name}`;
  const changed = (ctx: Context, { from, to }: Ends) =>
    publishLinked(ctx.events, [
      { kind: spec.from.kind, id: from },
      { kind: spec.to.kind, id: to },
    ]);

  @Resolver()
  abstract class RelationshipResolver extends Base {
    @Mutation(() => spec.returns, { name: set, description: spec.describe })
    async [set](@Args(() => spec.args) args: object, @Ctx() ctx: Context): Promise<object> {
      const named = ends(spec, args);
      await setRelationship(ctx.graph, spec.section, args);
      changed(ctx, named);
      return reload(ctx, spec.from.kind, spec.returns, named.from);
    }

    @Mutation(() => spec.returns, {
      name: remove,
      description: `Removes ${spec.noun}; NOT_FOUND if there is none.`,
    })
    async [remove](@Args(() => spec.keys) args: object, @Ctx() ctx: Context): Promise<object> {
      const named = ends(spec, args);
      await removeRelationship(ctx.graph, spec, named.keys);
      changed(ctx, named);
      return reload(ctx, spec.from.kind, spec.returns, named.from);
    }
  }
  return RelationshipResolver;
}

abstract class NoRelationships {}

/** `set<Relationship>` and `remove<Relationship>` for every relationship of RELATIONSHIPS. */
@Resolver()
export class TwinMutationResolver extends RELATIONSHIPS.reduce(withRelationship, NoRelationships) {}
