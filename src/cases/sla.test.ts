import { describe, expect, it } from 'vitest';
import { defaultCalendar } from './business-hours.ts';
import {
  defaultSlaTargets,
  dueSignals,
  meetClock,
  NEAR_BREACH_FRACTION,
  observeClock,
  pauseClock,
  percentUsed,
  resumeClock,
  type SlaClock,
  type SlaTargets,
  startClock,
  targetMinutes,
} from './sla.ts';

// Mon–Fri 09:00–17:00 New York. All dates below are in March 2026, after the switch to EDT
// (UTC-4) on 2026-03-08: 09:00 local = 13:00Z, 17:00 local = 21:00Z.
const cal = defaultCalendar('America/New_York');
const none = { nearBreach: false, breach: false };

const MON_0900 = '2026-03-09T13:00:00.000Z';
const MON_1000 = '2026-03-09T14:00:00.000Z';
const WED_1400 = '2026-03-11T18:00:00.000Z';

describe('targetMinutes', () => {
  const targets: SlaTargets = {
    ...defaultSlaTargets,
    byChannel: { chat: { firstResponse: { urgent: 15, high: 30 } }, email: { resolution: { low: 9600 } } },
  };

  it('uses the store-wide targets', () => {
    expect(targetMinutes(defaultSlaTargets, 'first_response', 'urgent', null)).toBe(60);
    expect(targetMinutes(defaultSlaTargets, 'first_response', 'low', 'chat')).toBe(960);
    expect(targetMinutes(defaultSlaTargets, 'resolution', 'normal', null)).toBe(2880);
  });

  it('prefers a channel override, falling back per priority and metric', () => {
    expect(targetMinutes(targets, 'first_response', 'urgent', 'chat')).toBe(15);
    expect(targetMinutes(targets, 'first_response', 'high', 'chat')).toBe(30);
    expect(targetMinutes(targets, 'first_response', 'normal', 'chat')).toBe(480); // not overridden
    expect(targetMinutes(targets, 'resolution', 'urgent', 'chat')).toBe(480); // chat overrides first response only
    expect(targetMinutes(targets, 'resolution', 'low', 'email')).toBe(9600);
    expect(targetMinutes(targets, 'first_response', 'urgent', 'phone')).toBe(60); // unknown channel
    expect(targetMinutes(targets, 'first_response', 'urgent', null)).toBe(60);
  });
});

describe('startClock', () => {
  it('is due after the target in business time, warning at 80 %', () => {
    const c = startClock('first_response', 480, MON_0900, cal);
    expect(c).toEqual({
      metric: 'first_response',
      targetMinutes: 480,
      startedAt: MON_0900,
      status: 'running',
      dueAt: '2026-03-09T21:00:00.000Z', // Mon 17:00 EDT, 480 min later
      warnAt: '2026-03-09T19:24:00.000Z', // 0.8 × 480 = 384 min = 6 h 24 min → 15:24 EDT
      pausedAt: null,
      remainingMinutes: 480,
      metAt: null,
      breached: false,
    });
    expect(NEAR_BREACH_FRACTION).toBe(0.8);
  });

  it('counts from the next opening when started outside hours', () => {
    // Sat 2026-03-14 12:00 EDT: counting starts Mon 16 09:00 EDT (13:00Z).
    const c = startClock('first_response', 60, '2026-03-14T16:00:00.000Z', cal);
    expect(c.dueAt).toBe('2026-03-16T14:00:00.000Z'); // 10:00 EDT
    expect(c.warnAt).toBe('2026-03-16T13:48:00.000Z'); // 48 min in: 09:48 EDT
    // A zero target falls due at the next opening.
    const zero = startClock('first_response', 0, '2026-03-14T16:00:00.000Z', cal);
    expect(zero.dueAt).toBe('2026-03-16T13:00:00.000Z');
    expect(zero.warnAt).toBe('2026-03-16T13:00:00.000Z');
  });

  it('stores instants in toISOString() form, so they compare as strings', () => {
    const c = startClock('first_response', 480, '2026-03-09T09:00:00-04:00', cal);
    expect(c.startedAt).toBe(MON_0900);
    expect(pauseClock(c, '2026-03-09T14:00:00Z', cal).pausedAt).toBe(MON_1000);
    expect(meetClock(c, '2026-03-09T10:00:00-04:00').metAt).toBe(MON_1000);
  });

  it('refuses a negative target', () => {
    expect(() => startClock('resolution', -5, MON_0900, cal)).toThrow(RangeError);
  });
});

describe('pause and resume', () => {
  // Normal priority first response, 480 min: started Mon 09:00, paused Mon 10:00 with 60 min
  // consumed and 420 left, resumed Wed 14:00 (all of Monday after 10:00 and Tuesday don't count).
  const started = startClock('first_response', 480, MON_0900, cal);
  const paused = pauseClock(started, MON_1000, cal);
  const resumed = resumeClock(paused, WED_1400, cal);

  it('banks the remaining business minutes and clears future instants', () => {
    expect(paused).toEqual({
      ...started,
      status: 'paused',
      pausedAt: MON_1000,
      remainingMinutes: 420,
      dueAt: null, // 17:00 had not come yet
      warnAt: null, // nor had 15:24
    });
  });

  it('resumes with due = resume + remaining and the warning at 80 % of the whole target', () => {
    // Due: 420 min from Wed 14:00 EDT = 180 on Wed (to 17:00) + 240 on Thu from 09:00 → Thu 13:00 EDT = 17:00Z.
    expect(resumed.dueAt).toBe('2026-03-12T17:00:00.000Z');
    // Warn when 384 of 480 are consumed: 60 were before the pause, so 324 after the resume:
    // 180 on Wed + 144 on Thu from 09:00 → Thu 11:24 EDT = 15:24Z.
    expect(resumed.warnAt).toBe('2026-03-12T15:24:00.000Z');
    expect(resumed.status).toBe('running');
    expect(resumed.pausedAt).toBeNull();
    expect(resumed.startedAt).toBe(MON_0900);
  });

  it('reports how much of the target is used', () => {
    expect(percentUsed(started, MON_1000, cal)).toBe(60 / 480);
    // While paused the share does not move, however late it gets.
    expect(percentUsed(paused, '2026-03-10T20:00:00.000Z', cal)).toBe(60 / 480);
    expect(percentUsed(resumed, WED_1400, cal)).toBe(60 / 480);
    expect(percentUsed(resumed, '2026-03-12T15:24:00.000Z', cal)).toBeCloseTo(0.8, 12);
    expect(percentUsed(resumed, '2026-03-12T17:00:00.000Z', cal)).toBe(1);
    // An hour overdue: 540 / 480.
    expect(percentUsed(resumed, '2026-03-12T18:00:00.000Z', cal)).toBe(540 / 480);
  });

  it('is a no-op in the wrong state', () => {
    expect(pauseClock(paused, WED_1400, cal)).toBe(paused);
    expect(resumeClock(started, WED_1400, cal)).toBe(started);
    const met = meetClock(started, MON_1000);
    expect(pauseClock(met, WED_1400, cal)).toBe(met);
    expect(resumeClock(met, WED_1400, cal)).toBe(met);
    expect(meetClock(met, WED_1400)).toBe(met);
  });

  it('keeps a warning instant that passed before the pause', () => {
    // Urgent, 60 min from Mon 09:00 EDT: warn at 09:48 EDT (13:48Z), due 10:00 EDT (14:00Z).
    const c = startClock('first_response', 60, MON_0900, cal);
    expect(c.warnAt).toBe('2026-03-09T13:48:00.000Z');
    // Paused at 09:50: 10 min left; 09:48 already happened, so warnAt stays.
    const p = pauseClock(c, '2026-03-09T13:50:00.000Z', cal);
    expect(p.remainingMinutes).toBe(10);
    expect(p.warnAt).toBe('2026-03-09T13:48:00.000Z');
    expect(p.dueAt).toBeNull();
    // Resumed Tue 16:55 EDT (20:55Z): 5 min Tuesday + 5 min from Wed 09:00 → Wed 09:05 EDT = 13:05Z.
    const r = resumeClock(p, '2026-03-10T20:55:00.000Z', cal);
    expect(r.dueAt).toBe('2026-03-11T13:05:00.000Z');
    expect(r.warnAt).toBe('2026-03-09T13:48:00.000Z');
    // Not signalled before the pause: it comes out now, stamped with the instant it happened.
    expect(dueSignals(r, '2026-03-10T20:55:00.000Z', none)).toEqual([
      { kind: 'near_breach', metric: 'first_response', at: '2026-03-09T13:48:00.000Z' },
    ]);
  });

  it('warns at the resume when past 80 % but no warning instant was kept', () => {
    const p: SlaClock = {
      metric: 'first_response',
      targetMinutes: 60,
      startedAt: MON_0900,
      status: 'paused',
      dueAt: null,
      warnAt: null,
      pausedAt: '2026-03-09T13:50:00.000Z',
      remainingMinutes: 10,
      metAt: null,
      breached: false,
    };
    const r = resumeClock(p, '2026-03-10T20:55:00.000Z', cal);
    expect(r.warnAt).toBe('2026-03-10T20:55:00.000Z');
    expect(r.dueAt).toBe('2026-03-11T13:05:00.000Z');
  });

  it('a pause after the due instant marks the clock breached and keeps the history', () => {
    const c = startClock('first_response', 60, MON_0900, cal); // due 14:00Z
    // Paused Mon 11:00 EDT (15:00Z): an hour overdue.
    const p = pauseClock(c, '2026-03-09T15:00:00.000Z', cal);
    expect(p).toMatchObject({ status: 'paused', breached: true, remainingMinutes: -60, dueAt: c.dueAt, warnAt: c.warnAt });
    expect(percentUsed(p, '2026-03-10T15:00:00.000Z', cal)).toBe(2);
    const r = resumeClock(p, '2026-03-10T13:00:00.000Z', cal);
    expect(r).toMatchObject({ status: 'running', dueAt: '2026-03-09T14:00:00.000Z', warnAt: '2026-03-09T13:48:00.000Z' });
    expect(dueSignals(r, '2026-03-10T13:00:00.000Z', none).map((s) => [s.kind, s.at])).toEqual([
      ['near_breach', '2026-03-09T13:48:00.000Z'],
      ['breach', '2026-03-09T14:00:00.000Z'],
    ]);
    expect(meetClock(r, '2026-03-10T14:00:00.000Z').status).toBe('breached_met');
  });
});

describe('meetClock', () => {
  const resumed = resumeClock(pauseClock(startClock('first_response', 480, MON_0900, cal), MON_1000, cal), WED_1400, cal);
  // Due Thu 13:00 EDT = 17:00Z, warning Thu 11:24 EDT = 15:24Z (see above).

  it('before the due instant: met', () => {
    const m = meetClock(resumed, '2026-03-12T16:00:00.000Z'); // Thu 12:00 EDT
    expect(m).toMatchObject({ status: 'met', metAt: '2026-03-12T16:00:00.000Z', breached: false });
    expect(m.dueAt).toBe(resumed.dueAt);
    expect(percentUsed(m, '2026-03-20T00:00:00.000Z', cal)).toBe(420 / 480); // frozen at the meet
  });

  it('exactly at the due instant: still met', () => {
    expect(meetClock(resumed, '2026-03-12T17:00:00.000Z')).toMatchObject({ status: 'met', breached: false });
  });

  it('after the due instant: breached_met', () => {
    expect(meetClock(resumed, '2026-03-12T17:30:00.000Z')).toMatchObject({ status: 'breached_met', breached: true });
  });

  it('at the due instant after a breach was observed: breached_met', () => {
    const observed = observeClock(resumed, '2026-03-12T17:00:00.000Z');
    expect(observed.breached).toBe(true);
    expect(meetClock(observed, '2026-03-12T17:00:00.000Z').status).toBe('breached_met');
  });

  it('while paused: met, late only if it was overdue when paused', () => {
    const paused = pauseClock(startClock('first_response', 480, MON_0900, cal), MON_1000, cal);
    expect(meetClock(paused, WED_1400)).toMatchObject({ status: 'met', metAt: WED_1400, breached: false });
    expect(percentUsed(meetClock(paused, WED_1400), WED_1400, cal)).toBe(60 / 480);
  });
});

describe('observeClock', () => {
  const c = startClock('first_response', 480, MON_0900, cal); // due 21:00Z

  it('marks the clock breached once now >= dueAt', () => {
    expect(observeClock(c, '2026-03-09T20:59:59.999Z')).toBe(c);
    expect(observeClock(c, '2026-03-09T21:00:00.000Z')).toEqual({ ...c, breached: true });
  });
});

describe('dueSignals', () => {
  const resumed = resumeClock(pauseClock(startClock('resolution', 480, MON_0900, cal), MON_1000, cal), WED_1400, cal);
  const near = { kind: 'near_breach', metric: 'resolution', at: '2026-03-12T15:24:00.000Z' } as const;
  const breach = { kind: 'breach', metric: 'resolution', at: '2026-03-12T17:00:00.000Z' } as const;

  it('emits nothing before the warning', () => {
    expect(dueSignals(resumed, '2026-03-12T15:00:00.000Z', none)).toEqual([]);
  });

  it('emits the near breach at warnAt, once', () => {
    expect(dueSignals(resumed, '2026-03-12T15:24:00.000Z', none)).toEqual([near]);
    // Checked later, it still carries the warning instant, not the time of the check.
    expect(dueSignals(resumed, '2026-03-12T16:00:00.000Z', none)).toEqual([near]);
    expect(dueSignals(resumed, '2026-03-12T16:00:00.000Z', { nearBreach: true, breach: false })).toEqual([]);
  });

  it('emits the breach at dueAt, once', () => {
    expect(dueSignals(resumed, '2026-03-12T17:00:00.000Z', { nearBreach: true, breach: false })).toEqual([breach]);
    // A late first check gets both, in order, each with its own instant.
    expect(dueSignals(resumed, '2026-03-13T12:00:00.000Z', none)).toEqual([near, breach]);
    expect(dueSignals(resumed, '2026-03-13T12:00:00.000Z', { nearBreach: true, breach: true })).toEqual([]);
  });

  it('a paused clock whose instants are in the future emits nothing', () => {
    const paused = pauseClock(resumed, '2026-03-12T14:00:00.000Z', cal); // Thu 10:00 EDT
    expect(dueSignals(paused, '2026-03-20T00:00:00.000Z', none)).toEqual([]);
  });

  it('a met clock only yields what happened before the meet', () => {
    // Met before the warning: nothing, ever.
    expect(dueSignals(meetClock(resumed, '2026-03-12T15:00:00.000Z'), '2026-03-20T00:00:00.000Z', none)).toEqual([]);
    // Met after the warning, on time: the near breach only.
    expect(dueSignals(meetClock(resumed, '2026-03-12T16:00:00.000Z'), '2026-03-20T00:00:00.000Z', none)).toEqual([near]);
    // Met late: both, even if never checked while running.
    expect(dueSignals(meetClock(resumed, '2026-03-12T17:30:00.000Z'), '2026-03-20T00:00:00.000Z', none)).toEqual([near, breach]);
  });

  it('replays agree: the same inputs give the same signals whenever they are checked', () => {
    const replay = resumeClock(pauseClock(startClock('resolution', 480, MON_0900, cal), MON_1000, cal), WED_1400, cal);
    expect(replay).toEqual(resumed);
    expect(dueSignals(replay, '2026-03-14T00:00:00.000Z', none)).toEqual(dueSignals(resumed, '2026-03-13T00:00:00.000Z', none));
  });
});
