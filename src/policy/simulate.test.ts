import { describe, expect, it } from 'vitest';
import { openDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import type { OfferDecision } from './decide-offer.ts';
import { defaultPolicy } from './default-policy.ts';
import { parsePolicy } from './parse-policy.ts';
import type { Policy } from './policy.schema.ts';
import {
  inReplayOrder,
  loadSimulationInput,
  type SimCase,
  type SimCustomer,
  type SimEvent,
  type SimFacts,
  simulatePolicies,
} from './simulate.ts';

const { policy, source } = defaultPolicy();

function variant(from: string, to: string): Policy {
  if (!source.includes(from)) throw new Error(`default.yaml has no "${from}"`);
  const parsed = parsePolicy(source.replace(from, to));
  if (!parsed.ok) throw new Error(`variant invalid: ${parsed.errors[0]!.message}`);
  return parsed.policy;
}

const day = (n: number, hour = 12) => new Date(Date.UTC(2026, 0, 1 + n, hour)).toISOString();
const customer = (id: string, extra: Partial<SimCustomer> = {}): SimCustomer => ({
  id,
  tags: [],
  createdAt: null,
  firstSeenAt: null,
  ...extra,
});
const order = (n: number, id: string, customerId: string, total = 8_000): SimEvent => ({
  type: 'order',
  at: day(n, 9),
  orderId: id,
  customerId,
  total,
  currency: 'USD',
});
const lateCase = (n: number, id: string, customerId: string, orderId: string, total = 8_000, extra: Partial<SimCase> = {}): SimCase => ({
  type: 'case',
  at: day(n),
  caseId: id,
  customerId,
  order: { id: orderId, total, currency: 'USD' },
  kind: 'delivery_late',
  severity: 2,
  source: 'reactive',
  guardrails: [],
  ...extra,
});

/** A regular customer (two orders) with late parcels on the given days. */
function lateParcels(customerId: string, days: number[]): SimEvent[] {
  const events: SimEvent[] = [order(0, `${customerId}-o0`, customerId), order(1, `${customerId}-o1`, customerId)];
  for (const d of days) {
    events.push(order(d - 3, `${customerId}-o${d}`, customerId));
    events.push(lateCase(d, `${customerId}-k${d}`, customerId, `${customerId}-o${d}`));
  }
  return inReplayOrder(events);
}

async function decisions(policies: { label: string; policy: Policy }[], customers: SimCustomer[], events: SimEvent[]) {
  const seen: { e: SimCase; d: readonly OfferDecision[]; facts: SimFacts }[] = [];
  const report = await simulatePolicies({ policies, customers, events, onDecision: (e, d, facts) => seen.push({ e, d, facts }) });
  return { report, seen };
}

describe('simulatePolicies', () => {
  it('a stricter automatic cap lowers the auto-issued share', async () => {
    const events = inReplayOrder([...lateParcels('a', [30]), ...lateParcels('b', [40]), ...lateParcels('c', [50])]);
    const report = await simulatePolicies({
      policies: [
        { label: 'default', policy },
        { label: 'strict', policy: variant('auto: { perCase: 25.00 }', 'auto: { perCase: 5.00 }') },
      ],
      customers: [customer('a'), customer('b'), customer('c')],
      events,
    });
    const [loose, strict] = report.policies;
    expect(report.cases).toBe(3);
    // 10 % of 80.00 is 8.00: within 25.00, over 5.00.
    expect(loose).toMatchObject({ autoIssued: 3, autoIssuedPercent: 100, needsApproval: 0 });
    expect(strict).toMatchObject({ autoIssued: 0, autoIssuedPercent: 0, needsApproval: 0 });
    expect(loose!.byRule['late-minor']).toEqual({ count: 3, cost: 2_400 });
    expect(loose!.byOfferKind).toEqual({ discount_code: { count: 3, cost: 2_400 } });
    expect(loose!.givenCost.amount).toBe(2_400);
    // An agent may still give it, so the strict replay counts it as given too.
    expect(strict!.givenCost.amount).toBe(2_400);
  });

  it('counts the offer Amends issues by itself, which may not be the first suggested', async () => {
    const events = inReplayOrder([order(0, 'o0', 'n'), lateCase(3, 'k1', 'n', 'o0')]);
    const { report, seen } = await decisions([{ label: 'default', policy }], [customer('n')], events);
    const d = seen[0]!.d[0]!;
    // A new customer's first failure: the welcome-back code (12.00) comes first, the rule's own offer is issued (8.00).
    expect(d.offers[0]!.offerId).toBe('welcome_back');
    expect(d.auto).toMatchObject({ issue: true, offerId: 'discount_10' });
    expect(report.policies[0]).toMatchObject({ autoIssued: 1, needsApproval: 0, totalCost: { amount: 800 }, givenCost: { amount: 800 } });
  });

  it('a second compensation within the cool-down needs approval; after it, it is automatic again', async () => {
    const close = await decisions([{ label: 'default', policy }], [customer('a')], lateParcels('a', [30, 40, 60]));
    const [first, second, third] = close.seen.map((s) => s.d[0]!);
    expect(first!.auto.issue).toBe(true);
    expect(second!.firings.map((f) => f.rule)).toEqual(['cool_down']);
    expect(second!.auto.issue).toBe(false);
    expect(second!.offers[0]!.approval).toMatchObject({ needed: true, approverRole: 'manager', justificationRequired: true });
    // 20 days after the last one given (day 30; day 40's was not given): outside the 14 days.
    expect(third!.firings).toEqual([]);
    expect(third!.auto.issue).toBe(true);
    const p = close.report.policies[0]!;
    expect(p).toMatchObject({ cases: 3, autoIssued: 2, needsApproval: 1, guardrailFired: 1 });
    expect(p.byGuardrail.cool_down).toBe(1);
    expect(p.totalCost.amount).toBe(2_400);
    expect(p.givenCost.amount).toBe(1_600);

    // A longer cool-down catches the third too.
    const longer = await simulatePolicies({
      policies: [{ label: 'long', policy: variant('coolDownDays: 14', 'coolDownDays: 30') }],
      customers: [customer('a')],
      events: lateParcels('a', [30, 40, 60]),
    });
    expect(longer.policies[0]).toMatchObject({ autoIssued: 1, needsApproval: 2 });
  });

  it("uses the customer's facts as of the case, not as of today", async () => {
    const events = inReplayOrder([
      order(0, 'o0', 'a', 5_000),
      lateCase(10, 'k1', 'a', 'o0', 5_000),
      // Twelve big orders after the first case: a vip today.
      ...Array.from({ length: 12 }, (_, i) => order(20 + i, `big${i}`, 'a', 20_000)),
      lateCase(40, 'k2', 'a', 'big11', 20_000),
    ]);
    const { report, seen } = await decisions([{ label: 'default', policy }], [customer('a', { firstSeenAt: day(0, 9) })], events);
    const [first, second] = seen.map((s) => s.d[0]!);
    expect(seen[0]!.facts.customer).toMatchObject({ lifetimeValue: 5_000, ordersCount: 1, tenureDays: 10 });
    expect(first!.tier.tier).toBe('new');
    expect(first!.offers[0]!.offerId).toBe('welcome_back'); // first failure of a new customer
    expect(seen[1]!.facts).toMatchObject({ customer: { lifetimeValue: 245_000, ordersCount: 13, tenureDays: 40 }, priorFailures: 1 });
    expect(second!.tier.tier).toBe('vip');
    expect(report.policies[0]!.byTier).toMatchObject({ new: { count: 1 }, vip: { count: 1 }, regular: { count: 0 } });
  });

  it('refunds and cancellations count from when they happened', async () => {
    const refundCase = (n: number, id: string): SimCase => ({ ...lateCase(n, id, 'a', 'o1', 10_000), kind: 'refund_request' });
    const events = inReplayOrder([
      order(0, 'o0', 'a', 30_000),
      order(1, 'o1', 'a', 10_000),
      { type: 'refund', at: day(5), orderId: 'o1', customerId: 'a', orderCurrency: 'USD', amount: 4_000, currency: 'USD' },
      { type: 'cancel', at: day(6), orderId: 'o0', customerId: 'a', total: 30_000, currency: 'USD' },
      refundCase(3, 'k1'),
      refundCase(8, 'k2'),
    ]);
    const { seen } = await decisions([{ label: 'default', policy }], [customer('a')], events);
    const [before, after] = seen.map((s) => s.d[0]!);
    expect(seen[0]!.facts).toMatchObject({ customer: { lifetimeValue: 40_000, ordersCount: 2 }, order: { refunded: 0 } });
    expect(before!.offers.find((o) => o.offerId === 'refund_full')!.amount!.amount).toBe(10_000);
    // 60.00 of 100.00 left to refund; o0 no longer counts at all.
    expect(seen[1]!.facts).toMatchObject({ customer: { lifetimeValue: 6_000, ordersCount: 1 }, order: { refunded: 4_000 } });
    expect(after!.offers.find((o) => o.offerId === 'refund_full')!.amount!.amount).toBe(6_000);
  });

  it('what the replay gave on an order comes off what is left to refund on it', async () => {
    const events = inReplayOrder([
      order(0, 'o0', 'a', 3_000),
      order(1, 'o1', 'a', 3_000),
      { ...lateCase(5, 'k1', 'a', 'o1', 3_000), kind: 'quality_defect' },
      { ...lateCase(30, 'k2', 'a', 'o1', 3_000), kind: 'refund_request' },
    ]);
    const { seen } = await decisions([{ label: 'default', policy }], [customer('a')], events);
    const [replaced, asked] = seen;
    // A replacement worth 30.00 is within an agent's 50.00: given.
    expect(replaced!.d[0]!.offers[0]).toMatchObject({ offerId: 'replacement', approval: { needed: false } });
    expect(asked!.facts.reserved).toEqual([3_000]);
    expect(asked!.d[0]!.unavailable.map((u) => u.offerId)).toEqual(['refund_full', 'refund_30']);
  });

  it('counts only the period, with the history before it as background, and revenue of the period', async () => {
    const report = await simulatePolicies({
      policies: [{ label: 'default', policy }],
      customers: [customer('a')],
      events: lateParcels('a', [30, 40, 70]),
      from: day(35, 0),
      to: day(60, 0),
    });
    expect(report).toMatchObject({ cases: 1, warmUpCases: 1, firstCaseAt: day(40) });
    const p = report.policies[0]!;
    // Day 30 (background) was given automatically, so day 40 is within the cool-down.
    expect(p).toMatchObject({ cases: 1, autoIssued: 0, needsApproval: 1 });
    // One order placed in the period (day 37, for the day-40 case).
    expect(p.revenue).toEqual({ amount: 8_000, currency: 'USD' });
    expect(p.costPercentOfRevenue).toBe(10);
  });

  it('abuse review from the claims window, and triage guardrails send money to a manager', async () => {
    const events = inReplayOrder([
      ...lateParcels('a', [10, 11, 12, 13]),
      order(0, 'x0', 'x'),
      lateCase(5, 'kx', 'x', 'x0', 8_000, { guardrails: [{ rule: 'critical_severity' }] }),
    ]);
    const { report, seen } = await decisions([{ label: 'default', policy }], [customer('a'), customer('x')], events);
    const byCase = new Map(seen.map((s) => [s.e.caseId, s.d[0]!]));
    expect(byCase.get('a-k12')!.manualReview).toBe(false);
    expect(byCase.get('a-k13')!.manualReview).toBe(true); // the fourth case in 90 days
    expect(byCase.get('kx')!.firings.map((f) => f.rule)).toEqual(['needs_senior']);
    expect(report.policies[0]!.byGuardrail).toMatchObject({ abuse_review: 1, needs_senior: 1 });
  });

  it('refuses a history out of time order', async () => {
    const events = lateParcels('a', [30]).reverse();
    await expect(simulatePolicies({ policies: [{ label: 'default', policy }], customers: [], events })).rejects.toThrow(
      /out of time order/,
    );
  });
});

describe('loadSimulationInput (SQLite)', () => {
  it('streams the store history in time order, facts before a case at the same instant', async () => {
    const database = openDatabase(':memory:');
    try {
      await migrateToLatest(database);
      const db = database.db;
      const at = day(0);
      await db.insertInto('stores').values({ id: 's', name: 'S', timezone: 'UTC', currency: 'USD', case_seq: 0, created_at: at }).execute();
      await db
        .insertInto('stores')
        .values({ id: 'other', name: 'O', timezone: 'UTC', currency: 'USD', case_seq: 0, created_at: at })
        .execute();
      await db
        .insertInto('customers')
        .values(
          ['s', 'other'].map((store) => ({
            store_id: store,
            id: 'a',
            tags: '["VIP"]',
            created_at: day(-100),
            orders_count: 0,
            total_spent: 0,
            total_refunded: 0,
            failures_count: 0,
            first_seen_at: day(0),
            updated_at: at,
          })),
        )
        .execute();
      const orderRow = (store: string, id: string, placed: string, status = 'placed', cancelled: string | null = null) => ({
        store_id: store,
        id,
        customer_id: 'a',
        status,
        total_amount: 8_000,
        currency: 'USD',
        items: '[]',
        placed_at: placed,
        cancelled_at: cancelled,
        refunded_amount: 0,
        updated_at: at,
      });
      await db
        .insertInto('orders')
        .values([orderRow('s', 'o1', day(2)), orderRow('s', 'o2', day(1), 'cancelled', day(3)), orderRow('other', 'o1', day(2))])
        .execute();
      await db
        .insertInto('refunds')
        .values({ store_id: 's', id: 'r1', order_id: 'o1', amount: 500, currency: 'USD', occurred_at: day(4) })
        .execute();
      const caseRow = (id: string, created: string, guardrails: string, avertable: number) => ({
        store_id: 's',
        id,
        number: Number(id.slice(1)),
        status: 'new',
        source: 'reactive',
        customer_id: 'a',
        order_id: 'o1',
        created_at: created,
        updated_at: created,
        kind: 'delivery_late',
        severity: 2,
        guardrails,
        avertable,
      });
      await db
        .insertInto('cases')
        .values([
          caseRow('k2', day(9), '[{"rule":"avertable"},{"rule":"repeat_failure"}]', 0),
          caseRow('k1', day(2), '[]', 0),
          { ...caseRow('k3', day(20), '[]', 0), order_id: null },
        ])
        .execute();

      const input = loadSimulationInput(db, 's', { to: day(15) });
      const customers = [];
      for await (const c of input.customers) customers.push(c);
      expect(customers).toEqual([{ id: 'a', tags: ['VIP'], createdAt: day(-100), firstSeenAt: day(0) }]);
      const events = [];
      for await (const e of input.events) events.push(e);
      expect(events.map((e) => `${e.type} ${e.at}`)).toEqual([
        `order ${day(1)}`,
        `order ${day(2)}`,
        `case ${day(2)}`,
        `cancel ${day(3)}`,
        `refund ${day(4)}`,
        `case ${day(9)}`,
      ]);
      expect(events[2]).toEqual({
        type: 'case',
        at: day(2),
        caseId: 'k1',
        customerId: 'a',
        order: { id: 'o1', total: 8_000, currency: 'USD' },
        kind: 'delivery_late',
        severity: 2,
        source: 'reactive',
        guardrails: [],
      });
      expect(events[4]).toEqual({
        type: 'refund',
        at: day(4),
        orderId: 'o1',
        customerId: 'a',
        amount: 500,
        currency: 'USD',
        orderCurrency: 'USD',
      });
      // A cleared avertable flag does not count.
      expect((events[5] as SimCase).guardrails).toEqual([{ rule: 'repeat_failure' }]);

      const report = await simulatePolicies({ policies: [{ label: 'default', policy }], ...loadSimulationInput(db, 's') });
      expect(report).toMatchObject({ cases: 3, customers: 1 });
      expect(report.policies[0]!.byTier.vip.count).toBe(3);
    } finally {
      await database.close();
    }
  });
});
