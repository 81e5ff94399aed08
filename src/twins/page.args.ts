import { ArgsType, Field, Int } from 'type-graphql';

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: 'Page size (default 50, at most MAX_PAGE_SIZE).',
  })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge already seen.' })
  after?: string | null;
}

@ArgsType()
export class SearchPageArgs extends PageArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Case-insensitive substring of the name or id.',
  })
  search?: string | null;
}

/** Collects WHERE conditions and their parameters for a list query. */
export class Filters {
  readonly where: string[] = [];
  readonly params: Record<string, unknown> = {};

  eq(property: string, value: string | null | undefined): this {
    if (value !== null && value !== undefined) {
      const name = `p${this.where.length}`;
      this.where.push(`n.${property} = $${name}`);
      this.params[name] = value;
    }
    return this;
  }

  /** Substring match on any of the properties, case-insensitive. */
  search(value: string | null | undefined, properties: string[]): this {
    if (value) {
      const name = `p${this.where.length}`;
      this.where.push(
        `(${properties.map((p) => `toLower(n.${p}) CONTAINS $${name}`).join(' OR ')})`,
      );
      this.params[name] = value.toLowerCase();
    }
    return this;
  }
}
