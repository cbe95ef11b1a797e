/**
 * Loads the KPIs of a period from the rollups (after folding in what changed) and shapes them, with the CSV
 * tables of the same figures. The agent filter is answered from the raw rows of the period (the rollups have
 * no assignee dimension); the rest from `analytics_daily`.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../platform/db/schema.ts';
import {
  type CostLine,
  type CsvTable,
  costLines,
  counterColumns,
  groupRows,
  histogramColumns,
  type KpiSummary,
  type RollupRow,
  type SourceOutcome,
  sourceOutcomes,
  summarize,
  sumRows,
  type TrendPoint,
  trend,
} from './kpis.ts';
import { type CaseFilter, fromDbRow, rawRows, refreshAnalytics } from './rollups.ts';

const DAY_MS = 86_400_000;
const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
export const REPURCHASE_DAYS = 90;

export interface KpiQuery extends CaseFilter {
  /** UTC days, inclusive. */
  from: string;
  to: string;
}

export interface KpiReport {
  from: string;
  to: string;
  filters: CaseFilter;
  /** `rollup` or `raw` (agent filter). */
  computedFrom: 'rollup' | 'raw';
  summary: KpiSummary;
  proactiveShare: number | null;
  costByTier: CostLine[];
  costByKind: CostLine[];
  proactiveVsReactive: SourceOutcome[];
  trend: TrendPoint[];
}

const dimColumn = { channel: 'channel', kind: 'kind', tier: 'tier', source: 'source' } as const;

async function rollupGroups(db: Kysely<DB>, storeId: string, q: KpiQuery) {
  const base = () => {
    let b = db
      .selectFrom('analytics_daily')
      .where('store_id', '=', storeId)
      .where('grain', '=', 'dims')
      .where('day', '>=', q.from)
      .where('day', '<=', q.to);
    for (const [k, col] of Object.entries(dimColumn) as [keyof typeof dimColumn, keyof typeof dimColumn][]) {
      const v = q[k];
      if (v !== undefined) b = b.where(col, '=', v);
    }
    return b;
  };
  const sums = (cols: readonly string[]) => cols.map((c) => sql<number>`sum(${sql.ref(c)})`.as(c));
  const small = ['cases', 'resolved', 'cost', 'csat_n', 'csat_sum'] as const;
  const [total, byTier, byKind, bySource, byDay] = await Promise.all([
    base()
      .select(sums([...counterColumns, ...histogramColumns]))
      .executeTakeFirst(),
    base()
      .select(['tier as key', ...sums(small)])
      .groupBy('tier')
      .execute(),
    base()
      .select(['kind as key', ...sums(small)])
      .groupBy('kind')
      .execute(),
    base()
      .select(['source as key', ...sums(small)])
      .groupBy('source')
      .execute(),
    base()
      .select(['day as key', ...sums(small)])
      .groupBy('day')
      .execute(),
  ]);
  const grouped = (rows: Record<string, unknown>[]) => new Map(rows.map((r) => [String(r.key), fromDbRow(r)]));
  return {
    total: fromDbRow((total ?? {}) as Record<string, unknown>),
    byTier: grouped(byTier),
    byKind: grouped(byKind),
    bySource: grouped(bySource),
    byDay: grouped(byDay),
  };
}

async function rawGroups(db: Kysely<DB>, storeId: string, q: KpiQuery) {
  const rows = await rawRows(db, storeId, q.from, nextDay(q.to), {
    channel: q.channel,
    kind: q.kind,
    tier: q.tier,
    source: q.source,
    agent: q.agent,
  });
  return {
    total: sumRows(rows),
    byTier: groupRows(rows, (r) => r.tier),
    byKind: groupRows(rows, (r) => r.kind),
    bySource: groupRows(rows, (r) => r.source),
    byDay: groupRows(rows, (r) => r.day),
  };
}

/** Repurchase within 90 days of failures in the period (only those whose 90 days have passed), by source. */
async function repurchaseBySource(db: Kysely<DB>, storeId: string, q: KpiQuery, now: string) {
  const cutoff = new Date(Date.parse(now) - REPURCHASE_DAYS * DAY_MS).toISOString();
  let b = db
    .selectFrom('analytics_outcomes')
    .select([
      'source',
      (eb) => eb.fn.countAll<number>().as('eligible'),
      sql<number>`sum(case when next_order_min is not null and next_order_min <= ${REPURCHASE_DAYS * 1440} then 1 else 0 end)`.as(
        'repurchased',
      ),
    ])
    .where('store_id', '=', storeId)
    .where('cohort', '<>', 'never_failed')
    .where('ref_at', '>=', q.from)
    .where('ref_at', '<', nextDay(q.to))
    .where('ref_at', '<=', cutoff);
  for (const k of ['channel', 'kind', 'tier', 'source'] as const) {
    const v = q[k];
    if (v !== undefined) b = b.where(k, '=', v);
  }
  if (q.agent !== undefined) b = b.where('assignee', '=', q.agent);
  const rows = await b.groupBy('source').execute();
  return new Map(rows.map((r) => [r.source, { eligible: Number(r.eligible), repurchased: Number(r.repurchased) }]));
}

export async function kpiReport(db: Kysely<DB>, storeId: string, q: KpiQuery, now: string): Promise<KpiReport> {
  await refreshAnalytics(db, storeId);
  const raw = q.agent !== undefined;
  const [groups, revenueRow, store, repurchase] = await Promise.all([
    raw ? rawGroups(db, storeId, q) : rollupGroups(db, storeId, q),
    db
      .selectFrom('analytics_revenue_daily')
      .select([(eb) => eb.fn.sum<number>('orders').as('orders'), (eb) => eb.fn.sum<number>('revenue').as('revenue')])
      .where('store_id', '=', storeId)
      .where('day', '>=', q.from)
      .where('day', '<=', q.to)
      .executeTakeFirst(),
    db.selectFrom('stores').select('currency').where('id', '=', storeId).executeTakeFirstOrThrow(),
    repurchaseBySource(db, storeId, q, now),
  ]);
  const summary = summarize(
    groups.total,
    { orders: Number(revenueRow?.orders ?? 0), amount: Number(revenueRow?.revenue ?? 0) },
    store.currency,
  );
  const proactive: RollupRow | undefined = groups.bySource.get('proactive');
  return {
    from: q.from,
    to: q.to,
    filters: Object.fromEntries(
      (['channel', 'kind', 'tier', 'source', 'agent'] as const).filter((k) => q[k] !== undefined).map((k) => [k, q[k]]),
    ) as CaseFilter,
    computedFrom: raw ? 'raw' : 'rollup',
    summary,
    proactiveShare: summary.cases === 0 ? null : Math.round(((proactive?.cases ?? 0) / summary.cases) * 1000) / 1000,
    costByTier: costLines(new Map([...groups.byTier].filter(([, r]) => r.cases > 0 || r.cost > 0))),
    costByKind: costLines(new Map([...groups.byKind].filter(([, r]) => r.cases > 0 || r.cost > 0))),
    proactiveVsReactive: sourceOutcomes(groups.bySource, repurchase),
    trend: trend(groups.byDay, q.from, q.to),
  };
}

/** The CSV tables of a report, in a fixed order; names are what `table=` takes. */
export const csvTableNames = ['summary', 'durations', 'sla', 'cost_by_tier', 'cost_by_kind', 'proactive_vs_reactive', 'trend'] as const;
export type CsvTableName = (typeof csvTableNames)[number];

export function kpiCsvTables(r: KpiReport): CsvTable[] {
  const s = r.summary;
  const currency = s.cost.total.currency;
  const tables: Record<CsvTableName, CsvTable> = {
    summary: {
      name: 'summary',
      header: ['metric', 'value'],
      rows: [
        ['from', r.from],
        ['to', r.to],
        ['cases', s.cases],
        ['resolved', s.resolved],
        ['first_contact_resolution_rate', s.firstContactResolution.rate],
        ['contacts_per_case', s.contactsPerCase],
        ['reopen_rate', s.reopenRate],
        ['csat_average', s.csat.average],
        ['csat_count', s.csat.count],
        ['csat_satisfied_share', s.csat.satisfiedShare],
        ['ces_average', s.ces.average],
        ['ces_count', s.ces.count],
        ['nps_score', s.nps.score],
        ['nps_count', s.nps.count],
        ['proactive_share', r.proactiveShare],
        [`recovery_cost_total_${currency}_minor`, s.cost.total.amount],
        [`recovery_cost_per_case_${currency}_minor`, s.cost.perCase?.amount ?? null],
        ['recovery_cost_pct_of_revenue', s.cost.shareOfRevenue],
        [`revenue_${currency}_minor`, s.revenue.amount],
        ['orders', s.revenue.orders],
      ],
    },
    durations: {
      name: 'durations',
      header: ['metric', 'clock', 'count', 'mean_minutes', 'p50_minutes', 'p90_minutes'],
      rows: (['firstResponse', 'resolution'] as const).flatMap((m) =>
        (['wall', 'business'] as const).map((c) => {
          const d = s[m][c];
          return [m === 'firstResponse' ? 'first_response' : 'resolution', c, d.count, d.meanMinutes, d.p50Minutes, d.p90Minutes];
        }),
      ),
    },
    sla: {
      name: 'sla',
      header: ['metric', 'met', 'breached', 'attainment'],
      rows: [
        ['first_response', s.sla.firstResponse.met, s.sla.firstResponse.breached, s.sla.firstResponse.attainment],
        ['resolution', s.sla.resolution.met, s.sla.resolution.breached, s.sla.resolution.attainment],
      ],
    },
    cost_by_tier: {
      name: 'cost_by_tier',
      header: ['tier', 'cases', `cost_${currency}_minor`, `per_case_${currency}_minor`],
      rows: r.costByTier.map((l) => [l.key, l.cases, l.cost, l.perCase]),
    },
    cost_by_kind: {
      name: 'cost_by_kind',
      header: ['kind', 'cases', `cost_${currency}_minor`, `per_case_${currency}_minor`],
      rows: r.costByKind.map((l) => [l.key, l.cases, l.cost, l.perCase]),
    },
    proactive_vs_reactive: {
      name: 'proactive_vs_reactive',
      header: [
        'source',
        'cases',
        'csat_average',
        'csat_count',
        `cost_per_case_${currency}_minor`,
        'repurchase_eligible',
        'repurchased',
        'repurchase_rate',
      ],
      rows: r.proactiveVsReactive.map((o) => [
        o.source,
        o.cases,
        o.csatAverage,
        o.csatCount,
        o.costPerCase,
        o.repurchase.eligible,
        o.repurchase.repurchased,
        o.repurchase.rate,
      ]),
    },
    trend: {
      name: 'trend',
      header: ['day', 'cases', 'resolved', 'csat_average', `cost_${currency}_minor`],
      rows: r.trend.map((p) => [p.day, p.cases, p.resolved, p.csatAverage, p.cost]),
    },
  };
  return csvTableNames.map((n) => tables[n]);
}
