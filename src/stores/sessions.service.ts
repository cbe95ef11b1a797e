import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../platform/clock.ts';
import type { DB } from '../platform/db/schema.ts';
import { AppError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { hashPassword, verifyDummy, verifyPassword } from './passwords.ts';
import type { Role } from './roles.ts';
import type { Principal } from './stores.service.ts';

/**
 * Console sign-in (e-mail and password) and its server-side sessions.
 *
 * - The cookie carries a 256-bit random secret; the `sessions` row is keyed by
 *   its SHA-256, so a leaked table cannot be turned into cookies.
 * - A session ends after `idleMs` without a request (sliding: `expires_at` moves
 *   forward, at most once a minute) and at the latest `maxMs` after sign-in;
 *   sign-out deletes the row. Every request reads the row and the user's role
 *   (no cache), so a sign-out or a demotion takes effect on the next request.
 * - Five wrong passwords in a row lock the account for 15 minutes.
 */
export const SESSION_COOKIE = 'amends_session';
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
/** `last_seen_at` and the sliding expiry are written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

export function sessionPolicy(config: { sessionIdleMinutes: number; sessionMaxHours: number }): SessionPolicy {
  return { idleMs: config.sessionIdleMinutes * 60_000, maxMs: config.sessionMaxHours * 3_600_000 };
}

/** What login and `me` answer: who is signed in, to which store, and the token writes must echo. */
export const sessionBodySchema = z.object({
  user: z.object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.enum(['agent', 'manager', 'admin']),
    storeId: z.string(),
  }),
  store: z.object({ id: z.string(), name: z.string(), timezone: z.string(), currency: z.string() }),
  csrfToken: z.string().describe('send it as the x-csrf-token header on every POST/PUT/PATCH/DELETE made with the session cookie'),
});
export type SessionBody = z.infer<typeof sessionBodySchema>;

export interface ResolvedSession {
  /** The row's id (SHA-256 of the cookie's secret). */
  id: string;
  principal: Principal;
  csrfToken: string;
  expiresAt: string;
  /** The hard end: sign-in + the absolute lifetime. */
  endsAt: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of a sent CSRF token with the session's. */
export function csrfMatches(sent: unknown, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Counts a wrong password against the account (sign-in, or a password change that gives the current one).
 * One statement, so concurrent failures all count: the fifth locks and starts the count again.
 */
export async function recordFailedPassword(db: Kysely<DB>, storeId: string, userId: string, now: Date): Promise<void> {
  const until = iso(now.getTime() + LOCKOUT_MS);
  await db
    .updateTable('users')
    .set((eb) => ({
      failed_logins: eb
        .case()
        .when('failed_logins', '>=', MAX_FAILED_LOGINS - 1)
        .then(0)
        .else(eb('failed_logins', '+', 1))
        .end(),
      locked_until: eb
        .case()
        .when('failed_logins', '>=', MAX_FAILED_LOGINS - 1)
        .then(until)
        .else(eb.ref('locked_until'))
        .end(),
    }))
    .where('store_id', '=', storeId)
    .where('id', '=', userId)
    .execute();
}

export type LoginOutcome =
  | { kind: 'ok'; secret: string; session: ResolvedSession; body: SessionBody }
  /** No such store, no such user, or a user without a password: answered like a wrong password. */
  | { kind: 'unknown' }
  | { kind: 'wrong_password' }
  | { kind: 'locked'; until: string };

/**
 * Checks a store, e-mail and password. A locked account is refused before its
 * hash is read; an unknown one costs a dummy verification, so that neither
 * the answer nor its timing says which accounts exist.
 */
export async function login(
  db: Kysely<DB>,
  clock: Clock,
  policy: SessionPolicy,
  input: { store: string; email: string; password: string; userAgent?: string | undefined },
): Promise<LoginOutcome> {
  const email = input.email.trim().toLowerCase();
  const row = await db
    .selectFrom('users')
    .select(['id', 'password_hash', 'locked_until', 'disabled_at'])
    .where('store_id', '=', input.store)
    .where('email', '=', email)
    .executeTakeFirst();
  // A deactivated user is answered like an unknown one.
  if (!row?.password_hash || row.disabled_at !== null) {
    await verifyDummy(input.password);
    return { kind: 'unknown' };
  }
  const now = clock.now();
  if (row.locked_until && row.locked_until > now.toISOString()) return { kind: 'locked', until: row.locked_until };
  if (!(await verifyPassword(row.password_hash, input.password))) {
    await recordFailedPassword(db, input.store, row.id, now);
    return { kind: 'wrong_password' };
  }
  await db
    .updateTable('users')
    .set({ failed_logins: 0, locked_until: null, last_login_at: now.toISOString() })
    .where('store_id', '=', input.store)
    .where('id', '=', row.id)
    .execute();
  // Sessions of this user that ran out are swept here; an index on (store, user) makes it cheap.
  await db
    .deleteFrom('sessions')
    .where('store_id', '=', input.store)
    .where('user_id', '=', row.id)
    .where('expires_at', '<=', now.toISOString())
    .execute();

  const secret = randomBytes(32).toString('base64url');
  const id = hashSecret(secret);
  const csrfToken = randomBytes(32).toString('base64url');
  const endsAt = now.getTime() + policy.maxMs;
  const expiresAt = iso(Math.min(now.getTime() + policy.idleMs, endsAt));
  await db
    .insertInto('sessions')
    .values({
      id,
      store_id: input.store,
      user_id: row.id,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      last_seen_at: now.toISOString(),
      user_agent: input.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  const body = await sessionBody(db, input.store, row.id, csrfToken);
  if (!body) throw new Error(`user ${row.id} vanished while signing in`);
  const session: ResolvedSession = {
    id,
    principal: { tokenId: id, storeId: input.store, role: body.user.role, userId: row.id },
    csrfToken,
    expiresAt,
    endsAt: iso(endsAt),
  };
  return { kind: 'ok', secret, session, body };
}

/**
 * The live session for a cookie's secret, with the user's current role; undefined
 * when it is unknown, signed out or expired (an expired row is deleted).
 */
export async function resolveSession(
  db: Kysely<DB>,
  clock: Clock,
  policy: SessionPolicy,
  secret: string,
): Promise<ResolvedSession | undefined> {
  if (secret.length === 0 || secret.length > 200) return undefined;
  const id = hashSecret(secret);
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', (j) => j.onRef('u.store_id', '=', 's.store_id').onRef('u.id', '=', 's.user_id'))
    .select(['s.store_id', 's.user_id', 's.csrf_token', 's.created_at', 's.expires_at', 's.last_seen_at', 'u.role'])
    .where('s.id', '=', id)
    // Deactivating deletes the user's sessions; this also covers one that raced it.
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const now = clock.now();
  const nowMs = now.getTime();
  if (row.expires_at <= now.toISOString()) {
    await db.deleteFrom('sessions').where('id', '=', id).execute();
    return undefined;
  }
  const endsAt = Date.parse(row.created_at) + policy.maxMs;
  let expiresAt = row.expires_at;
  if (nowMs - Date.parse(row.last_seen_at) >= TOUCH_EVERY_MS) {
    expiresAt = iso(Math.min(nowMs + policy.idleMs, endsAt));
    // By id only: a sign-out that deleted the row meanwhile leaves nothing to update, so it is not undone.
    await db.updateTable('sessions').set({ last_seen_at: now.toISOString(), expires_at: expiresAt }).where('id', '=', id).execute();
  }
  return {
    id,
    principal: { tokenId: id, storeId: row.store_id, role: row.role as Role, userId: row.user_id },
    csrfToken: row.csrf_token,
    expiresAt,
    endsAt: iso(endsAt),
  };
}

/** Signs out: the session row is gone, so its cookie is refused from now on. */
export async function deleteSession(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

/** The body of login and `me`: the user (never the hash), the store and the CSRF token. */
export async function sessionBody(db: Kysely<DB>, storeId: string, userId: string, csrfToken: string): Promise<SessionBody | undefined> {
  const row = await db
    .selectFrom('users as u')
    .innerJoin('stores as st', 'st.id', 'u.store_id')
    .select(['u.id', 'u.email', 'u.name', 'u.role', 'st.id as store_id', 'st.name as store_name', 'st.timezone', 'st.currency'])
    .where('u.store_id', '=', storeId)
    .where('u.id', '=', userId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    user: { id: row.id, email: row.email, name: row.name, role: row.role as Role, storeId: row.store_id },
    store: { id: row.store_id, name: row.store_name, timezone: row.timezone, currency: row.currency },
    csrfToken,
  };
}

const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+$/, 'must be an e-mail address');

export interface ConsoleUserResult {
  user: { id: string; email: string; name: string | null; role: Role };
  created: boolean;
  /** Set when an existing user's role was changed. */
  previousRole: Role | null;
  /** Sessions ended because the password was reset. */
  sessionsEnded: number;
  /** The user had been deactivated and may sign in again. */
  reactivated: boolean;
}

/**
 * Creates a console user with a password, or resets an existing user's password
 * (and role, and name when given). A reset ends the user's sessions, lifts a lock
 * and reactivates a deactivated user (whoever runs it means them to sign in).
 */
export async function setUserPassword(
  db: Kysely<DB>,
  clock: Clock,
  input: { storeId: string; email: string; role: Role; name?: string | undefined; password: string },
): Promise<ConsoleUserResult> {
  const parsed = emailSchema.safeParse(input.email);
  if (!parsed.success) throw new AppError(400, 'invalid_request', `--email ${parsed.error.issues[0]?.message}`, 'email');
  const email = parsed.data;
  const passwordHash = await hashPassword(input.password);
  const existing = await db
    .selectFrom('users')
    .select(['id', 'name', 'role', 'disabled_at'])
    .where('store_id', '=', input.storeId)
    .where('email', '=', email)
    .executeTakeFirst();
  if (!existing) {
    const id = newId('usr', clock);
    const name = input.name ?? null;
    await db
      .insertInto('users')
      .values({
        store_id: input.storeId,
        id,
        email,
        name,
        role: input.role,
        created_at: clock.now().toISOString(),
        password_hash: passwordHash,
      })
      .execute();
    return { user: { id, email, name, role: input.role }, created: true, previousRole: null, sessionsEnded: 0, reactivated: false };
  }
  const name = input.name ?? existing.name;
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, role: input.role, name, failed_logins: 0, locked_until: null, disabled_at: null })
    .where('store_id', '=', input.storeId)
    .where('id', '=', existing.id)
    .execute();
  const ended = await db.deleteFrom('sessions').where('store_id', '=', input.storeId).where('user_id', '=', existing.id).executeTakeFirst();
  return {
    user: { id: existing.id, email, name, role: input.role },
    created: false,
    previousRole: existing.role === input.role ? null : (existing.role as Role),
    sessionsEnded: Number(ended.numDeletedRows),
    reactivated: existing.disabled_at !== null,
  };
}
