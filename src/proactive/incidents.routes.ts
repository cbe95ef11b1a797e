import { z } from 'zod';
import { AppError, notFound } from '../platform/errors.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { JobConflictError, JobNotFoundError } from '../platform/jobs/jobs.ts';
import { getIncident, listIncidents } from './incidents.service.ts';

const incident = z.object({
  id: z.string(),
  monitor: z
    .string()
    .describe(
      'what found it: shipment_late, tracking_stalled, delivery_exception, lost, payment_failed, payment_failure_rate, metric_threshold, backorder',
    ),
  kind: z.string().describe('the issue kind of its cases'),
  severity: z.number().int(),
  title: z.string(),
  cause: z.record(z.string(), z.unknown()).describe('what its firings share: carrier, region and day; metric and window; SKU'),
  avertable: z.boolean(),
  status: z.enum(['open', 'resolved']).or(z.string()),
  public: z.boolean().describe('shown on the status page'),
  startedAt: z.string(),
  resolvedAt: z.string().nullable(),
  firings: z.number().int(),
  affectedCustomers: z.number().int(),
});

const deadLetter = z.object({
  id: z.string(),
  name: z.string(),
  data: z.unknown(),
  attempts: z.number().int(),
  error: z.string(),
  createdAt: z.string(),
  failedAt: z.string(),
});

/** A job's store, when its data names one (every store-scoped job does). */
function storeOf(data: unknown): string | null {
  return typeof data === 'object' && data !== null && typeof (data as { storeId?: unknown }).storeId === 'string'
    ? (data as { storeId: string }).storeId
    : null;
}

export function incidentsRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get(
    '/api/v1/incidents',
    {
      schema: {
        tags: ['proactive'],
        summary: 'Incidents: monitor firings grouped by shared cause, newest first',
        querystring: z.object({
          status: z.enum(['open', 'resolved']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: z.object({ incidents: z.array(incident) }) },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return { incidents: await listIncidents(db, p.storeId, req.query) };
    },
  );

  app.get(
    '/api/v1/incidents/:id',
    {
      schema: {
        tags: ['proactive'],
        summary: 'One incident with each finding (the order or payment, the case it went to) and each customer contact',
        params: z.object({ id: z.string().min(1).max(200) }),
        response: {
          200: incident.omit({ firings: true }).extend({
            findings: z.array(
              z.object({
                id: z.string(),
                monitor: z.string(),
                subject: z.string(),
                customerId: z.string().nullable(),
                orderId: z.string().nullable(),
                caseId: z.string().nullable(),
                severity: z.number().int(),
                failureAt: z.string(),
                firedAt: z.string(),
                details: z.record(z.string(), z.unknown()),
              }),
            ),
            contacts: z.array(
              z.object({
                customerId: z.string(),
                caseId: z.string(),
                status: z.string().describe('waiting, sent or suppressed'),
                dueAt: z.string(),
                reason: z.string().nullable(),
                messageId: z.string().nullable(),
                sentAt: z.string().nullable(),
              }),
            ),
          }),
          404: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return getIncident(db, p.storeId, req.params.id);
    },
  );

  app.get(
    '/api/v1/jobs/dead-letters',
    {
      schema: {
        tags: ['jobs'],
        summary: "The store's jobs that failed every attempt (newest first), with their last error",
        querystring: z.object({ name: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: z.object({ deadLetters: z.array(deadLetter) }) },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      // Jobs are not stored per store; a store sees those whose data names it. Read wider, then keep its own.
      const all = await ctx.jobs.deadLetters({ ...(req.query.name ? { name: req.query.name } : {}), limit: 5000 });
      return {
        deadLetters: all
          .filter((d) => storeOf(d.data) === p.storeId)
          .slice(0, req.query.limit)
          .map(({ singletonKey: _k, ...d }) => d),
      };
    },
  );

  app.post(
    '/api/v1/jobs/dead-letters/:id/retry',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Give a dead letter one more attempt, due now',
        params: z.object({ id: z.string().min(1).max(200) }),
        response: { 200: z.object({ retried: z.literal(true) }), 404: errorBody, 409: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      const mine = (await ctx.jobs.deadLetters({ limit: 5000 })).find((d) => d.id === req.params.id && storeOf(d.data) === p.storeId);
      if (!mine) throw notFound('dead letter', req.params.id);
      try {
        await ctx.jobs.retryDeadLetter(req.params.id);
      } catch (err) {
        if (err instanceof JobNotFoundError) throw notFound('dead letter', req.params.id);
        if (err instanceof JobConflictError) throw new AppError(409, 'conflict', err.message, 'id');
        throw err;
      }
      return { retried: true as const };
    },
  );
}
