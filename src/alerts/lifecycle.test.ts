import fc from 'fast-check';
import { type AlertRow, applyObservations, openKey } from './lifecycle';
import type { Observation } from './model';

const RULE = {
  id: 'r1',
  kind: 'OUT_OF_RANGE' as const,
  severity: 'WARNING' as const,
  clearDelayS: 60,
};
const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

function obs(condition: Observation['condition'], s: number, value = 0): Observation {
  return {
    ruleId: 'r1',
    subjectId: 'm1',
    about: { label: 'Asset', id: 'A1' },
    condition,
    at: at(s),
    message: `value ${value}`,
    value,
    factoryId: 'F1',
    lineId: 'L1',
    assetId: 'A1',
    metricId: 'm1',
  };
}

let n = 0;
const ids = () => `alert-${++n}`;

describe('alert lifecycle', () => {
  it('when a condition is first seen bad, then one alert is raised with count 1', () => {
    const r = applyObservations(null, [obs('bad', 0, 99)], RULE, ids);
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]?.created).toBe(true);
    expect(r.alerts[0]?.row).toMatchObject({
      state: 'RAISED',
      count: 1,
      raisedAt: at(0),
      lastValue: 99,
    });
    expect(r.events.map((e) => e.event)).toEqual(['RAISED']);
  });

  it('when clear or hold arrive with no open alert, then nothing happens', () => {
    const r = applyObservations(null, [obs('clear', 0), obs('hold', 1)], RULE, ids);
    expect(r).toEqual({ alerts: [], events: [] });
  });

  it('when a sensor flaps in and out of range 100 times inside the clear delay, then it is one alert counting 100', () => {
    const list: Observation[] = [];
    for (let i = 0; i < 100; i++) list.push(obs('bad', i * 2), obs('clear', i * 2 + 1));
    const r = applyObservations(null, list, RULE, ids);
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]?.row).toMatchObject({ state: 'RAISED', count: 100, lastSeenAt: at(198) });
    expect(r.events.map((e) => e.event)).toEqual(['RAISED']);
  });

  it('when the condition stays clear for the clear delay (reading time), then the alert resolves at that reading', () => {
    const r = applyObservations(
      null,
      [obs('bad', 0), obs('clear', 10), obs('clear', 69), obs('clear', 70), obs('clear', 80)],
      RULE,
      ids,
    );
    expect(r.alerts[0]?.row).toMatchObject({ state: 'RESOLVED', resolvedAt: at(70), count: 1 });
    expect(r.events.map((e) => e.event)).toEqual(['RAISED', 'RESOLVED']);
    expect(r.events[0]?.row.state).toBe('RAISED'); // each event carries the alert as it stood
  });

  it('when a value holds inside the hysteresis band, then the clear delay starts again from the next clear', () => {
    const r = applyObservations(
      null,
      [obs('bad', 0), obs('clear', 10), obs('hold', 50), obs('clear', 80), obs('clear', 139)],
      RULE,
      ids,
    );
    expect(r.alerts[0]?.row).toMatchObject({ state: 'RAISED', clearSince: at(80), count: 1 });
    // hold after bad is no way back: bad again is not a repeat
    const held = applyObservations(null, [obs('bad', 0), obs('hold', 1), obs('bad', 2)], RULE, ids);
    expect(held.alerts[0]?.row.count).toBe(1);
  });

  it('when the condition comes back after resolving, then a second alert is raised', () => {
    const r = applyObservations(
      null,
      [obs('bad', 0), obs('clear', 1), obs('clear', 61), obs('bad', 62)],
      RULE,
      ids,
    );
    expect(r.alerts.map((a) => a.row.state)).toEqual(['RESOLVED', 'RAISED']);
    expect(r.events.map((e) => e.event)).toEqual(['RAISED', 'RESOLVED', 'RAISED']);
  });

  it('when observations of a batch arrive out of order, then they are applied in time order', () => {
    const r = applyObservations(
      null,
      [obs('clear', 61), obs('bad', 0), obs('clear', 1)],
      RULE,
      ids,
    );
    expect(r.alerts[0]?.row).toMatchObject({ state: 'RESOLVED', resolvedAt: at(61) });
  });

  it('when an observation is older than the last applied to the open alert, then it is ignored', () => {
    const open = applyObservations(null, [obs('bad', 100)], RULE, ids).alerts[0]?.row;
    if (!open) throw new Error('no alert');
    const r = applyObservations(open, [obs('clear', 50), obs('clear', 99)], RULE, ids);
    expect(r.alerts[0]?.row).toEqual(open);
    expect(r.events).toEqual([]);
  });

  it('with a clear delay of 0, then the first clear resolves', () => {
    const r = applyObservations(
      null,
      [obs('bad', 0), obs('clear', 1)],
      { ...RULE, clearDelayS: 0 },
      ids,
    );
    expect(r.alerts[0]?.row.state).toBe('RESOLVED');
  });

  it('an acknowledged alert stays acknowledged while it counts repeats', () => {
    const raised = applyObservations(null, [obs('bad', 0)], RULE, ids).alerts[0]?.row;
    if (!raised) throw new Error('no alert');
    const acked: AlertRow = {
      ...raised,
      state: 'ACKNOWLEDGED',
      acknowledgedAt: at(5),
      acknowledgedBy: 'op',
    };
    const r = applyObservations(acked, [obs('clear', 6), obs('bad', 7)], RULE, ids);
    expect(r.alerts[0]?.row).toMatchObject({
      state: 'ACKNOWLEDGED',
      count: 2,
      acknowledgedBy: 'op',
    });
  });

  it('keys open alerts by rule and subject', () => {
    expect(openKey('r1', 'm1')).toBe('r1|m1');
  });

  it('property: at most one alert is open at the end, events alternate RAISED/RESOLVED, and counts equal the returns to bad', () => {
    const step = fc.record({
      condition: fc.constantFrom<Observation['condition']>('bad', 'clear', 'hold'),
      gap: fc.integer({ min: 0, max: 90 }),
    });
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 60 }),
        fc.integer({ min: 0, max: 120 }),
        (steps, delay) => {
          let t = 0;
          const list = steps.map((s) => obs(s.condition, (t += s.gap)));
          const r = applyObservations(null, list, { ...RULE, clearDelayS: delay }, ids);
          const open = r.alerts.filter((a) => a.row.state !== 'RESOLVED');
          expect(open.length).toBeLessThanOrEqual(1);
          if (open.length === 1) expect(r.alerts.at(-1)?.row.state).not.toBe('RESOLVED');
          r.events.forEach((e, i) => expect(e.event).toBe(i % 2 === 0 ? 'RAISED' : 'RESOLVED'));
          expect(r.events.filter((e) => e.event === 'RAISED')).toHaveLength(r.alerts.length);
          for (const a of r.alerts) {
            expect(a.row.count).toBeGreaterThanOrEqual(1);
            if (a.row.resolvedAt) expect(a.row.resolvedAt >= a.row.raisedAt).toBe(true);
          }
        },
      ),
      { seed: 1010, numRuns: 300 },
    );
  });
});
