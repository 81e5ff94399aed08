import { isLate, readLate, shipmentLateObservations } from './shipment-late';

const NOW = Date.parse('2026-11-25T08:00:00.000Z');
const DAY = 86_400_000;

describe('isLate', () => {
  it.each([
    ['DELAYED', NOW + DAY, true],
    ['DELAYED', null, true],
    ['IN_TRANSIT', NOW - 1, true],
    ['PLANNED', NOW - DAY, true],
    ['IN_TRANSIT', NOW, false],
    ['PLANNED', null, false],
    ['DELIVERED', NOW - DAY, false],
    ['CANCELLED', NOW - DAY, false],
  ] as const)('when a shipment is %s with eta %s, then late is %s', (status, eta, late) => {
    expect(isLate(status, eta, NOW)).toBe(late);
  });
});

describe('readLate and the messages', () => {
  const row = (over: Record<string, unknown>) => ({
    ruleId: 'r',
    id: 'SH1',
    status: 'IN_TRANSIT',
    quantity: 10,
    factoryId: 'F1',
    factoryName: 'Leipzig',
    supplierId: 'S1',
    supplierName: null,
    productId: 'P2',
    productName: 'Sheet',
    ...over,
  });

  it('when the statement kept a shipment whose eta string is ahead after all, then it is not late', () => {
    expect(readLate([row({ eta: '2026-11-25T09:30:00+01:00' })], NOW)).toEqual([]);
    expect(readLate([row({ eta: '2026-11-25T08:30:00+01:00' })], NOW)).toHaveLength(1);
  });

  it('when a DELAYED shipment has no eta, then it is bad, 0 days late, and the message says it has no eta', () => {
    const [o] = shipmentLateObservations(
      readLate([row({ status: 'DELAYED', eta: null })], NOW),
      [],
      NOW,
    );
    expect(o).toMatchObject({
      value: 0,
      message: 'Shipment SH1 of 10 × Sheet (P2) from S1 to Leipzig (F1) is DELAYED (it has no eta)',
    });
  });
});
