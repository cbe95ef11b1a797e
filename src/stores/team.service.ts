/**
 * The store's people and API tokens, as an admin manages them in the console: create, change role,
 * reset a password, deactivate (and reactivate) users; create and revoke tokens. Every change is one
 * transaction with its audit entry. Two rules hold across all of it:
 *
 * - A store always keeps an active admin: the last one cannot be demoted or deactivated. Changes to
 *   admins are serialized per store (PostgreSQL locks the store row; SQLite has one writer), so two
 *   admins demoting each other at once cannot both win.
 * - A deactivated user keeps their row (their name stays on cases, notes and the audit log) but can do
 *   nothing: sign-in is refused, sessions are deleted, their tokens revoked, their open cases go back to
 *   the queue, and nothing can be assigned to them.
 */
import { type Kysely, sql } from 'kysely';
import { recordActivity } from '../cases/case-timeline.ts';
import { type AuditActor, appendAudit } from '../platform/audit.ts';
import type { Clock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import type { DB } from '../platform/db/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { hashPassword, passwordProblem, randomPassword, verifyPassword } from './passwords.ts';
import { type Role, roleAtLeast, roles } from './roles.ts';
import { recordFailedPassword } from './sessions.service.ts';
import { loadSettings } from './store-settings.ts';
import {
  createToken,
  getStore,
  invalidateTokenCache,
  type Principal,
  type Store,
  toUserListing,
  type UserListing,
  userListingColumns,
} from './stores.service.ts';

/** The person behind a request, for the audit log: their user, or the token when it has none. */
export function auditActor(p: Principal): AuditActor & { type: 'user' | 'token' } {
  return p.userId ? { type: 'user', id: p.userId } : { type: 'token', id: p.tokenId };
}

/** Admin changes of one store run one at a time (see the file comment). SQLite: its one writer already does. */
export async function lockStore(database: Database, tx: Kysely<DB>, storeId: string): Promise<void> {
  if (database.dialect === 'postgres') await sql`select 1 from stores where id = ${storeId} for update`.execute(tx);
}

/** A unique-index violation (SQLite or PostgreSQL): another writer took the value first. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

async function loadUser(tx: Kysely<DB>, storeId: string, userId: string) {
  const row = await tx
    .selectFrom('users')
    .select([...userListingColumns, 'locked_until'])
    .where('store_id', '=', storeId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!row) throw notFound('user', userId);
  return row;
}

/** 409 unless another active admin remains once `userId` stops being one. */
async function ensureAnotherAdmin(tx: Kysely<DB>, storeId: string, userId: string, what: string, path?: string): Promise<void> {
  const other = await tx
    .selectFrom('users')
    .select('id')
    .where('store_id', '=', storeId)
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    // One who can sign in to the console: an admin made for an API token (no password) cannot manage people.
    .where('password_hash', 'is not', null)
    .where('id', '!=', userId)
    .limit(1)
    .executeTakeFirst();
  if (!other) {
    throw new AppError(409, 'last_admin', `${what}: this is the store's last active admin; make someone else an admin first`, path);
  }
}

const userAudit = (u: { email: string; name: string | null; role: string; disabled_at?: string | null }) => ({
  email: u.email,
  name: u.name,
  role: u.role,
  ...(u.disabled_at !== undefined ? { disabledAt: u.disabled_at } : {}),
});

// ---------------------------------------------------------------------------
// Store profile

export interface StoreProfileInput {
  name?: string | undefined;
  timezone?: string | undefined;
  currency?: string | undefined;
}

/** Name and time zone; the currency only while no money has been recorded in it. */
export async function updateStoreProfile(database: Database, clock: Clock, p: Principal, input: StoreProfileInput): Promise<Store> {
  const at = clock.now().toISOString();
  return database.db.transaction().execute(async (tx) => {
    await lockStore(database, tx, p.storeId);
    const before = await getStore(tx, p.storeId);
    if (!before) throw notFound('store', p.storeId);
    const after = {
      name: input.name ?? before.name,
      timezone: input.timezone ?? before.timezone,
      currency: input.currency ?? before.currency,
    };
    if (after.currency !== before.currency) {
      const money = await sql<{ n: number }>`select
          (select count(*) from orders where store_id = ${p.storeId})
        + (select count(*) from payments where store_id = ${p.storeId})
        + (select count(*) from refunds where store_id = ${p.storeId})
        + (select count(*) from compensations where store_id = ${p.storeId}) as n`.execute(tx);
      if (Number(money.rows[0]?.n ?? 0) > 0) {
        throw new AppError(
          409,
          'currency_locked',
          `the store already has orders, payments or remedies in ${before.currency}; its currency cannot change`,
          'currency',
        );
      }
    }
    if (after.name === before.name && after.timezone === before.timezone && after.currency === before.currency) return before;
    await tx.updateTable('stores').set(after).where('id', '=', p.storeId).execute();
    await appendAudit(tx, {
      storeId: p.storeId,
      at,
      actor: auditActor(p),
      action: 'store.updated',
      subjectType: 'store',
      subjectId: p.storeId,
      before: { name: before.name, timezone: before.timezone, currency: before.currency },
      after,
    });
    return { ...before, ...after };
  });
}

// ---------------------------------------------------------------------------
// Users

export interface NewUserInput {
  email: string;
  name?: string | null | undefined;
  role: Role;
  password?: string | undefined;
}

export interface UserWithPassword {
  user: UserListing;
  /** The generated password, shown once; null when the admin chose it. */
  password: string | null;
}

function checkPassword(password: string, path = 'password'): void {
  const problem = passwordProblem(password);
  if (problem) throw new AppError(400, 'invalid_request', `the password ${problem}`, path);
}

/** A console user with a password (given, or generated and answered once). */
export async function createUser(database: Database, clock: Clock, p: Principal, input: NewUserInput): Promise<UserWithPassword> {
  const email = input.email.trim().toLowerCase();
  const password = input.password ?? randomPassword();
  checkPassword(password);
  const passwordHash = await hashPassword(password); // slow: outside the transaction
  const at = clock.now().toISOString();
  const id = newId('usr', clock);
  const taken = (disabled: boolean) =>
    new AppError(
      409,
      'email_taken',
      disabled
        ? `${email} belongs to a deactivated user of this store; reactivate them instead`
        : `${email} already belongs to a user of this store`,
      'email',
    );
  try {
    const user = await database.db.transaction().execute(async (tx) => {
      const existing = await tx
        .selectFrom('users')
        .select(['id', 'disabled_at'])
        .where('store_id', '=', p.storeId)
        .where('email', '=', email)
        .executeTakeFirst();
      if (existing) throw taken(existing.disabled_at !== null);
      const row = {
        store_id: p.storeId,
        id,
        email,
        name: input.name?.trim() || null,
        role: input.role,
        created_at: at,
        password_hash: passwordHash,
      };
      await tx.insertInto('users').values(row).execute();
      await appendAudit(tx, {
        storeId: p.storeId,
        at,
        actor: auditActor(p),
        action: 'user.created',
        subjectType: 'user',
        subjectId: id,
        after: userAudit(row),
      });
      return loadUser(tx, p.storeId, id);
    });
    return { user: toUserListing(user), password: input.password === undefined ? password : null };
  } catch (err) {
    if (isUniqueViolation(err)) throw taken(false);
    throw err;
  }
}

export interface UserChanges {
  name?: string | null | undefined;
  role?: Role | undefined;
}

/** Name and role. Demoting the last active admin is refused; tokens bound to the user above the new role are revoked. */
export async function updateUser(
  database: Database,
  clock: Clock,
  p: Principal,
  userId: string,
  input: UserChanges,
): Promise<{ user: UserListing; tokensRevoked: number }> {
  const at = clock.now().toISOString();
  const result = await database.db.transaction().execute(async (tx) => {
    await lockStore(database, tx, p.storeId);
    const before = await loadUser(tx, p.storeId, userId);
    if (before.disabled_at !== null) {
      throw new AppError(409, 'user_disabled', `user ${before.email} is deactivated; reactivate them first`);
    }
    const name = input.name === undefined ? before.name : input.name?.trim() || null;
    const role = input.role ?? (before.role as Role);
    if (name === before.name && role === before.role) return { user: before, tokensRevoked: 0 };
    if (before.role === 'admin' && role !== 'admin') await ensureAnotherAdmin(tx, p.storeId, userId, 'role', 'role');
    await tx.updateTable('users').set({ name, role }).where('store_id', '=', p.storeId).where('id', '=', userId).execute();
    let tokensRevoked = 0;
    const above = roles.filter((r) => !roleAtLeast(role, r));
    if (above.length > 0) {
      const r = await tx
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('store_id', '=', p.storeId)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('role', 'in', above)
        .executeTakeFirst();
      tokensRevoked = Number(r.numUpdatedRows);
    }
    await appendAudit(tx, {
      storeId: p.storeId,
      at,
      actor: auditActor(p),
      action: 'user.updated',
      subjectType: 'user',
      subjectId: userId,
      before: userAudit(before),
      after: { ...userAudit({ ...before, name, role }), ...(tokensRevoked ? { tokensRevoked } : {}) },
    });
    return { user: await loadUser(tx, p.storeId, userId), tokensRevoked };
  });
  if (result.tokensRevoked > 0) invalidateTokenCache();
  return { user: toUserListing(result.user), tokensRevoked: result.tokensRevoked };
}

export interface PasswordChange {
  /** The new password; an admin resetting someone else's may leave it out to get a generated one. */
  password?: string | undefined;
  /** Required when people change their own password. */
  currentPassword?: string | undefined;
}

/**
 * An admin resets anyone's password; anyone changes their own by giving the current one (wrong answers
 * count towards the sign-in lock). The user's other sessions end; a self-change keeps the current one.
 */
export async function changePassword(
  database: Database,
  clock: Clock,
  p: Principal,
  currentSessionId: string | null,
  userId: string,
  input: PasswordChange,
): Promise<UserWithPassword & { sessionsEnded: number }> {
  const db = database.db;
  const self = p.userId === userId;
  if (!self && p.role !== 'admin') {
    throw new AppError(403, 'forbidden', `only an admin can reset another person's password; you have ${p.role}`);
  }
  const now = clock.now();
  const user = await loadUser(db, p.storeId, userId);
  if (user.disabled_at !== null) throw new AppError(409, 'user_disabled', `user ${user.email} is deactivated; reactivate them first`);
  if (self) {
    if (!input.currentPassword) {
      throw new AppError(400, 'invalid_request', 'give your current password to change it', 'currentPassword');
    }
    if (user.locked_until && user.locked_until > now.toISOString()) {
      throw new AppError(429, 'too_many_attempts', 'too many wrong passwords; the account is locked for a while', 'currentPassword');
    }
    if (!user.password_hash || !(await verifyPassword(user.password_hash, input.currentPassword))) {
      await recordFailedPassword(db, p.storeId, userId, now);
      throw new AppError(403, 'wrong_password', 'the current password is wrong', 'currentPassword');
    }
    if (input.password === undefined) throw new AppError(400, 'invalid_request', 'choose a new password', 'password');
  }
  const password = input.password ?? randomPassword();
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  const at = now.toISOString();
  const sessionsEnded = await db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, failed_logins: 0, locked_until: null })
      .where('store_id', '=', p.storeId)
      .where('id', '=', userId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw new AppError(409, 'user_disabled', `user ${user.email} was deactivated meanwhile`);
    let ended = tx.deleteFrom('sessions').where('store_id', '=', p.storeId).where('user_id', '=', userId);
    if (self && currentSessionId) ended = ended.where('id', '!=', currentSessionId);
    const r = await ended.executeTakeFirst();
    await appendAudit(tx, {
      storeId: p.storeId,
      at,
      actor: auditActor(p),
      action: self ? 'user.password_changed' : 'user.password_reset',
      subjectType: 'user',
      subjectId: userId,
      after: { generated: input.password === undefined, sessionsEnded: Number(r.numDeletedRows) },
    });
    return Number(r.numDeletedRows);
  });
  const fresh = await loadUser(db, p.storeId, userId);
  return { user: toUserListing(fresh), password: input.password === undefined ? password : null, sessionsEnded };
}

export interface Deactivation {
  user: UserListing;
  sessionsEnded: number;
  tokensRevoked: number;
  /** Open cases that were theirs, back in their queue unassigned. */
  casesUnassigned: number;
  /** Customers they were the relationship manager of, now without one. */
  customersReleased: number;
}

/** Deactivates a user (see the file comment). Already deactivated: answered as is. */
export async function deactivateUser(database: Database, clock: Clock, p: Principal, userId: string): Promise<Deactivation> {
  if (p.userId === userId) {
    throw new AppError(409, 'cannot_disable_self', 'you cannot deactivate yourself; ask another admin');
  }
  const at = clock.now().toISOString();
  const actor = auditActor(p);
  const result = await database.db.transaction().execute(async (tx) => {
    await lockStore(database, tx, p.storeId);
    const before = await loadUser(tx, p.storeId, userId);
    if (before.disabled_at !== null) {
      return { user: before, sessionsEnded: 0, tokensRevoked: 0, casesUnassigned: 0, customersReleased: 0 };
    }
    if (before.role === 'admin') await ensureAnotherAdmin(tx, p.storeId, userId, 'deactivate');
    // New cases would keep going to them: the rule has to change first.
    const { settings } = await loadSettings(tx, p.storeId);
    const ruleIndex = (settings.routing?.rules ?? []).findIndex((r) => r.assignTo === userId);
    if (ruleIndex >= 0) {
      const rule = settings.routing!.rules[ruleIndex]!;
      throw new AppError(
        409,
        'user_in_routing_rule',
        `routing rule ${rule.name ? `"${rule.name}"` : `#${ruleIndex + 1}`} assigns cases to ${before.email}; change it first`,
        `routing.rules[${ruleIndex}].assignTo`,
      );
    }
    await tx.updateTable('users').set({ disabled_at: at }).where('store_id', '=', p.storeId).where('id', '=', userId).execute();
    const sessions = await tx.deleteFrom('sessions').where('store_id', '=', p.storeId).where('user_id', '=', userId).executeTakeFirst();
    const tokens = await tx
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('store_id', '=', p.storeId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const open = await tx
      .updateTable('cases')
      .set({ assignee_id: null, updated_at: at })
      .where('store_id', '=', p.storeId)
      .where('assignee_id', '=', userId)
      .where('status', 'not in', ['resolved', 'closed'])
      .returning('id')
      .execute();
    for (const c of open) {
      await recordActivity(tx, p.storeId, c.id, at, actor, 'assignee.changed', {
        from: userId,
        to: null,
        reason: 'the assignee was deactivated',
      });
    }
    const customers = await tx
      .updateTable('customers')
      .set({ relationship_manager_id: null })
      .where('store_id', '=', p.storeId)
      .where('relationship_manager_id', '=', userId)
      .executeTakeFirst();
    const counts = {
      sessionsEnded: Number(sessions.numDeletedRows),
      tokensRevoked: Number(tokens.numUpdatedRows),
      casesUnassigned: open.length,
      customersReleased: Number(customers.numUpdatedRows),
    };
    await appendAudit(tx, {
      storeId: p.storeId,
      at,
      actor,
      action: 'user.deactivated',
      subjectType: 'user',
      subjectId: userId,
      before: userAudit(before),
      after: { ...userAudit({ ...before, disabled_at: at }), ...counts },
    });
    return { user: await loadUser(tx, p.storeId, userId), ...counts };
  });
  // Revoked rows are already refused by the database; the cache must not keep answering for them.
  invalidateTokenCache();
  return { ...result, user: toUserListing(result.user) };
}

/** Lets a deactivated user sign in again (with their old password; their revoked tokens stay revoked). */
export async function reactivateUser(database: Database, clock: Clock, p: Principal, userId: string): Promise<UserListing> {
  const at = clock.now().toISOString();
  const user = await database.db.transaction().execute(async (tx) => {
    await lockStore(database, tx, p.storeId);
    const before = await loadUser(tx, p.storeId, userId);
    if (before.disabled_at === null) return before;
    await tx
      .updateTable('users')
      .set({ disabled_at: null, failed_logins: 0, locked_until: null })
      .where('store_id', '=', p.storeId)
      .where('id', '=', userId)
      .execute();
    await appendAudit(tx, {
      storeId: p.storeId,
      at,
      actor: auditActor(p),
      action: 'user.reactivated',
      subjectType: 'user',
      subjectId: userId,
      before: userAudit(before),
      after: userAudit({ ...before, disabled_at: null }),
    });
    return loadUser(tx, p.storeId, userId);
  });
  return toUserListing(user);
}

// ---------------------------------------------------------------------------
// API tokens

export interface TokenListing {
  id: string;
  name: string | null;
  role: Role;
  /** The first characters of the token, to tell tokens apart (`amd_AbCd`). */
  prefix: string;
  /** The user it acts as (its actions are theirs), or null for a store integration token. */
  user: { id: string; email: string; name: string | null } | null;
  /** Who created it in the console; null for one made with `amends token create`. */
  createdBy: { id: string; email: string; name: string | null } | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function tokensQuery(db: Kysely<DB>, storeId: string) {
  return db
    .selectFrom('api_tokens as t')
    .leftJoin('users as u', (j) => j.onRef('u.store_id', '=', 't.store_id').onRef('u.id', '=', 't.user_id'))
    .leftJoin('users as c', (j) => j.onRef('c.store_id', '=', 't.store_id').onRef('c.id', '=', 't.created_by'))
    .select([
      't.id',
      't.name',
      't.role',
      't.prefix',
      't.created_at',
      't.last_used_at',
      't.revoked_at',
      't.user_id',
      'u.email as user_email',
      'u.name as user_name',
      't.created_by',
      'c.email as creator_email',
      'c.name as creator_name',
    ])
    .where('t.store_id', '=', storeId);
}

type TokenRow = Awaited<ReturnType<ReturnType<typeof tokensQuery>['executeTakeFirstOrThrow']>>;

function toTokenListing(r: TokenRow): TokenListing {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    prefix: r.prefix,
    user: r.user_id && r.user_email ? { id: r.user_id, email: r.user_email, name: r.user_name ?? null } : null,
    createdBy: r.created_by && r.creator_email ? { id: r.created_by, email: r.creator_email, name: r.creator_name ?? null } : null,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

/** Every token of the store, newest first, revoked ones included (never the hash). */
export async function listTokens(db: Kysely<DB>, storeId: string): Promise<TokenListing[]> {
  const rows = await tokensQuery(db, storeId).orderBy('t.created_at', 'desc').orderBy('t.id', 'desc').execute();
  return rows.map(toTokenListing);
}

/** A new token, answered once in full. Bound to a user, it may not have a role above theirs. */
export async function createApiToken(
  database: Database,
  clock: Clock,
  p: Principal,
  input: { name: string; role: Role; userId?: string | null | undefined },
): Promise<TokenListing & { token: string }> {
  const at = clock.now().toISOString();
  return database.db.transaction().execute(async (tx) => {
    // After any demotion or deactivation of that user has committed, not beside it.
    await lockStore(database, tx, p.storeId);
    if (input.userId) {
      const u = await tx
        .selectFrom('users')
        .select(['role', 'email', 'disabled_at'])
        .where('store_id', '=', p.storeId)
        .where('id', '=', input.userId)
        .executeTakeFirst();
      if (!u || u.disabled_at !== null) {
        throw new AppError(400, 'invalid_request', `no active user ${input.userId} in this store`, 'userId');
      }
      if (!roleAtLeast(u.role as Role, input.role)) {
        throw new AppError(400, 'invalid_request', `a token acting as ${u.email} (${u.role}) cannot have the ${input.role} role`, 'role');
      }
    }
    const created = await createToken(tx, clock, {
      storeId: p.storeId,
      role: input.role,
      name: input.name.trim(),
      userId: input.userId ?? null,
      createdBy: p.userId,
    });
    await appendAudit(tx, {
      storeId: p.storeId,
      at,
      actor: auditActor(p),
      action: 'token.created',
      subjectType: 'token',
      subjectId: created.id,
      after: { name: input.name.trim(), role: input.role, userId: input.userId ?? null, prefix: created.token.slice(0, 8) },
    });
    const row = await tokensQuery(tx, p.storeId).where('t.id', '=', created.id).executeTakeFirstOrThrow();
    return { ...toTokenListing(row), token: created.token };
  });
}

/** Revokes a token: refused from the next request on. Already revoked: answered as is. */
export async function revokeToken(database: Database, clock: Clock, p: Principal, tokenId: string): Promise<TokenListing> {
  const at = clock.now().toISOString();
  const row = await database.db.transaction().execute(async (tx) => {
    const before = await tokensQuery(tx, p.storeId).where('t.id', '=', tokenId).executeTakeFirst();
    if (!before) throw notFound('token', tokenId);
    if (before.revoked_at !== null) return before;
    await tx.updateTable('api_tokens').set({ revoked_at: at }).where('store_id', '=', p.storeId).where('id', '=', tokenId).execute();
    await appendAudit(tx, {
      storeId: p.storeId,
      at,
      actor: auditActor(p),
      action: 'token.revoked',
      subjectType: 'token',
      subjectId: tokenId,
      before: { name: before.name, role: before.role, prefix: before.prefix },
    });
    return tokensQuery(tx, p.storeId).where('t.id', '=', tokenId).executeTakeFirstOrThrow();
  });
  invalidateTokenCache();
  return toTokenListing(row);
}
