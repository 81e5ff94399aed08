import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../paths';
import { validateDocument } from '../twins/import/validate';
import { capacityFactor, capacityFactors, dailyConsumption } from './capacity';
import { buildDemoDocument } from './demo';
import { twinsPerKind, type SeedDocument } from './document';
import { bomDepth, parallelStations, structuralProblems, suppliersByProduct } from './structure';
import { demoJson } from './write-demo';

const NOW = new Date('2026-11-25T00:00:00Z');
const DAY = 86_400_000;
const doc = buildDemoDocument({ now: NOW });
const daysFromNow = (iso: string) => (Date.parse(iso) - NOW.getTime()) / DAY;

/** Days of cover of a component at a factory: on hand over daily consumption. */
function cover(d: SeedDocument, factoryId: string, productId: string): number {
  const onHand = d.inventory.find((i) => i.factoryId === factoryId && i.productId === productId);
  const cons = dailyConsumption(d).get(factoryId)?.get(productId) ?? 0;
  return (onHand?.quantity ?? 0) / cons;
}

describe('the demo network', () => {
  it('when built, then it has 3 factories in 3 time zones, ~10 lines, ~80 assets, ~15 suppliers', () => {
    const counts = twinsPerKind(doc);
    expect(counts.factories).toBeGreaterThanOrEqual(3);
    expect(new Set(doc.factories.map((f) => f.timezone)).size).toBeGreaterThanOrEqual(3);
    expect(counts.lines).toBeGreaterThanOrEqual(9);
    expect(counts.assets).toBeGreaterThanOrEqual(75);
    expect(counts.suppliers).toBeGreaterThanOrEqual(15);
    for (const f of doc.factories) {
      expect(Math.abs(f.lat)).toBeLessThanOrEqual(90);
      expect(Math.abs(f.lon)).toBeLessThanOrEqual(180);
    }
  });

  it('when built, then every reference resolves and neither FEEDS nor the BOM has a cycle', () => {
    expect(structuralProblems(doc)).toEqual([]);
  });

  it('when handed to the import validator, then it is accepted', () => {
    const result = validateDocument(JSON.parse(JSON.stringify(doc)));
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('when built, then every asset reports 2-4 metrics in canonical units with min < max', () => {
    for (const a of doc.assets) {
      expect(a.metrics.length).toBeGreaterThanOrEqual(2);
      expect(a.metrics.length).toBeLessThanOrEqual(4);
      for (const m of a.metrics) {
        expect(m.min).toBeLessThan(m.max);
        expect(m.unit).not.toMatch(/\[psi\]|degC|degF/);
      }
    }
    expect(new Set(doc.assets.map((a) => a.kind)).size).toBeGreaterThanOrEqual(6);
  });

  it('when built, then stations work in parallel: forks and joins in FEEDS', () => {
    const { forks, joins } = parallelStations(doc);
    expect(forks).toContain('A-LEI-BODY-HEM'); // → WELD1, WELD2
    expect(joins).toContain('A-LEI-BODY-CONV'); // ← WELD1, WELD2
    const linesWithParallel = new Set(
      joins.map((id) => doc.assets.find((a) => a.id === id)?.lineId),
    );
    expect(linesWithParallel.size).toBe(doc.lines.length);
  });

  it('when built, then most assets run and a few are IDLE, DOWN or in MAINTENANCE', () => {
    const by = (s: string) => doc.assets.filter((a) => a.status === s).length;
    expect(by('RUNNING')).toBeGreaterThan(doc.assets.length * 0.9);
    expect(by('IDLE')).toBeGreaterThan(0);
    expect(by('DOWN') + by('MAINTENANCE')).toBeGreaterThanOrEqual(2);
  });

  it('when built, then the BOM has 3 levels and every made product has a line', () => {
    expect(bomDepth(doc)).toBe(3);
    const made = new Set(doc.production.map((p) => p.productId));
    const bought = new Set(doc.supplies.map((s) => s.productId));
    for (const parent of new Set(doc.bom.map((b) => b.parentId))) expect(made).toContain(parent);
    for (const p of doc.products) expect(made.has(p.id) !== bought.has(p.id)).toBe(true);
  });

  it('when built, then some components are sole-sourced and some dual-sourced', () => {
    const sources = suppliersByProduct(doc);
    expect(sources.get('P-MOTOR')).toEqual(['S-KIMOTO']);
    expect(sources.get('P-GLASS')).toHaveLength(2);
    const counts = [...sources.values()].map((s) => s.length);
    expect(counts.filter((n) => n === 1).length).toBeGreaterThanOrEqual(5);
    expect(counts.filter((n) => n >= 2).length).toBeGreaterThanOrEqual(5);
  });

  it('when built, then a few suppliers give their recoveryDays and the others leave it unset', () => {
    const set = doc.suppliers.filter((s) => s.recoveryDays !== null);
    expect(Object.fromEntries(set.map((s) => [s.id, s.recoveryDays]))).toEqual({
      'S-ELBE': 45,
      'S-KIMOTO': 35,
      'S-ATLAS': 10,
      'S-POLYBOND': 21,
      'S-HANSEI': 28,
    });
    expect(doc.suppliers.length - set.length).toBeGreaterThanOrEqual(10);
  });

  it('when built, then the stories of seeds/README.md hold', () => {
    expect(cover(doc, 'F-LEI', 'P-MOTOR')).toBeCloseTo(2.5, 1);
    expect(cover(doc, 'F-PUE', 'P-HARNESS')).toBeCloseTo(4, 1);
    expect(cover(doc, 'F-CHE', 'P-RECLINER')).toBeCloseTo(3, 1);
    expect(cover(doc, 'F-LEI', 'P-SEALANT')).toBeCloseTo(4, 1);
    const factors = capacityFactors(doc);
    expect(factors.get('L-PUE-BODY')).toBeCloseTo(0.5);
    expect(factors.get('L-CHE-BACK')).toBeCloseTo(0.5);
    const without = (lineId: string, assetId: string) =>
      capacityFactor(
        doc.assets
          .filter((a) => a.lineId === lineId)
          .map((a) => (a.id === assetId ? { ...a, status: 'DOWN' as const } : a)),
        doc.flows,
      );
    expect(without('L-LEI-BODY', 'A-LEI-BODY-WELD1')).toBeCloseTo(0.5);
    expect(without('L-LEI-DOOR', 'A-LEI-DOOR-SCREW1')).toBe(1);
    expect(without('L-PUE-DOOR', 'A-PUE-DOOR-SCREW1')).toBe(0);
    expect(without('L-LEI-TRAY', 'A-LEI-TRAY-OVEN')).toBe(0);
    expect(without('L-PUE-BODY', 'A-PUE-BODY-WELD1')).toBe(0);
  });

  it('when built, then some components are below safety stock with only a few days of cover', () => {
    const low = doc.inventory.filter((i) => {
      const days = cover(doc, i.factoryId, i.productId);
      return i.quantity < i.safetyStock && days <= 5;
    });
    expect(low.length).toBeGreaterThanOrEqual(3);
  });

  it('when built for a date, then shipments are in transit, delayed, planned and delivered around it', () => {
    const by = (s: string) => doc.shipments.filter((x) => x.status === s);
    for (const s of ['IN_TRANSIT', 'DELAYED', 'PLANNED', 'DELIVERED']) {
      expect(by(s).length).toBeGreaterThanOrEqual(2);
    }
    for (const s of [...by('IN_TRANSIT'), ...by('DELAYED')]) {
      expect(daysFromNow(s.departedAt)).toBeLessThan(0);
      expect(daysFromNow(s.eta)).toBeGreaterThan(0);
    }
    for (const s of by('PLANNED')) expect(daysFromNow(s.departedAt)).toBeGreaterThan(0);
    for (const s of by('DELIVERED')) expect(daysFromNow(s.eta)).toBeLessThan(0);
    expect(by('IN_TRANSIT').filter((s) => daysFromNow(s.eta) <= 3).length).toBeGreaterThan(3);
    for (const s of doc.shipments) expect(s.eta).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('when built for a date, then open orders for finished goods are due in the coming weeks', () => {
    const open = doc.orders.filter((o) => o.status === 'OPEN');
    expect(open.length).toBeGreaterThanOrEqual(10);
    expect(doc.orders.some((o) => o.status === 'FULFILLED')).toBe(true);
    const usedAsComponent = new Set(doc.bom.map((b) => b.componentId));
    for (const o of open) {
      expect(usedAsComponent.has(o.productId)).toBe(false);
      expect(daysFromNow(o.dueDate)).toBeGreaterThan(0);
      expect(daysFromNow(o.dueDate)).toBeLessThanOrEqual(42);
      const madeThere = doc.production.some(
        (p) =>
          p.productId === o.productId &&
          doc.lines.find((l) => l.id === p.lineId)?.factoryId === o.factoryId,
      );
      expect(madeThere).toBe(true);
    }
  });

  it('when built twice for the same time, then identical; for a later day, then only times move', () => {
    expect(buildDemoDocument({ now: NOW })).toEqual(doc);
    const later = buildDemoDocument({ now: new Date('2027-03-01T13:45:10Z') });
    expect({ ...later, shipments: [], orders: [] }).toEqual({ ...doc, shipments: [], orders: [] });
    const shift = Date.parse('2027-03-01T13:00:00Z') - NOW.getTime();
    expect(Date.parse(later.shipments[0]?.eta ?? '')).toBe(
      Date.parse(doc.shipments[0]?.eta ?? '') + shift,
    );
    expect(later.orders[0]?.dueDate).toMatch(/T00:00:00Z$/);
  });

  it('when seeds/demo.json is read, then it is the demo as of 2026-11-25 (regenerate with write-demo)', () => {
    const file = readFileSync(join(projectRoot(), 'seeds', 'demo.json'), 'utf8');
    expect(file).toBe(demoJson());
  });
});
