/**
 * Customer words are data, never markup: complaints whose subject, body and sender name carry the usual XSS
 * payloads reach the console through the one ingest path, and in real Chromium the inbox and the case page show
 * them as text — no dialog, no script run, no event-handler attribute or `javascript:` link in the DOM.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from './browser.ts';
import {
  AGENT,
  apiCall,
  ensureConsoleBuilt,
  prepareArtifacts,
  screenshot,
  shutDown,
  signIn,
  startConsoleServer,
  waitFor,
} from './console-support.ts';

/** Each sets `window.__xss` (or opens a dialog) if it ever runs. */
const PAYLOADS = [
  '<script>window.__xss = "script"</script>',
  '<img src=x onerror="window.__xss = \'img\'">',
  '<svg onload="window.__xss = \'svg\'"></svg>',
  '"><iframe src="javascript:window.__xss=\'iframe\'"></iframe>',
  '[click me](javascript:window.__xss="md")',
  '<a href="javascript:alert(1)">click</a>',
  '<details open ontoggle="window.__xss = \'details\'">x</details>',
];

/** What a page must not contain once it has rendered customer text. */
async function inert(page: Page): Promise<{ flag: unknown; handlers: string[]; jsLinks: string[]; frames: number }> {
  return page.evaluate(() => {
    const handlers: string[] = [];
    const jsLinks: string[] = [];
    for (const el of Array.from(document.querySelectorAll('*'))) {
      for (const a of Array.from(el.attributes)) {
        if (/^on/i.test(a.name)) handlers.push(`${el.tagName}[${a.name}]`);
        if (/^(href|src|action|formaction|xlink:href)$/i.test(a.name) && /^\s*javascript:/i.test(a.value))
          jsLinks.push(`${el.tagName}[${a.name}]`);
      }
    }
    return {
      flag: (window as unknown as { __xss?: unknown }).__xss,
      handlers,
      jsLinks,
      frames: document.querySelectorAll('iframe').length,
    };
  });
}

describe('XSS payloads in case messages render inert in the console, in Chromium [sqlite]', () => {
  const available = chromiumAvailable();
  let url: string;
  let adminToken: string;
  let browser: Browser;
  let dir: string;
  let caseId: string;

  beforeAll(async () => {
    if (!available) return;
    ensureConsoleBuilt();
    prepareArtifacts(/^xss-/);
    ({ url, adminToken, dir } = await startConsoleServer({ dirPrefix: 'amends-xss-', users: [AGENT] }));
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const events = [
      {
        id: 'cus-mallory',
        type: 'customer.upserted',
        occurredAt: at(60),
        data: { customerId: 'mallory', email: 'mallory@example.com', name: '<img src=x onerror="window.__xss=\'name\'">Mallory' },
      },
      {
        id: 'cmp-xss-1',
        type: 'complaint.received',
        occurredAt: at(30),
        data: {
          complaintId: 'cmp-xss-1',
          customerId: 'mallory',
          channel: 'email',
          subject: '<script>window.__xss="subject"</script>Broken mug',
          body: `My mug arrived broken.\n\n${PAYLOADS.join('\n\n')}`,
        },
      },
    ];
    const res = await apiCall(url, adminToken, 'POST', '/api/v1/events', { events });
    expect(res.status).toBe(201);
    await waitFor('the case', async () => {
      const list = await apiCall<{ cases: { id: string }[] }>(url, adminToken, 'GET', '/api/v1/cases');
      caseId = list.json.cases[0]?.id ?? '';
      return caseId !== '';
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(() => shutDown(browser, dir));

  it.runIf(available)('the inbox and the case page show the payloads as text and run none of them', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await signIn(page, AGENT, { from: `${url}/inbox` });
    const row = page.locator(`a[data-case-id="${caseId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Mallory');
    expect(await inert(page)).toEqual({ flag: undefined, handlers: [], jsLinks: [], frames: 0 });

    await row.click();
    await page.waitForURL(new RegExp(`/cases/${caseId}$`));
    // The words are there, as words.
    await page.getByText('window.__xss = "script"', { exact: false }).first().waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('<img src=x onerror=');
    expect(text).toContain('javascript:window.__xss');
    expect(text).toContain('<script>window.__xss="subject"</script>Broken mug');
    // Give anything that might run a moment to do so.
    await page.waitForTimeout(300);
    expect(await inert(page)).toEqual({ flag: undefined, handlers: [], jsLinks: [], frames: 0 });
    expect(dialogs).toEqual([]);
    await screenshot(page, 'xss-case');

    // The detector itself sees a handler and a javascript: link when there is one.
    await page.evaluate(() => {
      const a = document.createElement('a');
      a.setAttribute('href', 'javascript:void 0');
      a.setAttribute('onclick', 'void 0');
      document.body.append(a);
    });
    expect(await inert(page)).toMatchObject({ handlers: ['A[onclick]'], jsLinks: ['A[href]'] });
  });
});
