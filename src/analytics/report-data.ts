/**
 * What `amends report` reports: the same analytics the console shows, loaded through the services behind the
 * `/api/v1/analytics/*` endpoints (KPIs, the paradox index, Pareto by every dimension, weak spots, recurring
 * issues) for one store and period, as one JSON document (`--format json`), and turned into the HTML view
 * (`toReportView`, pure) that report-html.ts renders.
 *
 * Periods are whole UTC days, both ends included (as the KPI endpoint takes them); the root-cause services take
 * an exclusive end instant, so they get the start of the day after `to`.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.ts';
import { fractionDigits } from '../policy/money.ts';
import type { KpiReport } from './kpis.service.ts';
import type { ParadoxReport, SplitLine } from './paradox.ts';
import type { RecurringIssueView } from './recurring.service.ts';
import type { ReportCohortSet, ReportView } from './report-html.ts';
import type { Pareto, ParetoDimension } from './root-cause.ts';
import type { WeakSpot, WeakSpots } from './weak-spots.ts';

export const reportDimensions: readonly ParetoDimension[] = ['kind', 'cause', 'carrier', 'sku', 'region'];

export interface ReportData {
  store: { id: string; name: string; currency: string; timezone: string };
  /** UTC days, both included. */
  from: string;
  to: string;
  generatedAt: string;
  windowDays: number;
  kpis: KpiReport;
  paradox: ParadoxReport & { from: string; to: string };
  pareto: Record<ParetoDimension, Pareto>;
  weakSpots: WeakSpots;
  recurring: RecurringIssueView[];
}

const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function loadReportData(
  db: Kysely<DB>,
  storeId: string,
  opts: { from: string; to: string; windowDays: number; now: Date },
): Promise<ReportData> {
  const [{ kpiReport }, { paradoxIndex }, { paretoOf, weakSpotsOf }, { listRecurringIssues }, { weekOf }] = await Promise.all([
    import('./kpis.service.ts'),
    import('./paradox.service.ts'),
    import('./root-cause.service.ts'),
    import('./recurring.service.ts'),
    import('./recurring.ts'),
  ]);
  const store = await db
    .selectFrom('stores')
    .select(['id', 'name', 'currency', 'timezone'])
    .where('id', '=', storeId)
    .executeTakeFirstOrThrow();
  const nowIso = opts.now.toISOString();
  const period = { from: `${opts.from}T00:00:00.000Z`, to: new Date(Date.parse(`${opts.to}T00:00:00Z`) + DAY).toISOString() };
  // One after the other: the KPI and paradox services fold the rollups in first, and SQLite has one writer.
  const kpis = await kpiReport(db, storeId, { from: opts.from, to: opts.to }, nowIso);
  const paradox = await paradoxIndex(db, storeId, { windowDays: opts.windowDays, from: opts.from, to: opts.to }, nowIso);
  const pareto = {} as Record<ParetoDimension, Pareto>;
  for (const by of reportDimensions) pareto[by] = await paretoOf(db, storeId, by, period);
  const weakSpots = await weakSpotsOf(db, storeId, period, { minOrders: 30, limit: 15 });
  const recurring = await listRecurringIssues(db, storeId, {
    fromWeek: weekOf(period.from, store.timezone),
    toWeek: weekOf(new Date(Date.parse(period.to) - 1).toISOString(), store.timezone),
    limit: 100,
  });
  return {
    store,
    from: opts.from,
    to: opts.to,
    generatedAt: nowIso,
    windowDays: opts.windowDays,
    kpis,
    paradox,
    pareto,
    weakSpots,
    recurring,
  };
}

/** Default period: the 365 days up to `now` (UTC days). */
export function defaultPeriod(now: Date): { from: string; to: string } {
  return { from: dayOf(now.getTime() - 364 * DAY), to: dayOf(now.getTime()) };
}

// ---------------------------------------------------------------------------------------------------------------
// The view (pure)

function money(minor: number, currency: string): string {
  const digits = fractionDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const major = Math.floor(abs / 10 ** digits).toLocaleString('en');
  return `${sign}${currency} ${digits > 0 ? `${major}.${String(abs % 10 ** digits).padStart(digits, '0')}` : major}`;
}

/** Minutes → `2d 4h`, `3h 12m`, `45m`. */
export function duration(minutes: number | null): string {
  if (minutes === null) return '—';
  const m = Math.round(minutes);
  if (m < 1) return '<1m';
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  if (d > 0) return h ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return mm ? `${h}h ${mm}m` : `${h}h`;
  return `${mm}m`;
}

const pct = (v: number | null, digits = 0) => (v === null ? '—' : `${(v * 100).toFixed(digits)} %`);

const dimensionTitle: Record<ParetoDimension, string> = {
  kind: 'Failures by kind',
  cause: 'Failures by cause',
  carrier: 'Failures by carrier',
  sku: 'Failures by product (SKU)',
  region: 'Failures by region',
};

function splitSet(p: ParadoxReport, s: SplitLine, title: string): ReportCohortSet {
  const never = p.cohorts.neverFailed;
  const c = (label: string, x: typeof never) => ({
    label,
    n: x.n,
    repurchased: x.repurchased,
    rate: x.rate,
    low: x.interval?.low ?? null,
    high: x.interval?.high ?? null,
  });
  return {
    title,
    cohorts: [c('Never failed', never), c('Recovered', s.recovered), c('Not recovered', s.notRecovered)],
    verdict: s.verdict.text,
  };
}

function weakTable(title: string, first: string, rows: WeakSpot[], minOrders: number, hours = false) {
  return {
    title,
    header: [first, 'Orders', 'Failed', 'Failure rate', '95 % interval', '× store'],
    rows: rows.map((r) => [
      hours ? `${r.value}:00` : r.value,
      r.orders,
      r.failed,
      pct(r.rate, 1),
      `${pct(r.low, 1)} – ${pct(r.high, 1)}`,
      r.lift === null ? '—' : r.lift.toFixed(2),
    ]),
    numeric: [1, 2, 3, 5],
    empty: `Nothing with at least ${minOrders} orders in the period.`,
  };
}

export function toReportView(d: ReportData): ReportView {
  const s = d.kpis.summary;
  const cur = d.store.currency;
  const p = d.paradox;
  const cohort = (label: string, x: ParadoxReport['cohorts']['neverFailed']) => ({
    label,
    n: x.n,
    repurchased: x.repurchased,
    rate: x.rate,
    low: x.interval?.low ?? null,
    high: x.interval?.high ?? null,
  });
  const t = d.kpis.trend;
  const digits = fractionDigits(cur);
  return {
    storeName: d.store.name,
    storeId: d.store.id,
    currency: cur,
    from: d.from,
    to: d.to,
    generatedAt: d.generatedAt,
    tiles: [
      { label: 'Cases', value: String(s.cases), detail: `${s.resolved} resolved` },
      {
        label: 'First response (business hours)',
        value: duration(s.firstResponse.business.p50Minutes),
        detail: `median · p90 ${duration(s.firstResponse.business.p90Minutes)} · wall clock ${duration(s.firstResponse.wall.p50Minutes)} / ${duration(s.firstResponse.wall.p90Minutes)}`,
      },
      {
        label: 'Resolution (business hours)',
        value: duration(s.resolution.business.p50Minutes),
        detail: `median · p90 ${duration(s.resolution.business.p90Minutes)} · wall clock ${duration(s.resolution.wall.p50Minutes)} / ${duration(s.resolution.wall.p90Minutes)}`,
      },
      {
        label: 'First-contact resolution',
        value: pct(s.firstContactResolution.rate),
        detail: `${s.firstContactResolution.cases} of ${s.resolved} resolved`,
      },
      { label: 'Contacts per case', value: s.contactsPerCase === null ? '—' : s.contactsPerCase.toFixed(2) },
      { label: 'CSAT', value: s.csat.average === null ? '—' : `${s.csat.average.toFixed(2)} / 5`, detail: `${s.csat.count} answers` },
      { label: 'CES', value: s.ces.average === null ? '—' : s.ces.average.toFixed(2), detail: `${s.ces.count} answers` },
      { label: 'NPS', value: s.nps.score === null ? '—' : String(s.nps.score), detail: `${s.nps.count} answers` },
      {
        label: 'SLA attainment',
        value: pct(s.sla.firstResponse.attainment),
        detail: `first response · resolution ${pct(s.sla.resolution.attainment)}`,
      },
      {
        label: 'Recovery cost',
        value: money(s.cost.total.amount, cur),
        detail: `${s.cost.perCase ? `${money(s.cost.perCase.amount, cur)} per case` : '—'} · ${s.cost.shareOfRevenue === null ? '—' : `${s.cost.shareOfRevenue.toFixed(2)} %`} of revenue`,
      },
      { label: 'Proactive share', value: pct(d.kpis.proactiveShare), detail: 'Cases opened before the customer complained' },
    ],
    trend: t.length
      ? [
          {
            labels: t.map((x) => x.day),
            series: [
              { name: 'Cases opened', values: t.map((x) => x.cases) },
              { name: 'Resolved', values: t.map((x) => x.resolved) },
            ],
          },
          { labels: t.map((x) => x.day), series: [{ name: 'CSAT average', values: t.map((x) => x.csatAverage) }] },
          { labels: t.map((x) => x.day), series: [{ name: `Recovery cost (${cur})`, values: t.map((x) => x.cost / 10 ** digits) }] },
        ]
      : [],
    paradox: {
      windowDays: p.windowDays,
      note: `Failures from ${p.from} to ${p.to}. ${p.notes.join(' ')}`,
      main: {
        title: 'All failures',
        cohorts: [
          cohort('Never failed', p.cohorts.neverFailed),
          cohort('Recovered', p.cohorts.recovered),
          cohort('Not recovered', p.cohorts.notRecovered),
        ],
        verdict: `${p.verdict.text} ${p.recoveryEffect.text}`,
      },
      splits: [
        ...p.bySeverity.map((x) => splitSet(p, x, `Severity ${x.key}`)),
        ...p.byRepeat.map((x) => splitSet(p, x, x.key === 'repeat' ? 'Repeat failures' : 'First failures')),
      ],
    },
    pareto: reportDimensions.map((by) => {
      const x = d.pareto[by];
      return {
        by,
        title: dimensionTitle[by],
        rows: x.rows.map((r) => ({ label: r.value, count: r.count, share: r.share, cumulativeShare: r.cumulativeShare })),
        note: x.unattributed > 0 ? `${x.unattributed} of ${x.failures} failures have no ${by} and are left out.` : undefined,
      };
    }),
    tables: [
      {
        title: 'Recovery cost by tier',
        header: ['Tier', 'Cases', 'Cost', 'Per case'],
        rows: d.kpis.costByTier.map((c) => [c.key, c.cases, money(c.cost, cur), c.perCase === null ? '—' : money(c.perCase, cur)]),
        numeric: [1, 2, 3],
      },
      {
        title: 'Recovery cost by kind',
        header: ['Kind', 'Cases', 'Cost', 'Per case'],
        rows: d.kpis.costByKind.map((c) => [c.key, c.cases, money(c.cost, cur), c.perCase === null ? '—' : money(c.perCase, cur)]),
        numeric: [1, 2, 3],
      },
      {
        title: 'Proactive vs reactive',
        header: ['Source', 'Cases', 'CSAT', 'Cost per case', 'Repurchase'],
        rows: d.kpis.proactiveVsReactive.map((o) => [
          o.source,
          o.cases,
          o.csatAverage === null ? '—' : o.csatAverage.toFixed(2),
          o.costPerCase === null ? '—' : money(o.costPerCase, cur),
          `${pct(o.repurchase.rate)} of ${o.repurchase.eligible}`,
        ]),
        numeric: [1, 2, 3],
      },
      weakTable('Weak spots: products', 'Product (SKU)', d.weakSpots.products, d.weakSpots.minOrders),
      weakTable('Weak spots: carriers', 'Carrier', d.weakSpots.carriers, d.weakSpots.minOrders),
      weakTable('Weak spots: hour of the day ordered', 'Hour', d.weakSpots.hours, d.weakSpots.minOrders, true),
      {
        title: 'Recurring issues (weekly spikes)',
        header: ['Week of', 'Issue', 'Cases', 'Usual a week', 'z', 'Status'],
        rows: d.recurring.map((r) => {
          const top = [...r.spikes].sort((a, b) => b.z - a.z)[0];
          return [r.week, r.title, r.cases, top ? top.baselineMean.toFixed(1) : '—', top ? top.z.toFixed(1) : '—', r.status];
        }),
        numeric: [2, 3, 4],
        empty: 'No week in the period stood out.',
      },
    ],
    missing: [],
  };
}
