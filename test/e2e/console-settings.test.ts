/**
 * The console's Settings page in real Chromium against the real server: an admin edits business hours (a
 * refused value shown on its field, then fixed) and an SLA target, and finds them after a reload; adds a person
 * (one-time password shown once) and an API token (shown once, then revoked); an agent sees the same settings
 * read-only. axe-core at 1280×800 and 390×844; screenshots in test/e2e/artifacts/settings-*.png.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from './browser.ts';
import {
  ADMIN,
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

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of the API; each step reads the fields it checks.
type Json = Record<string, any>;

describe('console settings in Chromium against the real server [sqlite]', () => {
  const available = chromiumAvailable();
  let url: string;
  let adminToken: string;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!available) return;
    ensureConsoleBuilt();
    prepareArtifacts();
    ({ url, adminToken, dir } = await startConsoleServer({ dirPrefix: 'amends-settings-', users: [ADMIN, AGENT] }));
    browser = await launchChromium();
  });

  afterAll(() => shutDown(browser, dir));

  const api = (method: string, p: string, token = adminToken, body?: unknown) => apiCall<Json>(url, token, method, p, body);

  /** Console errors and uncaught exceptions, but for the one save the admin's steps make the server refuse (400). */
  const watch = (page: Page) => watchConsole(page, [{ status: 400, path: /\/api\/v1\/store\/settings$/ }]);

  /** What the person sees (the viewport, scrolled to `at` when given). */
  const shot = (page: Page, name: string, at?: Locator) => screenshot(page, `settings-${name}`, { at });

  const section = (page: Page, title: string) => page.getByRole('region', { name: title });

  it.runIf(available)(
    'an admin edits hours and an SLA target, adds a person and a token (each shown once); an agent reads only',
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const errors = watch(page);
      await signIn(page, ADMIN, { from: `${url}/sign-in` });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Store profile' }).waitFor();
      await expectAccessible(page, 'settings: store');
      await page.getByRole('tab', { name: 'Hours & SLAs' }).click();
      await page.waitForURL(/tab=hours/);

      // 1. Business hours: a refused interval is shown on its field, with the server's words.
      const hours = section(page, 'Business hours');
      await hours.getByLabel('Tuesday opens at').fill('12:00');
      await hours.getByLabel('Tuesday closes at').fill('08:00');
      await hours.getByRole('button', { name: 'Save' }).click();
      await hours.getByText('must be after start (12:00)').waitFor();
      expect(await hours.getByLabel('Tuesday closes at').getAttribute('aria-invalid')).toBe('true');
      await shot(page, 'hours-error', hours.getByLabel('Tuesday closes at'));

      // Fixed, with Monday longer, Saturday morning open and a holiday: saved.
      await hours.getByLabel('Tuesday opens at').fill('09:00');
      await hours.getByLabel('Tuesday closes at').fill('17:00');
      await hours.getByLabel('Monday closes at').fill('18:30');
      await hours.getByRole('switch', { name: 'Saturday open' }).check();
      await hours.getByLabel('Saturday closes at').fill('13:00');
      await hours.getByLabel('Add a holiday').fill('2026-12-25');
      await hours.getByRole('button', { name: 'Add holiday' }).click();
      await hours.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Business hours saved').waitFor();

      // 2. An SLA target: urgent first reply in 30 minutes.
      const sla = section(page, 'SLA targets');
      await sla.getByLabel('Urgent: first reply', { exact: true }).fill('30');
      await sla.getByLabel('Urgent: first reply unit').selectOption('min');
      await sla.getByRole('button', { name: 'Save' }).click();
      await page.getByText('SLA targets saved').waitFor();

      const saved = (await api('GET', '/api/v1/store/settings')).json;
      expect(saved.settings.businessHours).toEqual({
        weekly: {
          mon: [{ start: '09:00', end: '18:30' }],
          tue: [{ start: '09:00', end: '17:00' }],
          wed: [{ start: '09:00', end: '17:00' }],
          thu: [{ start: '09:00', end: '17:00' }],
          fri: [{ start: '09:00', end: '17:00' }],
          sat: [{ start: '09:00', end: '13:00' }],
          sun: [],
        },
        holidays: ['2026-12-25'],
      });
      expect(saved.settings.sla).toEqual({ firstResponse: { urgent: 30 } });
      expect(saved.effective.sla.firstResponse).toMatchObject({ urgent: 30, high: 240 });

      // 3. After a reload the page shows what was saved.
      await page.reload();
      await section(page, 'Business hours').getByLabel('Monday closes at').waitFor();
      expect(await section(page, 'Business hours').getByLabel('Monday closes at').inputValue()).toBe('18:30');
      expect(await section(page, 'Business hours').getByLabel('Saturday closes at').inputValue()).toBe('13:00');
      await section(page, 'Business hours').getByRole('listitem').filter({ hasText: '2026' }).waitFor();
      expect(await section(page, 'SLA targets').getByLabel('Urgent: first reply', { exact: true }).inputValue()).toBe('30');
      expect(await section(page, 'SLA targets').getByLabel('Urgent: first reply unit').inputValue()).toBe('min');
      await shot(page, 'hours', section(page, 'SLA targets').getByLabel('Urgent: first reply', { exact: true }));
      await expectAccessible(page, 'settings: hours');

      // 4. People: a new agent with a one-time password, shown once.
      await page.getByRole('tab', { name: 'People' }).click();
      await page.getByRole('button', { name: 'Add person' }).click();
      const add = page.getByRole('dialog', { name: 'Add a person' });
      await add.getByLabel('E-mail').fill('nia@acme.test');
      await add.getByLabel('Name', { exact: true }).fill('Nia New');
      await add.getByRole('button', { name: 'Add person' }).click();
      const created = page.getByRole('dialog', { name: 'Nia New can sign in' });
      await created.getByText('Shown only now').waitFor();
      const oneTime = await created.getByTestId('one-time-secret').inputValue();
      expect(oneTime).toMatch(/^[A-Za-z0-9_-]{22}$/);
      await shot(page, 'user-created');
      await created.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('table', { name: 'People' }).getByRole('row', { name: 'Nia New' }).waitFor();
      expect(await page.content()).not.toContain(oneTime);
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ store: 'acme', email: 'nia@acme.test', password: oneTime }),
      });
      expect(login.status).toBe(200);
      await expectAccessible(page, 'settings: people');

      // 5. API tokens: created and shown once, it works; revoked, it is refused at once.
      await page.getByRole('tab', { name: 'API tokens' }).click();
      await page.getByRole('button', { name: 'Create token' }).click();
      const create = page.getByRole('dialog', { name: 'Create an API token' });
      await create.getByRole('textbox', { name: /^Name/ }).fill('Warehouse sync');
      await create.getByRole('button', { name: 'Create token' }).click();
      const shown = page.getByRole('dialog', { name: 'Token “Warehouse sync” created' });
      await shown.getByText(/cannot show it again/).waitFor();
      const token = await shown.getByTestId('one-time-secret').inputValue();
      expect(token).toMatch(/^amd_/);
      await shot(page, 'token-created');
      expect((await api('GET', '/api/v1/cases', token)).status).toBe(200);
      await shown.getByRole('button', { name: 'I have copied it' }).click();
      const row = page.getByRole('table', { name: 'API tokens' }).getByRole('row', { name: 'Warehouse sync' });
      await row.waitFor();
      expect(await page.content()).not.toContain(token);
      await expectAccessible(page, 'settings: tokens');
      await row.getByRole('button', { name: 'Revoke Warehouse sync' }).click();
      await page.getByRole('dialog', { name: 'Revoke “Warehouse sync”?' }).getByRole('button', { name: 'Revoke token' }).click();
      await page.getByText('Token revoked').waitFor();
      expect((await api('GET', '/api/v1/cases', token)).status).toBe(401);
      // A notification fading in is drawn at part opacity, which axe would count as low contrast.
      await page.getByRole('alert').filter({ hasText: 'Token revoked' }).getByRole('button', { name: 'Dismiss notification' }).click();
      await page.getByText('Token revoked').waitFor({ state: 'detached' });

      // 6. Phone width: the page fits, and is still accessible.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('tab', { name: 'Hours & SLAs' }).click();
      await section(page, 'SLA targets').waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await expectAccessible(page, 'settings: hours (phone)');
      await shot(page, 'phone-hours');
      await page.getByRole('tab', { name: 'People' }).click();
      await page.getByRole('table', { name: 'People' }).waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await expectAccessible(page, 'settings: people (phone)');
      await shot(page, 'phone-people');

      expect(errors).toEqual([]);
      await context.close();

      // 7. An agent: the same settings, read-only; no admin tabs.
      const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const agentPage = await agentContext.newPage();
      const agentErrors = watchConsole(agentPage);
      await signIn(agentPage, AGENT, { from: `${url}/sign-in` });
      await agentPage.goto(`${url}/settings?tab=hours`);
      const agentHours = section(agentPage, 'Business hours');
      await agentHours.getByText('Only managers and admins can change business hours.').waitFor();
      expect(await agentHours.getByLabel('Monday closes at').inputValue()).toBe('18:30');
      expect(await agentHours.getByLabel('Monday closes at').isDisabled()).toBe(true);
      expect(await section(agentPage, 'SLA targets').getByLabel('Urgent: first reply', { exact: true }).isDisabled()).toBe(true);
      expect(await agentPage.getByRole('button', { name: 'Save' }).count()).toBe(0);
      await shot(agentPage, 'agent-hours');
      expect(await agentPage.getByRole('tab', { name: 'API tokens' }).count()).toBe(0);
      expect(await agentPage.getByRole('tab', { name: 'Connections' }).count()).toBe(0);
      await agentPage.getByRole('tab', { name: 'People' }).click();
      await agentPage.getByRole('table', { name: 'People' }).getByRole('row', { name: 'Nia New' }).waitFor();
      expect(await agentPage.getByRole('button', { name: 'Add person' }).count()).toBe(0);
      expect(await agentPage.getByRole('button', { name: /^Actions for/ }).count()).toBe(0);
      await shot(agentPage, 'agent-people');
      await expectAccessible(agentPage, 'settings: agent');
      expect(agentErrors).toEqual([]);
      await agentContext.close();
    },
    90_000,
  );
});
