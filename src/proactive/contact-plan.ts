/**
 * When a proactive message may go: not before the failure is worth a message,
 * not within the customer's contact cool-down, and not in their quiet hours
 * (in their own timezone). Pure; the message waits as a job until then.
 */
import { DateTime } from 'luxon';

export interface ContactRules {
  cooldownHours: number;
  quietHours: { start: string; end: string } | null;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** The end of the quiet window `at` is in, or null when it is not in one. */
export function quietUntil(at: string, timezone: string, quiet: { start: string; end: string }): string | null {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return null;
  const local = DateTime.fromISO(at, { zone: 'utc' }).setZone(timezone);
  const m = local.hour * 60 + local.minute;
  const wraps = start > end; // e.g. 21:00–08:00
  const inside = wraps ? m >= start || m < end : m >= start && m < end;
  if (!inside) return null;
  // The window ends at `end` today, unless it began this evening and ends tomorrow morning.
  const day = wraps && m >= start ? local.plus({ days: 1 }) : local;
  const until = day.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  return until.toUTC().toISO()!;
}

export function contactAt(i: { earliest: string; timezone: string; lastContactedAt: string | null; rules: ContactRules }): {
  at: string;
  waitedFor: ('cooldown' | 'quiet_hours')[];
} {
  let at = i.earliest;
  const waitedFor: ('cooldown' | 'quiet_hours')[] = [];
  if (i.lastContactedAt !== null && i.rules.cooldownHours > 0) {
    const free = new Date(Date.parse(i.lastContactedAt) + i.rules.cooldownHours * 3_600_000).toISOString();
    if (free > at) {
      at = free;
      waitedFor.push('cooldown');
    }
  }
  if (i.rules.quietHours) {
    const until = quietUntil(at, i.timezone, i.rules.quietHours);
    if (until !== null && until > at) {
      at = until;
      waitedFor.push('quiet_hours');
    }
  }
  return { at, waitedFor };
}
