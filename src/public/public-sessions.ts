/**
 * Short browser sessions on customer pages (ADR 0009): the portal after a signed link, the community after a
 * member signs in. Like the console's sessions, the cookie carries 256 random bits and the row keeps their
 * SHA-256; each purpose has its own cookie, limited to its pages' path (`/help/<store>`, `/community/<store>`),
 * so a portal session is never a community session nor another store's. Forms carry the session's CSRF token
 * in a hidden `_csrf` field (the pages work without JavaScript).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.ts';
import type { AppContext } from '../platform/http/context.ts';
import { csrfMatches, hashSecret } from '../stores/sessions.service.ts';

export type PublicSessionPurpose = 'portal' | 'community';

export interface PublicSession {
  storeId: string;
  /** SHA-256 of the cookie's secret. */
  id: string;
  purpose: PublicSessionPurpose;
  customerId: string | null;
  memberId: string | null;
  csrfToken: string;
  expiresAt: string;
}

const COOKIE: Record<PublicSessionPurpose, string> = { portal: 'amends_portal', community: 'amends_community' };
const BASE: Record<PublicSessionPurpose, string> = { portal: '/help', community: '/community' };

/** The path a purpose's pages live under for a store, e.g. `/help/acme`. */
export function publicBasePath(purpose: PublicSessionPurpose, storeId: string): string {
  return `${BASE[purpose]}/${encodeURIComponent(storeId)}`;
}

function cookieOptions(ctx: AppContext, req: FastifyRequest, purpose: PublicSessionPurpose, storeId: string) {
  return {
    path: publicBasePath(purpose, storeId),
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: ctx.config.cookieSecure || req.protocol === 'https',
  };
}

/** Opens a session and sets its cookie on the reply. */
export async function openPublicSession(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  s: { storeId: string; purpose: PublicSessionPurpose; customerId?: string | null; memberId?: string | null; ttlMs: number },
  db: Kysely<DB> = ctx.database.db,
): Promise<PublicSession> {
  const now = ctx.clock.now();
  const secret = randomBytes(32).toString('base64url');
  const session: PublicSession = {
    storeId: s.storeId,
    id: hashSecret(secret),
    purpose: s.purpose,
    customerId: s.customerId ?? null,
    memberId: s.memberId ?? null,
    csrfToken: randomBytes(24).toString('base64url'),
    expiresAt: new Date(now.getTime() + s.ttlMs).toISOString(),
  };
  // Expired sessions of the store are swept as new ones open.
  await db.deleteFrom('public_sessions').where('store_id', '=', s.storeId).where('expires_at', '<=', now.toISOString()).execute();
  await db
    .insertInto('public_sessions')
    .values({
      store_id: session.storeId,
      id: session.id,
      purpose: session.purpose,
      customer_id: session.customerId,
      member_id: session.memberId,
      csrf_token: session.csrfToken,
      expires_at: session.expiresAt,
      created_at: now.toISOString(),
    })
    .execute();
  reply.setCookie(COOKIE[s.purpose], secret, { ...cookieOptions(ctx, req, s.purpose, s.storeId), maxAge: Math.floor(s.ttlMs / 1000) });
  return session;
}

/** The live session of this purpose for this store from the request's cookie, or undefined. */
export async function readPublicSession(
  ctx: AppContext,
  req: FastifyRequest,
  storeId: string,
  purpose: PublicSessionPurpose,
): Promise<PublicSession | undefined> {
  const secret = req.cookies[COOKIE[purpose]];
  if (!secret || secret.length > 200) return undefined;
  const row = await ctx.database.db
    .selectFrom('public_sessions')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('id', '=', hashSecret(secret))
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  if (!row || row.expires_at <= ctx.clock.now().toISOString()) return undefined;
  return {
    storeId: row.store_id,
    id: row.id,
    purpose,
    customerId: row.customer_id,
    memberId: row.member_id,
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at,
  };
}

/** Ends the session (sign-out) and clears its cookie. */
export async function endPublicSession(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, session: PublicSession): Promise<void> {
  await ctx.database.db.deleteFrom('public_sessions').where('store_id', '=', session.storeId).where('id', '=', session.id).execute();
  reply.clearCookie(COOKIE[session.purpose], cookieOptions(ctx, req, session.purpose, session.storeId));
}

/** True when a form's `_csrf` field matches the session's token. */
export function formCsrfOk(session: PublicSession, body: unknown): boolean {
  const sent = body && typeof body === 'object' ? (body as Record<string, unknown>)._csrf : undefined;
  return csrfMatches(sent, session.csrfToken);
}
