/**
 * The service-recovery paradox index, pure: do customers whose failure was recovered come back (order again)
 * more often than customers who never had a failure?
 *
 * Subjects (one outcome row each, `outcomesOf`):
 * - a failure: each case of a customer; its reference instant is the failure (`failure_at`, else the case's
 *   opening). Cohort:
 *   - `recovered`: resolved (or closed) and the customer's latest CSAT answer on it is ≥ 4, or — with no CSAT
 *     answer — a proactive case on which the customer never wrote (no complaint after the remedy);
 *   - `not_recovered`: resolved with a latest CSAT ≤ 3, or a proactive case the customer did write on;
 *   - `unrated`: a resolved reactive case without any CSAT answer (no evidence either way) — counted, not compared;
 *   - `open`: not resolved yet — counted, not compared;
 *   `repeat`: the customer had another failure in the 365 days before this one.
 * - a never-failed customer (no case at all) with at least one order: the matched reference date is their first
 *   order, so both groups are measured from an order-related moment. (First orders tend to repurchase less than
 *   later ones, which biases against the never-failed group being higher; the report says so.)
 * Repurchase: the customer placed an order within `windowDays` after the reference instant. Subjects whose
 * window has not ended yet (reference + windowDays after now) are excluded and counted as such.
 */
import { type Interval, overlaps, wilsonInterval } from './wilson.ts';

/** Below this many subjects in a cohort, no verdict. */
export const MIN_COHORT = 30;
/** A 95 % interval wider than this (in rate points) is too imprecise for a verdict. */
export const MAX_INTERVAL_WIDTH = 0.3;
export const REPEAT_LOOKBACK_DAYS = 365;

export const cohorts = ['never_failed', 'recovered', 'not_recovered', 'unrated', 'open'] as const;
export type Cohort = (typeof cohorts)[number];

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface HistoryCase {
  id: string;
  createdAt: string;
  failureAt: string | null;
  status: string;
  source: string;
  severity: number | null;
  channel: string | null;
  kind: string | null;
  tier: string | null;
  assignee: string | null;
  /** Inbound customer messages on the case. */
  inbound: number;
  /** CSAT answers on the case, oldest first. */
  csat: number[];
}

export interface CustomerHistory {
  customerId: string;
  /** placed_at of their orders. */
  orders: string[];
  cases: HistoryCase[];
}

export interface OutcomeRow {
  subjectId: string;
  customerId: string;
  cohort: Cohort;
  refAt: string;
  severity: number | null;
  repeat: boolean;
  source: string;
  channel: string;
  kind: string;
  tier: string;
  assignee: string;
  /** Minutes from refAt to the next order placed after it; null when none. */
  nextOrderMinutes: number | null;
}

export function cohortOf(c: HistoryCase): Cohort {
  if (c.status !== 'resolved' && c.status !== 'closed') return 'open';
  const last = c.csat[c.csat.length - 1];
  if (last !== undefined) return last >= 4 ? 'recovered' : 'not_recovered';
  if (c.source === 'proactive') return c.inbound === 0 ? 'recovered' : 'not_recovered';
  return 'unrated';
}

const iso = (t: number): string => new Date(t).toISOString();

/** The outcome rows of one customer (see the module comment). */
export function outcomesOf(h: CustomerHistory): OutcomeRow[] {
  const orders = h.orders.map((o) => Date.parse(o)).sort((a, b) => a - b);
  const nextAfter = (t: number): number | null => {
    for (const o of orders) if (o > t) return Math.round((o - t) / MINUTE);
    return null;
  };
  if (h.cases.length === 0) {
    const first = orders[0];
    if (first === undefined) return [];
    return [
      {
        subjectId: h.customerId,
        customerId: h.customerId,
        cohort: 'never_failed',
        refAt: iso(first),
        severity: null,
        repeat: false,
        source: '',
        channel: '',
        kind: '',
        tier: '',
        assignee: '',
        nextOrderMinutes: nextAfter(first),
      },
    ];
  }
  const refs = h.cases.map((c) => Date.parse(c.failureAt ?? c.createdAt));
  return h.cases.map((c, i) => {
    const ref = refs[i]!;
    const repeat = refs.some((r, j) => j !== i && (r < ref || (r === ref && j < i)) && ref - r <= REPEAT_LOOKBACK_DAYS * DAY);
    return {
      subjectId: c.id,
      customerId: h.customerId,
      cohort: cohortOf(c),
      refAt: iso(ref),
      severity: c.severity,
      repeat,
      source: c.source,
      channel: c.channel ?? '',
      kind: c.kind ?? '',
      tier: c.tier ?? '',
      assignee: c.assignee ?? '',
      nextOrderMinutes: nextAfter(ref),
    };
  });
}

/** One group of subjects whose window has ended: how many, and how many ordered again within it. */
export interface CohortCount {
  cohort: Cohort;
  severity: number | null;
  repeat: boolean;
  n: number;
  repurchased: number;
}

export interface CohortStat {
  n: number;
  repurchased: number;
  rate: number | null;
  interval: Interval | null;
}

export type VerdictOutcome = 'holds' | 'fails' | 'too_small';
export interface Verdict {
  outcome: VerdictOutcome;
  text: string;
}

export function cohortStat(n: number, repurchased: number): CohortStat {
  return { n, repurchased, rate: n === 0 ? null : repurchased / n, interval: wilsonInterval(repurchased, n) };
}

const pct = (x: number): string => `${Math.round(x * 100)} %`;
const describe = (s: CohortStat): string =>
  s.rate === null || s.interval === null
    ? 'no data'
    : `${pct(s.rate)} (95 % interval ${pct(s.interval.low)}–${pct(s.interval.high)}, n = ${s.n})`;

/**
 * Whether recovered customers came back more often than never-failed ones. "Too small to tell" when either
 * cohort has fewer than MIN_COHORT subjects, an interval is wider than MAX_INTERVAL_WIDTH, or the intervals overlap.
 */
export function verdictOf(
  recovered: CohortStat,
  never: CohortStat,
  what = 'customers whose failure was recovered',
  other = 'customers who never had a failure',
): Verdict {
  if (recovered.n < MIN_COHORT || never.n < MIN_COHORT) {
    return {
      outcome: 'too_small',
      text: `Too small to tell: ${recovered.n} ${what} and ${never.n} ${other}, with a completed window; at least ${MIN_COHORT} of each are needed.`,
    };
  }
  const ri = recovered.interval!;
  const ni = never.interval!;
  const body = `${what} came back ${describe(recovered)}; ${other} ${describe(never)}`;
  if (ri.high - ri.low > MAX_INTERVAL_WIDTH || ni.high - ni.low > MAX_INTERVAL_WIDTH) {
    return { outcome: 'too_small', text: `Too small to tell: the intervals are too wide. ${capital(body)}.` };
  }
  if (overlaps(ri, ni)) {
    return {
      outcome: 'too_small',
      text: `Too small to tell: the intervals overlap, so the data cannot tell them apart. ${capital(body)}.`,
    };
  }
  if (ri.low > ni.high) return { outcome: 'holds', text: `The paradox holds: ${body}.` };
  return { outcome: 'fails', text: `The paradox does not hold: ${body}.` };
}

/** The recovered-vs-not-recovered comparison is not the paradox itself: its own words. */
function reword(v: Verdict): Verdict {
  if (v.outcome === 'holds') return { ...v, text: v.text.replace('The paradox holds', 'Recovery pays') };
  if (v.outcome === 'fails') return { ...v, text: v.text.replace('The paradox does not hold', 'Recovery shows no gain') };
  return v;
}

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export interface SplitLine {
  key: string;
  recovered: CohortStat;
  notRecovered: CohortStat;
  verdict: Verdict;
}

export interface ParadoxReport {
  windowDays: number;
  minCohort: number;
  cohorts: Record<'neverFailed' | 'recovered' | 'notRecovered', CohortStat>;
  /** Counted but not compared: resolved reactive cases without a CSAT answer, and cases still open. */
  notCompared: { unrated: number; open: number };
  /** Subjects in the period whose window has not ended yet: left out. */
  windowNotEnded: number;
  verdict: Verdict;
  /** Recovered vs not recovered: does recovering matter at all? */
  recoveryEffect: Verdict;
  bySeverity: SplitLine[];
  byRepeat: SplitLine[];
  notes: string[];
}

/** The report from grouped counts (subjects whose window ended) and the number left out. */
export function paradoxReport(counts: CohortCount[], windowDays: number, windowNotEnded: number): ParadoxReport {
  const sum = (pred: (c: CohortCount) => boolean) => {
    let n = 0;
    let r = 0;
    for (const c of counts) {
      if (pred(c)) {
        n += c.n;
        r += c.repurchased;
      }
    }
    return cohortStat(n, r);
  };
  const never = sum((c) => c.cohort === 'never_failed');
  const recovered = sum((c) => c.cohort === 'recovered');
  const notRecovered = sum((c) => c.cohort === 'not_recovered');
  const split = (key: string, pred: (c: CohortCount) => boolean, label: string): SplitLine => {
    const rec = sum((c) => c.cohort === 'recovered' && pred(c));
    return {
      key,
      recovered: rec,
      notRecovered: sum((c) => c.cohort === 'not_recovered' && pred(c)),
      verdict: verdictOf(rec, never, label),
    };
  };
  const severities = [...new Set(counts.filter((c) => c.cohort !== 'never_failed').map((c) => c.severity))].sort(
    (a, b) => (a ?? 0) - (b ?? 0),
  );
  return {
    windowDays,
    minCohort: MIN_COHORT,
    cohorts: { neverFailed: never, recovered, notRecovered },
    notCompared: {
      unrated: sum((c) => c.cohort === 'unrated').n,
      open: sum((c) => c.cohort === 'open').n,
    },
    windowNotEnded,
    verdict: verdictOf(recovered, never),
    recoveryEffect: reword(
      verdictOf(recovered, notRecovered, 'customers whose failure was recovered', 'customers whose failure was not recovered'),
    ),
    bySeverity: severities.map((s) =>
      split(s === null ? 'unknown' : String(s), (c) => c.severity === s, `recovered customers after a severity ${s ?? '?'} failure`),
    ),
    byRepeat: [
      split('first', (c) => !c.repeat, 'recovered customers after a first failure'),
      split('repeat', (c) => c.repeat, 'recovered customers after a repeat failure'),
    ],
    notes: [
      `Repurchase: an order placed within ${windowDays} days after the failure (never-failed customers: after their first order).`,
      `${windowNotEnded} subjects in the period are left out because their ${windowDays}-day window has not ended yet.`,
      'Never-failed customers are measured from their first order; first orders tend to repurchase less than later ones.',
    ],
  };
}
