import { printSchema } from 'graphql';
import { createSchema } from '../../src/server/schema';

describe('the GraphQL schema', () => {
  it('when built from the resolvers, then it has the names clients rely on and no helper types', async () => {
    const sdl = printSchema(await createSchema());
    expect(sdl).toMatch(/factories\(/);
    expect(sdl).toMatch(/type FactoryConnection/);
    expect(sdl).toMatch(/type FactoryEdge/);
    expect(sdl).not.toMatch(/ConnectionType/);
  });
});
