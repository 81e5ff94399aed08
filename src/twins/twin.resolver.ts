import { Arg, type ClassType, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { allows } from '../domain/principal';
import { notFound, TwinError } from '../errors';
import type { Context } from '../domain/context';
import type { TwinKind } from '../domain/events';
import type { TwinLabel } from '../graph/loaders';
import type { Props } from '../graph/props';
import { isScopedLabel, type ScopedLabel } from '../graph/scope';
import { type Page, pageWindow } from './connection';
import { type ListQuery, listPage } from './list';
import { DeleteResult } from './mutations/delete.type';
import {
  CASCADE,
  createTwin,
  deleteTwin,
  SECTION_LABEL,
  type TwinSection,
  updateTwin,
} from './mutations/service';
import type { PageArgs } from './page.args';
import { publishDelete, publishWrite, type WriteEvent } from './twin.events';

/** A twin's GraphQL object type: a class that is built from the node's properties. */
export type TwinClass<T extends object> = ClassType<T> & { fromProps(props: Props): T };

/**
 * Everything the API needs to know of one kind of twin, declared once (twin.kinds.ts); the
 * `<kind>(id)` query and the create, update and delete mutations are generated from it.
 */
export interface TwinKindSpec<T extends { id: string }, I extends object, P extends object> {
  /** The document section of the kind (domain.md §2); its node label follows (SECTION_LABEL). */
  section: TwinSection;
  /** How descriptions name one twin of the kind: `factory`, `asset`. */
  noun: string;
  type: TwinClass<T>;
  /** The input of `create<Kind>`: the document's row. */
  input: ClassType<I>;
  /** The patch of `update<Kind>`: any of the row's fields but the id. */
  patch: ClassType<P>;
  /** Descriptions of the mutations, where there is more to say than the generated ones. */
  describe?: { create?: string; update?: string };
  /** What a create or update publishes besides twinsChanged (twin.events.ts). */
  events?: readonly WriteEvent[];
}

/** The kind's label; every twin label is also a TwinKind of the change events. */
export function kindOf(spec: { section: TwinSection }): TwinLabel & TwinKind {
  return SECTION_LABEL[spec.section];
}

function scopedLabel(kind: string): ScopedLabel {
  if (!isScopedLabel(kind))
    throw new Error(`${kind} has no rule of factory scope (graph/scope.ts)`);
  return kind;
}

const article = (noun: string) => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Reads the twin again after a write, through fresh loaders, as the mutation's result. */
export async function reload<T extends object>(
  ctx: Context,
  label: TwinLabel,
  type: TwinClass<T>,
  id: string,
): Promise<T> {
  ctx.loaders.clearAll();
  const props = await ctx.loaders.node(label).load(id);
  if (!props) throw new Error(`${label} "${id}" vanished right after it was written`);
  return type.fromProps(props);
}

/**
 * The resolver every kind of twin shares, as an abstract class its own resolver extends (adding
 * its list query and relationship fields): `<kind>(id)`, `create<Kind>(input)`,
 * `update<Kind>(id, patch)` and `delete<Kind>(id, cascade)`. Every successful write publishes
 * twinsChanged for the twins it wrote or deleted, plus the kind's own events.
 * (type-graphql 2 registers only the resolvers passed to buildSchema, so the base class needs no
 * `isAbstract`: its operations appear once, under the subclass.)
 */
export function createTwinResolver<T extends { id: string }, I extends object, P extends object>(
  spec: TwinKindSpec<T, I, P>,
) {
  const { section, noun, type } = spec;
  const kind = kindOf(spec);
  // every kind of twin belongs to a factory or is shared: factory scopes cover it (graph/scope.ts)
  const scoped = scopedLabel(kind);
  const { dependents } = CASCADE[section];
  const cascade = dependents
    ? `With cascade it is deleted with ${dependents}, and every other link is detached.`
    : 'With cascade its links are detached.';

  @Resolver()
  abstract class TwinResolver {
    @Query(() => type, {
      name: lowerFirst(kind),
      nullable: true,
      description: `One ${noun} by id, or null.`,
    })
    async twin(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<T | null> {
      const props = await ctx.loaders.node(kind).load(id);
      return props ? type.fromProps(props) : null;
    }

    @Mutation(() => type, {
      name: `create${kind}`,
      description: spec.describe?.create ?? `Creates ${article(noun)}; CONFLICT if the id exists.`,
    })
    async create(@Arg('input', () => spec.input) input: I, @Ctx() ctx: Context): Promise<T> {
      const write = await createTwin(ctx.graph, section, input);
      publishWrite(ctx.events, kind, write, spec.events);
      return reload(ctx, kind, type, write.id);
    }

    @Mutation(() => type, {
      name: `update${kind}`,
      description:
        spec.describe?.update ??
        `Changes the given fields of ${article(noun)}; NOT_FOUND if there is none.`,
    })
    async update(
      @Arg('id', () => ID) id: string,
      @Arg('patch', () => spec.patch) patch: P,
      @Ctx() ctx: Context,
    ): Promise<T> {
      // an operator may update only a status (docs/security.md, "Roles"); the rest needs admin
      // and a key scoped to factories only the status (moving a twin is structure)
      if (!allows(ctx.principal.role, 'admin') || ctx.principal.factoryIds !== null) {
        const others = Object.entries(patch)
          .filter(([k, v]) => k !== 'status' && v !== undefined)
          .map(([k]) => k);
        if (others.length > 0) {
          throw new TwinError(
            'FORBIDDEN',
            `a ${ctx.principal.factoryIds === null ? '' : 'factory-scoped '}${ctx.principal.role} ` +
              `key may change only the status of ${article(noun)}; changing ` +
              `${others.join(', ')} needs an admin key without a factory scope`,
          );
        }
      }
      // another factory's twin answers exactly like one that does not exist
      if (!(await ctx.scope.sees(scoped, id))) throw notFound(kind, id);
      const write = await updateTwin(ctx.graph, section, id, patch);
      publishWrite(ctx.events, kind, write, spec.events);
      return reload(ctx, kind, type, id);
    }

    @Mutation(() => DeleteResult, {
      name: `delete${kind}`,
      description:
        `Deletes ${article(noun)}. Without cascade a linked ${noun} is kept and the error ` +
        `(CONFLICT) lists its links. ${cascade}`,
    })
    async delete(
      @Arg('id', () => ID) id: string,
      @Arg('cascade', () => Boolean, { defaultValue: false }) cascade: boolean,
      @Ctx() ctx: Context,
    ): Promise<DeleteResult> {
      const outcome = await deleteTwin(ctx.graph, section, id, cascade);
      publishDelete(ctx.events, outcome.deleted);
      ctx.loaders.clearAll();
      return DeleteResult.of(outcome);
    }

    /** One page of the kind's list query: count and page in one round trip, ordered by id. */
    protected async page(
      ctx: Context,
      args: PageArgs,
      query: Omit<ListQuery, 'label'> = { where: [], params: {} },
    ): Promise<Page<T>> {
      // a scoped key counts and pages only what it sees
      const scope = await ctx.scope.where(scoped);
      return listPage(
        ctx.graph,
        {
          label: kind,
          ...query,
          where: [...query.where, ...scope.where],
          params: { ...query.params, ...scope.params },
        },
        pageWindow(args, ctx.config.MAX_PAGE_SIZE),
        type.fromProps,
      );
    }
  }
  return TwinResolver;
}
