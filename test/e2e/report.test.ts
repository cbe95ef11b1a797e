/**
 * `amends report` on the demo store (a year of history seeded by `amends serve --demo`, through the real ingest
 * path): the HTML file it writes opens in real Chromium with no console error and no network request, its charts
 * (inline SVG) render with a real size, and its figures are the demo's; `--format json` gives the same data.
 * Screenshot: test/e2e/artifacts/report.png.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, launch, runAmends, stop, stopAll, waitFor } from '../support/amends-process.ts';
import { chromiumAvailable, launchChromium } from './browser.ts';
import { artifacts, prepareArtifacts } from './console-support.ts';

describe('amends report on the demo store', () => {
  const haveBrowser = chromiumAvailable();
  let dir: string;
  let db: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-report-e2e-'));
    db = path.join(dir, 'demo.sqlite');
    const port = await freePort();
    const proc = launch(['serve', '--demo', '--port', String(port), '--host', '127.0.0.1'], { AMENDS_DB: db });
    await waitFor('amends serve --demo', proc, () => /password (\S+)/.test(proc.output()), 240_000);
    await stop(proc.child);
    if (haveBrowser) {
      prepareArtifacts(/^report\.png$/);
      browser = await launchChromium();
    }
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes JSON with the demo year: cases, cohorts, Pareto rows', () => {
    const out = path.join(dir, 'report.json');
    const r = runAmends(db, ['report', '--store', 'demo', '--format', 'json', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const data = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(data.store.id).toBe('demo');
    expect(data.kpis.summary.cases).toBeGreaterThan(100);
    expect(data.kpis.trend.length).toBe(365);
    expect(data.pareto.kind.rows.length).toBeGreaterThan(1);
    expect(data.pareto.kind.rows.at(-1).cumulativeShare).toBeCloseTo(1, 6);
    expect(Object.keys(data.paradox.cohorts).sort()).toEqual(['neverFailed', 'notRecovered', 'recovered']);
    expect(data.paradox.cohorts.neverFailed.n).toBeGreaterThan(0);
    expect(typeof data.paradox.verdict.text).toBe('string');
  }, 120_000);

  it('refuses a bad period, naming the option', () => {
    const r = runAmends(db, ['report', '--from', '2026-02-30']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--from');
  });

  it.skipIf(!haveBrowser)(
    'writes an HTML report whose charts render in Chromium',
    async () => {
      const out = path.join(dir, 'report.html');
      const r = runAmends(db, ['report', '--store', 'demo', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`written to ${out}`);
      const html = fs.readFileSync(out, 'utf8');
      expect(html).not.toMatch(/<script/i);

      const context = await browser!.newContext({ viewport: { width: 1100, height: 900 } });
      const page = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (q) => requests.push(q.url()));
      try {
        const url = pathToFileURL(out).href;
        await page.goto(url);
        await page.getByRole('heading', { level: 1 }).waitFor();
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('service recovery report');

        // Every chart is an SVG with a real size, and the shapes inside it too.
        const sizes = await page.$$eval('svg', (svgs) =>
          svgs.map((s) => ({ w: s.getBoundingClientRect().width, h: s.getBoundingClientRect().height })),
        );
        expect(sizes.length).toBeGreaterThanOrEqual(3 + 1 + 5);
        for (const s of sizes) {
          expect(s.w).toBeGreaterThan(100);
          expect(s.h).toBeGreaterThan(100);
        }
        const bar = await page.locator('svg rect.bar').first().boundingBox();
        expect(bar?.height ?? 0).toBeGreaterThan(1);
        const line = await page.locator('svg path.series').first().boundingBox();
        expect(line?.width ?? 0).toBeGreaterThan(100);
        expect(await page.locator('svg g.interval').count()).toBeGreaterThanOrEqual(2);
        expect(await page.locator('.verdict').first().textContent()).toMatch(/paradox|Too small to tell/i);

        await page.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
        expect(errors).toEqual([]);
        expect(requests.filter((u) => u !== url)).toEqual([]);
      } finally {
        await context.close();
      }
    },
    120_000,
  );
});
