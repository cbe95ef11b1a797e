/**
 * The console's incident screens in real Chromium against the real server: lost parcels reported by the carrier
 * open an incident (the monitors, through the one ingest path), its customers are told, a remedy is issued on one
 * case; a manager finds it on the chart and in the list, reads the message and the remedy, puts it on the status
 * page and sees that last across a reload; an agent cannot. Axe at desktop and phone width; screenshots in
 * test/e2e/artifacts/incidents-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
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
  root,
  screenshot,
  shutDown,
  signIn,
  startConsoleServer,
  waitFor,
  watchConsole,
} from './console-support.ts';

/** Every message may go at once, whatever the hour here: no quiet hours, no cool-down. */
const policy = `${fs.readFileSync(path.join(root, 'policies/default.yaml'), 'utf8').split('\nproactive:')[0]}\nproactive:\n  contact: { cooldownHours: 0, quietHours: null }\n`;

const usd = (amount: number) => ({ amount, currency: 'USD' });

function storeEvents(now: number) {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const customer = (id: string, name: string) => ({
    id: `cus-${id}`,
    type: 'customer.upserted',
    occurredAt: at(90 * 24 * 60),
    data: { customerId: id, email: `${id}@example.com`, name, timezone: 'UTC' },
  });
  const order = (o: string, c: string, total: number) => ({
    id: `${o}-placed`,
    type: 'order.placed',
    occurredAt: at(3 * 24 * 60),
    data: { orderId: o, customerId: c, total: usd(total) },
  });
  return [customer('cleo', 'Cleo First'), customer('dan', 'Dan Second'), order('ord-1', 'cleo', 6400), order('ord-2', 'dan', 2800)];
}

const lostParcels = (now: number) =>
  ['ord-1', 'ord-2'].map((o) => ({
    id: `${o}-lost`,
    type: 'shipment.updated',
    occurredAt: new Date(now).toISOString(),
    data: {
      shipmentId: `${o}-s`,
      orderId: o,
      carrier: 'DHL',
      region: 'ES-MD',
      status: 'lost',
      lastCarrierEventAt: new Date(now).toISOString(),
    },
  }));

interface Detail {
  id: string;
  title: string;
  public: boolean;
  messages: { customerId: string; body: string }[];
  affected: { customerId: string; cases: { id: string; number: number }[] }[];
  remedies: { id: string; label: string; status: string }[];
}

describe('incidents in the console, in Chromium against the real server [sqlite]', () => {
  const available = chromiumAvailable();
  let url: string;
  let adminToken: string;
  let browser: Browser;
  let dir: string;
  let incident: Detail;

  const api = (method: string, p: string, body?: unknown) => apiCall(url, adminToken, method, p, body);

  beforeAll(async () => {
    if (!available) return;
    ensureConsoleBuilt();
    prepareArtifacts(/^incidents-/);
    ({ url, adminToken, dir } = await startConsoleServer({ dirPrefix: 'amends-console-incidents-', users: [AGENT, MANAGER] }));
    expect((await api('POST', '/api/v1/policy', { source: policy })).status).toBe(201);
    const now = Date.now();
    expect((await api('POST', '/api/v1/events', { events: storeEvents(now) })).status).toBe(201);
    // The carrier reports both parcels lost: the monitor fires at once, one incident, both customers told.
    expect((await api('POST', '/api/v1/events', { events: lostParcels(now) })).status).toBe(201);
    const list = (await api('GET', '/api/v1/incidents')).json.incidents as { id: string }[];
    expect(list).toHaveLength(1);
    let d = (await api('GET', `/api/v1/incidents/${list[0]!.id}`)).json as unknown as Detail;
    expect(d.messages).toHaveLength(2);
    // A full refund on Cleo's case (an admin has no limit): issued by the server.
    const cleoCase = d.affected.find((a) => a.customerId === 'cleo')!.cases[0]!.id;
    const granted = await api('POST', `/api/v1/cases/${cleoCase}/compensations`, {
      offerId: 'refund_full',
      idempotencyKey: 'e2e-incident-refund',
    });
    expect(granted.status).toBe(201);
    await waitFor('the refund issued', async () => {
      d = (await api('GET', `/api/v1/incidents/${list[0]!.id}`)).json as unknown as Detail;
      return d.remedies.some((r) => r.status === 'issued');
    });
    incident = d;
    browser = await launchChromium();
  }, 60_000);

  afterAll(() => shutDown(browser, dir));

  /** The viewport once every transition has ended (a dialog fading in, a message unfolding), scrolled to `at` when given. */
  const shot = (page: Page, name: string, at?: Locator) => screenshot(page, `incidents-${name}`, { at, still: true });

  /** Opens the incidents, is sent to sign in, and comes back (or lands on the inbox). */
  const signInAs = (page: Page, who: { email: string; password: string }) =>
    signIn(page, who, { from: `${url}/incidents`, landing: /\/(inbox|incidents)/ });

  it.runIf(available)(
    'a manager finds the incident on the chart and in the list, reads its message and remedy, and makes it public; an agent cannot',
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const errors = watchConsole(page);
      await signInAs(page, MANAGER);

      // 1. Incidents: the chart of the last 30 days, and the open incident with its customers.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).click();
      await page.waitForURL(/\/incidents$/);
      const chart = page.getByRole('img', { name: /^Bar chart of incidents per day/ });
      await chart.waitFor();
      expect(await chart.getAttribute('aria-label')).toContain('Lost parcel: 1');
      expect(await chart.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
      const row = page
        .getByRole('table', { name: 'Incidents, newest first' })
        .getByRole('row', { name: new RegExp(incident.title.replace(/[()]/g, '\\$&')) });
      await row.waitFor();
      expect(await row.getByRole('cell').nth(3).textContent()).toBe('2');
      await shot(page, 'list');
      await expectAccessible(page, 'incidents list');

      // The chart counts customers too, and the choice is in the URL.
      await page.getByRole('radiogroup', { name: 'What to count' }).getByText('Customers').click();
      await page.waitForURL(/chart=customers/);
      await page.getByRole('img', { name: /^Bar chart of customers affected per day/ }).waitFor();
      expect(await page.getByRole('img', { name: /customers affected/ }).getAttribute('aria-label')).toContain('Lost parcel: 2');

      // 2. The incident: its customers, the message each was sent, the refund issued.
      await row.getByRole('link').click();
      await page.waitForURL(new RegExp(`/incidents/${incident.id}$`));
      await page.getByRole('heading', { name: incident.title, level: 1 }).waitFor();
      const affected = page.getByRole('table', { name: 'Affected customers' });
      await affected.getByText('Cleo First').waitFor();
      await affected.getByText('Dan Second').waitFor();
      await shot(page, 'detail');
      const messages = page.getByRole('list', { name: 'Messages sent' });
      expect(await messages.getByRole('listitem').count()).toBe(2);
      const cleo = incident.messages.find((m) => m.customerId === 'cleo')!;
      const cleoMessage = messages.getByRole('listitem').filter({ hasText: 'Cleo First' });
      await cleoMessage.getByRole('button', { name: 'Show the whole message' }).click();
      const lastLine = cleo.body.trim().split('\n').at(-1)!.trim();
      await cleoMessage.getByText(lastLine, { exact: false }).first().waitFor({ state: 'visible' });
      const remedies = page.getByRole('table', { name: 'Remedies' });
      const refund = remedies.getByRole('row', { name: /Full refund of the order/ });
      await refund.getByText('Issued', { exact: true }).waitFor();
      await refund.getByText('$64.00').first().waitFor();
      await page.getByText(/Issued:\s*\$64\.00 \(1\)/).waitFor();
      await shot(page, 'message', cleoMessage);
      await shot(page, 'remedies', remedies);
      await expectAccessible(page, 'incident page');

      // 3. On the status page: the switch asks first, then the flag holds across a reload.
      const flag = page.getByRole('switch', { name: 'Show on the status page' });
      expect(await flag.isChecked()).toBe(false);
      await flag.click({ force: true });
      const dialog = page.getByRole('dialog', { name: 'Show this incident on the status page?' });
      await dialog.getByLabel(/^Reason/).fill('Customers are asking about DHL on social media');
      await shot(page, 'make-public');
      await dialog.getByRole('button', { name: 'Make public' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await waitFor('the flag set', async () => (await api('GET', `/api/v1/incidents/${incident.id}`)).json.public === true);
      await page.reload();
      await page.getByRole('heading', { name: incident.title, level: 1 }).waitFor();
      await waitFor('the switch on after reload', () => page.getByRole('switch', { name: 'Show on the status page' }).isChecked());
      const audit = (await api('GET', `/api/v1/audit?subjectId=${incident.id}`)).json.entries as { action: string; reason: string }[];
      expect(audit.map((e) => [e.action, e.reason])).toEqual([['incident.made_public', 'Customers are asking about DHL on social media']]);
      await shot(page, 'public');

      // 4. At phone width both pages fit the screen and stay accessible.
      await page.setViewportSize({ width: 390, height: 844 });
      await waitFor('the page to fit the phone’s width', () => fitsWidth(page), 3000);
      await shot(page, 'phone-detail');
      await expectAccessible(page, 'incident page at phone width');
      await page.goto(`${url}/incidents`);
      await page.getByRole('list', { name: 'Incidents, newest first' }).getByRole('link', { name: incident.title }).waitFor();
      await page.getByRole('img', { name: /^Bar chart/ }).waitFor();
      await waitFor('the page to fit the phone’s width', () => fitsWidth(page), 3000);
      await shot(page, 'phone-list');
      await expectAccessible(page, 'incidents list at phone width');
      expect(errors).toEqual([]);
      await context.close();

      // 5. An agent sees the flag and cannot change it.
      const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const agentPage = await agentContext.newPage();
      const agentErrors = watchConsole(agentPage);
      await signInAs(agentPage, AGENT);
      await agentPage.goto(`${url}/incidents/${incident.id}`);
      await agentPage.getByRole('heading', { name: incident.title, level: 1 }).waitFor();
      await agentPage.getByText('Shown on the status page. A manager can change this.').waitFor();
      expect(await agentPage.getByRole('switch').count()).toBe(0);
      expect(await agentPage.getByRole('button', { name: 'Resolve…' }).count()).toBe(0);
      await shot(agentPage, 'agent-detail');
      expect(agentErrors).toEqual([]);
      await agentContext.close();
    },
    90_000,
  );
});
