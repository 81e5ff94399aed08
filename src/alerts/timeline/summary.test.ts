import {
  availability,
  type Change,
  LONGEST_IDLE,
  segments,
  summarize,
  timelineEntries,
} from './summary';

/** Epoch ms of a time on 2026-11-25 (UTC), e.g. t('08:30'). */
const t = (hhmm: string): number => Date.parse(`2026-11-25T${hhmm}:00.000Z`);
const ch = (hhmm: string, status: string): Change => ({ at: t(hhmm), status });
const one = (changes: Change[], from: string, to: string) =>
  summarize([{ assetId: 'A1', segments: segments(changes, t(from), t(to)) }], t(from), t(to));

describe('the figures of one asset over a window', () => {
  it('when a hand-computed sequence is summarised, then each status gets its seconds and availability follows the formula', () => {
    const s = one(
      [
        ch('07:00', 'RUNNING'),
        ch('08:30', 'IDLE'),
        ch('09:00', 'RUNNING'),
        ch('10:00', 'DOWN'),
        ch('10:45', 'MAINTENANCE'),
        ch('11:15', 'IDLE'),
      ],
      '08:00',
      '12:00',
    );
    // 08:00–08:30 and 09:00–10:00 running; 08:30–09:00 and 11:15–12:00 idle; 10:00–10:45 down;
    // 10:45–11:15 maintenance
    expect(s.seconds).toEqual({
      running: 5400,
      idle: 4500,
      down: 2700,
      maintenance: 1800,
      unknown: 0,
    });
    // (5400 + 4500) / (14400 − 1800 − 0)
    expect(s.availability).toBeCloseTo(9900 / 12600, 12);
    expect(s.longestIdle).toEqual([
      { assetId: 'A1', from: t('11:15'), to: t('12:00'), seconds: 2700 },
      { assetId: 'A1', from: t('08:30'), to: t('09:00'), seconds: 1800 },
    ]);
  });

  it('when the window starts in the middle of a state, then that state counts from the start of the window', () => {
    const s = one([ch('07:00', 'DOWN'), ch('08:20', 'RUNNING')], '08:00', '09:00');
    expect(s.seconds).toMatchObject({ down: 1200, running: 2400, unknown: 0 });
    expect(s.availability).toBeCloseTo(2400 / 3600, 12);
  });

  it('when the window starts before the first known state, then the time before it is unknown and left out of availability', () => {
    const s = one([ch('08:15', 'IDLE'), ch('08:45', 'DOWN')], '08:00', '09:00');
    expect(s.seconds).toEqual({ running: 0, idle: 1800, down: 900, maintenance: 0, unknown: 900 });
    // (0 + 1800) / (3600 − 0 − 900)
    expect(s.availability).toBeCloseTo(1800 / 2700, 12);
  });

  it('when a change falls exactly on the start of the window, then it is the state in force there', () => {
    const s = one([ch('07:00', 'RUNNING'), ch('08:00', 'DOWN')], '08:00', '08:30');
    expect(s.seconds).toMatchObject({ down: 1800, running: 0 });
  });

  it('when a change falls on or after the end of the window, then it counts for nothing', () => {
    const s = one(
      [ch('07:00', 'RUNNING'), ch('09:00', 'DOWN'), ch('09:30', 'IDLE')],
      '08:00',
      '09:00',
    );
    expect(s.seconds).toMatchObject({ running: 3600, down: 0, idle: 0 });
  });

  it('when the same status is reported again (a new reason), then the idle stretch is not split', () => {
    const s = one(
      [ch('08:10', 'IDLE'), ch('08:20', 'IDLE'), ch('08:40', 'RUNNING')],
      '08:00',
      '09:00',
    );
    expect(s.longestIdle).toEqual([
      { assetId: 'A1', from: t('08:10'), to: t('08:40'), seconds: 1800 },
    ]);
  });

  it('when nothing is known of the asset, then the whole window is unknown and availability is null', () => {
    const s = one([], '08:00', '09:00');
    expect(s.seconds).toEqual({ running: 0, idle: 0, down: 0, maintenance: 0, unknown: 3600 });
    expect(s.availability).toBeNull();
    expect(s.longestIdle).toEqual([]);
  });

  it('when the asset was in MAINTENANCE all along, then availability is null (nothing to divide by)', () => {
    expect(availability({ running: 0, idle: 0, down: 0, maintenance: 60, unknown: 0 })).toBeNull();
  });

  it('when there are more idle stretches than listed, then the longest are kept, longest first, ties by start', () => {
    const changes: Change[] = [];
    // eight idle stretches (two of 7 minutes), each followed by 10 running minutes
    const lengths = [3, 7, 1, 5, 7, 2, 6, 4];
    let at = t('08:00');
    for (const minutes of lengths) {
      changes.push({ at, status: 'IDLE' });
      at += minutes * 60_000;
      changes.push({ at, status: 'RUNNING' });
      at += 10 * 60_000;
    }
    const s = one(changes, '08:00', '11:00');
    expect(s.longestIdle).toHaveLength(LONGEST_IDLE);
    expect(s.longestIdle.map((x) => x.seconds / 60)).toEqual([7, 7, 6, 5, 4]);
    const [a, b] = s.longestIdle;
    expect(a && b && a.from < b.from).toBe(true);
  });

  it('when an idle stretch reaches past either end of the window, then it is clipped to it', () => {
    const s = one(
      [ch('07:30', 'IDLE'), ch('08:10', 'RUNNING'), ch('08:50', 'IDLE')],
      '08:00',
      '09:00',
    );
    expect(s.longestIdle).toEqual([
      { assetId: 'A1', from: t('08:00'), to: t('08:10'), seconds: 600 },
      { assetId: 'A1', from: t('08:50'), to: t('09:00'), seconds: 600 },
    ]);
  });
});

describe('the figures of several assets (a line)', () => {
  it('when two assets are summarised together, then seconds are asset-seconds, availability comes from the sums and idle stretches from both', () => {
    const from = t('08:00');
    const to = t('10:00');
    const a1 = segments([ch('07:00', 'RUNNING'), ch('09:00', 'IDLE')], from, to);
    const a2 = segments([ch('08:30', 'DOWN'), ch('09:30', 'IDLE')], from, to);
    const s = summarize(
      [
        { assetId: 'A1', segments: a1 },
        { assetId: 'A2', segments: a2 },
      ],
      from,
      to,
    );
    // A1: running 3600, idle 3600; A2: unknown 1800, down 3600, idle 1800
    expect(s.seconds).toEqual({
      running: 3600,
      idle: 5400,
      down: 3600,
      maintenance: 0,
      unknown: 1800,
    });
    // (3600 + 5400) / (14400 − 0 − 1800)
    expect(s.availability).toBeCloseTo(9000 / 12600, 12);
    expect(s.longestIdle).toEqual([
      { assetId: 'A1', from: t('09:00'), to: t('10:00'), seconds: 3600 },
      { assetId: 'A2', from: t('09:30'), to: t('10:00'), seconds: 1800 },
    ]);
  });

  it('when a line has no assets, then every figure is 0 and availability is null', () => {
    const s = summarize([], t('08:00'), t('09:00'));
    expect(s.seconds).toEqual({ running: 0, idle: 0, down: 0, maintenance: 0, unknown: 0 });
    expect(s.availability).toBeNull();
  });
});

describe('the timeline of an asset', () => {
  it('when changes arrived out of order, then they are listed by time, each with the status before it in time', () => {
    const entries = timelineEntries(null, [
      ch('09:00', 'RUNNING'),
      ch('08:00', 'DOWN'),
      ch('08:30', 'MAINTENANCE'),
    ]);
    expect(entries.map((e) => [e.change.status, e.previousStatus])).toEqual([
      ['DOWN', null],
      ['MAINTENANCE', 'DOWN'],
      ['RUNNING', 'MAINTENANCE'],
    ]);
  });

  it('when a change before the window is known, then the first listed change has its status as the previous one', () => {
    const entries = timelineEntries(ch('07:00', 'IDLE'), [ch('08:00', 'RUNNING')]);
    expect(entries[0]?.previousStatus).toBe('IDLE');
  });
});

describe('availability', () => {
  it('when all the known time is up, then it is exactly 1 whatever the unknown time (no floating-point excess)', () => {
    expect(
      availability({ running: 38.507, idle: 0, down: 0, maintenance: 0, unknown: 86361.493 }),
    ).toBe(1);
    expect(availability({ running: 0.1, idle: 0.2, down: 0, maintenance: 0.7, unknown: 0.3 })).toBe(
      1,
    );
    expect(availability({ running: 0, idle: 0, down: 0, maintenance: 5, unknown: 5 })).toBeNull();
  });
});
