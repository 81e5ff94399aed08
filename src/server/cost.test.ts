import { buildSchema, parse, validate } from 'graphql';
import { costLimitRule, type CostOptions } from './cost';

const schema = buildSchema(`
  type Query {
    factories(first: Int, after: String): FactoryConnection!
    factory(id: ID!): Factory
    history(limit: Int! = 100): [Reading!]!
    tags: [String!]!
  }
  type Subscription { readings: Reading! }
  type FactoryConnection { edges: [FactoryEdge!]! totalCount: Int! pageInfo: PageInfo! }
  type FactoryEdge { cursor: String! node: Factory! }
  type PageInfo { hasNextPage: Boolean! }
  type Factory { id: ID! name: String! lines: [Line!]! }
  type Line { id: ID! factory: Factory! assets: [Asset!]! }
  type Asset { id: ID! }
  type Reading { value: Float! }
`);

const options: CostOptions = { maxCost: 5000, defaultPageSize: 50, listSize: 10 };

/** The cost the rule found, or 0 when it let the operation through. */
function costOf(query: string, extra: Partial<CostOptions> = {}): number {
  const errors = validate(schema, parse(query), [
    costLimitRule({ ...options, ...extra, maxCost: 0 }),
  ]);
  return Number(errors[0]?.extensions['found'] ?? 0);
}

describe('costLimitRule', () => {
  it('when a field is a leaf, then it costs 1, and __typename costs nothing', () => {
    expect(costOf('{ tags __typename }')).toBe(1);
  });

  it('when a connection has a literal first, then it multiplies the whole page and edges count once', () => {
    // 10 × (1 + totalCount 1 + edges 1 × (1 + node 1 × (1 + id 1)))
    expect(costOf('{ factories(first: 10) { totalCount edges { node { id } } } }')).toBe(
      10 * (1 + 1 + (1 + (1 + 1))),
    );
  });

  it('when first comes from a variable, then its value counts, else its default, else the default page size', () => {
    const q = 'query Q($n: Int) { factories(first: $n) { edges { node { id } } } }';
    expect(costOf(q, { variables: { n: 400 } })).toBe(400 * (1 + (1 + (1 + 1))));
    expect(costOf(q.replace('$n: Int', '$n: Int = 7'))).toBe(7 * 4);
    expect(costOf(q)).toBe(50 * 4);
    expect(costOf('{ factories { edges { node { id } } } }')).toBe(50 * 4);
  });

  it("when a list has a page-size argument's default, then the default multiplies it", () => {
    expect(costOf('{ history { value } }')).toBe(100 * 2);
    expect(costOf('{ history(limit: 3) { value } }')).toBe(3 * 2);
  });

  it('when lists without a page size nest, then each multiplies by listSize', () => {
    // factory 1 × (1 + id + lines 10 × (1 + assets 10 × (1 + id)))
    expect(costOf('{ factory(id: "F") { id lines { assets { id } } } }')).toBe(
      1 + 1 + 10 * (1 + 10 * (1 + 1)),
    );
  });

  it('when fragments and inline fragments select fields, then they cost what they select where spread', () => {
    const viaFragments = costOf(`
      { factory(id: "F") { ...F } }
      fragment F on Factory { id lines { ... on Line { id } } }`);
    expect(viaFragments).toBe(costOf('{ factory(id: "F") { id lines { id } } }'));
  });

  it('when fragments nest 12 times (the hostile probe), then the cost explodes and the operation is refused', () => {
    const levels = 12;
    const fragments = Array.from(
      { length: levels },
      (_, i) =>
        `fragment L${i} on Line { factory { lines { ${i + 1 < levels ? `...L${i + 1}` : 'id'} } } }`,
    ).join('\n');
    const query = `{ factories(first: 500) { edges { node { lines { ...L0 } } } } }\n${fragments}`;
    const errors = validate(schema, parse(query), [costLimitRule(options)]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    expect(Number(errors[0]?.extensions['found'])).toBeGreaterThan(1e12);
  });

  it('when a fragment is spread many times, then it is computed once and every spread counts', () => {
    const spreads = Array.from({ length: 50 }, () => '...F').join(' ');
    expect(costOf(`{ factory(id: "F") { ${spreads} } } fragment F on Factory { id }`)).toBe(1 + 50);
  });

  it('when the cost is at the limit, then the operation passes; one over, it is refused with the figures', () => {
    const q = '{ factories(first: 10) { totalCount edges { node { id } } } }'; // 50
    expect(validate(schema, parse(q), [costLimitRule({ ...options, maxCost: 50 })])).toEqual([]);
    const [error] = validate(schema, parse(q), [costLimitRule({ ...options, maxCost: 49 })]);
    expect(error?.extensions).toEqual({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'cost',
      max: 49,
      found: 50,
    });
    expect(error?.message).toMatch(/estimated cost is 50, over the limit of 49/);
  });

  it('when a subscription selects fields, then it is costed like a query', () => {
    expect(costOf('subscription { readings { value } }')).toBe(2);
  });
});
