import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType, type NonEmptyArray, type PubSub } from 'type-graphql';
import { createLivePubSub } from './pubsub';
import { AlertResolver } from '../alerts/alerts.resolver';
import { AlertRuleResolver } from '../alerts/rules.resolver';
import { AuthResolver } from '../auth/auth.resolver';
import {
  AlertDeliveriesResolver,
  AlertDeliveryResolver,
} from '../alerts/webhooks/delivery.resolver';
import {
  AssetTimelineResolver,
  IdleStretchResolver,
  LineTimelineResolver,
} from '../alerts/timeline/timeline.resolver';
import { ImpactLineResolver, ImpactResolver } from '../impact/impact.resolver';
import { RiskComponentResolver, RiskResolver } from '../simulation/risk.resolver';
import { ScenarioResolver, SimulationProgressResolver } from '../simulation/scenario.resolver';
import {
  InventoryRowResolver,
  LateOrderResolver,
  ProductionRowResolver,
  SeriesRowResolver,
  SimulationResolver,
  type SimulationServices,
  StockoutResolver,
} from '../simulation/simulation.resolver';
import { MetricRollupResolver } from '../telemetry/rollup.resolver';
import { BackfillResolver } from '../telemetry/backfill/backfill.resolver';
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
  MetricRollupResolver,
  BackfillResolver,
  AuthResolver,
  AlertRuleResolver,
  AlertResolver,
  AlertDeliveryResolver,
  AlertDeliveriesResolver,
  ImpactResolver,
  ImpactLineResolver,
  SimulationResolver,
  InventoryRowResolver,
  ProductionRowResolver,
  StockoutResolver,
  LateOrderResolver,
  SeriesRowResolver,
  ScenarioResolver,
  SimulationProgressResolver,
  RiskResolver,
  RiskComponentResolver,
  AssetTimelineResolver,
  LineTimelineResolver,
  IdleStretchResolver,
];

/** What the runtime hands to resolvers that need more than the request's context. */
export interface SchemaServices {
  simulation?: SimulationServices;
}

/**
 * The one schema of the API; `npm run schema:emit` writes it to graph-schema/schema.graphql.
 * Without services (schema:emit, tests of the schema) the simulation resolvers have no job runner.
 */
export async function createSchema(
  pubSub: PubSub = createLivePubSub(),
  services: SchemaServices = {},
): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    pubSub,
    container: resolverContainer([
      new SimulationResolver(services.simulation),
      new ScenarioResolver(services.simulation),
    ]),
    validate: false,
    emitSchemaFile: false,
  });
}

/**
 * Resolver instances for this schema: the given ones (built with this runtime's services), any
 * other made once with `new`. Per schema, so two runtimes in one process (tests) keep theirs.
 */
function resolverContainer(given: object[]): ContainerType {
  const instances = new Map<unknown, object>(given.map((r) => [r.constructor, r]));
  return {
    get(resolverClass: new () => object): object {
      let instance = instances.get(resolverClass);
      if (!instance) {
        instance = new resolverClass();
        instances.set(resolverClass, instance);
      }
      return instance;
    },
  };
}
