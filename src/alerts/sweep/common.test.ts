import { observation, perRule, withClears, type OpenSubject } from './common';

const bad = (ruleId: string, subjectId: string, value = 1) =>
  observation({
    ruleId,
    subjectId,
    about: { label: 'Asset', id: subjectId },
    condition: 'bad',
    at: '2026-11-25T08:00:00.000Z',
    message: 'bad',
    value,
  });
const open = (ruleId: string, subjectId: string): OpenSubject => ({ ruleId, subjectId, row: {} });
const clear = (s: OpenSubject) =>
  observation({
    ruleId: s.ruleId,
    subjectId: s.subjectId,
    about: { label: 'Asset', id: s.subjectId },
    condition: 'clear',
    at: '2026-11-25T08:00:00.000Z',
    message: 'clear',
  });

describe('withClears', () => {
  it('when a subject is bad and has an open alert, then it is only bad; an open one that is not bad is cleared', () => {
    const out = withClears([bad('r1', 'A2')], [open('r1', 'A2'), open('r1', 'A1')], clear);
    expect(out.map((o) => [o.ruleId, o.subjectId, o.condition])).toEqual([
      ['r1', 'A1', 'clear'],
      ['r1', 'A2', 'bad'],
    ]);
  });

  it('when the same subject is bad twice for a rule, then the first is kept (callers put the worst first)', () => {
    const out = withClears([bad('r1', 'X', 1), bad('r1', 'X', 5), bad('r2', 'X', 7)], [], clear);
    expect(out.map((o) => [o.ruleId, o.value])).toEqual([
      ['r1', 1],
      ['r2', 7],
    ]);
  });

  it('when a subject is open for one rule and bad for another, then the open one is cleared', () => {
    const out = withClears([bad('r2', 'A1')], [open('r1', 'A1'), open('r1', 'A1')], clear);
    expect(out.map((o) => [o.ruleId, o.condition])).toEqual([
      ['r1', 'clear'],
      ['r2', 'bad'],
    ]);
  });
});

describe('perRule', () => {
  it('when a subject row lists its rules, then it becomes one row per rule', () => {
    expect(
      perRule([
        { id: 'A1', ruleIds: ['r1', 'r2'] },
        { id: 'A2', ruleIds: [] },
      ]),
    ).toEqual([
      { id: 'A1', ruleIds: ['r1', 'r2'], ruleId: 'r1' },
      { id: 'A1', ruleIds: ['r1', 'r2'], ruleId: 'r2' },
    ]);
  });
});
