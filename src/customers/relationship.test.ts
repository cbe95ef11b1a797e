import { describe, expect, it } from 'vitest';
import { lifecycleSegment, lifecycleSegments, type RelationshipInput, relationshipMetrics, segmentThresholds } from './relationship.ts';

const DAY = 86_400_000;
const now = new Date('2026-06-01T12:00:00.000Z');
/** The instant `n` days before `now` (fractions allowed). */
const daysAgo = (n: number) => new Date(now.getTime() - n * DAY).toISOString();

function customer(over: Partial<RelationshipInput> = {}): RelationshipInput {
  return {
    ordersCount: 0,
    totalSpent: 0,
    totalRefunded: 0,
    firstOrderAt: null,
    lastOrderAt: null,
    failuresCount: 0,
    lastFailureAt: null,
    createdAt: null,
    firstSeenAt: daysAgo(400),
    ...over,
  };
}

/** A customer with `count` orders, the first `first` days ago and the last `last` days ago. */
const ordered = (count: number, first: number, last: number, over: Partial<RelationshipInput> = {}) =>
  customer({ ordersCount: count, totalSpent: count * 1000, firstOrderAt: daysAgo(first), lastOrderAt: daysAgo(last), ...over });

const t = segmentThresholds;

describe('relationship metrics', () => {
  it('nets refunds out of the lifetime value but not out of the average order', () => {
    const m = relationshipMetrics(
      customer({ ordersCount: 3, totalSpent: 10_000, totalRefunded: 2_500, firstOrderAt: daysAgo(50), lastOrderAt: daysAgo(5) }),
      now,
    );
    expect(m.lifetimeValue).toBe(7_500);
    expect(m.averageOrderValue).toBe(3_333);
    expect(
      relationshipMetrics(customer({ ordersCount: 3, totalSpent: 10_001, firstOrderAt: daysAgo(5), lastOrderAt: daysAgo(5) }), now)
        .averageOrderValue,
    ).toBe(3_334);
  });

  it('has no average and no days since the last order without orders', () => {
    const m = relationshipMetrics(customer(), now);
    expect(m).toMatchObject({
      ordersCount: 0,
      lifetimeValue: 0,
      averageOrderValue: 0,
      daysSinceLastOrder: null,
      firstOrderAt: null,
      lastOrderAt: null,
    });
  });

  it('counts whole days since the last order, and tenure from the earliest of account, first order and first sight', () => {
    expect(relationshipMetrics(ordered(2, 30, 10.9), now).daysSinceLastOrder).toBe(10);
    expect(relationshipMetrics(customer({ firstSeenAt: daysAgo(12.5) }), now).tenureDays).toBe(12);
    expect(relationshipMetrics(customer({ firstSeenAt: daysAgo(12), createdAt: daysAgo(300) }), now).tenureDays).toBe(300);
    expect(relationshipMetrics(ordered(1, 77, 77, { firstSeenAt: daysAgo(3), createdAt: daysAgo(20) }), now).tenureDays).toBe(77);
    // A time after `now` (clock skew, a replay) is zero days, never negative.
    expect(relationshipMetrics(ordered(1, -2, -2, { firstSeenAt: daysAgo(-2) }), now)).toMatchObject({
      tenureDays: 0,
      daysSinceLastOrder: 0,
    });
  });

  it('passes the counters and times through', () => {
    const input = ordered(4, 100, 20, { failuresCount: 2, lastFailureAt: daysAgo(40) });
    expect(relationshipMetrics(input, now)).toMatchObject({
      ordersCount: 4,
      firstOrderAt: input.firstOrderAt,
      lastOrderAt: input.lastOrderAt,
      failuresCount: 2,
      lastFailureAt: input.lastFailureAt,
      segment: lifecycleSegment(input, now),
    });
  });
});

describe('lifecycle segment', () => {
  it('calls a customer without orders new, however long known', () => {
    expect(lifecycleSegment(customer(), now)).toBe('new');
    expect(lifecycleSegment(customer({ firstSeenAt: daysAgo(1000), failuresCount: 1, lastFailureAt: daysAgo(2) }), now)).toBe('new');
  });

  it(`calls a first order within ${t.newWithin} days new, and then active`, () => {
    expect(lifecycleSegment(ordered(1, 0, 0), now)).toBe('new');
    expect(lifecycleSegment(ordered(1, t.newWithin, t.newWithin), now)).toBe('new');
    expect(lifecycleSegment(ordered(1, t.newWithin + 1, t.newWithin + 1), now)).toBe('active');
    // A second order makes them a returning customer at once.
    expect(lifecycleSegment(ordered(2, 10, 2), now)).toBe('active');
  });

  it(`calls a customer at risk after ${t.atRiskAfter} days without an order, and lapsed after ${t.lapsedAfter}`, () => {
    expect(lifecycleSegment(ordered(3, 400, t.atRiskAfter), now)).toBe('active');
    expect(lifecycleSegment(ordered(3, 400, t.atRiskAfter + 1), now)).toBe('at_risk');
    expect(lifecycleSegment(ordered(3, 400, t.lapsedAfter), now)).toBe('at_risk');
    expect(lifecycleSegment(ordered(3, 400, t.lapsedAfter + 1), now)).toBe('lapsed');
    expect(lifecycleSegment(ordered(1, t.lapsedAfter + 1, t.lapsedAfter + 1), now)).toBe('lapsed');
  });

  it(`puts a customer at risk after a failure within ${t.failureAtRiskWithin} days with no order since`, () => {
    expect(lifecycleSegment(ordered(3, 200, 20, { failuresCount: 1, lastFailureAt: daysAgo(10) }), now)).toBe('at_risk');
    expect(lifecycleSegment(ordered(3, 200, 40, { failuresCount: 1, lastFailureAt: daysAgo(t.failureAtRiskWithin) }), now)).toBe('at_risk');
    // The failure of the last order itself (same instant) is not an order after it.
    const same = ordered(3, 200, 5);
    expect(lifecycleSegment({ ...same, failuresCount: 1, lastFailureAt: same.lastOrderAt }, now)).toBe('at_risk');
    // Older failures fade.
    expect(lifecycleSegment(ordered(3, 200, 40, { failuresCount: 1, lastFailureAt: daysAgo(t.failureAtRiskWithin + 1) }), now)).toBe(
      'active',
    );
  });

  it('does not call a customer whose only order just failed new', () => {
    expect(lifecycleSegment(ordered(1, 5, 5, { failuresCount: 1, lastFailureAt: daysAgo(2) }), now)).toBe('at_risk');
    // A failure before their first order (e.g. a declined card) does not stop them being new.
    expect(lifecycleSegment(ordered(1, 5, 5, { failuresCount: 1, lastFailureAt: daysAgo(6) }), now)).toBe('new');
  });

  it('calls a customer who ordered again after a failure recovered', () => {
    expect(lifecycleSegment(ordered(3, 200, 5, { failuresCount: 1, lastFailureAt: daysAgo(10) }), now)).toBe('recovered');
    expect(lifecycleSegment(ordered(3, 200, 5, { failuresCount: 4, lastFailureAt: daysAgo(80) }), now)).toBe('recovered');
    // Recovery does not outlive silence.
    expect(lifecycleSegment(ordered(3, 200, t.atRiskAfter + 1, { failuresCount: 1, lastFailureAt: daysAgo(150) }), now)).toBe('at_risk');
    expect(lifecycleSegment(ordered(3, 400, t.lapsedAfter + 1, { failuresCount: 1, lastFailureAt: daysAgo(300) }), now)).toBe('lapsed');
  });

  it('moves with the clock, not with the wall', () => {
    const c = ordered(2, 60, 10);
    const later = (days: number) => new Date(now.getTime() + days * DAY);
    expect(lifecycleSegment(c, now)).toBe('active');
    expect(lifecycleSegment(c, later(t.atRiskAfter - 10 + 1))).toBe('at_risk');
    expect(lifecycleSegment(c, later(t.lapsedAfter - 10 + 1))).toBe('lapsed');
  });

  it('only answers known segments, and reaches each of them', () => {
    const samples = [
      customer(),
      ordered(2, 100, 5),
      ordered(2, 100, 95),
      ordered(2, 300, 250),
      ordered(2, 50, 5, { failuresCount: 1, lastFailureAt: daysAgo(7) }),
    ];
    const answers = samples.map((c) => lifecycleSegment(c, now));
    for (const s of answers) expect(lifecycleSegments).toContain(s);
    // One sample per segment: each segment is reachable.
    expect([...new Set(answers)].sort()).toEqual([...lifecycleSegments].sort());
  });
});
