/**
 * The analytics API's answers as the console reads them (src/analytics/*.routes.ts). Optional where the
 * page copes without a part.
 */

export interface Money {
  amount: number;
  currency: string;
}

export interface DurationStats {
  count: number;
  meanMinutes: number | null;
  p50Minutes: number | null;
  p90Minutes: number | null;
}

export interface KpiSummary {
  cases: number;
  resolved: number;
  firstResponse: { wall: DurationStats; business: DurationStats };
  resolution: { wall: DurationStats; business: DurationStats };
  firstContactResolution: { cases: number; rate: number | null };
  contactsPerCase: number | null;
  reopenRate?: number | null;
  csat: { count: number; average: number | null; satisfiedShare?: number | null };
  ces: { count: number; average: number | null };
  nps: { count: number; score: number | null; promoters?: number; detractors?: number };
  sla: Record<'firstResponse' | 'resolution', { met: number; breached: number; attainment: number | null }>;
  cost: { total: Money; perCase: Money | null; compensations?: number; compensatedCases?: number; shareOfRevenue: number | null };
  revenue?: Money & { orders: number };
}

export interface TrendPoint {
  day: string;
  cases: number;
  resolved: number;
  csatAverage: number | null;
  cost: number;
}

export interface SourceOutcome {
  source: string;
  cases: number;
  csatAverage: number | null;
  csatCount?: number;
  costPerCase: number | null;
  repurchase?: { eligible: number; repurchased: number; rate: number | null };
}

export interface CostLine {
  key: string;
  cases: number;
  cost: number;
  perCase: number | null;
}

/** GET /api/v1/analytics/kpis (src/analytics/kpis.service.ts KpiReport). */
export interface Kpis {
  from: string;
  to: string;
  summary: KpiSummary;
  proactiveShare: number | null;
  costByTier: CostLine[];
  costByKind: CostLine[];
  proactiveVsReactive: SourceOutcome[];
  trend: TrendPoint[];
}

export interface CohortStat {
  n: number;
  repurchased: number;
  rate: number | null;
  interval: { low: number; high: number } | null;
}

export interface Verdict {
  outcome: 'holds' | 'fails' | 'too_small';
  text: string;
}

export interface SplitLine {
  key: string;
  recovered: CohortStat;
  notRecovered: CohortStat;
  verdict: Verdict;
}

/** GET /api/v1/analytics/paradox (src/analytics/paradox.ts ParadoxReport). */
export interface Paradox {
  from: string;
  to: string;
  windowDays: number;
  minCohort: number;
  cohorts: Record<'neverFailed' | 'recovered' | 'notRecovered', CohortStat>;
  notCompared: { unrated: number; open: number };
  windowNotEnded: number;
  verdict: Verdict;
  recoveryEffect: Verdict;
  bySeverity: SplitLine[];
  byRepeat: SplitLine[];
  notes: string[];
}

export const paretoDimensions = ['kind', 'cause', 'carrier', 'sku', 'region'] as const;
export type ParetoDimension = (typeof paretoDimensions)[number];

export interface ParetoRow {
  value: string;
  count: number;
  share: number;
  cumulativeShare: number;
}

export interface Pareto {
  by: ParetoDimension;
  failures: number;
  unattributed: number;
  attributed?: number;
  rows: ParetoRow[];
}

export interface WeakSpot {
  value: string;
  orders: number;
  failed: number;
  rate: number;
  low: number;
  high: number;
  lift: number | null;
}

export interface WeakSpots {
  orders: number;
  failed: number;
  rate: number | null;
  minOrders: number;
  products: WeakSpot[];
  carriers: WeakSpot[];
  hours: WeakSpot[];
}

/** GET /api/v1/analytics/recurring → issues (src/analytics/recurring.service.ts RecurringIssueView). */
export interface RecurringIssue {
  id: string;
  week: string;
  dimension: string;
  value: string;
  title: string;
  status: string;
  cases: number;
  suggestion: { title?: string; summary?: string } | null;
  spikes: { dimension: string; value: string; count: number; baselineMean: number; baselineWeeks: number; z: number }[];
  alertedAt: string | null;
}
