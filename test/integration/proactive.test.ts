/**
 * Proactive recovery on event time: `runReplay` over hand-written event files
 * whose answers are worked out by hand in the comments (promises, timezones,
 * DST, quiet hours), on SQLite and on PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/database.ts';
import { runReplay } from '../../src/proactive/replay.ts';
import { engineAvailable, engines, freshDatabaseUrl } from '../helper.ts';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-proactive-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Ev = { id: string; type: string; occurredAt: string; data: Record<string, unknown> };
function file(name: string, events: Ev[]): string {
  const p = path.join(dir, `${name}.jsonl`);
  fs.writeFileSync(p, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return p;
}
const ev = (id: string, type: string, occurredAt: string, data: Record<string, unknown>): Ev => ({ id, type, occurredAt, data });
const customer = (id: string, tz: string, locale = 'en') =>
  ev(`cu-${id}`, 'customer.upserted', '2026-02-01T00:00:00Z', {
    customerId: id,
    email: `${id}@example.com`,
    name: `Customer ${id.toUpperCase()}`,
    timezone: tz,
    locale,
  });
const placed = (o: string, c: string, at: string, promisedBy?: string) =>
  ev(`${o}-placed`, 'order.placed', at, { orderId: o, customerId: c, total: usd(6000), ...(promisedBy ? { promisedBy } : {}) });
const scan = (o: string, at: string, extra: Record<string, unknown> = {}) =>
  ev(`${o}-scan-${at}`, 'shipment.updated', at, {
    shipmentId: `${o}-s`,
    orderId: o,
    carrier: 'UPS',
    region: 'US-NY',
    status: 'in_transit',
    lastCarrierEventAt: at,
    ...extra,
  });
const delivered = (o: string, at: string) =>
  ev(`${o}-delivered`, 'shipment.delivered', at, { shipmentId: `${o}-s`, orderId: o, deliveredAt: at });

/**
 * Store in America/New_York. Parcels are scanned at least daily, so nothing stalls (48 h).
 * - o1 promise 03-05 18:00Z, delivered 03-05 12:00Z: on time.
 * - o2 (c2, Madrid) promise 03-06 18:00Z, delivered 03-08: late at 03-06 18:00Z (19:00 in Madrid: message at once).
 * - o3 (c1, New York) never shipped, promise "2026-03-08" — the day New York springs forward: that day ends
 *   23:59:59.999 EDT = 03-09 03:59:59.999Z. Late then; 23:59 is in c1's quiet hours (21–08), so the message
 *   waits for 08:00 EDT = 12:00Z: 8 h after the failure.
 * - o4 promise 03-06 18:00Z but cancelled on 03-05: never late.
 * - o5 (c1) never shipped, promise "2026-11-01" — the day New York falls back: it ends 23:59:59.999 EST =
 *   11-02 04:59:59.999Z; quiet hours until 08:00 EST = 13:00Z: 8 h again.
 * - o6 delivered exactly at its promise 03-06 18:00Z: on time (late means after the promise).
 * - o7 (c3, Los Angeles) promise 03-06 18:00Z, delivered 18:30Z: not delivered at the deadline, so late
 *   (10:00 in LA: message at once).
 * - o8 order promise 03-05 18:00Z, but its shipment promises 03-09 18:00Z and it arrives 03-08: on time.
 */
function deliveries(): Ev[] {
  return [
    customer('c1', 'America/New_York'),
    customer('c2', 'Europe/Madrid', 'es'),
    customer('c3', 'America/Los_Angeles'),
    placed('o1', 'c1', '2026-03-02T10:00:00Z', '2026-03-05T18:00:00Z'),
    placed('o2', 'c2', '2026-03-02T10:05:00Z', '2026-03-06T18:00:00Z'),
    placed('o3', 'c1', '2026-03-02T10:10:00Z', '2026-03-08'),
    placed('o4', 'c3', '2026-03-02T10:15:00Z', '2026-03-06T18:00:00Z'),
    placed('o6', 'c3', '2026-03-02T10:20:00Z', '2026-03-06T18:00:00Z'),
    placed('o7', 'c3', '2026-03-02T10:25:00Z', '2026-03-06T18:00:00Z'),
    placed('o8', 'c1', '2026-03-02T10:30:00Z', '2026-03-05T18:00:00Z'),
    scan('o1', '2026-03-03T09:00:00Z'),
    scan('o2', '2026-03-03T09:00:00Z'),
    scan('o6', '2026-03-03T09:00:00Z'),
    scan('o7', '2026-03-03T09:00:00Z'),
    scan('o8', '2026-03-03T09:00:00Z', { promisedBy: '2026-03-09T18:00:00Z' }),
    scan('o1', '2026-03-04T09:00:00Z'),
    scan('o2', '2026-03-04T09:00:00Z'),
    scan('o6', '2026-03-04T09:00:00Z'),
    scan('o7', '2026-03-04T09:00:00Z'),
    scan('o8', '2026-03-04T09:00:00Z'),
    ev('o4-cancelled', 'order.cancelled', '2026-03-05T08:00:00Z', { orderId: 'o4' }),
    scan('o2', '2026-03-05T09:00:00Z'),
    scan('o6', '2026-03-05T09:00:00Z'),
    scan('o7', '2026-03-05T09:00:00Z'),
    scan('o8', '2026-03-05T09:00:00Z'),
    delivered('o1', '2026-03-05T12:00:00Z'),
    scan('o2', '2026-03-06T09:00:00Z'),
    scan('o7', '2026-03-06T09:00:00Z'),
    scan('o8', '2026-03-06T09:00:00Z'),
    delivered('o6', '2026-03-06T18:00:00Z'),
    delivered('o7', '2026-03-06T18:30:00Z'),
    scan('o2', '2026-03-07T09:00:00Z'),
    scan('o8', '2026-03-07T09:00:00Z'),
    delivered('o2', '2026-03-08T09:00:00Z'),
    delivered('o8', '2026-03-08T10:00:00Z'),
    placed('o5', 'c1', '2026-10-28T15:00:00Z', '2026-11-01'),
    ev('heartbeat', 'metric.observed', '2026-11-03T00:00:00Z', { metric: 'heartbeat', value: 1 }),
  ];
}

async function casesOf(dbUrl: string) {
  const database = openDatabase(dbUrl);
  try {
    const db = database.db;
    const cases = await db
      .selectFrom('cases')
      .select(['id', 'order_id', 'source', 'kind', 'status', 'failure_at', 'complaint_id', 'incident_id', 'customer_id'])
      .orderBy('order_id')
      .execute();
    const messages = await db
      .selectFrom('case_messages')
      .select(['case_id', 'kind', 'template', 'created_at', 'body', 'subject'])
      .orderBy('created_at')
      .execute();
    const compensations = await db.selectFrom('compensations').select(['case_id', 'status', 'cost', 'requested_by_type']).execute();
    const incidents = await db.selectFrom('incidents').selectAll().execute();
    const contacts = await db.selectFrom('incident_contacts').selectAll().execute();
    return { cases, messages, compensations, incidents, contacts };
  } finally {
    await database.close();
  }
}

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] amends replay: proactive recovery on event time`, () => {
    it('opens exactly one proactive delivery_late case per order not delivered by its promise, at the promise, across timezones and DST', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const report = await runReplay({ file: file(`deliveries-${engine}`, deliveries()), db: dbUrl, timezone: 'America/New_York' });
      const { cases, messages, compensations, contacts } = await casesOf(dbUrl);

      expect(cases.map((c) => [c.order_id, c.source, c.kind, c.failure_at])).toEqual([
        ['o2', 'proactive', 'delivery_late', '2026-03-06T18:00:00.000Z'],
        ['o3', 'proactive', 'delivery_late', '2026-03-09T03:59:59.999Z'],
        ['o5', 'proactive', 'delivery_late', '2026-11-02T04:59:59.999Z'],
        ['o7', 'proactive', 'delivery_late', '2026-03-06T18:00:00.000Z'],
      ]);
      // One pre-emptive message per case, when the rules allow it (quiet hours in the customer's zone).
      const firstReply = (orderId: string) => {
        const c = cases.find((x) => x.order_id === orderId)!;
        return messages.find((m) => m.case_id === c.id && m.template?.endsWith('/proactive'));
      };
      expect(firstReply('o2')?.created_at).toBe('2026-03-06T18:00:00.000Z');
      expect(firstReply('o2')?.template).toBe('es/proactive');
      expect(firstReply('o7')?.created_at).toBe('2026-03-06T18:00:00.000Z');
      expect(firstReply('o3')?.created_at).toBe('2026-03-09T12:00:00.000Z');
      expect(firstReply('o5')?.created_at).toBe('2026-11-02T13:00:00.000Z');
      expect(firstReply('o3')?.body).toContain('o3');
      expect(contacts.filter((c) => c.status === 'sent')).toHaveLength(4);
      expect(contacts.find((c) => c.case_id === cases.find((x) => x.order_id === 'o3')!.id)?.reason).toBe('quiet_hours');

      // The report, against what the database says and what was worked out above.
      expect(report.events).toBe(deliveries().length);
      expect(report.customers).toBe(3);
      expect(report.orders).toBe(8);
      expect(report.cases).toEqual({ total: 4, proactive: 4, reactive: 0, byKind: { delivery_late: 4 } });
      expect(report.messages).toBe(messages.filter((m) => m.kind === 'reply').length);
      expect(report.offers.count).toBe(compensations.length);
      expect(report.offers.auto).toBe(compensations.filter((c) => c.requested_by_type === 'system').length);
      // o2 and o7: the late-minor rule is automatic; o3 and o5 were never shipped (avertable: a manager decides).
      expect(compensations.map((c) => cases.find((x) => x.id === c.case_id)?.order_id).sort()).toEqual(['o2', 'o7']);
      expect(report.offers.cost.USD).toBe(compensations.reduce((s, c) => s + Number(c.cost), 0));
      expect(report.incidents).toBeGreaterThanOrEqual(2);
      // Failure → first message: 0, 0, 8 h + 1 ms, 8 h + 1 ms (nearest rank).
      expect(report.timeToFirstMessageSeconds).toEqual({ p50: 0, p90: 28800.001, p99: 28800.001, cases: 4 });
    });

    it('ends a date-only promise at midnight in the store’s own timezone', async () => {
      const events = [
        customer('c1', 'Europe/Madrid'),
        placed('o3', 'c1', '2026-03-02T10:10:00Z', '2026-03-08'),
        ev('hb', 'metric.observed', '2026-03-10T00:00:00Z', { metric: 'heartbeat', value: 1 }),
      ];
      const madrid = await freshDatabaseUrl(engine);
      await runReplay({ file: file(`madrid-${engine}`, events), db: madrid, timezone: 'Europe/Madrid' });
      // 2026-03-08 ends 23:59:59.999 CET (UTC+1).
      expect((await casesOf(madrid)).cases.map((c) => c.failure_at)).toEqual(['2026-03-08T22:59:59.999Z']);
      const tokyo = await freshDatabaseUrl(engine);
      await runReplay({ file: file(`tokyo-${engine}`, events), db: tokyo, timezone: 'Asia/Tokyo' });
      expect((await casesOf(tokyo)).cases.map((c) => c.failure_at)).toEqual(['2026-03-08T14:59:59.999Z']);
    });

    it('lets a later complaint about the same order join the proactive case', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const events = [
        ...deliveries().filter((e) => e.type !== 'metric.observed' && !e.id.startsWith('o5')),
        ev('cmp-o2', 'complaint.received', '2026-03-07T10:00:00Z', {
          complaintId: 'cmp-o2',
          customerId: 'c2',
          orderId: 'o2',
          channel: 'email',
          body: 'My parcel is late and nobody has told me anything!',
        }),
      ];
      events.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
      const report = await runReplay({ file: file(`complaint-${engine}`, events), db: dbUrl, timezone: 'America/New_York' });
      const { cases, messages } = await casesOf(dbUrl);
      const o2 = cases.filter((c) => c.order_id === 'o2');
      expect(o2).toHaveLength(1);
      expect(o2[0]).toMatchObject({ source: 'proactive', complaint_id: 'cmp-o2' });
      expect(messages.filter((m) => m.case_id === o2[0]!.id && m.kind === 'inbound').map((m) => m.body)).toEqual([
        'My parcel is late and nobody has told me anything!',
      ]);
      expect(report.cases.reactive).toBe(0);
    });

    it('waits for the minimum lateness and drops the message when the parcel comes first; spaces messages by the cool-down', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const base = fs.readFileSync('policies/default.yaml', 'utf8').split('\nproactive:')[0];
      const policy = `${base}\nproactive:\n  minLatenessMinutes: 60\n  contact: { cooldownHours: 24, quietHours: null }\n`;
      const events = [
        customer('c2', 'Europe/Madrid', 'es'),
        customer('c3', 'America/Los_Angeles'),
        // o7 arrives 30 min late: below the minimum lateness, the case is only logged and resolves itself.
        placed('o7', 'c3', '2026-03-02T10:25:00Z', '2026-03-03T18:00:00Z'),
        delivered('o7', '2026-03-03T18:30:00Z'),
        // o2 and o9 (both c2) are late a day apart, on different days (two incidents): o2's message at 19:00Z
        // (promise + 60 min); o9's deadline 03-04 12:00Z is within 24 h of it, so it waits until 03-04 19:00Z.
        placed('o2', 'c2', '2026-03-02T10:05:00Z', '2026-03-03T18:00:00Z'),
        placed('o9', 'c2', '2026-03-02T10:06:00Z', '2026-03-04T12:00:00Z'),
        ev('hb', 'metric.observed', '2026-03-06T00:00:00Z', { metric: 'heartbeat', value: 1 }),
      ];
      await runReplay({ file: file(`rules-${engine}`, events), db: dbUrl, timezone: 'UTC', policySource: policy });
      const { cases, messages, contacts } = await casesOf(dbUrl);
      const byOrder = (o: string) => cases.find((c) => c.order_id === o)!;
      expect(cases.map((c) => c.order_id)).toEqual(['o2', 'o7', 'o9']);
      expect(byOrder('o7').status).toBe('resolved');
      expect(messages.filter((m) => m.case_id === byOrder('o7').id)).toEqual([]);
      expect(contacts.find((c) => c.case_id === byOrder('o7').id)).toMatchObject({ status: 'suppressed' });
      const proactiveAt = (o: string) =>
        messages.find((m) => m.case_id === byOrder(o).id && m.template?.endsWith('/proactive'))?.created_at;
      expect(proactiveAt('o2')).toBe('2026-03-03T19:00:00.000Z');
      expect(proactiveAt('o9')).toBe('2026-03-04T19:00:00.000Z');
      expect(contacts.find((c) => c.case_id === byOrder('o9').id)?.reason).toContain('cooldown');
    });

    it('fires at once on a lost parcel, groups one carrier-region-day into one incident, and tells each customer once', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const lost = (o: string, at: string) =>
        ev(`${o}-lost`, 'shipment.updated', at, {
          shipmentId: `${o}-s`,
          orderId: o,
          carrier: 'DHL',
          region: 'ES-MD',
          status: 'lost',
          lastCarrierEventAt: at,
        });
      const events = [
        customer('c1', 'UTC'),
        customer('c2', 'UTC'),
        placed('a1', 'c1', '2026-03-02T10:00:00Z', '2026-03-09T18:00:00Z'),
        placed('a2', 'c1', '2026-03-02T10:01:00Z', '2026-03-09T18:00:00Z'),
        placed('b1', 'c2', '2026-03-02T10:02:00Z', '2026-03-09T18:00:00Z'),
        lost('a1', '2026-03-04T10:00:00Z'),
        lost('a2', '2026-03-04T11:00:00Z'),
        lost('b1', '2026-03-04T12:00:00Z'),
        // Another day: another incident.
        placed('b2', 'c2', '2026-03-02T10:03:00Z', '2026-03-09T18:00:00Z'),
        lost('b2', '2026-03-06T12:00:00Z'),
        ev('hb', 'metric.observed', '2026-03-07T00:00:00Z', { metric: 'heartbeat', value: 1 }),
      ];
      const report = await runReplay({ file: file(`lost-${engine}`, events), db: dbUrl, timezone: 'UTC' });
      const { cases, messages, incidents, contacts } = await casesOf(dbUrl);
      expect(cases.map((c) => [c.order_id, c.kind, c.failure_at])).toEqual([
        ['a1', 'delivery_lost', '2026-03-04T10:00:00.000Z'],
        ['a2', 'delivery_lost', '2026-03-04T11:00:00.000Z'],
        ['b1', 'delivery_lost', '2026-03-04T12:00:00.000Z'],
        ['b2', 'delivery_lost', '2026-03-06T12:00:00.000Z'],
      ]);
      const lostIncidents = incidents.filter((i) => i.monitor === 'lost').sort((a, b) => (a.started_at < b.started_at ? -1 : 1));
      expect(lostIncidents.map((i) => [i.firings, i.affected_customers, i.title])).toEqual([
        [3, 2, 'Lost parcels: DHL to ES-MD (2026-03-04)'],
        [1, 1, 'Lost parcels: DHL to ES-MD (2026-03-06)'],
      ]);
      // c1 has two cases in the first incident but one message about it; c2 one per incident.
      expect(contacts.filter((c) => c.status === 'sent')).toHaveLength(3);
      const proactive = messages.filter((m) => m.template?.endsWith('/proactive'));
      expect(proactive).toHaveLength(3);
      expect(proactive[0]!.created_at).toBe('2026-03-04T10:00:00.000Z');
      expect(report.incidents).toBe(incidents.length);
    });

    it('tells a customer whose payment failed and was not retried, after the grace; not one who paid', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const pay = (id: string, type: string, at: string, c: string, o: string) =>
        ev(id, type, at, {
          paymentId: id,
          orderId: o,
          customerId: c,
          amount: usd(4200),
          reason: type === 'payment.failed' ? 'card_declined' : undefined,
        });
      const events = [
        customer('c1', 'UTC'),
        customer('c2', 'UTC'),
        placed('p1', 'c1', '2026-03-02T10:00:00Z'),
        placed('p2', 'c2', '2026-03-02T10:00:00Z'),
        pay('pay-1', 'payment.failed', '2026-03-02T10:01:00Z', 'c1', 'p1'),
        pay('pay-2', 'payment.failed', '2026-03-02T10:01:00Z', 'c2', 'p2'),
        pay('pay-2b', 'payment.succeeded', '2026-03-02T10:10:00Z', 'c2', 'p2'),
        ev('hb', 'metric.observed', '2026-03-02T12:00:00Z', { metric: 'heartbeat', value: 1 }),
      ].map((e) => ({ ...e, data: Object.fromEntries(Object.entries(e.data).filter(([, v]) => v !== undefined)) }));
      await runReplay({ file: file(`payments-${engine}`, events), db: dbUrl, timezone: 'UTC' });
      const { cases, messages } = await casesOf(dbUrl);
      // Grace 30 min: 10:01 → 10:31.
      expect(cases.map((c) => [c.order_id, c.kind, c.customer_id, c.failure_at])).toEqual([
        ['p1', 'payment_problem', 'c1', '2026-03-02T10:01:00.000Z'],
      ]);
      const msg = messages.find((m) => m.template === 'en/proactive');
      expect(msg?.created_at).toBe('2026-03-02T10:31:00.000Z');
      expect(msg?.body).toContain('42.00');
    });

    it('opens an outage incident when a metric crosses its threshold and resolves it when it comes back', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const m = (id: string, at: string, value: number) => ev(id, 'metric.observed', at, { metric: 'checkout_error_rate', value });
      const events = [
        m('m1', '2026-03-02T10:00:00Z', 0.01),
        m('m2', '2026-03-02T11:00:00Z', 0.2),
        m('m3', '2026-03-02T12:00:00Z', 0.3),
        m('m4', '2026-03-02T13:00:00Z', 0.01),
      ];
      await runReplay({ file: file(`outage-${engine}`, events), db: dbUrl, timezone: 'UTC' });
      const { incidents } = await casesOf(dbUrl);
      expect(incidents.map((i) => [i.monitor, i.kind, i.status, i.started_at, i.resolved_at, i.public])).toEqual([
        ['metric_threshold', 'website_bug', 'resolved', '2026-03-02T11:00:00.000Z', '2026-03-02T13:00:00.000Z', 1],
      ]);
    });

    it('tells customers waiting for an item that goes out of stock (one incident), and a new order for it at once', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const order = (o: string, c: string, at: string, sku: string) =>
        ev(`${o}-placed`, 'order.placed', at, {
          orderId: o,
          customerId: c,
          total: usd(3000),
          items: [{ sku, name: `Lamp ${sku}`, quantity: 1, price: usd(3000) }],
        });
      const events = [
        customer('c1', 'UTC'),
        customer('c2', 'UTC'),
        order('k1', 'c1', '2026-03-02T10:00:00Z', 'LAMP-1'),
        order('k2', 'c2', '2026-03-02T10:05:00Z', 'LAMP-2'),
        ev('shipped-k1', 'shipment.created', '2026-03-02T11:00:00Z', { shipmentId: 'k1-s', orderId: 'k1' }),
        order('k3', 'c2', '2026-03-02T11:30:00Z', 'LAMP-1'),
        ev('stock-1', 'inventory.updated', '2026-03-02T12:00:00Z', { sku: 'LAMP-1', available: 0, restockAt: '2026-03-10T00:00:00Z' }),
        order('k4', 'c1', '2026-03-02T13:00:00Z', 'LAMP-1'),
      ];
      await runReplay({ file: file(`stock-${engine}`, events), db: dbUrl, timezone: 'UTC' });
      const { cases, incidents } = await casesOf(dbUrl);
      // k1 has shipped, k2 is another item: only k3 (waiting) and k4 (ordered while out of stock).
      expect(cases.map((c) => [c.order_id, c.failure_at])).toEqual([
        ['k3', '2026-03-02T12:00:00.000Z'],
        ['k4', '2026-03-02T13:00:00.000Z'],
      ]);
      expect(incidents.map((i) => [i.monitor, i.firings, i.affected_customers, i.avertable])).toEqual([['backorder', 2, 2, 1]]);
    });

    it('holds an order with two parcels late when one arrives in time and the other does not', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const parcel = (s: string, at: string) =>
        ev(`${s}-${at}`, 'shipment.updated', at, {
          shipmentId: s,
          orderId: 'm1',
          carrier: 'UPS',
          region: 'US-NY',
          status: 'in_transit',
          lastCarrierEventAt: at,
        });
      const events = [
        customer('c1', 'UTC'),
        placed('m1', 'c1', '2026-03-02T10:00:00Z', '2026-03-05T18:00:00Z'),
        parcel('m1-s1', '2026-03-03T09:00:00Z'),
        parcel('m1-s2', '2026-03-03T09:00:00Z'),
        // The first parcel arrives in time; the second is still on its way at the promise (scanned daily: no stall).
        ev('m1-s1-delivered', 'shipment.delivered', '2026-03-04T12:00:00Z', {
          shipmentId: 'm1-s1',
          orderId: 'm1',
          deliveredAt: '2026-03-04T12:00:00Z',
        }),
        parcel('m1-s2', '2026-03-04T09:00:00Z'),
        parcel('m1-s2', '2026-03-05T09:00:00Z'),
        parcel('m1-s2', '2026-03-06T09:00:00Z'),
        ev('hb', 'metric.observed', '2026-03-06T12:00:00Z', { metric: 'heartbeat', value: 1 }),
      ];
      await runReplay({ file: file(`two-parcels-${engine}`, events), db: dbUrl, timezone: 'UTC' });
      const { cases } = await casesOf(dbUrl);
      expect(cases.map((c) => [c.order_id, c.kind, c.failure_at])).toEqual([['m1', 'delivery_late', '2026-03-05T18:00:00.000Z']]);
    });

    it('lets a payment spike absorb the failures of its day only, and an outage those during its window even once it is over', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const failed = (id: string, c: string, at: string) =>
        ev(id, 'payment.failed', at, { paymentId: id, customerId: c, amount: usd(4200), reason: 'card_declined' });
      const m = (id: string, at: string, value: number) => ev(id, 'metric.observed', at, { metric: 'checkout_error_rate', value });
      const events = [
        ...['s1', 's2', 's3', 's4', 's5', 'late', 'out'].map((c) => customer(c, 'UTC')),
        // Five failures in ten minutes on 03-02: a spike (a store-wide incident).
        ...['s1', 's2', 's3', 's4', 's5'].map((c, i) => failed(`pay-${c}`, c, `2026-03-02T10:0${i * 2}:00Z`)),
        // Two days later, one customer's card is declined: their own failure, not the spike's.
        failed('pay-late', 'late', '2026-03-04T10:00:00Z'),
        // An outage from 03-06 10:00 to 10:20; a payment fails at 10:05, during it (checked at 10:35, after it ended).
        m('m1', '2026-03-06T10:00:00Z', 0.3),
        failed('pay-out', 'out', '2026-03-06T10:05:00Z'),
        m('m2', '2026-03-06T10:20:00Z', 0.01),
        ev('hb', 'metric.observed', '2026-03-06T12:00:00Z', { metric: 'heartbeat', value: 1 }),
      ];
      await runReplay({ file: file(`spike-${engine}`, events), db: dbUrl, timezone: 'UTC' });
      const { cases, incidents } = await casesOf(dbUrl);
      const monitorOf = (customerId: string) => {
        const c = cases.find((x) => x.customer_id === customerId)!;
        return incidents.find((i) => i.id === c.incident_id)?.monitor;
      };
      expect(monitorOf('s5')).toBe('payment_failure_rate');
      expect(monitorOf('late')).toBe('payment_failed');
      expect(monitorOf('out')).toBe('metric_threshold');
    });

    it('does not send a waiting message about a lost or stuck parcel that was delivered meanwhile', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const failedParcel = (o: string, status: string, at: string) =>
        ev(`${o}-${status}`, 'shipment.updated', at, {
          shipmentId: `${o}-s`,
          orderId: o,
          carrier: 'DHL',
          region: 'ES-MD',
          status,
          lastCarrierEventAt: at,
        });
      const events = [
        customer('c1', 'UTC'),
        customer('c2', 'UTC'),
        placed('x1', 'c1', '2026-03-02T10:00:00Z'),
        placed('x2', 'c2', '2026-03-02T10:00:00Z'),
        // At 22:00 UTC, in both customers' quiet hours (21–08): the messages wait for 08:00.
        failedParcel('x1', 'exception', '2026-03-02T22:00:00Z'),
        failedParcel('x2', 'lost', '2026-03-02T22:00:00Z'),
        // Both turn up in the night.
        delivered('x1', '2026-03-03T02:00:00Z'),
        delivered('x2', '2026-03-03T03:00:00Z'),
        ev('hb', 'metric.observed', '2026-03-03T12:00:00Z', { metric: 'heartbeat', value: 1 }),
      ];
      await runReplay({ file: file(`came-after-all-${engine}`, events), db: dbUrl, timezone: 'UTC' });
      const { cases, messages, contacts } = await casesOf(dbUrl);
      expect(cases.map((c) => c.order_id)).toEqual(['x1', 'x2']);
      expect(messages.filter((m) => m.template?.endsWith('/proactive'))).toEqual([]);
      expect(contacts.map((c) => c.status)).toEqual(['suppressed', 'suppressed']);
    });

    it('tells a customer about the incident through another late order when the first one arrives before the message', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const base = fs.readFileSync('policies/default.yaml', 'utf8').split('\nproactive:')[0];
      const policy = `${base}\nproactive:\n  minLatenessMinutes: 60\n  contact: { cooldownHours: 24, quietHours: null }\n`;
      const events = [
        customer('c1', 'UTC'),
        // Two orders of c1 that never shipped, late at the same instant: one incident, one message.
        placed('a1', 'c1', '2026-03-02T10:00:00Z', '2026-03-03T18:00:00Z'),
        placed('a2', 'c1', '2026-03-02T10:01:00Z', '2026-03-03T18:00:00Z'),
        // a1 turns up within the minimum lateness; a2 never does. A third order of the incident's day, late at 20:00.
        delivered('a1', '2026-03-03T18:30:00Z'),
        placed('a3', 'c1', '2026-03-02T10:02:00Z', '2026-03-03T20:00:00Z'),
        ev('hb', 'metric.observed', '2026-03-04T12:00:00Z', { metric: 'heartbeat', value: 1 }),
      ];
      await runReplay({ file: file(`first-arrives-${engine}`, events), db: dbUrl, timezone: 'UTC', policySource: policy });
      const { cases, messages, contacts } = await casesOf(dbUrl);
      const byOrder = (o: string) => cases.find((c) => c.order_id === o)!;
      expect(cases.map((c) => c.order_id)).toEqual(['a1', 'a2', 'a3']);
      expect(byOrder('a1').status).toBe('resolved');
      const proactive = messages.filter((m) => m.template?.endsWith('/proactive'));
      // One message for the incident, at 19:00 (the minimum lateness), on a case that still needs it.
      expect(proactive.map((m) => [m.case_id === byOrder('a2').id, m.created_at])).toEqual([[true, '2026-03-03T19:00:00.000Z']]);
      expect(contacts).toHaveLength(1);
      expect(contacts[0]).toMatchObject({ status: 'sent', case_id: byOrder('a2').id });
    });

    it('finds a stalled parcel whose carrier updates carry no scan time', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const events = [
        customer('c1', 'UTC'),
        placed('t1', 'c1', '2026-03-02T09:00:00Z'),
        // In transit at 10:00, with neither lastCarrierEventAt nor shippedAt; nothing more for three days.
        ev('t1-moving', 'shipment.updated', '2026-03-02T10:00:00Z', {
          shipmentId: 't1-s',
          orderId: 't1',
          carrier: 'UPS',
          region: 'US-NY',
          status: 'in_transit',
        }),
        ev('hb', 'metric.observed', '2026-03-05T12:00:00Z', { metric: 'heartbeat', value: 1 }),
      ];
      await runReplay({ file: file(`no-scan-time-${engine}`, events), db: dbUrl, timezone: 'UTC' });
      const { cases } = await casesOf(dbUrl);
      // 48 h without news: stalled at 03-04 10:00.
      expect(cases.map((c) => [c.order_id, c.kind, c.failure_at])).toEqual([['t1', 'delivery_late', '2026-03-04T10:00:00.000Z']]);
    });

    it('leaves open for an agent a case the customer wrote on, when the message it waited for is dropped', async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const base = fs.readFileSync('policies/default.yaml', 'utf8').split('\nproactive:')[0];
      const policy = `${base}\nproactive:\n  minLatenessMinutes: 60\n  contact: { cooldownHours: 24, quietHours: null }\n`;
      const events = [
        customer('c1', 'UTC'),
        placed('w1', 'c1', '2026-03-02T10:00:00Z', '2026-03-03T18:00:00Z'),
        // Late at 18:00; the message waits for 19:00. The customer writes at 18:10; the parcel comes at 18:30.
        ev('cmp-w1', 'complaint.received', '2026-03-03T18:10:00Z', {
          complaintId: 'cmp-w1',
          customerId: 'c1',
          orderId: 'w1',
          channel: 'email',
          body: 'Where is my order? It was promised for today.',
        }),
        delivered('w1', '2026-03-03T18:30:00Z'),
        ev('hb', 'metric.observed', '2026-03-04T12:00:00Z', { metric: 'heartbeat', value: 1 }),
      ];
      await runReplay({ file: file(`wrote-first-${engine}`, events), db: dbUrl, timezone: 'UTC', policySource: policy });
      const { cases, contacts } = await casesOf(dbUrl);
      expect(cases.map((c) => [c.order_id, c.complaint_id])).toEqual([['w1', 'cmp-w1']]);
      expect(contacts.map((c) => c.status)).toEqual(['suppressed']);
      // Their question is still unanswered: the case is not resolved behind their back.
      expect(cases[0]!.status).not.toBe('resolved');
    });

    it('refuses a file whose events name two stores', async () => {
      const p = path.join(dir, `two-stores-${engine}.jsonl`);
      const lines = [
        { ...customer('c1', 'UTC'), store: 'north' },
        { ...placed('o1', 'c1', '2026-03-02T10:00:00Z'), store: 'south' },
      ];
      fs.writeFileSync(p, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
      const dbUrl = await freshDatabaseUrl(engine);
      await expect(runReplay({ file: p, db: dbUrl })).rejects.toThrow(/^line 2 store: /);
    });

    it('refuses a file with a bad line, naming the line and the field, and writes nothing', async () => {
      const p = path.join(dir, `bad-${engine}.jsonl`);
      fs.writeFileSync(p, `${JSON.stringify(customer('c1', 'UTC'))}\n${JSON.stringify(placed('o1', 'c1', 'yesterday'))}\n`);
      const dbUrl = await freshDatabaseUrl(engine);
      await expect(runReplay({ file: p, db: dbUrl })).rejects.toThrow(/^line 2 occurredAt: /);
    });
  });
}
