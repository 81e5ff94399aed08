import type { RunDetail } from './model';
import { isDetailAnswer, isRunDetail, isRunKpisList } from './worker.answers';

const kpis = { fillRate: 1, unitsProduced: 10, unitsShort: 0, lateOrders: 0, revenueLost: 0 };

const detail: RunDetail = {
  kpis,
  inventory: [
    {
      ...{ factoryId: 'F', productId: 'P', start: 1, end: 2, received: 0, produced: 1 },
      ...{ consumed: 0, shipped: 0, min: 1 },
    },
  ],
  production: [{ lineId: 'L', productId: 'P', units: 1, capacityUnits: 2 }],
  stockouts: [{ factoryId: 'F', productId: 'C', fromDay: 0, days: 1.5 }],
  lateOrders: [{ orderId: 'O', daysLate: 1, unitsShort: 3, unitsUndelivered: 0 }],
  series: [
    {
      ...{ factoryId: 'F', productId: 'P', day: [0, 1], inventory: [1, 2], produced: [0, 1] },
      ...{ consumed: [0, 0], received: [0, 0], shipped: [0, 0] },
    },
  ],
};

describe('the checks of what a worker answers', () => {
  it('when the answer has the shapes of model.ts, then it passes', () => {
    expect(isRunKpisList([{ run: 0, kpis, baseline: kpis }])).toBe(true);
    expect(isRunDetail(detail)).toBe(true);
    expect(isDetailAnswer({ detail, baseline: kpis })).toBe(true);
    expect(isDetailAnswer({ detail, baseline: null })).toBe(true);
  });

  it.each([
    ['a KPI missing', { ...detail, kpis: { ...kpis, revenueLost: undefined } }],
    ['a list missing', { ...detail, stockouts: undefined }],
    ['a row field of the wrong type', { ...detail, production: [{ lineId: 'L', units: '1' }] }],
    [
      'a series value not a number',
      { ...detail, series: [{ ...detail.series[0], day: [0, '1'] }] },
    ],
    ['a list that is an object', { ...detail, lateOrders: {} }],
  ])('when the detail has %s, then it is refused', (_, value) => {
    expect(isRunDetail(value)).toBe(false);
    expect(isDetailAnswer({ detail: value, baseline: kpis })).toBe(false);
  });

  it('when the baseline or the run index is not what it should be, then it is refused', () => {
    expect(isDetailAnswer({ detail, baseline: { fillRate: 1 } })).toBe(false);
    expect(isDetailAnswer({ detail })).toBe(false);
    expect(isDetailAnswer([detail, kpis])).toBe(false);
    expect(isRunKpisList([{ run: 0.5, kpis, baseline: kpis }])).toBe(false);
    expect(isRunKpisList({ run: 0, kpis, baseline: kpis })).toBe(false);
  });
});
