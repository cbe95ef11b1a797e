/**
 * The console's analytics page in real Chromium against the real server, on a small store seeded through the one
 * way in (POST /api/v1/events): orders shipped by two carriers and complaints about some of them. A manager
 * opens Analytics from the navigation, sees the key figures, the trend, the cohorts and the Pareto chart,
 * switches the Pareto to carriers (kept in the URL), downloads the CSV of that table and of the key figures
 * (header lines checked), and the page is axe-clean and fits at desktop and 390 px. An agent has no Analytics
 * link. Screenshots in test/e2e/artifacts/analytics-*.png.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from './browser.ts';
import {
  AGENT,
  apiCall,
  ensureConsoleBuilt,
  expectAccessible,
  fitsWidth,
  MANAGER,
  prepareArtifacts,
  screenshot,
  settled,
  shutDown,
  signIn,
  startConsoleServer,
  waitFor,
  watchConsole,
} from './console-support.ts';

const usd = (amount: number) => ({ amount, currency: 'USD' });

function storeEvents(now: number) {
  const at = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString();
  const events: Record<string, unknown>[] = [];
  const carriers = ['DHL', 'DHL', 'DHL', 'UPS', 'UPS', 'UPS'];
  carriers.forEach((carrier, i) => {
    const c = `c${i}`;
    const o = `ord-${i}`;
    events.push(
      {
        id: `cus-${c}`,
        type: 'customer.upserted',
        occurredAt: at(60),
        data: { customerId: c, email: `${c}@example.com`, name: `Customer ${i}` },
      },
      {
        id: `${o}-placed`,
        type: 'order.placed',
        occurredAt: at(20 - i),
        data: {
          orderId: o,
          customerId: c,
          total: usd(3000 + i * 500),
          items: [{ sku: `SKU-${i % 2}`, name: 'Mug', quantity: 1, price: usd(3000) }],
        },
      },
      {
        id: `${o}-shipped`,
        type: 'shipment.updated',
        occurredAt: at(19 - i),
        data: {
          shipmentId: `${o}-s`,
          orderId: o,
          carrier,
          region: i % 2 ? 'ES-MD' : 'ES-CT',
          status: 'in_transit',
          lastCarrierEventAt: at(19 - i),
        },
      },
    );
  });
  // Complaints on four orders: three about DHL parcels, one about a broken mug.
  const complaint = (i: number, body: string, daysAgo: number) => ({
    id: `cmp-${i}`,
    type: 'complaint.received',
    occurredAt: at(daysAgo),
    data: { complaintId: `cmp-${i}`, customerId: `c${i}`, orderId: `ord-${i}`, channel: 'email', body },
  });
  events.push(
    complaint(0, 'My parcel is two weeks late and nobody tells me where it is.', 8),
    complaint(1, 'The parcel still has not arrived, it is very late.', 7),
    complaint(2, 'Where is my order? It is late and the tracking does not move.', 6),
    complaint(3, 'The mug arrived broken, the handle snapped off in the box.', 5),
  );
  return events;
}

describe('analytics in the console, in Chromium against the real server [sqlite]', () => {
  const available = chromiumAvailable();
  let url: string;
  let adminToken: string;
  let browser: Browser;
  let dir: string;

  const api = (method: string, p: string, body?: unknown) => apiCall(url, adminToken, method, p, body);

  beforeAll(async () => {
    if (!available) return;
    ensureConsoleBuilt();
    prepareArtifacts(/^analytics-/);
    ({ url, adminToken, dir } = await startConsoleServer({ dirPrefix: 'amends-console-analytics-', users: [AGENT, MANAGER] }));
    const seeded = await api('POST', '/api/v1/events', { events: storeEvents(Date.now()) });
    expect(seeded.status, JSON.stringify(seeded.json)).toBe(201);
    const kpis = await api('GET', '/api/v1/analytics/kpis');
    expect((kpis.json as { summary: { cases: number } }).summary.cases).toBe(4);
    browser = await launchChromium();
  }, 60_000);

  afterAll(() => shutDown(browser, dir));

  async function openAnalytics(page: Page): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analytics' }).click();
    await page.waitForURL(/\/analytics/);
    await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    await settled(page, 'analytics');
    await page.getByTestId('pareto-chart').waitFor();
  }

  it.runIf(available)('a manager reads the figures and charts, switches the Pareto dimension and downloads CSVs', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors = watchConsole(page);
    try {
      await signIn(page, MANAGER, { from: `${url}/inbox` });
      await openAnalytics(page);

      // Key figures: a tile per KPI, four cases in the period.
      const tiles = page.getByTestId('kpi-tile');
      expect(await tiles.count()).toBeGreaterThanOrEqual(10);
      await expect.poll(() => tiles.filter({ hasText: /^Cases/ }).textContent()).toMatch(/^Cases4/);
      // Charts drawn: the trend line, the cohort bars with their error bars, the Pareto bars and line.
      expect(await page.getByTestId('trend-chart').locator('svg.recharts-surface').count()).toBeGreaterThan(0);
      expect(await page.getByTestId('cohort-chart').first().locator('svg.recharts-surface').count()).toBe(1);
      await page.getByTestId('paradox-verdict').waitFor();
      expect(await page.getByTestId('paradox-verdict').textContent()).toContain('Too small to tell');
      const pareto = page.getByRole('img', { name: /^Pareto chart of failures by kind/ });
      expect(await pareto.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
      expect(await pareto.getAttribute('aria-label')).toMatch(/Late delivery 3 \(cumulative 75 %\)/);
      await screenshot(page, 'analytics-desktop', { fullPage: true });
      await expectAccessible(page, 'analytics at desktop');
      expect(await fitsWidth(page)).toBe(true);

      // The Pareto by carrier: three DHL failures, one UPS; the choice is in the URL.
      await page.getByRole('radiogroup', { name: 'Failures by' }).getByText('Carrier').click();
      await page.waitForURL(/by=carrier/);
      const byCarrier = page.getByRole('img', { name: /^Pareto chart of failures by carrier/ });
      await byCarrier.waitFor();
      expect(await byCarrier.getAttribute('aria-label')).toContain('DHL 3 (cumulative 75 %), UPS 1 (cumulative 100 %)');
      const table = page.getByRole('table', { name: 'Failures by carrier' });
      await table.getByRole('row', { name: /DHL/ }).waitFor();

      // The CSV of that table, as the server makes it.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download CSV: failures by carrier' }).click(),
      ]);
      const csv = fs.readFileSync((await download.path())!, 'utf8');
      expect(csv.split('\r\n')[0]).toBe('carrier,count,share,cumulative_share');
      expect(csv).toContain('DHL,3,0.7500,0.7500');

      // And the key figures' CSV: sections, the first the summary.
      const [kpiDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download CSV: key figures' }).click(),
      ]);
      const kpiCsv = fs.readFileSync((await kpiDownload.path())!, 'utf8').split('\r\n');
      expect(kpiCsv.slice(0, 2)).toEqual(['# summary', 'metric,value']);

      // The period is in the URL too.
      await page.getByRole('radiogroup', { name: 'Period' }).getByText('30 days').click();
      await page.waitForURL(/period=30/);
      await page.getByTestId('kpi-tile').first().waitFor();

      // At phone width it fits and stays accessible.
      await page.setViewportSize({ width: 390, height: 844 });
      await waitFor('the page to fit the phone’s width', () => fitsWidth(page), 5000);
      await settled(page, 'analytics at phone width');
      await screenshot(page, 'analytics-phone', { fullPage: true });
      await expectAccessible(page, 'analytics at phone width');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it.runIf(available)('an agent has no Analytics link and is told the page is for managers', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = watchConsole(page);
    try {
      await signIn(page, AGENT, { from: `${url}/inbox` });
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Inbox' }).waitFor();
      expect(await nav.getByRole('link', { name: 'Analytics' }).count()).toBe(0);
      await page.goto(`${url}/analytics`);
      await page.getByText('Managers only').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
