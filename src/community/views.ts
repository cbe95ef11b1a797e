/**
 * The community's pages (ADR 0009): Handlebars, escaped by default. The only unescaped inserts are HTML this
 * module produced itself — other templates' output and `renderMarkdown`'s sanitised HTML. Every action is a
 * plain form (POST with the session's `_csrf`), so the pages work without JavaScript.
 */
import { compilePage } from '../public/layout.ts';
import type { Member } from './members.ts';
import type { AuthorView, ListSort, Post, ProfileView, QuestionView } from './posts.ts';
import { BODY_MAX, MAX_TAGS, REPORT_REASONS, TITLE_MAX } from './posts.ts';
import { renderMarkdown } from './render-markdown.ts';

export const BADGE_LABELS: Record<string, string> = {
  staff: 'Staff',
  'first-accepted-answer': 'First accepted answer',
  'helpful-10': 'Helpful: 10 answers',
};

const REASON_LABELS: Record<string, string> = {
  spam: 'Spam or advertising',
  abuse: 'Rude or abusive',
  'off-topic': 'Off topic',
  'personal-data': 'Shares personal information',
  other: 'Something else',
};

/** Messages a redirect may ask a page to show (`?notice=`): fixed texts, nothing from the URL is echoed. */
export const NOTICES: Record<string, string> = {
  reported: 'Thank you. A moderator will look at this post.',
  private: 'This post is now a private conversation with the store. They will reply by e-mail.',
  pending: 'Thank you. Your post will appear once a moderator has approved it.',
  'signed-out': 'You are signed out.',
};

/** The notice a `?notice=` key names, if it is one of ours (never `__proto__`, `constructor` or the like). */
export function noticeText(key: unknown): string | undefined {
  return typeof key === 'string' && Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined;
}

/**
 * The title and heading of a question's page, wherever it is rendered (the page itself and every re-render
 * after a refused form): a question taken private never shows its title again.
 */
export function questionHeading(q: Pick<Post, 'status' | 'title'>): string {
  return q.status === 'private' ? 'A private conversation' : (q.title ?? 'Question');
}

export interface Viewer {
  member: Member;
  csrf: string;
}

export function basePath(storeId: string): string {
  return `/community/${encodeURIComponent(storeId)}`;
}

function when(iso: string): string {
  return new Date(iso).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

const navTemplate = compilePage(`<nav class="cm-nav" aria-label="Community">
<a href="{{base}}">Questions</a>
<a href="{{base}}/ask">Ask a question</a>
{{#if me}}<span class="cm-me">Signed in as <a href="{{base}}/members/{{me.id}}">{{me.name}}</a></span>
<form method="post" action="{{base}}/sign-out" class="cm-inline"><input type="hidden" name="_csrf" value="{{me.csrf}}"><button class="cm-link" type="submit">Sign out</button></form>
{{else}}<a href="{{signIn}}">Sign in</a>{{/if}}
</nav>`);

export function signInHref(storeId: string, next?: string): string {
  return `${basePath(storeId)}/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`;
}

function nav(storeId: string, viewer: Viewer | null, next?: string): string {
  return navTemplate({
    base: basePath(storeId),
    me: viewer ? { id: viewer.member.id, name: viewer.member.displayName, csrf: viewer.csrf } : null,
    signIn: signInHref(storeId, next),
  });
}

const authorTemplate = compilePage(
  `<span class="cm-author"><a href="{{base}}/members/{{id}}">{{displayName}}</a> <span class="cm-rep" title="Reputation points">({{reputation}} pts)</span>{{#each badges}} <span class="badge cm-badge cm-badge-{{slug}}">{{label}}</span>{{/each}}</span>`,
);

function author(storeId: string, a: AuthorView | undefined): string {
  if (!a) return '<span class="cm-author">a former member</span>';
  return authorTemplate({
    base: basePath(storeId),
    ...a,
    badges: a.badges.map((b) => ({ slug: b, label: BADGE_LABELS[b] ?? b })),
  });
}

function tagLinks(storeId: string, tags: string[]) {
  return tags.map((t) => ({ name: t, href: `${basePath(storeId)}?tag=${encodeURIComponent(t)}` }));
}

// ---------------------------------------------------------------------------------------------------------------
// The list

const listTemplate = compilePage(`{{{nav}}}
<h1>{{heading}}</h1>
<form method="get" action="{{base}}" role="search" class="cm-search">
<label for="q">Search questions</label>
<div class="cm-row"><input type="search" id="q" name="q" value="{{q}}" maxlength="200">{{#if tag}}<input type="hidden" name="tag" value="{{tag}}">{{/if}} <button type="submit">Search</button></div>
</form>
<p class="cm-sorts">Show: {{#each sorts}}<a href="{{href}}"{{#if current}} aria-current="page"{{/if}}>{{label}}</a> {{/each}}</p>
{{#if tag}}<p>Tagged <span class="badge">{{tag}}</span> · <a href="{{base}}">all questions</a></p>{{/if}}
{{#if questions.length}}<ol class="cm-list">
{{#each questions}}<li class="card cm-item">
<div class="cm-stats"><span>{{score}} votes</span> <span{{#if accepted}} class="cm-answered"{{/if}}>{{answerCount}} answers{{#if accepted}} · accepted{{/if}}</span></div>
<h2 class="cm-title"><a href="{{href}}">{{title}}</a></h2>
{{#if tags.length}}<p class="cm-tags">{{#each tags}}<a class="badge" href="{{href}}">{{name}}</a> {{/each}}</p>{{/if}}
<p class="muted cm-byline">Asked by {{{author}}} on <time datetime="{{createdAt}}">{{when}}</time></p>
</li>{{/each}}
</ol>{{else}}<p class="card">{{#if q}}No questions match “{{q}}”.{{else}}No questions here yet.{{/if}} <a href="{{base}}/ask">Ask one</a>.</p>{{/if}}
{{#if pager}}<p class="cm-pager">{{#if prev}}<a href="{{prev}}">← Newer</a>{{/if}} {{#if next}}<a href="{{next}}">Older →</a>{{/if}}</p>{{/if}}`);

export function listPage(input: {
  storeId: string;
  viewer: Viewer | null;
  sort: ListSort;
  q: string;
  tag: string;
  page: number;
  more: boolean;
  questions: Post[];
  authors: Map<string, AuthorView>;
}): string {
  const base = basePath(input.storeId);
  const href = (over: Record<string, string | number | undefined>) => {
    const params = new URLSearchParams();
    const all: Record<string, string | number | undefined> = {
      sort: input.sort === 'newest' ? undefined : input.sort,
      q: input.q || undefined,
      tag: input.tag || undefined,
      ...over,
    };
    for (const [k, v] of Object.entries(all)) if (v !== undefined && v !== '' && !(k === 'page' && v === 1)) params.set(k, String(v));
    const s = params.toString();
    return s ? `${base}?${s}` : base;
  };
  const sorts = (['newest', 'unanswered', 'top'] as const).map((s) => ({
    label: s === 'newest' ? 'Newest' : s === 'unanswered' ? 'Unanswered' : 'Top',
    href: href({ sort: s === 'newest' ? undefined : s, page: undefined }),
    current: s === input.sort,
  }));
  return listTemplate({
    nav: nav(input.storeId, input.viewer),
    base,
    heading: input.q ? 'Search results' : 'Questions',
    q: input.q,
    tag: input.tag,
    sorts,
    questions: input.questions.map((q) => ({
      title: q.title,
      href: `${base}/questions/${encodeURIComponent(q.id)}`,
      score: q.score,
      answerCount: q.answerCount,
      accepted: !!q.acceptedAnswerId,
      tags: tagLinks(input.storeId, q.tags),
      author: author(input.storeId, input.authors.get(q.authorId)),
      createdAt: q.createdAt,
      when: when(q.createdAt),
    })),
    pager: input.page > 1 || input.more,
    prev: input.page > 1 ? href({ page: input.page - 1 }) : null,
    next: input.more ? href({ page: input.page + 1 }) : null,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// A question and its answers

const postTemplate = compilePage(`<article class="card cm-post{{#if accepted}} cm-accepted{{/if}}" id="post-{{id}}" aria-label="{{label}}">
{{#if private}}<p class="cm-private">This {{kindName}} was moved to a private conversation with the store.</p>
{{else}}{{#if pending}}<p><span class="badge warn">Waiting for a moderator</span> <span class="muted">Only you can see this for now.</span></p>{{/if}}
{{#if accepted}}<p><span class="badge ok cm-accepted-label">✓ Accepted answer</span></p>{{/if}}
<div class="cm-body">{{{html}}}</div>{{/if}}
<div class="cm-meta">
{{#if voteForm}}<form method="post" action="{{base}}/posts/{{id}}/vote" class="cm-vote">
<input type="hidden" name="_csrf" value="{{csrf}}">
<button type="submit" name="value" value="{{upValue}}" class="cm-vote-btn" aria-pressed="{{up}}" aria-label="{{upLabel}}">▲</button>
<span class="cm-score" data-score="{{score}}">{{score}}</span>
<button type="submit" name="value" value="{{downValue}}" class="cm-vote-btn" aria-pressed="{{down}}" aria-label="{{downLabel}}">▼</button>
</form>{{else}}<span class="cm-score-static"><span class="cm-score" data-score="{{score}}">{{score}}</span> votes</span>{{/if}}
<span class="muted cm-byline">{{verb}} by {{{author}}} on <time datetime="{{createdAt}}">{{when}}</time></span>
</div>
{{#if actions}}<div class="cm-actions">
{{#if canAccept}}<form method="post" action="{{base}}/posts/{{id}}/accept" class="cm-inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="secondary">Accept this answer</button></form>{{/if}}
{{#if canTakePrivate}}<form method="post" action="{{base}}/posts/{{id}}/take-private" class="cm-inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="secondary" aria-describedby="private-help-{{id}}">Take this private</button> <span id="private-help-{{id}}" class="muted cm-help">Moves this {{kindName}} to a private conversation with the store’s team.</span></form>{{/if}}
{{#if canReport}}<details class="cm-report"><summary>Report</summary>
<form method="post" action="{{base}}/posts/{{id}}/report">
<input type="hidden" name="_csrf" value="{{csrf}}">
<label for="reason-{{id}}">Why should a moderator look at this?</label>
<select id="reason-{{id}}" name="reason">{{#each reasons}}<option value="{{value}}">{{label}}</option>{{/each}}</select>
<label for="note-{{id}}">Anything to add? <span class="muted">(optional)</span></label>
<input type="text" id="note-{{id}}" name="note" maxlength="300">
<p><button type="submit" class="secondary">Send report</button></p>
</form></details>{{/if}}
</div>{{/if}}
</article>`);

const questionTemplate = compilePage(`{{{nav}}}
{{#if notice}}<p class="cm-notice{{#if error}} cm-notice-error{{/if}}" role="{{#if error}}alert{{else}}status{{/if}}">{{notice}}</p>{{/if}}
<h1>{{heading}}</h1>
{{#if tags.length}}<p class="cm-tags">{{#each tags}}<a class="badge" href="{{href}}">{{name}}</a> {{/each}}</p>{{/if}}
{{{questionHtml}}}
{{#unless private}}<h2 id="answers">{{answerHeading}}</h2>
{{{answersHtml}}}
{{#if canAnswer}}<h2 id="your-answer">Your answer</h2>
<form method="post" action="{{base}}/questions/{{id}}/answers" class="cm-form" novalidate>
<input type="hidden" name="_csrf" value="{{csrf}}">
<label for="answer-body">Answer</label>
<textarea id="answer-body" name="body" maxlength="{{bodyMax}}" required aria-describedby="answer-help{{#if errors.body}} answer-error{{/if}}"{{#if errors.body}} aria-invalid="true"{{/if}}>{{values.body}}</textarea>
<p id="answer-help" class="muted cm-help">Markdown: **bold**, _italic_, \`code\`, lists, links. No images.</p>
{{#if errors.body}}<p id="answer-error" class="error">{{errors.body}}</p>{{/if}}
<p><button type="submit">Post your answer</button></p>
</form>{{else}}{{#if signInToAnswer}}<p class="card"><a href="{{signIn}}">Sign in</a> to answer, vote or report a post.</p>{{/if}}{{/if}}{{/unless}}`);

export function questionPage(input: {
  storeId: string;
  viewer: Viewer | null;
  view: QuestionView;
  notice?: string | undefined;
  error?: boolean;
  errors?: Record<string, string>;
  values?: Record<string, string>;
}): string {
  const { storeId, viewer, view } = input;
  const base = basePath(storeId);
  const me = viewer?.member ?? null;
  const q = view.question;
  const canAct = !!me && !me.bannedAt;
  const post = (p: Post) => {
    const mine = me?.id === p.authorId;
    const vote = view.myVotes.get(p.id) ?? 0;
    const isPrivate = p.status === 'private';
    const published = p.status === 'published';
    const canAccept =
      p.kind === 'answer' &&
      published &&
      q.status === 'published' &&
      canAct &&
      (q.authorId === me!.id || me!.staff) &&
      q.acceptedAnswerId !== p.id;
    const canTakePrivate = !isPrivate && !!me && (mine || me.staff) && p.status !== 'hidden';
    const canReport = published && canAct && !mine;
    const kindName = p.kind === 'question' ? 'question' : 'answer';
    return postTemplate({
      id: p.id,
      base,
      csrf: viewer?.csrf,
      label: p.kind === 'question' ? 'Question' : `Answer by ${view.authors.get(p.authorId)?.displayName ?? 'a former member'}`,
      kindName,
      private: isPrivate,
      pending: p.status === 'pending',
      accepted: q.acceptedAnswerId === p.id,
      html: isPrivate ? '' : renderMarkdown(p.body),
      voteForm: published && canAct && !mine,
      up: vote > 0 ? 'true' : 'false',
      down: vote < 0 ? 'true' : 'false',
      upValue: vote > 0 ? 'clear' : 'up',
      downValue: vote < 0 ? 'clear' : 'down',
      upLabel: vote > 0 ? 'You voted this up; press to take your vote back' : `Vote this ${kindName} up`,
      downLabel: vote < 0 ? 'You voted this down; press to take your vote back' : `Vote this ${kindName} down`,
      score: p.score,
      verb: p.kind === 'question' ? 'Asked' : 'Answered',
      author: author(storeId, view.authors.get(p.authorId)),
      createdAt: p.createdAt,
      when: when(p.createdAt),
      actions: canAccept || canTakePrivate || canReport,
      canAccept,
      canTakePrivate,
      canReport,
      reasons: REPORT_REASONS.map((r) => ({ value: r, label: REASON_LABELS[r] })),
    });
  };
  const visibleAnswers = view.answers.length;
  const self = `${base}/questions/${encodeURIComponent(q.id)}`;
  return questionTemplate({
    nav: nav(storeId, viewer, self),
    base,
    id: q.id,
    csrf: viewer?.csrf,
    notice: input.notice,
    error: input.error ?? false,
    private: q.status === 'private',
    heading: questionHeading(q),
    tags: q.status === 'private' ? [] : tagLinks(storeId, q.tags),
    questionHtml: post(q),
    answerHeading: visibleAnswers === 1 ? '1 answer' : `${visibleAnswers} answers`,
    answersHtml: view.answers.map(post).join('\n'),
    canAnswer: canAct && q.status === 'published',
    signInToAnswer: !me,
    signIn: signInHref(storeId, self),
    bodyMax: BODY_MAX,
    errors: input.errors ?? {},
    values: input.values ?? {},
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Asking

const askTemplate = compilePage(`{{{nav}}}
<h1>Ask a question</h1>
{{#if notice}}<p class="cm-notice cm-notice-error" role="alert">{{notice}}</p>{{/if}}
<form method="post" action="{{base}}/ask" class="cm-form" novalidate>
<input type="hidden" name="_csrf" value="{{csrf}}">
<label for="title">Title</label>
<input type="text" id="title" name="title" value="{{values.title}}" maxlength="{{titleMax}}" required aria-describedby="title-help{{#if errors.title}} title-error{{/if}}"{{#if errors.title}} aria-invalid="true"{{/if}}>
<p id="title-help" class="muted cm-help">One line that sums up your question.</p>
{{#if errors.title}}<p id="title-error" class="error">{{errors.title}}</p>{{/if}}
<label for="body">Details</label>
<textarea id="body" name="body" maxlength="{{bodyMax}}" required aria-describedby="body-help{{#if errors.body}} body-error{{/if}}"{{#if errors.body}} aria-invalid="true"{{/if}}>{{values.body}}</textarea>
<p id="body-help" class="muted cm-help">Markdown: **bold**, _italic_, \`code\`, lists, links. No images. Do not share order numbers, addresses or card details here: use “Take this private” for those.</p>
{{#if errors.body}}<p id="body-error" class="error">{{errors.body}}</p>{{/if}}
<label for="tags">Tags <span class="muted">(optional, up to {{maxTags}})</span></label>
<input type="text" id="tags" name="tags" value="{{values.tags}}" aria-describedby="tags-help{{#if errors.tags}} tags-error{{/if}}"{{#if errors.tags}} aria-invalid="true"{{/if}}>
<p id="tags-help" class="muted cm-help">Words separated by spaces or commas, e.g. shipping returns.</p>
{{#if errors.tags}}<p id="tags-error" class="error">{{errors.tags}}</p>{{/if}}
<p><button type="submit">Post your question</button></p>
</form>`);

export function askPage(input: {
  storeId: string;
  viewer: Viewer;
  errors?: Record<string, string>;
  values?: Record<string, string>;
  notice?: string;
}): string {
  return askTemplate({
    nav: nav(input.storeId, input.viewer),
    base: basePath(input.storeId),
    csrf: input.viewer.csrf,
    errors: input.errors ?? {},
    values: input.values ?? {},
    notice: input.notice,
    titleMax: TITLE_MAX,
    bodyMax: BODY_MAX,
    maxTags: MAX_TAGS,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Signing in

const signInTemplate = compilePage(`{{{nav}}}
<h1>Sign in to the community</h1>
<p>We will e-mail you a link to sign in. No password needed.</p>
<form method="post" action="{{base}}/sign-in" class="cm-form" novalidate>
{{#if next}}<input type="hidden" name="next" value="{{next}}">{{/if}}
<label for="email">Your e-mail address</label>
<input type="email" id="email" name="email" value="{{email}}" autocomplete="email" required aria-describedby="email-help{{#if error}} email-error{{/if}}"{{#if error}} aria-invalid="true"{{/if}}>
<p id="email-help" class="muted cm-help">Only the store sees it; other members see the name you choose.</p>
{{#if error}}<p id="email-error" class="error">{{error}}</p>{{/if}}
<p><button type="submit">E-mail me a link</button></p>
</form>`);

export function signInPage(input: { storeId: string; next: string | null; email?: string; error?: string }): string {
  return signInTemplate({
    nav: nav(input.storeId, null),
    base: basePath(input.storeId),
    next: input.next,
    email: input.email,
    error: input.error,
  });
}

const sentTemplate = compilePage(`{{{nav}}}
<h1>Check your e-mail</h1>
<p role="status">If {{email}} can receive e-mail, a sign-in link is on its way. It works once, within 30 minutes.</p>
<p class="muted">Nothing arrived? Check your spam folder, or <a href="{{base}}/sign-in">ask for another link</a>.</p>`);

export function linkSentPage(storeId: string, email: string): string {
  return sentTemplate({ nav: nav(storeId, null), base: basePath(storeId), email });
}

const continueTemplate = compilePage(`<h1>{{#if newMember}}Welcome to the community{{else}}Welcome back, {{name}}{{/if}}</h1>
<form method="post" action="{{action}}" class="cm-form" novalidate>
{{#if newMember}}<p>Signing in as {{email}}. Choose the name other members will see.</p>
<label for="displayName">Display name</label>
<input type="text" id="displayName" name="displayName" value="{{displayName}}" maxlength="40" required autocomplete="nickname" aria-describedby="name-help{{#if error}} name-error{{/if}}"{{#if error}} aria-invalid="true"{{/if}}>
<p id="name-help" class="muted cm-help">2 to 40 characters. Not your e-mail address.</p>
{{#if error}}<p id="name-error" class="error">{{error}}</p>{{/if}}{{else}}<p>Signing in as {{email}}.</p>{{/if}}
<p><button type="submit">Continue</button></p>
</form>`);

export function continuePage(input: {
  action: string;
  email: string;
  name?: string | undefined;
  newMember: boolean;
  displayName?: string;
  error?: string;
}): string {
  return continueTemplate(input);
}

const messageTemplate = compilePage(`{{{nav}}}
<h1>{{heading}}</h1>
<p{{#if alert}} role="alert"{{/if}}>{{text}}</p>
{{#if link}}<p><a href="{{link.href}}">{{link.label}}</a></p>{{/if}}`);

export function messagePage(input: {
  storeId: string;
  viewer: Viewer | null;
  heading: string;
  text: string;
  link?: { href: string; label: string };
  alert?: boolean;
}): string {
  return messageTemplate({ ...input, nav: nav(input.storeId, input.viewer) });
}

// ---------------------------------------------------------------------------------------------------------------
// A member's profile

const profileTemplate = compilePage(`{{{nav}}}
<h1>{{name}}</h1>
<p class="cm-profile-stats"><span class="cm-rep-big"><strong>{{reputation}}</strong> reputation</span> · member since {{since}}</p>
<h2>Badges</h2>
{{#if badges.length}}<ul class="cm-badges">{{#each badges}}<li><span class="badge cm-badge cm-badge-{{slug}}">{{label}}</span></li>{{/each}}</ul>{{else}}<p class="muted">No badges yet.</p>{{/if}}
<h2>Questions</h2>
{{#if questions.length}}<ul class="cm-plain">{{#each questions}}<li><a href="{{href}}">{{title}}</a> <span class="muted">· {{score}} votes · {{answerCount}} answers</span></li>{{/each}}</ul>{{else}}<p class="muted">None yet.</p>{{/if}}
<h2>Answers</h2>
{{#if answers.length}}<ul class="cm-plain">{{#each answers}}<li><a href="{{href}}">{{title}}</a> <span class="muted">· {{score}} votes{{#if accepted}} · accepted{{/if}}</span></li>{{/each}}</ul>{{else}}<p class="muted">None yet.</p>{{/if}}`);

export function profilePage(input: { storeId: string; viewer: Viewer | null; profile: ProfileView }): string {
  const base = basePath(input.storeId);
  const p = input.profile;
  return profileTemplate({
    nav: nav(input.storeId, input.viewer),
    name: p.member.displayName,
    reputation: p.member.reputation,
    since: when(p.member.createdAt),
    badges: p.member.badges.map((b) => ({ slug: b, label: BADGE_LABELS[b] ?? b })),
    questions: p.questions.map((q) => ({
      href: `${base}/questions/${encodeURIComponent(q.id)}`,
      title: q.title,
      score: q.score,
      answerCount: q.answerCount,
    })),
    answers: p.answers.map((a) => ({
      href: `${base}/questions/${encodeURIComponent(a.questionId ?? '')}#post-${a.id}`,
      title: a.questionTitle,
      score: a.score,
      accepted: a.accepted,
    })),
  });
}
