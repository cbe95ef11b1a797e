import { z } from 'zod';
import { appendAudit } from '../platform/audit.ts';
import { notFound } from '../platform/errors.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { roles } from './roles.ts';
import { loadSettings, saveSettings, storeSettingsSchema, templateKeys } from './store-settings.ts';
import { currencySchema, getStore, timezoneSchema, userName } from './stores.service.ts';
import { auditActor, lockStore, updateStoreProfile } from './team.service.ts';
import { previewTemplate, templateCatalog } from './template-preview.ts';

const storeSchema = z.object({ id: z.string(), name: z.string(), timezone: z.string(), currency: z.string(), createdAt: z.string() });

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

  app.put(
    '/api/v1/store',
    {
      schema: {
        tags: ['store'],
        summary: "Change the store's name and time zone (admins)",
        description:
          'The time zone is IANA (e.g. Europe/Berlin); business hours follow it unless they set their own. The currency can change only while the store has no orders, payments, refunds or remedies (409 `currency_locked` after).',
        body: z
          .object({
            name: z.string().trim().min(1).max(200).optional(),
            timezone: timezoneSchema.optional(),
            currency: currencySchema.optional(),
          })
          .strict()
          .refine((b) => b.name !== undefined || b.timezone !== undefined || b.currency !== undefined, 'give name, timezone or currency'),
        response: { 200: storeSchema, 400: errorBody, 403: errorBody, 409: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      return updateStoreProfile(ctx.database, ctx.clock, p, req.body);
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
      const effective = await db.transaction().execute(async (tx) => {
        // One admin change at a time: a routing rule cannot be saved for a user being deactivated.
        await lockStore(ctx.database, tx, p.storeId);
        const before = await loadSettings(tx, p.storeId);
        const saved = await saveSettings(tx, p.storeId, req.body);
        await appendAudit(tx, {
          storeId: p.storeId,
          at: ctx.clock.now().toISOString(),
          actor: auditActor(p),
          action: 'settings.updated',
          subjectType: 'settings',
          subjectId: p.storeId,
          before: before.settings,
          after: req.body,
        });
        return saved;
      });
      return { settings: req.body, effective: { ...effective } };
    },
  );

  app.get(
    '/api/v1/store/templates',
    {
      schema: {
        tags: ['store'],
        summary: 'The default acknowledgement templates and the variables templates and saved replies can use',
        response: {
          200: z.object({
            defaults: z.record(z.enum(templateKeys), z.string()).describe('the shipped Handlebars sources, per language'),
            variables: z.record(z.string(), z.string()).describe('acknowledgement variables and what each holds'),
            savedReplyVariables: z.record(z.string(), z.string()),
          }),
        },
      },
    },
    async (req) => {
      requireRole(req, 'agent');
      return templateCatalog();
    },
  );

  app.post(
    '/api/v1/store/templates/preview',
    {
      config: { flushesItself: true },
      schema: {
        tags: ['store'],
        summary: 'Render an acknowledgement (or a saved reply) against a sample case of this store',
        description:
          'The sample: Maria Lopez, order #1001, late, frustrated; the reply due at the store’s first-response target for normal priority, in its business hours. Without `source`, the saved override (or the default) of `key`. Writes nothing.',
        body: z
          .object({
            key: z.enum([...templateKeys, 'saved-reply']),
            source: z.string().min(1).max(20_000).optional().describe('the draft to render'),
          })
          .strict(),
        response: {
          200: z.object({ subject: z.string().nullable(), body: z.string(), template: z.string() }),
          400: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      const s = await loadSettings(db, p.storeId);
      const agent = await userName(db, p.storeId, p.userId);
      return previewTemplate(req.body, { name: s.name, resolved: s.resolved }, agent, ctx.clock.now());
    },
  );
}
