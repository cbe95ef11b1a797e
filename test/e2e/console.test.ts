/**
 * The agent console in real Chromium against the real server (`amends serve` as a child process, serving
 * the built web/dist): the issue's "done when" walked through the sign-in form, the inbox, the case page and
 * the approvals page, with a screenshot of each step in test/e2e/artifacts/ and axe-core on the main pages.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from './browser.ts';
import {
  ADMIN,
  AGENT,
  apiCall,
  ensureConsoleBuilt,
  expectAccessible,
  fillSignIn,
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

const usd = (amount: number) => ({ amount, currency: 'USD' });

/** Three customers, three complaints of different weight: a smashed wedding present, a late parcel, a login bug. */
function storeEvents(now: number) {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const day = 24 * 60;
  return [
    {
      id: 'cus-ivy',
      type: 'customer.upserted',
      occurredAt: at(400 * day),
      data: { customerId: 'cus-ivy', email: 'ivy@example.com', name: 'Ivy Moreau' },
    },
    {
      id: 'ord-900',
      type: 'order.placed',
      occurredAt: at(4 * day),
      data: {
        orderId: 'ord-900',
        customerId: 'cus-ivy',
        total: usd(18900),
        items: [{ sku: 'TEA-SET', name: 'Porcelain tea set', quantity: 1, price: usd(18900) }],
      },
    },
    {
      id: 'cmp-900',
      type: 'complaint.received',
      occurredAt: at(30),
      data: {
        complaintId: 'cmp-900',
        customerId: 'cus-ivy',
        orderId: 'ord-900',
        channel: 'email',
        subject: 'Tea set arrived smashed',
        body: 'The porcelain tea set I ordered arrived completely smashed, three cups broken. It was a wedding present for my sister this Saturday. I am really upset.',
      },
    },
    {
      id: 'cus-ben',
      type: 'customer.upserted',
      occurredAt: at(30 * day),
      data: { customerId: 'cus-ben', email: 'ben@example.com', name: 'Ben Ortiz' },
    },
    { id: 'ord-901', type: 'order.placed', occurredAt: at(6 * day), data: { orderId: 'ord-901', customerId: 'cus-ben', total: usd(2400) } },
    {
      id: 'cmp-901',
      type: 'complaint.received',
      occurredAt: at(20),
      data: {
        complaintId: 'cmp-901',
        customerId: 'cus-ben',
        orderId: 'ord-901',
        channel: 'chat',
        subject: 'Where is my parcel?',
        body: 'Hi, my order has not arrived yet. Any idea when it will come?',
      },
    },
    {
      id: 'cus-cy',
      type: 'customer.upserted',
      occurredAt: at(10 * day),
      data: { customerId: 'cus-cy', email: 'cy@example.com', name: 'Cy Laurent' },
    },
    {
      id: 'cmp-902',
      type: 'complaint.received',
      occurredAt: at(10),
      data: {
        complaintId: 'cmp-902',
        customerId: 'cus-cy',
        channel: 'portal',
        subject: 'Password reset',
        body: 'The password reset link on your site does not work.',
      },
    },
  ];
}

interface CaseSummary {
  id: string;
  number: number;
  status: string;
  subject: string | null;
  priority: { level: string; score: number } | null;
}

describe('agent console in Chromium against the real server [sqlite]', () => {
  const available = chromiumAvailable();
  let url: string;
  let adminToken: string;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!available) return;
    ensureConsoleBuilt();
    // Only this file's numbered screenshots: other e2e files write theirs to the same folder.
    prepareArtifacts(/^\d{2}-.*\.png$/);
    ({ url, adminToken, dir } = await startConsoleServer({ dirPrefix: 'amends-console-', users: [AGENT, MANAGER, ADMIN] }));
    const res = await api('POST', '/api/v1/events', { events: storeEvents(Date.now()) });
    expect(res.status).toBe(201);
    browser = await launchChromium();
  });

  afterAll(() => shutDown(browser, dir));

  const api = (method: string, p: string, body?: unknown) => apiCall(url, adminToken, method, p, body);

  /** Console errors and uncaught exceptions, but for the 401 of the deliberately wrong password (the first test). */
  const watch = (page: Page) => watchConsole(page, [{ status: 401, path: /\/api\/v1\/auth\/login$/ }]);

  /** What the person sees at this step (the viewport, scrolled to `at` when given), numbered in order. */
  let step = 0;
  const shot = (page: Page, name: string, at?: Locator) => {
    step++;
    return screenshot(page, `${String(step).padStart(2, '0')}-${name}`, { at });
  };

  async function signOut(page: Page) {
    await page.getByRole('button', { name: /^Account:/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
  }

  const caseRows = (page: Page) => page.getByRole('list', { name: /cases, most urgent first/ }).getByRole('link');

  it.runIf(available)(
    'an agent signs in, works the most urgent case with a tone-checked reply and two offers; a manager approves; the case resolves and leaves the inbox',
    async () => {
      const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const errors = watch(page);

      // The most urgent open case, as the API ranks it.
      const open = (await api('GET', '/api/v1/cases?status=new,acknowledged,in_progress,waiting_on_customer,reopened')).json
        .cases as CaseSummary[];
      expect(open).toHaveLength(3);
      const top = [...open].sort((a, b) => (b.priority?.score ?? 0) - (a.priority?.score ?? 0))[0]!;
      expect(top.subject).toBe('Tea set arrived smashed');
      expect(top.priority!.score).toBeGreaterThan(Math.max(...open.filter((c) => c.id !== top.id).map((c) => c.priority?.score ?? 0)));

      // 1. Sign in: a wrong password is refused in place, the right one lands on the inbox.
      await page.goto(`${url}/inbox`);
      await page.waitForURL(/\/sign-in/);
      await fillSignIn(page, { email: AGENT.email, password: 'not-the-password' });
      await page.getByRole('alert').filter({ hasText: 'do not match an account' }).waitFor();
      await shot(page, 'sign-in-refused');
      await page.getByLabel(/^Password/).fill(AGENT.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/inbox/);

      // 2. The inbox: three open cases, most urgent first, with the customer's name fetched for the row.
      await waitFor('three inbox rows', async () => (await caseRows(page).count()) === 3);
      const first = caseRows(page).first();
      await first.getByText('Ivy Moreau').waitFor();
      expect(await first.getAttribute('href')).toBe(`/cases/${top.id}`);
      expect(await page.getByRole('navigation', { name: 'Queues' }).getByRole('link', { name: /^All/ }).textContent()).toContain('3');
      // An agent's navigation has no Approvals.
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).count()).toBe(0);
      await shot(page, 'inbox');
      await expectAccessible(page, 'inbox');

      // 3. Keyboard: `?` lists the shortcuts; j, k, enter opens the highest-priority case.
      await page.keyboard.press('Shift+?');
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await help.getByText('Assign the case to me').waitFor();
      await page.keyboard.press('Escape');
      await help.waitFor({ state: 'hidden' });
      await page.keyboard.press('j');
      await waitFor('second row active', async () => (await caseRows(page).nth(1).getAttribute('aria-current')) === 'true');
      await page.keyboard.press('k');
      await waitFor('first row active', async () => (await first.getAttribute('aria-current')) === 'true');
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/cases/${top.id}$`));
      await page.getByRole('heading', { name: /Tea set arrived smashed/ }).waitFor();
      await page.getByRole('heading', { name: 'Ivy Moreau' }).waitFor();
      await page.getByRole('heading', { name: 'Suggested offers' }).waitFor();
      await page.getByText(/Your allowance: \$2,000\.00 left of \$2,000\.00/).waitFor();
      await shot(page, 'case');
      await expectAccessible(page, 'case page');

      // 4. Reply: `r` focuses the composer; an excuse is flagged, its rewrite applied in one click, then sent.
      await page.keyboard.press('r');
      await waitFor('composer focused', async () => (await page.evaluate(() => document.activeElement?.id)) === 'composer');
      const draft =
        "I'm sorry your tea set arrived broken. It is out of our control, but I've asked our warehouse to pack a new set today and I'll write to you by Friday with the tracking number.";
      await page.keyboard.insertText(draft);
      const fix = page.getByRole('button', { name: "Replace “out of our control” with “something I'm now handling for you”" });
      await fix.waitFor();
      await page.getByText('Sounds like an excuse').waitFor();
      await shot(page, 'tone-check-warning', page.getByText('Sounds like an excuse'));
      await fix.click();
      await page.getByText('Tone check: looks good').waitFor();
      const fixed = await page.locator('#composer').inputValue();
      expect(fixed).toBe(draft.replace('out of our control', "something I'm now handling for you"));
      expect(await page.getByText('Sounds like an excuse').count()).toBe(0);
      await shot(page, 'tone-check-fixed', page.getByText('Tone check: looks good'));
      await page.locator('#composer').focus();
      await page.keyboard.press('Control+Enter');
      await page.getByText('Reply queued for Ivy Moreau.').waitFor();
      expect(await page.locator('#composer').inputValue()).toBe('');
      await waitFor('the reply on the case', async () => {
        const c = (await api('GET', `/api/v1/cases/${top.id}`)).json as { messages: { kind: string; body: string }[] };
        return c.messages.some((m) => m.kind === 'reply' && m.body === fixed);
      });
      await page.getByRole('listitem').filter({ hasText: fixed }).waitFor();

      // 5. An offer within the agent's authority is issued at once.
      const issue = page.getByRole('button', { name: /^Issue: / }).first();
      const issuedLabel = (await issue.getAttribute('aria-label'))!.replace(/^Issue: /, '');
      await issue.click();
      await page.getByText('Offer granted').waitFor();
      await waitFor('the compensation granted', async () => {
        const list = (await api('GET', `/api/v1/compensations?caseId=${top.id}`)).json.compensations as { label: string; status: string }[];
        return list.some((c) => c.label === issuedLabel && ['approved', 'issuing', 'issued'].includes(c.status));
      });
      await page.getByRole('list', { name: 'Compensations on this case' }).getByText(issuedLabel).waitFor();
      await shot(page, 'offer-issued', page.getByRole('heading', { name: 'Suggested offers' }));

      // 6. One above it goes to a manager, with a justification.
      const ask = page.getByRole('button', { name: /^Request approval: A free replacement/ });
      await ask.click();
      const why = page.getByRole('textbox', { name: /^Why this case needs it/ });
      await why.fill('A wedding present for Saturday: only a new set sent today makes this right.');
      await page.getByRole('button', { name: 'Send for approval' }).click();
      await page.getByText('Approval requested').waitFor();
      let pendingId = '';
      await waitFor('the request pending approval', async () => {
        const list = (await api('GET', '/api/v1/compensations?status=pending_approval')).json.compensations as {
          id: string;
          caseId: string;
        }[];
        pendingId = list.find((c) => c.caseId === top.id)?.id ?? '';
        return pendingId !== '';
      });
      await page.getByText('Waiting for approval').waitFor();
      await shot(page, 'approval-requested', page.getByText('Waiting for approval'));

      // 7. The manager approves it on Approvals.
      await signOut(page);
      await shot(page, 'signed-out');
      await signIn(page, MANAGER);
      const approvalsLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Approvals/ });
      await approvalsLink.click();
      await page.waitForURL(/\/approvals$/);
      const card = page.getByRole('listitem', { name: /A free replacement, sent now/ });
      await card.getByRole('link', { name: `Case #${top.number}` }).waitFor();
      await card.getByText('A wedding present for Saturday').waitFor();
      await shot(page, 'approvals');
      await expectAccessible(page, 'approvals');
      await card.getByRole('button', { name: 'Approve' }).click();
      await page.getByText('No requests waiting').waitFor();
      await waitFor('the approval recorded', async () => {
        const c = (await api('GET', `/api/v1/compensations/${pendingId}`)).json as { status: string; decidedBy: string | null };
        return ['approved', 'issuing', 'issued'].includes(c.status) && c.decidedBy !== null;
      });
      await shot(page, 'approved');

      // 8. Back on the case: resolve it with an outcome (`e`).
      await page.goto(`${url}/cases/${top.id}`);
      await page.getByRole('heading', { name: /Tea set arrived smashed/ }).waitFor();
      await page.keyboard.press('e');
      const dialog = page.getByRole('dialog', { name: `Resolve case #${top.number}` });
      await dialog.waitFor();
      await dialog.getByLabel('Made right: remedy issued').check();
      await shot(page, 'resolve');
      await dialog.getByRole('button', { name: 'Resolve case' }).click();
      await page.getByText(`Case #${top.number} is resolved.`).waitFor();
      const resolved = (await api('GET', `/api/v1/cases/${top.id}`)).json as {
        status: string;
        timeline: { type: string; data: { reason?: string } }[];
      };
      expect(resolved.status).toBe('resolved');
      expect(resolved.timeline.some((e) => e.type === 'status.changed' && e.data.reason?.startsWith('Outcome: Made right'))).toBe(true);

      // 9. The inbox updates: the case has left the open queue.
      await page.getByRole('link', { name: '← Inbox' }).click();
      await page.waitForURL(/\/inbox$/);
      await waitFor('two open cases', async () => (await caseRows(page).count()) === 2);
      expect(await page.locator(`a[href="/cases/${top.id}"]`).count()).toBe(0);
      expect(await page.getByRole('navigation', { name: 'Queues' }).getByRole('link', { name: /^All/ }).textContent()).toContain('2');
      await shot(page, 'inbox-after');

      // 10. At phone width the inbox and a case still fit the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      await waitFor('rows at phone width', async () => (await caseRows(page).count()) === 2);
      // Right after a resize the layout may not have settled on a busy machine: wait for it, fail if it never fits.
      await waitFor('no horizontal scrolling', () => fitsWidth(page));
      await shot(page, 'phone-inbox');
      await caseRows(page).first().click();
      await page.getByRole('heading', { name: 'Suggested offers' }).waitFor();
      await waitFor('no horizontal scrolling', () => fitsWidth(page));
      await shot(page, 'phone-case');

      expect(errors).toEqual([]);
      await context.close();
    },
    120_000,
  );

  it.runIf(available)(
    'a manager edits the policy with errors shown on their line, simulates it side by side; an admin activates it',
    async () => {
      const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      let page = await context.newPage();
      let errors = watchConsole(page);
      const strict = fs.readFileSync(path.join(root, 'policies/strict.yaml'), 'utf8');

      // 1. The manager opens Policy: the active (default) version and its file in the editor.
      await signIn(page, MANAGER, { from: `${url}/inbox` });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policy' }).click();
      await page.waitForURL(/\/policy$/);
      await page.getByRole('heading', { name: 'Policy', level: 1 }).waitFor();
      await page.getByText('default policy').waitFor();
      let editor = page.getByRole('textbox', { name: 'Policy file (YAML)' });
      await waitFor('the active file in the editor', async () => (await editor.inputValue()).includes('name: Amends default'));
      await page.getByText('No errors').waitFor();
      await page.getByText('No simulation yet').waitFor();

      // 2. A key the schema does not know: the check marks its line and lists the error with line:column.
      const broken = strict.replace(/^currency: USD$/m, 'currency: USD\ncolour: blue');
      const line = broken.split('\n').indexOf('colour: blue') + 1;
      expect(line).toBeGreaterThan(1);
      await editor.fill(broken);
      const errorList = page.getByRole('list', { name: 'Policy errors' });
      const item = errorList.getByRole('button', { name: new RegExp(`^Line ${line}, column 1: `) });
      await item.waitFor();
      expect(await editor.getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator(`[data-error-line="${line}"]`).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Simulate' }).isDisabled()).toBe(true);
      // Clicking the error puts the cursor on its line.
      await item.click();
      await shot(page, 'policy-error', editor);
      const cursor = await editor.evaluate((el: HTMLTextAreaElement) => ({
        focused: document.activeElement === el,
        line: el.value.slice(0, el.selectionStart).split('\n').length,
      }));
      expect(cursor).toEqual({ focused: true, line });

      // 3. Fixed: no errors; Simulate shows the active and the edited policy side by side with the difference.
      await editor.fill(strict);
      await page.getByText('No errors').waitFor();
      expect(await page.locator('[data-error-line]').count()).toBe(0);
      await page.getByRole('button', { name: 'Check' }).click();
      await page.getByRole('button', { name: 'Simulate' }).click();
      const table = page.getByRole('table', { name: /^Simulation/ });
      await table.waitFor();
      await table.getByRole('columnheader', { name: 'Current: Amends default (active)' }).waitFor();
      await table.getByRole('columnheader', { name: 'Edited: Amends strict' }).waitFor();
      await table.getByRole('columnheader', { name: 'Difference' }).waitFor();
      const casesRow = table.getByRole('row', { name: /^Cases simulated/ });
      expect((await casesRow.getByRole('cell').allTextContents()).slice(0, 2)).toEqual(['3', '3']);
      // A manager cannot activate; the button says why.
      expect(await page.getByRole('button', { name: 'Activate…' }).isDisabled()).toBe(true);
      await page.getByText(/Only an admin can activate a policy/).waitFor();
      await shot(page, 'policy-simulation', table);
      await expectAccessible(page, 'policy page');

      expect(errors).toEqual([]);
      await context.close();

      // 4. An admin (own browser context) activates the edited file after confirming; the page shows the new version.
      const adminContext: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      page = await adminContext.newPage();
      errors = watchConsole(page);
      editor = page.getByRole('textbox', { name: 'Policy file (YAML)' });
      await signIn(page, ADMIN, { from: `${url}/inbox` });
      await page.goto(`${url}/policy`);
      await waitFor('the editor', async () => (await editor.count()) === 1 && (await editor.inputValue()).length > 0);
      await editor.fill(strict);
      await page.getByText('No errors').waitFor();
      const activate = page.getByRole('button', { name: 'Activate…' });
      await waitFor('activate enabled', async () => !(await activate.isDisabled()));
      await activate.click();
      const dialog = page.getByRole('dialog', { name: 'Activate this policy' });
      await dialog.getByText(ADMIN.email).waitFor();
      const confirm = dialog.getByRole('button', { name: 'Activate policy' });
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByLabel(/I have checked the simulation/).check();
      await confirm.click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByTestId('active-version').getByText(`by ${ADMIN.email}`).waitFor();
      await page.getByText('Amends strict', { exact: true }).first().waitFor();
      const now = (await api('GET', '/api/v1/policy')).json as { name: string; author: string; isDefault: boolean };
      expect(now).toMatchObject({ name: 'Amends strict', author: ADMIN.email, isDefault: false });
      await shot(page, 'policy-activated');

      expect(errors).toEqual([]);
      await adminContext.close();
    },
    120_000,
  );
});
