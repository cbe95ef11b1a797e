/**
 * Business minutes between many pairs of instants, fast: `businessMinutesBetween` (src/cases/business-hours.ts)
 * resolves the calendar on every call, which dominates a rollup of a million cases. Here each UTC day's open
 * intervals are found once, through that same module's public functions (so holidays, time zones and DST come
 * from the one implementation), and sums are taken over the cached intervals.
 *
 * Intervals are found to the minute: calendars open and close on whole local minutes and zone offsets are whole
 * minutes, so the result equals `businessMinutesBetween` (the test compares them).
 */
import { type BusinessCalendar, businessMinutesBetween, nextOpening } from '../cases/business-hours.ts';

const MIN = 60_000;
const DAY = 86_400_000;

export type BusinessMinutes = (aIso: string, bIso: string) => number;

export function businessMinutesFn(cal: BusinessCalendar): BusinessMinutes {
  const days = new Map<number, [number, number][]>();
  const iso = (t: number) => new Date(t).toISOString();
  const intervalsOf = (day: number): [number, number][] => {
    const cached = days.get(day);
    if (cached) return cached;
    const start = day * DAY;
    const end = start + DAY;
    const out: [number, number][] = [];
    let cursor = start;
    while (cursor < end) {
      const next = nextOpening(iso(cursor), cal);
      if (next === null) break;
      const s = Date.parse(next);
      if (s >= end) break;
      // The longest x (whole minutes, up to the day's end) with all of [s, s + x) open.
      let lo = 0;
      let hi = Math.ceil((end - s) / MIN);
      if (businessMinutesBetween(iso(s), iso(s + hi * MIN), cal) >= hi - 1e-9) lo = hi;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (businessMinutesBetween(iso(s), iso(s + mid * MIN), cal) >= mid - 1e-9) lo = mid;
        else hi = mid;
      }
      const e = Math.min(end, s + lo * MIN);
      if (e <= s) break;
      out.push([s, e]);
      cursor = e;
    }
    days.set(day, out);
    return out;
  };
  return (aIso, bIso) => {
    const a = Date.parse(aIso);
    const b = Date.parse(bIso);
    if (!(b > a)) return 0;
    let ms = 0;
    for (let d = Math.floor(a / DAY); d <= Math.floor((b - 1) / DAY); d++) {
      for (const [s, e] of intervalsOf(d)) {
        const lo = Math.max(s, a);
        const hi = Math.min(e, b);
        if (hi > lo) ms += hi - lo;
      }
    }
    return ms / MIN;
  };
}
