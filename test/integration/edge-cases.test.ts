import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, freshDatabaseUrl, type TestApp, usd } from '../helper.ts';

interface MetricsJson {
  ordersCount: number;
  lifetimeValue: number;
  averageOrderValue: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  failuresCount: number;
  lastFailureAt: string | null;
}

interface ShipmentJson {
  id: string;
  status: string;
  deliveredAt: string | null;
  promisedBy: string | null;
}

const iso = (s: string) => new Date(s).toISOString();

describe.each(engines)('edge cases [%s]', (engine) => {
  let t: TestApp;
  const available = engineAvailable(engine);

  beforeAll(async () => {
    if (available) t = await buildTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (payload: unknown, token = t.tokens.manager) =>
    t.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(token), payload: payload as object });
  const ingest = async (...events: unknown[]) => {
    const res = await post({ events });
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
    expect(res.statusCode, res.body).toBeLessThan(300);
    expect(res.json().accepted, res.body).toBe(events.length);
    return res;
  };
  const get = (url: string, token = t.tokens.agent) => t.app.inject({ method: 'GET', url, headers: auth(token) });
  const metrics = async (customerId: string): Promise<MetricsJson> => {
    const res = await get(`/api/v1/customers/${encodeURIComponent(customerId)}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().metrics;
  };
  const shipments = async (orderId: string): Promise<ShipmentJson[]> => {
    const res = await get(`/api/v1/orders/${encodeURIComponent(orderId)}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().shipments;
  };
  const count = async (table: 'events' | 'case_messages' | 'cases') => {
    const r = await t.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('store_id', '=', t.storeId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };

  describe('money beyond 32 bits', () => {
    const BIG = 3_000_000_000;

    it.runIf(available)(
      'accepts order.placed, refund.recorded and order.cancelled of 3,000,000,000 minor units, one at a time',
      async () => {
        // Single-event posts, so each type's answer is checked on its own.
        const placed = await post(
          ev('big-1-placed', 'order.placed', { orderId: 'big-1', customerId: 'c-big', total: usd(BIG) }, '2026-01-10T10:00:00Z'),
        );
        expect(placed.statusCode, placed.body).toBe(201);
        const placed2 = await post(
          ev('big-2-placed', 'order.placed', { orderId: 'big-2', customerId: 'c-big', total: usd(7_000_000_000) }, '2026-01-20T10:00:00Z'),
        );
        expect(placed2.statusCode, placed2.body).toBe(201);
        const placed3 = await post(
          ev('big-3-placed', 'order.placed', { orderId: 'big-3', customerId: 'c-big', total: usd(BIG) }, '2026-02-01T10:00:00Z'),
        );
        expect(placed3.statusCode, placed3.body).toBe(201);
        expect(await metrics('c-big')).toMatchObject({ ordersCount: 3, lifetimeValue: 13_000_000_000 });

        // A refund on a placed order takes its amount off the lifetime value.
        const refund = await post(
          ev('big-2-refund', 'refund.recorded', { refundId: 'r-big-2', orderId: 'big-2', amount: usd(BIG) }, '2026-01-25T10:00:00Z'),
        );
        expect(refund.statusCode, refund.body).toBe(201);
        expect(await metrics('c-big')).toMatchObject({ ordersCount: 3, lifetimeValue: 10_000_000_000 });

        // big-3 is refunded in full and then cancelled: it ends up worth nothing, not minus its refund.
        const refund3 = await post(
          ev('big-3-refund', 'refund.recorded', { refundId: 'r-big-3', orderId: 'big-3', amount: usd(BIG) }, '2026-02-02T10:00:00Z'),
        );
        expect(refund3.statusCode, refund3.body).toBe(201);
        expect(await metrics('c-big')).toMatchObject({ ordersCount: 3, lifetimeValue: 7_000_000_000 });
        const cancelled = await post(
          ev('big-3-cancelled', 'order.cancelled', { orderId: 'big-3', reason: 'customer_request' }, '2026-02-03T10:00:00Z'),
        );
        expect(cancelled.statusCode, cancelled.body).toBe(201);

        const m = await metrics('c-big');
        // big-1 (3e9) + big-2 (7e9 − 3e9 refunded); big-3 counts for nothing.
        expect(m.ordersCount).toBe(2);
        expect(m.lifetimeValue).toBe(7_000_000_000);
        expect(m.averageOrderValue).toBe(5_000_000_000);

        const o2 = await get('/api/v1/orders/big-2');
        expect(o2.json()).toMatchObject({ status: 'placed', total: usd(7_000_000_000), refunded: usd(BIG) });
        const o3 = await get('/api/v1/orders/big-3');
        expect(o3.json()).toMatchObject({ status: 'cancelled', total: usd(BIG), refunded: usd(BIG) });
      },
    );

    it.runIf(available)('does not let a refund recorded after a large cancellation take value away again', async () => {
      await ingest(
        ev('big-4-placed', 'order.placed', { orderId: 'big-4', customerId: 'c-big4', total: usd(BIG) }, '2026-01-10T10:00:00Z'),
        ev('big-5-placed', 'order.placed', { orderId: 'big-5', customerId: 'c-big4', total: usd(BIG) }, '2026-01-11T10:00:00Z'),
        ev('big-5-cancelled', 'order.cancelled', { orderId: 'big-5' }, '2026-01-12T10:00:00Z'),
      );
      const refund = await post(
        ev('big-5-refund', 'refund.recorded', { refundId: 'r-big-5', orderId: 'big-5', amount: usd(BIG) }, '2026-01-13T10:00:00Z'),
      );
      expect(refund.statusCode, refund.body).toBe(201);
      expect(await metrics('c-big4')).toMatchObject({ ordersCount: 1, lifetimeValue: BIG });
    });
  });

  describe('first and last order after a cancellation', () => {
    it.runIf(available)('falls back to the remaining placed orders, and to null when none is left', async () => {
      await ingest(
        ev('fl-1-placed', 'order.placed', { orderId: 'fl-1', customerId: 'c-fl', total: usd(1000) }, '2026-01-05T08:00:00Z'),
        ev('fl-2-placed', 'order.placed', { orderId: 'fl-2', customerId: 'c-fl', total: usd(2000) }, '2026-02-05T08:00:00Z'),
        ev('fl-3-placed', 'order.placed', { orderId: 'fl-3', customerId: 'c-fl', total: usd(3000) }, '2026-03-05T08:00:00Z'),
      );
      expect(await metrics('c-fl')).toMatchObject({
        ordersCount: 3,
        firstOrderAt: iso('2026-01-05T08:00:00Z'),
        lastOrderAt: iso('2026-03-05T08:00:00Z'),
      });

      await ingest(ev('fl-3-cancelled', 'order.cancelled', { orderId: 'fl-3' }, '2026-03-06T08:00:00Z'));
      expect(await metrics('c-fl')).toMatchObject({
        ordersCount: 2,
        lifetimeValue: 3000,
        firstOrderAt: iso('2026-01-05T08:00:00Z'),
        lastOrderAt: iso('2026-02-05T08:00:00Z'),
      });

      await ingest(ev('fl-1-cancelled', 'order.cancelled', { orderId: 'fl-1' }, '2026-03-07T08:00:00Z'));
      expect(await metrics('c-fl')).toMatchObject({
        ordersCount: 1,
        lifetimeValue: 2000,
        firstOrderAt: iso('2026-02-05T08:00:00Z'),
        lastOrderAt: iso('2026-02-05T08:00:00Z'),
      });
    });

    it.runIf(available)('leaves no first or last order when the only order is cancelled', async () => {
      await ingest(
        ev('solo-placed', 'order.placed', { orderId: 'solo', customerId: 'c-solo', total: usd(4200) }, '2026-02-10T08:00:00Z'),
        ev('solo-cancelled', 'order.cancelled', { orderId: 'solo' }, '2026-02-11T08:00:00Z'),
      );
      const m = await metrics('c-solo');
      expect(m).toMatchObject({ ordersCount: 0, lifetimeValue: 0, firstOrderAt: null, lastOrderAt: null });
    });
  });

  describe('NUL characters', () => {
    it.runIf(available)('refuses a NUL in an event id, naming id, and writes nothing', async () => {
      const before = await count('events');
      const res = await post(ev('nul\u0000id', 'metric.observed', { metric: 'uptime', value: 1 }));
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'invalid_event', path: 'id' });
      const batch = await post({
        events: [
          ev('nul-ok', 'metric.observed', { metric: 'uptime', value: 1 }),
          ev('\u0000', 'metric.observed', { metric: 'uptime', value: 1 }),
        ],
      });
      expect(batch.statusCode).toBe(400);
      expect(batch.json().error).toMatchObject({ path: 'events[1].id', index: 1 });
      expect(await count('events')).toBe(before);
    });

    it.runIf(available)('refuses a NUL in a complaint body, naming data.body, and opens no case', async () => {
      const before = { events: await count('events'), cases: await count('cases') };
      const res = await post(
        ev('nul-cmp', 'complaint.received', { complaintId: 'cmp-nul', customerId: 'c-nul', channel: 'email', body: 'Where\u0000 is it?' }),
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'invalid_event', path: 'data.body' });
      expect({ events: await count('events'), cases: await count('cases') }).toEqual(before);
      expect((await get('/api/v1/customers/c-nul')).statusCode).toBe(404);
    });

    it.runIf(available)('refuses a NUL in a case message body, naming body, and adds no message', async () => {
      await ingest(
        ev('nul-msg-cmp', 'complaint.received', {
          complaintId: 'cmp-nul-msg',
          customerId: 'c-nulmsg',
          channel: 'email',
          body: 'Broken mug',
        }),
      );
      const list = await get('/api/v1/cases?customerId=c-nulmsg');
      expect(list.statusCode, list.body).toBe(200);
      const caseId = list.json().cases[0].id as string;
      const before = await count('case_messages');
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${caseId}/messages`,
        headers: auth(t.tokens.agent),
        payload: { kind: 'note', body: 'called \u0000 the carrier' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.path).toBe('body');
      expect(await count('case_messages')).toBe(before);
      // The same message without the NUL is fine: the refusal was about the NUL alone.
      const ok = await t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${caseId}/messages`,
        headers: auth(t.tokens.agent),
        payload: { kind: 'note', body: 'called the carrier' },
      });
      expect(ok.statusCode, ok.body).toBe(201);
      expect(await count('case_messages')).toBe(before + 1);
    });
  });

  describe('unknown fields', () => {
    it.runIf(available)('names a misspelt field inside data, alone and in a batch', async () => {
      const before = await count('events');
      const single = await post(
        ev('typo-1', 'order.placed', { orderId: 'typo-1', customerId: 'c-typo', total: usd(100), promisedby: '2026-03-05T00:00:00Z' }),
      );
      expect(single.statusCode).toBe(400);
      expect(single.json().error).toMatchObject({ code: 'invalid_event', path: 'data.promisedby' });

      const batch = await post({
        events: [
          ev('typo-2', 'order.placed', { orderId: 'typo-2', customerId: 'c-typo', total: usd(100) }),
          ev('typo-3', 'order.placed', { orderId: 'typo-3', customerId: 'c-typo', total: usd(100), promisedby: '2026-03-05T00:00:00Z' }),
        ],
      });
      expect(batch.statusCode).toBe(400);
      expect(batch.json().error).toMatchObject({ code: 'invalid_event', path: 'events[1].data.promisedby', index: 1 });
      expect(await count('events')).toBe(before);
    });

    it.runIf(available)('names an unknown field inside money', async () => {
      const before = await count('events');
      const res = await post(
        ev('cents-1', 'order.placed', { orderId: 'cents-1', customerId: 'c-typo', total: { amount: 100, currency: 'USD', cents: 100 } }),
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'invalid_event', path: 'data.total.cents' });
      const batch = await post({
        events: [
          ev('cents-2', 'refund.recorded', { refundId: 'r-cents', orderId: 'cents-1', amount: { amount: 1, currency: 'USD', cents: 1 } }),
        ],
      });
      expect(batch.statusCode).toBe(400);
      expect(batch.json().error).toMatchObject({ path: 'events[0].data.amount.cents', index: 0 });
      expect(await count('events')).toBe(before);
    });
  });

  describe('malformed bodies and queries', () => {
    it.runIf(available)('refuses an empty batch, naming events', async () => {
      const res = await post({ events: [] });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.path).toBe('events');
    });

    it.runIf(available)('refuses a JSON string or number as the body, naming body', async () => {
      const before = await count('events');
      for (const raw of ['"hello"', '42', 'null', 'true']) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/events',
          headers: { ...auth(t.tokens.manager), 'content-type': 'application/json' },
          payload: raw,
        });
        expect(res.statusCode, `${raw}: ${res.body}`).toBe(400);
        expect(res.json().error?.path, raw).toBe('body');
      }
      expect(await count('events')).toBe(before);
    });

    it.runIf(available)('refuses an empty status filter on the case list, naming status', async () => {
      const res = await get('/api/v1/cases?status=');
      expect(res.statusCode).toBe(400);
      expect(res.json().error.path).toBe('status');
      const ok = await get('/api/v1/cases?status=new');
      expect(ok.statusCode).toBe(200);
    });
  });

  describe('shipment events out of order', () => {
    it.runIf(available)('keeps in_transit when an older label_created update arrives late', async () => {
      await ingest(ev('ooo-1-placed', 'order.placed', { orderId: 'ooo-1', customerId: 'c-ooo', total: usd(500) }, '2026-03-01T08:00:00Z'));
      await ingest(
        ev(
          'ooo-1-created',
          'shipment.created',
          { shipmentId: 'shp-ooo-1', orderId: 'ooo-1', status: 'in_transit' },
          '2026-03-02T12:00:00Z',
        ),
      );
      await ingest(
        ev(
          'ooo-1-label',
          'shipment.updated',
          { shipmentId: 'shp-ooo-1', orderId: 'ooo-1', status: 'label_created' },
          '2026-03-02T09:00:00Z',
        ),
      );
      const [s] = await shipments('ooo-1');
      expect(s).toMatchObject({ id: 'shp-ooo-1', status: 'in_transit', deliveredAt: null });
    });

    it.runIf(available)('stays delivered when a newer in_transit update arrives after the delivery', async () => {
      await ingest(ev('ooo-2-placed', 'order.placed', { orderId: 'ooo-2', customerId: 'c-ooo', total: usd(500) }, '2026-03-01T08:00:00Z'));
      await ingest(
        ev(
          'ooo-2-created',
          'shipment.created',
          { shipmentId: 'shp-ooo-2', orderId: 'ooo-2', status: 'in_transit' },
          '2026-03-02T08:00:00Z',
        ),
        ev(
          'ooo-2-delivered',
          'shipment.delivered',
          { shipmentId: 'shp-ooo-2', orderId: 'ooo-2', deliveredAt: '2026-03-03T15:00:00Z' },
          '2026-03-03T15:00:00Z',
        ),
      );
      await ingest(
        ev(
          'ooo-2-transit',
          'shipment.updated',
          { shipmentId: 'shp-ooo-2', orderId: 'ooo-2', status: 'in_transit' },
          '2026-03-04T10:00:00Z',
        ),
      );
      const [s] = await shipments('ooo-2');
      expect(s).toMatchObject({ id: 'shp-ooo-2', status: 'delivered', deliveredAt: iso('2026-03-03T15:00:00Z') });
    });

    it.runIf(available)('counts a late delivery as one failure, however many delivered signals follow', async () => {
      await ingest(
        ev(
          'late-1-placed',
          'order.placed',
          { orderId: 'late-1', customerId: 'c-late', total: usd(900), promisedBy: '2026-03-05T00:00:00Z' },
          '2026-03-01T08:00:00Z',
        ),
        ev(
          'late-1-created',
          'shipment.created',
          { shipmentId: 'shp-late-1', orderId: 'late-1', status: 'in_transit' },
          '2026-03-02T08:00:00Z',
        ),
      );
      expect((await metrics('c-late')).failuresCount).toBe(0);
      await ingest(
        ev(
          'late-1-delivered',
          'shipment.delivered',
          { shipmentId: 'shp-late-1', orderId: 'late-1', deliveredAt: '2026-03-07T10:00:00Z' },
          '2026-03-07T10:00:00Z',
        ),
      );
      expect(await metrics('c-late')).toMatchObject({ failuresCount: 1, lastFailureAt: iso('2026-03-07T10:00:00Z') });

      await ingest(
        ev(
          'late-1-upd-delivered',
          'shipment.updated',
          { shipmentId: 'shp-late-1', orderId: 'late-1', status: 'delivered', lastCarrierEventAt: '2026-03-08T10:00:00Z' },
          '2026-03-08T10:00:00Z',
        ),
      );
      expect(await metrics('c-late')).toMatchObject({ failuresCount: 1, lastFailureAt: iso('2026-03-07T10:00:00Z') });
      const [s] = await shipments('late-1');
      expect(s).toMatchObject({ status: 'delivered', deliveredAt: iso('2026-03-07T10:00:00Z') });
    });

    it.runIf(available)('counts one failure when shipment.updated delivered comes before shipment.delivered', async () => {
      await ingest(
        ev(
          'late-2-placed',
          'order.placed',
          { orderId: 'late-2', customerId: 'c-late2', total: usd(900), promisedBy: '2026-03-05T00:00:00Z' },
          '2026-03-01T08:00:00Z',
        ),
        ev(
          'late-2-created',
          'shipment.created',
          { shipmentId: 'shp-late-2', orderId: 'late-2', status: 'in_transit' },
          '2026-03-02T08:00:00Z',
        ),
        ev(
          'late-2-upd-delivered',
          'shipment.updated',
          { shipmentId: 'shp-late-2', orderId: 'late-2', status: 'delivered', lastCarrierEventAt: '2026-03-06T09:00:00Z' },
          '2026-03-06T09:05:00Z',
        ),
      );
      expect((await metrics('c-late2')).failuresCount).toBe(1);
      await ingest(
        ev(
          'late-2-delivered',
          'shipment.delivered',
          { shipmentId: 'shp-late-2', orderId: 'late-2', deliveredAt: '2026-03-06T09:00:00Z' },
          '2026-03-06T09:00:00Z',
        ),
      );
      expect((await metrics('c-late2')).failuresCount).toBe(1);
      const [s] = await shipments('late-2');
      expect(s).toMatchObject({ status: 'delivered', deliveredAt: iso('2026-03-06T09:00:00Z') });
    });
  });

  describe('GET /metrics with a metrics token', () => {
    it.runIf(available)('answers 401 without or with a wrong token, and the metrics with it', async () => {
      const token = 'x'.repeat(20);
      const url = await freshDatabaseUrl(engine);
      const database = openDatabase(url);
      await migrateToLatest(database);
      const config = loadConfig({ AMENDS_DB: url, LOG_LEVEL: 'silent', AMENDS_METRICS_TOKEN: token } as NodeJS.ProcessEnv);
      const { app } = await buildApp({ config, database, logger: false });
      try {
        const none = await app.inject({ method: 'GET', url: '/metrics' });
        expect(none.statusCode).toBe(401);
        expect(none.headers['content-type']).toMatch(/application\/json/);
        expect(none.json().error.code).toBe('unauthorized');

        for (const wrong of ['y'.repeat(20), 'x'.repeat(19), 'x'.repeat(21), `${token}x`]) {
          const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${wrong}` } });
          expect(res.statusCode, wrong).toBe(401);
          expect(res.json().error.code).toBe('unauthorized');
        }
        const basic = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: token } });
        expect(basic.statusCode).toBe(401);

        const ok = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
        expect(ok.statusCode, ok.body).toBe(200);
        expect(ok.headers['content-type']).toMatch(/^text\/plain/);
        expect(ok.body).toContain('amends_http_requests_total');
      } finally {
        await app.close();
        await database.close();
      }
    });

    it.runIf(available)('stays open on the app built without a metrics token', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('amends_http_requests_total');
    });
  });
});
