/**
 * What the console's e2e files share: the built console, the artifacts folder, a store with console users on a
 * fresh SQLite file served by `amends serve`, signing in through the form, console errors, axe, screenshots and
 * waiting for a page to settle. Each file keeps its own data and assertions.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Kysely } from 'kysely';
import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import type { DB } from '../../src/platform/db/schema.ts';
import type { Role } from '../../src/stores/roles.ts';
import { setUserPassword } from '../../src/stores/sessions.service.ts';
import { createStore, createToken } from '../../src/stores/stores.service.ts';
import { startServe, stopAll } from '../support/amends-process.ts';

export const root = path.resolve(import.meta.dirname, '../..');
export const artifacts = path.join(root, 'test/e2e/artifacts');

/** The store every console file signs in to. */
export const STORE = 'acme';

export interface ConsoleUser {
  role: Role;
  email: string;
  name: string;
  password: string;
}
export const AGENT: ConsoleUser = { role: 'agent', email: 'ada@acme.test', name: 'Ada Agent', password: 'agent-password-0001' };
export const MANAGER: ConsoleUser = { role: 'manager', email: 'max@acme.test', name: 'Max Manager', password: 'manager-password-0002' };
export const ADMIN: ConsoleUser = { role: 'admin', email: 'ana@acme.test', name: 'Ana Admin', password: 'admin-password-0003' };

/** `npm test` builds the console first (pretest); a direct `vitest run` of one file may not have. */
export function ensureConsoleBuilt(): void {
  if (fs.existsSync(path.join(root, 'web/dist/index.html'))) return;
  const build = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`could not build the console:\n${build.stdout}\n${build.stderr}`);
}

/** The artifacts folder, with this file's earlier screenshots (those `clear` matches) removed; other files' stay. */
export function prepareArtifacts(clear?: RegExp): void {
  fs.mkdirSync(artifacts, { recursive: true });
  if (clear) for (const f of fs.readdirSync(artifacts)) if (clear.test(f)) fs.rmSync(path.join(artifacts, f));
}

export interface ConsoleServer {
  url: string;
  /** The temporary folder of the database; removed by `shutDown`. */
  dir: string;
  /** An admin API token of the store, for seeding and checking through the API. */
  adminToken: string;
}

/**
 * A fresh SQLite file in a new temporary folder with the store, its console `users` (passwords set) and an admin
 * token; `prepare` may write more to it (settings, tokens of a user) before `amends serve` is started on it.
 */
export async function startConsoleServer(opts: {
  dirPrefix: string;
  users: ConsoleUser[];
  prepare?: (db: Kysely<DB>, userIds: Record<string, string>) => Promise<void>;
}): Promise<ConsoleServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), opts.dirPrefix));
  try {
    const dbFile = path.join(dir, 'amends.db');
    const database = openDatabase(dbFile);
    let adminToken: string;
    try {
      await migrateToLatest(database);
      const db = database.db;
      await createStore(db, systemClock, { id: STORE, name: 'Acme Goods', timezone: 'UTC' });
      const userIds: Record<string, string> = {};
      for (const u of opts.users) userIds[u.email] = (await setUserPassword(db, systemClock, { storeId: STORE, ...u })).user.id;
      adminToken = (await createToken(db, systemClock, { storeId: STORE, role: 'admin', name: 'e2e setup' })).token;
      await opts.prepare?.(db, userIds);
    } finally {
      await database.close();
    }
    return { url: (await startServe(dbFile)).url, dir, adminToken };
  } catch (err) {
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The afterAll of a console file: the browser, every `amends` process, the temporary folder. */
export async function shutDown(browser: Browser | undefined, dir: string | undefined): Promise<void> {
  await browser?.close();
  await stopAll();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** One API call with a bearer token; the answer's status and JSON body (`{}` when it has none). */
export async function apiCall<J = Record<string, unknown>>(
  url: string,
  token: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; json: J }> {
  const res = await fetch(`${url}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as J };
}

/** Polls `check` every 100 ms until it is true; fails after `ms`. */
export async function waitFor(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Fills the sign-in form and presses "Sign in" (no wait: the answer may be a refusal). */
export async function fillSignIn(page: Page, who: { email: string; password: string }, store = STORE): Promise<void> {
  await page.getByLabel(/^Store/).fill(store);
  await page.getByLabel(/^E-mail/).fill(who.email);
  await page.getByLabel(/^Password/).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Signs in through the form. With `from`, opens that URL first and waits to be sent to the sign-in page;
 * without it the page is on the form already. Waits for `landing` (the inbox unless told).
 */
export async function signIn(
  page: Page,
  who: { email: string; password: string },
  opts: { from?: string; store?: string; landing?: RegExp } = {},
): Promise<void> {
  if (opts.from) {
    await page.goto(opts.from);
    await page.waitForURL(/\/sign-in/);
  }
  await fillSignIn(page, who, opts.store);
  await page.waitForURL(opts.landing ?? /\/inbox/);
}

/** An error answer a test causes on purpose: Chromium logs every 4xx of a fetch as a console error. */
export interface ExpectedError {
  status: number;
  path: RegExp;
}

/** Console errors and uncaught exceptions of the page, but for the `expected` error answers. */
export function watchConsole(page: Page, expected: ExpectedError[] = []): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location().url;
    if (!expected.some((e) => m.text().includes(`status of ${e.status}`) && e.path.test(where))) errors.push(`${m.text()} (${where})`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}

export const CONSOLE_AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** No serious or critical axe violations on the page as it is; `tags: null` runs axe's default rule set. */
export async function expectAccessible(page: Page, what: string, tags: string[] | null = CONSOLE_AXE_TAGS): Promise<void> {
  const builder = new AxeBuilder({ page });
  const result = await (tags ? builder.withTags(tags) : builder).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${what}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `${what} has no serious or critical accessibility violations`,
  ).toEqual([]);
}

/**
 * A screenshot in the artifacts folder as `<name>.png`: the viewport (or the whole page), scrolled to `at` when
 * given, taken once every animation has ended when `still`.
 */
export async function screenshot(page: Page, name: string, opts: { at?: Locator; still?: boolean; fullPage?: boolean } = {}) {
  if (opts.at) await opts.at.scrollIntoViewIfNeeded();
  if (opts.still) await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: opts.fullPage ?? false });
}

/** Nothing on the page is wider than the window. */
export const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** The page's heading is there and nothing in the main region is still loading or failed. */
export async function settled(page: Page, what: string): Promise<void> {
  await page.waitForFunction(
    () => {
      const main = document.querySelector('#main');
      return !!main?.querySelector('h1') && !main.querySelector('[data-state="loading"]');
    },
    undefined,
    { timeout: 20_000 },
  );
  const failed = page.locator('#main [data-state="error"]');
  expect(await failed.count(), `${what}: ${(await failed.allTextContents()).join(' | ')}`).toBe(0);
}
