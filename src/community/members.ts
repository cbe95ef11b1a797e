/**
 * Community members: people who signed in with a link sent to their e-mail (ADR 0009). The first sign-in asks
 * for a display name and makes the member; an address of an active console user of the store makes a staff
 * member (`user_id`, staff badge). A member who is also a customer of the store is linked to them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { queueNotice } from '../channels/email/notice.ts';
import type { DB } from '../platform/db/schema.ts';
import { AppError } from '../platform/errors.ts';
import type { AppContext } from '../platform/http/context.ts';
import { newId } from '../platform/ids.ts';
import { publicBaseUrl } from '../public/base-url.ts';
import { openPublicSession } from '../public/public-sessions.ts';
import { createLink, peekLink, spendLink } from '../public/signed-links.ts';

/** A sign-in link works once, for this long. */
export const SIGN_IN_LINK_TTL_MS = 30 * 60_000;
/** A member's session on the community pages. */
export const COMMUNITY_SESSION_TTL_MS = 30 * 24 * 3_600_000;
/** Sign-in links mailed to one address per hour; more requests are answered the same way and send nothing. */
export const SIGN_IN_LINKS_PER_HOUR = 3;

export const DISPLAY_NAME_MAX = 40;

export interface Member {
  id: string;
  storeId: string;
  email: string;
  displayName: string;
  customerId: string | null;
  userId: string | null;
  reputation: number;
  bannedAt: string | null;
  /** A console user of the store, still active. */
  staff: boolean;
  createdAt: string;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A display name as people will see it: trimmed, inner spaces collapsed; `undefined` with a reason when unusable. */
export function checkDisplayName(raw: unknown): { ok: true; name: string } | { ok: false; message: string } {
  const name = typeof raw === 'string' ? raw.replace(/\s+/g, ' ').trim() : '';
  if (name.length < 2) return { ok: false, message: 'Choose a name of at least 2 characters.' };
  if (name.length > DISPLAY_NAME_MAX) return { ok: false, message: `Keep your name to ${DISPLAY_NAME_MAX} characters.` };
  // Control characters and look-alike tricks (bidi overrides) have no place in a name shown to others.
  if (/[\p{Cc}\p{Cf}]/u.test(name)) return { ok: false, message: 'Use letters, digits, spaces and punctuation only.' };
  if (/^staff$|moderator|admin/i.test(name)) return { ok: false, message: 'That name is reserved; choose another.' };
  return { ok: true, name };
}

type MemberRow = {
  id: string;
  store_id: string;
  email: string;
  display_name: string;
  customer_id: string | null;
  user_id: string | null;
  reputation: number;
  banned_at: string | null;
  created_at: string;
  active_user: string | null;
};

function memberQuery(db: Kysely<DB>, storeId: string) {
  return db
    .selectFrom('community_members as m')
    .leftJoin('users as u', (j) => j.onRef('u.store_id', '=', 'm.store_id').onRef('u.id', '=', 'm.user_id').on('u.disabled_at', 'is', null))
    .select([
      'm.id',
      'm.store_id',
      'm.email',
      'm.display_name',
      'm.customer_id',
      'm.user_id',
      'm.reputation',
      'm.banned_at',
      'm.created_at',
      'u.id as active_user',
    ])
    .where('m.store_id', '=', storeId);
}

function toMember(r: MemberRow): Member {
  return {
    id: r.id,
    storeId: r.store_id,
    email: r.email,
    displayName: r.display_name,
    customerId: r.customer_id,
    userId: r.user_id,
    reputation: Number(r.reputation),
    bannedAt: r.banned_at,
    staff: r.active_user !== null,
    createdAt: r.created_at,
  };
}

export async function loadMember(db: Kysely<DB>, storeId: string, id: string): Promise<Member | undefined> {
  const r = await memberQuery(db, storeId).where('m.id', '=', id).executeTakeFirst();
  return r ? toMember(r) : undefined;
}

export async function memberByEmail(db: Kysely<DB>, storeId: string, email: string): Promise<Member | undefined> {
  const r = await memberQuery(db, storeId).where('m.email', '=', normalizeEmail(email)).executeTakeFirst();
  return r ? toMember(r) : undefined;
}

/** Badges of these members, by member id (staff from the badge table, like the others). */
export async function badgesOf(db: Kysely<DB>, storeId: string, memberIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (memberIds.length === 0) return out;
  const rows = await db
    .selectFrom('community_badges')
    .select(['member_id', 'badge', 'awarded_at'])
    .where('store_id', '=', storeId)
    .where('member_id', 'in', [...new Set(memberIds)])
    .orderBy('awarded_at')
    .execute();
  for (const r of rows) out.set(r.member_id, [...(out.get(r.member_id) ?? []), r.badge]);
  return out;
}

/** Awards a badge once: the primary key (store, member, badge) makes a second award change nothing. */
export async function awardBadge(db: Kysely<DB>, storeId: string, memberId: string, badge: string, at: string): Promise<void> {
  await db
    .insertInto('community_badges')
    .values({ store_id: storeId, member_id: memberId, badge, awarded_at: at })
    .onConflict((oc) => oc.columns(['store_id', 'member_id', 'badge']).doNothing())
    .execute();
}

/**
 * Mails a sign-in link, unless this address already got SIGN_IN_LINKS_PER_HOUR in the last hour. The page says
 * the same either way (and the same whether the address is a member or not): it reveals nothing. The link is on
 * the configured public address, never the request's Host header (else anyone could have a store mail its
 * customer a genuine sign-in link pointing at their own server).
 */
export async function requestSignInLink(
  ctx: AppContext,
  input: { storeId: string; storeName: string; email: string; next: string | null },
): Promise<{ sent: boolean }> {
  const email = normalizeEmail(input.email);
  const now = ctx.clock.now();
  const since = new Date(now.getTime() - 3_600_000).toISOString();
  return ctx.database.db.transaction().execute(async (trx) => {
    const recent = await trx
      .selectFrom('signed_links')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('store_id', '=', input.storeId)
      .where('purpose', '=', 'community')
      .where('subject_type', '=', 'email')
      .where('subject_id', '=', email)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= SIGN_IN_LINKS_PER_HOUR) return { sent: false };
    const { token } = await createLink(
      trx,
      {
        storeId: input.storeId,
        purpose: 'community',
        subjectType: 'email',
        subjectId: email,
        data: input.next ? { next: input.next } : {},
        ttlMs: SIGN_IN_LINK_TTL_MS,
      },
      now,
    );
    const url = `${publicBaseUrl(ctx.config)}/community/${encodeURIComponent(input.storeId)}/sign-in/${token}`;
    await queueNotice(trx, {
      storeId: input.storeId,
      at: now.toISOString(),
      to: email,
      toName: null,
      subject: `Sign in to the ${input.storeName} community`,
      body: [
        'Hello,',
        '',
        `Use this link to sign in to the ${input.storeName} community:`,
        '',
        url,
        '',
        `It works once, within ${SIGN_IN_LINK_TTL_MS / 60_000} minutes. If you did not ask for it, you can ignore this e-mail.`,
      ].join('\n'),
      locale: 'en',
      purpose: 'community-link',
    });
    return { sent: true };
  });
}

export type SignInCheck =
  | { ok: true; email: string; member: Member | undefined; next: string | null }
  | { ok: false; reason: 'not_found' | 'expired' | 'used' };

/** What a sign-in link's page shows (GET: looks only). */
export async function checkSignInLink(ctx: AppContext, storeId: string, token: string): Promise<SignInCheck> {
  const seen = await peekLink(ctx.database.db, storeId, 'community', token, ctx.clock.now());
  if (!seen.ok) return { ok: false, reason: seen.reason };
  const next = typeof seen.link.data.next === 'string' ? seen.link.data.next : null;
  return { ok: true, email: seen.link.subjectId, member: await memberByEmail(ctx.database.db, storeId, seen.link.subjectId), next };
}

/**
 * Spends the link (POST), makes the member on the first sign-in, and opens the community session, all in one
 * transaction: a double click signs in once. `displayName` is needed (and checked) only for a new member.
 */
export async function completeSignIn(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  input: { storeId: string; token: string; displayName: unknown },
): Promise<{ ok: true; member: Member; next: string | null } | { ok: false; reason: 'not_found' | 'expired' | 'used' }> {
  const now = ctx.clock.now();
  const at = now.toISOString();
  return ctx.database.db.transaction().execute(async (trx) => {
    const seen = await peekLink(trx, input.storeId, 'community', input.token, now);
    if (!seen.ok) return { ok: false, reason: seen.reason };
    const email = seen.link.subjectId;
    let member = await memberByEmail(trx, input.storeId, email);
    let name: string | undefined;
    if (!member) {
      const checked = checkDisplayName(input.displayName);
      if (!checked.ok) throw new AppError(422, 'invalid_request', checked.message, 'displayName');
      name = checked.name;
    }
    const spent = await spendLink(trx, input.storeId, 'community', input.token, now);
    if (!spent.ok) return { ok: false, reason: spent.reason };
    const user = await trx
      .selectFrom('users')
      .select('id')
      .where('store_id', '=', input.storeId)
      .where('email', '=', email)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    const customer = await trx
      .selectFrom('customers')
      .select('id')
      .where('store_id', '=', input.storeId)
      .where('email', '=', email)
      .orderBy('first_seen_at')
      .executeTakeFirst();
    if (!member) {
      await trx
        .insertInto('community_members')
        .values({
          store_id: input.storeId,
          id: newId('mbr', ctx.clock),
          email,
          display_name: name!,
          customer_id: customer?.id ?? null,
          user_id: user?.id ?? null,
          reputation: 0,
          banned_at: null,
          created_at: at,
        })
        .onConflict((oc) => oc.columns(['store_id', 'email']).doNothing())
        .execute();
    } else if ((user && member.userId !== user.id) || (customer && !member.customerId)) {
      // A console user added after the member joined becomes staff at their next sign-in.
      await trx
        .updateTable('community_members')
        .set({ user_id: user?.id ?? member.userId, customer_id: member.customerId ?? customer?.id ?? null })
        .where('store_id', '=', input.storeId)
        .where('id', '=', member.id)
        .execute();
    }
    member = (await memberByEmail(trx, input.storeId, email))!;
    if (member.staff) await awardBadge(trx, input.storeId, member.id, 'staff', at);
    await openPublicSession(
      ctx,
      req,
      reply,
      { storeId: input.storeId, purpose: 'community', memberId: member.id, customerId: member.customerId, ttlMs: COMMUNITY_SESSION_TTL_MS },
      trx,
    );
    const next = typeof seen.link.data.next === 'string' ? seen.link.data.next : null;
    return { ok: true, member, next };
  });
}
