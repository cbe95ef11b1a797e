import { DateTime } from 'luxon';

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;

export function isDateOnly(promise: string): boolean {
  return dateOnly.test(promise);
}

/**
 * The instant a delivery promise ends: a date-time is itself; a calendar day
 * ("2026-03-09") is the last millisecond of that day in the store's timezone,
 * so a promise for the day of a DST change is still that local day's end.
 */
export function resolvePromise(promise: string, timezone: string): string {
  if (!isDateOnly(promise)) return new Date(promise).toISOString();
  const end = DateTime.fromISO(promise, { zone: timezone }).endOf('day');
  if (!end.isValid) throw new Error(`Cannot resolve promise ${promise} in ${timezone}: ${end.invalidExplanation ?? 'invalid'}`);
  return end.toUTC().toISO()!;
}

/** The calendar day an instant falls on in a timezone, e.g. for grouping a day's failures. */
export function localDay(instant: string, timezone: string): string {
  return DateTime.fromISO(instant, { zone: 'utc' }).setZone(timezone).toISODate()!;
}

export function addMinutes(instant: string, minutes: number): string {
  return new Date(Date.parse(instant) + minutes * 60_000).toISOString();
}
