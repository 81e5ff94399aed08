import { FIRST_SHIFT_START_MINUTES, type ShiftPlan, shiftsOverlapping, shiftZone } from './shifts';
import { stateFigures } from './timeline.service';
import type { StoredChange } from './timeline.store';

const plan = (zone: string, shiftsPerDay = 3, hoursPerShift = 8): ShiftPlan => ({
  shiftsPerDay,
  hoursPerShift,
  firstShiftStartMinutes: FIRST_SHIFT_START_MINUTES,
  zone,
});
const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString();
const hours = (s: { start: number; end: number }): number => (s.end - s.start) / 3_600_000;
const shown = (p: ShiftPlan, from: string, to: string) =>
  shiftsOverlapping(p, ms(from), ms(to)).map((s) => ({
    date: s.date,
    shift: s.shift,
    start: iso(s.start),
    end: iso(s.end),
    hours: hours(s),
  }));

describe("shifts in the factory's time zone", () => {
  it('when a line works 2 × 8 hours, then its shifts are 06–14 and 14–22 local, and nothing between 22 and 06', () => {
    // Berlin in winter is UTC+1
    expect(shown(plan('Europe/Berlin', 2), '2026-11-25T00:00:00Z', '2026-11-26T00:00:00Z')).toEqual(
      [
        {
          date: '2026-11-25',
          shift: 1,
          start: '2026-11-25T05:00:00.000Z',
          end: '2026-11-25T13:00:00.000Z',
          hours: 8,
        },
        {
          date: '2026-11-25',
          shift: 2,
          start: '2026-11-25T13:00:00.000Z',
          end: '2026-11-25T21:00:00.000Z',
          hours: 8,
        },
      ],
    );
  });

  it('when the window starts in the night shift of the day before, then that shift is listed under its own date, clipped', () => {
    expect(shown(plan('Europe/Berlin'), '2026-11-25T02:00:00Z', '2026-11-25T06:00:00Z')).toEqual([
      {
        date: '2026-11-24',
        shift: 3,
        start: '2026-11-25T02:00:00.000Z',
        end: '2026-11-25T05:00:00.000Z',
        hours: 3,
      },
      {
        date: '2026-11-25',
        shift: 1,
        start: '2026-11-25T05:00:00.000Z',
        end: '2026-11-25T06:00:00.000Z',
        hours: 1,
      },
    ]);
  });

  describe('across daylight-saving changes (Europe/Berlin, 2026)', () => {
    it('when the clocks go forward (29 March), then the night shift 22–06 lasts 7 hours and the day shifts 8', () => {
      const s = shown(plan('Europe/Berlin'), '2026-03-28T21:00:00Z', '2026-03-29T20:00:00Z');
      expect(s[0]).toEqual({
        date: '2026-03-28',
        shift: 3,
        start: '2026-03-28T21:00:00.000Z', // 22:00 CET
        end: '2026-03-29T04:00:00.000Z', // 06:00 CEST
        hours: 7,
      });
      expect(s[1]).toEqual({
        date: '2026-03-29',
        shift: 1,
        start: '2026-03-29T04:00:00.000Z',
        end: '2026-03-29T12:00:00.000Z',
        hours: 8,
      });
      expect(s[2]).toMatchObject({ date: '2026-03-29', shift: 2, hours: 8 });
      expect(s).toHaveLength(3);
    });

    it('when the clocks go back (25 October), then the night shift 22–06 lasts 9 hours and the day shifts 8', () => {
      const s = shown(plan('Europe/Berlin'), '2026-10-24T20:00:00Z', '2026-10-25T22:00:00Z');
      expect(s[0]).toEqual({
        date: '2026-10-24',
        shift: 3,
        start: '2026-10-24T20:00:00.000Z', // 22:00 CEST
        end: '2026-10-25T05:00:00.000Z', // 06:00 CET
        hours: 9,
      });
      expect(s[1]).toEqual({
        date: '2026-10-25',
        shift: 1,
        start: '2026-10-25T05:00:00.000Z',
        end: '2026-10-25T13:00:00.000Z',
        hours: 8,
      });
      expect(s[2]).toMatchObject({ date: '2026-10-25', shift: 2, hours: 8 });
      // 22:00 CET is 21:00 UTC again; the window ends an hour into it
      expect(s[3]).toMatchObject({
        date: '2026-10-25',
        shift: 3,
        start: '2026-10-25T21:00:00.000Z',
        hours: 1,
      });
    });
  });

  describe('across daylight-saving changes (America/New_York, 2026)', () => {
    it('when the clocks go forward (8 March), then the night shift lasts 7 hours', () => {
      const [night] = shown(
        plan('America/New_York'),
        '2026-03-08T03:00:00Z',
        '2026-03-08T10:00:00Z',
      );
      expect(night).toEqual({
        date: '2026-03-07',
        shift: 3,
        start: '2026-03-08T03:00:00.000Z', // 22:00 EST
        end: '2026-03-08T10:00:00.000Z', // 06:00 EDT
        hours: 7,
      });
    });

    it('when the clocks go back (1 November), then the night shift lasts 9 hours and the next day shift starts at 06:00 EST', () => {
      const s = shown(plan('America/New_York'), '2026-11-01T02:00:00Z', '2026-11-01T19:00:00Z');
      expect(s[0]).toEqual({
        date: '2026-10-31',
        shift: 3,
        start: '2026-11-01T02:00:00.000Z', // 22:00 EDT
        end: '2026-11-01T11:00:00.000Z', // 06:00 EST
        hours: 9,
      });
      expect(s[1]).toEqual({
        date: '2026-11-01',
        shift: 1,
        start: '2026-11-01T11:00:00.000Z',
        end: '2026-11-01T19:00:00.000Z',
        hours: 8,
      });
    });
  });

  it('when a line works a fraction of a shift more (2.5 × 8), then the last shift is that fraction long', () => {
    const s = shown(plan('UTC', 2.5), '2026-11-25T00:00:00Z', '2026-11-26T00:00:00Z');
    expect(s.map((x) => [x.date, x.shift, x.start, x.hours])).toEqual([
      // the day before's short shift, 22:00–02:00, from the window's start
      ['2026-11-24', 3, '2026-11-25T00:00:00.000Z', 2],
      ['2026-11-25', 1, '2026-11-25T06:00:00.000Z', 8],
      ['2026-11-25', 2, '2026-11-25T14:00:00.000Z', 8],
      ['2026-11-25', 3, '2026-11-25T22:00:00.000Z', 2], // clipped at the window's end
    ]);
  });

  it('when the factory has no time zone or an unknown one, then shifts are in UTC', () => {
    expect(shiftZone(null)).toBe('UTC');
    expect(shiftZone('Mars/Olympus_Mons')).toBe('UTC');
    expect(shiftZone('Europe/Berlin')).toBe('Europe/Berlin');
  });

  it('when a line works no shifts, then there are none', () => {
    expect(shown(plan('UTC', 0), '2026-11-25T00:00:00Z', '2026-11-26T00:00:00Z')).toEqual([]);
  });
});

describe('figures per shift', () => {
  const change = (at: string, status: string): StoredChange => ({
    at: ms(at),
    atIso: at,
    status,
    reason: null,
    source: 'telemetry',
  });

  it('when an asset stands idle in the repeated hour of the night the clocks go back, then the 9-hour night shift counts it', () => {
    const from = ms('2026-10-24T20:00:00Z');
    const to = ms('2026-10-25T13:00:00Z');
    const f = stateFigures(
      [
        {
          assetId: 'A1',
          prior: change('2026-10-24T12:00:00.000Z', 'RUNNING'),
          changes: [
            change('2026-10-25T01:00:00.000Z', 'IDLE'), // 02:00 CET, the second 02:00 of the night
            change('2026-10-25T02:00:00.000Z', 'RUNNING'),
            change('2026-10-25T07:00:00.000Z', 'DOWN'),
            change('2026-10-25T07:30:00.000Z', 'RUNNING'),
          ],
        },
      ],
      { from, to, end: to },
      { shiftsPerDay: 3, hoursPerShift: 8, timezone: 'Europe/Berlin' },
      true,
    );
    // 17 hours: 15.5 running, 1 idle, 0.5 down
    expect(f.seconds).toEqual({
      running: 55800,
      idle: 3600,
      down: 1800,
      maintenance: 0,
      unknown: 0,
    });
    expect(f.shifts?.map((s) => [s.date, s.shift, iso(s.from), iso(s.to)])).toEqual([
      ['2026-10-24', 3, '2026-10-24T20:00:00.000Z', '2026-10-25T05:00:00.000Z'],
      ['2026-10-25', 1, '2026-10-25T05:00:00.000Z', '2026-10-25T13:00:00.000Z'],
    ]);
    const [night, day] = f.shifts ?? [];
    // 22:00 CEST to 06:00 CET: 9 hours, 8 of them running
    expect(night?.seconds).toEqual({
      running: 28800,
      idle: 3600,
      down: 0,
      maintenance: 0,
      unknown: 0,
    });
    expect(night?.availability).toBe(1);
    expect(night?.longestIdle).toEqual([
      {
        assetId: 'A1',
        from: ms('2026-10-25T01:00:00Z'),
        to: ms('2026-10-25T02:00:00Z'),
        seconds: 3600,
      },
    ]);
    // 06:00–14:00 CET: 7.5 hours running, half an hour down
    expect(day?.seconds).toEqual({
      running: 27000,
      idle: 0,
      down: 1800,
      maintenance: 0,
      unknown: 0,
    });
    expect(day?.availability).toBeCloseTo(27000 / 28800, 12);
  });

  it('when the clocks go forward, then the 7-hour night shift and the day shift after it split the window between them', () => {
    const from = ms('2026-03-28T21:00:00Z');
    const to = ms('2026-03-29T12:00:00Z');
    const f = stateFigures(
      [{ assetId: 'A1', prior: null, changes: [] }],
      { from, to, end: to },
      { shiftsPerDay: 3, hoursPerShift: 8, timezone: 'Europe/Berlin' },
      true,
    );
    expect(f.shifts?.map((s) => s.seconds.unknown / 3600)).toEqual([7, 8]);
    expect(f.seconds.unknown / 3600).toBe(15);
  });
});
