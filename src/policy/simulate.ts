/**
 * Policy simulation: replays the store's history in time order and asks each
 * policy what it would have offered on every case, with the customer's facts
 * as they were when the case opened. The core is pure (no clock, no database);
 * `loadSimulationInput` streams the history out of the database.
 */
import { CompiledQuery, type Kysely, PostgresAdapter, sql } from 'kysely';
import type { CaseSource } from '../cases/lifecycle.ts';
import type { Money } from '../compensation/commerce.ts';
import { type CustomerTier, customerTiers } from '../customers/tier.ts';
import type { DB } from '../platform/db/schema.ts';
import type { IssueKind } from '../triage/labels.ts';
import {
  type DecideActor,
  type DecideCase,
  type DecideCustomer,
  type DecideHistory,
  type DecideOrder,
  decideOffer,
  type OfferDecision,
  type PastCompensation,
  type PolicyGuardrail,
  policyGuardrails,
  type SuggestedOffer,
} from './decide-offer.ts';
import { offerKinds } from './offer-kinds.ts';
import type { Policy } from './policy.schema.ts';

/** A customer as the store knows them; tags are today's (the history of tags is not kept). */
export interface SimCustomer {
  id: string;
  tags: readonly string[];
  /** When the shop account was created, if known. */
  createdAt: string | null;
  /** The first event that mentioned them. */
  firstSeenAt: string | null;
}

export interface SimOrderPlaced {
  type: 'order';
  at: string;
  orderId: string;
  customerId: string | null;
  /** Minor units of `currency`. */
  total: number;
  currency: string;
}

export interface SimOrderCancelled {
  type: 'cancel';
  at: string;
  orderId: string;
  customerId: string | null;
  total: number;
  currency: string;
}

export interface SimRefund {
  type: 'refund';
  at: string;
  orderId: string;
  /** The refunded order's customer and currency. */
  customerId: string | null;
  orderCurrency: string;
  amount: number;
  currency: string;
}

export interface SimCase {
  type: 'case';
  at: string;
  caseId: string;
  customerId: string | null;
  /** The order the case is about, with its total (what was refunded before the case comes from the refund events). */
  order: { id: string; total: number; currency: string } | null;
  kind: IssueKind | null;
  severity: number | null;
  source: CaseSource;
  /** Triage guardrails on the case (repeat failure, critical, avertable). */
  guardrails: readonly { rule: string }[];
}

/** One step of the store's history. A stream of them is in time order; at the same instant facts come before cases. */
export type SimEvent = SimOrderPlaced | SimOrderCancelled | SimRefund | SimCase;

type Source<T> = Iterable<T> | AsyncIterable<T>;

export interface SimulationInput {
  policies: readonly { label: string; policy: Policy }[];
  customers: Source<SimCustomer>;
  /** The history in time order (see SimEvent). */
  events: Source<SimEvent>;
  /** Cases from this instant (inclusive) are counted; earlier history still shapes facts and guardrails. */
  from?: string | null;
  /** History from this instant (exclusive) is ignored. */
  to?: string | null;
  /** Called with every counted case, each policy's decision on it (in policy order) and the facts they were given. */
  onDecision?: DecisionListener | undefined;
}

/** What the replay knew when a case opened: the inputs of every policy's decision (history but the compensations). */
export interface SimFacts {
  customer: DecideCustomer | null;
  /** The order as recorded (total, refunded before the case). */
  order: DecideOrder | null;
  /** Per policy: what that policy's earlier offers, counted as given, promised back on the order. */
  reserved: readonly number[];
  claims: readonly string[];
  priorFailures: number;
}

export type DecisionListener = (e: SimCase, decisions: readonly OfferDecision[], facts: SimFacts) => void;

export interface CountCost {
  count: number;
  /** Cost of the cases' offers (see PolicyOutcome), minor units of the outcome's currency. */
  cost: number;
}

/**
 * One policy over the period. "The case's offer" is the one Amends issues by itself when it does, else the
 * first suggested offer (what an agent gives, or asks approval for).
 */
export interface PolicyOutcome {
  label: string;
  name: string;
  /** The policy's currency: every amount of this outcome is in it. */
  currency: string;
  cases: number;
  /** Amends would have issued the offer by itself. */
  autoIssued: number;
  /** Not issued automatically, and an agent could not have given the offer without approval. */
  needsApproval: number;
  /** At least one policy guardrail fired (lifetime-value cap, cool-down, abuse review, needs senior). */
  guardrailFired: number;
  manualReview: number;
  /** No offer was available (e.g. refunds only, on a fully refunded order). */
  noOffer: number;
  autoIssuedPercent: number;
  needsApprovalPercent: number;
  guardrailPercent: number;
  /** Every case's offer, as if all were given (approvals granted). */
  totalCost: Money;
  /** Only those issued automatically or within an agent's authority (what the replay counts as given). */
  givenCost: Money;
  /** Order totals placed in the period, in the policy's currency. */
  revenue: Money;
  /** totalCost as a percentage of revenue; null without revenue. */
  costPercentOfRevenue: number | null;
  /** Cases whose offer was in another currency: counted, not costed. */
  otherCurrencyCases: number;
  byTier: Record<CustomerTier, CountCost>;
  /** Kind of the case's offer; `none` when nothing was available. */
  byOfferKind: Record<string, CountCost>;
  /** Matrix rule that decided, in matrix order. */
  byRule: Record<string, CountCost>;
  byGuardrail: Record<PolicyGuardrail, number>;
}

export interface SimulationReport {
  from: string | null;
  to: string | null;
  /** Cases decided and counted (in the period). */
  cases: number;
  /** Cases before `from`, decided only to build up the customers' histories. */
  warmUpCases: number;
  firstCaseAt: string | null;
  lastCaseAt: string | null;
  customers: number;
  policies: PolicyOutcome[];
}

const DAY_MS = 86_400_000;
/** Whether the suggested offer needs approval is asked as an agent with allowance to spare: the per-case rules only. */
const agent: DecideActor = { type: 'user', role: 'agent', allowanceRemaining: null };

interface CustomerState {
  tags: readonly string[];
  /** Account creation and first sighting, ms (NaN when unknown); they count for tenure once they are in the past. */
  createdMs: number;
  seenMs: number;
  firstOrderMs: number;
  /** The currency of the first order: only orders in it add to lifetime value (as the customer projection does). */
  currency: string | null;
  lifetimeValue: number;
  orders: number;
  /** Open times of the customer's cases within the longest abuse window, oldest first. */
  claims: string[];
  claimsMs: number[];
  cases: number;
  /** Per policy: what this replay gave the customer. */
  given: PastCompensation[][];
}

interface Tally {
  cases: number;
  autoIssued: number;
  needsApproval: number;
  guardrailFired: number;
  manualReview: number;
  noOffer: number;
  totalCost: number;
  givenCost: number;
  otherCurrencyCases: number;
  byTier: Map<string, CountCost>;
  byOfferKind: Map<string, CountCost>;
  byRule: Map<string, CountCost>;
  byGuardrail: Map<string, number>;
}

const newTally = (): Tally => ({
  cases: 0,
  autoIssued: 0,
  needsApproval: 0,
  guardrailFired: 0,
  manualReview: 0,
  noOffer: 0,
  totalCost: 0,
  givenCost: 0,
  otherCurrencyCases: 0,
  byTier: new Map(),
  byOfferKind: new Map(),
  byRule: new Map(),
  byGuardrail: new Map(),
});

function add(m: Map<string, CountCost>, key: string, cost: number): void {
  const e = m.get(key);
  if (e) {
    e.count++;
    e.cost += cost;
  } else m.set(key, { count: 1, cost });
}

const parseMs = (at: string | null | undefined): number => (at ? Date.parse(at) : Number.NaN);

/**
 * The replay itself, one event at a time: pure and synchronous, so that the
 * async driver below and a benchmark can feed it the same way.
 */
export class PolicyReplay {
  private readonly customers = new Map<string, CustomerState>();
  /** Refunded so far per order (sparse: only orders with refunds), in the order's currency. */
  private readonly refunded = new Map<string, number>();
  private readonly cancelled = new Set<string>();
  /** Per policy: refunds and replacements this replay gave, per order (sparse), in the order's currency. */
  private readonly reserved: Map<string, number>[];
  private readonly revenue = new Map<string, number>();
  private readonly tallies: Tally[];
  private readonly fromMs: number;
  private readonly toMs: number;
  /** Claims older than the longest abuse window of any policy can no longer count. */
  private readonly claimsWindowMs: number;
  private lastMs = Number.NEGATIVE_INFINITY;
  private counted = 0;
  private warmUp = 0;
  private firstCaseAt: string | null = null;
  private lastCaseAt: string | null = null;
  /** True once an event at or after `to` was seen: the rest of the stream can be skipped. */
  done = false;

  constructor(
    private readonly policies: readonly { label: string; policy: Policy }[],
    private readonly from: string | null = null,
    private readonly to: string | null = null,
    private readonly onDecision?: DecisionListener | undefined,
  ) {
    if (policies.length === 0) throw new Error('simulate at least one policy');
    this.fromMs = from ? Date.parse(from) : Number.NEGATIVE_INFINITY;
    this.toMs = to ? Date.parse(to) : Number.POSITIVE_INFINITY;
    if (Number.isNaN(this.fromMs) || Number.isNaN(this.toMs)) throw new Error(`invalid period ${from ?? ''}..${to ?? ''}`);
    this.tallies = policies.map(newTally);
    this.reserved = policies.map(() => new Map());
    this.claimsWindowMs = Math.max(...policies.map((p) => p.policy.guardrails.abuse.windowDays)) * DAY_MS;
  }

  addCustomer(c: SimCustomer): void {
    const st = this.state(c.id);
    st.tags = c.tags;
    st.createdMs = parseMs(c.createdAt);
    st.seenMs = parseMs(c.firstSeenAt);
  }

  private state(id: string): CustomerState {
    let st = this.customers.get(id);
    if (!st) {
      st = {
        tags: [],
        createdMs: Number.NaN,
        seenMs: Number.NaN,
        firstOrderMs: Number.NaN,
        currency: null,
        lifetimeValue: 0,
        orders: 0,
        claims: [],
        claimsMs: [],
        cases: 0,
        given: this.policies.map(() => []),
      };
      this.customers.set(id, st);
    }
    return st;
  }

  apply(e: SimEvent): void {
    const atMs = Date.parse(e.at);
    if (Number.isNaN(atMs)) throw new Error(`${e.type} at "${e.at}": not a time`);
    if (atMs < this.lastMs) throw new Error(`events out of time order: ${e.type} at ${e.at} after ${new Date(this.lastMs).toISOString()}`);
    this.lastMs = atMs;
    if (atMs >= this.toMs) {
      this.done = true;
      return;
    }
    switch (e.type) {
      case 'order': {
        if (atMs >= this.fromMs) this.revenue.set(e.currency, (this.revenue.get(e.currency) ?? 0) + e.total);
        if (!e.customerId) return;
        const st = this.state(e.customerId);
        st.currency ??= e.currency;
        st.orders++;
        if (e.currency === st.currency) st.lifetimeValue += e.total;
        if (!(st.firstOrderMs <= atMs)) st.firstOrderMs = atMs;
        return;
      }
      case 'refund': {
        if (e.currency !== e.orderCurrency) return; // the projection ignores a refund in another currency than its order
        this.refunded.set(e.orderId, (this.refunded.get(e.orderId) ?? 0) + e.amount);
        if (!e.customerId || this.cancelled.has(e.orderId)) return; // a cancelled order already counts for nothing
        const st = this.state(e.customerId);
        if (e.currency === st.currency) st.lifetimeValue -= e.amount;
        return;
      }
      case 'cancel': {
        this.cancelled.add(e.orderId);
        if (!e.customerId) return;
        const st = this.state(e.customerId);
        st.orders = Math.max(0, st.orders - 1);
        if (e.currency === st.currency) st.lifetimeValue -= e.total - (this.refunded.get(e.orderId) ?? 0);
        return;
      }
      case 'case':
        this.decide(e, atMs);
        return;
    }
  }

  private decide(e: SimCase, atMs: number): void {
    const counted = atMs >= this.fromMs;
    const st = e.customerId ? this.state(e.customerId) : null;
    let customer: DecideCustomer | null = null;
    if (st) {
      const cutoff = atMs - this.claimsWindowMs;
      let drop = 0;
      while (drop < st.claimsMs.length && st.claimsMs[drop]! < cutoff) drop++;
      if (drop > 0) {
        st.claims.splice(0, drop);
        st.claimsMs.splice(0, drop);
      }
      st.claims.push(e.at);
      st.claimsMs.push(atMs);
      // Tenure from the earliest of account creation, first sighting and first order that had happened by then.
      let known = atMs;
      if (st.createdMs <= atMs && st.createdMs < known) known = st.createdMs;
      if (st.seenMs <= atMs && st.seenMs < known) known = st.seenMs;
      if (st.firstOrderMs <= atMs && st.firstOrderMs < known) known = st.firstOrderMs;
      customer = {
        lifetimeValue: st.lifetimeValue,
        currency: st.currency,
        ordersCount: st.orders,
        tenureDays: Math.floor((atMs - known) / DAY_MS),
        tags: st.tags,
      };
    }
    const order: DecideOrder | null = e.order
      ? { total: { amount: e.order.total, currency: e.order.currency }, refunded: this.refunded.get(e.order.id) ?? 0 }
      : null;
    const c: DecideCase = { id: e.caseId, kind: e.kind, severity: e.severity, source: e.source, guardrails: e.guardrails };
    const claims = st ? st.claims : [e.at];
    const priorFailures = st ? st.cases : 0;
    const decisions: OfferDecision[] | null = counted && this.onDecision ? [] : null;
    const reserved: number[] = [];

    for (let i = 0; i < this.policies.length; i++) {
      const { policy } = this.policies[i]!;
      const history: DecideHistory = { compensations: st ? st.given[i]! : [], claims, priorFailures };
      const promised = e.order ? (this.reserved[i]!.get(e.order.id) ?? 0) : 0;
      reserved.push(promised);
      const d = decideOffer(c, customer, order && promised > 0 ? { ...order, reserved: promised } : order, policy, history, e.at, agent);
      // One call answers both questions: `auto` is always decided for the system actor, approvals for the actor given.
      const offer = caseOffer(d);
      const given = offer !== undefined && (d.auto.issue || !offer.approval.needed);
      if (given) this.give(i, st, e, offer);
      if (counted) this.tally(this.tallies[i]!, policy, d, offer, given);
      decisions?.push(d);
    }
    if (decisions) this.onDecision?.(e, decisions, { customer, order, reserved, claims: [...claims], priorFailures });
    if (st) st.cases++;
    if (counted) {
      this.counted++;
      this.firstCaseAt ??= e.at;
      this.lastCaseAt = e.at;
    } else this.warmUp++;
  }

  /** Records an offer the replay counts as given: it shapes the customer's later guardrails and what is left on the order. */
  private give(i: number, st: CustomerState | null, e: SimCase, o: SuggestedOffer): void {
    // An apology costs nothing and teaches no preferred remedy: it would change no later decision.
    if (o.kind === 'apology_only') return;
    if (st) st.given[i]!.push({ caseId: e.caseId, offerId: o.offerId, at: e.at, kind: o.kind, cost: o.cost, status: 'issued' });
    // None of the replay's refunds are in the recorded refunds: all of them, and replacements, come off what is left to refund.
    const promised =
      o.kind === 'refund_full' || o.kind === 'refund_partial' || o.kind === 'free_replacement' || o.offerId.endsWith('+credit');
    if (e.order && promised && o.cost.currency === e.order.currency) {
      const m = this.reserved[i]!;
      m.set(e.order.id, (m.get(e.order.id) ?? 0) + o.cost.amount);
    }
  }

  private tally(t: Tally, policy: Policy, d: OfferDecision, first: SuggestedOffer | undefined, given: boolean): void {
    t.cases++;
    if (d.auto.issue) t.autoIssued++;
    else if (first?.approval.needed) t.needsApproval++;
    if (d.manualReview) t.manualReview++;
    if (d.firings.length > 0) t.guardrailFired++;
    for (const f of d.firings) t.byGuardrail.set(f.rule, (t.byGuardrail.get(f.rule) ?? 0) + 1);
    let cost = 0;
    if (!first) t.noOffer++;
    else if (first.cost.currency !== policy.currency) t.otherCurrencyCases++;
    else cost = first.cost.amount;
    t.totalCost += cost;
    if (given) t.givenCost += cost;
    add(t.byTier, d.tier.tier, cost);
    add(t.byOfferKind, first?.kind ?? 'none', cost);
    add(t.byRule, d.rule.id, cost);
  }

  report(): SimulationReport {
    const pct = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 10_000) / 100 : 0);
    const policies = this.policies.map(({ label, policy }, i): PolicyOutcome => {
      const t = this.tallies[i]!;
      const money = (amount: number): Money => ({ amount, currency: policy.currency });
      const revenue = this.revenue.get(policy.currency) ?? 0;
      // Known keys in their natural order (zeros too when `all`), then any others as they came.
      const ordered = (m: Map<string, CountCost>, keys: readonly string[], all: boolean) => {
        const out: Record<string, CountCost> = {};
        for (const k of keys) {
          const v = m.get(k);
          if (v || all) out[k] = v ?? { count: 0, cost: 0 };
        }
        for (const [k, v] of m) out[k] ??= v;
        return out;
      };
      const byGuardrail = {} as Record<PolicyGuardrail, number>;
      for (const g of policyGuardrails) byGuardrail[g] = t.byGuardrail.get(g) ?? 0;
      return {
        label,
        name: policy.name,
        currency: policy.currency,
        cases: t.cases,
        autoIssued: t.autoIssued,
        needsApproval: t.needsApproval,
        guardrailFired: t.guardrailFired,
        manualReview: t.manualReview,
        noOffer: t.noOffer,
        autoIssuedPercent: pct(t.autoIssued, t.cases),
        needsApprovalPercent: pct(t.needsApproval, t.cases),
        guardrailPercent: pct(t.guardrailFired, t.cases),
        totalCost: money(t.totalCost),
        givenCost: money(t.givenCost),
        revenue: money(revenue),
        costPercentOfRevenue: revenue > 0 ? Math.round((t.totalCost / revenue) * 10_000) / 100 : null,
        otherCurrencyCases: t.otherCurrencyCases,
        byTier: ordered(t.byTier, customerTiers, true) as Record<CustomerTier, CountCost>,
        byOfferKind: ordered(t.byOfferKind, [...offerKinds, 'none'], false),
        byRule: ordered(
          t.byRule,
          policy.matrix.map((r) => r.id),
          true,
        ),
        byGuardrail,
      };
    });
    return {
      from: this.from,
      to: this.to,
      cases: this.counted,
      warmUpCases: this.warmUp,
      firstCaseAt: this.firstCaseAt,
      lastCaseAt: this.lastCaseAt,
      customers: this.customers.size,
      policies,
    };
  }
}

/**
 * The offer a case gets: the one Amends issues by itself when it does (the rule's first matrix offer), else
 * the first suggested, which an agent gives, or asks approval for.
 */
function caseOffer(d: OfferDecision): SuggestedOffer | undefined {
  if (d.auto.issue) return d.offers.find((o) => o.offerId === d.auto.offerId) ?? d.offers[0];
  return d.offers[0];
}

function isAsync<T>(s: Source<T>): s is AsyncIterable<T> {
  return typeof (s as AsyncIterable<T>)[Symbol.asyncIterator] === 'function';
}

/**
 * Replays the history under each policy. Customers are read first (they are
 * kept in memory, a few hundred bytes each); events are consumed as they come,
 * so a database cursor can feed a history of any length.
 */
export async function simulatePolicies(input: SimulationInput): Promise<SimulationReport> {
  const replay = new PolicyReplay(input.policies, input.from ?? null, input.to ?? null, input.onDecision);
  if (isAsync(input.customers)) for await (const c of input.customers) replay.addCustomer(c);
  else for (const c of input.customers) replay.addCustomer(c);
  if (isAsync(input.events)) {
    for await (const e of input.events) {
      replay.apply(e);
      if (replay.done) break;
    }
  } else {
    for (const e of input.events) {
      replay.apply(e);
      if (replay.done) break;
    }
  }
  return replay.report();
}

/** Sorts a small in-memory history into replay order (time, then facts before cases). */
export function inReplayOrder(events: readonly SimEvent[]): SimEvent[] {
  const rank = { order: 0, refund: 1, cancel: 2, case: 3 } as const;
  return [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || rank[a.type] - rank[b.type]);
}

// ---------------------------------------------------------------------------------------------------------------
// Loading from the database

export interface SimulationSource {
  customers: AsyncIterable<SimCustomer>;
  events: AsyncIterable<SimEvent>;
}

const CHUNK = 10_000;

/**
 * The store's history as one time-ordered stream: orders placed, refunds,
 * cancellations and cases, merged by the database in a single sorted query
 * (facts before cases at the same instant), up to `to`. Everything before
 * `from` is read too: it is what the customers' facts and the guardrails at
 * the start of the period are made of.
 */
export function loadSimulationInput(
  db: Kysely<DB>,
  storeId: string,
  period: { from?: string | null; to?: string | null } = {},
): SimulationSource {
  const to = period.to ?? null;
  const customers = db
    .selectFrom('customers')
    .select(['id', 'tags', 'created_at', 'first_seen_at'])
    .where('store_id', '=', storeId)
    .orderBy('id');

  // Every branch has the same columns; the ones a branch has no use for are typed nulls.
  const nullText = sql<string | null>`cast(null as text)`;
  const nullInt = sql<number | null>`cast(null as bigint)`;
  const placed = db
    .selectFrom('orders as o')
    .where('o.store_id', '=', storeId)
    .$if(to !== null, (q) => q.where('o.placed_at', '<', to!))
    .select([
      sql<number>`0`.as('rank'),
      'o.placed_at as at',
      'o.id as ref',
      'o.customer_id as customer_id',
      sql<string | null>`o.id`.as('order_id'),
      sql<number | null>`o.total_amount`.as('amount'),
      sql<string | null>`o.currency`.as('currency'),
      nullInt.as('order_total'),
      nullText.as('order_currency'),
      nullText.as('kind'),
      nullInt.as('severity'),
      nullText.as('source'),
      nullText.as('guardrails'),
      nullInt.as('avertable'),
    ]);
  const refunds = db
    .selectFrom('refunds as r')
    .innerJoin('orders as o', (j) => j.onRef('o.store_id', '=', 'r.store_id').onRef('o.id', '=', 'r.order_id'))
    .where('r.store_id', '=', storeId)
    .$if(to !== null, (q) => q.where('r.occurred_at', '<', to!))
    .select([
      sql<number>`1`.as('rank'),
      'r.occurred_at as at',
      'r.id as ref',
      'o.customer_id as customer_id',
      sql<string | null>`r.order_id`.as('order_id'),
      sql<number | null>`r.amount`.as('amount'),
      sql<string | null>`r.currency`.as('currency'),
      nullInt.as('order_total'),
      sql<string | null>`o.currency`.as('order_currency'),
      nullText.as('kind'),
      nullInt.as('severity'),
      nullText.as('source'),
      nullText.as('guardrails'),
      nullInt.as('avertable'),
    ]);
  const cancels = db
    .selectFrom('orders as o')
    .where('o.store_id', '=', storeId)
    .where('o.status', '=', 'cancelled')
    .where('o.cancelled_at', 'is not', null)
    .$if(to !== null, (q) => q.where('o.cancelled_at', '<', to!))
    .select([
      sql<number>`2`.as('rank'),
      sql<string>`o.cancelled_at`.as('at'),
      'o.id as ref',
      'o.customer_id as customer_id',
      sql<string | null>`o.id`.as('order_id'),
      sql<number | null>`o.total_amount`.as('amount'),
      sql<string | null>`o.currency`.as('currency'),
      nullInt.as('order_total'),
      nullText.as('order_currency'),
      nullText.as('kind'),
      nullInt.as('severity'),
      nullText.as('source'),
      nullText.as('guardrails'),
      nullInt.as('avertable'),
    ]);
  const cases = db
    .selectFrom('cases as c')
    .leftJoin('orders as o', (j) => j.onRef('o.store_id', '=', 'c.store_id').onRef('o.id', '=', 'c.order_id'))
    .where('c.store_id', '=', storeId)
    .$if(to !== null, (q) => q.where('c.created_at', '<', to!))
    .select([
      sql<number>`3`.as('rank'),
      'c.created_at as at',
      'c.id as ref',
      'c.customer_id as customer_id',
      sql<string | null>`c.order_id`.as('order_id'),
      nullInt.as('amount'),
      nullText.as('currency'),
      sql<number | null>`o.total_amount`.as('order_total'),
      sql<string | null>`o.currency`.as('order_currency'),
      sql<string | null>`c.kind`.as('kind'),
      sql<number | null>`c.severity`.as('severity'),
      sql<string | null>`c.source`.as('source'),
      sql<string | null>`c.guardrails`.as('guardrails'),
      sql<number | null>`c.avertable`.as('avertable'),
    ]);
  const timeline = placed.unionAll(refunds).unionAll(cancels).unionAll(cases).orderBy('at').orderBy('rank').orderBy('ref');

  return {
    customers: (async function* () {
      for await (const r of streamRows(db, customers)) {
        yield {
          id: r.id,
          tags: r.tags === '[]' ? [] : (JSON.parse(r.tags) as string[]),
          createdAt: r.created_at,
          firstSeenAt: r.first_seen_at,
        };
      }
    })(),
    events: (async function* () {
      for await (const r of streamRows(db, timeline)) yield toEvent(r);
    })(),
  };
}

type TimelineRow = {
  rank: number;
  at: string;
  ref: string;
  customer_id: string | null;
  order_id: string | null;
  amount: number | null;
  currency: string | null;
  order_total: number | null;
  order_currency: string | null;
  kind: string | null;
  severity: number | null;
  source: string | null;
  guardrails: string | null;
  avertable: number | null;
};

function toEvent(r: TimelineRow): SimEvent {
  const rank = Number(r.rank);
  if (rank === 0)
    return { type: 'order', at: r.at, orderId: r.ref, customerId: r.customer_id, total: Number(r.amount), currency: r.currency! };
  if (rank === 1) {
    return {
      type: 'refund',
      at: r.at,
      orderId: r.order_id!,
      customerId: r.customer_id,
      amount: Number(r.amount),
      currency: r.currency!,
      orderCurrency: r.order_currency!,
    };
  }
  if (rank === 2)
    return { type: 'cancel', at: r.at, orderId: r.ref, customerId: r.customer_id, total: Number(r.amount), currency: r.currency! };
  let guardrails: { rule: string }[] = [];
  if (r.guardrails && r.guardrails !== '[]') {
    // An avertable flag that was cleared stays in the history but no longer sends the case to a manager.
    guardrails = (JSON.parse(r.guardrails) as { rule: string }[]).filter((g) => g.rule !== 'avertable' || Number(r.avertable) === 1);
  }
  return {
    type: 'case',
    at: r.at,
    caseId: r.ref,
    customerId: r.customer_id,
    order: r.order_id && r.order_total !== null ? { id: r.order_id, total: Number(r.order_total), currency: r.order_currency! } : null,
    kind: r.kind as IssueKind | null,
    severity: r.severity === null ? null : Number(r.severity),
    source: (r.source ?? 'reactive') as CaseSource,
    guardrails,
  };
}

let cursorSeq = 0;

/**
 * Rows of a select, without holding them all. SQLite iterates the statement
 * (Kysely's `stream()`); PostgreSQL reads a server-side cursor in chunks,
 * because Kysely's own streaming there needs the pg-cursor package.
 */
async function* streamRows<R>(
  db: Kysely<DB>,
  query: { compile(): { sql: string; parameters: readonly unknown[] }; stream(): AsyncIterableIterator<R> },
) {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    yield* query.stream();
    return;
  }
  const compiled = query.compile();
  const name = `amends_sim_${++cursorSeq}`;
  const trx = await db.startTransaction().setAccessMode('read only').execute();
  try {
    // PostgreSQL binds the select's parameters inside DECLARE like in the select itself.
    await trx.executeQuery(CompiledQuery.raw(`declare ${name} no scroll cursor for ${compiled.sql}`, [...compiled.parameters]));
    for (;;) {
      const { rows } = await trx.executeQuery<R>(CompiledQuery.raw(`fetch forward ${CHUNK} from ${name}`));
      if (rows.length === 0) break;
      yield* rows;
    }
  } finally {
    await trx.rollback().execute();
  }
}
