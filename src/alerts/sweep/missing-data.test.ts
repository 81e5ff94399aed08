import type { AlertRuleDef } from '../model';
import { missingDataObservations, missingDataParams } from './missing-data';

const NOW = Date.parse('2026-11-25T08:00:00.000Z');
const at = (offsetS: number) => new Date(NOW + offsetS * 1000).toISOString();

function rule(id: string, over: Partial<AlertRuleDef> = {}): AlertRuleDef {
  return {
    id,
    name: id,
    kind: 'MISSING_DATA',
    severity: 'WARNING',
    enabled: true,
    factoryId: null,
    lineId: null,
    assetId: null,
    metric: null,
    min: null,
    max: null,
    hysteresis: 0,
    expectedIntervalS: 300,
    clearDelayS: 0,
    webhookUrl: null,
    createdAt: at(-3600),
    updatedAt: at(-3600),
    ...over,
  };
}

const metric = (ruleId: string, ts: unknown) => ({
  ruleId,
  metricId: 'A1/t',
  metricName: 't',
  ts,
  assetId: 'A1',
  assetName: 'Press',
  lineId: 'L1',
  factoryId: 'F1',
});

describe('missingDataParams', () => {
  it('when a rule has no positive interval, then it is left out, and with none left there is nothing to read', () => {
    expect(missingDataParams([rule('a', { expectedIntervalS: null })], NOW)).toBeNull();
    expect(missingDataParams([rule('a', { expectedIntervalS: 0 })], NOW)).toBeNull();
  });

  it('when rules have different intervals and ages, then each has its cutoff and the widest is the latest', () => {
    const params = missingDataParams(
      [rule('a', { expectedIntervalS: 60 }), rule('b', { createdAt: at(-100) })],
      NOW,
    );
    expect(params).toMatchObject({
      widestIso: at(-60),
      anyCreatedLongAgo: true,
      rules: [
        { id: 'a', cutoffIso: at(-60), createdLongAgo: true },
        { id: 'b', cutoffIso: at(-300), createdLongAgo: false },
      ],
    });
  });
});

describe('missingDataObservations', () => {
  it('when a metric is silent exactly the interval, then it is not missing yet; a second more and it is', () => {
    const rules = [rule('r')];
    expect(missingDataObservations(rules, [metric('r', at(-300))], [], NOW)).toEqual([]);
    const [o] = missingDataObservations(rules, [metric('r', at(-301))], [], NOW);
    expect(o).toMatchObject({ condition: 'bad', value: 301, metricId: 'A1/t' });
  });

  it('when the last reading has an offset (the statement only pre-filters such strings), then it is parsed: a fresh one is not missing', () => {
    const rules = [rule('r')];
    expect(
      missingDataObservations(rules, [metric('r', '2026-11-25T08:59:00+01:00')], [], NOW),
    ).toEqual([]);
  });

  it("when a metric never reported and the rule's creation time does not parse, then it is not judged", () => {
    expect(
      missingDataObservations([rule('r', { createdAt: 'long ago' })], [metric('r', null)], [], NOW),
    ).toEqual([]);
  });

  it('when an open alert names a metric that is gone, then it is cleared, about the asset the alert recorded', () => {
    const [o] = missingDataObservations(
      [rule('r')],
      [],
      [{ ruleId: 'r', subjectId: 'A1/t', row: { exists: false, assetId: 'A1' } }],
      NOW,
    );
    expect(o).toMatchObject({
      condition: 'clear',
      about: { label: 'Asset', id: 'A1' },
      message: 'Metric A1/t no longer exists',
    });
  });
});
