import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail, CaseSummary } from '../../src/cases/cases.service.ts';
import { allowedTransitions, type CaseStatus, caseStatuses } from '../../src/cases/lifecycle.ts';
import { openCase } from '../../src/cases/open-case.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { ensureUser } from '../../src/stores/stores.service.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

// The API answers the services' own shapes, serialised.
type CaseJson = CaseSummary;
type CaseDetailJson = CaseDetail;

const MINUTE = 60_000;

describe.each(engines)('cases API [%s]', (engine) => {
  let t: TestApp;
  // Agents act after every event below happened, so the timeline has a well-defined order.
  const clock = new ManualClock('2026-04-01T09:00:00Z');
  const available = engineAvailable(engine);

  beforeAll(async () => {
    if (available) t = await buildTestApp(engine, { clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  const ingest = async (...events: unknown[]) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(t.tokens.manager), payload: { events } });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json() as { accepted: number; duplicates: number };
  };
  const get = (url: string, token = t.tokens.agent) => t.app.inject({ method: 'GET', url, headers: auth(token) });
  const post = (url: string, payload: object, token = t.tokens.agent) =>
    t.app.inject({ method: 'POST', url, headers: auth(token), payload });
  const list = async (query: string): Promise<{ cases: CaseJson[]; nextCursor: string | null }> => {
    const res = await get(`/api/v1/cases${query ? `?${query}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  /** Every case of the store, walking the pages. */
  const allCases = async (query = '', limit = 200): Promise<CaseJson[]> => {
    const out: CaseJson[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const q = [query, `limit=${limit}`, cursor ? `cursor=${encodeURIComponent(cursor)}` : ''].filter(Boolean).join('&');
      const res = await list(q);
      expect(res.cases.length).toBeLessThanOrEqual(limit);
      out.push(...res.cases);
      cursor = res.nextCursor;
      if (!cursor) return out;
    }
    throw new Error('pagination did not end');
  };
  const getCase = async (id: string, token = t.tokens.agent): Promise<CaseDetailJson> => {
    const res = await get(`/api/v1/cases/${id}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const casesOf = async (customerId: string) => (await list(`customerId=${encodeURIComponent(customerId)}`)).cases;
  const countCustomers = async () => {
    const r = await t.database.db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('store_id', '=', t.storeId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  const complaint = (eventId: string, data: Record<string, unknown>, at = '2026-03-01T12:00:00Z') =>
    ev(eventId, 'complaint.received', { channel: 'email', ...data }, at);
  /** Opens a case by complaint for a fresh customer and answers it. */
  const openFor = async (customerId: string, at = '2026-03-02T08:00:00Z', extra: Record<string, unknown> = {}) => {
    await ingest(
      complaint(`${customerId}-complaint`, { complaintId: `cmp-${customerId}`, customerId, body: 'Where is my parcel?', ...extra }, at),
    );
    const cs = await casesOf(customerId);
    expect(cs).toHaveLength(1);
    return cs[0]!;
  };

  describe('opening from complaint.received', () => {
    it.runIf(available)('opens a reactive case for the customerId, with the complaint body as the first inbound message', async () => {
      await ingest(
        ev('ann-upsert', 'customer.upserted', { customerId: 'c-ann', email: 'ann@example.com', name: 'Ann' }, '2026-02-01T10:00:00Z'),
        ev('ann-o1', 'order.placed', { orderId: 'o-ann', customerId: 'c-ann', total: usd(4500) }, '2026-02-02T10:00:00Z'),
      );
      const body = 'My order arrived broken.\nPlease help.';
      await ingest(
        complaint(
          'ann-cmp-1',
          { complaintId: 'cmp-ann', customerId: 'c-ann', orderId: 'o-ann', channel: 'chat', subject: 'Broken vase', body },
          '2026-02-05T10:30:00+01:00',
        ),
      );
      const cs = await casesOf('c-ann');
      expect(cs).toHaveLength(1);
      const c = cs[0]!;
      // Acknowledged within the same request (test/integration/triage-sla.test.ts covers the acknowledgement).
      expect(c).toMatchObject({
        status: 'acknowledged',
        source: 'reactive',
        channel: 'chat',
        customerId: 'c-ann',
        orderId: 'o-ann',
        subject: 'Broken vase',
        assigneeId: null,
        createdAt: '2026-02-05T09:30:00.000Z',
        resolvedAt: null,
        closedAt: null,
      });
      expect(c.number).toBeGreaterThan(0);

      const detail = await getCase(c.id);
      expect(detail.messages.length).toBeGreaterThanOrEqual(1);
      expect(detail.messages[0]).toMatchObject({ kind: 'inbound', authorType: 'customer', authorId: 'c-ann', body });
      expect(detail.timeline.find((e) => e.type === 'case.opened')).toMatchObject({
        kind: 'activity',
        at: '2026-02-05T09:30:00.000Z',
        actor: { type: 'customer', id: 'c-ann' },
        data: { source: 'reactive', channel: 'chat', event: 'ann-cmp-1' },
      });

      const customer = await get('/api/v1/customers/c-ann');
      expect(customer.json().cases.map((x: { id: string }) => x.id)).toEqual([c.id]);
    });

    it.runIf(available)('creates a customer for an unknown e-mail, and links a known e-mail in any letter case', async () => {
      const before = await countCustomers();
      await ingest(complaint('stranger-1', { complaintId: 'cmp-stranger-1', email: 'Stranger@Example.com', body: 'Hello?' }));
      expect(await countCustomers()).toBe(before + 1);
      const found = await get('/api/v1/customers?email=stranger@example.com');
      expect(found.json().customers).toHaveLength(1);
      const stranger = found.json().customers[0] as { id: string; email: string };
      expect(stranger.email).toBe('stranger@example.com');
      const strangerCases = await casesOf(stranger.id);
      expect(strangerCases).toHaveLength(1);
      expect(strangerCases[0]).toMatchObject({ source: 'reactive', customerId: stranger.id });

      // The same stranger writes again, shouting: no second customer, a second case on the same one.
      await ingest(complaint('stranger-2', { complaintId: 'cmp-stranger-2', email: 'STRANGER@EXAMPLE.COM', body: 'Anyone?' }));
      expect(await countCustomers()).toBe(before + 1);
      expect(await casesOf(stranger.id)).toHaveLength(2);

      // A customer known from the shop, found by e-mail whatever its case.
      await ingest(ev('bob-upsert', 'customer.upserted', { customerId: 'c-bob', email: 'Bob.Builder@Example.org' }));
      const withBob = await countCustomers();
      await ingest(complaint('bob-cmp', { complaintId: 'cmp-bob', email: 'bob.builder@EXAMPLE.ORG', body: 'Wrong size' }));
      expect(await countCustomers()).toBe(withBob);
      const bobCases = await casesOf('c-bob');
      expect(bobCases).toHaveLength(1);
      expect((await getCase(bobCases[0]!.id)).messages[0]).toMatchObject({ kind: 'inbound', authorId: 'c-bob', body: 'Wrong size' });
    });

    it.runIf(available)('opens no second case for another event about the same complaintId', async () => {
      await ingest(complaint('dup-cmp-a', { complaintId: 'cmp-dup', customerId: 'c-dup', body: 'First' }, '2026-03-03T10:00:00Z'));
      const before = await allCases();
      const again = await ingest(
        complaint('dup-cmp-b', { complaintId: 'cmp-dup', customerId: 'c-dup', body: 'Second' }, '2026-03-03T11:00:00Z'),
      );
      expect(again.accepted).toBe(1);
      const after = await allCases();
      expect(after.map((c) => c.id)).toEqual(before.map((c) => c.id));
      expect(await casesOf('c-dup')).toHaveLength(1);
    });

    it.runIf(available)("adds a later event about the same complaint to that case, so the customer's words are not lost", async () => {
      await ingest(
        complaint(
          'follow-cmp-a',
          { complaintId: 'cmp-follow', customerId: 'c-follow', body: 'My card was charged twice' },
          '2026-03-04T10:00:00Z',
        ),
      );
      await ingest(
        complaint(
          'follow-cmp-b',
          { complaintId: 'cmp-follow', customerId: 'c-follow', body: 'And now a third time!' },
          '2026-03-04T12:00:00Z',
        ),
      );
      const cs = await casesOf('c-follow');
      expect(cs).toHaveLength(1);
      const d = await getCase(cs[0]!.id);
      const shown = d.messages.some((m) => m.body === 'And now a third time!') || d.timeline.some((e) => e.data.eventId === 'follow-cmp-b');
      expect(shown).toBe(true);
    });
  });

  describe('listing', () => {
    // Seven cases with distinct times, a proactive one, and two at the same instant (the id breaks the tie).
    const fixture: CaseJson[] = [];
    let proactive: CaseJson;

    beforeAll(async () => {
      if (!available) return;
      for (let i = 0; i < 7; i++) {
        const at = new Date(Date.parse('2026-01-10T08:00:00Z') + i * 3_600_000 * 7).toISOString();
        fixture.push(await openFor(`c-list-${i}`, at, { channel: i % 2 === 0 ? 'email' : 'portal' }));
      }
      fixture.push(await openFor('c-list-tie-a', '2026-01-12T00:00:00Z'));
      fixture.push(await openFor('c-list-tie-b', '2026-01-12T00:00:00Z'));
      const opened = await openCase(t.database.db, clock, {
        storeId: t.storeId,
        source: 'proactive',
        channel: null,
        customerId: 'c-list-0',
        orderId: null,
        complaintId: null,
        subject: 'Your parcel is late',
        body: null,
        openedByEvent: null,
        at: '2026-01-11T00:00:00.000Z',
        actor: { type: 'system', id: null },
      });
      proactive = (await getCase(opened.id)) as CaseJson;
      // A spread of statuses and assignees (complaints open acknowledged; the proactive case stays new).
      expect((await post(`/api/v1/cases/${fixture[2]!.id}/status`, { status: 'in_progress' })).statusCode).toBe(200);
      expect((await post(`/api/v1/cases/${fixture[3]!.id}/status`, { status: 'in_progress' })).statusCode).toBe(200);
      expect((await post(`/api/v1/cases/${fixture[3]!.id}/status`, { status: 'resolved' })).statusCode).toBe(200);
      expect((await post(`/api/v1/cases/${fixture[4]!.id}/assign`, { assigneeId: t.agentUserId })).statusCode).toBe(200);
      expect((await post(`/api/v1/cases/${fixture[5]!.id}/assign`, { assigneeId: t.agentUserId })).statusCode).toBe(200);
    });

    const ids = (cs: CaseJson[]) => cs.map((c) => c.id);
    /** The filter's answer must equal the full list filtered here, and must be neither empty nor everything. */
    const expectFilter = async (query: string, keep: (c: CaseJson) => boolean) => {
      const all = await allCases();
      const expected = all.filter(keep);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(all.length);
      expect(ids(await allCases(query))).toEqual(ids(expected));
      return expected;
    };

    it.runIf(available)('walks every case newest first with limit=3, without duplicates or gaps', async () => {
      const counts = (await get('/api/v1/cases/counts')).json().byStatus as Record<string, number>;
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const paged = await allCases('', 3);
      expect(paged).toHaveLength(total);
      expect(new Set(ids(paged)).size).toBe(paged.length);
      for (const c of [...fixture, proactive]) expect(ids(paged)).toContain(c.id);
      for (let i = 1; i < paged.length; i++) {
        const [a, b] = [paged[i - 1]!, paged[i]!];
        expect(a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id), `${a.createdAt} ${b.createdAt}`).toBe(true);
      }
      // Pages of 3 equal one big page.
      expect(ids(paged)).toEqual(ids(await allCases('', 200)));
      const first = await list('limit=3');
      expect(first.cases).toHaveLength(3);
      expect(first.nextCursor).not.toBeNull();
    });

    it.runIf(available)('filters by one status and by several, comma-separated', async () => {
      const ack = await expectFilter('status=acknowledged', (c) => c.status === 'acknowledged');
      expect(ids(ack)).toContain(fixture[1]!.id);
      const several = await expectFilter('status=acknowledged,resolved', (c) => c.status === 'acknowledged' || c.status === 'resolved');
      expect(ids(several)).toEqual(expect.arrayContaining([fixture[1]!.id, fixture[3]!.id]));
      const bad = await get('/api/v1/cases?status=new,bogus');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.path).toMatch(/^status/);
    });

    it.runIf(available)('filters by source', async () => {
      expect(ids(await expectFilter('source=proactive', (c) => c.source === 'proactive'))).toEqual([proactive.id]);
      await expectFilter('source=reactive', (c) => c.source === 'reactive');
    });

    it.runIf(available)('filters by assignee: a user id, or none', async () => {
      expect(ids(await expectFilter(`assignee=${t.agentUserId}`, (c) => c.assigneeId === t.agentUserId)).sort()).toEqual(
        [fixture[4]!.id, fixture[5]!.id].sort(),
      );
      await expectFilter('assignee=none', (c) => c.assigneeId === null);
    });

    it.runIf(available)('filters by customerId', async () => {
      const cs = await expectFilter('customerId=c-list-0', (c) => c.customerId === 'c-list-0');
      expect(ids(cs).sort()).toEqual([fixture[0]!.id, proactive.id].sort());
    });

    it.runIf(available)('filters by creation time, from (inclusive) and to (exclusive)', async () => {
      const from = fixture[2]!.createdAt;
      const to = fixture[5]!.createdAt;
      const inWindow = await expectFilter(
        `createdFrom=${encodeURIComponent(from)}&createdTo=${encodeURIComponent(to)}`,
        (c) => c.createdAt >= from && c.createdAt < to,
      );
      expect(ids(inWindow)).toEqual(expect.arrayContaining([fixture[2]!.id, fixture[3]!.id, fixture[4]!.id]));
      expect(ids(inWindow)).not.toContain(fixture[5]!.id);
      // Any zone is accepted and compared as an instant.
      const sameInstant = await allCases(`createdFrom=${encodeURIComponent('2026-01-11T02:00:00+02:00')}`);
      expect(ids(sameInstant)).toEqual(ids((await allCases()).filter((c) => c.createdAt >= '2026-01-11T00:00:00.000Z')));
      expect(ids(sameInstant)).toContain(proactive.id);
      const bad = await get('/api/v1/cases?createdFrom=last-tuesday');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.path).toBe('createdFrom');
    });

    it.runIf(available)('refuses a cursor it did not give out', async () => {
      const res = await get('/api/v1/cases?cursor=not-a-cursor');
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'invalid_request', path: 'cursor' });
    });
  });

  describe('one case', () => {
    it.runIf(available)("shows messages and a timeline of activities, messages and the order's events in time order", async () => {
      await ingest(
        ev(
          'tl-o',
          'order.placed',
          { orderId: 'o-tl', customerId: 'c-tl', total: usd(1999), promisedBy: '2026-03-05T00:00:00Z' },
          '2026-03-01T09:00:00Z',
        ),
        ev('tl-s', 'shipment.created', { shipmentId: 's-tl', orderId: 'o-tl', carrier: 'DHL' }, '2026-03-02T09:00:00Z'),
        // Another order's events must stay out of this case's timeline.
        ev('tl-other', 'order.placed', { orderId: 'o-tl-other', customerId: 'c-tl', total: usd(100) }, '2026-03-02T10:00:00Z'),
      );
      await ingest(
        complaint('tl-cmp', { complaintId: 'cmp-tl', customerId: 'c-tl', orderId: 'o-tl', body: 'Still nothing' }, '2026-03-06T09:00:00Z'),
      );
      await ingest(
        ev(
          'tl-d',
          'shipment.delivered',
          { shipmentId: 's-tl', orderId: 'o-tl', deliveredAt: '2026-03-07T09:00:00Z' },
          '2026-03-07T09:00:00Z',
        ),
      );
      const c = (await casesOf('c-tl'))[0]!;
      clock.set('2026-04-02T10:00:00Z');
      expect((await post(`/api/v1/cases/${c.id}/messages`, { kind: 'note', body: 'Checked with DHL' })).statusCode).toBe(201);
      clock.set('2026-04-02T11:00:00Z');
      expect((await post(`/api/v1/cases/${c.id}/status`, { status: 'in_progress' })).statusCode).toBe(200);

      const d = await getCase(c.id);
      // c-tl has no e-mail address on file, so there is no one to acknowledge to (the timeline says so).
      expect(d.messages.map((m) => [m.kind, m.authorType])).toEqual([
        ['inbound', 'customer'],
        ['note', 'user'],
      ]);
      expect(d.messages[0]!.body).toBe('Still nothing');
      for (let i = 1; i < d.timeline.length; i++) expect(d.timeline[i - 1]!.at <= d.timeline[i]!.at).toBe(true);
      expect(d.timeline.map((e) => `${e.kind}:${e.type}`)).toEqual([
        'event:order.placed',
        'event:shipment.created',
        'activity:case.opened',
        'activity:triage.labelled',
        'activity:case.routed',
        'activity:sla.started',
        'activity:offer.suggested',
        'activity:acknowledgement.skipped',
        'message:message.inbound',
        'event:complaint.received',
        'event:shipment.delivered',
        'activity:note.added',
        'message:message.note',
        'activity:status.changed',
      ]);
      expect(d.timeline[0]).toMatchObject({ at: '2026-03-01T09:00:00.000Z', data: { eventId: 'tl-o', orderId: 'o-tl' } });
      expect(d.timeline.at(-1)).toMatchObject({
        at: '2026-04-02T11:00:00.000Z',
        actor: { type: 'user', id: t.agentUserId },
        data: { from: 'new', to: 'in_progress' },
      });
    });

    it.runIf(available)('adds replies and notes by the calling user, and refuses an empty body naming it', async () => {
      const c = await openFor('c-msg');
      clock.set('2026-04-03T10:00:00Z');
      const reply = await post(`/api/v1/cases/${c.id}/messages`, { kind: 'reply', body: 'Sorry! A new one is on its way.' });
      expect(reply.statusCode).toBe(201);
      expect(reply.json()).toMatchObject({
        kind: 'reply',
        authorType: 'user',
        authorId: t.agentUserId,
        body: 'Sorry! A new one is on its way.',
        createdAt: '2026-04-03T10:00:00.000Z',
      });
      clock.set('2026-04-03T10:05:00Z');
      const note = await post(`/api/v1/cases/${c.id}/messages`, { kind: 'note', body: 'Offered replacement' }, t.tokens.manager);
      expect(note.statusCode).toBe(201);
      expect(note.json()).toMatchObject({ kind: 'note', authorType: 'token' });

      const before = await getCase(c.id);
      expect(before.messages.map((m) => [m.kind, m.authorType])).toEqual([
        ['inbound', 'customer'],
        ['reply', 'user'],
        ['note', 'token'],
      ]);
      expect(before.updatedAt).toBe('2026-04-03T10:05:00.000Z');
      const byPeople = before.timeline.filter((e) => e.kind === 'activity' && e.actor?.type !== 'system').map((e) => e.type);
      expect(byPeople).toEqual(['case.opened', 'reply.added', 'note.added']);
      expect(before.timeline.find((e) => e.type === 'reply.added')).toMatchObject({
        actor: { type: 'user', id: t.agentUserId },
        data: { messageId: reply.json().id },
      });

      for (const payload of [{ kind: 'reply', body: '' }, { kind: 'note', body: '   ' }, { kind: 'reply' }]) {
        const bad = await post(`/api/v1/cases/${c.id}/messages`, payload);
        expect(bad.statusCode).toBe(400);
        expect(bad.json().error).toMatchObject({ code: 'invalid_request', path: 'body' });
      }
      const forged = await post(`/api/v1/cases/${c.id}/messages`, { kind: 'inbound', body: 'I am the customer' });
      expect(forged.statusCode).toBe(400);
      expect(forged.json().error.path).toBe('kind');
      expect(await getCase(c.id)).toEqual(before);

      const missing = await post('/api/v1/cases/case_nope/messages', { kind: 'note', body: 'x' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('not_found');
    });

    it.runIf(available)('keeps messages written at the same instant in the order they were written', async () => {
      const c = await openFor('c-same-instant');
      clock.set('2026-04-04T10:00:00Z');
      const bodies = Array.from({ length: 8 }, (_, i) => `note ${i + 1}`);
      for (const body of bodies) expect((await post(`/api/v1/cases/${c.id}/messages`, { kind: 'note', body })).statusCode).toBe(201);
      const d = await getCase(c.id);
      expect(d.messages.filter((m) => m.kind === 'note').map((m) => m.body)).toEqual(bodies);
    });

    it.runIf(available)(
      'moves through the whole lifecycle, stamping and clearing resolvedAt/closedAt, each step in the timeline',
      async () => {
        const c = await openFor('c-life');
        const steps: { to: CaseStatus; resolved: 'set' | 'keep' | null; closed: 'set' | 'keep' | null }[] = [
          { to: 'acknowledged', resolved: null, closed: null },
          { to: 'in_progress', resolved: null, closed: null },
          { to: 'waiting_on_customer', resolved: null, closed: null },
          { to: 'in_progress', resolved: null, closed: null },
          { to: 'resolved', resolved: 'set', closed: null },
          { to: 'closed', resolved: 'keep', closed: 'set' },
          { to: 'reopened', resolved: null, closed: null },
          { to: 'in_progress', resolved: null, closed: null },
        ];
        let at = Date.parse('2026-04-05T08:00:00Z');
        let from: CaseStatus = 'new';
        let resolvedAt: string | null = null;
        let closedAt: string | null = null;
        const expected: { at: string; from: CaseStatus; to: CaseStatus }[] = [];
        for (const step of steps) {
          at += 7 * MINUTE;
          clock.set(new Date(at));
          const now = new Date(at).toISOString();
          const res = await post(`/api/v1/cases/${c.id}/status`, { status: step.to, reason: `step to ${step.to}` });
          expect(res.statusCode, res.body).toBe(200);
          resolvedAt = step.resolved === 'set' ? now : step.resolved === 'keep' ? resolvedAt : null;
          closedAt = step.closed === 'set' ? now : step.closed === 'keep' ? closedAt : null;
          expect(res.json()).toMatchObject({ id: c.id, status: step.to, updatedAt: now, resolvedAt, closedAt });
          expected.push({ at: now, from, to: step.to });
          from = step.to;
        }
        const d = await getCase(c.id);
        expect(d).toMatchObject({ status: 'in_progress', resolvedAt: null, closedAt: null });
        const changes = d.timeline.filter((e) => e.type === 'status.changed');
        expect(changes).toEqual(
          expected.map((x) => ({
            at: x.at,
            kind: 'activity',
            type: 'status.changed',
            actor: { type: 'user', id: t.agentUserId },
            data: { from: x.from, to: x.to, reason: `step to ${x.to}` },
          })),
        );
      },
    );

    it.runIf(available)('refuses an invalid transition with 409 listing the allowed statuses, and changes nothing', async () => {
      const c = await openFor('c-invalid');
      expect((await post(`/api/v1/cases/${c.id}/status`, { status: 'in_progress' })).statusCode).toBe(200);
      const before = await getCase(c.id);
      clock.advance(MINUTE);
      for (const to of ['closed', 'reopened', 'new', 'in_progress'] as const) {
        const res = await post(`/api/v1/cases/${c.id}/status`, { status: to });
        expect(res.statusCode, to).toBe(409);
        const err = res.json().error;
        expect(err).toMatchObject({ code: 'invalid_transition', path: 'status', from: 'in_progress', to });
        expect(err.allowed).toEqual([...allowedTransitions('in_progress')]);
        expect(err.allowed).toEqual(expect.arrayContaining(['waiting_on_customer', 'resolved']));
        expect(err.allowed).not.toContain(to);
      }
      const unknown = await post(`/api/v1/cases/${c.id}/status`, { status: 'done' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error.path).toBe('status');
      expect(await getCase(c.id)).toEqual(before);
    });

    it.runIf(available)('assigns to a user, unassigns with null, and refuses an unknown user', async () => {
      const c = await openFor('c-assign');
      clock.set('2026-04-06T08:00:00Z');
      const toAgent = await post(`/api/v1/cases/${c.id}/assign`, { assigneeId: t.agentUserId }, t.tokens.manager);
      expect(toAgent.statusCode).toBe(200);
      expect(toAgent.json()).toMatchObject({ id: c.id, assigneeId: t.agentUserId, updatedAt: '2026-04-06T08:00:00.000Z' });
      expect((await list(`assignee=${t.agentUserId}`)).cases.map((x) => x.id)).toContain(c.id);

      const before = await getCase(c.id);
      const unknown = await post(`/api/v1/cases/${c.id}/assign`, { assigneeId: 'usr_nobody' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error).toMatchObject({ code: 'invalid_request', path: 'assigneeId' });
      expect(await getCase(c.id)).toEqual(before);
      // A user of another store is as unknown here as a made-up id.
      const outsider = await ensureUser(t.database.db, clock, t.other.storeId, { email: 'otto@other.test', role: 'agent' });
      const foreignUser = await post(`/api/v1/cases/${c.id}/assign`, { assigneeId: outsider.id });
      expect(foreignUser.statusCode).toBe(400);
      expect(foreignUser.json().error.path).toBe('assigneeId');
      expect(await getCase(c.id)).toEqual(before);
      const missing = await post(`/api/v1/cases/${c.id}/assign`, {});
      expect(missing.statusCode).toBe(400);
      expect(missing.json().error.path).toBe('assigneeId');

      clock.set('2026-04-06T09:00:00Z');
      const none = await post(`/api/v1/cases/${c.id}/assign`, { assigneeId: null });
      expect(none.statusCode).toBe(200);
      expect(none.json().assigneeId).toBeNull();
      expect((await list('assignee=none')).cases.map((x) => x.id)).toContain(c.id);

      const changes = (await getCase(c.id)).timeline.filter((e) => e.type === 'assignee.changed');
      expect(changes).toEqual([
        {
          at: '2026-04-06T08:00:00.000Z',
          kind: 'activity',
          type: 'assignee.changed',
          actor: expect.objectContaining({ type: 'token' }),
          data: { from: null, to: t.agentUserId },
        },
        {
          at: '2026-04-06T09:00:00.000Z',
          kind: 'activity',
          type: 'assignee.changed',
          actor: { type: 'user', id: t.agentUserId },
          data: { from: t.agentUserId, to: null },
        },
      ]);
    });

    it.runIf(available)("answers 404, not 403, for another store's case, and changes nothing", async () => {
      const c = await openFor('c-foreign');
      const before = await getCase(c.id);
      const foreign = t.other.token;
      const attempts = [
        await get(`/api/v1/cases/${c.id}`, foreign),
        await post(`/api/v1/cases/${c.id}/messages`, { kind: 'note', body: 'peek' }, foreign),
        await post(`/api/v1/cases/${c.id}/status`, { status: 'acknowledged' }, foreign),
        await post(`/api/v1/cases/${c.id}/assign`, { assigneeId: null }, foreign),
      ];
      for (const res of attempts) {
        expect(res.statusCode, res.body).toBe(404);
        expect(res.json().error.code).toBe('not_found');
      }
      expect(await getCase(c.id)).toEqual(before);
      const theirs = await get('/api/v1/cases', foreign);
      expect(theirs.json().cases).toEqual([]);
    });
  });

  it.runIf(available)('counts cases by status, every status listed, per store', async () => {
    const res = await get('/api/v1/cases/counts');
    expect(res.statusCode).toBe(200);
    const byStatus = res.json().byStatus as Record<string, number>;
    expect(Object.keys(byStatus).sort()).toEqual([...caseStatuses].sort());
    const all = await allCases();
    for (const s of caseStatuses) expect(byStatus[s], s).toBe(all.filter((c) => c.status === s).length);
    expect(byStatus.new).toBeGreaterThan(0);
    expect(byStatus.in_progress).toBeGreaterThan(0);

    const c = await openFor('c-count');
    expect((await get('/api/v1/cases/counts')).json().byStatus.new).toBe(byStatus.new! + 1);
    await post(`/api/v1/cases/${c.id}/status`, { status: 'acknowledged' });
    const after = (await get('/api/v1/cases/counts')).json().byStatus;
    expect(after).toMatchObject({ new: byStatus.new, acknowledged: byStatus.acknowledged! + 1 });

    const theirs = (await get('/api/v1/cases/counts', t.other.token)).json().byStatus as Record<string, number>;
    expect(Object.values(theirs).every((n) => n === 0)).toBe(true);
  });
});
