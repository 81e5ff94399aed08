import { Arg, Args, ArgsType, Ctx, Field, ID, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../server/context';
import { pageWindow } from './connection';
import { Factory, FactoryConnection } from './factory.type';
import { listPage } from './list';

@ArgsType()
export class FactoryListArgs {
  @Field(() => Int, { nullable: true, description: 'Page size (default 50, at most MAX_PAGE_SIZE).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge already seen.' })
  after?: string | null;

  @Field(() => String, { nullable: true, description: 'Only factories in this country (ISO code).' })
  country?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name or id.' })
  search?: string | null;
}

@Resolver(() => Factory)
export class FactoryResolver {
  @Query(() => Factory, { nullable: true, description: 'One factory by id, or null.' })
  async factory(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Factory | null> {
    const props = await ctx.loaders.node('Factory').load(id);
    return props ? Factory.fromProps(props) : null;
  }

  @Query(() => FactoryConnection, { description: 'Factories ordered by id, a page at a time.' })
  async factories(@Args() args: FactoryListArgs, @Ctx() ctx: Context): Promise<FactoryConnection> {
    const where: string[] = [];
    if (args.country) where.push('n.country = $country');
    if (args.search) where.push('(toLower(n.name) CONTAINS $search OR toLower(n.id) CONTAINS $search)');
    return listPage(
      ctx.graph,
      {
        label: 'Factory',
        where,
        params: { country: args.country ?? null, search: args.search?.toLowerCase() ?? null },
      },
      pageWindow(args, ctx.config.MAX_PAGE_SIZE),
      Factory.fromProps,
    );
  }
}
