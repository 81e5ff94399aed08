import { buildSchema, parse } from 'graphql';
import { JitCache } from './jit';

const schema = buildSchema(`type Query { hello(name: String): String }`);

describe('JitCache', () => {
  it('when a document runs, then it is compiled on its second run and kept; another document or operation counts apart', () => {
    const cache = new JitCache(schema);
    const doc = parse('query A { hello } query B { hello(name: "b") }');
    expect(cache.compiled(doc, 'A')).toBeNull();
    const a = cache.compiled(doc, 'A');
    expect(a).not.toBeNull();
    expect(cache.compiled(doc, 'A')).toBe(a);
    expect(cache.compiled(doc, 'B')).toBeNull();
    expect(cache.compiled(parse('query A { hello }'), 'A')).toBeNull();
    expect(cache.stats.compiled).toBe(1);
  });

  it('when a document cannot be compiled, then it runs on graphql-js for good and is not tried again', () => {
    const cache = new JitCache(schema, 1);
    // valid syntax, but no such operation: graphql-jit answers with errors, not a query
    const doc = parse('query A { hello }');
    expect(cache.compiled(doc, 'Missing')).toBeNull();
    expect(cache.compiled(doc, 'Missing')).toBeNull();
    expect(cache.stats.compiled).toBe(0);
  });

  it('when a compiled document runs, then it answers as graphql-js would', async () => {
    const resolvers = buildSchema(`type Query { hello(name: String): String }`);
    const field = resolvers.getQueryType()?.getFields()['hello'];
    if (!field) throw new Error('no hello field');
    field.resolve = (_root, args: { name?: string }) => `hello ${args.name ?? 'world'}`;
    const cache = new JitCache(resolvers, 1);
    const compiled = cache.compiled(
      parse('query Q($n: String) { hello(name: $n) plain: hello }'),
      null,
    );
    expect(await compiled?.query(undefined, {}, { n: 'plant' })).toEqual({
      data: { hello: 'hello plant', plain: 'hello world' },
    });
  });
  it('when more documents are compiled than the cache keeps, then the least recently run goes back to graphql-js until it runs twice again', () => {
    const cache = new JitCache(schema, 2, 2);
    const [a, b, c] = ['{ hello }', '{ hello(name: "b") }', '{ hello(name: "c") }'].map((q) =>
      parse(q),
    );
    if (!a || !b || !c) throw new Error('three documents');
    const twice = (doc: typeof a) => [cache.compiled(doc, null), cache.compiled(doc, null)];
    expect(twice(a)[1]).not.toBeNull();
    expect(twice(b)[1]).not.toBeNull();
    expect(cache.compiled(a, null)).not.toBeNull(); // a was run last: b is now the oldest
    expect(twice(c)[1]).not.toBeNull(); // the third compiled: b goes
    expect(cache.compiled(a, null)).not.toBeNull();
    expect(cache.compiled(b, null)).toBeNull();
    expect(cache.compiled(b, null)).not.toBeNull(); // compiled again on its second run
    expect(cache.stats.compiled).toBe(4);
  });
});
