/**
 * Analytics rollups: what the dashboard reads instead of the raw tables.
 *
 * Decision (ADR-style; the lead writes docs/adr):
 * - Context: the KPI and paradox queries must answer in < 300 ms on SQLite with 1 M cases. Aggregating cases,
 *   messages, SLA clocks, compensations and surveys per request is far slower; business-hours durations cannot
 *   even be computed in SQL.
 * - Decision: three rollup tables (migration 0010):
 *   `analytics_daily` — one row per store, UTC day of opening and (channel, kind, tier, source), with counts,
 *   sums and fixed histogram buckets of the four durations (kpis.ts: `DURATION_EDGES`), so p50/p90 come from
 *   the buckets; `analytics_revenue_daily` — orders and revenue per day; `analytics_outcomes` — one row per
 *   failure and per never-failed customer with its cohort and the minutes to the next order, so the paradox
 *   index for any window (1–365 days) is one grouped scan of a covering index.
 *   Maintenance is incremental by *dirty marks*: triggers on `cases`, `case_messages`, `case_slas`,
 *   `compensations`, `survey_responses` and `orders` (both engines) insert (store, 'day', day) and
 *   (store, 'customer', id) into `analytics_dirty` in the writer's own transaction, whatever code path wrote
 *   (ingest, console, jobs, replay). `refreshAnalytics` — run before each analytics read (and callable as a
 *   periodic job) — takes the marks and recomputes exactly those days and customers from the raw rows with
 *   the same pure functions (`kpis.ts` `rollUp`, `paradox.ts` `outcomesOf`), in one transaction. So
 *   incremental == rebuild by construction, and `rebuildAnalytics` (everything of a store) is the same code over
 *   all days and customers.
 * - Why not listeners (caseStatusListeners, projections): not every change passes through them (first replies,
 *   compensation status, survey answers, orders), and a missed hook means silently wrong numbers forever;
 *   triggers cannot be bypassed. Why not a watermark on `updated_at`: projections stamp event time, so late
 *   events carry old stamps and would be skipped.
 * - Consequences: each write to those tables costs one extra small insert; a read after a burst of writes
 *   pays for recomputing the touched days (a day of a 1 M-case store is ~3 000 cases). The `agent` filter
 *   (and any ad-hoc combination beyond the rollup's dimensions) is computed from the raw rows of the period.
 *   Percentiles are exact to the bucket only. Days are UTC days.
 */
import { type Kysely, type SelectQueryBuilder, sql, type Transaction } from 'kysely';
import type { BusinessCalendar } from '../cases/business-hours.ts';
import type { DB } from '../platform/db/schema.ts';
import { loadSettings } from '../stores/store-settings.ts';
import {
  BUCKETS,
  type CaseFacts,
  counterColumns,
  durationSeries,
  emptyRow,
  histogramColumns,
  type KeyedRow,
  type RollupRow,
  rollUp,
} from './kpis.ts';
import { businessMinutesFn } from './kpis-hours.ts';
import { type CustomerHistory, type HistoryCase, outcomesOf } from './paradox.ts';

type Db = Kysely<DB> | Transaction<DB>;

const DAY_MS = 86_400_000;
const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/** Filters on cases beyond the period (raw path). */
export interface CaseFilter {
  channel?: string | undefined;
  kind?: string | undefined;
  tier?: string | undefined;
  source?: string | undefined;
  agent?: string | undefined;
}

async function calendarOf(db: Db, storeId: string): Promise<BusinessCalendar> {
  return (await loadSettings(db as Kysely<DB>, storeId)).resolved.calendar;
}

const wallMinutes = (a: string, b: string): number => Math.max(0, (Date.parse(b) - Date.parse(a)) / 60_000);

/**
 * The KPI facts of the cases opened in [fromDay, toDayExclusive) (UTC days), optionally filtered. Reads cases,
 * inbound message counts, reopenings, SLA clocks, issued compensations and survey answers.
 */
export async function loadCaseFacts(
  db: Db,
  storeId: string,
  fromDay: string,
  toDayExclusive: string,
  filter: CaseFilter = {},
  calendar?: BusinessCalendar,
): Promise<CaseFacts[]> {
  const businessMinutesBetween = businessMinutesFn(calendar ?? (await calendarOf(db, storeId)));
  // The period's cases under the filter: read as rows, and again as the subquery the child tables are read by.
  const scoped = () => {
    let q = db
      .selectFrom('cases')
      .where('store_id', '=', storeId)
      .where('created_at', '>=', fromDay)
      .where('created_at', '<', toDayExclusive);
    if (filter.channel !== undefined) q = q.where('channel', '=', filter.channel);
    if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
    if (filter.tier !== undefined) q = q.where('customer_tier', '=', filter.tier);
    if (filter.source !== undefined) q = q.where('source', '=', filter.source);
    if (filter.agent !== undefined) q = q.where('assignee_id', '=', filter.agent);
    return q;
  };
  const rows = await scoped()
    .select([
      'id',
      'status',
      'channel',
      'kind',
      'customer_tier',
      'source',
      'assignee_id',
      'created_at',
      'first_responded_at',
      'resolved_at',
    ])
    .execute();
  if (rows.length === 0) return [];
  const ids = () => scoped().select('id');
  const [inbound, reopened, slas, comps, surveys] = await Promise.all([
    inboundCounts(db, storeId, ids()),
    db
      .selectFrom('case_activities')
      .select('case_id')
      .distinct()
      .where('store_id', '=', storeId)
      .where('type', '=', 'status.changed')
      .where('data', 'like', '%"to":"reopened"%')
      .where('case_id', 'in', ids())
      .execute(),
    db
      .selectFrom('case_slas')
      .select(['case_id', 'metric', 'status', 'breached'])
      .where('store_id', '=', storeId)
      .where('case_id', 'in', ids())
      .execute(),
    db
      .selectFrom('compensations')
      .select(['case_id', 'cost'])
      .where('store_id', '=', storeId)
      .where('status', '=', 'issued')
      .where('case_id', 'in', ids())
      .execute(),
    db
      .selectFrom('survey_responses')
      .select(['case_id', 'metric', 'score'])
      .where('store_id', '=', storeId)
      .where('case_id', 'in', ids())
      .orderBy('answered_at')
      .execute(),
  ]);
  const reopenedSet = new Set(reopened.map((r) => r.case_id));
  const slaOf = new Map<string, CaseFacts['sla']>();
  for (const s of slas) {
    const v = slaOf.get(s.case_id) ?? {};
    const state = Number(s.breached) === 1 ? 'breached' : s.status === 'met' ? 'met' : 'open';
    if (s.metric === 'first_response' || s.metric === 'resolution') v[s.metric] = state;
    slaOf.set(s.case_id, v);
  }
  const compsOf = new Map<string, number[]>();
  for (const c of comps) {
    const list = compsOf.get(c.case_id) ?? [];
    list.push(Number(c.cost));
    compsOf.set(c.case_id, list);
  }
  const surveysOf = new Map<string, { metric: string; score: number }[]>();
  for (const s of surveys) {
    if (s.case_id === null) continue;
    const list = surveysOf.get(s.case_id) ?? [];
    list.push({ metric: s.metric, score: Number(s.score) });
    surveysOf.set(s.case_id, list);
  }
  return rows.map((r) => {
    const resolvedAt = r.status === 'resolved' || r.status === 'closed' ? r.resolved_at : null;
    return {
      createdAt: r.created_at,
      channel: r.channel,
      kind: r.kind,
      tier: r.customer_tier,
      source: r.source,
      assignee: r.assignee_id,
      status: r.status,
      reopened: reopenedSet.has(r.id),
      inbound: inbound.get(r.id) ?? 0,
      firstResponse: r.first_responded_at
        ? {
            wall: wallMinutes(r.created_at, r.first_responded_at),
            business: businessMinutesBetween(r.created_at, r.first_responded_at),
          }
        : null,
      resolution: resolvedAt
        ? { wall: wallMinutes(r.created_at, resolvedAt), business: businessMinutesBetween(r.created_at, resolvedAt) }
        : null,
      sla: slaOf.get(r.id) ?? {},
      surveys: surveysOf.get(r.id) ?? [],
      compensations: compsOf.get(r.id) ?? [],
    };
  });
}

/** Survey answers that belong to no case, answered in [fromDay, toDayExclusive). */
async function caselessSurveys(db: Db, storeId: string, fromDay: string, toDayExclusive: string) {
  const rows = await db
    .selectFrom('survey_responses')
    .select(['answered_at', 'metric', 'score'])
    .where('store_id', '=', storeId)
    .where('case_id', 'is', null)
    .where('answered_at', '>=', fromDay)
    .where('answered_at', '<', toDayExclusive)
    .execute();
  return rows.map((r) => ({ day: r.answered_at.slice(0, 10), metric: r.metric, score: Number(r.score) }));
}

function toDbRow(storeId: string, r: KeyedRow): Record<string, string | number> {
  const out: Record<string, string | number> = {
    store_id: storeId,
    grain: r.grain,
    day: r.day,
    channel: r.channel,
    kind: r.kind,
    tier: r.tier,
    source: r.source,
    assignee: r.assignee,
  };
  for (const c of counterColumns) out[c] = r[c];
  for (const s of durationSeries) for (let b = 0; b < BUCKETS; b++) out[`${s}_h${b}`] = r.hist[s][b]!;
  return out;
}

/** A rollup row from a row of sums (SQL numbers may come back as strings on PostgreSQL). */
export function fromDbRow(r: Record<string, unknown>): RollupRow {
  const out = emptyRow();
  for (const c of counterColumns) out[c] = Number(r[c] ?? 0);
  for (const s of durationSeries) for (let b = 0; b < BUCKETS; b++) out.hist[s][b] = Number(r[`${s}_h${b}`] ?? 0);
  return out;
}

async function insertChunks(
  db: Db,
  table: 'analytics_daily' | 'analytics_outcomes' | 'analytics_revenue_daily',
  rows: object[],
  per: number,
) {
  for (let i = 0; i < rows.length; i += per) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + per) as never)
      .execute();
  }
}

/** Recomputes the daily rows and revenue of the UTC days in [fromDay, toDayExclusive). */
async function recomputeDays(db: Db, storeId: string, fromDay: string, toDayExclusive: string, cal: BusinessCalendar, currency: string) {
  const facts = await loadCaseFacts(db, storeId, fromDay, toDayExclusive, {}, cal);
  const rows = rollUp(facts, 'dims', await caselessSurveys(db, storeId, fromDay, toDayExclusive));
  await db
    .deleteFrom('analytics_daily')
    .where('store_id', '=', storeId)
    .where('day', '>=', fromDay)
    .where('day', '<', toDayExclusive)
    .execute();
  await insertChunks(
    db,
    'analytics_daily',
    rows.map((r) => toDbRow(storeId, r)),
    100,
  );
  const revenue = await db
    .selectFrom('orders')
    .select([
      sql<string>`substr(placed_at, 1, 10)`.as('day'),
      (eb) => eb.fn.countAll<number>().as('orders'),
      (eb) => eb.fn.sum<number>('total_amount').as('revenue'),
    ])
    .where('store_id', '=', storeId)
    .where('currency', '=', currency)
    .where('placed_at', '>=', fromDay)
    .where('placed_at', '<', toDayExclusive)
    .groupBy(sql`substr(placed_at, 1, 10)`)
    .execute();
  await db
    .deleteFrom('analytics_revenue_daily')
    .where('store_id', '=', storeId)
    .where('day', '>=', fromDay)
    .where('day', '<', toDayExclusive)
    .execute();
  await insertChunks(
    db,
    'analytics_revenue_daily',
    revenue.map((r) => ({ store_id: storeId, day: r.day, orders: Number(r.orders), revenue: Number(r.revenue) })),
    500,
  );
}

/** How many messages the customer wrote on each of some cases (contacts per case, first-contact resolution). */
async function inboundCounts(
  db: Db,
  storeId: string,
  caseIds: SelectQueryBuilder<DB, 'cases', { id: string }>,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('case_messages')
    .select(['case_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('store_id', '=', storeId)
    .where('kind', '=', 'inbound')
    .where('author_type', '=', 'customer')
    .where('case_id', 'in', caseIds)
    .groupBy('case_id')
    .execute();
  return new Map(rows.map((r) => [r.case_id, Number(r.n)]));
}

/** Recomputes the outcome rows (paradox) of some customers. */
async function recomputeCustomers(db: Db, storeId: string, customerIds: string[]) {
  for (let i = 0; i < customerIds.length; i += 500) {
    const chunk = customerIds.slice(i, i + 500);
    const caseIds = () => db.selectFrom('cases').select('id').where('store_id', '=', storeId).where('customer_id', 'in', chunk);
    const [cases, orders, inbound, csat] = await Promise.all([
      db
        .selectFrom('cases')
        .select([
          'id',
          'customer_id',
          'created_at',
          'failure_at',
          'status',
          'source',
          'severity',
          'channel',
          'kind',
          'customer_tier',
          'assignee_id',
        ])
        .where('store_id', '=', storeId)
        .where('customer_id', 'in', chunk)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
      db
        .selectFrom('orders')
        .select(['customer_id', 'placed_at'])
        .where('store_id', '=', storeId)
        .where('customer_id', 'in', chunk)
        .execute(),
      inboundCounts(db, storeId, caseIds()),
      db
        .selectFrom('survey_responses')
        .select(['case_id', 'score'])
        .where('store_id', '=', storeId)
        .where('metric', '=', 'csat')
        .where('case_id', 'in', caseIds())
        .orderBy('answered_at')
        .execute(),
    ]);
    const histories = new Map<string, CustomerHistory>(chunk.map((id) => [id, { customerId: id, orders: [], cases: [] }]));
    for (const o of orders) if (o.customer_id) histories.get(o.customer_id)?.orders.push(o.placed_at);
    const csatOf = new Map<string, number[]>();
    for (const s of csat) {
      if (s.case_id === null) continue;
      const list = csatOf.get(s.case_id) ?? [];
      list.push(Number(s.score));
      csatOf.set(s.case_id, list);
    }
    for (const c of cases) {
      const h: HistoryCase = {
        id: c.id,
        createdAt: c.created_at,
        failureAt: c.failure_at,
        status: c.status,
        source: c.source,
        severity: c.severity === null ? null : Number(c.severity),
        channel: c.channel,
        kind: c.kind,
        tier: c.customer_tier,
        assignee: c.assignee_id,
        inbound: inbound.get(c.id) ?? 0,
        csat: csatOf.get(c.id) ?? [],
      };
      if (c.customer_id) histories.get(c.customer_id)?.cases.push(h);
    }
    const rows = [...histories.values()].flatMap(outcomesOf).map((o) => ({
      store_id: storeId,
      subject_id: o.subjectId,
      customer_id: o.customerId,
      cohort: o.cohort,
      ref_at: o.refAt,
      severity: o.severity,
      repeat: o.repeat ? 1 : 0,
      source: o.source,
      channel: o.channel,
      kind: o.kind,
      tier: o.tier,
      assignee: o.assignee,
      next_order_min: o.nextOrderMinutes,
    }));
    await db.deleteFrom('analytics_outcomes').where('store_id', '=', storeId).where('customer_id', 'in', chunk).execute();
    await insertChunks(db, 'analytics_outcomes', rows, 500);
  }
}

async function storeCurrency(db: Db, storeId: string): Promise<string> {
  const row = await db.selectFrom('stores').select('currency').where('id', '=', storeId).executeTakeFirstOrThrow();
  return row.currency;
}

export interface RefreshResult {
  days: number;
  customers: number;
}

/**
 * Folds in what changed since the last refresh: takes the store's dirty marks and recomputes those days and
 * customers, in one transaction (a mark made meanwhile stays for the next refresh).
 */
export async function refreshAnalytics(db: Kysely<DB>, storeId: string): Promise<RefreshResult> {
  const pending = await db.selectFrom('analytics_dirty').select('kind').where('store_id', '=', storeId).limit(1).execute();
  if (pending.length === 0) return { days: 0, customers: 0 };
  return db.transaction().execute(async (trx) => {
    const marks = await trx.deleteFrom('analytics_dirty').where('store_id', '=', storeId).returning(['kind', 'key']).execute();
    const days = [...new Set(marks.filter((m) => m.kind === 'day').map((m) => m.key))].filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort();
    const customers = [...new Set(marks.filter((m) => m.kind === 'customer').map((m) => m.key))];
    if (days.length > 0) {
      const cal = await calendarOf(trx, storeId);
      const currency = await storeCurrency(trx, storeId);
      // Consecutive days are recomputed as one range.
      let start = days[0]!;
      let end = nextDay(start);
      for (const d of days.slice(1)) {
        if (d === end) {
          end = nextDay(d);
          continue;
        }
        await recomputeDays(trx, storeId, start, end, cal, currency);
        start = d;
        end = nextDay(d);
      }
      await recomputeDays(trx, storeId, start, end, cal, currency);
    }
    await recomputeCustomers(trx, storeId, customers);
    return { days: days.length, customers: customers.length };
  });
}

/** Throws every rollup of a store away and computes it again from the raw rows (`amends`-side repair, bench). */
export async function rebuildAnalytics(db: Kysely<DB>, storeId: string): Promise<RefreshResult> {
  const cal = await calendarOf(db, storeId);
  const currency = await storeCurrency(db, storeId);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('analytics_dirty').where('store_id', '=', storeId).execute();
    await trx.deleteFrom('analytics_daily').where('store_id', '=', storeId).execute();
    await trx.deleteFrom('analytics_revenue_daily').where('store_id', '=', storeId).execute();
    await trx.deleteFrom('analytics_outcomes').where('store_id', '=', storeId).execute();
  });
  const bounds = await Promise.all([
    db
      .selectFrom('cases')
      .select((eb) => [eb.fn.min('created_at').as('lo'), eb.fn.max('created_at').as('hi')])
      .where('store_id', '=', storeId)
      .executeTakeFirst(),
    db
      .selectFrom('orders')
      .select((eb) => [eb.fn.min('placed_at').as('lo'), eb.fn.max('placed_at').as('hi')])
      .where('store_id', '=', storeId)
      .executeTakeFirst(),
    db
      .selectFrom('survey_responses')
      .select((eb) => [eb.fn.min('answered_at').as('lo'), eb.fn.max('answered_at').as('hi')])
      .where('store_id', '=', storeId)
      .executeTakeFirst(),
  ]);
  const los = bounds.map((b) => b?.lo).filter((x): x is string => typeof x === 'string');
  const his = bounds.map((b) => b?.hi).filter((x): x is string => typeof x === 'string');
  let days = 0;
  if (los.length > 0) {
    const lo = los.sort()[0]!.slice(0, 10);
    const hi = nextDay(his.sort()[his.length - 1]!.slice(0, 10));
    // A week per transaction: bounded memory, and writers are not held up for long.
    for (let d = lo; d < hi; ) {
      let end = d;
      for (let k = 0; k < 7 && end < hi; k++) end = nextDay(end);
      const from = d;
      await db.transaction().execute((trx) => recomputeDays(trx, storeId, from, end, cal, currency));
      d = end;
    }
    days = Math.round((Date.parse(hi) - Date.parse(lo)) / DAY_MS);
  }
  const ids = await db
    .selectFrom('cases')
    .select('customer_id')
    .where('store_id', '=', storeId)
    .where('customer_id', 'is not', null)
    .union(db.selectFrom('orders').select('customer_id').where('store_id', '=', storeId).where('customer_id', 'is not', null))
    .execute();
  const customers = ids.map((r) => r.customer_id).filter((x): x is string => x !== null);
  for (let i = 0; i < customers.length; i += 5000) {
    const chunk = customers.slice(i, i + 5000);
    await db.transaction().execute((trx) => recomputeCustomers(trx, storeId, chunk));
  }
  return { days, customers: customers.length };
}

/** The raw rows' figures for a period as rollup rows (the incremental == rebuild check, and ad-hoc filters). */
export async function rawRows(
  db: Kysely<DB>,
  storeId: string,
  fromDay: string,
  toDayExclusive: string,
  filter: CaseFilter = {},
): Promise<KeyedRow[]> {
  const facts = await loadCaseFacts(db, storeId, fromDay, toDayExclusive, filter);
  const plain = Object.values(filter).every((v) => v === undefined);
  return rollUp(facts, 'dims', plain ? await caselessSurveys(db, storeId, fromDay, toDayExclusive) : []);
}

/** The stored rollup rows of a period (tests, diagnostics). */
export async function storedRows(db: Kysely<DB>, storeId: string, fromDay: string, toDayExclusive: string): Promise<KeyedRow[]> {
  const rows = await db
    .selectFrom('analytics_daily')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('day', '>=', fromDay)
    .where('day', '<', toDayExclusive)
    .execute();
  return rows.map((r) => ({
    ...fromDbRow(r as unknown as Record<string, unknown>),
    grain: r.grain as 'dims',
    day: r.day,
    channel: r.channel,
    kind: r.kind,
    tier: r.tier,
    source: r.source,
    assignee: r.assignee,
  }));
}

export { histogramColumns };
