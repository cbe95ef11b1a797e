import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelationshipMetrics } from '../../src/customers/relationship.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

type Metrics = RelationshipMetrics;

const DAY = 86_400_000;
const iso = (s: string) => new Date(s).toISOString();
const plusDays = (s: string, days: number) => new Date(Date.parse(s) + days * DAY).toISOString();

describe.each(engines)('customers API [%s]', (engine) => {
  let t: TestApp;
  const clock = new ManualClock('2026-03-20T00:00:00Z');
  const available = engineAvailable(engine);

  beforeAll(async () => {
    if (available) t = await buildTestApp(engine, { clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  let n = 0;
  /** Ingests events, each with a fresh event id unless given one. */
  const ingest = async (...events: { type: string; data: Record<string, unknown>; at: string; id?: string }[]) => {
    const payload = { events: events.map((e) => ev(e.id ?? `e-${++n}`, e.type, e.data, e.at)) };
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(t.tokens.manager), payload });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json() as { accepted: number; duplicates: number };
  };
  const get = (url: string, token = t.tokens.agent) => t.app.inject({ method: 'GET', url, headers: auth(token) });
  const customer = async (id: string) => {
    const res = await get(`/api/v1/customers/${encodeURIComponent(id)}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { id: string; email: string | null; metrics: Metrics; recentOrders: { id: string }[]; cases: { id: string }[] };
  };
  const metrics = async (id: string) => (await customer(id)).metrics;
  const placed = (customerId: string, orderId: string, amount: number, at: string, extra: Record<string, unknown> = {}) => ({
    type: 'order.placed',
    data: { orderId, customerId, total: usd(amount), ...extra },
    at,
  });

  describe('relationship metrics', () => {
    it.runIf(available)('keeps ordersCount, lifetimeValue, averageOrderValue and first/last order current', async () => {
      const c = 'c-value';
      await ingest(placed(c, 'o-v1', 5000, '2026-01-05T10:00:00Z'));
      expect(await metrics(c)).toMatchObject({
        ordersCount: 1,
        lifetimeValue: 5000,
        averageOrderValue: 5000,
        firstOrderAt: iso('2026-01-05T10:00:00Z'),
        lastOrderAt: iso('2026-01-05T10:00:00Z'),
      });
      await ingest(placed(c, 'o-v2', 3000, '2026-02-10T10:00:00+02:00'));
      expect(await metrics(c)).toMatchObject({
        ordersCount: 2,
        lifetimeValue: 8000,
        averageOrderValue: 4000,
        firstOrderAt: iso('2026-01-05T10:00:00Z'),
        lastOrderAt: '2026-02-10T08:00:00.000Z',
      });
      // Refunds lower the lifetime value, not the spend per order.
      await ingest({ type: 'refund.recorded', data: { refundId: 'r-v2', orderId: 'o-v2', amount: usd(1000) }, at: '2026-02-15T10:00:00Z' });
      expect(await metrics(c)).toMatchObject({ ordersCount: 2, lifetimeValue: 7000, averageOrderValue: 4000 });

      // An order arriving late but placed earliest moves the first order back, and the last order not at all.
      await ingest(placed(c, 'o-v0', 2000, '2025-12-01T10:00:00Z'));
      expect(await metrics(c)).toMatchObject({
        ordersCount: 3,
        lifetimeValue: 9000,
        averageOrderValue: Math.round(10000 / 3),
        firstOrderAt: iso('2025-12-01T10:00:00Z'),
        lastOrderAt: '2026-02-10T08:00:00.000Z',
      });

      // A cancelled order leaves count and value; cancelling it again changes nothing.
      await ingest({ type: 'order.cancelled', data: { orderId: 'o-v0', reason: 'changed mind' }, at: '2026-02-20T10:00:00Z' });
      expect(await metrics(c)).toMatchObject({ ordersCount: 2, lifetimeValue: 7000, averageOrderValue: 4000 });
      await ingest({ type: 'order.cancelled', data: { orderId: 'o-v0' }, at: '2026-02-21T10:00:00Z' });
      expect(await metrics(c)).toMatchObject({ ordersCount: 2, lifetimeValue: 7000, averageOrderValue: 4000 });

      // The same order sent again under another event id is not counted twice.
      const again = await ingest(placed(c, 'o-v1', 5000, '2026-01-05T10:00:00Z'));
      expect(again.accepted).toBe(1);
      expect(await metrics(c)).toMatchObject({ ordersCount: 2, lifetimeValue: 7000 });
      // A refund for an order of another customer does not touch this one.
      await ingest(placed('c-value-other', 'o-vx', 900, '2026-02-01T00:00:00Z'), {
        type: 'refund.recorded',
        data: { refundId: 'r-vx', orderId: 'o-vx', amount: usd(900) },
        at: '2026-02-02T00:00:00Z',
      });
      expect(await metrics(c)).toMatchObject({ lifetimeValue: 7000 });
      expect(await metrics('c-value-other')).toMatchObject({ ordersCount: 1, lifetimeValue: 0 });
    });

    it.runIf(available)('counts a cancelled and refunded order as worth nothing, not as a loss', async () => {
      const c = 'c-cancel-refund';
      await ingest(
        placed(c, 'o-cr-keep', 4000, '2026-01-10T10:00:00Z'),
        placed(c, 'o-cr-1', 2500, '2026-01-11T10:00:00Z'),
        {
          type: 'payment.succeeded',
          data: { paymentId: 'p-cr-1', orderId: 'o-cr-1', customerId: c, amount: usd(2500) },
          at: '2026-01-11T10:00:01Z',
        },
        { type: 'order.cancelled', data: { orderId: 'o-cr-1' }, at: '2026-01-12T10:00:00Z' },
        { type: 'refund.recorded', data: { refundId: 'r-cr-1', orderId: 'o-cr-1', amount: usd(2500) }, at: '2026-01-12T10:00:01Z' },
        // The other way round: refunded first, then cancelled.
        placed(c, 'o-cr-2', 1000, '2026-01-13T10:00:00Z'),
        { type: 'refund.recorded', data: { refundId: 'r-cr-2', orderId: 'o-cr-2', amount: usd(1000) }, at: '2026-01-14T10:00:00Z' },
        { type: 'order.cancelled', data: { orderId: 'o-cr-2' }, at: '2026-01-14T10:00:01Z' },
      );
      expect(await metrics(c)).toMatchObject({ ordersCount: 1, lifetimeValue: 4000, averageOrderValue: 4000 });
    });

    it.runIf(available)('counts a late delivery once per order, even when a complaint about it follows', async () => {
      const c = 'c-late';
      await ingest(placed(c, 'o-late', 3000, '2026-03-01T10:00:00Z', { promisedBy: '2026-03-05T00:00:00Z' }), {
        type: 'shipment.created',
        data: { shipmentId: 's-late', orderId: 'o-late', carrier: 'UPS' },
        at: '2026-03-02T10:00:00Z',
      });
      expect(await metrics(c)).toMatchObject({ failuresCount: 0, lastFailureAt: null });
      await ingest({
        type: 'shipment.delivered',
        data: { shipmentId: 's-late', orderId: 'o-late', deliveredAt: '2026-03-07T15:00:00Z' },
        at: '2026-03-07T15:00:00Z',
      });
      expect(await metrics(c)).toMatchObject({ failuresCount: 1, lastFailureAt: iso('2026-03-07T15:00:00Z') });
      const order = (await get('/api/v1/orders/o-late')).json();
      expect(order.failedAt).toBe(iso('2026-03-07T15:00:00Z'));

      await ingest({
        type: 'complaint.received',
        data: { complaintId: 'cmp-late', customerId: c, orderId: 'o-late', channel: 'email', body: 'Two days late!' },
        at: '2026-03-08T09:00:00Z',
      });
      const after = await customer(c);
      expect(after.cases).toHaveLength(1);
      expect(after.metrics).toMatchObject({ failuresCount: 1, lastFailureAt: iso('2026-03-07T15:00:00Z') });

      // A second late order is a second failure.
      await ingest(placed(c, 'o-late-2', 1000, '2026-03-09T10:00:00Z', { promisedBy: '2026-03-12T00:00:00Z' }), {
        type: 'shipment.delivered',
        data: { shipmentId: 's-late-2', orderId: 'o-late-2', deliveredAt: '2026-03-13T08:00:00Z' },
        at: '2026-03-13T08:00:00Z',
      });
      expect(await metrics(c)).toMatchObject({ failuresCount: 2, lastFailureAt: iso('2026-03-13T08:00:00Z') });
    });

    it.runIf(available)("does not count an on-time delivery, and uses the shipment's own promise before the order's", async () => {
      const c = 'c-ontime';
      await ingest(placed(c, 'o-ontime', 3000, '2026-03-01T10:00:00Z', { promisedBy: '2026-03-10T00:00:00Z' }), {
        type: 'shipment.delivered',
        data: { shipmentId: 's-ontime', orderId: 'o-ontime', deliveredAt: '2026-03-08T00:00:00Z' },
        at: '2026-03-08T00:00:00Z',
      });
      expect(await metrics(c)).toMatchObject({ failuresCount: 0, lastFailureAt: null });
      await ingest(
        placed(c, 'o-shippromise', 3000, '2026-03-01T10:00:00Z', { promisedBy: '2026-03-20T00:00:00Z' }),
        {
          type: 'shipment.created',
          data: { shipmentId: 's-shippromise', orderId: 'o-shippromise', promisedBy: '2026-03-04T00:00:00Z' },
          at: '2026-03-02T00:00:00Z',
        },
        {
          type: 'shipment.delivered',
          data: { shipmentId: 's-shippromise', orderId: 'o-shippromise', deliveredAt: '2026-03-06T00:00:00Z' },
          at: '2026-03-06T00:00:00Z',
        },
      );
      expect(await metrics(c)).toMatchObject({ failuresCount: 1, lastFailureAt: iso('2026-03-06T00:00:00Z') });
    });

    it.runIf(available)('counts a lost shipment, once per order', async () => {
      const c = 'c-lost';
      await ingest(placed(c, 'o-lost', 2000, '2026-03-01T10:00:00Z'), {
        type: 'shipment.created',
        data: { shipmentId: 's-lost', orderId: 'o-lost', status: 'in_transit' },
        at: '2026-03-02T10:00:00Z',
      });
      expect(await metrics(c)).toMatchObject({ failuresCount: 0 });
      await ingest({
        type: 'shipment.updated',
        data: { shipmentId: 's-lost', orderId: 'o-lost', status: 'lost' },
        at: '2026-03-09T10:00:00Z',
      });
      expect(await metrics(c)).toMatchObject({ failuresCount: 1, lastFailureAt: iso('2026-03-09T10:00:00Z') });
      await ingest({
        type: 'complaint.received',
        data: { complaintId: 'cmp-lost', customerId: c, orderId: 'o-lost', channel: 'portal', body: 'Lost?' },
        at: '2026-03-10T10:00:00Z',
      });
      expect(await metrics(c)).toMatchObject({ failuresCount: 1, lastFailureAt: iso('2026-03-09T10:00:00Z') });
    });

    it.runIf(available)('counts a failed payment, not a successful one', async () => {
      const c = 'c-pay';
      await ingest(placed(c, 'o-pay', 2000, '2026-03-01T10:00:00Z'), {
        type: 'payment.succeeded',
        data: { paymentId: 'p-ok', orderId: 'o-pay', customerId: c, amount: usd(2000) },
        at: '2026-03-01T10:01:00Z',
      });
      expect(await metrics(c)).toMatchObject({ failuresCount: 0, lastFailureAt: null });
      await ingest({
        type: 'payment.failed',
        data: { paymentId: 'p-bad', customerId: c, amount: usd(1500), reason: 'card_declined' },
        at: '2026-03-03T10:00:00Z',
      });
      expect(await metrics(c)).toMatchObject({ failuresCount: 1, lastFailureAt: iso('2026-03-03T10:00:00Z') });
      // The same payment sent again under another event id is not a second failure.
      await ingest({
        type: 'payment.failed',
        data: { paymentId: 'p-bad', customerId: c, amount: usd(1500), reason: 'card_declined' },
        at: '2026-03-03T10:00:00Z',
      });
      expect(await metrics(c)).toMatchObject({ failuresCount: 1 });
      // An older failure does not move lastFailureAt back.
      await ingest({ type: 'payment.failed', data: { paymentId: 'p-bad-0', customerId: c, amount: usd(1) }, at: '2026-02-01T10:00:00Z' });
      expect(await metrics(c)).toMatchObject({ failuresCount: 2, lastFailureAt: iso('2026-03-03T10:00:00Z') });
      // Failures are the customer's own.
      expect(await metrics('c-value')).toMatchObject({ failuresCount: 0 });
    });

    it.runIf(available)('derives the lifecycle segment from the orders, failures and the clock', async () => {
      const c = 'c-seg';
      const first = '2026-05-01T12:00:00.000Z';
      await ingest(
        {
          type: 'customer.upserted',
          data: { customerId: c, email: 'seg@example.com', createdAt: '2026-04-01T12:00:00Z' },
          at: '2026-04-01T12:00:00Z',
        },
        placed(c, 'o-seg-1', 1000, first),
      );
      clock.set(plusDays(first, 10));
      expect(await metrics(c)).toMatchObject({ segment: 'new', daysSinceLastOrder: 10, tenureDays: 40 });
      clock.set(plusDays(first, 45));
      expect(await metrics(c)).toMatchObject({ segment: 'active', daysSinceLastOrder: 45 });
      clock.set(plusDays(first, 100));
      expect(await metrics(c)).toMatchObject({ segment: 'at_risk', daysSinceLastOrder: 100 });
      clock.set(plusDays(first, 200));
      expect(await metrics(c)).toMatchObject({ segment: 'lapsed', daysSinceLastOrder: 200 });

      // They come back, a parcel of theirs is lost: at risk; they order again after it: recovered.
      const back = plusDays(first, 201);
      await ingest(placed(c, 'o-seg-2', 1000, back), placed(c, 'o-seg-3', 1000, plusDays(back, 1)));
      clock.set(plusDays(back, 2));
      expect(await metrics(c)).toMatchObject({ segment: 'active', ordersCount: 3 });
      await ingest({
        type: 'shipment.updated',
        data: { shipmentId: 's-seg-3', orderId: 'o-seg-3', status: 'lost' },
        at: plusDays(back, 3),
      });
      clock.set(plusDays(back, 5));
      expect(await metrics(c)).toMatchObject({ segment: 'at_risk', failuresCount: 1 });
      await ingest(placed(c, 'o-seg-4', 1000, plusDays(back, 6)));
      clock.set(plusDays(back, 7));
      expect(await metrics(c)).toMatchObject({ segment: 'recovered', ordersCount: 4 });

      // The segment is the same in the list.
      const listed = (await get('/api/v1/customers?email=seg@example.com')).json().customers;
      expect(listed).toHaveLength(1);
      expect(listed[0].metrics.segment).toBe('recovered');
      clock.set('2026-03-20T00:00:00Z');
    });
  });

  it.runIf(available)('shows an order with its shipments, payments and refunds', async () => {
    const items = [{ sku: 'MUG-1', name: 'Mug', quantity: 2, price: usd(1250) }];
    await ingest(
      placed('c-order', 'o-full', 2500, '2026-03-01T10:00:00Z', { items, promisedBy: '2026-03-06T00:00:00Z', channel: 'web' }),
      {
        type: 'payment.failed',
        data: { paymentId: 'p-full-1', orderId: 'o-full', customerId: 'c-order', amount: usd(2500), reason: 'insufficient_funds' },
        at: '2026-03-01T10:01:00Z',
      },
      {
        type: 'payment.succeeded',
        data: { paymentId: 'p-full-2', orderId: 'o-full', customerId: 'c-order', amount: usd(2500) },
        at: '2026-03-01T10:05:00Z',
      },
      {
        type: 'shipment.created',
        data: { shipmentId: 's-full', orderId: 'o-full', carrier: 'DHL', trackingNumber: 'JD0001', shippedAt: '2026-03-02T08:00:00+01:00' },
        at: '2026-03-02T08:00:00Z',
      },
      {
        type: 'shipment.updated',
        data: { shipmentId: 's-full', orderId: 'o-full', status: 'in_transit', lastCarrierEventAt: '2026-03-03T08:00:00Z' },
        at: '2026-03-03T08:00:00Z',
      },
      {
        type: 'shipment.delivered',
        data: { shipmentId: 's-full', orderId: 'o-full', deliveredAt: '2026-03-04T08:00:00Z' },
        at: '2026-03-04T08:00:00Z',
      },
      {
        type: 'refund.recorded',
        data: { refundId: 'r-full', orderId: 'o-full', amount: usd(1250), reason: 'one mug broken' },
        at: '2026-03-05T08:00:00Z',
      },
    );
    const res = await get('/api/v1/orders/o-full');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id: 'o-full',
      customerId: 'c-order',
      status: 'placed',
      total: usd(2500),
      refunded: usd(1250),
      items,
      promisedBy: iso('2026-03-06T00:00:00Z'),
      channel: 'web',
      placedAt: iso('2026-03-01T10:00:00Z'),
      cancelledAt: null,
      // Failed payments count against the customer, once per order.
      failedAt: iso('2026-03-01T10:01:00Z'),
      shipments: [
        {
          id: 's-full',
          carrier: 'DHL',
          trackingNumber: 'JD0001',
          status: 'delivered',
          shippedAt: iso('2026-03-02T07:00:00Z'),
          promisedBy: null,
          deliveredAt: iso('2026-03-04T08:00:00Z'),
          lastCarrierEventAt: iso('2026-03-03T08:00:00Z'),
        },
      ],
      payments: [
        { id: 'p-full-1', status: 'failed', amount: usd(2500), reason: 'insufficient_funds', occurredAt: iso('2026-03-01T10:01:00Z') },
        { id: 'p-full-2', status: 'succeeded', amount: usd(2500), reason: null, occurredAt: iso('2026-03-01T10:05:00Z') },
      ],
      refunds: [{ id: 'r-full', amount: usd(1250), reason: 'one mug broken', occurredAt: iso('2026-03-05T08:00:00Z') }],
    });
    const c = await customer('c-order');
    expect(c.metrics).toMatchObject({ ordersCount: 1, lifetimeValue: 1250, failuresCount: 1 });
    expect(c.recentOrders.map((o) => o.id)).toEqual(['o-full']);

    await ingest({ type: 'order.cancelled', data: { orderId: 'o-full', reason: 'fraud' }, at: '2026-03-06T08:00:00Z' });
    expect((await get('/api/v1/orders/o-full')).json()).toMatchObject({ status: 'cancelled', cancelledAt: iso('2026-03-06T08:00:00Z') });

    const missing = await get('/api/v1/orders/o-nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    const foreign = await get('/api/v1/orders/o-full', t.other.token);
    expect(foreign.statusCode).toBe(404);
  });

  describe('listing', () => {
    it.runIf(available)('walks every customer with a cursor, without duplicates or gaps', async () => {
      await ingest(...Array.from({ length: 5 }, (_, i) => placed(`c-page-${i}`, `o-page-${i}`, 100 * (i + 1), '2026-03-01T00:00:00Z')));
      const total = Number(
        (
          await t.database.db
            .selectFrom('customers')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('store_id', '=', t.storeId)
            .executeTakeFirstOrThrow()
        ).n,
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(`/api/v1/customers?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json() as { customers: { id: string }[]; nextCursor: string | null };
        expect(body.customers.length).toBeLessThanOrEqual(2);
        seen.push(...body.customers.map((x) => x.id));
        cursor = body.nextCursor;
        pages++;
      } while (cursor && pages < 100);
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      expect(pages).toBe(Math.ceil(total / 2));
      for (let i = 0; i < 5; i++) expect(seen).toContain(`c-page-${i}`);
      const big = (await get('/api/v1/customers?limit=200')).json().customers.map((x: { id: string }) => x.id);
      expect(seen).toEqual(big);

      const bad = await get('/api/v1/customers?limit=0');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.path).toBe('limit');
    });

    it.runIf(available)('filters by e-mail, whatever its case', async () => {
      await ingest(
        {
          type: 'customer.upserted',
          data: { customerId: 'c-mail-1', email: 'Mixed.Case@Example.COM', name: 'Mia' },
          at: '2026-03-01T00:00:00Z',
        },
        { type: 'customer.upserted', data: { customerId: 'c-mail-2', email: 'someone.else@example.com' }, at: '2026-03-01T00:00:00Z' },
      );
      for (const q of ['mixed.case@example.com', 'MIXED.CASE@example.com']) {
        const res = await get(`/api/v1/customers?email=${encodeURIComponent(q)}`);
        expect(res.statusCode).toBe(200);
        expect(res.json().customers.map((x: { id: string }) => x.id)).toEqual(['c-mail-1']);
        expect(res.json().customers[0]).toMatchObject({ email: 'mixed.case@example.com', name: 'Mia' });
      }
      const none = await get('/api/v1/customers?email=nobody@example.com');
      expect(none.json()).toEqual({ customers: [], nextCursor: null });
      // Another store sees none of them.
      const foreign = await get('/api/v1/customers?email=mixed.case@example.com', t.other.token);
      expect(foreign.json().customers).toEqual([]);
      expect((await get('/api/v1/customers/c-mail-1', t.other.token)).statusCode).toBe(404);
    });
  });

  it.runIf(available)('serves the customer profile from customer.upserted', async () => {
    await ingest({
      type: 'customer.upserted',
      data: {
        customerId: 'c-prof',
        email: 'Prof@Example.com',
        name: 'Pat',
        phone: '+49 30 1234',
        tags: ['vip', 'b2b'],
        locale: 'de-DE',
        timezone: 'Europe/Berlin',
        createdAt: '2025-06-01T00:00:00+02:00',
      },
      at: '2026-03-01T00:00:00Z',
    });
    clock.set('2026-03-20T00:00:00Z');
    const c = await customer('c-prof');
    expect(c).toMatchObject({
      id: 'c-prof',
      email: 'prof@example.com',
      name: 'Pat',
      phone: '+49 30 1234',
      tags: ['vip', 'b2b'],
      locale: 'de-DE',
      timezone: 'Europe/Berlin',
      createdAt: '2025-05-31T22:00:00.000Z',
      metrics: { ordersCount: 0, lifetimeValue: 0, averageOrderValue: 0, segment: 'new', daysSinceLastOrder: null },
    });
    expect(c.metrics.tenureDays).toBe(Math.floor((Date.parse('2026-03-20T00:00:00Z') - Date.parse('2025-05-31T22:00:00Z')) / DAY));
  });
});
