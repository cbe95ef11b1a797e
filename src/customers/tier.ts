/**
 * Customer tier (DESIGN.md §4): how valuable the customer is to the store,
 * from lifetime value, order count and tenure. Pure; thresholds come from the
 * store's settings (amounts in the store currency's minor units).
 */
import { formatMoney } from '../policy/money.ts';

export const customerTiers = ['new', 'regular', 'loyal', 'vip'] as const;
export type CustomerTier = (typeof customerTiers)[number];

export interface TierRule {
  /** Lifetime value (spent minus refunded) at or above this, in minor units… */
  minLifetimeValue: number;
  /** …or at least this many orders… */
  minOrders: number;
  /** …and known for at least this many days. */
  minTenureDays: number;
}

export interface TierThresholds {
  vip: TierRule;
  loyal: TierRule;
  regular: TierRule;
}

export const defaultTierThresholds: TierThresholds = {
  vip: { minLifetimeValue: 100_000, minOrders: 12, minTenureDays: 0 },
  loyal: { minLifetimeValue: 40_000, minOrders: 5, minTenureDays: 90 },
  regular: { minLifetimeValue: 0, minOrders: 2, minTenureDays: 0 },
};

export interface TierInput {
  lifetimeValue: number;
  ordersCount: number;
  tenureDays: number;
  tags: string[];
  /** When known, lifetime value is shown as money in reasons. */
  currency?: string;
}

export interface TierDecision {
  tier: CustomerTier;
  reason: string;
}

/** 0 means "not by this measure"; a rule with neither measure goes by tenure alone. */
function qualifies(c: TierInput, r: TierRule): boolean {
  const byValue = r.minLifetimeValue > 0 && c.lifetimeValue >= r.minLifetimeValue;
  const byOrders = r.minOrders > 0 && c.ordersCount >= r.minOrders;
  const neither = r.minLifetimeValue === 0 && r.minOrders === 0;
  return (byValue || byOrders || neither) && c.tenureDays >= r.minTenureDays;
}

/** First match wins: a `vip` tag, then vip, loyal, regular thresholds; otherwise `new`. */
export function customerTier(c: TierInput, t: TierThresholds = defaultTierThresholds): TierDecision {
  const value = c.currency ? formatMoney(c.lifetimeValue, c.currency) : String(c.lifetimeValue);
  const facts = `lifetime value ${value}, ${c.ordersCount} orders, ${c.tenureDays} days`;
  if (c.tags.some((tag) => tag.toLowerCase() === 'vip')) return { tier: 'vip', reason: 'tagged vip' };
  for (const tier of ['vip', 'loyal', 'regular'] as const) {
    if (qualifies(c, t[tier])) return { tier, reason: `${facts} meets the ${tier} threshold` };
  }
  return { tier: 'new', reason: `${facts}: below the regular threshold` };
}
