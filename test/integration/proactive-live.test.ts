/**
 * Proactive recovery live, on the wall clock: the real `amends serve` (and on
 * PostgreSQL two `amends worker` processes beside it) fed events over HTTP
 * with promises a second or two away. The SQLite scenario is then replayed
 * from a file with the same timestamps, and must open the same cases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/database.ts';
import { runReplay } from '../../src/proactive/replay.ts';
import { engineAvailable, freshDatabaseUrl } from '../helper.ts';
import { cli, launch, startServe, stop, stopAll, waitFor } from '../support/amends-process.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-proactive-live-'));
/** Every message may go at once: no quiet hours, no cool-down (the default policy plus a proactive section). */
const policy = `${fs.readFileSync(path.resolve(import.meta.dirname, '../../policies/default.yaml'), 'utf8').split('\nproactive:')[0]}\nproactive:\n  contact: { cooldownHours: 0, quietHours: null }\n`;

afterAll(async () => {
  await stopAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Ev = { id: string; type: string; occurredAt: string; data: Record<string, unknown> };
const usd = (amount: number) => ({ amount, currency: 'USD' });
const iso = (ms: number) => new Date(ms).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const sleepUntil = (t: number) => sleep(t - Date.now());

function client(url: string, token: string) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    async get<T>(p: string): Promise<T> {
      const res = await fetch(`${url}${p}`, { headers });
      if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async post(p: string, body: unknown): Promise<number> {
      const res = await fetch(`${url}${p}`, { method: 'POST', headers, body: JSON.stringify(body) });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`POST ${p}: ${res.status} ${text}`);
      return res.status;
    },
  };
}
type Client = ReturnType<typeof client>;

interface CaseSummary {
  id: string;
  source: string;
  kind: string | null;
  orderId: string | null;
  createdAt: string;
}
interface CaseDetail extends CaseSummary {
  messages: { kind: string; template: string | null; createdAt: string }[];
  timeline: { at: string; kind: string; type: string; data: Record<string, unknown> }[];
}

async function proactiveCases(api: Client): Promise<CaseSummary[]> {
  return (await api.get<{ cases: CaseSummary[] }>('/api/v1/cases?source=proactive&limit=200')).cases;
}

/** Posts events stamped with the wall clock now (unless stamped already), and keeps them for the replay file. */
function poster(api: Client) {
  const sent: Ev[] = [];
  return {
    sent,
    async post(events: Omit<Ev, 'occurredAt'>[]): Promise<void> {
      const at = iso(Date.now());
      const stamped = events.map((e) => ({ ...e, occurredAt: at }));
      await api.post('/api/v1/events', { events: stamped });
      sent.push(...stamped);
    },
  };
}

const customer = (c: string) => ({
  id: `cu-${c}`,
  type: 'customer.upserted',
  data: { customerId: c, email: `${c}@example.com`, name: `Customer ${c.toUpperCase()}` },
});
const placed = (o: string, c: string, promisedBy?: string) => ({
  id: `${o}-placed`,
  type: 'order.placed',
  data: { orderId: o, customerId: c, total: usd(4200), ...(promisedBy ? { promisedBy } : {}) },
});
const delivered = (o: string) => ({
  id: `${o}-delivered`,
  type: 'shipment.delivered',
  // deliveredAt is the wall clock when posted, like occurredAt.
  data: { shipmentId: `${o}-s`, orderId: o, deliveredAt: iso(Date.now()) },
});

describe('[sqlite] proactive recovery live', () => {
  it('live: the same scenario through serve in real time produces the same cases as replay', async () => {
    const dbUrl = await freshDatabaseUrl('sqlite');
    cli(dbUrl, ['store', 'create', '--id', 'live', '--name', 'Live Goods', '--timezone', 'UTC']);
    const token = cli(dbUrl, ['token', 'create', '--store', 'live', '--role', 'admin']).trim();
    const { proc, url } = await startServe(dbUrl);
    const api = client(url, token);
    expect(await api.post('/api/v1/policy', { source: policy })).toBe(201);
    const events = poster(api);

    // One customer per order: two late orders of one customer on one day are one incident, told about once.
    await events.post(['ca', 'cb', 'cc', 'cd', 'ce'].map(customer));
    const t0 = Date.now();
    const promise = t0 + 1500;
    await events.post([
      placed('A', 'ca', iso(promise)), // never delivered: late
      placed('B', 'cb', iso(promise)), // delivered at +0.3 s: on time
      placed('C', 'cc', iso(promise)), // cancelled at once: never late
      placed('D', 'cd', iso(promise)), // delivered at +2.5 s, after its deadline: late
      placed('E', 'ce'), // no promise; its parcel is reported lost at +3 s
    ]);
    await events.post([{ id: 'C-cancelled', type: 'order.cancelled', data: { orderId: 'C' } }]);
    await sleepUntil(t0 + 300);
    await events.post([delivered('B')]);
    await sleepUntil(t0 + 2500);
    await events.post([delivered('D')]);

    // A lost parcel fires at once: its case is there when the POST has been answered (polled for up to 1 s).
    await sleepUntil(t0 + 3000);
    const lostPosted = Date.now();
    await events.post([
      {
        id: 'E-lost',
        type: 'shipment.updated',
        data: { shipmentId: 'E-s', orderId: 'E', carrier: 'DHL', region: 'ES-MD', status: 'lost', lastCarrierEventAt: iso(Date.now()) },
      },
    ]);
    const lostAnswered = Date.now();
    let lostCase: CaseSummary | undefined;
    while (!lostCase && Date.now() - lostAnswered <= 1000) {
      lostCase = (await proactiveCases(api)).find((c) => c.orderId === 'E');
      if (!lostCase) await sleep(50);
    }
    const lostSeen = Date.now();
    expect(lostCase, 'the lost parcel’s case within 1 s of the POST').toBeDefined();
    expect(lostCase!.kind).toBe('delivery_lost');
    expect(lostSeen - lostAnswered).toBeLessThanOrEqual(1000);

    // The deadlines passed at +1.5 s; by +4 s both late orders have their cases (polled a while longer on a slow machine).
    await sleepUntil(t0 + 4000);
    let cases = await proactiveCases(api);
    for (let i = 0; i < 50 && cases.filter((c) => c.kind === 'delivery_late').length < 2; i++) {
      await sleep(200);
      cases = await proactiveCases(api);
    }
    expect(cases.map((c) => [c.orderId, c.kind, c.source]).sort()).toEqual([
      ['A', 'delivery_late', 'proactive'],
      ['D', 'delivery_late', 'proactive'],
      ['E', 'delivery_lost', 'proactive'],
    ]);
    // Everything the server has: no reactive case either.
    expect((await api.get<{ cases: CaseSummary[] }>('/api/v1/cases?limit=200')).cases).toHaveLength(3);

    const measured: Record<string, number> = {};
    for (const orderId of ['A', 'D']) {
      const summary = cases.find((c) => c.orderId === orderId)!;
      const c = await api.get<CaseDetail>(`/api/v1/cases/${summary.id}`);
      const proactive = c.messages.filter((m) => m.template?.endsWith('/proactive'));
      expect(proactive, `order ${orderId}: one pre-emptive message`).toHaveLength(1);
      expect(proactive[0]!.kind).toBe('reply');
      expect(proactive[0]!.template).toBe('en/proactive');
      const fired = c.timeline.filter((t) => t.type === 'monitor.fired');
      expect(fired).toHaveLength(1);
      expect(fired[0]!.data.failureAt).toBe(iso(promise));
      // Deadline-based monitors fire within one second: the case is opened (and the customer told) by then.
      const lag = Date.parse(c.createdAt) - promise;
      measured[orderId] = lag;
      expect(lag, `order ${orderId}: case opened ${lag} ms after its promise`).toBeGreaterThanOrEqual(0);
      expect(lag, `order ${orderId}: case opened ${lag} ms after its promise`).toBeLessThanOrEqual(1000);
      expect(Date.parse(proactive[0]!.createdAt) - promise).toBeLessThanOrEqual(1000);
    }
    const e = await api.get<CaseDetail>(`/api/v1/cases/${lostCase!.id}`);
    expect(e.messages.filter((m) => m.template?.endsWith('/proactive'))).toHaveLength(1);
    process.stdout.write(
      `[proactive-live sqlite] case opened after promise: A ${measured.A} ms, D ${measured.D} ms; ` +
        `lost parcel: POST ${lostAnswered - lostPosted} ms, case seen ${lostSeen - lostAnswered} ms after the answer\n`,
    );
    await stop(proc.child);
    expect(proc.output()).not.toMatch(/"level":(50|60)/);

    // The same events, with the instants they were posted at, replayed on event time.
    const file = path.join(dir, 'live.jsonl');
    fs.writeFileSync(file, `${events.sent.map((x) => JSON.stringify(x)).join('\n')}\n`);
    const replayDb = await freshDatabaseUrl('sqlite');
    await runReplay({ file, db: replayDb, timezone: 'UTC', policySource: policy });
    const database = openDatabase(replayDb);
    try {
      const replayed = await database.db.selectFrom('cases').select(['order_id', 'kind', 'source']).execute();
      expect(replayed.map((c) => [c.order_id, c.kind, c.source]).sort()).toEqual(cases.map((c) => [c.orderId, c.kind, c.source]).sort());
    } finally {
      await database.close();
    }
  }, 90_000);
});

const pgAvailable = engineAvailable('postgres');
if (!pgAvailable) {
  process.stderr.write('\n!!! PostgreSQL is not available: SKIPPING the serve + two workers test in proactive-live.test.ts !!!\n\n');
}

describe.runIf(pgAvailable)('[postgres] proactive recovery live, shared by several processes', () => {
  it('two amends worker processes plus amends serve work one database, and no job runs twice to visible effect', async () => {
    const dbUrl = await freshDatabaseUrl('postgres');
    // The CLI migrates (so serve and the workers start on a migrated database).
    cli(dbUrl, ['store', 'create', '--id', 'fleet', '--name', 'Fleet Goods', '--timezone', 'UTC']);
    const token = cli(dbUrl, ['token', 'create', '--store', 'fleet', '--role', 'admin']).trim();
    const { url } = await startServe(dbUrl, { AMENDS_SERVE_JOBS: 'true' });
    const workers = [0, 1].map(() => launch(['worker'], { AMENDS_DB: dbUrl }));
    for (const [i, w] of workers.entries()) {
      await waitFor(`amends worker ${i + 1}`, w, () => w.output().includes('Amends worker is running'));
      expect(w.output()).toContain('jobs: pg-boss');
    }
    const api = client(url, token);
    expect(await api.post('/api/v1/policy', { source: policy })).toBe(201);
    const events = poster(api);

    const late = Array.from({ length: 30 }, (_, i) => `late-${i + 1}`);
    const onTime = Array.from({ length: 10 }, (_, i) => `ontime-${i + 1}`);
    const all = [...late, ...onTime];
    await events.post(all.map((o) => customer(`c-${o}`)));
    const t0 = Date.now();
    const promise = iso(t0 + 3000);
    await events.post(all.map((o) => placed(o, `c-${o}`, promise)));
    await sleepUntil(t0 + 1000);
    await events.post(onTime.map(delivered));

    let cases = await proactiveCases(api);
    const deadline = Date.now() + 45_000;
    while (cases.length < late.length && Date.now() < deadline) {
      await sleep(250);
      cases = await proactiveCases(api);
    }
    const allOpenAfter = Date.now() - (t0 + 3000);
    expect(cases).toHaveLength(late.length);
    // Anything running twice would show now.
    await sleep(2000);

    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    try {
      const q = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await db.query<T>(text, values)).rows;
      const count = async (text: string, values: unknown[] = []) => Number((await q<{ n: string }>(text, values))[0]!.n);

      const rows = await q<{ order_id: string; kind: string; source: string }>(
        'select order_id, kind, source from cases where store_id = $1 order by order_id',
        ['fleet'],
      );
      expect(rows).toEqual([...late].sort().map((o) => ({ order_id: o, kind: 'delivery_late', source: 'proactive' })));
      expect(await count(`select count(*) as n from case_messages where template like '%/proactive'`)).toBe(30);
      expect(await count(`select count(distinct case_id) as n from case_messages where template like '%/proactive'`)).toBe(30);
      expect(await count('select count(*) as n from monitor_firings')).toBe(30);
      expect(await count(`select count(*) as n from case_activities where type = 'monitor.fired'`)).toBe(30);
      expect(await count(`select count(*) as n from case_activities where type = 'outreach.sent'`)).toBe(30);
      expect(await count(`select count(*) as n from incident_contacts where status = 'sent'`)).toBe(30);

      const states = await q<{ state: string; n: string }>(
        `select state::text as state, count(*) as n from pgboss.job where name = 'proactive.order-due' group by state order by state`,
      );
      expect(Object.fromEntries(states.map((s) => [s.state, Number(s.n)]))).toEqual({ completed: 30, cancelled: 10 });
      expect(await count(`select count(*) as n from pgboss.job where state in ('failed', 'active', 'retry')`)).toBe(0);

      // How the work spread: one process takes at most one order-due job per poll (1 s); more in one second is several.
      const started = (
        await q<{ started_on: Date }>(
          `select started_on from pgboss.job where name = 'proactive.order-due' and state = 'completed' order by started_on`,
        )
      ).map((r) => r.started_on.getTime());
      let busiest = 0;
      for (let i = 0, j = 0; i < started.length; i++) {
        while (started[i]! - started[j]! >= 900) j++;
        busiest = Math.max(busiest, i - j + 1);
      }
      // One process starts its next order-due job no sooner than ~0.9 s after the last (pg-boss's 1 s poll, one job a
      // fetch), so 30 jobs started within 29 × 0.9 s were not all started by one process: the work was shared.
      const span = started.at(-1)! - started[0]!;
      expect(span, `30 jobs started over ${span} ms`).toBeLessThan(29 * 900);
      process.stdout.write(
        `[proactive-live postgres] 30 cases open ${allOpenAfter} ms after the promise; ` +
          `jobs started from ${iso(started[0]!)} to ${iso(started.at(-1)!)}; at most ${busiest} started within 900 ms\n`,
      );
    } finally {
      await db.end();
    }
    await stopAll();
  }, 120_000);
});
