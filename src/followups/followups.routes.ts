import fs from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../cases/case-timeline.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { activePolicy } from '../policy/policy.service.ts';
import { compilePage, type PageLanguage, pageLanguage, sendPublicPage } from '../public/layout.ts';
import { isTokenShaped } from '../public/signed-links.ts';
import { getStore, storeIdSchema } from '../stores/stores.service.ts';
import {
  answerSurvey,
  caseFollowups,
  commentOnSurvey,
  markDone,
  readCommentLink,
  readSurveyLink,
  sendNow,
  surveySummary,
} from './followups.service.ts';
import { followupKinds, followupStatuses } from './followups.ts';
import { pageTexts, type SurveyMetric, surveyScale } from './messages.ts';
import { isLowScore } from './survey-answers.ts';

const answer = z.object({
  id: z.string(),
  followupId: z.string().nullable(),
  metric: z.enum(['csat', 'ces', 'nps']).or(z.string()),
  score: z.number().int(),
  comment: z.string().nullable(),
  answeredAt: z.string(),
});

const followup = z.object({
  id: z.string(),
  kind: z.enum(followupKinds).or(z.string()),
  status: z.enum(followupStatuses).or(z.string()).describe('scheduled → sent (check-in, NPS) | done (personal note) | cancelled | skipped'),
  caseId: z.string().nullable(),
  customerId: z.string(),
  dueAt: z.string(),
  assigneeId: z.string().nullable().describe('personal notes: who writes to the customer'),
  messageId: z.string().nullable().describe('the case message that carried the survey links'),
  detail: z.string().nullable().describe('why it was cancelled or skipped'),
  sentAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  answers: z.array(answer),
});

const idParams = z.object({ id: z.string().min(1) });

/** Console and developer API of this capability (under /api/v1, the usual auth). */
export function followupsRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get(
    '/api/v1/cases/:id/followups',
    {
      schema: {
        tags: ['follow-ups'],
        summary: "A case's follow-ups (check-in, personal note, NPS) and the customer's survey answers",
        params: idParams,
        response: { 200: z.object({ followups: z.array(followup), answers: z.array(answer) }), 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return caseFollowups(db, p.storeId, req.params.id);
    },
  );

  app.post(
    '/api/v1/followups/:id/send-now',
    {
      schema: {
        tags: ['follow-ups'],
        summary: 'Send a scheduled check-in (or NPS question) now instead of at its due time',
        description: 'Checks again that it should go out (the case is still resolved, …); 409 with the reason when not.',
        params: idParams,
        response: { 200: followup, 404: errorBody, 409: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return sendNow(ctx, p.storeId, req.params.id, actorOf(p));
    },
  );

  app.post(
    '/api/v1/followups/:id/done',
    {
      schema: {
        tags: ['follow-ups'],
        summary: 'Mark a personal note done (its assignee, or a manager)',
        params: idParams,
        response: { 200: followup, 403: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return markDone(ctx, p, req.params.id, actorOf(p));
    },
  );

  app.get(
    '/api/v1/surveys/summary',
    {
      schema: {
        tags: ['follow-ups'],
        summary: 'Survey results: CSAT average and share of 4–5, CES average, NPS (% promoters − % detractors)',
        querystring: z
          .object({
            from: z.iso.datetime({ offset: true }).optional().describe('answers at or after this instant'),
            to: z.iso.datetime({ offset: true }).optional().describe('answers before this instant'),
          })
          .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), { message: 'from must be before to', path: ['to'] }),
        response: {
          200: z.object({
            from: z.string().nullable(),
            to: z.string().nullable(),
            csat: z.object({ count: z.number().int(), average: z.number().nullable(), satisfiedShare: z.number().nullable() }),
            ces: z.object({ count: z.number().int(), average: z.number().nullable() }),
            nps: z.object({
              count: z.number().int(),
              score: z.number().int().nullable(),
              promoters: z.number().int(),
              passives: z.number().int(),
              detractors: z.number().int(),
            }),
          }),
          400: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      const iso = (s: string | undefined) => (s ? new Date(s).toISOString() : undefined);
      return surveySummary(db, p.storeId, iso(req.query.from), iso(req.query.to));
    },
  );
}

const surveyView = compilePage(fs.readFileSync(new URL('./views/survey.hbs', import.meta.url), 'utf8'));
const messageView = compilePage(fs.readFileSync(new URL('./views/message.hbs', import.meta.url), 'utf8'));

/** Longest comment a survey page takes. */
export const SURVEY_COMMENT_MAX = 2000;

interface CommentForm {
  action: string;
  token: string;
  label: string;
  max: number;
  comment: string;
  submit: string;
  error?: string;
}

interface SurveyParams {
  store: string;
  token: string;
}

function parseScore(raw: unknown): number | null {
  if (typeof raw !== 'string' || !/^\d{1,2}$/u.test(raw)) return null;
  return Number(raw);
}

/** Customer pages of this capability, in the public pages' context (forms and uploads parsed there only). */
export function surveyPages(pub: App, ctx: AppContext): void {
  const db = ctx.database.db;

  // Path params are checked for shape before any query: a NUL byte or a made-up value is "not found", never a
  // database error (PostgreSQL refuses NUL in text).
  const storeOf = async (id: string) => (storeIdSchema.safeParse(id).success ? ((await getStore(db, id)) ?? null) : null);

  const message = (
    reply: FastifyReply,
    o: {
      lang: PageLanguage;
      storeName: string;
      status: number;
      state: string;
      title: string;
      body: string;
      more?: string;
      reviewUrl?: string | null;
      commentForm?: CommentForm | null;
    },
  ) => {
    const t = pageTexts(o.lang);
    return sendPublicPage(
      reply,
      {
        lang: o.lang,
        storeName: o.storeName,
        title: o.title,
        section: t.section,
        noindex: true,
        ...(o.commentForm ? { scripts: ['/public/survey.js'] } : {}),
        body: messageView({ ...o, reviewInvite: t.reviewInvite, reviewLink: t.reviewLink }),
      },
      o.status,
    );
  };

  /** The thank-you page's optional comment form, carrying its single-use `survey-comment` token. */
  const commentForm = (lang: PageLanguage, store: string, token: string, comment = '', error?: string): CommentForm => {
    const t = pageTexts(lang);
    return {
      action: `/s/${encodeURIComponent(store)}/comment`,
      token,
      label: t.commentPrompt,
      max: SURVEY_COMMENT_MAX,
      comment,
      submit: t.commentSubmit,
      ...(error ? { error } : {}),
    };
  };

  const problem = (
    reply: FastifyReply,
    lang: PageLanguage,
    storeName: string,
    reason: 'not_found' | 'expired' | 'used' | 'already_answered',
  ) => {
    const t = pageTexts(lang);
    if (reason === 'expired')
      return message(reply, { lang, storeName, status: 410, state: 'expired', title: t.expiredTitle, body: t.expiredBody });
    if (reason === 'used' || reason === 'already_answered') {
      return message(reply, { lang, storeName, status: 409, state: 'answered', title: t.answeredTitle, body: t.answeredBody });
    }
    return message(reply, { lang, storeName, status: 404, state: 'not-found', title: t.notFoundTitle, body: t.notFoundBody });
  };

  const form = (
    reply: FastifyReply,
    o: {
      lang: PageLanguage;
      storeName: string;
      metric: SurveyMetric;
      caseNumber: number | null;
      action: string;
      score: number | null;
      comment: string;
      autoSubmit?: boolean;
      scoreError?: string;
      commentError?: string;
      status?: number;
    },
  ) => {
    const t = pageTexts(o.lang);
    const scale = surveyScale[o.metric];
    const [low, high] = t.ends[o.metric];
    const options = [];
    for (let v = scale.min; v <= scale.max; v++) {
      options.push({ value: v, checked: v === o.score, hint: v === scale.min ? low : v === scale.max ? high : null });
    }
    return sendPublicPage(
      reply,
      {
        lang: o.lang,
        storeName: o.storeName,
        title: t.question[o.metric],
        section: t.section,
        noindex: true,
        scripts: ['/public/survey.js'],
        body: surveyView({
          question: t.question[o.metric],
          caseLine: o.caseNumber !== null && o.metric !== 'nps' ? t.caseLine(o.caseNumber) : null,
          action: o.action,
          autoSubmit: o.autoSubmit === true,
          legend: t.legend,
          options,
          low,
          high,
          commentLabel: t.comment,
          commentMax: SURVEY_COMMENT_MAX,
          comment: o.comment,
          submit: t.submit,
          scoreError: o.scoreError,
          commentError: o.commentError,
        }),
      },
      o.status ?? 200,
    );
  };

  const actionOf = (p: SurveyParams) => `/s/${encodeURIComponent(p.store)}/${encodeURIComponent(p.token)}`;

  // GET only looks (ADR 0009): mail scanners open links; the answer is recorded by the form's POST, which
  // survey.js sends at once when the link carried a score (one click), or the "Send my answer" button without JS.
  pub.get<{ Params: SurveyParams; Querystring: { score?: string } }>('/s/:store/:token', { schema: { hide: true } }, async (req, reply) => {
    const accept = req.headers['accept-language'];
    const store = await storeOf(req.params.store);
    if (!store) return problem(reply, pageLanguage(null, accept), 'Amends', 'not_found');
    if (!isTokenShaped(req.params.token)) return problem(reply, pageLanguage(null, accept), store.name, 'not_found');
    const info = await readSurveyLink(db, store.id, req.params.token, ctx.clock.now());
    const lang = pageLanguage(info.locale, accept);
    if (!info.state.ok) return problem(reply, lang, store.name, info.state.reason);
    if (info.answered) return problem(reply, lang, store.name, 'already_answered');
    const metric = info.metric!;
    const s = parseScore(req.query.score);
    const score = s !== null && s >= surveyScale[metric].min && s <= surveyScale[metric].max ? s : null;
    return form(reply, {
      lang,
      storeName: store.name,
      metric,
      caseNumber: info.caseNumber,
      action: actionOf(req.params),
      score,
      comment: '',
      autoSubmit: score !== null,
    });
  });

  pub.post<{ Params: SurveyParams; Body: Record<string, unknown> | undefined }>(
    '/s/:store/:token',
    { schema: { hide: true } },
    async (req: FastifyRequest<{ Params: SurveyParams; Body: Record<string, unknown> | undefined }>, reply) => {
      const accept = req.headers['accept-language'];
      const store = await storeOf(req.params.store);
      if (!store) return problem(reply, pageLanguage(null, accept), 'Amends', 'not_found');
      if (!isTokenShaped(req.params.token)) return problem(reply, pageLanguage(null, accept), store.name, 'not_found');
      const info = await readSurveyLink(db, store.id, req.params.token, ctx.clock.now());
      const lang = pageLanguage(info.locale, accept);
      if (!info.state.ok) return problem(reply, lang, store.name, info.state.reason);
      if (info.answered) return problem(reply, lang, store.name, 'already_answered');
      const metric = info.metric!;
      const t = pageTexts(lang);
      const body = req.body && typeof req.body === 'object' ? req.body : {};
      const score = parseScore(body.score);
      const rawComment = typeof body.comment === 'string' ? body.comment.replace(/\r\n?/gu, '\n').trim() : '';
      const scoreOk = score !== null && score >= surveyScale[metric].min && score <= surveyScale[metric].max;
      const commentOk = rawComment.length <= SURVEY_COMMENT_MAX && !rawComment.includes('\u0000');
      if (!scoreOk || !commentOk) {
        return form(reply, {
          lang,
          storeName: store.name,
          metric,
          caseNumber: info.caseNumber,
          action: actionOf(req.params),
          score: scoreOk ? score : null,
          comment: rawComment.slice(0, SURVEY_COMMENT_MAX).replaceAll('\u0000', ''),
          ...(scoreOk ? {} : { scoreError: t.pickScore }),
          ...(commentOk ? {} : { commentError: t.commentTooLong(SURVEY_COMMENT_MAX) }),
          status: 422,
        });
      }
      const out = await answerSurvey(ctx, store.id, req.params.token, { score: score!, comment: rawComment === '' ? null : rawComment });
      if (out.status !== 'recorded') return problem(reply, lang, store.name, out.status);
      return message(reply, {
        lang,
        storeName: store.name,
        status: 200,
        state: out.low ? 'recorded-low' : 'recorded',
        title: t.thanksTitle,
        body: t.thanksBody,
        ...(out.low ? { more: t.lowBody } : {}),
        reviewUrl: out.reviewUrl,
        commentForm: out.commentToken ? commentForm(lang, store.id, out.commentToken) : null,
      });
    },
  );

  // The thank-you page's comment: the form's hidden `token` is a single-use `survey-comment` link; posting spends
  // it. (A static segment: Fastify matches it before `/s/:store/:token`; no survey token is this short.)
  pub.post<{ Params: { store: string }; Body: Record<string, unknown> | undefined }>(
    '/s/:store/comment',
    { schema: { hide: true } },
    async (req, reply) => {
      const accept = req.headers['accept-language'];
      const store = await storeOf(req.params.store);
      if (!store) return problem(reply, pageLanguage(null, accept), 'Amends', 'not_found');
      const body = req.body && typeof req.body === 'object' ? req.body : {};
      const token = typeof body.token === 'string' ? body.token : '';
      if (!isTokenShaped(token)) return problem(reply, pageLanguage(null, accept), store.name, 'not_found');
      const info = await readCommentLink(db, store.id, token, ctx.clock.now());
      const lang = pageLanguage(info.locale, accept);
      const t = pageTexts(lang);
      const used = () =>
        message(reply, {
          lang,
          storeName: store.name,
          status: 409,
          state: 'commented',
          title: t.commentUsedTitle,
          body: t.commentUsedBody,
        });
      if (!info.state.ok) return info.state.reason === 'used' ? used() : problem(reply, lang, store.name, info.state.reason);
      if (info.answer?.comment) return used();
      const raw = typeof body.comment === 'string' ? body.comment.replace(/\r\n?/gu, '\n').trim() : '';
      const error =
        raw === ''
          ? t.commentEmpty
          : raw.length > SURVEY_COMMENT_MAX || raw.includes('\u0000')
            ? t.commentTooLong(SURVEY_COMMENT_MAX)
            : null;
      if (error) {
        const low = info.answer
          ? isLowScore((await activePolicy(db, store.id)).policy.followUp, info.answer.metric, info.answer.score)
          : false;
        return message(reply, {
          lang,
          storeName: store.name,
          status: 422,
          state: low ? 'recorded-low' : 'recorded',
          title: t.thanksTitle,
          body: t.thanksBody,
          commentForm: commentForm(lang, store.id, token, raw.slice(0, SURVEY_COMMENT_MAX).replaceAll('\u0000', ''), error),
        });
      }
      const out = await commentOnSurvey(ctx, store.id, token, raw);
      if (out.status === 'used') return used();
      if (out.status !== 'recorded') return problem(reply, lang, store.name, out.status);
      return message(reply, {
        lang,
        storeName: store.name,
        status: 200,
        state: 'commented',
        title: t.commentThanksTitle,
        body: t.commentThanksBody,
        ...(out.low ? { more: t.commentLowBody } : {}),
      });
    },
  );
}
