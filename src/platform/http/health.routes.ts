import { z } from 'zod';
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

  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics', security: [] } }, async (_req, reply) => {
    const body = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(body);
  });
}
