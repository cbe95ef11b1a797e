/**
 * Follow-ups after a resolution (issue 8; DESIGN.md §1 "follow up").
 *
 * - When a case resolves, in the same transaction (a case status listener, src/cases/sla.service.ts): a
 *   `checkin` row due `checkInDays` later and a timer job for it; for the policy's `personalNoteTiers` a
 *   `personal_note` task for the customer's relationship manager (else the case's assignee), due then too; and
 *   an `nps` row + timer `nps.afterDays` later, unless the customer already has one within `nps.minDaysBetween`.
 *   Each row is unique per store and `dedup_key` (`checkin:<case>:<resolved at>` …): scheduling twice changes nothing.
 * - A case reopened before its follow-ups are due cancels them (and their timers), with why.
 * - The timer decides again from the database when it fires (the case may have been reopened, resolved again,
 *   the customer asked already): it sends, or it marks the row `cancelled`/`skipped` with `detail` saying why.
 * - Sending: one signed link per metric (purpose `survey`, data {followupId, metric}, 30 days), and a case
 *   message written by the system (template `<lang>/survey-…`, so the e-mail carries List-Unsubscribe) with
 *   one link per score, by e-mail whenever the customer has an address (even for chat and portal cases). The row is claimed (`scheduled` → `sent`) by one conditional update, so a timer and
 *   an agent's "send now" cannot both send.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type Actor, recordActivity } from '../cases/case-timeline.ts';
import { type CaseStatusChange, caseStatusListeners } from '../cases/sla.service.ts';
import { clockAt, type OutboxChannel, queueCaseMessage, replyChannelFor } from '../channels/outbox.ts';
import type { Clock } from '../platform/clock.ts';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db/database.ts';
import type { DB, FollowupsTable } from '../platform/db/schema.ts';
import { newId } from '../platform/ids.ts';
import { defineJob, type JobDefinition, type JobQueue } from '../platform/jobs/jobs.ts';
import type { FollowUpSettings } from '../policy/policy.schema.ts';
import { activePolicy } from '../policy/policy.service.ts';
import { publicBaseUrl } from '../public/base-url.ts';
import { createLink } from '../public/signed-links.ts';
import { checkInMessage, languageOf, npsMessage, type SurveyMetric } from './messages.ts';

export const DAY_MS = 86_400_000;
/** How long a survey link answers. */
export const SURVEY_LINK_TTL_MS = 30 * DAY_MS;
/**
 * A survey that could not go out within this long after it was due is not sent at all: imported history, or a
 * server that was down for weeks, must not ask customers about cases they have long forgotten.
 */
export const STALE_AFTER_MS = 7 * DAY_MS;

export const followupKinds = ['checkin', 'personal_note', 'nps'] as const;
export type FollowupKind = (typeof followupKinds)[number];
export const followupStatuses = ['scheduled', 'sent', 'done', 'cancelled', 'skipped'] as const;

export type FollowupRow = FollowupsTable;

const jobData = z.object({ storeId: z.string().min(1), followupId: z.string().min(1) });
type JobData = z.infer<typeof jobData>;

export const followupSingletonKey = (storeId: string, followupId: string) => `followup:${storeId}:${followupId}`;

/**
 * The channel a follow-up leaves by: e-mail whenever the customer has an address — a check-in arrives days after
 * the chat or portal visit is over, and nobody opens the in-app thread again to look for it — and the case's
 * in-app channel only for a customer without one.
 */
export function surveyChannel(caseChannel: string | null, customerEmail: string | null | undefined): OutboxChannel {
  return customerEmail?.trim() ? 'email' : replyChannelFor(caseChannel);
}

const addDays = (iso: string, days: number) => new Date(new Date(iso).getTime() + days * DAY_MS).toISOString();

// One FollowUps per database (tests and `serve` may hold several apps in one process). A transaction shares its
// database's Kysely adapter object, which is how a status change inside any transaction finds its scheduler.
const instances = new WeakMap<object, FollowUps>();

export function followUpsFor(db: Kysely<DB>): FollowUps | undefined {
  return instances.get(db.getExecutor().adapter);
}

async function onCaseStatus(db: Kysely<DB>, change: CaseStatusChange): Promise<void> {
  const f = followUpsFor(db);
  if (!f) return;
  if (change.to === 'resolved') await f.scheduleOnResolve(db, change.storeId, change.caseId, change.at);
  else if (change.to === 'reopened') await f.cancelForCase(db, change.storeId, change.caseId, change.at);
}

export type DeliverOutcome =
  | { status: 'sent'; messageId: string }
  | { status: 'cancelled' | 'skipped'; detail: string }
  | { status: 'noop' };

export class FollowUps {
  readonly job: JobDefinition<JobData>;

  constructor(
    private readonly database: Database,
    private readonly jobs: JobQueue,
    private readonly config: Config,
    private readonly clock: Clock,
  ) {
    this.job = defineJob({
      name: 'followups.due',
      schema: jobData,
      handler: async (d, run) => {
        await this.database.db.transaction().execute((trx) => this.runDue(trx, d.storeId, d.followupId, run.now));
      },
    });
  }

  /** Makes this process run follow-up timers, and schedule follow-ups when cases of this database resolve. */
  register(): void {
    this.jobs.register(this.job);
    instances.set(this.database.db.getExecutor().adapter, this);
    caseStatusListeners.add(onCaseStatus);
  }

  /** In the resolving transaction: the check-in, a VIP's personal note, NPS (each once per resolution). */
  async scheduleOnResolve(db: Kysely<DB>, storeId: string, caseId: string, at: string): Promise<void> {
    const settings = (await activePolicy(db, storeId)).policy.followUp;
    // History being imported: a resolution whose check-in would already be stale gets no follow-ups at all.
    const stale = (due: string) => new Date(due).getTime() + STALE_AFTER_MS < this.clock.now().getTime();
    if (stale(addDays(at, settings.checkInDays)) && (!settings.nps.enabled || stale(addDays(at, settings.nps.afterDays)))) return;
    const c = await db
      .selectFrom('cases')
      .select(['customer_id', 'customer_tier', 'assignee_id', 'resolved_at'])
      .where('store_id', '=', storeId)
      .where('id', '=', caseId)
      .executeTakeFirst();
    if (!c?.customer_id) return;
    // A case nobody told the customer about (Amends found it and it went away by itself) gets no survey.
    const spoke = await db
      .selectFrom('case_messages')
      .select('id')
      .where('store_id', '=', storeId)
      .where('case_id', '=', caseId)
      .where('kind', 'in', ['inbound', 'reply'])
      .limit(1)
      .executeTakeFirst();
    if (!spoke) return;
    const resolvedAt = c.resolved_at ?? at;
    const checkInAt = addDays(at, settings.checkInDays);
    const scheduled: Record<string, unknown> = {};
    const checkin = await this.insert(db, {
      storeId,
      kind: 'checkin',
      caseId,
      customerId: c.customer_id,
      dedupKey: `checkin:${caseId}:${resolvedAt}`,
      dueAt: checkInAt,
      assigneeId: null,
      at,
    });
    if (checkin) {
      await this.jobs.send(
        this.job,
        { storeId, followupId: checkin },
        { runAt: new Date(checkInAt), singletonKey: followupSingletonKey(storeId, checkin), tx: db },
      );
      scheduled.checkInAt = checkInAt;
    }
    if (c.customer_tier && (settings.personalNoteTiers as readonly string[]).includes(c.customer_tier)) {
      const assigneeId = (await this.relationshipManager(db, storeId, c.customer_id)) ?? c.assignee_id;
      const note = await this.insert(db, {
        storeId,
        kind: 'personal_note',
        caseId,
        customerId: c.customer_id,
        dedupKey: `personal_note:${caseId}:${resolvedAt}`,
        dueAt: checkInAt,
        assigneeId,
        at,
      });
      if (note) scheduled.personalNote = { assigneeId };
    }
    const npsAt = await this.npsDue(db, storeId, c.customer_id, at, settings);
    if (npsAt) {
      const nps = await this.insert(db, {
        storeId,
        kind: 'nps',
        caseId,
        customerId: c.customer_id,
        dedupKey: `nps:${c.customer_id}:${caseId}:${resolvedAt}`,
        dueAt: npsAt,
        assigneeId: null,
        at,
      });
      if (nps) {
        await this.jobs.send(
          this.job,
          { storeId, followupId: nps },
          { runAt: new Date(npsAt), singletonKey: followupSingletonKey(storeId, nps), tx: db },
        );
        scheduled.npsAt = npsAt;
      }
    }
    if (Object.keys(scheduled).length > 0) {
      await recordActivity(db, storeId, caseId, at, { type: 'system', id: null }, 'followup.scheduled', scheduled);
    }
  }

  /** When NPS should be asked after a resolution at `at`, or null (off, or asked within minDaysBetween). */
  private async npsDue(db: Kysely<DB>, storeId: string, customerId: string, at: string, s: FollowUpSettings): Promise<string | null> {
    if (!s.nps.enabled) return null;
    const due = addDays(at, s.nps.afterDays);
    const recent = await this.recentNps(db, storeId, customerId, addDays(due, -s.nps.minDaysBetween), null);
    return recent ? null : due;
  }

  /** Another NPS of this customer, scheduled or sent, due after `since` (other than `except`). */
  private async recentNps(db: Kysely<DB>, storeId: string, customerId: string, since: string, except: string | null) {
    let q = db
      .selectFrom('followups')
      .select(['id', 'status', 'due_at', 'sent_at'])
      .where('store_id', '=', storeId)
      .where('customer_id', '=', customerId)
      .where('kind', '=', 'nps')
      .where('status', 'in', ['scheduled', 'sent'])
      .where((eb) => eb.or([eb('sent_at', '>', since), eb.and([eb('sent_at', 'is', null), eb('due_at', '>', since)])]));
    if (except) q = q.where('id', '!=', except);
    return q.limit(1).executeTakeFirst();
  }

  private async relationshipManager(db: Kysely<DB>, storeId: string, customerId: string): Promise<string | null> {
    const r = await db
      .selectFrom('customers')
      .innerJoin('users', (j) =>
        j.onRef('users.store_id', '=', 'customers.store_id').onRef('users.id', '=', 'customers.relationship_manager_id'),
      )
      .select('users.id')
      .where('customers.store_id', '=', storeId)
      .where('customers.id', '=', customerId)
      .where('users.disabled_at', 'is', null)
      .executeTakeFirst();
    return r?.id ?? null;
  }

  private async insert(
    db: Kysely<DB>,
    f: {
      storeId: string;
      kind: FollowupKind;
      caseId: string;
      customerId: string;
      dedupKey: string;
      dueAt: string;
      assigneeId: string | null;
      at: string;
    },
  ): Promise<string | null> {
    const id = newId('fu', clockAt(f.at));
    const rows = await db
      .insertInto('followups')
      .values({
        store_id: f.storeId,
        id,
        kind: f.kind,
        case_id: f.caseId,
        customer_id: f.customerId,
        dedup_key: f.dedupKey,
        status: 'scheduled',
        due_at: f.dueAt,
        assignee_id: f.assigneeId,
        message_id: null,
        detail: null,
        sent_at: null,
        created_at: f.at,
        updated_at: f.at,
      })
      .onConflict((oc) => oc.columns(['store_id', 'dedup_key']).doNothing())
      .returning('id')
      .execute();
    return rows[0]?.id ?? null;
  }

  /** The case reopened: what was still waiting for its resolution is no longer wanted. */
  async cancelForCase(db: Kysely<DB>, storeId: string, caseId: string, at: string): Promise<void> {
    const waiting = await db
      .selectFrom('followups')
      .select(['id', 'kind'])
      .where('store_id', '=', storeId)
      .where('case_id', '=', caseId)
      .where('status', '=', 'scheduled')
      .execute();
    for (const f of waiting) {
      const res = await db
        .updateTable('followups')
        .set({ status: 'cancelled', detail: 'the case was reopened before this follow-up was due', updated_at: at })
        .where('store_id', '=', storeId)
        .where('id', '=', f.id)
        .where('status', '=', 'scheduled')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) continue;
      if (f.kind !== 'personal_note') await this.jobs.cancel(this.job, followupSingletonKey(storeId, f.id), { tx: db });
      await recordActivity(db, storeId, caseId, at, { type: 'system', id: null }, 'followup.cancelled', {
        followupId: f.id,
        kind: f.kind,
        reason: 'the case was reopened',
      });
    }
  }

  /** The timer: decide again from the database, then send, or record why not. */
  async runDue(db: Kysely<DB>, storeId: string, followupId: string, now: Date): Promise<DeliverOutcome> {
    const f = await loadFollowup(db, storeId, followupId);
    if (f?.status !== 'scheduled') return { status: 'noop' };
    const late = now.getTime() - new Date(f.due_at).getTime() > STALE_AFTER_MS;
    const why = late
      ? { status: 'skipped' as const, detail: `it was due on ${f.due_at.slice(0, 10)}: too long ago to ask the customer now` }
      : await this.whyNot(db, f);
    const at = now.toISOString();
    if (why) {
      await db
        .updateTable('followups')
        .set({ status: why.status, detail: why.detail, updated_at: at })
        .where('store_id', '=', storeId)
        .where('id', '=', f.id)
        .where('status', '=', 'scheduled')
        .execute();
      return why;
    }
    return this.deliver(db, f, now, { type: 'system', id: null });
  }

  /** Why a scheduled check-in or NPS should not go out now, or null when it should. */
  async whyNot(db: Kysely<DB>, f: FollowupRow): Promise<{ status: 'cancelled' | 'skipped'; detail: string } | null> {
    if (f.kind === 'personal_note') return { status: 'skipped', detail: 'a personal note is a task for a person, not a message' };
    const c = f.case_id
      ? await db
          .selectFrom('cases')
          .select(['status', 'resolved_at'])
          .where('store_id', '=', f.store_id)
          .where('id', '=', f.case_id)
          .executeTakeFirst()
      : undefined;
    if (!c) return { status: 'skipped', detail: 'the case no longer exists' };
    if (c.status !== 'resolved' && c.status !== 'closed') {
      return { status: 'cancelled', detail: `the case is ${c.status.replaceAll('_', ' ')} again: no survey while it is being worked` };
    }
    if (f.kind === 'checkin') {
      const resolvedAt = f.dedup_key.slice(`checkin:${f.case_id}:`.length);
      if (c.resolved_at !== null && c.resolved_at !== resolvedAt) {
        return { status: 'skipped', detail: 'the case was resolved again later; that resolution has its own check-in' };
      }
    }
    if (f.kind === 'nps') {
      const s = (await activePolicy(db, f.store_id)).policy.followUp;
      if (!s.nps.enabled) return { status: 'skipped', detail: 'NPS is turned off in the policy' };
      const since = addDays(f.due_at, -s.nps.minDaysBetween);
      if (await this.recentNps(db, f.store_id, f.customer_id, since, f.id)) {
        return { status: 'skipped', detail: `the customer was asked for NPS within ${s.nps.minDaysBetween} days` };
      }
      const low = await db
        .selectFrom('survey_responses')
        .select(['metric', 'score'])
        .where('store_id', '=', f.store_id)
        .where('case_id', '=', f.case_id)
        .execute();
      const bad = low.find((r) => {
        const t = r.metric === 'csat' ? s.lowScore.csat : r.metric === 'ces' ? s.lowScore.ces : null;
        return t !== null && Number(r.score) <= t;
      });
      if (bad) return { status: 'skipped', detail: `the customer was not happy with the recovery (${bad.metric} ${bad.score})` };
    }
    return null;
  }

  /** Claims the row and sends its message, in the caller's transaction. */
  async deliver(db: Kysely<DB>, f: FollowupRow, now: Date, actor: Actor): Promise<DeliverOutcome> {
    const at = now.toISOString();
    const c = await db
      .selectFrom('cases')
      .leftJoin('customers', (j) => j.onRef('customers.store_id', '=', 'cases.store_id').onRef('customers.id', '=', 'cases.customer_id'))
      .innerJoin('stores', 'stores.id', 'cases.store_id')
      .select([
        'cases.number',
        'cases.subject',
        'cases.channel',
        'customers.name',
        'customers.email',
        'customers.locale',
        'stores.name as storeName',
      ])
      .where('cases.store_id', '=', f.store_id)
      .where('cases.id', '=', f.case_id!)
      .executeTakeFirstOrThrow();
    const messageId = newId('msg', clockAt(at));
    const claimed = await db
      .updateTable('followups')
      .set({ status: 'sent', sent_at: at, message_id: messageId, detail: null, updated_at: at })
      .where('store_id', '=', f.store_id)
      .where('id', '=', f.id)
      .where('status', '=', 'scheduled')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return { status: 'noop' };
    const base = publicBaseUrl(this.config);
    const link = async (metric: SurveyMetric) => {
      const { token } = await createLink(
        db,
        {
          storeId: f.store_id,
          purpose: 'survey',
          subjectType: 'followup',
          subjectId: f.id,
          customerId: f.customer_id,
          data: { followupId: f.id, metric },
          ttlMs: SURVEY_LINK_TTL_MS,
        },
        now,
      );
      return `${base}/s/${encodeURIComponent(f.store_id)}/${token}`;
    };
    const lang = languageOf(c.locale);
    const msg =
      f.kind === 'nps'
        ? npsMessage({ lang, customerName: c.name, storeName: c.storeName, npsUrl: await link('nps') })
        : checkInMessage({
            lang,
            customerName: c.name,
            storeName: c.storeName,
            caseNumber: Number(c.number),
            caseSubject: c.subject,
            csatUrl: await link('csat'),
            cesUrl: await link('ces'),
          });
    await queueCaseMessage(db, clockAt(at), {
      id: messageId,
      storeId: f.store_id,
      caseId: f.case_id!,
      body: msg.body,
      subject: msg.subject,
      template: msg.template,
      locale: lang,
      channel: surveyChannel(c.channel, c.email),
      authorType: 'system',
      authorId: null,
      at,
    });
    await recordActivity(db, f.store_id, f.case_id!, at, actor, 'followup.sent', { followupId: f.id, kind: f.kind, messageId });
    return { status: 'sent', messageId };
  }

  /** Sets the timer of a scheduled follow-up (again) at `at`. */
  async reschedule(db: Kysely<DB>, storeId: string, followupId: string, at: Date): Promise<void> {
    await this.jobs.send(this.job, { storeId, followupId }, { runAt: at, singletonKey: followupSingletonKey(storeId, followupId), tx: db });
  }

  /** Takes back the timer of a follow-up sent or decided by other means. */
  cancelTimer(db: Kysely<DB>, storeId: string, followupId: string): Promise<number> {
    return this.jobs.cancel(this.job, followupSingletonKey(storeId, followupId), { tx: db });
  }
}

export async function loadFollowup(db: Kysely<DB>, storeId: string, id: string): Promise<FollowupRow | undefined> {
  return db.selectFrom('followups').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
}
