/**
 * bench:replay — `amends replay` over a generated store history.
 *
 * Generates (bench/replay-data.ts, seeded) BENCH_ORDERS orders (default 96,000, which comes to about 1,000,000
 * events: customers, orders, payments, shipments with daily scans, deliveries, reviews, complaints, metrics) into
 * a temp JSONL file, then:
 * - baseline, in the same run: raw better-sqlite3 inserting the same events as ledger rows (bench/raw-ledger.ts:
 *   parse each line, one prepared insert, transactions of 10,000 rows, the real events table and its indexes);
 * - the replay: runReplay on the file into a fresh SQLite database (the whole system on event time: projections,
 *   monitors, timers, cases, triage, messages, automatic remedies).
 * Prints the replay report, then one JSON object as the last line. Exits 1 when the 60 s target is missed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runReplay } from '../src/proactive/replay.ts';
import { rawInsertRowsPerSec } from './raw-ledger.ts';
import { DEFAULT_STORE_TIMEZONE, writeReplayFile } from './replay-data.ts';

const orders = Number(process.env.BENCH_ORDERS ?? 96_000);
const TARGET_SECONDS = 60;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-bench-replay-'));
try {
  const file = path.join(dir, 'events.jsonl');
  const gen0 = performance.now();
  const written = await writeReplayFile(file, { orders });
  process.stdout.write(
    `generated ${written.events} events for ${orders} orders in ${((performance.now() - gen0) / 1000).toFixed(1)} s (${(fs.statSync(file).size / 1e6).toFixed(0)} MB)\n`,
  );

  const raw = rawInsertRowsPerSec(file);
  process.stdout.write(
    `raw better-sqlite3 ledger insert: ${raw.rows} rows in ${raw.seconds.toFixed(1)} s = ${Math.round(raw.rowsPerSec)} rows/s\n`,
  );

  let last = 0;
  const report = await runReplay({
    file,
    timezone: DEFAULT_STORE_TIMEZONE,
    onProgress: (done, total) => {
      if (done - last >= 100_000 || done === total) {
        last = done;
        process.stdout.write(`  replayed ${done}/${total}\n`);
      }
    },
  });
  const seconds = report.wallSeconds;
  process.stdout.write(
    [
      `replay: ${report.events} events in ${seconds} s = ${report.eventsPerSecond} events/s (target: 1,000,000 in < ${TARGET_SECONDS} s)`,
      `  ${report.customers} customers, ${report.orders} orders, ${report.incidents} incidents, ${report.cases.total} cases (${report.cases.proactive} proactive, ${report.cases.reactive} reactive)`,
      `  ${report.messages} messages, ${report.offers.count} offers (${report.offers.auto} automatic), ${report.jobsRun} timers run`,
      `  failure → first message: p50 ${report.timeToFirstMessageSeconds.p50} s, p90 ${report.timeToFirstMessageSeconds.p90} s, p99 ${report.timeToFirstMessageSeconds.p99} s`,
      `ratio replay/raw insert: ${(report.eventsPerSecond / raw.rowsPerSec).toFixed(3)}`,
      '',
    ].join('\n'),
  );
  const projected1M = Math.round((1_000_000 / report.eventsPerSecond) * 10) / 10;
  const met = report.events >= 900_000 ? seconds < TARGET_SECONDS : projected1M < TARGET_SECONDS;
  process.stdout.write(
    `${JSON.stringify({
      events: report.events,
      orders: report.orders,
      seconds,
      eventsPerSec: report.eventsPerSecond,
      rawRowsPerSec: Math.round(raw.rowsPerSec),
      ratio: Math.round((report.eventsPerSecond / raw.rowsPerSec) * 1000) / 1000,
      projectedSecondsFor1M: projected1M,
      cases: report.cases.total,
      proactiveCases: report.cases.proactive,
      incidents: report.incidents,
      timersRun: report.jobsRun,
      targetSeconds: TARGET_SECONDS,
      targetMet: met,
    })}\n`,
  );
  if (!met) process.exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
