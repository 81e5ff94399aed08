import type { BomInput, ProductInput, SupplierInput, SupplyInput } from '../twins/import/document';
import type { Complete } from './document';

/*
 * The demo's products, three-level bill of materials and supply base. Finished goods are door
 * modules, a seat frame and a battery tray; the sub-assemblies are made in-house; components and
 * raw materials are bought.
 */

function product(id: string, sku: string, name: string, unitCost: number, markup = 1.25) {
  return { id, sku, name, unitCost, unitPrice: Math.round(unitCost * markup * 100) / 100 };
}

export const DEMO_PRODUCTS: Complete<ProductInput>[] = [
  // finished goods
  product('P-DOOR-L', 'DM-FL-100', 'Front door module, left', 182, 1.7),
  product('P-DOOR-R', 'DM-FR-100', 'Front door module, right', 182, 1.7),
  product('P-SEAT-F', 'SF-F-200', 'Front seat frame', 96, 1.72),
  product('P-TRAY', 'BT-77-300', 'Battery tray, 77 kWh pack', 410, 1.68),
  // sub-assemblies, made in-house
  product('P-SHELL-L', 'DS-L-110', 'Door shell, left (e-coated)', 64),
  product('P-SHELL-R', 'DS-R-110', 'Door shell, right (e-coated)', 64),
  product('P-WIN-REG', 'WR-120', 'Window regulator', 38),
  product('P-SEAT-RAIL', 'SR-210', 'Seat rail', 14),
  product('P-SEAT-BACK', 'SB-220', 'Backrest frame', 22),
  // components and raw materials, bought
  product('P-STEEL-COIL', 'RM-STL-DC04', 'Steel coil DC04 (kg)', 0.95),
  product('P-STEEL-TUBE', 'RM-TUBE-22', 'Steel tube 22x1.5 (m)', 2.4),
  product('P-AL-EXTR', 'RM-AL-6063', 'Aluminium extrusion 6063 (m)', 7.8),
  product('P-MOTOR', 'CP-MOT-12V', 'Window regulator motor 12 V', 18.5),
  product('P-CABLE', 'CP-CBL-WR', 'Regulator cable set', 3.2),
  product('P-GLASS', 'CP-GLS-FD', 'Door glass, tempered', 21),
  product('P-LOCK', 'CP-LCH-FD', 'Door latch', 12.4),
  product('P-HINGE', 'CP-HNG-FD', 'Door hinge', 4.1),
  product('P-HARNESS', 'CP-HRN-FD', 'Door wiring harness', 27),
  product('P-SEAL', 'CP-SEAL-FD', 'Door seal set (EPDM)', 9.6),
  product('P-FASTENER', 'CP-FST-KIT', 'Fastener kit', 1.8),
  product('P-SEALANT', 'CH-ADH-EP', 'Structural adhesive (kg)', 11.5),
  product('P-ECOAT', 'CH-ECOAT', 'E-coat paint (L)', 6.2),
  product('P-POWDER', 'CH-PWD-BK', 'Powder coating, black (kg)', 5.4),
  product('P-WELD-WIRE', 'CH-WIRE-G3', 'MIG welding wire G3Si1 (kg)', 3.1),
  product('P-BALLCAGE', 'CP-BCG-SR', 'Seat rail ball cage', 1.3),
  product('P-RECLINER', 'CP-RCL-FS', 'Seat recliner mechanism', 16.8),
  product('P-COOLPLATE', 'CP-CPL-77', 'Battery cooling plate', 88),
];

function requires(parentId: string, components: Record<string, number>): Complete<BomInput>[] {
  return Object.entries(components).map(([componentId, quantity]) => ({
    parentId,
    componentId,
    quantity,
  }));
}

const DOOR_PARTS = {
  'P-WIN-REG': 1,
  'P-GLASS': 1,
  'P-LOCK': 1,
  'P-HARNESS': 1,
  'P-SEAL': 1,
  'P-FASTENER': 1,
};
const SHELL_PARTS = { 'P-STEEL-COIL': 18, 'P-HINGE': 2, 'P-SEALANT': 0.15, 'P-ECOAT': 0.9 };

export const DEMO_BOM: Complete<BomInput>[] = [
  ...requires('P-DOOR-L', { 'P-SHELL-L': 1, ...DOOR_PARTS }),
  ...requires('P-DOOR-R', { 'P-SHELL-R': 1, ...DOOR_PARTS }),
  ...requires('P-SEAT-F', {
    'P-SEAT-RAIL': 2,
    'P-SEAT-BACK': 1,
    'P-RECLINER': 2,
    'P-FASTENER': 1,
  }),
  ...requires('P-TRAY', {
    'P-AL-EXTR': 14,
    'P-COOLPLATE': 1,
    'P-SEALANT': 0.6,
    'P-FASTENER': 2,
  }),
  ...requires('P-SHELL-L', SHELL_PARTS),
  ...requires('P-SHELL-R', SHELL_PARTS),
  ...requires('P-WIN-REG', { 'P-MOTOR': 1, 'P-CABLE': 1, 'P-AL-EXTR': 0.9 }),
  ...requires('P-SEAT-RAIL', { 'P-STEEL-COIL': 4.2, 'P-BALLCAGE': 2, 'P-POWDER': 0.12 }),
  ...requires('P-SEAT-BACK', { 'P-STEEL-TUBE': 3.4, 'P-WELD-WIRE': 0.06, 'P-POWDER': 0.2 }),
];

/*
 * recoveryDays: a few suppliers say how long they need to recover (a steel mill longer than its
 * own lead times, a sole source of motors across the sea); the others are left unset, so risk
 * exposure takes its recoveryDays argument for them.
 */
export const DEMO_SUPPLIERS: Complete<SupplierInput>[] = [
  { id: 'S-ELBE', name: 'Elbe Stahlwerke', country: 'DE', recoveryDays: 45 },
  { id: 'S-ACERO', name: 'Aceros del Golfo', country: 'MX', recoveryDays: null },
  { id: 'S-KAVERI', name: 'Kaveri Steel & Tube', country: 'IN', recoveryDays: null },
  { id: 'S-NORDAL', name: 'Nordal Aluminium', country: 'NO', recoveryDays: null },
  { id: 'S-KIMOTO', name: 'Kimoto Motor Works', country: 'JP', recoveryDays: 35 },
  { id: 'S-BOWDEN', name: 'Bowden Kabel', country: 'CZ', recoveryDays: null },
  { id: 'S-VITRA', name: 'Vitra Glass', country: 'PL', recoveryDays: null },
  { id: 'S-CRISTAL', name: 'Cristales Poblanos', country: 'MX', recoveryDays: null },
  { id: 'S-RIEGEL', name: 'Riegel Schliesssysteme', country: 'DE', recoveryDays: null },
  { id: 'S-LOCKWELL', name: 'Lockwell Hardware', country: 'US', recoveryDays: null },
  { id: 'S-ATLAS', name: 'Atlas Cabletec', country: 'MA', recoveryDays: 10 },
  { id: 'S-HANSE', name: 'Hanse Dichtungen', country: 'DE', recoveryDays: null },
  { id: 'S-POLYBOND', name: 'Polybond Chemicals', country: 'BE', recoveryDays: 21 },
  { id: 'S-COLORIA', name: 'Coloria Coatings', country: 'ES', recoveryDays: null },
  { id: 'S-HANSEI', name: 'Hansei Seating Systems', country: 'KR', recoveryDays: 28 },
  { id: 'S-DECCAN', name: 'Deccan Precision Components', country: 'IN', recoveryDays: null },
  { id: 'S-THERMEX', name: 'Thermex Cooling Technology', country: 'CN', recoveryDays: null },
];

function supply(
  supplierId: string,
  productId: string,
  leadTimeDays: number,
  unitCost: number,
): Complete<SupplyInput> {
  return { supplierId, productId, leadTimeDays, unitCost };
}

export const DEMO_SUPPLIES: Complete<SupplyInput>[] = [
  // dual- or triple-sourced
  supply('S-ELBE', 'P-STEEL-COIL', 5, 0.97),
  supply('S-ACERO', 'P-STEEL-COIL', 6, 0.91),
  supply('S-KAVERI', 'P-STEEL-COIL', 7, 0.88),
  supply('S-ELBE', 'P-STEEL-TUBE', 6, 2.5),
  supply('S-KAVERI', 'P-STEEL-TUBE', 4, 2.3),
  supply('S-KAVERI', 'P-WELD-WIRE', 4, 3.0),
  supply('S-DECCAN', 'P-WELD-WIRE', 3, 3.2),
  supply('S-BOWDEN', 'P-CABLE', 4, 3.1),
  supply('S-LOCKWELL', 'P-CABLE', 9, 3.4),
  supply('S-VITRA', 'P-GLASS', 5, 20.5),
  supply('S-CRISTAL', 'P-GLASS', 4, 21.5),
  supply('S-RIEGEL', 'P-LOCK', 3, 12.9),
  supply('S-LOCKWELL', 'P-LOCK', 8, 11.9),
  supply('S-RIEGEL', 'P-HINGE', 3, 4.2),
  supply('S-LOCKWELL', 'P-HINGE', 8, 3.9),
  supply('S-DECCAN', 'P-FASTENER', 10, 1.7),
  supply('S-RIEGEL', 'P-FASTENER', 4, 1.9),
  supply('S-COLORIA', 'P-ECOAT', 6, 6.1),
  supply('S-POLYBOND', 'P-ECOAT', 5, 6.4),
  supply('S-COLORIA', 'P-POWDER', 12, 5.2),
  supply('S-DECCAN', 'P-POWDER', 3, 5.6),
  // sole-sourced
  supply('S-NORDAL', 'P-AL-EXTR', 8, 7.8),
  supply('S-KIMOTO', 'P-MOTOR', 28, 18.5),
  supply('S-ATLAS', 'P-HARNESS', 12, 27),
  supply('S-HANSE', 'P-SEAL', 6, 9.6),
  supply('S-POLYBOND', 'P-SEALANT', 5, 11.5),
  supply('S-HANSEI', 'P-RECLINER', 21, 16.8),
  supply('S-DECCAN', 'P-BALLCAGE', 3, 1.3),
  supply('S-THERMEX', 'P-COOLPLATE', 35, 88),
];
