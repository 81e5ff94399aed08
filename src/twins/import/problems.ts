/** Collecting problems: zod issues in our wording, and a cap on how many a client gets. */
import type { z } from 'zod/v4';
import type { Problem } from './document';
import { describe, formatPath, quote } from './values';

export const DEFAULT_MAX_PROBLEMS = 1000;

/** Keeps the first `max` problems and counts the rest, so a 10^5-row mistake stays readable. */
export class ProblemList {
  private readonly kept: Problem[] = [];
  private dropped = 0;

  constructor(private readonly max: number = DEFAULT_MAX_PROBLEMS) {}

  add(path: string, message: string): void {
    if (this.kept.length < this.max) this.kept.push({ path, message });
    else this.dropped += 1;
  }

  get size(): number {
    return this.kept.length + this.dropped;
  }

  toArray(): Problem[] {
    if (this.dropped === 0) return [...this.kept];
    const more = this.dropped === 1 ? 'problem' : 'problems';
    return [...this.kept, { path: '', message: `... and ${this.dropped} more ${more}` }];
  }
}

const ARTICLE: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
};

/**
 * The per-parse error map: zod's default English names types but never the value, and says
 * "Too small: expected number to be >=0" where a person wants "must be at least 0, got -3".
 */
export const errorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type': {
      const expected = ARTICLE[iss.expected] ?? iss.expected;
      if (iss.input === undefined) return `required (${expected})`;
      // JSON has no NaN or Infinity, but a JavaScript caller can pass them.
      if (iss.expected === 'number' && typeof iss.input === 'number')
        return `expected a finite number, got ${iss.input}`;
      return `expected ${expected}, got ${describe(iss.input)}`;
    }
    case 'too_small':
      if (iss.origin === 'string') return 'must not be empty';
      return `must be ${iss.inclusive === false ? 'greater than' : 'at least'} ${String(iss.minimum)}, got ${number(iss.input)}`;
    case 'too_big':
      return `must be ${iss.inclusive === false ? 'less than' : 'at most'} ${String(iss.maximum)}, got ${number(iss.input)}`;
    case 'invalid_value': {
      const allowed = iss.values.map(String).join(', ');
      if (typeof iss.input === 'string') {
        return `unknown value ${quote(iss.input)}; allowed values: ${allowed}`;
      }
      return `expected one of ${allowed}, got ${describe(iss.input)}`;
    }
    default:
      return undefined;
  }
};

const number = (value: unknown): string =>
  typeof value === 'number' ? String(value) : describe(value);

/** Adds a failed row's issues, each with its full path (`prefix` locates the row). */
export function addIssues(
  problems: ProblemList,
  prefix: readonly PropertyKey[],
  issues: readonly z.core.$ZodIssue[],
): void {
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      // One problem per key, at the key: that is where the fix goes.
      for (const key of issue.keys) {
        const path = formatPath([...prefix, ...issue.path, key]);
        problems.add(path, `unknown key ${quote(key)}; ${issue.message}`);
      }
    } else problems.add(formatPath([...prefix, ...issue.path]), issue.message);
  }
}
