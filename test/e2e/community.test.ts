/**
 * The community in real Chromium against `amends serve`, members signing in with links caught by a real SMTP
 * server: a member asks, another answers, the asker accepts and the answerer's "First accepted answer" badge is
 * on the page; a sensitive post is taken private by its author, and another by staff from the console's queue
 * (the case opens in the console); XSS payloads in a post render inert in the browser (no dialog, no flag, no
 * handler attributes, no script links). Axe on the pages; screenshots in test/e2e/artifacts/community-*.png.
 */
import { simpleParser } from 'mailparser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureServer, waitForMail } from '../support/smtp-capture.ts';
import { chromiumAvailable, launchChromium } from './browser.ts';
import {
  AGENT,
  apiCall,
  ensureConsoleBuilt,
  expectAccessible,
  fitsWidth,
  prepareArtifacts,
  screenshot,
  shutDown,
  signIn,
  startConsoleServer,
  watchConsole,
} from './console-support.ts';

const PUBLIC_AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

describe('the community in Chromium against the real server [sqlite]', () => {
  const available = chromiumAvailable();
  let url: string;
  let adminToken: string;
  let browser: Browser;
  let dir: string;
  let capture: Awaited<ReturnType<typeof captureServer>>;

  const api = (method: string, p: string, body?: unknown) => apiCall(url, adminToken, method, p, body);

  beforeAll(async () => {
    if (!available) return;
    ensureConsoleBuilt();
    prepareArtifacts(/^community-/);
    capture = await captureServer();
    ({ url, adminToken, dir } = await startConsoleServer({ dirPrefix: 'amends-community-', users: [AGENT] }));
    const channels = await api('PUT', '/api/v1/store/channels', {
      email: { from: 'help@acme.test', replyDomain: 'acme-reply.test', smtp: { host: '127.0.0.1', port: capture.port, secure: false } },
    });
    expect(channels.status).toBe(200);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await shutDown(browser, dir);
    await capture?.close();
  });

  /** A member in their own browser context, signed in through the e-mailed link. */
  async function member(email: string, name: string, width = 1100): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const errors = watchConsole(page);
    await page.goto(`${url}/community/acme/sign-in`);
    await page.getByLabel('Your e-mail address').fill(email);
    await page.getByRole('button', { name: 'E-mail me a link' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    const raw = await waitForMail(capture, email, /sign-in/);
    const text = (await simpleParser(raw)).text ?? '';
    const link = /(https?:\/\/\S+\/community\/acme\/sign-in\/[A-Za-z0-9_-]{43})/.exec(text)?.[1];
    expect(link, text).toBeTruthy();
    await page.goto(link!);
    const nameField = page.getByLabel('Display name');
    if (await nameField.count()) await nameField.fill(name);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/community\/acme(\?|$)/);
    await page.getByText(`Signed in as ${name}`).waitFor();
    return { context, page, errors };
  }

  async function askQuestion(page: Page, title: string, body: string, tags: string): Promise<string> {
    await page.getByRole('navigation', { name: 'Community' }).getByRole('link', { name: 'Ask a question' }).click();
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Details').fill(body);
    await page.getByLabel(/^Tags/).fill(tags);
    await page.getByRole('button', { name: 'Post your question' }).click();
    await page.waitForURL(/\/questions\//);
    return page.url().split('?')[0]!.split('#')[0]!;
  }

  it.runIf(available)(
    'a member asks, another answers, the asker accepts: the answerer’s first-accepted-answer badge shows',
    async () => {
      const asker = await member('asker@example.com', 'Asha Asker');
      const helper = await member('helper@example.com', 'Hugo Helper', 390);
      const questionUrl = await askQuestion(
        asker.page,
        'Can I return a gift without the receipt?',
        'I got a **teapot** as a gift and it is the wrong size. Can I exchange it without a receipt?',
        'returns gifts',
      );
      await asker.page.getByRole('heading', { name: 'Can I return a gift without the receipt?' }).waitFor();
      expect(await asker.page.locator('.cm-body strong').textContent()).toBe('teapot');

      // Hugo, on a phone, finds it on the list and answers.
      await helper.page.goto(`${url}/community/acme?tag=gifts`);
      await helper.page.getByRole('link', { name: 'Can I return a gift without the receipt?' }).click();
      await helper.page
        .getByLabel('Answer')
        .fill('Yes: the order number from the gift message is enough. Write to the store with it and they exchange it.');
      await helper.page.getByRole('button', { name: 'Post your answer' }).click();
      await helper.page.waitForURL(/#post-/);
      await helper.page.getByText('the order number from the gift message is enough').waitFor();
      expect(await fitsWidth(helper.page)).toBe(true);
      await expectAccessible(helper.page, 'question page on a phone', PUBLIC_AXE_TAGS);
      await screenshot(helper.page, 'community-answer-phone', { fullPage: true });

      // Asha votes it up and accepts it.
      await asker.page.goto(questionUrl);
      const answer = asker.page.locator('article.cm-post').filter({ hasText: 'the order number from the gift message' });
      await answer.getByRole('button', { name: 'Vote this answer up' }).click();
      await asker.page.waitForURL(/#post-/);
      await expect.poll(() => answer.locator('.cm-score').textContent()).toBe('1');
      await answer.getByRole('button', { name: 'Accept this answer' }).click();
      await asker.page.waitForURL(/#post-/);
      const accepted = asker.page.locator('article.cm-accepted');
      await accepted.locator('.cm-accepted-label', { hasText: 'Accepted answer' }).waitFor();
      await accepted.locator('.cm-badge-first-accepted-answer', { hasText: 'First accepted answer' }).waitFor();
      expect(await accepted.locator('.cm-author a').first().textContent()).toBe('Hugo Helper');
      expect(await accepted.locator('.cm-rep').first().textContent()).toBe('(25 pts)');
      await expectAccessible(asker.page, 'question page with an accepted answer', PUBLIC_AXE_TAGS);
      await screenshot(asker.page, 'community-accepted', { fullPage: true });

      // Hugo's profile shows the badge and the points.
      await accepted.locator('.cm-author a').first().click();
      await asker.page.getByRole('heading', { name: 'Hugo Helper' }).waitFor();
      await asker.page.getByText('First accepted answer').waitFor();
      expect(await asker.page.locator('.cm-rep-big strong').textContent()).toBe('25');
      await screenshot(asker.page, 'community-profile');

      // Hugo cannot vote on his own answer: no vote buttons on it.
      await helper.page.reload();
      const own = helper.page.locator('article.cm-post').filter({ hasText: 'the order number from the gift message' });
      expect(await own.getByRole('button', { name: /Vote/ }).count()).toBe(0);
      expect(asker.errors).toEqual([]);
      expect(helper.errors).toEqual([]);
      await asker.context.close();
      await helper.context.close();
    },
    90_000,
  );

  it.runIf(available)(
    'XSS payloads in a post render inert in the browser',
    async () => {
      const m = await member('mallory@example.com', 'Mallory M');
      await m.context.addInitScript(() => {
        (window as unknown as { __xss: number }).__xss = 0;
      });
      const dialogs: string[] = [];
      m.page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const payload = [
        '<script>window.__xss = 1; alert("script")</script>',
        '<img src=x onerror="window.__xss = 2; alert(\'img\')">',
        '[click me](javascript:window.__xss=3;alert(3))',
        '<svg onload="window.__xss = 4; alert(\'svg\')"></svg>',
        '<a href="javascript:alert(5)">raw link</a>',
        '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==)',
        '<iframe src="javascript:alert(7)"></iframe>',
        '<details open ontoggle="window.__xss = 8">x</details>',
        'And a fine link: https://example.com/ok',
      ].join('\n\n');
      const questionUrl = await askQuestion(m.page, 'Formatting test with some odd characters', payload, 'test');
      await m.page.reload();
      await m.page.waitForLoadState('load');
      // Give any handler a chance to run.
      await m.page.mouse.move(10, 10);
      const link = m.page.locator('.cm-body').getByText('click me');
      if (await link.count())
        await link
          .first()
          .click({ force: true })
          .catch(() => undefined);
      await m.page.waitForTimeout(300);
      expect(dialogs).toEqual([]);
      expect(await m.page.evaluate(() => (window as unknown as { __xss: number }).__xss)).toBe(0);
      const dom = await m.page.evaluate(() => {
        const body = document.querySelector('main')!;
        const handlers: string[] = [];
        for (const el of Array.from(body.querySelectorAll('*'))) {
          for (const a of Array.from(el.attributes)) if (/^on/i.test(a.name)) handlers.push(`${el.tagName}[${a.name}]`);
        }
        const hrefs = Array.from(document.querySelectorAll('a[href]')).map((a) => a.getAttribute('href') ?? '');
        return {
          handlers,
          badHrefs: hrefs.filter((h) => /^\s*(javascript|data|vbscript):/i.test(h)),
          dangerous: Array.from(body.querySelectorAll('.cm-body script, .cm-body img, .cm-body svg, .cm-body iframe, .cm-body details'))
            .length,
          safeLink: Array.from(document.querySelectorAll('.cm-body a')).map((a) => [a.getAttribute('href'), a.getAttribute('rel')]),
          text: document.querySelector('.cm-body')?.textContent ?? '',
        };
      });
      expect(dom.handlers).toEqual([]);
      expect(dom.badHrefs).toEqual([]);
      expect(dom.dangerous).toBe(0);
      expect(dom.safeLink).toEqual([['https://example.com/ok', 'nofollow ugc noopener']]);
      // What Mallory typed is still there to read, as text.
      expect(dom.text).toContain('<script>window.__xss = 1;');
      expect(m.page.url()).toContain(questionUrl.split('/').pop()!);
      await screenshot(m.page, 'community-xss-inert', { fullPage: true });
      await m.context.close();
    },
    60_000,
  );

  it.runIf(available)(
    'a sensitive post is taken private by its author, another by staff from the console; the cases open in the console',
    async () => {
      const priya = await member('priya@example.com', 'Priya P');
      const q = await askQuestion(
        priya.page,
        'I was charged twice for my order',
        'My card ending 4242 shows two charges of 58.00 for order 1042 yesterday. Please help.',
        'billing',
      );
      await priya.page.getByRole('button', { name: 'Take this private' }).first().click();
      await priya.page.getByText('This post is now a private conversation with the store.').waitFor();
      await priya.page.getByText('This question was moved to a private conversation with the store.').waitFor();
      expect(await priya.page.getByText('4242').count()).toBe(0);
      await screenshot(priya.page, 'community-taken-private');
      // The URL still works for anyone, and says where it went.
      const anon = await browser.newContext();
      const anonPage = await anon.newPage();
      await anonPage.goto(q);
      await anonPage.getByText('moved to a private conversation with the store').waitFor();
      await expectAccessible(anonPage, 'a private post', PUBLIC_AXE_TAGS);
      await anon.close();

      // A member posts an answer with their address on someone else's question; a neighbour reports it.
      const asker = await member('omar@example.com', 'Omar O');
      const question = await askQuestion(
        asker.page,
        'Does the store deliver on Saturdays?',
        'I am out during the week and wonder about weekend delivery.',
        'delivery',
      );
      const sharer = await member('sam@example.com', 'Sam S');
      await sharer.page.goto(question);
      await sharer.page
        .getByLabel('Answer')
        .fill('I am at 12 Elm Street, flat 3, and mine never came on a Saturday. My phone is 555-0199, call me.');
      await sharer.page.getByRole('button', { name: 'Post your answer' }).click();
      await sharer.page.waitForURL(/#post-/);
      await asker.page.goto(question);
      const theirs = asker.page.locator('article.cm-post').filter({ hasText: '12 Elm Street' });
      await theirs.locator('summary', { hasText: 'Report' }).click();
      await theirs.getByLabel('Why should a moderator look at this?').selectOption('personal-data');
      await theirs.getByRole('button', { name: 'Send report' }).click();
      await asker.page.getByText('Thank you. A moderator will look at this post.').waitFor();

      // Staff in the console: the report is in the Community queue; "Take private" opens a case.
      const consoleCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await consoleCtx.newPage();
      const errors = watchConsole(page);
      await signIn(page, AGENT, { from: `${url}/community`, landing: /\/(inbox|community)/ });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Community' }).click();
      await page.waitForURL(/\/community$/);
      const card = page.getByRole('list', { name: 'Reported posts' }).getByRole('listitem').filter({ hasText: '12 Elm Street' });
      await card.waitFor();
      await expectAccessible(page, 'the community queue');
      await screenshot(page, 'community-console-queue');
      await card.getByRole('button', { name: 'Take private' }).click();
      await card.getByRole('link', { name: 'case' }).waitFor();
      await card.getByRole('link', { name: 'case' }).click();
      await page.waitForURL(/\/cases\//);
      await page
        .getByText(/12 Elm Street/)
        .first()
        .waitFor();
      await page
        .getByText(/Taken private from the community/)
        .first()
        .waitFor();
      await screenshot(page, 'community-console-case');
      expect(errors).toEqual([]);

      // Priya's case is in the console too, with her words and the link to the post.
      const cases = (await api('GET', '/api/v1/cases?limit=50')).json as { cases?: { id: string; channel: string }[] };
      const community = (cases.cases ?? []).filter((c) => c.channel === 'community');
      expect(community).toHaveLength(2);
      // The answer's page keeps its place and hides the words.
      await sharer.page.goto(question);
      await sharer.page.getByText('This answer was moved to a private conversation with the store.').waitFor();
      expect(await sharer.page.getByText('12 Elm Street').count()).toBe(0);
      for (const c of [priya, asker, sharer]) await c.context.close();
      await consoleCtx.close();
    },
    120_000,
  );
});
