import { CANONICAL_ISO, days, duration, figure, readTimeMs } from './time';

describe('readTimeMs', () => {
  it.each([
    ['the form the product writes', '2026-11-25T08:00:00.000Z', Date.UTC(2026, 10, 25, 8)],
    ['ISO with an offset', '2026-11-25T09:00:00+01:00', Date.UTC(2026, 10, 25, 8)],
    ['ISO without milliseconds', '2026-11-25T08:00:00Z', Date.UTC(2026, 10, 25, 8)],
    ['a date alone (UTC midnight)', '2026-11-25', Date.UTC(2026, 10, 25)],
    [
      'epoch ms (a Neo4j DATETIME as the statements return it)',
      1_795_593_600_000,
      1_795_593_600_000,
    ],
  ])('when the time is %s, then it is read', (_, value, expected) => {
    expect(readTimeMs(value)).toBe(expected);
  });

  it.each([
    ['a local time without a zone', '2026-11-25T08:00:00'],
    ['no such day', '2026-02-30T08:00:00Z'],
    ['not a date', 'soon'],
    ['null', null],
    ['a boolean', true],
    ['NaN', Number.NaN],
  ])('when the time is %s, then it is not known (null)', (_, value) => {
    expect(readTimeMs(value)).toBeNull();
  });
});

describe('CANONICAL_ISO', () => {
  const canonical = new RegExp(`^${CANONICAL_ISO}$`);

  it('when a time is written by toISOString, then it matches, and strings of it sort in time order', () => {
    const a = new Date(Date.UTC(2026, 10, 25, 8, 0, 0, 5)).toISOString();
    const b = new Date(Date.UTC(2026, 10, 25, 10)).toISOString();
    expect(canonical.test(a)).toBe(true);
    expect(canonical.test(b)).toBe(true);
    expect(a < b).toBe(true);
  });

  it('when a time has an offset or no milliseconds, then it does not match (the code parses it)', () => {
    expect(canonical.test('2026-11-25T09:00:00+01:00')).toBe(false);
    expect(canonical.test('2026-11-25T08:00:00Z')).toBe(false);
  });
});

describe('figures and durations in messages', () => {
  it.each([
    [45, '45 s'],
    [600, '10 min'],
    [3_600, '60 min'],
    [7_200, '2 h'],
    [19_800, '5.5 h'],
    [200_000, '2.3 days'],
  ])('when %d seconds are shown, then they read "%s"', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });

  it('when days are shown, then one is singular and others have at most the given decimals', () => {
    expect(days(1)).toBe('1 day');
    expect(days(2.5)).toBe('2.5 days');
    expect(days(1.953125, 2)).toBe('1.95 days');
    expect(figure(2560)).toBe('2560');
    expect(figure(0.3333)).toBe('0.33');
  });
});
