/**
 * The community through the real app on both engines: sign-in by e-mail link (GET looks, POST spends, staff
 * recognised), pre- and post-moderation, votes and reputation (self-votes refused, changed votes reversed),
 * accepting (who may, points moving with the accept), badges awarded once, report → queue → hide, spam limits,
 * take private (one case, the link kept both ways), store isolation, and 4xx answers naming the field.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { communityDemoSignInUrl, seedCommunityDemo } from '../../src/community/demo.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { publicBaseUrl } from '../../src/public/base-url.ts';
import { createStore, createToken, ensureUser } from '../../src/stores/stores.service.ts';
import { auth, buildTestApp, engineAvailable, engines, type TestApp } from '../helper.ts';

interface Browser {
  cookie: string;
  csrf: string;
  memberId: string;
}

function form(data: Record<string, string>): string {
  return new URLSearchParams(data).toString();
}

const formHeaders = (cookie?: string) => ({
  'content-type': 'application/x-www-form-urlencoded',
  ...(cookie ? { cookie } : {}),
});

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] community`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-03-02T10:00:00Z');
    let emailCounter = 0;

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
    });
    afterAll(async () => {
      await t?.close();
    });
    beforeEach(async () => {
      // Each test starts an hour later, so hourly limits of one test do not reach the next, with default settings.
      clock.advance(2 * 3_600_000);
      await t.app.inject({ method: 'PUT', url: '/api/v1/store/settings', headers: auth(t.tokens.manager), payload: {} });
    });

    async function lastLinkFor(email: string, store = t.storeId): Promise<string> {
      const rows = await t.ctx.database.db
        .selectFrom('outbox')
        .select(['payload', 'created_at'])
        .where('store_id', '=', store)
        .where('kind', '=', 'notice')
        .orderBy('created_at', 'desc')
        .execute();
      for (const r of rows) {
        const p = JSON.parse(r.payload) as { to: string; body: string; purpose: string };
        if (p.to === email && p.purpose === 'community-link') {
          const m = /(\/community\/[^/\s]+\/sign-in\/[A-Za-z0-9_-]{43})/.exec(p.body);
          if (m) return m[1]!;
        }
      }
      throw new Error(`no sign-in link for ${email}`);
    }

    async function signIn(name: string, opts: { email?: string; store?: string; ip?: string } = {}): Promise<Browser> {
      const store = opts.store ?? t.storeId;
      const email = opts.email ?? `member${++emailCounter}-${engine}@example.com`;
      const ask = await t.app.inject({
        method: 'POST',
        url: `/community/${store}/sign-in`,
        headers: formHeaders(),
        payload: form({ email }),
      });
      expect(ask.statusCode).toBe(200);
      const path = await lastLinkFor(email, store);
      const res = await t.app.inject({ method: 'POST', url: path, headers: formHeaders(), payload: form({ displayName: name }) });
      expect(res.statusCode, res.body).toBe(303);
      const set = res.cookies.find((c) => c.name === 'amends_community');
      expect(set?.path).toBe(`/community/${store}`);
      const cookie = `amends_community=${set!.value}`;
      const page = await t.app.inject({ method: 'GET', url: `/community/${store}/ask`, headers: { cookie } });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
      const member = await t.ctx.database.db
        .selectFrom('community_members')
        .select('id')
        .where('store_id', '=', store)
        .where('email', '=', email.toLowerCase())
        .executeTakeFirstOrThrow();
      return { cookie, csrf: csrf!, memberId: member.id };
    }

    async function ask(b: Browser, title: string, body: string, tags = '', store = t.storeId, ip = '10.0.0.1') {
      const res = await t.app.inject({
        method: 'POST',
        url: `/community/${store}/ask`,
        headers: formHeaders(b.cookie),
        payload: form({ _csrf: b.csrf, title, body, tags }),
        remoteAddress: ip,
      });
      const id = /\/questions\/([^?#]+)/.exec(res.headers.location ?? '')?.[1];
      return { res, id: id ?? '' };
    }

    async function answer(b: Browser, questionId: string, body: string, ip = '10.0.0.2') {
      const res = await t.app.inject({
        method: 'POST',
        url: `/community/${t.storeId}/questions/${questionId}/answers`,
        headers: formHeaders(b.cookie),
        payload: form({ _csrf: b.csrf, body }),
        remoteAddress: ip,
      });
      const id = /#post-(.+)$/.exec(res.headers.location ?? '')?.[1];
      return { res, id: id ?? '' };
    }

    const act = (b: Browser, postId: string, action: string, data: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url: `/community/${t.storeId}/posts/${postId}/${action}`,
        headers: formHeaders(b.cookie),
        payload: form({ _csrf: b.csrf, ...data }),
      });

    const post = (id: string) => t.ctx.database.db.selectFrom('community_posts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const rep = async (memberId: string) =>
      Number(
        (await t.ctx.database.db.selectFrom('community_members').select('reputation').where('id', '=', memberId).executeTakeFirstOrThrow())
          .reputation,
      );
    const badges = async (memberId: string) =>
      (await t.ctx.database.db.selectFrom('community_badges').select('badge').where('member_id', '=', memberId).execute())
        .map((b) => b.badge)
        .sort();

    it('signs in by e-mail link: GET only looks, POST spends once, a name is asked once, sign-out ends it', async () => {
      const email = `Link.Person-${engine}@Example.com`;
      const sent = await t.app.inject({
        method: 'POST',
        url: `/community/${t.storeId}/sign-in`,
        headers: formHeaders(),
        payload: form({ email, next: `/community/${t.storeId}/ask` }),
      });
      expect(sent.statusCode).toBe(200);
      expect(sent.body).toContain('Check your e-mail');
      const path = await lastLinkFor(email.toLowerCase());
      // A mail scanner opening the link changes nothing.
      for (let i = 0; i < 2; i++) {
        const look = await t.app.inject({ method: 'GET', url: path });
        expect(look.statusCode).toBe(200);
        expect(look.body).toContain('name="displayName"');
        expect(look.headers['cache-control']).toBe('no-store');
      }
      // A bad name is asked again next to the field, and the link still works.
      const bad = await t.app.inject({ method: 'POST', url: path, headers: formHeaders(), payload: form({ displayName: ' ' }) });
      expect(bad.statusCode).toBe(422);
      expect(bad.body).toMatch(/aria-describedby="name-help name-error"/);
      expect(bad.body).toContain('id="name-error"');
      const ok = await t.app.inject({ method: 'POST', url: path, headers: formHeaders(), payload: form({ displayName: 'Linda P' }) });
      expect(ok.statusCode).toBe(303);
      expect(ok.headers.location).toBe(`/community/${t.storeId}/ask`);
      const again = await t.app.inject({ method: 'POST', url: path, headers: formHeaders(), payload: form({ displayName: 'Linda P' }) });
      expect(again.statusCode).toBe(410);
      expect(again.cookies.find((c) => c.name === 'amends_community')).toBeUndefined();
      // The link of one store is not found on another store's pages.
      expect((await t.app.inject({ method: 'GET', url: path.replace(`/community/${t.storeId}/`, '/community/other/') })).statusCode).toBe(
        404,
      );

      const cookie = `amends_community=${ok.cookies.find((c) => c.name === 'amends_community')!.value}`;
      const page = await t.app.inject({ method: 'GET', url: `/community/${t.storeId}`, headers: { cookie } });
      expect(page.body).toContain('Signed in as');
      expect(page.body).toContain('Linda P');
      const members = await t.ctx.database.db
        .selectFrom('community_members')
        .selectAll()
        .where('email', '=', email.toLowerCase())
        .execute();
      expect(members).toHaveLength(1);
      expect(members[0]!.user_id).toBeNull();
      // The second sign-in does not ask for a name.
      await t.app.inject({ method: 'POST', url: `/community/${t.storeId}/sign-in`, headers: formHeaders(), payload: form({ email }) });
      const second = await lastLinkFor(email.toLowerCase());
      expect(second).not.toBe(path);
      expect((await t.app.inject({ method: 'GET', url: second })).body).not.toContain('name="displayName"');

      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const out = await t.app.inject({
        method: 'POST',
        url: `/community/${t.storeId}/sign-out`,
        headers: formHeaders(cookie),
        payload: form({ _csrf: csrf }),
      });
      expect(out.statusCode).toBe(303);
      expect((await t.app.inject({ method: 'GET', url: `/community/${t.storeId}`, headers: { cookie } })).body).not.toContain(
        'Signed in as',
      );
    });

    it('refuses a malformed e-mail next to the field, and mails at most 3 links an hour to one address', async () => {
      const bad = await t.app.inject({
        method: 'POST',
        url: `/community/${t.storeId}/sign-in`,
        headers: formHeaders(),
        payload: form({ email: 'not-an-email' }),
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.body).toContain('id="email-error"');
      expect(bad.body).toContain('aria-invalid="true"');
      const email = `flood-${engine}@example.com`;
      for (let i = 0; i < 5; i++) {
        const r = await t.app.inject({
          method: 'POST',
          url: `/community/${t.storeId}/sign-in`,
          headers: formHeaders(),
          payload: form({ email }),
        });
        expect(r.statusCode).toBe(200);
      }
      const notices = await t.ctx.database.db
        .selectFrom('outbox')
        .select('payload')
        .where('store_id', '=', t.storeId)
        .where('kind', '=', 'notice')
        .execute();
      expect(notices.filter((n) => (JSON.parse(n.payload) as { to: string }).to === email)).toHaveLength(3);
    });

    it('makes a console user of the store a staff member with the staff badge', async () => {
      await ensureUser(t.ctx.database.db, clock, t.storeId, { email: `helper-${engine}@acme.test`, name: 'Hana Helper', role: 'agent' });
      const staff = await signIn('Hana from Acme', { email: `helper-${engine}@acme.test` });
      expect(await badges(staff.memberId)).toEqual(['staff']);
      // The same address on another store is just a member there.
      const elsewhere = await signIn('Hana', { email: `helper-${engine}@acme.test`, store: 'other' });
      expect(await badges(elsewhere.memberId)).toEqual([]);
    });

    it('publishes at once with post-moderation, holds with pre-moderation until approved', async () => {
      const asker = await signIn('Pat Asker');
      const a = await ask(
        asker,
        'How long does shipping to Canada take?',
        'I ordered tea on Monday and wonder when it arrives in Toronto.',
        'shipping canada',
      );
      expect(a.res.statusCode).toBe(303);
      expect((await post(a.id)).status).toBe('published');
      expect((await t.app.inject({ method: 'GET', url: `/community/${t.storeId}` })).body).toContain(
        'How long does shipping to Canada take?',
      );

      const put = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/store/settings',
        headers: auth(t.tokens.manager),
        payload: { community: { moderation: 'pre' } },
      });
      expect(put.statusCode).toBe(200);
      const held = await ask(
        asker,
        'Can I change the grind after ordering?',
        'I picked whole beans but need ground coffee for my filter.',
        'orders',
      );
      expect(held.res.headers.location).toContain('notice=pending');
      expect((await post(held.id)).status).toBe('pending');
      // Not on the list, not visible to others, visible to its author with a note.
      expect((await t.app.inject({ method: 'GET', url: `/community/${t.storeId}` })).body).not.toContain('Can I change the grind');
      expect((await t.app.inject({ method: 'GET', url: `/community/${t.storeId}/questions/${held.id}` })).statusCode).toBe(404);
      const own = await t.app.inject({
        method: 'GET',
        url: `/community/${t.storeId}/questions/${held.id}`,
        headers: { cookie: asker.cookie },
      });
      expect(own.body).toContain('Waiting for a moderator');

      const queue = await t.app.inject({ method: 'GET', url: '/api/v1/community/moderation', headers: auth(t.tokens.agent) });
      expect(queue.statusCode).toBe(200);
      expect(queue.json().pending.map((p: { id: string }) => p.id)).toContain(held.id);
      const approve = await t.app.inject({
        method: 'POST',
        url: `/api/v1/community/posts/${held.id}/approve`,
        headers: auth(t.tokens.agent),
      });
      expect(approve.statusCode).toBe(200);
      expect(approve.json().status).toBe('published');
      expect(approve.json().topicKind).toBeTruthy();
      expect((await t.app.inject({ method: 'GET', url: `/community/${t.storeId}/questions/${held.id}` })).statusCode).toBe(200);
      // Approving twice changes nothing; a hidden post is restored, not approved.
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/community/posts/${held.id}/approve`, headers: auth(t.tokens.agent) }))
          .statusCode,
      ).toBe(200);
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/community/posts/${held.id}/hide`, headers: auth(t.tokens.agent) })).statusCode,
      ).toBe(200);
      const approveHidden = await t.app.inject({
        method: 'POST',
        url: `/api/v1/community/posts/${held.id}/approve`,
        headers: auth(t.tokens.agent),
      });
      expect(approveHidden.statusCode).toBe(409);
      expect(approveHidden.json().error.path).toBe('status');
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/community/posts/nope/approve`, headers: auth(t.tokens.agent) })).statusCode,
      ).toBe(404);

      // An invalid setting is refused naming the field, and nothing changes.
      const bad = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/store/settings',
        headers: auth(t.tokens.manager),
        payload: { community: { moderation: 'never' } },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.path ?? bad.json().error.message).toMatch(/community\.moderation|moderation/);
      await t.app.inject({ method: 'PUT', url: '/api/v1/store/settings', headers: auth(t.tokens.manager), payload: {} });
    });

    it('counts votes once per member, allows a change, refuses self-votes, and moves reputation exactly', async () => {
      const asker = await signIn('Quinn Q');
      const helper = await signIn('Ravi R');
      const voter = await signIn('Sue S');
      const q = await ask(
        asker,
        'Which tea is best for cold brew at home?',
        'Looking for a tea that stays sweet when brewed cold overnight.',
        'tea',
      );
      const a = await answer(helper, q.id, 'Try a Japanese sencha: it stays sweet and never turns bitter when cold.');
      expect(a.res.statusCode).toBe(303);

      const self = await act(helper, a.id, 'vote', { value: 'up' });
      expect(self.statusCode).toBe(403);
      expect(self.body).toContain('You cannot vote on your own post.');
      expect((await post(a.id)).score).toBe(0);

      expect((await act(voter, a.id, 'vote', { value: 'up' })).statusCode).toBe(303);
      expect((await act(voter, a.id, 'vote', { value: 'up' })).statusCode).toBe(303); // the same vote again: still one
      expect((await post(a.id)).score).toBe(1);
      expect(await rep(helper.memberId)).toBe(10);
      expect((await act(asker, a.id, 'vote', { value: 'up' })).statusCode).toBe(303);
      expect(await rep(helper.memberId)).toBe(20);
      // Sue changes her mind: +10 goes, −2 comes.
      expect((await act(voter, a.id, 'vote', { value: 'down' })).statusCode).toBe(303);
      expect((await post(a.id)).score).toBe(0);
      expect(await rep(helper.memberId)).toBe(8);
      expect((await act(voter, a.id, 'vote', { value: 'clear' })).statusCode).toBe(303);
      expect(await rep(helper.memberId)).toBe(10);
      // Questions earn 5.
      expect((await act(voter, q.id, 'vote', { value: 'up' })).statusCode).toBe(303);
      expect(await rep(asker.memberId)).toBe(5);
      const votes = await t.ctx.database.db.selectFrom('community_votes').selectAll().where('post_id', '=', a.id).execute();
      expect(votes).toHaveLength(1);
      // A vote form without its CSRF token changes nothing.
      const forged = await t.app.inject({
        method: 'POST',
        url: `/community/${t.storeId}/posts/${a.id}/vote`,
        headers: formHeaders(voter.cookie),
        payload: form({ value: 'down' }),
      });
      expect(forged.statusCode).toBe(403);
      expect((await post(a.id)).score).toBe(1);
      // Without a session: asked to sign in, nothing counted.
      const anon = await t.app.inject({
        method: 'POST',
        url: `/community/${t.storeId}/posts/${a.id}/vote`,
        headers: formHeaders(),
        payload: form({ value: 'down' }),
      });
      expect(anon.statusCode).toBe(401);
    });

    it('lets only the asker or staff accept; the accept moves its points; badges are awarded once', async () => {
      const asker = await signIn('Uma U');
      const first = await signIn('Vic V');
      const second = await signIn('Wen W');
      const q = await ask(
        asker,
        'My parcel shows delivered but is not here',
        'Tracking says delivered yesterday but nothing at my door. What should I do?',
        'delivery',
      );
      const a1 = await answer(first, q.id, 'Check with neighbours and the building mailroom first; carriers often leave parcels there.');
      const a2 = await answer(second, q.id, 'Wait a day: some carriers mark parcels delivered the evening before they arrive.');

      const stranger = await act(second, a1.id, 'accept');
      expect(stranger.statusCode).toBe(403);
      expect((await post(q.id)).accepted_answer_id).toBeNull();

      expect((await act(asker, a1.id, 'accept')).statusCode).toBe(303);
      expect((await post(q.id)).accepted_answer_id).toBe(a1.id);
      expect(await rep(first.memberId)).toBe(15);
      expect(await badges(first.memberId)).toEqual(['first-accepted-answer']);
      const page = await t.app.inject({ method: 'GET', url: `/community/${t.storeId}/questions/${q.id}` });
      expect(page.body).toContain('First accepted answer');
      // Accepted first on the page.
      expect(page.body.indexOf(`id="post-${a1.id}"`)).toBeLessThan(page.body.indexOf(`id="post-${a2.id}"`));

      // The accept moves: its points follow; the badge already earned stays, and is never given twice.
      expect((await act(asker, a2.id, 'accept')).statusCode).toBe(303);
      expect(await rep(first.memberId)).toBe(0);
      expect(await rep(second.memberId)).toBe(15);
      expect((await act(asker, a1.id, 'accept')).statusCode).toBe(303);
      expect(await rep(first.memberId)).toBe(15);
      expect(await badges(first.memberId)).toEqual(['first-accepted-answer']);
      const rows = await t.ctx.database.db.selectFrom('community_badges').selectAll().where('member_id', '=', first.memberId).execute();
      expect(rows).toHaveLength(1);

      // Staff may accept too.
      await ensureUser(t.ctx.database.db, clock, t.storeId, { email: `mod-${engine}@acme.test`, name: 'Mo Mod', role: 'agent' });
      const staff = await signIn('Mo from Acme', { email: `mod-${engine}@acme.test` });
      expect((await act(staff, a2.id, 'accept')).statusCode).toBe(303);
      expect((await post(q.id)).accepted_answer_id).toBe(a2.id);
    });

    it('awards helpful-10 after ten answers scored at least 1, once', async () => {
      const helper = await signIn('Xena Helpful');
      const fans = [await signIn('Fan One'), await signIn('Fan Two')];
      await t.app.inject({
        method: 'PUT',
        url: '/api/v1/store/settings',
        headers: auth(t.tokens.manager),
        payload: { community: { postsPerHourPerMember: 50, postsPerHourPerIp: 500 } },
      });
      for (let i = 0; i < 10; i++) {
        const asker = fans[i % 2]!;
        const q = await ask(
          asker,
          `Question number ${i} about loose leaf storage`,
          `How should I store loose leaf tea, case ${i}? Jar or tin?`,
          '',
          t.storeId,
          `10.1.0.${i}`,
        );
        expect(q.res.statusCode, q.res.body).toBe(303);
        const a = await answer(
          helper,
          q.id,
          `Answer ${i}: an airtight tin away from light and spices keeps it fresh for months.`,
          `10.2.0.${i}`,
        );
        expect(a.res.statusCode, a.res.body).toBe(303);
        expect(await badges(helper.memberId)).toEqual([]);
        await act(asker, a.id, 'vote', { value: 'up' });
        if (i < 9) expect(await badges(helper.memberId)).toEqual([]);
      }
      expect(await badges(helper.memberId)).toEqual(['helpful-10']);
      expect(await rep(helper.memberId)).toBe(100);
      const profile = await t.app.inject({ method: 'GET', url: `/community/${t.storeId}/members/${helper.memberId}` });
      expect(profile.body).toContain('Helpful: 10 answers');
      expect(profile.body).toContain('<strong>100</strong> reputation');
      await t.app.inject({ method: 'PUT', url: '/api/v1/store/settings', headers: auth(t.tokens.manager), payload: {} });
    });

    it('takes a report to the queue; hiding removes the post from every public page', async () => {
      const asker = await signIn('Yan Y');
      const spammer = await signIn('Zed Z');
      const q = await ask(
        asker,
        'Do you ship gift boxes with a note?',
        'I want to send a gift box to my mother with a handwritten note.',
        'gifts',
      );
      const a = await answer(spammer, q.id, 'Buy cheap watches now at the best prices, visit my shop today for a deal!');
      const rep1 = await act(asker, a.id, 'report', { reason: 'spam', note: 'advertising' });
      expect(rep1.statusCode).toBe(303);
      expect(rep1.headers.location).toContain('notice=reported');
      expect((await act(asker, a.id, 'report', { reason: 'spam' })).statusCode).toBe(303); // a second report by the same member: one
      const badReason = await act(asker, a.id, 'report', { reason: 'because' });
      expect(badReason.statusCode).toBe(422);

      const queue = (await t.app.inject({ method: 'GET', url: '/api/v1/community/moderation', headers: auth(t.tokens.agent) })).json();
      const mine = queue.reports.filter((r: { post: { id: string } }) => r.post.id === a.id);
      expect(mine).toHaveLength(1);
      expect(mine[0].reason).toBe('spam: advertising');
      expect(mine[0].reporter).toBe('Yan Y');

      const uphold = await t.app.inject({
        method: 'POST',
        url: `/api/v1/community/reports/${mine[0].id}/uphold`,
        headers: auth(t.tokens.agent),
      });
      expect(uphold.statusCode).toBe(200);
      expect(uphold.json().post.status).toBe('hidden');
      const page = await t.app.inject({ method: 'GET', url: `/community/${t.storeId}/questions/${q.id}` });
      expect(page.body).not.toContain('cheap watches');
      expect((await post(q.id)).answer_count).toBe(0);
      const profile = await t.app.inject({ method: 'GET', url: `/community/${t.storeId}/members/${spammer.memberId}` });
      expect(profile.body).not.toContain('Do you ship gift boxes');
      const after = (await t.app.inject({ method: 'GET', url: '/api/v1/community/moderation', headers: auth(t.tokens.agent) })).json();
      expect(after.reports.some((r: { post: { id: string } }) => r.post.id === a.id)).toBe(false);
      // Dismissing an upheld report is refused; upholding again changes nothing.
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/community/reports/${mine[0].id}/dismiss`, headers: auth(t.tokens.agent) }))
          .statusCode,
      ).toBe(409);
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/community/reports/${mine[0].id}/uphold`, headers: auth(t.tokens.agent) }))
          .statusCode,
      ).toBe(200);

      // Hiding a question removes its page and its place on the list; restore brings it back.
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/community/posts/${q.id}/hide`, headers: auth(t.tokens.agent) })).statusCode,
      ).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: `/community/${t.storeId}/questions/${q.id}` })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: `/community/${t.storeId}?q=gift` })).body).not.toContain('Do you ship gift boxes');
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/community/posts/${q.id}/restore`, headers: auth(t.tokens.agent) })).statusCode,
      ).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: `/community/${t.storeId}?q=gift` })).body).toContain('Do you ship gift boxes');

      // Banned members cannot post (managers ban; agents may not).
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/community/members/${spammer.memberId}/ban`, headers: auth(t.tokens.agent) }))
          .statusCode,
      ).toBe(403);
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/community/members/${spammer.memberId}/ban`, headers: auth(t.tokens.manager) }))
          .statusCode,
      ).toBe(200);
      // Moderation is on the audit log: who hid and restored the question, who banned the member.
      const audit = await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=50', headers: auth(t.tokens.manager) });
      const entries = (audit.json().entries as { action: string; subjectId: string; actor: { type: string } }[]).filter((e) =>
        e.action.startsWith('community.'),
      );
      expect(entries.filter((e) => e.subjectId === q.id).map((e) => e.action)).toEqual(
        expect.arrayContaining(['community.post_hidden', 'community.post_restored']),
      );
      expect(entries.find((e) => e.subjectId === spammer.memberId)).toMatchObject({
        action: 'community.member_banned',
        actor: { type: 'token' },
      });
      const banned = await ask(
        spammer,
        'Another great deal on watches for you',
        'Visit my shop for more cheap watches and sunglasses today.',
      );
      expect(banned.res.statusCode).toBe(403);
      const n = await t.ctx.database.db.selectFrom('community_posts').select('id').where('author_id', '=', spammer.memberId).execute();
      expect(n).toHaveLength(1);
      // A dismissed report leaves the post as it was.
      const other = await answer(asker, q.id, 'We wrap gift boxes and add a printed note for free, I asked last month.');
      await act(spammer, other.id, 'report', { reason: 'abuse' });
      const rows = await t.ctx.database.db.selectFrom('community_reports').selectAll().where('post_id', '=', other.id).execute();
      expect(rows).toHaveLength(0); // banned members cannot report either
    });

    it('limits posts per member and per IP per hour, holds link-heavy posts, refuses duplicates', async () => {
      await t.app.inject({
        method: 'PUT',
        url: '/api/v1/store/settings',
        headers: auth(t.tokens.manager),
        payload: { community: { postsPerHourPerMember: 2, postsPerHourPerIp: 3, maxLinks: 1 } },
      });
      const m = await signIn('Limit Lou');
      expect(
        (await ask(m, 'First question about the rate limits', 'Body of the first question, long enough.', '', t.storeId, '10.9.0.1')).res
          .statusCode,
      ).toBe(303);
      const dup = await ask(
        m,
        'First question about the rate limits again',
        'Body of the  FIRST question, long enough.',
        '',
        t.storeId,
        '10.9.0.1',
      );
      expect(dup.res.statusCode).toBe(409);
      expect(dup.res.body).toContain('id="body-error"');
      expect(dup.res.body).toContain('You already posted this text.');
      expect(
        (
          await ask(
            m,
            'Second question about the rate limits',
            'Body of the second question, see http://a.example and http://b.example',
            '',
            t.storeId,
            '10.9.0.1',
          )
        ).res.statusCode,
      ).toBe(303);
      const links = await t.ctx.database.db
        .selectFrom('community_posts')
        .select('status')
        .where('author_id', '=', m.memberId)
        .where('title', '=', 'Second question about the rate limits')
        .executeTakeFirstOrThrow();
      expect(links.status).toBe('pending');
      const third = await ask(
        m,
        'Third question about the rate limits',
        'Body of the third question, long enough.',
        '',
        t.storeId,
        '10.9.0.1',
      );
      expect(third.res.statusCode).toBe(429);
      expect(third.res.body).toContain('aria-invalid="true"');
      // Another member from the same address: the IP's third post passes, its fourth does not.
      const n2 = await signIn('Limit Lee');
      expect(
        (await ask(n2, 'A question from the same network', 'Body of a question from the same network.', '', t.storeId, '10.9.0.1')).res
          .statusCode,
      ).toBe(303);
      expect(
        (await ask(n2, 'Another one from the same network', 'Another body from the same network address.', '', t.storeId, '10.9.0.1')).res
          .statusCode,
      ).toBe(429);
      expect(
        (await ask(n2, 'Another one from a different network', 'Another body from a different network address.', '', t.storeId, '10.9.0.2'))
          .res.statusCode,
      ).toBe(303);
      // An hour later the member may post again.
      clock.advance(3_600_001);
      expect(
        (await ask(m, 'Third question about the rate limits', 'Body of the third question, long enough.', '', t.storeId, '10.9.0.3')).res
          .statusCode,
      ).toBe(303);
      await t.app.inject({ method: 'PUT', url: '/api/v1/store/settings', headers: auth(t.tokens.manager), payload: {} });
    });

    it('re-renders the ask form with each message next to its field, writing nothing', async () => {
      const m = await signIn('Form Fay');
      const before = await t.ctx.database.db.selectFrom('community_posts').select('id').where('author_id', '=', m.memberId).execute();
      const r = await ask(m, 'short', 'tiny', 'a b c d e f');
      expect(r.res.statusCode).toBe(422);
      for (const f of ['title', 'body', 'tags']) {
        expect(r.res.body).toContain(`id="${f}-error"`);
        expect(r.res.body).toContain(`aria-describedby="${f}-help ${f}-error"`);
      }
      expect(r.res.body).toContain('value="short"');
      expect(r.res.body).toContain('Use at most 5 tags.');
      const after = await t.ctx.database.db.selectFrom('community_posts').select('id').where('author_id', '=', m.memberId).execute();
      expect(after).toHaveLength(before.length);
      const empty = await answer(m, 'q_missing', 'x');
      expect(empty.res.statusCode).toBe(404);
    });

    it('takes a post private: one case with the text and e-mail, the link kept both ways, idempotent', async () => {
      const email = `private-${engine}@example.com`;
      const m = await signIn('Priya P', { email });
      const q = await ask(
        m,
        'My card was charged twice for one order',
        'I see two charges of 42.00 on my card for the same order yesterday.',
        'billing',
      );
      const other = await signIn('Nosy N');
      expect((await act(other, q.id, 'take-private')).statusCode).toBe(403);
      const res = await act(m, q.id, 'take-private');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toContain('notice=private');
      const p = await post(q.id);
      expect(p.status).toBe('private');
      expect(p.case_id).toBeTruthy();
      const c = await t.ctx.database.db.selectFrom('cases').selectAll().where('id', '=', p.case_id!).executeTakeFirstOrThrow();
      expect(c.channel).toBe('community');
      const customer = await t.ctx.database.db
        .selectFrom('customers')
        .select('email')
        .where('id', '=', c.customer_id!)
        .executeTakeFirstOrThrow();
      expect(customer.email).toBe(email);
      const messages = await t.ctx.database.db.selectFrom('case_messages').select(['kind', 'body']).where('case_id', '=', c.id).execute();
      expect(messages.some((x) => x.kind === 'inbound' && x.body.includes('two charges of 42.00'))).toBe(true);
      expect(messages.some((x) => x.kind === 'note' && x.body.includes(`/community/${t.storeId}/questions/${q.id}`))).toBe(true);
      const activity = await t.ctx.database.db
        .selectFrom('case_activities')
        .select(['type', 'data'])
        .where('case_id', '=', c.id)
        .where('type', '=', 'community.taken_private')
        .execute();
      expect(activity).toHaveLength(1);

      // The page keeps its URL and says where the conversation went; the text is gone from public view.
      const page = await t.app.inject({ method: 'GET', url: `/community/${t.storeId}/questions/${q.id}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('moved to a private conversation with the store');
      expect(page.body).not.toContain('two charges');
      expect((await t.app.inject({ method: 'GET', url: `/community/${t.storeId}` })).body).not.toContain('charged twice');

      // Again, from the author or staff in the console: the same case, nothing new.
      await act(m, q.id, 'take-private');
      const api = await t.app.inject({
        method: 'POST',
        url: `/api/v1/community/posts/${q.id}/take-private`,
        headers: auth(t.tokens.agent),
      });
      expect(api.statusCode).toBe(200);
      expect(api.json()).toEqual({ postId: q.id, caseId: c.id, created: false });
      const cases = await t.ctx.database.db
        .selectFrom('cases')
        .select('id')
        .where('store_id', '=', t.storeId)
        .where('complaint_id', '=', `community-${q.id}`)
        .execute();
      expect(cases).toHaveLength(1);
      const notes = await t.ctx.database.db
        .selectFrom('case_messages')
        .select('id')
        .where('case_id', '=', c.id)
        .where('kind', '=', 'note')
        .execute();
      expect(notes).toHaveLength(1);

      // Staff in the console take an answer private.
      const asker = await signIn('Asker Al');
      const q2 = await ask(
        asker,
        'Where do I find my invoice for the order?',
        'I need an invoice for my company, where can I download it please?',
        'billing',
      );
      const a2 = await answer(m, q2.id, 'My address is 12 Elm Street, I never got mine either, can someone help?');
      const byStaff = await t.app.inject({
        method: 'POST',
        url: `/api/v1/community/posts/${a2.id}/take-private`,
        headers: auth(t.tokens.agent),
      });
      expect(byStaff.statusCode).toBe(200);
      expect(byStaff.json().created).toBe(true);
      const q2page = await t.app.inject({ method: 'GET', url: `/community/${t.storeId}/questions/${q2.id}` });
      expect(q2page.body).toContain('Where do I find my invoice');
      expect(q2page.body).not.toContain('12 Elm Street');
      expect(q2page.body).toContain('This answer was moved to a private conversation with the store.');
    });

    it('never shows one store’s posts on another store’s pages or API', async () => {
      const here = await signIn('Local Lu');
      const q = await ask(
        here,
        'A question only for the acme community',
        'This should never appear in another store’s community pages.',
        'private-test',
      );
      const there = await signIn('Elsewhere Ed', { store: 'other' });
      expect((await t.app.inject({ method: 'GET', url: `/community/other/questions/${q.id}` })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/community/other?q=acme+community' })).body).not.toContain('only for the acme');
      expect((await t.app.inject({ method: 'GET', url: `/community/other/members/${here.memberId}` })).statusCode).toBe(404);
      // Acme's session is not a session on the other store's pages.
      const cross = await t.app.inject({
        method: 'POST',
        url: `/community/other/questions/${q.id}/answers`,
        headers: formHeaders(here.cookie),
        payload: form({ _csrf: here.csrf, body: 'Cross-store answer attempt here.' }),
      });
      expect(cross.statusCode).toBe(401);
      const voteThere = await t.app.inject({
        method: 'POST',
        url: `/community/other/posts/${q.id}/vote`,
        headers: formHeaders(there.cookie),
        payload: form({ _csrf: there.csrf, value: 'up' }),
      });
      expect(voteThere.statusCode).toBe(404);
      expect((await post(q.id)).score).toBe(0);
      for (const url of [`/api/v1/community/posts/${q.id}/hide`, `/api/v1/community/posts/${q.id}/take-private`]) {
        expect((await t.app.inject({ method: 'POST', url, headers: auth(t.other.token) })).statusCode).toBe(404);
      }
      const queue = (await t.app.inject({ method: 'GET', url: '/api/v1/community/moderation', headers: auth(t.other.token) })).json();
      expect(JSON.stringify(queue)).not.toContain(q.id);
      expect((await t.app.inject({ method: 'GET', url: '/community/nope' })).statusCode).toBe(404);
    });

    it('lists newest, unanswered and top; searches title and body with wildcards taken literally; filters by tag', async () => {
      const a = await signIn('Lister A');
      const b = await signIn('Lister B');
      const q1 = await ask(
        a,
        'Is the 100% arabica blend decaf?',
        'Wondering about the blend_x caffeine for my evening cup.',
        'coffee decaf',
      );
      const q2 = await ask(b, 'Which grinder setting for espresso?', 'My shots run too fast with the medium grind setting.', 'coffee');
      await answer(b, q1.id, 'No, the arabica blend is regular; the decaf is a separate tin.');
      await act(a, q2.id, 'vote', { value: 'up' });
      const list = async (qs: string) => (await t.app.inject({ method: 'GET', url: `/community/${t.storeId}?${qs}` })).body;
      const unanswered = await list('sort=unanswered&tag=coffee');
      expect(unanswered).toContain('Which grinder setting');
      expect(unanswered).not.toContain('100% arabica');
      const top = await list('sort=top&tag=coffee');
      expect(top.indexOf('Which grinder setting')).toBeLessThan(top.indexOf('100% arabica'));
      expect(await list('q=100%25')).toContain('100% arabica');
      expect(await list('q=blend_x')).toContain('100% arabica');
      expect(await list('q=blendxx')).not.toContain('100% arabica');
      expect(await list('q=0%25x')).toContain('No questions match');
      expect(await list('q=ESPRESSO')).toContain('Which grinder setting');
      const decaf = await list('tag=decaf');
      expect(decaf).toContain('100% arabica');
      expect(decaf).not.toContain('Which grinder');
    });

    it('counts topics by kind and tag, and names the field of a bad query', async () => {
      const m = await signIn('Topic Tim');
      await ask(m, 'My parcel is late by a week now', 'The delivery is late, the tracking has not moved for days.', 'shipping');
      const from = new Date(clock.now().getTime() - 3_600_000).toISOString();
      const to = new Date(clock.now().getTime() + 3_600_000).toISOString();
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/community/topics?from=${from}&to=${to}`,
        headers: auth(t.tokens.agent),
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.total).toBeGreaterThanOrEqual(1);
      expect(body.byKind.some((k: { kind: string }) => k.kind === 'delivery_late')).toBe(true);
      expect(body.byTag.some((k: { tag: string }) => k.tag === 'shipping')).toBe(true);
      const bad = await t.app.inject({
        method: 'GET',
        url: '/api/v1/community/topics?from=yesterday&to=2026-01-01T00:00:00Z',
        headers: auth(t.tokens.agent),
      });
      expect(bad.statusCode).toBe(400);
      expect(JSON.stringify(bad.json())).toContain('from');
      expect((await t.app.inject({ method: 'GET', url: `/api/v1/community/topics?from=${from}&to=${to}` })).statusCode).toBe(401);
    });
    it('seeds a demo community once: answers accepted, a staff answer, badges, a report in the queue', async () => {
      await createStore(t.ctx.database.db, clock, { id: 'cdemo', name: 'Community Demo' });
      const { token } = await createToken(t.ctx.database.db, clock, { storeId: 'cdemo', role: 'agent' });
      await ensureUser(t.ctx.database.db, clock, 'cdemo', { email: 'agent@demo.test', name: 'Alex Agent', role: 'agent' });
      expect(await seedCommunityDemo(t.ctx, 'cdemo')).toEqual({ seeded: true });
      expect(await seedCommunityDemo(t.ctx, 'cdemo')).toEqual({ seeded: false });
      const list = await t.app.inject({ method: 'GET', url: '/community/cdemo' });
      expect(list.body).toContain('What water temperature for gyokuro?');
      const beans = /href="(\/community\/cdemo\/questions\/[^"]+)">How long do whole beans/.exec(list.body)![1]!;
      const page = await t.app.inject({ method: 'GET', url: beans });
      expect(page.body).toContain('cm-badge-staff');
      expect(page.body).toContain('Accepted answer');
      const queue = (await t.app.inject({ method: 'GET', url: '/api/v1/community/moderation', headers: auth(token) })).json();
      expect(queue.reports).toHaveLength(1);
      expect(queue.reports[0].post.author.displayName).toBe('DealsDealsDeals');
      const ravi = await t.ctx.database.db
        .selectFrom('community_members')
        .select('id')
        .where('store_id', '=', 'cdemo')
        .where('email', '=', 'ravi.kumar@example.com')
        .executeTakeFirstOrThrow();
      expect(await badges(ravi.id)).toEqual(['first-accepted-answer']);
      const url = await communityDemoSignInUrl(t.ctx, 'cdemo', 'http://localhost:3000/');
      const path = url.replace('http://localhost:3000', '');
      const res = await t.app.inject({ method: 'POST', url: path, headers: formHeaders(), payload: '' });
      expect(res.statusCode).toBe(303);
      expect(res.cookies.some((c) => c.name === 'amends_community')).toBe(true);
    });

    // -----------------------------------------------------------------------------------------------------------
    // Review fixes

    const notices = async () =>
      (
        await t.ctx.database.db
          .selectFrom('outbox')
          .select('payload')
          .where('store_id', '=', t.storeId)
          .where('kind', '=', 'notice')
          .execute()
      ).map((r) => JSON.parse(r.payload) as { to: string; body: string });
    const openAgain = (settings: Record<string, number>) =>
      t.app.inject({ method: 'PUT', url: '/api/v1/store/settings', headers: auth(t.tokens.manager), payload: { community: settings } });

    it('puts sign-in and take-private links on the configured address, never on the Host header', async () => {
      const base = publicBaseUrl(t.ctx.config);
      expect(base).not.toContain('evil.example');
      const email = `hosted-${engine}@example.com`;
      const sent = await t.app.inject({
        method: 'POST',
        url: `/community/${t.storeId}/sign-in`,
        headers: { ...formHeaders(), host: 'evil.example', 'x-forwarded-host': 'evil.example' },
        payload: form({ email }),
      });
      expect(sent.statusCode).toBe(200);
      const mail = (await notices()).find((n) => n.to === email)!;
      const link = /(\S+\/community\/\S+\/sign-in\/[A-Za-z0-9_-]{43})/.exec(mail.body)![1]!;
      expect(link.startsWith(`${base}/community/${t.storeId}/sign-in/`)).toBe(true);
      expect(mail.body).not.toContain('evil.example');

      // Take private, by the author on the page and by staff in the console: the case's note links to our address.
      const m = await signIn('Hosted Hal');
      const q = await ask(m, 'My address is on the parcel label photo', 'Please look at my parcel, the label shows my full address.');
      const byPage = await t.app.inject({
        method: 'POST',
        url: `/community/${t.storeId}/posts/${q.id}/take-private`,
        headers: { ...formHeaders(m.cookie), host: 'evil.example' },
        payload: form({ _csrf: m.csrf }),
      });
      expect(byPage.statusCode).toBe(303);
      const a = await ask(m, 'A second question for the console to take private', 'Another one that the staff will move to a case.');
      const byApi = await t.app.inject({
        method: 'POST',
        url: `/api/v1/community/posts/${a.id}/take-private`,
        headers: { ...auth(t.tokens.agent), host: 'evil.example' },
      });
      expect(byApi.statusCode).toBe(200);
      for (const id of [q.id, a.id]) {
        const caseId = (await post(id)).case_id!;
        const note = await t.ctx.database.db
          .selectFrom('case_messages')
          .select('body')
          .where('case_id', '=', caseId)
          .where('kind', '=', 'note')
          .executeTakeFirstOrThrow();
        expect(note.body).toContain(`${base}/community/${t.storeId}/questions/${id}`);
        expect(note.body).not.toContain('evil.example');
      }
    });

    it('never shows a private question’s title: not on its page, not when a refused vote, answer, accept or report re-renders it', async () => {
      const title = `Secret refund question ${engine} 7Q2X`;
      const asker = await signIn('Private Pia');
      const other = await signIn('Curious Cal');
      const q = await ask(asker, title, 'My order 4412 was refunded only half, my address is 9 Oak Lane.', 'refunds');
      const a = await answer(other, q.id, 'Write to the store with the order number, they sort it out quickly.');
      expect((await act(asker, q.id, 'take-private')).statusCode).toBe(303);

      const pages = [
        await t.app.inject({ method: 'GET', url: `/community/${t.storeId}/questions/${q.id}`, headers: { cookie: other.cookie } }),
        await act(other, q.id, 'vote', { value: 'up' }),
        await act(asker, a.id, 'vote', { value: 'up' }),
        await answer(other, q.id, 'One more answer to a question that is private now.').then((r) => r.res),
        await act(asker, a.id, 'accept'),
        await act(other, q.id, 'report', { reason: 'spam' }),
      ];
      expect(pages.map((p) => p.statusCode)).toEqual([200, 409, 409, 409, 409, 409]);
      for (const p of pages) {
        expect(p.body).not.toContain(title);
        expect(p.body).not.toContain('7Q2X');
        expect(p.body).toContain('<title>A private conversation');
        expect(p.body).toContain('<h1>A private conversation</h1>');
      }
      expect((await post(q.id)).score).toBe(0);
    });

    it('shows no notice for a ?notice= that is not one of ours (__proto__, constructor, …), and never fails', async () => {
      const m = await signIn('Notice Nia');
      const q = await ask(m, 'Which grinder setting for a moka pot?', 'Fine like espresso or a bit coarser for the moka pot?');
      for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
        for (const url of [`/community/${t.storeId}?notice=${key}`, `/community/${t.storeId}/questions/${q.id}?notice=${key}`]) {
          const res = await t.app.inject({ method: 'GET', url });
          expect(res.statusCode, `${url}`).toBe(200);
          expect(res.body).not.toContain('cm-notice');
          expect(res.body).not.toContain('[object');
          expect(res.body).not.toContain('function');
        }
      }
      expect((await t.app.inject({ method: 'GET', url: `/community/${t.storeId}?notice=reported` })).body).toContain(
        'A moderator will look at this post.',
      );
    });

    it('refuses a NUL anywhere (path, query, form, API path) with a clean page or 4xx, writing nothing', async () => {
      const m = await signIn('Nul Ned');
      const q = await ask(m, 'How do I descale the kettle safely?', 'White spots inside the kettle: vinegar or citric acid?');
      // In the address (path or query): a clean 4xx page, never a failure.
      for (const url of [
        `/community/a%00b`,
        `/community/${t.storeId}/questions/${q.id}%00`,
        `/community/${t.storeId}/members/%00`,
        `/community/${t.storeId}/sign-in/${'A'.repeat(42)}%00`,
        `/community/${t.storeId}?q=tea%00`,
        `/community/${t.storeId}?tag=a%00`,
        `/community/${t.storeId}/sign-in?next=%00`,
      ]) {
        const res = await t.app.inject({ method: 'GET', url });
        expect([400, 404], url).toContain(res.statusCode);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.body).not.toContain('went wrong');
      }
      // In a form: refused with a page, nothing written.
      const sends: [string, Record<string, string>][] = [
        [`/community/${t.storeId}/posts/${q.id}/report`, { _csrf: m.csrf, reason: 'other', note: 'bad\u0000note' }],
        [`/community/${t.storeId}/questions/${q.id}/answers`, { _csrf: m.csrf, body: 'An answer with a \u0000 inside it.' }],
        [`/community/${t.storeId}/ask`, { _csrf: m.csrf, title: 'A title \u0000 with a NUL', body: 'And a body long enough.' }],
        [`/community/${t.storeId}/sign-in`, { email: 'nul\u0000@example.com' }],
        [`/community/${t.storeId}/sign-in`, { email: `nul-${engine}@example.com`, next: `/community/${t.storeId}/\u0000` }],
      ];
      for (const [url, data] of sends) {
        const res = await t.app.inject({ method: 'POST', url, headers: formHeaders(m.cookie), payload: form(data) });
        expect(res.statusCode, url).toBe(400);
        expect(res.body).toContain('cannot be used (NUL). Nothing was changed.');
      }
      expect(await t.ctx.database.db.selectFrom('community_reports').select('id').where('post_id', '=', q.id).execute()).toHaveLength(0);
      expect((await post(q.id)).answer_count).toBe(0);
      expect(await t.ctx.database.db.selectFrom('community_posts').select('id').where('author_id', '=', m.memberId).execute()).toHaveLength(
        1,
      );
      expect((await notices()).some((n) => n.to.startsWith('nul'))).toBe(false);
      const api = await t.app.inject({ method: 'POST', url: '/api/v1/community/posts/a%00b/hide', headers: auth(t.tokens.agent) });
      expect(api.statusCode).toBe(400);
      expect(api.body).toContain('id');
    });

    it('writes one question when the same one is sent many times at once (PostgreSQL locks the member)', async () => {
      await openAgain({ postsPerHourPerMember: 50, postsPerHourPerIp: 500 });
      const m = await signIn('Double Dora');
      const title = `Is the tin airtight enough for matcha? ${engine}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          ask(m, title, 'Does the tin keep matcha fresh for a month once opened?', '', t.storeId, `10.5.0.${i}`),
        ),
      );
      const codes = results.map((r) => r.res.statusCode).sort();
      expect(codes).toEqual([303, ...Array(7).fill(409)]);
      const rows = await t.ctx.database.db.selectFrom('community_posts').select('id').where('author_id', '=', m.memberId).execute();
      expect(rows).toHaveLength(1);
    });

    it('counts every one of many votes sent at once: score and reputation exact (PostgreSQL locks the post and author)', async () => {
      const asker = await signIn('Race Asker');
      const helper = await signIn('Race Helper');
      const q = await ask(asker, 'Which water for the best pour-over coffee?', 'Tap, filtered or bottled water for pour-over?');
      const a1 = await answer(helper, q.id, 'Filtered water: soft enough, but with some minerals for taste.');
      const a2 = await answer(helper, q.id, 'Bottled spring water when the tap water is very hard where you live.', '10.2.0.9');
      const voters: Browser[] = [];
      for (let i = 0; i < 6; i++) voters.push(await signIn(`Voter ${i}`));
      const res = await Promise.all(
        voters.flatMap((v) => [act(v, a1.id, 'vote', { value: 'up' }), act(v, a2.id, 'vote', { value: 'up' })]),
      );
      expect(res.map((r) => r.statusCode)).toEqual(Array(12).fill(303));
      expect((await post(a1.id)).score).toBe(6);
      expect((await post(a2.id)).score).toBe(6);
      expect(await rep(helper.memberId)).toBe(120);
      const acc = await Promise.all([act(asker, a1.id, 'accept'), act(asker, a2.id, 'accept')]);
      expect(acc.map((r) => r.statusCode)).toEqual([303, 303]);
      expect(await rep(helper.memberId)).toBe(135);
    });

    it('does not count answers accepted on one’s own questions toward helpful-10', async () => {
      await openAgain({ postsPerHourPerMember: 50, postsPerHourPerIp: 500 });
      const solo = await signIn('Solo Sam');
      for (let i = 0; i < 10; i++) {
        const q = await ask(
          solo,
          `Own question ${i} about cold brew`,
          `How long do I steep cold brew, try ${i}?`,
          '',
          t.storeId,
          `10.6.0.${i}`,
        );
        expect(q.res.statusCode, q.res.body).toBe(303);
        const a = await answer(solo, q.id, `Own answer ${i}: twelve to eighteen hours in the fridge.`, `10.7.0.${i}`);
        expect(a.res.statusCode, a.res.body).toBe(303);
        expect((await act(solo, a.id, 'accept')).statusCode).toBe(303);
        expect((await post(q.id)).accepted_answer_id).toBe(a.id);
      }
      expect(await badges(solo.memberId)).toEqual([]);
      expect(await rep(solo.memberId)).toBe(0);
    });

    it('refuses an accept by a banned member (403), changing nothing', async () => {
      const asker = await signIn('Banned Bea');
      const helper = await signIn('Helpful Hux');
      const q = await ask(asker, 'Can I change the delivery address now?', 'The order shipped today, can the address still change?');
      const a = await answer(helper, q.id, 'Ask the carrier for a redirect with the tracking number, it usually works.');
      const ban = await t.app.inject({
        method: 'POST',
        url: `/api/v1/community/members/${asker.memberId}/ban`,
        headers: auth(t.tokens.manager),
      });
      expect(ban.statusCode).toBe(200);
      const res = await act(asker, a.id, 'accept');
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('may no longer accept answers');
      expect((await post(q.id)).accepted_answer_id).toBeNull();
      expect(await rep(helper.memberId)).toBe(0);
    });

    it('takes no votes or reports on answers under a private or hidden question, nor reports on what is not published', async () => {
      const asker = await signIn('Closed Cleo');
      const helper = await signIn('Closed Helper');
      const voter = await signIn('Closed Voter');
      const priv = await ask(asker, 'My payment failed but money left my account', 'The bank shows the charge, the shop says unpaid.');
      const pa = await answer(helper, priv.id, 'Usually the bank releases a failed payment within a few days.');
      const hid = await ask(asker, 'Question that a moderator will hide soon', 'This question gets hidden by a moderator today.');
      const ha = await answer(helper, hid.id, 'An answer under a question that will be hidden.', '10.2.0.8');
      expect((await act(asker, priv.id, 'take-private')).statusCode).toBe(303);
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/community/posts/${hid.id}/hide`, headers: auth(t.tokens.agent) })).statusCode,
      ).toBe(200);

      expect((await act(voter, pa.id, 'vote', { value: 'up' })).statusCode).toBe(409);
      expect((await act(voter, ha.id, 'vote', { value: 'up' })).statusCode).toBe(404);
      expect(await rep(helper.memberId)).toBe(0);
      expect((await post(pa.id)).score).toBe(0);
      expect((await post(ha.id)).score).toBe(0);
      const votes = await t.ctx.database.db
        .selectFrom('community_votes')
        .select('post_id')
        .where('member_id', '=', voter.memberId)
        .execute();
      expect(votes).toHaveLength(0);

      expect((await act(voter, priv.id, 'report', { reason: 'spam' })).statusCode).toBe(409);
      expect((await act(voter, pa.id, 'report', { reason: 'spam' })).statusCode).toBe(409);
      expect((await act(voter, ha.id, 'report', { reason: 'spam' })).statusCode).toBe(404);
      // Held for moderation: not published, not reportable (only its author sees it).
      await t.app.inject({
        method: 'PUT',
        url: '/api/v1/store/settings',
        headers: auth(t.tokens.manager),
        payload: { community: { moderation: 'pre' } },
      });
      const held = await ask(asker, 'A question that waits for a moderator', 'This one is held for the moderators first.');
      expect(held.res.headers.location).toContain('notice=pending');
      expect((await act(voter, held.id, 'report', { reason: 'spam' })).statusCode).toBe(404);
      const reports = await t.ctx.database.db
        .selectFrom('community_reports')
        .select('id')
        .where('reporter_id', '=', voter.memberId)
        .execute();
      expect(reports).toHaveLength(0);
    });
  });
}
