import { z } from 'zod';
import { actorOf } from '../cases/case-timeline.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { NUL_MESSAGE, noNul } from '../platform/text.ts';
import { issueKinds } from '../triage/labels.ts';
import {
  applyPlaybook,
  createFromCase,
  getPlaybook,
  playbookStatuses,
  searchPlaybooks,
  suggestForCase,
  updatePlaybook,
} from './playbooks.service.ts';

const text = (max: number) => z.string().max(max).refine(noNul, NUL_MESSAGE);
const line = (max: number) => text(max).refine((s) => s.trim().length > 0, 'must not be blank');

const step = z.strictObject({ title: line(200), detail: text(2000) });
const editBody = {
  title: line(200).optional(),
  summary: text(2000).optional(),
  steps: z.array(step).min(1).max(20).optional(),
  messages: z.array(line(5000)).max(10).optional(),
};

const trackRecord = z.object({
  applied: z.number().int().describe('cases it was used on'),
  resolved: z.number().int().describe('of those, resolved or closed'),
  resolvedShare: z.number().nullable(),
  avgCsat: z.number().nullable().describe('mean CSAT (1–5) of those cases'),
  csatAnswers: z.number().int(),
  avgCost: z.number().int().nullable().describe('mean remedy cost per case, minor units'),
  currency: z.string(),
});

const playbook = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  scenario: z.object({ kind: z.string(), severity: z.number().int(), tier: z.string().nullable(), emotion: z.string().nullable() }),
  steps: z.array(z.object({ title: z.string(), detail: z.string() })),
  messages: z.array(z.string()).describe('placeholders such as {{customer.firstName}} stand for personal data'),
  remedy: z
    .object({
      kind: z.string(),
      label: z.string(),
      amount: z.number().int().nullable(),
      percentOff: z.number().nullable(),
      points: z.number().int().nullable(),
      currency: z.string(),
    })
    .nullable(),
  outcome: z.object({
    resolutionMinutes: z.number().int().nullable(),
    firstResponseMinutes: z.number().int().nullable(),
    csat: z.number().nullable(),
    repurchased: z.boolean(),
    repurchaseDays: z.number().int().nullable(),
  }),
  sourceCaseId: z.string().nullable(),
  status: z.enum(playbookStatuses),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  trackRecord,
});

const suggested = playbook.extend({
  match: z.object({
    score: z.number().int(),
    kind: z.boolean(),
    severityDistance: z.number().int(),
    tier: z.boolean(),
    emotion: z.boolean(),
  }),
  renderedMessages: z.array(z.string()).describe("the messages with this case's customer filled in"),
  appliedHere: z.boolean(),
});

const idParams = z.object({ id: z.string().min(1).max(200).refine(noNul, NUL_MESSAGE) });

/** Playbooks API (issue 9): managers make and edit them; agents read, get suggestions and record use. */
export function playbooksRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.post(
    '/api/v1/cases/:id/playbook',
    {
      schema: {
        tags: ['playbooks'],
        summary: 'Turn a resolved case into a playbook',
        description:
          "Scenario (kind, severity, tier, emotion), steps from the timeline, the replies' words with personal data replaced by placeholders, the remedy and the outcome. Any of title, summary, steps and messages may be given to replace the draft's. 409 while the case is open or when it already has a playbook.",
        params: idParams,
        body: z.strictObject(editBody).nullish(),
        response: { 201: playbook, 400: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'manager');
      const out = await createFromCase(db, ctx.clock, p.storeId, req.params.id, req.body ?? {}, actorOf(p));
      return reply.status(201).send(out);
    },
  );

  app.get(
    '/api/v1/cases/:id/playbooks',
    {
      schema: {
        tags: ['playbooks'],
        summary: 'Playbooks for a case: same kind, closest scenario first, each with its track record',
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(20).default(5) }),
        response: {
          200: z.object({
            scenario: z
              .object({ kind: z.string(), severity: z.number().int(), tier: z.string().nullable(), emotion: z.string().nullable() })
              .nullable(),
            playbooks: z.array(suggested),
          }),
          400: errorBody,
          404: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return suggestForCase(db, p.storeId, req.params.id, req.query.limit);
    },
  );

  app.post(
    '/api/v1/cases/:id/playbooks/:playbookId/apply',
    {
      schema: {
        tags: ['playbooks'],
        summary: 'Record that a playbook was used on a case (once per case; noted on the timeline)',
        params: idParams.extend({ playbookId: z.string().min(1).max(200).refine(noNul, NUL_MESSAGE) }),
        response: {
          200: z.object({ playbookId: z.string(), caseId: z.string(), first: z.boolean(), trackRecord }),
          404: errorBody,
          409: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return applyPlaybook(db, ctx.clock, p.storeId, req.params.id, req.params.playbookId, actorOf(p));
    },
  );

  app.get(
    '/api/v1/playbooks',
    {
      schema: {
        tags: ['playbooks'],
        summary: 'List or search playbooks',
        description:
          'With q: playbooks containing every word of q (as a prefix) in their title, summary, steps, messages or remedy, best first. SQLite FTS5 and PostgreSQL full-text find the same playbooks; their order may differ.',
        querystring: z.object({
          q: text(200).optional(),
          kind: z.enum(issueKinds).optional(),
          status: z.enum([...playbookStatuses, 'all']).default('active'),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
        response: { 200: z.object({ playbooks: z.array(playbook) }), 400: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return { playbooks: await searchPlaybooks(ctx.database, p.storeId, req.query) };
    },
  );

  app.get(
    '/api/v1/playbooks/:id',
    {
      schema: {
        tags: ['playbooks'],
        summary: 'One playbook with its track record',
        params: idParams,
        response: { 200: playbook, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return getPlaybook(db, p.storeId, req.params.id);
    },
  );

  app.patch(
    '/api/v1/playbooks/:id',
    {
      schema: {
        tags: ['playbooks'],
        summary: 'Edit a playbook, or archive (status archived) and restore it',
        params: idParams,
        body: z
          .strictObject({ ...editBody, status: z.enum(playbookStatuses).optional() })
          .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' }),
        response: { 200: playbook, 400: errorBody, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      return updatePlaybook(db, ctx.clock, p.storeId, req.params.id, req.body);
    },
  );
}
