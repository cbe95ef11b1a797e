import { z } from 'zod';
import { customerTiers } from '../customers/tier.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody, pageLimit } from '../platform/http/schemas.ts';
import { NUL_MESSAGE, noNul } from '../platform/text.ts';
import { guardrailRules } from '../triage/guardrails.ts';
import { emotions, issueKinds } from '../triage/labels.ts';
import { triageResultSchema } from '../triage/triage.schema.ts';
import { actorOf } from './case-timeline.ts';
import { addMessage, assignCase, casesByStatus, changeStatus, getCase, listCases, setAvertable } from './cases.service.ts';
import { caseSorts, inboxViews, openCaseStatuses, type QueueCounts, queueCounts } from './inbox.ts';
import { caseSources, caseStatuses } from './lifecycle.ts';
import { priorities } from './priority.ts';
import { queues } from './route-case.ts';

const caseSummary = z.object({
  id: z.string(),
  customerName: z.string().nullable().optional().describe("lists only: the customer's name, or e-mail"),
  number: z.number().int(),
  status: z.enum(caseStatuses),
  source: z.enum(caseSources),
  channel: z.string().nullable(),
  customerId: z.string().nullable(),
  orderId: z.string().nullable(),
  subject: z.string().nullable(),
  assigneeId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  kind: z.enum(issueKinds).nullable(),
  severity: z.number().int().min(1).max(4).nullable(),
  emotion: z.object({ primary: z.enum(emotions), intensity: z.number() }).nullable(),
  priority: z.object({ level: z.enum(priorities), score: z.number().int() }).nullable(),
  queue: z.enum(queues).nullable(),
  customerTier: z.enum(customerTiers).nullable(),
  avertable: z.boolean(),
  due: z
    .object({ firstResponse: z.string().nullable(), resolution: z.string().nullable() })
    .describe('SLA due instants; null while paused'),
  firstRespondedAt: z.string().nullable(),
});

const message = z.object({
  id: z.string(),
  kind: z.enum(['inbound', 'reply', 'note']),
  authorType: z.string(),
  authorId: z.string().nullable(),
  body: z.string(),
  createdAt: z.string(),
  status: z.string().nullable().describe('replies: `queued` until a channel delivers them'),
  channel: z.string().nullable(),
  subject: z.string().nullable(),
  locale: z.string().nullable(),
  template: z.string().nullable(),
  triage: triageResultSchema.nullable(),
});

const caseDetail = caseSummary.extend({
  triage: triageResultSchema.nullable().describe("the opening words' labels, each with its evidence"),
  guardrails: z.array(
    z.object({
      rule: z.enum(guardrailRules),
      reason: z.string(),
      at: z.string(),
      effect: z.object({ severityFrom: z.number().optional(), severityTo: z.number().optional(), route: z.literal('manager') }),
    }),
  ),
  guidance: z.array(z.string()),
  priorityFactors: z.array(z.object({ factor: z.string(), points: z.number(), detail: z.string() })),
  sla: z.array(
    z.object({
      metric: z.enum(['first_response', 'resolution']),
      status: z.string(),
      targetMinutes: z.number(),
      startedAt: z.string(),
      dueAt: z.string().nullable(),
      warnAt: z.string().nullable(),
      pausedAt: z.string().nullable(),
      metAt: z.string().nullable(),
      breached: z.boolean(),
      percentUsed: z.number(),
    }),
  ),
  acknowledgement: message.nullable(),
  messages: z.array(message),
  timeline: z.array(
    z.object({
      at: z.string(),
      kind: z.enum(['activity', 'message', 'event']),
      type: z.string(),
      actor: z.object({ type: z.string(), id: z.string().nullable() }).optional(),
      data: z.record(z.string(), z.unknown()),
    }),
  ),
});

const isoInstant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());
const caseParams = z.object({ id: z.string().min(1) });

export function casesRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get(
    '/api/v1/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'List cases: newest first, or in priority order; optionally one inbox queue (view)',
        description:
          "`view` is one of the inbox queues, for the caller: `mine` (assigned to you), `unassigned`, `vip` (VIP customer or VIP queue), `breaching` (the next SLA due is overdue or within 2 hours), `approval` (a compensation waits for approval), `proactive`. `sort=priority` orders by level (urgent first), score (highest first), the next SLA due (soonest first), then the oldest. Both sorts page by keyset: `nextCursor` is the last row's sort key, so rows added meanwhile never make others skip or repeat; a cursor belongs to its sort.",
        querystring: z.object({
          status: z
            .string()
            .transform((s) => s.split(',').filter(Boolean))
            .pipe(z.array(z.enum(caseStatuses)).min(1, 'name at least one status'))
            .optional()
            .describe('One status or several, comma-separated'),
          source: z.enum(caseSources).optional(),
          assignee: z.string().optional().describe('A user id, or `none` for unassigned'),
          customerId: z.string().optional(),
          queue: z.enum(queues).optional().describe('The routed queue a case waits in (not an inbox view)'),
          view: z.enum(inboxViews).optional().describe('One of the inbox queues, for the caller'),
          sort: z.enum(caseSorts).default('newest'),
          createdFrom: isoInstant.optional(),
          createdTo: isoInstant.optional(),
          cursor: z.string().optional(),
          limit: pageLimit,
        }),
        response: { 200: z.object({ cases: z.array(caseSummary), nextCursor: z.string().nullable() }), 400: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return listCases(db, p.storeId, req.query, { userId: p.userId, now: ctx.clock.now() });
    },
  );

  app.get(
    '/api/v1/cases/queues',
    {
      schema: {
        tags: ['cases'],
        summary: "How many of the store's open cases are in each inbox queue, for the caller",
        description:
          'One query. `status` narrows the cases counted (default: every open status); `all` counts them all, each view (see `GET /api/v1/cases`) its share. An API token without a user has no `mine`.',
        querystring: z.object({
          status: z
            .string()
            .transform((s) => s.split(',').filter(Boolean))
            .pipe(z.array(z.enum(caseStatuses)).min(1, 'name at least one status'))
            .optional()
            .describe('One status or several, comma-separated; default every open status'),
        }),
        response: {
          200: z.object({
            counts: z.object({
              all: z.number().int(),
              mine: z.number().int(),
              unassigned: z.number().int(),
              vip: z.number().int(),
              breaching: z.number().int(),
              approval: z.number().int(),
              proactive: z.number().int(),
            }) satisfies z.ZodType<QueueCounts>,
            statuses: z.array(z.enum(caseStatuses)),
            at: z.string().describe('the instant `breaching` was counted at'),
          }),
          400: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      const now = ctx.clock.now();
      const statuses = req.query.status ?? [...openCaseStatuses];
      const counts = await queueCounts(db, p.storeId, { userId: p.userId, now }, statuses);
      return { counts, statuses, at: now.toISOString() };
    },
  );

  app.get(
    '/api/v1/cases/counts',
    {
      schema: {
        tags: ['cases'],
        summary: "How many of the store's cases are in each status",
        response: { 200: z.object({ byStatus: z.record(z.string(), z.number().int()) }) },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      const counts = await casesByStatus(db, p.storeId);
      return { byStatus: Object.fromEntries(caseStatuses.map((s) => [s, counts[s] ?? 0])) };
    },
  );

  app.get(
    '/api/v1/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'One case: triage labels with evidence, guardrails, priority, queue, SLA clocks, acknowledgement, messages, timeline',
        params: caseParams,
        response: { 200: caseDetail, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return getCase(db, p.storeId, req.params.id, ctx.clock.now());
    },
  );

  app.post(
    '/api/v1/cases/:id/messages',
    {
      schema: {
        tags: ['cases'],
        summary: 'Add an agent reply or an internal note',
        params: caseParams,
        body: z.object({
          kind: z.enum(['reply', 'note']),
          body: z.string().trim().min(1).max(100_000).refine(noNul, NUL_MESSAGE),
        }),
        response: { 201: message, 400: errorBody, 404: errorBody },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'agent');
      const m = await addMessage(db, ctx.clock, p.storeId, req.params.id, req.body, actorOf(p));
      return reply.status(201).send(m);
    },
  );

  app.post(
    '/api/v1/cases/:id/status',
    {
      schema: {
        tags: ['cases'],
        summary: 'Move a case through its lifecycle',
        description: 'An invalid transition answers 409 with the statuses allowed from the current one.',
        params: caseParams,
        body: z.object({ status: z.enum(caseStatuses), reason: z.string().max(2000).optional() }),
        response: { 200: caseSummary, 400: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return changeStatus(db, ctx.clock, p.storeId, req.params.id, req.body.status, actorOf(p), req.body.reason);
    },
  );

  app.post(
    '/api/v1/cases/:id/assign',
    {
      schema: {
        tags: ['cases'],
        summary: 'Assign a case to a user, or unassign it with null',
        params: caseParams,
        body: z.object({ assigneeId: z.string().min(1).nullable() }),
        response: { 200: caseSummary, 400: errorBody, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return assignCase(db, ctx.clock, p.storeId, req.params.id, req.body.assigneeId, actorOf(p));
    },
  );

  app.post(
    '/api/v1/cases/:id/avertable',
    {
      schema: {
        tags: ['cases'],
        summary: 'Mark (or unmark) the failure as avertable: a guardrail that sends the case to the manager queue',
        params: caseParams,
        body: z.object({
          avertable: z.boolean(),
          reason: z.string().trim().min(1, 'say why').max(2000).refine(noNul, NUL_MESSAGE),
        }),
        response: { 200: caseSummary, 400: errorBody, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return setAvertable(db, ctx.clock, p.storeId, req.params.id, req.body, actorOf(p));
    },
  );
}
