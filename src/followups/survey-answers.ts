/**
 * `survey.answered` → `survey_responses`, and what an answer does, in the ingest transaction (called from
 * src/events/projections.ts once per new event):
 * - every answer goes on the case's timeline;
 * - an answer at or below the policy's `followUp.lowScore` reopens a resolved or closed case (timeline entry
 *   saying why; the SLA restarts as for any reopening) and raises `survey.low_score` (webhooks, Slack).
 * An answer through a survey link has the event id `survey-<followup id>-<metric>` (one per link), which is how
 * the response is tied to its follow-up; answers posted through the API have no follow-up.
 */
import type { Kysely } from 'kysely';
import { recordActivity } from '../cases/case-timeline.ts';
import { type CaseStatus, transition } from '../cases/lifecycle.ts';
import { onCaseStatusChanged } from '../cases/sla.service.ts';
import { notifyCase } from '../channels/notify.ts';
import { clockAt } from '../channels/outbox.ts';
import type { AmendsEvent } from '../events/envelope.ts';
import type { DB } from '../platform/db/schema.ts';
import { newId } from '../platform/ids.ts';
import type { FollowUpSettings } from '../policy/policy.schema.ts';
import { activePolicy } from '../policy/policy.service.ts';
import { type SurveyMetric, surveyScale } from './messages.ts';

/** The event id of the answer given through a follow-up's link for `metric`: one answer per link. */
export function surveyEventId(followupId: string, metric: SurveyMetric): string {
  return `survey-${followupId}-${metric}`;
}

const linkEventId = /^survey-(fu_[0-9a-f]{32})-(csat|ces|nps)$/u;

export function isLowScore(s: FollowUpSettings, metric: SurveyMetric, score: number): boolean {
  const t = s.lowScore[metric];
  return t !== null && score <= t;
}

export async function projectSurveyAnswer(db: Kysely<DB>, storeId: string, e: AmendsEvent & { type: 'survey.answered' }): Promise<void> {
  const d = e.data;
  const at = e.occurredAt;
  const c = await db
    .selectFrom('cases')
    .select(['status', 'customer_id'])
    .where('store_id', '=', storeId)
    .where('id', '=', d.caseId)
    .executeTakeFirst();
  let followupId: string | null = null;
  const m = linkEventId.exec(e.id);
  if (m && m[2] === d.kind && c) {
    const f = await db
      .selectFrom('followups')
      .select('id')
      .where('store_id', '=', storeId)
      .where('id', '=', m[1]!)
      .where('case_id', '=', d.caseId)
      .executeTakeFirst();
    followupId = f?.id ?? null;
  }
  const inserted = await db
    .insertInto('survey_responses')
    .values({
      store_id: storeId,
      id: newId('svr', clockAt(at)),
      event_id: e.id,
      followup_id: followupId,
      case_id: d.caseId,
      customer_id: c?.customer_id ?? null,
      metric: d.kind,
      score: d.score,
      comment: d.comment ?? null,
      answered_at: at,
    })
    .onConflict((oc) => oc.columns(['store_id', 'event_id']).doNothing())
    .executeTakeFirst();
  if (!c || Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
  const customer = { type: 'customer' as const, id: c.customer_id };
  await recordActivity(db, storeId, d.caseId, at, customer, 'survey.answered', {
    metric: d.kind,
    score: d.score,
    ...(d.comment ? { comment: d.comment } : {}),
    ...(followupId ? { followupId } : {}),
  });
  const settings = (await activePolicy(db, storeId)).policy.followUp;
  if (!isLowScore(settings, d.kind, d.score)) return;
  const from = c.status as CaseStatus;
  let reopened = false;
  if (from === 'resolved' || from === 'closed') {
    const t = transition(from, 'reopened', at);
    if (t.ok) {
      const moved = await db
        .updateTable('cases')
        .set({ status: 'reopened', resolved_at: null, closed_at: null, updated_at: at })
        .where('store_id', '=', storeId)
        .where('id', '=', d.caseId)
        .where('status', '=', from)
        .executeTakeFirst();
      reopened = Number(moved.numUpdatedRows) === 1;
    }
    if (reopened) {
      const max = surveyScale[d.kind].max;
      await recordActivity(db, storeId, d.caseId, at, { type: 'system', id: null }, 'status.changed', {
        from,
        to: 'reopened',
        reason: `the customer answered ${d.score} of ${max} to the ${d.kind.toUpperCase()} question of the follow-up`,
      });
      await onCaseStatusChanged(db, storeId, d.caseId, from, 'reopened', at);
    }
  }
  await notifyCase(
    db,
    storeId,
    d.caseId,
    'survey.low_score',
    { metric: d.kind, score: d.score, comment: d.comment ?? null, reopened, followupId },
    at,
  );
}
