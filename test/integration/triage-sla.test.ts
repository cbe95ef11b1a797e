import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail } from '../../src/cases/cases.service.ts';
import { sweepSlas } from '../../src/cases/sla.service.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { ensureUser } from '../../src/stores/stores.service.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

/*
 * Business hours for these tests: New York, Mon–Fri 09:00–17:00, closed on
 * Thanksgiving (Thu 2026-11-26). Every priority gets the same targets, so the
 * due instants below do not depend on how triage scores the text:
 * first response 120 business minutes, resolution 960 (two business days).
 * DST in New York: 2026-03-08 (EST -05 → EDT -04), 2026-11-01 (EDT → EST).
 */
const same = (m: number) => ({ urgent: m, high: m, normal: m, low: m });
const settings = {
  businessHours: {
    timezone: 'America/New_York',
    weekly: {
      mon: [{ start: '09:00', end: '17:00' }],
      tue: [{ start: '09:00', end: '17:00' }],
      wed: [{ start: '09:00', end: '17:00' }],
      thu: [{ start: '09:00', end: '17:00' }],
      fri: [{ start: '09:00', end: '17:00' }],
    },
    holidays: ['2026-11-26'],
  },
  sla: { firstResponse: same(120), resolution: same(960) },
};

describe.each(engines)('triage, guardrails, SLAs and acknowledgement [%s]', (engine) => {
  let t: TestApp;
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const available = engineAvailable(engine);

  beforeAll(async () => {
    if (!available) return;
    t = await buildTestApp(engine, { clock });
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/store/settings', headers: auth(t.tokens.manager), payload: settings });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  const ingest = async (...events: unknown[]) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(t.tokens.manager), payload: { events } });
    expect(res.statusCode, res.body).toBeLessThan(300);
  };
  /** The customer's n-th case, oldest first. */
  const caseOf = async (customerId: string, n = 0): Promise<CaseDetail> => {
    const list = await t.app.inject({ method: 'GET', url: `/api/v1/cases?customerId=${customerId}`, headers: auth(t.tokens.agent) });
    expect(list.statusCode, list.body).toBe(200);
    const cases = (list.json() as { cases: { id: string }[] }).cases;
    const id = cases.at(-1 - n)!.id;
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: auth(t.tokens.agent) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const customer = (id: string, extra: Record<string, unknown> = {}) =>
    ev(
      `${id}-profile`,
      'customer.upserted',
      { customerId: id, email: `${id}@example.com`, name: 'Maria Lopez', ...extra },
      '2025-01-01T00:00:00Z',
    );
  const complain = (id: string, at: string, body: string, extra: Record<string, unknown> = {}) =>
    ev(`${id}-${at}`, 'complaint.received', { complaintId: `cmp-${id}`, customerId: id, channel: 'email', body, ...extra }, at);

  it('a complaint late on Friday is due Monday, across the weekend and the DST change', async () => {
    if (!available) return;
    // Fri 2026-03-06 16:00 EST = 21:00Z; 60 min left Friday, 60 more from Mon 09:00 EDT → Mon 10:00 EDT = 14:00Z.
    await ingest(
      customer('c-weekend'),
      complain('c-weekend', '2026-03-06T21:00:00Z', 'My parcel has not arrived and it was promised for today.'),
    );
    const c = await caseOf('c-weekend');
    expect(c.due.firstResponse).toBe('2026-03-09T14:00:00.000Z');
    // 960 min: 60 Fri + 480 Mon + 420 Tue → Tue 16:00 EDT = 20:00Z.
    expect(c.due.resolution).toBe('2026-03-10T20:00:00.000Z');
    expect(c.sla.map((s) => s.metric).sort()).toEqual(['first_response', 'resolution']);
  });

  it('the fall-back DST change: Friday afternoon EDT is due Monday morning EST', async () => {
    if (!available) return;
    // Fri 2026-10-30 16:00 EDT = 20:00Z → Mon 2026-11-02 10:00 EST = 15:00Z.
    await ingest(customer('c-fallback'), complain('c-fallback', '2026-10-30T20:00:00Z', 'The blender arrived broken.'));
    expect((await caseOf('c-fallback')).due.firstResponse).toBe('2026-11-02T15:00:00.000Z');
  });

  it('a holiday is not business time', async () => {
    if (!available) return;
    // Wed 2026-11-25 16:30 EST = 21:30Z: 30 min Wed, Thanksgiving closed, 90 min from Fri 09:00 → Fri 10:30 EST = 15:30Z.
    await ingest(customer('c-holiday'), complain('c-holiday', '2026-11-25T21:30:00Z', 'I was charged twice for my order.'));
    expect((await caseOf('c-holiday')).due.firstResponse).toBe('2026-11-27T15:30:00.000Z');
  });

  it('the clock pauses while the case waits on the customer and resumes when they write', async () => {
    if (!available) return;
    // Mon 2026-03-16 09:00 EDT = 13:00Z. Resolution due after 960 min: Tue 17:00 EDT = 21:00Z.
    await ingest(customer('c-pause'), complain('c-pause', '2026-03-16T13:00:00Z', 'Wrong size sent, I ordered a medium.'));
    let c = await caseOf('c-pause');
    expect(c.due.resolution).toBe('2026-03-17T21:00:00.000Z');
    // 10:00 EDT: an agent replies (first response met) and asks for a photo.
    clock.set('2026-03-16T14:00:00Z');
    let res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${c.id}/messages`,
      headers: auth(t.tokens.agent),
      payload: {
        kind: 'reply',
        body: "I'm sorry we sent the wrong size. Could you send a photo of the label? I'll arrange the exchange today.",
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ status: 'queued', channel: 'email' });
    res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${c.id}/status`,
      headers: auth(t.tokens.agent),
      payload: { status: 'in_progress' },
    });
    expect(res.statusCode, res.body).toBe(200);
    res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${c.id}/status`,
      headers: auth(t.tokens.agent),
      payload: { status: 'waiting_on_customer' },
    });
    expect(res.statusCode, res.body).toBe(200);
    c = await caseOf('c-pause');
    expect(c.firstRespondedAt).toBe('2026-03-16T14:00:00.000Z');
    expect(c.sla.find((s) => s.metric === 'first_response')).toMatchObject({ status: 'met', breached: false });
    expect(c.due.resolution).toBeNull();
    expect(c.sla.find((s) => s.metric === 'resolution')).toMatchObject({ status: 'paused', pausedAt: '2026-03-16T14:00:00.000Z' });
    // Wed 14:00 EDT the customer answers: 900 min left → 180 Wed + 480 Thu + 240 Fri → Fri 13:00 EDT = 17:00Z.
    await ingest(complain('c-pause', '2026-03-18T18:00:00Z', 'Here is the photo of the label.'));
    c = await caseOf('c-pause');
    expect(c.status).toBe('in_progress');
    expect(c.due.resolution).toBe('2026-03-20T17:00:00.000Z');
    expect(c.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['sla.paused', 'sla.resumed', 'sla.met']));
  });

  it('near-breach and breach are recorded once, at the instant they fell due, and escalate to the manager queue', async () => {
    if (!available) return;
    const agent = await ensureUser(t.database.db, clock, t.storeId, { email: 'slow@acme.test', name: 'Sam Slow', role: 'agent' });
    // Mon 2026-03-23 09:00 EDT = 13:00Z; first response due 11:00 EDT (15:00Z), warning at 80 % = 10:36 EDT (14:36Z).
    await ingest(customer('c-breach'), complain('c-breach', '2026-03-23T13:00:00Z', 'Where is my order? It should be here by now.'));
    let c = await caseOf('c-breach');
    const assign = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${c.id}/assign`,
      headers: auth(t.tokens.agent),
      payload: { assigneeId: agent.id },
    });
    expect(assign.statusCode, assign.body).toBe(200);
    clock.set('2026-03-23T14:40:00Z');
    const first = await sweepSlas(t.database.db, clock, t.ctx.metrics);
    const mine = (s: { caseId: string }) => s.caseId === c.id;
    expect(first.signals.filter(mine)).toEqual([
      expect.objectContaining({ kind: 'near_breach', metric: 'first_response', at: '2026-03-23T14:36:00.000Z' }),
    ]);
    expect((await sweepSlas(t.database.db, clock, t.ctx.metrics)).signals.filter(mine)).toEqual([]);
    c = await caseOf('c-breach');
    expect(c.queue).toBe('manager');
    expect(c.assigneeId).toBe(agent.id);
    expect(c.timeline.find((e) => e.type === 'sla.near_breach')).toMatchObject({ at: '2026-03-23T14:36:00.000Z' });

    clock.set('2026-03-23T16:00:00Z');
    const second = await sweepSlas(t.database.db, clock, t.ctx.metrics);
    expect(second.signals.filter(mine)).toEqual([
      expect.objectContaining({ kind: 'breach', metric: 'first_response', at: '2026-03-23T15:00:00.000Z' }),
    ]);
    c = await caseOf('c-breach');
    expect(c.assigneeId).toBeNull();
    expect(c.priorityFactors.find((f) => f.factor === 'sla')).toMatchObject({ points: 20 });
    expect(c.sla.find((s) => s.metric === 'first_response')).toMatchObject({ breached: true });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/amends_sla_signals_total\{metric="first_response",signal="breach"\} [1-9]/);
  });

  it('opens with labels, evidence, priority, queue, due times and a first-person acknowledgement in the same request', async () => {
    if (!available) return;
    await ingest(
      customer('c-ack'),
      ev(
        'o-ack',
        'order.placed',
        { orderId: 'A-1001', customerId: 'c-ack', total: usd(8_900), promisedBy: '2026-04-01T00:00:00Z' },
        '2026-03-25T10:00:00Z',
      ),
      complain('c-ack', '2026-04-03T14:00:00Z', 'My order STILL has not arrived!!! I need it for my daughter’s birthday on Saturday.', {
        orderId: 'A-1001',
        subject: 'Where is my order?',
      }),
    );
    const c = await caseOf('c-ack');
    expect(c.kind).toBe('delivery_late');
    expect(c.triage!.kind.evidence.map((e) => e.rule)).toContain('context.shipment_late');
    expect(c.triage!.urgency.value).toBe(true);
    expect(c.severity).toBeGreaterThanOrEqual(2);
    expect(c.priority).toMatchObject({ level: expect.any(String), score: expect.any(Number) });
    expect(c.priorityFactors.length).toBeGreaterThan(0);
    expect(c.queue).toBe('general');
    expect(c.status).toBe('acknowledged');
    const ack = c.acknowledgement!;
    expect(ack).toMatchObject({ kind: 'reply', authorType: 'system', status: 'queued', locale: 'en', template: 'en/ack' });
    expect(ack.createdAt).toBe(c.createdAt);
    expect(ack.body).toMatch(/I'm sorry|I am sorry/);
    expect(ack.body).toContain('A-1001');
    expect(ack.body).not.toMatch(/apologi[sz]e for any inconvenience/i);
    // The reply promises the first-response due time, in the store's zone: Fri 2026-04-03 10:00 EDT → 12:00 EDT.
    expect(c.due.firstResponse).toBe('2026-04-03T16:00:00.000Z');
    expect(ack.body).toMatch(/12:00/);
  });

  it('answers a Spanish-speaking customer in Spanish', async () => {
    if (!available) return;
    await ingest(
      customer('c-es', { locale: 'es-MX' }),
      complain('c-es', '2026-04-06T14:00:00Z', 'Mi pedido llegó roto y estoy muy molesta.'),
    );
    const c = await caseOf('c-es');
    expect(c.acknowledgement).toMatchObject({ locale: 'es', template: 'es/ack' });
    expect(c.acknowledgement!.body).toMatch(/Lo siento|Siento/);
  });

  it('a repeat failure raises severity, routes to a manager and says why', async () => {
    if (!available) return;
    await ingest(
      customer('c-repeat'),
      ev('o-r1', 'order.placed', { orderId: 'R-1', customerId: 'c-repeat', total: usd(3_000) }, '2026-02-01T10:00:00Z'),
      complain('c-repeat', '2026-02-10T15:00:00Z', 'The mug arrived broken.', { orderId: 'R-1', complaintId: 'cmp-r1' }),
      ev('o-r2', 'order.placed', { orderId: 'R-2', customerId: 'c-repeat', total: usd(3_000) }, '2026-04-01T10:00:00Z'),
      complain('c-repeat', '2026-04-08T15:00:00Z', 'The replacement plate arrived broken.', { orderId: 'R-2', complaintId: 'cmp-r2' }),
    );
    const first = await caseOf('c-repeat', 0);
    const second = await caseOf('c-repeat', 1);
    expect(first.guardrails).toEqual([]);
    expect(second.guardrails.map((g) => g.rule)).toContain('repeat_failure');
    expect(second.guardrails[0]!.reason).toContain(`case #${first.number}`);
    expect(second.severity).toBe(Math.min(4, second.triage!.severity.value + 1));
    expect(second.queue).toBe('manager');
    expect(second.guidance.join(' ')).toMatch(/not the first time/);
    expect(second.timeline.some((e) => e.type === 'guardrail.fired')).toBe(true);
    expect(second.acknowledgement!.body).toMatch(/first time/i);
  });

  it('a VIP goes to their relationship manager; an avertable flag sends the case to a manager', async () => {
    if (!available) return;
    const rm = await ensureUser(t.database.db, clock, t.storeId, { email: 'rm@acme.test', name: 'Rita Manager', role: 'manager' });
    await ingest(customer('c-vip', { tags: ['vip'] }));
    const set = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/customers/c-vip/relationship-manager',
      headers: auth(t.tokens.manager),
      payload: { userId: rm.id },
    });
    expect(set.statusCode, set.body).toBe(200);
    await ingest(complain('c-vip', '2026-04-07T14:00:00Z', 'The lamp I received is not the one I ordered.'));
    let c = await caseOf('c-vip');
    expect(c).toMatchObject({ customerTier: 'vip', queue: 'vip', assigneeId: rm.id });
    expect(c.acknowledgement!.body).toContain('Rita');

    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${c.id}/avertable`,
      headers: auth(t.tokens.agent),
      payload: { avertable: true, reason: 'we picked from the wrong bin' },
    });
    expect(res.statusCode, res.body).toBe(200);
    c = await caseOf('c-vip');
    expect(c).toMatchObject({ avertable: true, queue: 'manager' });
    expect(c.guardrails.at(-1)).toMatchObject({ rule: 'avertable', reason: 'avertable: we picked from the wrong bin' });
    expect(c.guidance.join(' ')).toMatch(/without excuses/);
  });

  it('a low review opens a case; a good one does not', async () => {
    if (!available) return;
    await ingest(
      customer('c-review'),
      ev(
        'rv-1',
        'review.posted',
        {
          reviewId: 'rv-1',
          customerId: 'c-review',
          rating: 2,
          title: 'Disappointed',
          body: 'Poor quality: the seams came apart after one wash.',
        },
        '2026-04-08T12:00:00Z',
      ),
      ev('rv-2', 'review.posted', { reviewId: 'rv-2', customerId: 'c-review', rating: 5, body: 'Lovely!' }, '2026-04-08T12:05:00Z'),
    );
    const c = await caseOf('c-review');
    expect(c).toMatchObject({ channel: 'review', kind: 'quality_defect' });
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/cases?customerId=c-review', headers: auth(t.tokens.agent) });
    expect((list.json() as { cases: unknown[] }).cases).toHaveLength(1);
  });

  it('store settings refuse what a case would trip on, naming the field, and change nothing', async () => {
    if (!available) return;
    const put = (payload: unknown) =>
      t.app.inject({ method: 'PUT', url: '/api/v1/store/settings', headers: auth(t.tokens.manager), payload: payload as object });
    const cases: [unknown, string][] = [
      [{ businessHours: { timezone: 'Mars/Olympus' } }, 'businessHours.timezone'],
      [{ businessHours: { weekly: { mon: [{ start: '18:00', end: '09:00' }] } } }, 'businessHours.weekly.mon[0]'],
      [{ sla: { firstResponse: { urgent: -5 } } }, 'sla.firstResponse.urgent'],
      [{ routing: { rules: [{ when: {}, queue: 'general', assignTo: 'usr_nobody' }] } }, 'routing.rules[0].assignTo'],
      [{ templates: { 'en/ack': 'Hello {{#if customerName}}' } }, 'templates.en/ack'],
      [{ businessHours: { weekly: {} } }, 'businessHours.weekly'],
      [{ sla: { byChannel: { 'e-mail': { firstResponse: { urgent: 10 } } } } }, 'sla.byChannel'],
      [{ unknownThing: 1 }, ''],
    ];
    for (const [payload, path] of cases) {
      const res = await put(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect((res.json() as { error: { path?: string } }).error.path ?? '', JSON.stringify(payload)).toContain(path);
    }
    const agentTry = await t.app.inject({ method: 'PUT', url: '/api/v1/store/settings', headers: auth(t.tokens.agent), payload: {} });
    expect(agentTry.statusCode).toBe(403);
    const now = await t.app.inject({ method: 'GET', url: '/api/v1/store/settings', headers: auth(t.tokens.agent) });
    expect((now.json() as { settings: unknown }).settings).toEqual(settings);
  });

  it('POST /api/v1/triage labels text with evidence; /replies/check flags excuses with spans', async () => {
    if (!available) return;
    const tri = await t.app.inject({
      method: 'POST',
      url: '/api/v1/triage',
      headers: auth(t.tokens.agent),
      payload: { text: 'I was charged twice. If this is not fixed today I will file a chargeback with my bank.' },
    });
    expect(tri.statusCode, tri.body).toBe(200);
    const labels = tri.json() as { kind: { value: string }; legalOrPublicThreat: { value: boolean; evidence: { phrase?: string }[] } };
    expect(labels.kind.value).toBe('billing_error');
    expect(labels.legalOrPublicThreat.value).toBe(true);
    expect(labels.legalOrPublicThreat.evidence.map((e) => e.phrase?.toLowerCase())).toContain('chargeback');
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/triage', headers: auth(t.tokens.agent), payload: { subject: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: { path: string } }).error.path).toBe('text');

    const text = 'Sorry if you were upset, but our policy does not allow refunds.';
    const chk = await t.app.inject({ method: 'POST', url: '/api/v1/replies/check', headers: auth(t.tokens.agent), payload: { text } });
    expect(chk.statusCode, chk.body).toBe(200);
    const r = chk.json() as { ok: boolean; findings: { rule: string; span: [number, number] | null; suggestion: string }[] };
    expect(r.ok).toBe(false);
    const policy = r.findings.find((f) => f.rule === 'excuse' || f.rule === 'blame')!;
    expect(text.slice(...policy.span!).toLowerCase()).toBe('our policy');
    expect(r.findings.some((f) => f.rule === 'conditional_apology')).toBe(true);
  });

  it('answers in the language the customer wrote in, even when their profile says otherwise', async () => {
    if (!available) return;
    await ingest(
      customer('c-es-en', { locale: 'en-US' }),
      complain('c-es-en', '2026-04-06T15:00:00Z', 'Hola, mi pedido no ha llegado todavía y lo necesito para el viernes.'),
    );
    expect((await caseOf('c-es-en')).acknowledgement).toMatchObject({ locale: 'es' });
  });

  it('a first complaint about a late delivery is not a repeat failure of itself', async () => {
    if (!available) return;
    await ingest(
      customer('c-once'),
      ev(
        'o-once',
        'order.placed',
        { orderId: 'ONCE-1', customerId: 'c-once', total: usd(2_000), promisedBy: '2026-04-02T00:00:00Z' },
        '2026-03-28T10:00:00Z',
      ),
      ev(
        's-once',
        'shipment.created',
        { shipmentId: 'S-ONCE', orderId: 'ONCE-1', promisedBy: '2026-04-02T00:00:00Z' },
        '2026-03-29T10:00:00Z',
      ),
      ev(
        'd-once',
        'shipment.delivered',
        { shipmentId: 'S-ONCE', orderId: 'ONCE-1', deliveredAt: '2026-04-04T10:00:00Z' },
        '2026-04-04T10:00:00Z',
      ),
      complain('c-once', '2026-04-05T14:00:00Z', 'My parcel came two days late.'),
    );
    const c = await caseOf('c-once');
    expect(c.guardrails).toEqual([]);
    expect(c.queue).not.toBe('manager');
  });

  it('later words can only raise a case: a legal threat makes it critical, a manager case, with its priority band', async () => {
    if (!available) return;
    await ingest(customer('c-esc'), complain('c-esc', '2026-04-13T14:00:00Z', 'The toaster I got has a scratch on the side.'));
    const before = await caseOf('c-esc');
    expect(before.severity).toBeLessThan(4);
    await ingest(
      complain('c-esc', '2026-04-14T14:00:00Z', 'No answer yet. I have contacted my lawyer and I will file a chargeback with my bank.'),
    );
    const after = await caseOf('c-esc');
    expect(after.severity).toBe(4);
    expect(after.queue).toBe('manager');
    expect(after.guardrails.map((g) => g.rule)).toContain('critical_severity');
    expect(after.priority!.score).toBeGreaterThan(before.priority!.score);
    const bands = { urgent: 75, high: 50, normal: 25, low: 0 } as const;
    expect(after.priority!.score).toBeGreaterThanOrEqual(bands[after.priority!.level]);
    expect(after.timeline.some((e) => e.type === 'triage.updated')).toBe(true);
  });

  it('a customer writing again after resolution reopens the case with a fresh resolution clock', async () => {
    if (!available) return;
    await ingest(customer('c-reopen'), complain('c-reopen', '2026-04-15T14:00:00Z', 'The lid of my teapot is chipped.'));
    const c = await caseOf('c-reopen');
    clock.set('2026-04-15T15:00:00Z');
    for (const status of ['in_progress', 'resolved']) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${c.id}/status`,
        headers: auth(t.tokens.agent),
        payload: { status },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    await ingest(complain('c-reopen', '2026-04-16T14:00:00Z', 'The replacement lid is chipped too.'));
    const after = await caseOf('c-reopen');
    expect(after.status).toBe('reopened');
    expect(after.resolvedAt).toBeNull();
    expect(after.sla.find((x) => x.metric === 'resolution')).toMatchObject({ status: 'running', startedAt: '2026-04-16T14:00:00.000Z' });
  });

  it('the same review delivered again under another event id adds nothing to its case', async () => {
    if (!available) return;
    const review = { reviewId: 'rv-dup', customerId: 'c-rvdup', rating: 1, body: 'Arrived broken and nobody answered my email.' };
    await ingest(customer('c-rvdup'), ev('rv-dup-a', 'review.posted', review, '2026-04-17T12:00:00Z'));
    await ingest(ev('rv-dup-b', 'review.posted', review, '2026-04-17T12:00:00Z'));
    const c = await caseOf('c-rvdup');
    expect(c.messages.filter((m) => m.kind === 'inbound')).toHaveLength(1);
  });

  it("a store's own acknowledgement template is used for new cases", async () => {
    if (!available) return;
    const template =
      "Subject: We are on it, {{firstName}}\nHi {{firstName}}, I'm sorry {{problem}}. You will hear from me {{dueText}}.\n{{signature}}";
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/store/settings',
      headers: auth(t.tokens.manager),
      payload: { ...settings, templates: { 'en/ack': template } },
    });
    expect(res.statusCode, res.body).toBe(200);
    await ingest(customer('c-tpl'), complain('c-tpl', '2026-04-09T14:00:00Z', 'The kettle arrived with a cracked lid.'));
    const ack = (await caseOf('c-tpl')).acknowledgement!;
    expect(ack.template).toBe('store:en/ack');
    expect(ack.subject).toBe('We are on it, Maria');
    expect(ack.body).toMatch(/^Hi Maria, I'm sorry /);
    expect(ack.body).toContain('You will hear from me today by 12:00.');
  });
});
