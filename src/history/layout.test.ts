import { allFiles, factorySegment, fileName, partitionDir, utcDay } from './layout';

describe('the history layout', () => {
  it('when an instant is given, then its day is the UTC date', () => {
    expect(utcDay(Date.parse('2026-12-01T23:59:59.999Z'))).toBe('2026-12-01');
    expect(utcDay(Date.parse('2026-12-02T00:30:00+01:00'))).toBe('2026-12-01');
  });

  it('when a factory id holds characters a path cannot, then they are percent-encoded and cannot climb', () => {
    expect(factorySegment('F1')).toBe('F1');
    expect(factorySegment('plant-a_2.b')).toBe('plant-a_2.b');
    expect(factorySegment('a/b')).toBe('a%2Fb');
    expect(factorySegment('Köln')).toBe('K%C3%B6ln');
    expect(factorySegment('..')).toBe('%2E%2E');
    expect(factorySegment('.')).toBe('%2E');
  });

  it('when a partition and a file are named, then they follow day=/factory=/<instance>-<ts>-<seq>.parquet', () => {
    expect(partitionDir('/h', '2026-12-01', 'F 1')).toBe('/h/day=2026-12-01/factory=F%201');
    expect(fileName('api-1', 1764547200000, 3)).toBe('api-1-1764547200000-3.parquet');
    expect(allFiles('/h')).toBe('/h/day=*/factory=*/*.parquet');
  });
});
