/**
 * The community: public pages at `/community/:store` (server-rendered, ADR 0009; forms work without JavaScript)
 * and the console's moderation API under `/api/v1/community` (the usual auth).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../platform/errors.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { NUL_MESSAGE, noNul } from '../platform/text.ts';
import { type PublicPage, sendPublicPage } from '../public/layout.ts';
import { endPublicSession, formCsrfOk, readPublicSession } from '../public/public-sessions.ts';
import { checkSignInLink, completeSignIn, loadMember, requestSignInLink } from './members.ts';
import { type Moderator, moderatePost, moderationQueue, resolveReport, setBanned, takePrivate, topicCounts } from './moderation.ts';
import {
  acceptAnswer,
  authorsOf,
  checkAnswerInput,
  checkQuestionInput,
  createAnswer,
  createQuestion,
  IpPostLimiter,
  type ListSort,
  listQuestions,
  loadPost,
  memberProfile,
  questionView,
  REPORT_REASONS,
  type ReportReason,
  reportPost,
  vote,
} from './posts.ts';
import {
  askPage,
  basePath,
  continuePage,
  linkSentPage,
  listPage,
  messagePage,
  noticeText,
  profilePage,
  questionHeading,
  questionPage,
  signInHref,
  signInPage,
  type Viewer,
} from './views.ts';

// ---------------------------------------------------------------------------------------------------------------
// Console and developer API

const idParams = z.object({ id: z.string().min(1).max(200).refine(noNul, NUL_MESSAGE) });

const queuePost = z.object({
  id: z.string(),
  kind: z.string().describe('question or answer'),
  status: z.string().describe('pending, published, hidden, private'),
  title: z.string().nullable(),
  questionId: z.string().nullable(),
  questionTitle: z.string().nullable(),
  excerpt: z.string(),
  author: z.object({ id: z.string(), displayName: z.string(), email: z.string(), reputation: z.number().int(), banned: z.boolean() }),
  caseId: z.string().nullable(),
  createdAt: z.string(),
  url: z.string().describe('the public page of the post'),
});

const postOut = z.object({
  id: z.string(),
  kind: z.string(),
  questionId: z.string().nullable(),
  status: z.string(),
  score: z.number().int(),
  caseId: z.string().nullable(),
  topicKind: z.string().nullable(),
});

const asPostOut = (p: {
  id: string;
  kind: string;
  questionId: string | null;
  status: string;
  score: number;
  caseId: string | null;
  topicKind: string | null;
}) => ({
  id: p.id,
  kind: p.kind,
  questionId: p.questionId,
  status: p.status,
  score: p.score,
  caseId: p.caseId,
  topicKind: p.topicKind,
});

function moderatorOf(p: { userId: string | null; tokenId: string }): Moderator {
  return p.userId ? { type: 'user', id: p.userId } : { type: 'token', id: p.tokenId };
}

/** Console and developer API of this capability (under /api/v1, the usual auth). */
export function communityRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get(
    '/api/v1/community/moderation',
    {
      schema: {
        tags: ['community'],
        summary: 'The moderation queue: posts waiting for approval and open reports, oldest first',
        response: {
          200: z.object({
            pending: z.array(queuePost),
            reports: z.array(
              z.object({ id: z.string(), reason: z.string(), reporter: z.string().nullable(), createdAt: z.string(), post: queuePost }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return moderationQueue(db, p.storeId);
    },
  );

  for (const action of ['approve', 'hide', 'restore'] as const) {
    app.post(
      `/api/v1/community/posts/:id/${action}`,
      {
        schema: {
          tags: ['community'],
          summary:
            action === 'approve'
              ? 'Publish a post held for moderation'
              : action === 'hide'
                ? 'Hide a post from the public pages (its open reports are upheld)'
                : 'Show a hidden post again',
          params: idParams,
          response: { 200: postOut, 404: errorBody, 409: errorBody },
        },
      },
      async (req) => {
        const p = requireRole(req, 'agent');
        return asPostOut(await moderatePost(ctx, p.storeId, req.params.id, action, moderatorOf(p)));
      },
    );
  }

  for (const action of ['uphold', 'dismiss'] as const) {
    app.post(
      `/api/v1/community/reports/:id/${action}`,
      {
        schema: {
          tags: ['community'],
          summary: action === 'uphold' ? 'Uphold a report: the post is hidden' : 'Dismiss a report: the post stays',
          params: idParams,
          response: { 200: z.object({ id: z.string(), status: z.string(), post: postOut }), 404: errorBody, 409: errorBody },
        },
      },
      async (req) => {
        const p = requireRole(req, 'agent');
        const r = await resolveReport(ctx, p.storeId, req.params.id, action, moderatorOf(p));
        return { id: r.id, status: r.status, post: asPostOut(r.post) };
      },
    );
  }

  app.post(
    '/api/v1/community/posts/:id/take-private',
    {
      schema: {
        tags: ['community'],
        summary: 'Turn a post into a private case with its author (idempotent): the post keeps its URL, the case links to it',
        params: idParams,
        response: { 200: z.object({ postId: z.string(), caseId: z.string(), created: z.boolean() }), 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return takePrivate(ctx, {
        storeId: p.storeId,
        postId: req.params.id,
        by: { moderator: moderatorOf(p) },
      });
    },
  );

  for (const action of ['ban', 'unban'] as const) {
    app.post(
      `/api/v1/community/members/:id/${action}`,
      {
        schema: {
          tags: ['community'],
          summary: action === 'ban' ? 'Ban a member: they can read but no longer post, vote or report (manager)' : 'Lift a ban (manager)',
          params: idParams,
          response: { 200: z.object({ id: z.string(), bannedAt: z.string().nullable() }), 404: errorBody, 409: errorBody },
        },
      },
      async (req) => {
        const p = requireRole(req, 'manager');
        return setBanned(ctx, p.storeId, req.params.id, action === 'ban', moderatorOf(p));
      },
    );
  }

  const isoInstant = z.iso
    .datetime({ offset: true, message: 'must be an ISO-8601 date-time with a zone' })
    .transform((s) => new Date(s).toISOString());
  app.get(
    '/api/v1/community/topics',
    {
      schema: {
        tags: ['community'],
        summary: 'Community questions in [from, to) by topic kind (triage of title and body) and by tag, for root-cause analysis',
        querystring: z
          .object({ from: isoInstant, to: isoInstant })
          .refine((q) => q.from < q.to, { message: 'must be after from', path: ['to'] }),
        response: {
          200: z.object({
            from: z.string(),
            to: z.string(),
            total: z.number().int(),
            byKind: z.array(z.object({ kind: z.string(), count: z.number().int() })),
            byTag: z.array(z.object({ tag: z.string(), count: z.number().int() })),
            byKindAndTag: z.array(z.object({ kind: z.string(), tag: z.string(), count: z.number().int() })),
          }),
          400: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return topicCounts(db, p.storeId, req.query.from, req.query.to);
    },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Public pages

type StoreRow = { id: string; name: string };

/** Sign-in links asked for from one IP address per hour (on top of the per-address limit). */
const SIGN_IN_REQUESTS_PER_IP = 20;

const emailSchema = z.email().max(320);

/** Any NUL in these values (strings, or arrays of them, as forms send repeated fields)? PostgreSQL cannot store it. */
function anyNul(values: unknown): boolean {
  if (!values || typeof values !== 'object') return false;
  return Object.values(values).some((v) =>
    typeof v === 'string' ? !noNul(v) : Array.isArray(v) && v.some((x) => typeof x === 'string' && !noNul(x)),
  );
}

/** Customer pages of this capability, in the public pages' context (forms and uploads parsed there only). */
export function communityPages(pub: App, ctx: AppContext): void {
  const db = ctx.database.db;
  const postLimiter = new IpPostLimiter();
  const signInLimiter = new IpPostLimiter();

  const loadStore = async (storeId: string): Promise<StoreRow | undefined> =>
    storeId.length <= 100 ? db.selectFrom('stores').select(['id', 'name']).where('id', '=', storeId).executeTakeFirst() : undefined;

  /** Requests whose page is rendered for a signed-in member (such a page is that member's alone). */
  const signedIn = new WeakSet<FastifyRequest>();

  const send = (reply: FastifyReply, store: StoreRow, title: string, body: string, status = 200, extra: Partial<PublicPage> = {}) =>
    sendPublicPage(
      reply,
      {
        lang: 'en',
        storeName: store.name,
        section: 'Community',
        title,
        body,
        ...extra,
        ...(signedIn.has(reply.request) ? { signedIn: true } : {}),
      },
      status,
    );

  const notFoundPage = (reply: FastifyReply, store: StoreRow | undefined, viewer: Viewer | null, what = 'page') => {
    if (!store) return reply.status(404).type('text/plain; charset=utf-8').send('not found');
    return send(
      reply,
      store,
      'Not found',
      messagePage({
        storeId: store.id,
        viewer,
        heading: 'Not found',
        text: `This ${what} does not exist or was removed.`,
        link: { href: basePath(store.id), label: 'Back to the questions' },
      }),
      404,
    );
  };

  const viewerOf = async (req: FastifyRequest, storeId: string): Promise<Viewer | null> => {
    const session = await readPublicSession(ctx, req, storeId, 'community');
    if (!session?.memberId) return null;
    const member = await loadMember(db, storeId, session.memberId);
    if (member) signedIn.add(req);
    return member ? { member, csrf: session.csrfToken } : null;
  };

  /** For a form POST: the signed-in member whose form this is, or a page saying why not (and undefined). */
  const formViewer = async (req: FastifyRequest, reply: FastifyReply, store: StoreRow, back: string): Promise<Viewer | undefined> => {
    const session = await readPublicSession(ctx, req, store.id, 'community');
    const member = session?.memberId ? await loadMember(db, store.id, session.memberId) : undefined;
    if (!session || !member) {
      await send(
        reply,
        store,
        'Sign in',
        messagePage({
          storeId: store.id,
          viewer: null,
          heading: 'Please sign in',
          text: 'Your session has ended. Sign in again to continue; nothing was posted.',
          link: { href: signInHref(store.id, back), label: 'Sign in' },
        }),
        401,
      );
      return undefined;
    }
    const viewer = { member, csrf: session.csrfToken };
    signedIn.add(req);
    if (!formCsrfOk(session, req.body)) {
      await send(
        reply,
        store,
        'Try again',
        messagePage({
          storeId: store.id,
          viewer,
          heading: 'Please try again',
          text: 'This form had expired. Go back, reload the page and send it again; nothing was changed.',
          link: { href: back, label: 'Back' },
          alert: true,
        }),
        403,
      );
      return undefined;
    }
    return viewer;
  };

  const body = (req: FastifyRequest): Record<string, unknown> =>
    req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');

  /** Only our own pages are places to go back to after signing in. */
  const safeNext = (storeId: string, next: unknown): string | null => {
    const s = str(next);
    const base = basePath(storeId);
    return (s === base || s.startsWith(`${base}/`) || s.startsWith(`${base}?`)) &&
      !s.includes('//', 1) &&
      s.length <= 500 &&
      !/[\s\\\p{Cc}]/u.test(s)
      ? s
      : null;
  };

  /**
   * Before every community page: a NUL anywhere in the path, query or form (which PostgreSQL cannot store or
   * compare) is refused with a page, on both engines alike — a 404 in the path, a 400 in what was sent.
   */
  const refuseNul = async (req: FastifyRequest, reply: FastifyReply) => {
    const inPath = anyNul(req.params);
    if (!inPath && !anyNul(req.query) && !anyNul(req.body)) return;
    const storeParam = (req.params as { store?: unknown }).store;
    const store = typeof storeParam === 'string' && noNul(storeParam) ? await loadStore(storeParam) : undefined;
    if (inPath || !store) return notFoundPage(reply, store, null);
    return send(
      reply,
      store,
      'Cannot be read',
      messagePage({
        storeId: store.id,
        viewer: null,
        heading: 'This cannot be read',
        text: 'What was sent contains a character that cannot be used (NUL). Nothing was changed.',
        link: { href: basePath(store.id), label: 'Back to the questions' },
        alert: true,
      }),
      400,
    );
  };
  const pageRoute = { schema: { hide: true }, preHandler: refuseNul };

  const questionUrl = (storeId: string, id: string) => `${basePath(storeId)}/questions/${encodeURIComponent(id)}`;

  /** The question page again, with a message (after a refused vote, accept, report or answer). */
  const questionAgain = async (
    reply: FastifyReply,
    store: StoreRow,
    viewer: Viewer,
    questionId: string,
    status: number,
    opts: { notice?: string; errors?: Record<string, string>; values?: Record<string, string> },
  ) => {
    const view = await questionView(db, store.id, questionId, viewer.member);
    if (!view) return notFoundPage(reply, store, viewer, 'question');
    return send(
      reply,
      store,
      questionHeading(view.question),
      questionPage({ storeId: store.id, viewer, view, error: true, ...opts }),
      status,
    );
  };

  type P = { Params: { store: string } };
  type PI = { Params: { store: string; id: string } };

  // The list: newest / unanswered / top, search, tag.
  pub.get<P & { Querystring: Record<string, string | undefined> }>('/community/:store', pageRoute, async (req, reply) => {
    const store = await loadStore(req.params.store);
    if (!store) return notFoundPage(reply, undefined, null);
    const viewer = await viewerOf(req, store.id);
    const sort: ListSort = req.query.sort === 'unanswered' || req.query.sort === 'top' ? req.query.sort : 'newest';
    const q = str(req.query.q).slice(0, 200);
    const tag = str(req.query.tag).slice(0, 40);
    const page = Math.min(Math.max(1, Number.parseInt(str(req.query.page), 10) || 1), 1000);
    const list = await listQuestions(db, store.id, { sort, q, tag, page });
    const authors = await authorsOf(
      db,
      store.id,
      list.questions.map((x) => x.authorId),
    );
    const notice = noticeText(req.query.notice);
    const html = listPage({ storeId: store.id, viewer, sort, q, tag, page, more: list.more, questions: list.questions, authors });
    return send(reply, store, 'Questions', notice ? `<p class="cm-notice" role="status">${escapeText(notice)}</p>${html}` : html);
  });

  pub.get<PI & { Querystring: Record<string, string | undefined> }>('/community/:store/questions/:id', pageRoute, async (req, reply) => {
    const store = await loadStore(req.params.store);
    if (!store) return notFoundPage(reply, undefined, null);
    const viewer = await viewerOf(req, store.id);
    const view = await questionView(db, store.id, req.params.id, viewer?.member ?? null);
    if (!view) return notFoundPage(reply, store, viewer, 'question');
    const notice = noticeText(req.query.notice);
    return send(reply, store, questionHeading(view.question), questionPage({ storeId: store.id, viewer, view, notice }));
  });

  pub.get<PI>('/community/:store/members/:id', pageRoute, async (req, reply) => {
    const store = await loadStore(req.params.store);
    if (!store) return notFoundPage(reply, undefined, null);
    const viewer = await viewerOf(req, store.id);
    const profile = await memberProfile(db, store.id, req.params.id);
    if (!profile) return notFoundPage(reply, store, viewer, 'member');
    return send(reply, store, profile.member.displayName, profilePage({ storeId: store.id, viewer, profile }));
  });

  // Asking.
  pub.get<P>('/community/:store/ask', pageRoute, async (req, reply) => {
    const store = await loadStore(req.params.store);
    if (!store) return notFoundPage(reply, undefined, null);
    const viewer = await viewerOf(req, store.id);
    if (!viewer) return reply.redirect(signInHref(store.id, `${basePath(store.id)}/ask`), 303);
    if (viewer.member.bannedAt) {
      return send(
        reply,
        store,
        'Ask',
        messagePage({
          storeId: store.id,
          viewer,
          heading: 'You cannot post here',
          text: 'This account may no longer post in this community.',
          alert: true,
        }),
        403,
      );
    }
    return send(reply, store, 'Ask a question', askPage({ storeId: store.id, viewer }));
  });

  pub.post<P>('/community/:store/ask', pageRoute, async (req, reply) => {
    const store = await loadStore(req.params.store);
    if (!store) return notFoundPage(reply, undefined, null);
    const viewer = await formViewer(req, reply, store, `${basePath(store.id)}/ask`);
    if (!viewer) return reply;
    const b = body(req);
    const values = { title: str(b.title), body: str(b.body), tags: str(b.tags) };
    const checked = checkQuestionInput(values);
    if (!checked.ok) {
      const errors = Object.fromEntries(checked.problems.map((p) => [p.field, p.message]));
      return send(reply, store, 'Ask a question', askPage({ storeId: store.id, viewer, errors, values }), 422);
    }
    try {
      const post = await createQuestion(ctx, postLimiter, { storeId: store.id, member: viewer.member, ...checked, ip: req.ip });
      return reply.redirect(`${questionUrl(store.id, post.id)}${post.status === 'pending' ? '?notice=pending' : ''}`, 303);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const errors = { [err.path === 'title' || err.path === 'tags' ? err.path : 'body']: err.message };
      return send(reply, store, 'Ask a question', askPage({ storeId: store.id, viewer, errors, values }), err.status);
    }
  });

  pub.post<PI>('/community/:store/questions/:id/answers', pageRoute, async (req, reply) => {
    const store = await loadStore(req.params.store);
    if (!store) return notFoundPage(reply, undefined, null);
    const back = questionUrl(store.id, req.params.id);
    const viewer = await formViewer(req, reply, store, back);
    if (!viewer) return reply;
    const values = { body: str(body(req).body) };
    const checked = checkAnswerInput(values);
    if (!checked.ok) {
      return questionAgain(reply, store, viewer, req.params.id, 422, { errors: { body: checked.problems[0]!.message }, values });
    }
    try {
      const post = await createAnswer(ctx, postLimiter, {
        storeId: store.id,
        member: viewer.member,
        questionId: req.params.id,
        body: checked.body,
        ip: req.ip,
      });
      return reply.redirect(`${back}${post.status === 'pending' ? '?notice=pending' : ''}#post-${post.id}`, 303);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.status === 404) return notFoundPage(reply, store, viewer, 'question');
      return questionAgain(reply, store, viewer, req.params.id, err.status, { errors: { body: err.message }, values });
    }
  });

  /** A post action from the question page: the member, the post, and where to go back to. */
  const postAction = async (
    req: FastifyRequest<PI>,
    reply: FastifyReply,
    act: (store: StoreRow, viewer: Viewer, questionId: string) => Promise<string>,
  ): Promise<FastifyReply> => {
    const store = await loadStore(req.params.store);
    if (!store) return notFoundPage(reply, undefined, null);
    const post = await loadPost(db, store.id, req.params.id);
    const questionId = post ? (post.kind === 'question' ? post.id : post.questionId!) : req.params.id;
    const back = questionUrl(store.id, questionId);
    const viewer = await formViewer(req, reply, store, back);
    if (!viewer) return reply;
    if (!post || post.status === 'hidden') return notFoundPage(reply, store, viewer, 'post');
    try {
      const to = await act(store, viewer, questionId);
      return reply.redirect(to, 303);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.status === 404) return notFoundPage(reply, store, viewer, 'post');
      return questionAgain(reply, store, viewer, questionId, err.status, { notice: err.message });
    }
  };

  pub.post<PI>('/community/:store/posts/:id/vote', pageRoute, (req, reply) =>
    postAction(req, reply, async (store, viewer, questionId) => {
      const raw = str(body(req).value);
      const value = raw === 'up' ? 1 : raw === 'down' ? -1 : raw === 'clear' ? 0 : null;
      if (value === null) throw new AppError(422, 'invalid_request', 'Choose to vote up or down.', 'value');
      await vote(ctx, { storeId: store.id, member: viewer.member, postId: req.params.id, value });
      return `${questionUrl(store.id, questionId)}#post-${req.params.id}`;
    }),
  );

  pub.post<PI>('/community/:store/posts/:id/accept', pageRoute, (req, reply) =>
    postAction(req, reply, async (store, viewer, questionId) => {
      await acceptAnswer(ctx, { storeId: store.id, member: viewer.member, answerId: req.params.id });
      return `${questionUrl(store.id, questionId)}#post-${req.params.id}`;
    }),
  );

  pub.post<PI>('/community/:store/posts/:id/report', pageRoute, (req, reply) =>
    postAction(req, reply, async (store, viewer, questionId) => {
      const b = body(req);
      const reason = str(b.reason);
      if (!(REPORT_REASONS as readonly string[]).includes(reason))
        throw new AppError(422, 'invalid_request', 'Choose a reason for the report.', 'reason');
      if (viewer.member.bannedAt) throw new AppError(403, 'banned', 'This account may no longer report posts.', 'reason');
      const note = str(b.note)
        .replace(/[\s\p{Cc}]+/gu, ' ')
        .trim()
        .slice(0, 300);
      await reportPost(ctx, {
        storeId: store.id,
        member: viewer.member,
        postId: req.params.id,
        reason: reason as ReportReason,
        ...(note ? { note } : {}),
      });
      return `${questionUrl(store.id, questionId)}?notice=reported#post-${req.params.id}`;
    }),
  );

  pub.post<PI>('/community/:store/posts/:id/take-private', pageRoute, (req, reply) =>
    postAction(req, reply, async (store, viewer, questionId) => {
      await takePrivate(ctx, { storeId: store.id, postId: req.params.id, by: { member: viewer.member } });
      return `${questionUrl(store.id, questionId)}?notice=private#post-${req.params.id}`;
    }),
  );

  // Signing in and out.
  pub.get<P & { Querystring: { next?: string } }>('/community/:store/sign-in', pageRoute, async (req, reply) => {
    const store = await loadStore(req.params.store);
    if (!store) return notFoundPage(reply, undefined, null);
    return send(reply, store, 'Sign in', signInPage({ storeId: store.id, next: safeNext(store.id, req.query.next) }), 200, {
      noindex: true,
    });
  });

  pub.post<P>('/community/:store/sign-in', pageRoute, async (req, reply) => {
    const store = await loadStore(req.params.store);
    if (!store) return notFoundPage(reply, undefined, null);
    const b = body(req);
    const next = safeNext(store.id, b.next);
    const email = str(b.email).trim();
    const parsed = emailSchema.safeParse(email);
    if (!parsed.success) {
      return send(
        reply,
        store,
        'Sign in',
        signInPage({ storeId: store.id, next, email, error: 'Enter an e-mail address like name@example.com.' }),
        422,
        { noindex: true },
      );
    }
    if (!signInLimiter.take(store.id, req.ip, SIGN_IN_REQUESTS_PER_IP, ctx.clock.now().getTime())) {
      return send(
        reply,
        store,
        'Sign in',
        signInPage({ storeId: store.id, next, email, error: 'Too many sign-in requests from your network. Please try again in an hour.' }),
        429,
        { noindex: true },
      );
    }
    await requestSignInLink(ctx, { storeId: store.id, storeName: store.name, email: parsed.data, next });
    return send(reply, store, 'Check your e-mail', linkSentPage(store.id, parsed.data), 200, { noindex: true });
  });

  const badLink = (reply: FastifyReply, store: StoreRow, reason: 'not_found' | 'expired' | 'used') =>
    send(
      reply,
      store,
      'Sign-in link',
      messagePage({
        storeId: store.id,
        viewer: null,
        heading:
          reason === 'not_found'
            ? 'This link does not work'
            : reason === 'expired'
              ? 'This link has expired'
              : 'This link was already used',
        text: 'Sign-in links work once, for 30 minutes. Ask for a new one and we will e-mail it to you.',
        link: { href: `${basePath(store.id)}/sign-in`, label: 'Get a new sign-in link' },
      }),
      reason === 'not_found' ? 404 : 410,
      { noindex: true },
    );

  pub.get<P & { Params: { token: string } }>('/community/:store/sign-in/:token', pageRoute, async (req, reply) => {
    const store = await loadStore(req.params.store);
    if (!store) return notFoundPage(reply, undefined, null);
    // GET only looks: mail scanners open links. The button below spends it.
    const check = await checkSignInLink(ctx, store.id, req.params.token);
    if (!check.ok) return badLink(reply, store, check.reason);
    const page = continuePage({
      action: req.url.split('?')[0]!,
      email: check.email,
      name: check.member?.displayName,
      newMember: !check.member,
    });
    return send(reply, store, 'Sign in', page, 200, { noindex: true });
  });

  pub.post<P & { Params: { token: string } }>('/community/:store/sign-in/:token', pageRoute, async (req, reply) => {
    const store = await loadStore(req.params.store);
    if (!store) return notFoundPage(reply, undefined, null);
    const displayName = body(req).displayName;
    try {
      const done = await completeSignIn(ctx, req, reply, { storeId: store.id, token: req.params.token, displayName });
      if (!done.ok) return badLink(reply, store, done.reason);
      return reply.redirect(safeNext(store.id, done.next) ?? basePath(store.id), 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.path !== 'displayName') throw err;
      const check = await checkSignInLink(ctx, store.id, req.params.token);
      if (!check.ok) return badLink(reply, store, check.reason);
      const page = continuePage({
        action: req.url.split('?')[0]!,
        email: check.email,
        newMember: true,
        displayName: str(displayName),
        error: err.message,
      });
      return send(reply, store, 'Sign in', page, err.status, { noindex: true });
    }
  });

  pub.post<P>('/community/:store/sign-out', pageRoute, async (req, reply) => {
    const store = await loadStore(req.params.store);
    if (!store) return notFoundPage(reply, undefined, null);
    const session = await readPublicSession(ctx, req, store.id, 'community');
    if (session && formCsrfOk(session, req.body)) await endPublicSession(ctx, req, reply, session);
    return reply.redirect(`${basePath(store.id)}?notice=signed-out`, 303);
  });
}

function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
