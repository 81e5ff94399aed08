import type { BomInput, ProductInput, SupplierInput, SupplyInput } from '../twins/import/document';
import type { Complete } from './document';
import type { Rng } from '../domain/prng';

/*
 * The shared part of a generated network: one product catalogue with a four-level bill of
 * materials (finished good → sub-assembly → second-level sub-assembly → bought component) and
 * one supply base, used by every factory.
 */

export interface Catalog {
  products: Complete<ProductInput>[];
  bom: Complete<BomInput>[];
  suppliers: Complete<SupplierInput>[];
  supplies: Complete<SupplyInput>[];
  finishedGoods: string[];
  /** Direct components of each product that has any. */
  requires: Map<string, { componentId: string; quantity: number }[]>;
  /** Products that no supplier sells: made in-house. */
  made: Set<string>;
  /** Suppliers of each bought product. */
  sources: Map<string, string[]>;
}

const MATERIALS = ['Steel', 'Aluminium', 'Polyamide', 'Copper', 'Rubber', 'Stainless', 'Zinc'];
const PARTS = [
  'bracket',
  'bolt kit',
  'housing',
  'bushing',
  'clip set',
  'gasket',
  'sensor',
  'motor',
  'hinge',
  'spring',
  'cable',
  'seal',
  'bearing',
  'tube',
  'connector',
  'actuator',
  'sheet (kg)',
  'profile (m)',
];
const SUBASSEMBLIES = [
  'Bracket assembly',
  'Housing assembly',
  'Rail assembly',
  'Actuator unit',
  'Sensor module',
  'Panel assembly',
  'Cross member',
  'Crash box',
  'Cable set',
  'Pump unit',
  'Valve block',
  'Frame weldment',
];
const FINISHED = [
  'Door module',
  'Seat frame',
  'Battery tray',
  'Instrument panel carrier',
  'Front-end module',
  'Tailgate',
  'Sunroof frame',
  'Axle carrier',
  'Cockpit module',
  'Bumper beam',
];
const SUPPLIER_WORDS = [
  'Nord',
  'Alpen',
  'Rhein',
  'Baltic',
  'Pacific',
  'Orion',
  'Delta',
  'Vega',
  'Kestrel',
  'Sakura',
  'Ganges',
  'Andes',
  'Sierra',
  'Danube',
  'Vistula',
  'Mekong',
  'Tasman',
  'Boreal',
];
const SUPPLIER_TRADES = [
  'Metals',
  'Castings',
  'Plastics',
  'Electronics',
  'Fasteners',
  'Coatings',
  'Rubber',
  'Forgings',
  'Stampings',
  'Wire',
  'Bearings',
  'Chemicals',
];
const COUNTRIES = ['DE', 'PL', 'CZ', 'HU', 'IT', 'ES', 'FR', 'MX', 'US', 'CN', 'JP', 'KR', 'IN'];

const money = (x: number) => Math.round(x * 100) / 100;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A catalogue sized for `factories` plants (it grows with them, about 17 products each). */
export function generateCatalog(rng: Rng, factories: number): Catalog {
  const nFinished = 6 + factories;
  const width = Math.max(4, String(4 * nFinished + 20).length);
  const products: Complete<ProductInput>[] = [];
  const bom: Complete<BomInput>[] = [];
  const requires = new Map<string, { componentId: string; quantity: number }[]>();
  const cost = new Map<string, number>();

  const addProduct = (id: string, sku: string, name: string, unitCost: number, markup: number) => {
    products.push({
      id,
      sku,
      name,
      unitCost: money(unitCost),
      unitPrice: money(unitCost * markup),
    });
    cost.set(id, unitCost);
  };
  /** A made product: its cost is its components' plus 15-40 % conversion cost. */
  const addMade = (id: string, sku: string, name: string, parts: [string, number][]) => {
    const list = parts.map(([componentId, quantity]) => ({ componentId, quantity }));
    requires.set(id, list);
    bom.push(...list.map((r) => ({ parentId: id, ...r })));
    const material = list.reduce((s, r) => s + (cost.get(r.componentId) ?? 0) * r.quantity, 0);
    addProduct(id, sku, name, material * rng.between(1.15, 1.4), rng.between(1.2, 1.45));
  };
  const quantity = () => (rng.chance(0.7) ? rng.int(1, 4) : money(rng.between(0.1, 6)));

  const components = Array.from({ length: 4 * nFinished + 20 }, (_, i) => {
    const id = `P-C-${pad(i + 1, width)}`;
    const name = `${rng.pick(MATERIALS)} ${rng.pick(PARTS)}`;
    addProduct(id, `C-${pad(i + 1, width)}`, name, rng.between(0.3, 60), rng.between(1.1, 1.3));
    return id;
  });
  const level2 = Array.from({ length: nFinished }, (_, i) => {
    const id = `P-S2-${pad(i + 1, width)}`;
    const parts = rng
      .sample(components, rng.int(2, 4))
      .map((c): [string, number] => [c, quantity()]);
    addMade(id, `S2-${pad(i + 1, width)}`, `${rng.pick(SUBASSEMBLIES)} ${i + 1}`, parts);
    return id;
  });
  const level1 = Array.from({ length: 2 * nFinished }, (_, i) => {
    const id = `P-S1-${pad(i + 1, width)}`;
    const parts = [
      ...rng.sample(level2, rng.int(1, 2)).map((s): [string, number] => [s, rng.int(1, 2)]),
      ...rng.sample(components, rng.int(1, 3)).map((c): [string, number] => [c, quantity()]),
    ];
    addMade(id, `S1-${pad(i + 1, width)}`, `${rng.pick(SUBASSEMBLIES)} ${i + 1}A`, parts);
    return id;
  });
  const finishedGoods = Array.from({ length: nFinished }, (_, i) => {
    const id = `P-FG-${pad(i + 1, width)}`;
    const parts = [
      ...rng.sample(level1, rng.int(2, 3)).map((s): [string, number] => [s, rng.int(1, 2)]),
      ...rng.sample(components, rng.int(1, 3)).map((c): [string, number] => [c, quantity()]),
    ];
    const name = `${rng.pick(FINISHED)} ${String.fromCharCode(65 + (i % 26))}${i + 1}`;
    addMade(id, `FG-${pad(i + 1, width)}`, name, parts);
    return id;
  });

  const nSuppliers = 15 + factories;
  const suppliers: Complete<SupplierInput>[] = Array.from({ length: nSuppliers }, (_, i) => ({
    id: `S-${pad(i + 1, width)}`,
    name: `${rng.pick(SUPPLIER_WORDS)} ${rng.pick(SUPPLIER_TRADES)} ${i + 1}`,
    country: rng.pick(COUNTRIES),
    // unset: drawing it would shift the generator's random stream, and with it every network
    // (and benchmark figure) generated before recoveryDays existed
    recoveryDays: null,
  }));
  const supplies: Complete<SupplyInput>[] = components.flatMap((productId) => {
    const sources = rng.weighted({ one: 40, two: 45, three: 15 });
    const k = sources === 'one' ? 1 : sources === 'two' ? 2 : 3;
    const base = cost.get(productId) ?? 1;
    return rng.sample(suppliers, k).map((s) => ({
      supplierId: s.id,
      productId,
      leadTimeDays: rng.int(2, 40),
      unitCost: money(base * rng.between(0.9, 1.15)),
    }));
  });
  const made = new Set([...level2, ...level1, ...finishedGoods]);
  const sources = new Map<string, string[]>();
  for (const s of supplies)
    sources.set(s.productId, [...(sources.get(s.productId) ?? []), s.supplierId]);
  return { products, bom, suppliers, supplies, finishedGoods, requires, made, sources };
}
