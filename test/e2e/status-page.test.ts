/**
 * The status page in real Chromium against the real server: lost parcels reported by the carrier open an
 * incident (the monitors, through the one ingest path); a manager puts it on the status page from the console,
 * gives it a public title and posts an update whose text carries an XSS payload; a visitor (no session) sees the
 * incident and that update as text — no dialog, no script run, no CSP violation — never a customer's name,
 * e-mail or order; the Atom feed parses as XML in the browser; axe finds nothing serious; it fits 390 px.
 * Screenshots in test/e2e/artifacts/status-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from './browser.ts';
import {
  apiCall,
  ensureConsoleBuilt,
  expectAccessible,
  fitsWidth,
  MANAGER,
  prepareArtifacts,
  screenshot,
  shutDown,
  signIn,
  startConsoleServer,
  waitFor,
  watchConsole,
} from './console-support.ts';

const usd = (amount: number) => ({ amount, currency: 'USD' });

const PEOPLE = [
  { id: 'cleo', name: 'Cleopatra Fairweather', email: 'cleo.fairweather@example.com', order: 'ORD-88120' },
  { id: 'dan', name: 'Danilo Secondi', email: 'danilo.secondi@example.com', order: 'ORD-88121' },
];
const PAYLOAD = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2;alert('xss')">`;
const UPDATE = `The carrier found the missing parcels at its Madrid depot. ${PAYLOAD}`;

function storeEvents(now: number) {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  return [
    ...PEOPLE.map((p) => ({
      id: `cus-${p.id}`,
      type: 'customer.upserted',
      occurredAt: at(90 * 24 * 60),
      data: { customerId: p.id, email: p.email, name: p.name, timezone: 'UTC' },
    })),
    ...PEOPLE.map((p) => ({
      id: `${p.order}-placed`,
      type: 'order.placed',
      occurredAt: at(3 * 24 * 60),
      data: { orderId: p.order, customerId: p.id, total: usd(5200) },
    })),
  ];
}

const lostParcels = (now: number) =>
  PEOPLE.map((p) => ({
    id: `${p.order}-lost`,
    type: 'shipment.updated',
    occurredAt: new Date(now).toISOString(),
    data: { shipmentId: `${p.order}-s`, orderId: p.order, carrier: 'DHL', region: 'ES-MD', status: 'lost' },
  }));

describe('the status page in Chromium against the real server [sqlite]', () => {
  const available = chromiumAvailable();
  let url: string;
  let adminToken: string;
  let browser: Browser;
  let dir: string;
  let incidentId = '';
  let internalTitle = '';

  const api = (method: string, p: string, body?: unknown) => apiCall(url, adminToken, method, p, body);
  const shot = (page: Page, name: string, fullPage = false) => screenshot(page, `status-${name}`, { still: true, fullPage });

  beforeAll(async () => {
    if (!available) return;
    ensureConsoleBuilt();
    prepareArtifacts(/^status-/);
    ({ url, adminToken, dir } = await startConsoleServer({ dirPrefix: 'amends-status-page-', users: [MANAGER] }));
    const now = Date.now();
    expect((await api('POST', '/api/v1/events', { events: storeEvents(now) })).status).toBe(201);
    expect((await api('POST', '/api/v1/events', { events: lostParcels(now) })).status).toBe(201);
    const list = (await api('GET', '/api/v1/incidents')).json.incidents as { id: string; title: string }[];
    expect(list).toHaveLength(1);
    incidentId = list[0]!.id;
    internalTitle = list[0]!.title;
    browser = await launchChromium();
  }, 60_000);

  afterAll(() => shutDown(browser, dir));

  it.runIf(available)(
    'a manager makes the incident public and posts an update; the status page shows both, the payload as text, accessible, on a phone too',
    async () => {
      // 1. The console: public, a public title, an update with a payload in it.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const errors = watchConsole(page);
      await signIn(page, MANAGER, { from: `${url}/incidents/${incidentId}`, landing: new RegExp(`/incidents/${incidentId}$`) });
      await page.getByRole('heading', { name: internalTitle, level: 1 }).waitFor();
      const updates = page.getByRole('list', { name: 'Updates, newest first' });
      // The system's own update when the incident opened.
      await updates.getByText('Amends (automatic)').waitFor();
      expect(await updates.getByRole('listitem').count()).toBe(1);

      await page.getByRole('switch', { name: 'Show on the status page' }).click({ force: true });
      const dialog = page.getByRole('dialog', { name: 'Show this incident on the status page?' });
      await dialog.getByRole('button', { name: 'Make public' }).click();
      await dialog.waitFor({ state: 'hidden' });

      await page.getByRole('button', { name: 'Edit public text' }).click();
      const text = page.getByRole('form', { name: 'Public title and summary' });
      await text.getByLabel('Public title').fill('Parcels delayed with one carrier');
      await text.getByLabel('Public summary').fill('Some parcels to Madrid were held up. We are sending replacements.');
      await text.getByRole('button', { name: 'Save public text' }).click();
      await page.getByTestId('public-title').getByText('Parcels delayed with one carrier').waitFor();

      const form = page.getByRole('form', { name: 'Post an update' });
      await form.getByLabel('State').selectOption('identified');
      await form.getByLabel('Update').fill(UPDATE);
      expect(await form.getByRole('checkbox', { name: 'Show on status page' }).isChecked()).toBe(true);
      await form.getByRole('button', { name: 'Post update' }).click();
      await waitFor('the update listed', async () => (await updates.getByRole('listitem').count()) === 2);
      await updates.getByText(UPDATE).waitFor();
      const stored = (await api('GET', `/api/v1/incidents/${incidentId}/updates`)).json as {
        public: boolean;
        publicTitle: string;
        updates: { state: string; body: string; public: boolean; author: { name: string } | null }[];
      };
      expect(stored.public).toBe(true);
      expect(stored.publicTitle).toBe('Parcels delayed with one carrier');
      expect(stored.updates[0]).toMatchObject({ state: 'identified', body: UPDATE, public: true, author: { name: MANAGER.name } });
      // Across a reload (and without the toasts fading out over the page), the same.
      await page.reload();
      await updates.getByText(UPDATE).waitFor();
      await page.getByTestId('public-title').getByText('Parcels delayed with one carrier').waitFor();
      await shot(page, 'console', true);
      await expectAccessible(page, 'incident page with its updates');
      // The link to the status page is there.
      expect(await page.getByRole('link', { name: 'View status page' }).getAttribute('href')).toBe('/status/acme');
      expect(errors).toEqual([]);
      await context.close();

      // 2. A visitor (no session): the incident, its update as text, nothing run.
      const visitor = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const v = await visitor.newPage();
      const visitorErrors = watchConsole(v);
      const dialogs: string[] = [];
      v.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const res = await v.goto(`${url}/status/acme`);
      expect(res?.status()).toBe(200);
      await v.getByRole('heading', { name: 'Some services are affected', level: 2 }).waitFor();
      const card = v.getByRole('article', { name: 'Parcels delayed with one carrier' });
      await card.waitFor();
      await card.getByText('Some parcels to Madrid were held up. We are sending replacements.').waitFor();
      await card.getByText(UPDATE).waitFor();
      await card.getByText('Identified').first().waitFor();
      // The times carry their instant for machines.
      expect(await card.locator('time').first().getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
      // Let an image error or a script have its chance, then look.
      await v.waitForLoadState('load');
      await v.waitForTimeout(300);
      expect(dialogs).toEqual([]);
      expect(await v.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await v.locator('main img, main script').count()).toBe(0);
      const body = (await v.locator('body').textContent()) ?? '';
      for (const p of PEOPLE) for (const s of [p.name, p.email, p.order]) expect(body).not.toContain(s);
      expect(body).not.toContain(internalTitle);
      await shot(v, 'page', true);
      await expectAccessible(v, 'status page');

      // 3. The Atom feed, linked from the page, parses as XML in the browser and carries the update as text.
      const feedHref = await v.locator('link[rel="alternate"][type="application/atom+xml"]').getAttribute('href');
      expect(feedHref).toBe('/status/acme/feed.atom');
      const feed = await v.evaluate(async (href) => {
        const r = await fetch(href);
        const xml = await r.text();
        const doc = new DOMParser().parseFromString(xml, 'application/xml');
        const NS = 'http://www.w3.org/2005/Atom';
        return {
          type: r.headers.get('content-type'),
          error: doc.getElementsByTagName('parsererror').length,
          root: doc.documentElement.namespaceURI,
          titles: Array.from(doc.getElementsByTagNameNS(NS, 'entry')).map((e) => e.getElementsByTagNameNS(NS, 'title')[0]?.textContent),
          first: doc.getElementsByTagNameNS(NS, 'entry')[0]?.getElementsByTagNameNS(NS, 'content')[0]?.textContent,
        };
      }, feedHref!);
      expect(feed.type).toMatch(/^application\/atom\+xml/);
      expect(feed.error).toBe(0);
      expect(feed.root).toBe('http://www.w3.org/2005/Atom');
      expect(feed.titles).toEqual(['Parcels delayed with one carrier: Identified', 'Parcels delayed with one carrier: Investigating']);
      expect(feed.first).toBe(UPDATE);
      expect(visitorErrors).toEqual([]);
      await visitor.close();

      // 4. At phone width it fits and stays accessible.
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      const p = await phone.newPage();
      const phoneErrors = watchConsole(p);
      await p.goto(`${url}/status/acme`);
      await p.getByRole('article', { name: 'Parcels delayed with one carrier' }).waitFor();
      expect(await fitsWidth(p)).toBe(true);
      await shot(p, 'phone', true);
      await expectAccessible(p, 'status page at phone width');
      expect(phoneErrors).toEqual([]);
      await phone.close();

      // 5. An unknown store is a 404 page.
      const nope = await browser.newContext();
      const n = await nope.newPage();
      expect((await n.goto(`${url}/status/no-such-store`))?.status()).toBe(404);
      await n.getByRole('heading', { name: 'Page not found' }).waitFor();
      await nope.close();
    },
    90_000,
  );
});
