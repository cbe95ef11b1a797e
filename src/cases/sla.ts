/**
 * The SLA clock, as pure functions over a flat, persistable record.
 *
 * - Business time: targets are business minutes of the store's calendar
 *   (`business-hours.ts`); the clock only runs while the store is open, so a
 *   case opened on Friday at 16:00 with 120 minutes is due Monday at 10:00.
 * - Pauses: while the case waits on the customer the clock is paused. Pausing
 *   banks the business minutes left (`remainingMinutes`, negative when already
 *   overdue); resuming counts them down again from the resume instant.
 * - Near breach: `warnAt` is the instant at which 80 % of the target has been
 *   consumed (`NEAR_BREACH_FRACTION`); `dueAt` is the instant at which all of
 *   it has. `dueSignals` turns passed instants into signals stamped with those
 *   instants (not with the time of the check), so replays agree.
 *
 * Instants that already happened are history and are kept: pausing clears
 * `warnAt`/`dueAt` only if they are still in the future (so a running clock
 * has both, and a paused one has only those it passed before the pause);
 * resuming recomputes the cleared ones from the remaining budget.
 */
import { DateTime } from 'luxon';
import { addBusinessMinutes, type BusinessCalendar, businessMinutesBetween } from './business-hours.ts';

export type SlaMetric = 'first_response' | 'resolution';
export type Priority = 'urgent' | 'high' | 'normal' | 'low';

/** Business minutes per metric and priority. */
export interface SlaTargets {
  firstResponse: Record<Priority, number>;
  resolution: Record<Priority, number>;
  /** Optional per-channel overrides, e.g. chat answers faster: `{ chat: { firstResponse: { urgent: 15 } } }` (partial allowed). */
  byChannel?: Partial<
    Record<string, { firstResponse?: Partial<Record<Priority, number>>; resolution?: Partial<Record<Priority, number>> }>
  >;
}

export const defaultSlaTargets: SlaTargets = {
  firstResponse: { urgent: 60, high: 240, normal: 480, low: 960 },
  resolution: { urgent: 480, high: 1440, normal: 2880, low: 4800 },
};

const metricKey = { first_response: 'firstResponse', resolution: 'resolution' } as const;

/** The target for a metric and priority: the channel's override when it has one, else the store-wide value. */
export function targetMinutes(targets: SlaTargets, metric: SlaMetric, priority: Priority, channel: string | null): number {
  const key = metricKey[metric];
  const override = channel === null ? undefined : targets.byChannel?.[channel]?.[key]?.[priority];
  return override ?? targets[key][priority];
}

/** Share of the target after which a clock is near breach. */
export const NEAR_BREACH_FRACTION = 0.8;

/** The state of one SLA clock, as persisted (one column per field). */
export interface SlaClock {
  metric: SlaMetric;
  /** Business minutes. */
  targetMinutes: number;
  startedAt: string;
  /** `breached_met`: met after breaching. */
  status: 'running' | 'paused' | 'met' | 'breached_met';
  /** When the whole target is consumed. Set while running; while paused only if it had already passed before the pause. */
  dueAt: string | null;
  /** When 80 % of the target is consumed. Set while running; while paused only if it had already passed before the pause. */
  warnAt: string | null;
  /** The instant of the pause while paused (and kept if met while paused); cleared on resume. */
  pausedAt: string | null;
  /**
   * Business minutes left: the target at start, the banked budget while paused
   * (negative = overdue by that much). Not updated while running or on meet.
   */
  remainingMinutes: number;
  metAt: string | null;
  /** Set when the due instant passed: by a pause or `observeClock` at or after `dueAt`, or a late meet. */
  breached: boolean;
}

export type SlaSignal = { kind: 'near_breach' | 'breach'; metric: SlaMetric; at: string };

function ms(iso: string): number {
  const dt = DateTime.fromISO(iso, { zone: 'utc' });
  if (!dt.isValid) throw new RangeError(`SLA clock: not an ISO-8601 instant: ${iso}`);
  return dt.toMillis();
}

/** Instants are stored as `toISOString()` so that they compare as strings (the sweep does, in SQL). */
const norm = (iso: string): string => new Date(ms(iso)).toISOString();

function warnBudget(target: number): number {
  return target * NEAR_BREACH_FRACTION;
}

/** A running clock from `startedAt` (counting starts at the next opening if the store is closed). */
export function startClock(metric: SlaMetric, target: number, startedAt: string, cal: BusinessCalendar): SlaClock {
  if (!Number.isFinite(target) || target < 0) throw new RangeError(`SLA target must be a finite number of minutes >= 0, got ${target}`);
  return {
    metric,
    targetMinutes: target,
    startedAt: norm(startedAt),
    status: 'running',
    dueAt: addBusinessMinutes(startedAt, target, cal),
    warnAt: addBusinessMinutes(startedAt, warnBudget(target), cal),
    pausedAt: null,
    remainingMinutes: target,
    metAt: null,
    breached: false,
  };
}

/**
 * Pauses a running clock at `at` (no-op otherwise): banks the business
 * minutes left until `dueAt` (negative if already overdue, which also marks it
 * breached). `warnAt`/`dueAt` are cleared unless they already passed.
 */
export function pauseClock(clock: SlaClock, at: string, cal: BusinessCalendar): SlaClock {
  if (clock.status !== 'running' || clock.dueAt === null) return clock;
  const t = ms(at);
  const overdue = t >= ms(clock.dueAt);
  const remaining = overdue ? -businessMinutesBetween(clock.dueAt, at, cal) : businessMinutesBetween(at, clock.dueAt, cal);
  return {
    ...clock,
    status: 'paused',
    pausedAt: norm(at),
    remainingMinutes: remaining,
    dueAt: overdue ? clock.dueAt : null,
    warnAt: clock.warnAt !== null && ms(clock.warnAt) <= t ? clock.warnAt : null,
    breached: clock.breached || overdue,
  };
}

/**
 * Resumes a paused clock at `at` (no-op otherwise): `dueAt = addBusinessMinutes(at, remaining)`
 * and `warnAt` the instant at which 80 % of the whole target will have been
 * consumed. If that had already happened before the pause, the instant it
 * happened (kept by `pauseClock`) stays; failing that (an 80 % mark reached
 * exactly at the pause), `warnAt = at`. An overdue clock keeps its passed `dueAt`.
 */
export function resumeClock(clock: SlaClock, at: string, cal: BusinessCalendar): SlaClock {
  if (clock.status !== 'paused') return clock;
  const remaining = clock.remainingMinutes;
  const dueAt = clock.dueAt ?? addBusinessMinutes(at, Math.max(0, remaining), cal);
  const untilWarn = remaining - (clock.targetMinutes - warnBudget(clock.targetMinutes));
  const warnAt = clock.warnAt ?? (untilWarn > 0 ? addBusinessMinutes(at, untilWarn, cal) : norm(at));
  return { ...clock, status: 'running', pausedAt: null, dueAt, warnAt };
}

/**
 * Stops the clock at `at` (no-op if already met). Late — `breached_met` — if
 * `at` is after `dueAt` or the clock was already marked breached; meeting at
 * exactly `dueAt` is on time. A paused clock can be met too (late only if it
 * was overdue when paused). `dueAt`/`warnAt` are kept as they were.
 */
export function meetClock(clock: SlaClock, at: string): SlaClock {
  if (clock.status === 'met' || clock.status === 'breached_met') return clock;
  const late = clock.breached || (clock.status === 'running' && clock.dueAt !== null && ms(at) > ms(clock.dueAt));
  return { ...clock, status: late ? 'breached_met' : 'met', metAt: norm(at), breached: late };
}

/** Marks a running or paused clock breached once `now >= dueAt` (no-op otherwise). */
export function observeClock(clock: SlaClock, now: string): SlaClock {
  if (clock.breached || clock.metAt !== null || clock.dueAt === null || ms(now) < ms(clock.dueAt)) return clock;
  return { ...clock, breached: true };
}

/**
 * The signals due at `now` that were not signalled yet: `near_breach` once
 * `now >= warnAt`, `breach` once `now >= dueAt`, each stamped with that
 * instant. A met clock only yields what happened before it was met: the near
 * breach if `warnAt < metAt`, the breach if it was met late.
 */
export function dueSignals(clock: SlaClock, now: string, alreadySignalled: { nearBreach: boolean; breach: boolean }): SlaSignal[] {
  const out: SlaSignal[] = [];
  const t = ms(now);
  const met = clock.metAt !== null && (clock.status === 'met' || clock.status === 'breached_met');
  if (!alreadySignalled.nearBreach && clock.warnAt !== null) {
    const w = ms(clock.warnAt);
    if (w <= t && (!met || w < ms(clock.metAt!))) out.push({ kind: 'near_breach', metric: clock.metric, at: clock.warnAt });
  }
  if (!alreadySignalled.breach) {
    if (met) {
      if (clock.status === 'breached_met') out.push({ kind: 'breach', metric: clock.metric, at: clock.dueAt ?? clock.metAt! });
    } else if (clock.dueAt !== null && ms(clock.dueAt) <= t) {
      out.push({ kind: 'breach', metric: clock.metric, at: clock.dueAt });
    }
  }
  return out;
}

/**
 * Business time consumed over the target, as a fraction (1 = all of it; more
 * when overdue): at `now` for a running clock, at the pause for a paused one
 * (and for one met while paused), at `metAt` for a met one. A clock resumed
 * after being paused while overdue counts its overdue time from its original
 * `dueAt`, so that includes the paused stretch. A zero target reads 1.
 */
export function percentUsed(clock: SlaClock, now: string, cal: BusinessCalendar): number {
  const target = clock.targetMinutes;
  if (target <= 0) return 1;
  let remaining: number;
  if (clock.pausedAt !== null || clock.dueAt === null) {
    remaining = clock.remainingMinutes;
  } else {
    const at = clock.metAt ?? now;
    remaining = ms(at) < ms(clock.dueAt) ? businessMinutesBetween(at, clock.dueAt, cal) : -businessMinutesBetween(clock.dueAt, at, cal);
  }
  return (target - remaining) / target;
}
