import { Arg, Ctx, Field, Float, ID, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { Context } from '../../domain/context';
import { Asset } from '../asset.type';
import { Factory } from '../factory.type';
import { Line } from '../line.type';
import type { TwinLabel } from '../../graph/loaders';
import { Order } from '../order.type';
import { Product } from '../product.type';
import type { Props } from '../../graph/props';
import { Shipment } from '../shipment.type';
import { Supplier } from '../supplier.type';
import {
  AssetInput,
  AssetPatch,
  FactoryInput,
  FactoryPatch,
  LineInput,
  LinePatch,
  OrderInput,
  OrderPatch,
  ProductInput,
  ProductPatch,
  ShipmentInput,
  ShipmentPatch,
  SupplierInput,
  SupplierPatch,
} from './twin.inputs';
import {
  createTwin,
  deleteTwin,
  type RelationshipShape,
  type RelSection,
  removeRelationship,
  setRelationship,
  updateTwin,
} from './service';

const SHAPE: Record<RelSection, RelationshipShape> = {
  flows: {
    rel: 'FEEDS',
    from: { key: 'from', kind: 'Asset' },
    to: { key: 'to', kind: 'Asset' },
    missing: (k) => `no flow from asset "${k['from']}" to "${k['to']}"`,
  },
  bom: {
    rel: 'REQUIRES',
    from: { key: 'parentId', kind: 'Product' },
    to: { key: 'componentId', kind: 'Product' },
    missing: (k) => `product "${k['parentId']}" does not require "${k['componentId']}"`,
  },
  production: {
    rel: 'PRODUCES',
    from: { key: 'lineId', kind: 'Line' },
    to: { key: 'productId', kind: 'Product' },
    missing: (k) => `line "${k['lineId']}" does not produce "${k['productId']}"`,
  },
  supplies: {
    rel: 'SUPPLIES',
    from: { key: 'supplierId', kind: 'Supplier' },
    to: { key: 'productId', kind: 'Product' },
    missing: (k) => `supplier "${k['supplierId']}" does not supply "${k['productId']}"`,
  },
  inventory: {
    rel: 'STOCKS',
    from: { key: 'factoryId', kind: 'Factory' },
    to: { key: 'productId', kind: 'Product' },
    missing: (k) => `factory "${k['factoryId']}" holds no stock of "${k['productId']}"`,
  },
};

@ObjectType({ description: 'A twin named by kind and id.' })
export class TwinRef {
  @Field() kind!: string;
  @Field(() => ID) id!: string;
}

@ObjectType({ description: 'A relationship the deleted twin had.' })
export class TwinLink {
  @Field() type!: string;
  @Field({ description: 'out or in, seen from the deleted twin.' }) direction!: string;
  @Field() kind!: string;
  @Field(() => ID) id!: string;
}

@ObjectType()
export class DeleteResult {
  @Field(() => [TwinRef], { description: 'The twin and, with cascade, its dependents.' })
  deleted!: TwinRef[];

  @Field(() => [TwinLink], { description: 'The links the twin had when it was deleted.' })
  links!: TwinLink[];
}

const CASCADE_DOC =
  'Without cascade a linked twin is kept and the error (CONFLICT) lists its links. With cascade it is ' +
  'deleted with its dependents (factory: lines, assets, metrics, its shipments and orders; line: assets, ' +
  'metrics; asset: metrics; product: shipments and orders of it; supplier: its shipments) and every other link is detached.';

async function reload<T>(
  ctx: Context,
  label: TwinLabel,
  id: string,
  map: (p: Props) => T,
): Promise<T> {
  ctx.loaders.clearAll();
  const props = await ctx.loaders.node(label).load(id);
  if (!props) throw new Error(`${label} "${id}" vanished right after it was written`);
  return map(props);
}

const toDeleteResult = (o: Awaited<ReturnType<typeof deleteTwin>>) =>
  Object.assign(new DeleteResult(), {
    deleted: o.deleted.map((d) => Object.assign(new TwinRef(), d)),
    links: o.links.map((l) => Object.assign(new TwinLink(), l)),
  });

@Resolver()
export class TwinMutationResolver {
  @Mutation(() => Factory, { description: 'Creates a factory; CONFLICT if the id exists.' })
  async createFactory(@Arg('input') input: FactoryInput, @Ctx() ctx: Context): Promise<Factory> {
    return reload(
      ctx,
      'Factory',
      (await createTwin(ctx.graph, 'factories', input)).id,
      Factory.fromProps,
    );
  }

  @Mutation(() => Factory, { description: 'Changes the given fields of a factory.' })
  async updateFactory(
    @Arg('id', () => ID) id: string,
    @Arg('patch') patch: FactoryPatch,
    @Ctx() ctx: Context,
  ): Promise<Factory> {
    return reload(
      ctx,
      'Factory',
      (await updateTwin(ctx.graph, 'factories', id, patch)).id,
      Factory.fromProps,
    );
  }

  @Mutation(() => DeleteResult, { description: `Deletes a factory. ${CASCADE_DOC}` })
  async deleteFactory(
    @Arg('id', () => ID) id: string,
    @Arg('cascade', { defaultValue: false }) cascade: boolean,
    @Ctx() ctx: Context,
  ): Promise<DeleteResult> {
    const result = toDeleteResult(await deleteTwin(ctx.graph, 'factories', id, cascade));
    ctx.events.twinsImported();
    return result;
  }

  @Mutation(() => Line, { description: 'Creates a line in a factory; CONFLICT if the id exists.' })
  async createLine(@Arg('input') input: LineInput, @Ctx() ctx: Context): Promise<Line> {
    return reload(ctx, 'Line', (await createTwin(ctx.graph, 'lines', input)).id, Line.fromProps);
  }

  @Mutation(() => Line, {
    description: 'Changes the given fields of a line (shifts, name, factory).',
  })
  async updateLine(
    @Arg('id', () => ID) id: string,
    @Arg('patch') patch: LinePatch,
    @Ctx() ctx: Context,
  ): Promise<Line> {
    return reload(
      ctx,
      'Line',
      (await updateTwin(ctx.graph, 'lines', id, patch)).id,
      Line.fromProps,
    );
  }

  @Mutation(() => DeleteResult, { description: `Deletes a line. ${CASCADE_DOC}` })
  async deleteLine(
    @Arg('id', () => ID) id: string,
    @Arg('cascade', { defaultValue: false }) cascade: boolean,
    @Ctx() ctx: Context,
  ): Promise<DeleteResult> {
    const result = toDeleteResult(await deleteTwin(ctx.graph, 'lines', id, cascade));
    ctx.events.twinsImported();
    return result;
  }

  @Mutation(() => Asset, { description: 'Creates an asset on a line, with its metrics.' })
  async createAsset(@Arg('input') input: AssetInput, @Ctx() ctx: Context): Promise<Asset> {
    const asset = await reload(
      ctx,
      'Asset',
      (await createTwin(ctx.graph, 'assets', input)).id,
      Asset.fromProps,
    );
    ctx.events.assetStatusChanged({
      assetId: asset.id,
      previousStatus: null,
      status: asset.status,
      reason: null,
    });
    return asset;
  }

  @Mutation(() => Asset, {
    description: 'Changes the given fields of an asset; metrics given are added or redefined.',
  })
  async updateAsset(
    @Arg('id', () => ID) id: string,
    @Arg('patch') patch: AssetPatch,
    @Ctx() ctx: Context,
  ): Promise<Asset> {
    const before = await ctx.loaders.node('Asset').load(id);
    const asset = await reload(
      ctx,
      'Asset',
      (await updateTwin(ctx.graph, 'assets', id, patch)).id,
      Asset.fromProps,
    );
    // every instance refreshes its telemetry cache; a status change reaches assetStatusChanged
    ctx.events.assetStatusChanged({
      assetId: id,
      previousStatus: typeof before?.['status'] === 'string' ? before['status'] : null,
      status: asset.status,
      reason: 'changed through the API',
    });
    return asset;
  }

  @Mutation(() => DeleteResult, { description: `Deletes an asset. ${CASCADE_DOC}` })
  async deleteAsset(
    @Arg('id', () => ID) id: string,
    @Arg('cascade', { defaultValue: false }) cascade: boolean,
    @Ctx() ctx: Context,
  ): Promise<DeleteResult> {
    const result = toDeleteResult(await deleteTwin(ctx.graph, 'assets', id, cascade));
    ctx.events.twinsImported();
    return result;
  }

  @Mutation(() => Product, { description: 'Creates a product.' })
  async createProduct(@Arg('input') input: ProductInput, @Ctx() ctx: Context): Promise<Product> {
    return reload(
      ctx,
      'Product',
      (await createTwin(ctx.graph, 'products', input)).id,
      Product.fromProps,
    );
  }

  @Mutation(() => Product)
  async updateProduct(
    @Arg('id', () => ID) id: string,
    @Arg('patch') patch: ProductPatch,
    @Ctx() ctx: Context,
  ): Promise<Product> {
    return reload(
      ctx,
      'Product',
      (await updateTwin(ctx.graph, 'products', id, patch)).id,
      Product.fromProps,
    );
  }

  @Mutation(() => DeleteResult, { description: `Deletes a product. ${CASCADE_DOC}` })
  async deleteProduct(
    @Arg('id', () => ID) id: string,
    @Arg('cascade', { defaultValue: false }) cascade: boolean,
    @Ctx() ctx: Context,
  ): Promise<DeleteResult> {
    return toDeleteResult(await deleteTwin(ctx.graph, 'products', id, cascade));
  }

  @Mutation(() => Supplier)
  async createSupplier(@Arg('input') input: SupplierInput, @Ctx() ctx: Context): Promise<Supplier> {
    return reload(
      ctx,
      'Supplier',
      (await createTwin(ctx.graph, 'suppliers', input)).id,
      Supplier.fromProps,
    );
  }

  @Mutation(() => Supplier)
  async updateSupplier(
    @Arg('id', () => ID) id: string,
    @Arg('patch') patch: SupplierPatch,
    @Ctx() ctx: Context,
  ): Promise<Supplier> {
    return reload(
      ctx,
      'Supplier',
      (await updateTwin(ctx.graph, 'suppliers', id, patch)).id,
      Supplier.fromProps,
    );
  }

  @Mutation(() => DeleteResult, { description: `Deletes a supplier. ${CASCADE_DOC}` })
  async deleteSupplier(
    @Arg('id', () => ID) id: string,
    @Arg('cascade', { defaultValue: false }) cascade: boolean,
    @Ctx() ctx: Context,
  ): Promise<DeleteResult> {
    return toDeleteResult(await deleteTwin(ctx.graph, 'suppliers', id, cascade));
  }

  @Mutation(() => Shipment)
  async createShipment(@Arg('input') input: ShipmentInput, @Ctx() ctx: Context): Promise<Shipment> {
    return reload(
      ctx,
      'Shipment',
      (await createTwin(ctx.graph, 'shipments', input)).id,
      Shipment.fromProps,
    );
  }

  @Mutation(() => Shipment, {
    description: 'Changes the given fields of a shipment (status, eta, ...).',
  })
  async updateShipment(
    @Arg('id', () => ID) id: string,
    @Arg('patch') patch: ShipmentPatch,
    @Ctx() ctx: Context,
  ): Promise<Shipment> {
    return reload(
      ctx,
      'Shipment',
      (await updateTwin(ctx.graph, 'shipments', id, patch)).id,
      Shipment.fromProps,
    );
  }

  @Mutation(() => DeleteResult, { description: `Deletes a shipment. ${CASCADE_DOC}` })
  async deleteShipment(
    @Arg('id', () => ID) id: string,
    @Arg('cascade', { defaultValue: false }) cascade: boolean,
    @Ctx() ctx: Context,
  ): Promise<DeleteResult> {
    return toDeleteResult(await deleteTwin(ctx.graph, 'shipments', id, cascade));
  }

  @Mutation(() => Order)
  async createOrder(@Arg('input') input: OrderInput, @Ctx() ctx: Context): Promise<Order> {
    return reload(ctx, 'Order', (await createTwin(ctx.graph, 'orders', input)).id, Order.fromProps);
  }

  @Mutation(() => Order)
  async updateOrder(
    @Arg('id', () => ID) id: string,
    @Arg('patch') patch: OrderPatch,
    @Ctx() ctx: Context,
  ): Promise<Order> {
    return reload(
      ctx,
      'Order',
      (await updateTwin(ctx.graph, 'orders', id, patch)).id,
      Order.fromProps,
    );
  }

  @Mutation(() => DeleteResult, { description: `Deletes an order. ${CASCADE_DOC}` })
  async deleteOrder(
    @Arg('id', () => ID) id: string,
    @Arg('cascade', { defaultValue: false }) cascade: boolean,
    @Ctx() ctx: Context,
  ): Promise<DeleteResult> {
    return toDeleteResult(await deleteTwin(ctx.graph, 'orders', id, cascade));
  }

  // Relationships: set (create or change properties) and remove. Each returns the twin it starts from.

  @Mutation(() => Asset, {
    description: 'Material flows from one station to the next (same line, no cycle).',
  })
  async setFlow(
    @Arg('from', () => ID) from: string,
    @Arg('to', () => ID) to: string,
    @Ctx() ctx: Context,
  ): Promise<Asset> {
    await setRelationship(ctx.graph, 'flows', { from, to });
    return reload(ctx, 'Asset', from, Asset.fromProps);
  }

  @Mutation(() => Asset)
  async removeFlow(
    @Arg('from', () => ID) from: string,
    @Arg('to', () => ID) to: string,
    @Ctx() ctx: Context,
  ): Promise<Asset> {
    await removeRelationship(ctx.graph, SHAPE.flows, { from, to });
    return reload(ctx, 'Asset', from, Asset.fromProps);
  }

  @Mutation(() => Product, {
    description: 'One unit of the parent needs `quantity` units of the component (no cycle).',
  })
  async setBomEntry(
    @Arg('parentId', () => ID) parentId: string,
    @Arg('componentId', () => ID) componentId: string,
    @Arg('quantity', () => Float) quantity: number,
    @Ctx() ctx: Context,
  ): Promise<Product> {
    await setRelationship(ctx.graph, 'bom', { parentId, componentId, quantity });
    return reload(ctx, 'Product', parentId, Product.fromProps);
  }

  @Mutation(() => Product)
  async removeBomEntry(
    @Arg('parentId', () => ID) parentId: string,
    @Arg('componentId', () => ID) componentId: string,
    @Ctx() ctx: Context,
  ): Promise<Product> {
    await removeRelationship(ctx.graph, SHAPE.bom, { parentId, componentId });
    return reload(ctx, 'Product', parentId, Product.fromProps);
  }

  @Mutation(() => Line, { description: 'The line makes the product at a nominal rate.' })
  async setProduction(
    @Arg('lineId', () => ID) lineId: string,
    @Arg('productId', () => ID) productId: string,
    @Arg('ratePerHour', () => Float) ratePerHour: number,
    @Ctx() ctx: Context,
  ): Promise<Line> {
    await setRelationship(ctx.graph, 'production', { lineId, productId, ratePerHour });
    return reload(ctx, 'Line', lineId, Line.fromProps);
  }

  @Mutation(() => Line)
  async removeProduction(
    @Arg('lineId', () => ID) lineId: string,
    @Arg('productId', () => ID) productId: string,
    @Ctx() ctx: Context,
  ): Promise<Line> {
    await removeRelationship(ctx.graph, SHAPE.production, { lineId, productId });
    return reload(ctx, 'Line', lineId, Line.fromProps);
  }

  @Mutation(() => Supplier, {
    description: 'The supplier can deliver the product, with its terms.',
  })
  async setSupply(
    @Arg('supplierId', () => ID) supplierId: string,
    @Arg('productId', () => ID) productId: string,
    @Arg('leadTimeDays', () => Float, { nullable: true }) leadTimeDays: number | null,
    @Arg('unitCost', () => Float, { nullable: true }) unitCost: number | null,
    @Ctx() ctx: Context,
  ): Promise<Supplier> {
    await setRelationship(ctx.graph, 'supplies', { supplierId, productId, leadTimeDays, unitCost });
    return reload(ctx, 'Supplier', supplierId, Supplier.fromProps);
  }

  @Mutation(() => Supplier)
  async removeSupply(
    @Arg('supplierId', () => ID) supplierId: string,
    @Arg('productId', () => ID) productId: string,
    @Ctx() ctx: Context,
  ): Promise<Supplier> {
    await removeRelationship(ctx.graph, SHAPE.supplies, { supplierId, productId });
    return reload(ctx, 'Supplier', supplierId, Supplier.fromProps);
  }

  @Mutation(() => Factory, { description: 'Stock of a product on hand at the factory.' })
  async setInventory(
    @Arg('factoryId', () => ID) factoryId: string,
    @Arg('productId', () => ID) productId: string,
    @Arg('quantity', () => Float) quantity: number,
    @Arg('safetyStock', () => Float, { nullable: true }) safetyStock: number | null,
    @Ctx() ctx: Context,
  ): Promise<Factory> {
    await setRelationship(ctx.graph, 'inventory', { factoryId, productId, quantity, safetyStock });
    return reload(ctx, 'Factory', factoryId, Factory.fromProps);
  }

  @Mutation(() => Factory)
  async removeInventory(
    @Arg('factoryId', () => ID) factoryId: string,
    @Arg('productId', () => ID) productId: string,
    @Ctx() ctx: Context,
  ): Promise<Factory> {
    await removeRelationship(ctx.graph, SHAPE.inventory, { factoryId, productId });
    return reload(ctx, 'Factory', factoryId, Factory.fromProps);
  }
}
