import { TwinError } from '../../errors';
import { resolveWindow } from './window';

const NOW = Date.parse('2026-11-25T12:00:00.000Z');
const d = (iso: string) => new Date(iso);

function refusal(work: () => unknown): { code: unknown; message: string } {
  try {
    work();
  } catch (err) {
    if (err instanceof TwinError) return { code: err.extensions['code'], message: err.message };
    throw err;
  }
  throw new Error('not refused');
}

describe('the window of a timeline or summary', () => {
  it('when neither end is given, then it is the 24 hours up to now', () => {
    expect(resolveWindow(null, null, NOW)).toEqual({
      from: NOW - 86_400_000,
      to: NOW,
      end: NOW,
    });
  });

  it('when it reaches past now, then the figures count up to now only', () => {
    const w = resolveWindow(d('2026-11-25T00:00:00Z'), d('2026-11-26T00:00:00Z'), NOW);
    expect(w.to).toBe(Date.parse('2026-11-26T00:00:00Z'));
    expect(w.end).toBe(NOW);
  });

  it('when it lies wholly in the future, then nothing is counted (its end is its start)', () => {
    const w = resolveWindow(d('2026-12-01T00:00:00Z'), d('2026-12-02T00:00:00Z'), NOW);
    expect(w.end).toBe(w.from);
  });

  it('when "from" is not before "to", then BAD_USER_INPUT says so', () => {
    const r = refusal(() =>
      resolveWindow(d('2026-11-25T00:00:00Z'), d('2026-11-25T00:00:00Z'), NOW),
    );
    expect(r).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(r.message).toMatch(/"from" .* must be before "to"/);
  });

  it('when the window is longer than 366 days, then BAD_USER_INPUT says how long it may be', () => {
    const r = refusal(() =>
      resolveWindow(d('2025-01-01T00:00:00Z'), d('2026-01-03T00:00:00Z'), NOW),
    );
    expect(r).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(r.message).toMatch(/367 days long; at most 366 days/);
    // exactly 366 days is fine
    expect(() =>
      resolveWindow(d('2025-01-01T00:00:00Z'), d('2026-01-02T00:00:00Z'), NOW),
    ).not.toThrow();
  });

  it('when a time is not valid, then BAD_USER_INPUT names it', () => {
    const r = refusal(() => resolveWindow(new Date(NaN), null, NOW));
    expect(r).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(r.message).toMatch(/"from" is not a valid time/);
  });
});
