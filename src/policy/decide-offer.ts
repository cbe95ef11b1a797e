/**
 * Decide what to offer for a case (pure): the matrix rule that matches
 * kind × severity × tier, the offers valued against the order, the lifecycle
 * protocols, the guardrails, and for a given actor whether each offer needs
 * approval. Every step leaves a reason, so the console can show why.
 */
import type { CaseSource } from '../cases/lifecycle.ts';
import type { Money } from '../compensation/commerce.ts';
import { unsettledStatuses } from '../compensation/compensation-status.ts';
import { type CustomerTier, customerTier, type TierDecision } from '../customers/tier.ts';
import { type Role, roles } from '../stores/roles.ts';
import type { IssueKind } from '../triage/labels.ts';
import { formatMoney } from './money.ts';
import type { OfferKind } from './offer-kinds.ts';
import type { MatrixRule, OfferDefinition, Policy } from './policy.schema.ts';

export interface DecideCase {
  /** Compensations of this same case are one recovery: they count toward caps, not toward the cool-down. */
  id?: string;
  kind: IssueKind | null;
  severity: number | null;
  source: CaseSource;
  /** Triage guardrails that fired on the case (repeat failure, critical severity, avertable). */
  guardrails: readonly { rule: string }[];
}

export interface DecideCustomer {
  lifetimeValue: number;
  currency: string | null;
  ordersCount: number;
  tenureDays: number;
  tags: readonly string[];
}

export interface DecideOrder {
  total: Money;
  /** Already refunded, minor units of the order's currency. */
  refunded: number;
  /**
   * Promised back in other ways, or refunds not yet recorded: live refund, replacement and
   * refund-as-credit compensations on this order. Refunds and replacements share what is left.
   */
  reserved?: number;
}

export interface PastCompensation {
  caseId?: string;
  /** `refund_full+credit`-style ids mark a refund taken as store credit: only its bonus is goodwill. */
  offerId?: string;
  at: string;
  kind: OfferKind;
  cost: Money;
  /** Only `issued` ones teach the preferred remedy; every live one counts against caps. */
  status: string;
}

export interface DecideHistory {
  /** The customer's compensations, any case, excluding the ones of this decision. */
  compensations: readonly PastCompensation[];
  /** When the customer's cases opened (this one included). */
  claims: readonly string[];
  /** Failures before this one (for the welcome-back protocol). */
  priorFailures: number;
}

export type DecideActor = { type: 'system' } | { type: 'user'; role: Role; allowanceRemaining: number | null };

export const policyGuardrails = ['lifetime_value_cap', 'cool_down', 'abuse_review', 'needs_senior'] as const;
export type PolicyGuardrail = (typeof policyGuardrails)[number];

export interface PolicyFiring {
  rule: PolicyGuardrail;
  detail: string;
  /** Offers it applies to; empty = every offer with a cost. */
  offerIds: string[];
}

export interface Approval {
  needed: boolean;
  reasons: string[];
  /** The least role that may approve (or grant) it; null when none is needed. */
  approverRole: Role | null;
  /** An exception: whoever grants it writes why. */
  justificationRequired: boolean;
}

export type OfferSource = 'matrix' | 'refund_alternative' | 'welcome_back' | 'exclusive_perk' | 'exception';

export interface SuggestedOffer {
  offerId: string;
  kind: OfferKind;
  label: string;
  /** What the customer gets in money (refund, credit, fixed discount); null for percent codes and in-kind remedies. */
  amount: Money | null;
  percentOff: number | null;
  points: number | null;
  validDays: number | null;
  /** What it costs the store (estimated for percent codes); authority and caps are measured in this. */
  cost: Money;
  source: OfferSource;
  preferred: boolean;
  approval: Approval;
}

export interface UnavailableOffer {
  offerId: string;
  reason: string;
}

export interface OfferDecision {
  tier: TierDecision;
  kind: IssueKind;
  severity: number;
  rule: { id: string; index: number };
  offers: SuggestedOffer[];
  unavailable: UnavailableOffer[];
  firings: PolicyFiring[];
  /** Already granted on this case (live compensations, policy currency): per-case limits count it. */
  onCase: number;
  manualReview: boolean;
  /** Whether Amends may issue offers[0] by itself, and why (not). */
  auto: { issue: boolean; offerId: string | null; reasons: string[] };
  reasons: string[];
}

const DAY_MS = 86_400_000;
const severityNames = ['', 'minor', 'moderate', 'major', 'critical'];
/** Compensations in these states are (or will be) money out. */
const liveStatuses = new Set<string>([...unsettledStatuses, 'issued']);

export function decideOffer(
  c: DecideCase,
  customer: DecideCustomer | null,
  order: DecideOrder | null,
  policy: Policy,
  history: DecideHistory,
  now: string,
  actor: DecideActor = { type: 'system' },
): OfferDecision {
  const nowMs = Date.parse(now);
  const reasons: string[] = [];
  const tier = customerTier(
    {
      lifetimeValue: customer?.lifetimeValue ?? 0,
      ordersCount: customer?.ordersCount ?? 0,
      tenureDays: customer?.tenureDays ?? 0,
      tags: [...(customer?.tags ?? [])],
      ...(customer?.currency ? { currency: customer.currency } : {}),
    },
    policy.tiers,
  );
  reasons.push(`tier ${tier.tier}: ${tier.reason}`);
  const kind: IssueKind = c.kind ?? 'other';
  if (!c.kind) reasons.push('kind unknown: decided as "other"');
  const severity = c.severity ?? 2;
  reasons.push(c.severity ? `severity ${severity} (${severityNames[severity]})` : 'severity unknown: decided as 2 (moderate)');

  const index = policy.matrix.findIndex((r) => matches(r, kind, severity, tier.tier, c.source));
  // The schema guarantees a catch-all last rule.
  const rule = policy.matrix[index]!;
  reasons.push(`rule ${rule.id} (matrix[${index}]) matched ${describeMatch(rule, kind, severity, tier.tier, c.source)}`);

  const unavailable: UnavailableOffer[] = [];
  const offers: SuggestedOffer[] = [];
  const list: OfferList = { offers, unavailable, order, policy };
  for (const id of rule.offers) addOffer(list, id, 'matrix');

  const { welcomeBack, exclusivePerk, preferredRemedyFirst } = policy.lifecycle;
  if (welcomeBack?.tiers.includes(tier.tier) && history.priorFailures === 0) {
    addOffer(list, welcomeBack.offer, 'welcome_back', welcomeBack.position);
    reasons.push(`welcome-back protocol: first failure of a ${tier.tier} customer`);
  }
  if (exclusivePerk?.tiers.includes(tier.tier)) {
    addOffer(list, exclusivePerk.offer, 'exclusive_perk', exclusivePerk.position);
    reasons.push(`exclusive perk for ${tier.tier} customers`);
  }
  if (preferredRemedyFirst) {
    const preferred = preferredRemedy(history.compensations);
    const i = preferred ? offers.findIndex((o) => o.kind === preferred) : -1;
    if (preferred && i >= 0) {
      const [p] = offers.splice(i, 1);
      p!.preferred = true;
      offers.unshift(p!);
      reasons.push(`preferred remedy ${preferred} (accepted most often before) comes first`);
    }
  }

  const firings = policyFirings(c, customer, policy, history, nowMs, offers);
  const manualReview = firings.some((f) => f.rule === 'abuse_review');
  for (const f of firings) reasons.push(`guardrail ${f.rule}: ${f.detail}`);
  // The per-case limit is for the whole case: what was already given on it counts.
  const onCase = caseTotal(c, history, policy.currency);
  if (onCase > 0) reasons.push(`${formatMoney(onCase, policy.currency)} already granted on this case`);
  for (const o of offers) o.approval = approvalFor(o, actor, policy, firings, onCase);

  const auto = autoDecision(rule, offers, policy, firings, onCase);
  return { tier, kind, severity, rule: { id: rule.id, index }, offers, unavailable, firings, onCase, manualReview, auto, reasons };
}

// Hot path (simulate runs it a million times): named closures are avoided inside decisions, as tsx/esbuild's
// keepNames turns each into an Object.defineProperty call per decision.
interface OfferList {
  offers: SuggestedOffer[];
  unavailable: UnavailableOffer[];
  order: DecideOrder | null;
  policy: Policy;
}

/** Values a catalogue offer and adds it (and its store-credit alternative) unless it is already there. */
function addOffer(l: OfferList, id: string, source: OfferSource, position: 'first' | 'last' = 'last'): void {
  const { offers, unavailable, order, policy } = l;
  if (offers.some((o) => o.offerId === id)) return;
  const def = policy.offers[id]!;
  const valued = valueOffer(id, def, order, policy.currency, source);
  if ('reason' in valued) {
    if (!unavailable.some((u) => u.offerId === id)) unavailable.push(valued);
    return;
  }
  if (position === 'first') offers.unshift(valued);
  else offers.push(valued);
  if (policy.storeCreditBonusPercent > 0 && (def.kind === 'refund_partial' || def.kind === 'refund_full') && valued.amount) {
    const bonus = policy.storeCreditBonusPercent;
    const credit = Math.round((valued.amount.amount * (100 + bonus)) / 100);
    const alt: SuggestedOffer = {
      ...valued,
      offerId: `${id}+credit`,
      kind: 'store_credit',
      label: `${def.label}, as store credit (+${bonus} %)`,
      amount: { amount: credit, currency: valued.amount.currency },
      cost: { amount: credit, currency: valued.amount.currency },
      source: 'refund_alternative',
    };
    offers.splice(offers.indexOf(valued) + 1, 0, alt);
  }
}

function boundBy(def: OfferDefinition, v: number): number {
  return Math.min(def.cap ?? Number.POSITIVE_INFINITY, Math.max(def.min ?? 0, v));
}

function withinDays(at: string, nowMs: number, days: number): boolean {
  const t = Date.parse(at);
  return nowMs - t <= days * DAY_MS && t <= nowMs;
}

function caseTotal(c: DecideCase, history: DecideHistory, currency: string): number {
  if (c.id === undefined) return 0;
  return history.compensations
    .filter((p) => p.caseId === c.id && liveStatuses.has(p.status) && p.cost.currency === currency)
    .reduce((sum, p) => sum + p.cost.amount, 0);
}

/** Goodwill is what goes beyond making the customer whole: not a refund or replacement, only a credit alternative's bonus. */
function goodwillOf(kind: OfferKind, offerId: string | undefined, cost: number, bonusPercent: number): number {
  if (kind === 'refund_full' || kind === 'refund_partial' || kind === 'free_replacement') return 0;
  if (offerId?.endsWith('+credit')) return cost - Math.round((cost * 100) / (100 + bonusPercent));
  return cost;
}

function matches(r: MatrixRule, kind: IssueKind, severity: number, tier: CustomerTier, source: CaseSource): boolean {
  const w = r.when;
  return (
    (!w.kind || w.kind.includes(kind)) &&
    (!w.severity || w.severity.includes(severity)) &&
    (!w.tier || w.tier.includes(tier)) &&
    (!w.source || w.source.includes(source))
  );
}

function describeMatch(r: MatrixRule, kind: IssueKind, severity: number, tier: CustomerTier, source: CaseSource): string {
  const parts: string[] = [];
  if (r.when.kind) parts.push(`kind ${kind}`);
  if (r.when.severity) parts.push(`severity ${severity}`);
  if (r.when.tier) parts.push(`tier ${tier}`);
  if (r.when.source) parts.push(`source ${source}`);
  return parts.length ? parts.join(', ') : 'every case (fallback)';
}

const noApproval: Approval = { needed: false, reasons: [], approverRole: null, justificationRequired: false };

/** Values one catalogue offer against the order; or says why it cannot be offered. */
export function valueOffer(
  id: string,
  def: OfferDefinition,
  order: DecideOrder | null,
  policyCurrency: string,
  source: OfferSource,
): SuggestedOffer | UnavailableOffer {
  const usesPolicyMoney = def.fixed !== undefined || def.cap !== undefined || def.min !== undefined || def.value !== undefined;
  if (order && usesPolicyMoney && order.total.currency !== policyCurrency) {
    return { offerId: id, reason: `its amounts are in ${policyCurrency}; the order is in ${order.total.currency}` };
  }
  const currency = order?.total.currency ?? policyCurrency;
  const refundable = order ? Math.max(0, order.total.amount - order.refunded - (order.reserved ?? 0)) : 0;
  // What the customer gets in money (null for percent codes and in-kind remedies), and what it costs the store.
  let amount: number | null = null;
  let cost = 0;
  let percentOff: number | null = null;

  switch (def.kind) {
    case 'apology_only':
      break;
    case 'discount_code':
      if (def.fixed !== undefined) {
        amount = def.fixed;
        cost = def.fixed;
      } else {
        percentOff = def.percentOff!;
        // A percent code costs what it takes off a basket like this one, at most its cap.
        cost = order ? boundBy(def, Math.round((order.total.amount * percentOff) / 100)) : (def.cap ?? 0);
      }
      break;
    case 'store_credit':
    case 'refund_partial': {
      if (def.percentOfOrder !== undefined && !order)
        return { offerId: id, reason: 'it is a share of the order, and the case has no order' };
      let value = def.fixed ?? boundBy(def, Math.round((order!.total.amount * def.percentOfOrder!) / 100));
      if (def.kind === 'refund_partial') {
        if (!order) return { offerId: id, reason: 'a refund needs an order' };
        if (refundable === 0) return { offerId: id, reason: 'the order is already fully refunded (or promised back)' };
        value = Math.min(value, refundable);
      }
      amount = value;
      cost = value;
      break;
    }
    case 'refund_full':
      if (!order) return { offerId: id, reason: 'a refund needs an order' };
      if (refundable === 0) return { offerId: id, reason: 'the order is already fully refunded (or promised back)' };
      amount = def.percentOfOrder !== undefined ? Math.min(refundable, Math.round((refundable * def.percentOfOrder) / 100)) : refundable;
      cost = amount;
      break;
    case 'free_replacement':
      if (!order) return { offerId: id, reason: 'a replacement needs an order' };
      if (refundable === 0) return { offerId: id, reason: 'the order has already been refunded or replaced in full' };
      cost = Math.min(refundable, Math.round((order.total.amount * (def.percentOfOrder ?? 100)) / 100));
      break;
    default:
      cost = def.value ?? 0;
  }
  return {
    offerId: id,
    kind: def.kind,
    label: def.label,
    amount: amount === null ? null : { amount, currency },
    percentOff,
    points: def.points ?? null,
    validDays: def.validDays ?? null,
    cost: { amount: cost, currency },
    source,
    preferred: false,
    approval: noApproval,
  };
}

/** The kind the customer accepted most often; ties go to the most recent. Apologies teach nothing. */
export function preferredRemedy(compensations: readonly PastCompensation[]): OfferKind | null {
  const counts = new Map<OfferKind, { n: number; last: string }>();
  for (const c of compensations) {
    if (c.status !== 'issued' || c.kind === 'apology_only') continue;
    const e = counts.get(c.kind) ?? { n: 0, last: '' };
    e.n += 1;
    if (c.at > e.last) e.last = c.at;
    counts.set(c.kind, e);
  }
  let best: OfferKind | null = null;
  let bestE = { n: 0, last: '' };
  for (const [k, e] of counts) {
    if (e.n > bestE.n || (e.n === bestE.n && e.last > bestE.last)) {
      best = k;
      bestE = e;
    }
  }
  return best;
}

function policyFirings(
  c: DecideCase,
  customer: DecideCustomer | null,
  policy: Policy,
  history: DecideHistory,
  nowMs: number,
  offers: SuggestedOffer[],
): PolicyFiring[] {
  const g = policy.guardrails;
  const firings: PolicyFiring[] = [];
  const live = history.compensations.filter((p) => liveStatuses.has(p.status) && p.cost.amount > 0);
  // Refunding or replacing what they paid for makes the customer whole; the cap bounds goodwill on top of that.
  const bonus = policy.storeCreditBonusPercent;

  const currency = offers[0]?.cost.currency ?? policy.currency;
  const lifetimeValue = customer && (customer.currency ?? currency) === currency ? customer.lifetimeValue : 0;
  const ceiling = Math.max(g.lifetimeValueCap.floor, Math.round(lifetimeValue * g.lifetimeValueCap.share));
  const given = live
    .filter((p) => p.cost.currency === currency && withinDays(p.at, nowMs, g.lifetimeValueCap.windowDays))
    .reduce((s, p) => s + goodwillOf(p.kind, p.offerId, p.cost.amount, bonus), 0);
  const room = ceiling - given;
  const over = offers.filter(
    (o) => o.cost.currency === currency && goodwillOf(o.kind, o.offerId, o.cost.amount, bonus) > Math.max(0, room),
  );
  if (over.length > 0) {
    firings.push({
      rule: 'lifetime_value_cap',
      detail: `${formatMoney(given, currency)} of goodwill given in ${g.lifetimeValueCap.windowDays} days; the cap is ${formatMoney(ceiling, currency)} (${Math.round(g.lifetimeValueCap.share * 100)} % of lifetime value ${formatMoney(lifetimeValue, currency)}, at least ${formatMoney(g.lifetimeValueCap.floor, currency)}), leaving ${formatMoney(Math.max(0, room), currency)}`,
      offerIds: over.map((o) => o.offerId),
    });
  }

  const last = live
    .filter((p) => c.id === undefined || p.caseId !== c.id)
    .map((p) => p.at)
    .sort()
    .at(-1);
  if (g.coolDownDays > 0 && last && withinDays(last, nowMs, g.coolDownDays)) {
    const days = Math.floor((nowMs - Date.parse(last)) / DAY_MS);
    firings.push({
      rule: 'cool_down',
      detail: `last compensation on another case ${days} days ago (cool-down ${g.coolDownDays} days)`,
      offerIds: [],
    });
  }

  const claims = history.claims.filter((at) => withinDays(at, nowMs, g.abuse.windowDays)).length;
  if (claims >= g.abuse.claims) {
    firings.push({
      rule: 'abuse_review',
      detail: `${claims} cases in ${g.abuse.windowDays} days (review from ${g.abuse.claims})`,
      offerIds: [],
    });
  }

  const senior = c.guardrails.map((f) => f.rule);
  if (senior.length > 0) {
    firings.push({ rule: 'needs_senior', detail: `${senior.join(', ')}: a manager decides`, offerIds: [] });
  }
  return firings;
}

const applies = (f: PolicyFiring, o: SuggestedOffer) => o.cost.amount > 0 && (f.offerIds.length === 0 || f.offerIds.includes(o.offerId));
const higher = (a: Role | null, b: Role): Role => (a === null || roles.indexOf(b) > roles.indexOf(a) ? b : a);

/** The least role whose per-case limit covers this cost. */
function roleFor(cost: number, policy: Policy): Role {
  return (
    roles.find((r) => {
      const limit = policy.authority[r].perCase;
      return limit === null || cost <= limit;
    }) ?? 'admin'
  );
}

function approvalFor(o: SuggestedOffer, actor: DecideActor, policy: Policy, firings: PolicyFiring[], onCase = 0): Approval {
  if (o.cost.amount === 0) return noApproval;
  const reasons: string[] = [];
  let approver: Role | null = null;
  let justificationRequired = false;
  // Authority and allowances are in the policy's currency; another currency is an admin's call.
  if (o.cost.currency !== policy.currency) {
    return {
      needed: actor.type === 'system' || actor.role !== 'admin',
      reasons: [`${formatMoney(o.cost.amount, o.cost.currency)} is not in ${policy.currency}, the currency of authority and allowances`],
      approverRole: 'admin',
      justificationRequired: true,
    };
  }
  // Per-case limits cover everything granted on the case; the allowance only this grant.
  const cost = o.cost.amount + onCase;
  const minimum = roleFor(cost, policy);

  if (actor.type === 'system') {
    const cap = policy.authority.auto.perCase;
    if (cost > cap) {
      reasons.push(
        `${formatMoney(cost, o.cost.currency)}${onCase > 0 ? ' with what the case already got' : ''} is over what Amends may issue by itself (${formatMoney(cap, o.cost.currency)})`,
      );
      approver = higher(approver, minimum);
    }
  } else {
    const limit = policy.authority[actor.role].perCase;
    if (limit !== null && cost > limit) {
      reasons.push(
        `${formatMoney(cost, o.cost.currency)}${onCase > 0 ? ' with what the case already got' : ''} is over the ${actor.role} per-case limit of ${formatMoney(limit, o.cost.currency)}`,
      );
      approver = higher(approver, minimum);
    }
    if (actor.allowanceRemaining !== null && o.cost.amount > actor.allowanceRemaining) {
      reasons.push(
        `${formatMoney(o.cost.amount, o.cost.currency)} is more than the ${formatMoney(actor.allowanceRemaining, o.cost.currency)} left of this ${policy.authority[actor.role].period}'s allowance`,
      );
      approver = higher(approver, higher(minimum, actor.role === 'agent' ? 'manager' : 'admin'));
    }
  }
  const isAgentOrSystem = actor.type === 'system' || actor.role === 'agent';
  for (const f of firings) {
    if (!applies(f, o)) continue;
    if (f.rule === 'lifetime_value_cap' || f.rule === 'cool_down') justificationRequired = true;
    if (f.rule === 'abuse_review') justificationRequired = true;
    // Exceptions and senior cases: a manager grants them, with a written reason for exceptions.
    if (isAgentOrSystem) {
      reasons.push(`${f.rule}: ${f.detail}`);
      approver = higher(approver, higher(minimum, 'manager'));
    }
  }
  return { needed: approver !== null, reasons, approverRole: approver, justificationRequired };
}

/**
 * An offer from the catalogue that the matched rule did not suggest: an
 * exception. Whoever grants it writes why, and an agent needs a manager.
 */
export function exceptionOffer(
  offerId: string,
  decision: OfferDecision,
  order: DecideOrder | null,
  policy: Policy,
  actor: DecideActor,
): SuggestedOffer | UnavailableOffer | null {
  const def = policy.offers[offerId];
  if (!def) return null;
  const valued = valueOffer(offerId, def, order, policy.currency, 'exception');
  if ('reason' in valued) return valued;
  const base = approvalFor(valued, actor, policy, decision.firings, decision.onCase);
  if (decision.firings.some((f) => f.rule === 'lifetime_value_cap'))
    base.reasons.push('the lifetime-value cap has fired for this customer');
  const reasons = [...base.reasons];
  let approver = base.approverRole;
  if (actor.type === 'system' || actor.role === 'agent') {
    reasons.push(`${offerId} is not among the offers rule ${decision.rule.id} suggests`);
    approver = higher(approver, 'manager');
  }
  valued.approval = { needed: approver !== null, reasons, approverRole: approver, justificationRequired: true };
  return valued;
}

/** Automatic issue is for the rule's own first offer, as written, whatever the protocols put in front of it. */
function autoDecision(
  rule: MatrixRule,
  offers: SuggestedOffer[],
  policy: Policy,
  firings: PolicyFiring[],
  onCase: number,
): OfferDecision['auto'] {
  if (!rule.auto) return { issue: false, offerId: null, reasons: [`rule ${rule.id} is not automatic`] };
  const first = offers.find((o) => o.offerId === rule.offers[0] && o.source === 'matrix');
  if (!first) return { issue: false, offerId: rule.offers[0] ?? null, reasons: [`${rule.offers[0]} is not available for this case`] };
  // The acknowledgement already says sorry; an apology on its own is for a person to write, not a remedy to issue.
  if (first.kind === 'apology_only')
    return { issue: false, offerId: first.offerId, reasons: ['the suggested offer is an apology: a person writes it'] };
  const approval = approvalFor(first, { type: 'system' }, policy, firings, onCase);
  if (approval.needed || approval.justificationRequired) return { issue: false, offerId: first.offerId, reasons: approval.reasons };
  return {
    issue: true,
    offerId: first.offerId,
    reasons: [`rule ${rule.id} is automatic and ${first.offerId} is within Amends' own authority`],
  };
}
