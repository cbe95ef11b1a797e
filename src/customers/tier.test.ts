import { describe, expect, it } from 'vitest';
import { customerTier, defaultTierThresholds } from './tier.ts';

const base = { lifetimeValue: 0, ordersCount: 0, tenureDays: 0, tags: [] as string[] };

describe('customerTier', () => {
  it('is new without repeat orders', () => {
    expect(customerTier({ ...base, ordersCount: 1, lifetimeValue: 5_000 }).tier).toBe('new');
  });
  it('is regular from the second order', () => {
    expect(customerTier({ ...base, ordersCount: 2, lifetimeValue: 5_000 }).tier).toBe('regular');
  });
  it('needs tenure as well as value for loyal', () => {
    expect(customerTier({ ...base, ordersCount: 5, lifetimeValue: 50_000, tenureDays: 30 }).tier).toBe('regular');
    expect(customerTier({ ...base, ordersCount: 5, lifetimeValue: 50_000, tenureDays: 120 }).tier).toBe('loyal');
  });
  it('is vip by value, by volume, or by tag', () => {
    expect(customerTier({ ...base, ordersCount: 3, lifetimeValue: 150_000 }).tier).toBe('vip');
    expect(customerTier({ ...base, ordersCount: 12, lifetimeValue: 20_000 }).tier).toBe('vip');
    expect(customerTier({ ...base, tags: ['VIP'] })).toEqual({ tier: 'vip', reason: 'tagged vip' });
  });
  it('follows store thresholds', () => {
    const t = { ...defaultTierThresholds, vip: { minLifetimeValue: 10_000, minOrders: 99, minTenureDays: 0 } };
    expect(customerTier({ ...base, ordersCount: 1, lifetimeValue: 10_000 }, t).tier).toBe('vip');
    expect(customerTier({ ...base, ordersCount: 1, lifetimeValue: 9_999 }, t).tier).toBe('new');
  });
});
