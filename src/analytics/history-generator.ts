/**
 * A seeded generator of failure histories for the recurring-issue detector's tests (and anyone who wants a
 * plausible year of failures without a database): weekly Poisson counts over a few kinds, carriers, regions and
 * SKUs, optionally with a planted spike: extra failures in one week that all share the given values.
 */
import { Random, seededRng } from '../demo/rng.ts';
import type { RecurringDimension, WeeklyFailure } from './recurring.ts';

const WEEK = 7 * 86_400_000;

export interface PlantedSpike {
  /** Index of the week (0-based from `start`). */
  week: number;
  /** How many extra failures. */
  extra: number;
  /** The values every extra failure has (others drawn as usual). */
  values: Partial<Record<RecurringDimension, string>>;
}

export interface HistoryOptions {
  seed: number;
  /** A Monday 00:00 UTC. */
  start: string;
  weeks: number;
  /** Mean failures per week over the whole store. */
  weeklyMean: number;
  spike?: PlantedSpike;
}

const kinds = ['delivery_late', 'delivery_late', 'delivery_late', 'damaged_item', 'payment_problem', 'wrong_item'];
const carriers = ['UPS', 'USPS', 'FedEx', 'DHL'];
const regions = ['US-CA', 'US-NY', 'US-TX', 'US-WA'];
const skus = ['MUG-1', 'MUG-2', 'TEA-1', 'TEA-2', 'POT-1', 'CUP-1', 'CUP-2', 'KET-1'];

/** Knuth's method: fine for the small means used here. */
export function poisson(rnd: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rnd();
  } while (p > limit);
  return k - 1;
}

export function generateFailureHistory(o: HistoryOptions): WeeklyFailure[] {
  const rnd = new Random(seededRng(o.seed));
  const start = Date.parse(o.start);
  const out: WeeklyFailure[] = [];
  const one = (week: number, fixed: Partial<Record<RecurringDimension, string>>): WeeklyFailure => {
    const kind = fixed.kind ?? rnd.pick(kinds);
    const at = new Date(start + week * WEEK + Math.floor(rnd.next() * (WEEK - 1000))).toISOString();
    return {
      id: `f-${out.length + 1}`,
      at,
      values: {
        kind: [kind],
        cause: [fixed.cause ?? `reported:${kind}`],
        carrier: [fixed.carrier ?? rnd.pick(carriers)],
        region: [fixed.region ?? rnd.pick(regions)],
        sku: [fixed.sku ?? rnd.pick(skus)],
      },
    };
  };
  for (let w = 0; w < o.weeks; w++) {
    const n = poisson(rnd.next, o.weeklyMean);
    for (let i = 0; i < n; i++) out.push(one(w, {}));
    if (o.spike && o.spike.week === w) for (let i = 0; i < o.spike.extra; i++) out.push(one(w, o.spike.values));
  }
  return out;
}
