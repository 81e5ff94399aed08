import type { KnownIds, Problem } from './document';
import { exampleDocument, type JsonDocument } from './example';
import { REFERENCES } from './relations';
import { validateDocument } from './validate';

function problemsOf(input: unknown, known?: KnownIds): Problem[] {
  const result = validateDocument(input, known);
  if (result.ok) throw new Error('expected the document to be rejected');
  return result.problems;
}

const NOUN = {
  factories: 'factory',
  lines: 'line',
  assets: 'asset',
  products: 'product',
  suppliers: 'supplier',
} as const;

const asset = (id: string, lineId = 'L1') => ({
  id,
  lineId,
  name: id,
  kind: 'CNC',
  ratePerHour: 10,
});
const product = (id: string) => ({ id, name: id });

/** The example plus a second line L2 (with assets B1, B2) and stations A3, A4 on line L1. */
function twoLines(): JsonDocument {
  const doc = exampleDocument();
  doc.lines.push({ id: 'L2', factoryId: 'F1', name: 'Paint shop' });
  doc.assets.push(asset('A3'), asset('A4'), asset('B1', 'L2'), asset('B2', 'L2'));
  return doc;
}

describe('validateDocument: ids, references, flows and cycles', () => {
  it('when two assets share an id, then the second is flagged and points to the first', () => {
    const doc = exampleDocument();
    doc.assets.push(asset('A1'));
    expect(problemsOf(doc)).toEqual([
      { path: 'assets[2].id', message: 'duplicate id "A1" (also assets[0])' },
    ]);
  });

  it('when an asset has two metrics of one name, then the second is flagged', () => {
    const doc = exampleDocument();
    doc.assets[1] = {
      ...asset('A2'),
      metrics: [
        { name: 'kW', unit: 'kW' },
        { name: 'kW', unit: 'W' },
      ],
    };
    expect(problemsOf(doc)).toEqual([
      {
        path: 'assets[1].metrics[1].name',
        message: 'duplicate metric "kW" (also assets[1].metrics[0])',
      },
    ]);
  });

  it('when an asset names a line that does not exist, then the reference is flagged', () => {
    const doc = exampleDocument();
    doc.assets.push(asset('A3'), asset('A4', 'L9'));
    expect(problemsOf(doc)).toEqual([{ path: 'assets[3].lineId', message: 'unknown line "L9"' }]);
  });

  it.each(REFERENCES.map((r) => [r.section, r.field, r.label] as const))(
    'when %s[0].%s dangles, then it is an unknown %s',
    (section, field, label) => {
      const doc = exampleDocument();
      doc[section][0] = { ...doc[section][0], [field]: 'X9' };
      expect(problemsOf(doc)).toContainEqual({
        path: `${section}[0].${field}`,
        message: `unknown ${NOUN[label]} "X9"`,
      });
    },
  );

  it.each([
    ['flows', { from: 'A1', to: 'A2' }, 'the same from "A1" and to "A2"'],
    [
      'bom',
      { parentId: 'P1', componentId: 'P2', quantity: 1 },
      'the same parentId "P1" and componentId "P2"',
    ],
    [
      'production',
      { lineId: 'L1', productId: 'P1', ratePerHour: 1 },
      'the same lineId "L1" and productId "P1"',
    ],
    [
      'supplies',
      { supplierId: 'S1', productId: 'P2' },
      'the same supplierId "S1" and productId "P2"',
    ],
    [
      'inventory',
      { factoryId: 'F1', productId: 'P2', quantity: 1 },
      'the same factoryId "F1" and productId "P2"',
    ],
  ] as const)(
    'when %s has the same pair twice, then the repeat is flagged',
    (section, row, same) => {
      const doc = exampleDocument();
      doc[section].push(row);
      expect(problemsOf(doc)).toEqual([
        { path: `${section}[1]`, message: `duplicate of ${section}[0]: ${same}` },
      ]);
    },
  );

  it('when a flow joins assets of different lines, then it is flagged with both lines', () => {
    const doc = twoLines();
    doc.flows.push({ from: 'A2', to: 'B1' });
    expect(problemsOf(doc)).toEqual([
      {
        path: 'flows[1]',
        message:
          'asset "A2" is on line "L1" but asset "B1" is on line "L2": material flows only within one line',
      },
    ]);
  });

  it('when flows go round in a line, then the cycle is listed at its first row', () => {
    const doc = twoLines();
    doc.flows.push({ from: 'B1', to: 'B2' }, { from: 'A2', to: 'A3' }, { from: 'A3', to: 'A1' });
    expect(problemsOf(doc)).toEqual([
      { path: 'flows[0]', message: 'flows form a cycle A1 → A2 → A3 → A1' },
    ]);
  });

  it('when an asset feeds itself, then that is a cycle', () => {
    const doc = exampleDocument();
    doc.flows.push({ from: 'A2', to: 'A2' });
    expect(problemsOf(doc)).toEqual([{ path: 'flows[1]', message: 'flows form a cycle A2 → A2' }]);
  });

  it('when two lines each have a cycle, then both are listed', () => {
    const doc = twoLines();
    doc.flows.push({ from: 'A2', to: 'A1' }, { from: 'B1', to: 'B2' }, { from: 'B2', to: 'B1' });
    expect(problemsOf(doc)).toEqual([
      { path: 'flows[0]', message: 'flows form a cycle A1 → A2 → A1' },
      { path: 'flows[2]', message: 'flows form a cycle B1 → B2 → B1' },
    ]);
  });

  it('when the bill of materials loops through three levels, then the cycle is listed', () => {
    const doc = exampleDocument();
    doc.products.push(product('P3'), product('P4'));
    doc.bom.push(
      { parentId: 'P2', componentId: 'P3', quantity: 2 },
      { parentId: 'P1', componentId: 'P4', quantity: 1 },
      { parentId: 'P3', componentId: 'P1', quantity: 1 },
    );
    expect(problemsOf(doc)).toEqual([
      { path: 'bom[0]', message: 'the bill of materials has a cycle P1 → P2 → P3 → P1' },
    ]);
  });

  it('when a product requires itself, then that is a cycle', () => {
    const doc = exampleDocument();
    doc.bom.push({ parentId: 'P2', componentId: 'P2', quantity: 1 });
    expect(problemsOf(doc)).toEqual([
      { path: 'bom[1]', message: 'the bill of materials has a cycle P2 → P2' },
    ]);
  });

  it('when the bill of materials is a diamond, then it is no cycle', () => {
    const doc = exampleDocument();
    doc.products.push(product('P3'), product('P4'));
    doc.bom.push(
      { parentId: 'P1', componentId: 'P3', quantity: 1 },
      { parentId: 'P3', componentId: 'P4', quantity: 1 },
      { parentId: 'P2', componentId: 'P4', quantity: 1 },
    );
    expect(validateDocument(doc).ok).toBe(true);
  });

  it('when a document has many problems of different kinds, then all are reported', () => {
    const doc = twoLines();
    doc.assets.push({ ...asset('A3'), ratePerHour: 'fast', colour: 'red' }); // duplicate id too
    doc.assets.push({ ...asset('A5', 'L9'), status: 'BROKEN' });
    doc.flows.push({ from: 'A1', to: 'B2' }, { from: 'A2', to: 'A1' });
    doc.bom.push({ parentId: 'P2', componentId: 'P1', quantity: -1 });
    doc.orders.push({ id: 'O2', factoryId: 'F1', productId: 'P1', quantity: 1, dueDate: 'soon' });
    expect(problemsOf(doc)).toEqual([
      { path: 'assets[6].ratePerHour', message: 'expected a number, got string "fast"' },
      {
        path: 'assets[6].colour',
        message:
          'unknown key "colour"; allowed keys: id, lineId, name, kind, status, ratePerHour, ' +
          'mtbfHours, mttrHours, metrics',
      },
      {
        path: 'assets[7].status',
        message: 'unknown value "BROKEN"; allowed values: RUNNING, IDLE, DOWN, MAINTENANCE',
      },
      { path: 'bom[1].quantity', message: 'must be greater than 0, got -1' },
      {
        path: 'orders[1].dueDate',
        message:
          '"soon" does not parse as a date: expected ISO-8601 with a time zone ' +
          '(2026-11-20T08:00:00Z) or a date (2026-11-20)',
      },
      { path: 'assets[6].id', message: 'duplicate id "A3" (also assets[2])' },
      { path: 'assets[7].lineId', message: 'unknown line "L9"' },
      {
        path: 'flows[1]',
        message:
          'asset "A1" is on line "L1" but asset "B2" is on line "L2": material flows only within one line',
      },
      { path: 'flows[0]', message: 'flows form a cycle A1 → A2 → A1' },
      { path: 'bom[0]', message: 'the bill of materials has a cycle P1 → P2 → P1' },
    ]);
  });

  it('when references name stored twins, then they resolve against the known ids', () => {
    const doc = {
      lines: [{ id: 'L7', factoryId: 'F7', name: 'Stored factory' }],
      assets: [asset('A7', 'L7')],
      flows: [{ from: 'A6', to: 'A7' }],
      bom: [{ parentId: 'P7', componentId: 'P8', quantity: 1 }],
      shipments: [
        {
          id: 'SH7',
          supplierId: 'S7',
          factoryId: 'F7',
          productId: 'P8',
          quantity: 1,
          eta: '2026-12-01',
        },
      ],
    };
    expect(problemsOf(doc).map((p) => p.path)).toEqual([
      'lines[0].factoryId',
      'flows[0].from',
      'bom[0].parentId',
      'bom[0].componentId',
      'shipments[0].supplierId',
      'shipments[0].factoryId',
      'shipments[0].productId',
    ]);
    const known: KnownIds = {
      factories: new Set(['F7']),
      assets: new Map([['A6', { lineId: 'L7' }]]),
      products: new Set(['P7', 'P8']),
      suppliers: new Map([['S7', { name: 'Stored supplier' }]]),
    };
    expect(validateDocument(doc, known).ok).toBe(true);
  });

  it('when a document updates a stored twin, then the shared id is no duplicate', () => {
    const result = validateDocument(exampleDocument(), { factories: new Set(['F1']) });
    expect(result.ok).toBe(true);
  });

  it('when a flow reaches a stored asset of another line, then it is a cross-line flow', () => {
    const known: KnownIds = { assets: new Map([['X1', { lineId: 'L5' }]]) };
    const doc = exampleDocument();
    doc.flows.push({ from: 'A2', to: 'X1' });
    expect(problemsOf(doc, known)).toEqual([
      {
        path: 'flows[1]',
        message:
          'asset "A2" is on line "L1" but asset "X1" is on line "L5": material flows only within one line',
      },
    ]);
  });

  it('when a document moves a stored asset to another line, then its line in the document counts', () => {
    const known: KnownIds = { assets: new Map([['A2', { lineId: 'L5' }]]) };
    expect(validateDocument(exampleDocument(), known).ok).toBe(true);
  });

  it('when stored flows close a cycle with the document, then the cycle is flagged', () => {
    const known: KnownIds = {
      assets: new Map([['A0', { lineId: 'L1' }]]),
      existingFlows: [
        { from: 'A2', to: 'A0' },
        { from: 'A0', to: 'A1' },
      ],
    };
    expect(problemsOf(exampleDocument(), known)).toEqual([
      {
        path: 'flows[0]',
        message: 'flows form a cycle A1 → A2 → A0 → A1 (closed by stored relationships)',
      },
    ]);
  });

  it('when the stored bill of materials closes a cycle, then the cycle is flagged', () => {
    const known: KnownIds = {
      products: new Set(['P0']),
      existingBom: [
        { parentId: 'P2', componentId: 'P0' },
        { parentId: 'P0', componentId: 'P1' },
      ],
    };
    expect(problemsOf(exampleDocument(), known)).toEqual([
      {
        path: 'bom[0]',
        message:
          'the bill of materials has a cycle P1 → P2 → P0 → P1 (closed by stored relationships)',
      },
    ]);
  });

  it('when only stored relationships form a cycle, then the document is not blamed', () => {
    const known: KnownIds = {
      products: new Set(['P8', 'P9']),
      existingBom: [
        { parentId: 'P8', componentId: 'P9' },
        { parentId: 'P9', componentId: 'P8' },
      ],
    };
    expect(validateDocument(exampleDocument(), known).ok).toBe(true);
  });
});
