import { describe, expect, it } from 'vitest';
import { alwaysOpen, businessMinutesBetween, validateCalendar } from '../cases/business-hours.ts';
import { seededRng } from '../demo/rng.ts';
import { businessMinutesFn } from './kpis-hours.ts';

const calendars = {
  'New York 9–17 with a holiday and a split Saturday': validateCalendar({
    timezone: 'America/New_York',
    weekly: {
      mon: [{ start: '09:00', end: '17:00' }],
      tue: [{ start: '09:00', end: '17:00' }],
      wed: [{ start: '09:00', end: '17:00' }],
      thu: [{ start: '09:00', end: '17:00' }],
      fri: [{ start: '09:00', end: '17:00' }],
      sat: [
        { start: '10:00', end: '12:30' },
        { start: '14:00', end: '24:00' },
      ],
    },
    holidays: ['2026-03-10'],
  }),
  'Kolkata (+05:30) around the clock on weekdays': validateCalendar({
    timezone: 'Asia/Kolkata',
    weekly: { mon: [{ start: '00:00', end: '24:00' }], tue: [{ start: '00:00', end: '24:00' }], fri: [{ start: '08:15', end: '20:45' }] },
    holidays: [],
  }),
  'always open': alwaysOpen,
};

describe('businessMinutesFn', () => {
  for (const [name, cal] of Object.entries(calendars)) {
    it(`equals businessMinutesBetween (${name}), across the March DST change`, () => {
      const fast = businessMinutesFn(cal);
      const rand = seededRng(7);
      const base = Date.parse('2026-03-01T00:00:00Z');
      for (let i = 0; i < 300; i++) {
        const a = base + rand() * 20 * 86_400_000;
        const b = a + rand() * rand() * 12 * 86_400_000;
        const ai = new Date(Math.round(a)).toISOString();
        const bi = new Date(Math.round(b)).toISOString();
        expect(fast(ai, bi)).toBeCloseTo(businessMinutesBetween(ai, bi, cal), 6);
      }
      expect(fast('2026-03-05T00:00:00Z', '2026-03-04T00:00:00Z')).toBe(0);
    });
  }
});
