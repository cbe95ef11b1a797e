/**
 * What the console and the survey pages do with follow-ups: list a case's follow-ups with their answers, send a
 * check-in now, mark a personal note done, the survey summary, answering through a survey link, and the comment
 * added afterwards on the thank-you page.
 */
import type { Kysely } from 'kysely';
import { type Actor, recordActivity } from '../cases/case-timeline.ts';
import { clockAt } from '../channels/outbox.ts';
import { validateBatch } from '../events/ingest.ts';
import type { DB } from '../platform/db/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import type { AppContext } from '../platform/http/context.ts';
import { newId } from '../platform/ids.ts';
import { activePolicy } from '../policy/policy.service.ts';
import { createLink, type LinkState, peekLink, spendLink } from '../public/signed-links.ts';
import { roleAtLeast } from '../stores/roles.ts';
import type { Principal } from '../stores/stores.service.ts';
import { DAY_MS, type FollowupRow, followUpsFor, loadFollowup } from './followups.ts';
import { type SurveyMetric, scoreInScale, surveyMetrics, surveyScale } from './messages.ts';
import { isLowScore, surveyEventId } from './survey-answers.ts';

export interface SurveyAnswerView {
  id: string;
  followupId: string | null;
  metric: string;
  score: number;
  comment: string | null;
  answeredAt: string;
}

export interface FollowupView {
  id: string;
  kind: string;
  status: string;
  caseId: string | null;
  customerId: string;
  dueAt: string;
  assigneeId: string | null;
  messageId: string | null;
  detail: string | null;
  sentAt: string | null;
  createdAt: string;
  updatedAt: string;
  answers: SurveyAnswerView[];
}

function toView(r: FollowupRow, answers: SurveyAnswerView[]): FollowupView {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    caseId: r.case_id,
    customerId: r.customer_id,
    dueAt: r.due_at,
    assigneeId: r.assignee_id,
    messageId: r.message_id,
    detail: r.detail,
    sentAt: r.sent_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    answers: answers.filter((a) => a.followupId === r.id),
  };
}

async function caseAnswers(db: Kysely<DB>, storeId: string, caseId: string): Promise<SurveyAnswerView[]> {
  const rows = await db
    .selectFrom('survey_responses')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('case_id', '=', caseId)
    .orderBy('answered_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    followupId: r.followup_id,
    metric: r.metric,
    score: Number(r.score),
    comment: r.comment,
    answeredAt: r.answered_at,
  }));
}

export async function caseFollowups(
  db: Kysely<DB>,
  storeId: string,
  caseId: string,
): Promise<{ followups: FollowupView[]; answers: SurveyAnswerView[] }> {
  const c = await db.selectFrom('cases').select('id').where('store_id', '=', storeId).where('id', '=', caseId).executeTakeFirst();
  if (!c) throw notFound('case', caseId);
  const [rows, answers] = await Promise.all([
    db
      .selectFrom('followups')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    caseAnswers(db, storeId, caseId),
  ]);
  return { followups: rows.map((r) => toView(r, answers)), answers };
}

async function viewOf(db: Kysely<DB>, storeId: string, id: string): Promise<FollowupView> {
  const r = await loadFollowup(db, storeId, id);
  if (!r) throw notFound('follow-up', id);
  return toView(r, r.case_id ? await caseAnswers(db, storeId, r.case_id) : []);
}

/** An agent sends the check-in (or NPS) now instead of at its due time; its timer is taken back. */
export async function sendNow(ctx: AppContext, storeId: string, id: string, actor: Actor): Promise<FollowupView> {
  const f = followUpsFor(ctx.database.db);
  if (!f) throw new AppError(503, 'unavailable', 'follow-ups are not running in this process');
  const now = ctx.clock.now();
  await ctx.database.db.transaction().execute(async (trx) => {
    const row = await loadFollowup(trx, storeId, id);
    if (!row) throw notFound('follow-up', id);
    if (row.kind === 'personal_note') {
      throw new AppError(
        409,
        'not_a_message',
        'a personal note is a task for a person: mark it done when you have written to the customer',
      );
    }
    if (row.status !== 'scheduled')
      throw new AppError(409, 'conflict', `this follow-up is already ${row.status}`, 'status', { status: row.status });
    const why = await f.whyNot(trx, row);
    if (why) throw new AppError(409, 'not_sendable', `not sent: ${why.detail}`, 'status');
    const out = await f.deliver(trx, row, now, actor);
    if (out.status !== 'sent') throw new AppError(409, 'conflict', 'this follow-up was sent meanwhile', 'status');
    await f.cancelTimer(trx, storeId, id);
  });
  return viewOf(ctx.database.db, storeId, id);
}

/** A personal note was written: by its assignee, or a manager (or admin). */
export async function markDone(ctx: AppContext, p: Principal, id: string, actor: Actor): Promise<FollowupView> {
  const at = ctx.clock.now().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    const row = await loadFollowup(trx, p.storeId, id);
    if (!row) throw notFound('follow-up', id);
    if (row.kind !== 'personal_note') throw new AppError(409, 'not_a_task', `a ${row.kind} is sent, not marked done`, 'kind');
    if (row.assignee_id !== p.userId && !roleAtLeast(p.role, 'manager')) {
      throw new AppError(403, 'forbidden', 'only the person it is assigned to, or a manager, can mark this note done');
    }
    const res = await trx
      .updateTable('followups')
      .set({ status: 'done', detail: null, sent_at: at, updated_at: at })
      .where('store_id', '=', p.storeId)
      .where('id', '=', id)
      .where('status', '=', 'scheduled')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0)
      throw new AppError(409, 'conflict', `this note is already ${row.status}`, 'status', { status: row.status });
    if (row.case_id) await recordActivity(trx, p.storeId, row.case_id, at, actor, 'followup.done', { followupId: id, kind: row.kind });
  });
  return viewOf(ctx.database.db, p.storeId, id);
}

export interface SurveySummary {
  from: string | null;
  to: string | null;
  csat: { count: number; average: number | null; satisfiedShare: number | null };
  ces: { count: number; average: number | null };
  nps: { count: number; score: number | null; promoters: number; passives: number; detractors: number };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** CSAT average (and the share of 4–5), CES average, NPS (% promoters − % detractors) of answers in [from, to). */
export async function surveySummary(db: Kysely<DB>, storeId: string, from?: string, to?: string): Promise<SurveySummary> {
  let q = db
    .selectFrom('survey_responses')
    .select(['metric', 'score', (eb) => eb.fn.countAll<number>().as('n')])
    .where('store_id', '=', storeId);
  if (from) q = q.where('answered_at', '>=', from);
  if (to) q = q.where('answered_at', '<', to);
  const rows = await q.groupBy(['metric', 'score']).execute();
  const of = (metric: string) => rows.filter((r) => r.metric === metric).map((r) => ({ score: Number(r.score), n: Number(r.n) }));
  const stats = (metric: string) => {
    const xs = of(metric);
    const count = xs.reduce((s, x) => s + x.n, 0);
    const sum = xs.reduce((s, x) => s + x.score * x.n, 0);
    return { xs, count, average: count === 0 ? null : round2(sum / count) };
  };
  const csat = stats('csat');
  const ces = stats('ces');
  const nps = stats('nps');
  const satisfied = csat.xs.filter((x) => x.score >= 4).reduce((s, x) => s + x.n, 0);
  const promoters = nps.xs.filter((x) => x.score >= 9).reduce((s, x) => s + x.n, 0);
  const detractors = nps.xs.filter((x) => x.score <= 6).reduce((s, x) => s + x.n, 0);
  return {
    from: from ?? null,
    to: to ?? null,
    csat: { count: csat.count, average: csat.average, satisfiedShare: csat.count === 0 ? null : round2(satisfied / csat.count) },
    ces: { count: ces.count, average: ces.average },
    nps: {
      count: nps.count,
      score: nps.count === 0 ? null : Math.round(((promoters - detractors) / nps.count) * 100),
      promoters,
      passives: nps.count - promoters - detractors,
      detractors,
    },
  };
}

/** What a survey link points at, for its page (GET: reads only). */
export interface SurveyLinkInfo {
  state: LinkState;
  metric: SurveyMetric | null;
  followup: FollowupRow | null;
  caseNumber: number | null;
  locale: string | null;
  /** An answer for this link is already recorded (e.g. the link was not marked used after a crash). */
  answered: boolean;
}

export async function readSurveyLink(db: Kysely<DB>, storeId: string, token: string, now: Date): Promise<SurveyLinkInfo> {
  const state = await peekLink(db, storeId, 'survey', token, now);
  const none = { state, metric: null, followup: null, caseNumber: null, locale: null, answered: false };
  if (!state.link) return none;
  const metric = String(state.link.data.metric ?? '') as SurveyMetric;
  const followupId = String(state.link.data.followupId ?? '');
  if (!(surveyMetrics as readonly string[]).includes(metric)) return { ...none, state: { ok: false, reason: 'not_found' } };
  const followup = (await loadFollowup(db, storeId, followupId)) ?? null;
  if (!followup?.case_id) return { ...none, state: { ok: false, reason: 'not_found' } };
  const c = await db
    .selectFrom('cases')
    .leftJoin('customers', (j) => j.onRef('customers.store_id', '=', 'cases.store_id').onRef('customers.id', '=', 'cases.customer_id'))
    .select(['cases.number', 'customers.locale'])
    .where('cases.store_id', '=', storeId)
    .where('cases.id', '=', followup.case_id)
    .executeTakeFirst();
  const answered = await db
    .selectFrom('survey_responses')
    .select('id')
    .where('store_id', '=', storeId)
    .where('event_id', '=', surveyEventId(followup.id, metric))
    .executeTakeFirst();
  return { state, metric, followup, caseNumber: c ? Number(c.number) : null, locale: c?.locale ?? null, answered: answered !== undefined };
}

export type AnswerOutcome =
  | {
      status: 'recorded';
      metric: SurveyMetric;
      score: number;
      low: boolean;
      reviewUrl: string | null;
      /** The single-use `survey-comment` token for the thank-you page's comment form (null: a comment came with the answer). */
      commentToken: string | null;
    }
  | { status: 'already_answered' | 'not_found' | 'expired' };

/**
 * The customer's answer (POST): ingested as `survey.answered` with the link's event id — the first answer of a
 * link wins, a second (double click, two tabs at once) is a duplicate of the same event and records nothing —
 * then the link is spent.
 */
export async function answerSurvey(
  ctx: AppContext,
  storeId: string,
  token: string,
  input: { score: number; comment: string | null },
): Promise<AnswerOutcome> {
  const now = ctx.clock.now();
  const info = await readSurveyLink(ctx.database.db, storeId, token, now);
  if (!info.state.ok) return { status: info.state.reason === 'used' ? 'already_answered' : info.state.reason };
  if (info.answered) return { status: 'already_answered' };
  const metric = info.metric!;
  const f = info.followup!;
  if (!scoreInScale(metric, input.score)) throw new AppError(400, 'invalid_request', 'score out of range', 'score');
  const event = {
    id: surveyEventId(f.id, metric),
    type: 'survey.answered',
    occurredAt: now.toISOString(),
    data: { caseId: f.case_id, kind: metric, score: input.score, ...(input.comment ? { comment: input.comment } : {}) },
  };
  const v = validateBatch([event], storeId);
  if (!v.ok) {
    const e = v.errors[0]!;
    throw new AppError(400, 'invalid_request', e.message, e.path.replace(/^data\./u, ''));
  }
  const [result] = await ctx.ingestor.ingest(storeId, v.events, 'survey');
  await spendLink(ctx.database.db, storeId, 'survey', token, now);
  if (result?.status !== 'accepted') return { status: 'already_answered' };
  const s = (await activePolicy(ctx.database.db, storeId)).policy.followUp;
  const invite = metric === 'csat' && input.score >= s.reviewInvite.minCsat ? s.reviewInvite.reviewUrl : null;
  // The answer is in; the thank-you page may still take a comment, through its own single-use link.
  const commentToken = input.comment
    ? null
    : (
        await createLink(
          ctx.database.db,
          {
            storeId,
            purpose: 'survey-comment',
            subjectType: 'followup',
            subjectId: f.id,
            customerId: f.customer_id,
            data: { followupId: f.id, metric, eventId: event.id },
            ttlMs: SURVEY_COMMENT_LINK_TTL_MS,
          },
          now,
        )
      ).token;
  return { status: 'recorded', metric, score: input.score, low: isLowScore(s, metric, input.score), reviewUrl: invite, commentToken };
}

/** How long the thank-you page's "add a comment" form works. */
export const SURVEY_COMMENT_LINK_TTL_MS = 7 * DAY_MS;

/** What a `survey-comment` link points at: the recorded answer it may add a comment to. */
export interface CommentLinkInfo {
  state: LinkState;
  answer: { id: string; caseId: string; followupId: string | null; metric: SurveyMetric; score: number; comment: string | null } | null;
  locale: string | null;
}

export async function readCommentLink(db: Kysely<DB>, storeId: string, token: string, now: Date): Promise<CommentLinkInfo> {
  const state = await peekLink(db, storeId, 'survey-comment', token, now);
  const none = { state, answer: null, locale: null };
  if (!state.link) return none;
  const eventId = String(state.link.data.eventId ?? '');
  const r = await db
    .selectFrom('survey_responses')
    .leftJoin('customers', (j) =>
      j.onRef('customers.store_id', '=', 'survey_responses.store_id').onRef('customers.id', '=', 'survey_responses.customer_id'),
    )
    .select([
      'survey_responses.id',
      'survey_responses.case_id',
      'survey_responses.followup_id',
      'survey_responses.metric',
      'survey_responses.score',
      'survey_responses.comment',
      'customers.locale',
    ])
    .where('survey_responses.store_id', '=', storeId)
    .where('survey_responses.event_id', '=', eventId)
    .executeTakeFirst();
  if (!r?.case_id || !(surveyMetrics as readonly string[]).includes(r.metric))
    return { ...none, state: { ok: false, reason: 'not_found' } };
  return {
    state,
    answer: {
      id: r.id,
      caseId: r.case_id,
      followupId: r.followup_id,
      metric: r.metric as SurveyMetric,
      score: Number(r.score),
      comment: r.comment,
    },
    locale: r.locale,
  };
}

export type CommentOutcome = { status: 'recorded'; low: boolean } | { status: 'used' | 'not_found' | 'expired' };

/**
 * The comment the customer adds on the thank-you page (POST, the `survey-comment` token from the form's hidden
 * field). The score arrived as `survey.answered`; the envelope has no event for a later comment, and a second
 * `survey.answered` for the same link would be a duplicate (or a second answer). So, in one transaction with
 * spending the link: the comment goes on the recorded answer (`survey_responses.comment`, only when it has none),
 * on the case's timeline (`survey.commented`), and — for a low score, which reopened the case — on the case as a
 * note, where the agent now handling it reads it.
 */
export async function commentOnSurvey(ctx: AppContext, storeId: string, token: string, comment: string): Promise<CommentOutcome> {
  const now = ctx.clock.now();
  const at = now.toISOString();
  return ctx.database.db.transaction().execute(async (trx): Promise<CommentOutcome> => {
    const info = await readCommentLink(trx, storeId, token, now);
    if (!info.state.ok) return { status: info.state.reason };
    const a = info.answer!;
    if (a.comment !== null) return { status: 'used' };
    const spent = await spendLink(trx, storeId, 'survey-comment', token, now);
    if (!spent.ok) return { status: spent.reason };
    const set = await trx
      .updateTable('survey_responses')
      .set({ comment })
      .where('store_id', '=', storeId)
      .where('id', '=', a.id)
      .where('comment', 'is', null)
      .executeTakeFirst();
    if (Number(set.numUpdatedRows) !== 1) return { status: 'used' };
    const customer = await trx
      .selectFrom('cases')
      .select('customer_id')
      .where('store_id', '=', storeId)
      .where('id', '=', a.caseId)
      .executeTakeFirst();
    if (!customer) return { status: 'recorded', low: false };
    const actor: Actor = { type: 'customer', id: customer.customer_id };
    await recordActivity(trx, storeId, a.caseId, at, actor, 'survey.commented', {
      metric: a.metric,
      score: a.score,
      comment,
      ...(a.followupId ? { followupId: a.followupId } : {}),
    });
    const s = (await activePolicy(trx, storeId)).policy.followUp;
    const low = isLowScore(s, a.metric, a.score);
    if (low) {
      const max = surveyScale[a.metric].max;
      const messageId = newId('msg', clockAt(at));
      await trx
        .insertInto('case_messages')
        .values({
          store_id: storeId,
          id: messageId,
          case_id: a.caseId,
          kind: 'note',
          author_type: 'system',
          author_id: null,
          body: `The customer added a comment to their ${a.metric.toUpperCase()} answer (${a.score} of ${max}):\n\n${comment}`,
          created_at: at,
        })
        .execute();
      await recordActivity(trx, storeId, a.caseId, at, { type: 'system', id: null }, 'note.added', { messageId });
    }
    await trx.updateTable('cases').set({ updated_at: at }).where('store_id', '=', storeId).where('id', '=', a.caseId).execute();
    return { status: 'recorded', low };
  });
}
