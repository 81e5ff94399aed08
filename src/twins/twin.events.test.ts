import type { TwinChange, TwinEvents } from '../domain/events';
import { assetStatusChanged, groupChanges, publishWrite } from './twin.events';

function recorder(): TwinEvents & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    twinsChanged: (c) => calls.push({ twinsChanged: c }),
    assetStatusChanged: (c) => calls.push({ assetStatusChanged: c }),
    twinsImported: () => calls.push('twinsImported'),
    simulationProgress: (p) => calls.push({ simulationProgress: p }),
    alertChanged: (n) => calls.push({ alertChanged: n }),
    alertRulesChanged: () => calls.push('alertRulesChanged'),
  };
}

describe('change events', () => {
  it('when twins of several kinds are deleted, then there is one change per kind with sorted, distinct ids', () => {
    const changes: TwinChange[] = groupChanges([
      { kind: 'Line', id: 'L1', op: 'delete' },
      { kind: 'Asset', id: 'A2', op: 'delete' },
      { kind: 'Asset', id: 'A1', op: 'delete' },
      { kind: 'Metric', id: 'A1/t', assetId: 'A1', op: 'delete' },
      { kind: 'Metric', id: 'A9/t', assetId: 'A9', op: 'delete' },
      { kind: 'Alert', id: 'X1', op: 'delete' },
    ]);
    expect(changes).toEqual([
      { kind: 'Line', ids: ['L1'], op: 'delete' },
      { kind: 'Asset', ids: ['A1', 'A2'], op: 'delete' },
      // a metric whose asset stays is a change of that asset
      { kind: 'Asset', ids: ['A9'], op: 'update' },
    ]);
  });

  it('when an asset is written, then assetStatusChanged is published only for a new or changed status', () => {
    const events = recorder();
    const write = (before: Record<string, unknown> | null, status: string) =>
      publishWrite(events, 'Asset', { id: 'A1', before, after: { status } }, [assetStatusChanged]);
    write(null, 'RUNNING');
    write({ status: 'RUNNING' }, 'RUNNING');
    write({ status: 'RUNNING' }, 'DOWN');
    expect(events.calls).toEqual([
      { twinsChanged: { kind: 'Asset', ids: ['A1'], op: 'create' } },
      {
        assetStatusChanged: {
          assetId: 'A1',
          previousStatus: null,
          status: 'RUNNING',
          reason: 'created through the API',
        },
      },
      { twinsChanged: { kind: 'Asset', ids: ['A1'], op: 'update' } },
      { twinsChanged: { kind: 'Asset', ids: ['A1'], op: 'update' } },
      {
        assetStatusChanged: {
          assetId: 'A1',
          previousStatus: 'RUNNING',
          status: 'DOWN',
          reason: 'changed through the API',
        },
      },
    ]);
  });
});
