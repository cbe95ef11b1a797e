/**
 * Questions and answers: writing them (with the spam and abuse rules), listing and searching, votes, accepting
 * an answer, reports, and the reputation and badges that follow from votes and accepts.
 *
 * Reputation is not a running counter: after every change that can move it (a vote, an accept, a post hidden
 * or restored), the author's total is recomputed from the votes and accepts in the same transaction, so a
 * changed vote or a moved accept reverses its points exactly. Badges are awarded once (primary key) and kept.
 */
import { isIPv6 } from 'node:net';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from '../platform/db/database.ts';
import type { DB } from '../platform/db/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import type { AppContext } from '../platform/http/context.ts';
import { newId } from '../platform/ids.ts';
import { triageText } from '../triage/triage-text.ts';
import { loadCommunitySettings } from './community-settings.ts';
import { awardBadge, badgesOf, type Member } from './members.ts';
import { countLinks } from './render-markdown.ts';

export const TITLE_MIN = 10;
export const TITLE_MAX = 150;
export const BODY_MIN = 10;
export const BODY_MAX = 10_000;
export const MAX_TAGS = 5;
export const REPORT_REASONS = ['spam', 'abuse', 'off-topic', 'personal-data', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/** Points (DESIGN: reputation for helpful members). */
export const POINTS = { answerUpvote: 10, questionUpvote: 5, downvote: -2, accepted: 15 } as const;
/** `helpful-10`: this many answers with a score of at least 1, or accepted. */
export const HELPFUL_ANSWERS = 10;

export type PostStatus = 'pending' | 'published' | 'hidden' | 'private';

export interface Post {
  id: string;
  kind: 'question' | 'answer';
  questionId: string | null;
  authorId: string;
  title: string | null;
  body: string;
  tags: string[];
  status: PostStatus;
  score: number;
  answerCount: number;
  acceptedAnswerId: string | null;
  caseId: string | null;
  topicKind: string | null;
  createdAt: string;
  updatedAt: string;
}

type PostRow = Selectable<DB['community_posts']>;

export function toPost(r: PostRow): Post {
  return {
    id: r.id,
    kind: r.kind as Post['kind'],
    questionId: r.question_id,
    authorId: r.author_id,
    title: r.title,
    body: r.body,
    tags: JSON.parse(r.tags) as string[],
    status: r.status as PostStatus,
    score: Number(r.score),
    answerCount: Number(r.answer_count),
    acceptedAnswerId: r.accepted_answer_id,
    caseId: r.case_id,
    topicKind: r.topic_kind,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function loadPost(db: Kysely<DB>, storeId: string, id: string): Promise<Post | undefined> {
  const r = await db.selectFrom('community_posts').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  return r ? toPost(r) : undefined;
}

/**
 * On PostgreSQL, locks these rows of the store until the transaction ends, in id order (SQLite runs one
 * transaction at a time). Every writer here locks posts before members, so two of them never wait on each other.
 */
export async function lockRows(
  database: Pick<Database, 'dialect'>,
  trx: Kysely<DB>,
  table: 'community_posts' | 'community_members',
  storeId: string,
  ids: readonly (string | null | undefined)[],
): Promise<void> {
  if (database.dialect !== 'postgres') return;
  const unique = [...new Set(ids.filter((id): id is string => !!id))].sort();
  if (unique.length === 0) return;
  await sql`select 1 from ${sql.table(table)} where store_id = ${storeId} and id in (${sql.join(unique)}) order by id for update`.execute(
    trx,
  );
}

/** A post read after locking its row (PostgreSQL): what concurrent writers committed before is seen. */
async function loadPostLocked(ctx: AppContext, trx: Kysely<DB>, storeId: string, id: string): Promise<Post | undefined> {
  await lockRows(ctx.database, trx, 'community_posts', storeId, [id]);
  return loadPost(trx, storeId, id);
}

// ---------------------------------------------------------------------------------------------------------------
// Input

/** Tags as typed ("Shipping, late-delivery  gift") → lower-case words of letters, digits and dashes, unique. */
export function parseTags(raw: unknown): { ok: true; tags: string[] } | { ok: false; message: string } {
  const text = typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.join(',') : '';
  const tags = [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((t) => t.trim().toLowerCase().replace(/^#/, ''))
        .filter(Boolean),
    ),
  ];
  if (tags.length > MAX_TAGS) return { ok: false, message: `Use at most ${MAX_TAGS} tags.` };
  const bad = tags.find((t) => !/^[a-z0-9][a-z0-9-]{0,29}$/.test(t));
  if (bad) return { ok: false, message: `Tags are words of letters, digits and dashes (up to 30): “${bad.slice(0, 40)}” is not.` };
  return { ok: true, tags };
}

export interface FieldProblem {
  field: string;
  message: string;
}

function textField(raw: unknown, field: string, min: number, max: number, what: string): string | FieldProblem {
  const s = typeof raw === 'string' ? raw.replace(/\r\n?/g, '\n').trim() : '';
  if (s.includes('\u0000')) return { field, message: `The ${what} contains a character that cannot be saved.` };
  if (s.length < min) return { field, message: `Write at least ${min} characters in the ${what}.` };
  if (s.length > max) return { field, message: `Keep the ${what} under ${max} characters (it has ${s.length}).` };
  return s;
}

export function checkQuestionInput(input: {
  title: unknown;
  body: unknown;
  tags: unknown;
}): { ok: true; title: string; body: string; tags: string[] } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const title = textField(input.title, 'title', TITLE_MIN, TITLE_MAX, 'title');
  const body = textField(input.body, 'body', BODY_MIN, BODY_MAX, 'question');
  const tags = parseTags(input.tags);
  if (typeof title !== 'string') problems.push(title);
  else if (title.includes('\n')) problems.push({ field: 'title', message: 'The title is one line.' });
  if (typeof body !== 'string') problems.push(body);
  if (!tags.ok) problems.push({ field: 'tags', message: tags.message });
  if (problems.length > 0 || typeof title !== 'string' || typeof body !== 'string' || !tags.ok) return { ok: false, problems };
  return { ok: true, title, body, tags: tags.tags };
}

export function checkAnswerInput(input: { body: unknown }): { ok: true; body: string } | { ok: false; problems: FieldProblem[] } {
  const body = textField(input.body, 'body', BODY_MIN, BODY_MAX, 'answer');
  return typeof body === 'string' ? { ok: true, body } : { ok: false, problems: [body] };
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/**
 * The part of an address that names one visitor: an IPv4 address (also when written IPv4-mapped, `::ffff:1.2.3.4`),
 * or the /64 network of an IPv6 address — one home or phone usually gets a whole /64 and can pick any address in it.
 */
export function ipBucket(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/**
 * Posts from one IP address (an IPv6 /64) per hour, in memory (a fixed window per store and address): enough to
 * stop one visitor flooding the community from many accounts. Several serve processes each count on their own.
 * Time comes from the app's clock so tests can move it. When `maxKeys` addresses are counted, the oldest windows
 * make room (expired ones first); the others keep their counts.
 */
export class IpPostLimiter {
  /** In the order the windows started: the oldest first. */
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(private readonly maxKeys = 50_000) {}

  /** True when this address may post once more (and counts it). `scope` is e.g. the store. */
  take(scope: string, ip: string, limit: number, nowMs: number): boolean {
    const key = `${scope} ${ipBucket(ip)}`;
    let w = this.windows.get(key);
    if (!w || nowMs - w.start >= 3_600_000) {
      this.windows.delete(key);
      for (const [k, v] of this.windows) {
        if (nowMs - v.start < 3_600_000 && this.windows.size < this.maxKeys) break;
        this.windows.delete(k);
      }
      w = { start: nowMs, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= limit) return false;
    w.count++;
    return true;
  }

  /** How many addresses are counted now. */
  get size(): number {
    return this.windows.size;
  }
}

/** Same words modulo case and spacing. */
function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  return norm(a) === norm(b);
}

/** Whether a new post by this member may be written, and in which status. Throws the refusal (4xx naming why). */
async function admitPost(
  ctx: AppContext,
  trx: Kysely<DB>,
  limiter: IpPostLimiter,
  input: { storeId: string; member: Member; body: string; ip: string },
): Promise<PostStatus> {
  const { storeId, member } = input;
  if (member.bannedAt) throw new AppError(403, 'banned', 'This account may no longer post in this community.');
  // One post by this member at a time (PostgreSQL): the counts and the duplicate check below see the one before.
  await lockRows(ctx.database, trx, 'community_members', storeId, [member.id]);
  const settings = await loadCommunitySettings(trx, storeId);
  const now = ctx.clock.now();
  const since = new Date(now.getTime() - 3_600_000).toISOString();
  if (!member.staff) {
    const mine = await trx
      .selectFrom('community_posts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('store_id', '=', storeId)
      .where('author_id', '=', member.id)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    if (Number(mine.n) >= settings.postsPerHourPerMember) {
      throw new AppError(429, 'rate_limited', 'You have posted a lot in the last hour. Please try again later.', 'body');
    }
  }
  // The same words again from the same member: a double submit or a copy-paste flood. Refused, nothing written.
  const recent = await trx
    .selectFrom('community_posts')
    .select('body')
    .where('store_id', '=', storeId)
    .where('author_id', '=', member.id)
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();
  if (recent.some((r) => sameText(r.body, input.body))) {
    throw new AppError(409, 'duplicate', 'You already posted this text. Edit it to add something new.', 'body');
  }
  if (!member.staff && !limiter.take(storeId, input.ip, settings.postsPerHourPerIp, now.getTime())) {
    throw new AppError(429, 'rate_limited', 'Too many posts from your network in the last hour. Please try again later.', 'body');
  }
  if (member.staff) return 'published';
  if (settings.moderation === 'pre') return 'pending';
  if (countLinks(input.body) > settings.maxLinks) return 'pending';
  return 'published';
}

/** The failure kind a question is about (root-cause analytics), from the triage of its title and body. */
export function topicKindOf(title: string | null, body: string): string {
  return triageText({ subject: title ?? undefined, text: body }).kind.value;
}

/** What follows a post becoming visible (created published, approved or restored): topic and answer counts. */
export async function afterVisibilityChange(trx: Kysely<DB>, storeId: string, post: Post, at: string): Promise<void> {
  if (post.kind === 'question' && post.status === 'published' && !post.topicKind) {
    await trx
      .updateTable('community_posts')
      .set({ topic_kind: topicKindOf(post.title, post.body) })
      .where('store_id', '=', storeId)
      .where('id', '=', post.id)
      .execute();
  }
  if (post.kind === 'answer' && post.questionId) {
    await trx
      .updateTable('community_posts')
      .set({
        answer_count: sql<number>`(select count(*) from community_posts a where a.store_id = ${storeId} and a.question_id = ${post.questionId} and a.kind = 'answer' and a.status = 'published')`,
        updated_at: at,
      })
      .where('store_id', '=', storeId)
      .where('id', '=', post.questionId)
      .execute();
  }
  await recomputeReputation(trx, storeId, post.authorId);
}

export async function createQuestion(
  ctx: AppContext,
  limiter: IpPostLimiter,
  input: { storeId: string; member: Member; title: string; body: string; tags: string[]; ip: string },
): Promise<Post> {
  const at = ctx.clock.now().toISOString();
  return ctx.database.db.transaction().execute(async (trx) => {
    const status = await admitPost(ctx, trx, limiter, { ...input });
    const id = newId('q', ctx.clock);
    return insertPost(trx, {
      storeId: input.storeId,
      id,
      kind: 'question',
      questionId: null,
      authorId: input.member.id,
      title: input.title,
      body: input.body,
      tags: input.tags,
      status,
      at,
    });
  });
}

/** Writes a new question or answer and settles what its visibility changes (counts, topic, badges); returns it. */
async function insertPost(
  trx: Kysely<DB>,
  p: {
    storeId: string;
    id: string;
    kind: 'question' | 'answer';
    questionId: string | null;
    authorId: string;
    title: string | null;
    body: string;
    tags: string[];
    status: string;
    at: string;
  },
): Promise<Post> {
  await trx
    .insertInto('community_posts')
    .values({
      store_id: p.storeId,
      id: p.id,
      kind: p.kind,
      question_id: p.questionId,
      author_id: p.authorId,
      title: p.title,
      body: p.body,
      tags: JSON.stringify(p.tags),
      status: p.status,
      score: 0,
      answer_count: 0,
      accepted_answer_id: null,
      case_id: null,
      topic_kind: null,
      created_at: p.at,
      updated_at: p.at,
    })
    .execute();
  await afterVisibilityChange(trx, p.storeId, (await loadPost(trx, p.storeId, p.id))!, p.at);
  return (await loadPost(trx, p.storeId, p.id))!;
}

export async function createAnswer(
  ctx: AppContext,
  limiter: IpPostLimiter,
  input: { storeId: string; member: Member; questionId: string; body: string; ip: string },
): Promise<Post> {
  const at = ctx.clock.now().toISOString();
  return ctx.database.db.transaction().execute(async (trx) => {
    // The question first, then the member (admitPost): the order every writer here locks in.
    const q = await loadPostLocked(ctx, trx, input.storeId, input.questionId);
    if (!q || q.kind !== 'question' || q.status === 'hidden') throw notFound('question', input.questionId);
    if (q.status !== 'published') throw new AppError(409, 'closed', 'This question does not take answers.', 'body');
    const status = await admitPost(ctx, trx, limiter, input);
    const id = newId('a', ctx.clock);
    return insertPost(trx, {
      storeId: input.storeId,
      id,
      kind: 'answer',
      questionId: q.id,
      authorId: input.member.id,
      title: null,
      body: input.body,
      tags: [],
      status,
      at,
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Votes, accepts, reputation, badges

/** The member's reputation from what others did with their visible posts; stored on the member. */
export async function recomputeReputation(trx: Kysely<DB>, storeId: string, memberId: string): Promise<number> {
  const votes = await trx
    .selectFrom('community_votes as v')
    .innerJoin('community_posts as p', (j) => j.onRef('p.store_id', '=', 'v.store_id').onRef('p.id', '=', 'v.post_id'))
    .select(['p.kind', 'v.value'])
    .where('v.store_id', '=', storeId)
    .where('p.author_id', '=', memberId)
    .where('p.status', '!=', 'hidden')
    .execute();
  let total = 0;
  for (const v of votes) {
    if (Number(v.value) > 0) total += v.kind === 'answer' ? POINTS.answerUpvote : POINTS.questionUpvote;
    else total += POINTS.downvote;
  }
  total += POINTS.accepted * (await acceptedAnswersOf(trx, storeId, memberId));
  await trx
    .updateTable('community_members')
    .set({ reputation: total })
    .where('store_id', '=', storeId)
    .where('id', '=', memberId)
    .execute();
  return total;
}

/** Answers of this member accepted on someone else's question (accepting one's own answer earns nothing). */
async function acceptedAnswersOf(trx: Kysely<DB>, storeId: string, memberId: string): Promise<number> {
  const r = await trx
    .selectFrom('community_posts as a')
    .innerJoin('community_posts as q', (j) => j.onRef('q.store_id', '=', 'a.store_id').onRef('q.accepted_answer_id', '=', 'a.id'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('a.store_id', '=', storeId)
    .where('a.author_id', '=', memberId)
    .where('a.status', '!=', 'hidden')
    .where('q.author_id', '!=', memberId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** first-accepted-answer and helpful-10, when earned; each at most once. */
export async function checkBadges(trx: Kysely<DB>, storeId: string, memberId: string, at: string): Promise<void> {
  if ((await acceptedAnswersOf(trx, storeId, memberId)) >= 1) await awardBadge(trx, storeId, memberId, 'first-accepted-answer', at);
  const helpful = await trx
    .selectFrom('community_posts as a')
    .leftJoin('community_posts as q', (j) => j.onRef('q.store_id', '=', 'a.store_id').onRef('q.accepted_answer_id', '=', 'a.id'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('a.store_id', '=', storeId)
    .where('a.author_id', '=', memberId)
    .where('a.kind', '=', 'answer')
    .where('a.status', '!=', 'hidden')
    // Accepted by someone else: accepting one's own answer to one's own question proves nothing.
    .where((eb) => eb.or([eb('a.score', '>=', 1), eb.and([eb('q.id', 'is not', null), eb('q.author_id', '!=', memberId)])]))
    .executeTakeFirstOrThrow();
  if (Number(helpful.n) >= HELPFUL_ANSWERS) await awardBadge(trx, storeId, memberId, 'helpful-10', at);
}

export type VoteValue = 1 | -1 | 0;

/**
 * An answer takes votes and reports only while its question is published: under a hidden question it is gone
 * (404), under a private one it is closed (409).
 */
async function requirePublishedQuestion(trx: Kysely<DB>, storeId: string, post: Post, what: string, field: string): Promise<void> {
  if (post.kind !== 'answer') return;
  const q = post.questionId ? await loadPost(trx, storeId, post.questionId) : undefined;
  if (!q || q.status === 'hidden' || q.status === 'pending') throw notFound('post', post.id);
  if (q.status !== 'published') throw new AppError(409, 'closed', `This post no longer takes ${what}.`, field);
}

/** A member's vote on a post: +1, −1, or 0 to take it back. One per member and post; changing it is allowed. */
export async function vote(ctx: AppContext, input: { storeId: string; member: Member; postId: string; value: VoteValue }): Promise<Post> {
  const at = ctx.clock.now().toISOString();
  return ctx.database.db.transaction().execute(async (trx) => {
    // Votes on one post one at a time (PostgreSQL): the score below counts every vote committed before.
    const post = await loadPostLocked(ctx, trx, input.storeId, input.postId);
    if (!post || post.status === 'hidden' || post.status === 'pending') throw notFound('post', input.postId);
    if (post.status !== 'published') throw new AppError(409, 'closed', 'This post no longer takes votes.', 'value');
    await requirePublishedQuestion(trx, input.storeId, post, 'votes', 'value');
    if (post.authorId === input.member.id) throw new AppError(403, 'own_post', 'You cannot vote on your own post.', 'value');
    if (input.member.bannedAt) throw new AppError(403, 'banned', 'This account may no longer vote in this community.', 'value');
    if (input.value === 0) {
      await trx
        .deleteFrom('community_votes')
        .where('store_id', '=', input.storeId)
        .where('post_id', '=', post.id)
        .where('member_id', '=', input.member.id)
        .execute();
    } else {
      await trx
        .insertInto('community_votes')
        .values({ store_id: input.storeId, post_id: post.id, member_id: input.member.id, value: input.value, created_at: at })
        .onConflict((oc) => oc.columns(['store_id', 'post_id', 'member_id']).doUpdateSet({ value: input.value }))
        .execute();
    }
    await trx
      .updateTable('community_posts')
      .set({
        score: sql<number>`(select coalesce(sum(v.value), 0) from community_votes v where v.store_id = ${input.storeId} and v.post_id = ${post.id})`,
      })
      .where('store_id', '=', input.storeId)
      .where('id', '=', post.id)
      .execute();
    await lockRows(ctx.database, trx, 'community_members', input.storeId, [post.authorId]);
    await recomputeReputation(trx, input.storeId, post.authorId);
    await checkBadges(trx, input.storeId, post.authorId, at);
    return (await loadPost(trx, input.storeId, post.id))!;
  });
}

/** Accepts an answer (the question's author or staff); accepting another answer moves the accept and its points. */
export async function acceptAnswer(ctx: AppContext, input: { storeId: string; member: Member; answerId: string }): Promise<Post> {
  const at = ctx.clock.now().toISOString();
  return ctx.database.db.transaction().execute(async (trx) => {
    const found = await loadPost(trx, input.storeId, input.answerId);
    if (!found || found.kind !== 'answer' || !found.questionId) throw notFound('answer', input.answerId);
    // One accept on a question at a time (PostgreSQL): the accept it replaces is the one committed last.
    const q = (await loadPostLocked(ctx, trx, input.storeId, found.questionId))!;
    const answer = (await loadPost(trx, input.storeId, input.answerId))!;
    if (answer.status !== 'published') throw notFound('answer', input.answerId);
    if (q.status !== 'published') throw new AppError(409, 'closed', 'This question no longer takes changes.');
    if (input.member.bannedAt) throw new AppError(403, 'banned', 'This account may no longer accept answers in this community.');
    if (q.authorId !== input.member.id && !input.member.staff) {
      throw new AppError(403, 'forbidden', 'Only the person who asked (or the store’s staff) can accept an answer.');
    }
    if (q.acceptedAnswerId === answer.id) return q;
    const before = q.acceptedAnswerId ? await loadPost(trx, input.storeId, q.acceptedAnswerId) : undefined;
    await lockRows(ctx.database, trx, 'community_members', input.storeId, [before?.authorId, answer.authorId]);
    await trx
      .updateTable('community_posts')
      .set({ accepted_answer_id: answer.id, updated_at: at })
      .where('store_id', '=', input.storeId)
      .where('id', '=', q.id)
      .execute();
    if (before) await recomputeReputation(trx, input.storeId, before.authorId);
    await recomputeReputation(trx, input.storeId, answer.authorId);
    await checkBadges(trx, input.storeId, answer.authorId, at);
    return (await loadPost(trx, input.storeId, q.id))!;
  });
}

/** A report on a post; a second open report by the same member on the same post changes nothing. */
export async function reportPost(
  ctx: AppContext,
  input: { storeId: string; member: Member; postId: string; reason: ReportReason; note?: string },
): Promise<{ id: string; created: boolean }> {
  const at = ctx.clock.now().toISOString();
  return ctx.database.db.transaction().execute(async (trx) => {
    const post = await loadPost(trx, input.storeId, input.postId);
    if (!post || post.status === 'hidden' || post.status === 'pending') throw notFound('post', input.postId);
    // What is not public is not the community's to report: a private post is now a case with the store.
    if (post.status !== 'published') throw new AppError(409, 'closed', 'This post no longer takes reports.', 'reason');
    await requirePublishedQuestion(trx, input.storeId, post, 'reports', 'reason');
    const open = await trx
      .selectFrom('community_reports')
      .select('id')
      .where('store_id', '=', input.storeId)
      .where('post_id', '=', post.id)
      .where('reporter_id', '=', input.member.id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (open) return { id: open.id, created: false };
    const id = newId('rpt', ctx.clock);
    const reason = input.note ? `${input.reason}: ${input.note}` : input.reason;
    await trx
      .insertInto('community_reports')
      .values({
        store_id: input.storeId,
        id,
        post_id: post.id,
        reporter_id: input.member.id,
        reason,
        status: 'open',
        resolved_by: null,
        created_at: at,
      })
      .execute();
    return { id, created: true };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export type ListSort = 'newest' | 'unanswered' | 'top';

export interface AuthorView {
  id: string;
  displayName: string;
  reputation: number;
  badges: string[];
  staff: boolean;
}

export async function authorsOf(db: Kysely<DB>, storeId: string, ids: string[]): Promise<Map<string, AuthorView>> {
  const out = new Map<string, AuthorView>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return out;
  const rows = await db
    .selectFrom('community_members')
    .select(['id', 'display_name', 'reputation'])
    .where('store_id', '=', storeId)
    .where('id', 'in', unique)
    .execute();
  const badges = await badgesOf(db, storeId, unique);
  for (const r of rows) {
    const b = badges.get(r.id) ?? [];
    out.set(r.id, { id: r.id, displayName: r.display_name, reputation: Number(r.reputation), badges: b, staff: b.includes('staff') });
  }
  return out;
}

/** `like` pattern for a search term: the term's own % _ and \ are literal. */
export function likePattern(term: string): string {
  return `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export const PAGE_SIZE = 20;

/** Published questions of the store: newest, unanswered or top; searched in title and body; by tag. */
export async function listQuestions(
  db: Kysely<DB>,
  storeId: string,
  opts: { sort: ListSort; q?: string | undefined; tag?: string | undefined; page?: number },
): Promise<{ questions: Post[]; more: boolean }> {
  let query = db
    .selectFrom('community_posts')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('kind', '=', 'question')
    .where('status', '=', 'published');
  if (opts.q?.trim()) {
    const p = likePattern(opts.q.trim());
    query = query.where(sql<boolean>`(lower(title) like ${p} escape '\\' or lower(body) like ${p} escape '\\')`);
  }
  if (opts.tag) {
    const parsed = parseTags(opts.tag);
    const tag = parsed.ok ? parsed.tags[0] : undefined;
    // Tags are stored as a JSON array of [a-z0-9-] words, so the quoted word is an exact match and has no wildcard.
    query = tag ? query.where('tags', 'like', `%"${tag}"%`) : query.where(sql<boolean>`1 = 0`);
  }
  if (opts.sort === 'unanswered') query = query.where('answer_count', '=', 0).where('accepted_answer_id', 'is', null);
  query =
    opts.sort === 'top'
      ? query.orderBy('score', 'desc').orderBy('created_at', 'desc')
      : query.orderBy('created_at', 'desc').orderBy('id', 'desc');
  const page = Math.max(1, opts.page ?? 1);
  const rows = await query
    .limit(PAGE_SIZE + 1)
    .offset((page - 1) * PAGE_SIZE)
    .execute();
  return { questions: rows.slice(0, PAGE_SIZE).map((r) => toPost(r)), more: rows.length > PAGE_SIZE };
}

export interface QuestionView {
  question: Post;
  answers: Post[];
  authors: Map<string, AuthorView>;
  /** The viewer's votes, by post id. */
  myVotes: Map<string, number>;
}

/**
 * A question and its answers as a viewer sees them: hidden posts are gone; pending ones only for their author;
 * answers accepted first, then by score, then oldest first.
 */
export async function questionView(db: Kysely<DB>, storeId: string, id: string, viewer: Member | null): Promise<QuestionView | undefined> {
  const question = await loadPost(db, storeId, id);
  if (!question || question.kind !== 'question' || question.status === 'hidden') return undefined;
  if (question.status === 'pending' && question.authorId !== viewer?.id) return undefined;
  const rows = await db
    .selectFrom('community_posts')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('question_id', '=', id)
    .where('kind', '=', 'answer')
    .where((eb) =>
      viewer
        ? eb.or([eb('status', 'in', ['published', 'private']), eb.and([eb('status', '=', 'pending'), eb('author_id', '=', viewer.id)])])
        : eb('status', 'in', ['published', 'private']),
    )
    .orderBy('created_at')
    .execute();
  const answers = rows
    .map((r) => toPost(r))
    .sort((a, b) => {
      const acc = Number(b.id === question.acceptedAnswerId) - Number(a.id === question.acceptedAnswerId);
      return acc !== 0 ? acc : b.score - a.score || a.createdAt.localeCompare(b.createdAt);
    });
  const authors = await authorsOf(db, storeId, [question.authorId, ...answers.map((a) => a.authorId)]);
  const myVotes = new Map<string, number>();
  if (viewer) {
    const votes = await db
      .selectFrom('community_votes')
      .select(['post_id', 'value'])
      .where('store_id', '=', storeId)
      .where('member_id', '=', viewer.id)
      .where('post_id', 'in', [question.id, ...answers.map((a) => a.id)])
      .execute();
    for (const v of votes) myVotes.set(v.post_id, Number(v.value));
  }
  return { question, answers, authors, myVotes };
}

export interface ProfileView {
  member: AuthorView & { createdAt: string };
  questions: Post[];
  answers: (Post & { questionTitle: string | null; accepted: boolean })[];
}

export async function memberProfile(db: Kysely<DB>, storeId: string, memberId: string): Promise<ProfileView | undefined> {
  const m = await db
    .selectFrom('community_members')
    .select(['id', 'created_at'])
    .where('store_id', '=', storeId)
    .where('id', '=', memberId)
    .executeTakeFirst();
  if (!m) return undefined;
  const author = (await authorsOf(db, storeId, [m.id])).get(m.id)!;
  const posts = await db
    .selectFrom('community_posts as p')
    .leftJoin('community_posts as q', (j) => j.onRef('q.store_id', '=', 'p.store_id').onRef('q.id', '=', 'p.question_id'))
    .selectAll('p')
    .select(['q.title as question_title', 'q.status as question_status', 'q.accepted_answer_id as question_accepted'])
    .where('p.store_id', '=', storeId)
    .where('p.author_id', '=', memberId)
    .where('p.status', '=', 'published')
    .orderBy('p.created_at', 'desc')
    .limit(50)
    .execute();
  const questions: Post[] = [];
  const answers: (Post & { questionTitle: string | null; accepted: boolean })[] = [];
  for (const r of posts) {
    const post = toPost(r);
    if (post.kind === 'question') questions.push(post);
    else if (r.question_status === 'published')
      answers.push({ ...post, questionTitle: r.question_title, accepted: r.question_accepted === post.id });
  }
  return { member: { ...author, createdAt: m.created_at }, questions, answers };
}
