import { capacityFactor, dailyConsumption } from './capacity';
import type { AssetStatus } from '../domain/enums';
import type { AssetInput } from '../twins/import/document';
import { emptyDocument, type Complete } from './document';

function asset(id: string, rate: number, status: AssetStatus = 'RUNNING'): Complete<AssetInput> {
  return {
    id,
    lineId: 'L',
    name: id,
    kind: 'ROBOT',
    status,
    ratePerHour: rate,
    mtbfHours: 100,
    mttrHours: 1,
    metrics: [],
  };
}
const flows = (...pairs: [string, string][]) => pairs.map(([from, to]) => ({ from, to }));

describe('capacity factor (docs/analysis.md, shared quantities)', () => {
  // press 120 → welders 45 ‖ 45 → conveyor 150: nominal flow 90
  const line = flows(['P', 'W1'], ['P', 'W2'], ['W1', 'C'], ['W2', 'C']);

  it('when every station runs, then c is 1', () => {
    expect(
      capacityFactor([asset('P', 120), asset('W1', 45), asset('W2', 45), asset('C', 150)], line),
    ).toBe(1);
  });

  it('when one of two parallel stations is down, then the line keeps its share', () => {
    const assets = [asset('P', 120), asset('W1', 45), asset('W2', 45, 'DOWN'), asset('C', 150)];
    expect(capacityFactor(assets, line)).toBeCloseTo(0.5);
  });

  it('when a redundant parallel station is down, then c stays 1', () => {
    const assets = [
      asset('P', 60),
      asset('W1', 70, 'MAINTENANCE'),
      asset('W2', 70),
      asset('C', 150),
    ];
    expect(capacityFactor(assets, line)).toBe(1);
  });

  it('when a station in series is down, then the line stops; IDLE still counts', () => {
    expect(
      capacityFactor(
        [asset('P', 120, 'DOWN'), asset('W1', 45), asset('W2', 45), asset('C', 150)],
        line,
      ),
    ).toBe(0);
    expect(
      capacityFactor(
        [asset('P', 120, 'IDLE'), asset('W1', 45), asset('W2', 45), asset('C', 150)],
        line,
      ),
    ).toBe(1);
  });

  it('when a line has no assets or a zero nominal flow, then c is 1', () => {
    expect(capacityFactor([], [])).toBe(1);
    expect(capacityFactor([asset('A', 0)], [])).toBe(1);
  });

  it('when a line produces a product, then cons(F,C) = rate × H × c × quantity', () => {
    const doc = emptyDocument();
    doc.lines.push({ id: 'L', factoryId: 'F', name: 'L', shiftsPerDay: 2, hoursPerShift: 8 });
    doc.assets.push(asset('A', 10), asset('B', 10, 'DOWN'));
    doc.production.push({ lineId: 'L', productId: 'P', ratePerHour: 4 });
    doc.bom.push({ parentId: 'P', componentId: 'C', quantity: 3 });
    // two unconnected stations are parallel: c = 10 / 20
    expect(dailyConsumption(doc).get('F')?.get('C')).toBeCloseTo(4 * 16 * 0.5 * 3);
  });
});
