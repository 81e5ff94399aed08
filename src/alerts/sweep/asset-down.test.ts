import { assetDownObservations } from './asset-down';

const NOW = Date.parse('2026-11-25T08:00:00.000Z');

describe('assetDownObservations', () => {
  it('when the status time does not parse, then the asset is bad now; without a reason or a line, the message says so', () => {
    const [o] = assetDownObservations(
      [{ ruleId: 'r', assetId: 'A9', assetName: 'A9', statusTs: 'yesterday', reason: ' ' }],
      [],
      NOW,
    );
    expect(o).toMatchObject({
      condition: 'bad',
      at: '2026-11-25T08:00:00.000Z',
      message: 'Asset A9 on no line is DOWN (no reason given)',
      lineId: null,
      factoryId: null,
    });
  });

  it('when an open alert names an asset that is DOWN but out of the rule scope, then it is cleared and the message says why', () => {
    const [o] = assetDownObservations(
      [],
      [
        {
          ruleId: 'r',
          subjectId: 'A1',
          row: { exists: true, status: 'DOWN', assetName: 'Press', lineId: 'L1', factoryId: 'F1' },
        },
      ],
      NOW,
    );
    expect(o).toMatchObject({
      condition: 'clear',
      message: "Asset Press (A1) is DOWN but no longer in the rule's scope",
      factoryId: 'F1',
      lineId: 'L1',
      assetId: 'A1',
    });
  });
});
