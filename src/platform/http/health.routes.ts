import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { App, AppContext } from './context.ts';

export function healthRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and database reachability',
        security: [],
        response: {
          200: z.object({ status: z.literal('ok'), db: z.enum(['sqlite', 'postgres']) }),
          503: z.object({ status: z.literal('unavailable'), db: z.enum(['sqlite', 'postgres']) }),
        },
      },
    },
    async (_req, reply) => {
      const up = await ctx.database.ping();
      if (!up) return reply.status(503).send({ status: 'unavailable', db: ctx.database.dialect });
      return { status: 'ok' as const, db: ctx.database.dialect };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        description: 'Open unless AMENDS_METRICS_TOKEN is set; then send it as a Bearer token.',
        security: [],
      },
    },
    async (req, reply) => {
      const expected = ctx.config.metricsToken;
      if (expected !== undefined) {
        const given = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
        const a = Buffer.from(given);
        const b = Buffer.from(expected);
        if (a.length !== b.length || !timingSafeEqual(a, b)) {
          throw new AppError(401, 'unauthorized', 'GET /metrics needs the metrics token (AMENDS_METRICS_TOKEN) as a Bearer token');
        }
      }
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(body);
    },
  );
}
