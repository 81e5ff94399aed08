import { Asset } from './asset.type';
import { Factory } from './factory.type';
import { Line } from './line.type';
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
} from './mutations/twin.inputs';
import { Order } from './order.type';
import { Product } from './product.type';
import { Shipment } from './shipment.type';
import { Supplier } from './supplier.type';
import { assetStatusChanged } from './twin.events';
import type { TwinKindSpec } from './twin.resolver';

/*
 * The kinds of twin (domain.md §1), each declared once: its document section, GraphQL type,
 * create input, update patch and the events a write of it publishes. Each kind's resolver
 * extends `createTwinResolver(<kind>)`, which generates `<kind>(id)`, `create<Kind>`,
 * `update<Kind>` and `delete<Kind>` from the declaration.
 */

/** Infers the declaration's type parameters from its classes. */
const twinKind = <T extends { id: string }, I extends object, P extends object>(
  spec: TwinKindSpec<T, I, P>,
) => spec;

export const FACTORY = twinKind({
  section: 'factories',
  noun: 'factory',
  type: Factory,
  input: FactoryInput,
  patch: FactoryPatch,
});

export const LINE = twinKind({
  section: 'lines',
  noun: 'line',
  type: Line,
  input: LineInput,
  patch: LinePatch,
  describe: {
    create: 'Creates a line in a factory; CONFLICT if the id exists.',
    update:
      'Changes the given fields of a line (shifts, name, factory); NOT_FOUND if there is none.',
  },
});

export const ASSET = twinKind({
  section: 'assets',
  noun: 'asset',
  type: Asset,
  input: AssetInput,
  patch: AssetPatch,
  describe: {
    create: 'Creates an asset on a line, with its metrics; CONFLICT if the id exists.',
    update:
      'Changes the given fields of an asset; metrics given are added or redefined. NOT_FOUND if there is none.',
  },
  // status changes reach the assetStatusChanged subscription
  events: [assetStatusChanged],
});

export const PRODUCT = twinKind({
  section: 'products',
  noun: 'product',
  type: Product,
  input: ProductInput,
  patch: ProductPatch,
});

export const SUPPLIER = twinKind({
  section: 'suppliers',
  noun: 'supplier',
  type: Supplier,
  input: SupplierInput,
  patch: SupplierPatch,
});

export const SHIPMENT = twinKind({
  section: 'shipments',
  noun: 'shipment',
  type: Shipment,
  input: ShipmentInput,
  patch: ShipmentPatch,
  describe: {
    update:
      'Changes the given fields of a shipment (status, eta, ...); NOT_FOUND if there is none.',
  },
});

export const ORDER = twinKind({
  section: 'orders',
  noun: 'order',
  type: Order,
  input: OrderInput,
  patch: OrderPatch,
});
