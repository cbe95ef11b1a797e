/**
 * Case intake: what happens inside the ingest transaction when a customer's
 * words reach a case. A new reactive case is triaged (with what the order
 * already tells us), checked by the guardrails, scored, routed, given its SLA
 * clocks, and acknowledged in the customer's language — all before the
 * event is acknowledged to its sender. A later message on an open case is
 * triaged too, and can only make the case more urgent, never less.
 */

import type { Kysely } from 'kysely';
import { IANAZone } from 'luxon';
import { notifyCase } from '../channels/notify.ts';
import { queueCaseMessage, replyChannelFor } from '../channels/outbox.ts';
import { factsForRow } from '../compensation/case-facts.ts';
import { proposeAutomatic } from '../compensation/compensations.service.ts';
import { toCustomer } from '../customers/customers.service.ts';
import { type CustomerTier, customerTier } from '../customers/tier.ts';
import type { Clock } from '../platform/clock.ts';
import type { DB } from '../platform/db/schema.ts';
import { newId } from '../platform/ids.ts';
import { decideOffer, type OfferDecision } from '../policy/decide-offer.ts';
import { activePolicy } from '../policy/policy.service.ts';
import { personSignature, renderAcknowledgement } from '../replies/acknowledgement.ts';
import { loadSettings } from '../stores/store-settings.ts';
import { userName } from '../stores/stores.service.ts';
import { applyGuardrails, criticalFiring, type GuardrailFiring, type PriorFailure } from '../triage/guardrails.ts';
import type { Emotion, IssueKind, Severity, TriageContext, TriageResult } from '../triage/labels.ts';
import { triageText } from '../triage/triage-text.ts';
import { type Actor, recordActivity } from './case-timeline.ts';
import { transition } from './lifecycle.ts';
import { type PriorityFactor, priorityForScore, scoreOf, scorePriority } from './priority.ts';
import { routeCase } from './route-case.ts';
import { onCaseStatusChanged, startCaseSlas } from './sla.service.ts';

const system: Actor = { type: 'system', id: null };
const DAY = 86_400_000;
/** Automatic remedies only for complaints that happened within this long of now. */
const AUTO_ISSUE_MAX_AGE_MS = DAY;

export interface IntakeInput {
  storeId: string;
  caseId: string;
  caseNumber: number;
  channel: string | null;
  customerId: string | null;
  orderId: string | null;
  subject: string | null;
  body: string;
  messageId: string | null;
  reviewRating?: number | undefined;
  at: string;
}

/** What the order already says, which outranks guesses from the text. */
async function orderContext(db: Kysely<DB>, storeId: string, orderId: string | null, customerId: string | null, at: string) {
  const context: TriageContext = {};
  /** When the order's promise passed undelivered, if it has. */
  let lateSince: string | undefined;
  if (orderId) {
    const [order, shipments, payments] = await Promise.all([
      db
        .selectFrom('orders')
        .select(['status', 'total_amount', 'promised_by'])
        .where('store_id', '=', storeId)
        .where('id', '=', orderId)
        .executeTakeFirst(),
      db
        .selectFrom('shipments')
        .select(['status', 'promised_by', 'delivered_at'])
        .where('store_id', '=', storeId)
        .where('order_id', '=', orderId)
        .execute(),
      db.selectFrom('payments').select(['status']).where('store_id', '=', storeId).where('order_id', '=', orderId).execute(),
    ]);
    if (order) {
      context.orderTotalMinor = Number(order.total_amount);
      if (order.status === 'cancelled') context.orderCancelled = true;
    }
    if (shipments.some((s) => s.status === 'lost')) context.shipmentLost = true;
    if (shipments.some((s) => s.status === 'exception')) context.shipmentException = true;
    const promisedBy = (s: { promised_by: string | null }) => s.promised_by ?? order?.promised_by ?? null;
    for (const s of shipments) {
      const p = promisedBy(s);
      if (p !== null && (s.delivered_at === null ? p < at : s.delivered_at > p) && (lateSince === undefined || p < lateSince))
        lateSince = p;
    }
    if (shipments.length === 0 && order?.promised_by != null && order.promised_by < at) lateSince = order.promised_by;
    if (lateSince !== undefined) context.shipmentLate = true;
    if (payments.some((p) => p.status === 'failed')) context.paymentFailed = true;
  } else if (customerId) {
    const since = new Date(Date.parse(at) - 7 * DAY).toISOString();
    const failed = await db
      .selectFrom('payments')
      .select('id')
      .where('store_id', '=', storeId)
      .where('customer_id', '=', customerId)
      .where('status', '=', 'failed')
      .where('occurred_at', '>=', since)
      .executeTakeFirst();
    if (failed) context.paymentFailed = true;
  }
  return { context, lateSince };
}

/** The customer's latest earlier failure on another order or case, for the repeat-failure guardrail. */
async function priorFailure(
  db: Kysely<DB>,
  i: { storeId: string; caseId: string; customerId: string; orderId: string | null; at: string },
  windowDays: number,
): Promise<PriorFailure | null> {
  const since = new Date(Date.parse(i.at) - windowDays * DAY).toISOString();
  let cases = db
    .selectFrom('cases')
    .select(['number', 'created_at'])
    .where('store_id', '=', i.storeId)
    .where('customer_id', '=', i.customerId)
    .where('id', '!=', i.caseId)
    .where('created_at', '>=', since)
    .where('created_at', '<=', i.at);
  // Two complaints about the same order are one failure, not a repeat.
  if (i.orderId) cases = cases.where((eb) => eb.or([eb('order_id', 'is', null), eb('order_id', '!=', i.orderId)]));
  let orders = db
    .selectFrom('orders')
    .select(['id', 'failed_at'])
    .where('store_id', '=', i.storeId)
    .where('customer_id', '=', i.customerId)
    .where('failed_at', '>=', since)
    .where('failed_at', '<=', i.at);
  if (i.orderId) orders = orders.where('id', '!=', i.orderId);
  const [c, o] = await Promise.all([
    cases.orderBy('created_at', 'desc').limit(1).executeTakeFirst(),
    orders.orderBy('failed_at', 'desc').limit(2).execute(),
  ]);
  const found: PriorFailure[] = [];
  if (c) found.push({ ref: `case #${c.number}`, at: c.created_at });
  for (const f of o) if (f.failed_at) found.push({ ref: `order ${f.id}`, at: f.failed_at });
  // Latest first; on a tie the case (pushed first) names it better than its order. Array sort is stable.
  found.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  // A complaint that names no order is most likely about the latest failed order: that one is this failure, not a prior one.
  if (!i.orderId && found[0]?.ref.startsWith('order ')) found.shift();
  return found[0] ?? null;
}

/** Evidence in the stored triage is kept, but the timeline entry names only the labels and the top reasons. */
function triageSummary(t: TriageResult) {
  return {
    kind: t.kind.value,
    severity: t.severity.value,
    emotion: t.emotion.primary,
    intensity: t.emotion.intensity,
    language: t.language.value,
    churnThreat: t.churnThreat.value,
    legalOrPublicThreat: t.legalOrPublicThreat.value,
    repeatMention: t.repeatMention.value,
    urgency: t.urgency.value,
    why: t.kind.evidence.slice(0, 3).map((e) => e.phrase ?? e.detail ?? e.rule),
  };
}

async function keepMessageTriage(db: Kysely<DB>, storeId: string, messageId: string, triage: TriageResult): Promise<void> {
  await db
    .updateTable('case_messages')
    .set({ triage: JSON.stringify(triage) })
    .where('store_id', '=', storeId)
    .where('id', '=', messageId)
    .execute();
}

export interface CaseLabels {
  kind: IssueKind;
  severity: Severity;
  emotion: Emotion;
  intensity: number;
  churnThreat: boolean;
  legalOrPublicThreat: boolean;
  urgency: boolean;
  language: string;
  /** JSON TriageResult when the labels came from the customer's words. */
  triage: string | null;
}

export interface SettleInput {
  storeId: string;
  caseId: string;
  channel: string | null;
  customerId: string | null;
  orderId: string | null;
  at: string;
  failureAt: string;
  incidentId: string | null;
  /** Why the failure could have been avoided (an incident's verdict); null when not known to be. */
  avertable: { reason: string } | null;
  labels: CaseLabels;
  /**
   * Approve an automatic remedy now (a complaint). A proactive case decides now but grants when its message
   * goes (suggestOffers again), so a parcel that turns up first costs nothing and the code never precedes the apology.
   */
  autoIssue: boolean;
}

/**
 * What every new case goes through once its labels are known, from a
 * customer's words (intakeNewCase) or from a monitor (proactive cases):
 * guardrails, tier, priority, routing, SLA clocks and the policy's decision.
 */
export async function settleCase(db: Kysely<DB>, clock: Clock, i: SettleInput) {
  const [{ resolved: settings, name: storeName }, policy, customer] = await Promise.all([
    loadSettings(db, i.storeId),
    activePolicy(db, i.storeId),
    i.customerId
      ? db.selectFrom('customers').selectAll().where('store_id', '=', i.storeId).where('id', '=', i.customerId).executeTakeFirst()
      : Promise.resolve(undefined),
  ]);
  const l = i.labels;
  const prior = i.customerId ? await priorFailure(db, { ...i, customerId: i.customerId }, settings.repeatFailureWindowDays) : null;
  const guard = applyGuardrails({
    severity: l.severity,
    priorFailure: prior,
    repeatWindowDays: settings.repeatFailureWindowDays,
    avertable: i.avertable,
    at: i.at,
  });

  // The customer as the API shows them, on event time.
  const profile = customer ? toCustomer(customer, new Date(i.at)) : null;
  const tier = customerTier(
    {
      lifetimeValue: profile?.metrics.lifetimeValue ?? 0,
      ordersCount: profile?.metrics.ordersCount ?? 0,
      tenureDays: profile?.metrics.tenureDays ?? 0,
      tags: profile?.tags ?? [],
    },
    policy.policy.tiers,
  );
  const priority = scorePriority({
    severity: guard.severity,
    emotion: { primary: l.emotion, intensity: l.intensity },
    tier: tier.tier,
    churnThreat: l.churnThreat,
    legalOrPublicThreat: l.legalOrPublicThreat,
    urgency: l.urgency,
    slaUsed: 0,
  });
  const route = routeCase({
    facts: {
      kind: l.kind,
      severity: guard.severity,
      channel: i.channel,
      tier: tier.tier,
      emotion: l.emotion,
      language: l.language,
      priorityScore: priority.score,
    },
    guardrailRoute: guard.route,
    relationshipManagerId: customer?.relationship_manager_id ?? null,
    rules: settings.routingRules,
  });

  await db
    .updateTable('cases')
    .set({
      kind: l.kind,
      severity: guard.severity,
      emotion: l.emotion,
      emotion_intensity: l.intensity,
      priority: priority.priority,
      priority_score: priority.score,
      priority_factors: JSON.stringify(priority.factors),
      queue: route.queue,
      assignee_id: route.assigneeId,
      customer_tier: tier.tier,
      triage: l.triage,
      guardrails: JSON.stringify(guard.firings),
      avertable: i.avertable ? 1 : 0,
      failure_at: i.failureAt,
      incident_id: i.incidentId,
    })
    .where('store_id', '=', i.storeId)
    .where('id', '=', i.caseId)
    .execute();
  for (const f of guard.firings) {
    await recordActivity(db, i.storeId, i.caseId, i.at, system, 'guardrail.fired', { rule: f.rule, reason: f.reason, effect: f.effect });
  }
  await recordActivity(db, i.storeId, i.caseId, i.at, system, 'case.routed', {
    queue: route.queue,
    assigneeId: route.assigneeId,
    reason: route.reason,
    priority: priority.priority,
    priorityScore: priority.score,
    tier: tier.tier,
  });
  const due = await startCaseSlas(db, i.storeId, i.caseId, { priority: priority.priority, channel: i.channel, at: i.at, settings });
  await recordActivity(db, i.storeId, i.caseId, i.at, system, 'sla.started', { priority: priority.priority, ...due });
  const decision = await suggestOffers(db, clock, i, policy, i.autoIssue);
  return { customer, settings, storeName, guard, route, due, decision };
}

export async function intakeNewCase(db: Kysely<DB>, clock: Clock, i: IntakeInput): Promise<void> {
  const { context, lateSince } = await orderContext(db, i.storeId, i.orderId, i.customerId, i.at);
  if (i.reviewRating !== undefined) context.reviewRating = i.reviewRating;
  const triage = triageText({ text: i.body, ...(i.subject ? { subject: i.subject } : {}), context });
  if (i.messageId) await keepMessageTriage(db, i.storeId, i.messageId, triage);
  await recordActivity(db, i.storeId, i.caseId, i.at, system, 'triage.labelled', triageSummary(triage));
  const placed = await settleCase(db, clock, {
    storeId: i.storeId,
    caseId: i.caseId,
    channel: i.channel,
    customerId: i.customerId,
    orderId: i.orderId,
    at: i.at,
    // A late parcel failed when its promise passed, not when the customer wrote about it.
    failureAt: lateSince !== undefined && lateSince < i.at ? lateSince : i.at,
    incidentId: null,
    avertable: null,
    // In the portal the customer picks the remedy on the spot (src/channels/portal/portal-remedy.ts); an automatic
    // one issued before they see the offers would take that choice away.
    autoIssue: i.channel !== 'portal',
    labels: {
      kind: triage.kind.value,
      severity: triage.severity.value,
      emotion: triage.emotion.primary,
      intensity: triage.emotion.intensity,
      churnThreat: triage.churnThreat.value,
      legalOrPublicThreat: triage.legalOrPublicThreat.value,
      urgency: triage.urgency.value,
      language: triage.language.value,
      triage: JSON.stringify(triage),
    },
  });
  const { customer, settings, storeName, guard, route, due } = placed;

  // The acknowledgement: a reactive case with someone to write to.
  if (!customer || (!customer.email && i.channel !== 'chat' && i.channel !== 'portal')) {
    await recordActivity(db, i.storeId, i.caseId, i.at, system, 'acknowledgement.skipped', { reason: 'no way to reach the customer' });
    return;
  }
  const assigneeName = await userName(db, i.storeId, route.assigneeId);
  const ack = renderAcknowledgement(
    {
      // The language they wrote in, when we have a template for it; else their profile's.
      locale: triage.language.value === 'es' || triage.language.value === 'en' ? triage.language.value : customer.locale,
      storeName,
      customerName: customer.name,
      kind: triage.kind.value,
      orderRef: i.orderId,
      emotion: triage.emotion.primary,
      intensity: triage.emotion.intensity,
      repeatFailure: guard.firings.some((f) => f.rule === 'repeat_failure'),
      avertable: false,
      // "today by 14:00" in the customer's own zone when we know it.
      nextStep: {
        dueAt: due.firstResponseDueAt,
        timezone: customer.timezone && IANAZone.isValidZone(customer.timezone) ? customer.timezone : settings.calendar.timezone,
      },
      now: i.at,
      signature: personSignature(assigneeName, storeName),
      channel: replyChannelFor(i.channel),
    },
    settings.templates,
  );
  const ackId = await queueCaseMessage(db, clock, {
    storeId: i.storeId,
    caseId: i.caseId,
    authorType: 'system',
    authorId: null,
    body: ack.body,
    subject: ack.subject,
    locale: ack.locale,
    template: ack.template,
    channel: replyChannelFor(i.channel),
    at: i.at,
  });
  await recordActivity(db, i.storeId, i.caseId, i.at, system, 'acknowledgement.queued', {
    messageId: ackId,
    locale: ack.locale,
    template: ack.template,
  });
  const t = transition('new', 'acknowledged', i.at);
  if (t.ok) {
    await db.updateTable('cases').set({ status: 'acknowledged' }).where('store_id', '=', i.storeId).where('id', '=', i.caseId).execute();
    await recordActivity(db, i.storeId, i.caseId, i.at, system, 'status.changed', { from: 'new', to: 'acknowledged' });
  }
}

/**
 * The policy's decision for the case, as Amends itself would act on it: kept
 * on the case with the policy version, and when the matrix rule is automatic
 * and within Amends' own authority, the remedy is approved for issuing.
 */
export async function suggestOffers(
  db: Kysely<DB>,
  clock: Clock,
  i: { storeId: string; caseId: string; at: string },
  policy: Awaited<ReturnType<typeof activePolicy>>,
  autoIssue: boolean,
): Promise<OfferDecision> {
  const row = await db
    .selectFrom('cases')
    .selectAll()
    .where('store_id', '=', i.storeId)
    .where('id', '=', i.caseId)
    .executeTakeFirstOrThrow();
  const facts = await factsForRow(db, row, i.at);
  const decision = decideOffer(facts.case, facts.customer, facts.order, policy.policy, facts.history, i.at);
  await db
    .updateTable('cases')
    .set({ policy_version: policy.hash, offer_decision: JSON.stringify(decision) })
    .where('store_id', '=', i.storeId)
    .where('id', '=', i.caseId)
    .execute();
  await recordActivity(db, i.storeId, i.caseId, i.at, system, 'offer.suggested', {
    policyVersion: policy.hash,
    rule: decision.rule.id,
    offers: decision.offers.map((o) => o.offerId),
    auto: decision.auto,
    firings: decision.firings.map((f) => f.rule),
  });
  if (!autoIssue) return decision;
  // Amends acts by itself only on fresh failures; history loaded with `amends import` is decided, not paid out.
  if (Date.parse(clock.now().toISOString()) - Date.parse(i.at) > AUTO_ISSUE_MAX_AGE_MS) {
    if (decision.auto.issue) {
      await recordActivity(db, i.storeId, i.caseId, i.at, system, 'compensation.not_automatic', {
        reason: 'the failure is older than a day',
      });
    }
    return decision;
  }
  await proposeAutomatic(db, {
    storeId: i.storeId,
    caseId: i.caseId,
    customerId: row.customer_id,
    orderId: row.order_id,
    decision,
    policyVersion: policy.hash,
    id: newId('comp', clock),
    at: i.at,
  });
  return decision;
}

/**
 * A later message from the customer on an existing case: triaged and kept on
 * the message; severity, threats and priority can only go up. A case waiting
 * on the customer goes back to work and its SLA clocks resume.
 */
export async function intakeFollowUp(
  db: Kysely<DB>,
  i: { storeId: string; caseId: string; messageId: string; body: string; at: string },
): Promise<void> {
  const c = await db
    .selectFrom('cases')
    .select(['status', 'severity', 'priority_score', 'priority_factors', 'triage', 'queue', 'customer_tier', 'guardrails'])
    .where('store_id', '=', i.storeId)
    .where('id', '=', i.caseId)
    .executeTakeFirstOrThrow();
  const triage = triageText({ text: i.body });
  await keepMessageTriage(db, i.storeId, i.messageId, triage);
  const opening = c.triage ? (JSON.parse(c.triage) as TriageResult) : null;
  const before = c.severity === null ? null : (Number(c.severity) as Severity);
  const raised = before !== null && triage.severity.value > before;
  const newThreats = [
    triage.legalOrPublicThreat.value && !opening?.legalOrPublicThreat.value ? 'legal_or_public_threat' : null,
    triage.churnThreat.value && !opening?.churnThreat.value ? 'churn_threat' : null,
  ].filter((x): x is string => x !== null);
  if (before !== null && (raised || newThreats.length > 0)) {
    const severity = raised ? triage.severity.value : before;
    const stronger = opening && opening.emotion.intensity > triage.emotion.intensity ? opening.emotion : triage.emotion;
    const rescored = scorePriority({
      severity,
      emotion: { primary: stronger.primary, intensity: stronger.intensity },
      tier: (c.customer_tier ?? 'new') as CustomerTier,
      churnThreat: triage.churnThreat.value || !!opening?.churnThreat.value,
      legalOrPublicThreat: triage.legalOrPublicThreat.value || !!opening?.legalOrPublicThreat.value,
      urgency: triage.urgency.value || !!opening?.urgency.value,
      slaUsed: 0,
    });
    // An SLA escalation already on the case stays on it.
    const old = c.priority_factors ? (JSON.parse(c.priority_factors) as PriorityFactor[]) : [];
    const factors = [...rescored.factors, ...old.filter((f) => f.factor === 'sla')];
    const score = Math.max(Number(c.priority_score ?? 0), scoreOf(factors));
    const critical = severity === 4 && before !== 4;
    const firings = JSON.parse(c.guardrails) as GuardrailFiring[];
    if (critical) {
      firings.push(criticalFiring(i.at, ' after the customer wrote again'));
    }
    const toManager = critical && c.queue !== 'manager';
    await db
      .updateTable('cases')
      .set({
        severity,
        priority_score: score,
        priority: priorityForScore(score),
        priority_factors: JSON.stringify(factors),
        guardrails: JSON.stringify(firings),
        // Like routing at opening: the manager queue, for a manager to pick up.
        ...(toManager ? { queue: 'manager', assignee_id: null } : {}),
      })
      .where('store_id', '=', i.storeId)
      .where('id', '=', i.caseId)
      .execute();
    await recordActivity(db, i.storeId, i.caseId, i.at, system, 'triage.updated', {
      messageId: i.messageId,
      severity: { from: before, to: severity },
      threats: newThreats,
      priorityScore: score,
      ...(toManager ? { escalatedTo: 'manager' } : {}),
    });
    if (critical) {
      await recordActivity(db, i.storeId, i.caseId, i.at, system, 'guardrail.fired', {
        rule: 'critical_severity',
        reason: firings.at(-1)!.reason,
        effect: { route: 'manager' },
      });
    }
    if (toManager) {
      await notifyCase(
        db,
        i.storeId,
        i.caseId,
        'case.escalated',
        { reason: firings.at(-1)?.reason ?? 'critical severity', fromQueue: c.queue },
        i.at,
      );
    }
  }
  // The customer wrote back: a case waiting on them goes back to work; a finished one reopens.
  const next = c.status === 'waiting_on_customer' ? 'in_progress' : c.status === 'resolved' || c.status === 'closed' ? 'reopened' : null;
  if (next) {
    // Guarded by the status read above: an agent's change that committed meanwhile wins.
    const moved = await db
      .updateTable('cases')
      .set({ status: next, ...(next === 'reopened' ? { resolved_at: null, closed_at: null } : {}) })
      .where('store_id', '=', i.storeId)
      .where('id', '=', i.caseId)
      .where('status', '=', c.status)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) return;
    await recordActivity(db, i.storeId, i.caseId, i.at, system, 'status.changed', {
      from: c.status,
      to: next,
      reason: 'the customer wrote again',
    });
    await onCaseStatusChanged(db, i.storeId, i.caseId, c.status, next, i.at);
  }
}
