/**
 * The analytics page's view lives in the URL: the period (last 30/90/365 days or a custom from–to) and the
 * filters (channel, kind, tier, source, agent). Defaults are left out of the URL. `analyticsQuery` turns it into
 * the API's query: `from` and `to` as whole UTC days, `YYYY-MM-DD`, `to` included.
 */

export const periodChoices = ['30', '90', '365', 'custom'] as const;
export type Period = (typeof periodChoices)[number];
export const DEFAULT_PERIOD: Period = '90';

export const filterKeys = ['channel', 'kind', 'tier', 'source', 'agent'] as const;
export type FilterKey = (typeof filterKeys)[number];

export interface AnalyticsView {
  period: Period;
  /** Only for `custom`. */
  from: string | null;
  to: string | null;
  filters: Partial<Record<FilterKey, string>>;
}

const DAY = 86_400_000;
const isDay = (s: string | null): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function readView(p: URLSearchParams): AnalyticsView {
  const raw = p.get('period');
  const period: Period = (periodChoices as readonly string[]).includes(raw ?? '') ? (raw as Period) : DEFAULT_PERIOD;
  const filters: AnalyticsView['filters'] = {};
  for (const k of filterKeys) {
    const v = p.get(k);
    if (v) filters[k] = v;
  }
  return { period, from: isDay(p.get('from')) ? p.get('from') : null, to: isDay(p.get('to')) ? p.get('to') : null, filters };
}

/** The period as days: a preset counts back from today (UTC); a custom one with a missing or reversed end falls back to 90 days. */
export function periodRange(v: AnalyticsView, now: number): { from: string; to: string } {
  const today = dayOf(now);
  if (v.period === 'custom' && v.from && v.to && v.from <= v.to) return { from: v.from, to: v.to };
  const days = v.period === 'custom' ? Number(DEFAULT_PERIOD) : Number(v.period);
  return { from: dayOf(now - (days - 1) * DAY), to: today };
}

/** KPIs: the period's days (both included) and the filters. */
export function kpiParams(v: AnalyticsView, now: number): Record<string, string> {
  return { ...periodRange(v, now), ...v.filters };
}

export const nextDay = (day: string) => dayOf(Date.parse(`${day}T00:00:00Z`) + DAY);

/** Root cause (Pareto, weak spots, recurring): `to` is exclusive there, so the day after the last one. Not filtered. */
export function rootCauseParams(v: AnalyticsView, now: number): Record<string, string> {
  const r = periodRange(v, now);
  return { from: r.from, to: nextDay(r.to) };
}

/**
 * The paradox compares repurchase in a window after each failure, so a short recent period has no window ended yet:
 * with a preset it looks at the failures of the 365 days up to today (those whose window ended count); a custom
 * period is taken as it is.
 */
export function paradoxParams(v: AnalyticsView, now: number, windowDays: number): Record<string, string | number> {
  const r = v.period === 'custom' ? periodRange(v, now) : { from: dayOf(now - 364 * DAY), to: dayOf(now) };
  return { ...r, windowDays };
}
