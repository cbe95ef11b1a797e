import { z } from 'zod';
import { actorOf } from '../cases/case-timeline.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody, moneySchema } from '../platform/http/schemas.ts';
import { JobConflictError, JobNotFoundError } from '../platform/jobs/jobs.ts';
import { NUL_MESSAGE, noNul } from '../platform/text.ts';
import { getIncident, incidentStats, listIncidents, resolveIncidentManually, setIncidentPublic } from './incidents.service.ts';

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
  publicTitle: z
    .string()
    .nullable()
    .describe('its title on the status page (null: a generic title by kind; the internal title is never shown)'),
  publicSummary: z.string().nullable().describe('a short public explanation on the status page'),
  startedAt: z.string(),
  resolvedAt: z.string().nullable(),
  firings: z.number().int(),
  affectedCustomers: z.number().int(),
});

const idParams = z.object({ id: z.string().min(1).max(200) });

/** Text for the status page: trimmed, no NUL; "" or null clears it. */
const publicText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine(noNul, NUL_MESSAGE)
    .nullable()
    .optional()
    .transform((v) => (v === '' ? null : v));

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
    '/api/v1/incidents/stats',
    {
      schema: {
        tags: ['proactive'],
        summary: "Incidents started and customers affected per day of the store's calendar, by monitor",
        description:
          'One entry per day from `from` to `to` (today, in the store timezone), days with none included. An incident counts on the day it started, with all the customers it has affected so far.',
        querystring: z.object({ days: z.coerce.number().int().min(1).max(90).default(30) }),
        response: {
          200: z.object({
            timezone: z.string(),
            from: z.string().describe('first day (YYYY-MM-DD)'),
            to: z.string().describe('today (YYYY-MM-DD)'),
            monitors: z.array(z.string()).describe('the monitors with an incident in the window'),
            days: z.array(
              z.object({
                day: z.string(),
                incidents: z.number().int(),
                affectedCustomers: z.number().int(),
                byMonitor: z.record(z.string(), z.object({ incidents: z.number().int(), affectedCustomers: z.number().int() })),
              }),
            ),
            totals: z.object({ incidents: z.number().int(), affectedCustomers: z.number().int() }),
          }),
          400: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return incidentStats(db, p.storeId, ctx.clock.now(), req.query.days);
    },
  );

  app.get(
    '/api/v1/incidents/:id',
    {
      schema: {
        tags: ['proactive'],
        summary:
          'One incident: each finding, each customer affected (tier, cases), the message each was sent with its delivery, the remedies on its cases, and totals',
        params: idParams,
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
            affected: z
              .array(
                z.object({
                  customerId: z.string(),
                  name: z.string().nullable(),
                  email: z.string().nullable(),
                  tier: z.string().nullable().describe("the customer's tier now, from their relationship and the active policy"),
                  cases: z.array(
                    z.object({
                      id: z.string(),
                      number: z.number().int(),
                      status: z.string(),
                      source: z.string(),
                      orderId: z.string().nullable(),
                    }),
                  ),
                }),
              )
              .describe('every customer a finding or a contact names, with their cases in this incident'),
            messages: z
              .array(
                z.object({
                  id: z.string(),
                  customerId: z.string(),
                  customerName: z.string().nullable(),
                  caseId: z.string(),
                  caseNumber: z.number().int().nullable(),
                  caseStatus: z.string().nullable(),
                  subject: z.string().nullable(),
                  body: z.string(),
                  channel: z.string().nullable(),
                  locale: z.string().nullable(),
                  template: z.string().nullable(),
                  createdAt: z.string(),
                  delivery: z.object({
                    status: z.string().describe('from the outbox: queued, sending, sent, failed or skipped'),
                    attempts: z.number().int(),
                    detail: z.string().nullable().describe('the last error, or why it was skipped'),
                    sentAt: z.string().nullable(),
                  }),
                }),
              )
              .describe('the pre-emptive message each contacted customer was sent'),
            remedies: z
              .array(
                z.object({
                  id: z.string(),
                  caseId: z.string(),
                  caseNumber: z.number().int().nullable(),
                  caseStatus: z.string().nullable(),
                  customerId: z.string().nullable(),
                  kind: z.string(),
                  label: z.string(),
                  amount: moneySchema.nullable(),
                  percentOff: z.number().nullable(),
                  points: z.number().nullable(),
                  cost: moneySchema.describe('what it costs the store'),
                  status: z.string(),
                  requestedBy: z.object({ type: z.string(), id: z.string().nullable() }),
                  approvedAt: z.string().nullable(),
                  issuedAt: z.string().nullable(),
                  createdAt: z.string(),
                }),
              )
              .describe("every compensation on the incident's cases, in any status"),
            totals: z.object({
              messages: z.object({ sent: z.number().int(), waiting: z.number().int(), suppressed: z.number().int() }),
              remediesIssued: z.array(z.object({ currency: z.string(), amount: z.number().int(), count: z.number().int() })),
              remediesPending: z
                .array(z.object({ currency: z.string(), amount: z.number().int(), count: z.number().int() }))
                .describe('granted or requested, not issued yet'),
            }),
          }),
          404: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return getIncident(db, p.storeId, req.params.id, ctx.clock.now());
    },
  );

  app.patch(
    '/api/v1/incidents/:id',
    {
      schema: {
        tags: ['proactive'],
        summary:
          'Show the incident on the status page (public: true) or hide it, and set its public title and summary; audited with who and why',
        params: idParams,
        body: z
          .object({
            public: z.boolean().optional(),
            publicTitle: publicText(200).describe('its title on the status page; null or "" clears it (a generic title by kind)'),
            publicSummary: publicText(2000).describe('a short public explanation; null or "" clears it'),
            reason: z.string().trim().max(2000).refine(noNul, NUL_MESSAGE).optional().describe('why, for the audit log'),
          })
          .strict()
          .refine((b) => b.public !== undefined || b.publicTitle !== undefined || b.publicSummary !== undefined, {
            message: 'give public, publicTitle or publicSummary',
            path: ['public'],
          }),
        response: { 200: incident, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      return setIncidentPublic(db, ctx.clock, p.storeId, req.params.id, {
        public: req.body.public,
        publicTitle: req.body.publicTitle,
        publicSummary: req.body.publicSummary,
        reason: req.body.reason,
        actor: actorOf(p),
      });
    },
  );

  app.post(
    '/api/v1/incidents/:id/resolve',
    {
      schema: {
        tags: ['proactive'],
        summary: 'Resolve an open incident by hand (not an outage: its monitor resolves it); audited, and told to webhooks',
        params: idParams,
        body: z
          .object({ reason: z.string().trim().max(2000).refine(noNul, NUL_MESSAGE).optional().describe('why, for the audit log') })
          .strict()
          .optional(),
        response: { 200: incident, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      return resolveIncidentManually(db, ctx.clock, p.storeId, req.params.id, { reason: req.body?.reason, actor: actorOf(p) });
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
