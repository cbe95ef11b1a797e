/**
 * KPIs as pure functions: per-case facts → rollup rows (counts, sums, fixed histogram buckets) → the figures
 * the dashboard shows. The same functions serve the rollup tables (rows summed by SQL) and an ad-hoc
 * computation from raw rows (rows summed here), so both give the same numbers.
 *
 * Definitions (documented in the API too):
 * - a case belongs to the UTC day it was opened; survey answers and compensations count with their case;
 * - first response time: opened → first reply (`cases.first_responded_at`); resolution time: opened →
 *   `resolved_at` of resolved/closed cases; both on the wall clock and in the store's business hours (the open
 *   minutes between the two instants, as `case_slas` measures targets), waiting on the customer included;
 * - percentiles come from fixed buckets (`DURATION_EDGES`, minutes), interpolated linearly inside the bucket
 *   that holds the rank: exact to the bucket; the last bucket (≥ 14 days) reports its lower edge;
 * - first-contact resolution (FCR): a resolved (or closed) case with at most one inbound customer message and
 *   never reopened, over all resolved cases;
 * - contacts per case: inbound customer messages / cases;
 * - CSAT (1–5) average and share of 4–5; CES (1–7) average; NPS = % promoters (9–10) − % detractors (0–6);
 * - SLA attainment per metric: clocks met in time / clocks decided (met in time + breached); running clocks
 *   not yet breached are left out;
 * - recovery cost: `cost` of issued compensations (minor units of the store's currency); per case over all
 *   cases; as % of the revenue of orders placed in the period.
 */

/** Histogram bucket lower edges in minutes: bucket i is [E[i], E[i+1]), the last one open-ended. */
export const DURATION_EDGES = [0, 5, 15, 30, 60, 120, 240, 480, 720, 1440, 2880, 4320, 7200, 10080, 20160] as const;
export const BUCKETS = DURATION_EDGES.length;
export const durationSeries = ['frt_wall', 'frt_biz', 'res_wall', 'res_biz'] as const;
export type DurationSeries = (typeof durationSeries)[number];

/** The counters of a rollup row (column names of `analytics_daily`). */
export const counterColumns = [
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
] as const;
export type Counter = (typeof counterColumns)[number];

export const histogramColumns: string[] = durationSeries.flatMap((s) => DURATION_EDGES.map((_, b) => `${s}_h${b}`));

export type Counters = Record<Counter, number>;
export interface RollupRow extends Counters {
  hist: Record<DurationSeries, number[]>;
}

export interface Dims {
  day: string;
  channel: string;
  kind: string;
  tier: string;
  source: string;
  assignee: string;
}
export type Grain = 'dims' | 'agent';
export type KeyedRow = Dims & { grain: Grain } & RollupRow;

/** What the KPIs need to know about one case. Durations in minutes. */
export interface CaseFacts {
  createdAt: string;
  channel: string | null;
  kind: string | null;
  tier: string | null;
  source: string;
  assignee: string | null;
  status: string;
  reopened: boolean;
  /** Inbound customer messages. */
  inbound: number;
  firstResponse: { wall: number; business: number } | null;
  resolution: { wall: number; business: number } | null;
  sla: Partial<Record<'first_response' | 'resolution', 'met' | 'breached' | 'open'>>;
  surveys: { metric: string; score: number }[];
  /** Costs of its issued compensations. */
  compensations: number[];
}

export function emptyRow(): RollupRow {
  const row = { hist: {} } as RollupRow;
  for (const c of counterColumns) row[c] = 0;
  for (const s of durationSeries) row.hist[s] = new Array<number>(BUCKETS).fill(0);
  return row;
}

export function bucketOf(minutes: number): number {
  let b = 0;
  for (let i = 1; i < BUCKETS; i++) if (minutes >= DURATION_EDGES[i]!) b = i;
  return b;
}

export const isResolved = (status: string): boolean => status === 'resolved' || status === 'closed';

function addSurvey(row: RollupRow, metric: string, score: number): void {
  if (metric === 'csat') {
    row.csat_n++;
    row.csat_sum += score;
    if (score >= 4) row.csat_ge4++;
  } else if (metric === 'ces') {
    row.ces_n++;
    row.ces_sum += score;
  } else if (metric === 'nps') {
    row.nps_n++;
    if (score >= 9) row.nps_promoters++;
    else if (score <= 6) row.nps_detractors++;
  }
}

/** Adds one case to a row. */
export function addCase(row: RollupRow, c: CaseFacts): void {
  row.cases++;
  const resolved = isResolved(c.status);
  if (resolved) row.resolved++;
  if (c.reopened) row.reopened++;
  if (resolved && c.inbound <= 1 && !c.reopened) row.fcr++;
  row.inbound += c.inbound;
  if (c.firstResponse) {
    row.frt_n++;
    row.frt_wall_sum += Math.round(c.firstResponse.wall);
    row.frt_biz_sum += Math.round(c.firstResponse.business);
    row.hist.frt_wall[bucketOf(c.firstResponse.wall)]!++;
    row.hist.frt_biz[bucketOf(c.firstResponse.business)]!++;
  }
  if (resolved && c.resolution) {
    row.res_n++;
    row.res_wall_sum += Math.round(c.resolution.wall);
    row.res_biz_sum += Math.round(c.resolution.business);
    row.hist.res_wall[bucketOf(c.resolution.wall)]!++;
    row.hist.res_biz[bucketOf(c.resolution.business)]!++;
  }
  if (c.sla.first_response === 'met') row.sla_fr_met++;
  if (c.sla.first_response === 'breached') row.sla_fr_breached++;
  if (c.sla.resolution === 'met') row.sla_res_met++;
  if (c.sla.resolution === 'breached') row.sla_res_breached++;
  for (const s of c.surveys) addSurvey(row, s.metric, s.score);
  for (const cost of c.compensations) {
    row.cost += cost;
    row.compensations++;
  }
  if (c.compensations.length > 0) row.compensated_cases++;
}

const dimOf = (v: string | null): string => v ?? '';

/** Key of a case in a grain: `dims` (channel, kind, tier, source) or `agent` (assignee). */
export function dimsOf(c: Pick<CaseFacts, 'createdAt' | 'channel' | 'kind' | 'tier' | 'source' | 'assignee'>, grain: Grain): Dims {
  const day = c.createdAt.slice(0, 10);
  return grain === 'dims'
    ? { day, channel: dimOf(c.channel), kind: dimOf(c.kind), tier: dimOf(c.tier), source: c.source, assignee: '*' }
    : { day, channel: '*', kind: '*', tier: '*', source: '*', assignee: dimOf(c.assignee) };
}

/** Rolls cases (and survey answers that have no case: day answered, no dimensions) up into keyed rows of a grain. */
export function rollUp(
  cases: CaseFacts[],
  grain: Grain,
  caselessSurveys: { day: string; metric: string; score: number }[] = [],
): KeyedRow[] {
  const rows = new Map<string, KeyedRow>();
  const rowFor = (d: Dims): KeyedRow => {
    const key = `${d.day}|${d.channel}|${d.kind}|${d.tier}|${d.source}|${d.assignee}`;
    let r = rows.get(key);
    if (!r) {
      r = { ...emptyRow(), ...d, grain };
      rows.set(key, r);
    }
    return r;
  };
  for (const c of cases) addCase(rowFor(dimsOf(c, grain)), c);
  for (const s of caselessSurveys) {
    const d: Dims =
      grain === 'dims'
        ? { day: s.day, channel: '', kind: '', tier: '', source: '', assignee: '*' }
        : { day: s.day, channel: '*', kind: '*', tier: '*', source: '*', assignee: '' };
    addSurvey(rowFor(d), s.metric, s.score);
  }
  return [...rows.values()];
}

/** The sum of rows. */
export function sumRows(rows: Iterable<RollupRow>): RollupRow {
  const out = emptyRow();
  for (const r of rows) {
    for (const c of counterColumns) out[c] += r[c];
    for (const s of durationSeries) for (let b = 0; b < BUCKETS; b++) out.hist[s][b]! += r.hist[s][b]!;
  }
  return out;
}

/** Rows summed per value of `key`. */
export function groupRows<T extends RollupRow>(rows: Iterable<T>, key: (r: T) => string): Map<string, RollupRow> {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return new Map([...groups].map(([k, g]) => [k, sumRows(g)]));
}

/**
 * The p-th percentile (0 < p < 1) of a histogram: the bucket holding rank p·n, interpolated linearly in it;
 * the open last bucket gives its lower edge. Null for an empty histogram.
 */
export function percentileFromHistogram(hist: readonly number[], p: number): number | null {
  const n = hist.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const rank = p * n;
  let before = 0;
  for (let b = 0; b < hist.length; b++) {
    const count = hist[b]!;
    if (count > 0 && before + count >= rank) {
      const lo = DURATION_EDGES[b]!;
      const hi = DURATION_EDGES[b + 1];
      if (hi === undefined) return lo;
      return round1(lo + ((hi - lo) * (rank - before)) / count);
    }
    before += count;
  }
  return DURATION_EDGES[hist.length - 1]!;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const ratio = (a: number, b: number, digits = 3): number | null => (b === 0 ? null : Math.round((a / b) * 10 ** digits) / 10 ** digits);

export interface DurationStats {
  count: number;
  meanMinutes: number | null;
  p50Minutes: number | null;
  p90Minutes: number | null;
}

function durationStats(n: number, sum: number, hist: readonly number[]): DurationStats {
  return {
    count: n,
    meanMinutes: n === 0 ? null : round1(sum / n),
    p50Minutes: percentileFromHistogram(hist, 0.5),
    p90Minutes: percentileFromHistogram(hist, 0.9),
  };
}

export interface Money {
  amount: number;
  currency: string;
}

export interface KpiSummary {
  cases: number;
  resolved: number;
  firstResponse: { wall: DurationStats; business: DurationStats };
  resolution: { wall: DurationStats; business: DurationStats };
  /** FCR cases over resolved cases. */
  firstContactResolution: { cases: number; rate: number | null };
  contactsPerCase: number | null;
  reopenRate: number | null;
  csat: { count: number; average: number | null; satisfiedShare: number | null };
  ces: { count: number; average: number | null };
  nps: { count: number; score: number | null; promoters: number; detractors: number };
  sla: Record<'firstResponse' | 'resolution', { met: number; breached: number; attainment: number | null }>;
  cost: { total: Money; perCase: Money | null; compensations: number; compensatedCases: number; shareOfRevenue: number | null };
  revenue: Money & { orders: number };
}

/** The headline figures of a summed row; revenue is that of the orders placed in the period. */
export function summarize(r: RollupRow, revenue: { orders: number; amount: number }, currency: string): KpiSummary {
  return {
    cases: r.cases,
    resolved: r.resolved,
    firstResponse: {
      wall: durationStats(r.frt_n, r.frt_wall_sum, r.hist.frt_wall),
      business: durationStats(r.frt_n, r.frt_biz_sum, r.hist.frt_biz),
    },
    resolution: {
      wall: durationStats(r.res_n, r.res_wall_sum, r.hist.res_wall),
      business: durationStats(r.res_n, r.res_biz_sum, r.hist.res_biz),
    },
    firstContactResolution: { cases: r.fcr, rate: ratio(r.fcr, r.resolved) },
    contactsPerCase: ratio(r.inbound, r.cases, 2),
    reopenRate: ratio(r.reopened, r.cases),
    csat: { count: r.csat_n, average: ratio(r.csat_sum, r.csat_n, 2), satisfiedShare: ratio(r.csat_ge4, r.csat_n) },
    ces: { count: r.ces_n, average: ratio(r.ces_sum, r.ces_n, 2) },
    nps: {
      count: r.nps_n,
      score: r.nps_n === 0 ? null : Math.round((100 * (r.nps_promoters - r.nps_detractors)) / r.nps_n),
      promoters: r.nps_promoters,
      detractors: r.nps_detractors,
    },
    sla: {
      firstResponse: { met: r.sla_fr_met, breached: r.sla_fr_breached, attainment: ratio(r.sla_fr_met, r.sla_fr_met + r.sla_fr_breached) },
      resolution: {
        met: r.sla_res_met,
        breached: r.sla_res_breached,
        attainment: ratio(r.sla_res_met, r.sla_res_met + r.sla_res_breached),
      },
    },
    cost: {
      total: { amount: r.cost, currency },
      perCase: r.cases === 0 ? null : { amount: Math.round(r.cost / r.cases), currency },
      compensations: r.compensations,
      compensatedCases: r.compensated_cases,
      shareOfRevenue: revenue.amount === 0 ? null : round3((100 * r.cost) / revenue.amount),
    },
    revenue: { amount: revenue.amount, currency, orders: revenue.orders },
  };
}

export interface CostLine {
  key: string;
  cases: number;
  cost: number;
  perCase: number | null;
}

export function costLines(groups: Map<string, RollupRow>): CostLine[] {
  return [...groups]
    .map(([key, r]) => ({ key, cases: r.cases, cost: r.cost, perCase: r.cases === 0 ? null : Math.round(r.cost / r.cases) }))
    .sort((a, b) => b.cost - a.cost || a.key.localeCompare(b.key));
}

export interface TrendPoint {
  day: string;
  cases: number;
  resolved: number;
  csatAverage: number | null;
  cost: number;
}

/** One point per day from `from` to `to` (inclusive), zeros where nothing happened. */
export function trend(groups: Map<string, RollupRow>, from: string, to: string): TrendPoint[] {
  const out: TrendPoint[] = [];
  for (let d = Date.parse(`${from}T00:00:00Z`); d <= Date.parse(`${to}T00:00:00Z`); d += 86_400_000) {
    const day = new Date(d).toISOString().slice(0, 10);
    const r = groups.get(day);
    out.push({
      day,
      cases: r?.cases ?? 0,
      resolved: r?.resolved ?? 0,
      csatAverage: r ? ratio(r.csat_sum, r.csat_n, 2) : null,
      cost: r?.cost ?? 0,
    });
  }
  return out;
}

export interface SourceOutcome {
  source: string;
  cases: number;
  csatAverage: number | null;
  csatCount: number;
  costPerCase: number | null;
  /** Repurchase within 90 days of the failure, among cases whose 90 days have passed. */
  repurchase: { eligible: number; repurchased: number; rate: number | null };
}

export function sourceOutcomes(
  groups: Map<string, RollupRow>,
  repurchase: Map<string, { eligible: number; repurchased: number }>,
): SourceOutcome[] {
  return ['proactive', 'reactive'].map((source) => {
    const r = groups.get(source) ?? emptyRow();
    const rep = repurchase.get(source) ?? { eligible: 0, repurchased: 0 };
    return {
      source,
      cases: r.cases,
      csatAverage: ratio(r.csat_sum, r.csat_n, 2),
      csatCount: r.csat_n,
      costPerCase: r.cases === 0 ? null : Math.round(r.cost / r.cases),
      repurchase: { ...rep, rate: ratio(rep.repurchased, rep.eligible) },
    };
  });
}

// ---------------------------------------------------------------------------
// CSV (RFC 4180: CRLF, quotes doubled, cells with , " CR LF quoted)

export interface CsvTable {
  name: string;
  header: string[];
  rows: (string | number | null)[][];
}

export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // A text cell starting with = + - @ would be read as a formula by spreadsheets: it is prefixed with '.
  const guarded = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

export function csvOf(t: CsvTable): string {
  return [t.header, ...t.rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Several tables in one file: each section starts with a `# <name>` line, sections separated by an empty line. */
export function csvSections(tables: CsvTable[]): string {
  return tables.map((t) => `# ${t.name}\r\n${csvOf(t)}`).join('\r\n');
}
