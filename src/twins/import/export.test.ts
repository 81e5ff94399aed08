import { exampleDocument } from './example';
import { keepConnected } from './export';
import { stringAt } from './relations';
import { validateDocument } from './validate';

/*
 * A scoped export cuts the document to itself (docs/security.md, "Factory scopes: alerts,
 * telemetry and export"): a row naming a twin the document does not hold goes, and whatever
 * hung on it, so what is left validates on its own.
 */

describe('keepConnected', () => {
  it('when the document holds every twin it names, then nothing goes', () => {
    const doc = exampleDocument();
    expect(keepConnected(doc)).toEqual(doc);
  });

  it('when a factory is left out, then its lines, their assets, flows and production, its stock, shipments and orders go, and the rest validates on its own', () => {
    const doc = { ...exampleDocument(), factories: [] };
    const kept = keepConnected(doc);
    for (const section of [
      'lines',
      'assets',
      'flows',
      'production',
      'inventory',
      'shipments',
      'orders',
    ] as const) {
      expect({ section, rows: kept[section] }).toEqual({ section, rows: [] });
    }
    // the twins no factory owns stay, with the relationships between them
    expect(kept.products).toEqual(doc.products);
    expect(kept.bom).toEqual(doc.bom);
    expect(kept.suppliers).toEqual(doc.suppliers);
    expect(kept.supplies).toEqual(doc.supplies);
    const checked = validateDocument(kept);
    expect(checked.ok ? [] : checked.problems).toEqual([]);
  });

  it('when a component is left out, then the BOM entries, supplies and shipments naming it go', () => {
    const doc = exampleDocument();
    const cut = { ...doc, products: doc.products.filter((p) => p['id'] !== 'P2') };
    const kept = keepConnected(cut);
    expect(kept.bom).toEqual([]);
    expect(kept.supplies.map((s) => stringAt(s, 'productId'))).not.toContain('P2');
    expect(kept.shipments.map((s) => stringAt(s, 'productId'))).not.toContain('P2');
    expect(kept.inventory.map((s) => stringAt(s, 'productId'))).not.toContain('P2');
    const checked = validateDocument(kept);
    expect(checked.ok ? [] : checked.problems).toEqual([]);
  });
});
