import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { FactoryResolver } from '../twins/factory.resolver';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [FactoryResolver];

/** The one schema of the API; `npm run schema:emit` writes it to graph-schema/schema.graphql. */
export async function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    validate: false,
    emitSchemaFile: false,
  });
}
