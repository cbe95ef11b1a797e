/**
 * Follow-up surveys in real Chromium against the real server (issue 8): a resolved case's check-in is sent
 * ("send now", the console's button's API), the customer clicks the CSAT "1" link from the message and the answer
 * is recorded at once (survey.js posts it; GET records nothing), the thank-you page takes an optional comment; the
 * same link again says "already answered" and nothing new is recorded; without JavaScript the button sends the
 * answer with a comment typed first; the case is open again in the console, whose Follow-up panel shows the
 * answer and its comment, and the comment is a note on the case. Axe on the survey pages (desktop
 * and phone width); screenshots in test/e2e/artifacts/surveys-*.png.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

interface Followups {
  followups: { id: string; kind: string; status: string }[];
  answers: { metric: string; score: number; comment: string | null }[];
}

describe('survey links in Chromium against the real server [sqlite]', () => {
  const available = chromiumAvailable();
  if (!available && process.env.CI === 'true') throw new Error('Chromium is required in CI (CHROMIUM_PATH or /usr/bin/chromium)');
  if (!available) process.stderr.write('!!! Chromium is not available: skipping the survey browser tests !!!\n');
  let url: string;
  let adminToken: string;
  let browser: Browser;
  let dir: string;
  let caseId = '';
  let csatLink = '';
  let cesLink = '';

  const api = <J = Record<string, unknown>>(method: string, p: string, body?: unknown) => apiCall<J>(url, adminToken, method, p, body);

  beforeAll(async () => {
    if (!available) return;
    ensureConsoleBuilt();
    prepareArtifacts(/^surveys-/);
    ({ url, adminToken, dir } = await startConsoleServer({ dirPrefix: 'amends-surveys-', users: [AGENT] }));
    const at = new Date().toISOString();
    const events = [
      {
        id: 'cu-1',
        type: 'customer.upserted',
        occurredAt: at,
        data: { customerId: 'nora', email: 'nora@example.com', name: 'Nora Quinn' },
      },
      {
        id: 'cp-1',
        type: 'complaint.received',
        occurredAt: at,
        data: { complaintId: 'c-1', customerId: 'nora', channel: 'email', subject: 'Broken teapot', body: 'My teapot arrived cracked.' },
      },
    ];
    expect((await api('POST', '/api/v1/events', { events })).status).toBe(201);
    const list = await api<{ cases: { id: string }[] }>('GET', '/api/v1/cases');
    caseId = list.json.cases[0]!.id;
    expect((await api('POST', `/api/v1/cases/${caseId}/status`, { status: 'resolved' })).status).toBe(200);
    const fu = await api<Followups>('GET', `/api/v1/cases/${caseId}/followups`);
    const checkin = fu.json.followups.find((f) => f.kind === 'checkin')!;
    expect(checkin.status).toBe('scheduled');
    // Nobody waits three days: "send the check-in now".
    const sent = await api('POST', `/api/v1/followups/${checkin.id}/send-now`);
    expect(sent.status).toBe(200);
    const c = await api<{ messages: { template: string | null; body: string }[] }>('GET', `/api/v1/cases/${caseId}`);
    const message = c.json.messages.find((m) => m.template === 'en/survey-checkin')!;
    const m = /(\/s\/acme\/[A-Za-z0-9_-]{43})\?score=1\b/.exec(message.body);
    expect(m).not.toBeNull();
    csatLink = `${url}${m![1]}`;
    const ces = [...message.body.matchAll(/(\/s\/acme\/[A-Za-z0-9_-]{43})\?score=/g)].map((x) => x[1]).find((p) => p !== m![1]);
    expect(ces).toBeDefined();
    cesLink = `${url}${ces}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(() => shutDown(browser, dir));

  it.runIf(available)(
    'one click on "1" answers at once; the thank-you page takes a comment; the link then says already answered',
    async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      const errors = watchConsole(page, [{ status: 409, path: /\/s\/acme\// }]);

      // The question page itself (the link without a score: nothing is sent): checked for access and fit.
      await page.goto(csatLink);
      await page.getByRole('heading', { name: 'How satisfied are you with how we handled your case?' }).waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await expectAccessible(page, 'survey page (phone)');
      await screenshot(page, 'surveys-question-phone');
      expect((await api<Followups>('GET', `/api/v1/cases/${caseId}/followups`)).json.answers).toHaveLength(0);

      // The "1" link from the message: the page shows 1 and survey.js sends it at once — nobody presses anything.
      await page.goto(`${csatLink}?score=1`);
      await page.getByRole('heading', { name: 'Thank you for your answer' }).waitFor();
      expect(await page.getByText('We have reopened your case').isVisible()).toBe(true);
      const answered = (await api<Followups>('GET', `/api/v1/cases/${caseId}/followups`)).json;
      expect(answered.answers).toEqual([expect.objectContaining({ metric: 'csat', score: 1, comment: null })]);
      await expectAccessible(page, 'thank-you page');
      await screenshot(page, 'surveys-thanks-phone');

      // The optional comment, on the thank-you page.
      await page.getByLabel('Anything you would like to add? (optional)').fill('Still cracked <script>alert(1)</script>');
      await page.getByRole('button', { name: 'Send my comment' }).click();
      await page.getByRole('heading', { name: 'Thank you for your comment' }).waitFor();
      await expectAccessible(page, 'comment thank-you page');
      const after = (await api<Followups>('GET', `/api/v1/cases/${caseId}/followups`)).json;
      expect(after.answers).toEqual([
        expect.objectContaining({ metric: 'csat', score: 1, comment: 'Still cracked <script>alert(1)</script>' }),
      ]);

      // The same link again: already answered, nothing new.
      await page.goto(`${csatLink}?score=5`);
      await page.getByRole('heading', { name: 'You have already answered this question' }).waitFor();
      await screenshot(page, 'surveys-already-answered');
      expect((await api<Followups>('GET', `/api/v1/cases/${caseId}/followups`)).json.answers).toHaveLength(1);
      const events = await api<{ events: { type: string }[] }>('GET', '/api/v1/events?limit=200');
      expect(events.json.events.filter((e) => e.type === 'survey.answered')).toHaveLength(1);
      expect(errors).toEqual([]);
      await context.close();
    },
  );

  it.runIf(available)('without JavaScript the page waits for "Send my answer", and a comment typed first goes with it', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${cesLink}?score=6`);
    await page.getByRole('heading', { name: 'How easy was it to get your case sorted?' }).waitFor();
    expect(await page.getByRole('radio', { name: /^6/ }).isChecked()).toBe(true);
    // Nothing is sent by opening it.
    expect((await api<Followups>('GET', `/api/v1/cases/${caseId}/followups`)).json.answers.filter((a) => a.metric === 'ces')).toHaveLength(
      0,
    );
    await page.getByLabel('Comment (optional)').fill('Easy enough');
    await page.getByRole('button', { name: 'Send my answer' }).click();
    await page.getByRole('heading', { name: 'Thank you for your answer' }).waitFor();
    expect(await page.getByRole('button', { name: 'Send my comment' }).count()).toBe(0);
    const ces = (await api<Followups>('GET', `/api/v1/cases/${caseId}/followups`)).json.answers.filter((a) => a.metric === 'ces');
    expect(ces).toEqual([expect.objectContaining({ score: 6, comment: 'Easy enough' })]);
    await context.close();
  });

  it.runIf(available)('the console shows the case reopened with the answer in its Follow-up panel', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = watchConsole(page);
    await signIn(page, AGENT, { from: `${url}/cases/${caseId}`, landing: /\/cases\// });
    const panel = page.getByTestId('followup-panel');
    await panel.waitFor();
    await panel.getByTestId('survey-answer').first().waitFor();
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('Check-in survey');
    expect(text).toMatch(/CSAT:\s*1\s*of 5/);
    expect(text).toContain('Still cracked <script>alert(1)</script>');
    expect(await page.getByText('Reopened', { exact: true }).first().isVisible()).toBe(true);
    // A low score's comment is also a note on the case, where whoever handles it now reads it.
    await page.getByText('The customer added a comment to their CSAT answer (1 of 5)').first().waitFor();
    await screenshot(page, 'surveys-case-panel', { at: panel });
    expect(errors).toEqual([]);
    await context.close();
  });
});
