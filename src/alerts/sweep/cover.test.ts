import { assumedDelayDays, coverObservations, coverWhenLate, type CoverInputs } from './cover';
import type { LateShipment } from './shipment-late';

const NOW = Date.parse('2026-11-25T08:00:00.000Z');
const DAY = 86_400_000;

function late(over: Partial<LateShipment> = {}): LateShipment {
  return {
    ruleId: 'r',
    id: 'X',
    status: 'DELAYED',
    etaMs: NOW - 2 * DAY,
    daysLate: 2,
    quantity: 100,
    factoryId: 'F1',
    productId: 'C',
    supplierId: 'S1',
    safetyStock: 500,
    row: {},
    ...over,
  };
}

const inbound = (id: string, etaMs: number, quantity: number, factoryId = 'F1') => ({
  id,
  factoryId,
  componentId: 'C',
  quantity,
  etaMs,
});

describe('assumedDelayDays', () => {
  it('when a shipment is late by some days, then it is assumed as late again, and at least a day', () => {
    expect(assumedDelayDays(0)).toBe(1);
    expect(assumedDelayDays(0.5)).toBe(1);
    expect(assumedDelayDays(3)).toBe(3);
  });
});

describe('coverWhenLate', () => {
  it('when other shipments are due, then only those of the same factory due by the late arrival count, the late one never', () => {
    // X due 2 days ago, assumed 2 days late: it arrives now
    const inputs: CoverInputs = {
      onHand: 300,
      daily: 100,
      inbound: [
        inbound('X', NOW - 2 * DAY, 100), // the late shipment itself
        inbound('Y', NOW, 50), // due exactly at the arrival: counts
        inbound('Z', NOW + 1, 70), // a millisecond later: does not
        inbound('W', NOW - DAY, 20, 'F2'), // another factory
      ],
    };
    expect(coverWhenLate(late(), 2, inputs, NOW)).toEqual({
      delayDays: 2,
      inbound: 50,
      daysOfCover: 3.5,
      daysToArrival: 0,
      coverAtArrival: 3.5,
    });
  });

  it('when the late shipment lands in the future, then the cover left at its arrival is less what is consumed until then', () => {
    // due in a day, assumed a day late: lands in 2 days; 700 on hand and due cover 7 days, 5 left
    const inputs: CoverInputs = {
      onHand: 300,
      daily: 100,
      inbound: [inbound('Y', NOW + DAY, 400)],
    };
    expect(coverWhenLate(late({ etaMs: NOW + DAY, daysLate: 0 }), 1, inputs, NOW)).toMatchObject({
      daysOfCover: 7,
      daysToArrival: 2,
      coverAtArrival: 5,
    });
    // a safety stock of 600 needs 6 days: 5 left at the arrival is below it
    const [o] = coverObservations(
      [late({ etaMs: NOW + DAY, daysLate: 0, safetyStock: 600 })],
      new Map([['F1|C', inputs]]),
      [],
      NOW,
    );
    expect(o).toMatchObject({ condition: 'bad', value: 5 });
    expect(o?.message).toContain('5 days of cover left when the shipment lands in 2 days');
  });

  it('when the eta is unknown, then it counts as now, as the impact analysis has it', () => {
    const inputs: CoverInputs = { onHand: 0, daily: 10, inbound: [inbound('Y', NOW + DAY, 40)] };
    expect(coverWhenLate(late({ etaMs: null }), 1, inputs, NOW).daysOfCover).toBe(4);
  });
});

describe('coverObservations', () => {
  const inputs = new Map<string, CoverInputs>([
    ['F1|C', { onHand: 300, daily: 100, inbound: [inbound('Y', NOW + DAY, 400)] }],
  ]);

  it('when two late shipments of one (F, C) leave different cover, then the worst is reported', () => {
    // X arrives now (cover 3 days); V, DELAYED with its eta a day ahead, assumed a day later: Y
    // counts (cover 7 days); the safety stock of 500 needs 5 days: X makes it bad
    const obs = coverObservations(
      [late(), late({ id: 'V', etaMs: NOW + DAY, daysLate: 0 })],
      inputs,
      [],
      NOW,
    );
    expect(obs).toHaveLength(1);
    expect(obs[0]).toMatchObject({ subjectId: 'F1|C', value: 3, condition: 'bad' });
    expect(obs[0]?.message).toContain('Shipment X ');
  });

  it('when there is no safety stock, no consumption, or no inputs, then it is never bad', () => {
    const zero = new Map([['F1|C', { onHand: 0, daily: 0, inbound: [] }]]);
    expect(coverObservations([late({ safetyStock: 0 })], inputs, [], NOW)).toEqual([]);
    expect(coverObservations([late({ safetyStock: null })], inputs, [], NOW)).toEqual([]);
    expect(coverObservations([late()], zero, [], NOW)).toEqual([]);
    expect(coverObservations([late()], new Map(), [], NOW)).toEqual([]);
  });

  it('when an open alert has no late shipment left, then it is cleared about the factory the alert recorded', () => {
    const [o] = coverObservations(
      [],
      inputs,
      [{ ruleId: 'r', subjectId: 'F|1|C', row: { factoryId: 'F|1' } }],
      NOW,
    );
    expect(o).toMatchObject({
      condition: 'clear',
      about: { label: 'Factory', id: 'F|1' },
      factoryId: 'F|1',
    });
  });
});
