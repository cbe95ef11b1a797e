/**
 * Playbooks (issue 9) through the real app on both engines: made from a resolved case with the customer's data
 * replaced by placeholders (an open case is refused), edited and archived, suggested for a new case by scenario,
 * "applied" counts with the outcomes of those cases, full-text search over steps and messages (FTS5 on SQLite,
 * tsvector on PostgreSQL: the same matches), bad input naming the field, and another store never seeing them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

const HOUR = 3_600_000;

interface TrackRecord {
  applied: number;
  resolved: number;
  resolvedShare: number | null;
  avgCsat: number | null;
  csatAnswers: number;
  avgCost: number | null;
  currency: string;
}
interface Playbook {
  id: string;
  title: string;
  summary: string;
  scenario: { kind: string; severity: number; tier: string | null; emotion: string | null };
  steps: { title: string; detail: string }[];
  messages: string[];
  remedy: { kind: string; label: string } | null;
  outcome: { resolutionMinutes: number | null; csat: number | null; repurchased: boolean; repurchaseDays: number | null };
  sourceCaseId: string | null;
  status: string;
  trackRecord: TrackRecord;
}
interface Suggested extends Playbook {
  match: { score: number; severityDistance: number; tier: boolean; emotion: boolean };
  renderedMessages: string[];
  appliedHere: boolean;
}

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] playbooks`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-03-02T10:00:00Z');
    let n = 0;

    const req = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) =>
      t.app.inject({ method, url, headers: auth(token), ...(payload === undefined ? {} : { payload: payload as object }) });
    const post = async (events: unknown[], token = t.tokens.admin) => {
      const res = await req('POST', '/api/v1/events', token, { events });
      expect(res.statusCode, res.body).toBe(201);
    };
    const db = () => t.database.db;

    /** A customer complains about an order; returns the case id and the order id. */
    const complaint = async (o: { name?: string; email?: string; tags?: string[]; body: string; store?: 'other' }) => {
      const k = ++n;
      const customer = `cus-${k}`;
      const orderId = `ORD-${7700 + k}`;
      const at = clock.now().toISOString();
      await post(
        [
          ev(`cu-${k}`, 'customer.upserted', {
            customerId: customer,
            email: o.email ?? `${customer}@example.com`,
            name: o.name ?? 'Sam Doe',
            ...(o.tags ? { tags: o.tags } : {}),
          }),
          ev(
            `o-${k}`,
            'order.placed',
            { orderId, customerId: customer, total: usd(4000) },
            new Date(clock.now().getTime() - 72 * HOUR).toISOString(),
          ),
          ev(`cp-${k}`, 'complaint.received', { complaintId: `c-${k}`, customerId: customer, orderId, channel: 'email', body: o.body }, at),
        ],
        o.store === 'other' ? t.other.token : t.tokens.admin,
      );
      const c = await db()
        .selectFrom('cases')
        .select(['id', 'kind', 'severity', 'customer_tier', 'emotion'])
        .where('store_id', '=', o.store === 'other' ? 'other' : 'acme')
        .where('complaint_id', '=', `c-${k}`)
        .executeTakeFirstOrThrow();
      return {
        caseId: c.id,
        customer,
        orderId,
        labels: { kind: c.kind, severity: Number(c.severity), tier: c.customer_tier, emotion: c.emotion },
      };
    };
    const reply = async (caseId: string, body: string) => {
      clock.advance(HOUR);
      const res = await req('POST', `/api/v1/cases/${caseId}/messages`, t.tokens.agent, { kind: 'reply', body });
      expect(res.statusCode, res.body).toBe(201);
    };
    const resolve = async (caseId: string) => {
      clock.advance(2 * HOUR);
      const res = await req('POST', `/api/v1/cases/${caseId}/status`, t.tokens.agent, { status: 'resolved' });
      expect(res.statusCode, res.body).toBe(200);
    };
    const csat = async (caseId: string, score: number) => {
      clock.advance(HOUR);
      await post([ev(`sv-${++n}`, 'survey.answered', { caseId, kind: 'csat', score }, clock.now().toISOString())]);
    };
    const makePlaybook = async (caseId: string, body?: unknown): Promise<Playbook> => {
      const res = await req('POST', `/api/v1/cases/${caseId}/playbook`, t.tokens.manager, body);
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    };
    /** A resolved case turned into a playbook. */
    const playbookFrom = async (o: Parameters<typeof complaint>[0] & { reply: string }, body?: unknown) => {
      const c = await complaint(o);
      await reply(c.caseId, o.reply);
      await resolve(c.caseId);
      return { ...c, playbook: await makePlaybook(c.caseId, body) };
    };
    const search = async (query: string, token = t.tokens.agent): Promise<string[]> => {
      const res = await req('GET', `/api/v1/playbooks?${query}`, token);
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as { playbooks: Playbook[] }).playbooks.map((p) => p.id);
    };
    const suggestions = async (caseId: string, token = t.tokens.agent): Promise<Suggested[]> => {
      const res = await req('GET', `/api/v1/cases/${caseId}/playbooks`, token);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().playbooks;
    };
    const apply = (caseId: string, playbookId: string, token = t.tokens.agent) =>
      req('POST', `/api/v1/cases/${caseId}/playbooks/${playbookId}/apply`, token);
    const timelineTypes = async (caseId: string) =>
      (await db().selectFrom('case_activities').select('type').where('store_id', '=', 'acme').where('case_id', '=', caseId).execute()).map(
        (a) => a.type,
      );

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('turns a resolved case into a playbook with the personal data replaced; refuses an open case and a second one', async () => {
      const c = await complaint({ name: 'Nora Quinn', email: 'nora.quinn@example.com', body: 'The mug arrived broken.' });
      await reply(
        c.caseId,
        `Hi Nora, I am so sorry about order ${c.orderId}. A new mug ships today; I will write to nora.quinn@example.com with the tracking, Ms Quinn.`,
      );
      // Open: refused, and nothing is stored.
      const open = await req('POST', `/api/v1/cases/${c.caseId}/playbook`, t.tokens.manager);
      expect(open.statusCode).toBe(409);
      expect(open.json().error.code).toBe('case_not_resolved');
      expect(await db().selectFrom('playbooks').select('id').where('source_case_id', '=', c.caseId).execute()).toHaveLength(0);

      await resolve(c.caseId);
      await csat(c.caseId, 5);
      // They ordered again 4 days after the resolution.
      await post([
        ev(
          `re-${n}`,
          'order.placed',
          { orderId: `R-${n}`, customerId: c.customer, total: usd(2500) },
          new Date(clock.now().getTime() + 4 * 24 * HOUR).toISOString(),
        ),
      ]);

      // Agents may not make playbooks.
      expect((await req('POST', `/api/v1/cases/${c.caseId}/playbook`, t.tokens.agent)).statusCode).toBe(403);
      const pb = await makePlaybook(c.caseId);
      expect(pb.scenario).toEqual({ kind: 'damaged_item', severity: c.labels.severity, tier: c.labels.tier, emotion: c.labels.emotion });
      expect(pb.messages).toEqual([
        'Hi {{customer.firstName}}, I am so sorry about order {{order.id}}. A new mug ships today; I will write to {{customer.email}} with the tracking, Ms {{customer.lastName}}.',
      ]);
      expect(pb.steps.map((s) => s.title)).toContain('Own the problem in the first reply');
      expect(pb.steps.at(-1)!.title).toBe('Resolve and follow up');
      expect(pb.outcome).toMatchObject({ csat: 5, repurchased: true, repurchaseDays: 4, resolutionMinutes: 3 * 60 });
      expect(pb).toMatchObject({ sourceCaseId: c.caseId, status: 'active', trackRecord: { applied: 0, resolvedShare: null } });
      expect(JSON.stringify(pb)).not.toMatch(/Nora|Quinn|nora\.quinn|ORD-/);
      // Stored clean too, and the case's timeline says so.
      const row = await db().selectFrom('playbooks').selectAll().where('id', '=', pb.id).executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toMatch(/Nora|Quinn|nora\.quinn|ORD-/);
      expect(await timelineTypes(c.caseId)).toContain('playbook.created');
      // Readable by agents.
      const got = await req('GET', `/api/v1/playbooks/${pb.id}`, t.tokens.agent);
      expect(got.statusCode).toBe(200);
      expect(got.json().title).toBe(pb.title);
      // A second playbook from the same case: refused, naming the first.
      const again = await req('POST', `/api/v1/cases/${c.caseId}/playbook`, t.tokens.manager);
      expect(again.statusCode).toBe(409);
      expect(again.json().error).toMatchObject({ code: 'playbook_exists', playbookId: pb.id });
    });

    it('takes edited words (cleaned of the same data), edits and archives; bad input is a 4xx naming the field', async () => {
      const { caseId, playbook } = await playbookFrom(
        { name: 'Lena Park', body: 'The mug arrived broken.', reply: 'Sorry Lena, a replacement is on its way.' },
        { title: 'Broken mug for Lena', steps: [{ title: 'Call Lena Park', detail: 'at +44 20 7946 0958' }] },
      );
      expect(playbook.title).toBe('Broken mug for {{customer.firstName}}');
      expect(playbook.steps).toEqual([{ title: 'Call {{customer.name}}', detail: 'at {{customer.phone}}' }]);

      const bad = async (url: string, method: 'POST' | 'PATCH' | 'GET', body: unknown, path: string, token = t.tokens.manager) => {
        const res = await req(method, url, token, body);
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json().error.path, res.body).toBe(path);
      };
      await bad(`/api/v1/playbooks/${playbook.id}`, 'PATCH', { title: '   ' }, 'title');
      await bad(`/api/v1/playbooks/${playbook.id}`, 'PATCH', { steps: [] }, 'steps');
      await bad(`/api/v1/playbooks/${playbook.id}`, 'PATCH', { steps: [{ title: 'x' }] }, 'steps[0].detail');
      await bad(`/api/v1/playbooks/${playbook.id}`, 'PATCH', { messages: ['ok', 'a\u0000b'] }, 'messages[1]');
      await bad(`/api/v1/playbooks/${playbook.id}`, 'PATCH', { status: 'deleted' }, 'status');
      const unknown = await req('POST', `/api/v1/cases/${caseId}/playbook`, t.tokens.manager, { colour: 'red' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error.message).toMatch(/colour/);
      await bad('/api/v1/playbooks?kind=bogus', 'GET', undefined, 'kind', t.tokens.agent);
      await bad('/api/v1/playbooks?q=!!!', 'GET', undefined, 'q', t.tokens.agent);
      expect((await req('PATCH', '/api/v1/playbooks/pb_nope', t.tokens.manager, { title: 'x' })).statusCode).toBe(404);
      expect((await req('PATCH', `/api/v1/playbooks/${playbook.id}`, t.tokens.agent, { title: 'x' })).statusCode).toBe(403);

      const edited = await req('PATCH', `/api/v1/playbooks/${playbook.id}`, t.tokens.manager, {
        messages: ['Dear Lena, we are sending a new one.'],
      });
      expect(edited.statusCode, edited.body).toBe(200);
      expect(edited.json().messages).toEqual(['Dear {{customer.firstName}}, we are sending a new one.']);

      const archived = await req('PATCH', `/api/v1/playbooks/${playbook.id}`, t.tokens.manager, { status: 'archived' });
      expect(archived.json().status).toBe('archived');
      expect(await search('kind=damaged_item')).not.toContain(playbook.id);
      expect(await search('status=archived')).toContain(playbook.id);
      const other = await complaint({ body: 'The mug arrived broken.' });
      expect((await suggestions(other.caseId)).map((s) => s.id)).not.toContain(playbook.id);
      const refused = await apply(other.caseId, playbook.id);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('playbook_archived');
      await req('PATCH', `/api/v1/playbooks/${playbook.id}`, t.tokens.manager, { status: 'active' });
      expect(await search('kind=damaged_item')).toContain(playbook.id);
    });

    it('suggests playbooks of the same kind, closest scenario first, with messages filled in for this customer', async () => {
      // Archive what earlier tests made, so the ranking is among these only.
      await db().updateTable('playbooks').set({ status: 'archived' }).where('store_id', '=', 'acme').execute();
      const severe = await playbookFrom({
        body: 'The glass teapot arrived shattered and I cut my hand on the glass.',
        reply: 'Severe: we are so sorry.',
      });
      const vipAngry = await playbookFrom({
        tags: ['vip'],
        body: 'The mug arrived broken into pieces, this is outrageous, I am furious!',
        reply: 'Dear {{customer.firstName}}, VIP apology.',
      });
      const plain = await playbookFrom({ body: 'The mug arrived broken.', reply: 'Plain: a new mug is on its way.' });
      const late = await playbookFrom({ body: 'My parcel is a week late and nobody tells me where it is.', reply: 'Late: sorry.' });
      expect(severe.labels).toMatchObject({ kind: 'damaged_item', severity: 4 });
      expect(vipAngry.labels).toMatchObject({ kind: 'damaged_item', tier: 'vip', emotion: 'anger' });
      expect(plain.labels).toMatchObject({ kind: 'damaged_item', tier: 'new', emotion: 'neutral' });
      expect(late.labels.kind).toBe('delivery_late');

      const fresh = await complaint({
        name: 'Ines Vidal',
        tags: ['vip'],
        body: 'The mug arrived broken into pieces, this is outrageous, I am furious!',
      });
      expect(fresh.labels).toEqual(vipAngry.labels);
      const got = await suggestions(fresh.caseId);
      const sevDistance = (s: number) => Math.abs(s - fresh.labels.severity);
      // Same scenario first; then the one of equal severity distance but other tier and emotion, then the farther one.
      expect(got.map((s) => s.id)).toEqual(
        [vipAngry, plain, severe]
          .map((x) => ({ id: x.playbook.id, key: [sevDistance(x.labels.severity), x === vipAngry ? 0 : 1] as const }))
          .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1])
          .map((x) => x.id),
      );
      expect(got[0]!.match).toMatchObject({ severityDistance: 0, tier: true, emotion: true });
      expect(got.map((s) => s.id)).not.toContain(late.playbook.id);
      // The VIP reply was written with a placeholder already: filled with this customer's first name.
      expect(got[0]!.renderedMessages).toEqual(['Dear Ines, VIP apology.']);
      expect(got.every((s) => !s.appliedHere)).toBe(true);
      // A playbook is never suggested for the case it came from.
      expect((await suggestions(vipAngry.caseId)).map((s) => s.id)).not.toContain(vipAngry.playbook.id);
    });

    it('records "applied" once per case and shows the outcomes of those cases: resolved share, CSAT, cost', async () => {
      const { playbook } = await playbookFrom({
        body: 'My parcel is a week late and nobody tells me where it is.',
        reply: 'Sorry, tracking follows.',
      });
      // Late parcels get an automatic remedy from the default policy: their cost counts.
      const a = await complaint({ body: 'My parcel is a week late and nobody tells me where it is.' });
      const b = await complaint({ body: 'My parcel is a week late and nobody tells me where it is.' });
      const first = await apply(a.caseId, playbook.id);
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toMatchObject({ first: true, trackRecord: { applied: 1 } });
      const twice = await apply(a.caseId, playbook.id);
      expect(twice.json()).toMatchObject({ first: false, trackRecord: { applied: 1 } });
      expect((await timelineTypes(a.caseId)).filter((x) => x === 'playbook.applied')).toHaveLength(1);
      expect((await apply(b.caseId, playbook.id)).json().trackRecord.applied).toBe(2);
      await resolve(a.caseId);
      await csat(a.caseId, 4);
      const costs = await db()
        .selectFrom('compensations')
        .select(['case_id', 'cost', 'status'])
        .where('store_id', '=', 'acme')
        .where('case_id', 'in', [a.caseId, b.caseId])
        .execute();
      const given = costs.filter((c) => ['approved', 'issuing', 'issued'].includes(c.status)).reduce((s, c) => s + Number(c.cost), 0);
      expect(given).toBeGreaterThan(0);
      const got = await req('GET', `/api/v1/playbooks/${playbook.id}`, t.tokens.agent);
      expect(got.json().trackRecord).toEqual({
        applied: 2,
        resolved: 1,
        resolvedShare: 0.5,
        avgCsat: 4,
        csatAnswers: 1,
        avgCost: Math.round(given / 2),
        currency: 'USD',
      });
      const forB = (await suggestions(b.caseId)).find((s) => s.id === playbook.id)!;
      expect(forB.appliedHere).toBe(true);
      expect(forB.trackRecord.applied).toBe(2);
      // Unknown case or playbook: 404, nothing recorded.
      expect((await apply('case_nope', playbook.id)).statusCode).toBe(404);
      expect((await apply(a.caseId, 'pb_nope')).statusCode).toBe(404);
    });

    it('full-text search finds playbooks by words in their steps and messages, every word, as prefixes, kept in step with edits', async () => {
      const { playbook } = await playbookFrom(
        { body: 'The mug arrived broken.', reply: 'We will mend it the kintsugi way, with gold.' },
        { steps: [{ title: 'Send a courier', detail: 'Pick up the pieces at the door.' }] },
      );
      const late = await playbookFrom({
        body: 'My parcel is a week late and nobody tells me where it is.',
        reply: 'Our courier lost track; sorry.',
      });
      expect(await search('q=kintsugi')).toEqual([playbook.id]);
      expect(await search('q=KINTSU')).toEqual([playbook.id]);
      expect(await search('q=Kintsugi%20gold')).toEqual([playbook.id]);
      expect(await search('q=kintsugi%20zebra')).toEqual([]);
      expect(new Set(await search('q=courier'))).toEqual(new Set([playbook.id, late.playbook.id]));
      expect(await search('q=courier&kind=delivery_late')).toEqual([late.playbook.id]);
      expect(await search('q=pieces%20door')).toEqual([playbook.id]);
      // Placeholders are not searchable words.
      expect(await search('q=placeholder')).toEqual([]);
      // An edit replaces the indexed words.
      const res = await req('PATCH', `/api/v1/playbooks/${playbook.id}`, t.tokens.manager, {
        messages: ['A golden seam: urushi lacquer.'],
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(await search('q=kintsugi')).toEqual([]);
      expect(await search('q=urushi')).toEqual([playbook.id]);
      // Archived ones only when asked for.
      await req('PATCH', `/api/v1/playbooks/${playbook.id}`, t.tokens.manager, { status: 'archived' });
      expect(await search('q=urushi')).toEqual([]);
      expect(await search('q=urushi&status=all')).toEqual([playbook.id]);
    });

    it("never shows one store's playbooks to another", async () => {
      const { playbook } = await playbookFrom({ body: 'The mug arrived broken.', reply: 'Secret zanzibar remedy.' });
      const tok = t.other.token;
      expect(await search('q=zanzibar')).toEqual([playbook.id]);
      expect(await search('q=zanzibar', tok)).toEqual([]);
      expect(await search('status=all', tok)).toEqual([]);
      expect((await req('GET', `/api/v1/playbooks/${playbook.id}`, tok)).statusCode).toBe(404);
      expect((await req('PATCH', `/api/v1/playbooks/${playbook.id}`, tok, { status: 'archived' })).statusCode).toBe(404);
      const theirs = await complaint({ body: 'The mug arrived broken.', store: 'other' });
      expect(await suggestions(theirs.caseId, tok)).toEqual([]);
      expect((await apply(theirs.caseId, playbook.id, tok)).statusCode).toBe(404);
      // Nor can acme reach the other store's case.
      expect((await req('GET', `/api/v1/cases/${theirs.caseId}/playbooks`, t.tokens.agent)).statusCode).toBe(404);
      expect((await req('POST', `/api/v1/cases/${theirs.caseId}/playbook`, t.tokens.manager)).statusCode).toBe(404);
    });
  });
}
