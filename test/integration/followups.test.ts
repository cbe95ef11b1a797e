/**
 * Follow-ups and surveys (issue 8) through the real app on both engines: scheduling when a case resolves (in the
 * same transaction, once per resolution), the timer deciding again when it fires, the check-in message with its
 * one-click links, the survey page (GET only looks; POST answers once, even when two arrive together), links
 * that expired or belong to another store, a low score reopening the case with an alert, VIP personal notes,
 * NPS scheduling rules, "send now" and the summary; and the policy section's defaults and errors.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { followUpsFor } from '../../src/followups/followups.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { defaultPolicy } from '../../src/policy/default-policy.ts';
import { parsePolicy } from '../../src/policy/parse-policy.ts';
import { ensureUser } from '../../src/stores/stores.service.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp } from '../helper.ts';

const DAY = 86_400_000;

interface Followup {
  id: string;
  kind: string;
  status: string;
  dueAt: string;
  assigneeId: string | null;
  messageId: string | null;
  detail: string | null;
  answers: { metric: string; score: number; comment: string | null }[];
}

describe('followUp policy section', () => {
  it('defaults when the section is absent (the default policy has none of its own)', () => {
    const f = defaultPolicy().policy.followUp;
    expect(f.checkInDays).toBe(3);
    expect(f.personalNoteTiers).toEqual(['vip']);
    expect(f.nps).toEqual({ enabled: true, afterDays: 30, minDaysBetween: 90 });
    expect(f.lowScore).toEqual({ csat: 2, ces: 3, nps: null });
    expect(f.reviewInvite).toEqual({ minCsat: 5, reviewUrl: null });
  });

  it('names the path of a bad value, and takes a good one', () => {
    const base = defaultPolicy().source;
    const bad = parsePolicy(
      `${base}\nfollowUp:\n  checkInDays: -1\n  personalNoteTiers: [gold]\n  reviewInvite:\n    reviewUrl: "javascript:alert(1)"\n  surprise: 1\n`,
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    const paths = bad.errors.map((e) => e.path);
    expect(paths).toContain('followUp.checkInDays');
    expect(paths).toContain('followUp.personalNoteTiers[0]');
    expect(paths).toContain('followUp.reviewInvite.reviewUrl');
    expect(paths).toContain('followUp.surprise');
    const good = parsePolicy(`${base}\nfollowUp:\n  checkInDays: 1\n  reviewInvite:\n    reviewUrl: https://reviews.example.com/acme\n`);
    expect(good.ok).toBe(true);
    if (good.ok) {
      expect(good.policy.followUp.checkInDays).toBe(1);
      expect(good.policy.followUp.reviewInvite.reviewUrl).toBe('https://reviews.example.com/acme');
      expect(good.policy.followUp.lowScore.csat).toBe(2);
    }
  });

  it('refuses a CSAT that would both reopen the case and invite a review, naming the path', () => {
    const base = defaultPolicy().source;
    const clash = parsePolicy(`${base}\nfollowUp:\n  lowScore:\n    csat: 3\n  reviewInvite:\n    minCsat: 3\n`);
    expect(clash.ok).toBe(false);
    if (clash.ok) return;
    expect(clash.errors).toEqual([
      expect.objectContaining({ path: 'followUp.reviewInvite.minCsat', message: expect.stringMatching(/lowScore\.csat/) }),
    ]);
    // Below the review threshold, or no low CSAT at all: fine.
    expect(parsePolicy(`${base}\nfollowUp:\n  lowScore:\n    csat: 2\n  reviewInvite:\n    minCsat: 3\n`).ok).toBe(true);
    expect(parsePolicy(`${base}\nfollowUp:\n  lowScore:\n    csat: null\n  reviewInvite:\n    minCsat: 1\n`).ok).toBe(true);
  });
});

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] follow-ups and surveys`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-03-02T10:00:00Z');
    let n = 0;

    const inject = (method: 'GET' | 'POST', url: string, token = t.tokens.agent, payload?: unknown) =>
      t.app.inject({ method, url, headers: auth(token), ...(payload === undefined ? {} : { payload: payload as object }) });
    const post = async (events: unknown[]) => {
      const res = await inject('POST', '/api/v1/events', t.tokens.admin, { events });
      expect(res.statusCode, res.body).toBe(201);
    };
    const db = () => t.database.db;

    /** A customer complains (case acknowledged); returns the case id. */
    const openCase = async (
      o: { customer?: string; tags?: string[]; locale?: string; channel?: 'email' | 'portal' | 'chat'; noEmail?: boolean } = {},
    ) => {
      const k = ++n;
      const customer = o.customer ?? `cus-${k}`;
      const at = clock.now().toISOString();
      await post([
        ev(
          `cu-${k}`,
          'customer.upserted',
          {
            customerId: customer,
            ...(o.noEmail ? {} : { email: `${customer}@example.com` }),
            name: 'Nora Quinn',
            ...(o.tags ? { tags: o.tags } : {}),
            ...(o.locale ? { locale: o.locale } : {}),
          },
          at,
        ),
        ev(
          `cp-${k}`,
          'complaint.received',
          {
            complaintId: `c-${k}`,
            customerId: customer,
            channel: o.channel ?? 'email',
            subject: 'Broken mug',
            body: 'The mug arrived broken, please help.',
          },
          at,
        ),
      ]);
      const c = await db()
        .selectFrom('cases')
        .select('id')
        .where('store_id', '=', 'acme')
        .where('complaint_id', '=', `c-${k}`)
        .executeTakeFirstOrThrow();
      return c.id;
    };
    const setStatus = async (caseId: string, status: string) => {
      const res = await inject('POST', `/api/v1/cases/${caseId}/status`, t.tokens.agent, { status });
      expect(res.statusCode, res.body).toBe(200);
    };
    const followups = async (caseId: string): Promise<Followup[]> => {
      const res = await inject('GET', `/api/v1/cases/${caseId}/followups`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().followups;
    };
    const surveyMessages = (caseId: string) =>
      db()
        .selectFrom('case_messages')
        .select(['id', 'body', 'template', 'author_type', 'locale'])
        .where('store_id', '=', 'acme')
        .where('case_id', '=', caseId)
        .where('template', 'like', '%survey%')
        .execute();
    /** The check-in's links: `/s/acme/<token>` per metric. */
    const linksIn = (body: string) => {
      const paths = [...body.matchAll(/(\/s\/acme\/[A-Za-z0-9_-]{43})\?score=(\d+)/g)].map((m) => ({ path: m[1]!, score: Number(m[2]) }));
      const csat = paths.filter((_, i) => i < 5);
      const ces = paths.filter((_, i) => i >= 5);
      return { paths, csat: csat[0]?.path ?? '', ces: ces[0]?.path ?? '' };
    };
    const resolveAndSend = async (o: Parameters<typeof openCase>[0] = {}) => {
      const caseId = await openCase(o);
      await setStatus(caseId, 'resolved');
      clock.advance(3 * DAY + 1000);
      await t.ctx.jobs.runDue();
      const [m] = await surveyMessages(caseId);
      expect(m, 'check-in sent').toBeDefined();
      return { caseId, message: m!, links: linksIn(m!.body) };
    };
    const answer = (path: string, form: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form).toString(),
      });
    const surveyEvents = async () =>
      Number(
        (
          await db()
            .selectFrom('events')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('store_id', '=', 'acme')
            .where('type', '=', 'survey.answered')
            .executeTakeFirstOrThrow()
        ).n,
      );

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
    });
    afterAll(async () => {
      await t?.close();
    });
    beforeEach(() => {
      clock.advance(DAY);
    });

    it('schedules a check-in when a case resolves, once per resolution, and the timer sends it with one link per metric', async () => {
      const caseId = await openCase();
      await setStatus(caseId, 'resolved');
      const resolvedAt = clock.now().toISOString();
      const [checkin, ...rest] = (await followups(caseId)).filter((f) => f.kind === 'checkin');
      expect(rest).toHaveLength(0);
      expect(checkin).toMatchObject({ status: 'scheduled', dueAt: new Date(clock.now().getTime() + 3 * DAY).toISOString() });
      // The same resolution scheduled again (a retried transaction, a second listener call) changes nothing.
      await db()
        .transaction()
        .execute((trx) => followUpsFor(db())!.scheduleOnResolve(trx, 'acme', caseId, resolvedAt));
      expect((await followups(caseId)).filter((f) => f.kind === 'checkin')).toHaveLength(1);
      // Not due yet: nothing is sent.
      clock.advance(3 * DAY - 60_000);
      await t.ctx.jobs.runDue();
      expect(await surveyMessages(caseId)).toHaveLength(0);
      clock.advance(120_000);
      await t.ctx.jobs.runDue();
      const msgs = await surveyMessages(caseId);
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toMatchObject({ template: 'en/survey-checkin', author_type: 'system', locale: 'en' });
      const links = linksIn(msgs[0]!.body);
      expect(links.paths.map((p) => p.score)).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 6, 7]);
      expect(new Set(links.paths.slice(0, 5).map((p) => p.path)).size).toBe(1);
      expect(new Set(links.paths.slice(5).map((p) => p.path)).size).toBe(1);
      expect(links.csat).not.toBe(links.ces);
      const after = (await followups(caseId)).find((f) => f.kind === 'checkin')!;
      expect(after).toMatchObject({ status: 'sent', messageId: msgs[0]!.id });
      // The outbox carries it (e-mail, since the case came by e-mail).
      const out = await db()
        .selectFrom('outbox')
        .select(['channel', 'kind'])
        .where('store_id', '=', 'acme')
        .where('message_id', '=', msgs[0]!.id)
        .execute();
      expect(out).toEqual([{ channel: 'email', kind: 'message' }]);
    });

    it('a case reopened before the check-in is due cancels it; the timer (if it still fires) decides again and sends nothing', async () => {
      const caseId = await openCase();
      await setStatus(caseId, 'resolved');
      clock.advance(DAY);
      await setStatus(caseId, 'reopened');
      const [checkin] = (await followups(caseId)).filter((f) => f.kind === 'checkin');
      expect(checkin).toMatchObject({ status: 'cancelled' });
      expect(checkin!.detail).toMatch(/reopened/);
      // A timer that would still run (e.g. it was claimed before the cancel) re-reads the database: skipped, with why.
      await db().updateTable('followups').set({ status: 'scheduled', detail: null }).where('id', '=', checkin!.id).execute();
      const out = await db()
        .transaction()
        .execute((trx) => followUpsFor(db())!.runDue(trx, 'acme', checkin!.id, clock.now()));
      expect(out).toMatchObject({ status: 'cancelled' });
      expect((await followups(caseId)).find((f) => f.id === checkin!.id)).toMatchObject({
        status: 'cancelled',
        detail: expect.stringMatching(/reopened again/),
      });
      clock.advance(5 * DAY);
      await t.ctx.jobs.runDue();
      expect(await surveyMessages(caseId)).toHaveLength(0);
      // Resolved again: a new check-in for the new resolution.
      await setStatus(caseId, 'resolved');
      expect((await followups(caseId)).filter((f) => f.kind === 'checkin').map((f) => f.status)).toEqual(['cancelled', 'scheduled']);
    });

    it('asks nobody about the distant past: an old resolution schedules nothing, a timer a week late sends nothing', async () => {
      // Imported history: a resolution whose check-in (and NPS) would be long overdue gets no follow-ups at all.
      const old = await openCase();
      const longAgo = new Date(clock.now().getTime() - 60 * DAY).toISOString();
      await db()
        .transaction()
        .execute((trx) => followUpsFor(db())!.scheduleOnResolve(trx, 'acme', old, longAgo));
      expect(await followups(old)).toEqual([]);
      // A server that was down: the timer runs 3 + 8 days after the resolution.
      const caseId = await openCase();
      await setStatus(caseId, 'resolved');
      clock.advance(11 * DAY);
      await t.ctx.jobs.runDue();
      expect(await surveyMessages(caseId)).toHaveLength(0);
      expect((await followups(caseId)).find((f) => f.kind === 'checkin')).toMatchObject({
        status: 'skipped',
        detail: expect.stringMatching(/too long ago/),
      });
    });

    it('the survey page only looks on GET; the POST answers once; a low CSAT reopens the case and alerts', async () => {
      const hook = await inject('POST', '/api/v1/webhooks/endpoints', t.tokens.admin, {
        url: 'https://hooks.example.com/amends',
        events: ['survey.low_score'],
      });
      expect(hook.statusCode, hook.body).toBe(201);
      const { caseId, links } = await resolveAndSend();
      // GET: the question, the chosen score, a comment box; nothing recorded, the link still unused (mail scanners).
      for (let i = 0; i < 2; i++) {
        const page = await t.app.inject({ method: 'GET', url: `${links.csat}?score=1` });
        expect(page.statusCode).toBe(200);
        expect(page.headers['content-security-policy']).toContain("script-src 'self'");
        expect(page.body).toContain('How satisfied are you');
        expect(page.body).toMatch(/<input type="radio" name="score" value="1" checked/);
        expect(page.body).not.toMatch(/value="2" checked/);
        expect(page.body).toContain('name="comment"');
        expect(page.body).toContain('/public/survey.js');
      }
      expect(await surveyEvents()).toBe(0);
      // A form without a score is shown again with the message next to the field; nothing recorded.
      const bad = await answer(links.csat, { comment: 'meh' });
      expect(bad.statusCode).toBe(422);
      expect(bad.body).toContain('aria-describedby="score-error"');
      expect(bad.body).toContain('>meh</textarea>');
      expect(await surveyEvents()).toBe(0);
      // The answer: 1 with a comment.
      const res = await answer(links.csat, { score: '1', comment: 'Still broken <b>again</b>' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).toContain('Thank you for your answer');
      expect(res.body).toContain('reopened your case');
      expect(await surveyEvents()).toBe(1);
      const row = await db()
        .selectFrom('survey_responses')
        .selectAll()
        .where('store_id', '=', 'acme')
        .where('case_id', '=', caseId)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ metric: 'csat', comment: 'Still broken <b>again</b>' });
      expect(Number(row.score)).toBe(1);
      expect(row.followup_id).toMatch(/^fu_/);
      const c = await db().selectFrom('cases').select(['status', 'resolved_at']).where('id', '=', caseId).executeTakeFirstOrThrow();
      expect(c).toEqual({ status: 'reopened', resolved_at: null });
      const acts = await db().selectFrom('case_activities').select(['type', 'data']).where('case_id', '=', caseId).execute();
      expect(acts.some((a) => a.type === 'status.changed' && JSON.parse(a.data).reason?.includes('1 of 5'))).toBe(true);
      expect(acts.some((a) => a.type === 'sla.restarted')).toBe(true);
      const alert = await db()
        .selectFrom('outbox')
        .select(['kind', 'payload'])
        .where('store_id', '=', 'acme')
        .where('event_type', '=', 'survey.low_score')
        .where('case_id', '=', caseId)
        .execute();
      expect(alert).toHaveLength(1);
      expect(JSON.parse(alert[0]!.payload).data).toMatchObject({ metric: 'csat', score: 1, reopened: true, caseId });
      // The same link again: already answered, by GET and by POST; nothing new recorded.
      const again = await t.app.inject({ method: 'GET', url: `${links.csat}?score=5` });
      expect(again.statusCode).toBe(409);
      expect(again.body).toContain('already answered');
      expect((await answer(links.csat, { score: '5' })).statusCode).toBe(409);
      expect(await surveyEvents()).toBe(1);
      // The case's follow-ups show the answer.
      const [checkin] = (await followups(caseId)).filter((f) => f.kind === 'checkin');
      expect(checkin!.answers).toEqual([expect.objectContaining({ metric: 'csat', score: 1, comment: 'Still broken <b>again</b>' })]);
      // CES is its own link: a high answer records, reopens nothing more, and does not alert.
      const ces = await answer(links.ces, { score: '6' });
      expect(ces.statusCode).toBe(200);
      expect(await surveyEvents()).toBe(2);
      expect(
        await db().selectFrom('outbox').select('id').where('event_type', '=', 'survey.low_score').where('case_id', '=', caseId).execute(),
      ).toHaveLength(1);
    });

    it('sends the check-in of a portal or chat case by e-mail when the customer has an address; in-app only without one', async () => {
      const channelOf = async (messageId: string) =>
        (
          await db()
            .selectFrom('outbox')
            .select('channel')
            .where('store_id', '=', 'acme')
            .where('message_id', '=', messageId)
            .executeTakeFirstOrThrow()
        ).channel;
      for (const channel of ['portal', 'chat'] as const) {
        const { message } = await resolveAndSend({ channel });
        expect(await channelOf(message.id), `${channel} case, customer with an address`).toBe('email');
      }
      const { message } = await resolveAndSend({ channel: 'chat', noEmail: true });
      expect(await channelOf(message.id), 'chat case, no address').toBe('chat');
    });

    it('one click: the link with a score is sent by survey.js at once; the thank-you page then takes a comment through its own single-use link', async () => {
      const { caseId, links } = await resolveAndSend();
      const events = await surveyEvents();
      // The page for `?score=N` asks the script to send it at once (GET itself records nothing); without a score it does not.
      const page = await t.app.inject({ method: 'GET', url: `${links.csat}?score=1` });
      expect(page.body).toMatch(/<form [^>]*data-survey-form data-autosubmit>/);
      expect((await t.app.inject({ method: 'GET', url: links.csat })).body).not.toContain('data-autosubmit');
      expect(await surveyEvents()).toBe(events);
      const script = await t.app.inject({ method: 'GET', url: '/public/survey.js' });
      expect(script.statusCode).toBe(200);
      expect(script.body).toContain('requestSubmit');
      // The answer (what survey.js posts: the score, an empty comment).
      const res = await answer(links.csat, { score: '1', comment: '' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).toContain('reopened your case');
      expect(await surveyEvents()).toBe(events + 1);
      const token = /<input type="hidden" name="token" value="([A-Za-z0-9_-]{43})">/.exec(res.body)?.[1];
      expect(token, 'a comment form with its token').toBeDefined();
      expect(res.body).toContain('action="/s/acme/comment"');
      const link = await db()
        .selectFrom('signed_links')
        .select(['purpose', 'subject_type', 'subject_id', 'expires_at', 'used_at'])
        .where('store_id', '=', 'acme')
        .where('purpose', '=', 'survey-comment')
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      const checkin = (await followups(caseId)).find((f) => f.kind === 'checkin')!;
      expect(link).toMatchObject({ subject_type: 'followup', subject_id: checkin.id, used_at: null });
      expect(new Date(link.expires_at).getTime()).toBe(clock.now().getTime() + 7 * DAY);
      const comment = (form: Record<string, string>, store = 'acme') =>
        t.app.inject({
          method: 'POST',
          url: `/s/${store}/comment`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(form).toString(),
        });
      // An empty comment: the form again, the message next to the field; nothing written, the link still good.
      const empty = await comment({ token: token!, comment: '   ' });
      expect(empty.statusCode).toBe(422);
      expect(empty.body).toContain('aria-describedby="comment-error"');
      expect(empty.body).toContain(`value="${token}"`);
      // Another store's URL does not know the token.
      expect((await comment({ token: token!, comment: 'hello' }, 'other')).statusCode).toBe(404);
      const notes = () =>
        db()
          .selectFrom('case_messages')
          .select(['body', 'author_type'])
          .where('store_id', '=', 'acme')
          .where('case_id', '=', caseId)
          .where('kind', '=', 'note')
          .execute();
      expect(await notes()).toEqual([]);
      const ok = await comment({ token: token!, comment: 'Still broken <b>again</b>' });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.body).toContain('Thank you for your comment');
      expect(ok.body).toContain('The team looking after your case will read it.');
      // One answer event; the comment is on the answer, the timeline, and (a low score) the case as a note.
      expect(await surveyEvents()).toBe(events + 1);
      expect((await followups(caseId)).find((f) => f.kind === 'checkin')!.answers).toEqual([
        expect.objectContaining({ metric: 'csat', score: 1, comment: 'Still broken <b>again</b>' }),
      ]);
      const acts = await db().selectFrom('case_activities').select(['type', 'data']).where('case_id', '=', caseId).execute();
      const commented = acts.filter((a) => a.type === 'survey.commented');
      expect(commented).toHaveLength(1);
      expect(JSON.parse(commented[0]!.data)).toMatchObject({ metric: 'csat', score: 1, comment: 'Still broken <b>again</b>' });
      const [note, ...more] = await notes();
      expect(more).toHaveLength(0);
      expect(note).toMatchObject({ author_type: 'system' });
      expect(note!.body).toContain('CSAT answer (1 of 5)');
      expect(note!.body).toContain('Still broken <b>again</b>');
      // The comment link is single use; the survey link still says already answered.
      const twice = await comment({ token: token!, comment: 'and again' });
      expect(twice.statusCode).toBe(409);
      expect(twice.body).toContain('already sent your comment');
      expect((await notes()).length).toBe(1);
      expect((await t.app.inject({ method: 'GET', url: `${links.csat}?score=1` })).statusCode).toBe(409);
      // A high score's comment goes on the answer and the timeline, not on the case as a note.
      const ces = await answer(links.ces, { score: '7' });
      const cesToken = /name="token" value="([A-Za-z0-9_-]{43})"/.exec(ces.body)![1]!;
      const good = await comment({ token: cesToken, comment: 'Quick and kind.' });
      expect(good.statusCode).toBe(200);
      expect(good.body).not.toContain('will read it');
      expect((await notes()).length).toBe(1);
      expect((await followups(caseId)).find((f) => f.kind === 'checkin')!.answers.find((a) => a.metric === 'ces')).toMatchObject({
        score: 7,
        comment: 'Quick and kind.',
      });
    });

    it('without JavaScript a comment typed before sending goes with the answer, and the thank-you page asks for none', async () => {
      const { caseId, links } = await resolveAndSend();
      const res = await answer(links.ces, { score: '5', comment: 'Typed first' });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('name="token"');
      expect((await followups(caseId)).find((f) => f.kind === 'checkin')!.answers).toEqual([
        expect.objectContaining({ metric: 'ces', score: 5, comment: 'Typed first' }),
      ]);
    });

    it('a comment link expires after 7 days', async () => {
      const { links } = await resolveAndSend();
      const res = await answer(links.csat, { score: '4' });
      const token = /name="token" value="([A-Za-z0-9_-]{43})"/.exec(res.body)![1]!;
      clock.advance(7 * DAY + 1000);
      const late = await t.app.inject({
        method: 'POST',
        url: '/s/acme/comment',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token, comment: 'late' }).toString(),
      });
      expect(late.statusCode).toBe(410);
    });

    it('a NUL byte or a malformed store or token in the path is the not-found page, never a database error', async () => {
      const { links } = await resolveAndSend();
      const token = links.csat.split('/').at(-1)!;
      // A NUL in the address is refused for every customer page by src/public/routes.ts (its 400 page); the routes
      // also check the store and token shapes before any query, so nothing malformed reaches the database.
      const urls = [
        `/s/ac%00me/${token}`,
        `/s/acme/${token.slice(1)}%00`,
        `/s/ac\u0000me/${token}`,
        `/s/acme/${token.slice(1)}\u0000`,
        `/s/ACME!/${token}`,
        `/s/${'a'.repeat(70)}/${token}`,
      ];
      for (const url of urls) {
        for (const method of ['GET', 'POST'] as const) {
          const res =
            method === 'GET'
              ? await t.app.inject({ method, url: `${url}?score=3` })
              : await t.app.inject({
                  method,
                  url,
                  headers: { 'content-type': 'application/x-www-form-urlencoded' },
                  payload: 'score=3',
                });
          expect(res.headers['content-type'], `${method} ${url}: ${res.body.slice(0, 300)}`).toMatch(/text\/html/);
          if (url.includes('%00')) expect(res.statusCode).toBe(400);
          else if (url.includes('\u0000')) expect([400, 404]).toContain(res.statusCode);
          else {
            expect(res.statusCode, `${method} ${url}`).toBe(404);
            expect(res.body).toContain('This link does not work');
          }
        }
      }
      for (const [store, tok, status] of [
        ['ac%00me', token, 400],
        ['acme', `${token.slice(1)}\u0000`, 404],
        ['ACME', token, 404],
      ] as const) {
        const res = await t.app.inject({
          method: 'POST',
          url: `/s/${store}/comment`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ token: tok, comment: 'hi' }).toString(),
        });
        expect(res.statusCode, `${store}: ${res.body.slice(0, 200)}`).toBe(status);
        expect(res.headers['content-type']).toMatch(/text\/html/);
      }
    });

    it('two answers posted at the same moment record one event', async () => {
      const { caseId, links } = await resolveAndSend();
      const before = await surveyEvents();
      const [a, b] = await Promise.all([answer(links.csat, { score: '4' }), answer(links.csat, { score: '2' })]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
      expect(await surveyEvents()).toBe(before + 1);
      const rows = await db().selectFrom('survey_responses').select('score').where('case_id', '=', caseId).execute();
      expect(rows).toHaveLength(1);
    });

    it('an expired link says so (410); a link on another store’s URL or a made-up one is not found (404)', async () => {
      const { links } = await resolveAndSend();
      const token = links.csat.split('/').at(-1)!;
      expect((await t.app.inject({ method: 'GET', url: `/s/other/${token}?score=3` })).statusCode).toBe(404);
      expect((await answer(`/s/other/${token}`, { score: '3' })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: `/s/nostore/${token}` })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: `/s/acme/${'A'.repeat(43)}` })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/s/acme/short' })).statusCode).toBe(404);
      clock.advance(31 * DAY);
      const page = await t.app.inject({ method: 'GET', url: `${links.csat}?score=3` });
      expect(page.statusCode).toBe(410);
      expect(page.body).toContain('expired');
      const before = await surveyEvents();
      expect((await answer(links.csat, { score: '3' })).statusCode).toBe(410);
      expect(await surveyEvents()).toBe(before);
    });

    it('speaks Spanish to a Spanish-speaking customer, and a high CSAT invites a review when the policy has a review page', async () => {
      const base = defaultPolicy().source;
      const act = await inject('POST', '/api/v1/policy', t.tokens.admin, {
        source: `${base}\nfollowUp:\n  reviewInvite:\n    reviewUrl: https://reviews.example.com/acme\n`,
      });
      expect(act.statusCode, act.body).toBe(201);
      const { message, links } = await resolveAndSend({ locale: 'es-ES' });
      expect(message.template).toBe('es/survey-checkin');
      expect(message.body).toContain('¿Qué tan satisfecho/a');
      const page = await t.app.inject({ method: 'GET', url: `${links.csat}?score=5` });
      expect(page.body).toContain('<html lang="es">');
      const res = await answer(links.csat, { score: '5' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('href="https://reviews.example.com/acme"');
      // Back to the default policy for the other tests.
      await inject('POST', '/api/v1/policy', t.tokens.admin, { source: base });
    });

    it('a VIP also gets a personal note for their relationship manager; only they or a manager mark it done', async () => {
      const manager = await db()
        .selectFrom('users')
        .select('id')
        .where('store_id', '=', 'acme')
        .where('role', '=', 'agent')
        .executeTakeFirstOrThrow();
      const rmId = (await ensureUser(db(), clock, 'acme', { email: `rm-${n}@acme.test`, name: 'Rita Manager', role: 'manager' })).id;
      const customer = `vip-${n}`;
      const caseId = await openCase({ customer, tags: ['vip'] });
      await db()
        .updateTable('customers')
        .set({ relationship_manager_id: rmId })
        .where('store_id', '=', 'acme')
        .where('id', '=', customer)
        .execute();
      await setStatus(caseId, 'resolved');
      const note = (await followups(caseId)).find((f) => f.kind === 'personal_note');
      expect(note).toMatchObject({ status: 'scheduled', assigneeId: rmId });
      expect(manager.id).not.toBe(note!.assigneeId);
      // It is a task, not a message.
      expect((await inject('POST', `/api/v1/followups/${note!.id}/send-now`)).statusCode).toBe(409);
      // An agent it is not assigned to may not close it; a manager may.
      expect((await inject('POST', `/api/v1/followups/${note!.id}/done`, t.tokens.agent)).statusCode).toBe(403);
      const done = await inject('POST', `/api/v1/followups/${note!.id}/done`, t.tokens.manager);
      expect(done.statusCode, done.body).toBe(200);
      expect(done.json()).toMatchObject({ status: 'done' });
      expect((await inject('POST', `/api/v1/followups/${note!.id}/done`, t.tokens.manager)).statusCode).toBe(409);
      // A regular customer gets none.
      const plain = await openCase();
      await setStatus(plain, 'resolved');
      expect((await followups(plain)).some((f) => f.kind === 'personal_note')).toBe(false);
    });

    it('NPS: scheduled for a resolved case, at most once per customer within minDaysBetween, and not while the case is open again', async () => {
      const customer = `nps-${n}`;
      const first = await openCase({ customer });
      await setStatus(first, 'resolved');
      const nps = (await followups(first)).find((f) => f.kind === 'nps');
      expect(nps).toMatchObject({ status: 'scheduled', dueAt: new Date(clock.now().getTime() + 30 * DAY).toISOString() });
      // A second case of the same customer resolved soon after: no second NPS.
      clock.advance(2 * DAY);
      const second = await openCase({ customer });
      await setStatus(second, 'resolved');
      expect((await followups(second)).some((f) => f.kind === 'nps')).toBe(false);
      // Due: sent with one 0–10 link.
      clock.advance(29 * DAY);
      await t.ctx.jobs.runDue();
      const sent = (await surveyMessages(first)).find((m) => m.template === 'en/survey-nps');
      expect(sent).toBeDefined();
      expect([...sent!.body.matchAll(/\?score=(\d+)/g)].map((m) => Number(m[1]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const page = await t.app.inject({
        method: 'GET',
        url: `${[...sent!.body.matchAll(/(\/s\/acme\/[A-Za-z0-9_-]{43})/g)][0]![1]}?score=9`,
      });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('recommend');
      // Another customer's case reopened before its NPS is due: cancelled.
      const other = await openCase();
      await setStatus(other, 'resolved');
      await setStatus(other, 'reopened');
      expect((await followups(other)).find((f) => f.kind === 'nps')).toMatchObject({ status: 'cancelled' });
    });

    it('"send the check-in now" sends at once and takes back the timer; a second time is a conflict', async () => {
      const caseId = await openCase();
      await setStatus(caseId, 'resolved');
      const checkin = (await followups(caseId)).find((f) => f.kind === 'checkin')!;
      const res = await inject('POST', `/api/v1/followups/${checkin.id}/send-now`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ status: 'sent' });
      expect(await surveyMessages(caseId)).toHaveLength(1);
      expect((await inject('POST', `/api/v1/followups/${checkin.id}/send-now`)).statusCode).toBe(409);
      clock.advance(4 * DAY);
      await t.ctx.jobs.runDue();
      expect(await surveyMessages(caseId)).toHaveLength(1);
      // Another store's token does not see it.
      expect((await inject('POST', `/api/v1/followups/${checkin.id}/send-now`, t.other.token)).statusCode).toBe(404);
      expect((await inject('GET', `/api/v1/cases/${caseId}/followups`, t.other.token)).statusCode).toBe(404);
    });

    it('a case resolved with no word to or from the customer gets no survey', async () => {
      const caseId = await openCase();
      await db().deleteFrom('outbox').where('case_id', '=', caseId).execute();
      await db().deleteFrom('case_messages').where('case_id', '=', caseId).execute();
      await setStatus(caseId, 'resolved');
      expect(await followups(caseId)).toEqual([]);
    });

    it('summarises the answers: CSAT, CES, NPS', async () => {
      const res = await inject('GET', '/api/v1/surveys/summary');
      expect(res.statusCode, res.body).toBe(200);
      const s = res.json();
      const rows = await db().selectFrom('survey_responses').select(['metric', 'score']).where('store_id', '=', 'acme').execute();
      const csat = rows.filter((r) => r.metric === 'csat').map((r) => Number(r.score));
      expect(s.csat.count).toBe(csat.length);
      expect(s.csat.average).toBeCloseTo(csat.reduce((a, b) => a + b, 0) / csat.length, 2);
      expect(s.ces.count).toBe(rows.filter((r) => r.metric === 'ces').length);
      const empty = await inject('GET', '/api/v1/surveys/summary?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z');
      expect(empty.json()).toMatchObject({ csat: { count: 0, average: null }, nps: { count: 0, score: null } });
      const bad = await inject('GET', '/api/v1/surveys/summary?from=2020-02-01T00:00:00Z&to=2020-01-01T00:00:00Z');
      expect(bad.statusCode).toBe(400);
    });
  });
}
