import { convert, MAX_UNIT_LENGTH, resolveUnit, roundTo, UNIT_ALIASES } from './units';

// The library itself, to check the cached arithmetic against it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ucum = require('@lhncbc/ucum-lhc') as {
  UcumLhcUtils: {
    getInstance(): {
      convertUnitTo(from: string, value: number, to: string): { status: string; toVal: number };
    };
  };
};
const library = ucum.UcumLhcUtils.getInstance();

function converted(value: number, from: string, to: string): number {
  const result = convert(value, from, to);
  if (!result.ok) throw new Error(`${from}→${to}: ${result.reason} ${result.detail}`);
  return result.value;
}

describe('convert', () => {
  it('when 212 [degF] goes to Cel, then it is exactly 100 and the conversion is named', () => {
    expect(convert(212, '[degF]', 'Cel')).toEqual({
      ok: true,
      value: 100,
      conversion: '[degF]→Cel',
    });
  });

  it('when 32 degF (alias) goes to Cel, then it is exactly 0, not floating-point noise', () => {
    expect(convert(32, 'degF', 'Cel')).toEqual({ ok: true, value: 0, conversion: '[degF]→Cel' });
    expect(Object.is(converted(32, 'degF', 'Cel'), 0)).toBe(true);
  });

  it('when temperatures cross scales, then offsets are applied both ways', () => {
    expect(converted(-40, 'Cel', '[degF]')).toBe(-40);
    expect(converted(100, 'Cel', '[degF]')).toBe(212);
    expect(converted(0, 'Cel', 'K')).toBe(273.15);
    expect(converted(0, 'K', 'Cel')).toBe(-273.15);
    expect(converted(98.6, '[degF]', 'Cel')).toBe(37);
    expect(converted(20, 'degC', '[degF]')).toBe(68);
  });

  it('when pressures convert between bar and psi, then they match the UCUM definitions', () => {
    expect(converted(1, 'bar', '[psi]')).toBeCloseTo(14.5038, 4);
    expect(converted(30.5, 'psi', 'bar')).toBeCloseTo(2.10290097442, 10);
    expect(converted(30.5, '[psi]', 'bar')).toBe(converted(30.5, 'psi', 'bar'));
    expect(converted(1, 'bar', 'kPa')).toBe(100);
    expect(converted(1013.25, 'mbar', 'bar')).toBe(1.01325);
  });

  it('when prefixed and derived units convert, then the factor is exact to 12 digits', () => {
    expect(converted(5, 'mm/s', 'm/s')).toBe(0.005);
    expect(converted(1500, 'mm/s', 'm/s')).toBe(1.5);
    expect(converted(0.3, 'm/s', 'mm/s')).toBe(300);
    expect(converted(1.5, 'kW', 'W')).toBe(1500);
    expect(converted(1500, 'W', 'kW')).toBe(1.5);
    expect(converted(36, 'km/h', 'm/s')).toBe(10);
    expect(converted(50, '%', '1')).toBe(0.5);
    expect(converted(60, '/min', 'Hz')).toBe(1);
    expect(converted(1, 'kHz', 'Hz')).toBe(1000);
  });

  it('when the unit is the canonical one (or its alias), then the value passes unconverted', () => {
    expect(convert(71.3, 'Cel', 'Cel')).toEqual({ ok: true, value: 71.3, conversion: null });
    expect(convert(71.3, 'degC', 'Cel')).toEqual({ ok: true, value: 71.3, conversion: null });
    expect(convert(0.1 + 0.2, '%', '%')).toEqual({ ok: true, value: 0.1 + 0.2, conversion: null });
    expect(convert(3, 'Hz', 'Hz')).toEqual({ ok: true, value: 3, conversion: null });
  });

  it('when the dimensions differ, then INCOMPATIBLE_UNIT names both units', () => {
    const result = convert(1, 'bar', 'Cel');
    expect(result).toMatchObject({ ok: false, reason: 'INCOMPATIBLE_UNIT' });
    expect(!result.ok && result.detail).toContain('bar cannot be converted to Cel');
    expect(convert(1, 'mm/s', 'm')).toMatchObject({ ok: false, reason: 'INCOMPATIBLE_UNIT' });
    expect(convert(1, 'g', 'mol')).toMatchObject({ ok: false, reason: 'INCOMPATIBLE_UNIT' });
    expect(convert(1, '[IU]', '[iU]')).toMatchObject({ ok: false, reason: 'INCOMPATIBLE_UNIT' });
  });

  it('when the unit is unknown, then BAD_UNIT, told apart from an unknown canonical unit', () => {
    const furlongs = convert(1, 'furlongs', 'm');
    expect(furlongs).toMatchObject({ ok: false, reason: 'BAD_UNIT' });
    expect(!furlongs.ok && furlongs.detail).toContain('"furlongs" is not a UCUM unit');
    const canonical = convert(1, 'm', 'furlongs');
    expect(canonical).toMatchObject({ ok: false, reason: 'BAD_UNIT' });
    expect(!canonical.ok && canonical.detail).toContain('canonical unit "furlongs"');
  });

  it.each([
    ...['BAR', 'kw', 'cel', 'rpm', 'ppm', '°C', '', ' ', ' Cel', 'm s', 'Cel/s', '()<'],
    ...['__proto__', 'constructor', 'toString', 'hasOwnProperty'],
  ])('when the unit is %p (not UCUM: case and blanks matter), then BAD_UNIT', (unit) => {
    expect(convert(1, unit, 'Cel')).toMatchObject({ ok: false, reason: 'BAD_UNIT' });
  });

  it('when junk units are looked up, then the library logs nothing to the console', () => {
    const log = jest.spyOn(console, 'log');
    try {
      for (const unit of ['()<', 'a b', '=b()[(', 's8e/()f].', 'x y z']) {
        expect(convert(1, unit, 'Cel')).toMatchObject({ ok: false, reason: 'BAD_UNIT' });
      }
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
  });

  it('when a unit string is absurdly long, then BAD_UNIT without asking the library', () => {
    const unit = 'm'.repeat(MAX_UNIT_LENGTH + 1);
    expect(convert(1, unit, 'm')).toMatchObject({ ok: false, reason: 'BAD_UNIT' });
  });

  it('when the value is not finite or overflows in the target unit, then NOT_FINITE', () => {
    expect(convert(NaN, 'bar', '[psi]')).toMatchObject({ ok: false, reason: 'NOT_FINITE' });
    expect(convert(Infinity, 'Cel', 'Cel')).toMatchObject({ ok: false, reason: 'NOT_FINITE' });
    expect(convert(1e308, 'km', 'mm')).toMatchObject({ ok: false, reason: 'NOT_FINITE' });
  });

  it('when the conversion is logarithmic, then the library computes each value', () => {
    expect(converted(2, 'B[V]', 'V')).toBeCloseTo(10, 10);
    expect(converted(100, 'V', 'B[V]')).toBeCloseTo(4, 10);
    expect(converted(20, 'dB[V]', 'V')).toBeCloseTo(10, 10);
    expect(convert(0, 'V', 'B[V]')).toMatchObject({ ok: false, reason: 'NOT_FINITE' });
  });

  const pairs: [string, string][] = [
    ['[degF]', 'Cel'],
    ['Cel', '[degF]'],
    ['[degF]', 'K'],
    ['Cel', 'K'],
    ['bar', '[psi]'],
    ['[psi]', 'bar'],
    ['[psi]', 'kPa'],
    ['mm/s', 'm/s'],
    ['[in_i]/s', 'mm/s'],
    ['kW', 'W'],
    ['[HP]', 'kW'],
    ['%', '1'],
    ['/min', 'Hz'],
    ['L/min', 'm3/h'],
    ['[lb_av]', 'kg'],
    ['%[slope]', 'deg'],
  ];
  const values = [-1234.5, -40, -0.001, 0, 0.5, 3, 71.3, 212, 9999.99, 1.23e7];

  it.each(pairs)(
    'when %s goes to %s from the cache, then it agrees with the library to 12 digits',
    (from, to) => {
      for (const value of values) {
        const expected = library.convertUnitTo(from, value, to);
        expect(expected.status).toBe('succeeded');
        const got = converted(value, from, to);
        const tolerance = 1e-11 * Math.max(Math.abs(expected.toVal), 1e-9);
        expect(Math.abs(got - expected.toVal)).toBeLessThanOrEqual(tolerance);
        expect(converted(value, from, to)).toBe(got); // the cached plan answers the same
      }
    },
  );

  it('when thousands of distinct junk units arrive, then the bounded caches still answer', () => {
    for (let i = 0; i < 10_000; i += 1) {
      expect(convert(1, `junk${i}`, 'Cel')).toMatchObject({ ok: false, reason: 'BAD_UNIT' });
    }
    expect(converted(212, '[degF]', 'Cel')).toBe(100);
    expect(resolveUnit('degF')).toEqual({ ok: true, code: '[degF]' });
  });
});

describe('resolveUnit', () => {
  it('when an alias or a UCUM code is resolved, then its UCUM code comes back', () => {
    for (const [alias, code] of UNIT_ALIASES) {
      expect(resolveUnit(alias)).toEqual({ ok: true, code });
      expect(resolveUnit(code)).toEqual({ ok: true, code });
    }
    expect(resolveUnit('mm/s')).toEqual({ ok: true, code: 'mm/s' });
    expect(resolveUnit('[psi]')).toEqual({ ok: true, code: '[psi]' });
  });

  it('when a unit is not UCUM, then BAD_UNIT with a hint', () => {
    expect(resolveUnit('furlongs')).toMatchObject({
      ok: false,
      reason: 'BAD_UNIT',
      detail: expect.stringContaining('such as Cel') as unknown,
    });
  });
});

describe('roundTo', () => {
  it('when a value carries floating-point noise, then 12 significant digits remain', () => {
    expect(roundTo(100 + 6e-14, 100)).toBe(100);
    expect(roundTo(-0.0001, 0.0001)).toBe(-0.0001);
    expect(roundTo(0.1 + 0.2, 0.3)).toBe(0.3);
    expect(roundTo(5.7e-14, 17.77)).toBe(0);
    expect(roundTo(-0.0000001, 1e6)).toBe(0);
    expect(roundTo(123456789012345, 123456789012345)).toBe(123456789012000);
    expect(roundTo(1.23456789012345e-30, 1.23456789012345e-30)).toBe(1.23456789012e-30);
    expect(roundTo(1.5, 0)).toBe(1.5);
  });
});
