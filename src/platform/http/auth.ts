import type { FastifyRequest } from 'fastify';
import { type Role, roleAtLeast } from '../../stores/roles.ts';
import { findToken, type Principal } from '../../stores/stores.service.ts';
import { AppError } from '../errors.ts';
import type { App, AppContext } from './context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const publicApiPaths = ['/api/docs', '/api/openapi.json'];

/**
 * Verified tokens are remembered briefly so that a busy integration does not
 * pay a database lookup per request. A revoked token stops working within TTL.
 */
const TOKEN_CACHE_TTL_MS = 10_000;
const TOKEN_CACHE_MAX = 10_000;

/**
 * Bearer tokens on /api/**. A token carries exactly one store; routes read the
 * store from the principal, never from the request.
 */
export function registerAuth(app: App, ctx: AppContext): void {
  const cache = new Map<string, { principal: Principal; until: number }>();
  // Cache misses go to the database. A monotonic timer, not the domain clock: this is housekeeping, not event time.
  const lookup = async (token: string): Promise<Principal | undefined> => {
    const principal = await findToken(ctx.database.db, token);
    const now = performance.now();
    if (cache.size >= TOKEN_CACHE_MAX) cache.clear();
    if (principal) cache.set(token, { principal, until: now + TOKEN_CACHE_TTL_MS });
    else cache.delete(token);
    return principal;
  };
  app.decorateRequest('principal', null);
  // Callback style with a synchronous path for cached tokens: this runs on every API request.
  app.addHook('onRequest', (req, _reply, done) => {
    const url = req.url;
    if (!url.startsWith('/api/') || publicApiPaths.some((p) => url === p || url.startsWith(`${p}/`) || url.startsWith(`${p}?`))) {
      done();
      return;
    }
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      done(
        new AppError(401, 'unauthorized', 'send an API token as "Authorization: Bearer <token>" (create one with `amends token create`)'),
      );
      return;
    }
    const token = match[1]!;
    const hit = cache.get(token);
    if (hit && hit.until > performance.now()) {
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
  if (!p) throw new AppError(401, 'unauthorized', 'an API token is required');
  if (!roleAtLeast(p.role, need)) {
    throw new AppError(403, 'forbidden', `this needs the ${need} role; the token has ${p.role}`);
  }
  return p;
}
