/**
 * Links sent to customers (ADR 0009): portal sign-in, survey answers, community sign-in.
 *
 * - The URL carries 256 random bits (base64url); the `signed_links` row keeps only their SHA-256, with the
 *   store, the purpose, the subject and the expiry. A link is looked up with the store of the URL it arrived
 *   on and the purpose of the page, so a link for another store or another page is simply not found.
 * - A single-use link is spent by one conditional update (`used_at is null and expires_at > now`): of two
 *   concurrent uses exactly one wins, on both engines.
 * - GET requests only look (`peekLink`); spending happens on POST (`spendLink`), so mail scanners that
 *   prefetch links change nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../platform/db/schema.ts';
import { hashSecret } from '../stores/sessions.service.ts';

export type LinkPurpose = 'portal' | 'survey' | 'survey-comment' | 'community';

export interface NewLink {
  storeId: string;
  purpose: LinkPurpose;
  subjectType: string;
  subjectId: string;
  customerId?: string | null;
  data?: Record<string, unknown>;
  /** How long the link works. */
  ttlMs: number;
}

export interface LinkRow {
  storeId: string;
  /** SHA-256 of the token (the row's id). */
  id: string;
  purpose: LinkPurpose;
  subjectType: string;
  subjectId: string;
  customerId: string | null;
  data: Record<string, unknown>;
  expiresAt: string;
  usedAt: string | null;
  createdAt: string;
}

export type LinkState = { ok: true; link: LinkRow } | { ok: false; reason: 'not_found' | 'expired' | 'used'; link?: LinkRow };

/** A token has this shape; anything else is not looked up at all. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export function isTokenShaped(token: string): boolean {
  return TOKEN_RE.test(token);
}

/** Creates a link in the caller's transaction; returns the token to put in the URL (shown only now). */
export async function createLink(
  db: Kysely<DB> | Transaction<DB>,
  link: NewLink,
  now: Date,
): Promise<{ token: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + link.ttlMs).toISOString();
  await db
    .insertInto('signed_links')
    .values({
      store_id: link.storeId,
      id: hashSecret(token),
      purpose: link.purpose,
      subject_type: link.subjectType,
      subject_id: link.subjectId,
      customer_id: link.customerId ?? null,
      data: JSON.stringify(link.data ?? {}),
      expires_at: expiresAt,
      used_at: null,
      created_at: now.toISOString(),
    })
    .execute();
  return { token, expiresAt };
}

function toRow(r: DB['signed_links'] extends infer T ? { [K in keyof T]: T[K] } : never): LinkRow {
  return {
    storeId: r.store_id,
    id: r.id,
    purpose: r.purpose as LinkPurpose,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    customerId: r.customer_id,
    data: JSON.parse(r.data) as Record<string, unknown>,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
    createdAt: r.created_at,
  };
}

/** Reads a link without changing it: found (for this store and purpose), expired or already used. */
export async function peekLink(
  db: Kysely<DB> | Transaction<DB>,
  storeId: string,
  purpose: LinkPurpose,
  token: string,
  now: Date,
): Promise<LinkState> {
  if (!isTokenShaped(token)) return { ok: false, reason: 'not_found' };
  const r = await db
    .selectFrom('signed_links')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('id', '=', hashSecret(token))
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  if (!r) return { ok: false, reason: 'not_found' };
  const link = toRow(r);
  if (link.usedAt) return { ok: false, reason: 'used', link };
  if (link.expiresAt <= now.toISOString()) return { ok: false, reason: 'expired', link };
  return { ok: true, link };
}

/**
 * Spends a single-use link: one conditional update, so only one caller ever gets `ok`. Pass the transaction
 * that writes what the link was for, so the spending and its effect commit together.
 */
export async function spendLink(
  db: Kysely<DB> | Transaction<DB>,
  storeId: string,
  purpose: LinkPurpose,
  token: string,
  now: Date,
): Promise<LinkState> {
  const seen = await peekLink(db, storeId, purpose, token, now);
  if (!seen.ok) return seen;
  const at = now.toISOString();
  const res = await db
    .updateTable('signed_links')
    .set({ used_at: at })
    .where('store_id', '=', storeId)
    .where('id', '=', seen.link.id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return { ok: false, reason: 'used', link: seen.link };
  return { ok: true, link: { ...seen.link, usedAt: at } };
}
