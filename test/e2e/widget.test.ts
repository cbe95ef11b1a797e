/**
 * The chat widget in real Chromium against the real server (`amends serve` as a
 * child process: outbox sender and all), embedded in a store page served
 * from another origin whose CSS tries hard to break it. A visitor opens the
 * widget, writes, and sees the agent's reply arrive live.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { createStore, createToken, ensureUser } from '../../src/stores/stores.service.ts';
import { startServe, stopAll } from '../support/amends-process.ts';
import { chromiumAvailable, launchChromium } from './browser.ts';

const SCREENSHOT = '/tmp/widget.png';

/** A store's product page, on its own origin, with CSS that would wreck a widget living in the page's DOM. */
function storePage(amends: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <link rel="icon" href="data:,">
  <title>Acme Goods — Blue enamel teapot</title>
  <style>
    * { font-family: "Comic Sans MS", cursive !important; letter-spacing: 2px; }
    body { margin: 0; background: #fdf6e3; color: #222; font-size: 18px; }
    button { display: block; width: 100%; background: hotpink !important; border: 4px dashed lime; padding: 40px; }
    div, section, p { border: 3px solid red; margin: 30px; }
    input, textarea { font-size: 40px; height: 200px; }
    header { background: #111; color: #fff; padding: 16px 32px; }
    main { padding: 32px; max-width: 720px; }
  </style>
</head>
<body>
  <header><strong>Acme Goods</strong></header>
  <main>
    <h1>Blue enamel teapot</h1>
    <p>Holds 1.2 litres. Hand-finished enamel over steel.</p>
    <p>$45.99</p>
  </main>
  <script src="${amends}/widget.js" data-store="acme" async></script>
</body>
</html>`;
}

describe('chat widget in Chromium against the real server [sqlite]', () => {
  const available = chromiumAvailable();
  let server: { url: string };
  let site: http.Server;
  let siteUrl: string;
  let agentToken: string;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!available) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-widget-'));
    // The store, its agent and the agent's token, written to the database the server will open.
    const dbFile = path.join(dir, 'amends.db');
    const database = openDatabase(dbFile);
    try {
      await migrateToLatest(database);
      const db = database.db;
      await createStore(db, systemClock, { id: 'acme', name: 'Acme Goods' });
      const agent = await ensureUser(db, systemClock, 'acme', { email: 'ada@acme.test', name: 'Ada Agent', role: 'agent' });
      agentToken = (await createToken(db, systemClock, { storeId: 'acme', role: 'agent', userId: agent.id })).token;
    } finally {
      await database.close();
    }
    server = { url: (await startServe(dbFile)).url };
    // The store's own site: another port, so another origin.
    site = http.createServer((req, res) => {
      if (req.url === '/' || req.url?.startsWith('/products')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(storePage(server.url));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://localhost:${(site.address() as AddressInfo).port}/products/teapot`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
    await stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${agentToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  /** The chat cases, newest first, waiting until there are `n`. */
  const chatCases = async (n: number) => {
    for (let i = 0; i < 50; i++) {
      const { json } = await api('GET', '/api/v1/cases');
      const cases = (json.cases as { id: string; channel: string }[]).filter((c) => c.channel === 'chat');
      if (cases.length >= n) return cases;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`expected ${n} chat case(s)`);
  };

  function watchConsole(page: Page): string[] {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    return errors;
  }

  const activeId = (page: Page) => page.evaluate(() => document.querySelector('amends-chat')?.shadowRoot?.activeElement?.id ?? null);

  it.runIf(available)('a visitor opens the widget, writes, and sees the agent’s reply arrive; a reload continues the chat', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = watchConsole(page);
    await page.goto(siteUrl);

    const launcher = page.getByRole('button', { name: 'Chat with us' });
    await launcher.waitFor();
    // The page's CSS (full-width hot-pink buttons, 30px margins) does not reach it: a pill at the bottom right.
    const box = (await launcher.boundingBox())!;
    expect(box.x).toBeGreaterThan(1280 / 2);
    expect(box.y).toBeGreaterThan(800 / 2);
    expect(box.width).toBeLessThan(260);
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');

    await launcher.click();
    const dialog = page.getByRole('dialog', { name: 'Acme Goods' });
    await dialog.waitFor();
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    expect(await activeId(page)).toBe('email');
    await expect.poll(() => dialog.getByRole('log').textContent()).toContain('How can we help');

    // Sending without an e-mail is refused in the widget, with the reason announced.
    await dialog.getByRole('textbox', { name: 'Message' }).fill('Hello?');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('valid e-mail');
    expect(await dialog.getByRole('textbox', { name: 'Your e-mail' }).getAttribute('aria-invalid')).toBe('true');
    expect(await activeId(page)).toBe('email');

    await dialog.getByRole('textbox', { name: 'Your e-mail' }).fill('mia@example.com');
    await dialog
      .getByRole('textbox', { name: 'Message' })
      .fill('Hi, my teapot from order 1042 arrived with a dented lid. It was a gift for my mother.');
    await dialog.getByRole('button', { name: 'Send' }).click();
    const log = dialog.getByRole('log');
    await log.getByText('arrived with a dented lid').waitFor();
    // Once the conversation is open the e-mail is known: the field goes away.
    await dialog.getByRole('textbox', { name: 'Your e-mail' }).waitFor({ state: 'hidden' });

    const [c] = await chatCases(1);
    const detail = await api('GET', `/api/v1/cases/${c!.id}`);
    expect(JSON.stringify(detail.json.messages)).toContain('dented lid');

    const replyText = 'So sorry, Mia! A new lid is on its way today, no need to send anything back.';
    expect((await api('POST', `/api/v1/cases/${c!.id}/messages`, { kind: 'reply', body: replyText })).status).toBe(201);
    await log.getByText(replyText).waitFor({ timeout: 5000 });
    expect(await log.getByText(replyText).locator('xpath=..').textContent()).toContain('Ada Agent');
    // Inherited page styles stop at the widget too.
    expect(await log.getByText(replyText).evaluate((el) => getComputedStyle(el).letterSpacing)).toBe('normal');

    await page.screenshot({ path: SCREENSHOT });
    const axe = await new AxeBuilder({ page }).include('amends-chat').analyze();
    const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    expect(axe.passes.length).toBeGreaterThan(5);

    // Escape closes the panel and gives focus back to the launcher.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await activeId(page)).toBe('launcher');

    // A reload continues the same conversation (localStorage), history and all.
    await page.reload();
    await page.getByRole('button', { name: 'Chat with us' }).click();
    const again = page.getByRole('dialog', { name: 'Acme Goods' });
    await again.getByRole('log').getByText(replyText).waitFor();
    expect(await again.getByRole('log').getByText('arrived with a dented lid').count()).toBe(1);
    expect(await again.getByRole('textbox', { name: 'Your e-mail' }).isVisible()).toBe(false);
    expect(await activeId(page)).toBe('message');
    await page.keyboard.type('Thank you! Will it come with tracking?');
    await page.keyboard.press('Enter');
    await again.getByRole('log').getByText('Will it come with tracking?').waitFor();
    await expect
      .poll(async () => {
        const d = await api('GET', `/api/v1/cases/${c!.id}`);
        return (d.json.messages as { kind: string }[]).filter((m) => m.kind === 'inbound').length;
      })
      .toBe(2);
    expect((await chatCases(1)).length).toBe(1);

    // A reply while the panel is closed shows as a count on the launcher.
    await page.keyboard.press('Escape');
    expect((await api('POST', `/api/v1/cases/${c!.id}/messages`, { kind: 'reply', body: 'Yes, tracking comes by e-mail.' })).status).toBe(
      201,
    );
    await page.getByRole('button', { name: 'Chat with us, 1 new reply' }).waitFor({ timeout: 5000 });

    expect(errors).toEqual([]);
    await context.close();
  });
});
