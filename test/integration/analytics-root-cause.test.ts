/**
 * Root cause (issue 9) through the real app on both engines: a history fed through POST /api/v1/events with a
 * planted spike (one carrier's orders to one region failing in the current week) → the recurring-issue job finds
 * it, stores one issue with its incident suggestion and queues one alert; running the job again changes nothing.
 * Pareto and weak spots on the same small, known data; roles, CSV and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recurringIssuesFor } from '../../src/analytics/recurring.service.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Wednesday; the current week started on Monday 2026-03-02 (UTC, the test store's zone). */
const NOW = '2026-03-04T10:00:00.000Z';
const MONDAY = Date.parse('2026-03-02T00:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

/**
 * Ten past weeks, each: two ZipShip orders to US-CA (SKU MUG, one complaint) and two UPS orders to US-NY
 * (SKU TEA, one complaint). This week: eight ZipShip/US-CA/MUG orders, each with a complaint.
 * Totals: 28 ZipShip orders (18 failed), 20 UPS orders (10 failed); 28 cases.
 */
function history(): ReturnType<typeof ev>[] {
  const out: ReturnType<typeof ev>[] = [];
  let n = 0;
  const order = (at: number, carrier: string, region: string, sku: string, complain: boolean) => {
    const id = `o-${++n}`;
    const customerId = `cus-${n}`;
    out.push(ev(`${id}-cu`, 'customer.upserted', { customerId, email: `${customerId}@example.com`, name: 'Nora Quinn' }, iso(at)));
    out.push(
      ev(
        `${id}-placed`,
        'order.placed',
        { orderId: id, customerId, total: usd(2500), items: [{ sku, name: sku, quantity: 1, price: usd(2500) }] },
        iso(at),
      ),
    );
    out.push(
      ev(
        `${id}-ship`,
        'shipment.created',
        { shipmentId: `s-${id}`, orderId: id, carrier, region, status: 'delivered', shippedAt: iso(at + HOUR) },
        iso(at + HOUR),
      ),
    );
    if (complain) {
      out.push(
        ev(
          `${id}-cmp`,
          'complaint.received',
          {
            complaintId: `c-${id}`,
            customerId,
            orderId: id,
            channel: 'email',
            subject: 'Broken mug',
            body: 'The mug arrived broken, please help.',
          },
          iso(at + 20 * HOUR),
        ),
      );
    }
  };
  for (let k = 10; k >= 1; k--) {
    const tuesday = MONDAY - k * 7 * DAY + DAY + 10 * HOUR;
    order(tuesday, 'ZipShip', 'US-CA', 'MUG', true);
    order(tuesday + HOUR, 'ZipShip', 'US-CA', 'MUG', false);
    order(tuesday + 2 * HOUR, 'UPS', 'US-NY', 'TEA', true);
    order(tuesday + 3 * HOUR, 'UPS', 'US-NY', 'TEA', false);
  }
  for (let i = 0; i < 8; i++) order(MONDAY + 2 * HOUR + i * HOUR, 'ZipShip', 'US-CA', 'MUG', true);
  return out;
}

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] analytics: root cause`, () => {
    let t: TestApp;
    const clock = new ManualClock(NOW);
    const get = (url: string, token = t.tokens.manager) => t.app.inject({ method: 'GET', url, headers: auth(token) });
    const alerts = () =>
      t.database.db
        .selectFrom('outbox')
        .select(['id', 'payload', 'channel'])
        .where('event_type', '=', 'analytics.recurring_issue')
        .execute();
    const issues = () => t.database.db.selectFrom('recurring_issues').selectAll().where('store_id', '=', 'acme').execute();
    const spikes = () =>
      t.database.db.selectFrom('recurring_spikes').selectAll().where('store_id', '=', 'acme').orderBy('dimension').execute();

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
      const hook = await t.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks/endpoints',
        headers: auth(t.tokens.admin),
        payload: { url: 'http://127.0.0.1:9/hook', events: ['analytics.*'] },
      });
      expect(hook.statusCode, hook.body).toBe(201);
      const events = history();
      for (let i = 0; i < events.length; i += 200) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/events',
          headers: auth(t.tokens.admin),
          payload: { events: events.slice(i, i + 200) },
        });
        expect(res.statusCode, res.body).toBe(201);
      }
    });
    afterAll(async () => {
      await t?.close();
    });

    it('the job finds the planted spike: one issue with its suggestion, one alert; running it again changes nothing', async () => {
      const r = recurringIssuesFor(t.ctx);
      expect(r).toBeDefined();
      expect(await alerts()).toHaveLength(0);
      await t.ctx.jobs.send(r!.scanJob, {});
      // The scan fans out one job per store; run until nothing more is due.
      while ((await t.ctx.jobs.runDue()) > 0) {}

      const stored = await issues();
      expect(stored).toHaveLength(1);
      const issue = stored[0]!;
      // Carrier, region and SKU spiked on the same eight cases: one issue, named after the most specific (the SKU).
      expect(issue).toMatchObject({ week: '2026-03-02', dimension: 'sku', value: 'MUG', status: 'open', alerted_at: NOW });
      expect(Number(issue.cases)).toBe(8);
      const suggestion = JSON.parse(issue.suggestion);
      expect(suggestion.title).toBe('Recurring failures (SKU MUG, carrier ZipShip, region US-CA), week of 2026-03-02');
      expect(suggestion.cause).toMatchObject({ carrier: 'ZipShip', region: 'US-CA', sku: 'MUG' });
      // The kind (2 a week before, 8 now) is below its bar of 10: not a spike.
      expect((await spikes()).map((s) => [s.dimension, s.value, Number(s.count), s.issue_id])).toEqual([
        ['carrier', 'ZipShip', 8, issue.id],
        ['region', 'US-CA', 8, issue.id],
        ['sku', 'MUG', 8, issue.id],
      ]);

      const queued = await alerts();
      expect(queued).toHaveLength(1);
      expect(queued[0]!.channel).toBe('webhook');
      const payload = JSON.parse(queued[0]!.payload);
      expect(payload).toMatchObject({ type: 'analytics.recurring_issue', store: 'acme' });
      expect(payload.data).toMatchObject({ issueId: issue.id, count: 8, week: '2026-03-02', cases: 8 });

      const res = await get('/api/v1/analytics/recurring');
      expect(res.statusCode, res.body).toBe(200);
      const listed = res.json().issues;
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ id: issue.id, title: suggestion.title, cases: 8, alertedAt: NOW });
      expect(listed[0].caseIds).toHaveLength(8);
      expect(listed[0].spikes).toHaveLength(3);

      // Again, through the job and through the API: nothing new.
      const before = { issues: await issues(), spikes: await spikes() };
      clock.advance(HOUR);
      await t.ctx.jobs.send(r!.storeJob, { storeId: 'acme' });
      while ((await t.ctx.jobs.runDue()) > 0) {}
      const again = await t.app.inject({ method: 'POST', url: '/api/v1/analytics/recurring/scan', headers: auth(t.tokens.manager) });
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json()).toMatchObject({ newSpikes: 0, newIssues: 0, alerted: 0 });
      expect(again.json().spikes).toBe(3);
      expect(await issues()).toEqual(before.issues);
      expect(await spikes()).toEqual(before.spikes);
      expect(await alerts()).toHaveLength(1);
      // The other store has no failures: no issue.
      expect(await t.database.db.selectFrom('recurring_issues').select('id').where('store_id', '=', 'other').execute()).toEqual([]);
    });

    it('Pareto by carrier, region, SKU and kind over known data, as JSON and CSV', async () => {
      const q = 'from=2025-12-01&to=2026-03-05';
      const carrier = await get(`/api/v1/analytics/pareto?by=carrier&${q}`);
      expect(carrier.statusCode, carrier.body).toBe(200);
      const c = carrier.json();
      expect(c).toMatchObject({ by: 'carrier', failures: 28, unattributed: 0, attributed: 28 });
      expect(c.rows).toEqual([
        { value: 'ZipShip', count: 18, share: 18 / 28, cumulativeShare: 18 / 28 },
        { value: 'UPS', count: 10, share: 10 / 28, cumulativeShare: 1 },
      ]);
      const region = (await get(`/api/v1/analytics/pareto?by=region&${q}`)).json();
      expect(region.rows.map((r: { value: string; count: number }) => [r.value, r.count])).toEqual([
        ['US-CA', 18],
        ['US-NY', 10],
      ]);
      const sku = (await get(`/api/v1/analytics/pareto?by=sku&${q}`)).json();
      expect(sku.rows.map((r: { value: string; count: number }) => [r.value, r.count])).toEqual([
        ['MUG', 18],
        ['TEA', 10],
      ]);
      const kind = (await get(`/api/v1/analytics/pareto?by=kind&${q}`)).json();
      expect(kind.failures).toBe(28);
      expect(kind.rows.at(-1).cumulativeShare).toBeCloseTo(1, 10);
      const cause = (await get(`/api/v1/analytics/pareto?by=cause&${q}`)).json();
      expect(cause.rows.reduce((s: number, r: { count: number }) => s + r.count, 0)).toBe(28);

      // Only this week: the spike.
      const week = (await get('/api/v1/analytics/pareto?by=carrier&from=2026-03-02&to=2026-03-05')).json();
      expect(week.rows).toEqual([{ value: 'ZipShip', count: 8, share: 1, cumulativeShare: 1 }]);

      const csv = await get(`/api/v1/analytics/pareto?by=carrier&${q}&format=csv`);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toContain('pareto-carrier.csv');
      expect(csv.body).toBe('carrier,count,share,cumulative_share\r\nZipShip,18,0.6429,0.6429\r\nUPS,10,0.3571,1.0000\r\n');
    });

    it('weak spots: failure rate per order by product, carrier and hour, with a minimum volume', async () => {
      const res = await get('/api/v1/analytics/weak-spots?from=2025-12-01&to=2026-03-05&minOrders=5');
      expect(res.statusCode, res.body).toBe(200);
      const w = res.json();
      expect(w).toMatchObject({ orders: 48, failed: 28, minOrders: 5, timezone: 'UTC' });
      expect(w.products.map((p: { value: string; orders: number; failed: number }) => [p.value, p.orders, p.failed])).toEqual([
        ['MUG', 28, 18],
        ['TEA', 20, 10],
      ]);
      expect(w.carriers.map((p: { value: string; orders: number; failed: number }) => [p.value, p.orders, p.failed])).toEqual([
        ['ZipShip', 28, 18],
        ['UPS', 20, 10],
      ]);
      expect(w.carriers[0].rate).toBeCloseTo(18 / 28, 10);
      expect(w.carriers[0].low).toBeLessThan(18 / 28);
      expect(w.carriers[0].high).toBeGreaterThan(18 / 28);
      // Hour 10 (UTC): the first ZipShip order of each past week (all failed) → 10 orders, 10 failed.
      expect(w.hours.find((h: { value: string }) => h.value === '10')).toMatchObject({ orders: 10, failed: 10 });
      // A minimum above every value's volume leaves nothing.
      const strict = (await get('/api/v1/analytics/weak-spots?from=2025-12-01&to=2026-03-05&minOrders=100')).json();
      expect(strict.products).toEqual([]);
      const csv = await get('/api/v1/analytics/weak-spots?from=2025-12-01&to=2026-03-05&minOrders=5&format=csv');
      expect(csv.body.split('\r\n')[0]).toBe('dimension,value,orders,failed,rate,low,high,lift');
      expect(csv.body).toContain('\r\ncarriers,ZipShip,28,18,0.6429,');
    });

    it('refuses agents, bad dimensions and backwards periods; stays within the store', async () => {
      expect((await get('/api/v1/analytics/pareto?by=kind', t.tokens.agent)).statusCode).toBe(403);
      expect((await get('/api/v1/analytics/weak-spots', t.tokens.agent)).statusCode).toBe(403);
      expect((await get('/api/v1/analytics/recurring', t.tokens.agent)).statusCode).toBe(403);
      const bad = await get('/api/v1/analytics/pareto?by=colour');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('invalid_request');
      const backwards = await get('/api/v1/analytics/pareto?by=kind&from=2026-03-05&to=2026-03-01');
      expect(backwards.statusCode).toBe(400);
      expect(backwards.json().error.path).toBe('from');
      expect((await get('/api/v1/analytics/pareto?by=kind&from=yesterday')).statusCode).toBe(400);
      const other = await get('/api/v1/analytics/pareto?by=carrier&from=2025-12-01&to=2026-03-05', t.other.token);
      expect(other.statusCode).toBe(200);
      expect(other.json()).toMatchObject({ failures: 0, rows: [] });
      expect((await get('/api/v1/analytics/recurring', t.other.token)).json().issues).toEqual([]);
    });
  });
}
