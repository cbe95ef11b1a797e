/**
 * What `npm start` shows a newcomer: `amends serve --demo` as a child process (a year of demo orders and
 * complaints seeded through the real ingest path), signed in with the password its banner prints, every
 * screen of the console walked as each role — with real data on each, no console errors, no serious or
 * critical axe violations and nothing wider than the screen, at 1280×800 and at phone width.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, launch, waitFor } from '../support/amends-process.ts';
import { chromiumAvailable, launchChromium } from './browser.ts';
import {
  ensureConsoleBuilt,
  expectAccessible,
  fitsWidth,
  prepareArtifacts,
  screenshot,
  settled,
  shutDown,
  signIn,
  watchConsole,
} from './console-support.ts';

const haveBrowser = chromiumAvailable();

const viewports = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

describe.skipIf(!haveBrowser)('the demo console (npm start)', () => {
  let dir: string;
  let url: string;
  let password: string;
  let browser: Browser;
  let proc: ReturnType<typeof launch>;

  beforeAll(async () => {
    ensureConsoleBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-demo-e2e-'));
    prepareArtifacts();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = launch(['serve', '--demo', '--port', String(port), '--host', '127.0.0.1'], { AMENDS_DB: path.join(dir, 'demo.sqlite') });
    await waitFor('amends serve --demo', proc, () => /password (\S+)/.test(proc.output()), 240_000);
    password = /password (\S+)/.exec(proc.output())![1]!;
    expect(proc.output()).toContain(`Console:   ${url}/`);
    browser = await launchChromium();
  }, 300_000);

  afterAll(() => shutDown(browser, dir));

  const signInAs = (page: Page, email: string) => signIn(page, { email, password }, { from: `${url}/sign-in`, store: 'demo' });

  /** Settled, no wider than the screen, no serious or critical axe violations (axe's default rules); a screenshot. */
  async function check(page: Page, what: string, viewport: string): Promise<void> {
    await settled(page, what);
    expect(await fitsWidth(page), `${what} is wider than the ${viewport} screen`).toBe(true);
    await expectAccessible(page, `${what} at ${viewport}`, null);
    await screenshot(page, `demo-${viewport}-${what}`, { fullPage: viewport === 'desktop' });
  }

  for (const vp of viewports) {
    it(`shows real data on every screen to a manager (${vp.name})`, async () => {
      const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height } });
      const page = await context.newPage();
      const errors = watchConsole(page);
      try {
        await signInAs(page, 'manager@demo.test');

        const cases = page.locator('#main a[href^="/cases/"]:visible');
        await cases.first().waitFor({ timeout: 20_000 });
        await check(page, 'inbox', vp.name);
        const caseHref = (await cases.first().getAttribute('href'))!;

        await page.goto(`${url}${caseHref}`);
        await page.getByRole('heading', { name: 'Suggested offers' }).waitFor();
        await check(page, 'case', vp.name);
        // The customer panel is about a real customer: their orders are listed.
        expect(await page.locator('#main').textContent()).toMatch(/Lifetime value/i);

        await page.goto(`${url}/approvals`);
        await page
          .getByRole('button', { name: /^Approve/ })
          .first()
          .waitFor();
        await check(page, 'approvals', vp.name);

        await page.goto(`${url}/incidents`);
        const incidents = page.locator('#main a[href^="/incidents/"]:visible');
        await incidents.first().waitFor();
        await check(page, 'incidents', vp.name);
        await page.goto(`${url}${await incidents.first().getAttribute('href')}`);
        await check(page, 'incident', vp.name);

        await page.goto(`${url}/community`);
        await page
          .getByRole('heading', { name: /Community/ })
          .first()
          .waitFor();
        await check(page, 'community', vp.name);

        await page.goto(`${url}/analytics`);
        await page.getByRole('table', { name: 'Failures by kind' }).waitFor({ timeout: 20_000 });
        await page.waitForFunction(() => document.querySelectorAll('[aria-label^="Loading"]').length === 0, undefined, { timeout: 20_000 });
        await check(page, 'analytics', vp.name);

        await page.goto(`${url}/policy`);
        await page.getByRole('textbox', { name: /Policy file/ }).waitFor();
        await check(page, 'policy', vp.name);

        // Settings: every tab this manager sees; the people tab lists the demo team.
        await page.goto(`${url}/settings`);
        await settled(page, 'settings');
        const tabs = await page.getByRole('tab').allTextContents();
        expect(tabs.length).toBeGreaterThanOrEqual(4);
        for (const name of tabs) {
          await page.getByRole('tab', { name }).click();
          await check(page, `settings-${name.toLowerCase().replace(/\W+/g, '-')}`, vp.name);
        }
        await page.goto(`${url}/settings?tab=people`);
        await page.getByText('agent@demo.test').first().waitFor();

        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 180_000);
  }

  it('shows the demo store’s customer pages with real data: status page, community, help portal (desktop and phone)', async () => {
    const out = proc.output();
    const portalLink = /signed in as a demo customer \(works once, 30 min\): (\S+)/.exec(out)?.[1];
    expect(portalLink, 'the banner prints a portal link').toMatch(/\/help\/demo\/link\//);
    expect(out).toMatch(/sign in as a demo member \(works once, 12 h\): \S+\/community\/demo\/sign-in\//);
    for (const vp of viewports) {
      const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height } });
      const page = await context.newPage();
      const errors = watchConsole(page);
      const look = async (what: string) => {
        expect(await fitsWidth(page), `${what} is wider than the ${vp.name} screen`).toBe(true);
        await expectAccessible(page, `${what} at ${vp.name}`, null);
        await screenshot(page, `demo-${vp.name}-${what}`, { fullPage: vp.name === 'desktop' });
      };
      try {
        await page.goto(`${url}/status/demo`);
        await page.getByRole('heading', { name: 'Current incidents' }).waitFor();
        await look('status-page');

        await page.goto(`${url}/community/demo`);
        const questions = page.locator('a[href*="/community/demo/questions/"]');
        expect(await questions.count()).toBeGreaterThanOrEqual(3);
        await look('community');
        await questions.first().click();
        await page.waitForURL(/\/questions\//);
        await look('community-question');

        if (vp.name === viewports[0]!.name) {
          // The banner's link signs a demo customer in (once): their real orders with their parcels.
          await page.goto(portalLink!);
          await page.getByRole('button', { name: /Continue/ }).click();
          await page.waitForURL(/\/help\/demo\/orders/);
          await page.getByRole('heading', { name: 'Your orders' }).waitFor();
          expect(await page.locator('a[href*="/help/demo/orders/"]').count()).toBeGreaterThan(0);
          await look('portal-orders');
        } else {
          await page.goto(`${url}/help/demo`);
          await page.getByLabel(/order number/i).waitFor();
          await look('portal-start');
        }
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }
  }, 120_000);

  it('gives the console agent cases of their own and shows requests waiting for a manager', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      await signInAs(page, 'agent@demo.test');
      const res = await page.request.get(`${url}/api/v1/auth/me`);
      const me = (await res.json()) as { user: { id: string } };
      const mine = await page.request.get(`${url}/api/v1/cases?assignee=${me.user.id}&status=new,acknowledged,in_progress`);
      expect(((await mine.json()) as { cases: unknown[] }).cases.length).toBeGreaterThan(0);
      const pending = await page.request.get(`${url}/api/v1/compensations?status=pending_approval`);
      const waiting = ((await pending.json()) as { compensations: Array<{ requestedBy?: unknown; justification?: string | null }> })
        .compensations;
      expect(waiting.length).toBeGreaterThan(0);
      // An agent does not see the approvals page in the navigation.
      await settled(page, 'inbox');
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 60_000);
});
