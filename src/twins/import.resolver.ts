import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, Field, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../domain/context';
import { exportDocument } from './import/export';
import { importDocument } from './import/service';

@ObjectType({
  description: 'What an import wrote: rows per kind of the document.',
  simpleResolvers: true,
})
export class ImportResult {
  @Field(() => Int) factories!: number;
  @Field(() => Int) lines!: number;
  @Field(() => Int) assets!: number;
  @Field(() => Int) metrics!: number;
  @Field(() => Int) flows!: number;
  @Field(() => Int) products!: number;
  @Field(() => Int) bom!: number;
  @Field(() => Int) production!: number;
  @Field(() => Int) suppliers!: number;
  @Field(() => Int) supplies!: number;
  @Field(() => Int) inventory!: number;
  @Field(() => Int) shipments!: number;
  @Field(() => Int) orders!: number;

  @Field(() => Int, { description: 'Twins (nodes) in the document.' })
  twins!: number;

  @Field(() => Int)
  durationMs!: number;
}

@Resolver()
export class ImportResolver {
  @Mutation(() => ImportResult, {
    description:
      'Imports a twin-graph document (domain.md §2) atomically: an upsert by id, all or nothing. ' +
      'A rejected document fails with BAD_USER_INPUT and extensions.problems [{path, message}].',
  })
  async importTwinGraph(
    @Arg('document', () => GraphQLJSON) document: unknown,
    @Ctx() ctx: Context,
  ): Promise<ImportResult> {
    const summary = await importDocument(ctx.graph, document);
    ctx.loaders.clearAll();
    ctx.events.twinsImported();
    return Object.assign(new ImportResult(), summary.counts, {
      twins: summary.twins,
      durationMs: summary.durationMs,
    });
  }

  @Query(() => GraphQLJSON, {
    description:
      'The whole twin graph as a twin-graph document; importTwinGraph accepts it unchanged.',
  })
  async exportTwinGraph(@Ctx() ctx: Context): Promise<unknown> {
    // a factory scope exports what it sees, as a document that imports on its own
    return exportDocument(ctx.graph, await ctx.scope.visible());
  }
}
