/**
 * `amends replay`: the whole system run on event time. The clock advances to
 * each event's `occurredAt`; before an event is applied, every job due by
 * then runs at its own due instant (timers fire in order, exactly when they
 * would have live). Events go through the one ingest path, in transactions
 * cut wherever a timer falls due before the next event.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Kysely } from 'kysely';
import { runDueCompensations } from '../compensation/compensations.service.ts';
import { type AmendsEvent, parseEvent } from '../events/envelope.ts';
import { ManualClock } from '../platform/clock.ts';
import { loadConfig } from '../platform/config.ts';
import { type Database, openDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import type { DB } from '../platform/db/schema.ts';
import { buildApp } from '../platform/http/app.ts';
import type { AppContext } from '../platform/http/context.ts';
import { activatePolicy } from '../policy/policy.service.ts';
import { createStore, getStore } from '../stores/stores.service.ts';

export interface ReplayOptions {
  file: string;
  /** An existing database (path or postgres:// URL); a fresh temporary SQLite file otherwise (removed afterwards). */
  db?: string | undefined;
  /** A policy file to activate before the first event. */
  policySource?: string | undefined;
  /** The store's timezone when the replay creates it (date-only promises end at midnight there). */
  timezone?: string | undefined;
  /** Keep running timers up to this instant after the last event (default: stop at the last event). */
  until?: string | undefined;
  onProgress?: (done: number, total: number) => void;
}

export interface ReplayReport {
  store: string;
  events: number;
  duplicates: number;
  customers: number;
  orders: number;
  incidents: number;
  cases: { total: number; proactive: number; reactive: number; byKind: Record<string, number> };
  messages: number;
  offers: { count: number; auto: number; cost: Record<string, number> };
  timeToFirstMessageSeconds: { p50: number | null; p90: number | null; p99: number | null; cases: number };
  jobsRun: number;
  firstEventAt: string | null;
  lastEventAt: string | null;
  wallSeconds: number;
  eventsPerSecond: number;
  db: string | null;
}

export class ReplayInputError extends Error {
  constructor(
    readonly line: number,
    readonly path: string,
    message: string,
  ) {
    super(`line ${line}${path ? ` ${path}` : ''}: ${message}`);
    this.name = 'ReplayInputError';
  }
}

/** Events of a JSONL file, validated, in time order (a stable sort: same-instant events keep file order). */
export async function readReplayFile(file: string): Promise<AmendsEvent[]> {
  const events: AmendsEvent[] = [];
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  let sorted = true;
  let store: string | undefined;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw new ReplayInputError(n, '', `not JSON (${(err as Error).message})`);
    }
    const parsed = parseEvent(raw, n);
    if (!parsed.ok) throw new ReplayInputError(n, parsed.errors[0]!.path, parsed.errors[0]!.message);
    // One store per replay: every event goes into the first store named, so another store's would leak into it.
    const named = parsed.event.store;
    if (named !== undefined) {
      store ??= named;
      if (named !== store) throw new ReplayInputError(n, 'store', `event is for store ${named}, but this file replays store ${store}`);
    }
    const prev = events.at(-1);
    if (prev && parsed.event.occurredAt < prev.occurredAt) sorted = false;
    events.push(parsed.event);
  }
  if (!sorted) events.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  return events;
}

/** Events applied per transaction at most, when no timer cuts the batch sooner. */
const MAX_BATCH = 2000;

export async function runReplay(o: ReplayOptions): Promise<ReplayReport> {
  const started = performance.now();
  const events = await readReplayFile(o.file);
  const storeId = events.find((e) => e.store)?.store ?? 'replay';
  const first = events[0]?.occurredAt ?? o.until ?? new Date(0).toISOString();
  const clock = new ManualClock(first);

  const tmpDir = o.db ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'amends-replay-'));
  const dbUrl = o.db ?? path.join(tmpDir!, 'replay.db');
  const database: Database = openDatabase(dbUrl);
  let ctx: AppContext | undefined;
  try {
    await migrateToLatest(database);
    const config = loadConfig(process.env, {
      db: dbUrl,
      jobs: 'embedded',
      serveJobs: false,
      logLevel: 'silent',
      groupCommitMaxWaitMs: 0,
    });
    const built = await buildApp({ config, database, clock, logger: false });
    ctx = built.ctx;
    if (!(await getStore(database.db, storeId))) {
      await createStore(database.db, clock, {
        id: storeId,
        name: storeId,
        timezone: o.timezone ?? 'UTC',
        currency: currencyOf(events) ?? 'USD',
      });
    }
    if (o.policySource !== undefined) {
      await activatePolicy(database.db, clock, {
        storeId,
        source: o.policySource,
        author: 'amends replay',
        actor: { type: 'system', id: null },
      });
    }

    const queue = ctx.jobs;
    let jobsRun = 0;
    /** Earliest due time of a job sent while the current batch was being applied. */
    let sentDue = Number.POSITIVE_INFINITY;
    queue.onSend = (runAt) => {
      sentDue = Math.min(sentDue, runAt.getTime());
    };
    /** Runs the timers due before `t` (an event at the very instant a timer falls due comes first: delivered at the promise is on time). */
    const runTimersBefore = async (t: number) => {
      for (;;) {
        const next = await queue.nextDueAt();
        if (next === null || next.getTime() >= t) return;
        clock.set(new Date(Math.max(next.getTime(), clock.now().getTime())));
        jobsRun += await queue.runDue();
        await runDueCompensations(ctx!);
      }
    };

    let i = 0;
    let accepted = 0;
    const c = ctx;
    while (i < events.length) {
      const at = Date.parse(events[i]!.occurredAt);
      await runTimersBefore(at);
      let nextDue = (await queue.nextDueAt())?.getTime() ?? Number.POSITIVE_INFINITY;
      sentDue = Number.POSITIVE_INFINITY;
      const slice = events.slice(i, i + MAX_BATCH);
      const r = await c.ingestor.ingestInOrder(storeId, slice, 'replay', {
        before: (e) => clock.set(new Date(Math.max(Date.parse(e.occurredAt), clock.now().getTime()))),
        stopAfter: async (j, tx) => {
          const following = slice[j + 1];
          if (!following) return false;
          const t = Date.parse(following.occurredAt);
          if (t <= Math.min(nextDue, sentDue)) return false;
          // A timer may fall due before the next event; the one we knew of may have been cancelled meanwhile
          // (the parcel came). Look again, as this transaction sees the queue (its own sends and cancels too).
          nextDue = (await queue.nextDueAt({ tx }))?.getTime() ?? Number.POSITIVE_INFINITY;
          sentDue = Number.POSITIVE_INFINITY;
          return t > nextDue;
        },
      });
      i += r.applied;
      accepted += r.accepted;
      await runDueCompensations(c);
      o.onProgress?.(i, events.length);
    }
    const end = o.until ? Date.parse(o.until) : events.length > 0 ? Date.parse(events.at(-1)!.occurredAt) : clock.now().getTime();
    await runTimersBefore(end + 1);
    if (end > clock.now().getTime()) clock.set(new Date(end));
    await database.flush();

    const report = await buildReport(database.db, storeId);
    const wallSeconds = (performance.now() - started) / 1000;
    return {
      store: storeId,
      events: accepted,
      duplicates: events.length - accepted,
      ...report,
      jobsRun,
      firstEventAt: events[0]?.occurredAt ?? null,
      lastEventAt: events.at(-1)?.occurredAt ?? null,
      wallSeconds: Math.round(wallSeconds * 100) / 100,
      eventsPerSecond: Math.round(events.length / wallSeconds),
      db: o.db ?? null,
    };
  } finally {
    if (ctx) ctx.jobs.onSend = undefined;
    await ctx?.jobs.stop();
    await database.close();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

function currencyOf(events: readonly AmendsEvent[]): string | undefined {
  for (const e of events) if (e.type === 'order.placed') return e.data.total.currency;
  return undefined;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  // Nearest rank.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function count(q: Promise<{ n: number | string | bigint } | undefined>): Promise<number> {
  return Number((await q)?.n ?? 0);
}

export async function buildReport(
  db: Kysely<DB>,
  storeId: string,
): Promise<Pick<ReplayReport, 'customers' | 'orders' | 'incidents' | 'cases' | 'messages' | 'offers' | 'timeToFirstMessageSeconds'>> {
  const n = (table: 'customers' | 'orders' | 'incidents') =>
    count(
      db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('store_id', '=', storeId)
        .executeTakeFirst(),
    );
  const [customers, orders, incidents, bySource, byKindRows, messages, offers, costs, firsts] = await Promise.all([
    n('customers'),
    n('orders'),
    n('incidents'),
    db
      .selectFrom('cases')
      .select(['source', (eb) => eb.fn.countAll<number>().as('n')])
      .where('store_id', '=', storeId)
      .groupBy('source')
      .execute(),
    db
      .selectFrom('cases')
      .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
      .where('store_id', '=', storeId)
      .groupBy('kind')
      .execute(),
    count(
      db
        .selectFrom('case_messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('store_id', '=', storeId)
        .where('kind', '=', 'reply')
        .executeTakeFirst(),
    ),
    db
      .selectFrom('compensations')
      .select(['requested_by_type', (eb) => eb.fn.countAll<number>().as('n')])
      .where('store_id', '=', storeId)
      .groupBy('requested_by_type')
      .execute(),
    db
      .selectFrom('compensations')
      .select(['currency', (eb) => eb.fn.sum<number>('cost').as('cost')])
      .where('store_id', '=', storeId)
      .where('status', 'in', ['approved', 'issuing', 'issued'])
      .groupBy('currency')
      .execute(),
    db
      .selectFrom('cases as c')
      .innerJoin('case_messages as m', (j) => j.onRef('m.store_id', '=', 'c.store_id').onRef('m.case_id', '=', 'c.id'))
      .select(['c.id', 'c.failure_at', (eb) => eb.fn.min('m.created_at').as('first')])
      .where('c.store_id', '=', storeId)
      .where('m.kind', '=', 'reply')
      .where('c.failure_at', 'is not', null)
      .groupBy(['c.id', 'c.failure_at'])
      .execute(),
  ]);
  const bySourceMap = Object.fromEntries(bySource.map((r) => [r.source, Number(r.n)]));
  const byKind: Record<string, number> = {};
  for (const r of byKindRows) byKind[r.kind ?? 'untriaged'] = Number(r.n);
  const seconds = firsts
    .map((r) => (Date.parse(String(r.first)) - Date.parse(r.failure_at!)) / 1000)
    .filter((s) => Number.isFinite(s))
    .sort((a, b) => a - b);
  const offerCount = offers.reduce((sum, r) => sum + Number(r.n), 0);
  return {
    customers,
    orders,
    incidents,
    cases: {
      total: (bySourceMap.proactive ?? 0) + (bySourceMap.reactive ?? 0),
      proactive: bySourceMap.proactive ?? 0,
      reactive: bySourceMap.reactive ?? 0,
      byKind,
    },
    messages,
    offers: {
      count: offerCount,
      auto: Number(offers.find((r) => r.requested_by_type === 'system')?.n ?? 0),
      cost: Object.fromEntries(costs.map((r) => [r.currency, Number(r.cost ?? 0)])),
    },
    timeToFirstMessageSeconds: {
      p50: percentile(seconds, 50),
      p90: percentile(seconds, 90),
      p99: percentile(seconds, 99),
      cases: seconds.length,
    },
  };
}
