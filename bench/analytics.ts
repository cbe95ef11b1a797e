/**
 * bench:analytics — the dashboard's queries on a store with BENCH_CASES cases (default 1,000,000) on SQLite.
 *
 * Seeds a scratch SQLite file directly with better-sqlite3 (a bench may; tests may not): a year of cases with
 * their inbound messages, SLA clocks, reopenings, issued compensations and survey answers, and the customers'
 * orders. Then builds the rollups once (`rebuildAnalytics`, timed), and times, each as the median of 7 runs
 * after a warm-up: KPIs for 30 days and for 365 days (no filter, and a channel filter), the paradox index
 * (90-day window over a year), and an incremental refresh after 100 cases changed. Baseline in the same run:
 * `select count(*) from cases where store_id = ?` (a full index scan of the cases). Prints human lines, then one
 * JSON object as the LAST line. Exits 1 when a dashboard query misses the 300 ms target.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { kpiReport } from '../src/analytics/kpis.service.ts';
import { paradoxIndex } from '../src/analytics/paradox.service.ts';
import { rebuildAnalytics, refreshAnalytics } from '../src/analytics/rollups.ts';
import { seededRng } from '../src/demo/rng.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createStore } from '../src/stores/stores.service.ts';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const TARGET_MS = 300;
const STORE = 'bench';
const NOW = '2026-03-01T00:00:00.000Z';
const DAY = 86_400_000;
const START = Date.parse(NOW) - 365 * DAY;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-bench-analytics-'));
const file = path.join(dir, 'bench.db');
const log = (s: string) => process.stdout.write(`${s}\n`);

async function main() {
  const clock = new ManualClock(NOW);
  {
    const database = openDatabase(file);
    await migrateToLatest(database);
    await createStore(database.db, clock, { id: STORE, name: 'Bench Store' });
    await database.close();
  }

  // ---- seed
  const t0 = performance.now();
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  const rand = seededRng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const iso = (t: number) => new Date(t).toISOString();
  const customers = Math.max(10, Math.round(CASES / 4));
  const channels = ['email', 'email', 'email', 'chat', 'chat', 'portal', 'community'];
  const kinds = [
    'delivery_late',
    'delivery_late',
    'delivery_lost',
    'damaged_item',
    'wrong_item',
    'billing_error',
    'refund_request',
    'other',
  ];
  const tiers = ['new', 'regular', 'regular', 'loyal', 'vip'];
  const agents = Array.from({ length: 40 }, (_, i) => `agent-${i}`);
  const insCustomer = raw.prepare(
    `insert into customers (store_id, id, tags, orders_count, total_spent, total_refunded, failures_count, first_seen_at, updated_at)
     values (?, ?, '[]', 0, 0, 0, 0, ?, ?)`,
  );
  const insOrder = raw.prepare(
    `insert into orders (store_id, id, customer_id, status, total_amount, currency, items, placed_at, refunded_amount, updated_at)
     values (?, ?, ?, 'placed', ?, 'USD', '[]', ?, 0, ?)`,
  );
  const insCase = raw.prepare(
    `insert into cases (store_id, id, number, status, source, channel, customer_id, assignee_id, created_at, updated_at, resolved_at,
       kind, severity, customer_tier, first_responded_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insMsg = raw.prepare(
    `insert into case_messages (store_id, id, case_id, kind, author_type, body, created_at) values (?, ?, ?, 'inbound', 'customer', 'x', ?)`,
  );
  const insSla = raw.prepare(
    `insert into case_slas (store_id, case_id, metric, target_minutes, started_at, status, remaining_minutes, breached, met_at)
     values (?, ?, ?, 480, ?, ?, 0, ?, ?)`,
  );
  const insAct = raw.prepare(
    `insert into case_activities (store_id, case_id, at, actor_type, type, data) values (?, ?, ?, 'user', 'status.changed', '{"from":"resolved","to":"reopened"}')`,
  );
  const insComp = raw.prepare(
    `insert into compensations (store_id, id, idempotency_key, case_id, offer_id, kind, label, cost, currency, status, policy_version, rule_id,
       requested_by_type, created_at, updated_at) values (?, ?, ?, ?, 'o', 'discount_fixed', 'x', ?, 'USD', 'issued', 'p', 'r', 'system', ?, ?)`,
  );
  const insSurvey = raw.prepare(
    `insert into survey_responses (store_id, id, event_id, case_id, customer_id, metric, score, answered_at) values (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let orders = 0;
  raw.transaction(() => {
    for (let c = 0; c < customers; c++) {
      const id = `cu${c}`;
      const first = START - 60 * DAY + rand() * 400 * DAY;
      insCustomer.run(STORE, id, iso(first), iso(first));
      const n = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < n; k++) {
        const at = k === 0 ? first : first + rand() * 300 * DAY;
        insOrder.run(STORE, `o${orders++}`, id, 2000 + Math.floor(rand() * 20000), iso(at), iso(at));
      }
    }
  })();
  const chunk = 50_000;
  for (let base = 0; base < CASES; base += chunk) {
    raw.transaction(() => {
      for (let i = base; i < Math.min(CASES, base + chunk); i++) {
        const id = `ca${i}`;
        const created = START + rand() * 365 * DAY;
        const resolved = rand() < 0.92;
        const frt = created + (5 + rand() * rand() * 2000) * 60_000;
        const res = frt + rand() * rand() * 10 * DAY;
        const customer = `cu${Math.floor(rand() * customers)}`;
        const source = rand() < 0.06 ? 'proactive' : 'reactive';
        insCase.run(
          STORE,
          id,
          i + 1,
          resolved ? 'resolved' : 'in_progress',
          source,
          pick(channels),
          customer,
          pick(agents),
          iso(created),
          iso(resolved ? res : frt),
          resolved ? iso(res) : null,
          pick(kinds),
          1 + Math.floor(rand() * rand() * 4),
          pick(tiers),
          rand() < 0.97 ? iso(frt) : null,
        );
        if (source === 'reactive' || rand() < 0.3) insMsg.run(STORE, `m${i}`, id, iso(created));
        if (rand() < 0.2) insMsg.run(STORE, `m${i}b`, id, iso(created + 3_600_000));
        const frBreached = rand() < 0.1 ? 1 : 0;
        insSla.run(STORE, id, 'first_response', iso(created), frBreached ? 'breached_met' : 'met', frBreached, iso(frt));
        const resBreached = rand() < 0.15 ? 1 : 0;
        insSla.run(
          STORE,
          id,
          'resolution',
          iso(created),
          resolved ? (resBreached ? 'breached_met' : 'met') : 'running',
          resBreached,
          resolved ? iso(res) : null,
        );
        if (rand() < 0.03) insAct.run(STORE, id, iso(res));
        if (rand() < 0.1) insComp.run(STORE, `cp${i}`, `k${i}`, id, 500 + Math.floor(rand() * 3000), iso(created), iso(created));
        if (resolved && rand() < 0.15) {
          insSurvey.run(STORE, `s${i}`, `e${i}`, id, customer, 'csat', 1 + Math.floor(rand() * 5), iso(res + DAY));
          if (rand() < 0.5) insSurvey.run(STORE, `s${i}c`, `e${i}c`, id, customer, 'ces', 1 + Math.floor(rand() * 7), iso(res + DAY));
        }
      }
    })();
  }
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
  const seedMs = performance.now() - t0;
  log(
    `seeded ${CASES.toLocaleString('en')} cases, ${customers.toLocaleString('en')} customers, ${orders.toLocaleString('en')} orders in ${(seedMs / 1000).toFixed(1)} s`,
  );

  const database = openDatabase(file);
  const db = database.db;
  const t1 = performance.now();
  await rebuildAnalytics(db, STORE);
  const rebuildMs = performance.now() - t1;
  const rollupRows = Number(
    (
      await db
        .selectFrom('analytics_daily')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  log(`rollups built in ${(rebuildMs / 1000).toFixed(1)} s (${rollupRows.toLocaleString('en')} daily rows)`);

  const median = async (f: () => Promise<unknown>, runs = 7) => {
    await f();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await f();
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    return Math.round(times[Math.floor(times.length / 2)]! * 10) / 10;
  };
  const day = (offset: number) => new Date(Date.parse(NOW) - offset * DAY).toISOString().slice(0, 10);
  const baselineMs = await median(() => sql`select count(*) as n from cases where store_id = ${STORE}`.execute(db));
  const kpis30dMs = await median(() => kpiReport(db, STORE, { from: day(30), to: day(1) }, NOW));
  const kpis365dMs = await median(() => kpiReport(db, STORE, { from: day(365), to: day(1) }, NOW));
  const kpis365dChannelMs = await median(() => kpiReport(db, STORE, { from: day(365), to: day(1), channel: 'chat' }, NOW));
  const paradoxMs = await median(() => paradoxIndex(db, STORE, { windowDays: 90, from: day(365), to: day(1) }, NOW));
  // Incremental: 100 cases change (status), then one refresh folds them in.
  const refreshMs = await median(async () => {
    await sql`update cases set updated_at = updated_at where store_id = ${STORE} and id in (select id from cases where store_id = ${STORE} limit 100 offset ${Math.floor(Math.random() * (CASES - 100))})`.execute(
      db,
    );
    await refreshAnalytics(db, STORE);
  }, 3);
  const sample = await kpiReport(db, STORE, { from: day(365), to: day(1) }, NOW);
  const p = await paradoxIndex(db, STORE, { windowDays: 90, from: day(365), to: day(1) }, NOW);
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const ratio = (x: number) => (baselineMs > 0 ? `${(x / baselineMs).toFixed(1)}× baseline` : '');
  log(`baseline select count(*) over cases: ${baselineMs} ms`);
  log(`KPIs 30 d:                ${kpis30dMs} ms (${ratio(kpis30dMs)})`);
  log(`KPIs 365 d:               ${kpis365dMs} ms (${ratio(kpis365dMs)})`);
  log(`KPIs 365 d, channel=chat: ${kpis365dChannelMs} ms (${ratio(kpis365dChannelMs)})`);
  log(`paradox, 90 d window:     ${paradoxMs} ms (${ratio(paradoxMs)})`);
  log(`refresh after 100 changed cases: ${refreshMs} ms`);
  log(
    `sanity: ${sample.summary.cases} cases in 365 d, resolution p50 ${sample.summary.resolution.wall.p50Minutes} min, verdict: ${p.verdict.outcome}`,
  );
  const figures = {
    cases: CASES,
    customers,
    orders,
    seedMs: Math.round(seedMs),
    rebuildMs: Math.round(rebuildMs),
    rollupRows,
    baselineCountMs: baselineMs,
    kpis30dMs,
    kpis365dMs,
    kpis365dChannelMs,
    paradoxMs,
    refresh100Ms: refreshMs,
    targetMs: TARGET_MS,
  };
  const missed = [kpis30dMs, kpis365dMs, kpis365dChannelMs, paradoxMs].some((x) => x > TARGET_MS);
  log(JSON.stringify(figures));
  if (missed) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
