/**
 * What the console's incident screens read and change, through the real app on both engines: an incident found
 * by the lost-parcel monitor from real events, its affected customers with their tier and cases, the message
 * each was sent with its delivery status from the outbox, the remedies people granted on its cases with totals;
 * the status-page flag (managers only, audited); resolving by hand; and incidents per day of the store's calendar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueCompensations } from '../../src/compensation/compensations.service.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { fire, resolveIncident } from '../../src/proactive/monitors.service.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

interface Detail {
  id: string;
  title: string;
  public: boolean;
  status: string;
  affectedCustomers: number;
  contacts: { customerId: string; status: string; messageId: string | null }[];
  affected: {
    customerId: string;
    name: string | null;
    tier: string | null;
    cases: { id: string; number: number; status: string; source: string }[];
  }[];
  messages: {
    id: string;
    customerId: string;
    customerName: string | null;
    caseId: string;
    caseNumber: number | null;
    body: string;
    subject: string | null;
    channel: string | null;
    locale: string | null;
    delivery: { status: string; attempts: number; detail: string | null; sentAt: string | null };
  }[];
  remedies: {
    id: string;
    caseId: string;
    caseNumber: number | null;
    kind: string;
    amount: { amount: number; currency: string } | null;
    cost: { amount: number; currency: string };
    status: string;
    approvedAt: string | null;
    issuedAt: string | null;
  }[];
  totals: {
    messages: { sent: number; waiting: number; suppressed: number };
    remediesIssued: { currency: string; amount: number; count: number }[];
    remediesPending: { currency: string; amount: number; count: number }[];
  };
}

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] incidents in the console: detail, public flag, resolve, stats`, () => {
    let t: TestApp;
    // 10:00 UTC is 05:00 in New York: the store's calendar day is 2026-03-02.
    const clock = new ManualClock('2026-03-02T10:00:00Z');
    let lostId = '';

    const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) =>
      t.app.inject({ method, url, headers: auth(token), ...(payload === undefined ? {} : { payload: payload as object }) });
    const post = async (events: unknown[]) => {
      const res = await inject('POST', '/api/v1/events', t.tokens.admin, { events });
      expect(res.statusCode, res.body).toBe(201);
    };
    const detail = async (id = lostId, token = t.tokens.agent): Promise<Detail> => {
      const res = await inject('GET', `/api/v1/incidents/${id}`, token);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const lost = (o: string, at: string, carrier = 'DHL', status = 'lost') =>
      ev(`${o}-${status}`, 'shipment.updated', { shipmentId: `${o}-s`, orderId: o, carrier, region: 'ES-MD', status }, at);
    const customer = (id: string, name: string, extra: Record<string, unknown> = {}) =>
      ev(id, 'customer.upserted', { customerId: id, email: `${id}@example.com`, name, timezone: 'UTC', ...extra }, '2025-01-01T00:00:00Z');

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
      // The store keeps New York's calendar (set before any event, so every cause key and day uses it).
      await t.database.db.updateTable('stores').set({ timezone: 'America/New_York' }).where('id', '=', t.storeId).execute();
      await post([
        customer('c1', 'Cleo First'),
        customer('c2', 'Dan Second'),
        customer('c3', 'Vera Vip', { tags: ['vip'] }),
        ev('o1', 'order.placed', { orderId: 'o1', customerId: 'c1', total: usd(5000) }, '2026-03-01T09:00:00Z'),
        ev('o2a', 'order.placed', { orderId: 'o2a', customerId: 'c2', total: usd(1000) }, '2026-02-01T09:00:00Z'),
        ev('o2', 'order.placed', { orderId: 'o2', customerId: 'c2', total: usd(9000) }, '2026-03-01T09:00:00Z'),
        ev('o3', 'order.placed', { orderId: 'o3', customerId: 'c3', total: usd(7000) }, '2026-03-01T09:00:00Z'),
        // c3 wrote before the carrier said anything: the finding joins their case, no second message.
        ev(
          'cmp-o3',
          'complaint.received',
          {
            complaintId: 'cmp-o3',
            customerId: 'c3',
            orderId: 'o3',
            channel: 'email',
            subject: 'Where is it?',
            body: 'My parcel has not come.',
          },
          '2026-03-02T09:30:00Z',
        ),
      ]);
      await post([lost('o1', '2026-03-02T10:00:00Z'), lost('o2', '2026-03-02T10:00:00Z'), lost('o3', '2026-03-02T10:00:00Z')]);
      const list = await inject('GET', '/api/v1/incidents', t.tokens.agent);
      const incidents = list.json().incidents as { id: string; monitor: string }[];
      expect(incidents.map((i) => i.monitor)).toEqual(['lost']);
      lostId = incidents[0]!.id;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('names every affected customer with their tier and cases, and the message each contacted one was sent, with its delivery', async () => {
      const d = await detail();
      expect(d.title).toBe('Lost parcels: DHL to ES-MD (2026-03-02)');
      expect(d.affected.map((a) => [a.customerId, a.name, a.tier, a.cases.map((c) => c.source)])).toEqual([
        ['c1', 'Cleo First', 'new', ['proactive']],
        ['c2', 'Dan Second', 'regular', ['proactive']],
        ['c3', 'Vera Vip', 'vip', ['reactive']],
      ]);
      // The case numbers and statuses are the cases' own.
      for (const a of d.affected) {
        const k = (await inject('GET', `/api/v1/cases/${a.cases[0]!.id}`, t.tokens.agent)).json();
        expect([a.cases[0]!.number, a.cases[0]!.status]).toEqual([k.number, k.status]);
      }

      // Two customers were told (c3 already had a case): their messages are the ones on their cases.
      expect(d.totals.messages).toEqual({ sent: 2, waiting: 0, suppressed: 0 });
      expect(d.messages.map((m) => [m.customerId, m.customerName, m.channel, m.locale, m.delivery.status, m.delivery.attempts])).toEqual([
        ['c1', 'Cleo First', 'email', 'en', 'queued', 0],
        ['c2', 'Dan Second', 'email', 'en', 'queued', 0],
      ]);
      for (const m of d.messages) {
        const k = (await inject('GET', `/api/v1/cases/${m.caseId}`, t.tokens.agent)).json() as {
          number: number;
          messages: { id: string; body: string; subject: string | null }[];
        };
        const onCase = k.messages.find((x) => x.id === m.id);
        expect(onCase?.body).toBe(m.body);
        expect(m.caseNumber).toBe(k.number);
        expect(m.body.length).toBeGreaterThan(20);
      }
      expect(d.contacts.map((c) => c.messageId)).toEqual(d.messages.map((m) => m.id));

      // The outbox delivers them (no SMTP for this store): the delivery status is the outbox row's, not the message's.
      await t.ctx.outbox.runDue();
      const after = await detail();
      const rows = await t.database.db
        .selectFrom('outbox')
        .select(['message_id', 'status', 'attempts', 'last_error'])
        .where('store_id', '=', t.storeId)
        .where(
          'message_id',
          'in',
          after.messages.map((m) => m.id),
        )
        .orderBy('message_id')
        .execute();
      expect(rows).toHaveLength(2);
      expect(rows.every((r) => r.status !== 'queued')).toBe(true);
      expect(
        after.messages
          .map((m) => [m.id, m.delivery.status, m.delivery.attempts, m.delivery.detail])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      ).toEqual(rows.map((r) => [r.message_id, r.status, Number(r.attempts), r.last_error]));
    });

    it('lists the remedies granted on its cases with totals by currency: one issued, one waiting for approval', async () => {
      const d = await detail();
      const caseOf = (c: string) => d.affected.find((a) => a.customerId === c)!.cases[0]!.id;
      const grant = (caseId: string, offerId: string, key: string, token: string) =>
        inject('POST', `/api/v1/cases/${caseId}/compensations`, token, { offerId, idempotencyKey: key });
      // A manager refunds c1's lost $50 in full (within authority); an agent asks for c2's $90 (above theirs).
      const issued = await grant(caseOf('c1'), 'refund_full', 'inc-c1-refund', t.tokens.manager);
      expect(issued.statusCode, issued.body).toBe(201);
      const asked = await grant(caseOf('c2'), 'refund_full', 'inc-c2-refund', t.tokens.agent);
      expect(asked.statusCode, asked.body).toBe(201);
      expect(asked.json().status).toBe('pending_approval');
      await runDueCompensations(t.ctx);

      const after = await detail();
      const byCase = (c: string) => after.remedies.find((r) => r.caseId === caseOf(c))!;
      expect(after.remedies).toHaveLength(2);
      expect(byCase('c1')).toMatchObject({
        id: issued.json().id,
        kind: 'refund_full',
        amount: usd(5000),
        cost: usd(5000),
        status: 'issued',
        caseNumber: d.affected.find((a) => a.customerId === 'c1')!.cases[0]!.number,
      });
      expect(byCase('c1').approvedAt).not.toBeNull();
      expect(byCase('c1').issuedAt).not.toBeNull();
      expect(byCase('c2')).toMatchObject({
        id: asked.json().id,
        status: 'pending_approval',
        amount: usd(9000),
        approvedAt: null,
        issuedAt: null,
      });
      expect(after.totals.remediesIssued).toEqual([{ currency: 'USD', amount: 5000, count: 1 }]);
      expect(after.totals.remediesPending).toEqual([{ currency: 'USD', amount: 9000, count: 1 }]);
    });

    it('lets a manager put it on the status page and take it off, audited with who and why; not an agent, not another store', async () => {
      const url = `/api/v1/incidents/${lostId}`;
      expect((await detail()).public).toBe(false);
      const agent = await inject('PATCH', url, t.tokens.agent, { public: true });
      expect(agent.statusCode).toBe(403);
      expect((await detail()).public).toBe(false);

      const on = await inject('PATCH', url, t.tokens.manager, { public: true, reason: 'Customers are asking on social media' });
      expect(on.statusCode, on.body).toBe(200);
      expect(on.json()).toMatchObject({ id: lostId, public: true });
      expect((await detail()).public).toBe(true);
      const listed = (await inject('GET', '/api/v1/incidents', t.tokens.agent)).json().incidents as { id: string; public: boolean }[];
      expect(listed.find((i) => i.id === lostId)?.public).toBe(true);

      // The same value again changes nothing and writes nothing.
      expect((await inject('PATCH', url, t.tokens.manager, { public: true })).statusCode).toBe(200);
      const off = await inject('PATCH', url, t.tokens.admin, { public: false });
      expect(off.json().public).toBe(false);

      const audit = await inject('GET', `/api/v1/audit?subjectId=${lostId}`, t.tokens.manager);
      const entries = (
        audit.json().entries as {
          action: string;
          subjectType: string;
          actor: { type: string };
          before: unknown;
          after: unknown;
          reason: string | null;
        }[]
      ).reverse();
      expect(entries.map((e) => [e.action, e.subjectType, e.actor.type, e.before, e.after, e.reason])).toEqual([
        ['incident.made_public', 'incident', 'token', { public: false }, { public: true }, 'Customers are asking on social media'],
        ['incident.made_private', 'incident', 'token', { public: true }, { public: false }, null],
      ]);

      const foreign = await inject('PATCH', url, t.other.token, { public: true });
      expect(foreign.statusCode).toBe(404);
      expect((await detail()).public).toBe(false);
      const missing = await inject('PATCH', '/api/v1/incidents/inc_nope', t.tokens.manager, { public: true });
      expect(missing.statusCode).toBe(404);

      for (const [body, path] of [
        [{ public: 'yes' }, 'public'],
        [{}, 'public'],
        [{ public: true, colour: 'red' }, 'colour'],
        [{ public: true, reason: 'x'.repeat(2001) }, 'reason'],
      ] as const) {
        const bad = await inject('PATCH', url, t.tokens.manager, body);
        expect(bad.statusCode, JSON.stringify(body)).toBe(400);
        const e = bad.json().error as { path?: string; message: string };
        expect(`${e.path} ${e.message}`, JSON.stringify(body)).toContain(path);
      }
      expect((await detail()).public).toBe(false);
    });

    it('counts incidents and affected customers per day of the store calendar, by monitor, and lets a manager resolve one', async () => {
      // Three days later, 21:00 in New York (02:00 UTC the next day): a lost UPS parcel and a DHL delivery exception.
      clock.set('2026-03-05T02:00:00Z');
      await post([
        customer('c4', 'Ines Fourth'),
        customer('c5', 'Otto Fifth'),
        ev('o4', 'order.placed', { orderId: 'o4', customerId: 'c4', total: usd(3000) }, '2026-03-04T09:00:00Z'),
        ev('o5', 'order.placed', { orderId: 'o5', customerId: 'c5', total: usd(3000) }, '2026-03-04T09:00:00Z'),
      ]);
      await post([lost('o4', '2026-03-05T02:00:00Z', 'UPS'), lost('o5', '2026-03-05T02:00:00Z', 'DHL', 'exception')]);

      const res = await inject('GET', '/api/v1/incidents/stats?days=30', t.tokens.agent);
      expect(res.statusCode, res.body).toBe(200);
      const s = res.json() as {
        timezone: string;
        from: string;
        to: string;
        monitors: string[];
        days: {
          day: string;
          incidents: number;
          affectedCustomers: number;
          byMonitor: Record<string, { incidents: number; affectedCustomers: number }>;
        }[];
        totals: { incidents: number; affectedCustomers: number };
      };
      expect([s.timezone, s.from, s.to]).toEqual(['America/New_York', '2026-02-03', '2026-03-04']);
      expect(s.days).toHaveLength(30);
      expect(s.monitors).toEqual(['delivery_exception', 'lost']);
      const nonEmpty = s.days.filter((d) => d.incidents > 0);
      expect(nonEmpty).toEqual([
        { day: '2026-03-02', incidents: 1, affectedCustomers: 2, byMonitor: { lost: { incidents: 1, affectedCustomers: 2 } } },
        {
          day: '2026-03-04',
          incidents: 2,
          affectedCustomers: 2,
          byMonitor: { lost: { incidents: 1, affectedCustomers: 1 }, delivery_exception: { incidents: 1, affectedCustomers: 1 } },
        },
      ]);
      expect(s.totals).toEqual({ incidents: 3, affectedCustomers: 4 });
      // The last 2 days hold only the newer two; another store sees none.
      const two = (await inject('GET', '/api/v1/incidents/stats?days=2', t.tokens.agent)).json();
      expect([two.days.length, two.totals.incidents]).toEqual([2, 2]);
      const theirs = (await inject('GET', '/api/v1/incidents/stats', t.other.token)).json();
      expect([theirs.days.length, theirs.totals.incidents]).toEqual([30, 0]);
      const bad = await inject('GET', '/api/v1/incidents/stats?days=0', t.tokens.agent);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.path).toContain('days');

      // 21:00 in UTC for c4 and c5: quiet hours, their messages wait.
      const ups = (await inject('GET', '/api/v1/incidents?status=open', t.tokens.agent))
        .json()
        .incidents.find((i: { title: string }) => i.title.startsWith('Lost parcels: UPS')) as { id: string };
      expect((await detail(ups.id)).totals.messages).toEqual({ sent: 0, waiting: 1, suppressed: 0 });

      // Resolving by hand: managers only, once, audited, and told to the store's webhooks.
      const hook = await inject('POST', '/api/v1/webhooks/endpoints', t.tokens.admin, {
        url: 'https://hooks.example.com/amends',
        events: ['incident.*'],
      });
      expect(hook.statusCode, hook.body).toBe(201);
      const url = `/api/v1/incidents/${lostId}/resolve`;
      expect((await inject('POST', url, t.tokens.agent, {})).statusCode).toBe(403);
      expect((await inject('POST', url, t.other.token, {})).statusCode).toBe(404);
      const done = await inject('POST', url, t.tokens.manager, { reason: 'All three customers made right' });
      expect(done.statusCode, done.body).toBe(200);
      expect(done.json()).toMatchObject({ status: 'resolved', resolvedAt: '2026-03-05T02:00:00.000Z' });
      const again = await inject('POST', url, t.tokens.manager, {});
      expect(again.statusCode).toBe(409);
      const open = (await inject('GET', '/api/v1/incidents?status=open', t.tokens.agent)).json().incidents as { id: string }[];
      expect(open.map((i) => i.id)).not.toContain(lostId);
      const audit = (await inject('GET', `/api/v1/audit?subjectId=${lostId}`, t.tokens.manager)).json().entries as {
        action: string;
        reason: string | null;
      }[];
      expect(audit[0]).toMatchObject({ action: 'incident.resolved', reason: 'All three customers made right' });
      const told = await t.database.db
        .selectFrom('outbox')
        .select(['payload'])
        .where('store_id', '=', t.storeId)
        .where('event_type', '=', 'incident.resolved')
        .execute();
      expect(told.map((r) => JSON.parse(r.payload) as { data?: { incidentId?: string }; incidentId?: string })).toHaveLength(1);
      expect(told[0]!.payload).toContain(lostId);
    });

    it('opens an incident resolved by hand again when its cause fails once more, not on a repeat of the same firing', async () => {
      const db = t.database.db;
      const deps = { clock, jobs: t.ctx.jobs };
      const firing = (subject: string) => ({
        storeId: t.storeId,
        monitor: 'lost' as const,
        kind: 'delivery_lost' as const,
        severity: 3 as const,
        failureAt: '2026-03-05T01:00:00.000Z',
        subjectKey: subject,
        customerId: null,
        orderId: null,
        details: {},
        cause: { key: 'test:reopen', title: 'Parcels lost', data: {}, public: false, avertable: null },
      });
      const first = await fire(db, deps as never, firing('shipment:x1') as never);
      expect(first.fired).toBe(true);
      const id = (first as { incidentId: string }).incidentId;
      const status = async () =>
        (await db.selectFrom('incidents').select(['status', 'resolved_at']).where('id', '=', id).executeTakeFirstOrThrow()).status;
      expect(await resolveIncident(db, t.storeId, id, clock.now().toISOString())).toBe(true);
      // The same subject reported again is not a new failure: it stays resolved.
      expect((await fire(db, deps as never, firing('shipment:x1') as never)).fired).toBe(false);
      expect(await status()).toBe('resolved');
      // Another parcel lost for the same cause: open again, and the store is told.
      expect((await fire(db, deps as never, firing('shipment:x2') as never)).fired).toBe(true);
      expect(await status()).toBe('open');
      const opened = await db
        .selectFrom('outbox')
        .select('payload')
        .where('store_id', '=', t.storeId)
        .where('event_type', '=', 'incident.opened')
        .execute();
      expect(opened.filter((r) => r.payload.includes(id))).toHaveLength(2);
    });
  });
}
