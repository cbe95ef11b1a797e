/**
 * The self-service portal through the real app on both engines: identify (a match and a miss give the same page;
 * only a match mails a link), signed links (read-only GET, single use, expiry, one store), the session's cookie
 * scope, rate limits, the customer's orders and cases only, a report with a photo (one event, one case, photo
 * checked by its bytes), remedies within Amends' authority issued at once and only once, above it waiting for a
 * person with everything captured, "talk to a person", replies, CSRF, escaping, and the agents' link API.
 */

import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalWorkSettled } from '../../src/channels/portal/portal.service.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { publicBaseUrl } from '../../src/public/base-url.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, gate, sleep, type TestApp, usd } from '../helper.ts';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4]);

function multipart(fields: Record<string, string>, file?: { name: string; filename: string; type: string; bytes: Buffer }) {
  const boundary = `----amends${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
    );
    parts.push(file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] self-service portal`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-03-02T10:00:00Z');

    const post = async (events: unknown[]) => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(t.tokens.admin), payload: { events } });
      expect(res.statusCode, res.body).toBe(201);
    };
    const notices = async () =>
      (
        await t.ctx.database.db
          .selectFrom('outbox')
          .select(['payload', 'store_id'])
          .where('kind', '=', 'notice')
          .orderBy('created_at')
          .execute()
      ).map((r) => ({ store: r.store_id, ...(JSON.parse(r.payload) as { to: string; body: string; purpose: string }) }));
    const identifyNow = (store: string, order: string, email: string, ip = '10.0.0.1', headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url: `/help/${store}`,
        headers: { ...formHeaders, ...headers },
        payload: form({ order, email }),
        remoteAddress: ip,
      });
    /** Identifies, then waits for the work that runs after the answer (the lookup, the link, its e-mail). */
    const identify = async (store: string, order: string, email: string, ip = '10.0.0.1') => {
      const res = await identifyNow(store, order, email, ip);
      await portalWorkSettled();
      return res;
    };
    /** Asks for a link as the customer would and returns the path mailed to them. */
    const mailedLink = async (order: string, email: string): Promise<string> => {
      const before = new Set((await notices()).map((n) => n.body));
      const res = await identify('acme', order, email);
      expect(res.statusCode).toBe(200);
      // The new one (rows written in the same instant have no order between them).
      const fresh = (await notices()).filter((n) => !before.has(n.body));
      expect(fresh).toHaveLength(1);
      const m = /\/help\/acme\/link\/[A-Za-z0-9_-]{43}/.exec(fresh[0]!.body);
      expect(m).not.toBeNull();
      return m![0];
    };
    /** Signs in through a link; returns the session cookie header and the CSRF token of the forms. */
    const signIn = async (order: string, email: string) => {
      const link = await mailedLink(order, email);
      const res = await t.app.inject({ method: 'POST', url: link });
      expect(res.statusCode).toBe(303);
      const cookie = res.cookies.find((c) => c.name === 'amends_portal')!;
      const headers = { cookie: `amends_portal=${cookie.value}` };
      const orders = await t.app.inject({ method: 'GET', url: '/help/acme/orders', headers });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(orders.body)![1]!;
      return { headers, csrf, cookie };
    };
    const caseIdFrom = (location: string | undefined) => /\/cases\/([^?]+)/.exec(location ?? '')![1]!;

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
      await post([
        ev('c1', 'customer.upserted', { customerId: 'cleo', email: 'Cleo@Example.com', name: 'Cleo <b>Bold</b>' }, '2026-02-01T00:00:00Z'),
        ev('c2', 'customer.upserted', { customerId: 'dan', email: 'dan@example.com', name: 'Dan' }, '2026-02-01T00:00:00Z'),
        ev('c3', 'customer.upserted', { customerId: 'vera', email: 'vera@example.com', name: 'Vera' }, '2026-02-01T00:00:00Z'),
        ev(
          'o1',
          'order.placed',
          {
            orderId: '1001',
            customerId: 'cleo',
            total: usd(2000),
            items: [{ sku: 'V1', name: 'Glass vase', quantity: 1, price: usd(2000) }],
          },
          '2026-02-25T10:00:00Z',
        ),
        ev('o2', 'order.placed', { orderId: '1002', customerId: 'dan', total: usd(3000) }, '2026-02-26T10:00:00Z'),
        ev('o3', 'order.placed', { orderId: '1003', customerId: 'vera', total: usd(20000) }, '2026-02-27T10:00:00Z'),
        ev(
          's1',
          'shipment.updated',
          {
            shipmentId: 'shp-1001',
            orderId: '1001',
            carrier: 'DHL',
            trackingNumber: 'JD0001',
            status: 'in_transit',
            lastCarrierEventAt: '2026-02-27T08:00:00Z',
            promisedBy: '2026-03-05',
          },
          '2026-02-27T08:00:00Z',
        ),
      ]);
      // The other store has an order with the same number.
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: auth(t.other.token),
        payload: {
          events: [
            ev('x1', 'customer.upserted', { customerId: 'olga', email: 'olga@example.com' }),
            ev('x2', 'order.placed', { orderId: '1001', customerId: 'olga', total: usd(500) }),
          ],
        },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers a matching and a wrong order/e-mail pair with the same page; only the match queues a link', async () => {
      const before = (await notices()).length;
      const miss = await identify('acme', '1001', 'someone@example.com');
      const wrongOrder = await identify('acme', '9999', 'cleo@example.com');
      const otherStoresOrder = await identify('acme', '1001', 'olga@example.com');
      expect((await notices()).length).toBe(before);
      const hit = await identify('acme', '#1001', ' cleo@example.COM ');
      for (const r of [miss, wrongOrder, otherStoresOrder, hit]) expect(r.statusCode).toBe(200);
      expect(hit.body).toContain('If that order and e-mail match');
      expect(miss.body).toBe(hit.body);
      expect(wrongOrder.body).toBe(hit.body);
      const after = await notices();
      expect(after.length).toBe(before + 1);
      expect(after.at(-1)).toMatchObject({ store: 'acme', to: 'cleo@example.com', purpose: 'portal-link' });
      expect(after.at(-1)!.body).toMatch(/\/help\/acme\/link\//);
      // Bad input is named next to its field.
      const bad = await identify('acme', '', 'not-an-email');
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('aria-describedby="order-error"');
      expect(bad.body).toContain('id="email-error"');
    });

    it('a link only looks on GET, signs in once on POST, with a cookie for this store’s help pages only', async () => {
      const link = await mailedLink('1001', 'cleo@example.com');
      for (let i = 0; i < 2; i++) {
        const look = await t.app.inject({ method: 'GET', url: link });
        expect(look.statusCode).toBe(200);
        expect(look.body).toContain('Continue');
        expect(look.headers['set-cookie']).toBeUndefined();
        expect(look.headers['content-security-policy']).toContain("script-src 'self'");
      }
      const used = await t.app.inject({ method: 'POST', url: link });
      expect(used.statusCode).toBe(303);
      expect(used.headers.location).toBe('/help/acme/orders');
      const cookie = used.cookies.find((c) => c.name === 'amends_portal')!;
      expect(cookie).toMatchObject({ path: '/help/acme', httpOnly: true, sameSite: 'Lax' });
      const again = await t.app.inject({ method: 'POST', url: link });
      expect(again.statusCode).toBe(410);
      expect(again.body).toContain('already used');
      expect(again.cookies.find((c) => c.name === 'amends_portal')).toBeUndefined();
      // The session is this store's: on another store's pages it is nobody.
      const elsewhere = await t.app.inject({
        method: 'GET',
        url: '/help/other/orders',
        headers: { cookie: `amends_portal=${cookie.value}` },
      });
      expect(elsewhere.statusCode).toBe(303);
      expect(elsewhere.headers.location).toBe('/help/other?signin=1');
      const home = await t.app.inject({ method: 'GET', url: '/help/acme/orders', headers: { cookie: `amends_portal=${cookie.value}` } });
      expect(home.statusCode).toBe(200);
      expect(home.headers['cache-control']).toBe('no-store');
    });

    it('a link expires after 30 minutes, and a link of one store is not found on another', async () => {
      const link = await mailedLink('1001', 'cleo@example.com');
      const token = link.split('/').pop()!;
      const foreign = await t.app.inject({ method: 'POST', url: `/help/other/link/${token}` });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.cookies).toHaveLength(0);
      expect((await t.app.inject({ method: 'GET', url: `/help/other/link/${token}` })).statusCode).toBe(404);
      clock.advance(31 * 60_000);
      try {
        const late = await t.app.inject({ method: 'GET', url: link });
        expect(late.statusCode).toBe(410);
        expect(late.body).toContain('expired');
        const spend = await t.app.inject({ method: 'POST', url: link });
        expect(spend.statusCode).toBe(410);
        expect(spend.cookies).toHaveLength(0);
      } finally {
        clock.set('2026-03-02T10:00:00Z');
      }
    });

    it('limits identify attempts per e-mail with a 429 page', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await identify('acme', '1002', 'limited@example.com', `10.0.1.${i}`)).statusCode);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
      expect(statuses[10]).toBe(429);
      // Per visitor too, whatever e-mail they try.
      const perIp: number[] = [];
      for (let i = 0; i < 31; i++) perIp.push((await identify('acme', '1002', `guess${i}@example.com`, '10.0.9.9')).statusCode);
      expect(perIp.filter((s) => s === 429)).toHaveLength(1);
      expect(perIp[30]).toBe(429);
    });

    it('shows the customer their orders with shipments, and nobody else’s orders or cases', async () => {
      const { headers } = await signIn('1001', 'cleo@example.com');
      const orders = await t.app.inject({ method: 'GET', url: '/help/acme/orders', headers });
      expect(orders.body).toContain('Order 1001');
      expect(orders.body).toContain('DHL');
      expect(orders.body).toContain('JD0001');
      expect(orders.body).toContain('In transit');
      expect(orders.body).toContain('Cleo &lt;b&gt;Bold&lt;/b&gt;');
      expect(orders.body).not.toContain('1002');
      const order = await t.app.inject({ method: 'GET', url: '/help/acme/orders/1001', headers });
      expect(order.statusCode).toBe(200);
      expect(order.body).toContain('Glass vase');
      expect(order.body).toContain('Report a problem');
      expect((await t.app.inject({ method: 'GET', url: '/help/acme/orders/1002', headers })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/help/acme/orders/1002/report', headers })).statusCode).toBe(404);
      // Dan's case is not Cleo's to read.
      await post([
        ev('dan-c', 'complaint.received', { complaintId: 'dan-c', customerId: 'dan', channel: 'email', body: 'Where is my parcel?' }),
      ]);
      const danCase = await t.ctx.database.db
        .selectFrom('cases')
        .select('id')
        .where('complaint_id', '=', 'dan-c')
        .executeTakeFirstOrThrow();
      expect((await t.app.inject({ method: 'GET', url: `/help/acme/cases/${danCase.id}`, headers })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/help/acme/orders' })).statusCode).toBe(303);
    });

    let cleoCase = '';
    let veraCase = '';
    it('a report is one complaint event and one case, with the photo checked by its bytes; nothing is lost on an error', async () => {
      const { headers, csrf } = await signIn('1001', 'cleo@example.com');
      const db = t.ctx.database.db;
      const events = async () =>
        Number(
          (
            await db
              .selectFrom('events')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('store_id', '=', 'acme')
              .where('type', '=', 'complaint.received')
              .where('source', '=', 'portal')
              .executeTakeFirstOrThrow()
          ).n,
        );
      const description = 'The vase arrived broken <img src=x onerror=alert(1)> in pieces.';
      // A "photo" that is really an SVG: refused, the form comes back with what was typed, nothing written.
      const fake = multipart(
        { _csrf: csrf, _key: 'key-aaaaaaaaaaaaaaaa', kind: 'damaged', description },
        { name: 'photo', filename: 'vase.jpg', type: 'image/jpeg', bytes: Buffer.from('<svg onload="alert(1)"/>') },
      );
      const refused = await t.app.inject({
        method: 'POST',
        url: '/help/acme/orders/1001/report',
        headers: { ...headers, ...fake.headers },
        payload: fake.payload,
      });
      expect(refused.statusCode).toBe(422);
      expect(refused.body).toContain('not a photo');
      expect(refused.body).toContain('id="photo-error"');
      expect(refused.body).toContain('The vase arrived broken &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; in pieces.');
      expect(refused.body).toMatch(/value="damaged" checked/);
      expect(await events()).toBe(0);
      // Missing fields: named.
      const empty = multipart({ _csrf: csrf, _key: 'key-aaaaaaaaaaaaaaaa', description: 'short' });
      const named = await t.app.inject({
        method: 'POST',
        url: '/help/acme/orders/1001/report',
        headers: { ...headers, ...empty.headers },
        payload: empty.payload,
      });
      expect(named.statusCode).toBe(422);
      expect(named.body).toContain('id="kind-error"');
      expect(named.body).toContain('id="description-error"');
      // Without the CSRF token: refused.
      const noCsrf = multipart({ _key: 'key-aaaaaaaaaaaaaaaa', kind: 'damaged', description });
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: '/help/acme/orders/1001/report',
            headers: { ...headers, ...noCsrf.headers },
            payload: noCsrf.payload,
          })
        ).statusCode,
      ).toBe(403);

      const real = () =>
        multipart(
          { _csrf: csrf, _key: 'key-bbbbbbbbbbbbbbbb', kind: 'damaged', description },
          { name: 'photo', filename: '../../vase.png', type: 'application/octet-stream', bytes: PNG },
        );
      const first = real();
      const sent = await t.app.inject({
        method: 'POST',
        url: '/help/acme/orders/1001/report',
        headers: { ...headers, ...first.headers },
        payload: first.payload,
      });
      expect(sent.statusCode, sent.body).toBe(303);
      cleoCase = caseIdFrom(sent.headers.location);
      const twice = real();
      const again = await t.app.inject({
        method: 'POST',
        url: '/help/acme/orders/1001/report',
        headers: { ...headers, ...twice.headers },
        payload: twice.payload,
      });
      expect(caseIdFrom(again.headers.location)).toBe(cleoCase);
      expect(await events()).toBe(1);
      const c = await db
        .selectFrom('cases')
        .selectAll()
        .where('store_id', '=', 'acme')
        .where('id', '=', cleoCase)
        .executeTakeFirstOrThrow();
      expect(c).toMatchObject({ channel: 'portal', customer_id: 'cleo', order_id: '1001', kind: 'damaged_item', subject: 'Damaged item' });
      const atts = await db
        .selectFrom('attachments')
        .select(['filename', 'content_type', 'size', 'message_id'])
        .where('case_id', '=', cleoCase)
        .execute();
      expect(atts).toEqual([{ filename: 'vase.png', content_type: 'image/png', size: PNG.length, message_id: expect.any(String) }]);
      const page = await t.app.inject({ method: 'GET', url: `/help/acme/cases/${cleoCase}`, headers });
      expect(page.body).toContain('The vase arrived broken &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; in pieces.');
      expect(page.body).not.toContain('<img src=x');
      expect(page.body).toContain('How can we put it right?');
      expect(page.body).toContain('22.00 USD in store credit');
    });

    it('a remedy within Amends’ authority is issued at once, and only once on a double submit', async () => {
      const { headers, csrf } = await signIn('1001', 'cleo@example.com');
      const choose = () =>
        t.app.inject({
          method: 'POST',
          url: `/help/acme/cases/${cleoCase}/remedy`,
          headers: { ...headers, ...formHeaders },
          payload: form({ _csrf: csrf, offerId: 'refund_full+credit' }),
        });
      const [a, b] = await Promise.all([choose(), choose()]);
      expect(a.statusCode).toBe(303);
      expect(b.statusCode).toBe(303);
      expect((await choose()).statusCode).toBe(303);
      const db = t.ctx.database.db;
      const comps = await db.selectFrom('compensations').selectAll().where('case_id', '=', cleoCase).execute();
      expect(comps).toHaveLength(1);
      expect(comps[0]).toMatchObject({
        status: 'issued',
        kind: 'store_credit',
        offer_id: 'refund_full+credit',
        requested_by_type: 'system',
      });
      const credit = await db.selectFrom('store_credit_ledger').selectAll().where('store_id', '=', 'acme').execute();
      expect(credit).toHaveLength(1);
      expect(Number(credit[0]!.amount)).toBe(2200);
      const page = await t.app.inject({ method: 'GET', url: `/help/acme/cases/${cleoCase}`, headers });
      expect(page.body).toContain('Store credit issued');
      expect(page.body).toContain('22.00 USD in store credit');
      expect(page.body).not.toContain('How can we put it right?');
      // The remedy message went to the portal (in-app) channel of the case.
      const msg = await db
        .selectFrom('case_messages')
        .select(['channel'])
        .where('case_id', '=', cleoCase)
        .where('kind', '=', 'reply')
        .execute();
      expect(msg.map((m) => m.channel)).toContain('portal');
    });

    it('above the automatic limit the case waits for a person with the choice, description and photo on it', async () => {
      const { headers, csrf } = await signIn('1003', 'vera@example.com');
      const body = multipart(
        { _csrf: csrf, _key: 'key-cccccccccccccccc', kind: 'damaged', description: 'The mirror arrived cracked across the middle.' },
        { name: 'photo', filename: 'mirror.png', type: 'image/png', bytes: PNG },
      );
      const sent = await t.app.inject({
        method: 'POST',
        url: '/help/acme/orders/1003/report',
        headers: { ...headers, ...body.headers },
        payload: body.payload,
      });
      const caseId = caseIdFrom(sent.headers.location);
      veraCase = caseId;
      const offers = await t.app.inject({ method: 'GET', url: `/help/acme/cases/${caseId}`, headers });
      expect(offers.body).toContain('220.00 USD in store credit');
      expect(offers.body).toContain('a person confirms it first');
      const chosen = await t.app.inject({
        method: 'POST',
        url: `/help/acme/cases/${caseId}/remedy`,
        headers: { ...headers, ...formHeaders },
        payload: form({ _csrf: csrf, offerId: 'refund_full+credit' }),
      });
      expect(chosen.statusCode).toBe(303);
      const db = t.ctx.database.db;
      const comp = await db.selectFrom('compensations').selectAll().where('case_id', '=', caseId).executeTakeFirstOrThrow();
      expect(comp).toMatchObject({ status: 'pending_approval', approver_role: 'manager', label: expect.stringContaining('store credit') });
      const note = await db
        .selectFrom('case_messages')
        .select('body')
        .where('case_id', '=', caseId)
        .where('kind', '=', 'note')
        .executeTakeFirstOrThrow();
      expect(note.body).toContain('Customer chose');
      expect(note.body).toContain('mirror.png');
      expect(note.body).toContain('Problem reported: damaged');
      const timeline = await db.selectFrom('case_activities').select('type').where('case_id', '=', caseId).execute();
      expect(timeline.map((e) => e.type)).toEqual(
        expect.arrayContaining(['portal.reported', 'portal.remedy_chosen', 'compensation.requested']),
      );
      // The console's API shows it all to an agent: the customer's words, the note, the photo, the pending remedy.
      const viaApi = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}`, headers: auth(t.tokens.agent) });
      expect(viaApi.body).toContain('The mirror arrived cracked');
      expect(viaApi.body).toContain('Customer chose');
      const files = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}/attachments`, headers: auth(t.tokens.agent) });
      expect(files.json().attachments).toHaveLength(1);
      const page = await t.app.inject({ method: 'GET', url: `/help/acme/cases/${caseId}`, headers });
      expect(page.body).toContain('A person will confirm this');
      expect(page.body).toContain('You don&#x27;t need to tell us again');
      // A different choice afterwards changes nothing.
      await t.app.inject({
        method: 'POST',
        url: `/help/acme/cases/${caseId}/remedy`,
        headers: { ...headers, ...formHeaders },
        payload: form({ _csrf: csrf, offerId: 'discount_10' }),
      });
      expect(await db.selectFrom('compensations').select('id').where('case_id', '=', caseId).execute()).toHaveLength(1);
    });

    it('“talk to a person” puts a case in front of people once, and opens a case when there is none; replies join the case', async () => {
      const { headers, csrf } = await signIn('1001', 'cleo@example.com');
      const db = t.ctx.database.db;
      const ask = (extra: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url: '/help/acme/person',
          headers: { ...headers, ...formHeaders },
          payload: form({ _csrf: csrf, ...extra }),
        });
      const first = await ask({ caseId: cleoCase });
      expect(first.headers.location).toBe(`/help/acme/cases/${cleoCase}?n=asked`);
      const second = await ask({ caseId: cleoCase });
      expect(second.headers.location).toBe(`/help/acme/cases/${cleoCase}?n=again`);
      const asked = await db
        .selectFrom('case_activities')
        .select('type')
        .where('case_id', '=', cleoCase)
        .where('type', '=', 'portal.person_requested')
        .execute();
      expect(asked).toHaveLength(1);
      const c = await db.selectFrom('cases').select(['queue']).where('id', '=', cleoCase).executeTakeFirstOrThrow();
      expect(c.queue).toBe('manager');
      const page = await t.app.inject({ method: 'GET', url: `/help/acme/cases/${cleoCase}?n=asked`, headers });
      expect(page.body).toContain('talk to a person');
      // From the orders page, about no case: a new case with the request in the customer's words.
      const none = await ask({});
      const opened = caseIdFrom(none.headers.location);
      expect(opened).not.toBe(cleoCase);
      const words = await db
        .selectFrom('case_messages')
        .select('body')
        .where('case_id', '=', opened)
        .where('kind', '=', 'inbound')
        .execute();
      expect(words.map((w) => w.body)).toEqual(["I'd like to talk to a person."]);
      expect(caseIdFrom((await ask({})).headers.location)).toBe(opened);
      // Someone else's case: not found.
      const dan = await db.selectFrom('cases').select('id').where('customer_id', '=', 'dan').executeTakeFirstOrThrow();
      expect((await ask({ caseId: dan.id })).statusCode).toBe(404);
      // A reply joins the case.
      const reply = await t.app.inject({
        method: 'POST',
        url: `/help/acme/cases/${cleoCase}/reply`,
        headers: { ...headers, ...formHeaders },
        payload: form({ _csrf: csrf, _key: 'reply-key-000000000001', body: 'Thanks, the credit is there.' }),
      });
      expect(reply.statusCode).toBe(303);
      const shown = await t.app.inject({ method: 'GET', url: `/help/acme/cases/${cleoCase}`, headers });
      expect(shown.body).toContain('Thanks, the credit is there.');
      const emptyReply = await t.app.inject({
        method: 'POST',
        url: `/help/acme/cases/${cleoCase}/reply`,
        headers: { ...headers, ...formHeaders },
        payload: form({ _csrf: csrf, _key: 'reply-key-000000000002', body: '   ' }),
      });
      expect(emptyReply.statusCode).toBe(422);
      expect(emptyReply.body).toContain('id="body-error"');
    });

    /** A new customer with an order, signed in, who reports it damaged; `again()` sends the same form once more. */
    const reportAs = async (customerId: string, orderId: string) => {
      await post([
        ev(
          `c-${customerId}`,
          'customer.upserted',
          { customerId, email: `${customerId}@example.com`, name: customerId },
          '2026-02-01T00:00:00Z',
        ),
        ev(`o-${orderId}`, 'order.placed', { orderId, customerId, total: usd(3000) }, '2026-02-28T10:00:00Z'),
      ]);
      const s = await signIn(orderId, `${customerId}@example.com`);
      const send = async () => {
        const body = multipart({
          _csrf: s.csrf,
          _key: `key-${customerId}-0000000000000`,
          kind: 'damaged',
          description: 'It arrived broken into several pieces.',
        });
        const res = await t.app.inject({
          method: 'POST',
          url: `/help/acme/orders/${orderId}/report`,
          headers: { ...s.headers, ...body.headers },
          payload: body.payload,
        });
        expect(res.statusCode, res.body).toBe(303);
        return caseIdFrom(res.headers.location);
      };
      const caseId = await send();
      return { ...s, caseId, again: send };
    };
    const choose = (s: { headers: Record<string, string>; csrf: string }, caseId: string, offerId = 'refund_full+credit') =>
      t.app.inject({
        method: 'POST',
        url: `/help/acme/cases/${caseId}/remedy`,
        headers: { ...s.headers, ...formHeaders },
        payload: form({ _csrf: s.csrf, offerId }),
      });
    const casePage = (s: { headers: Record<string, string> }, caseId: string) =>
      t.app.inject({ method: 'GET', url: `/help/acme/cases/${caseId}`, headers: s.headers });

    it('answers identify before looking anything up; the mailed link uses the configured address, never the Host header', async () => {
      const seen = new Set((await notices()).map((n) => n.body));
      const fresh = async () => (await notices()).filter((n) => !seen.has(n.body));
      const res = await identifyNow('acme', '1003', 'vera@example.com', '10.0.3.1', { host: 'evil.example' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('If that order and e-mail match');
      // The page went out first: the lookup, the link and its e-mail come after (so a match takes no longer).
      expect(await fresh()).toHaveLength(0);
      await portalWorkSettled();
      const mailed = await fresh();
      expect(mailed).toHaveLength(1);
      const base = publicBaseUrl(t.ctx.config);
      expect(base).not.toContain('evil.example');
      expect(mailed[0]!.body).toContain(`${base}/help/acme/link/`);
      expect(mailed[0]!.body).not.toContain('evil.example');
      for (const n of mailed) seen.add(n.body);
      // The agents' API too.
      const api = await t.app.inject({
        method: 'POST',
        url: '/api/v1/customers/vera/portal-link',
        headers: { ...auth(t.tokens.agent), host: 'evil.example' },
      });
      expect(api.statusCode).toBe(202);
      const viaApi = await fresh();
      expect(viaApi).toHaveLength(1);
      expect(viaApi[0]!.body).toContain(`${base}/help/acme/link/`);
      expect(viaApi[0]!.body).not.toContain('evil.example');
    });

    it('shows only the notices it knows for ?n=, not the properties every object has', async () => {
      const s = await signIn('1002', 'dan@example.com');
      const dan = await t.ctx.database.db
        .selectFrom('cases')
        .select('id')
        .where('store_id', '=', 'acme')
        .where('complaint_id', '=', 'dan-c')
        .executeTakeFirstOrThrow();
      for (const n of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        const res = await t.app.inject({ method: 'GET', url: `/help/acme/cases/${dan.id}?n=${n}`, headers: s.headers });
        expect(res.statusCode).toBe(200);
        expect(res.body, n).not.toContain('portal-notice');
      }
      const known = await t.app.inject({ method: 'GET', url: `/help/acme/cases/${dan.id}?n=sent`, headers: s.headers });
      expect(known.body).toContain('Your message is on its way to the team.');
    });

    it('answers a report from someone signed out before reading any of the upload', async () => {
      const boundary = '----amendsneverending';
      for (const cookie of [undefined, 'amends_portal=not-a-session']) {
        // A body that never ends: reading it first would never answer.
        const body = new PassThrough();
        body.write(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`);
        body.write(Buffer.alloc(256 * 1024));
        try {
          const res = await t.app.inject({
            method: 'POST',
            url: '/help/acme/orders/1001/report',
            headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...(cookie ? { cookie } : {}) },
            payload: body,
          });
          expect(res.statusCode).toBe(303);
          expect(res.headers.location).toBe('/help/acme?signin=1');
        } finally {
          body.destroy();
        }
      }
    });

    it('refuses a form field that arrived cut short, and keeps nothing', async () => {
      const { headers, csrf } = await signIn('1002', 'dan@example.com');
      const db = t.ctx.database.db;
      const events = async () =>
        Number(
          (
            await db
              .selectFrom('events')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('store_id', '=', 'acme')
              .where('source', '=', 'portal')
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await events();
      const send = (fields: Record<string, string>) => {
        const body = multipart({ _csrf: csrf, kind: 'damaged', ...fields });
        return t.app.inject({
          method: 'POST',
          url: '/help/acme/orders/1002/report',
          headers: { ...headers, ...body.headers },
          payload: body.payload,
        });
      };
      const long = await send({ _key: 'key-dddddddddddddddd', description: `It broke. ${'x'.repeat(17 * 1024)}` });
      expect(long.statusCode).toBe(422);
      expect(long.body).toContain('id="description-error"');
      expect(long.body).toContain('got cut off');
      // Any other field cut short (here the form key): refused too, not quietly replaced.
      const odd = await send({ _key: 'k'.repeat(17 * 1024), description: 'The parcel was crushed on arrival.' });
      expect(odd.statusCode).toBe(422);
      expect(odd.body).toContain('got cut off');
      expect(odd.body).toContain('The parcel was crushed on arrival.');
      expect(await events()).toBe(before);
    });

    it('writes the report on the timeline whenever it is missing, not only the first time', async () => {
      const pia = await reportAs('pia', '1004');
      const db = t.ctx.database.db;
      const reported = () =>
        db
          .selectFrom('case_activities')
          .select('type')
          .where('store_id', '=', 'acme')
          .where('case_id', '=', pia.caseId)
          .where('type', '=', 'portal.reported')
          .execute();
      expect(await reported()).toHaveLength(1);
      // As if the transaction after the event had failed: the event is in, the timeline entry is not.
      await db
        .deleteFrom('case_activities')
        .where('store_id', '=', 'acme')
        .where('case_id', '=', pia.caseId)
        .where('type', '=', 'portal.reported')
        .execute();
      expect(await pia.again()).toBe(pia.caseId);
      expect(await reported()).toHaveLength(1);
      expect(await pia.again()).toBe(pia.caseId);
      expect(await reported()).toHaveLength(1);
    });

    it('says “the store gave you” for a remedy the customer did not choose, and nothing before it is issued', async () => {
      const sam = await reportAs('sam', '1008');
      const granted = await t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${sam.caseId}/compensations`,
        headers: auth(t.tokens.agent),
        payload: { offerId: 'refund_full+credit', idempotencyKey: 'agent-grant-sam', justification: 'Broken on arrival' },
      });
      expect([200, 201], granted.body).toContain(granted.statusCode);
      const comp = granted.json() as { id: string; status: string };
      if (comp.status !== 'issued') {
        const waiting = await casePage(sam, sam.caseId);
        expect(waiting.body).not.toContain('You chose');
        expect(waiting.body).not.toContain('portal-remedy');
        expect(waiting.body).not.toContain('How can we put it right?');
        const approved = await t.app.inject({
          method: 'POST',
          url: `/api/v1/compensations/${comp.id}/approve`,
          headers: auth(t.tokens.admin),
          payload: {},
        });
        expect(approved.statusCode, approved.body).toBe(200);
      }
      const page = await casePage(sam, sam.caseId);
      expect(page.body).toContain('The store gave you 33.00 USD in store credit.');
      expect(page.body).not.toContain('You chose');
      expect(page.body).not.toContain('How can we put it right?');
      // Said once, in words: not followed by the offer's label again.
      const sections = page.body.match(/<section class="card portal-remedy[\s\S]*?<\/section>/g) ?? [];
      expect(sections).toHaveLength(1);
      expect(sections[0]!.split('33.00 USD in store credit').length - 1).toBe(1);
      expect(sections[0]).not.toContain((granted.json() as { label: string }).label);
    });

    it('after the store declines, or cannot issue, the customer’s choice the page says so and offers nothing again', async () => {
      const vera = await signIn('1003', 'vera@example.com');
      const db = t.ctx.database.db;
      const comp = await db.selectFrom('compensations').select('id').where('case_id', '=', veraCase).executeTakeFirstOrThrow();
      const rejected = await t.app.inject({
        method: 'POST',
        url: `/api/v1/compensations/${comp.id}/reject`,
        headers: auth(t.tokens.manager),
        payload: { reason: 'Not for this order' },
      });
      expect(rejected.statusCode, rejected.body).toBe(200);
      const declined = await casePage(vera, veraCase);
      expect(declined.body).toContain('declined by the store — a person will be in touch');
      expect(declined.body).not.toContain('How can we put it right?');
      // A choice from a page still open from before changes nothing.
      expect((await choose(vera, veraCase, 'discount_10')).statusCode).toBe(303);
      expect(await db.selectFrom('compensations').select('id').where('case_id', '=', veraCase).execute()).toHaveLength(1);
      await db.updateTable('compensations').set({ status: 'failed' }).where('store_id', '=', 'acme').where('id', '=', comp.id).execute();
      const failed = await casePage(vera, veraCase);
      expect(failed.body).toContain('could not be issued — a person will be in touch');
      expect(failed.body).not.toContain('How can we put it right?');
    });

    it('a remedy granted, or the case closed, while the customer’s choice waited for its lock is seen inside the transaction', async () => {
      const db = t.ctx.database.db;
      const model = await db
        .selectFrom('compensations')
        .selectAll()
        .where('store_id', '=', 'acme')
        .where('case_id', '=', cleoCase)
        .executeTakeFirstOrThrow();
      const waitForLockWait = async () => {
        for (let i = 0; i < 250; i++) {
          const r = await sql<{ n: string }>`select count(*)::text as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
          if (Number(r.rows[0]!.n) > 0) return;
          await sleep(20);
        }
        throw new Error('the choice never waited for the customer lock');
      };
      const scenarios = [
        {
          who: 'ravi',
          order: '1005',
          meanwhile: async (tx: typeof db, caseId: string) => {
            await tx
              .insertInto('compensations')
              .values({
                ...model,
                id: 'comp_agent_ravi',
                idempotency_key: 'agent-ravi',
                case_id: caseId,
                customer_id: 'ravi',
                order_id: '1005',
                status: 'pending_approval',
                code: null,
                reference: null,
                issued_at: null,
                issued_amount: null,
              })
              .execute();
          },
          expected: ['comp_agent_ravi'],
        },
        {
          who: 'sara',
          order: '1006',
          meanwhile: async (tx: typeof db, caseId: string) => {
            await tx.updateTable('cases').set({ status: 'resolved' }).where('store_id', '=', 'acme').where('id', '=', caseId).execute();
          },
          expected: [],
        },
      ];
      for (const sc of scenarios) {
        const who = await reportAs(sc.who, sc.order);
        const release = gate();
        const inside = gate();
        const held = db.transaction().execute(async (tx) => {
          if (engine === 'postgres') await sql`select 1 from customers where store_id = 'acme' and id = ${sc.who} for update`.execute(tx);
          await sc.meanwhile(tx, who.caseId);
          inside.open();
          await release.opened;
        });
        await inside.opened;
        const choice = choose(who, who.caseId);
        // Postgres: the choice passed its first checks and now waits for the lock. SQLite: it waits for the one
        // connection, which this transaction holds.
        if (engine === 'postgres') await waitForLockWait();
        else await sleep(30);
        release.open();
        await held;
        const res = await choice;
        expect([303, 400], res.body).toContain(res.statusCode);
        const comps = await db
          .selectFrom('compensations')
          .select('id')
          .where('store_id', '=', 'acme')
          .where('case_id', '=', who.caseId)
          .execute();
        expect(
          comps.map((c) => c.id),
          sc.who,
        ).toEqual(sc.expected);
      }
    });

    it('“talk to a person” pressed twice at once records one request and one message', async () => {
      const uma = await reportAs('uma', '1007');
      const db = t.ctx.database.db;
      const ask = () =>
        t.app.inject({
          method: 'POST',
          url: '/help/acme/person',
          headers: { ...uma.headers, ...formHeaders },
          payload: form({ _csrf: uma.csrf, caseId: uma.caseId }),
        });
      const answers = await Promise.all([ask(), ask()]);
      expect(answers.map((a) => a.headers.location).sort()).toEqual([
        `/help/acme/cases/${uma.caseId}?n=again`,
        `/help/acme/cases/${uma.caseId}?n=asked`,
      ]);
      const asked = await db
        .selectFrom('case_activities')
        .select('type')
        .where('store_id', '=', 'acme')
        .where('case_id', '=', uma.caseId)
        .where('type', '=', 'portal.person_requested')
        .execute();
      expect(asked).toHaveLength(1);
      const words = await db
        .selectFrom('case_messages')
        .select('body')
        .where('store_id', '=', 'acme')
        .where('case_id', '=', uma.caseId)
        .where('kind', '=', 'inbound')
        .where('body', '=', "I'd like to talk to a person.")
        .execute();
      expect(words).toHaveLength(1);
    });

    it('an agent e-mails a customer a link through the API, which answers nothing secret', async () => {
      const before = new Set((await notices()).map((n) => n.body));
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/customers/dan/portal-link', headers: auth(t.tokens.agent) });
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json()).toMatchObject({ sent: true, to: 'd**@example.com' });
      expect(res.body).not.toMatch(/link\//);
      const fresh = (await notices()).filter((n) => !before.has(n.body));
      expect(fresh).toHaveLength(1);
      expect(fresh[0]).toMatchObject({ to: 'dan@example.com', purpose: 'portal-link' });
      expect(
        (await t.app.inject({ method: 'POST', url: '/api/v1/customers/olga/portal-link', headers: auth(t.tokens.agent) })).statusCode,
      ).toBe(404);
      expect((await t.app.inject({ method: 'POST', url: '/api/v1/customers/dan/portal-link' })).statusCode).toBe(401);
    });
  });
}

describe('[sqlite] the portal in the demo store', () => {
  it('gives a ready sign-in link for a demo customer that opens their orders', async () => {
    const { demoPortalLink } = await import('../../src/channels/portal/demo.ts');
    const t = await buildTestApp('sqlite');
    try {
      expect(await demoPortalLink(t.ctx.database.db, 'acme', new Date())).toBeNull();
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: auth(t.tokens.admin),
        payload: {
          events: [
            ev('c', 'customer.upserted', { customerId: 'demo-1', email: 'demo@example.com' }),
            ev('o', 'order.placed', { orderId: 'D-1', customerId: 'demo-1', total: usd(100) }),
          ],
        },
      });
      const link = (await demoPortalLink(t.ctx.database.db, 'acme', new Date()))!;
      expect(link).toMatch(/^\/help\/acme\/link\/[A-Za-z0-9_-]{43}$/);
      const res = await t.app.inject({ method: 'POST', url: link });
      expect(res.statusCode).toBe(303);
      const cookie = res.cookies.find((c) => c.name === 'amends_portal')!;
      const orders = await t.app.inject({ method: 'GET', url: '/help/acme/orders', headers: { cookie: `amends_portal=${cookie.value}` } });
      expect(orders.body).toContain('Order D-1');
    } finally {
      await t.close();
    }
  });
});
