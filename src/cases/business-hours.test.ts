import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.ts';
import {
  addBusinessMinutes,
  alwaysOpen,
  type BusinessCalendar,
  businessCalendarSchema,
  businessMinutesBetween,
  defaultCalendar,
  isOpenAt,
  nextOpening,
  validateCalendar,
} from './business-hours.ts';

// Offsets used below: New York is UTC-5 (EST) until 2026-03-08 02:00 local, UTC-4 (EDT) until
// 2026-11-01 02:00 local (EDT), then UTC-5 again. Berlin is UTC+1 (CET) until 2026-03-29 02:00
// local, then UTC+2 (CEST).

const nineToFive = [{ start: '09:00', end: '17:00' }];

/** Mon–Fri 09:00–17:00 New York. */
const ny = defaultCalendar('America/New_York');
/** Every day 09:00–17:00, so that the DST Sundays are counted. */
const every = (timezone: string): BusinessCalendar => ({
  timezone,
  weekly: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive, sat: nineToFive, sun: nineToFive },
  holidays: [],
});
/** Around the clock, in a zone with DST. */
const allDayIn = (timezone: string): BusinessCalendar => ({ ...alwaysOpen, timezone });

describe('addBusinessMinutes', () => {
  it('skips the weekend: Friday 16:00 + 120 min is Monday 10:00', () => {
    // Fri 2026-01-16 16:00 EST = 21:00Z. 60 min to close at 17:00, the other 60 from Mon 09:00:
    // Mon 2026-01-19 10:00 EST = 15:00Z.
    expect(addBusinessMinutes('2026-01-16T21:00:00.000Z', 120, ny)).toBe('2026-01-19T15:00:00.000Z');
    // The same across the spring-forward weekend: Fri 2026-03-06 16:00 EST = 21:00Z;
    // Mon 2026-03-09 is EDT, so 10:00 local is 14:00Z.
    expect(addBusinessMinutes('2026-03-06T21:00:00.000Z', 120, ny)).toBe('2026-03-09T14:00:00.000Z');
    expect(businessMinutesBetween('2026-03-06T21:00:00.000Z', '2026-03-09T14:00:00.000Z', ny)).toBe(120);
  });

  it('stops at a closing time rather than jumping to the next opening', () => {
    // Fri 16:00 EST + 60 = Fri 17:00 EST = 22:00Z, not Monday 09:00.
    expect(addBusinessMinutes('2026-01-16T21:00:00.000Z', 60, ny)).toBe('2026-01-16T22:00:00.000Z');
  });

  it('skips a Friday holiday: Thu 24 Dec 16:00 + 120 min is Mon 28 Dec 10:00', () => {
    const cal = { ...ny, holidays: ['2026-12-25'] }; // a Friday
    // Thu 16:00 EST = 21:00Z; 60 min Thursday, Fri 25 closed, weekend, 60 min from Mon 28 09:00:
    // 10:00 EST = 15:00Z.
    expect(addBusinessMinutes('2026-12-24T21:00:00.000Z', 120, cal)).toBe('2026-12-28T15:00:00.000Z');
    expect(businessMinutesBetween('2026-12-24T21:00:00.000Z', '2026-12-28T15:00:00.000Z', cal)).toBe(120);
    // Without the holiday it is Fri 25 10:00 EST.
    expect(addBusinessMinutes('2026-12-24T21:00:00.000Z', 120, ny)).toBe('2026-12-25T15:00:00.000Z');
    expect(isOpenAt('2026-12-25T15:00:00.000Z', cal)).toBe(false);
  });

  it('skips a Monday holiday: Fri 4 Sep 16:30 + 90 min is Tue 8 Sep 10:00', () => {
    const cal = { ...ny, holidays: ['2026-09-07'] }; // Labor Day, a Monday
    // Fri 16:30 EDT = 20:30Z; 30 min Friday, weekend, Mon 7 closed, 60 min from Tue 09:00:
    // 10:00 EDT = 14:00Z.
    expect(addBusinessMinutes('2026-09-04T20:30:00.000Z', 90, cal)).toBe('2026-09-08T14:00:00.000Z');
    expect(businessMinutesBetween('2026-09-04T20:30:00.000Z', '2026-09-08T14:00:00.000Z', cal)).toBe(90);
    // A start on the holiday itself begins counting the next business day.
    expect(addBusinessMinutes('2026-09-07T14:00:00.000Z', 0, cal)).toBe('2026-09-08T13:00:00.000Z');
  });

  it('counts from the next opening when started at night or at the weekend', () => {
    // Tue 2026-03-10 03:00 EDT = 07:00Z; opens 09:00 EDT = 13:00Z; +30 = 13:30Z.
    expect(addBusinessMinutes('2026-03-10T07:00:00.000Z', 30, ny)).toBe('2026-03-10T13:30:00.000Z');
    // Tue 18:00 EDT = 22:00Z, after closing: Wed 09:00 + 30 = 09:30 EDT = 13:30Z.
    expect(addBusinessMinutes('2026-03-10T22:00:00.000Z', 30, ny)).toBe('2026-03-11T13:30:00.000Z');
    // Sat 2026-03-14 12:00 EDT = 16:00Z: Mon 16 09:00 + 60 = 10:00 EDT = 14:00Z.
    expect(addBusinessMinutes('2026-03-14T16:00:00.000Z', 60, ny)).toBe('2026-03-16T14:00:00.000Z');
  });

  it('minutes = 0 is the start when open, else the next opening', () => {
    // Tue 10:00 EDT = 14:00Z is open.
    expect(addBusinessMinutes('2026-03-10T14:00:00.000Z', 0, ny)).toBe('2026-03-10T14:00:00.000Z');
    // Tue 17:00 EDT = 21:00Z is closed (ends are exclusive): Wed 09:00 EDT = 13:00Z.
    expect(addBusinessMinutes('2026-03-10T21:00:00.000Z', 0, ny)).toBe('2026-03-11T13:00:00.000Z');
  });

  it('walks over a lunch break and across intervals of one day', () => {
    const cal: BusinessCalendar = {
      timezone: 'UTC',
      weekly: {
        mon: [
          { start: '13:00', end: '17:00' },
          { start: '09:00', end: '12:00' },
        ],
      },
      holidays: [],
    };
    // Mon 2026-03-02 11:30Z: 30 min to 12:00, then 30 from 13:00 = 13:30Z.
    expect(addBusinessMinutes('2026-03-02T11:30:00.000Z', 60, cal)).toBe('2026-03-02T13:30:00.000Z');
    // 09:00 to 17:00 is 3 h + 4 h.
    expect(businessMinutesBetween('2026-03-02T09:00:00.000Z', '2026-03-02T17:00:00.000Z', cal)).toBe(420);
  });

  it('accepts instants with an offset and answers in UTC', () => {
    expect(addBusinessMinutes('2026-01-16T16:00:00-05:00', 120, ny)).toBe('2026-01-19T15:00:00.000Z');
  });

  it('is plain elapsed time on alwaysOpen', () => {
    expect(addBusinessMinutes('2026-01-01T00:00:00.000Z', 1440, alwaysOpen)).toBe('2026-01-02T00:00:00.000Z');
    expect(addBusinessMinutes('2026-01-01T00:00:00.000Z', 0.5, alwaysOpen)).toBe('2026-01-01T00:00:30.000Z');
  });

  it('refuses negative or non-finite minutes and bad instants', () => {
    expect(() => addBusinessMinutes('2026-01-01T00:00:00.000Z', -1, ny)).toThrow(RangeError);
    expect(() => addBusinessMinutes('2026-01-01T00:00:00.000Z', Number.NaN, ny)).toThrow(RangeError);
    expect(() => addBusinessMinutes('yesterday', 1, ny)).toThrow(/ISO-8601/);
  });
});

describe('a calendar with no open hours', () => {
  const closed: BusinessCalendar = { timezone: 'Europe/Berlin', weekly: { mon: [] }, holidays: [] };

  it('cannot add business minutes', () => {
    expect(() => addBusinessMinutes('2026-03-02T09:00:00.000Z', 10, closed)).toThrow(/no open hours/);
    expect(() => addBusinessMinutes('2026-03-02T09:00:00.000Z', 0, closed)).toThrow(/no open hours/);
  });

  it('has no next opening, is never open, and counts nothing', () => {
    expect(nextOpening('2026-03-02T09:00:00.000Z', closed)).toBeNull();
    expect(isOpenAt('2026-03-02T09:00:00.000Z', closed)).toBe(false);
    expect(businessMinutesBetween('2026-03-02T00:00:00.000Z', '2027-03-02T00:00:00.000Z', closed)).toBe(0);
  });
});

describe('businessMinutesBetween', () => {
  it('is 0 when b <= a', () => {
    expect(businessMinutesBetween('2026-03-10T15:00:00.000Z', '2026-03-10T14:00:00.000Z', ny)).toBe(0);
    expect(businessMinutesBetween('2026-03-10T15:00:00.000Z', '2026-03-10T15:00:00.000Z', ny)).toBe(0);
  });

  it('keeps fractions of a minute', () => {
    // Tue 10:00:00 to 10:00:30 EDT.
    expect(businessMinutesBetween('2026-03-10T14:00:00.000Z', '2026-03-10T14:00:30.000Z', ny)).toBe(0.5);
    expect(businessMinutesBetween('2026-03-10T14:00:00.000Z', '2026-03-10T14:00:00.001Z', ny)).toBeCloseTo(1 / 60_000, 12);
  });

  it('counts a whole business week as 5 × 480', () => {
    // Mon 2026-03-09 00:00 EDT to Mon 2026-03-16 00:00 EDT.
    expect(businessMinutesBetween('2026-03-09T04:00:00.000Z', '2026-03-16T04:00:00.000Z', ny)).toBe(2400);
  });
});

describe('isOpenAt and nextOpening', () => {
  it('treats starts as inclusive and ends as exclusive', () => {
    // Tue 2026-03-10, EDT: 09:00 = 13:00Z, 17:00 = 21:00Z.
    expect(isOpenAt('2026-03-10T12:59:59.999Z', ny)).toBe(false);
    expect(isOpenAt('2026-03-10T13:00:00.000Z', ny)).toBe(true);
    expect(isOpenAt('2026-03-10T20:59:59.999Z', ny)).toBe(true);
    expect(isOpenAt('2026-03-10T21:00:00.000Z', ny)).toBe(false);
  });

  it('is the instant itself when open, else the next opening', () => {
    expect(nextOpening('2026-03-10T14:00:00.000Z', ny)).toBe('2026-03-10T14:00:00.000Z');
    // Fri 2026-03-13 18:00 EDT = 22:00Z: next opening Mon 16 09:00 EDT = 13:00Z.
    expect(nextOpening('2026-03-13T22:00:00.000Z', ny)).toBe('2026-03-16T13:00:00.000Z');
  });

  it('is open around the clock on alwaysOpen', () => {
    expect(isOpenAt('2026-03-08T07:00:00.000Z', alwaysOpen)).toBe(true);
    expect(isOpenAt('2026-12-31T23:59:59.999Z', alwaysOpen)).toBe(true);
  });
});

describe('daylight saving time', () => {
  describe('New York spring forward, Sun 2026-03-08 (02:00 EST → 03:00 EDT)', () => {
    it('a 09:00–17:00 Sunday is still 8 h', () => {
      const cal = every('America/New_York');
      // Sun 09:00 EDT = 13:00Z to Sun 17:00 EDT = 21:00Z.
      expect(businessMinutesBetween('2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', cal)).toBe(480);
      // Sat 2026-03-07 16:00 EST = 21:00Z + 120: 60 Saturday, then Sun 09:00 EDT (13:00Z) + 60 = 14:00Z.
      expect(addBusinessMinutes('2026-03-07T21:00:00.000Z', 120, cal)).toBe('2026-03-08T14:00:00.000Z');
      expect(businessMinutesBetween('2026-03-07T21:00:00.000Z', '2026-03-08T14:00:00.000Z', cal)).toBe(120);
    });

    it('a 24 h day is 23 h', () => {
      const cal = allDayIn('America/New_York');
      // Sun 00:00 EST = 05:00Z to Mon 00:00 EDT = 04:00Z: 23 h = 1380 min.
      expect(businessMinutesBetween('2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', cal)).toBe(1380);
      expect(addBusinessMinutes('2026-03-08T05:00:00.000Z', 1380, cal)).toBe('2026-03-09T04:00:00.000Z');
      // 01:30 EST (06:30Z) + 60 min of real time = 07:30Z, which the wall clock shows as 03:30 EDT.
      expect(addBusinessMinutes('2026-03-08T06:30:00.000Z', 60, cal)).toBe('2026-03-08T07:30:00.000Z');
    });

    it('an interval starting inside the gap opens when the gap ends', () => {
      const cal: BusinessCalendar = { timezone: 'America/New_York', weekly: { sun: [{ start: '02:30', end: '05:00' }] }, holidays: [] };
      // 02:30 does not exist that night; the clock jumps from 01:59:59 EST to 03:00 EDT = 07:00Z.
      expect(nextOpening('2026-03-08T00:00:00.000Z', cal)).toBe('2026-03-08T07:00:00.000Z');
      // Open 03:00 EDT to 05:00 EDT (09:00Z): 120 min, not 150.
      expect(businessMinutesBetween('2026-03-08T00:00:00.000Z', '2026-03-09T00:00:00.000Z', cal)).toBe(120);
      // The Sunday before, 02:30 EST = 07:30Z to 05:00 EST = 10:00Z: 150 min.
      expect(businessMinutesBetween('2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z', cal)).toBe(150);
    });
  });

  describe('New York fall back, Sun 2026-11-01 (02:00 EDT → 01:00 EST)', () => {
    it('a 09:00–17:00 Sunday is still 8 h', () => {
      const cal = every('America/New_York');
      // Sun 09:00 EST = 14:00Z to 17:00 EST = 22:00Z.
      expect(businessMinutesBetween('2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', cal)).toBe(480);
      // Sat 2026-10-31 16:00 EDT = 20:00Z + 120: 60 Saturday, then Sun 09:00 EST (14:00Z) + 60 = 15:00Z.
      expect(addBusinessMinutes('2026-10-31T20:00:00.000Z', 120, cal)).toBe('2026-11-01T15:00:00.000Z');
      expect(businessMinutesBetween('2026-10-31T20:00:00.000Z', '2026-11-01T15:00:00.000Z', cal)).toBe(120);
    });

    it('a 24 h day is 25 h', () => {
      const cal = allDayIn('America/New_York');
      // Sun 00:00 EDT = 04:00Z to Mon 00:00 EST = 05:00Z: 25 h = 1500 min.
      expect(businessMinutesBetween('2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', cal)).toBe(1500);
      expect(addBusinessMinutes('2026-11-01T04:00:00.000Z', 1500, cal)).toBe('2026-11-02T05:00:00.000Z');
    });

    it('an interval starting inside the repeated hour opens at its first occurrence', () => {
      const cal: BusinessCalendar = { timezone: 'America/New_York', weekly: { sun: [{ start: '01:30', end: '05:00' }] }, holidays: [] };
      // 01:30 happens twice; the first is 01:30 EDT = 05:30Z. It closes at 05:00 EST = 10:00Z: 270 min.
      expect(nextOpening('2026-11-01T00:00:00.000Z', cal)).toBe('2026-11-01T05:30:00.000Z');
      expect(businessMinutesBetween('2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z', cal)).toBe(270);
      // Open during the second 01:15 (01:15 EST = 06:15Z): it lies between 05:30Z and 10:00Z.
      expect(isOpenAt('2026-11-01T06:15:00.000Z', cal)).toBe(true);
    });
  });

  describe('Berlin spring forward, Sun 2026-03-29 (02:00 CET → 03:00 CEST)', () => {
    it('a 09:00–17:00 Sunday is still 8 h', () => {
      const cal = every('Europe/Berlin');
      // Sun 09:00 CEST = 07:00Z to 17:00 CEST = 15:00Z.
      expect(businessMinutesBetween('2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', cal)).toBe(480);
      // Sat 2026-03-28 16:00 CET = 15:00Z + 120: 60 Saturday, then Sun 09:00 CEST (07:00Z) + 60 = 08:00Z.
      expect(addBusinessMinutes('2026-03-28T15:00:00.000Z', 120, cal)).toBe('2026-03-29T08:00:00.000Z');
      expect(businessMinutesBetween('2026-03-28T15:00:00.000Z', '2026-03-29T08:00:00.000Z', cal)).toBe(120);
    });

    it('a 24 h day is 23 h', () => {
      const cal = allDayIn('Europe/Berlin');
      // Sun 00:00 CET = Sat 23:00Z to Mon 00:00 CEST = Sun 22:00Z.
      expect(businessMinutesBetween('2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', cal)).toBe(1380);
      expect(addBusinessMinutes('2026-03-28T23:00:00.000Z', 1380, cal)).toBe('2026-03-29T22:00:00.000Z');
    });
  });
});

describe('validateCalendar', () => {
  function pathsOf(cal: unknown): string[] {
    try {
      validateCalendar(cal);
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      const e = err as AppError;
      expect(e.status).toBe(400);
      expect(e.code).toBe('invalid_calendar');
      return ((e.details?.issues ?? []) as { path: string }[]).map((i) => i.path);
    }
    throw new Error('expected the calendar to be refused');
  }

  it('accepts a good calendar and defaults holidays', () => {
    const cal = validateCalendar({ timezone: 'Europe/Berlin', weekly: { mon: [{ start: '08:00', end: '24:00' }] } });
    expect(cal).toEqual({ timezone: 'Europe/Berlin', weekly: { mon: [{ start: '08:00', end: '24:00' }] }, holidays: [] });
    expect(validateCalendar(alwaysOpen)).toEqual(alwaysOpen);
  });

  it('refuses an unknown time zone', () => {
    expect(pathsOf({ timezone: 'Mars/Olympus_Mons', weekly: {}, holidays: [] })).toEqual(['timezone']);
    expect(() => defaultCalendar('Nowhere/Special')).toThrow(/timezone/);
  });

  it('refuses bad HH:mm, naming the field', () => {
    expect(pathsOf({ timezone: 'UTC', weekly: { mon: [{ start: '9:00', end: '17:00' }] }, holidays: [] })).toEqual(['weekly.mon[0].start']);
    expect(pathsOf({ timezone: 'UTC', weekly: { fri: [{ start: '09:00', end: '17:60' }] }, holidays: [] })).toEqual(['weekly.fri[0].end']);
    // 24:00 may end a day but not start one.
    expect(pathsOf({ timezone: 'UTC', weekly: { sat: [{ start: '24:00', end: '24:00' }] }, holidays: [] })).toContain(
      'weekly.sat[0].start',
    );
  });

  it('refuses start >= end', () => {
    expect(pathsOf({ timezone: 'UTC', weekly: { tue: [{ start: '17:00', end: '09:00' }] }, holidays: [] })).toEqual(['weekly.tue[0].end']);
    expect(pathsOf({ timezone: 'UTC', weekly: { tue: [{ start: '09:00', end: '09:00' }] }, holidays: [] })).toEqual(['weekly.tue[0].end']);
  });

  it('refuses overlapping intervals but allows touching ones', () => {
    const overlapping = [
      { start: '09:00', end: '13:00' },
      { start: '12:00', end: '17:00' },
    ];
    expect(pathsOf({ timezone: 'UTC', weekly: { wed: overlapping }, holidays: [] })).toEqual(['weekly.wed[1].start']);
    const touching = [
      { start: '09:00', end: '12:00' },
      { start: '12:00', end: '17:00' },
    ];
    expect(validateCalendar({ timezone: 'UTC', weekly: { wed: touching }, holidays: [] }).weekly.wed).toEqual(touching);
  });

  it('refuses bad dates and unknown days', () => {
    expect(pathsOf({ timezone: 'UTC', weekly: {}, holidays: ['2026-02-30', '26-1-1', '2026-12-25'] })).toEqual([
      'holidays[0]',
      'holidays[1]',
    ]);
    expect(pathsOf({ timezone: 'UTC', weekly: { monday: nineToFive }, holidays: [] })).toEqual(['weekly.monday']);
  });

  it('names every field in the message', () => {
    expect(() => validateCalendar({ timezone: 'Bad/Zone', weekly: { mon: [{ start: 'x', end: '17:00' }] }, holidays: [] })).toThrow(
      /timezone: .*; weekly\.mon\[0\]\.start: /,
    );
  });

  it('exports the zod schema, with paths as arrays', () => {
    const r = businessCalendarSchema.safeParse({ timezone: 'UTC', weekly: { thu: [{ start: '10:00', end: '09:00' }] } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['weekly', 'thu', 0, 'end']);
  });
});

describe('properties', () => {
  // [name, calendar, largest minute count to try (sparse calendars get fewer, to keep the run short)]
  const calendars: [string, BusinessCalendar, number][] = [
    ['New York Mon–Fri with holidays', { ...ny, holidays: ['2026-12-25', '2026-09-07', '2027-01-01'] }, 6000],
    ['New York 24/7', allDayIn('America/New_York'), 6000],
    [
      'Berlin every day with a lunch break',
      {
        timezone: 'Europe/Berlin',
        weekly: Object.fromEntries(
          ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [
            d,
            [
              { start: '08:00', end: '12:00' },
              { start: '13:00', end: '18:30' },
            ],
          ]),
        ),
        holidays: [],
      },
      6000,
    ],
    [
      'New York, intervals in the DST gap and overlap',
      {
        timezone: 'America/New_York',
        weekly: { sun: [{ start: '01:30', end: '02:30' }], wed: [{ start: '22:00', end: '24:00' }] },
        holidays: [],
      },
      600,
    ],
    ['Lord Howe (30-minute DST) 24/7', allDayIn('Australia/Lord_Howe'), 6000],
  ];
  // Starts anywhere in 2025–2027, at millisecond precision; whole minutes so the answer is exact.
  const start = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }).map((t) => new Date(t).toISOString());

  for (const [name, cal, maxMinutes] of calendars) {
    const minutes = fc.integer({ min: 0, max: maxMinutes });
    describe(name, () => {
      it('businessMinutesBetween(start, addBusinessMinutes(start, m)) = m', () => {
        fc.assert(
          fc.property(start, minutes, (s, m) => {
            const end = addBusinessMinutes(s, m, cal);
            expect(Math.abs(businessMinutesBetween(s, end, cal) - m)).toBeLessThan(1e-6);
          }),
          { numRuns: 150 },
        );
      });

      it('addBusinessMinutes is monotonic in m and never before the start', () => {
        fc.assert(
          fc.property(start, minutes, minutes, (s, m1, m2) => {
            const [lo, hi] = m1 <= m2 ? [m1, m2] : [m2, m1];
            const a = addBusinessMinutes(s, lo, cal);
            const b = addBusinessMinutes(s, hi, cal);
            expect(a <= b).toBe(true);
            expect(s <= a).toBe(true);
          }),
          { numRuns: 150 },
        );
      });

      it('the next opening is open', () => {
        fc.assert(
          fc.property(start, (s) => {
            const o = nextOpening(s, cal);
            expect(o).not.toBeNull();
            expect(isOpenAt(o!, cal)).toBe(true);
            expect(businessMinutesBetween(s, o!, cal)).toBe(0);
          }),
          { numRuns: 150 },
        );
      });
    });
  }
});
