import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray, type PubSub } from 'type-graphql';
import { createLivePubSub } from './pubsub';
import { AlertResolver } from '../alerts/alerts.resolver';
import { ImpactLineResolver, ImpactResolver } from '../impact/impact.resolver';
import { MetricHistoryResolver, TelemetryResolver } from '../telemetry/telemetry.resolver';
import { AssetResolver } from '../twins/asset.resolver';
import { FactoryResolver } from '../twins/factory.resolver';
import { ImportResolver } from '../twins/import.resolver';
import { LineResolver } from '../twins/line.resolver';
import { TwinMutationResolver } from '../twins/mutations/twin.mutations';
import { OrderResolver } from '../twins/order.resolver';
import { ProductResolver } from '../twins/product.resolver';
import { ShipmentResolver } from '../twins/shipment.resolver';
import { SupplierResolver } from '../twins/supplier.resolver';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  FactoryResolver,
  LineResolver,
  AssetResolver,
  ProductResolver,
  SupplierResolver,
  ShipmentResolver,
  OrderResolver,
  ImportResolver,
  TwinMutationResolver,
  TelemetryResolver,
  MetricHistoryResolver,
  AlertResolver,
  ImpactResolver,
  ImpactLineResolver,
];

/** The one schema of the API; `npm run schema:emit` writes it to graph-schema/schema.graphql. */
export async function createSchema(pubSub: PubSub = createLivePubSub()): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    pubSub,
    validate: false,
    emitSchemaFile: false,
  });
}
