/**
 * Relationship metrics and lifecycle segments: pure functions of a customer's
 * projected counters and `now`.
 */
export const lifecycleSegments = ['new', 'active', 'at_risk', 'lapsed', 'recovered'] as const;
export type LifecycleSegment = (typeof lifecycleSegments)[number];

const DAY = 86_400_000;

/**
 * Thresholds, in days. A store's typical buying cycle for consumer goods is
 * weeks to a few months: a customer whose last order is older than `atRiskAfter`
 * is slipping, older than `lapsedAfter` is gone.
 */
export const segmentThresholds = {
  /** A first order this recent (and no second) makes a customer `new`. */
  newWithin: 30,
  /** No order for this long: `at_risk`. */
  atRiskAfter: 90,
  /** No order for this long: `lapsed`. */
  lapsedAfter: 180,
  /** A failure this recent with no order since puts an otherwise active customer `at_risk`. */
  failureAtRiskWithin: 30,
} as const;

export interface RelationshipInput {
  ordersCount: number;
  totalSpent: number;
  totalRefunded: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  failuresCount: number;
  lastFailureAt: string | null;
  createdAt: string | null;
  firstSeenAt: string;
}

export interface RelationshipMetrics {
  ordersCount: number;
  /** Spent minus refunded, minor units. */
  lifetimeValue: number;
  /** Spent per order, minor units, rounded. */
  averageOrderValue: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  /** Whole days since the customer was first known (account creation or first sight). */
  tenureDays: number;
  daysSinceLastOrder: number | null;
  failuresCount: number;
  lastFailureAt: string | null;
  segment: LifecycleSegment;
}

function daysBetween(from: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(from)) / DAY));
}

/**
 * Segment rules, first match wins:
 * 1. no order, or one order within `newWithin` days → `new`
 * 2. last order older than `lapsedAfter` → `lapsed`
 * 3. last order older than `atRiskAfter`, or a failure within `failureAtRiskWithin`
 *    days not followed by an order → `at_risk`
 * 4. a failure, then an order after it → `recovered` (they came back)
 * 5. otherwise → `active`
 */
export function lifecycleSegment(c: RelationshipInput, now: Date): LifecycleSegment {
  const t = segmentThresholds;
  if (c.ordersCount === 0 || c.lastOrderAt === null) return 'new';
  const sinceLast = daysBetween(c.lastOrderAt, now);
  if (c.ordersCount === 1 && c.firstOrderAt !== null && daysBetween(c.firstOrderAt, now) <= t.newWithin) {
    if (c.lastFailureAt === null || c.lastFailureAt < c.lastOrderAt) return 'new';
  }
  if (sinceLast > t.lapsedAfter) return 'lapsed';
  const failedSinceLastOrder = c.lastFailureAt !== null && c.lastFailureAt >= c.lastOrderAt;
  if (sinceLast > t.atRiskAfter) return 'at_risk';
  if (failedSinceLastOrder && c.lastFailureAt !== null && daysBetween(c.lastFailureAt, now) <= t.failureAtRiskWithin) {
    return 'at_risk';
  }
  if (c.failuresCount > 0 && c.lastFailureAt !== null && c.lastFailureAt < c.lastOrderAt) return 'recovered';
  return 'active';
}

export function relationshipMetrics(c: RelationshipInput, now: Date): RelationshipMetrics {
  const known = [c.createdAt, c.firstOrderAt, c.firstSeenAt].filter((d): d is string => d !== null).sort()[0]!;
  return {
    ordersCount: c.ordersCount,
    lifetimeValue: c.totalSpent - c.totalRefunded,
    averageOrderValue: c.ordersCount > 0 ? Math.round(c.totalSpent / c.ordersCount) : 0,
    firstOrderAt: c.firstOrderAt,
    lastOrderAt: c.lastOrderAt,
    tenureDays: daysBetween(known, now),
    daysSinceLastOrder: c.lastOrderAt === null ? null : daysBetween(c.lastOrderAt, now),
    failuresCount: c.failuresCount,
    lastFailureAt: c.lastFailureAt,
    segment: lifecycleSegment(c, now),
  };
}
