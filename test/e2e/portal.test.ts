/**
 * The self-service portal in real Chromium against `amends serve`, with the sign-in link caught by a real SMTP
 * server: (a) a customer reports a damaged vase with a photo and gets store credit at once; (b) a customer above
 * Amends' automatic limit is routed to a person, and a manager sees their description, photo and chosen remedy
 * in the console without asking again (the description's `<img onerror>` stays text); (c) an expired link and a
 * link opened on another store's address do not sign in. Axe and a 390 px phone; screenshots in
 * test/e2e/artifacts/portal-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import { createLink } from '../../src/public/signed-links.ts';
import { createStore } from '../../src/stores/stores.service.ts';
import { captureServer, waitForMail } from '../support/smtp-capture.ts';
import { chromiumAvailable, launchChromium } from './browser.ts';
import {
  AGENT,
  apiCall,
  ensureConsoleBuilt,
  expectAccessible,
  fitsWidth,
  MANAGER,
  prepareArtifacts,
  root,
  screenshot,
  shutDown,
  signIn,
  startConsoleServer,
  waitFor,
  watchConsole,
} from './console-support.ts';

/** A real 1×1 PNG. */
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const XSS = '<img src=x onerror="window.__portalXss=1">';

const usd = (amount: number) => ({ amount, currency: 'USD' });

describe('the self-service portal in Chromium against the real server [sqlite]', () => {
  const available = chromiumAvailable();
  let url: string;
  let adminToken: string;
  let browser: Browser;
  let dir: string;
  let capture: Awaited<ReturnType<typeof captureServer>>;
  let expiredToken = '';

  const api = (method: string, p: string, body?: unknown) => apiCall(url, adminToken, method, p, body);

  beforeAll(async () => {
    if (!available) return;
    ensureConsoleBuilt();
    prepareArtifacts(/^portal-/);
    capture = await captureServer();
    ({ url, adminToken, dir } = await startConsoleServer({
      dirPrefix: 'amends-portal-',
      users: [AGENT, MANAGER],
      prepare: async (db) => {
        await createStore(db, systemClock, { id: 'other', name: 'Other Shop', timezone: 'UTC' });
        // A link that ran out an hour ago (as a customer's old e-mail would hold).
        expiredToken = (
          await createLink(
            db,
            { storeId: 'acme', purpose: 'portal', subjectType: 'customer', subjectId: 'cleo', customerId: 'cleo', ttlMs: 30 * 60_000 },
            new Date(Date.now() - 2 * 60 * 60_000),
          )
        ).token;
      },
    }));
    const policy = fs.readFileSync(path.join(root, 'policies/default.yaml'), 'utf8');
    expect((await api('POST', '/api/v1/policy', { source: policy })).status).toBe(201);
    const channels = await api('PUT', '/api/v1/store/channels', {
      email: { from: 'help@acme.test', replyDomain: 'acme-reply.test', smtp: { host: '127.0.0.1', port: capture.port, secure: false } },
    });
    expect(channels.status).toBe(200);
    const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const events = [
      {
        id: 'c-cleo',
        type: 'customer.upserted',
        occurredAt: ago(30),
        data: { customerId: 'cleo', email: 'cleo@example.com', name: 'Cleo' },
      },
      {
        id: 'c-vera',
        type: 'customer.upserted',
        occurredAt: ago(30),
        data: { customerId: 'vera', email: 'vera@example.com', name: 'Vera' },
      },
      {
        id: 'o-1001',
        type: 'order.placed',
        occurredAt: ago(4),
        data: {
          orderId: '1001',
          customerId: 'cleo',
          total: usd(2000),
          items: [{ sku: 'V', name: 'Glass vase', quantity: 1, price: usd(2000) }],
        },
      },
      {
        id: 's-1001',
        type: 'shipment.delivered',
        occurredAt: ago(1),
        data: { shipmentId: 'shp-1001', orderId: '1001', deliveredAt: ago(1) },
      },
      {
        id: 'o-1003',
        type: 'order.placed',
        occurredAt: ago(4),
        data: {
          orderId: '1003',
          customerId: 'vera',
          total: usd(20000),
          items: [{ sku: 'M', name: 'Wall mirror', quantity: 1, price: usd(20000) }],
        },
      },
    ];
    const posted = await api('POST', '/api/v1/events', { events });
    expect(posted.status, JSON.stringify(posted.json)).toBe(201);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await shutDown(browser, dir);
    await capture?.close();
  });

  /** The first sign-in mail to `to` caught after the first `before` mails. */
  async function nextMail(before: number, to: string): Promise<string> {
    const view = {
      get mails() {
        return capture.mails.slice(before);
      },
    };
    return waitForMail(view, to, /Subject: Your link/);
  }

  const shot = (page: Page, name: string) => screenshot(page, `portal-${name}`, { fullPage: true });

  /** Identifies on the help page, reads the link from the real e-mail, opens it and presses Continue. */
  async function signInToPortal(page: Page, order: string, email: string): Promise<void> {
    const before = capture.mails.length;
    await page.goto(`${url}/help/acme`);
    await page.getByLabel('Order number').fill(order);
    await page.getByLabel('E-mail').fill(email);
    await page.getByRole('button', { name: 'E-mail me a link' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    const raw = await nextMail(before, email);
    const text = (await simpleParser(raw)).text ?? '';
    const link = /https?:\/\/\S+\/help\/acme\/link\/[A-Za-z0-9_-]{43}/.exec(text)?.[0];
    expect(link, text).toBeTruthy();
    await page.goto(link!);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/help\/acme\/orders$/);
  }

  async function report(page: Page, order: string, description: string, photoName: string): Promise<string> {
    await page.getByRole('link', { name: `Order ${order}` }).click();
    await page.getByRole('link', { name: 'Report a problem' }).click();
    await page.getByLabel('Damaged item').check();
    await page.getByLabel('Tell us what happened').fill(description);
    await page.getByLabel('A photo (optional)').setInputFiles({ name: photoName, mimeType: 'image/png', buffer: PHOTO });
    await page.getByAltText('Preview of the chosen photo').waitFor();
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.waitForURL(/\/help\/acme\/cases\//);
    await page.getByRole('heading', { name: 'How can we put it right?' }).waitFor();
    return decodeURIComponent(/\/cases\/([^?]+)/.exec(page.url())![1]!);
  }

  it.runIf(available)('(a) a customer reports a damaged vase with a photo and gets store credit at once', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const errors = watchConsole(page);
    await signInToPortal(page, '#1001', 'cleo@example.com');
    await page.getByText('Delivered').first().waitFor();
    await expectAccessible(page, 'portal orders');
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'orders');
    await report(page, '1001', 'The glass vase arrived broken in three pieces, the box was crushed.', 'vase.png');
    await expectAccessible(page, 'portal remedy choice');
    await shot(page, 'offers');
    await page.getByLabel(/22\.00 USD in store credit/).check();
    await page.getByRole('button', { name: 'Choose this' }).click();
    await page.getByRole('heading', { name: 'Store credit issued' }).waitFor();
    expect(await page.locator('.portal-remedy').innerText()).toContain("You've got 22.00 USD in store credit");
    // The remedy message is on the case, in the portal.
    await page
      .getByText(/store credit/i)
      .nth(1)
      .waitFor();
    await expectAccessible(page, 'portal case with remedy');
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'credit-issued');
    expect(errors).toEqual([]);
    await context.close();
  });

  it.runIf(available)(
    '(b) above the automatic limit the case goes to a person, who sees the description, photo and choice in the console',
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const errors = watchConsole(page);
      await signInToPortal(page, '1003', 'vera@example.com');
      const caseId = await report(page, '1003', `The mirror arrived cracked across the middle. ${XSS}`, 'mirror.png');
      await page.getByLabel(/220\.00 USD in store credit/).check();
      await page.getByRole('button', { name: 'Choose this' }).click();
      await page.getByRole('heading', { name: 'A person will confirm this' }).waitFor();
      expect(await page.locator('.portal-messages').innerText()).toContain(XSS);
      expect(await page.evaluate(() => (window as unknown as { __portalXss?: number }).__portalXss)).toBeUndefined();
      await shot(page, 'to-a-person');
      expect(errors).toEqual([]);

      // A manager opens the case in the console: everything is already there.
      const consolePage = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      const consoleErrors = watchConsole(consolePage);
      await signIn(consolePage, MANAGER, { from: `${url}/cases/${caseId}`, landing: /\/cases\// });
      await consolePage.getByText('The mirror arrived cracked across the middle.').first().waitFor();
      const text = await consolePage.locator('#main').innerText();
      expect(text).toContain(XSS);
      expect(text).toContain('Customer chose');
      expect(text).toContain('220.00 USD in store credit');
      expect(text).toContain('mirror.png');
      expect(await consolePage.locator('#main img[src="x"]').count()).toBe(0);
      expect(await consolePage.evaluate(() => (window as unknown as { __portalXss?: number }).__portalXss)).toBeUndefined();
      // The photo itself, as the console's session reads it.
      const photo = await consolePage.evaluate(async (id) => {
        const list = (await (await fetch(`/api/v1/cases/${id}/attachments`)).json()) as {
          attachments: { id: string; contentType: string }[];
        };
        const a = list.attachments[0]!;
        const file = await fetch(`/api/v1/attachments/${a.id}`);
        return { count: list.attachments.length, type: file.headers.get('content-type'), size: (await file.arrayBuffer()).byteLength };
      }, caseId);
      expect(photo).toEqual({ count: 1, type: 'image/png', size: PHOTO.length });
      // …and shown on the customer's message as a picture the browser could decode.
      const img = consolePage.getByRole('img', { name: 'Photo from the customer: mirror.png' });
      await img.waitFor();
      await waitFor('the photo decoded', async () => (await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)) > 0);
      // The remedy waits for the manager's approval.
      const pending = await api('GET', `/api/v1/compensations?status=pending_approval`);
      expect(JSON.stringify(pending.json)).toContain(caseId);
      await screenshot(consolePage, 'portal-console-case', { fullPage: true });
      expect(consoleErrors).toEqual([]);
      await context.close();
    },
  );

  it.runIf(available)('(c) an expired link and a link opened on another store’s address do not sign in', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${url}/help/acme/link/${expiredToken}`);
    await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
    expect(await page.getByRole('button', { name: 'Continue' }).count()).toBe(0);
    await shot(page, 'expired');
    // A fresh, valid link of acme, opened on the other store's address.
    const before = capture.mails.length;
    await page.goto(`${url}/help/acme`);
    await page.getByLabel('Order number').fill('1001');
    await page.getByLabel('E-mail').fill('cleo@example.com');
    await page.getByRole('button', { name: 'E-mail me a link' }).click();
    const raw = await nextMail(before, 'cleo@example.com');
    const token = /\/help\/acme\/link\/([A-Za-z0-9_-]{43})/.exec((await simpleParser(raw)).text ?? '')![1]!;
    await page.goto(`${url}/help/other/link/${token}`);
    await page.getByRole('heading', { name: 'This link does not work here' }).waitFor();
    expect(await page.getByRole('button', { name: 'Continue' }).count()).toBe(0);
    await page.goto(`${url}/help/other/orders`);
    await page.waitForURL(/\/help\/other\?signin=1$/);
    expect((await context.cookies()).filter((c) => c.name === 'amends_portal')).toEqual([]);
    await expectAccessible(page, 'portal sign-in page');
    await shot(page, 'other-store');
    await context.close();
  });
});
