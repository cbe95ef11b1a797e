import { z } from 'zod';
import { notFound } from '../platform/errors.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { roles } from './roles.ts';
import { loadSettings, saveSettings, storeSettingsSchema } from './store-settings.ts';
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

  const settingsResponse = z.object({
    settings: z.record(z.string(), z.unknown()).describe('what the store set'),
    effective: z.record(z.string(), z.unknown()).describe('with every default filled in: what cases use'),
  });

  app.get(
    '/api/v1/store/settings',
    {
      schema: {
        tags: ['store'],
        summary: 'Business hours, SLA targets, guardrails, routing rules and reply templates (tiers live in the policy)',
        response: { 200: settingsResponse },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      const s = await loadSettings(db, p.storeId);
      return { settings: s.settings, effective: { ...s.resolved } };
    },
  );

  app.put(
    '/api/v1/store/settings',
    {
      schema: {
        tags: ['store'],
        summary: "Replace the store's settings (managers and admins)",
        description:
          'Only what you set is stored; the rest follows the defaults. Business hours are checked as a whole (time zone, intervals, holidays), templates must compile, and rules may only assign to users of this store. Nothing is saved unless all of it is valid.',
        body: storeSettingsSchema,
        response: { 200: settingsResponse, 400: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      const effective = await saveSettings(db, p.storeId, req.body);
      return { settings: req.body, effective: { ...effective } };
    },
  );
}
