/**
 * KPIs and the paradox index (issue 9) through the real app on both engines: events → cases → replies,
 * resolutions, a reopening → survey answers → an issued compensation → the endpoint's numbers; the agent
 * filter (raw path) agrees with the rollups; the rollups kept up incrementally equal a rebuild from the raw
 * rows; CSV output parses; bad input names its field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRows, rebuildAnalytics, storedRows } from '../../src/analytics/rollups.ts';
import { runDueCompensations } from '../../src/compensation/compensations.service.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Parses RFC 4180 text (quotes, doubled quotes, CRLF) into rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] analytics: KPIs and the paradox index`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-03-02T10:00:00Z'); // a Monday
    const day = '2026-03-02';
    const ids: Record<string, string> = {};

    const inject = (method: 'GET' | 'POST', url: string, token = t.tokens.manager, payload?: unknown) =>
      t.app.inject({ method, url, headers: auth(token), ...(payload === undefined ? {} : { payload: payload as object }) });
    const post = async (...events: unknown[]) => {
      const res = await inject('POST', '/api/v1/events', t.tokens.admin, { events });
      expect(res.statusCode, res.body).toBe(201);
    };
    const caseOf = async (complaintId: string) =>
      (
        await t.database.db
          .selectFrom('cases')
          .select('id')
          .where('store_id', '=', 'acme')
          .where('complaint_id', '=', complaintId)
          .executeTakeFirstOrThrow()
      ).id;
    const status = async (caseId: string, s: string) => {
      const res = await inject('POST', `/api/v1/cases/${caseId}/status`, t.tokens.agent, { status: s });
      expect(res.statusCode, res.body).toBe(200);
    };
    const replyTo = async (caseId: string) => {
      const res = await inject('POST', `/api/v1/cases/${caseId}/messages`, t.tokens.agent, { kind: 'reply', body: 'We are on it.' });
      expect(res.statusCode, res.body).toBe(201);
    };
    const kpis = async (query = `from=${day}&to=${day}`) => {
      const res = await inject('GET', `/api/v1/analytics/kpis?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
      const at = (ms: number) => new Date(Date.parse('2026-03-01T09:00:00Z') + ms).toISOString();
      // Four customers, one order each the day before; Dana never fails.
      for (const [k, c] of ['ann', 'bob', 'cat', 'dana'].entries()) {
        await post(
          ev(`cu-${c}`, 'customer.upserted', { customerId: c, email: `${c}@example.com`, name: c }, at(k)),
          ev(`o-${c}`, 'order.placed', { orderId: `o-${c}`, customerId: c, total: usd(10_000) }, at(k)),
        );
      }
      const now = () => clock.now().toISOString();
      // Ann: a late parcel (the policy issues a remedy by itself), one reply, resolved: first-contact resolution.
      await post(
        ev(
          'cp-ann',
          'complaint.received',
          {
            complaintId: 'k-ann',
            customerId: 'ann',
            orderId: 'o-ann',
            channel: 'email',
            body: 'My parcel is a week late and nobody tells me where it is.',
          },
          now(),
        ),
      );
      ids.ann = await caseOf('k-ann');
      expect(await runDueCompensations(t.ctx)).toBe(1);
      // Bob: writes twice, is answered, resolved, reopens, resolved again.
      await post(
        ev(
          'cp-bob',
          'complaint.received',
          { complaintId: 'k-bob', customerId: 'bob', orderId: 'o-bob', channel: 'chat', body: 'The mug arrived broken.' },
          now(),
        ),
      );
      ids.bob = await caseOf('k-bob');
      // Cat: still open at the end.
      await post(
        ev(
          'cp-cat',
          'complaint.received',
          { complaintId: 'k-cat', customerId: 'cat', channel: 'email', body: 'Where is my refund?' },
          now(),
        ),
      );
      ids.cat = await caseOf('k-cat');
    });
    afterAll(async () => {
      await t?.close();
    });

    it('counts a fresh day of cases from the rollups', async () => {
      const r = await kpis();
      expect(r.computedFrom).toBe('rollup');
      expect(r.summary.cases).toBe(3);
      expect(r.summary.resolved).toBe(0);
      expect(r.summary.revenue).toEqual({ amount: 0, currency: 'USD', orders: 0 }); // orders were the day before
      expect((await kpis('from=2026-03-01&to=2026-03-02')).summary.revenue).toEqual({ amount: 40_000, currency: 'USD', orders: 4 });
      expect(r.trend).toEqual([{ day, cases: 3, resolved: 0, csatAverage: null, cost: expect.any(Number) }]);
    });

    it('follows replies, resolutions, a reopening, surveys and compensations', async () => {
      clock.advance(HOUR);
      await replyTo(ids.ann!);
      await replyTo(ids.bob!);
      clock.advance(HOUR);
      await post(
        ev(
          'cp-bob-2',
          'complaint.received',
          { complaintId: 'k-bob-2', customerId: 'bob', channel: 'chat', caseId: ids.bob!, body: 'Any news about the mug?' },
          clock.now().toISOString(),
        ),
      );
      clock.advance(HOUR);
      await status(ids.ann!, 'resolved');
      await status(ids.bob!, 'resolved');
      clock.advance(HOUR);
      await status(ids.bob!, 'reopened');
      await status(ids.bob!, 'resolved');
      clock.advance(HOUR);
      await post(
        ev('sv-ann', 'survey.answered', { caseId: ids.ann!, kind: 'csat', score: 5 }, clock.now().toISOString()),
        ev('sv-ann-nps', 'survey.answered', { caseId: ids.ann!, kind: 'nps', score: 10 }, clock.now().toISOString()),
        ev('sv-bob', 'survey.answered', { caseId: ids.bob!, kind: 'csat', score: 2 }, clock.now().toISOString()),
        ev('sv-bob-ces', 'survey.answered', { caseId: ids.bob!, kind: 'ces', score: 6 }, clock.now().toISOString()),
      );
      // Bob's low CSAT reopened his case (issue 8); the agent resolves it again.
      const bob = await t.database.db.selectFrom('cases').select('status').where('id', '=', ids.bob!).executeTakeFirstOrThrow();
      expect(bob.status).toBe('reopened');
      await status(ids.bob!, 'resolved');
      const issued = await t.database.db
        .selectFrom('compensations')
        .select(['cost', 'status', 'case_id'])
        .where('store_id', '=', 'acme')
        .where('status', '=', 'issued')
        .execute();
      expect(issued.map((c) => c.case_id)).toEqual([ids.ann]);
      const cost = Number(issued[0]!.cost);
      expect(cost).toBeGreaterThan(0);

      const r = await kpis();
      const s = r.summary;
      expect(s.cases).toBe(3);
      expect(s.resolved).toBe(2);
      // Ann: one inbound message, never reopened. Bob: two messages and a reopening.
      expect(s.firstContactResolution).toEqual({ cases: 1, rate: 0.5 });
      expect(s.contactsPerCase).toBe(1.33); // (1 + 2 + 1) / 3
      expect(s.reopenRate).toBe(0.333);
      expect(s.csat).toEqual({ count: 2, average: 3.5, satisfiedShare: 0.5 });
      expect(s.ces).toEqual({ count: 1, average: 6 });
      expect(s.nps).toEqual({ count: 1, score: 100, promoters: 1, detractors: 0 });
      // Replies one hour after opening, at 11:00 on a Monday: inside business hours either way.
      expect(s.firstResponse.wall.count).toBe(2);
      expect(s.firstResponse.wall.meanMinutes).toBe(60);
      expect(s.firstResponse.business.meanMinutes).toBe(60);
      expect(s.firstResponse.wall.p50Minutes).toBeGreaterThanOrEqual(60);
      expect(s.firstResponse.wall.p50Minutes).toBeLessThan(120);
      expect(s.resolution.wall.count).toBe(2);
      expect(s.resolution.wall.meanMinutes).toBe((3 * 60 + 5 * 60) / 2);
      expect(s.sla.firstResponse).toEqual({ met: 2, breached: 0, attainment: 1 });
      expect(s.cost.total).toEqual({ amount: cost, currency: 'USD' });
      expect(s.cost.perCase).toEqual({ amount: Math.round(cost / 3), currency: 'USD' });
      expect(s.cost.compensatedCases).toBe(1);
      expect(r.costByKind.find((l: { key: string }) => l.key === 'delivery_late')).toMatchObject({ cases: 1, cost });
      expect(r.proactiveShare).toBe(0);
      expect(r.proactiveVsReactive.find((o: { source: string }) => o.source === 'reactive')).toMatchObject({
        cases: 3,
        csatAverage: 3.5,
        csatCount: 2,
      });
      expect(r.trend[0]).toMatchObject({ day, cases: 3, resolved: 2, csatAverage: 3.5, cost });

      // Filters: a dimension from the rollups; the agent from the raw rows, with the same definitions.
      const chat = await kpis(`from=${day}&to=${day}&channel=chat`);
      expect(chat.summary.cases).toBe(1);
      expect(chat.summary.csat.average).toBe(2);
      const res = await inject('POST', `/api/v1/cases/${ids.ann}/assign`, t.tokens.manager, { assigneeId: t.agentUserId });
      expect(res.statusCode, res.body).toBe(200);
      const mine = await kpis(`from=${day}&to=${day}&agent=${t.agentUserId}`);
      expect(mine.computedFrom).toBe('raw');
      expect(mine.summary.cases).toBe(1);
      expect(mine.summary.csat.average).toBe(5);
      expect(mine.summary.cost.total.amount).toBe(cost);
    });

    it('keeps the rollups equal to a recomputation from the raw rows, and to a rebuild', async () => {
      const db = t.database.db;
      const next = '2026-03-03';
      const sortRows = <T extends { day: string; channel: string; kind: string; tier: string; source: string }>(rows: T[]) =>
        [...rows].sort((a, b) =>
          `${a.day}${a.channel}${a.kind}${a.tier}${a.source}`.localeCompare(`${b.day}${b.channel}${b.kind}${b.tier}${b.source}`),
        );
      // More changes after the last read: a reply and resolution on Cat's case, a late survey answer.
      clock.advance(HOUR);
      await replyTo(ids.cat!);
      await status(ids.cat!, 'resolved');
      await post(ev('sv-cat', 'survey.answered', { caseId: ids.cat!, kind: 'csat', score: 4 }, clock.now().toISOString()));
      await kpis(); // folds the marks in
      const incremental = sortRows(await storedRows(db, 'acme', day, next));
      expect(incremental).toEqual(sortRows(await rawRows(db, 'acme', day, next)));
      expect(incremental.reduce((a, r) => a + r.cases, 0)).toBe(3);
      const outcomes = () => db.selectFrom('analytics_outcomes').selectAll().where('store_id', '=', 'acme').orderBy('subject_id').execute();
      const before = await outcomes();
      expect(before.map((o) => o.cohort).sort()).toEqual(['never_failed', 'not_recovered', 'recovered', 'recovered']);
      await rebuildAnalytics(db, 'acme');
      expect(sortRows(await storedRows(db, 'acme', day, next))).toEqual(incremental);
      expect(await outcomes()).toEqual(before);
    });

    it('computes the paradox index by cohort, with its verdict', async () => {
      // Dana orders again within a day of her first order; Ann within a day of her failure.
      await post(
        ev('o-dana-2', 'order.placed', { orderId: 'o-dana-2', customerId: 'dana', total: usd(5000) }, '2026-03-01T20:00:00Z'),
        ev('o-ann-2', 'order.placed', { orderId: 'o-ann-2', customerId: 'ann', total: usd(5000) }, '2026-03-02T20:00:00Z'),
      );
      clock.advance(2 * DAY);
      const res = await inject('GET', '/api/v1/analytics/paradox?windowDays=1&from=2026-03-01&to=2026-03-02');
      expect(res.statusCode, res.body).toBe(200);
      const p = res.json();
      expect(p.windowDays).toBe(1);
      expect(p.cohorts.neverFailed).toMatchObject({ n: 1, repurchased: 1, rate: 1 });
      expect(p.cohorts.recovered).toMatchObject({ n: 2, repurchased: 1, rate: 0.5 }); // Ann (CSAT 5), Cat (CSAT 4)
      expect(p.cohorts.notRecovered).toMatchObject({ n: 1, repurchased: 0, rate: 0 }); // Bob (CSAT 2)
      expect(p.cohorts.recovered.interval.low).toBeCloseTo(0.0945, 3); // Wilson 1 of 2
      expect(p.verdict.outcome).toBe('too_small');
      expect(p.verdict.text).toMatch(/^Too small to tell/);
      expect(p.byRepeat.find((s: { key: string }) => s.key === 'first').recovered.n).toBe(2);
      // A window that has not ended leaves everyone out.
      const wide = (await inject('GET', '/api/v1/analytics/paradox?windowDays=90&from=2026-03-01&to=2026-03-02')).json();
      expect(wide.cohorts.recovered.n).toBe(0);
      expect(wide.windowNotEnded).toBe(4); // three failures and Dana
    });

    it('returns the same tables as CSV: all sections, or one', async () => {
      const all = await inject('GET', `/api/v1/analytics/kpis?from=${day}&to=${day}&format=csv`);
      expect(all.statusCode).toBe(200);
      expect(all.headers['content-type']).toMatch(/^text\/csv/);
      const sections = all.body.split('\r\n\r\n').map((s) => parseCsv(s));
      expect(sections.map((s) => s[0]![0])).toEqual([
        '# summary',
        '# durations',
        '# sla',
        '# cost_by_tier',
        '# cost_by_kind',
        '# proactive_vs_reactive',
        '# trend',
      ]);
      const one = await inject('GET', `/api/v1/analytics/kpis?from=${day}&to=${day}&format=csv&table=summary`);
      const rows = parseCsv(one.body);
      expect(rows[0]).toEqual(['metric', 'value']);
      expect(Object.fromEntries(rows.slice(1))).toMatchObject({ cases: '3', resolved: '3', csat_average: '3.67' });
      const json = await kpis();
      const trend = parseCsv((await inject('GET', `/api/v1/analytics/kpis?from=${day}&to=${day}&format=csv&table=trend`)).body);
      expect(trend[1]).toEqual([day, '3', '3', String(json.trend[0].csatAverage), String(json.trend[0].cost)]);
    });

    it('names the field on bad input, and is for managers', async () => {
      const bad = async (url: string, path: string) => {
        const res = await inject('GET', url);
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json().error.path).toBe(path);
      };
      await bad('/api/v1/analytics/kpis?from=2026-02-30', 'from');
      await bad('/api/v1/analytics/kpis?from=2026-03-05&to=2026-03-01', 'from');
      await bad('/api/v1/analytics/kpis?source=sideways', 'source');
      await bad('/api/v1/analytics/kpis?table=summary', 'table');
      await bad('/api/v1/analytics/kpis?format=csv&table=nope', 'table');
      await bad('/api/v1/analytics/paradox?windowDays=0', 'windowDays');
      await bad('/api/v1/analytics/paradox?windowDays=366', 'windowDays');
      await bad('/api/v1/analytics/kpis?from=2020-01-01&to=2026-01-01', 'from');
      expect((await inject('GET', '/api/v1/analytics/kpis', t.tokens.agent)).statusCode).toBe(403);
      expect((await inject('GET', '/api/v1/analytics/paradox', t.tokens.agent)).statusCode).toBe(403);
      // Another store sees none of it.
      const other = (await inject('GET', `/api/v1/analytics/kpis?from=${day}&to=${day}`, t.other.token)).json();
      expect(other.summary.cases).toBe(0);
    });
  });
}
