import { describe, expect, it } from 'vitest';
import { type DecideCase, type DecideCustomer, type DecideHistory, decideOffer } from './decide-offer.ts';
import { defaultPolicy } from './default-policy.ts';
import { parsePolicy } from './parse-policy.ts';

const { policy, source } = defaultPolicy();
const now = '2026-06-01T12:00:00Z';
const late: DecideCase = { kind: 'delivery_late', severity: 2, source: 'reactive', guardrails: [] };
const regular: DecideCustomer = { lifetimeValue: 15_000, currency: 'USD', ordersCount: 3, tenureDays: 200, tags: [] };
const order = { total: { amount: 8_000, currency: 'USD' }, refunded: 0 };
const empty: DecideHistory = { compensations: [], claims: [now], priorFailures: 1 };

describe('decideOffer with the default policy', () => {
  it('suggests the matrix offers for a late parcel, valued against the order, and issues the first automatically', () => {
    const d = decideOffer(late, regular, order, policy, empty, now);
    expect(d.tier.tier).toBe('regular');
    expect(d.rule.id).toBe('late-minor');
    expect(d.offers.map((o) => o.offerId)).toEqual(['discount_10', 'shipping_refund', 'shipping_refund+credit', 'points_500']);
    // 10 % of 80.00 = 8.00 estimated cost; shipping refund 7.95; its credit alternative +10 % = 8.75.
    expect(d.offers[0]).toMatchObject({ percentOff: 10, amount: null, cost: { amount: 800, currency: 'USD' } });
    expect(d.offers[1]!.amount).toEqual({ amount: 795, currency: 'USD' });
    expect(d.offers[2]).toMatchObject({ kind: 'store_credit', amount: { amount: 875, currency: 'USD' }, source: 'refund_alternative' });
    expect(d.auto).toMatchObject({ issue: true, offerId: 'discount_10' });
    expect(d.reasons.join('\n')).toMatch(/rule late-minor \(matrix\[0\]\) matched kind delivery_late, severity 2/);
  });

  it('a new customer’s first failure gets the welcome-back offer first', () => {
    const d = decideOffer(late, { ...regular, ordersCount: 1, lifetimeValue: 8_000 }, order, policy, { ...empty, priorFailures: 0 }, now);
    expect(d.tier.tier).toBe('new');
    expect(d.offers[0]!.offerId).toBe('welcome_back');
    expect(d.offers[0]!.source).toBe('welcome_back');
    // …but not their second failure.
    const again = decideOffer(late, { ...regular, ordersCount: 1, lifetimeValue: 8_000 }, order, policy, empty, now);
    expect(again.offers.map((o) => o.offerId)).not.toContain('welcome_back');
  });

  it('loyal and vip customers get the exclusive perk; the vip rule for lost parcels', () => {
    const vip = { ...regular, tags: ['VIP'] };
    const d = decideOffer({ ...late, kind: 'delivery_lost', severity: 3 }, vip, order, policy, empty, now);
    expect(d.rule.id).toBe('not-received-vip');
    expect(d.offers.map((o) => o.offerId)).toEqual(['replacement', 'refund_full', 'refund_full+credit', 'vip_gift']);
    expect(d.offers[1]!.amount).toEqual({ amount: 8_000, currency: 'USD' });
    expect(d.offers[2]!.amount).toEqual({ amount: 8_800, currency: 'USD' });
  });

  it('the preferred remedy comes first when the rule offers it', () => {
    const history: DecideHistory = {
      ...empty,
      compensations: [
        { at: '2025-01-01T00:00:00Z', kind: 'loyalty_points', cost: { amount: 500, currency: 'USD' }, status: 'issued' },
        { at: '2025-03-01T00:00:00Z', kind: 'loyalty_points', cost: { amount: 500, currency: 'USD' }, status: 'issued' },
        { at: '2025-04-01T00:00:00Z', kind: 'refund_partial', cost: { amount: 500, currency: 'USD' }, status: 'failed' },
      ],
    };
    const d = decideOffer(late, regular, order, policy, history, now);
    expect(d.offers[0]).toMatchObject({ offerId: 'points_500', preferred: true });
  });

  it('an agent needs a manager above the per-case limit and above the remaining allowance', () => {
    const big = { total: { amount: 90_000, currency: 'USD' }, refunded: 0 };
    const rich = { ...regular, lifetimeValue: 1_000_000 };
    const d = decideOffer({ ...late, kind: 'refund_request' }, rich, big, policy, empty, now, {
      type: 'user',
      role: 'agent',
      allowanceRemaining: 200_000,
    });
    const full = d.offers.find((o) => o.offerId === 'refund_full')!;
    expect(full.approval).toMatchObject({ needed: true, approverRole: 'admin' });
    const partial = d.offers.find((o) => o.offerId === 'refund_30')!; // 270.00 capped at 150.00
    expect(partial.cost.amount).toBe(15_000);
    expect(partial.approval).toMatchObject({ needed: true, approverRole: 'manager' });
    const small = decideOffer(late, rich, order, policy, empty, now, { type: 'user', role: 'agent', allowanceRemaining: 700 });
    expect(small.offers.find((o) => o.offerId === 'shipping_refund')!.approval.reasons.join()).toMatch(/allowance/);
    expect(small.offers.find((o) => o.offerId === 'points_500')!.approval.needed).toBe(false);
  });

  it('guardrails: cool-down, lifetime-value cap and abuse make exceptions and stop automatic issue', () => {
    const history: DecideHistory = {
      compensations: [{ at: '2026-05-25T00:00:00Z', kind: 'store_credit', cost: { amount: 4_000, currency: 'USD' }, status: 'issued' }],
      claims: ['2026-03-10T00:00:00Z', '2026-04-10T00:00:00Z', '2026-05-10T00:00:00Z', now],
      priorFailures: 3,
    };
    const d = decideOffer(late, regular, order, policy, history, now, { type: 'user', role: 'agent', allowanceRemaining: null });
    expect(d.firings.map((f) => f.rule).sort()).toEqual(['abuse_review', 'cool_down', 'lifetime_value_cap']);
    expect(d.manualReview).toBe(true);
    expect(d.auto.issue).toBe(false);
    expect(d.offers[0]!.approval).toMatchObject({ needed: true, approverRole: 'manager', justificationRequired: true });
    const asManager = decideOffer(late, regular, order, policy, history, now, { type: 'user', role: 'manager', allowanceRemaining: null });
    expect(asManager.offers[0]!.approval).toMatchObject({ needed: false, justificationRequired: true });
  });

  it('triage guardrails (repeat, critical, avertable) send money to a manager', () => {
    const d = decideOffer({ ...late, guardrails: [{ rule: 'repeat_failure' }] }, regular, order, policy, empty, now, {
      type: 'user',
      role: 'agent',
      allowanceRemaining: null,
    });
    expect(d.firings[0]).toMatchObject({ rule: 'needs_senior' });
    expect(d.auto.issue).toBe(false);
    expect(d.offers.every((o) => o.cost.amount === 0 || o.approval.approverRole === 'manager')).toBe(true);
  });

  it('says why an offer is unavailable: no order, fully refunded, another currency', () => {
    const noOrder = decideOffer({ ...late, kind: 'quality_defect' }, regular, null, policy, empty, now);
    expect(noOrder.unavailable.map((u) => u.offerId)).toEqual(['replacement', 'refund_30', 'refund_full']);
    const refunded = decideOffer({ ...late, kind: 'refund_request' }, regular, { ...order, refunded: 8_000 }, policy, empty, now);
    expect(refunded.unavailable[0]!.reason).toMatch(/fully refunded/);
    const eur = decideOffer(late, regular, { total: { amount: 5_000, currency: 'EUR' }, refunded: 0 }, policy, empty, now);
    expect(eur.unavailable.find((u) => u.offerId === 'shipping_refund')!.reason).toMatch(/EUR/);
  });

  it('never issues an apology on its own automatically: the acknowledgement already said sorry', () => {
    const d = decideOffer({ ...late, kind: 'website_bug', severity: 1 }, regular, order, policy, empty, now);
    expect(d.rule.id).toBe('website');
    expect(d.offers[0]!.kind).toBe('apology_only');
    expect(d.auto).toMatchObject({ issue: false, offerId: 'apology' });
  });

  it('a stricter variant of the policy changes the decision', () => {
    const strict = parsePolicy(source.replace('auto: { perCase: 25.00 }', 'auto: { perCase: 5.00 }'));
    if (!strict.ok) throw new Error('variant invalid');
    const d = decideOffer(late, regular, order, strict.policy, empty, now);
    expect(d.auto.issue).toBe(false);
    expect(d.auto.reasons[0]).toMatch(/over what Amends may issue by itself \(5\.00 USD\)/);
  });
});
