import { canonicalTimeZone, formatPath, parseIsoDate } from './values';

describe('parseIsoDate', () => {
  it.each([
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20T08:00:00Z', '2026-11-20T08:00:00.000Z'],
    ['2026-11-20T08:00Z', '2026-11-20T08:00:00.000Z'],
    ['2026-11-20T08:00:00.5+02:00', '2026-11-20T06:00:00.500Z'],
    ['2026-11-20T23:30:00-0100', '2026-11-21T00:30:00.000Z'],
    ['2026-11-20T08:00:00+05', '2026-11-20T03:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0099-01-01', '0099-01-01T00:00:00.000Z'],
  ])('when %p is parsed, then it is %p', (text, iso) => {
    expect(parseIsoDate(text)).toEqual({ ok: true, iso });
  });

  it.each([
    '2026-11-20T08:00:00',
    '2026-11-20 08:00:00Z',
    '2025-02-29',
    '2026-04-31',
    '2026-00-10',
    '2026-11-20T24:00:00Z',
    '2026-11-20T08:60Z',
    '2026-11-20T08:00:00+24:00',
    'Fri, 20 Nov 2026 08:00:00 GMT',
    '1764892800000',
    '',
  ])('when %p is parsed, then it does not parse', (text) => {
    expect(parseIsoDate(text).ok).toBe(false);
  });
});

describe('canonicalTimeZone', () => {
  it('when zones are looked up, then IANA names pass and offsets or junk do not', () => {
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('america/chicago')).toBe('America/Chicago');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('+01:00')).toBeNull();
    expect(canonicalTimeZone('Berlin')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
  });
});

describe('formatPath', () => {
  it('when a path has indexes and odd keys, then it reads like JavaScript', () => {
    expect(formatPath(['assets', 3, 'metrics', 0, 'unit'])).toBe('assets[3].metrics[0].unit');
    expect(formatPath(['factories', 0, 'my key'])).toBe('factories[0]["my key"]');
    expect(formatPath([])).toBe('');
  });
});
