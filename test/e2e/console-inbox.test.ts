/**
 * The inbox from the server, in real Chromium against `amends serve`: the Breaching SLA and VIP queues hold
 * the server's cases in its priority order, the list loads its next page on scroll, the composer inserts a
 * suggested text and a saved reply (and the tone check reads them), and j/k on a case page walk the inbox
 * order. axe at 1280×800 and 390×844; screenshots test/e2e/artifacts/inbox-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import { createToken } from '../../src/stores/stores.service.ts';
import { chromiumAvailable, launchChromium } from './browser.ts';
import {
  AGENT,
  apiCall,
  ensureConsoleBuilt,
  expectAccessible,
  fitsWidth,
  prepareArtifacts,
  STORE,
  screenshot,
  shutDown,
  signIn,
  startConsoleServer,
  waitFor,
  watchConsole,
} from './console-support.ts';

const OPEN = 'new,acknowledged,in_progress,waiting_on_customer,reopened';
const FILLERS = 56;

const usd = (amount: number) => ({ amount, currency: 'USD' });

interface Summary {
  id: string;
  number: number;
  status: string;
  customerId: string | null;
  customerTier: string | null;
  queue: string | null;
  priority: { level: string; score: number } | null;
  due: { firstResponse: string | null; resolution: string | null };
  firstRespondedAt: string | null;
}

/**
 * Two VIP customers, two complaints old enough that their first reply is overdue, a fresh mild one, and enough
 * quiet questions that the inbox needs a second page. Open hours are the whole week, so SLA dues do not depend
 * on when the test runs.
 */
function storeEvents(now: number) {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const day = 24 * 60;
  const customer = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
    id: `cus-${id}`,
    type: 'customer.upserted',
    occurredAt: at(300 * day),
    data: { customerId: id, email: `${id}@example.com`, name, ...extra },
  });
  const order = (id: string, customerId: string, total: number) => ({
    id: `ord-${id}`,
    type: 'order.placed',
    occurredAt: at(5 * day),
    data: { orderId: id, customerId, total: usd(total) },
  });
  const complaint = (id: string, customerId: string, orderId: string | null, minutesAgo: number, subject: string, body: string) => ({
    id: `cmp-${id}`,
    type: 'complaint.received',
    occurredAt: at(minutesAgo),
    data: { complaintId: id, customerId, ...(orderId ? { orderId } : {}), channel: 'email', subject, body },
  });
  const events: unknown[] = [
    customer('ana', 'Ana Silva', { tags: ['vip'] }),
    order('A-100', 'ana', 42000),
    complaint(
      'ana-1',
      'ana',
      'A-100',
      25,
      'Crystal vase arrived shattered',
      'The crystal vase arrived shattered and it was a gift for my mother tomorrow. I am really upset and need this fixed today.',
    ),
    customer('bo', 'Bo Lindqvist', { tags: ['vip'] }),
    order('B-200', 'bo', 9000),
    complaint('bo-1', 'bo', 'B-200', 15, 'Question about my order', 'Hello, could you tell me when my order will ship? Thank you.'),
    customer('cy', 'Cy Laurent'),
    order('C-300', 'cy', 5000),
    complaint(
      'cy-1',
      'cy',
      'C-300',
      20 * 60,
      'Still no parcel after two weeks',
      'My parcel is two weeks late and nobody answers. This is unacceptable, I want my money back.',
    ),
    customer('di', 'Di Okafor'),
    order('D-400', 'di', 3000),
    complaint('di-1', 'di', 'D-400', 22 * 60, 'Wrong size sent', 'You sent the wrong size. I am disappointed, please send the right one.'),
  ];
  for (let i = 0; i < FILLERS; i++) {
    const id = `f${String(i).padStart(2, '0')}`;
    events.push(
      customer(id, `Filler ${id.toUpperCase()}`),
      complaint(
        `${id}-1`,
        id,
        null,
        5 + i,
        `Question ${i + 1}`,
        `Hi, a quick question ${i + 1}: can I change my delivery address? Thanks.`,
      ),
    );
  }
  return events;
}

const HOUR = 3_600_000;
function nextDue(c: Summary): string | null {
  if (c.status === 'resolved' || c.status === 'closed') return null;
  if (!c.firstRespondedAt && c.due.firstResponse) return c.due.firstResponse;
  return c.due.resolution;
}

describe('inbox queues, composer suggestions and case navigation in Chromium [sqlite]', () => {
  const available = chromiumAvailable();
  let url: string;
  let adminToken: string;
  let agentToken: string;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!available) return;
    ensureConsoleBuilt();
    prepareArtifacts(/^inbox-.*\.png$/);
    ({ url, adminToken, dir } = await startConsoleServer({
      dirPrefix: 'amends-inbox-',
      users: [AGENT],
      prepare: async (db, userIds) => {
        const allDay = [{ start: '00:00', end: '24:00' }];
        await db
          .updateTable('stores')
          .set({
            settings: JSON.stringify({
              businessHours: { weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } },
            }),
          })
          .where('id', '=', STORE)
          .execute();
        // The API as Ada sees it: her "mine" and her name on the saved replies.
        agentToken = (await createToken(db, systemClock, { storeId: STORE, role: 'agent', userId: userIds[AGENT.email]!, name: 'e2e ada' }))
          .token;
      },
    }));
    const res = await apiCall(url, adminToken, 'POST', '/api/v1/events', { events: storeEvents(Date.now()) });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    browser = await launchChromium();
  }, 60_000);

  afterAll(() => shutDown(browser, dir));

  async function api<T>(p: string): Promise<T> {
    const res = await fetch(`${url}${p}`, { headers: { authorization: `Bearer ${agentToken}` } });
    expect(res.status, p).toBe(200);
    return (await res.json()) as T;
  }
  const queue = async (view: string | null) => {
    const out: Summary[] = [];
    let cursor: string | null = null;
    do {
      const page: { cases: Summary[]; nextCursor: string | null } = await api(
        `/api/v1/cases?status=${OPEN}&sort=priority&limit=200${view ? `&view=${view}` : ''}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      out.push(...page.cases);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  };

  const shot = (page: Page, name: string) => screenshot(page, `inbox-${name}`);
  /** Toasts fade in and out: axe measures a half-transparent one as low contrast. Dismissed (by their button) first. */
  async function dismissNotifications(page: Page) {
    const close = page.getByRole('button', { name: 'Dismiss notification' });
    for (let i = 0; i < 5 && (await close.count()) > 0; i++) {
      // One may be closing by itself meanwhile (auto-close): then there is nothing to click.
      await close
        .first()
        .click({ timeout: 1_000 })
        .catch(() => undefined);
    }
    await waitFor('notifications gone', async () => (await page.locator('.mantine-Notification-root').count()) === 0);
  }
  /** The live tone check has read the draft as it is now (not an earlier one). */
  const toneChecked = (page: Page) =>
    waitFor(
      'the tone check of the draft',
      async () =>
        (await page.getByText(/^Tone check/).count()) > 0 &&
        (await page.getByRole('status', { name: 'Checking again' }).count()) === 0 &&
        (await page.getByText('Checking tone…').count()) === 0,
    );
  const list = (page: Page) => page.getByRole('list', { name: /cases, most urgent first/ });
  /** The case ids of the rows on screen, top to bottom (the list is virtualised: only those are in the page). */
  const rowIds = (page: Page) =>
    list(page)
      .locator('a[data-case-id]')
      .evaluateAll((els) =>
        els
          .map((e) => ({ id: e.getAttribute('data-case-id')!, top: e.getBoundingClientRect().top }))
          .sort((a, b) => a.top - b.top)
          .map((e) => e.id),
      );
  const queueLink = (page: Page, name: RegExp) => page.getByRole('navigation', { name: 'Queues' }).getByRole('link', { name });

  it.runIf(available)(
    'the Breaching SLA and VIP queues show the server’s cases in priority order; the composer inserts suggestions; j/k walk the queue',
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const errors = watchConsole(page);

      // What the server says, checked against the queues' meaning.
      const all = await queue(null);
      const breaching = await queue('breaching');
      const vip = await queue('vip');
      expect(all).toHaveLength(FILLERS + 4);
      const horizon = Date.now() + 2 * HOUR;
      expect(breaching.length).toBeGreaterThanOrEqual(2);
      expect(breaching.length).toBeLessThan(all.length);
      for (const c of all) {
        const due = nextDue(c);
        const inWindow = due !== null && Date.parse(due) < horizon;
        // A case right at the edge could cross it between the two reads; none of ours is near it.
        expect(
          breaching.some((b) => b.id === c.id),
          `case #${c.number} breaching`,
        ).toBe(inWindow);
        expect(
          vip.some((v) => v.id === c.id),
          `case #${c.number} vip`,
        ).toBe(c.customerTier === 'vip' || c.queue === 'vip');
      }
      expect(vip.map((c) => c.customerId).sort()).toEqual(['ana', 'bo']);
      const counts = (await api<{ counts: Record<string, number> }>('/api/v1/cases/queues')).counts;
      expect(counts).toMatchObject({ all: all.length, breaching: breaching.length, vip: vip.length });

      // Sign in.
      await signIn(page, AGENT, { from: `${url}/inbox` });
      await page.getByText(`${all.length} cases · most urgent first`).waitFor();
      expect(await queueLink(page, /^Breaching SLA/).textContent()).toContain(String(breaching.length));
      expect(await queueLink(page, /^VIP/).textContent()).toContain(String(vip.length));

      // All: the first page, then scrolling to the end loads the next one, in the server's order.
      await waitFor('the first rows', async () => (await rowIds(page))[0] === all[0]!.id);
      const scroller = list(page).locator('xpath=..');
      await waitFor(
        'the last case after scrolling',
        async () => {
          await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
          const ids = await rowIds(page);
          return ids.at(-1) === all.at(-1)!.id;
        },
        15_000,
      );
      const tail = await rowIds(page);
      const at = all.findIndex((c) => c.id === tail[0]);
      expect(at).toBeGreaterThan(40);
      expect(tail).toEqual(all.slice(at, at + tail.length).map((c) => c.id));
      await scroller.evaluate((el) => el.scrollTo(0, 0));

      // Breaching SLA: exactly the server's cases, most urgent first; the filter is in the URL.
      await queueLink(page, /^Breaching SLA/).click();
      await page.waitForURL(/queue=breaching/);
      await waitFor('the breaching rows', async () => (await rowIds(page)).join() === breaching.map((c) => c.id).join());
      await page.getByText(`${breaching.length} cases in Breaching SLA`).waitFor();
      await shot(page, 'breaching');
      await expectAccessible(page, 'inbox, breaching queue');

      // VIP: the same, and the URL reloads to the same queue.
      await queueLink(page, /^VIP/).click();
      await page.waitForURL(/queue=vip/);
      await waitFor('the vip rows', async () => (await rowIds(page)).join() === vip.map((c) => c.id).join());
      await page.reload();
      await waitFor('the vip rows after reload', async () => (await rowIds(page)).join() === vip.map((c) => c.id).join());
      await shot(page, 'vip');

      // Open the first VIP case with the keyboard; the case page knows where it is in the queue.
      const rows = list(page).locator('a[data-case-id]');
      await rows.first().waitFor();
      await page.keyboard.press('j');
      await waitFor('second row active', async () => (await rows.nth(1).getAttribute('aria-current')) === 'true');
      await page.keyboard.press('k');
      await waitFor('first row active', async () => (await rows.first().getAttribute('aria-current')) === 'true');
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/cases/${vip[0]!.id}$`));
      const position = page.getByTestId('case-position');
      await position.getByText(`1 of ${vip.length} · VIP`).waitFor();
      await page.keyboard.press('j');
      await page.waitForURL(new RegExp(`/cases/${vip[1]!.id}$`));
      await position.getByText(`2 of ${vip.length} · VIP`).waitFor();
      expect(await page.getByRole('button', { name: 'Next case (j)' }).isDisabled()).toBe(vip.length === 2);
      await shot(page, 'case-next');
      await page.keyboard.press('k');
      await page.waitForURL(new RegExp(`/cases/${vip[0]!.id}$`));
      await position.getByText(`1 of ${vip.length} · VIP`).waitFor();
      await page.getByRole('heading', { name: 'Ana Silva' }).waitFor();

      // The composer: the suggested acknowledgement goes in as the server rendered it.
      const suggestions = (
        await api<{ suggestions: { id: string; kind: string; label: string; text: string }[] }>(
          `/api/v1/cases/${vip[0]!.id}/reply-suggestions`,
        )
      ).suggestions;
      const ack = suggestions.find((s) => s.kind === 'acknowledgement')!;
      expect(ack).toBeDefined();
      await page.keyboard.press('r');
      await waitFor('composer focused', async () => (await page.evaluate(() => document.activeElement?.id)) === 'composer');
      await page.getByRole('button', { name: /^Suggested/ }).click();
      await page.getByRole('menuitem', { name: new RegExp(`^${ack.label}`) }).click();
      await waitFor('the acknowledgement in the draft', async () => (await page.locator('#composer').inputValue()) === ack.text);
      await toneChecked(page);

      // A saved reply, found by a word of its text, replaces nothing: it goes in at the caret.
      await page.locator('#composer').fill('');
      const picker = page.getByRole('combobox', { name: 'Templates: search the saved replies and insert one' });
      await picker.click();
      await picker.fill('photo');
      await page.getByRole('option', { name: /Ask for a photo/ }).click();
      const saved = suggestions.find((s) => s.id === 'saved:en/ask-photo')!;
      await waitFor('the saved reply in the draft', async () => (await page.locator('#composer').inputValue()) === saved.text);
      const draft = await page.locator('#composer').inputValue();
      expect(draft.startsWith('Hi Ana,')).toBe(true);
      expect(draft.endsWith('Ada Agent')).toBe(true);
      await toneChecked(page);
      await shot(page, 'composer');
      await expectAccessible(page, 'case page with the composer filled');
      await page.locator('#composer').focus();
      await page.keyboard.press('Control+Enter');
      await page.getByText('Reply queued for Ana Silva.').waitFor();
      await dismissNotifications(page);

      // Phone width: the VIP queue and a case still fit, and stay accessible.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('link', { name: '← Inbox' }).click();
      await page.waitForURL(/\/inbox\?queue=vip$/);
      await waitFor('vip rows at phone width', async () => (await rowIds(page)).length === vip.length);
      await waitFor('no horizontal scrolling', () => fitsWidth(page));
      await shot(page, 'phone');
      await expectAccessible(page, 'inbox at phone width');
      await list(page).locator('a[data-case-id]').first().click();
      await page.getByTestId('case-position').waitFor();
      await waitFor('no horizontal scrolling', () => fitsWidth(page));
      await shot(page, 'phone-case');
      await expectAccessible(page, 'case page at phone width');

      expect(errors).toEqual([]);
      await context.close();
    },
    90_000,
  );
});
