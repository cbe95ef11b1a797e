import { z } from 'zod';
import { actorOf } from '../cases/case-timeline.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { NUL_MESSAGE, noNul } from '../platform/text.ts';
import { activatePolicy, activePolicy, checkPolicy, listPolicyVersions } from './policy.service.ts';

const policyError = z.object({ message: z.string(), path: z.string(), line: z.number().int(), column: z.number().int() });
const source = z.string().min(1).max(1_000_000).refine(noNul, NUL_MESSAGE).describe('the policy file, YAML');
const activeView = z.object({
  hash: z.string(),
  name: z.string(),
  isDefault: z.boolean(),
  author: z.string().nullable(),
  activatedAt: z.string().nullable(),
  source: z.string(),
  policy: z.unknown().describe('the parsed policy; money in minor units'),
});

export function policyRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get(
    '/api/v1/policy',
    {
      schema: {
        tags: ['policy'],
        summary: "The store's active compensation policy (policies/default.yaml until one is activated)",
        response: { 200: activeView },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return activePolicy(db, p.storeId);
    },
  );

  app.get(
    '/api/v1/policy/versions',
    {
      schema: {
        tags: ['policy'],
        summary: 'Every policy version the store has activated, newest first',
        response: {
          200: z.object({
            versions: z.array(
              z.object({
                hash: z.string(),
                name: z.string(),
                author: z.string(),
                createdAt: z.string(),
                activations: z.array(z.object({ at: z.string(), author: z.string() })),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      return { versions: await listPolicyVersions(db, p.storeId) };
    },
  );

  app.post(
    '/api/v1/policy/check',
    {
      schema: {
        tags: ['policy'],
        summary: 'Validate a policy file without activating it; errors name line and column',
        body: z.object({ source }),
        response: { 200: z.object({ ok: z.boolean(), hash: z.string().nullable(), errors: z.array(policyError) }) },
      },
    },
    async (req) => {
      requireRole(req, 'agent');
      const r = checkPolicy(req.body.source);
      return r.ok ? { ok: true, hash: r.hash, errors: [] } : { ok: false, hash: null, errors: r.errors };
    },
  );

  app.post(
    '/api/v1/policy',
    {
      schema: {
        tags: ['policy'],
        summary: 'Activate a policy file (admin: it sets everyone’s authority); cases decided from now on remember this version',
        description: 'An invalid file answers 400 with `error.errors`: every problem with its line and column.',
        body: z.object({ source }),
        response: { 201: activeView, 400: errorBody },
      },
    },
    async (req, reply) => {
      // Admin only: the policy sets every role's authority, managers' included.
      const p = requireRole(req, 'admin');
      const actor = actorOf(p);
      const user = p.userId
        ? await db.selectFrom('users').select(['email']).where('store_id', '=', p.storeId).where('id', '=', p.userId).executeTakeFirst()
        : undefined;
      const active = await activatePolicy(db, ctx.clock, {
        storeId: p.storeId,
        source: req.body.source,
        author: user?.email ?? `${actor.type}:${actor.id}`,
        actor,
      });
      await ctx.database.flush();
      return reply.status(201).send(active);
    },
  );
}
