import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../platform/clock.ts';
import type { DB } from '../platform/db/schema.ts';
import { AppError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { type Role, roleAtLeast } from './roles.ts';

export const storeIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit');

export const timezoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Berlin');

export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code in capitals, e.g. USD');

export interface Store {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  createdAt: string;
}

export interface NewStore {
  id: string;
  name?: string | undefined;
  timezone?: string | undefined;
  currency?: string | undefined;
  /** Connects the store to a Shopify shop: its `*.myshopify.com` domain and the app secret that signs its webhooks. */
  shopifyDomain?: string | undefined;
  shopifySecret?: string | undefined;
}

export const shopifyDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, 'must be the shop’s permanent domain, e.g. my-shop.myshopify.com');

export const shopifySecretSchema = z
  .string()
  .min(8, 'must be the Shopify app’s API secret (8 characters or more)')
  .max(500)
  .regex(/^\S+$/, 'must not contain spaces');

export interface ShopifyConnection {
  domain: string;
  secret: string;
}

/** Both or neither: a domain without its secret could not verify a single webhook. */
function parseShopify(domain: string | undefined, secret: string | undefined): ShopifyConnection | null {
  if (domain === undefined && secret === undefined) return null;
  if (domain === undefined) throw new AppError(400, 'invalid_request', 'a Shopify secret needs the shop domain too', 'shopifyDomain');
  if (secret === undefined) throw new AppError(400, 'invalid_request', 'a Shopify domain needs the app secret too', 'shopifySecret');
  const d = shopifyDomainSchema.safeParse(domain);
  if (!d.success) throw new AppError(400, 'invalid_request', `shopifyDomain ${d.error.issues[0]?.message}`, 'shopifyDomain');
  const s = shopifySecretSchema.safeParse(secret);
  if (!s.success) throw new AppError(400, 'invalid_request', `shopifySecret ${s.error.issues[0]?.message}`, 'shopifySecret');
  return { domain: d.data, secret: s.data };
}

function domainTaken(domain: string, by: string): AppError {
  return new AppError(409, 'shopify_domain_taken', `${domain} is already connected to store ${by}`, 'shopifyDomain');
}

/** A unique-index violation (SQLite or PostgreSQL), i.e. another writer took the value first. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

async function ensureDomainFree(db: Kysely<DB>, domain: string, storeId: string): Promise<void> {
  const owner = await db.selectFrom('stores').select('id').where('shopify_domain', '=', domain).executeTakeFirst();
  if (owner && owner.id !== storeId) throw domainTaken(domain, owner.id);
}

export async function createStore(db: Kysely<DB>, clock: Clock, input: NewStore): Promise<Store> {
  const id = storeIdSchema.parse(input.id);
  const store = {
    id,
    name: input.name ?? id,
    timezone: timezoneSchema.parse(input.timezone ?? 'UTC'),
    currency: currencySchema.parse(input.currency ?? 'USD'),
    createdAt: clock.now().toISOString(),
  };
  const shopify = parseShopify(input.shopifyDomain, input.shopifySecret);
  if (shopify) await ensureDomainFree(db, shopify.domain, id);
  let inserted: { numInsertedOrUpdatedRows?: bigint };
  try {
    inserted = await db
      .insertInto('stores')
      .values({
        id,
        name: store.name,
        timezone: store.timezone,
        currency: store.currency,
        case_seq: 0,
        created_at: store.createdAt,
        ...(shopify ? { shopify_domain: shopify.domain, shopify_secret: shopify.secret } : {}),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
  } catch (err) {
    if (shopify && isUniqueViolation(err)) throw domainTaken(shopify.domain, 'another store');
    throw err;
  }
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
    throw new AppError(409, 'store_exists', `store ${id} already exists`, 'id');
  }
  return store;
}

/** Connects an existing store to a Shopify shop (or replaces its domain and secret). */
export async function connectShopify(
  db: Kysely<DB>,
  storeId: string,
  input: { domain: string; secret: string },
): Promise<{ storeId: string; domain: string }> {
  const shopify = parseShopify(input.domain, input.secret)!;
  if (!(await getStore(db, storeId))) throw new AppError(404, 'not_found', `store ${storeId} not found`, 'id');
  await ensureDomainFree(db, shopify.domain, storeId);
  try {
    await db
      .updateTable('stores')
      .set({ shopify_domain: shopify.domain, shopify_secret: shopify.secret })
      .where('id', '=', storeId)
      .execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw domainTaken(shopify.domain, 'another store');
    throw err;
  }
  return { storeId, domain: shopify.domain };
}

export async function getStore(db: Kysely<DB>, id: string): Promise<Store | undefined> {
  const row = await db.selectFrom('stores').selectAll().where('id', '=', id).executeTakeFirst();
  return row && { id: row.id, name: row.name, timezone: row.timezone, currency: row.currency, createdAt: row.created_at };
}

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

/** The user with this e-mail in the store, created with `role` if new. */
export async function ensureUser(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  input: { email: string; name?: string | undefined; role: Role },
): Promise<User> {
  const email = input.email.toLowerCase();
  await db
    .insertInto('users')
    .values({
      store_id: storeId,
      id: newId('usr', clock),
      email,
      name: input.name ?? null,
      role: input.role,
      created_at: clock.now().toISOString(),
    })
    .onConflict((oc) => oc.columns(['store_id', 'email']).doNothing())
    .execute();
  const row = await db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'role'])
    .where('store_id', '=', storeId)
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return { ...row, role: row.role as Role };
}

/** A user's display name, or null when the user is unknown or has none. */
export async function userName(db: Kysely<DB>, storeId: string, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const u = await db.selectFrom('users').select(['name']).where('store_id', '=', storeId).where('id', '=', userId).executeTakeFirst();
  return u?.name ?? null;
}

export interface UserListing extends User {
  createdAt: string;
  lastLoginAt: string | null;
  /** False for a user made without one (assignable on cases, cannot sign in). */
  canSignIn: boolean;
  /** When an admin deactivated the user; null while active. */
  disabledAt: string | null;
}

export function toUserListing(r: {
  id: string;
  email: string;
  name: string | null;
  role: string;
  created_at: string;
  last_login_at: string | null;
  password_hash: string | null;
  disabled_at: string | null;
}): UserListing {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role as Role,
    createdAt: r.created_at,
    lastLoginAt: r.last_login_at,
    canSignIn: r.password_hash !== null && r.disabled_at === null,
    disabledAt: r.disabled_at,
  };
}

export const userListingColumns = ['id', 'email', 'name', 'role', 'created_at', 'last_login_at', 'password_hash', 'disabled_at'] as const;

/** The store's users by e-mail: the active ones (whom work can go to), or with the deactivated ones too. */
export async function listUsers(db: Kysely<DB>, storeId: string, opts: { includeDisabled?: boolean } = {}): Promise<UserListing[]> {
  let q = db.selectFrom('users').select(userListingColumns).where('store_id', '=', storeId);
  if (!opts.includeDisabled) q = q.where('disabled_at', 'is', null);
  const rows = await q.orderBy('email').execute();
  return rows.map(toUserListing);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface CreatedToken {
  id: string;
  /** Shown once; only its SHA-256 is stored. */
  token: string;
  storeId: string;
  role: Role;
  userId: string | null;
}

/**
 * API tokens are 256 random bits, so a fast hash (SHA-256) is enough to store
 * them safely: there is nothing to brute-force as with a password.
 */
export async function createToken(
  db: Kysely<DB>,
  clock: Clock,
  input: { storeId: string; role: Role; name?: string | undefined; userId?: string | null; createdBy?: string | null },
): Promise<CreatedToken> {
  const store = await getStore(db, input.storeId);
  if (!store) throw new AppError(404, 'not_found', `store ${input.storeId} not found`, 'store');
  const token = `amd_${randomBytes(32).toString('base64url')}`;
  const id = newId('tok', clock);
  await db
    .insertInto('api_tokens')
    .values({
      id,
      store_id: input.storeId,
      user_id: input.userId ?? null,
      role: input.role,
      name: input.name ?? null,
      token_hash: hashToken(token),
      prefix: token.slice(0, 8),
      created_at: clock.now().toISOString(),
      last_used_at: null,
      revoked_at: null,
      created_by: input.createdBy ?? null,
    })
    .execute();
  return { id, token, storeId: input.storeId, role: input.role, userId: input.userId ?? null };
}

export interface Principal {
  tokenId: string;
  storeId: string;
  role: Role;
  userId: string | null;
}

/** `last_used_at` is written at most this often per token: it says "in use lately", not an access log. */
const TOKEN_TOUCH_EVERY_MS = 60_000;

/**
 * The live token's principal: not revoked, and not bound to a deactivated user. With `now`, its
 * `last_used_at` moves forward (at most once a minute).
 */
export async function findToken(db: Kysely<DB>, token: string, now?: Date): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('api_tokens as t')
    .leftJoin('users as u', (j) => j.onRef('u.store_id', '=', 't.store_id').onRef('u.id', '=', 't.user_id'))
    .select(['t.id', 't.store_id', 't.role', 't.user_id', 't.last_used_at', 'u.role as user_role', 'u.disabled_at'])
    .where('t.token_hash', '=', hashToken(token))
    .where('t.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.disabled_at) return undefined;
  // A token acting as a user never does more than that user may now (a demotion counts at once).
  const role = row.user_role && !roleAtLeast(row.user_role as Role, row.role as Role) ? (row.user_role as Role) : (row.role as Role);
  if (now && (row.last_used_at === null || Date.parse(row.last_used_at) <= now.getTime() - TOKEN_TOUCH_EVERY_MS)) {
    await db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
  }
  return { tokenId: row.id, storeId: row.store_id, role, userId: row.user_id };
}

/**
 * Bumped whenever tokens stop being valid (revoked, their user deactivated). The HTTP layer caches
 * verified tokens briefly; an entry cached under an older epoch is looked up again, so a revocation
 * counts at once in this process (other processes: within the cache's lifetime).
 */
let tokenEpoch = 0;
export function tokenCacheEpoch(): number {
  return tokenEpoch;
}
export function invalidateTokenCache(): void {
  tokenEpoch++;
}
