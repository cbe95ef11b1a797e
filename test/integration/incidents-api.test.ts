/** The incidents API and the dead letters of durable jobs, through the real app on both engines. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../../src/platform/clock.ts';
import { defineJob, PermanentJobError } from '../../src/platform/jobs/jobs.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] incidents and dead letters API`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-03-02T10:00:00Z');
    let failures = 0;
    const flaky = defineJob({
      name: 'test.always-fails',
      schema: z.object({ storeId: z.string(), n: z.number() }),
      retryLimit: 0,
      handler: async () => {
        failures++;
        throw new PermanentJobError('the shop refused the call');
      },
    });

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
      t.ctx.jobs.register(flaky);
    });
    afterAll(async () => {
      await t?.close();
    });

    const post = (events: unknown[]) =>
      t.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(t.tokens.admin), payload: { events } });

    it('lists an incident of lost parcels with its findings and contacts, scoped to the store', async () => {
      const lost = (o: string) =>
        ev(
          `${o}-lost`,
          'shipment.updated',
          { shipmentId: `${o}-s`, orderId: o, carrier: 'DHL', region: 'ES-MD', status: 'lost' },
          '2026-03-02T10:00:00Z',
        );
      const res = await post([
        ev('c1', 'customer.upserted', { customerId: 'c1', email: 'c1@example.com', timezone: 'UTC' }, '2026-03-01T00:00:00Z'),
        ev('c2', 'customer.upserted', { customerId: 'c2', email: 'c2@example.com', timezone: 'UTC' }, '2026-03-01T00:00:00Z'),
        ev('o1', 'order.placed', { orderId: 'o1', customerId: 'c1', total: usd(5000) }, '2026-03-01T09:00:00Z'),
        ev('o2', 'order.placed', { orderId: 'o2', customerId: 'c2', total: usd(5000) }, '2026-03-01T09:00:00Z'),
        lost('o1'),
        lost('o2'),
      ]);
      expect(res.statusCode).toBe(201);
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/incidents?status=open', headers: auth(t.tokens.agent) });
      expect(list.statusCode).toBe(200);
      const incidents = list.json().incidents as {
        id: string;
        monitor: string;
        firings: number;
        affectedCustomers: number;
        title: string;
      }[];
      expect(incidents.map((i) => [i.monitor, i.firings, i.affectedCustomers, i.title])).toEqual([
        ['lost', 2, 2, 'Lost parcels: DHL to ES-MD (2026-03-02)'],
      ]);
      const one = await t.app.inject({ method: 'GET', url: `/api/v1/incidents/${incidents[0]!.id}`, headers: auth(t.tokens.agent) });
      expect(one.statusCode).toBe(200);
      const body = one.json();
      expect(body.findings.map((f: { orderId: string }) => f.orderId).sort()).toEqual(['o1', 'o2']);
      expect(body.contacts.map((c: { status: string }) => c.status)).toEqual(['sent', 'sent']);
      // The case it opened is proactive and says what was found.
      const kase = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${body.findings[0].caseId}`, headers: auth(t.tokens.agent) });
      expect(kase.json()).toMatchObject({ source: 'proactive', kind: 'delivery_lost' });

      const foreign = await t.app.inject({ method: 'GET', url: `/api/v1/incidents/${incidents[0]!.id}`, headers: auth(t.other.token) });
      expect(foreign.statusCode).toBe(404);
      const bad = await t.app.inject({ method: 'GET', url: '/api/v1/incidents?status=maybe', headers: auth(t.tokens.agent) });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.path).toContain('status');
    });

    it("shows an admin the store's dead letters with their error, retries one, and hides them from other stores", async () => {
      await t.ctx.jobs.send(flaky, { storeId: t.storeId, n: 1 });
      await t.ctx.jobs.send(flaky, { storeId: 'other', n: 2 });
      await t.ctx.jobs.runDue();
      expect(failures).toBe(2);
      const mine = await t.app.inject({ method: 'GET', url: '/api/v1/jobs/dead-letters', headers: auth(t.tokens.admin) });
      expect(mine.statusCode).toBe(200);
      const letters = mine.json().deadLetters as { id: string; name: string; data: { n: number }; error: string }[];
      expect(letters.map((d) => [d.name, d.data.n, d.error])).toEqual([
        ['test.always-fails', 1, 'PermanentJobError: the shop refused the call'],
      ]);
      const theirs = await t.app.inject({ method: 'GET', url: '/api/v1/jobs/dead-letters', headers: auth(t.other.token) });
      expect(theirs.json().deadLetters.map((d: { data: { n: number } }) => d.data.n)).toEqual([2]);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/jobs/dead-letters', headers: auth(t.tokens.agent) })).statusCode).toBe(403);

      const otherId = theirs.json().deadLetters[0].id as string;
      const cross = await t.app.inject({
        method: 'POST',
        url: `/api/v1/jobs/dead-letters/${otherId}/retry`,
        headers: auth(t.tokens.admin),
      });
      expect(cross.statusCode).toBe(404);
      const retry = await t.app.inject({
        method: 'POST',
        url: `/api/v1/jobs/dead-letters/${letters[0]!.id}/retry`,
        headers: auth(t.tokens.admin),
      });
      expect(retry.statusCode).toBe(200);
      await t.ctx.jobs.runDue();
      expect(failures).toBe(3);
    });
  });
}
