/**
 * KPIs and the paradox index (issue 9), managers and admins. Periods are UTC days (`YYYY-MM-DD`, both ends
 * included); the figures come from the rollups (src/analytics/rollups.ts), refreshed before each answer.
 */
import { z } from 'zod';
import { AppError } from '../platform/errors.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { csvTableNames, kpiCsvTables, kpiReport } from './kpis.service.ts';
import { csvOf, csvSections } from './kpis.ts';
import { paradoxIndex } from './paradox.service.ts';

const DAY_MS = 86_400_000;
/** Longest period a query may span. */
export const MAX_PERIOD_DAYS = 1100;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'is not a calendar date',
  );

const dim = z.string().min(1).max(100);

function period(from: string | undefined, to: string | undefined, now: Date, defaultDays: number): { from: string; to: string } {
  const t = to ?? now.toISOString().slice(0, 10);
  const f = from ?? new Date(Date.parse(`${t}T00:00:00Z`) - (defaultDays - 1) * DAY_MS).toISOString().slice(0, 10);
  if (f > t) throw new AppError(400, 'invalid_request', 'from must not be after to', 'from');
  if ((Date.parse(t) - Date.parse(f)) / DAY_MS + 1 > MAX_PERIOD_DAYS) {
    throw new AppError(400, 'invalid_request', `the period may span at most ${MAX_PERIOD_DAYS} days`, 'from');
  }
  return { from: f, to: t };
}

export function analyticsRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get(
    '/api/v1/analytics/kpis',
    {
      schema: {
        tags: ['analytics'],
        summary:
          'KPIs of a period: response and resolution times, FCR, effort, CSAT/CES/NPS, SLA, recovery cost, proactive vs reactive, daily trend',
        description:
          'Cases count on the UTC day they were opened; `from`/`to` are UTC days, both included (default: the last 30 days). Percentiles come from fixed histogram buckets (exact to the bucket). FCR = resolved cases with at most one inbound customer message and never reopened, over resolved cases. Recovery cost = cost of issued compensations, minor units of the store currency; % of revenue uses all orders placed in the period. `agent` is answered from the raw rows. `format=csv` returns every table as sections (`# name` line, header, rows; blank line between), or one plain table with `table=`.',
        querystring: z.strictObject({
          from: day.optional(),
          to: day.optional(),
          channel: dim.optional(),
          kind: dim.optional(),
          tier: dim.optional(),
          source: z.enum(['reactive', 'proactive']).optional(),
          agent: dim.optional().describe('assignee user id'),
          format: z.enum(['json', 'csv']).default('json'),
          table: z.enum(csvTableNames).optional().describe('with format=csv: only this table'),
        }),
        response: { 200: z.unknown(), 400: errorBody, 403: errorBody },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'manager');
      const q = req.query;
      if (q.table !== undefined && q.format !== 'csv') throw new AppError(400, 'invalid_request', 'table needs format=csv', 'table');
      const now = ctx.clock.now();
      const report = await kpiReport(
        db,
        p.storeId,
        { ...period(q.from, q.to, now, 30), channel: q.channel, kind: q.kind, tier: q.tier, source: q.source, agent: q.agent },
        now.toISOString(),
      );
      if (q.format === 'json') return report;
      const tables = kpiCsvTables(report);
      const body = q.table ? csvOf(tables.find((t) => t.name === q.table)!) : csvSections(tables);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="amends-kpis-${report.from}-${report.to}${q.table ? `-${q.table}` : ''}.csv"`)
        .send(body);
    },
  );

  app.get(
    '/api/v1/analytics/paradox',
    {
      schema: {
        tags: ['analytics'],
        summary: 'The service-recovery paradox index: repurchase of recovered, not recovered and never-failed customers',
        description:
          'Repurchase = an order within `windowDays` (default 90, 1–365) after the failure; never-failed customers are measured from their first order. Cohorts with Wilson 95 % intervals, a plain-language verdict ("too small to tell" under 30 per cohort, wide or overlapping intervals), and splits by severity and first vs repeat failure. Subjects whose window has not ended are left out (counted in windowNotEnded). `from`/`to`: UTC days of the failures (default: the 365 days to today).',
        querystring: z.strictObject({
          windowDays: z.coerce.number().int().min(1).max(365).default(90),
          from: day.optional(),
          to: day.optional(),
        }),
        response: { 200: z.unknown(), 400: errorBody, 403: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      const now = ctx.clock.now();
      return paradoxIndex(
        db,
        p.storeId,
        { windowDays: req.query.windowDays, ...period(req.query.from, req.query.to, now, 365) },
        now.toISOString(),
      );
    },
  );
}
