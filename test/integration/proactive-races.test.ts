/**
 * Proactive recovery where events arrive out of order (live, through the API)
 * and where two workers run contact jobs at the same instant (PostgreSQL).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { type ContactJobData, type MonitorDeps, runContact } from '../../src/proactive/monitors.service.ts';
import { auth, buildTestApp, type Engine, engineAvailable, engines, ev, gate, sleep, type TestApp, usd } from '../helper.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start(engine: Engine, clock: ManualClock): Promise<TestApp> {
  t = await buildTestApp(engine, { clock });
  return t;
}

async function post(app: TestApp, events: unknown[]): Promise<void> {
  const res = await app.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(app.tokens.admin), payload: { events } });
  expect(res.statusCode, res.body).toBe(201);
}

const parcel = (id: string, o: string, status: string, at: string, carrier = 'DHL') =>
  ev(id, 'shipment.updated', { shipmentId: `${o}-s`, orderId: o, carrier, region: 'ES-MD', status, lastCarrierEventAt: at }, at);

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] proactive recovery, events out of order`, () => {
    it('does not fire on a stale lost or exception report that arrives after a newer state of the parcel', async () => {
      const clock = new ManualClock('2026-03-02T10:05:00Z');
      const app = await start(engine, clock);
      await post(app, [
        ev('c1', 'customer.upserted', { customerId: 'c1', email: 'c1@example.com', timezone: 'UTC' }, '2026-03-01T00:00:00Z'),
        ev('o1', 'order.placed', { orderId: 'o1', customerId: 'c1', total: usd(5000) }, '2026-03-01T09:00:00Z'),
        ev('o2', 'order.placed', { orderId: 'o2', customerId: 'c1', total: usd(5000) }, '2026-03-01T09:00:00Z'),
        // o1 was delivered at 10:00; o2 scanned in transit at 10:00.
        ev(
          'o1-delivered',
          'shipment.delivered',
          { shipmentId: 'o1-s', orderId: 'o1', deliveredAt: '2026-03-02T10:00:00Z' },
          '2026-03-02T10:00:00Z',
        ),
        parcel('o2-scan', 'o2', 'in_transit', '2026-03-02T10:00:00Z'),
      ]);
      // Carrier webhooks from 09:00, delivered late: the parcels have moved on since.
      await post(app, [
        parcel('o1-exception', 'o1', 'exception', '2026-03-02T09:00:00Z'),
        parcel('o2-lost', 'o2', 'lost', '2026-03-02T09:00:00Z'),
      ]);
      const db = app.database.db;
      expect(await db.selectFrom('cases').select(['order_id']).where('store_id', '=', app.storeId).execute()).toEqual([]);
      expect(await db.selectFrom('case_messages').select('id').where('store_id', '=', app.storeId).execute()).toEqual([]);
    });

    it('does not tell anyone about a stock-out that a newer stock report had already ended', async () => {
      const clock = new ManualClock('2026-03-02T10:05:00Z');
      const app = await start(engine, clock);
      const stock = (id: string, available: number, at: string) => ev(id, 'inventory.updated', { sku: 'LAMP-1', available }, at);
      await post(app, [
        ev('c1', 'customer.upserted', { customerId: 'c1', email: 'c1@example.com', timezone: 'UTC' }, '2026-03-01T00:00:00Z'),
        ev(
          'k1',
          'order.placed',
          {
            orderId: 'k1',
            customerId: 'c1',
            total: usd(3000),
            items: [{ sku: 'LAMP-1', name: 'Lamp', quantity: 1, price: usd(3000) }],
          },
          '2026-03-02T08:00:00Z',
        ),
        stock('stock-10', 10, '2026-03-02T10:00:00Z'),
      ]);
      // The 09:00 report (out of stock) arrives after the 10:00 one (restocked): the projection keeps 10.
      await post(app, [stock('stock-0', 0, '2026-03-02T09:00:00Z')]);
      const db = app.database.db;
      expect(await db.selectFrom('inventory').select('available').where('store_id', '=', app.storeId).execute()).toEqual([
        { available: 10 },
      ]);
      expect(await db.selectFrom('cases').select(['order_id']).where('store_id', '=', app.storeId).execute()).toEqual([]);
    });

    it('does not end an outage with a reading taken before it began', async () => {
      const clock = new ManualClock('2026-03-02T11:05:00Z');
      const app = await start(engine, clock);
      const m = (id: string, at: string, value: number) => ev(id, 'metric.observed', { metric: 'checkout_error_rate', value }, at);
      await post(app, [m('m-bad', '2026-03-02T11:00:00Z', 0.3)]);
      // A 10:30 reading (fine then) arrives late.
      await post(app, [m('m-old', '2026-03-02T10:30:00Z', 0.01)]);
      const incidents = await app.database.db
        .selectFrom('incidents')
        .select(['status', 'started_at', 'resolved_at'])
        .where('store_id', '=', app.storeId)
        .execute();
      expect(incidents).toEqual([{ status: 'open', started_at: '2026-03-02T11:00:00.000Z', resolved_at: null }]);
    });
  });
}

describe.runIf(engineAvailable('postgres'))('[postgres] proactive contacts run by two workers at once', () => {
  /** A customer with two lost parcels of different carriers at night (two incidents): both messages wait for 08:00. */
  async function twoWaitingContacts(): Promise<{ app: TestApp; clock: ManualClock; deps: MonitorDeps; contacts: ContactJobData[] }> {
    const clock = new ManualClock('2026-03-02T22:00:00Z');
    const app = await start('postgres', clock);
    await post(app, [
      ev('c1', 'customer.upserted', { customerId: 'c1', email: 'c1@example.com', timezone: 'UTC' }, '2026-03-01T00:00:00Z'),
      ev('o1', 'order.placed', { orderId: 'o1', customerId: 'c1', total: usd(5000) }, '2026-03-01T09:00:00Z'),
      ev('o2', 'order.placed', { orderId: 'o2', customerId: 'c1', total: usd(5000) }, '2026-03-01T09:00:00Z'),
      parcel('o1-lost', 'o1', 'lost', '2026-03-02T22:00:00Z', 'DHL'),
      parcel('o2-lost', 'o2', 'lost', '2026-03-02T22:00:00Z', 'UPS'),
    ]);
    const rows = await app.database.db
      .selectFrom('incident_contacts')
      .select(['incident_id', 'customer_id', 'status', 'due_at'])
      .where('store_id', '=', app.storeId)
      .orderBy('incident_id')
      .execute();
    expect(rows.map((r) => [r.status, r.due_at])).toEqual([
      ['waiting', '2026-03-03T08:00:00.000Z'],
      ['waiting', '2026-03-03T08:00:00.000Z'],
    ]);
    clock.set(new Date('2026-03-03T08:00:00Z'));
    const deps: MonitorDeps = {
      clock,
      queue: app.ctx.jobs,
      contactJob: app.ctx.proactive.jobs.contact,
      settings: (db, storeId) => app.ctx.proactive.settings(db, storeId),
    };
    return {
      app,
      clock,
      deps,
      contacts: rows.map((r) => ({ storeId: app.storeId, incidentId: r.incident_id, customerId: r.customer_id })),
    };
  }

  /** Runs `a` in a transaction held open after it, starts `b` meanwhile in another, then commits `a`. */
  async function overlapping(app: TestApp, a: Parameters<typeof runContact>[2], b: Parameters<typeof runContact>[2], deps: MonitorDeps) {
    const db = app.database.db;
    const firstDone = gate();
    const release = gate();
    const first = db.transaction().execute(async (tx) => {
      await runContact(tx, deps, a);
      firstDone.open();
      await release.opened;
    });
    await firstDone.opened;
    const second = db.transaction().execute((tx) => runContact(tx, deps, b));
    await sleep(300);
    release.open();
    await Promise.all([first, second]);
  }

  const proactiveMessages = (app: TestApp) =>
    app.database.db
      .selectFrom('case_messages')
      .select(['case_id', 'created_at'])
      .where('store_id', '=', app.storeId)
      .where('template', 'like', '%/proactive')
      .execute();

  it('keeps the cool-down between two incidents’ messages due at the same instant', async () => {
    const { app, deps, contacts } = await twoWaitingContacts();
    await overlapping(app, contacts[0]!, contacts[1]!, deps);
    expect(await proactiveMessages(app)).toHaveLength(1);
    const after = await app.database.db
      .selectFrom('incident_contacts')
      .select(['status', 'reason'])
      .where('store_id', '=', app.storeId)
      .orderBy('status')
      .execute();
    expect(after.map((r) => r.status)).toEqual(['sent', 'waiting']);
    expect(after[1]!.reason).toContain('cooldown');
  });

  it('sends one message when the same contact job runs twice at once (a lease that ran out)', async () => {
    const { app, deps, contacts } = await twoWaitingContacts();
    await overlapping(app, contacts[0]!, contacts[0]!, deps);
    expect(await proactiveMessages(app)).toHaveLength(1);
  });
});
