/**
 * Moderation (the console's queue), bans, "take private" and the topics feed for root-cause analytics.
 *
 * Take private: the post's words become a `complaint.received` on the `community` channel with the member's
 * e-mail, through the one ingest path (the customer is found or created by e-mail there, like any complaint).
 * The event id is derived from the post, so doing it twice opens one case; the post becomes `private`, keeps its
 * URL (its page says it moved to a private conversation) and remembers the case; the case's timeline and a note
 * carry the link back to the post.
 */

import type { Kysely } from 'kysely';
import { recordActivity } from '../cases/case-timeline.ts';
import { addMessage } from '../cases/cases.service.ts';
import { validateBatch } from '../events/ingest.ts';
import { type AuditActor, appendAudit } from '../platform/audit.ts';
import type { DB } from '../platform/db/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import type { AppContext } from '../platform/http/context.ts';
import { publicBaseUrl } from '../public/base-url.ts';
import type { Member } from './members.ts';
import { afterVisibilityChange, loadPost, lockRows, type Post, type PostStatus, recomputeReputation } from './posts.ts';

export type ModerationAction = 'approve' | 'hide' | 'restore';

/** Who moderates: a console user (or API token), or a staff member on the community pages. */
export interface Moderator {
  type: 'user' | 'token' | 'member';
  id: string;
}

const auditActor = (by: Moderator): AuditActor => ({ type: by.type, id: by.id });

const transitions: Record<ModerationAction, { from: PostStatus[]; to: PostStatus }> = {
  approve: { from: ['pending'], to: 'published' },
  hide: { from: ['pending', 'published'], to: 'hidden' },
  restore: { from: ['hidden'], to: 'published' },
};

function excerpt(text: string, max = 280): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface QueuePost {
  id: string;
  kind: string;
  status: string;
  title: string | null;
  questionId: string | null;
  questionTitle: string | null;
  excerpt: string;
  author: { id: string; displayName: string; email: string; reputation: number; banned: boolean };
  caseId: string | null;
  createdAt: string;
  url: string;
}

export interface QueueReport {
  id: string;
  reason: string;
  reporter: string | null;
  createdAt: string;
  post: QueuePost;
}

/** What waits for a moderator: posts held back (pre-moderation, too many links) and open reports, oldest first. */
export async function moderationQueue(db: Kysely<DB>, storeId: string): Promise<{ pending: QueuePost[]; reports: QueueReport[] }> {
  const pendingRows = await db
    .selectFrom('community_posts')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .limit(200)
    .execute();
  const reportRows = await db
    .selectFrom('community_reports')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('status', '=', 'open')
    .orderBy('created_at')
    .limit(200)
    .execute();
  const reportedIds = [...new Set(reportRows.map((r) => r.post_id))];
  const reported =
    reportedIds.length > 0
      ? await db.selectFrom('community_posts').selectAll().where('store_id', '=', storeId).where('id', 'in', reportedIds).execute()
      : [];
  const posts = new Map<string, QueuePost>();
  const all = [...pendingRows, ...reported];
  const questionIds = [...new Set(all.map((p) => p.question_id).filter((q): q is string => !!q))];
  const titles = new Map<string, string | null>();
  if (questionIds.length > 0) {
    const qs = await db
      .selectFrom('community_posts')
      .select(['id', 'title'])
      .where('store_id', '=', storeId)
      .where('id', 'in', questionIds)
      .execute();
    for (const q of qs) titles.set(q.id, q.title);
  }
  const memberIds = [...new Set([...all.map((p) => p.author_id), ...reportRows.map((r) => r.reporter_id).filter((r): r is string => !!r)])];
  const members = new Map<string, { display_name: string; email: string; reputation: number; banned_at: string | null }>();
  if (memberIds.length > 0) {
    const ms = await db
      .selectFrom('community_members')
      .select(['id', 'display_name', 'email', 'reputation', 'banned_at'])
      .where('store_id', '=', storeId)
      .where('id', 'in', memberIds)
      .execute();
    for (const m of ms) members.set(m.id, m);
  }
  for (const p of all) {
    const m = members.get(p.author_id);
    posts.set(p.id, {
      id: p.id,
      kind: p.kind,
      status: p.status,
      title: p.title,
      questionId: p.question_id,
      questionTitle: p.question_id ? (titles.get(p.question_id) ?? null) : null,
      excerpt: excerpt(p.body),
      author: {
        id: p.author_id,
        displayName: m?.display_name ?? 'unknown',
        email: m?.email ?? '',
        reputation: Number(m?.reputation ?? 0),
        banned: !!m?.banned_at,
      },
      caseId: p.case_id,
      createdAt: p.created_at,
      url: postPath(storeId, p),
    });
  }
  return {
    pending: pendingRows.map((p) => posts.get(p.id)!),
    reports: reportRows
      .filter((r) => posts.has(r.post_id))
      .map((r) => ({
        id: r.id,
        reason: r.reason,
        reporter: r.reporter_id ? (members.get(r.reporter_id)?.display_name ?? null) : null,
        createdAt: r.created_at,
        post: posts.get(r.post_id)!,
      })),
  };
}

/** The public path of a post: its question's page, at the answer's anchor. */
export function postPath(
  storeId: string,
  p: { id: string; kind: string; question_id?: string | null; questionId?: string | null },
): string {
  const q = p.kind === 'question' ? p.id : (p.question_id ?? p.questionId ?? p.id);
  return `/community/${encodeURIComponent(storeId)}/questions/${encodeURIComponent(q)}${p.kind === 'answer' ? `#post-${p.id}` : ''}`;
}

/** approve (pending → published), hide (→ hidden: gone from public pages), restore (hidden → published). */
export async function moderatePost(
  ctx: AppContext,
  storeId: string,
  postId: string,
  action: ModerationAction,
  by: Moderator,
): Promise<Post> {
  const at = ctx.clock.now().toISOString();
  return ctx.database.db.transaction().execute(async (trx) => {
    await lockRows(ctx.database, trx, 'community_posts', storeId, [postId]);
    const post = await loadPost(trx, storeId, postId);
    if (!post) throw notFound('post', postId);
    const t = transitions[action];
    if (post.status === t.to) return post; // done already: a second click changes nothing
    if (!t.from.includes(post.status)) {
      throw new AppError(
        409,
        'invalid_transition',
        `a ${post.status} post cannot be ${action === 'hide' ? 'hidden' : `${action}d`}`,
        'status',
      );
    }
    await trx
      .updateTable('community_posts')
      .set({ status: t.to, updated_at: at })
      .where('store_id', '=', storeId)
      .where('id', '=', postId)
      .where('status', '=', post.status)
      .execute();
    if (action === 'hide') {
      // The reports that asked for it are settled by it.
      await trx
        .updateTable('community_reports')
        .set({ status: 'upheld', resolved_by: `${by.type}:${by.id}` })
        .where('store_id', '=', storeId)
        .where('post_id', '=', postId)
        .where('status', '=', 'open')
        .execute();
    }
    await appendAudit(trx, {
      storeId,
      at,
      actor: auditActor(by),
      action: `community.post_${action === 'hide' ? 'hidden' : `${action}d`}`,
      subjectType: 'community_post',
      subjectId: postId,
      before: { status: post.status },
      after: { status: t.to },
    });
    const updated = (await loadPost(trx, storeId, postId))!;
    if (updated.questionId) await lockRows(ctx.database, trx, 'community_posts', storeId, [updated.questionId]);
    await lockRows(ctx.database, trx, 'community_members', storeId, [updated.authorId]);
    await afterVisibilityChange(trx, storeId, updated, at);
    if (updated.kind === 'answer' && updated.questionId) {
      // A hidden accepted answer takes its points away (and gives them back when restored).
      await recomputeReputation(trx, storeId, updated.authorId);
    }
    return (await loadPost(trx, storeId, postId))!;
  });
}

/** uphold (the post is hidden) or dismiss (the post stays). A report already settled the same way changes nothing. */
export async function resolveReport(
  ctx: AppContext,
  storeId: string,
  reportId: string,
  action: 'uphold' | 'dismiss',
  by: Moderator,
): Promise<{ id: string; status: string; post: Post }> {
  const report = await ctx.database.db
    .selectFrom('community_reports')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('id', '=', reportId)
    .executeTakeFirst();
  if (!report) throw notFound('report', reportId);
  const want = action === 'uphold' ? 'upheld' : 'dismissed';
  if (report.status !== 'open' && report.status !== want) {
    throw new AppError(409, 'invalid_transition', `report ${reportId} was already ${report.status}`, 'status');
  }
  if (action === 'uphold') {
    const post = await loadPost(ctx.database.db, storeId, report.post_id);
    if (post && post.status !== 'hidden' && post.status !== 'private') await moderatePost(ctx, storeId, report.post_id, 'hide', by);
  }
  await ctx.database.db
    .updateTable('community_reports')
    .set({ status: want, resolved_by: `${by.type}:${by.id}` })
    .where('store_id', '=', storeId)
    .where('id', '=', reportId)
    .where('status', '=', 'open')
    .execute();
  const post = (await loadPost(ctx.database.db, storeId, report.post_id))!;
  return { id: reportId, status: want, post };
}

/** A banned member can still read but no longer post, vote or report. */
export async function setBanned(
  ctx: AppContext,
  storeId: string,
  memberId: string,
  banned: boolean,
  by?: Moderator,
): Promise<{ id: string; bannedAt: string | null }> {
  const db = ctx.database.db;
  const m = await db
    .selectFrom('community_members')
    .select(['id', 'banned_at', 'user_id'])
    .where('store_id', '=', storeId)
    .where('id', '=', memberId)
    .executeTakeFirst();
  if (!m) throw notFound('member', memberId);
  if (banned && m.user_id)
    throw new AppError(409, 'conflict', 'a staff member is not banned here; deactivate the user in the team settings', 'memberId');
  const bannedAt = banned ? (m.banned_at ?? ctx.clock.now().toISOString()) : null;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('community_members')
      .set({ banned_at: bannedAt })
      .where('store_id', '=', storeId)
      .where('id', '=', memberId)
      .execute();
    if ((m.banned_at !== null) !== banned) {
      await appendAudit(trx, {
        storeId,
        at: ctx.clock.now().toISOString(),
        actor: by ? auditActor(by) : { type: 'system', id: null },
        action: banned ? 'community.member_banned' : 'community.member_unbanned',
        subjectType: 'community_member',
        subjectId: memberId,
        before: { bannedAt: m.banned_at },
        after: { bannedAt },
      });
    }
  });
  return { id: memberId, bannedAt };
}

// ---------------------------------------------------------------------------------------------------------------
// Take private

export interface TakenPrivate {
  postId: string;
  caseId: string;
  /** False when the post had been taken private before (nothing new happened). */
  created: boolean;
}

/**
 * Turns a post into a case: by its author (member), a staff member, or a console user/token (`Moderator`).
 * The link the case carries is absolute on the configured public address (never the request's Host header).
 */
export async function takePrivate(
  ctx: AppContext,
  input: { storeId: string; postId: string; by: { member: Member } | { moderator: Moderator } },
): Promise<TakenPrivate> {
  const db = ctx.database.db;
  const { storeId, postId } = input;
  const post = await loadPost(db, storeId, postId);
  if (!post || post.status === 'hidden') throw notFound('post', postId);
  if ('member' in input.by) {
    const m = input.by.member;
    if (post.authorId !== m.id && !m.staff)
      throw new AppError(403, 'forbidden', 'Only the author (or the store’s staff) can take a post private.');
  }
  if (post.caseId) return { postId, caseId: post.caseId, created: false };
  const author = await db
    .selectFrom('community_members')
    .select(['id', 'email', 'display_name', 'customer_id'])
    .where('store_id', '=', storeId)
    .where('id', '=', post.authorId)
    .executeTakeFirstOrThrow();
  const question = post.kind === 'answer' && post.questionId ? await loadPost(db, storeId, post.questionId) : post;
  const url = `${publicBaseUrl(ctx.config)}${postPath(storeId, post)}`;
  const complaintId = `community-${post.id}`;
  const subject = (question?.title ?? 'Community post').slice(0, 480);
  const body = `${post.kind === 'question' ? `${post.title}\n\n` : ''}${post.body}\n\n— Posted in the community by ${author.display_name}: ${url}`;
  const v = validateBatch(
    [
      {
        // Derived from the post: a second "take private" (or a race of two) is a duplicate and opens nothing.
        id: complaintId,
        type: 'complaint.received',
        occurredAt: ctx.clock.now().toISOString(),
        data: {
          complaintId,
          ...(author.customer_id ? { customerId: author.customer_id } : { email: author.email }),
          channel: 'community',
          subject,
          body,
        },
      },
    ],
    storeId,
  );
  if (!v.ok) throw new AppError(400, 'invalid_request', `${v.errors[0]!.path}: ${v.errors[0]!.message}`, 'postId');
  // The community is a customer-facing page like the portal: that is the source the ledger knows.
  await ctx.ingestor.ingest(storeId, v.events, 'community');
  const c = await db
    .selectFrom('cases')
    .select(['id', 'customer_id'])
    .where('store_id', '=', storeId)
    .where('complaint_id', '=', complaintId)
    .executeTakeFirst();
  if (!c) throw new AppError(409, 'conflict', `post ${postId} did not open a case`);
  const at = ctx.clock.now().toISOString();
  const first = await db.transaction().execute(async (trx) => {
    await lockRows(ctx.database, trx, 'community_posts', storeId, [postId]);
    if (post.questionId) await lockRows(ctx.database, trx, 'community_posts', storeId, [post.questionId]);
    await lockRows(ctx.database, trx, 'community_members', storeId, [author.id]);
    const res = await trx
      .updateTable('community_posts')
      .set({ status: 'private', case_id: c.id, updated_at: at })
      .where('store_id', '=', storeId)
      .where('id', '=', postId)
      .where('case_id', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    if (!author.customer_id && c.customer_id) {
      await trx
        .updateTable('community_members')
        .set({ customer_id: c.customer_id })
        .where('store_id', '=', storeId)
        .where('id', '=', author.id)
        .where('customer_id', 'is', null)
        .execute();
    }
    const actor =
      'member' in input.by
        ? { type: input.by.member.userId ? ('user' as const) : ('customer' as const), id: input.by.member.userId ?? c.customer_id }
        : { type: input.by.moderator.type === 'member' ? ('customer' as const) : input.by.moderator.type, id: input.by.moderator.id };
    await recordActivity(trx, storeId, c.id, at, actor, 'community.taken_private', { postId, url, kind: post.kind });
    const updated = (await loadPost(trx, storeId, postId))!;
    await afterVisibilityChange(trx, storeId, updated, at);
    return true;
  });
  if (first) {
    await addMessage(
      db,
      ctx.clock,
      storeId,
      c.id,
      { kind: 'note', body: `Taken private from the community: ${url}` },
      { type: 'system', id: null },
    );
  }
  return { postId, caseId: c.id, created: first };
}

// ---------------------------------------------------------------------------------------------------------------
// Topics (root-cause analytics)

export interface TopicCounts {
  from: string;
  to: string;
  total: number;
  byKind: { kind: string; count: number }[];
  byTag: { tag: string; count: number }[];
  byKindAndTag: { kind: string; tag: string; count: number }[];
}

/** Questions asked in [from, to) that are visible or were taken private, counted by topic kind and by tag. */
export async function topicCounts(db: Kysely<DB>, storeId: string, from: string, to: string): Promise<TopicCounts> {
  const rows = await db
    .selectFrom('community_posts')
    .select(['topic_kind', 'tags'])
    .where('store_id', '=', storeId)
    .where('kind', '=', 'question')
    .where('status', 'in', ['published', 'private'])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .execute();
  const kinds = new Map<string, number>();
  const tags = new Map<string, number>();
  const pairs = new Map<string, number>();
  for (const r of rows) {
    const kind = r.topic_kind ?? 'other';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    for (const tag of JSON.parse(r.tags) as string[]) {
      tags.set(tag, (tags.get(tag) ?? 0) + 1);
      const key = `${kind}\u0000${tag}`;
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }
  }
  const sorted = <T extends { count: number }>(xs: T[]) => xs.sort((a, b) => b.count - a.count);
  return {
    from,
    to,
    total: rows.length,
    byKind: sorted([...kinds].map(([kind, count]) => ({ kind, count }))),
    byTag: sorted([...tags].map(([tag, count]) => ({ tag, count }))),
    byKindAndTag: sorted(
      [...pairs].map(([k, count]) => {
        const [kind, tag] = k.split('\u0000') as [string, string];
        return { kind, tag, count };
      }),
    ),
  };
}
