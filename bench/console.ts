/**
 * bench:console — how long the console's pages take to load on the demo store, in real Chromium.
 *
 * `amends serve --demo` runs in a child process on a fresh SQLite file (a year of demo orders and
 * complaints). The bench signs in as the demo manager once, then loads each page in a fresh browser
 * context (cold HTTP cache, the session cookie carried over) and times from navigation start until the
 * page's content is there: its heading is visible and no loading state (`data-state="loading"`, from
 * web/src/ui/states.tsx) is left in the main region. An error state on the page fails the bench.
 *
 * Baseline, same run: the same built `web/dist` served by a bare Fastify static server in this process,
 * loading the sign-in page (all of the app's first-load assets, no API call) — the floor the
 * browser, the bundle and the machine set. ratio = inbox median / baseline median.
 * Target (issue 7): every page under 1.5 s. Prints human lines, then one JSON object as the last line.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test/e2e/browser.ts';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'web/dist');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGET_MS = 1500;

if (!fs.existsSync(path.join(dist, 'index.html'))) {
  process.stderr.write('web/dist is missing: run `npm run build:web` first (npm run bench:console does)\n');
  process.exit(1);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const max = (xs: number[]) => Math.max(...xs);

async function startDemo(): Promise<{ url: string; password: string; stop: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-bench-console-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const proc = spawn(process.execPath, ['bin/amends.js', 'serve', '--demo', '--port', String(port), '--host', '127.0.0.1'], {
    cwd: root,
    env: { ...process.env, AMENDS_DB: path.join(dir, 'demo.sqlite'), AMENDS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const started = performance.now();
  while (!/password (\S+)/.test(out)) {
    if (proc.exitCode !== null) throw new Error(`amends serve --demo exited ${proc.exitCode}:\n${err}`);
    if (performance.now() - started > 300_000) throw new Error(`amends serve --demo did not start in 5 min:\n${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stdout.write(`demo store seeded and serving in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return {
    url: `http://127.0.0.1:${port}`,
    password: /password (\S+)/.exec(out)![1]!,
    stop: () => {
      proc.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Until the heading shows and no loading state is left in the main region; throws on an error state. */
async function waitForContent(page: Page, what: string): Promise<void> {
  await page.waitForFunction(
    () => {
      const main = document.querySelector('#main') ?? document.body;
      if (main.querySelector('[data-state="error"]')) return 'error';
      const h1 = main.querySelector('h1');
      return h1 !== null && (h1 as HTMLElement).offsetParent !== null && main.querySelector('[data-state="loading"]') === null;
    },
    undefined,
    { timeout: 30_000, polling: 'raf' },
  );
  const failed = page.locator('#main [data-state="error"]');
  if ((await failed.count()) > 0) throw new Error(`${what}: the page shows an error: ${await failed.first().textContent()}`);
}

/** Loads `url` in a fresh context `RUNS` times; ms from navigation start to content. */
async function timePage(
  browser: Browser,
  url: string,
  what: string,
  storageState: Awaited<ReturnType<import('playwright-core').BrowserContext['storageState']>> | undefined,
  ready: (p: Page) => Promise<void>,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...(storageState ? { storageState } : {}) });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const t0 = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await ready(page);
    const ms = performance.now() - t0;
    if (errors.length && what !== 'baseline') throw new Error(`${what}: console errors: ${errors.join(' | ')}`);
    if (i > 0) times.push(ms); // the first load warms the server's caches (and the OS's), like any second visitor
    await context.close();
  }
  return times;
}

const demo = await startDemo();
const baseline = Fastify({ logger: false });
await baseline.register(fastifyStatic, { root: dist, wildcard: false });
baseline.get('/sign-in', (_req, reply) => reply.sendFile('index.html'));
// The sign-in page asks whether a session exists; signed out, the real server says 401.
baseline.get('/api/v1/auth/me', (_req, reply) => reply.code(401).send({ error: { code: 'unauthorized', message: 'sign in' } }));
const baseUrl = await baseline.listen({ port: 0, host: '127.0.0.1' });
const browser = await launchChromium();
try {
  // Sign in once as the demo manager (sees approvals and incidents too); every timed load reuses the cookie.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${demo.url}/sign-in`);
  await page.getByRole('textbox', { name: 'Store' }).fill('demo');
  await page.getByRole('textbox', { name: 'E-mail' }).fill('manager@demo.test');
  await page.getByRole('textbox', { name: 'Password' }).fill(demo.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/inbox/);
  const firstCase = page.getByRole('list', { name: /cases/ }).getByRole('link').first();
  await firstCase.waitFor({ timeout: 30_000 });
  const caseHref = await firstCase.getAttribute('href');
  if (!caseHref) throw new Error('the demo inbox shows no case');
  const firstIncident = await (async () => {
    await page.goto(`${demo.url}/incidents`);
    await waitForContent(page, 'incidents');
    return page.locator('#main a[href^="/incidents/"]').first().getAttribute('href');
  })();
  const state = await context.storageState();
  await context.close();

  const base = await timePage(browser, `${baseUrl}/sign-in`, 'baseline', undefined, (p) =>
    p.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 30_000 }),
  );
  const pages: Array<[string, string]> = [
    ['inbox', '/inbox'],
    ['case', caseHref],
    ['approvals', '/approvals'],
    ['incidents', '/incidents'],
    ...(firstIncident ? ([['incident', firstIncident]] as Array<[string, string]>) : []),
    ['policy', '/policy'],
    ['settings', '/settings'],
  ];
  const results: Record<string, { medianMs: number; maxMs: number }> = {};
  const baseMedian = median(base);
  process.stdout.write(`bench:console — demo store, Chromium, 1280×800, cold cache, ${RUNS} loads per page (after one warm-up)\n`);
  process.stdout.write(
    `  baseline (static sign-in page, bare Fastify): median ${baseMedian.toFixed(0)} ms, max ${max(base).toFixed(0)} ms\n`,
  );
  for (const [name, p] of pages) {
    const times = await timePage(browser, `${demo.url}${p}`, name, state, (pg) => waitForContent(pg, name));
    results[name] = { medianMs: Math.round(median(times)), maxMs: Math.round(max(times)) };
    process.stdout.write(
      `  ${name.padEnd(10)} median ${median(times).toFixed(0).padStart(5)} ms   max ${max(times).toFixed(0).padStart(5)} ms   ${
        median(times) < TARGET_MS ? 'under' : 'OVER'
      } ${TARGET_MS} ms\n`,
    );
  }
  const worst = Math.max(...Object.values(results).map((r) => r.medianMs));
  const summary = {
    ratio: Number((results.inbox!.medianMs / baseMedian).toFixed(2)),
    baselineMs: Math.round(baseMedian),
    worstMedianMs: worst,
    targetMs: TARGET_MS,
    pages: results,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (worst >= TARGET_MS) process.exitCode = 1;
} finally {
  await browser.close();
  await baseline.close();
  demo.stop();
}
