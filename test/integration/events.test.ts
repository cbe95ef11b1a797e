import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

describe.each(engines)('events API [%s]', (engine) => {
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
  const count = async (table: 'events' | 'orders' | 'customers', storeId = t.storeId) => {
    const r = await t.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('store_id', '=', storeId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };

  it.runIf(available)('accepts one event, and answers a repeat as a duplicate that changes nothing', async () => {
    const e = ev('o-1-placed', 'order.placed', { orderId: 'o-1', customerId: 'c-1', total: usd(2599) });
    const first = await post(e);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ accepted: 1, duplicates: 0, events: [{ id: 'o-1-placed', status: 'accepted' }] });
    const before = { events: await count('events'), orders: await count('orders') };

    const again = await post({ ...e, data: { ...e.data, total: usd(1) } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 1, events: [{ id: 'o-1-placed', status: 'duplicate' }] });
    expect({ events: await count('events'), orders: await count('orders') }).toEqual(before);

    const customer = await t.app.inject({ method: 'GET', url: '/api/v1/customers/c-1', headers: auth(t.tokens.agent) });
    expect(customer.json().metrics).toMatchObject({ ordersCount: 1, lifetimeValue: 2599 });
  });

  it.runIf(available)('refuses a batch with one bad event whole, naming its index and field', async () => {
    const before = await count('events');
    const res = await post({
      events: [
        ev('b-ok-1', 'customer.upserted', { customerId: 'c-9', email: 'nine@example.com' }),
        ev('b-ok-2', 'order.placed', { orderId: 'o-9', customerId: 'c-9', total: usd(100) }),
        ev('b-bad', 'order.placed', { orderId: 'o-10', customerId: 'c-9', total: { amount: 10.5, currency: 'USD' } }),
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_event', path: 'events[2].data.total.amount', index: 2 });
    expect(await count('events')).toBe(before);
    const c9 = await t.app.inject({ method: 'GET', url: '/api/v1/customers/c-9', headers: auth(t.tokens.agent) });
    expect(c9.statusCode).toBe(404);
  });

  it.runIf(available)('names unknown types and bad timestamps', async () => {
    const unknown = await post({ id: 'x1', type: 'order.exploded', occurredAt: '2026-03-01T12:00:00Z', data: {} });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.path).toBe('type');
    const noZone = await post(ev('x2', 'order.cancelled', { orderId: 'o-1' }, '2026-03-01T12:00:00'));
    expect(noZone.statusCode).toBe(400);
    expect(noZone.json().error.path).toBe('occurredAt');
  });

  it.runIf(available)('accepts a batch of 1,000 and refuses 1,001', async () => {
    const batch = Array.from({ length: 1000 }, (_, i) => ev(`bulk-${i}`, 'metric.observed', { metric: 'uptime', value: 99.9 }));
    const ok = await post({ events: batch });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().accepted).toBe(1000);
    const tooMany = await post({ events: [...batch, ev('bulk-1000', 'metric.observed', { metric: 'uptime', value: 1 })] });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.code).toBe('batch_too_large');
  });

  it.runIf(available)('accepts each id once when the same ids are posted concurrently', async () => {
    const before = await count('events');
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => post(ev(`conc-${i % 30}`, 'metric.observed', { metric: 'checkout_error_rate', value: i }))),
    );
    const statuses = results.map((r) => r.json().events[0].status);
    expect(statuses.filter((s: string) => s === 'accepted')).toHaveLength(30);
    expect(statuses.filter((s: string) => s === 'duplicate')).toHaveLength(30);
    expect(await count('events')).toBe(before + 30);
  });

  it.runIf(available)('keeps stores apart: an event for another store is refused, and foreign ids are 404', async () => {
    const res = await post({ ...ev('s-1', 'metric.observed', { metric: 'uptime', value: 1 }), store: 'other' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'store_mismatch', path: 'store' });
    const foreign = await t.app.inject({ method: 'GET', url: '/api/v1/events/o-1-placed', headers: auth(t.other.token) });
    expect(foreign.statusCode).toBe(404);
    const own = await t.app.inject({ method: 'GET', url: '/api/v1/events/o-1-placed', headers: auth(t.tokens.agent) });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ id: 'o-1-placed', type: 'order.placed', orderId: 'o-1', customerId: 'c-1' });
  });

  it.runIf(available)('requires a token, and the manager role to ingest', async () => {
    const none = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: ev('a-1', 'metric.observed', { metric: 'x', value: 1 }),
    });
    expect(none.statusCode).toBe(401);
    const bad = await post(ev('a-1', 'metric.observed', { metric: 'x', value: 1 }), 'amd_not-a-real-token');
    expect(bad.statusCode).toBe(401);
    const agent = await post(ev('a-1', 'metric.observed', { metric: 'x', value: 1 }), t.tokens.agent);
    expect(agent.statusCode).toBe(403);
    expect(agent.json().error.code).toBe('forbidden');
  });
});
