import { plainInput, ScenarioInputType } from './scenario.input';
import { parseStoredInput, parseStoredResult } from './scenario.records';

describe('stored scenario JSON', () => {
  it('when a GraphQL input is stored and read back, then it is the same scenario, with what was left out null', () => {
    const input = Object.assign(new ScenarioInputType(), {
      startAt: new Date('2026-11-25T00:00:00Z'),
      horizonDays: 14,
      supplierOutages: [{ supplierId: 'S1', startDay: null, days: 3 }],
      maintenanceWindows: [{ assetId: 'A1', startDay: 2, hours: 8 }],
      runs: 50,
      standingSupply: false,
    });
    const plain = plainInput(input);
    expect(plain).toEqual({
      startAt: '2026-11-25T00:00:00.000Z',
      horizonDays: 14,
      supplierOutages: [{ supplierId: 'S1', days: 3 }],
      maintenanceWindows: [{ assetId: 'A1', startDay: 2, hours: 8 }],
      runs: 50,
      standingSupply: false,
    });
    expect(parseStoredInput(JSON.stringify(plain), 'scn-1')).toEqual({
      startAt: '2026-11-25T00:00:00.000Z',
      horizonDays: 14,
      stepHours: null,
      supplierOutages: [{ supplierId: 'S1', startDay: null, days: 3 }],
      shipmentDelays: null,
      assetDowntimes: null,
      maintenanceWindows: [{ assetId: 'A1', startDay: 2, hours: 8 }],
      shiftChanges: null,
      demandChanges: null,
      factoryIds: null,
      runs: 50,
      seed: null,
      seriesProductIds: null,
      standingSupply: false,
    });
  });

  it('when a stored input is not JSON or not a scenario, then the error names the scenario and what is wrong', () => {
    expect(() => parseStoredInput('{', 'scn-1')).toThrow(
      'the stored input of scenario "scn-1" is not JSON',
    );
    expect(() => parseStoredInput('{"horizonDays":"ten"}', 'scn-1')).toThrow(
      /stored input of scenario "scn-1" does not have the expected shape: horizonDays:/,
    );
  });

  it('when a stored result lacks a KPI, then it is refused rather than shown half-formed', () => {
    const kpis = { fillRate: 1, unitsProduced: 0, unitsShort: 0, lateOrders: 0, revenueLost: 0 };
    const result = {
      kpis,
      baseline: kpis,
      delta: kpis,
      inventory: [],
      production: [],
      stockouts: [],
      lateOrders: [],
      series: [],
      bands: [],
      runs: 1,
      seed: 1,
      steps: 10,
      startAt: '2026-11-25T00:00:00.000Z',
      horizonDays: 10,
      stepHours: 24,
      representativeRun: 0,
    };
    expect(parseStoredResult(JSON.stringify(result), 'scn-2')).toEqual(result);
    const partial = { fillRate: 1, unitsProduced: 0, unitsShort: 0, lateOrders: 0 };
    expect(() => parseStoredResult(JSON.stringify({ ...result, delta: partial }), 'scn-2')).toThrow(
      /scenario "scn-2" does not have the expected shape: delta.revenueLost/,
    );
  });
});
