import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';

/** Histogram buckets per duration column (edges in src/analytics/kpis.ts `DURATION_EDGES`). */
const BUCKETS = 15;
const durationSeries = ['frt_wall', 'frt_biz', 'res_wall', 'res_biz'] as const;

/**
 * Analytics rollups (issue 9; src/analytics/rollups.ts has the design note):
 * - `analytics_daily`: per store, grain, UTC day of opening and dimensions, the counts and sums the KPIs need,
 *   with fixed histogram buckets for durations (p50/p90 come from the buckets);
 * - `analytics_revenue_daily`: orders and revenue per UTC day of placement;
 * - `analytics_outcomes`: one row per failure (case) and per never-failed customer, with the cohort and the
 *   minutes to the customer's next order: the paradox index and repurchase are one grouped scan of it;
 * - `analytics_dirty`: days and customers whose rows must be recomputed, marked by triggers on every write to
 *   the source tables, whatever code path made it; a refresh folds in only those.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  let daily = db.schema
    .createTable('analytics_daily')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    /** `dims` (channel, kind, tier, source; assignee '*') or `agent` (assignee; the others '*'). */
    .addColumn('grain', 'text', (c) => c.notNull())
    /** UTC day the case was opened (YYYY-MM-DD); survey answers without a case: the day answered. */
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('assignee', 'text', (c) => c.notNull());
  const counters = [
    'cases',
    'resolved',
    'reopened',
    'fcr',
    'inbound',
    'frt_n',
    'frt_wall_sum',
    'frt_biz_sum',
    'res_n',
    'res_wall_sum',
    'res_biz_sum',
    'sla_fr_met',
    'sla_fr_breached',
    'sla_res_met',
    'sla_res_breached',
    'csat_n',
    'csat_sum',
    'csat_ge4',
    'ces_n',
    'ces_sum',
    'nps_n',
    'nps_promoters',
    'nps_detractors',
    'cost',
    'compensations',
    'compensated_cases',
  ];
  for (const c of counters) daily = daily.addColumn(c, 'bigint', (col) => col.notNull().defaultTo(0));
  for (const s of durationSeries) {
    for (let b = 0; b < BUCKETS; b++) daily = daily.addColumn(`${s}_h${b}`, 'integer', (col) => col.notNull().defaultTo(0));
  }
  await daily
    .addPrimaryKeyConstraint('analytics_daily_pk', ['store_id', 'grain', 'day', 'channel', 'kind', 'tier', 'source', 'assignee'])
    .execute();

  await db.schema
    .createTable('analytics_revenue_daily')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('orders', 'bigint', (c) => c.notNull())
    /** Minor units of the store's currency (orders in other currencies are left out). */
    .addColumn('revenue', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_revenue_daily_pk', ['store_id', 'day'])
    .execute();

  await db.schema
    .createTable('analytics_outcomes')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    /** A case id (failures) or a customer id (never failed). */
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    /** never_failed | recovered | not_recovered | unrated (resolved, no evidence either way) | open. */
    .addColumn('cohort', 'text', (c) => c.notNull())
    /** The failure's instant, or the never-failed customer's reference order. */
    .addColumn('ref_at', 'text', (c) => c.notNull())
    .addColumn('severity', 'integer')
    /** 1: the customer had another failure in the 365 days before. */
    .addColumn('repeat', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('assignee', 'text', (c) => c.notNull())
    /** Minutes from ref_at to the customer's next order placed after it; null: none (yet). */
    .addColumn('next_order_min', 'integer')
    .addPrimaryKeyConstraint('analytics_outcomes_pk', ['store_id', 'subject_id'])
    .execute();
  // Covering index: the paradox query reads only the index.
  await db.schema
    .createIndex('analytics_outcomes_ref_idx')
    .on('analytics_outcomes')
    .columns(['store_id', 'ref_at', 'cohort', 'severity', 'repeat', 'next_order_min'])
    .execute();
  await db.schema.createIndex('analytics_outcomes_customer_idx').on('analytics_outcomes').columns(['store_id', 'customer_id']).execute();

  await db.schema
    .createTable('analytics_dirty')
    .addColumn('store_id', 'text', (c) => c.notNull())
    /** day (a UTC day of analytics_daily / analytics_revenue_daily) | customer (their analytics_outcomes rows). */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_dirty_pk', ['store_id', 'kind', 'key'])
    .execute();

  // Triggers: each write to a source table marks what it changes. The body is the same SQL on both engines
  // except the conflict clause.
  const ins = (select: string) =>
    dialect === 'postgres'
      ? `insert into analytics_dirty (store_id, kind, key) ${select} on conflict do nothing;`
      : `insert or ignore into analytics_dirty (store_id, kind, key) ${select};`;
  const caseDay = (caseIdExpr: string) =>
    ins(`select store_id, 'day', substr(created_at, 1, 10) from cases where store_id = new.store_id and id = ${caseIdExpr}`);
  const caseCustomer = (caseIdExpr: string) =>
    ins(
      `select store_id, 'customer', customer_id from cases where store_id = new.store_id and id = ${caseIdExpr} and customer_id is not null`,
    );
  const bodies: { table: string; events: ('insert' | 'update')[]; body: string[] }[] = [
    {
      table: 'cases',
      events: ['insert', 'update'],
      body: [
        ins(`select new.store_id, 'day', substr(new.created_at, 1, 10)`),
        ins(`select new.store_id, 'customer', new.customer_id where new.customer_id is not null`),
      ],
    },
    { table: 'case_messages', events: ['insert'], body: [caseDay('new.case_id'), caseCustomer('new.case_id')] },
    { table: 'case_slas', events: ['insert', 'update'], body: [caseDay('new.case_id')] },
    { table: 'compensations', events: ['insert', 'update'], body: [caseDay('new.case_id')] },
    {
      table: 'survey_responses',
      events: ['insert'],
      body: [
        caseDay('new.case_id'),
        caseCustomer('new.case_id'),
        ins(`select new.store_id, 'day', substr(new.answered_at, 1, 10) where new.case_id is null`),
      ],
    },
    {
      table: 'orders',
      events: ['insert', 'update'],
      body: [
        ins(`select new.store_id, 'day', substr(new.placed_at, 1, 10)`),
        ins(`select new.store_id, 'customer', new.customer_id where new.customer_id is not null`),
      ],
    },
  ];
  for (const { table, events, body } of bodies) {
    if (dialect === 'postgres') {
      await sql
        .raw(`create function analytics_mark_${table}() returns trigger language plpgsql as $$ begin ${body.join(' ')} return null; end $$`)
        .execute(db);
      await sql
        .raw(
          `create trigger analytics_mark_${table} after ${events.join(' or ')} on ${table} for each row execute function analytics_mark_${table}()`,
        )
        .execute(db);
    } else {
      for (const e of events) {
        await sql.raw(`create trigger analytics_mark_${table}_${e} after ${e} on ${table} begin ${body.join(' ')} end`).execute(db);
      }
    }
  }

  // Data that exists before this migration: everything is dirty, so the first refresh builds it.
  const backfill = [
    `select distinct store_id, 'day', substr(created_at, 1, 10) from cases`,
    `select distinct store_id, 'day', substr(placed_at, 1, 10) from orders`,
    `select distinct store_id, 'day', substr(answered_at, 1, 10) from survey_responses where case_id is null`,
    `select distinct store_id, 'customer', customer_id from cases where customer_id is not null`,
    `select distinct store_id, 'customer', customer_id from orders where customer_id is not null`,
  ];
  for (const select of backfill) await sql.raw(ins(select).replace(/;$/, '')).execute(db);
}
