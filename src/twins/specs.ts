import type { RelSpec } from '../graph/loaders';

/** Every relationship field of the API, as a walk the loaders can batch. */
export const REL = {
  factoryLines: { from: 'Factory', rel: 'HAS_LINE', to: 'Line', direction: 'out' },
  factoryInventory: { from: 'Factory', rel: 'STOCKS', to: 'Product', direction: 'out' },
  lineFactory: { from: 'Line', rel: 'HAS_LINE', to: 'Factory', direction: 'in' },
  lineAssets: { from: 'Line', rel: 'HAS_ASSET', to: 'Asset', direction: 'out' },
  lineProducts: { from: 'Line', rel: 'PRODUCES', to: 'Product', direction: 'out' },
  assetLine: { from: 'Asset', rel: 'HAS_ASSET', to: 'Line', direction: 'in' },
  assetMetrics: { from: 'Asset', rel: 'HAS_METRIC', to: 'Metric', direction: 'out' },
  assetFeeds: { from: 'Asset', rel: 'FEEDS', to: 'Asset', direction: 'out' },
  assetFedBy: { from: 'Asset', rel: 'FEEDS', to: 'Asset', direction: 'in' },
  productComponents: { from: 'Product', rel: 'REQUIRES', to: 'Product', direction: 'out' },
  productUsedIn: { from: 'Product', rel: 'REQUIRES', to: 'Product', direction: 'in' },
  productSuppliers: { from: 'Product', rel: 'SUPPLIES', to: 'Supplier', direction: 'in' },
  productProducedBy: { from: 'Product', rel: 'PRODUCES', to: 'Line', direction: 'in' },
  supplierSupplies: { from: 'Supplier', rel: 'SUPPLIES', to: 'Product', direction: 'out' },
  shipmentSupplier: { from: 'Shipment', rel: 'FROM', to: 'Supplier', direction: 'out' },
  shipmentFactory: { from: 'Shipment', rel: 'TO', to: 'Factory', direction: 'out' },
  shipmentProduct: { from: 'Shipment', rel: 'CARRIES', to: 'Product', direction: 'out' },
  orderProduct: { from: 'Order', rel: 'FOR', to: 'Product', direction: 'out' },
  orderFactory: { from: 'Order', rel: 'AT', to: 'Factory', direction: 'out' },
} as const satisfies Record<string, RelSpec>;
