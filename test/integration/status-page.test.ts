/**
 * The status page (issue 8), through the real app on both engines: incidents found by the monitors from real
 * events get the system's own updates (opened, reopened, resolved); managers post updates and set the public
 * title and summary (validated, audited, agents refused); the page at /status/:store shows only public incidents
 * and only their public updates, in the store's timezone, never a customer's name, e-mail or order; recently
 * resolved incidents with what was done; the Atom feed parses as XML and says the same; another store's
 * incidents never appear; an unknown store is a 404.
 */
import { DomUtils, parseDocument } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusStore } from '../../src/community/status/status-page.service.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { incidentFor } from '../../src/proactive/monitors.service.ts';
import { publicBaseUrl } from '../../src/public/base-url.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

interface Update {
  id: string;
  incidentId: string;
  state: string;
  body: string;
  public: boolean;
  author: { type: string; id: string; name: string | null } | null;
  createdAt: string;
}
interface Updates {
  status: string;
  public: boolean;
  publicTitle: string | null;
  publicSummary: string | null;
  statusPageUrl: string;
  updates: Update[];
}

/** Real personal data of the affected customers: none of it may reach the page or the feed. */
const PEOPLE = [
  { id: 'cus-cleo', name: 'Cleopatra Fairweather', email: 'cleo.fairweather@example.com', order: 'ORD-77310' },
  { id: 'cus-dan', name: 'Danilo Secondi', email: 'danilo.secondi@example.com', order: 'ORD-77311' },
];
const PAYER = { id: 'cus-pia', name: 'Pia Payer', email: 'pia.payer@example.com', order: 'ORD-55501' };
const XSS = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & "quotes" 'apos'`;

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] status page: incident updates, the public page, its feed`, () => {
    let t: TestApp;
    // 10:00 UTC is 05:00 in New York (EST).
    const clock = new ManualClock('2026-03-02T10:00:00Z');
    let lostId = '';
    let paymentId = '';
    let otherId = '';

    const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) =>
      t.app.inject({ method, url, headers: auth(token), ...(payload === undefined ? {} : { payload: payload as object }) });
    const post = async (events: unknown[], token = t.tokens.admin) => {
      const res = await inject('POST', '/api/v1/events', token, { events });
      expect(res.statusCode, res.body).toBe(201);
    };
    const updatesOf = async (id: string): Promise<Updates> => {
      const res = await inject('GET', `/api/v1/incidents/${id}/updates`, t.tokens.agent);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const page = async (store = 'acme', headers: Record<string, string> = {}) => {
      const res = await t.app.inject({ method: 'GET', url: `/status/${store}`, headers });
      return res;
    };
    const feed = async (store = 'acme') => t.app.inject({ method: 'GET', url: `/status/${store}/feed.atom` });
    const lost = (o: string, at: string) =>
      ev(`${o}-lost-${at}`, 'shipment.updated', { shipmentId: `${o}-s`, orderId: o, carrier: 'DHL', region: 'ES-MD', status: 'lost' }, at);
    const expectNoPersonalData = (text: string) => {
      for (const p of [...PEOPLE, PAYER]) {
        for (const v of [p.id, p.name, p.email, p.order, p.name.split(' ')[0]!]) expect(text, v).not.toContain(v);
      }
      // The internal titles name the carrier, the region and an order.
      expect(text).not.toContain('Lost parcels: DHL');
      expect(text).not.toContain('Payment did not go through');
    };
    const auditOf = async (id: string) =>
      (
        (await inject('GET', `/api/v1/audit?subjectId=${id}`, t.tokens.admin)).json().entries as {
          action: string;
          after: unknown;
          actor: { type: string };
        }[]
      )
        .reverse()
        .map((e) => e.action);

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
      await t.database.db.updateTable('stores').set({ timezone: 'America/New_York' }).where('id', '=', t.storeId).execute();
      await post([
        ...[...PEOPLE, PAYER].map((p) =>
          ev(p.id, 'customer.upserted', { customerId: p.id, email: p.email, name: p.name, timezone: 'UTC' }, '2025-01-01T00:00:00Z'),
        ),
        ...[...PEOPLE, PAYER].map((p) =>
          ev(`${p.order}-placed`, 'order.placed', { orderId: p.order, customerId: p.id, total: usd(4200) }, '2026-03-01T09:00:00Z'),
        ),
      ]);
      // The carrier reports both parcels lost: one incident, both customers told.
      await post(PEOPLE.map((p) => lost(p.order, '2026-03-02T10:00:00Z')));
      // A payment failed: the monitor's incident (as fire() opens it) has an internal title naming the order.
      const pay = await incidentFor(t.database.db, clock, {
        storeId: t.storeId,
        monitor: 'payment_failed',
        kind: 'payment_problem',
        severity: 2,
        failureAt: '2026-03-02T10:00:00Z',
        cause: {
          key: `payment:${PAYER.order}`,
          title: `Payment did not go through for order ${PAYER.order}`,
          data: { orderId: PAYER.order, customerId: PAYER.id, email: PAYER.email },
          public: false,
          avertable: null,
        },
      });
      paymentId = pay.id;
      const list = (await inject('GET', '/api/v1/incidents', t.tokens.agent)).json().incidents as { id: string; monitor: string }[];
      lostId = list.find((i) => i.monitor === 'lost')!.id;
      // Another store has an incident of its own, public, with its own words.
      await post(
        [
          ev('o-c', 'customer.upserted', { customerId: 'o-c', email: 'someone@other.test', name: 'Olga Other' }, '2025-01-01T00:00:00Z'),
          ev('o-1', 'order.placed', { orderId: 'o-1', customerId: 'o-c', total: usd(1000) }, '2026-03-01T09:00:00Z'),
          lost('o-1', '2026-03-02T10:00:00Z'),
        ],
        t.other.token,
      );
      otherId = ((await inject('GET', '/api/v1/incidents', t.other.token)).json().incidents as { id: string }[])[0]!.id;
      expect(
        (await inject('PATCH', `/api/v1/incidents/${otherId}`, t.other.token, { public: true, publicTitle: 'Other Shop trouble here' }))
          .statusCode,
      ).toBe(200);
      expect(
        (
          await inject('POST', `/api/v1/incidents/${otherId}/updates`, t.other.token, {
            state: 'identified',
            body: 'Other Shop words only',
            public: true,
          })
        ).statusCode,
      ).toBe(201);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('writes the system update when an incident opens: investigating, generic words, no author', async () => {
      const u = await updatesOf(lostId);
      expect(u).toMatchObject({ status: 'open', public: false, publicTitle: null, publicSummary: null, statusPageUrl: '/status/acme' });
      expect(u.updates.map((x) => [x.state, x.author, x.public, x.createdAt])).toEqual([
        ['investigating', null, true, '2026-03-02T10:00:00.000Z'],
      ]);
      expect(u.updates[0]!.body).toMatch(/parcels may have gone missing/);
      expectNoPersonalData(u.updates[0]!.body);
      expect(paymentId).not.toBe('');
      expect((await updatesOf(paymentId)).updates.map((x) => x.state)).toEqual(['investigating']);
    });

    it('refuses bad updates naming the field, agents, unknown and foreign incidents; changes nothing', async () => {
      const url = `/api/v1/incidents/${lostId}/updates`;
      for (const [body, path] of [
        [{ state: 'broken', body: 'x' }, 'state'],
        [{ body: 'x' }, 'state'],
        [{ state: 'identified', body: '   ' }, 'body'],
        [{ state: 'identified' }, 'body'],
        [{ state: 'identified', body: 'x'.repeat(5001) }, 'body'],
        [{ state: 'identified', body: 'a\u0000b' }, 'body'],
        [{ state: 'identified', body: 'x', public: 'yes' }, 'public'],
        [{ state: 'identified', body: 'x', colour: 'red' }, 'colour'],
      ] as const) {
        const bad = await inject('POST', url, t.tokens.manager, body);
        expect(bad.statusCode, JSON.stringify(body)).toBe(400);
        const e = bad.json().error as { path?: string; message: string };
        expect(`${e.path} ${e.message}`, JSON.stringify(body)).toContain(path);
      }
      const agent = await inject('POST', url, t.tokens.agent, { state: 'identified', body: 'x' });
      expect(agent.statusCode).toBe(403);
      expect(
        (await inject('POST', '/api/v1/incidents/inc_nope/updates', t.tokens.manager, { state: 'identified', body: 'x' })).statusCode,
      ).toBe(404);
      expect((await inject('POST', url, t.other.token, { state: 'identified', body: 'x' })).statusCode).toBe(404);
      expect((await inject('GET', url, t.other.token)).statusCode).toBe(404);
      expect((await inject('GET', `/api/v1/incidents/${otherId}/updates`, t.tokens.admin)).statusCode).toBe(404);
      expect((await updatesOf(lostId)).updates).toHaveLength(1);
      // Without any credentials, the API is closed.
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    });

    it('sets the public title and summary (managers; validated; audited); clears them with null or ""', async () => {
      const url = `/api/v1/incidents/${lostId}`;
      expect((await inject('PATCH', url, t.tokens.agent, { publicTitle: 'x' })).statusCode).toBe(403);
      for (const [body, path] of [
        [{ publicTitle: 'x'.repeat(201) }, 'publicTitle'],
        [{ publicSummary: 'x'.repeat(2001) }, 'publicSummary'],
        [{ publicTitle: 7 }, 'publicTitle'],
        [{}, 'public'],
      ] as const) {
        const bad = await inject('PATCH', url, t.tokens.manager, body);
        expect(bad.statusCode, JSON.stringify(body)).toBe(400);
        const e = bad.json().error as { path?: string; message: string };
        expect(`${e.path} ${e.message}`, JSON.stringify(body)).toContain(path);
      }
      const ok = await inject('PATCH', url, t.tokens.manager, { publicTitle: '  Temporary draft  ', publicSummary: 'Draft summary' });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ publicTitle: 'Temporary draft', publicSummary: 'Draft summary', public: false });
      const cleared = await inject('PATCH', url, t.tokens.manager, { publicTitle: '', publicSummary: null });
      expect(cleared.json()).toMatchObject({ publicTitle: null, publicSummary: null });
      // The same again changes (and audits) nothing.
      expect((await inject('PATCH', url, t.tokens.manager, { publicTitle: null })).statusCode).toBe(200);
      expect(await auditOf(lostId)).toEqual(['incident.public_text_changed', 'incident.public_text_changed']);
      // The detail and the list carry them too.
      const detail = (await inject('GET', url, t.tokens.agent)).json();
      expect([detail.publicTitle, detail.publicSummary]).toEqual([null, null]);
    });

    it('shows nothing of a private incident: all normal, no update, no feed entry', async () => {
      const res = await page();
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.body).toContain('All systems normal');
      expect(res.body).toContain('No incidents resolved in the last 30 days.');
      expect(res.body).not.toContain(lostId);
      expect(res.body).not.toContain('missing in transit');
      expect(res.body).toContain(
        '<link rel="alternate" type="application/atom+xml" title="Acme Goods status" href="/status/acme/feed.atom">',
      );
      const f = await feed();
      expect(f.statusCode).toBe(200);
      expect(DomUtils.getElementsByTagName('entry', parseDocument(f.body, { xmlMode: true }))).toHaveLength(0);
    });

    it('a public incident shows with its public title and summary and only its public updates, newest first, in the store timezone', async () => {
      const patch = await inject('PATCH', `/api/v1/incidents/${lostId}`, t.tokens.manager, {
        public: true,
        publicTitle: 'Parcels lost by a delivery partner',
        publicSummary: 'A number of parcels going to Madrid were lost.',
        reason: 'customers ask',
      });
      expect(patch.statusCode, patch.body).toBe(200);
      clock.set('2026-03-02T10:05:00Z');
      const first = await inject('POST', `/api/v1/incidents/${lostId}/updates`, t.tokens.manager, {
        state: 'identified',
        body: `We found the cause.\n${XSS}`,
        public: true,
      });
      expect(first.statusCode, first.body).toBe(201);
      expect(first.json()).toMatchObject({
        state: 'identified',
        public: true,
        author: { type: 'token' },
        createdAt: '2026-03-02T10:05:00.000Z',
      });
      // A double submit changes nothing and answers the first.
      const twice = await inject('POST', `/api/v1/incidents/${lostId}/updates`, t.tokens.manager, {
        state: 'identified',
        body: `We found the cause.\n${XSS}`,
      });
      expect(twice.statusCode).toBe(200);
      expect(twice.json().id).toBe(first.json().id);
      clock.set('2026-03-02T10:10:00Z');
      const internal = await inject('POST', `/api/v1/incidents/${lostId}/updates`, t.tokens.manager, {
        state: 'monitoring',
        body: `Internal: ${PEOPLE[0]!.name} asked about ${PEOPLE[0]!.order}`,
        public: false,
      });
      expect(internal.statusCode).toBe(201);
      const u = await updatesOf(lostId);
      expect(u.updates.map((x) => [x.state, x.public])).toEqual([
        ['monitoring', false],
        ['identified', true],
        ['investigating', true],
      ]);
      expect(await auditOf(lostId)).toEqual([
        'incident.public_text_changed',
        'incident.public_text_changed',
        'incident.made_public',
        'incident.public_text_changed',
        'incident.update_posted',
        'incident.update_posted',
      ]);

      const res = await page();
      const html = res.body;
      expect(html).toContain('Some services are affected');
      expect(html).toContain('Parcels lost by a delivery partner');
      expect(html).toContain('A number of parcels going to Madrid were lost.');
      // The incident's state is its latest PUBLIC update's (the private one said monitoring).
      expect(html).toMatch(/<span class="badge warn">Identified<\/span>/);
      // Newest first; times in New York (EST) with machine-readable instants.
      const identifiedAt = html.indexOf('<time datetime="2026-03-02T10:05:00Z">2 Mar 2026, 05:05 EST</time>');
      const investigatingAt = html.indexOf(
        '<time datetime="2026-03-02T10:00:00Z">2 Mar 2026, 05:00 EST</time>',
        html.indexOf('status-updates'),
      );
      expect(identifiedAt).toBeGreaterThan(0);
      expect(investigatingAt).toBeGreaterThan(identifiedAt);
      // What people wrote is text, never markup.
      expect(html).not.toContain('<script>window.__pwned');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script&gt;window.__pwned&#x3D;1&lt;/script&gt;');
      expect(html).not.toContain('Internal:');
      expectNoPersonalData(html);
      // Other store's incident is not here.
      expect(html).not.toContain('Other Shop');
      expect(html).not.toContain(otherId);
    });

    it('never shows an internal title: a public incident without a public title gets a generic one by kind', async () => {
      expect((await inject('PATCH', `/api/v1/incidents/${paymentId}`, t.tokens.manager, { public: true })).statusCode).toBe(200);
      const html = (await page()).body;
      expect(html).toContain('Some payments are not going through');
      expect(html).toContain('some payments are not going through and we are looking into it');
      expectNoPersonalData(html);
      // In Spanish for a Spanish browser (the chrome and the generic title; people's words stay as written).
      const es = (await page('acme', { 'accept-language': 'es-ES,es;q=0.9' })).body;
      expect(es).toContain('<html lang="es">');
      expect(es).toContain('Algunos pagos no se están completando');
      expect(es).toContain('Algunos servicios están afectados');
      expectNoPersonalData(es);
    });

    it('the Atom feed parses as XML: one entry per public update of public incidents, text escaped, no personal data', async () => {
      const res = await feed();
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/atom\+xml/);
      expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
      expect(res.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
      expect(res.body).not.toContain('<script>');
      const doc = parseDocument(res.body, { xmlMode: true });
      const feedEl = DomUtils.getElementsByTagName('feed', doc)[0]!;
      expect(feedEl.attribs.xmlns).toBe('http://www.w3.org/2005/Atom');
      const entries = DomUtils.getElementsByTagName('entry', doc);
      const text = (el: Parameters<typeof DomUtils.textContent>[0], tag: string) =>
        DomUtils.textContent(DomUtils.getElementsByTagName(tag, el)[0]!);
      // lost: identified + investigating; payment: investigating. Newest first; never the private one.
      expect(entries.map((e) => text(e, 'title'))).toEqual([
        'Parcels lost by a delivery partner: Identified',
        'Some payments are not going through: Investigating',
        'Parcels lost by a delivery partner: Investigating',
      ]);
      // The body comes back exactly as written once the XML is decoded.
      expect(text(entries[0]!, 'content')).toBe(`We found the cause.\n${XSS}`);
      expect(text(entries[0]!, 'updated')).toBe('2026-03-02T10:05:00.000Z');
      expect(text(entries[0]!, 'id')).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const alt = DomUtils.getElementsByTagName('link', entries[0]!)[0]!;
      expect(alt.attribs.href).toMatch(new RegExp(`^http://[^/]+/status/acme#incident-${lostId}$`));
      for (const tag of ['id', 'title', 'updated']) expect(DomUtils.getElementsByTagName(tag, feedEl.children, false)).toHaveLength(1);
      expect(text(feedEl, 'updated')).toBe('2026-03-02T10:05:00.000Z');
      expectNoPersonalData(res.body);
      expect(res.body).not.toContain('Internal:');
      expect(res.body).not.toContain('Other Shop');
    });

    it('the JSON summary for widgets says the same, cross-origin readable', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/status/acme.json' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      const j = res.json();
      expect(j.state).toBe('degraded');
      expect(j.open.map((i: { title: string }) => i.title).sort()).toEqual([
        'Parcels lost by a delivery partner',
        'Some payments are not going through',
      ]);
      expectNoPersonalData(res.body);
      expect((await t.app.inject({ method: 'GET', url: '/status/nope.json' })).statusCode).toBe(404);
    });

    it('hides one update from the page when a manager says so (audited)', async () => {
      const u = await updatesOf(paymentId);
      const sys = u.updates[0]!;
      expect(
        (await inject('PATCH', `/api/v1/incidents/${paymentId}/updates/${sys.id}`, t.tokens.agent, { public: false })).statusCode,
      ).toBe(403);
      const hide = await inject('PATCH', `/api/v1/incidents/${paymentId}/updates/${sys.id}`, t.tokens.manager, { public: false });
      expect(hide.statusCode, hide.body).toBe(200);
      expect(hide.json().public).toBe(false);
      expect((await page()).body).not.toContain('some payments are not going through and we are looking into it');
      expect((await inject('PATCH', `/api/v1/incidents/${lostId}/updates/${sys.id}`, t.tokens.manager, { public: true })).statusCode).toBe(
        404,
      );
      expect(await auditOf(paymentId)).toContain('incident.update_hidden');
      // Off the page again: the payment incident goes private.
      expect((await inject('PATCH', `/api/v1/incidents/${paymentId}`, t.tokens.manager, { public: false })).statusCode).toBe(200);
      expect((await page()).body).not.toContain('Some payments are not going through');
    });

    it('posting "resolved" resolves the incident (audited, webhooks path) with the person\'s words; the page lists it as resolved with what was done', async () => {
      clock.set('2026-03-02T12:00:00Z');
      const res = await inject('POST', `/api/v1/incidents/${lostId}/updates`, t.tokens.manager, {
        state: 'resolved',
        body: 'All affected parcels were replaced and sent again.',
      });
      expect(res.statusCode, res.body).toBe(201);
      const d = (await inject('GET', `/api/v1/incidents/${lostId}`, t.tokens.agent)).json();
      expect([d.status, d.resolvedAt]).toEqual(['resolved', '2026-03-02T12:00:00.000Z']);
      // The person's words, not a second system update.
      const u = await updatesOf(lostId);
      expect(u.updates.filter((x) => x.state === 'resolved').map((x) => [x.body, x.author?.type])).toEqual([
        ['All affected parcels were replaced and sent again.', 'token'],
      ]);
      const audit = await auditOf(lostId);
      expect(audit.slice(-2)).toEqual(['incident.resolved', 'incident.update_posted']);

      // Nothing but "resolved" may be said of a resolved incident.
      const late = await inject('POST', `/api/v1/incidents/${lostId}/updates`, t.tokens.manager, {
        state: 'monitoring',
        body: 'still watching',
      });
      expect(late.statusCode).toBe(409);
      expect(late.json().error.path).toBe('state');

      const html = (await page()).body;
      expect(html).toContain('All systems normal');
      const resolvedSection = html.slice(html.indexOf('id="status-resolved"'));
      expect(resolvedSection).toContain('Parcels lost by a delivery partner');
      expect(resolvedSection).toContain('All affected parcels were replaced and sent again.');
      expect(resolvedSection).toContain('We contacted 2 affected customers directly.');
      expect(resolvedSection).toContain('<time datetime="2026-03-02T12:00:00Z">2 Mar 2026, 07:00 EST</time>');
      expectNoPersonalData(html);
    });

    it('a new firing reopens it (system update "investigating" again); a manual resolve writes the system update', async () => {
      clock.set('2026-03-02T13:00:00Z');
      await post([
        ev('cus-eve', 'customer.upserted', { customerId: 'cus-eve', email: 'eve@example.com', name: 'Eve Third' }, '2025-01-01T00:00:00Z'),
        ev('ORD-9-placed', 'order.placed', { orderId: 'ORD-9', customerId: 'cus-eve', total: usd(1000) }, '2026-03-01T09:00:00Z'),
        lost('ORD-9', '2026-03-02T13:00:00Z'),
      ]);
      let u = await updatesOf(lostId);
      expect(u.status).toBe('open');
      expect([u.updates[0]!.state, u.updates[0]!.author, u.updates[0]!.body]).toEqual([
        'investigating',
        null,
        expect.stringMatching(/has come back/),
      ]);
      clock.set('2026-03-02T14:00:00Z');
      expect((await inject('POST', `/api/v1/incidents/${lostId}/resolve`, t.tokens.manager, { reason: 'done' })).statusCode).toBe(200);
      u = await updatesOf(lostId);
      expect([u.status, u.updates[0]!.state, u.updates[0]!.author, u.updates[0]!.createdAt]).toEqual([
        'resolved',
        'resolved',
        null,
        '2026-03-02T14:00:00.000Z',
      ]);
      // The page's resolution note is the latest resolved update.
      expect((await page()).body).toContain('This has been resolved. Customers affected have been or will be contacted directly.');
    });

    it('forgets resolved incidents after 30 days on the page (the feed keeps its entries)', async () => {
      clock.set('2026-04-02T14:00:01Z');
      const html = (await page()).body;
      expect(html).toContain('No incidents resolved in the last 30 days.');
      expect(html).not.toContain('Parcels lost by a delivery partner');
      const entries = DomUtils.getElementsByTagName('entry', parseDocument((await feed()).body, { xmlMode: true }));
      expect(entries.length).toBeGreaterThan(0);
      clock.set('2026-03-02T14:00:00Z');
    });

    it('the other store sees only its own incident; an unknown store is a 404 page', async () => {
      const other = (await page('other')).body;
      expect(other).toContain('Other Shop trouble here');
      expect(other).toContain('Other Shop words only');
      expect(other).not.toContain('Parcels lost by a delivery partner');
      expect(other).not.toContain('Olga Other');
      const otherFeed = (await feed('other')).body;
      expect(otherFeed).toContain('Other Shop words only');
      expect(otherFeed).not.toContain('Parcels lost');
      for (const url of ['/status/nope', '/status/nope/feed.atom', '/status/%3Cscript%3E']) {
        const res = await t.app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type'], url).toMatch(/^text\/html/);
        expect(res.body, url).toContain('Page not found');
        expect(res.body, url).not.toContain('<script>');
      }
      // A name longer than any store's is not found either (the router's own 404).
      expect((await t.app.inject({ method: 'GET', url: `/status/${'x'.repeat(300)}` })).statusCode).toBe(404);
    });

    it('puts the feed and JSON links on the configured address, never on the Host header', async () => {
      const base = publicBaseUrl(t.ctx.config);
      expect(base).not.toContain('evil.example');
      const headers = { host: 'evil.example', 'x-forwarded-host': 'evil.example' };
      const xml = await t.app.inject({ method: 'GET', url: '/status/acme/feed.atom', headers });
      expect(xml.statusCode).toBe(200);
      expect(xml.body).not.toContain('evil.example');
      const doc = parseDocument(xml.body, { xmlMode: true });
      const hrefs = DomUtils.getElementsByTagName('link', doc).map((l) => l.attribs.href!);
      expect(hrefs.length).toBeGreaterThan(2);
      for (const href of hrefs) expect(href.startsWith(`${base}/status/acme`), href).toBe(true);
      const json = await t.app.inject({ method: 'GET', url: '/status/acme.json', headers });
      expect(json.statusCode).toBe(200);
      expect(json.json().url).toBe(`${base}/status/acme`);
      expect(json.body).not.toContain('evil.example');
    });

    it('refuses a NUL in a store name or an incident id cleanly (never a failure), on both engines', async () => {
      for (const url of ['/status/a%00b', '/status/a%00b.json', '/status/a%00b/feed.atom']) {
        const res = await t.app.inject({ method: 'GET', url });
        expect([400, 404], url).toContain(res.statusCode);
      }
      // The service itself names no store for a NUL (PostgreSQL could not even compare it).
      expect(await statusStore(t.ctx.database.db, 'ac\u0000me')).toBeNull();
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/incidents/a%00b/updates', headers: auth(t.tokens.agent) });
      expect(list.statusCode).toBe(400);
      expect(list.body).toContain('id');
      const posted = await t.app.inject({
        method: 'POST',
        url: '/api/v1/incidents/a%00b/updates',
        headers: auth(t.tokens.manager),
        payload: { state: 'identified', body: 'words' },
      });
      expect(posted.statusCode).toBe(400);
      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/incidents/${lostId}/updates/u%00x`,
        headers: auth(t.tokens.manager),
        payload: { public: false },
      });
      expect(patched.statusCode).toBe(400);
      expect(patched.body).toContain('updateId');
    });
  });
}
