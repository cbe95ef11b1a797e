/**
 * Recurring-issue detection (issue 9, "root cause"): pure, over weekly failure counts.
 *
 * Weeks start on Monday 00:00 in the store's time zone. A failure (a case) counts in the week its case opened,
 * once per value of each dimension it carries (kind, cause, carrier, SKU, region: see root-cause.ts).
 *
 * The rule, for the count c of one (dimension, value) in week w:
 * - baseline: the counts of the `baselineWeeks` (8) weeks before w, zeros included, leaving out weeks before the
 *   store's history starts; with fewer than `minBaselineWeeks` (4) such weeks there is no verdict;
 * - μ = their mean, s² their sample variance, n how many;
 * - failure counts are Poisson-like, so z is taken on the square-root (Anscombe) scale, where a Poisson count has
 *   a standard deviation of about ½ whatever its mean:
 *       z = 2·(√(c + 3/8) − √(μ + 3/8)) / √((1 + 1/n) · max(1, s²/μ))
 *   (1 + 1/n: μ itself is estimated from n weeks; s²/μ: a history noisier than Poisson widens the band);
 * - a spike when z ≥ 3 AND c ≥ 5 AND c ≥ 2μ (floors for tiny counts and for noisy-but-big values).
 * With a steady 8-week history (s² ≤ μ) the count needed is: μ = 0 → 5, μ = 1 → 8, μ = 3 → 12, μ = 10 → 23. On generated flat histories
 * (history-generator.ts, 95 k value-weeks) it flags about 0.02 % of value-weeks; a plain (c − μ)/max(s, √μ)
 * z-score flagged 0.46 %, a false alarm every few weeks for a store with a few dozen SKUs.
 * Counts, not rates: a sales surge raises every count; the 2× floor keeps a normal busy week quiet.
 *
 * Counts in a week only grow, so the current, partial week can be judged already: once it is a spike it stays one.
 * Spikes of one week that share most of their cases (late UPS parcels are also `delivery_late` and also the
 * region they go to) are one issue: `groupSpikes` merges them so that one problem raises one alert.
 */
import { DateTime } from 'luxon';

export const recurringDimensions = ['kind', 'cause', 'carrier', 'sku', 'region'] as const;
export type RecurringDimension = (typeof recurringDimensions)[number];

export interface RecurringRule {
  baselineWeeks: number;
  minBaselineWeeks: number;
  zThreshold: number;
  minCount: number;
  minRatio: number;
}

export const defaultRecurringRule: RecurringRule = { baselineWeeks: 8, minBaselineWeeks: 4, zThreshold: 3, minCount: 5, minRatio: 2 };

/** Monday 00:00 of the week holding `iso`, in `timezone`, as a date `YYYY-MM-DD`. */
export function weekOf(iso: string, timezone: string): string {
  const d = DateTime.fromISO(iso, { zone: 'utc' }).setZone(timezone);
  return d.startOf('week').toISODate() ?? '';
}

/** The weeks (`YYYY-MM-DD` Mondays) from the one holding `fromIso` to the one holding `toIso`, both included. */
export function weeksBetween(fromIso: string, toIso: string, timezone: string): string[] {
  const out: string[] = [];
  let d = DateTime.fromISO(weekOf(fromIso, timezone), { zone: timezone });
  const last = weekOf(toIso, timezone);
  for (let i = 0; i < 10_000; i++) {
    const w = d.toISODate() ?? '';
    out.push(w);
    if (w >= last) break;
    d = d.plus({ weeks: 1 });
  }
  return out;
}

/** The instant a week (`YYYY-MM-DD` Monday) starts in `timezone`, ISO UTC. */
export function weekStartInstant(week: string, timezone: string): string {
  return DateTime.fromISO(week, { zone: timezone }).toUTC().toISO() ?? '';
}

export interface Series {
  dimension: RecurringDimension;
  value: string;
  /** counts[i] is the count in weeks[i]. */
  counts: readonly number[];
}

export interface Baseline {
  weeks: number;
  mean: number;
  std: number;
  /** The standard deviation on the square-root scale that z divides by (½ for a steady Poisson history). */
  sigma: number;
}

export interface SpikeVerdict {
  count: number;
  baseline: Baseline;
  z: number;
  spike: boolean;
}

/** The verdict on `counts[i]` against the weeks before it, or null without enough history. `historyStart`: first usable index. */
export function judgeWeek(
  counts: readonly number[],
  i: number,
  historyStart: number,
  rule: RecurringRule = defaultRecurringRule,
): SpikeVerdict | null {
  const from = Math.max(historyStart, i - rule.baselineWeeks, 0);
  const prior = counts.slice(from, i);
  if (prior.length < rule.minBaselineWeeks) return null;
  const n = prior.length;
  const mean = prior.reduce((sum, x) => sum + x, 0) / n;
  const variance = n > 1 ? prior.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1) : 0;
  const std = Math.sqrt(variance);
  const dispersion = mean > 0 ? Math.max(1, variance / mean) : 1;
  const sigma = Math.sqrt((1 + 1 / n) * dispersion) / 2;
  const count = counts[i] ?? 0;
  const z = (Math.sqrt(count + 3 / 8) - Math.sqrt(mean + 3 / 8)) / sigma;
  const spike = z >= rule.zThreshold && count >= rule.minCount && count >= rule.minRatio * mean;
  return { count, baseline: { weeks: prior.length, mean, std, sigma }, z, spike };
}

export interface Spike {
  dimension: RecurringDimension;
  value: string;
  week: string;
  weekIndex: number;
  count: number;
  baseline: Baseline;
  z: number;
}

/** Every spike among `series` in the weeks with index ≥ `fromIndex` (older weeks serve as baseline only). */
export function detectSpikes(
  weeks: readonly string[],
  series: readonly Series[],
  opts: { fromIndex: number; historyStart: number },
  rule: RecurringRule = defaultRecurringRule,
): Spike[] {
  const out: Spike[] = [];
  for (const s of series) {
    for (let i = Math.max(opts.fromIndex, 0); i < weeks.length; i++) {
      const v = judgeWeek(s.counts, i, opts.historyStart, rule);
      if (v?.spike)
        out.push({ dimension: s.dimension, value: s.value, week: weeks[i]!, weekIndex: i, count: v.count, baseline: v.baseline, z: v.z });
    }
  }
  return out;
}

/** A failure as the detector sees it: when, and its values per dimension. */
export interface WeeklyFailure {
  id: string;
  at: string;
  values: Partial<Record<RecurringDimension, readonly string[]>>;
}

/** Weekly counts per (dimension, value) over `weeks`, and which failures make up each cell (for grouping). */
export function weeklySeries(
  failures: readonly WeeklyFailure[],
  weeks: readonly string[],
  timezone: string,
): { series: Series[]; members: Map<string, string[]> } {
  const index = new Map(weeks.map((w, i) => [w, i]));
  const counts = new Map<string, { dimension: RecurringDimension; value: string; counts: number[] }>();
  const members = new Map<string, string[]>();
  for (const f of failures) {
    const i = index.get(weekOf(f.at, timezone));
    if (i === undefined) continue;
    for (const dimension of recurringDimensions) {
      for (const value of new Set(f.values[dimension] ?? [])) {
        const key = seriesKey(dimension, value);
        let s = counts.get(key);
        if (!s) {
          s = { dimension, value, counts: weeks.map(() => 0) };
          counts.set(key, s);
        }
        s.counts[i] = (s.counts[i] ?? 0) + 1;
        const cell = cellKey(dimension, value, weeks[i]!);
        const m = members.get(cell);
        if (m) m.push(f.id);
        else members.set(cell, [f.id]);
      }
    }
  }
  return { series: [...counts.values()], members };
}

export const seriesKey = (dimension: string, value: string) => `${dimension}\u0000${value}`;
export const cellKey = (dimension: string, value: string, week: string) => `${dimension}\u0000${value}\u0000${week}`;

/** How strongly two sets of failures overlap: shared / the smaller set's size. */
export function overlap(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const small = a.length <= b.length ? a : b;
  const big = new Set(a.length <= b.length ? b : a);
  let shared = 0;
  for (const x of small) if (big.has(x)) shared++;
  return shared / small.length;
}

/** Dimensions from the most specific to the broadest: an issue is named after its most specific spike. */
const specificity: Record<RecurringDimension, number> = { sku: 0, carrier: 1, region: 2, cause: 3, kind: 4 };

export interface SpikeGroup {
  week: string;
  /** The spike the issue is named after: the most specific dimension, then the highest z. */
  primary: Spike;
  spikes: Spike[];
  /** The failures behind any of its spikes. */
  failureIds: string[];
}

/**
 * Merges spikes of the same week whose failures overlap by at least `minOverlap` (of the smaller set),
 * transitively, into groups; each group is one recurring issue.
 */
export function groupSpikes(spikes: readonly Spike[], members: ReadonlyMap<string, readonly string[]>, minOverlap = 0.5): SpikeGroup[] {
  const ids = (s: Spike) => members.get(cellKey(s.dimension, s.value, s.week)) ?? [];
  const parent = spikes.map((_, i) => i);
  const find = (start: number): number => {
    let i = start;
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (let i = 0; i < spikes.length; i++) {
    for (let j = i + 1; j < spikes.length; j++) {
      if (spikes[i]!.week !== spikes[j]!.week) continue;
      if (overlap(ids(spikes[i]!), ids(spikes[j]!)) >= minOverlap) parent[find(j)] = find(i);
    }
  }
  const groups = new Map<number, Spike[]>();
  spikes.forEach((s, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.push(s);
    else groups.set(root, [s]);
  });
  const out: SpikeGroup[] = [];
  for (const g of groups.values()) {
    const sorted = [...g].sort(
      (a, b) => specificity[a.dimension] - specificity[b.dimension] || b.z - a.z || a.value.localeCompare(b.value),
    );
    const failureIds = [...new Set(g.flatMap(ids))].sort();
    out.push({ week: sorted[0]!.week, primary: sorted[0]!, spikes: sorted, failureIds });
  }
  return out.sort((a, b) => a.week.localeCompare(b.week) || b.primary.z - a.primary.z);
}

const dimensionWords: Record<RecurringDimension, string> = {
  kind: 'kind',
  cause: 'cause',
  carrier: 'carrier',
  sku: 'SKU',
  region: 'region',
};

export interface IncidentSuggestion {
  title: string;
  /** The issue kind its failures mostly have, when one spike says it. */
  kind: string | null;
  /** What the spikes share, by dimension: e.g. { carrier: "UPS", region: "US-CA", kind: "delivery_late" }. */
  cause: Partial<Record<RecurringDimension, string>>;
  summary: string;
}

/** The incident a person could open for a group: named from its spikes, with the numbers that make it unusual. */
export function suggestIncident(g: SpikeGroup): IncidentSuggestion {
  const cause: Partial<Record<RecurringDimension, string>> = {};
  for (const s of g.spikes) cause[s.dimension] ??= s.value;
  const kind = cause.kind ?? null;
  const where = (['sku', 'carrier', 'region'] as const).filter((d) => cause[d]).map((d) => `${dimensionWords[d]} ${cause[d]}`);
  const what = kind ? kind.replaceAll('_', ' ') : 'failures';
  const title = `Recurring ${what}${where.length > 0 ? ` (${where.join(', ')})` : ''}, week of ${g.week}`;
  const p = g.primary;
  const summary = `${p.count} failures with ${dimensionWords[p.dimension]} ${p.value} in the week of ${g.week}, against ${p.baseline.mean.toFixed(1)} a week over the ${p.baseline.weeks} weeks before (z = ${p.z.toFixed(1)}).`;
  return { title, kind, cause, summary };
}
