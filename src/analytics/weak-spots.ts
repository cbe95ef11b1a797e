/**
 * Weak spots (issue 9, "root cause"), pure: the products, carriers and hours of the day whose orders fail most
 * often. An order failed when a case was opened on it. For each value: orders, failed orders, the rate and its
 * Wilson 95 % interval. Values with fewer than `minOrders` orders are left out (a SKU sold twice and failed once
 * is not a weak spot, just a small sample), and the rest are ranked by the interval's LOW end, so that a rate we
 * are sure of outranks the same rate seen on fewer orders. `lift` compares the rate to the whole store's.
 * Hours are the hour of the day the order was placed, in the store's time zone.
 */
import { DateTime } from 'luxon';
import { toCsv } from './root-cause.ts';
import { wilsonInterval } from './wilson.ts';

export interface OrderFacts {
  id: string;
  placedAt: string;
  skus: readonly string[];
  carriers: readonly string[];
  failed: boolean;
}

export interface WeakSpot {
  value: string;
  orders: number;
  failed: number;
  rate: number;
  /** Wilson 95 % interval of the rate. */
  low: number;
  high: number;
  /** rate / the store's overall rate (null when the store had no failures). */
  lift: number | null;
}

export interface WeakSpots {
  orders: number;
  failed: number;
  rate: number | null;
  minOrders: number;
  products: WeakSpot[];
  carriers: WeakSpot[];
  hours: WeakSpot[];
}

export const weakSpotDimensions = ['products', 'carriers', 'hours'] as const;
export type WeakSpotDimension = (typeof weakSpotDimensions)[number];

export function hourOf(iso: string, timezone: string): number {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(timezone).hour;
}

function rank(
  tally: Map<string, { orders: number; failed: number }>,
  minOrders: number,
  overall: number | null,
  limit: number,
): WeakSpot[] {
  const out: WeakSpot[] = [];
  for (const [value, t] of tally) {
    if (t.orders < minOrders) continue;
    const ci = wilsonInterval(t.failed, t.orders);
    if (!ci) continue;
    const rate = t.failed / t.orders;
    out.push({ value, orders: t.orders, failed: t.failed, rate, low: ci.low, high: ci.high, lift: overall ? rate / overall : null });
  }
  out.sort((a, b) => b.low - a.low || b.rate - a.rate || a.value.localeCompare(b.value));
  return out.slice(0, limit);
}

export function weakSpots(orders: readonly OrderFacts[], timezone: string, opts: { minOrders: number; limit?: number }): WeakSpots {
  const products = new Map<string, { orders: number; failed: number }>();
  const carriers = new Map<string, { orders: number; failed: number }>();
  const hours = new Map<string, { orders: number; failed: number }>();
  const add = (m: Map<string, { orders: number; failed: number }>, key: string, failed: boolean) => {
    const t = m.get(key) ?? { orders: 0, failed: 0 };
    t.orders++;
    if (failed) t.failed++;
    m.set(key, t);
  };
  let failed = 0;
  for (const o of orders) {
    if (o.failed) failed++;
    for (const sku of new Set(o.skus)) add(products, sku, o.failed);
    for (const c of new Set(o.carriers)) add(carriers, c, o.failed);
    add(hours, String(hourOf(o.placedAt, timezone)).padStart(2, '0'), o.failed);
  }
  const overall = orders.length > 0 ? failed / orders.length : null;
  const limit = opts.limit ?? 20;
  return {
    orders: orders.length,
    failed,
    rate: overall,
    minOrders: opts.minOrders,
    products: rank(products, opts.minOrders, overall || null, limit),
    carriers: rank(carriers, opts.minOrders, overall || null, limit),
    // Every hour with enough orders: 24 rows at most, and a chart wants them all.
    hours: rank(hours, opts.minOrders, overall || null, 24),
  };
}

export function weakSpotsCsv(w: WeakSpots): string {
  const rows: (string | number)[][] = [];
  for (const d of weakSpotDimensions) {
    for (const s of w[d])
      rows.push([
        d,
        s.value,
        s.orders,
        s.failed,
        s.rate.toFixed(4),
        s.low.toFixed(4),
        s.high.toFixed(4),
        s.lift === null ? '' : s.lift.toFixed(2),
      ]);
  }
  return toCsv(['dimension', 'value', 'orders', 'failed', 'rate', 'low', 'high', 'lift'], rows);
}
