import { z } from 'zod';
import { notFound } from '../platform/errors.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { roles } from './roles.ts';
import { getStore, listUsers } from './stores.service.ts';

export function storesRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;
  app.get(
    '/api/v1/store',
    {
      schema: {
        tags: ['store'],
        summary: "The token's store, and who is calling",
        response: {
          200: z.object({
            id: z.string(),
            name: z.string(),
            timezone: z.string(),
            currency: z.string(),
            createdAt: z.string(),
            caller: z.object({ tokenId: z.string(), role: z.enum(roles), userId: z.string().nullable() }),
          }),
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      const store = await getStore(db, p.storeId);
      if (!store) throw notFound('store', p.storeId);
      return { ...store, caller: { tokenId: p.tokenId, role: p.role, userId: p.userId } };
    },
  );

  app.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['store'],
        summary: "The store's users (agents, managers, admins): whom a case can be assigned to",
        response: {
          200: z.object({
            users: z.array(z.object({ id: z.string(), email: z.string(), name: z.string().nullable(), role: z.enum(roles) })),
          }),
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return { users: await listUsers(db, p.storeId) };
    },
  );
}
