import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail } from '../../src/cases/cases.service.ts';
import { type CommerceDriver, PermanentIssueError } from '../../src/compensation/commerce.ts';
import type { CompensationView, OffersForCase } from '../../src/compensation/compensations.service.ts';
import { runDueCompensations } from '../../src/compensation/compensations.service.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { defaultPolicyFile } from '../../src/policy/default-policy.ts';
import { createToken, ensureUser } from '../../src/stores/stores.service.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

const defaultSource = fs.readFileSync(defaultPolicyFile, 'utf8');

describe.each(engines)('compensation policy, authority and exactly-once remedies [%s]', (engine) => {
  let t: TestApp;
  const clock = new ManualClock('2026-06-01T12:00:00Z');
  const available = engineAvailable(engine);
  let managerUserToken: string;
  let secondAgentToken: string;

  beforeAll(async () => {
    if (!available) return;
    t = await buildTestApp(engine, { clock });
    const db = t.database.db;
    const sam = await ensureUser(db, clock, t.storeId, { email: 'sam@acme.test', name: 'Sam Manager', role: 'manager' });
    managerUserToken = (await createToken(db, clock, { storeId: t.storeId, role: 'manager', userId: sam.id })).token;
    const bo = await ensureUser(db, clock, t.storeId, { email: 'bo@acme.test', name: 'Bo Agent', role: 'agent' });
    secondAgentToken = (await createToken(db, clock, { storeId: t.storeId, role: 'agent', userId: bo.id })).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  const ingest = async (...events: unknown[]) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(t.tokens.manager), payload: { events } });
    expect(res.statusCode, res.body).toBeLessThan(300);
  };
  /** A customer with one order of `total` and a complaint about it; returns the case. */
  const caseFor = async (id: string, total: number, body: string, extra: { orders?: number; again?: string } = {}): Promise<CaseDetail> => {
    const n = extra.again ?? '';
    const events: unknown[] = [
      ev(`${id}-profile`, 'customer.upserted', { customerId: id, email: `${id}@example.com`, name: 'Maria Lopez' }, '2025-01-01T00:00:00Z'),
    ];
    for (let n = 1; n < (extra.orders ?? 1); n++) {
      events.push(
        ev(`${id}-old-${n}`, 'order.placed', { orderId: `${id}-old-${n}`, customerId: id, total: usd(3000) }, '2025-02-01T00:00:00Z'),
      );
    }
    events.push(
      ev(`${id}-order${n}`, 'order.placed', { orderId: `${id}-o${n}`, customerId: id, total: usd(total) }, '2026-05-20T00:00:00Z'),
      ev(
        `${id}-complaint${n}`,
        'complaint.received',
        { complaintId: `cmp-${id}${n}`, customerId: id, orderId: `${id}-o${n}`, channel: 'email', body },
        clock.now().toISOString(),
      ),
    );
    await ingest(...events);
    const list = await t.app.inject({ method: 'GET', url: `/api/v1/cases?customerId=${id}`, headers: auth(t.tokens.agent) });
    // Newest first.
    const caseId = (list.json() as { cases: { id: string }[] }).cases[0]!.id;
    return getCase(caseId);
  };
  const getCase = async (id: string): Promise<CaseDetail> => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: auth(t.tokens.agent) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const offers = async (caseId: string, token = t.tokens.agent): Promise<OffersForCase> => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}/offers`, headers: auth(token) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const grant = (caseId: string, offerId: string, key: string, token = t.tokens.agent, justification?: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/compensations`,
      headers: auth(token),
      payload: { offerId, idempotencyKey: key, ...(justification ? { justification } : {}) },
    });
  const compensationsOf = async (caseId: string): Promise<CompensationView[]> => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/compensations?caseId=${caseId}`, headers: auth(t.tokens.agent) });
    return (res.json() as { compensations: CompensationView[] }).compensations;
  };
  const audit = async (id: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/audit?subjectId=${id}`, headers: auth(t.tokens.manager) });
    expect(res.statusCode, res.body).toBe(200);
    return (
      res.json() as {
        entries: { action: string; actor: { type: string; id: string | null }; rule: string | null; before: unknown; after: unknown }[];
      }
    ).entries.reverse();
  };
  const activate = async (source: string) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/policy', headers: auth(t.tokens.admin), payload: { source } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { hash: string };
  };

  it('a late parcel gets its suggested offer with the rule and reasons, and Amends issues it by itself, once', async () => {
    if (!available) return;
    const c = await caseFor('c-late', 6000, 'My parcel is a week late and nobody tells me where it is.', { orders: 2 });
    expect(c.kind).toBe('delivery_late');
    const o = await offers(c.id);
    expect(o.policy.isDefault).toBe(true);
    expect(o.decision.rule.id).toBe('late-minor');
    expect(o.decision.reasons.some((r) => r.startsWith('rule late-minor'))).toBe(true);
    expect(o.decision.auto.issue).toBe(true);
    // Decided at triage, approved by the policy, issued by the worker after commit.
    let [comp] = await compensationsOf(c.id);
    expect(comp).toMatchObject({ status: 'approved', offerId: o.decision.offers[0]!.offerId, requestedBy: { type: 'system' } });
    expect(await runDueCompensations(t.ctx)).toBe(1);
    expect(await runDueCompensations(t.ctx)).toBe(0);
    [comp] = await compensationsOf(c.id);
    expect(comp!.status).toBe('issued');
    expect(comp!.code).toMatch(/^SORRY-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const codes = await t.database.db.selectFrom('discount_codes').selectAll().where('compensation_id', '=', comp!.id).execute();
    expect(codes).toHaveLength(1);
    // Visible to the customer on the case, and in the audit log.
    const after = await getCase(c.id);
    const told = after.messages.find((m) => m.template === 'en/remedy');
    expect(told?.body).toContain(comp!.code!);
    expect(told?.status).toBe('queued');
    expect((await audit(comp!.id)).map((e) => e.action)).toEqual(['compensation.approved', 'compensation.issued']);
    const row = await t.database.db.selectFrom('cases').select(['policy_version']).where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(row.policy_version).toBe(o.policy.hash);
  });

  it('an agent issues a refund within authority: recorded through the ledger, once, and told to the customer', async () => {
    if (!available) return;
    const c = await caseFor('c-damaged', 4000, 'The mug arrived broken into pieces.');
    const o = await offers(c.id);
    expect(o.decision.rule.id).toBe('not-received');
    const full = o.decision.offers.find((x) => x.offerId === 'refund_full')!;
    expect(full.approval.needed).toBe(false);
    const res = await grant(c.id, 'refund_full', 'k-damaged-1');
    expect(res.statusCode, res.body).toBe(201);
    const comp = res.json() as CompensationView;
    expect(comp).toMatchObject({ status: 'issued', amount: usd(4000), requestedBy: { type: 'user', id: t.agentUserId, role: 'agent' } });
    const again = await grant(c.id, 'refund_full', 'k-damaged-1');
    expect(again.statusCode).toBe(200);
    expect((again.json() as CompensationView).id).toBe(comp.id);
    const refunds = await t.database.db.selectFrom('refunds').selectAll().where('order_id', '=', 'c-damaged-o').execute();
    expect(refunds).toHaveLength(1);
    const order = await t.database.db
      .selectFrom('orders')
      .select(['refunded_amount'])
      .where('id', '=', 'c-damaged-o')
      .executeTakeFirstOrThrow();
    expect(Number(order.refunded_amount)).toBe(4000);
    const event = await t.database.db
      .selectFrom('events')
      .select(['source', 'type'])
      .where('id', '=', `refund-amends-${comp.id}`)
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ source: 'compensation', type: 'refund.recorded' });
    expect((await getCase(c.id)).messages.some((m) => m.template === 'en/remedy' && m.body.includes('40.00 USD'))).toBe(true);
    // Spent from the agent's allowance; the refund is no longer on offer.
    const allowance = await t.app.inject({ method: 'GET', url: '/api/v1/allowance', headers: auth(t.tokens.agent) });
    expect(allowance.json()).toMatchObject({ spent: 4000, limit: 200_000, remaining: 196_000, period: '2026-06' });
    expect((await offers(c.id)).decision.unavailable.find((u) => u.offerId === 'refund_full')?.reason).toMatch(/fully refunded/);
    // The same key for something else is a mistake, not a replay.
    const reused = await grant(c.id, 'replacement', 'k-damaged-1');
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error).toMatchObject({ code: 'idempotency_key_reused', path: 'idempotencyKey' });
  });

  it('above an agent’s authority a manager approves (not the requester, not an agent), then it is issued', async () => {
    if (!available) return;
    const c = await caseFor('c-big', 12_000, 'The espresso machine arrived with a cracked water tank.');
    const o = await offers(c.id);
    expect(o.decision.offers.find((x) => x.offerId === 'refund_full')!.approval).toMatchObject({ needed: true, approverRole: 'manager' });
    const res = await grant(c.id, 'refund_full', 'k-big-1');
    expect(res.statusCode, res.body).toBe(201);
    const pending = res.json() as CompensationView;
    expect(pending.status).toBe('pending_approval');
    expect(pending.approvalReasons.join()).toMatch(/over the agent per-case limit of 50\.00 USD/);
    const queue = await t.app.inject({
      method: 'GET',
      url: '/api/v1/compensations?status=pending_approval',
      headers: auth(t.tokens.manager),
    });
    expect((queue.json() as { compensations: CompensationView[] }).compensations.map((x) => x.id)).toContain(pending.id);
    const byAgent = await t.app.inject({
      method: 'POST',
      url: `/api/v1/compensations/${pending.id}/approve`,
      headers: auth(secondAgentToken),
      payload: {},
    });
    expect(byAgent.statusCode).toBe(403);
    const approved = await t.app.inject({
      method: 'POST',
      url: `/api/v1/compensations/${pending.id}/approve`,
      headers: auth(managerUserToken),
      payload: { reason: 'Second broken machine this month; make it right.' },
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'issued', decisionReason: 'Second broken machine this month; make it right.' });
    const twice = await t.app.inject({
      method: 'POST',
      url: `/api/v1/compensations/${pending.id}/approve`,
      headers: auth(managerUserToken),
      payload: {},
    });
    expect(twice.statusCode).toBe(409);
    const trail = await audit(pending.id);
    expect(trail.map((e) => e.action)).toEqual([
      'compensation.proposed',
      'compensation.approval_requested',
      'compensation.approved',
      'compensation.issued',
    ]);
    expect(trail[2]).toMatchObject({ actor: { type: 'user' }, before: { status: 'pending_approval' }, after: { status: 'approved' } });
    expect(trail[0]!.rule).toBe('not-received');
  });

  it('a rejected request is cancelled with its reason; the requester cannot approve their own', async () => {
    if (!available) return;
    const c = await caseFor('c-reject', 9_000, 'The package never arrived, the tracking says delivered.');
    const res = await grant(c.id, 'refund_full', 'k-reject-1', managerUserToken);
    // A manager may grant 90.00 alone.
    expect(res.json()).toMatchObject({ status: 'issued' });
    const c2 = await caseFor('c-reject2', 70_000, 'The package never arrived, the tracking says delivered.');
    const pending = (await grant(c2.id, 'refund_full', 'k-reject-2', managerUserToken)).json() as CompensationView;
    expect(pending).toMatchObject({ status: 'pending_approval', approverRole: 'admin' });
    const self = await t.app.inject({
      method: 'POST',
      url: `/api/v1/compensations/${pending.id}/approve`,
      headers: auth(managerUserToken),
      payload: {},
    });
    expect(self.statusCode).toBe(403);
    const noReason = await t.app.inject({
      method: 'POST',
      url: `/api/v1/compensations/${pending.id}/reject`,
      headers: auth(t.tokens.admin),
      payload: { reason: '' },
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.path).toBe('reason');
    const rejected = await t.app.inject({
      method: 'POST',
      url: `/api/v1/compensations/${pending.id}/reject`,
      headers: auth(t.tokens.admin),
      payload: { reason: 'Carrier claim first; offer a replacement.' },
    });
    expect(rejected.json()).toMatchObject({ status: 'cancelled', decisionReason: 'Carrier claim first; offer a replacement.' });
    expect((await audit(pending.id)).at(-1)!.action).toBe('compensation.rejected');
  });

  it('the per-case limit counts everything granted on the case', async () => {
    if (!available) return;
    const c = await caseFor('c-percase', 4800, 'The kettle arrived dented and leaking.');
    expect((await grant(c.id, 'refund_full', 'k-percase-1')).json()).toMatchObject({ status: 'issued', cost: usd(4800) });
    const o = await offers(c.id);
    expect(o.decision.onCase).toBe(4800);
    const more = (await grant(c.id, 'discount_10', 'k-percase-2')).json() as CompensationView;
    expect(more.status).toBe('pending_approval');
    expect(more.approvalReasons.join()).toMatch(/52\.80 USD with what the case already got is over the agent per-case limit of 50\.00 USD/);
  });

  it('refunds, replacements and refunds taken as credit never give back more than the order', async () => {
    if (!available) return;
    const c = await caseFor('c-overrefund', 12_000, 'The grinder stopped working after two days, the motor burns.');
    expect(c.kind).toBe('quality_defect');
    // A manager's request for a full refund is pending with an admin…
    const pending = (await grant(c.id, 'refund_full', 'k-over-1', secondAgentToken)).json() as CompensationView;
    expect(pending.status).toBe('pending_approval');
    // …so nothing else can be promised back from this order meanwhile.
    const second = await grant(c.id, 'refund_30', 'k-over-2');
    expect(second.statusCode).toBe(400);
    expect(second.json().error.message).toMatch(/fully refunded \(or promised back\)/);
    const c2 = await caseFor('c-credit-alt', 4000, 'The mug arrived broken.');
    expect((await grant(c2.id, 'refund_full+credit', 'k-over-3')).json()).toMatchObject({ status: 'issued', amount: usd(4400) });
    const cash = await grant(c2.id, 'refund_full', 'k-over-4');
    expect(cash.statusCode).toBe(400);
    expect((await offers(c2.id)).decision.unavailable.map((u) => u.offerId)).toEqual(
      expect.arrayContaining(['replacement', 'refund_full']),
    );
  });

  it('a request not yet tried can be cancelled by its requester and its allowance comes back; another store sees none of it', async () => {
    if (!available) return;
    const c = await caseFor('c-cancel', 9_000, 'The package never arrived.');
    const pending = (await grant(c.id, 'refund_full', 'k-cancel-1')).json() as CompensationView;
    expect(pending.status).toBe('pending_approval');
    const foreign = await t.app.inject({ method: 'GET', url: `/api/v1/compensations/${pending.id}`, headers: auth(t.other.token) });
    expect(foreign.statusCode).toBe(404);
    const foreignApprove = await t.app.inject({
      method: 'POST',
      url: `/api/v1/compensations/${pending.id}/approve`,
      headers: auth(t.other.token),
      payload: {},
    });
    expect(foreignApprove.statusCode).toBe(404);
    const byOther = await t.app.inject({
      method: 'POST',
      url: `/api/v1/compensations/${pending.id}/cancel`,
      headers: auth(secondAgentToken),
      payload: { reason: 'not mine' },
    });
    expect(byOther.statusCode).toBe(403);
    const cancelled = await t.app.inject({
      method: 'POST',
      url: `/api/v1/compensations/${pending.id}/cancel`,
      headers: auth(t.tokens.agent),
      payload: { reason: 'Customer found the parcel.' },
    });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', decisionReason: 'Customer found the parcel.' });

    // Approved by a manager (charged to the manager's allowance), then cancelled before issuing: the charge comes back.
    const spentBefore = (await t.app.inject({ method: 'GET', url: '/api/v1/allowance', headers: auth(managerUserToken) })).json()
      .spent as number;
    const real = t.ctx.commerce;
    t.ctx.commerce = () => ({
      name: 'local',
      issue: async () => {
        throw new Error('shop down');
      },
    });
    try {
      const c2 = await caseFor('c-cancel2', 9_000, 'The package never arrived.');
      const p2 = (await grant(c2.id, 'refund_full', 'k-cancel-2')).json() as CompensationView;
      const approved = await t.app.inject({
        method: 'POST',
        url: `/api/v1/compensations/${p2.id}/approve`,
        headers: auth(managerUserToken),
        payload: {},
      });
      expect(approved.json()).toMatchObject({ status: 'approved', attempts: 1, lastError: 'shop down' });
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/allowance', headers: auth(managerUserToken) })).json().spent).toBe(
        spentBefore + 9_000,
      );
      // Tried once at the shop: whether it went through is for a person to check, so it cannot simply be cancelled.
      const tooLate = await t.app.inject({
        method: 'POST',
        url: `/api/v1/compensations/${p2.id}/cancel`,
        headers: auth(managerUserToken),
        payload: { reason: 'changed my mind' },
      });
      expect(tooLate.statusCode).toBe(409);
    } finally {
      t.ctx.commerce = real;
    }
  });

  it('bad requests name the field and write nothing', async () => {
    if (!available) return;
    const c = await caseFor('c-bad', 5000, 'The item arrived damaged.');
    const before = (await compensationsOf(c.id)).length;
    const unknown = await grant(c.id, 'gold_bars', 'k-bad-1');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ code: 'offer_not_available', path: 'offerId' });
    const noKey = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${c.id}/compensations`,
      headers: auth(t.tokens.agent),
      payload: { offerId: 'refund_full' },
    });
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().error.path).toBe('idempotencyKey');
    const offCatalogue = await grant(c.id, 'refund_30', 'k-bad-3');
    expect(offCatalogue.statusCode).toBe(400);
    expect(offCatalogue.json().error).toMatchObject({ code: 'justification_required', path: 'justification' });
    const missing = await grant('case-nope', 'refund_full', 'k-bad-2');
    expect(missing.statusCode).toBe(404);
    expect((await compensationsOf(c.id)).length).toBe(before);
  });

  it('guardrail exceptions need a written justification, and an agent needs a manager for them', async () => {
    if (!available) return;
    const first = await caseFor('c-cool', 4000, 'The mug arrived broken.');
    expect((await grant(first.id, 'discount_10', 'k-cool-1')).json()).toMatchObject({ status: 'issued' });
    // More on the same case is the same recovery…
    expect((await offers(first.id)).decision.firings.map((f) => f.rule)).not.toContain('cool_down');
    // …but a compensation on another case inside the 14-day cool-down is an exception.
    clock.advance(3 * 86_400_000);
    const c = await caseFor('c-cool', 4000, 'The teapot arrived broken too.', { again: '-2' });
    expect(c.id).not.toBe(first.id);
    const o = await offers(c.id);
    expect(o.decision.firings.map((f) => f.rule)).toContain('cool_down');
    const bare = await grant(c.id, 'credit_10', 'k-cool-2');
    expect(bare.statusCode).toBe(400);
    expect(bare.json().error).toMatchObject({ code: 'justification_required', path: 'justification' });
    const justified = await grant(c.id, 'credit_10', 'k-cool-2', t.tokens.agent, 'The first code did not cover the broken mug itself.');
    expect(justified.json()).toMatchObject({
      status: 'pending_approval',
      approverRole: 'manager',
      justification: 'The first code did not cover the broken mug itself.',
    });
  });

  it('two grants racing on two cases of one customer cannot both skip the cool-down', async () => {
    if (!available) return;
    const a = await caseFor('c-twin', 4000, 'The mug arrived broken.');
    const b = await caseFor('c-twin', 4000, 'The teapot arrived broken as well.', { again: '-2' });
    expect(a.id).not.toBe(b.id);
    const [ra, rb] = await Promise.all([grant(a.id, 'discount_10', 'k-twin-a'), grant(b.id, 'discount_10', 'k-twin-b', secondAgentToken)]);
    // Whichever is decided second sees the first (issued, or pending a manager on the repeat-failure case) and
    // needs a written justification; without the per-customer decision both would go through.
    const outcomes = [ra, rb].map((r) => (r.statusCode === 201 ? (r.json() as CompensationView).status : r.json().error.code));
    expect(outcomes.filter((o) => o === 'justification_required')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'issued' || o === 'pending_approval')).toHaveLength(1);
  });

  it('50 concurrent requests with one key issue one remedy', async () => {
    if (!available) return;
    const c = await caseFor('c-dupe', 3000, 'My order arrived with the wrong item inside.');
    const responses = await Promise.all(Array.from({ length: 50 }, () => grant(c.id, 'refund_full', 'k-dupe')));
    expect(
      responses.map((r) => r.statusCode).filter((s) => s !== 200 && s !== 201),
      responses.find((r) => r.statusCode >= 300)?.body,
    ).toEqual([]);
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(new Set(responses.map((r) => (r.json() as CompensationView).id)).size).toBe(1);
    await runDueCompensations(t.ctx);
    const comps = (await compensationsOf(c.id)).filter((x) => x.offerId === 'refund_full');
    expect(comps).toHaveLength(1);
    expect(comps[0]!.status).toBe('issued');
    const refunds = await t.database.db.selectFrom('refunds').selectAll().where('order_id', '=', 'c-dupe-o').execute();
    expect(refunds).toHaveLength(1);
  });

  it('an invalid policy is refused with line and column; a valid one is versioned and decides new cases', async () => {
    if (!available) return;
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/policy',
      headers: auth(t.tokens.admin),
      payload: {
        source: defaultSource.replace('offers: [refund_15, expedite, discount_20]', 'offers: [refund_99, expedite, discount_20]'),
      },
    });
    expect(bad.statusCode).toBe(400);
    const err = bad.json().error as { code: string; path: string; errors: { line: number; column: number; message: string }[] };
    expect(err.code).toBe('invalid_policy');
    expect(err.path).toBe('matrix[1].offers[0]');
    const line = defaultSource.split('\n').findIndex((l) => l.includes('offers: [refund_15, expedite, discount_20]')) + 1;
    expect(err.errors[0]).toMatchObject({ line, message: 'unknown offer "refund_99" (not in offers)' });
    const agentTry = await t.app.inject({
      method: 'POST',
      url: '/api/v1/policy',
      headers: auth(t.tokens.agent),
      payload: { source: defaultSource },
    });
    expect(agentTry.statusCode).toBe(403);

    const stricter = defaultSource
      .replace('auto: { perCase: 25.00 }', 'auto: { perCase: 1.00 }')
      .replace('name: Amends default', 'name: Stricter');
    const v = await activate(stricter);
    const c = await caseFor('c-after', 6000, 'My parcel is late again, it should have been here on Monday.', { orders: 2 });
    const row = await t.database.db
      .selectFrom('cases')
      .select(['policy_version', 'offer_decision'])
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row.policy_version).toBe(v.hash);
    expect(JSON.parse(row.offer_decision!).auto.issue).toBe(false);
    expect(await compensationsOf(c.id)).toHaveLength(0);
    const versions = await t.app.inject({ method: 'GET', url: '/api/v1/policy/versions', headers: auth(t.tokens.manager) });
    expect((versions.json() as { versions: { hash: string; name: string }[] }).versions[0]).toMatchObject({
      hash: v.hash,
      name: 'Stricter',
    });
    expect((await audit(v.hash))[0]).toMatchObject({ action: 'policy.activated' });
    await activate(defaultSource);
  });

  it('the allowance cannot be overspent: 50 parallel grants race for the last 100.00', async () => {
    if (!available) return;
    // No cool-down, no lifetime-value cap, no abuse rule: only the allowance decides.
    const racing = defaultSource
      .replace(
        'agent: { perCase: 50.00, allowance: 2000.00, period: month }',
        'agent: { perCase: 1000.00, allowance: 100.00, period: day }',
      )
      .replace('manager: { perCase: 500.00,', 'manager: { perCase: 5000.00,')
      .replace(
        'lifetimeValueCap: { share: 0.3, floor: 25.00, windowDays: 365 }',
        'lifetimeValueCap: { share: 10, floor: 100000.00, windowDays: 365 }',
      )
      .replace('coolDownDays: 14', 'coolDownDays: 0')
      .replace('abuse: { claims: 4, windowDays: 90 }', 'abuse: { claims: 1000, windowDays: 90 }');
    await activate(racing);
    const c = await caseFor('c-race', 5000, 'I was charged twice for the same order.');
    expect((await offers(c.id, secondAgentToken)).allowance).toMatchObject({ limit: 10_000, spent: 0 });
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => grant(c.id, 'credit_10', `k-race-${i}`, secondAgentToken)));
    expect(responses.every((r) => r.statusCode === 201)).toBe(true);
    const statuses = responses.map((r) => (r.json() as CompensationView).status);
    expect(statuses.filter((s) => s === 'issued')).toHaveLength(10);
    expect(statuses.filter((s) => s === 'pending_approval')).toHaveLength(40);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/allowance', headers: auth(secondAgentToken) });
    expect(after.json()).toMatchObject({ limit: 10_000, spent: 10_000, remaining: 0 });
    const credit = await t.database.db
      .selectFrom('store_credit_ledger')
      .select((eb) => eb.fn.sum<number>('amount').as('total'))
      .where('customer_id', '=', 'c-race')
      .executeTakeFirstOrThrow();
    expect(Number(credit.total)).toBe(10_000);
    await activate(defaultSource);
  });

  it('a transient driver failure is retried with backoff; a permanent one fails and gives the allowance back', async () => {
    if (!available) return;
    const real = t.ctx.commerce;
    let failures = 1;
    let calls = 0;
    const flaky = (storeId: string): CommerceDriver => ({
      name: 'local',
      async issue(req) {
        calls++;
        if (failures-- > 0) throw new Error('shop timed out');
        return real(storeId).issue(req);
      },
    });
    t.ctx.commerce = flaky;
    try {
      const c = await caseFor('c-flaky', 4000, 'The mug arrived broken.');
      const first = (await grant(c.id, 'refund_full', 'k-flaky')).json() as CompensationView;
      expect(first).toMatchObject({ status: 'approved', attempts: 1, lastError: 'shop timed out' });
      expect(await runDueCompensations(t.ctx)).toBe(0); // not due for 30 s
      clock.advance(31_000);
      expect(await runDueCompensations(t.ctx)).toBe(1);
      const [done] = (await compensationsOf(c.id)).filter((x) => x.id === first.id);
      expect(done).toMatchObject({ status: 'issued', attempts: 2 });
      expect(calls).toBe(2);

      t.ctx.commerce = () => ({
        name: 'local',
        issue: async () => {
          throw new PermanentIssueError('order already refunded in the shop', 'already_refunded');
        },
      });
      const before = (await t.app.inject({ method: 'GET', url: '/api/v1/allowance', headers: auth(secondAgentToken) })).json()
        .spent as number;
      const c2 = await caseFor('c-perm', 4000, 'The mug arrived broken.');
      const failed = (await grant(c2.id, 'refund_full', 'k-perm', secondAgentToken)).json() as CompensationView;
      expect(failed).toMatchObject({ status: 'failed', lastError: 'order already refunded in the shop' });
      const after = (await t.app.inject({ method: 'GET', url: '/api/v1/allowance', headers: auth(secondAgentToken) })).json()
        .spent as number;
      expect(after).toBe(before);
    } finally {
      t.ctx.commerce = real;
    }
  });

  it('a compensation left issuing by a crashed process is finished once: one code, one message', async () => {
    if (!available) return;
    const real = t.ctx.commerce;
    // The shop creates the code but the answer never comes back (a timeout), and then the process dies mid-retry.
    let shopDidIt: Promise<unknown> | undefined;
    t.ctx.commerce = (storeId) => ({
      name: 'local',
      issue: async (req) => {
        shopDidIt = real(storeId).issue(req);
        await shopDidIt;
        throw new Error('timed out waiting for the shop');
      },
    });
    let comp: CompensationView;
    let c: CaseDetail;
    try {
      c = await caseFor('c-crash', 4000, 'The mug arrived broken.');
      comp = (await grant(c.id, 'discount_10', 'k-crash')).json() as CompensationView;
      expect(comp).toMatchObject({ status: 'approved', attempts: 1 });
      await shopDidIt;
    } finally {
      t.ctx.commerce = real;
    }
    const created = await t.database.db.selectFrom('discount_codes').selectAll().where('compensation_id', '=', comp.id).execute();
    expect(created).toHaveLength(1);
    // The second attempt claimed it and died: its lease is all that is left.
    await t.database.db
      .updateTable('compensations')
      .set({ status: 'issuing', attempts: 2, lease_until: clock.now().toISOString() })
      .where('id', '=', comp.id)
      .execute();
    clock.advance(120_000);
    expect(await runDueCompensations(t.ctx)).toBe(1);
    expect(await runDueCompensations(t.ctx)).toBe(0);
    const [after] = (await compensationsOf(c.id)).filter((x) => x.id === comp.id);
    expect(after).toMatchObject({ status: 'issued', code: created[0]!.code, attempts: 3 });
    const codes = await t.database.db.selectFrom('discount_codes').selectAll().where('compensation_id', '=', comp.id).execute();
    expect(codes).toHaveLength(1);
    const told = (await getCase(c.id)).messages.filter((m) => m.template === 'en/remedy');
    expect(told).toHaveLength(1);
    expect((await audit(comp.id)).filter((e) => e.action === 'compensation.issued')).toHaveLength(1);
  });

  it('the audit log is append-only in the database itself', async () => {
    if (!available) return;
    await expect(sql`update audit_log set action = 'tampered'`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(t.database.db)).rejects.toThrow(/append-only/);
    if (engine === 'postgres') await expect(sql`truncate audit_log`.execute(t.database.db)).rejects.toThrow(/append-only/);
  });
});
