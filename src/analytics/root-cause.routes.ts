import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { listRecurringIssues, RecurringIssues } from './recurring.service.ts';
import { weekOf } from './recurring.ts';
import { paretoOf, resolvePeriod, weakSpotsOf } from './root-cause.service.ts';
import { paretoCsv, toCsv } from './root-cause.ts';
import { weakSpotsCsv } from './weak-spots.ts';

const period = {
  from: z.string().optional().describe('ISO date or date-time (default: 90 days before `to`)'),
  to: z.string().optional().describe('ISO date or date-time, exclusive (default: now)'),
  format: z.enum(['json', 'csv']).default('json'),
};

const paretoRow = z.object({ value: z.string(), count: z.number().int(), share: z.number(), cumulativeShare: z.number() });
const paretoBody = z.object({
  by: z.string(),
  from: z.string(),
  to: z.string(),
  failures: z.number().int(),
  unattributed: z.number().int(),
  attributed: z.number().int(),
  rows: z.array(paretoRow),
});

const weakSpot = z.object({
  value: z.string(),
  orders: z.number().int(),
  failed: z.number().int(),
  rate: z.number(),
  low: z.number(),
  high: z.number(),
  lift: z.number().nullable(),
});
const weakSpotsBody = z.object({
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  orders: z.number().int(),
  failed: z.number().int(),
  rate: z.number().nullable(),
  minOrders: z.number().int(),
  products: z.array(weakSpot),
  carriers: z.array(weakSpot),
  hours: z.array(weakSpot),
});

const issueBody = z.object({
  id: z.string(),
  week: z.string(),
  dimension: z.string(),
  value: z.string(),
  title: z.string(),
  status: z.string(),
  cases: z.number().int(),
  caseIds: z.array(z.string()),
  suggestion: z.unknown(),
  spikes: z.array(
    z.object({
      dimension: z.string(),
      value: z.string(),
      count: z.number().int(),
      baselineMean: z.number(),
      baselineWeeks: z.number().int(),
      z: z.number(),
    }),
  ),
  alertedAt: z.string().nullable(),
  detectedAt: z.string(),
  updatedAt: z.string(),
});

function sendCsv(reply: FastifyReply, name: string, csv: string) {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(csv);
}

/** Root cause (issue 9): Pareto, weak spots and recurring issues under /api/v1/analytics; managers and admins. */
export function rootCauseRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;
  const recurring = new RecurringIssues(ctx);
  recurring.register();
  // The daily scan starts with the server (not in tests that only inject): the job then sets its own next run.
  app.addHook('onListen', async () => {
    try {
      await recurring.start();
    } catch (err) {
      app.log.error({ err }, 'could not schedule the recurring-issue scan');
    }
  });

  app.get(
    '/api/v1/analytics/pareto',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Pareto of failures (cases opened in the period) by kind, cause, carrier, SKU or region',
        description:
          'Rows sorted by count with share and cumulative share of the attributed failures. cause: `monitor:<name>` (found by a proactive monitor), `order:<fact>` (the order fact that decided triage), else `reported:<kind>`. `format=csv` for a CSV file.',
        querystring: z.object({ by: z.enum(['kind', 'cause', 'carrier', 'sku', 'region']), ...period }),
        response: { 200: paretoBody.or(z.string()), 400: errorBody },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'manager');
      const result = await paretoOf(db, p.storeId, req.query.by, resolvePeriod(req.query, ctx.clock.now()));
      if (req.query.format === 'csv') return sendCsv(reply, `pareto-${req.query.by}`, paretoCsv(result));
      return result;
    },
  );

  app.get(
    '/api/v1/analytics/weak-spots',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Products, carriers and hours of the day with the highest failure rates per order',
        description:
          'Orders placed in the period; an order failed when a case was opened on it. Values with fewer than `minOrders` orders are left out; ranked by the low end of the Wilson 95 % interval. Hours in the store’s time zone.',
        querystring: z.object({
          ...period,
          minOrders: z.coerce.number().int().min(1).max(100_000).default(30),
          limit: z.coerce.number().int().min(1).max(200).default(20),
        }),
        response: { 200: weakSpotsBody.or(z.string()), 400: errorBody },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'manager');
      const result = await weakSpotsOf(db, p.storeId, resolvePeriod(req.query, ctx.clock.now()), {
        minOrders: req.query.minOrders,
        limit: req.query.limit,
      });
      if (req.query.format === 'csv') return sendCsv(reply, 'weak-spots', weakSpotsCsv(result));
      return result;
    },
  );

  app.get(
    '/api/v1/analytics/recurring',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Recurring issues found by the weekly spike detector, with their incident suggestions',
        description:
          'Issues whose week (Monday, store time zone) falls in the period, newest first. A spike: a week whose failures for one kind, cause, carrier, SKU or region exceed the 8 weeks before by z ≥ 3 on the square-root scale, with at least 5 failures and twice the usual count (src/analytics/recurring.ts).',
        querystring: z.object({ ...period, limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.object({ from: z.string(), to: z.string(), issues: z.array(issueBody) }).or(z.string()), 400: errorBody },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'manager');
      const per = resolvePeriod(req.query, ctx.clock.now());
      const store = await db.selectFrom('stores').select('timezone').where('id', '=', p.storeId).executeTakeFirst();
      const tz = store?.timezone ?? 'UTC';
      const issues = await listRecurringIssues(db, p.storeId, {
        fromWeek: weekOf(per.from, tz),
        toWeek: weekOf(per.to, tz),
        limit: req.query.limit,
      });
      if (req.query.format === 'csv') {
        return sendCsv(
          reply,
          'recurring-issues',
          toCsv(
            ['week', 'title', 'dimension', 'value', 'cases', 'status', 'alerted_at'],
            issues.map((i) => [i.week, i.title, i.dimension, i.value, i.cases, i.status, i.alertedAt]),
          ),
        );
      }
      return { ...per, issues };
    },
  );

  app.post(
    '/api/v1/analytics/recurring/scan',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Run the recurring-issue scan for this store now (the daily job does it too)',
        response: {
          200: z.object({ spikes: z.number().int(), newSpikes: z.number().int(), newIssues: z.number().int(), alerted: z.number().int() }),
        },
      },
      config: { flushesItself: true },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      return recurring.scanStore(p.storeId);
    },
  );
}
