import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { PASSWORD_MAX_LENGTH } from './passwords.ts';
import {
  csrfMatches,
  deleteSession,
  LOCKOUT_MS,
  login,
  MAX_FAILED_LOGINS,
  type ResolvedSession,
  resolveSession,
  SESSION_COOKIE,
  sessionBody,
  sessionBodySchema,
  sessionPolicy,
} from './sessions.service.ts';

/** Failed sign-ins one address may make per window, whichever accounts they name. */
export const IP_MAX_FAILURES = 20;
export const IP_WINDOW_MS = 15 * 60_000;
const LIMITER_MAX_KEYS = 10_000;

/**
 * In-memory failure counters with a fixed window per key: per client address,
 * and per (store, e-mail) that names no account — so that an unknown account
 * locks after five tries just like a real one, and a 429 tells nothing either.
 * Real accounts are locked in the database (users.locked_until), which every
 * process sees. On the domain clock, so that tests can move past a window.
 */
class FailureCounter {
  private readonly entries = new Map<string, { count: number; until: number }>();
  constructor(
    private readonly clock: Clock,
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until the key may try again, or 0 when it may now. */
  blockedFor(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const now = this.clock.now().getTime();
    if (e.until <= now) {
      this.entries.delete(key);
      return 0;
    }
    return e.count >= this.max ? e.until - now : 0;
  }

  fail(key: string): void {
    const now = this.clock.now().getTime();
    const e = this.entries.get(key);
    if (e && e.until > now) {
      e.count++;
      return;
    }
    if (this.entries.size >= LIMITER_MAX_KEYS) this.sweep(now);
    this.entries.set(key, { count: 1, until: now + this.windowMs });
  }

  private sweep(now: number): void {
    for (const [k, e] of this.entries) if (e.until <= now) this.entries.delete(k);
    // Still full: an attack from many addresses. Forgetting is safer for memory than refusing everyone.
    if (this.entries.size >= LIMITER_MAX_KEYS) this.entries.clear();
  }
}

function tooMany(reply: FastifyReply, ms: number): AppError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  reply.header('retry-after', String(seconds));
  return new AppError(429, 'too_many_attempts', `too many failed sign-ins; try again in ${Math.ceil(seconds / 60)} minute(s)`);
}

const invalidCredentials = () => new AppError(401, 'invalid_credentials', 'the store, e-mail or password is wrong');

export function authRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;
  const policy = sessionPolicy(ctx.config);
  const byAddress = new FailureCounter(ctx.clock, IP_MAX_FAILURES, IP_WINDOW_MS);
  const byUnknownAccount = new FailureCounter(ctx.clock, MAX_FAILED_LOGINS, LOCKOUT_MS);

  const cookieOptions = (req: FastifyRequest) => ({
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: ctx.config.cookieSecure || req.protocol === 'https',
  });

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in to the console with e-mail and password',
        description: `Sets the \`${SESSION_COOKIE}\` cookie (HttpOnly, SameSite=Lax; Secure over TLS or with AMENDS_COOKIE_SECURE=true) and answers the user, the store and the CSRF token that writes made with the cookie must send as \`x-csrf-token\`. A wrong store, e-mail or password all answer the same 401. ${MAX_FAILED_LOGINS} wrong passwords in a row lock the account for ${LOCKOUT_MS / 60_000} minutes, and one address may fail ${IP_MAX_FAILURES} times per ${IP_WINDOW_MS / 60_000} minutes: 429 with retry-after.`,
        security: [],
        body: z.object({
          store: z.string().min(1).max(100),
          email: z.string().min(1).max(320),
          password: z
            .string()
            .min(1)
            .max(PASSWORD_MAX_LENGTH * 4),
        }),
        response: { 200: sessionBodySchema, 400: errorBody, 401: errorBody, 429: errorBody },
      },
    },
    async (req, reply) => {
      const address = req.ip;
      const blocked = byAddress.blockedFor(address);
      if (blocked > 0) throw tooMany(reply, blocked);
      const accountKey = `${req.body.store}\n${req.body.email.trim().toLowerCase()}`;
      const phantom = byUnknownAccount.blockedFor(accountKey);
      if (phantom > 0) throw tooMany(reply, phantom);
      const outcome = await login(db, ctx.clock, policy, { ...req.body, userAgent: req.headers['user-agent'] });
      switch (outcome.kind) {
        case 'ok': {
          const maxAge = Math.round((Date.parse(outcome.session.endsAt) - ctx.clock.now().getTime()) / 1000);
          reply.setCookie(SESSION_COOKIE, outcome.secret, { ...cookieOptions(req), maxAge });
          return outcome.body;
        }
        case 'locked':
          throw tooMany(reply, Date.parse(outcome.until) - ctx.clock.now().getTime());
        case 'unknown':
          byUnknownAccount.fail(accountKey);
          byAddress.fail(address);
          throw invalidCredentials();
        case 'wrong_password':
          byAddress.fail(address);
          throw invalidCredentials();
      }
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in console user, the store and the CSRF token (401 without a live session cookie)',
        response: { 200: sessionBodySchema, 401: errorBody },
      },
    },
    async (req) => {
      const s = req.consoleSession;
      if (!s) throw new AppError(401, 'unauthorized', 'no console session: sign in with POST /api/v1/auth/login');
      const body = await sessionBody(db, s.principal.storeId, s.principal.userId!, s.csrfToken);
      if (!body) throw new AppError(401, 'unauthorized', 'the session has ended or is unknown; sign in again');
      return body;
    },
  );

  app.get(
    '/api/v1/auth/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'Whether a console session is live: the same body as /me under `session`, or `session: null` (never 401)',
        description: 'For the console to ask "am I signed in?" without a failed request in the browser console; API clients use /me.',
        security: [],
        response: { 200: z.object({ session: sessionBodySchema.nullable() }) },
      },
    },
    async (req) => {
      const s = req.consoleSession;
      if (!s) return { session: null };
      return { session: (await sessionBody(db, s.principal.storeId, s.principal.userId!, s.csrfToken)) ?? null };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out: the session is deleted and its cookie cleared (204 also when there was none)',
        description: 'With a live session cookie, the session’s `x-csrf-token` is required (403 `csrf_failed` otherwise).',
        security: [],
        response: { 204: z.void().describe('signed out'), 403: errorBody },
      },
    },
    async (req, reply) => {
      const secret = req.cookies?.[SESSION_COOKIE];
      const session: ResolvedSession | undefined = secret ? await resolveSession(db, ctx.clock, policy, secret) : undefined;
      if (session) {
        // Else any page could sign the user out with a form post.
        if (!csrfMatches(req.headers['x-csrf-token'], session.csrfToken)) {
          throw new AppError(403, 'csrf_failed', 'send the session’s CSRF token as x-csrf-token');
        }
        await deleteSession(db, session.id);
      }
      if (secret !== undefined) reply.clearCookie(SESSION_COOKIE, cookieOptions(req));
      return reply.status(204).send();
    },
  );
}
