import { z } from 'zod';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.ts';
import { roles } from './roles.ts';
import { listUsers } from './stores.service.ts';
import {
  changePassword,
  createApiToken,
  createUser,
  deactivateUser,
  listTokens,
  reactivateUser,
  revokeToken,
  updateUser,
} from './team.service.ts';

const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(roles),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
  canSignIn: z.boolean().describe('false without a password, or when deactivated'),
  disabledAt: z.string().nullable().describe('when an admin deactivated the user; null while active'),
});

const personSchema = z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }).nullable();
const tokenSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  role: z.enum(roles),
  prefix: z.string().describe('the first characters of the token, to tell tokens apart'),
  user: personSchema.describe('the user it acts as, or null for a store integration token'),
  createdBy: personSchema.describe('who created it in the console; null for `amends token create`'),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable().describe('last request with it, to the minute'),
  revokedAt: z.string().nullable(),
});

const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an e-mail address');
const name = z.string().trim().min(1).max(200);
const password = z
  .string()
  .max(PASSWORD_MAX_LENGTH * 4)
  .describe(`${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`);
const idParams = z.object({ id: z.string().min(1).max(100) });

const passwordOnce = z
  .string()
  .nullable()
  .describe('the generated password, shown only in this answer (null when you chose it): hand it over safely');

/** People and API tokens (admins), and the list of people every console user reads. */
export function teamRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;
  const { database, clock } = ctx;

  app.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['store'],
        summary: "The store's active users (agents, managers, admins): whom a case can be assigned to",
        description: 'With `include=disabled`, deactivated users too (flagged by `disabledAt`), e.g. to show who wrote an old note.',
        querystring: z.object({ include: z.enum(['disabled']).optional() }),
        response: { 200: z.object({ users: z.array(userSchema) }) },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return { users: await listUsers(db, p.storeId, { includeDisabled: req.query.include === 'disabled' }) };
    },
  );

  app.post(
    '/api/v1/users',
    {
      schema: {
        tags: ['store'],
        summary: 'Create a console user (admins)',
        description:
          'Without `password`, one is generated and answered once. The e-mail must be new to the store (409 `email_taken`, also for a deactivated user: reactivate them instead).',
        body: z.object({ email, name: name.optional(), role: z.enum(roles), password: password.optional() }).strict(),
        response: { 201: z.object({ user: userSchema, password: passwordOnce }), 400: errorBody, 403: errorBody, 409: errorBody },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'admin');
      const r = await createUser(database, clock, p, req.body);
      return reply.status(201).send(r);
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['store'],
        summary: "Change a user's name or role (admins)",
        description:
          'The last active admin cannot be demoted (409 `last_admin`). A demotion takes effect on the next request; tokens acting as the user with a role above the new one are revoked.',
        params: idParams,
        body: z
          .object({ name: name.nullable().optional(), role: z.enum(roles).optional() })
          .strict()
          .refine((b) => b.name !== undefined || b.role !== undefined, 'give name or role'),
        response: {
          200: z.object({ user: userSchema, tokensRevoked: z.number().int() }),
          400: errorBody,
          403: errorBody,
          404: errorBody,
          409: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      return updateUser(database, clock, p, req.params.id, req.body);
    },
  );

  app.post(
    '/api/v1/users/:id/password',
    {
      schema: {
        tags: ['store'],
        summary: 'Reset a password (admins), or change your own',
        description:
          'An admin resets anyone’s (without `password`, one is generated and answered once). Anyone changes their own with `currentPassword` (wrong answers count towards the sign-in lock). The user’s other sessions end.',
        params: idParams,
        body: z.object({ password: password.optional(), currentPassword: password.optional() }).strict(),
        response: {
          200: z.object({ user: userSchema, password: passwordOnce, sessionsEnded: z.number().int() }),
          400: errorBody,
          403: errorBody,
          404: errorBody,
          409: errorBody,
          429: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return changePassword(database, clock, p, req.consoleSession?.id ?? null, req.params.id, req.body);
    },
  );

  app.delete(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['store'],
        summary: 'Deactivate a user (admins): the row stays for history',
        description:
          'The user can no longer sign in; their sessions end and their tokens are revoked at once; their open cases go back to the queue unassigned; customers they managed lose their relationship manager. Refused for yourself, for the last active admin, and while a routing rule assigns to them (409). Reversible with POST /api/v1/users/:id/reactivate.',
        params: idParams,
        response: {
          200: z.object({
            user: userSchema,
            sessionsEnded: z.number().int(),
            tokensRevoked: z.number().int(),
            casesUnassigned: z.number().int(),
            customersReleased: z.number().int(),
          }),
          403: errorBody,
          404: errorBody,
          409: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      return deactivateUser(database, clock, p, req.params.id);
    },
  );

  app.post(
    '/api/v1/users/:id/reactivate',
    {
      schema: {
        tags: ['store'],
        summary: 'Reactivate a deactivated user (admins); revoked tokens stay revoked',
        params: idParams,
        response: { 200: z.object({ user: userSchema }), 403: errorBody, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      return { user: await reactivateUser(database, clock, p, req.params.id) };
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['store'],
        summary: "The store's API tokens, newest first, revoked ones included (admins; never the token itself)",
        response: { 200: z.object({ tokens: z.array(tokenSchema) }), 403: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      return { tokens: await listTokens(db, p.storeId) };
    },
  );

  app.post(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['store'],
        summary: 'Create an API token (admins): the token is in this answer only',
        description:
          'Only its SHA-256 is stored, so it cannot be shown again. With `userId`, the token acts as that user (their actions are theirs) and may not have a role above theirs.',
        body: z
          .object({
            name: z.string().trim().min(1).max(100),
            role: z.enum(roles),
            userId: z.string().min(1).max(100).nullable().optional(),
          })
          .strict(),
        response: {
          201: tokenSchema.extend({ token: z.string().describe('send it as `Authorization: Bearer <token>`; shown once') }),
          400: errorBody,
          403: errorBody,
        },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'admin');
      return reply.status(201).send(await createApiToken(database, clock, p, req.body));
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags: ['store'],
        summary: 'Revoke an API token (admins): refused from the next request on',
        params: idParams,
        response: { 200: tokenSchema, 403: errorBody, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      return revokeToken(database, clock, p, req.params.id);
    },
  );
}
