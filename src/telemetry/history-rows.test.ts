import { historyRows, UNKNOWN_FACTORY } from './history-rows';
import type { ReadingRecord } from './records';

const reading = (assetId: string, topic: string): ReadingRecord => ({
  id: `${assetId}/temperature@2026-12-01T10:00:00.000Z`,
  metricId: `${assetId}/temperature`,
  assetId,
  metric: 'temperature',
  ts: '2026-12-01T10:00:00.000Z',
  value: 21.5,
  unit: 'Cel',
  flagged: false,
  topic,
  receivedAt: '2026-12-01T10:00:00.250Z',
  originalValue: 70.7,
  originalUnit: '[degF]',
  conversion: '[degF]→Cel',
});

describe('history rows of committed readings', () => {
  it('when the asset is cached, then its factory now names the partition and the topic is the source', () => {
    const registry = {
      cached: (id: string) => (id === 'A1' ? { factoryId: 'F9' } : undefined),
    };
    const [row] = historyRows([reading('A1', 'twin/F1/L1/A1/telemetry')], registry, 'twin');
    expect(row).toEqual({
      metricId: 'A1/temperature',
      assetId: 'A1',
      factoryId: 'F9',
      metric: 'temperature',
      tsMs: Date.parse('2026-12-01T10:00:00.000Z'),
      value: 21.5,
      unit: 'Cel',
      flagged: false,
      originalValue: 70.7,
      originalUnit: '[degF]',
      conversion: '[degF]→Cel',
      source: 'twin/F1/L1/A1/telemetry',
      receivedAtMs: Date.parse('2026-12-01T10:00:00.250Z'),
    });
  });

  it('when the asset is not cached, then the factory comes from the topic (or is unknown)', () => {
    const registry = { cached: (): { factoryId: string } | undefined => undefined };
    const rows = historyRows(
      [reading('A2', 'acme/twin/F2/L1/A2/telemetry'), reading('A3', 'elsewhere/A3')],
      registry,
      'acme/twin',
    );
    expect(rows.map((r) => r.factoryId)).toEqual(['F2', UNKNOWN_FACTORY]);
  });
});
