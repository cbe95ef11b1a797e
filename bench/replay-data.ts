/**
 * Benchmark input for `amends replay FILE.jsonl`: a realistic, deterministic store history of raw events
 * (DESIGN.md §3), ~10 events per order, yielded in non-decreasing `occurredAt` order.
 *
 * Per order: order.placed (items from a ~500-SKU catalogue, a promise 3–7 days out, ~10 % of them date-only),
 * payment.succeeded (~3 % payment.failed first, usually retried minutes later, else cancelled), then one parcel
 * (or two for ~27 % of orders): shipment.created (label), 2–4 shipment.updated in_transit, out_for_delivery and
 * shipment.delivered. Fates: ~92 % on time, ~5 % late by hours to days, ~1 % stalled in transit for days,
 * ~0.5 % exception, ~0.3 % lost, ~1 % cancelled before shipping (refunded). Reviews for ~20 % of delivered
 * orders, complaints for ~30 % of orders that missed their promise, one customer.upserted per customer
 * (~1 per 5 orders) before their first order, and an hourly checkout_error_rate with two spikes.
 *
 * Streaming: orders are generated in placement order and each order's whole timeline is built at once; a
 * min-heap of open timelines (keyed by next event time, then creation order) merges them, and every event
 * earlier than the next placement is released before that order is built. Only the open orders (a few weeks'
 * worth) are held at a time.
 *
 * CLI: npx tsx bench/replay-data.ts OUT.jsonl [--orders N] [--seed N] [--start ISO] [--tz ZONE] [--date-only-share X]
 */
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import type { z } from 'zod';
import { carriers, declineReasons, firstNames, lastNames } from '../src/demo/demo-store.ts';
import { Random, seededRng, weightedPicker } from '../src/demo/rng.ts';
import type { EventType, eventDataSchemas } from '../src/events/envelope.ts';

/** One raw event as it appears on a line of the replay file (the envelope's input shape). */
export type AmendsEventJson = {
  [T in EventType]: { id: string; type: T; occurredAt: string; store?: string; data: z.input<(typeof eventDataSchemas)[T]> };
}[EventType];

/** What happened to an order, by design. */
export type OrderFate = 'on_time' | 'late' | 'stalled' | 'exception' | 'lost' | 'cancelled' | 'payment_cancelled';

/** Fates that miss the promise: the order is not delivered by its effective promise and not cancelled. */
export const LATE_FATES: readonly OrderFate[] = ['late', 'stalled', 'exception', 'lost'];

export interface OrderOutcome {
  orderId: string;
  customerId: string;
  fate: OrderFate;
  placedAt: string;
  /** The effective promise as an instant (date-only promises resolved in the store's time zone). */
  deadline: string;
  dateOnlyPromise: boolean;
  parcels: number;
  /** The first delivery, if any parcel was delivered. */
  deliveredAt: string | null;
  reviewed: boolean;
  complained: boolean;
}

export interface ReplayOptions {
  orders: number;
  seed?: number;
  /** ISO date-time; default 2026-01-05T00:00:00Z. */
  start?: string;
  /** Resolves date-only promises (end of that day, local); default America/New_York. */
  storeTimezone?: string;
  /** Default orders / 5. */
  customers?: number;
  /** Span over which orders are placed and metrics observed; default 90. */
  days?: number;
  /** Share of orders whose promisedBy is a date ("2026-03-09") rather than a date-time; default 0.1. */
  dateOnlyPromiseShare?: number;
  /** Told about every order as it is generated (for tests and hand checks). */
  onOrder?: (o: OrderOutcome) => void;
}

export const DEFAULT_START = '2026-01-05T00:00:00Z';
export const DEFAULT_STORE_TIMEZONE = 'America/New_York';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** ISO-8601 in UTC, without milliseconds when there are none; the date part cached per day (a million events). */
const dayPrefixes = new Map<number, string>();
const twoDigits = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
function iso(t: number): string {
  if (t % SEC !== 0) return new Date(t).toISOString();
  const day = Math.floor(t / DAY);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  const s = (t - day * DAY) / SEC;
  return `${prefix}${twoDigits[Math.floor(s / 3600)]}:${twoDigits[Math.floor(s / 60) % 60]}:${twoDigits[s % 60]}Z`;
}
const usd = (amount: number) => ({ amount, currency: 'USD' });
/** "Núñez" → "nunez", "O'Brien" → "obrien": names made fit for an e-mail address. */
const asciiLower = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();

// ---------------------------------------------------------------------------------------------------------------
// Fixed vocabulary

/** [timezone, weight, locales to pick from] */
const regions = [
  ['America/New_York', 40, ['en-US', 'en-US', 'en-US', 'en-US', 'en-US', 'en-US', 'en-US', 'en-US', 'en-US', 'es-US']],
  ['America/Los_Angeles', 25, ['en-US', 'en-US', 'en-US', 'en-US', 'en-US', 'en-US', 'en-US', 'es-US', 'es-US', 'es-MX']],
  ['Europe/London', 20, ['en-GB']],
  ['Europe/Madrid', 15, ['es-ES', 'es-ES', 'es-ES', 'es-ES', 'es-ES', 'es-ES', 'es-ES', 'es-ES', 'es-ES', 'en-GB']],
] as const;

const productBases = [
  ['MUG', 'Stoneware mug', 1800],
  ['GLS', 'Double-wall glass', 2200],
  ['TEA', 'Loose-leaf tea', 1400],
  ['KET', 'Gooseneck kettle', 6900],
  ['POT', 'Cast-iron teapot', 5400],
  ['BRW', 'Pour-over brewer', 3200],
  ['GRN', 'Burr grinder', 12900],
  ['BNS', 'Coffee beans', 1650],
  ['SCL', 'Brewing scale', 4500],
  ['FLT', 'Paper filters', 650],
  ['TWL', 'Linen tea towel', 1500],
  ['TRY', 'Serving tray', 4800],
  ['CUP', 'Cup and saucer', 2600],
  ['SET', 'Gift set', 5900],
  ['JAR', 'Storage jar', 2100],
  ['SPN', 'Measuring spoon', 900],
  ['INF', 'Tea infuser', 1100],
  ['CAD', 'Tea caddy', 3300],
  ['CBM', 'Cold-brew maker', 3600],
  ['FRO', 'Milk frother', 2900],
  ['ESP', 'Stovetop espresso pot', 4200],
  ['TMB', 'Travel tumbler', 2800],
  ['CST', 'Cork coasters', 1200],
  ['WHS', 'Matcha whisk', 1900],
  ['DRP', 'Drip kettle stand', 3900],
] as const;
const variantColours = ['Sage', 'Charcoal', 'Sand', 'Terracotta', 'Ocean'] as const;
const variantSizes = [
  ['S', 0],
  ['M', 300],
  ['L', 600],
  ['XL', 1000],
] as const;

interface Sku {
  sku: string;
  name: string;
  price: number;
}

/** 25 products × 5 colours × 4 sizes = 500 SKUs, shuffled so popularity (by position) mixes products. */
function buildCatalogue(rnd: Random): Sku[] {
  const out: Sku[] = [];
  for (const [code, name, price] of productBases) {
    variantColours.forEach((colour, c) => {
      for (const [size, extra] of variantSizes) {
        out.push({
          sku: `${code}-${colour.slice(0, 3).toUpperCase()}-${size}`,
          name: `${name}, ${colour} (${size})`,
          price: price + extra + c * 50,
        });
      }
    });
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const channels = ['web', 'web', 'web', 'web', 'mobile', 'mobile', 'mobile', 'instagram'] as const;

const trackingNumber = (rnd: Random, carrier: (typeof carriers)[number]): string => {
  const digits = (n: number) => {
    let out = '';
    while (out.length < n) out += String(rnd.int(100_000, 999_999));
    return out.slice(0, n);
  };
  switch (carrier) {
    case 'UPS':
      return `1Z${digits(16)}`;
    case 'FedEx':
      return digits(12);
    case 'USPS':
      return `9400${digits(18)}`;
    case 'DHL':
      return `JD${digits(18)}`;
  }
};

const goodReviews = [
  ['Lovely', 'Exactly as described, arrived quickly.'],
  ['Great quality', 'Really well made. Would buy again.'],
  ['Very happy', 'Fast delivery and nicely packed.'],
  ['Perfect gift', 'My sister loved it.'],
  ['Five stars', 'Does what it says.'],
] as const;
const okReviews = [
  ['Fine', 'Decent, a bit smaller than expected.'],
  ['OK', 'Good product, packaging could be better.'],
] as const;
const badReviews = [
  ['Arrived late', 'Took far too long to arrive.'],
  ['Disappointed', 'Late delivery and no update from the shop.'],
  ['Slow shipping', 'Product is fine but it came days after the promised date.'],
  ['Not great', 'Missed the date I needed it for.'],
] as const;

// ---------------------------------------------------------------------------------------------------------------
// Timelines and the merge heap

interface Timeline {
  times: number[];
  events: AmendsEventJson[];
  i: number;
  /** times[i], kept on the timeline itself so heap comparisons touch one object. */
  next: number;
  seq: number;
}

class TimelineHeap {
  private readonly a: Timeline[] = [];

  get size(): number {
    return this.a.length;
  }

  peekTime(): number {
    return this.a[0]!.next;
  }

  push(t: Timeline): void {
    if (t.i >= t.events.length) return;
    this.a.push(t);
    this.up(this.a.length - 1);
  }

  /** Takes the earliest event; its timeline stays in the heap while it has more. */
  pop(): AmendsEventJson {
    const top = this.a[0]!;
    const ev = top.events[top.i++]!;
    if (top.i >= top.events.length) {
      const last = this.a.pop()!;
      if (this.a.length > 0) {
        this.a[0] = last;
        this.down(0);
      }
    } else {
      top.next = top.times[top.i]!;
      this.down(0);
    }
    return ev;
  }

  private less(x: Timeline, y: Timeline): boolean {
    return x.next < y.next || (x.next === y.next && x.seq < y.seq);
  }

  private up(at: number): void {
    const a = this.a;
    let i = at;
    const item = a[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(item, a[p]!)) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = item;
  }

  private down(at: number): void {
    const a = this.a;
    const n = a.length;
    let i = at;
    const item = a[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(a[r]!, a[l]!) ? r : l;
      if (!this.less(a[c]!, item)) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = item;
  }
}

/** Collects one timeline's events, then sorts them by time (stable, so same-time events keep their order). */
class TimelineBuilder {
  private readonly items: { t: number; e: AmendsEventJson }[] = [];

  add<T extends EventType>(t: number, id: string, type: T, data: z.input<(typeof eventDataSchemas)[T]>): void {
    this.items.push({ t, e: { id, type, occurredAt: iso(t), data } as AmendsEventJson });
  }

  build(seq: number): Timeline {
    this.items.sort((x, y) => x.t - y.t);
    const times = this.items.map((x) => x.t);
    return { times, events: this.items.map((x) => x.e), i: 0, next: times[0] ?? 0, seq };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The store

interface Customer {
  id: string;
  first: string;
  last: string;
  email: string;
  timezone: string;
  locale: string;
  weight: number;
  firstOrderAt: number | null;
}

interface Spike {
  from: number;
  to: number;
}

const endOfDayCache = new Map<string, number>();
/** `2026-03-09` in `zone` → the instant that day ends there. */
export function endOfLocalDay(date: string, zone: string): number {
  const key = `${zone}|${date}`;
  let end = endOfDayCache.get(key);
  if (end === undefined) {
    const d = DateTime.fromISO(date, { zone });
    if (!d.isValid) throw new Error(`not a date: ${date} (${zone})`);
    end = d.plus({ days: 1 }).toMillis();
    endOfDayCache.set(key, end);
  }
  return end;
}

const localDateCache = new Map<string, string>();
/** The calendar date at instant `t` in `zone`, cached per quarter hour (zone offsets change on quarter hours). */
function localDate(t: number, zone: string): string {
  const key = `${zone}|${Math.floor(t / (15 * MIN))}`;
  let date = localDateCache.get(key);
  if (date === undefined) {
    date = DateTime.fromMillis(t, { zone }).toISODate()!;
    localDateCache.set(key, date);
  }
  return date;
}

export function* generateReplayEvents(opts: ReplayOptions): Generator<AmendsEventJson> {
  const nOrders = opts.orders;
  if (!Number.isInteger(nOrders) || nOrders < 0) throw new Error('orders must be a non-negative integer');
  const seed = opts.seed ?? 1;
  const start = Date.parse(opts.start ?? DEFAULT_START);
  if (Number.isNaN(start)) throw new Error(`start is not a date-time: ${opts.start}`);
  const zone = opts.storeTimezone ?? DEFAULT_STORE_TIMEZONE;
  const days = opts.days ?? 90;
  const span = days * DAY;
  const dateOnlyShare = opts.dateOnlyPromiseShare ?? 0.1;
  const nCustomers = Math.max(1, opts.customers ?? Math.round(nOrders / 5));

  // Separate streams, so e.g. the metric series does not change when the order count does.
  const rnd = new Random(seededRng(seed));
  const rndCat = new Random(seededRng(seed ^ 0x5eed_ca7));
  const rndMetric = new Random(seededRng(seed ^ 0x3e7_1c5));
  const catalogue = buildCatalogue(rndCat);
  const orderPad = Math.max(6, String(nOrders).length);
  const customerPad = Math.max(5, String(nCustomers).length);

  // Metric spikes first: checkout errors also fail more payments while they last.
  const hours = days * 24;
  const spikes: Spike[] = [];
  while (spikes.length < 2 && hours >= 24) {
    const h = rndMetric.int(Math.floor(hours * 0.1), Math.floor(hours * 0.9));
    const len = rndMetric.int(2, 3);
    const from = start + h * HOUR;
    const to = from + len * HOUR;
    if (spikes.every((s) => to + DAY < s.from || from > s.to + DAY)) spikes.push({ from, to });
  }
  const metrics = new TimelineBuilder();
  for (let h = 1; h <= hours; h++) {
    const t = start + h * HOUR; // observed at the end of the hour it covers
    const inSpike = spikes.some((s) => t - HOUR >= s.from && t - HOUR < s.to);
    const noise = (rndMetric.next() + rndMetric.next() + rndMetric.next() - 1.5) * 0.004;
    const value = inSpike ? 0.18 + rndMetric.next() * 0.05 : Math.max(0, 0.01 + noise);
    metrics.add(t, `m-checkout_error_rate-${String(h).padStart(6, '0')}`, 'metric.observed', {
      metric: 'checkout_error_rate',
      value: Math.round(value * 10_000) / 10_000,
      window: '1h',
    });
  }

  // Customers, weighted so a few buy often and most once or twice.
  const regionTotal = regions.reduce((s, r) => s + r[1], 0);
  const customers: Customer[] = [];
  for (let i = 1; i <= nCustomers; i++) {
    const first = rnd.pick(firstNames);
    const last = rnd.pick(lastNames);
    let x = rnd.next() * regionTotal;
    let region: (typeof regions)[number] = regions[0];
    for (const r of regions) {
      region = r;
      x -= r[1];
      if (x < 0) break;
    }
    customers.push({
      id: `cus-${String(i).padStart(customerPad, '0')}`,
      first,
      last,
      email: `${asciiLower(first)}.${asciiLower(last)}.${i}@example.com`,
      timezone: region[0],
      locale: rnd.pick(region[2]),
      weight: rnd.heavyTail(1.6),
      firstOrderAt: null,
    });
  }
  const drawCustomer = weightedPicker(rnd, customers);

  // Placement times (busier in the US daytime, busier towards the end as the shop grows), sorted; ids follow them.
  const placements = new Float64Array(nOrders);
  for (let i = 0; i < nOrders; i++) {
    for (;;) {
      const t = start + Math.floor((rnd.next() * span) / SEC) * SEC;
      const usHour = (new Date(t).getUTCHours() + 19) % 24; // UTC-5
      const diurnal = usHour < 7 ? 0.25 : usHour < 11 ? 0.7 : usHour < 22 ? 1 : 0.5;
      const growth = 0.8 + (0.2 * (t - start)) / span;
      if (rnd.next() < diurnal * growth) {
        placements[i] = t;
        break;
      }
    }
  }
  placements.sort();
  const buyers: Customer[] = new Array(nOrders);
  for (let i = 0; i < nOrders; i++) {
    const c = drawCustomer();
    buyers[i] = c;
    if (c.firstOrderAt === null) c.firstOrderAt = placements[i]!;
  }

  // Each customer is upserted before their first order (or at some point, if they never order).
  const customerEvents = new TimelineBuilder();
  for (const c of customers) {
    const at =
      c.firstOrderAt !== null
        ? Math.max(start, c.firstOrderAt - rnd.int(1, 120) * MIN)
        : start + Math.floor((rnd.next() * span) / SEC) * SEC;
    const createdAt = rnd.chance(0.5) ? at - rnd.int(30, 900) * DAY : at;
    customerEvents.add(at, `${c.id}-upserted`, 'customer.upserted', {
      customerId: c.id,
      email: c.email,
      name: `${c.first} ${c.last}`,
      createdAt: iso(createdAt),
      locale: c.locale,
      timezone: c.timezone,
      ...(rnd.chance(0.04) ? { tags: ['wholesale'] } : {}),
    });
  }

  const heap = new TimelineHeap();
  let seq = 0;
  heap.push(customerEvents.build(seq++));
  heap.push(metrics.build(seq++));

  for (let i = 0; i < nOrders; i++) {
    const placedAt = placements[i]!;
    while (heap.size > 0 && heap.peekTime() <= placedAt) yield heap.pop();
    heap.push(orderTimeline(i + 1, placedAt, buyers[i]!).build(seq++));
  }
  while (heap.size > 0) yield heap.pop();

  function orderTimeline(n: number, placedAt: number, c: Customer): TimelineBuilder {
    const tl = new TimelineBuilder();
    const num = String(n).padStart(orderPad, '0');
    const orderId = `o-${num}`;

    // Items and total.
    const items = Array.from({ length: rnd.pick([1, 1, 1, 1, 2, 2, 2, 3, 3, 4]) }, () => {
      const s = catalogue[Math.floor(catalogue.length * rnd.next() ** 2.2)]!;
      return { sku: s.sku, name: s.name, quantity: rnd.pick([1, 1, 1, 1, 2, 2, 3]), price: usd(s.price) };
    });
    const total = items.reduce((s, it) => s + it.price.amount * it.quantity, 0) + (rnd.chance(0.55) ? 0 : 595);

    // The promise: a date-time on the hour (rounded up), or a date in the store's zone meaning "by the end of it".
    const promiseDays = rnd.int(3, 7);
    const dateOnly = rnd.chance(dateOnlyShare);
    let promisedBy: string;
    let orderDeadline: number;
    if (dateOnly) {
      promisedBy = localDate(placedAt + promiseDays * DAY, zone);
      orderDeadline = endOfLocalDay(promisedBy, zone);
    } else {
      orderDeadline = Math.ceil((placedAt + promiseDays * DAY) / HOUR) * HOUR;
      promisedBy = iso(orderDeadline);
    }
    tl.add(placedAt, `${orderId}-placed`, 'order.placed', {
      orderId,
      customerId: c.id,
      total: usd(total),
      items,
      promisedBy,
      channel: rnd.pick(channels),
    });

    // Payment: ~3 % fail (far more during a checkout-error spike); most retry successfully minutes later.
    const inSpike = spikes.some((s) => placedAt >= s.from && placedAt < s.to);
    let paidAt = placedAt + rnd.int(5, 90) * SEC;
    let fate: OrderFate | null = null;
    if (rnd.chance(inSpike ? 0.25 : 0.03)) {
      tl.add(paidAt, `${orderId}-payment-failed`, 'payment.failed', {
        paymentId: `pay-${num}-1`,
        orderId,
        customerId: c.id,
        amount: usd(total),
        reason: rnd.pick(declineReasons),
      });
      if (rnd.chance(0.15)) {
        fate = 'payment_cancelled';
        tl.add(paidAt + rnd.int(12, 36) * HOUR, `${orderId}-cancelled`, 'order.cancelled', { orderId, reason: 'payment_failed' });
      } else {
        paidAt += rnd.int(2, 30) * MIN;
      }
    }

    let firstDelivery: number | null = null;
    let lastDelivery: number | null = null;
    let deadline = orderDeadline;
    let parcels = 0;
    let complained = false;
    let reviewed = false;

    if (fate === null) {
      tl.add(paidAt, `${orderId}-paid`, 'payment.succeeded', { paymentId: `pay-${num}`, orderId, customerId: c.id, amount: usd(total) });
      const f = rnd.next();
      fate = f < 0.01 ? 'cancelled' : f < 0.06 ? 'late' : f < 0.07 ? 'stalled' : f < 0.075 ? 'exception' : f < 0.078 ? 'lost' : 'on_time';
    }

    if (fate === 'cancelled') {
      const cancelledAt = paidAt + rnd.int(1, 18) * HOUR;
      tl.add(cancelledAt, `${orderId}-cancelled`, 'order.cancelled', {
        orderId,
        reason: rnd.pick(['customer_request', 'customer_request', 'out_of_stock']),
      });
      tl.add(cancelledAt + rnd.int(10, 360) * MIN, `${orderId}-refund`, 'refund.recorded', {
        refundId: `ref-${num}`,
        orderId,
        amount: usd(total),
        reason: 'order cancelled',
      });
    } else if (fate !== 'payment_cancelled') {
      // The carrier's label carries the promise for date-time orders; ~8 % of labels carry a later one (a revised ETA),
      // which then is the promise that counts. Date-only orders' labels carry none.
      let shipmentPromise: string | undefined;
      if (!dateOnly) {
        if (rnd.chance(0.08)) deadline = orderDeadline + DAY;
        shipmentPromise = iso(deadline);
      }
      const split = items.length >= 2 && (fate === 'on_time' || fate === 'late') && rnd.chance(0.5);
      parcels = split ? 2 : 1;
      const firstLabel = paidAt + rnd.int(60, 20 * 60) * MIN;
      for (let p = 1; p <= parcels; p++) {
        const labelAt = p === 1 ? firstLabel : firstLabel + rnd.int(0, 12 * 60) * MIN;
        const d = parcel(tl, orderId, num, p, labelAt, fate, deadline, shipmentPromise, total);
        if (d !== null) {
          firstDelivery = firstDelivery === null ? d : Math.min(firstDelivery, d);
          lastDelivery = lastDelivery === null ? d : Math.max(lastDelivery, d);
        }
      }

      const late = LATE_FATES.includes(fate);
      if (late && rnd.chance(0.3)) {
        complained = true;
        const at = deadline + rnd.int(3 * 60, 72 * 60) * MIN;
        const arrived = lastDelivery !== null && lastDelivery < at;
        const daysLate = arrived ? Math.max(1, Math.round((lastDelivery! - deadline) / DAY)) : 0;
        const [subject, body] = arrived
          ? rnd.pick([
              ['Late delivery', `My order ${orderId} arrived ${daysLate} day${daysLate === 1 ? '' : 's'} late.`],
              ['Order came late', `Order ${orderId} only turned up today, well after the promised date. Not happy.`],
            ] as const)
          : rnd.pick([
              ['Where is my order?', "My order still hasn't arrived."],
              ['Order not arrived', `Order ${orderId} was due days ago and still hasn't arrived. Tracking hasn't moved.`],
              ['Still waiting', `I'm still waiting for ${orderId}. Can you tell me where it is?`],
            ] as const);
        tl.add(at, `${orderId}-complaint`, 'complaint.received', {
          complaintId: `cmp-${num}`,
          ...(rnd.chance(0.85) ? { customerId: c.id } : { email: c.email }),
          orderId,
          channel: 'email',
          subject,
          body,
        });
      }

      if (lastDelivery !== null && rnd.chance(0.2)) {
        reviewed = true;
        const rating = late ? rnd.pick([1, 1, 2, 2, 2, 3, 3, 4, 5]) : rnd.pick([5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1]);
        const [title, body] = rating >= 4 ? rnd.pick(goodReviews) : rating === 3 && !late ? rnd.pick(okReviews) : rnd.pick(badReviews);
        tl.add(lastDelivery + rnd.int(1 * 24 * 60, 10 * 24 * 60) * MIN, `${orderId}-review`, 'review.posted', {
          reviewId: `rev-${num}`,
          customerId: c.id,
          orderId,
          rating,
          title,
          body,
        });
      }
    }

    opts.onOrder?.({
      orderId,
      customerId: c.id,
      fate,
      placedAt: iso(placedAt),
      deadline: iso(deadline),
      dateOnlyPromise: dateOnly,
      parcels,
      deliveredAt: firstDelivery === null ? null : iso(firstDelivery),
      reviewed,
      complained,
    });
    return tl;
  }

  /** One parcel's carrier events; answers when it was delivered, or null. */
  function parcel(
    tl: TimelineBuilder,
    orderId: string,
    num: string,
    p: number,
    labelAt: number,
    fate: OrderFate,
    deadline: number,
    promisedBy: string | undefined,
    total: number,
  ): number | null {
    const shipmentId = `shp-${num}-${p}`;
    const ev = `${orderId}-s${p}`;
    const carrier = rnd.pick(carriers);
    const tracking = trackingNumber(rnd, carrier);
    const shippedAt = labelAt + rnd.int(60, 10 * 60) * MIN;
    tl.add(labelAt, `${ev}-created`, 'shipment.created', {
      shipmentId,
      orderId,
      carrier,
      trackingNumber: tracking,
      status: 'label_created',
      ...(promisedBy !== undefined ? { promisedBy } : {}),
    });
    const scan = (k: number, at: number) =>
      tl.add(at, `${ev}-u${k}`, 'shipment.updated', {
        shipmentId,
        orderId,
        status: 'in_transit',
        ...(k === 1 ? { shippedAt: iso(shippedAt) } : {}),
        lastCarrierEventAt: iso(at),
      });
    /** Out for delivery a few hours before `deliveredAt`, then delivered. */
    const arrive = (deliveredAt: number) => {
      const outAt = deliveredAt - rnd.int(60, 6 * 60) * MIN;
      tl.add(outAt, `${ev}-out`, 'shipment.updated', { shipmentId, orderId, status: 'out_for_delivery', lastCarrierEventAt: iso(outAt) });
      tl.add(deliveredAt, `${ev}-delivered`, 'shipment.delivered', { shipmentId, orderId, deliveredAt: iso(deliveredAt) });
      return outAt;
    };
    /**
     * In-transit scans from shipping until out for delivery, 8 to 30 hours apart (a healthy parcel is scanned
     * at least daily, so it never looks stalled), then out for delivery and delivered.
     */
    const deliver = (deliveredAt: number) => {
      const outAt = arrive(deliveredAt);
      let k = 2;
      for (let at = shippedAt + rnd.int(8 * 60, 30 * 60) * MIN; at < outAt - HOUR; at += rnd.int(8 * 60, 30 * 60) * MIN) scan(k++, at);
    };
    const secs = (from: number, to: number) => from + Math.floor((rnd.next() * (to - from)) / SEC) * SEC;

    scan(1, shippedAt);
    switch (fate) {
      case 'on_time': {
        const lo = shippedAt + 12 * HOUR;
        const hi = deadline - HOUR;
        if (hi <= lo) throw new Error(`${orderId}: no room to deliver on time`);
        const d = lo + Math.floor(((hi - lo) * rnd.next() ** 1.4) / SEC) * SEC;
        deliver(d);
        return d;
      }
      case 'late': {
        const d = deadline + HOUR + Math.floor((4 * DAY * rnd.next() ** 2) / SEC) * SEC;
        deliver(d);
        return d;
      }
      case 'stalled': {
        // Two scans within the first day, then silence for days; most resume and arrive well after the promise.
        scan(2, shippedAt + rnd.int(4 * 60, 20 * 60) * MIN);
        if (!rnd.chance(0.7)) return null;
        const d = secs(deadline + 3 * DAY, deadline + 10 * DAY);
        scan(3, d - rnd.int(12 * 60, 36 * 60) * MIN);
        arrive(d);
        return d;
      }
      case 'exception': {
        const at = secs(shippedAt + 12 * HOUR, deadline - HOUR);
        tl.add(at, `${ev}-exception`, 'shipment.updated', { shipmentId, orderId, status: 'exception', lastCarrierEventAt: iso(at) });
        if (!rnd.chance(0.6)) return null;
        const d = secs(deadline + DAY, deadline + 6 * DAY);
        scan(2, secs(at + HOUR, d - 12 * HOUR));
        arrive(d);
        return d;
      }
      case 'lost': {
        const k = rnd.int(2, 3);
        let last = shippedAt;
        for (let s = 2; s <= k; s++) {
          last += rnd.int(3 * 60, 20 * 60) * MIN;
          scan(s, last);
        }
        const at = secs(deadline + 2 * DAY, deadline + 7 * DAY);
        tl.add(at, `${ev}-lost`, 'shipment.updated', { shipmentId, orderId, status: 'lost', lastCarrierEventAt: iso(last) });
        if (rnd.chance(0.7)) {
          tl.add(at + rnd.int(12 * 60, 72 * 60) * MIN, `${orderId}-refund`, 'refund.recorded', {
            refundId: `ref-${num}`,
            orderId,
            amount: usd(total),
            reason: 'parcel lost',
          });
        }
        return null;
      }
      default:
        throw new Error(`no parcel for fate ${fate}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Hand checks

/**
 * The orders not delivered by their promise, from the raw events alone: the effective promise is the last
 * shipment event's promisedBy, else the order's (a date-only promise is the end of that day in the store's zone);
 * late when no delivery at or before it, not cancelled, and the promise has passed by `asOf` (default: the
 * last event's time). Sorted order ids.
 */
export function lateOrderIds(events: Iterable<AmendsEventJson>, opts: { storeTimezone?: string; asOf?: string } = {}): string[] {
  const zone = opts.storeTimezone ?? DEFAULT_STORE_TIMEZONE;
  interface O {
    orderPromise: string | undefined;
    shipmentPromise: string | undefined;
    firstDelivery: number;
    cancelled: boolean;
  }
  const orders = new Map<string, O>();
  const get = (id: string): O => {
    let o = orders.get(id);
    if (o === undefined) {
      o = { orderPromise: undefined, shipmentPromise: undefined, firstDelivery: Number.POSITIVE_INFINITY, cancelled: false };
      orders.set(id, o);
    }
    return o;
  };
  let last = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    last = Math.max(last, Date.parse(e.occurredAt));
    switch (e.type) {
      case 'order.placed':
        get(e.data.orderId).orderPromise = e.data.promisedBy;
        break;
      case 'order.cancelled':
        get(e.data.orderId).cancelled = true;
        break;
      case 'shipment.created':
      case 'shipment.updated':
        if (e.data.promisedBy !== undefined) get(e.data.orderId).shipmentPromise = e.data.promisedBy;
        break;
      case 'shipment.delivered': {
        const o = get(e.data.orderId);
        o.firstDelivery = Math.min(o.firstDelivery, Date.parse(e.data.deliveredAt));
        break;
      }
    }
  }
  const asOf = opts.asOf !== undefined ? Date.parse(opts.asOf) : last;
  const out: string[] = [];
  for (const [id, o] of orders) {
    const promise = o.shipmentPromise ?? o.orderPromise;
    if (promise === undefined || o.cancelled) continue;
    const deadline = /^\d{4}-\d{2}-\d{2}$/.test(promise) ? endOfLocalDay(promise, zone) : Date.parse(promise);
    if (deadline <= asOf && !(o.firstDelivery <= deadline)) out.push(id);
  }
  return out.sort();
}

/** How many orders missed their promise (see lateOrderIds). */
export function expectedLateOrders(events: Iterable<AmendsEventJson>, opts: { storeTimezone?: string; asOf?: string } = {}): number {
  return lateOrderIds(events, opts).length;
}

// ---------------------------------------------------------------------------------------------------------------
// File output and CLI

/** Writes the events as JSON Lines; answers how many of each type. */
export async function writeReplayFile(file: string, opts: ReplayOptions): Promise<{ events: number; byType: Record<string, number> }> {
  const out = fs.createWriteStream(file);
  const byType: Record<string, number> = {};
  let events = 0;
  let buf = '';
  try {
    for (const e of generateReplayEvents(opts)) {
      buf += `${JSON.stringify(e)}\n`;
      events++;
      byType[e.type] = (byType[e.type] ?? 0) + 1;
      if (buf.length >= 1 << 20) {
        const ok = out.write(buf);
        buf = '';
        if (!ok) await once(out, 'drain');
      }
    }
    out.end(buf);
    await finished(out);
  } catch (err) {
    out.destroy();
    throw err;
  }
  return { events, byType };
}

function parseArgs(argv: string[]): { file: string; opts: ReplayOptions } {
  let file: string | undefined;
  const opts: ReplayOptions = { orders: 100_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = (v: string) => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`${a}: not a number: ${v}`);
      return n;
    };
    if (a === '--orders') opts.orders = num(value());
    else if (a === '--seed') opts.seed = num(value());
    else if (a === '--customers') opts.customers = num(value());
    else if (a === '--days') opts.days = num(value());
    else if (a === '--start') opts.start = value();
    else if (a === '--tz') opts.storeTimezone = value();
    else if (a === '--date-only-share') opts.dateOnlyPromiseShare = num(value());
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (file === undefined) {
    throw new Error(
      'usage: npx tsx bench/replay-data.ts OUT.jsonl [--orders N] [--seed N] [--customers N] [--days N] [--start ISO] [--tz ZONE] [--date-only-share X]',
    );
  }
  return { file, opts };
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  try {
    const { file, opts } = parseArgs(process.argv.slice(2));
    const started = performance.now();
    const { events, byType } = await writeReplayFile(file, opts);
    const seconds = (performance.now() - started) / 1000;
    const bytes = fs.statSync(file).size;
    console.log(`${file}: ${events} events for ${opts.orders} orders in ${seconds.toFixed(1)} s, ${(bytes / 1e6).toFixed(1)} MB`);
    for (const [type, n] of Object.entries(byType).sort((a, b) => b[1] - a[1])) console.log(`  ${type.padEnd(20)} ${n}`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}
