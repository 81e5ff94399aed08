import {
  Arg,
  Ctx,
  Field,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
} from 'type-graphql';
import type { Context } from '../domain/context';
import { badInput, notFound } from '../errors';
import { createKey, keyProblems, listKeys, revokeKey, type KeyRecord } from './key.store';
import { ROLES, type Role } from '../domain/principal';

@ObjectType({
  description: 'An API key (its secret is never shown again after creation).',
  simpleResolvers: true,
})
export class ApiKey {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'viewer, operator, analyst or admin.' }) role!: string;
  @Field(() => [ID], {
    nullable: true,
    description: 'The factories the key may see; null: every factory.',
  })
  factoryIds!: string[] | null;
  @Field() createdAt!: string;
  @Field(() => String, { nullable: true }) createdBy!: string | null;
  @Field(() => String, { nullable: true }) revokedAt!: string | null;
  @Field(() => String, { nullable: true }) revokedBy!: string | null;
  @Field(() => String, { nullable: true, description: 'Within a minute.' })
  lastUsedAt!: string | null;

  static from(r: KeyRecord): ApiKey {
    return Object.assign(new ApiKey(), r);
  }
}

@ObjectType({
  description: 'A new API key: `key` is shown here once and never stored.',
  simpleResolvers: true,
})
class CreatedApiKey {
  @Field({ description: 'The credential: send it as `Authorization: Bearer <key>`.' })
  key!: string;
  @Field(() => ApiKey) apiKey!: ApiKey;
}

@ObjectType({ description: 'Who the request acts for.', simpleResolvers: true })
class Me {
  @Field(() => ID) keyId!: string;
  @Field() name!: string;
  @Field() role!: string;
  @Field(() => [ID], { nullable: true }) factoryIds!: string[] | null;
}

@InputType()
class ApiKeyInput {
  @Field({ description: 'Who uses the key (a person, a partner system).' }) name!: string;
  @Field({ description: `One of ${ROLES.join(', ')}.` }) role!: string;
  @Field(() => [ID], {
    nullable: true,
    description: 'The factories the key may see (leave out for every factory).',
  })
  factoryIds?: string[] | null;
}

const isRole = (v: string): v is Role => (ROLES as readonly string[]).includes(v);

/** Who may call what is in auth/policy.ts (apiKeys, createApiKey and revokeApiKey: admin). */
@Resolver()
export class AuthResolver {
  @Query(() => Me, { description: 'The credential of this request: its role and scope.' })
  me(@Ctx() ctx: Context): Me {
    const p = ctx.principal;
    return Object.assign(new Me(), {
      keyId: p.keyId,
      name: p.name,
      role: p.role,
      factoryIds: p.factoryIds ? [...p.factoryIds] : null,
    });
  }

  @Query(() => [ApiKey], { description: 'API keys, oldest first (admin).' })
  async apiKeys(
    @Arg('revoked', () => Boolean, { defaultValue: false, description: 'Include revoked keys.' })
    revoked: boolean,
    @Ctx() ctx: Context,
  ): Promise<ApiKey[]> {
    return (await listKeys(ctx.graph, revoked)).map(ApiKey.from);
  }

  @Mutation(() => CreatedApiKey, {
    description: 'A new API key (admin); keep `key`: it is shown once.',
  })
  async createApiKey(
    @Arg('input', () => ApiKeyInput) input: ApiKeyInput,
    @Ctx() ctx: Context,
  ): Promise<CreatedApiKey> {
    const problems = await keyProblems(ctx.graph, input);
    if (problems.length > 0 || !isRole(input.role)) {
      throw badInput(
        `the API key is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
        problems,
      );
    }
    const made = await createKey(
      ctx.graph,
      { ...input, role: input.role },
      `${ctx.principal.name} (${ctx.principal.keyId})`,
    );
    return Object.assign(new CreatedApiKey(), { key: made.key, apiKey: ApiKey.from(made.record) });
  }

  @Mutation(() => ApiKey, {
    description:
      'Revokes an API key (admin): its requests fail at once and its open subscriptions end within a second.',
  })
  async revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ApiKey> {
    const record = await revokeKey(ctx.graph, id, `${ctx.principal.name} (${ctx.principal.keyId})`);
    if (!record) throw notFound('ApiKey', id);
    return ApiKey.from(record);
  }
}
