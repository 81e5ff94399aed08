/**
 * Unit conversion into a metric's canonical UCUM unit (docs/mqtt.md, "Units"), by the NLM's UCUM
 * library @lhncbc/ucum-lhc. Readings arrive by the thousand per second with a handful of distinct
 * (from, to) pairs, so the library is asked once per pair: it validates both units and, when the
 * conversion is affine (all of them but logarithmic ones such as B[V] or Np), yields `y = a·x + b`
 * whose coefficients are checked against the library at several points; later readings of the
 * pair are one multiply-add. Other conversions call the library's unit objects each time.
 */
/** Why a unit or value cannot be used; telemetry counts these as rejection reasons of the same names. */
export type UnitProblemReason = 'BAD_UNIT' | 'INCOMPATIBLE_UNIT' | 'NOT_FINITE';

export interface UnitProblem<R extends UnitProblemReason = UnitProblemReason> {
  readonly ok: false;
  readonly reason: R;
  readonly detail: string;
}

function reject<R extends UnitProblemReason>(reason: R, detail: string): UnitProblem<R> {
  return { ok: false, reason, detail };
}

/** The common spellings accepted besides UCUM codes (docs/mqtt.md, "Units"). */
export const UNIT_ALIASES: ReadonlyMap<string, string> = new Map([
  ['degC', 'Cel'],
  ['degF', '[degF]'],
  ['psi', '[psi]'],
]);

/** Longer unit strings are refused unparsed: no real unit needs more, and parsing is not free. */
export const MAX_UNIT_LENGTH = 64;

/** Results carry 12 significant digits: 212 [degF] is 100 Cel, not 100.00000000000006. */
export const SIGNIFICANT_DIGITS = 12;

export type UnitResolution = { readonly ok: true; readonly code: string } | UnitProblem<'BAD_UNIT'>;

export type ConversionResult =
  | {
      readonly ok: true;
      readonly value: number;
      /** `"[degF]→Cel"`, or null when the unit already was the canonical one. */
      readonly conversion: string | null;
    }
  | UnitProblem<'BAD_UNIT' | 'INCOMPATIBLE_UNIT' | 'NOT_FINITE'>;

/**
 * The UCUM code of `unit` (an alias replaced), or BAD_UNIT. Case and blanks matter, as in UCUM.
 * The import of metric definitions can use it to refuse a canonical unit no reading could match.
 */
export function resolveUnit(unit: string): UnitResolution {
  if (unit.length > MAX_UNIT_LENGTH) return lookUp(unit); // refused, and not kept as a key
  const cached = resolved.get(unit);
  if (cached !== undefined) return cached;
  const result = lookUp(unit);
  if (resolved.size >= MAX_CACHED) resolved.clear();
  resolved.set(unit, result);
  return result;
}

/** Converts `value` in `fromUnit` into `toUnit`; never throws. */
export function convert(value: number, fromUnit: string, toUnit: string): ConversionResult {
  if (!Number.isFinite(value)) return reject('NOT_FINITE', `value ${value} is not a finite number`);
  const plan = planFor(fromUnit, toUnit);
  switch (plan.kind) {
    case 'same':
      return { ok: true, value, conversion: null };
    case 'affine': {
      const scaled = plan.a * value;
      const y = scaled + plan.b;
      // cancellation (32 [degF] → 0 Cel) leaves noise at the scale of the terms, not of the sum
      return finish(
        value,
        roundTo(y, Math.max(Math.abs(scaled), Math.abs(plan.b), Math.abs(y))),
        plan,
      );
    }
    case 'library':
      return finish(value, viaLibrary(plan, value), plan);
    case 'failed':
      return plan.rejection;
  }
}

// ---- the library, typed for the few members used (it ships no declarations) ----

interface UcumUnit {
  convertFrom(num: number, fromUnit: UcumUnit): number;
}
interface UcumUtils {
  validateUnitString(
    unit: string,
    suggest?: boolean,
  ): { status: string; ucumCode: string | null; unit?: { code?: string } };
  convertUnitTo(
    from: string,
    value: number,
    to: string,
  ): {
    status: string;
    toVal: number | null;
    msg: string[];
    fromUnit?: UcumUnit;
    toUnit?: UcumUnit;
  };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ucum = require('@lhncbc/ucum-lhc') as { UcumLhcUtils: { getInstance(): UcumUtils } };
const utils = ucum.UcumLhcUtils.getInstance();

// ---- plans per (from, to) pair ----

type Plan =
  | { kind: 'same' }
  | { kind: 'affine'; a: number; b: number; label: string }
  | { kind: 'library'; from: UcumUnit; to: UcumUnit; label: string }
  | { kind: 'failed'; rejection: UnitProblem<'BAD_UNIT' | 'INCOMPATIBLE_UNIT'> };

/**
 * Bound on each cache (emptied when full), so that a sender of random unit strings cannot grow
 * memory; real traffic has a few dozen units. Plans are keyed by the canonical unit first.
 */
const MAX_CACHED = 4096;
const resolved = new Map<string, UnitResolution>();
const plans = new Map<string, Map<string, Plan>>();
let planCount = 0;

function planFor(fromUnit: string, toUnit: string): Plan {
  const byFrom = plans.get(toUnit);
  const cached = byFrom?.get(fromUnit);
  if (cached !== undefined) return cached;
  const plan = makePlan(fromUnit, toUnit);
  if (fromUnit.length > MAX_UNIT_LENGTH || toUnit.length > MAX_UNIT_LENGTH) return plan;
  if (planCount >= MAX_CACHED) {
    plans.clear();
    planCount = 0;
  }
  if (byFrom !== undefined && plans.has(toUnit)) byFrom.set(fromUnit, plan);
  else plans.set(toUnit, new Map([[fromUnit, plan]]));
  planCount += 1;
  return plan;
}

function lookUp(unit: string): UnitResolution {
  const shown = unit.length > 40 ? `${unit.slice(0, 40)}…` : unit;
  const refused = reject(
    'BAD_UNIT',
    `"${shown}" is not a UCUM unit (such as Cel, [degF], bar, [psi], mm/s)`,
  );
  // UCUM codes are printable ASCII without blanks; anything else is refused unparsed.
  if (unit.length > MAX_UNIT_LENGTH || !/^[!-~]+$/.test(unit)) return refused;
  const code = UNIT_ALIASES.get(unit) ?? unit;
  const answer = quietly(() => utils.validateUnitString(code, false));
  // The library answers "valid" without a unit for names on Object.prototype ("constructor").
  if (answer?.status === 'valid' && answer.ucumCode !== null && answer.unit?.code !== undefined) {
    return { ok: true, code: answer.ucumCode };
  }
  return refused;
}

/**
 * Calls the library with its console.log silenced: it logs every unit string its parser throws
 * on, and unit strings come from senders. Synchronous, so nothing else can log meanwhile; only
 * the first reading of a (from, to) pair gets here.
 */
function quietly<T>(call: () => T): T | undefined {
  const log = console.log;
  console.log = () => undefined;
  try {
    return call();
  } catch {
    return undefined;
  } finally {
    console.log = log;
  }
}

/** Points where an affine plan must agree with the library, and how closely (relative). */
const PROBES = [0, 1, -1, -40, 37.5, 100, 212, 1e-3, 1e3, -123.456, 1e6, 1e9];
const AGREEMENT = 1e-9;

function makePlan(fromUnit: string, toUnit: string): Plan {
  const from = resolveUnit(fromUnit);
  if (!from.ok) return { kind: 'failed', rejection: from };
  const to = resolveUnit(toUnit);
  if (!to.ok) {
    return {
      kind: 'failed',
      rejection: reject('BAD_UNIT', `the canonical unit ${to.detail}`),
    };
  }
  if (from.code === to.code) return { kind: 'same' };
  const label = `${from.code}→${to.code}`;
  const probe = libraryConvert(from.code, 1, to.code);
  if (!probe.ok) {
    return {
      kind: 'failed',
      rejection: reject(
        'INCOMPATIBLE_UNIT',
        `${from.code} cannot be converted to ${to.code}${probe.why === '' ? '' : ` (${probe.why})`}`,
      ),
    };
  }
  const f = (x: number): number => {
    const r = libraryConvert(from.code, x, to.code);
    return r.ok ? r.value : NaN;
  };
  const b = f(0);
  const a = (f(1e6) - f(-1e6)) / 2e6;
  const affine = PROBES.every((x) => {
    const expected = f(x);
    const scale = Math.max(Math.abs(a * x), Math.abs(b), Math.abs(expected));
    return Number.isFinite(expected) && Math.abs(a * x + b - expected) <= AGREEMENT * scale;
  });
  if (affine && Number.isFinite(a) && Number.isFinite(b) && a !== 0) {
    return { kind: 'affine', a, b, label };
  }
  return { kind: 'library', from: probe.fromUnit, to: probe.toUnit, label };
}

type LibraryAnswer =
  { ok: true; value: number; fromUnit: UcumUnit; toUnit: UcumUnit } | { ok: false; why: string };

function libraryConvert(from: string, value: number, to: string): LibraryAnswer {
  const r = quietly(() => utils.convertUnitTo(from, value, to));
  if (r === undefined) return { ok: false, why: 'the UCUM library failed on it' };
  if (
    r.status === 'succeeded' &&
    typeof r.toVal === 'number' &&
    r.fromUnit !== undefined &&
    r.toUnit !== undefined
  ) {
    return { ok: true, value: r.toVal, fromUnit: r.fromUnit, toUnit: r.toUnit };
  }
  return { ok: false, why: r.msg.filter((m) => !m.startsWith('Sorry.')).join(' ') };
}

function viaLibrary(plan: { from: UcumUnit; to: UcumUnit }, value: number): number {
  try {
    const y = plan.to.convertFrom(value, plan.from);
    return roundTo(y, Math.abs(y));
  } catch {
    return NaN;
  }
}

function finish(original: number, value: number, plan: { label: string }): ConversionResult {
  if (Number.isFinite(value)) return { ok: true, value, conversion: plan.label };
  return reject('NOT_FINITE', `${original} (${plan.label}) has no finite value in the target unit`);
}

/**
 * Rounds `value` to SIGNIFICANT_DIGITS relative to `scale` (at least |value|): the digits beyond
 * are floating-point noise of the conversion, not measurement.
 */
export function roundTo(value: number, scale: number): number {
  if (scale === 0 || !Number.isFinite(scale) || !Number.isFinite(value)) return value;
  const decimals = SIGNIFICANT_DIGITS - 1 - Math.floor(Math.log10(scale));
  let rounded: number;
  if (decimals >= 0 && decimals <= 22) {
    const f = 10 ** decimals; // exact for decimals ≤ 22, so the division rounds correctly
    rounded = Math.round(value * f) / f;
  } else if (decimals < 0 && decimals >= -22) {
    const f = 10 ** -decimals;
    rounded = Math.round(value / f) * f;
  } else {
    rounded = Number(value.toPrecision(SIGNIFICANT_DIGITS));
  }
  return rounded === 0 ? 0 : rounded; // no -0
}
