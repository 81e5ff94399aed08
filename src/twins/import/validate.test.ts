import { countTwins, emptyDocument, SECTIONS, type TwinDocument } from './document';
import { exampleDocument, type JsonDocument } from './example';
import { externalReferences, validateDocument } from './validate';

function accepted(input: unknown): TwinDocument {
  const result = validateDocument(input);
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.problems.slice(0, 5))}`);
  return result.doc;
}

/**
 * About `rows` rows in every section: factories of lines of 10-station chains, products in
 * 3-level bills of materials, suppliers, stock, shipments and orders.
 */
function generatedDocument(rows: number): JsonDocument {
  const doc = exampleDocument();
  for (const section of SECTIONS) doc[section] = [];
  const unit = Math.ceil(rows / 40); // each unit of work adds about 40 rows
  for (let f = 0; f < Math.ceil(unit / 100); f += 1) {
    doc.factories.push({
      id: `F${f}`,
      name: `Plant ${f}`,
      timezone: 'Europe/Berlin',
      lat: 50,
      lon: 10,
    });
  }
  for (let u = 0; u < unit; u += 1) {
    const factoryId = `F${Math.floor(u / 100)}`;
    const lineId = `L${u}`;
    doc.lines.push({ id: lineId, factoryId, name: `Line ${u}` });
    for (let a = 0; a < 10; a += 1) {
      doc.assets.push({
        id: `A${u}-${a}`,
        lineId,
        name: `Station ${a}`,
        kind: 'CNC',
        ratePerHour: 60,
        metrics: [{ name: 'temperature', unit: 'Cel', min: 0, max: 90 }],
      });
      if (a > 0) doc.flows.push({ from: `A${u}-${a - 1}`, to: `A${u}-${a}` });
    }
    for (let p = 0; p < 3; p += 1) {
      doc.products.push({ id: `P${u}-${p}`, sku: `SKU-${u}-${p}`, name: `Part ${p}`, unitCost: 1 });
      if (p > 0)
        doc.bom.push({ parentId: `P${u}-${p - 1}`, componentId: `P${u}-${p}`, quantity: 2 });
    }
    doc.production.push({ lineId, productId: `P${u}-0`, ratePerHour: 30 });
    doc.suppliers.push({ id: `S${u}`, name: `Supplier ${u}` });
    doc.supplies.push({ supplierId: `S${u}`, productId: `P${u}-2`, leadTimeDays: 5 });
    doc.inventory.push({ factoryId, productId: `P${u}-2`, quantity: 100 });
    doc.shipments.push({
      id: `SH${u}`,
      supplierId: `S${u}`,
      factoryId,
      productId: `P${u}-2`,
      quantity: 50,
      status: 'IN_TRANSIT',
      departedAt: '2026-11-20T08:00:00+01:00',
      eta: '2026-11-27',
    });
    doc.orders.push({
      id: `O${u}`,
      factoryId,
      productId: `P${u}-0`,
      quantity: 10,
      dueDate: '2026-12-05',
    });
  }
  return doc;
}

describe('validateDocument: accepted documents', () => {
  it('when the domain.md example is validated, then it is accepted with defaults and normal forms', () => {
    const doc = accepted(exampleDocument());
    expect(doc.assets).toEqual([
      {
        id: 'A1',
        lineId: 'L1',
        name: 'Press 1',
        kind: 'PRESS',
        status: 'RUNNING',
        ratePerHour: 60,
        mtbfHours: 400,
        mttrHours: 4,
        metrics: [
          {
            id: 'A1/temperature',
            assetId: 'A1',
            name: 'temperature',
            unit: 'Cel',
            min: 0,
            max: 90,
          },
        ],
      },
      {
        id: 'A2',
        lineId: 'L1',
        name: 'Welder 1',
        kind: 'ROBOT',
        status: 'RUNNING',
        ratePerHour: 50,
        mtbfHours: null,
        mttrHours: null,
        metrics: [],
      },
    ]);
    expect(doc.products[1]).toEqual({
      id: 'P2',
      sku: 'STEEL-SHEET',
      name: 'Steel sheet',
      unitCost: 3.5,
      unitPrice: null,
    });
    expect(doc.shipments[0]).toMatchObject({
      departedAt: '2026-11-20T08:00:00.000Z',
      eta: '2026-11-27T08:00:00.000Z',
    });
    expect(doc.orders[0]).toMatchObject({ dueDate: '2026-12-05T00:00:00.000Z', status: 'OPEN' });
    expect(doc.factories[0]).toEqual(exampleDocument().factories[0]);
  });

  it('when optional properties are absent or null, then defaults apply', () => {
    const input = exampleDocument();
    input.lines[0] = { id: 'L1', factoryId: 'F1', name: 'Body shop', shiftsPerDay: null };
    input.inventory[0] = { factoryId: 'F1', productId: 'P2', quantity: 0 };
    input.shipments[0] = { ...input.shipments[0], status: null, departedAt: undefined };
    input.orders[0] = { ...input.orders[0], status: undefined, customer: null };
    input.factories[0] = { id: 'F1', name: 'Leipzig', timezone: null };
    const doc = accepted(input);
    expect(doc.lines[0]).toEqual({
      id: 'L1',
      factoryId: 'F1',
      name: 'Body shop',
      shiftsPerDay: 2,
      hoursPerShift: 8,
    });
    expect(doc.inventory[0]).toEqual({
      factoryId: 'F1',
      productId: 'P2',
      quantity: 0,
      safetyStock: 0,
    });
    expect(doc.shipments[0]).toMatchObject({ status: 'PLANNED', departedAt: null });
    expect(doc.orders[0]).toMatchObject({ status: 'OPEN', customer: null });
    expect(doc.factories[0]).toEqual({
      id: 'F1',
      name: 'Leipzig',
      country: null,
      timezone: null,
      lat: null,
      lon: null,
    });
  });

  it('when dates carry offsets or are dates alone, then they become UTC ISO strings', () => {
    const input = exampleDocument();
    input.shipments[0] = {
      ...input.shipments[0],
      departedAt: '2026-11-20T08:00+01:00',
      eta: '2026-11-27t08:00:00.1234-0530',
    };
    input.orders[0] = { ...input.orders[0], dueDate: '2028-02-29' };
    const doc = accepted(input);
    expect(doc.shipments[0]).toMatchObject({
      departedAt: '2026-11-20T07:00:00.000Z',
      eta: '2026-11-27T13:30:00.123Z',
    });
    expect(doc.orders[0]?.dueDate).toBe('2028-02-29T00:00:00.000Z');
  });

  it('when a time zone differs only in case, then its canonical spelling is kept', () => {
    const input = exampleDocument();
    input.factories[0] = { ...input.factories[0], timezone: 'europe/berlin' };
    expect(accepted(input).factories[0]?.timezone).toBe('Europe/Berlin');
  });

  it('when the document is empty or has null sections, then it is an empty document', () => {
    expect(accepted({})).toEqual(emptyDocument());
    expect(accepted({ factories: null, orders: [] })).toEqual(emptyDocument());
    expect(countTwins(emptyDocument())).toEqual({
      factories: 0,
      lines: 0,
      assets: 0,
      metrics: 0,
      flows: 0,
      products: 0,
      bom: 0,
      production: 0,
      suppliers: 0,
      supplies: 0,
      inventory: 0,
      shipments: 0,
      orders: 0,
    });
  });

  it('when twins are counted, then metrics count apart from their assets', () => {
    expect(countTwins(accepted(exampleDocument()))).toEqual({
      factories: 1,
      lines: 1,
      assets: 2,
      metrics: 1,
      flows: 1,
      products: 2,
      bom: 1,
      production: 1,
      suppliers: 1,
      supplies: 1,
      inventory: 1,
      shipments: 1,
      orders: 1,
    });
  });

  it('when a document has 100,000 rows, then it is accepted', () => {
    const input = generatedDocument(100_000);
    const counts = countTwins(accepted(input));
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(rows).toBeGreaterThanOrEqual(100_000);
  });

  it('when a document has 100,000 rows and one cycle, then exactly that cycle is found', () => {
    const input = generatedDocument(100_000);
    input.flows.push({ from: 'A2499-9', to: 'A2499-0' });
    const result = validateDocument(input);
    expect(result.ok ? [] : result.problems).toEqual([
      {
        path: `flows[${2499 * 9}]`, // the cycle's first row: A2499-0 → A2499-1
        message:
          'flows form a cycle A2499-0 → A2499-1 → A2499-2 → A2499-3 → A2499-4 → A2499-5 → ' +
          'A2499-6 → A2499-7 → A2499-8 → A2499-9 → A2499-0',
      },
    ]);
  });
});

describe('validateDocument: the problem list', () => {
  it('when there are more problems than the cap, then the rest are summed up', () => {
    const input = exampleDocument();
    input.flows = Array.from({ length: 1500 }, (_, i) => ({ from: 'A1', to: `X${i}` }));
    const result = validateDocument(input);
    if (result.ok) throw new Error('expected a rejection');
    expect(result.problems).toHaveLength(1001);
    expect(result.problems[999]).toEqual({
      path: 'flows[999].to',
      message: 'unknown asset "X999"',
    });
    expect(result.problems[1000]).toEqual({ path: '', message: '... and 500 more problems' });
  });

  it('when the cap is set, then it is respected', () => {
    const input = { ...exampleDocument(), colour: 1, size: 2, shape: 3 };
    const result = validateDocument(input, {}, { maxProblems: 1 });
    expect(result.ok ? [] : result.problems.map((p) => p.path)).toEqual(['colour', '']);
  });
});

describe('externalReferences', () => {
  it('when a document names twins it does not declare, then those ids are listed per label', () => {
    const input = exampleDocument();
    input.assets.push({ id: 'A3', lineId: 'L7' });
    input.flows.push({ from: 'A2', to: 'A8' }, { from: 'A8', to: 'A9' });
    input.orders.push({ id: 'O2', factoryId: 'F2', productId: 'P1' });
    input.shipments.push({ id: 'SH2', supplierId: 'S1', productId: 'P9', factoryId: 42 });
    expect(externalReferences(input)).toEqual({
      factories: ['F2'],
      lines: ['L7'],
      assets: ['A8', 'A9'],
      products: ['P9'],
      suppliers: [],
    });
  });
});
