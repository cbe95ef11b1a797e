/**
 * Monitors' decisions, pure: is this order late, has this parcel stalled, is
 * the payment failure rate a spike, is a metric over its threshold. The
 * service (monitors.service.ts) loads the facts and acts on the answer.
 */
import { addMinutes } from './promise.ts';

export interface OrderFacts {
  status: string;
  /** Resolved to an instant (promise.ts). */
  promisedBy: string | null;
}

export interface ShipmentFacts {
  id: string;
  status: string;
  promisedBy: string | null;
  deliveredAt: string | null;
  lastCarrierEventAt: string | null;
  shippedAt: string | null;
  carrier: string | null;
  region: string | null;
}

export type Lateness =
  | { state: 'no_promise' | 'cancelled' }
  | { state: 'pending' | 'on_time'; promise: string; deadline: string }
  | { state: 'delivered_late'; promise: string; deadline: string; deliveredAt: string }
  | { state: 'late'; promise: string; deadline: string; lateByMinutes: number; shipment: ShipmentFacts | null };

/**
 * The promise an order is held to: its shipments' (the latest, when they
 * carry one), else the order's own. An order that never shipped is held to
 * the order's promise all the same.
 */
export function effectivePromise(order: OrderFacts, shipments: readonly ShipmentFacts[]): string | null {
  let latest: string | null = null;
  for (const s of shipments) if (s.promisedBy !== null && (latest === null || s.promisedBy > latest)) latest = s.promisedBy;
  return latest ?? order.promisedBy;
}

/** Where the order stands against its promise (+ grace) at `now`. Delivered means every shipment delivered. */
export function deliveryLateness(order: OrderFacts, shipments: readonly ShipmentFacts[], now: string, graceMinutes: number): Lateness {
  if (order.status === 'cancelled') return { state: 'cancelled' };
  const promise = effectivePromise(order, shipments);
  if (promise === null) return { state: 'no_promise' };
  const deadline = addMinutes(promise, graceMinutes);
  const delivered = shipments.length > 0 && shipments.every((s) => s.status === 'delivered');
  if (delivered) {
    let deliveredAt = '';
    for (const s of shipments) if (s.deliveredAt !== null && s.deliveredAt > deliveredAt) deliveredAt = s.deliveredAt;
    if (deliveredAt === '' || deliveredAt <= deadline) return { state: 'on_time', promise, deadline };
    return { state: 'delivered_late', promise, deadline, deliveredAt };
  }
  if (now < deadline) return { state: 'pending', promise, deadline };
  const waiting = shipments.find((s) => s.status !== 'delivered') ?? null;
  return {
    state: 'late',
    promise,
    deadline,
    lateByMinutes: Math.floor((Date.parse(now) - Date.parse(promise)) / 60_000),
    shipment: waiting,
  };
}

export const movingStatuses: ReadonlySet<string> = new Set(['in_transit', 'out_for_delivery']);

/** A parcel in transit whose last carrier scan is older than `stallHours`; `checkAt` says when to look again otherwise. */
export function trackingStall(
  s: Pick<ShipmentFacts, 'status' | 'lastCarrierEventAt' | 'shippedAt'>,
  now: string,
  stallHours: number,
): { stalled: true; since: string; deadline: string } | { stalled: false; checkAt: string | null } {
  const since = s.lastCarrierEventAt ?? s.shippedAt;
  if (!movingStatuses.has(s.status) || since === null) return { stalled: false, checkAt: null };
  const deadline = addMinutes(since, stallHours * 60);
  return now >= deadline ? { stalled: true, since, deadline } : { stalled: false, checkAt: deadline };
}

export interface RateCounts {
  total: number;
  failed: number;
}

/** Below this a baseline rate is treated as this, so one failure after a clean week is not an "infinite" spike. */
export const BASELINE_RATE_FLOOR = 0.01;

export function rateSpike(
  window: RateCounts,
  baseline: RateCounts,
  cfg: { minFailures: number; factor: number },
): { spike: boolean; windowRate: number; baselineRate: number } {
  const windowRate = window.total === 0 ? 0 : window.failed / window.total;
  const baselineRate = baseline.total === 0 ? 0 : baseline.failed / baseline.total;
  const spike = window.failed >= cfg.minFailures && windowRate >= cfg.factor * Math.max(baselineRate, BASELINE_RATE_FLOOR);
  return { spike, windowRate, baselineRate };
}

export function metricBreached(value: number, t: { above?: number | undefined; below?: number | undefined }): boolean {
  if (t.above !== undefined) return value > t.above;
  if (t.below !== undefined) return value < t.below;
  return false;
}
