import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { resolveStore } from './policy-simulate.ts';

interface ReportOptions {
  store?: string;
  from?: string;
  to?: string;
  format: string;
  out?: string;
  windowDays: string;
}

const isDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

/** `amends report [--store S] [--from D --to D] [--format html|json] [--out FILE]`: the analytics as one file. */
export function reportCommand(): Command {
  return new Command('report')
    .description(
      "The store's analytics as one self-contained HTML file (KPIs, daily trend, the recovery paradox's cohorts with 95 % intervals and " +
        'the verdict, Pareto of failures, weak spots, recurring issues; charts as inline SVG, no script), or the same data as JSON.',
    )
    .option('--store <id>', 'the store (default: the only one, or "demo" when there is one)')
    .option('--from <date>', 'first UTC day, YYYY-MM-DD (default: 364 days before --to)')
    .option('--to <date>', 'last UTC day, included, YYYY-MM-DD (default: today)')
    .option('--window-days <n>', 'paradox: repurchase window in days, 1–365', '90')
    .option('--format <format>', 'html or json', 'html')
    .option('--out <file>', 'write here instead of standard output')
    .action(async (o: ReportOptions) => {
      if (o.format !== 'html' && o.format !== 'json') throw new Error(`--format must be html or json, not "${o.format}"`);
      for (const [name, v] of [
        ['--from', o.from],
        ['--to', o.to],
      ] as const)
        if (v !== undefined && !isDay(v)) throw new Error(`${name}: "${v}" is not a date (YYYY-MM-DD)`);
      const windowDays = Number(o.windowDays);
      if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 365)
        throw new Error(`--window-days must be a whole number from 1 to 365`);

      const [{ withDatabase }, { systemClock }, data, { renderReportHtml }] = await Promise.all([
        import('./with-database.ts'),
        import('../platform/clock.ts'),
        import('../analytics/report-data.ts'),
        import('../analytics/report-html.ts'),
      ]);
      const now = systemClock.now();
      const to = o.to ?? data.defaultPeriod(now).to;
      const from = o.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 364 * 86_400_000).toISOString().slice(0, 10);
      if (from > to) throw new Error(`--from ${from} is after --to ${to}`);
      const report = await withDatabase(async ({ db }) => {
        const storeId = resolveStore(
          (await db.selectFrom('stores').select('id').orderBy('id').execute()).map((s) => s.id),
          o.store,
        );
        return data.loadReportData(db, storeId, { from, to, windowDays, now });
      });
      const body = o.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderReportHtml(data.toReportView(report));
      if (o.out) {
        fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
        fs.writeFileSync(o.out, body);
        process.stderr.write(`amends: report of ${report.store.id}, ${from} to ${to}, written to ${o.out}\n`);
      } else process.stdout.write(body);
    });
}
