import { mergeRule, inScope } from './rules';
import { readingObservations, stateObservations } from './stream';

const place = {
  factoryId: 'F1',
  lineId: 'L1',
  assetId: 'A1',
  metricId: 'A1/temp',
  metric: 'temp',
  unit: 'Cel',
  min: 0,
  max: 100,
};

function rule(fields: Parameters<typeof mergeRule>[1]) {
  const r = mergeRule(null, { name: 'r', kind: 'OUT_OF_RANGE', ...fields });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return { ...r.rule, id: 'r1', createdAt: '', updatedAt: '' };
}

describe('alert rules', () => {
  it('when a rule is created without name or kind, then both are named as problems', () => {
    const r = mergeRule(null, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path).sort()).toEqual(['kind', 'name']);
  });

  it('when settings do not fit the kind or each other, then each problem names its field', () => {
    const r = mergeRule(null, {
      name: 'x',
      kind: 'SHIPMENT_LATE',
      assetId: 'A1',
      min: 3,
      clearDelayS: -1,
      webhookUrl: 'ftp://example.com',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.map((p) => p.path).sort()).toEqual([
        'assetId',
        'clearDelayS',
        'min',
        'webhookUrl',
      ]);
    }
    const range = mergeRule(null, {
      name: 'x',
      kind: 'OUT_OF_RANGE',
      min: 10,
      max: 5,
      hysteresis: -1,
    });
    expect(range.ok).toBe(false);
    if (!range.ok) expect(range.problems.map((p) => p.path).sort()).toEqual(['hysteresis', 'max']);
    const missing = mergeRule(null, { name: 'x', kind: 'MISSING_DATA' });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problems[0]?.path).toBe('expectedIntervalS');
  });

  it('when a rule is updated, then omitted fields keep their value, null unsets optional ones, and the kind cannot change', () => {
    const base = rule({ min: 1, max: 9, metric: 'temp', clearDelayS: 30 });
    const r = mergeRule(base, { min: null, severity: 'CRITICAL' });
    expect(r.ok && r.rule).toMatchObject({
      min: null,
      max: 9,
      metric: 'temp',
      clearDelayS: 30,
      severity: 'CRITICAL',
    });
    const k = mergeRule(base, { kind: 'ASSET_DOWN' });
    expect(k.ok).toBe(false);
  });

  it('a rule applies inside its scope only', () => {
    expect(inScope({ factoryId: 'F1', lineId: null, assetId: null }, place)).toBe(true);
    expect(inScope({ factoryId: 'F2', lineId: null, assetId: null }, place)).toBe(false);
    expect(inScope({ factoryId: null, lineId: null, assetId: 'A2' }, place)).toBe(false);
  });

  it('readings are bad outside the range, hold inside the hysteresis band, clear further in', () => {
    const r = rule({ hysteresis: 5 });
    const cond = (v: number) => readingObservations([r], place, v, 't')[0]?.condition;
    expect(cond(101)).toBe('bad');
    expect(cond(-1)).toBe('bad');
    expect(cond(100)).toBe('hold');
    expect(cond(96)).toBe('hold');
    expect(cond(95)).toBe('clear');
    expect(cond(5)).toBe('clear');
    expect(cond(4.9)).toBe('hold');
  });

  it("a rule's own thresholds replace the metric's range; a rule for another metric or a disabled rule sees nothing", () => {
    const own = rule({ max: 50 });
    expect(readingObservations([own], place, 60, 't')[0]?.condition).toBe('bad');
    expect(readingObservations([rule({ metric: 'pressure' })], place, 500, 't')).toEqual([]);
    expect(readingObservations([{ ...own, enabled: false }], place, 500, 't')).toEqual([]);
  });

  it('state messages are bad while DOWN and clear otherwise, for ASSET_DOWN rules only', () => {
    const down = { ...rule({}), kind: 'ASSET_DOWN' as const };
    expect(stateObservations([down], place, 'DOWN', 'jam', 't')[0]).toMatchObject({
      condition: 'bad',
      subjectId: 'A1',
      message: 'A1 on line L1 is DOWN (jam)',
    });
    expect(stateObservations([down], place, 'MAINTENANCE', null, 't')[0]?.condition).toBe('clear');
    expect(stateObservations([rule({})], place, 'DOWN', null, 't')).toEqual([]);
  });
});
