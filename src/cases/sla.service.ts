/**
 * Persists the pure SLA clocks of `sla.ts` (one row per case and metric) and
 * runs them: start at opening, pause while the case waits on the customer,
 * meet on the first reply and on resolution, and a sweep that turns passed
 * warning and due instants into timeline entries, a metric and an escalation.
 * The sweep stamps each signal with the instant it fell due, not the instant
 * the sweep ran, so a replay on event time writes the same timeline.
 */

import type { Kysely, Selectable } from 'kysely';
import { notifyCase } from '../channels/notify.ts';
import type { Clock } from '../platform/clock.ts';
import type { CaseSlasTable, DB } from '../platform/db/schema.ts';
import type { Metrics } from '../platform/metrics.ts';
import { loadSettings, type ResolvedSettings } from '../stores/store-settings.ts';
import type { BusinessCalendar } from './business-hours.ts';
import { recordActivity } from './case-timeline.ts';
import { type PriorityFactor, priorityForScore, scoreOf } from './priority.ts';
import {
  dueSignals,
  meetClock,
  type Priority,
  pauseClock,
  percentUsed,
  resumeClock,
  type SlaClock,
  type SlaMetric,
  type SlaSignal,
  startClock,
  targetMinutes,
} from './sla.ts';

const system = { type: 'system' as const, id: null };

function toClock(r: Selectable<CaseSlasTable>): SlaClock {
  return {
    metric: r.metric as SlaMetric,
    targetMinutes: Number(r.target_minutes),
    startedAt: r.started_at,
    status: r.status as SlaClock['status'],
    dueAt: r.due_at,
    warnAt: r.warn_at,
    pausedAt: r.paused_at,
    remainingMinutes: Number(r.remaining_minutes),
    metAt: r.met_at,
    breached: Number(r.breached) === 1,
  };
}

function clockColumns(c: SlaClock) {
  return {
    target_minutes: c.targetMinutes,
    started_at: c.startedAt,
    status: c.status,
    due_at: c.dueAt,
    warn_at: c.warnAt,
    paused_at: c.pausedAt,
    remaining_minutes: c.remainingMinutes,
    met_at: c.metAt,
    breached: c.breached ? 1 : 0,
  };
}

const dueColumn = { first_response: 'first_response_due_at', resolution: 'resolution_due_at' } as const;

async function saveClock(db: Kysely<DB>, storeId: string, caseId: string, c: SlaClock, resetSignals = false): Promise<void> {
  await db
    .updateTable('case_slas')
    .set({ ...clockColumns(c), ...(resetSignals ? { near_breach_signalled_at: null, breach_signalled_at: null } : {}) })
    .where('store_id', '=', storeId)
    .where('case_id', '=', caseId)
    .where('metric', '=', c.metric)
    .execute();
  await db
    .updateTable('cases')
    .set({ [dueColumn[c.metric]]: c.dueAt })
    .where('store_id', '=', storeId)
    .where('id', '=', caseId)
    .execute();
}

export interface SlaDue {
  firstResponseDueAt: string;
  resolutionDueAt: string;
}

/** Starts both clocks for a new case; returns the due instants. */
export async function startCaseSlas(
  db: Kysely<DB>,
  storeId: string,
  caseId: string,
  input: { priority: Priority; channel: string | null; at: string; settings: ResolvedSettings },
): Promise<SlaDue> {
  const clocks = (['first_response', 'resolution'] as const).map((metric) =>
    startClock(metric, targetMinutes(input.settings.sla, metric, input.priority, input.channel), input.at, input.settings.calendar),
  );
  await db
    .insertInto('case_slas')
    .values(clocks.map((c) => ({ store_id: storeId, case_id: caseId, metric: c.metric, ...clockColumns(c) })))
    .execute();
  const [fr, res] = clocks as [SlaClock, SlaClock];
  await db
    .updateTable('cases')
    .set({ first_response_due_at: fr.dueAt, resolution_due_at: res.dueAt })
    .where('store_id', '=', storeId)
    .where('id', '=', caseId)
    .execute();
  return { firstResponseDueAt: fr.dueAt!, resolutionDueAt: res.dueAt! };
}

async function loadClocks(db: Kysely<DB>, storeId: string, caseId: string): Promise<SlaClock[]> {
  const rows = await db.selectFrom('case_slas').selectAll().where('store_id', '=', storeId).where('case_id', '=', caseId).execute();
  return rows.map(toClock);
}

async function calendarOf(db: Kysely<DB>, storeId: string): Promise<BusinessCalendar> {
  return (await loadSettings(db, storeId)).resolved.calendar;
}

export interface CaseStatusChange {
  storeId: string;
  caseId: string;
  from: string;
  to: string;
  at: string;
}

/** What other capabilities do when a case changes status, in the same transaction (follow-ups: src/followups). */
export const caseStatusListeners = new Set<(db: Kysely<DB>, change: CaseStatusChange) => Promise<void>>();

/**
 * Moves the case's clocks with its status: waiting on the customer pauses
 * them, leaving that status resumes them, resolving meets both, reopening
 * starts a fresh resolution clock. Records what changed on the timeline.
 */
export async function onCaseStatusChanged(
  db: Kysely<DB>,
  storeId: string,
  caseId: string,
  from: string,
  to: string,
  at: string,
): Promise<void> {
  await notifyCase(db, storeId, caseId, 'case.status_changed', { from, to }, at);
  if (to === 'resolved') await notifyCase(db, storeId, caseId, 'case.resolved', { from }, at);
  for (const listener of caseStatusListeners) await listener(db, { storeId, caseId, from, to, at });
  const clocks = await loadClocks(db, storeId, caseId);
  if (clocks.length === 0) return;
  const cal = await calendarOf(db, storeId);
  for (const c of clocks) {
    let next: SlaClock = c;
    if (to === 'waiting_on_customer') next = pauseClock(c, at, cal);
    else if (from === 'waiting_on_customer' && to !== 'resolved') next = resumeClock(c, at, cal);
    if (to === 'resolved') next = meetClock(from === 'waiting_on_customer' ? resumeClock(c, at, cal) : c, at);
    if (to === 'reopened' && c.metric === 'resolution') {
      next = startClock('resolution', c.targetMinutes, at, cal);
      await saveClock(db, storeId, caseId, next, true);
      await recordActivity(db, storeId, caseId, at, system, 'sla.restarted', { metric: next.metric, dueAt: next.dueAt });
      continue;
    }
    if (next === c) continue;
    await saveClock(db, storeId, caseId, next);
    if (next.status === 'paused' && c.status === 'running') {
      await recordActivity(db, storeId, caseId, at, system, 'sla.paused', {
        metric: c.metric,
        remainingMinutes: round(next.remainingMinutes),
      });
    } else if (next.status === 'running' && c.status === 'paused') {
      await recordActivity(db, storeId, caseId, at, system, 'sla.resumed', { metric: c.metric, dueAt: next.dueAt });
    } else if (next.metAt !== null && c.metAt === null) {
      await recordActivity(db, storeId, caseId, at, system, 'sla.met', { metric: c.metric, breached: next.breached, dueAt: c.dueAt });
    }
  }
}

/** The first reply by a person to the customer stops the first-response clock. */
export async function meetFirstResponse(db: Kysely<DB>, storeId: string, caseId: string, at: string): Promise<void> {
  const clocks = await loadClocks(db, storeId, caseId);
  const fr = clocks.find((c) => c.metric === 'first_response');
  await db
    .updateTable('cases')
    .set({ first_responded_at: at })
    .where('store_id', '=', storeId)
    .where('id', '=', caseId)
    .where('first_responded_at', 'is', null)
    .execute();
  if (!fr || fr.metAt !== null) return;
  const cal = await calendarOf(db, storeId);
  const met = meetClock(fr.status === 'paused' ? resumeClock(fr, at, cal) : fr, at);
  await saveClock(db, storeId, caseId, met);
  await recordActivity(db, storeId, caseId, at, system, 'sla.met', { metric: 'first_response', breached: met.breached, dueAt: fr.dueAt });
}

export interface SweepResult {
  signals: (SlaSignal & { caseId: string; storeId: string })[];
}

/**
 * Emits every near-breach and breach that has fallen due by `clock.now()`,
 * each once. Escalates: both move the case to the manager queue and raise its
 * priority score; a breach also takes the case from its assignee, so a
 * manager picks it up. Safe to run from several processes: each signal is
 * claimed by a guarded update, and only the claimer records it.
 */
export async function sweepSlas(db: Kysely<DB>, clock: Clock, metrics?: Metrics, limit = 500): Promise<SweepResult> {
  const now = clock.now().toISOString();
  const rows = await db
    .selectFrom('case_slas')
    .selectAll()
    .where('status', '=', 'running')
    .where((eb) =>
      eb.or([
        eb.and([eb('warn_at', '<=', now), eb('near_breach_signalled_at', 'is', null)]),
        eb.and([eb('due_at', '<=', now), eb('breach_signalled_at', 'is', null)]),
      ]),
    )
    .orderBy('due_at')
    .limit(limit)
    .execute();
  const out: SweepResult = { signals: [] };
  for (const row of rows) {
    const signals = dueSignals(toClock(row), now, {
      nearBreach: row.near_breach_signalled_at !== null,
      breach: row.breach_signalled_at !== null,
    });
    if (signals.length === 0) continue;
    await db.transaction().execute(async (trx) => {
      for (const s of signals) {
        const column = s.kind === 'breach' ? 'breach_signalled_at' : 'near_breach_signalled_at';
        const claimed = await trx
          .updateTable('case_slas')
          .set({ [column]: s.at, ...(s.kind === 'breach' ? { breached: 1 } : {}) })
          .where('store_id', '=', row.store_id)
          .where('case_id', '=', row.case_id)
          .where('metric', '=', row.metric)
          .where(column, 'is', null)
          // Met or paused meanwhile (an agent answered while the sweep ran): nothing to escalate.
          .where('status', '=', 'running')
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) === 0) continue;
        await escalate(trx, row.store_id, row.case_id, s);
        metrics?.slaSignals.inc({ metric: s.metric, signal: s.kind });
        out.signals.push({ ...s, caseId: row.case_id, storeId: row.store_id });
      }
    });
  }
  return out;
}

async function escalate(db: Kysely<DB>, storeId: string, caseId: string, s: SlaSignal): Promise<void> {
  const c = await db
    .selectFrom('cases')
    .select(['queue', 'assignee_id', 'priority_score', 'priority_factors', 'updated_at'])
    .where('store_id', '=', storeId)
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  const bump = s.kind === 'breach' ? 20 : 10;
  const factors = c.priority_factors ? (JSON.parse(c.priority_factors) as PriorityFactor[]) : [];
  const withoutSla = factors.filter((f) => f.factor !== 'sla');
  const previousSla = factors.find((f) => f.factor === 'sla')?.points ?? 0;
  const points = Math.max(previousSla, bump);
  const nextFactors = [
    ...withoutSla,
    { factor: 'sla', points, detail: s.kind === 'breach' ? `${label(s.metric)} SLA breached` : `${label(s.metric)} SLA near breach` },
  ];
  const score = scoreOf(nextFactors);
  const unassign = s.kind === 'breach' && c.assignee_id !== null;
  await db
    .updateTable('cases')
    .set({
      queue: 'manager',
      priority_score: score,
      priority: priorityForScore(score),
      priority_factors: JSON.stringify(nextFactors),
      ...(unassign ? { assignee_id: null } : {}),
      // biome-ignore lint/complexity/useMathMinMax: ISO strings, compared as text
      updated_at: s.at > c.updated_at ? s.at : c.updated_at,
    })
    .where('store_id', '=', storeId)
    .where('id', '=', caseId)
    .execute();
  await recordActivity(db, storeId, caseId, s.at, system, s.kind === 'breach' ? 'sla.breached' : 'sla.near_breach', {
    metric: s.metric,
    escalatedTo: 'manager',
    fromQueue: c.queue,
    ...(unassign ? { unassigned: c.assignee_id } : {}),
    priorityScore: score,
  });
  if (s.kind === 'breach') await notifyCase(db, storeId, caseId, 'sla.breached', { metric: s.metric, dueAt: s.at }, s.at);
  if (c.queue !== 'manager') {
    await notifyCase(
      db,
      storeId,
      caseId,
      'case.escalated',
      { reason: `${label(s.metric)} SLA ${s.kind === 'breach' ? 'breached' : 'near breach'}`, fromQueue: c.queue },
      s.at,
    );
  }
}

const label = (m: SlaMetric) => (m === 'first_response' ? 'first-response' : 'resolution');
const round = (n: number) => Math.round(n * 100) / 100;

/** For the case API: each clock with how much of its target is used at `now`. */
export async function caseSlaView(db: Kysely<DB>, storeId: string, caseId: string, now: string) {
  const clocks = await loadClocks(db, storeId, caseId);
  if (clocks.length === 0) return [];
  const cal = await calendarOf(db, storeId);
  return clocks.map((c) => ({
    metric: c.metric,
    status: c.status,
    targetMinutes: c.targetMinutes,
    startedAt: c.startedAt,
    dueAt: c.dueAt,
    warnAt: c.warnAt,
    pausedAt: c.pausedAt,
    metAt: c.metAt,
    breached: c.breached || (c.dueAt !== null && c.metAt === null && c.status === 'running' && now >= c.dueAt),
    percentUsed: round(percentUsed(c, now, cal) * 100),
  }));
}
