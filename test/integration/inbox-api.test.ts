/**
 * The inbox from the server: each queue (`view`) holds exactly its cases, `sort=priority` orders them, both
 * sorts page by keyset with no gap or repeat (also while cases are added mid-walk), `/cases/queues` counts
 * what the lists hold, bad input names its field, and another store's cases never show. Then the composer's
 * reply suggestions: the customer's language and first name, the issued remedy named in the resolution text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../src/cases/cases.service.ts';
import { runDueCompensations } from '../../src/compensation/compensations.service.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { ensureUser } from '../../src/stores/stores.service.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

const NOW = '2026-04-01T12:00:00.000Z';
const HOUR = 3_600_000;
const at = (hoursFromNow: number) => new Date(Date.parse(NOW) + hoursFromNow * HOUR).toISOString();
const views = ['mine', 'unassigned', 'vip', 'breaching', 'approval', 'proactive'] as const;
type View = (typeof views)[number];
const openStatuses = ['new', 'acknowledged', 'in_progress', 'waiting_on_customer', 'reopened'];

/** A small deterministic generator, so the fixture is varied but the same on every run and engine. */
function lcg(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor(s / 65_536) % n; // the low bits of this generator repeat quickly
  };
}

interface Fixture {
  id: string;
  status: string;
  source: 'reactive' | 'proactive';
  assignee: 'me' | 'bo' | null;
  priority: 'urgent' | 'high' | 'normal' | 'low' | null;
  score: number | null;
  tier: 'vip' | 'loyal' | 'new' | null;
  queue: 'vip' | 'general' | 'manager' | null;
  firstResponseDue: string | null;
  resolutionDue: string | null;
  firstRespondedAt: string | null;
  createdAt: string;
}

function fixtures(): Fixture[] {
  const r = lcg(7);
  const statuses = [...openStatuses, 'in_progress', 'acknowledged', 'resolved', 'closed'];
  const levels = ['urgent', 'high', 'normal', 'normal', 'low', null] as const;
  const dues = [null, at(-5), at(-0.5), at(1), at(1.99), at(2.01), at(6), at(30)];
  const out: Fixture[] = [];
  for (let i = 0; i < 46; i++) {
    const priority = levels[r(levels.length)]!;
    const responded = r(3) === 0;
    out.push({
      id: `c-${String(i).padStart(2, '0')}`,
      status: statuses[r(statuses.length)]!,
      source: r(4) === 0 ? 'proactive' : 'reactive',
      assignee: (['me', 'bo', null, null] as const)[r(4)]!,
      priority,
      // Few distinct scores, so ties fall through to the SLA due and the age.
      score: priority === null ? null : [40, 55, 55, 70][r(4)]!,
      tier: (['vip', 'loyal', 'new', null] as const)[r(4)]!,
      queue: (['vip', 'general', 'general', 'manager', null] as const)[r(5)]!,
      firstResponseDue: dues[r(dues.length)]!,
      resolutionDue: dues[r(dues.length)]!,
      firstRespondedAt: responded ? at(-10) : null,
      // Pairs of cases share a creation instant: the id breaks the tie.
      createdAt: at(-48 + Math.floor(i / 2)),
    });
  }
  return out;
}

/** The views and the order, written out again here from the words, to check the SQL against. */
function nextDue(c: CaseSummary): string | null {
  if (c.status === 'resolved' || c.status === 'closed') return null;
  if (!c.firstRespondedAt && c.due.firstResponse) return c.due.firstResponse;
  return c.due.resolution;
}
function inView(v: View, c: CaseSummary, me: string, pending: Set<string>): boolean {
  switch (v) {
    case 'mine':
      return c.assigneeId === me;
    case 'unassigned':
      return c.assigneeId === null;
    case 'vip':
      return c.customerTier === 'vip' || c.queue === 'vip';
    case 'breaching': {
      const d = nextDue(c);
      return d !== null && Date.parse(d) < Date.parse(NOW) + 2 * HOUR;
    }
    case 'approval':
      return pending.has(c.id);
    case 'proactive':
      return c.source === 'proactive';
  }
}
const rank: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };
function byPriority(a: CaseSummary, b: CaseSummary): number {
  const ra = a.priority ? rank[a.priority.level]! : 4;
  const rb = b.priority ? rank[b.priority.level]! : 4;
  if (ra !== rb) return ra - rb;
  const sa = a.priority?.score ?? -1;
  const sb = b.priority?.score ?? -1;
  if (sa !== sb) return sb - sa;
  const da = nextDue(a);
  const db = nextDue(b);
  if (da !== db) {
    if (da === null) return 1;
    if (db === null) return -1;
    return Date.parse(da) - Date.parse(db);
  }
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : 1;
}
const byNewest = (a: CaseSummary, b: CaseSummary) =>
  a.createdAt !== b.createdAt ? (a.createdAt > b.createdAt ? -1 : 1) : a.id > b.id ? -1 : 1;

describe.each(engines)('inbox queues, priority order and counts [%s]', (engine) => {
  let t: TestApp;
  const clock = new ManualClock(NOW);
  const available = engineAvailable(engine);
  let boId: string;
  /** Every fixture case as the API shows it. */
  let every: CaseSummary[];
  /** Cases with a compensation pending approval (in this store). */
  const pending = new Set(
    fixtures()
      .filter((_, i) => i % 4 === 1)
      .map((f) => f.id),
  );

  const insertCase = async (storeId: string, f: Fixture, number: number) => {
    await t.database.db
      .insertInto('cases')
      .values({
        store_id: storeId,
        id: f.id,
        number,
        status: f.status,
        source: f.source,
        channel: f.source === 'proactive' ? null : 'email',
        customer_id: null,
        order_id: null,
        complaint_id: null,
        subject: `Case ${f.id}`,
        assignee_id: f.assignee === 'me' ? t.agentUserId : f.assignee === 'bo' ? boId : null,
        opened_by_event: null,
        created_at: f.createdAt,
        updated_at: f.createdAt,
        resolved_at: f.status === 'resolved' || f.status === 'closed' ? at(-1) : null,
        closed_at: f.status === 'closed' ? at(-1) : null,
        priority: f.priority,
        priority_score: f.score,
        customer_tier: f.tier,
        queue: f.queue,
        first_response_due_at: f.firstResponseDue,
        resolution_due_at: f.resolutionDue,
        first_responded_at: f.firstRespondedAt,
      })
      .execute();
  };
  const insertCompensation = async (storeId: string, caseId: string, status: string, n: number) => {
    await t.database.db
      .insertInto('compensations')
      .values({
        store_id: storeId,
        id: `comp-${storeId}-${n}`,
        idempotency_key: `key-${storeId}-${n}`,
        case_id: caseId,
        customer_id: null,
        order_id: null,
        offer_id: 'refund_full',
        kind: 'refund_full',
        label: 'A full refund',
        amount: 5000,
        percent_off: null,
        points: null,
        valid_days: null,
        cost: 5000,
        currency: 'USD',
        status,
        policy_version: 'test',
        rule_id: 'test',
        requested_by_type: 'user',
        requested_by_id: t.agentUserId,
        requested_role: 'agent',
        justification: null,
        approver_role: 'manager',
        decided_by: null,
        decided_at: null,
        decision_reason: null,
        allowance_user_id: null,
        allowance_period: null,
        driver: null,
        next_attempt_at: null,
        lease_until: null,
        last_error: null,
        reference: null,
        code: null,
        issued_amount: null,
        issued_at: null,
        created_at: at(-2),
        updated_at: at(-2),
      })
      .execute();
  };

  beforeAll(async () => {
    if (!available) return;
    t = await buildTestApp(engine, { clock });
    boId = (await ensureUser(t.database.db, clock, t.storeId, { email: 'bo@acme.test', name: 'Bo', role: 'agent' })).id;
    const all = fixtures();
    for (const [i, f] of all.entries()) await insertCase(t.storeId, f, i + 1);
    let n = 0;
    for (const id of pending) await insertCompensation(t.storeId, id, 'pending_approval', n++);
    // Settled or not yet asked: not waiting for anyone.
    await insertCompensation(t.storeId, 'c-00', 'approved', n++);
    await insertCompensation(t.storeId, 'c-02', 'cancelled', n++);
    // Another store: cases that would be in every view, one with the same id as one of ours (not pending) and a pending compensation.
    const foreign = (id: string, createdAt: string): Fixture => ({
      id,
      status: 'new',
      source: 'proactive',
      assignee: null,
      priority: 'urgent',
      score: 99,
      tier: 'vip',
      queue: 'vip',
      firstResponseDue: at(-1),
      resolutionDue: at(1),
      firstRespondedAt: null,
      createdAt,
    });
    await insertCase('other', foreign('c-02', at(-1)), 1);
    await insertCase('other', foreign('x-other', at(-0.5)), 2);
    await insertCompensation('other', 'c-02', 'pending_approval', n++);
    every = await walk('', 200);
    expect(every).toHaveLength(all.length);
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string, token = t.tokens.agent) => t.app.inject({ method: 'GET', url, headers: auth(token) });
  /** Every page of a listing, `limit` at a time, checking each page's size and that pages continue. */
  async function walk(query: string, limit: number, token = t.tokens.agent, between?: (page: number) => Promise<void>) {
    const out: CaseSummary[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 200; page++) {
      const q = [query, `limit=${limit}`, cursor ? `cursor=${encodeURIComponent(cursor)}` : ''].filter(Boolean).join('&');
      const res = await get(`/api/v1/cases?${q}`, token);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { cases: CaseSummary[]; nextCursor: string | null };
      expect(body.cases.length).toBeLessThanOrEqual(limit);
      if (body.nextCursor) expect(body.cases).toHaveLength(limit);
      out.push(...body.cases);
      cursor = body.nextCursor;
      if (!cursor) return out;
      await between?.(page);
    }
    throw new Error('paging did not end');
  }
  const ids = (cs: CaseSummary[]) => cs.map((c) => c.id);
  const open = () => every.filter((c) => openStatuses.includes(c.status));
  const status = `status=${openStatuses.join(',')}`;

  it.runIf(available)('the fixture covers every view and the priority ties', () => {
    for (const v of views) expect(open().filter((c) => inView(v, c, t.agentUserId, pending)).length, v).toBeGreaterThan(4);
    // Breaching has cases on both sides of the 2-hour line and overdue ones.
    expect(open().some((c) => nextDue(c) === at(1.99))).toBe(true);
    expect(open().some((c) => nextDue(c) === at(2.01))).toBe(true);
    const key = (c: CaseSummary) => `${c.priority?.level}/${c.priority?.score}`;
    const groups = new Map<string, number>();
    for (const c of open()) groups.set(key(c), (groups.get(key(c)) ?? 0) + 1);
    expect([...groups.values()].some((n) => n >= 3)).toBe(true);
  });

  it.runIf(available)('each view holds exactly its open cases, in priority order, over several pages of 4', async () => {
    for (const v of views) {
      const expected = open()
        .filter((c) => inView(v, c, t.agentUserId, pending))
        .sort(byPriority);
      const got = await walk(`view=${v}&sort=priority&${status}`, 4);
      expect(got.length, v).toBeGreaterThan(4);
      expect(ids(got), v).toEqual(ids(expected));
    }
    const all = await walk(`sort=priority&${status}`, 4);
    expect(ids(all)).toEqual(ids([...open()].sort(byPriority)));
    // Urgent first, untriaged last.
    expect(all[0]!.priority?.level).toBe('urgent');
    expect(all.at(-1)!.priority).toBeNull();
  });

  it.runIf(available)('views page newest first too, and combine with a status filter', async () => {
    for (const v of views) {
      const expected = open()
        .filter((c) => inView(v, c, t.agentUserId, pending))
        .sort(byNewest);
      expect(ids(await walk(`view=${v}&${status}`, 3)), v).toEqual(ids(expected));
    }
    // Resolved cases are never breaching (their clocks are met), whatever their due instants say.
    const done = every.filter((c) => c.status === 'resolved' || c.status === 'closed');
    expect(done.some((c) => c.due.firstResponse !== null && Date.parse(c.due.firstResponse) < Date.parse(NOW))).toBe(true);
    expect(await walk('view=breaching&status=resolved,closed', 5)).toEqual([]);
    expect(ids(await walk('view=unassigned&status=resolved,closed&sort=priority', 2))).toEqual(
      ids(done.filter((c) => c.assigneeId === null).sort(byPriority)),
    );
  });

  it.runIf(available)('the queue counts equal the lengths of the lists, for each caller', async () => {
    const res = await get('/api/v1/cases/queues');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { counts: Record<string, number>; statuses: string[]; at: string };
    expect(body.statuses).toEqual(openStatuses);
    expect(body.at).toBe(NOW);
    expect(body.counts.all).toBe(open().length);
    for (const v of views) {
      expect(body.counts[v], v).toBe((await walk(`view=${v}&${status}`, 50)).length);
      expect(body.counts[v], v).toBe(open().filter((c) => inView(v, c, t.agentUserId, pending)).length);
    }
    const closed = (await get('/api/v1/cases/queues?status=resolved,closed')).json() as { counts: Record<string, number> };
    expect(closed.counts.all).toBe(every.length - open().length);
    expect(closed.counts.unassigned).toBe((await walk('view=unassigned&status=resolved,closed', 50)).length);
    expect(closed.counts.breaching).toBe(0);
    // A token with no user has no "mine".
    const manager = (await get('/api/v1/cases/queues', t.tokens.manager)).json() as { counts: Record<string, number> };
    expect(manager.counts.mine).toBe(0);
    expect(manager.counts.unassigned).toBe(body.counts.unassigned);
    expect(await walk(`view=mine&${status}`, 50, t.tokens.manager)).toEqual([]);
  });

  it.runIf(available)('breaching moves with the clock', async () => {
    const before = (await get('/api/v1/cases/queues')).json().counts.breaching as number;
    clock.set(at(0.5)); // 01:59 and 02:01 from the old now both fall inside the window now
    try {
      const after = (await get('/api/v1/cases/queues')).json().counts.breaching as number;
      const expected = open().filter((c) => {
        const d = nextDue(c);
        return d !== null && Date.parse(d) < Date.parse(at(2.5));
      }).length;
      expect(after).toBe(expected);
      expect(after).toBeGreaterThan(before);
    } finally {
      clock.set(NOW);
    }
  });

  it.runIf(available)('keyset paging neither skips nor repeats a case when cases are added mid-walk', async () => {
    const expected = [...open()].sort(byPriority);
    let added = 0;
    const got = await walk(`sort=priority&${status}`, 5, t.tokens.agent, async (page) => {
      if (page !== 1) return;
      // After two pages: one case that sorts before the cursor (not seen in this walk), one after it (seen at its place).
      await insertCase(t.storeId, { ...fixtures()[0]!, id: 'z-first', status: 'new', priority: 'urgent', score: 100 }, 900);
      await insertCase(
        t.storeId,
        {
          ...fixtures()[0]!,
          id: 'z-last',
          status: 'new',
          priority: null,
          score: null,
          firstResponseDue: null,
          resolutionDue: null,
          createdAt: at(1),
        },
        901,
      );
      added = 2;
    });
    expect(added).toBe(2);
    expect(new Set(ids(got)).size).toBe(got.length);
    expect(ids(got)).toEqual([...ids(expected), 'z-last']);

    const newest = [...open()].sort(byNewest);
    const walked = await walk(status, 6, t.tokens.agent, async (page) => {
      if (page !== 0) return;
      await insertCase(t.storeId, { ...fixtures()[0]!, id: 'z-new', status: 'new', createdAt: at(1) }, 902);
      await insertCase(t.storeId, { ...fixtures()[0]!, id: 'z-old', status: 'new', createdAt: at(-100) }, 903);
    });
    const withoutAdded = ids(walked).filter((id) => !id.startsWith('z-'));
    expect(withoutAdded).toEqual(ids(newest));
    expect(ids(walked)).not.toContain('z-new');
    expect(ids(walked).at(-1)).toBe('z-old');
    expect(new Set(ids(walked)).size).toBe(walked.length);
    await t.database.db.deleteFrom('cases').where('store_id', '=', t.storeId).where('id', 'like', 'z-%').execute();
  });

  it.runIf(available)('bad view, sort, status or cursor is a 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['/api/v1/cases?view=everything', 'view'],
      ['/api/v1/cases?sort=oldest', 'sort'],
      ['/api/v1/cases/queues?status=open', 'status'],
      ['/api/v1/cases?sort=priority&cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ];
    for (const [url, field] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.path.split('[')[0], url).toBe(field);
      expect(res.json().error.message, url).toContain(field === 'cursor' ? 'cursor' : field);
    }
    // A cursor belongs to its sort.
    const newest = (await get(`/api/v1/cases?limit=2&${status}`)).json() as { nextCursor: string };
    const priority = (await get(`/api/v1/cases?limit=2&sort=priority&${status}`)).json() as { nextCursor: string };
    expect((await get(`/api/v1/cases?sort=priority&cursor=${newest.nextCursor}`)).statusCode).toBe(400);
    const wrong = await get(`/api/v1/cases?cursor=${priority.nextCursor}`);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.path).toBe('cursor');
    // A forged key of the right shape but wrong values is refused, not sent to the database (PostgreSQL would fail).
    const forged = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const key of [
      ['p', 1.5, -10, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'x'],
      ['p', 1, 1e300, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'x'],
      ['p', 1, -10, 'tomorrow', '2026-01-01T00:00:00.000Z', 'x'],
    ]) {
      const res = await get(`/api/v1/cases?sort=priority&cursor=${forged(key)}`);
      expect(res.statusCode, JSON.stringify(key)).toBe(400);
      expect(res.json().error.path).toBe('cursor');
    }
  });

  it.runIf(available)("another store's cases never appear, and its compensations put none of ours in approval", async () => {
    for (const v of views) {
      const got = await walk(`view=${v}&sort=priority`, 50);
      expect(ids(got), v).not.toContain('x-other');
    }
    const approval = ids(await walk('view=approval', 50));
    expect(approval).not.toContain('c-02');
    expect(new Set(approval)).toEqual(pending);
    // The other store sees only its own two, and its own counts.
    const theirs = await walk('view=vip&sort=priority', 50, t.other.token);
    // Same level, score and due: the older first.
    expect(ids(theirs)).toEqual(['c-02', 'x-other']);
    const counts = (await get('/api/v1/cases/queues', t.other.token)).json() as { counts: Record<string, number> };
    expect(counts.counts).toEqual({ all: 2, mine: 0, unassigned: 2, vip: 2, breaching: 2, approval: 1, proactive: 2 });
  });
});

describe.each(engines)('reply suggestions [%s]', (engine) => {
  let t: TestApp;
  const clock = new ManualClock('2026-06-01T12:00:00Z');
  const available = engineAvailable(engine);
  let caseId: string;

  type Suggestion = { id: string; kind: string; label: string; locale: string; text: string };
  const suggestions = async (id = caseId, token = t.tokens.agent) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${id}/reply-suggestions`, headers: auth(token) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { locale: string; suggestions: Suggestion[] };
  };

  beforeAll(async () => {
    if (!available) return;
    t = await buildTestApp(engine, { clock });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: auth(t.tokens.manager),
      payload: {
        events: [
          ev(
            'maria',
            'customer.upserted',
            { customerId: 'c-maria', email: 'maria@example.com', name: 'María García', locale: 'es' },
            '2025-01-01T00:00:00Z',
          ),
          ev('o-77', 'order.placed', { orderId: '77', customerId: 'c-maria', total: usd(8000) }, '2026-05-20T00:00:00Z'),
          ev(
            'cmp-77',
            'complaint.received',
            {
              complaintId: 'cmp-77',
              customerId: 'c-maria',
              orderId: '77',
              channel: 'email',
              body: 'Hola, mi pedido llegó roto y la taza está rota. Necesito una solución, por favor.',
            },
            '2026-06-01T11:00:00Z',
          ),
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/cases?customerId=c-maria', headers: auth(t.tokens.agent) });
    caseId = (list.json() as { cases: { id: string }[] }).cases[0]!.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it.runIf(available)("saved replies come in the customer's language with her first name, the order and the agent's name", async () => {
    const s = await suggestions();
    expect(s.locale).toBe('es');
    const saved = s.suggestions.filter((x) => x.kind === 'saved');
    expect(saved.map((x) => x.id)).toEqual(['saved:es/ask-photo', 'saved:es/tracking-update', 'saved:es/remedy-done']);
    expect(saved.every((x) => x.locale === 'es')).toBe(true);
    const photo = saved.find((x) => x.id === 'saved:es/ask-photo')!;
    expect(photo.label).toBe('Pedir una foto');
    expect(photo.text.startsWith('Hola María:')).toBe(true);
    expect(photo.text.endsWith('Ada Agent')).toBe(true);
    expect(saved.find((x) => x.id === 'saved:es/tracking-update')!.text).toContain('su pedido #77');
    // A token with no user signs as the store's team.
    const team = (await suggestions(caseId, t.tokens.manager)).suggestions.find((x) => x.id === 'saved:es/ask-photo')!;
    expect(team.text.endsWith('El equipo de Acme Goods')).toBe(true);
  });

  it.runIf(available)('the acknowledgement is suggested until a person replies; the resolution names the issued remedy', async () => {
    let s = await suggestions();
    const ack = s.suggestions.find((x) => x.kind === 'acknowledgement');
    const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}`, headers: auth(t.tokens.agent) })).json() as {
      acknowledgement: { body: string } | null;
    };
    expect(detail.acknowledgement).not.toBeNull();
    expect(ack).toMatchObject({ id: 'acknowledgement', locale: 'es', text: detail.acknowledgement!.body });

    // Before anything is issued, the policy's first offer is the suggested resolution.
    const offers = (await t.app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}/offers`, headers: auth(t.tokens.agent) })).json() as {
      decision: { offers: { offerId: string; label: string; approval: { needed: boolean } }[] };
    };
    const first = offers.decision.offers[0]!;
    const proposed = s.suggestions.find((x) => x.kind === 'resolution')!;
    expect(proposed.id).toBe(`resolution:${first.offerId}`);
    expect(proposed.label).toBe(`Resolution: ${first.label} (once issued)`);
    expect(proposed.text).toContain('María');

    // The agent issues a store credit within authority; the resolution now tells her exactly that.
    const credit = offers.decision.offers.find((o) => !o.approval.needed && /credit/.test(o.offerId));
    const offer = credit ?? offers.decision.offers.find((o) => !o.approval.needed)!;
    const grant = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/compensations`,
      headers: auth(t.tokens.agent),
      payload: { offerId: offer.offerId, idempotencyKey: 'suggest-1' },
    });
    expect(grant.statusCode, grant.body).toBeLessThan(300);
    await runDueCompensations(t.ctx);
    const comp = (
      await t.app.inject({ method: 'GET', url: `/api/v1/compensations?caseId=${caseId}`, headers: auth(t.tokens.agent) })
    ).json().compensations[0] as { id: string; status: string; label: string; code: string | null; amount: { amount: number } | null };
    expect(comp.status).toBe('issued');
    s = await suggestions();
    const resolution = s.suggestions.filter((x) => x.kind === 'resolution');
    expect(resolution).toHaveLength(1);
    expect(resolution[0]).toMatchObject({ id: `resolution:${comp.id}`, label: `Resolution: ${comp.label}`, locale: 'es' });
    const text = resolution[0]!.text;
    expect(text).toContain('Hola, María:');
    expect(text).toContain('pedido 77');
    if (comp.code) expect(text).toContain(comp.code);
    if (comp.amount) expect(text).toMatch(new RegExp((comp.amount.amount / 100).toFixed(2).replace('.', '[.,]')));
    expect(text.endsWith('Ada from Acme Goods')).toBe(true);

    // A person answers: no more acknowledgement.
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/messages`,
      headers: auth(t.tokens.agent),
      payload: { kind: 'reply', body: 'Lo siento mucho, María. Ya está resuelto.' },
    });
    expect(reply.statusCode, reply.body).toBe(201);
    s = await suggestions();
    expect(s.suggestions.some((x) => x.kind === 'acknowledgement')).toBe(false);
    expect(s.suggestions.some((x) => x.kind === 'resolution')).toBe(true);
  });

  it.runIf(available)("the customer panel's data: each order's parcels, and how each case ended", async () => {
    const shipped = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: auth(t.tokens.manager),
      payload: {
        events: [
          ev(
            'ship-77',
            'shipment.created',
            { shipmentId: 'sh-77', orderId: '77', carrier: 'UPS', trackingNumber: '1Z77', status: 'in_transit' },
            '2026-05-21T00:00:00Z',
          ),
        ],
      },
    });
    expect(shipped.statusCode, shipped.body).toBe(201);
    const reason = 'Outcome: Made right: remedy issued';
    const resolved = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/status`,
      headers: auth(t.tokens.agent),
      payload: { status: 'resolved', reason },
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/customers/c-maria', headers: auth(t.tokens.agent) });
    expect(res.statusCode, res.body).toBe(200);
    const c = res.json() as {
      recentOrders: { id: string; shipments: { id: string; status: string; carrier: string | null; trackingNumber: string | null }[] }[];
      cases: { id: string; kind: string | null; resolvedAt: string | null; outcome: string | null; remedies: { label: string }[] }[];
    };
    expect(c.recentOrders.find((o) => o.id === '77')!.shipments).toEqual([
      { id: 'sh-77', status: 'in_transit', carrier: 'UPS', trackingNumber: '1Z77', promisedBy: null, deliveredAt: null },
    ]);
    const comp = (
      await t.app.inject({ method: 'GET', url: `/api/v1/compensations?caseId=${caseId}`, headers: auth(t.tokens.agent) })
    ).json().compensations[0] as { label: string };
    expect(c.cases).toHaveLength(1);
    expect(c.cases[0]).toMatchObject({ id: caseId, kind: 'damaged_item', resolvedAt: clock.now().toISOString(), outcome: reason });
    expect(c.cases[0]!.remedies.map((r) => r.label)).toEqual([comp.label]);
  });

  it.runIf(available)("the store's own saved replies replace the defaults; another store's case is a 404", async () => {
    await t.database.db
      .updateTable('stores')
      .set({
        settings: JSON.stringify({
          savedReplies: [
            { id: 'hola', name: 'Saludo', locale: 'es', body: 'Hola {{firstName}}, soy {{agentName}} de {{storeName}} ({{orderRef}}).' },
            { id: 'hello', name: 'Greeting', locale: 'en', body: 'Hi {{firstName}}' },
          ],
        }),
      })
      .where('id', '=', t.storeId)
      .execute();
    const saved = (await suggestions()).suggestions.filter((x) => x.kind === 'saved');
    expect(saved).toEqual([
      { id: 'saved:es/hola', kind: 'saved', label: 'Saludo', locale: 'es', text: 'Hola María, soy Ada Agent de Acme Goods (#77).' },
    ]);
    const foreign = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}/reply-suggestions`, headers: auth(t.other.token) });
    expect(foreign.statusCode).toBe(404);
  });
});
