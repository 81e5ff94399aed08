import {
  DEFAULT_PAYLOAD_LIMITS,
  parseState,
  parseTelemetry,
  parseTimestamp,
  type PayloadLimits,
} from './payload';
import { isRejectionReason, METRIC_REJECTION_REASONS } from './reasons';

const NOW = Date.parse('2026-11-25T10:00:00.000Z');
const limits: PayloadLimits = { now: NOW, ...DEFAULT_PAYLOAD_LIMITS };
const TS = '2026-11-25T09:59:59.123Z';

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
function telemetry(metrics: unknown, ts: unknown = TS, opts: PayloadLimits = limits) {
  return parseTelemetry(json({ ts, metrics }), opts);
}
function readings(metrics: unknown) {
  const result = telemetry(metrics);
  if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
  return result;
}

describe('parseTelemetry', () => {
  it('when the documented payload arrives, then bare numbers and {value, unit} are read', () => {
    const buf = Buffer.from(
      '{"ts": "2026-11-25T09:59:59.123Z", "metrics": {"temperature": 71.3, "pressure": {"value": 30.5, "unit": "[psi]"}}}',
    );
    expect(parseTelemetry(buf, limits)).toEqual({
      ok: true,
      ts: TS,
      tsMs: Date.parse(TS),
      metrics: [
        { name: 'temperature', value: 71.3, unit: null },
        { name: 'pressure', value: 30.5, unit: '[psi]' },
      ],
      rejectedMetrics: [],
    });
  });

  it('when the unit is an alias, then the reading keeps the unit as sent', () => {
    expect(readings({ t: { value: 212, unit: 'degF' } }).metrics).toEqual([
      { name: 't', value: 212, unit: 'degF' },
    ]);
  });

  it('when one metric is bad, then only that metric is rejected and the others are kept', () => {
    const result = readings({
      temperature: 71.3,
      nanString: 'NaN',
      numberString: '71.3',
      nothing: null,
      flag: true,
      list: [1, 2],
      nested: { a: { b: 1 } },
      quoted: { value: '30.5', unit: 'bar' },
      noUnit: { value: 30.5 },
      noValue: { unit: 'bar' },
      numericUnit: { value: 30.5, unit: 5 },
      typo: { value: 30.5, units: 'bar' },
      furlongs: { value: 3, unit: 'furlongs' },
      pressure: { value: 30.5, unit: 'psi' },
      '': 1,
      ['x'.repeat(201)]: 1,
    });
    expect(result.metrics).toEqual([
      { name: 'temperature', value: 71.3, unit: null },
      { name: 'pressure', value: 30.5, unit: 'psi' },
    ]);
    const reasons = Object.fromEntries(result.rejectedMetrics.map((r) => [r.name, r.reason]));
    expect(reasons).toEqual({
      nanString: 'NOT_FINITE',
      numberString: 'NOT_FINITE',
      nothing: 'NOT_FINITE',
      flag: 'NOT_FINITE',
      list: 'NOT_FINITE',
      nested: 'BAD_SHAPE',
      quoted: 'NOT_FINITE',
      noUnit: 'BAD_SHAPE',
      noValue: 'BAD_SHAPE',
      numericUnit: 'BAD_UNIT',
      typo: 'BAD_SHAPE',
      furlongs: 'BAD_UNIT',
      '': 'BAD_SHAPE',
      [`${'x'.repeat(200)}…`]: 'BAD_SHAPE',
    });
    const details = result.rejectedMetrics.map((r) => r.detail).join('\n');
    expect(details).toContain('metric "nanString": value is "NaN", not a number');
    expect(details).toContain('unknown key "units"; allowed keys: value, unit');
    expect(details).toContain('"furlongs" is not a UCUM unit');
  });

  it('when a number overflows a double (1e999), then that metric is NOT_FINITE', () => {
    const buf = Buffer.from(
      `{"ts":"${TS}","metrics":{"big":1e999,"neg":{"value":-1e999,"unit":"bar"},"ok":1}}`,
    );
    const result = parseTelemetry(buf, limits);
    expect(result.ok && result.metrics).toEqual([{ name: 'ok', value: 1, unit: null }]);
    expect(result.ok && result.rejectedMetrics.map((r) => r.reason)).toEqual([
      'NOT_FINITE',
      'NOT_FINITE',
    ]);
  });

  it('when every metric is bad, then the message is still read with an empty metrics list', () => {
    const result = readings({ a: 'x' });
    expect(result.metrics).toEqual([]);
    expect(result.rejectedMetrics).toHaveLength(1);
  });

  it('when "__proto__" and friends are metric names, then nothing is polluted and they are plain names', () => {
    const buf = Buffer.from(
      `{"ts":"${TS}","metrics":{"__proto__":{"value":1,"unit":"bar"},"constructor":2,"toString":{"polluted":true}}}`,
    );
    const result = parseTelemetry(buf, limits);
    expect(result.ok && result.metrics).toEqual([
      { name: '__proto__', value: 1, unit: 'bar' },
      { name: 'constructor', value: 2, unit: null },
    ]);
    expect(result.ok && result.rejectedMetrics.map((r) => [r.name, r.reason])).toEqual([
      ['toString', 'BAD_SHAPE'],
    ]);
    const fresh: Record<string, unknown> = {};
    expect(fresh['polluted']).toBeUndefined();
    expect(fresh['value']).toBeUndefined();
    expect(Object.getPrototypeOf(fresh)).toBe(Object.prototype);
  });

  it('when "__proto__" is a key of the payload or of a {value, unit}, then it is an unknown key', () => {
    const top = Buffer.from(`{"ts":"${TS}","metrics":{"a":1},"__proto__":{"metrics":1}}`);
    expect(parseTelemetry(top, limits)).toMatchObject({ ok: false, reason: 'BAD_SHAPE' });
    const inner = Buffer.from(
      `{"ts":"${TS}","metrics":{"a":{"value":1,"unit":"bar","__proto__":{"unit":"Cel"}}}}`,
    );
    const result = parseTelemetry(inner, limits);
    expect(result.ok && result.rejectedMetrics[0]?.reason).toBe('BAD_SHAPE');
  });

  it('when a prototype is polluted elsewhere, then inherited keys never pass for fields', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['ts'] = TS;
    proto['unit'] = 'bar';
    try {
      expect(parseTelemetry(json({ metrics: { a: 1 } }), limits)).toMatchObject({
        reason: 'BAD_TIMESTAMP',
      });
      const result = readings({ a: { value: 1 } });
      expect(result.rejectedMetrics[0]?.reason).toBe('BAD_SHAPE');
    } finally {
      delete proto['ts'];
      delete proto['unit'];
    }
  });

  describe('whole-message rejections', () => {
    it.each([
      ['plain text', 'hello', 'NOT_JSON'],
      ['an empty payload', '', 'NOT_JSON'],
      ['truncated JSON', `{"ts":"${TS}","metrics":{"a":`, 'NOT_JSON'],
      ['a byte order mark', `\uFEFF{"ts":"${TS}","metrics":{"a":1}}`, 'NOT_JSON'],
      ['NaN as a bare word', `{"ts":"${TS}","metrics":{"a":NaN}}`, 'NOT_JSON'],
      ['an array', '[1,2,3]', 'BAD_SHAPE'],
      ['null', 'null', 'BAD_SHAPE'],
      ['a number', '42', 'BAD_SHAPE'],
      ['a string', '"hello"', 'BAD_SHAPE'],
      ['no metrics', `{"ts":"${TS}"}`, 'BAD_SHAPE'],
      ['metrics as an array', `{"ts":"${TS}","metrics":[1]}`, 'BAD_SHAPE'],
      ['metrics as a number', `{"ts":"${TS}","metrics":7}`, 'BAD_SHAPE'],
      ['empty metrics', `{"ts":"${TS}","metrics":{}}`, 'BAD_SHAPE'],
      ['an unknown key', `{"ts":"${TS}","metrics":{"a":1},"seq":5}`, 'BAD_SHAPE'],
      ['a misspelt key', `{"ts":"${TS}","metric":{"a":1}}`, 'BAD_SHAPE'],
      ['no ts', '{"metrics":{"a":1}}', 'BAD_TIMESTAMP'],
    ])('when the payload is %s, then %s', (_what, text, reason) => {
      expect(parseTelemetry(Buffer.from(text), limits)).toMatchObject({ ok: false, reason });
    });

    it('when the payload is not UTF-8, then NOT_JSON', () => {
      const buf = Buffer.concat([
        Buffer.from(`{"ts":"${TS}","metrics":{"`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('":1}}'),
      ]);
      expect(parseTelemetry(buf, limits)).toMatchObject({
        ok: false,
        reason: 'NOT_JSON',
        detail: 'payload is not UTF-8 text',
      });
    });

    it('when the payload exceeds maxBytes, then PAYLOAD_TOO_LARGE before any parsing', () => {
      const big = Buffer.alloc(limits.maxBytes + 1, 0x7b); // '{' repeated: not JSON either
      expect(parseTelemetry(big, limits)).toMatchObject({ ok: false, reason: 'PAYLOAD_TOO_LARGE' });
      expect(parseState(big, limits)).toMatchObject({ ok: false, reason: 'PAYLOAD_TOO_LARGE' });
      const body = `{"ts":"${TS}","metrics":{"a":1}}`;
      const exact = Buffer.from(body.padEnd(200, ' '));
      expect(parseTelemetry(exact, { ...limits, maxBytes: 200 }).ok).toBe(true);
      expect(parseTelemetry(exact, { ...limits, maxBytes: 199 })).toMatchObject({
        reason: 'PAYLOAD_TOO_LARGE',
      });
    });

    it('when a message carries more metrics than allowed, then BAD_SHAPE', () => {
      const metrics = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`m${i}`, i]));
      expect(telemetry(metrics)).toMatchObject({ ok: false, reason: 'BAD_SHAPE' });
      expect(telemetry(metrics, TS, { ...limits, maxMetrics: 2000 }).ok).toBe(true);
      const thousand = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`m${i}`, i]));
      expect(readings(thousand).metrics).toHaveLength(1000);
    });

    it('when the JSON is nested 100 000 deep, then nothing overflows the stack', () => {
      const depth = 100_000;
      const roomy = { ...limits, maxBytes: 1_000_000 };
      const inMetric = Buffer.from(
        `{"ts":"${TS}","metrics":{"a":${'['.repeat(depth)}${']'.repeat(depth)},"b":2}}`,
      );
      const result = parseTelemetry(inMetric, roomy);
      expect(isRejectionReason(result.ok ? 'NOT_JSON' : result.reason)).toBe(true);
      if (result.ok) {
        expect(result.metrics).toEqual([{ name: 'b', value: 2, unit: null }]);
        expect(result.rejectedMetrics[0]?.reason).toBe('NOT_FINITE');
      }
      const objects = Buffer.from(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
      expect(parseTelemetry(objects, roomy).ok).toBe(false);
      expect(parseState(objects, roomy).ok).toBe(false);
    });
  });

  describe('timestamps', () => {
    it('when ts is epoch milliseconds, then it becomes UTC ISO with milliseconds', () => {
      const result = telemetry({ a: 1 }, NOW - 877);
      expect(result).toMatchObject({ ok: true, ts: '2026-11-25T09:59:59.123Z', tsMs: NOW - 877 });
    });

    it.each([
      ['2026-11-25T11:59:59.123+02:00', '2026-11-25T09:59:59.123Z'],
      ['2026-11-25T04:29:59.123-05:30', '2026-11-25T09:59:59.123Z'],
      ['2026-11-25T10:59:59.123456+0100', '2026-11-25T09:59:59.123Z'],
      ['2026-11-25T09:59:59Z', '2026-11-25T09:59:59.000Z'],
      ['2026-11-25t09:59:59.1z', '2026-11-25T09:59:59.100Z'],
      ['2026-11-26T00:59:59.123+15:00', '2026-11-25T09:59:59.123Z'],
    ])('when ts is %p, then it is %p in UTC', (ts, utc) => {
      expect(telemetry({ a: 1 }, ts)).toMatchObject({ ok: true, ts: utc, tsMs: Date.parse(utc) });
    });

    it.each([
      ['a local time without zone', '2026-11-25T09:59:59.123', 'no zone'],
      ['a date alone', '2026-11-25', 'not a date-time'],
      ['no such day', '2026-02-30T10:00:00Z', 'no such date-time'],
      ['no such hour', '2026-11-25T24:00:00Z', 'no such date-time'],
      ['an RFC 2822 date', 'Wed, 25 Nov 2026 10:00:00 GMT', 'not a date-time'],
      ['a space instead of T', '2026-11-25 09:59:59Z', 'not a date-time'],
      ['a numeric string', String(NOW), 'not a date-time'],
      ['epoch seconds', Math.floor(NOW / 1000), 'looks like epoch seconds'],
      ['epoch microseconds', NOW * 1000, 'micro- or nanoseconds'],
      ['epoch nanoseconds', NOW * 1e6, 'micro- or nanoseconds'],
      ['fractional milliseconds', NOW + 0.5, 'not whole epoch milliseconds'],
      ['zero', 0, 'not after 1973'],
      ['a negative number', -NOW, 'not after 1973'],
      ['null', null, 'is null'],
      ['a boolean', true, 'is boolean true'],
      ['an object', { $date: TS }, 'is an object'],
      ['a very long string', `${TS}${' '.repeat(100)}`, 'too long'],
    ])('when ts is %s, then BAD_TIMESTAMP says so', (_what, ts, why) => {
      const result = telemetry({ a: 1 }, ts);
      expect(result).toMatchObject({ ok: false, reason: 'BAD_TIMESTAMP' });
      expect(!result.ok && result.detail).toContain(why);
    });

    it('when ts is later than now + maxFutureMs, then FUTURE_TIMESTAMP; at the limit it passes', () => {
      const limit = NOW + limits.maxFutureMs;
      expect(telemetry({ a: 1 }, limit).ok).toBe(true);
      expect(telemetry({ a: 1 }, limit + 1)).toMatchObject({
        ok: false,
        reason: 'FUTURE_TIMESTAMP',
      });
      expect(telemetry({ a: 1 }, '2027-01-01T00:00:00Z')).toMatchObject({
        reason: 'FUTURE_TIMESTAMP',
      });
    });

    it('when ts is earlier than now - maxAgeMs, then STALE_TIMESTAMP; at the limit it passes', () => {
      const limit = NOW - limits.maxAgeMs;
      expect(telemetry({ a: 1 }, limit).ok).toBe(true);
      expect(telemetry({ a: 1 }, limit - 1)).toMatchObject({
        ok: false,
        reason: 'STALE_TIMESTAMP',
      });
      expect(telemetry({ a: 1 }, '1999-12-31T23:59:59Z')).toMatchObject({
        reason: 'STALE_TIMESTAMP',
      });
      expect(telemetry({ a: 1 }, '0001-01-01T00:00:00Z')).toMatchObject({
        reason: 'STALE_TIMESTAMP',
      });
    });

    it('when parseTimestamp is given limits alone, then it needs no payload', () => {
      expect(parseTimestamp(TS, limits)).toEqual({ ok: true, ts: TS, tsMs: Date.parse(TS) });
    });
  });
});

describe('parseState', () => {
  function state(body: unknown) {
    return parseState(json(body), limits);
  }

  it('when the documented state payload arrives, then status and reason are read', () => {
    expect(state({ ts: TS, status: 'DOWN', reason: 'hydraulic leak' })).toEqual({
      ok: true,
      ts: TS,
      tsMs: Date.parse(TS),
      status: 'DOWN',
      reason: 'hydraulic leak',
    });
  });

  it('when the reason is absent, null or blank, then it is null; otherwise trimmed', () => {
    expect(state({ ts: TS, status: 'RUNNING' })).toMatchObject({ ok: true, reason: null });
    expect(state({ ts: TS, status: 'IDLE', reason: null })).toMatchObject({ reason: null });
    expect(state({ ts: TS, status: 'IDLE', reason: '   ' })).toMatchObject({ reason: null });
    expect(state({ ts: NOW, status: 'MAINTENANCE', reason: ' oil change ' })).toMatchObject({
      ok: true,
      status: 'MAINTENANCE',
      reason: 'oil change',
    });
  });

  it.each([
    ['missing', undefined, 'status is required'],
    ['lower case', 'down', '"down" is not valid'],
    ['unknown', 'BROKEN', 'one of RUNNING, IDLE, DOWN, MAINTENANCE'],
    ['a number', 3, 'number 3 is not valid'],
    ['null', null, 'null is not valid'],
  ])('when the status is %s, then BAD_STATUS', (_what, status, why) => {
    const result = state({ ts: TS, status });
    expect(result).toMatchObject({ ok: false, reason: 'BAD_STATUS' });
    expect(!result.ok && result.detail).toContain(why);
  });

  it('when the reason is not a string or is too long, then BAD_SHAPE', () => {
    expect(state({ ts: TS, status: 'DOWN', reason: 42 })).toMatchObject({ reason: 'BAD_SHAPE' });
    expect(state({ ts: TS, status: 'DOWN', reason: { text: 'x' } })).toMatchObject({
      reason: 'BAD_SHAPE',
    });
    expect(state({ ts: TS, status: 'DOWN', reason: 'x'.repeat(1001) })).toMatchObject({
      reason: 'BAD_SHAPE',
    });
  });

  it('when the state payload has a telemetry key or bad time, then it is rejected whole', () => {
    expect(state({ ts: TS, status: 'DOWN', metrics: {} })).toMatchObject({ reason: 'BAD_SHAPE' });
    expect(state({ status: 'DOWN' })).toMatchObject({ reason: 'BAD_TIMESTAMP' });
    expect(state({ ts: NOW + 3_600_000, status: 'DOWN' })).toMatchObject({
      reason: 'FUTURE_TIMESTAMP',
    });
    expect(parseState(Buffer.from('DOWN'), limits)).toMatchObject({ reason: 'NOT_JSON' });
  });
});

describe('garbage in, a result out', () => {
  // mulberry32: a seeded generator, so a failure reproduces
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const random = rng(20261125);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

  const leaves: readonly unknown[] = [
    0,
    -1,
    71.3,
    1e300,
    NOW,
    NOW / 1000,
    TS,
    '2026-11-25T09:59:59',
    'NaN',
    '',
    '[psi]',
    'degF',
    'furlongs',
    'DOWN',
    true,
    false,
    null,
    '__proto__',
    'value',
    'unit',
    'metrics',
  ];
  const keys = [
    'ts',
    'metrics',
    'status',
    'reason',
    'value',
    'unit',
    '__proto__',
    'a',
    'temperature',
  ];
  function value(depth: number): unknown {
    const kind = depth > 4 ? 0 : int(4);
    if (kind === 0) return pick(leaves);
    if (kind === 1) return Array.from({ length: int(4) }, () => value(depth + 1));
    const object: Record<string, unknown> = {};
    for (let i = int(5); i > 0; i -= 1) object[pick(keys)] = value(depth + 1);
    if (kind === 3) {
      object['ts'] = pick([TS, NOW, NOW / 1000, '2026-11-25', null]);
      object[pick(['metrics', 'status'])] = value(depth + 1);
    }
    return object;
  }

  const valid = Buffer.from(
    `{"ts":"${TS}","metrics":{"temperature":71.3,"pressure":{"value":30.5,"unit":"[psi]"}}}`,
  );
  function mutate(): Buffer {
    const copy = Buffer.from(valid);
    for (let i = int(4) + 1; i > 0; i -= 1) copy[int(copy.length)] = int(256);
    return int(3) === 0 ? copy.subarray(0, int(copy.length)) : copy;
  }
  function bytes(): Buffer {
    return Buffer.from(Array.from({ length: int(64) }, () => int(256)));
  }

  function check(buf: Buffer): void {
    const small = { ...limits, maxBytes: 4096 };
    const result = parseTelemetry(buf, small);
    if (result.ok) {
      for (const m of result.metrics) expect(Number.isFinite(m.value)).toBe(true);
      for (const r of result.rejectedMetrics) expect(METRIC_REJECTION_REASONS).toContain(r.reason);
      expect(new Date(result.tsMs).toISOString()).toBe(result.ts);
    } else {
      expect(isRejectionReason(result.reason)).toBe(true);
      expect(typeof result.detail).toBe('string');
    }
    const status = parseState(buf, small);
    if (!status.ok) expect(isRejectionReason(status.reason)).toBe(true);
  }

  it('when thousands of random buffers, JSON values and mutated payloads arrive, then none throws', () => {
    for (let i = 0; i < 3000; i += 1) {
      check(bytes());
      check(json(value(0)));
      check(mutate());
    }
  });
});
