/**
 * bench:policy — how fast offers are decided, and how fast a policy can be replayed over a long history.
 *
 * (a) decideOffer latency: 20,000 calls (after 5,000 warm-up calls) over 2,000 varied inputs — every issue kind,
 *     severities 1–4, new to vip customers, 0–3 past compensations, some triage guardrails, system and agent actors —
 *     each call timed on its own with performance.now() (a call takes tens of µs or more, far above the timer's
 *     resolution). Baseline in the same run, timed the same way: JSON.parse of the same inputs serialised.
 * (b) simulatePolicies throughput: a seeded store history generated in memory and streamed (never held in one array):
 *     BENCH_CASES cases (default 1,000,000) with their customers, orders, refunds and cancellations, replayed under
 *     policies/default.yaml vs policies/strict.yaml. Baseline: a bare loop over the same generated history that keeps
 *     each customer's lifetime value and order count and computes only the tier (customerTier) per case.
 * (c) loadSimulationInput on SQLite: the first BENCH_DB_CASES cases (default 100,000) of the same history written
 *     with raw better-sqlite3 into a temp file, then streamed back (rows/s), and replayed from the database.
 * (d) What-if, last and clearly apart: the same replay on a slice with Intl.NumberFormat instances and their
 *     resolvedOptions memoised in this process, i.e. what src/policy/money.ts fractionDigits would give if it cached
 *     its answer per currency (it builds a new Intl.NumberFormat on every call).
 * Prints human lines, then one JSON object as the last line. Exits 1 when the 30 s target for 1 M cases is missed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { customerTier } from '../src/customers/tier.ts';
import { Random, seededRng } from '../src/demo/rng.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import {
  type DecideActor,
  type DecideCase,
  type DecideCustomer,
  type DecideHistory,
  type DecideOrder,
  decideOffer,
} from '../src/policy/decide-offer.ts';
import type { OfferKind } from '../src/policy/offer-kinds.ts';
import { parsePolicy } from '../src/policy/parse-policy.ts';
import type { Policy } from '../src/policy/policy.schema.ts';
import { loadSimulationInput, type SimCustomer, type SimEvent, simulatePolicies } from '../src/policy/simulate.ts';
import type { IssueKind } from '../src/triage/labels.ts';

const root = path.resolve(import.meta.dirname, '..');
const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const DB_CASES = Number(process.env.BENCH_DB_CASES ?? 100_000);
const TARGET_1M_SECONDS = 30;
const DAY = 86_400_000;

function loadPolicy(file: string): Policy {
  const parsed = parsePolicy(fs.readFileSync(path.join(root, file), 'utf8'));
  if (!parsed.ok) throw new Error(`${file} is invalid`);
  return parsed.policy;
}
const policies = [
  { label: 'default.yaml', policy: loadPolicy('policies/default.yaml') },
  { label: 'strict.yaml', policy: loadPolicy('policies/strict.yaml') },
];
const defaultP = policies[0]!.policy;

const percentile = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (v: number) => Number(v.toFixed(4));

// --------------------------------------------------------------------------------------------------------------
// (a) decideOffer latency

/** The kinds in roughly the mix a store sees (late parcels dominate). */
const kindMix: [IssueKind, number][] = [
  ['delivery_late', 45],
  ['other', 12],
  ['damaged_item', 6],
  ['delivery_lost', 5],
  ['billing_error', 4],
  ['payment_problem', 4],
  ['wrong_item', 3],
  ['missing_item', 3],
  ['quality_defect', 3],
  ['refund_request', 3],
  ['cancellation', 3],
  ['account_access', 3],
  ['website_bug', 3],
  ['rude_service', 3],
];
const kindTotal = kindMix.reduce((s, [, w]) => s + w, 0);
function pickKind(rnd: Random): IssueKind {
  let r = rnd.next() * kindTotal;
  for (const [k, w] of kindMix) {
    r -= w;
    if (r < 0) return k;
  }
  return 'other';
}
function pickSeverity(rnd: Random): number {
  const r = rnd.next();
  return r < 0.2 ? 1 : r < 0.75 ? 2 : r < 0.97 ? 3 : 4;
}
const remedyKinds: OfferKind[] = ['discount_code', 'refund_partial', 'store_credit', 'loyalty_points', 'free_replacement'];

interface DecideInput {
  c: DecideCase;
  customer: DecideCustomer | null;
  order: DecideOrder | null;
  history: DecideHistory;
  now: string;
  actor: DecideActor;
}

function decideInputs(n: number): DecideInput[] {
  const rnd = new Random(seededRng(11));
  const base = Date.parse('2026-06-01T12:00:00Z');
  return Array.from({ length: n }, (_, i) => {
    const nowMs = base + rnd.int(0, 180) * DAY;
    const now = new Date(nowMs).toISOString();
    const orders = Math.floor(rnd.heavyTail(1.2));
    const past = rnd.chance(0.6) ? 0 : rnd.int(1, 3);
    const compensations = Array.from({ length: past }, () => ({
      at: new Date(nowMs - rnd.int(1, 200) * DAY).toISOString(),
      kind: rnd.pick(remedyKinds),
      cost: { amount: rnd.int(500, 5_000), currency: 'USD' },
      status: rnd.chance(0.9) ? 'issued' : 'failed',
    }));
    const claims = [...compensations.map((p) => p.at), now].sort();
    const severity = pickSeverity(rnd);
    const guardrails = severity === 4 ? [{ rule: 'critical_severity' }] : rnd.chance(0.08) ? [{ rule: 'repeat_failure' }] : [];
    return {
      c: { kind: pickKind(rnd), severity, source: rnd.chance(0.2) ? 'proactive' : 'reactive', guardrails },
      customer:
        i % 50 === 0
          ? null
          : {
              lifetimeValue: orders * rnd.int(2_000, 12_000),
              currency: 'USD',
              ordersCount: orders,
              tenureDays: rnd.int(0, 900),
              tags: rnd.chance(0.02) ? ['vip'] : [],
            },
      order:
        i % 25 === 0
          ? null
          : { total: { amount: rnd.int(1_500, 40_000), currency: 'USD' }, refunded: rnd.chance(0.05) ? rnd.int(0, 1_500) : 0 },
      history: { compensations, claims, priorFailures: past + (rnd.chance(0.3) ? 1 : 0) },
      now,
      actor:
        i % 2 === 0
          ? { type: 'system' }
          : { type: 'user', role: 'agent', allowanceRemaining: rnd.chance(0.5) ? null : rnd.int(0, 200_000) },
    };
  });
}

function latency(inputs: DecideInput[], calls: number, warmUp: number, fn: (x: DecideInput, i: number) => unknown): Float64Array {
  for (let i = 0; i < warmUp; i++) fn(inputs[i % inputs.length]!, i);
  const times = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const x = inputs[i % inputs.length]!;
    const t = performance.now();
    fn(x, i);
    times[i] = performance.now() - t;
  }
  return times.sort();
}

// --------------------------------------------------------------------------------------------------------------
// (b) the generated history

interface GenOptions {
  cases: number;
  seed: number;
}

/** An event without its time yet (Omit per member of the union, so each keeps its own fields). */
type Unplaced = { [K in SimEvent['type']]: Omit<Extract<SimEvent, { type: K }>, 'at'> }[SimEvent['type']];

interface Pending {
  ms: number;
  seq: number;
  event: Unplaced;
}

/** A binary min-heap of scheduled events (cases, refunds, cancellations) by time. */
class Schedule {
  private readonly items: Pending[] = [];
  get size() {
    return this.items.length;
  }
  peek(): Pending | undefined {
    return this.items[0];
  }
  push(p: Pending): void {
    const a = this.items;
    a.push(p);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }
  pop(): Pending {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
const before = (a: Pending, b: Pending) => a.ms < b.ms || (a.ms === b.ms && a.seq < b.seq);

const START = Date.parse('2024-01-01T00:00:00Z');
const SPAN_DAYS = 730;

function customerCount(cases: number): number {
  return Math.max(100, Math.round(cases * 0.4));
}

/** Customers: 2 % tagged vip, 3 % wholesale, 40 % with a shop account older than the history. */
function generateCustomers(o: GenOptions): SimCustomer[] {
  const rnd = new Random(seededRng(o.seed * 31 + 1));
  return Array.from({ length: customerCount(o.cases) }, (_, i) => {
    const created = rnd.chance(0.4) ? new Date(START - rnd.int(1, 1_000) * DAY).toISOString() : null;
    return {
      id: `c${i}`,
      tags: rnd.chance(0.02) ? ['vip'] : rnd.chance(0.03) ? ['wholesale'] : [],
      createdAt: created,
      firstSeenAt: created,
    };
  });
}

/**
 * A store's history in time order, generated as it is consumed: orders arrive as a Poisson process over two
 * years from a heavy-tailed customer base (a few customers order a lot); about one order in three has a case
 * 1–20 days later (the mix of kinds and severities above; website and account cases often without an order);
 * 8 % of orders get a refund, 2 % are cancelled. Stops after `cases` cases.
 */
function* generateHistory(o: GenOptions): Generator<SimEvent> {
  const rnd = new Random(seededRng(o.seed));
  const customers = customerCount(o.cases);
  const orders = o.cases * 3;
  const gapMs = (SPAN_DAYS * DAY) / orders;
  const schedule = new Schedule();
  let t = START;
  let seq = 0;
  let emittedCases = 0;
  let orderNo = 0;
  const lastCase = new Map<string, number>();
  for (;;) {
    t += Math.max(1, Math.round(-Math.log(1 - rnd.next()) * gapMs));
    while (schedule.size > 0 && schedule.peek()!.ms <= t) {
      const p = schedule.pop();
      const at = new Date(p.ms).toISOString();
      if (p.event.type === 'case') {
        // A repeat failure within 30 days is flagged at intake, as triage does.
        const prev = p.event.customerId ? lastCase.get(p.event.customerId) : undefined;
        if (p.event.customerId) lastCase.set(p.event.customerId, p.ms);
        const repeat = prev !== undefined && p.ms - prev <= 30 * DAY;
        const guardrails = p.event.severity === 4 ? [{ rule: 'critical_severity' }] : repeat ? [{ rule: 'repeat_failure' }] : [];
        yield { ...p.event, at, guardrails } as SimEvent;
        if (++emittedCases >= o.cases) return;
      } else yield { ...p.event, at } as SimEvent;
    }
    // A few customers order a lot: half the orders come from the first 10 % of customers.
    const u = rnd.next();
    const customer = u < 0.5 ? Math.floor(rnd.next() * customers * 0.1) : Math.floor(rnd.next() * customers);
    const customerId = `c${customer}`;
    const orderId = `o${orderNo++}`;
    const total = Math.round(rnd.heavyTail(2.2) * 2_500);
    yield { type: 'order', at: new Date(t).toISOString(), orderId, customerId, total, currency: 'USD' };
    if (rnd.chance(0.02)) {
      schedule.push({
        ms: t + rnd.int(1, 72) * 3_600_000,
        seq: seq++,
        event: { type: 'cancel', orderId, customerId, total, currency: 'USD' },
      });
      continue;
    }
    if (rnd.chance(0.08)) {
      const amount = Math.max(100, Math.round(total * rnd.int(10, 100) * 0.01));
      schedule.push({
        ms: t + rnd.int(2, 30) * DAY + rnd.int(0, DAY - 1),
        seq: seq++,
        event: { type: 'refund', orderId, customerId, amount, currency: 'USD', orderCurrency: 'USD' },
      });
    }
    if (rnd.chance(0.34)) {
      const kind = pickKind(rnd);
      const withoutOrder = (kind === 'website_bug' || kind === 'account_access') && rnd.chance(0.5);
      schedule.push({
        ms: t + Math.round(rnd.int(1, 20) * DAY * rnd.next()) + 60_000,
        seq: seq++,
        event: {
          type: 'case',
          caseId: `k${seq}`,
          customerId,
          order: withoutOrder ? null : { id: orderId, total, currency: 'USD' },
          kind,
          severity: pickSeverity(rnd),
          source: kind.startsWith('delivery') && rnd.chance(0.4) ? 'proactive' : 'reactive',
          guardrails: [],
        },
      });
    }
  }
}

/** The baseline: the same history, keeping only what the tier needs, and the tier per case. */
function tierOnlyLoop(o: GenOptions, customers: SimCustomer[]): { cases: number; tiers: Record<string, number> } {
  const known = new Map(customers.map((c) => [c.id, c]));
  const state = new Map<string, { ltv: number; orders: number; first: number }>();
  const tiers: Record<string, number> = {};
  let cases = 0;
  for (const e of generateHistory(o)) {
    if (e.type === 'order' && e.customerId) {
      const s = state.get(e.customerId);
      if (s) {
        s.ltv += e.total;
        s.orders++;
      } else state.set(e.customerId, { ltv: e.total, orders: 1, first: Date.parse(e.at) });
    } else if (e.type === 'case') {
      cases++;
      const s = e.customerId ? state.get(e.customerId) : undefined;
      const c = e.customerId ? known.get(e.customerId) : undefined;
      const tier = customerTier(
        {
          lifetimeValue: s?.ltv ?? 0,
          ordersCount: s?.orders ?? 0,
          tenureDays: s ? Math.floor((Date.parse(e.at) - s.first) / DAY) : 0,
          tags: c ? [...c.tags] : [],
        },
        defaultP.tiers,
      ).tier;
      tiers[tier] = (tiers[tier] ?? 0) + 1;
    }
  }
  return { cases, tiers };
}

// --------------------------------------------------------------------------------------------------------------
// (c) the database loader

async function dbLoader(
  o: GenOptions,
): Promise<{ rows: number; loadSeconds: number; rowsPerSec: number; simulateSeconds: number; cases: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-bench-policy-'));
  const file = path.join(dir, 'amends.db');
  try {
    const schema = openDatabase(file);
    await migrateToLatest(schema);
    await schema.close();

    const raw = new SQLite(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = OFF');
    const at0 = new Date(START).toISOString();
    raw
      .prepare("insert into stores (id, name, timezone, currency, case_seq, created_at) values ('bench', 'Bench', 'UTC', 'USD', 0, ?)")
      .run(at0);
    const insCustomer = raw.prepare(
      `insert into customers (store_id, id, tags, created_at, orders_count, total_spent, total_refunded, failures_count, first_seen_at, updated_at)
       values ('bench', ?, ?, ?, 0, 0, 0, 0, ?, ?)`,
    );
    const insOrder = raw.prepare(
      `insert into orders (store_id, id, customer_id, status, total_amount, currency, items, placed_at, refunded_amount, updated_at)
       values ('bench', ?, ?, 'placed', ?, ?, '[]', ?, 0, ?)`,
    );
    const cancel = raw.prepare("update orders set status = 'cancelled', cancelled_at = ? where store_id = 'bench' and id = ?");
    const insRefund = raw.prepare(
      "insert into refunds (store_id, id, order_id, amount, currency, occurred_at) values ('bench', ?, ?, ?, ?, ?)",
    );
    const refundUpdate = raw.prepare("update orders set refunded_amount = refunded_amount + ? where store_id = 'bench' and id = ?");
    const insCase = raw.prepare(
      `insert into cases (store_id, id, number, status, source, customer_id, order_id, created_at, updated_at, kind, severity, guardrails, avertable)
       values ('bench', ?, ?, 'closed', ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    const customers = generateCustomers(o);
    const events = generateHistory(o);
    raw.transaction(() => {
      for (const c of customers) insCustomer.run(c.id, JSON.stringify(c.tags), c.createdAt, c.firstSeenAt ?? at0, at0);
    })();
    let number = 0;
    let refunds = 0;
    let batch: SimEvent[] = [];
    const write = raw.transaction((es: SimEvent[]) => {
      for (const e of es) {
        if (e.type === 'order') insOrder.run(e.orderId, e.customerId, e.total, e.currency, e.at, e.at);
        else if (e.type === 'cancel') cancel.run(e.at, e.orderId);
        else if (e.type === 'refund') {
          insRefund.run(`r${++refunds}`, e.orderId, e.amount, e.currency, e.at);
          refundUpdate.run(e.amount, e.orderId);
        } else {
          insCase.run(
            e.caseId,
            ++number,
            e.source,
            e.customerId,
            e.order?.id ?? null,
            e.at,
            e.at,
            e.kind,
            e.severity,
            JSON.stringify(e.guardrails),
          );
        }
      }
    });
    for (const e of events) {
      batch.push(e);
      if (batch.length >= 10_000) {
        write(batch);
        batch = [];
      }
    }
    write(batch);
    raw.close();

    const database = openDatabase(file);
    try {
      let rows = 0;
      let t = performance.now();
      const source = loadSimulationInput(database.db, 'bench');
      for await (const _ of source.customers) rows++;
      for await (const _ of source.events) rows++;
      const loadSeconds = (performance.now() - t) / 1000;
      t = performance.now();
      const report = await simulatePolicies({ policies, ...loadSimulationInput(database.db, 'bench') });
      const simulateSeconds = (performance.now() - t) / 1000;
      return { rows, loadSeconds, rowsPerSec: rows / loadSeconds, simulateSeconds, cases: report.cases };
    } finally {
      await database.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// --------------------------------------------------------------------------------------------------------------

console.log(`bench:policy — ${os.cpus().length} cores, Node ${process.version}`);

const inputs = decideInputs(2_000);
const CALLS = 20_000;
const decideTimes = latency(inputs, CALLS, 5_000, (x) => decideOffer(x.c, x.customer, x.order, defaultP, x.history, x.now, x.actor));
const serialised = inputs.map((x) => JSON.stringify(x));
const parseTimes = latency(inputs, CALLS, 5_000, (_, i) => JSON.parse(serialised[i % serialised.length]!));
const decideP50Ms = percentile(decideTimes, 50);
const decideP99Ms = percentile(decideTimes, 99);
const decideMaxMs = decideTimes[decideTimes.length - 1]!;
const baselineParseP50Ms = percentile(parseTimes, 50);
const baselineParseP99Ms = percentile(parseTimes, 99);
console.log(
  `decideOffer, ${CALLS} calls timed one by one (performance.now() per call): p50 ${decideP50Ms.toFixed(3)} ms, p99 ${decideP99Ms.toFixed(3)} ms, max ${decideMaxMs.toFixed(3)} ms`,
);
console.log(
  `JSON.parse of the same inputs (baseline, ${(serialised.reduce((s, j) => s + j.length, 0) / serialised.length).toFixed(0)} bytes mean): p50 ${baselineParseP50Ms.toFixed(4)} ms, p99 ${baselineParseP99Ms.toFixed(4)} ms`,
);
const ratioDecideToParseP50 = decideP50Ms / baselineParseP50Ms;
console.log(`ratio decideOffer/JSON.parse p50: ${ratioDecideToParseP50.toFixed(1)}`);

const gen: GenOptions = { cases: CASES, seed: 2026 };
const customers = generateCustomers(gen);
let t = performance.now();
let events = 0;
for (const _ of generateHistory(gen)) events++;
const generateSeconds = (performance.now() - t) / 1000;
console.log(
  `history: ${CASES.toLocaleString('en')} cases, ${events.toLocaleString('en')} events, ${customers.length.toLocaleString('en')} customers; generating alone takes ${generateSeconds.toFixed(1)} s`,
);

t = performance.now();
const base = tierOnlyLoop(gen, customers);
const baselineSeconds = (performance.now() - t) / 1000;
const baselineCasesPerSec = base.cases / baselineSeconds;
console.log(
  `baseline, generated history + tier only: ${baselineSeconds.toFixed(1)} s, ${Math.round(baselineCasesPerSec).toLocaleString('en')} cases/s`,
);

t = performance.now();
const report = await simulatePolicies({ policies, customers, events: generateHistory(gen) });
const simulateSeconds = (performance.now() - t) / 1000;
const simulateCasesPerSec = report.cases / simulateSeconds;
// Peak resident memory so far: the replay's state (customers, their histories) is garbage once it returns.
const peakRssMb = process.resourceUsage().maxRSS / 1024;
console.log(
  `simulatePolicies default vs strict: ${simulateSeconds.toFixed(1)} s for ${report.cases.toLocaleString('en')} cases, ${Math.round(simulateCasesPerSec).toLocaleString('en')} cases/s (${(
    (simulateSeconds * 1e6) / report.cases / policies.length
  ).toFixed(1)} µs per case and policy); peak RSS ${peakRssMb.toFixed(0)} MB`,
);
for (const p of report.policies) {
  console.log(
    `  ${p.label}: auto ${p.autoIssuedPercent} %, needs approval ${p.needsApprovalPercent} %, guardrail ${p.guardrailPercent} %, cost ${p.costPercentOfRevenue} % of revenue`,
  );
}
const simulate1MSeconds = (simulateSeconds * 1_000_000) / report.cases;
const ratioSimulateToBaseline = simulateCasesPerSec / baselineCasesPerSec;
console.log(
  `1 M cases: ${simulate1MSeconds.toFixed(1)} s (target < ${TARGET_1M_SECONDS} s${CASES === 1_000_000 ? '' : ', extrapolated'}); ratio simulate/baseline cases/s: ${ratioSimulateToBaseline.toFixed(4)}`,
);

const db = await dbLoader({ cases: DB_CASES, seed: 7 });
console.log(
  `loadSimulationInput (SQLite, ${DB_CASES.toLocaleString('en')} cases): ${db.rows.toLocaleString('en')} rows in ${db.loadSeconds.toFixed(2)} s, ${Math.round(db.rowsPerSec).toLocaleString('en')} rows/s; ` +
    `replayed from the database in ${db.simulateSeconds.toFixed(1)} s (${Math.round(db.cases / db.simulateSeconds).toLocaleString('en')} cases/s)`,
);

const targetMet = simulate1MSeconds < TARGET_1M_SECONDS;
if (!targetMet) {
  console.error(`bench:policy: target missed: 1 M cases in ${simulate1MSeconds.toFixed(0)} s >= ${TARGET_1M_SECONDS} s`);
  process.exitCode = 1;
}
console.log(
  JSON.stringify({
    decideP50Ms: ms(decideP50Ms),
    decideP99Ms: ms(decideP99Ms),
    decideMaxMs: ms(decideMaxMs),
    decideCalls: CALLS,
    baselineParseP50Ms: ms(baselineParseP50Ms),
    baselineParseP99Ms: ms(baselineParseP99Ms),
    ratioDecideToParseP50: Number(ratioDecideToParseP50.toFixed(1)),
    cases: report.cases,
    events,
    simulateSeconds: Number(simulateSeconds.toFixed(1)),
    simulateCasesPerSec: Math.round(simulateCasesPerSec),
    simulate1MSeconds: Number(simulate1MSeconds.toFixed(1)),
    baselineTierCasesPerSec: Math.round(baselineCasesPerSec),
    ratioSimulateToBaseline: Number(ratioSimulateToBaseline.toFixed(4)),
    generateSeconds: Number(generateSeconds.toFixed(1)),
    peakRssMb: Math.round(peakRssMb),
    dbCases: db.cases,
    dbRows: db.rows,
    dbLoadRowsPerSec: Math.round(db.rowsPerSec),
    dbSimulateCasesPerSec: Math.round(db.cases / db.simulateSeconds),
    targetMet,
  }),
);
