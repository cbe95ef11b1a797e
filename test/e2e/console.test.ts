import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, ev, type TestApp, usd } from '../helper.ts';
import { chromiumAvailable, launchChromium } from './browser.ts';

const shots = path.resolve(import.meta.dirname, '../../.tmp/screenshots');

describe('console placeholder in Chromium [sqlite]', () => {
  const available = chromiumAvailable();
  let t: TestApp;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    if (!available) return;
    t = await buildTestApp('sqlite');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${t.tokens.manager}` },
      payload: {
        events: [
          ev('c1', 'customer.upserted', { customerId: 'c1', email: 'jo@example.com', name: 'Jo Park' }),
          ev('o1', 'order.placed', { orderId: 'o1', customerId: 'c1', total: usd(4599) }, '2026-03-01T10:00:00Z'),
          ev('cmp1', 'complaint.received', {
            complaintId: 'cmp1',
            customerId: 'c1',
            orderId: 'o1',
            channel: 'email',
            subject: 'Parcel never came',
            body: 'It was a birthday present and it is still not here.',
          }),
        ],
      },
    });
    expect(res.statusCode).toBe(201);
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    fs.mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.runIf(available)('opens with the token from the link, lists the case, and shows it on click', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${url}/#token=${t.tokens.agent}`);
    const row = page.locator('tr.case').first();
    await row.waitFor();
    expect(await row.textContent()).toContain('Parcel never came');
    expect(page.url()).not.toContain('token=');
    expect(await page.locator('#counts').textContent()).toMatch(/1\s*acknowledged/);
    await row.click();
    await page.locator('#detail h2').waitFor();
    expect(await page.locator('#detail').textContent()).toContain('birthday present');
    await page.screenshot({ path: path.join(shots, 'console.png'), fullPage: true });
    const axe = await new AxeBuilder({ page }).analyze();
    const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => v.id)).toEqual([]);
    await page.close();
  });

  it.runIf(available)('asks for a token when the one given is refused', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${url}/#token=amd_wrong`);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#login').textContent()).toContain('not accepted');
    await page.fill('#token', t.tokens.agent);
    await page.click('#login button[type=submit]');
    await page.locator('tr.case').first().waitFor();
    expect(await page.locator('tr.case').count()).toBe(1);
    await page.close();
  });
});
