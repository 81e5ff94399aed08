import {
  isRejectionReason,
  METRIC_REJECTION_REASONS,
  REJECTION_REASON_DESCRIPTIONS,
  REJECTION_REASONS,
  reject,
} from './reasons';

describe('rejection reasons', () => {
  it('when the list is read, then every reason is a unique UPPER_SNAKE name (enum and topic level)', () => {
    expect(new Set(REJECTION_REASONS).size).toBe(REJECTION_REASONS.length);
    for (const reason of REJECTION_REASONS) {
      expect(reason).toMatch(/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/);
    }
  });

  it('when the descriptions are read, then each reason has exactly one line and no extra', () => {
    expect(Object.keys(REJECTION_REASON_DESCRIPTIONS).sort()).toEqual(
      [...REJECTION_REASONS].sort(),
    );
    for (const text of Object.values(REJECTION_REASON_DESCRIPTIONS)) {
      expect(text).toMatch(/^[A-Z].*\.$/);
      expect(text).not.toContain('\n');
    }
  });

  it('when values are checked, then only listed reasons pass', () => {
    expect(REJECTION_REASONS.every((r) => isRejectionReason(r))).toBe(true);
    expect(isRejectionReason('not_json')).toBe(false);
    expect(isRejectionReason('toString')).toBe(false);
    expect(isRejectionReason(undefined)).toBe(false);
  });

  it('when a metric is rejected, then its reason is one of the list', () => {
    expect(METRIC_REJECTION_REASONS.every((r) => isRejectionReason(r))).toBe(true);
  });

  it('when a rejection is made, then it is the failure half of a result', () => {
    expect(reject('BAD_TOPIC', 'why')).toEqual({ ok: false, reason: 'BAD_TOPIC', detail: 'why' });
  });
});
