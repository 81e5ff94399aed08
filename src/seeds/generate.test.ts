import { validateDocument } from '../twins/import/validate';
import { twinsPerKind } from './document';
import { generateDocument } from './generate';
import { bomDepth, parallelStations, structuralProblems, suppliersByProduct } from './structure';

describe('the network generator', () => {
  const small = generateDocument({ factories: 3, seed: 7 });

  it('when called twice with the same seed, then the documents are identical', () => {
    expect(generateDocument({ factories: 3, seed: 7 })).toEqual(small);
    expect(generateDocument({ factories: 3, seed: 8 })).not.toEqual(small);
  });

  it('when generating 3 factories, then every reference resolves and nothing cycles', () => {
    expect(structuralProblems(small)).toEqual([]);
  });

  it('when generating 3 factories, then the import validator accepts the document', () => {
    const result = validateDocument(JSON.parse(JSON.stringify(small)));
    expect(result.ok ? [] : result.problems.slice(0, 20)).toEqual([]);
  });

  it('when generating, then lines have parallel stations, the BOM is multi-level and sourcing mixed', () => {
    const { forks, joins } = parallelStations(small);
    expect(forks.length).toBeGreaterThan(100);
    expect(joins.length).toBeGreaterThan(100);
    expect(bomDepth(small)).toBeGreaterThanOrEqual(3);
    const sources = [...suppliersByProduct(small).values()].map((s) => s.length);
    expect(sources.filter((n) => n === 1).length).toBeGreaterThan(10);
    expect(sources.filter((n) => n >= 2).length).toBeGreaterThan(10);
    const statuses = new Set(small.shipments.map((s) => s.status));
    expect([...statuses].sort()).toEqual(
      ['CANCELLED', 'DELAYED', 'DELIVERED', 'IN_TRANSIT', 'PLANNED'].sort(),
    );
    expect(new Set(small.factories.map((f) => f.timezone)).size).toBeGreaterThan(1);
  });

  it('when generating 50 factories, then there are at least 95,000 twins and the document is valid', () => {
    const started = performance.now();
    const big = generateDocument({ factories: 50, seed: 1 });
    const ms = performance.now() - started;
    const counts = twinsPerKind(big);
    expect(counts.total).toBeGreaterThanOrEqual(95_000);
    expect(counts.total).toBeLessThanOrEqual(110_000);
    expect(ms).toBeLessThan(5_000);
    expect(structuralProblems(big)).toEqual([]);
    const result = validateDocument(big);
    expect(result.ok ? [] : result.problems.slice(0, 20)).toEqual([]);
  });

  it('when the number of factories doubles, then the twins roughly double', () => {
    const perFactory = (n: number) =>
      twinsPerKind(generateDocument({ factories: n, seed: 3 })).total / n;
    const at10 = perFactory(10);
    const at20 = perFactory(20);
    expect(at20 / at10).toBeGreaterThan(0.9);
    expect(at20 / at10).toBeLessThan(1.1);
    expect(at10).toBeGreaterThan(1800);
    expect(at10).toBeLessThan(2200);
  });

  it('when asked for no factories or a fractional count, then it refuses', () => {
    expect(() => generateDocument({ factories: 0 })).toThrow(RangeError);
    expect(() => generateDocument({ factories: 1.5 })).toThrow(RangeError);
  });
});
