import type { FastifyRequest } from 'fastify';
import { type Role, roleAtLeast } from '../../stores/roles.ts';
import { csrfMatches, type ResolvedSession, resolveSession, SESSION_COOKIE, sessionPolicy } from '../../stores/sessions.service.ts';
import { findToken, type Principal, tokenCacheEpoch } from '../../stores/stores.service.ts';
import { AppError } from '../errors.ts';
import type { App, AppContext } from './context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The console session the request came with (cookie), null for API tokens. */
    consoleSession: ResolvedSession | null;
  }
}

/** Signing in and out authenticate themselves (src/stores/auth.routes.ts). */
const publicApiPaths = ['/api/docs', '/api/openapi.json', '/api/v1/auth/login', '/api/v1/auth/logout'];

/** The console's session probe: answers with the session or `null`, never 401. */
const SESSION_PROBE = '/api/v1/auth/session';

/** Methods a cross-site page can make a browser send with its cookies without a CSRF token being needed. */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Verified tokens are remembered briefly so that a busy integration does not
 * pay a database lookup per request. A token revoked here stops working at once
 * (the cache epoch moves); one revoked by another process, within the TTL.
 */
const TOKEN_CACHE_TTL_MS = 10_000;
const TOKEN_CACHE_MAX = 10_000;

/**
 * Bearer tokens or the console's session cookie on /api/**. Either carries
 * exactly one store; routes read the store from the principal, never from the
 * request. A request with an Authorization header is judged by it alone; one
 * with only the cookie must echo the session's CSRF token in `x-csrf-token` on
 * anything but GET/HEAD/OPTIONS. Sessions are read on every request (no cache),
 * so a sign-out or a changed role counts at once.
 */
export function registerAuth(app: App, ctx: AppContext): void {
  const cache = new Map<string, { principal: Principal; until: number; epoch: number }>();
  // Cache misses go to the database. A monotonic timer, not the domain clock: this is housekeeping, not event time.
  const lookup = async (token: string): Promise<Principal | undefined> => {
    const epoch = tokenCacheEpoch();
    const principal = await findToken(ctx.database.db, token, ctx.clock.now());
    const now = performance.now();
    if (cache.size >= TOKEN_CACHE_MAX) cache.clear();
    if (principal) cache.set(token, { principal, until: now + TOKEN_CACHE_TTL_MS, epoch });
    else cache.delete(token);
    return principal;
  };
  const policy = sessionPolicy(ctx.config);
  app.decorateRequest('principal', null);
  app.decorateRequest('consoleSession', null);
  // Callback style with a synchronous path for cached tokens: this runs on every API request.
  app.addHook('onRequest', (req, _reply, done) => {
    const url = req.url;
    if (!url.startsWith('/api/') || publicApiPaths.some((p) => url === p || url.startsWith(`${p}/`) || url.startsWith(`${p}?`))) {
      done();
      return;
    }
    const header = req.headers.authorization;
    const secret = header === undefined ? req.cookies?.[SESSION_COOKIE] : undefined;
    if (url === SESSION_PROBE || url.startsWith(`${SESSION_PROBE}?`)) {
      // "Am I signed in?" is answered, not refused: a live cookie's session, or none.
      if (!secret || req.method !== 'GET') {
        done();
        return;
      }
      resolveSession(ctx.database.db, ctx.clock, policy, secret).then((session) => {
        if (session) {
          req.principal = session.principal;
          req.consoleSession = session;
        }
        done();
      }, done);
      return;
    }
    if (secret) {
      resolveSession(ctx.database.db, ctx.clock, policy, secret).then((session) => {
        if (!session) {
          done(new AppError(401, 'unauthorized', 'the session has ended or is unknown; sign in again'));
          return;
        }
        if (!safeMethods.has(req.method) && !csrfMatches(req.headers['x-csrf-token'], session.csrfToken)) {
          done(new AppError(403, 'csrf_failed', 'send the session’s CSRF token (from sign-in or /api/v1/auth/me) as x-csrf-token'));
          return;
        }
        req.principal = session.principal;
        req.consoleSession = session;
        done();
      }, done);
      return;
    }
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      done(
        new AppError(
          401,
          'unauthorized',
          'sign in (POST /api/v1/auth/login), or send an API token as "Authorization: Bearer <token>" (create one with `amends token create`)',
        ),
      );
      return;
    }
    const token = match[1]!;
    const hit = cache.get(token);
    // A revocation since the entry was cached sends it back to the database.
    if (hit && hit.until > performance.now() && hit.epoch === tokenCacheEpoch()) {
      req.principal = hit.principal;
      done();
      return;
    }
    lookup(token).then((principal) => {
      if (!principal) {
        done(new AppError(401, 'unauthorized', 'the API token is unknown or revoked'));
        return;
      }
      req.principal = principal;
      done();
    }, done);
  });
}

/** The caller's principal, refused with 403 unless its role is at least `need`. */
export function requireRole(req: FastifyRequest, need: Role): Principal {
  const p = req.principal;
  if (!p) throw new AppError(401, 'unauthorized', 'an API token or a console session is required');
  if (!roleAtLeast(p.role, need)) {
    throw new AppError(403, 'forbidden', `this needs the ${need} role; the ${req.consoleSession ? 'user' : 'token'} has ${p.role}`);
  }
  return p;
}
