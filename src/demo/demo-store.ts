import { type ComplaintKind, complaintText } from './complaint-texts.ts';
import { Random, seededRng, weightedPicker } from './rng.ts';

/**
 * A deterministic demo store: a year of a small shop's life as raw events
 * (DESIGN.md §3), ~2,000 customers and ~10,000 orders, with realistic
 * lateness (~8 % late, a few lost), failed payments, reviews and ~300
 * complaints. Fed through the same ingest path as every other event.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Shared with the replay benchmark's generator (bench/replay-data.ts). */
export const firstNames = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Ava',
  'Oliver',
  'Sophia',
  'Elijah',
  'Isabella',
  'James',
  'Mia',
  'William',
  'Amelia',
  'Benjamin',
  'Harper',
  'Lucas',
  'Evelyn',
  'Henry',
  'Abigail',
  'Alexander',
  'Emily',
  'Mateo',
  'Ella',
  'Daniel',
  'Sofia',
  'Jack',
  'Aisha',
  'Ravi',
  'Mei',
  'Hiroshi',
  'Fatima',
  'Diego',
  'Lena',
  'Jonas',
  'Chloe',
  'Samuel',
  'Priya',
  'Omar',
  'Zoe',
  'Ethan',
  'Nora',
  'Leo',
  'Grace',
  'Ivan',
  'Yuki',
  'Carlos',
  'Hannah',
  'Marco',
  'Ingrid',
  'Tariq',
] as const;
export const lastNames = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Clark',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'Khan',
  'Patel',
  'Nguyen',
  'Kim',
  'Schmidt',
  'Müller',
  "O'Brien",
  'Rossi',
  'Novak',
  'Okafor',
  'Tanaka',
  'Silva',
  'Larsen',
  'Dubois',
  'Cohen',
] as const;

const catalogue = [
  ['MUG-01', 'Stoneware mug, speckled', 1800],
  ['MUG-02', 'Double-wall glass mug', 2200],
  ['TEA-01', 'Loose-leaf sencha, 100 g', 1400],
  ['TEA-02', 'Earl Grey tin, 125 g', 1250],
  ['KET-01', 'Gooseneck kettle', 6900],
  ['POT-01', 'Cast-iron teapot', 5400],
  ['BRW-01', 'Pour-over brewer', 3200],
  ['GRN-01', 'Burr coffee grinder', 12900],
  ['BNS-01', 'Single-origin beans, 250 g', 1650],
  ['BNS-02', 'Espresso blend, 1 kg', 3900],
  ['SCL-01', 'Brewing scale', 4500],
  ['FLT-01', 'Paper filters, 100', 650],
  ['TWL-01', 'Linen tea towel', 1500],
  ['TRY-01', 'Walnut serving tray', 4800],
  ['CUP-01', 'Porcelain cup and saucer', 2600],
  ['SET-01', 'Tea gift set', 5900],
  ['SET-02', 'Coffee lover gift box', 7900],
  ['JAR-01', 'Airtight storage jar', 2100],
  ['SPN-01', 'Brass measuring spoon', 900],
  ['INF-01', 'Steel tea infuser', 1100],
  ['CAD-01', 'Ceramic tea caddy', 3300],
  ['MKR-01', 'Cold-brew maker', 3600],
  ['FRO-01', 'Milk frother', 2900],
  ['ESP-01', 'Stovetop espresso pot', 4200],
] as const;

export const carriers = ['UPS', 'USPS', 'FedEx', 'DHL'] as const;
export const declineReasons = ['card_declined', 'insufficient_funds', '3ds_authentication_failed', 'expired_card'] as const;
const complaintChannels = ['email', 'email', 'email', 'chat', 'chat', 'portal', 'phone', 'social'] as const;

export interface DemoOptions {
  now: Date;
  seed?: number;
  customers?: number;
  orders?: number;
}

export interface RawEvent {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

interface Customer {
  id: string;
  first: string;
  email: string;
  createdAt: number;
  weight: number;
}

const iso = (t: number) => new Date(t).toISOString();
const money = (amount: number) => ({ amount, currency: 'USD' });
const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/** All demo events, in time order, none after `now`. */
export function demoEvents(opts: DemoOptions): RawEvent[] {
  const rnd = new Random(seededRng(opts.seed ?? 42));
  const now = Math.floor(opts.now.getTime() / HOUR) * HOUR;
  const yearAgo = now - 365 * DAY;
  const events: RawEvent[] = [];
  const push = (id: string, type: string, at: number, data: Record<string, unknown>) => {
    if (at <= now) events.push({ id, type, occurredAt: iso(at), data });
  };

  const customers: Customer[] = [];
  const nCustomers = opts.customers ?? 2000;
  for (let i = 1; i <= nCustomers; i++) {
    const first = rnd.pick(firstNames);
    const last = rnd.pick(lastNames);
    const id = `cus-${String(i).padStart(5, '0')}`;
    const email = `${first}.${last}${i}`.toLowerCase().replace(/[^a-z0-9.]/g, '') + '@example.com';
    // Two-thirds signed up before the year shown; the rest during it.
    const createdAt = rnd.chance(0.66) ? yearAgo - rnd.int(1, 730) * DAY : yearAgo + rnd.int(0, 350) * DAY;
    customers.push({ id, first, email, createdAt, weight: rnd.heavyTail() });
    push(`${id}-upserted`, 'customer.upserted', Math.max(createdAt, yearAgo - DAY), {
      customerId: id,
      email,
      name: `${first} ${last}`,
      createdAt: iso(createdAt),
      locale: rnd.pick(['en-US', 'en-US', 'en-US', 'en-GB', 'es-US', 'fr-CA']),
      timezone: rnd.pick(['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles']),
      tags: rnd.chance(0.05) ? ['wholesale'] : [],
    });
  }

  // Customers are drawn by weight, so a few buy often and most once or twice.
  const drawCustomer = weightedPicker(rnd, customers);

  const complaints: { at: number; kind: ComplaintKind; customer: Customer; orderId: string; ctx: Record<string, unknown> }[] = [];
  const nOrders = opts.orders ?? 10_000;
  for (let i = 1; i <= nOrders; i++) {
    const c = drawCustomer();
    const from = Math.max(yearAgo, c.createdAt);
    const placedAt = from + Math.floor(rnd.next() * (now - HOUR - from));
    const orderId = `ord-${1000 + i}`;
    const items = Array.from({ length: rnd.pick([1, 1, 1, 2, 2, 3, 4]) }, () => {
      const [sku, name, price] = rnd.pick(catalogue);
      return { sku, name, quantity: rnd.pick([1, 1, 1, 2]), price: money(price) };
    });
    const total = items.reduce((s, it) => s + it.price.amount * it.quantity, 0) + (rnd.chance(0.6) ? 0 : 695);
    const promisedBy = placedAt + rnd.int(3, 7) * DAY;
    push(`${orderId}-placed`, 'order.placed', placedAt, {
      orderId,
      customerId: c.id,
      total: money(total),
      items,
      promisedBy: iso(promisedBy),
      channel: rnd.pick(['web', 'web', 'web', 'mobile', 'mobile', 'instagram']),
    });
    const firstItem = items[0]!.name;

    // Payment: ~3 % fail; most of those are retried successfully, the rest cancel the order.
    let paidAt = placedAt + 2 * 60_000;
    if (rnd.chance(0.03)) {
      push(`${orderId}-pay-1`, 'payment.failed', paidAt, {
        paymentId: `pay-${orderId}-1`,
        orderId,
        customerId: c.id,
        amount: money(total),
        reason: rnd.pick(declineReasons),
      });
      if (rnd.chance(0.12)) {
        complaints.push({
          at: paidAt + rnd.int(1, 30) * HOUR,
          kind: rnd.pick(['payment_problem', 'billing_error']),
          customer: c,
          orderId,
          ctx: { amount: dollars(total), itemName: firstItem },
        });
      }
      if (rnd.chance(0.4)) {
        push(`${orderId}-cancelled`, 'order.cancelled', paidAt + 2 * DAY, { orderId, reason: 'payment_failed' });
        continue;
      }
      paidAt += rnd.int(1, 20) * HOUR;
    }
    push(`${orderId}-pay`, 'payment.succeeded', paidAt, { paymentId: `pay-${orderId}`, orderId, customerId: c.id, amount: money(total) });

    if (rnd.chance(0.015)) {
      push(`${orderId}-cancelled`, 'order.cancelled', paidAt + rnd.int(1, 12) * HOUR, { orderId, reason: 'customer_request' });
      push(`${orderId}-refund`, 'refund.recorded', paidAt + rnd.int(13, 30) * HOUR, {
        refundId: `ref-${orderId}`,
        orderId,
        amount: money(total),
        reason: 'order cancelled',
      });
      continue;
    }

    const shipmentId = `shp-${orderId}`;
    const carrier = rnd.pick(carriers);
    const shippedAt = paidAt + rnd.int(6, 40) * HOUR;
    const tracking = `${carrier.slice(0, 2)}${rnd.int(100_000_000, 999_999_999)}`;
    push(`${shipmentId}-created`, 'shipment.created', shippedAt, {
      shipmentId,
      orderId,
      carrier,
      trackingNumber: tracking,
      shippedAt: iso(shippedAt),
      promisedBy: iso(promisedBy),
      status: 'in_transit',
      lastCarrierEventAt: iso(shippedAt),
    });

    // Fate of the parcel: ~90.5 % on time, ~8 % late, ~1 % exception then late, ~0.5 % lost.
    const fate = rnd.next();
    let deliveredAt: number | null;
    let late = false;
    if (fate < 0.005) {
      deliveredAt = null;
      push(`${shipmentId}-lost`, 'shipment.updated', promisedBy + rnd.int(4, 9) * DAY, {
        shipmentId,
        orderId,
        status: 'lost',
        lastCarrierEventAt: iso(shippedAt + rnd.int(1, 3) * DAY),
      });
      if (rnd.chance(0.8))
        complaints.push({
          at: promisedBy + rnd.int(2, 8) * DAY,
          kind: 'delivery_lost',
          customer: c,
          orderId,
          ctx: { carrier, itemName: firstItem },
        });
      if (rnd.chance(0.6)) {
        push(`${orderId}-refund`, 'refund.recorded', promisedBy + rnd.int(10, 14) * DAY, {
          refundId: `ref-${orderId}`,
          orderId,
          amount: money(total),
          reason: 'parcel lost',
        });
      }
    } else if (fate < 0.015) {
      const exceptionAt = shippedAt + rnd.int(1, 3) * DAY;
      push(`${shipmentId}-exception`, 'shipment.updated', exceptionAt, {
        shipmentId,
        orderId,
        status: 'exception',
        lastCarrierEventAt: iso(exceptionAt),
      });
      deliveredAt = promisedBy + rnd.int(2, 8) * DAY;
      late = true;
    } else if (fate < 0.095) {
      deliveredAt = promisedBy + rnd.int(6, 130) * HOUR;
      late = true;
    } else {
      deliveredAt = shippedAt + rnd.int(20, Math.max(21, Math.floor((promisedBy - shippedAt) / HOUR) - 1)) * HOUR;
    }
    if (deliveredAt !== null) {
      push(`${shipmentId}-out`, 'shipment.updated', deliveredAt - rnd.int(2, 8) * HOUR, {
        shipmentId,
        orderId,
        status: 'out_for_delivery',
        lastCarrierEventAt: iso(deliveredAt - 6 * HOUR),
      });
      push(`${shipmentId}-delivered`, 'shipment.delivered', deliveredAt, { shipmentId, orderId, deliveredAt: iso(deliveredAt) });
    }
    if (late && rnd.chance(0.2)) {
      const daysLate = Math.max(1, Math.round(((deliveredAt ?? now) - promisedBy) / DAY));
      complaints.push({
        at: promisedBy + rnd.int(6, 60) * HOUR,
        kind: 'delivery_late',
        customer: c,
        orderId,
        ctx: { carrier, daysLate, itemName: firstItem },
      });
    }
    if (deliveredAt !== null && rnd.chance(0.006)) {
      complaints.push({
        at: deliveredAt + rnd.int(2, 72) * HOUR,
        kind: rnd.pick(['damaged_item', 'damaged_item', 'wrong_item', 'missing_item', 'quality_defect']),
        customer: c,
        orderId,
        ctx: { itemName: firstItem },
      });
    }
    if (deliveredAt !== null && rnd.chance(0.14)) {
      const rating = late ? rnd.pick([1, 2, 2, 3, 3, 4]) : rnd.pick([3, 4, 4, 5, 5, 5, 5]);
      push(`${orderId}-review`, 'review.posted', deliveredAt + rnd.int(1, 10) * DAY, {
        reviewId: `rev-${orderId}`,
        customerId: c.id,
        orderId,
        rating,
        title:
          rating >= 4
            ? rnd.pick(['Lovely', 'Great quality', 'Just as described', 'Would buy again'])
            : rnd.pick(['Disappointed', 'Slow delivery', 'Not great', 'Arrived late']),
        body:
          rating >= 4
            ? `The ${firstItem.toLowerCase()} is exactly what I hoped for.`
            : `The ${firstItem.toLowerCase()} took far too long to arrive.`,
      });
    }
    if (rnd.chance(0.0035)) {
      complaints.push({
        at: placedAt + rnd.int(1, 20) * DAY,
        kind: rnd.pick(['refund_request', 'cancellation', 'account_access', 'website_bug', 'rude_service', 'other']),
        customer: c,
        orderId,
        ctx: { itemName: firstItem },
      });
    }
  }

  complaints.forEach((comp, i) => {
    const text = complaintText(comp.kind, rnd.next, {
      orderId: comp.orderId,
      customerFirstName: comp.customer.first,
      ...(comp.ctx as { itemName?: string; carrier?: string; daysLate?: number; amount?: string }),
    });
    push(`cmp-${String(i + 1).padStart(4, '0')}`, 'complaint.received', comp.at, {
      complaintId: `cmp-${String(i + 1).padStart(4, '0')}`,
      ...(rnd.chance(0.85) ? { customerId: comp.customer.id } : { email: comp.customer.email }),
      orderId: comp.orderId,
      channel: rnd.pick(complaintChannels),
      subject: text.subject,
      body: text.body,
    });
  });

  events.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  return events;
}
