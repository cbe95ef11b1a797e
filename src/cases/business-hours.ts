/**
 * Business hours: a store's weekly opening intervals in its own time zone,
 * minus whole-day holidays, and arithmetic on the open time between instants.
 *
 * Intervals are local wall-clock times; durations are real elapsed time. A
 * wall-clock time on a given local date maps to the first instant at which
 * the local clock shows that time or later:
 * - in a spring-forward gap (e.g. 02:30 on 2026-03-08 in New York) that is the
 *   instant the gap ends (03:00 EDT);
 * - in a fall-back overlap (01:30 on 2026-11-01 in New York) it is the first
 *   occurrence (01:30 EDT).
 * The mapping is monotonic, so adjacent intervals stay adjacent and none overlap.
 * A 09:00–17:00 day is therefore 8 h even on a DST change day, while a day open
 * 00:00–24:00 has 23 h on the spring-forward day and 25 h on the fall-back day.
 *
 * All instants in and out are ISO-8601 strings; outputs use `toISOString()`
 * (UTC, millisecond precision). Nothing here reads the wall clock.
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { AppError } from '../platform/errors.ts';

export const dayKeys = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type DayKey = (typeof dayKeys)[number];

export interface OpenInterval {
  /** Local wall-clock 'HH:mm', inclusive. */
  start: string;
  /** Local wall-clock 'HH:mm', exclusive; '24:00' means the end of the day. */
  end: string;
}

export interface BusinessCalendar {
  /** IANA time zone, e.g. 'America/New_York'. */
  timezone: string;
  /** Open intervals per weekday, local wall-clock 'HH:mm' (end exclusive; '24:00' allowed as end). Missing/empty day = closed. */
  weekly: Partial<Record<DayKey, OpenInterval[]>>;
  /** Local dates 'YYYY-MM-DD' when the store is closed all day. */
  holidays: string[];
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** How long a search for open time may run through closed days before giving up. */
const MAX_CLOSED_DAYS = 3660;

// ---------------------------------------------------------------------------
// Calendars

const allDay = (): OpenInterval[] => [{ start: '00:00', end: '24:00' }];
const nineToFive = (): OpenInterval[] => [{ start: '09:00', end: '17:00' }];

function freezeCalendar(cal: BusinessCalendar): BusinessCalendar {
  for (const day of Object.values(cal.weekly)) {
    for (const i of day ?? []) Object.freeze(i);
    Object.freeze(day);
  }
  Object.freeze(cal.weekly);
  Object.freeze(cal.holidays);
  return Object.freeze(cal);
}

/** Open around the clock, every day, in UTC: for channels or stores that want no business-hours logic. */
export const alwaysOpen: BusinessCalendar = freezeCalendar({
  timezone: 'UTC',
  weekly: { mon: allDay(), tue: allDay(), wed: allDay(), thu: allDay(), fri: allDay(), sat: allDay(), sun: allDay() },
  holidays: [],
});

/** Monday to Friday, 09:00–17:00 in `timezone`, no holidays. Throws on an unknown time zone. */
export function defaultCalendar(timezone: string): BusinessCalendar {
  return validateCalendar({
    timezone,
    weekly: { mon: nineToFive(), tue: nineToFive(), wed: nineToFive(), thu: nineToFive(), fri: nineToFive() },
    holidays: [],
  });
}

// ---------------------------------------------------------------------------
// Validation

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HH_MM_END = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const YYYY_MM_DD = /^\d{4}-\d{2}-\d{2}$/;

function minuteOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const intervalSchema = z
  .strictObject({
    start: z.string().regex(HH_MM, 'must be a local time HH:mm between 00:00 and 23:59'),
    end: z.string().regex(HH_MM_END, 'must be a local time HH:mm between 00:00 and 24:00'),
  })
  .superRefine((i, ctx) => {
    if (minuteOfDay(i.start) >= minuteOfDay(i.end)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `must be after start (${i.start})` });
    }
  });

const dayIntervalsSchema = z.array(intervalSchema).superRefine((intervals, ctx) => {
  const valid = intervals
    .map((i, index) => ({ index, start: i.start, end: i.end }))
    .filter((i) => HH_MM.test(i.start) && HH_MM_END.test(i.end) && minuteOfDay(i.start) < minuteOfDay(i.end))
    .sort((a, b) => minuteOfDay(a.start) - minuteOfDay(b.start));
  for (let k = 1; k < valid.length; k++) {
    const prev = valid[k - 1]!;
    const cur = valid[k]!;
    if (minuteOfDay(cur.start) < minuteOfDay(prev.end)) {
      ctx.addIssue({
        code: 'custom',
        path: [cur.index, 'start'],
        message: `overlaps the interval ${prev.start}–${prev.end}`,
      });
    }
  }
});

/** A business calendar as stores configure it. Holidays default to none. */
export const businessCalendarSchema = z.strictObject({
  timezone: z.string().refine((tz) => IANAZone.isValidZone(tz), 'must be a valid IANA time zone, e.g. America/New_York'),
  weekly: z.strictObject({
    mon: dayIntervalsSchema.optional(),
    tue: dayIntervalsSchema.optional(),
    wed: dayIntervalsSchema.optional(),
    thu: dayIntervalsSchema.optional(),
    fri: dayIntervalsSchema.optional(),
    sat: dayIntervalsSchema.optional(),
    sun: dayIntervalsSchema.optional(),
  }),
  holidays: z
    .array(
      z
        .string()
        .regex(YYYY_MM_DD, 'must be a date YYYY-MM-DD')
        .refine((d) => !YYYY_MM_DD.test(d) || DateTime.fromISO(d, { zone: 'utc' }).isValid, 'is not a calendar date'),
    )
    .default([]),
});

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/**
 * Checks an untrusted calendar. Throws an `AppError` (400, `invalid_calendar`)
 * whose message names every offending field, e.g. `weekly.mon[1].start`, and
 * whose `path` is the first of them.
 */
export function validateCalendar(cal: unknown): BusinessCalendar {
  const parsed = businessCalendarSchema.safeParse(cal);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => {
    const path = i.code === 'unrecognized_keys' && i.keys.length > 0 ? [...i.path, i.keys[0]!] : i.path;
    return { path: formatPath(path), message: i.message };
  });
  const message = `invalid business calendar: ${issues.map((i) => `${i.path || '(calendar)'}: ${i.message}`).join('; ')}`;
  throw new AppError(400, 'invalid_calendar', message, issues[0]?.path, { issues });
}

// ---------------------------------------------------------------------------
// Compiled form: minutes of day per weekday, the zone, holidays

interface Compiled {
  zone: IANAZone;
  /** Index 0 = Monday; sorted, merged [startMinute, endMinute) pairs. */
  days: [number, number][][];
  holidays: Set<string>;
  hasHours: boolean;
  /** Identifies zone and weekly hours, for the per-day cache. */
  key: string;
}

function compile(cal: BusinessCalendar): Compiled {
  if (!IANAZone.isValidZone(cal.timezone)) throw new RangeError(`business calendar: invalid time zone "${cal.timezone}"`);
  const days = dayKeys.map((key) => {
    const raw = (cal.weekly[key] ?? []).map((i): [number, number] => {
      if (!HH_MM.test(i.start) || !HH_MM_END.test(i.end)) {
        throw new RangeError(`business calendar: weekly.${key} has an invalid interval ${i.start}–${i.end}`);
      }
      return [minuteOfDay(i.start), minuteOfDay(i.end)];
    });
    raw.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [s, e] of raw) {
      if (e <= s) continue;
      const last = merged[merged.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else merged.push([s, e]);
    }
    return merged;
  });
  return {
    zone: IANAZone.create(cal.timezone) as IANAZone,
    days,
    holidays: new Set(cal.holidays),
    hasHours: days.some((d) => d.length > 0),
    key: `${cal.timezone}|${JSON.stringify(days)}`,
  };
}

/** UTC offset in ms at an instant. */
function offsetMs(zone: IANAZone, t: number): number {
  return zone.offset(t) * MINUTE_MS;
}

/** The local date of an instant, as days since 1970-01-01. */
function localDay(zone: IANAZone, t: number): number {
  return Math.floor((t + offsetMs(zone, t)) / DAY_MS);
}

/**
 * The first instant at which the local clock shows `wall` (local wall time as
 * if it were UTC ms) or later: the earliest occurrence in an overlap, the end
 * of the gap in a gap.
 */
function wallToInstant(zone: IANAZone, wall: number): number {
  // Fast path: the same offset on both sides of the ±14 h window, so no transition in it.
  const before = offsetMs(zone, wall - 14 * HOUR_MS);
  if (before === offsetMs(zone, wall + 14 * HOUR_MS) && offsetMs(zone, wall - before) === before) return wall - before;
  const offsets = new Set<number>();
  for (let h = -18; h <= 18; h += 6) offsets.add(offsetMs(zone, wall + h * HOUR_MS));
  let best = Number.POSITIVE_INFINITY;
  for (const o of offsets) {
    const t = wall - o;
    if (offsetMs(zone, t) === o && t < best) best = t;
  }
  if (best !== Number.POSITIVE_INFINITY) return best;
  // A gap: the local clock jumps over `wall`. Find the instant it jumps.
  let lo = wall - 15 * HOUR_MS; // local time there is before `wall` (offsets are within ±14 h)
  let hi = wall + 15 * HOUR_MS; // and there after it
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + offsetMs(zone, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Resolved days by zone, weekly hours and date: resolving a wall time asks Intl for offsets, which is slow. */
const dayCache = new Map<string, readonly (readonly [number, number])[]>();
const DAY_CACHE_MAX = 20_000;
const NONE: readonly (readonly [number, number])[] = Object.freeze([]);

/** The open intervals [start, end) in epoch ms of one local date. */
function intervalsOfDay(cc: Compiled, day: number): readonly (readonly [number, number])[] {
  const spec = cc.days[(((day + 3) % 7) + 7) % 7]!; // 1970-01-01 was a Thursday (index 3)
  if (spec.length === 0 || (cc.holidays.size > 0 && cc.holidays.has(isoDate(day)))) return NONE;
  const key = `${cc.key}|${day}`;
  const cached = dayCache.get(key);
  if (cached) return cached;
  const out: (readonly [number, number])[] = [];
  for (const [a, b] of spec) {
    const s = wallToInstant(cc.zone, day * DAY_MS + a * MINUTE_MS);
    const e = wallToInstant(cc.zone, day * DAY_MS + b * MINUTE_MS);
    if (e > s) out.push(Object.freeze([s, e] as const));
  }
  if (dayCache.size >= DAY_CACHE_MAX) dayCache.clear();
  dayCache.set(key, Object.freeze(out));
  return out;
}

/**
 * The open intervals that end after `from`, in order. Stops after the local
 * date of `until` (if given), or returns `exhausted` after MAX_CLOSED_DAYS
 * days in a row without open time.
 */
function* openIntervals(cc: Compiled, from: number, until?: number): Generator<readonly [number, number], 'done' | 'exhausted'> {
  if (!cc.hasHours) return 'exhausted';
  const lastDay = until === undefined ? Number.POSITIVE_INFINITY : localDay(cc.zone, until) + 1;
  let closedDays = 0;
  for (let day = localDay(cc.zone, from) - 1; day <= lastDay; day++) {
    const intervals = intervalsOfDay(cc, day);
    if (intervals.length === 0) {
      if (++closedDays > MAX_CLOSED_DAYS) return 'exhausted';
      continue;
    }
    closedDays = 0;
    for (const iv of intervals) if (iv[1] > from) yield iv;
  }
  return 'done';
}

function parseInstant(iso: string, name: string): number {
  const dt = typeof iso === 'string' ? DateTime.fromISO(iso, { zone: 'utc' }) : DateTime.invalid('not a string');
  if (!dt.isValid) throw new RangeError(`${name}: not an ISO-8601 instant: ${String(iso)}`);
  return dt.toMillis();
}

const toIso = (t: number): string => new Date(t).toISOString();

// ---------------------------------------------------------------------------
// Arithmetic

/**
 * The instant at which `minutes` of open time have elapsed after `startIso`.
 * Outside hours, counting begins at the next opening; `minutes = 0` gives
 * `startIso` itself when open, else the next opening. When the budget runs
 * out exactly at a closing time, that closing instant is the answer.
 * Fractional minutes are rounded to the millisecond.
 * Throws if the calendar has no open hours (or none within ten years).
 */
export function addBusinessMinutes(startIso: string, minutes: number, cal: BusinessCalendar): string {
  if (!Number.isFinite(minutes) || minutes < 0)
    throw new RangeError(`addBusinessMinutes: minutes must be a finite number >= 0, got ${minutes}`);
  const start = parseInstant(startIso, 'addBusinessMinutes');
  const cc = compile(cal);
  let remaining = Math.round(minutes * MINUTE_MS);
  for (const [s, e] of openIntervals(cc, start)) {
    const from = Math.max(s, start);
    if (remaining <= e - from) return toIso(from + remaining);
    remaining -= e - from;
  }
  throw new Error(
    cc.hasHours
      ? `business calendar (${cal.timezone}) has no open hours within ten years after ${startIso}`
      : `business calendar (${cal.timezone}) has no open hours: cannot add business minutes`,
  );
}

/** Open minutes in [a, b); 0 if b <= a. Fractional, to the millisecond. */
export function businessMinutesBetween(aIso: string, bIso: string, cal: BusinessCalendar): number {
  const a = parseInstant(aIso, 'businessMinutesBetween');
  const b = parseInstant(bIso, 'businessMinutesBetween');
  if (b <= a) return 0;
  const cc = compile(cal);
  let ms = 0;
  for (const [s, e] of openIntervals(cc, a, b)) {
    if (s >= b) break;
    ms += Math.min(e, b) - Math.max(s, a);
  }
  return ms / MINUTE_MS;
}

/** Whether the store is open at the instant (interval starts inclusive, ends exclusive). */
export function isOpenAt(iso: string, cal: BusinessCalendar): boolean {
  const t = parseInstant(iso, 'isOpenAt');
  const cc = compile(cal);
  const day = localDay(cc.zone, t);
  for (let d = day - 1; d <= day + 1; d++) {
    for (const [s, e] of intervalsOfDay(cc, d)) if (s <= t && t < e) return true;
  }
  return false;
}

/**
 * The earliest instant at or after `iso` at which the store is open: `iso`
 * itself when open. Null if the calendar has no open hours at all (or none
 * within ten years).
 */
export function nextOpening(iso: string, cal: BusinessCalendar): string | null {
  const t = parseInstant(iso, 'nextOpening');
  for (const [s] of openIntervals(compile(cal), t)) return toIso(Math.max(s, t));
  return null;
}
