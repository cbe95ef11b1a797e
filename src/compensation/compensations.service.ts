/**
 * Compensations: request (decided by the active policy for the actor),
 * approve/reject, issue exactly once through the store's commerce driver,
 * and the allowance ledger. Every step is in the audit log and on the case.
 *
 * Exactly once: a request carries an idempotency key (unique per store), so
 * repeats find the first; issuing is claimed by a conditional update
 * (approved → issuing) so one caller wins; the driver is idempotent by the
 * compensation's key, so a retry after a crash finds what was done.
 */

import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import { DateTime } from 'luxon';
import { actorOf, recordActivity } from '../cases/case-timeline.ts';
import { type NotificationType, notify } from '../channels/notify.ts';
import { queueCaseMessage, replyChannelFor } from '../channels/outbox.ts';
import { type AuditActor, type AuditEntry, appendAudit } from '../platform/audit.ts';
import type { CompensationsTable, DB } from '../platform/db/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import type { AppContext } from '../platform/http/context.ts';
import { newId } from '../platform/ids.ts';
import { type DecideActor, decideOffer, exceptionOffer, type OfferDecision, type SuggestedOffer } from '../policy/decide-offer.ts';
import { formatMoney } from '../policy/money.ts';
import type { OfferKind } from '../policy/offer-kinds.ts';
import type { AllowancePeriod, Policy } from '../policy/policy.schema.ts';
import { activePolicy, policyVersion } from '../policy/policy.service.ts';
import { renderRemedyMessage } from '../replies/remedy-message.ts';
import { type Role, roleAtLeast } from '../stores/roles.ts';
import { getStore, type Principal, userName } from '../stores/stores.service.ts';
import { type CaseFacts, givesBack, loadCaseFacts, reservedOnOrder } from './case-facts.ts';
import { type IssueResult, PermanentIssueError } from './commerce.ts';
import { type CompensationStatus, cancellable, MAX_ATTEMPTS, retryDelayMs } from './compensation-status.ts';

export interface CompensationView {
  id: string;
  caseId: string;
  customerId: string | null;
  orderId: string | null;
  idempotencyKey: string;
  offerId: string;
  kind: OfferKind;
  label: string;
  amount: { amount: number; currency: string } | null;
  percentOff: number | null;
  points: number | null;
  cost: { amount: number; currency: string };
  status: CompensationStatus;
  policyVersion: string;
  ruleId: string;
  requestedBy: { type: string; id: string | null; role: string | null };
  justification: string | null;
  approvalReasons: string[];
  approverRole: Role | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  attempts: number;
  lastError: string | null;
  reference: string | null;
  code: string | null;
  issuedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toCompensation(r: Selectable<CompensationsTable>): CompensationView {
  return {
    id: r.id,
    caseId: r.case_id,
    customerId: r.customer_id,
    orderId: r.order_id,
    idempotencyKey: r.idempotency_key,
    offerId: r.offer_id,
    kind: r.kind as OfferKind,
    label: r.label,
    amount: r.amount === null ? null : { amount: Number(r.amount), currency: r.currency },
    percentOff: r.percent_off,
    points: r.points,
    cost: { amount: Number(r.cost), currency: r.currency },
    status: r.status as CompensationStatus,
    policyVersion: r.policy_version,
    ruleId: r.rule_id,
    requestedBy: { type: r.requested_by_type, id: r.requested_by_id, role: r.requested_role },
    justification: r.justification,
    approvalReasons: JSON.parse(r.approval_reasons) as string[],
    approverRole: r.approver_role as Role | null,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionReason: r.decision_reason,
    attempts: r.attempts,
    lastError: r.last_error,
    reference: r.reference,
    code: r.code,
    issuedAt: r.issued_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const allowanceHolder = (p: Principal) => p.userId ?? `token:${p.tokenId}`;
const SYSTEM: AuditActor = { type: 'system', id: null };

// ---------------------------------------------------------------- allowance

/** The period an instant falls in, in the store's time zone: `2026-11`, `2026-Q4`, `2026-W48`, `2026-11-25`. */
export function allowancePeriodKey(period: AllowancePeriod, at: string, timezone: string): string {
  const t = DateTime.fromISO(at, { zone: 'utc' }).setZone(timezone);
  switch (period) {
    case 'day':
      return t.toFormat('yyyy-MM-dd');
    case 'week':
      return t.toFormat("kkkk-'W'WW");
    case 'quarter':
      return `${t.year}-Q${t.quarter}`;
    default:
      return t.toFormat('yyyy-MM');
  }
}

export interface AllowanceView {
  holder: string;
  role: Role;
  period: string;
  currency: string;
  /** null: this role has no allowance limit. */
  limit: number | null;
  spent: number;
  remaining: number | null;
}

export async function allowanceFor(db: Kysely<DB>, p: Principal, policy: Policy, now: string): Promise<AllowanceView> {
  const limit = policy.authority[p.role];
  const { timezone } = (await getStore(db, p.storeId))!;
  const period = allowancePeriodKey(limit.period, now, timezone);
  const holder = allowanceHolder(p);
  const row = await db
    .selectFrom('allowance_usage')
    .select(['spent'])
    .where('store_id', '=', p.storeId)
    .where('user_id', '=', holder)
    .where('period', '=', period)
    .where('currency', '=', policy.currency)
    .executeTakeFirst();
  const spent = Number(row?.spent ?? 0);
  return {
    holder,
    role: p.role,
    period,
    currency: policy.currency,
    limit: limit.allowance,
    spent,
    remaining: limit.allowance === null ? null : Math.max(0, limit.allowance - spent),
  };
}

/**
 * Charges `amount` to the holder's allowance if it fits. One conditional
 * update: under concurrency the database serialises the row, so the last of
 * an allowance goes to exactly as many requests as it covers.
 */
async function chargeAllowance(
  tx: Kysely<DB>,
  a: { storeId: string; holder: string; period: string; currency: string; limit: number | null; amount: number },
): Promise<boolean> {
  if (a.amount === 0) return true;
  await tx
    .insertInto('allowance_usage')
    .values({ store_id: a.storeId, user_id: a.holder, period: a.period, currency: a.currency, spent: 0 })
    .onConflict((oc) => oc.columns(['store_id', 'user_id', 'period', 'currency']).doNothing())
    .execute();
  let q = tx
    .updateTable('allowance_usage')
    .set((eb) => ({ spent: eb('spent', '+', a.amount) }))
    .where('store_id', '=', a.storeId)
    .where('user_id', '=', a.holder)
    .where('period', '=', a.period)
    .where('currency', '=', a.currency);
  if (a.limit !== null) q = q.where((eb) => eb(eb('spent', '+', a.amount), '<=', a.limit as number));
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

async function releaseAllowance(tx: Kysely<DB>, c: Selectable<CompensationsTable>): Promise<void> {
  if (!c.allowance_user_id || !c.allowance_period) return;
  await tx
    .updateTable('allowance_usage')
    .set((eb) => ({ spent: eb('spent', '-', Number(c.cost)) }))
    .where('store_id', '=', c.store_id)
    .where('user_id', '=', c.allowance_user_id)
    .where('period', '=', c.allowance_period)
    .where('currency', '=', c.currency)
    .execute();
}

// ---------------------------------------------------------------- decide

export interface OffersForCase {
  policy: { hash: string; name: string; isDefault: boolean };
  decision: OfferDecision;
  allowance: AllowanceView;
}

export async function offersForCase(ctx: AppContext, p: Principal, caseId: string): Promise<OffersForCase> {
  const db = ctx.database.db;
  const now = ctx.clock.now().toISOString();
  const [facts, active] = await Promise.all([loadCaseFacts(db, p.storeId, caseId, now), activePolicy(db, p.storeId)]);
  const allowance = await allowanceFor(db, p, active.policy, now);
  const actor: DecideActor = { type: 'user', role: p.role, allowanceRemaining: allowance.remaining };
  const decision = decideOffer(facts.case, facts.customer, facts.order, active.policy, facts.history, now, actor);
  return { policy: { hash: active.hash, name: active.name, isDefault: active.isDefault }, decision, allowance };
}

// ---------------------------------------------------------------- request

export interface CompensationRequest {
  offerId: string;
  idempotencyKey: string;
  justification?: string | undefined;
}

async function byKey(db: Kysely<DB>, storeId: string, key: string) {
  return db.selectFrom('compensations').selectAll().where('store_id', '=', storeId).where('idempotency_key', '=', key).executeTakeFirst();
}

async function byId(db: Kysely<DB>, storeId: string, id: string) {
  const row = await db.selectFrom('compensations').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('compensation', id);
  return row;
}

function sameRequest(row: Selectable<CompensationsTable>, caseId: string, offerId: string): CompensationView {
  if (row.case_id !== caseId || row.offer_id !== offerId) {
    throw new AppError(
      409,
      'idempotency_key_reused',
      `idempotency key ${row.idempotency_key} was used for ${row.offer_id} on case ${row.case_id}; use a new key for a different request`,
      'idempotencyKey',
    );
  }
  return toCompensation(row);
}

/**
 * An agent (or manager) grants an offer the policy suggested. Within the
 * actor's authority and allowance it is approved and issued at once;
 * otherwise it waits for someone with the authority.
 */
export async function requestCompensation(
  ctx: AppContext,
  p: Principal,
  caseId: string,
  input: CompensationRequest,
): Promise<{ compensation: CompensationView; created: boolean }> {
  const db = ctx.database.db;
  const earlier = await byKey(db, p.storeId, input.idempotencyKey);
  if (earlier) return { compensation: sameRequest(earlier, caseId, input.offerId), created: false };

  const now = ctx.clock.now().toISOString();
  const caseRow = await db
    .selectFrom('cases')
    .select(['customer_id'])
    .where('store_id', '=', p.storeId)
    .where('id', '=', caseId)
    .executeTakeFirst();
  if (!caseRow) throw notFound('case', caseId);
  const actor = actorOf(p);
  const id = newId('comp', ctx.clock);
  const result = await db.transaction().execute(async (tx) => {
    // Decided inside the transaction, one customer at a time: two grants for the same customer cannot both pass
    // the cool-down or the lifetime-value cap (SQLite has one writer; PostgreSQL locks the customer row).
    if (ctx.database.dialect === 'postgres' && caseRow.customer_id) {
      await sql`select 1 from customers where store_id = ${p.storeId} and id = ${caseRow.customer_id} for update`.execute(tx);
    }
    // A twin request with the same key may have committed while this one waited for the lock.
    if (await byKey(tx, p.storeId, input.idempotencyKey)) return null;
    const [facts, active] = await Promise.all([loadCaseFacts(tx, p.storeId, caseId, now), activePolicy(tx, p.storeId)]);
    if (facts.row.status === 'closed') throw new AppError(409, 'case_closed', `case ${caseId} is closed; reopen it first`);
    const allowance = await allowanceFor(tx, p, active.policy, now);
    const decision = decideOffer(facts.case, facts.customer, facts.order, active.policy, facts.history, now, {
      type: 'user',
      role: p.role,
      allowanceRemaining: allowance.remaining,
    });

    const actorForDecision: DecideActor = { type: 'user', role: p.role, allowanceRemaining: allowance.remaining };
    const chosen =
      decision.offers.find((o) => o.offerId === input.offerId) ??
      exceptionOffer(input.offerId, decision, facts.order, active.policy, actorForDecision);
    if (!chosen || 'reason' in chosen) {
      throw new AppError(
        400,
        'offer_not_available',
        chosen
          ? `${input.offerId} cannot be offered: ${chosen.reason}`
          : `${input.offerId} is not an offer of the policy (this case's: ${decision.offers.map((o) => o.offerId).join(', ')})`,
        'offerId',
      );
    }
    const offer = chosen;
    const minLength = active.policy.guardrails.justificationMinLength;
    const justification = input.justification?.trim() ?? '';
    if (offer.approval.justificationRequired && justification.length < minLength) {
      throw new AppError(
        400,
        'justification_required',
        `this is an exception (${offer.source === 'exception' ? 'not suggested for this case' : decision.firings.map((f) => f.rule).join(', ')}): write at least ${minLength} characters on why`,
        'justification',
      );
    }
    const inserted = await tx
      .insertInto('compensations')
      .values({
        ...rowValues(p.storeId, id, caseId, facts.row.customer_id, facts.row.order_id, offer, decision, active.hash, now),
        idempotency_key: input.idempotencyKey,
        status: 'proposed',
        requested_by_type: actor.type,
        requested_by_id: actor.id,
        requested_role: p.role,
        justification: justification || null,
        approval_reasons: JSON.stringify(offer.approval.reasons),
        approver_role: offer.approval.approverRole,
      })
      .onConflict((oc) => oc.columns(['store_id', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    // A concurrent request with the same key got there first.
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return null;
    await auditCompensation(tx, {
      storeId: p.storeId,
      at: now,
      actor,
      action: 'compensation.proposed',
      subjectType: 'compensation',
      subjectId: id,
      rule: decision.rule.id,
      after: { status: 'proposed', offerId: offer.offerId, cost: offer.cost, reasons: decision.reasons, policyVersion: active.hash },
      reason: justification || null,
    });
    let status: CompensationStatus = 'pending_approval';
    let reasons = offer.approval.reasons;
    if (!offer.approval.needed) {
      const charged = await chargeAllowance(tx, {
        storeId: p.storeId,
        holder: allowance.holder,
        period: allowance.period,
        currency: offer.cost.currency,
        limit: offer.cost.currency === allowance.currency ? allowance.limit : null,
        amount: offer.cost.amount,
      });
      if (charged) status = 'approved';
      else reasons = [`the ${p.role} allowance for ${allowance.period} was used up by another grant at the same time`];
    }
    await tx
      .updateTable('compensations')
      .set({
        status,
        approval_reasons: JSON.stringify(reasons),
        approver_role: status === 'approved' ? null : (offer.approval.approverRole ?? 'manager'),
        ...(status === 'approved'
          ? { decided_by: actor.id, decided_at: now, allowance_user_id: allowance.holder, allowance_period: allowance.period }
          : {}),
        updated_at: now,
      })
      .where('store_id', '=', p.storeId)
      .where('id', '=', id)
      .execute();
    await auditCompensation(tx, {
      storeId: p.storeId,
      at: now,
      actor,
      action: status === 'approved' ? 'compensation.approved' : 'compensation.approval_requested',
      subjectType: 'compensation',
      subjectId: id,
      rule: decision.rule.id,
      before: { status: 'proposed' },
      after: { status, ...(status === 'approved' ? { withinAuthority: p.role, allowancePeriod: allowance.period } : { reasons }) },
    });
    await recordActivity(tx, p.storeId, caseId, now, actor, 'compensation.requested', {
      compensationId: id,
      offerId: offer.offerId,
      kind: offer.kind,
      cost: offer.cost,
      status,
      rule: decision.rule.id,
      reasons,
    });
    return status;
  });
  if (result === null) {
    const winner = await byKey(db, p.storeId, input.idempotencyKey);
    return { compensation: sameRequest(winner!, caseId, input.offerId), created: false };
  }
  if (result === 'approved') return { compensation: await executeCompensation(ctx, p.storeId, id), created: true };
  return { compensation: toCompensation(await byId(db, p.storeId, id)), created: true };
}

function rowValues(
  storeId: string,
  id: string,
  caseId: string,
  customerId: string | null,
  orderId: string | null,
  offer: SuggestedOffer,
  decision: OfferDecision,
  policyVersion: string,
  now: string,
) {
  return {
    store_id: storeId,
    id,
    case_id: caseId,
    customer_id: customerId,
    order_id: orderId,
    offer_id: offer.offerId,
    kind: offer.kind,
    label: offer.label,
    amount: offer.amount?.amount ?? null,
    percent_off: offer.percentOff,
    points: offer.points,
    valid_days: offer.validDays,
    cost: offer.cost.amount,
    currency: offer.cost.currency,
    policy_version: policyVersion,
    rule_id: decision.rule.id,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Amends' own grant, decided at triage when the matrix rule is automatic and
 * the offer is within `authority.auto`: written approved inside the caller's
 * transaction; the compensation worker issues it after commit.
 */
export async function proposeAutomatic(
  tx: Kysely<DB>,
  a: {
    storeId: string;
    caseId: string;
    customerId: string | null;
    orderId: string | null;
    decision: OfferDecision;
    policyVersion: string;
    id: string;
    at: string;
  },
): Promise<void> {
  const offer = a.decision.offers.find((o) => o.offerId === a.decision.auto.offerId);
  if (!a.decision.auto.issue || !offer) return;
  const inserted = await tx
    .insertInto('compensations')
    .values({
      ...rowValues(a.storeId, a.id, a.caseId, a.customerId, a.orderId, offer, a.decision, a.policyVersion, a.at),
      idempotency_key: `auto:${a.caseId}`,
      status: 'approved',
      requested_by_type: 'system',
      requested_by_id: null,
      requested_role: null,
      justification: null,
      approver_role: null,
      decided_at: a.at,
    })
    .onConflict((oc) => oc.columns(['store_id', 'idempotency_key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
  await auditCompensation(tx, {
    storeId: a.storeId,
    at: a.at,
    actor: SYSTEM,
    action: 'compensation.approved',
    subjectType: 'compensation',
    subjectId: a.id,
    rule: a.decision.rule.id,
    after: {
      status: 'approved',
      offerId: offer.offerId,
      cost: offer.cost,
      reasons: a.decision.auto.reasons,
      policyVersion: a.policyVersion,
    },
    reason: 'automatic: within the policy’s own authority',
  });
  await recordActivity(tx, a.storeId, a.caseId, a.at, { type: 'system', id: null }, 'compensation.requested', {
    compensationId: a.id,
    offerId: offer.offerId,
    kind: offer.kind,
    cost: offer.cost,
    status: 'approved',
    rule: a.decision.rule.id,
    reasons: a.decision.auto.reasons,
  });
}

// ---------------------------------------------------------------- approve / reject / cancel

export async function approveCompensation(ctx: AppContext, p: Principal, id: string, reason: string | null): Promise<CompensationView> {
  const db = ctx.database.db;
  const now = ctx.clock.now().toISOString();
  const row = await byId(db, p.storeId, id);
  if (row.status !== 'pending_approval')
    throw new AppError(409, 'not_pending', `compensation ${id} is ${row.status}, not pending_approval`);
  const need = (row.approver_role as Role | null) ?? 'manager';
  if (!roleAtLeast(p.role, need)) throw new AppError(403, 'forbidden', `this needs the ${need} role to approve; the token has ${p.role}`);
  const actor = actorOf(p);
  if (row.requested_by_id !== null && row.requested_by_id === actor.id) {
    throw new AppError(403, 'own_request', 'a compensation cannot be approved by the person who asked for it');
  }
  const active = await activePolicy(db, p.storeId);
  const limit = active.policy.authority[p.role].perCase;
  if (limit !== null && Number(row.cost) > limit) {
    throw new AppError(
      403,
      'over_authority',
      `${formatMoney(Number(row.cost), row.currency)} is over the ${p.role} per-case limit; an admin approves it`,
    );
  }
  const allowance = await allowanceFor(db, p, active.policy, now);
  const approved = await db.transaction().execute(async (tx) => {
    const charged = await chargeAllowance(tx, {
      storeId: p.storeId,
      holder: allowance.holder,
      period: allowance.period,
      currency: row.currency,
      limit: row.currency === allowance.currency ? allowance.limit : null,
      amount: Number(row.cost),
    });
    if (!charged) return 'over_allowance' as const;
    const r = await tx
      .updateTable('compensations')
      .set({
        status: 'approved',
        decided_by: actor.id,
        decided_at: now,
        decision_reason: reason,
        allowance_user_id: allowance.holder,
        allowance_period: allowance.period,
        updated_at: now,
      })
      .where('store_id', '=', p.storeId)
      .where('id', '=', id)
      .where('status', '=', 'pending_approval')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError(409, 'not_pending', `compensation ${id} was decided by someone else`);
    await auditCompensation(tx, {
      storeId: p.storeId,
      at: now,
      actor,
      action: 'compensation.approved',
      subjectType: 'compensation',
      subjectId: id,
      rule: row.rule_id,
      before: { status: 'pending_approval' },
      after: { status: 'approved', approverRole: p.role, allowancePeriod: allowance.period },
      reason,
    });
    await recordActivity(tx, p.storeId, row.case_id, now, actor, 'compensation.approved', { compensationId: id, reason });
    return 'ok' as const;
  });
  if (approved === 'over_allowance') {
    throw new AppError(
      409,
      'over_allowance',
      `approving this would exceed your ${p.role} allowance for ${allowance.period}; an admin approves it`,
    );
  }
  return executeCompensation(ctx, p.storeId, id);
}

export async function rejectCompensation(ctx: AppContext, p: Principal, id: string, reason: string): Promise<CompensationView> {
  const row = await byId(ctx.database.db, p.storeId, id);
  if (row.status !== 'pending_approval')
    throw new AppError(409, 'not_pending', `compensation ${id} is ${row.status}, not pending_approval`);
  const need = (row.approver_role as Role | null) ?? 'manager';
  if (!roleAtLeast(p.role, need)) throw new AppError(403, 'forbidden', `this needs the ${need} role to reject; the token has ${p.role}`);
  return endCompensation(ctx, p, row, 'compensation.rejected', reason, ['pending_approval']);
}

export async function cancelCompensation(ctx: AppContext, p: Principal, id: string, reason: string): Promise<CompensationView> {
  const row = await byId(ctx.database.db, p.storeId, id);
  const actor = actorOf(p);
  if (!roleAtLeast(p.role, 'manager') && row.requested_by_id !== actor.id) {
    throw new AppError(403, 'forbidden', 'only the requester or a manager may cancel a compensation');
  }
  if (!cancellable.includes(row.status as CompensationStatus) || row.attempts > 0) {
    throw new AppError(409, 'not_cancellable', `compensation ${id} is ${row.status}; only ${cancellable.join(', ')} can be cancelled`);
  }
  return endCompensation(ctx, p, row, 'compensation.cancelled', reason, cancellable);
}

async function endCompensation(
  ctx: AppContext,
  p: Principal,
  row: Selectable<CompensationsTable>,
  action: 'compensation.rejected' | 'compensation.cancelled',
  reason: string,
  from: readonly CompensationStatus[],
): Promise<CompensationView> {
  const now = ctx.clock.now().toISOString();
  const actor = actorOf(p);
  await ctx.database.db.transaction().execute(async (tx) => {
    // Never tried at the shop (attempts = 0): a failed attempt may have reached it, so that is for a person to reconcile.
    const ended = await tx
      .updateTable('compensations')
      .set({ status: 'cancelled', decided_by: actor.id, decided_at: now, decision_reason: reason, updated_at: now })
      .where('store_id', '=', row.store_id)
      .where('id', '=', row.id)
      .where('status', 'in', [...from])
      .where('attempts', '=', 0)
      .returningAll()
      .executeTakeFirst();
    if (!ended) throw new AppError(409, 'conflict', `compensation ${row.id} changed meanwhile or was already tried at the shop; reload it`);
    // The row as committed: an approval that won a race has charged an allowance, and this gives it back.
    await releaseAllowance(tx, ended);
    await auditCompensation(tx, {
      storeId: row.store_id,
      at: now,
      actor,
      action,
      subjectType: 'compensation',
      subjectId: row.id,
      rule: row.rule_id,
      before: { status: row.status },
      after: { status: 'cancelled' },
      reason,
    });
    await recordActivity(tx, row.store_id, row.case_id, now, actor, action, { compensationId: row.id, reason });
  });
  return toCompensation(await byId(ctx.database.db, row.store_id, row.id));
}

// ---------------------------------------------------------------- issue

const LEASE_MS = 60_000;

/** Approved and due (first try, or its retry time has come), or left issuing by a process whose lease ran out. */
function dueForIssue(eb: ExpressionBuilder<DB, 'compensations'>, now: string) {
  return eb.or([
    eb.and([eb('status', '=', 'approved'), eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)])]),
    eb.and([eb('status', '=', 'issuing'), eb('lease_until', '<', now)]),
  ]);
}

/**
 * Issues an approved compensation: claims it (one caller wins), calls the
 * driver outside any transaction, records the outcome. Safe to call any
 * number of times, concurrently, or again after a crash.
 */
export async function executeCompensation(ctx: AppContext, storeId: string, id: string): Promise<CompensationView> {
  const db = ctx.database.db;
  const nowDate = ctx.clock.now();
  const now = nowDate.toISOString();
  const claimed = await db
    .updateTable('compensations')
    .set((eb) => ({
      status: 'issuing',
      attempts: eb('attempts', '+', 1),
      lease_until: new Date(nowDate.getTime() + LEASE_MS).toISOString(),
      updated_at: now,
    }))
    .where('store_id', '=', storeId)
    .where('id', '=', id)
    .where((eb) => dueForIssue(eb, now))
    .returningAll()
    .executeTakeFirst();
  if (!claimed) return toCompensation(await byId(db, storeId, id));

  let driverName: string | null = null;
  let result: IssueResult;
  let facts: CaseFacts;
  try {
    const driver = ctx.commerce(storeId);
    driverName = driver.name;
    facts = await loadCaseFacts(db, storeId, claimed.case_id, now);
    await checkRestitutionRoom(db, claimed);
    result = await driver.issue({
      storeId,
      compensationId: id,
      idempotencyKey: `${storeId}:${claimed.idempotency_key}`,
      kind: claimed.kind as OfferKind,
      amount: claimed.amount === null ? null : { amount: Number(claimed.amount), currency: claimed.currency },
      percent: claimed.percent_off,
      points: claimed.points,
      customerId: claimed.customer_id,
      customerEmail: facts.customerEmail,
      orderId: claimed.order_id,
      validDays: claimed.valid_days,
      note: `Amends case #${facts.row.number}: ${claimed.label}`,
      now,
    });
  } catch (err) {
    await recordFailure(ctx, claimed, err, driverName, nowDate);
    return toCompensation(await byId(db, storeId, id));
  }
  // The shop has done it. An error from here on leaves the row issuing; its lease runs out and the retry asks the
  // (idempotent) driver again, which answers with this same result.
  await db.transaction().execute(async (tx) => {
    const r = await tx
      .updateTable('compensations')
      .set({
        status: 'issued',
        driver: driverName,
        reference: result.reference,
        code: result.code,
        issued_amount: result.amount?.amount ?? claimed.amount,
        issued_at: now,
        lease_until: null,
        last_error: null,
        updated_at: now,
      })
      .where('store_id', '=', storeId)
      .where('id', '=', id)
      .where('status', '=', 'issuing')
      .where('attempts', '=', claimed.attempts)
      .executeTakeFirst();
    // Another worker re-claimed an expired lease and records the same (idempotent) result.
    if (Number(r.numUpdatedRows) !== 1) return;
    await auditCompensation(tx, {
      storeId,
      at: now,
      actor: SYSTEM,
      action: 'compensation.issued',
      subjectType: 'compensation',
      subjectId: id,
      rule: claimed.rule_id,
      before: { status: 'issuing' },
      after: { status: 'issued', driver: driverName, reference: result.reference, code: result.code, amount: result.amount },
    });
    await tellCustomer(tx, ctx, claimed, facts, result, now);
    if (claimed.customer_id && claimed.kind !== 'apology_only') await updatePreferredRemedy(tx, storeId, claimed.customer_id);
  });
  return toCompensation(await byId(db, storeId, id));
}

/**
 * Refunds, replacements and refunds taken as credit share what the order is worth. Checked again right before
 * the shop is asked, so two grants approved apart cannot together give back more than the order.
 */
async function checkRestitutionRoom(db: Kysely<DB>, c: Selectable<CompensationsTable>): Promise<void> {
  if (!givesBack(c.kind, c.offer_id) || !c.order_id) return;
  const [order, others] = await Promise.all([
    db
      .selectFrom('orders')
      .select(['total_amount', 'refunded_amount', 'currency'])
      .where('store_id', '=', c.store_id)
      .where('id', '=', c.order_id)
      .executeTakeFirst(),
    db
      .selectFrom('compensations')
      .select(['order_id', 'offer_id', 'kind', 'cost', 'currency', 'status'])
      .where('store_id', '=', c.store_id)
      .where('order_id', '=', c.order_id)
      .where('id', '!=', c.id)
      .execute(),
  ]);
  if (!order) return;
  const room = Number(order.total_amount) - Number(order.refunded_amount) - reservedOnOrder(others, c.order_id, order.currency);
  let amount = c.kind === 'free_replacement' ? 0 : Number(c.amount ?? c.cost);
  if (c.offer_id.endsWith('+credit')) {
    // A refund taken as credit gives back the refund it replaces; its bonus is goodwill on top.
    const bonus = (await policyVersion(db, c.store_id, c.policy_version))?.storeCreditBonusPercent ?? 0;
    amount = Math.round((amount * 100) / (100 + bonus));
  }
  if (c.kind !== 'free_replacement' && c.currency === order.currency && amount > room) {
    throw new PermanentIssueError(
      `only ${formatMoney(Math.max(0, room), order.currency)} of order ${c.order_id} is left to give back; this would be ${formatMoney(amount, c.currency)}`,
      'over_refund',
    );
  }
  if (c.kind === 'free_replacement' && room <= 0)
    throw new PermanentIssueError(`order ${c.order_id} has already been refunded or replaced in full`, 'over_refund');
}

async function recordFailure(
  ctx: AppContext,
  claimed: Selectable<CompensationsTable>,
  err: unknown,
  driverName: string | null,
  nowDate: Date,
): Promise<void> {
  const now = nowDate.toISOString();
  const permanent = err instanceof PermanentIssueError;
  const message = err instanceof Error ? err.message : String(err);
  const giveUp = permanent || claimed.attempts >= MAX_ATTEMPTS;
  await ctx.database.db.transaction().execute(async (tx) => {
    const r = await tx
      .updateTable('compensations')
      .set({
        status: giveUp ? 'failed' : 'approved',
        last_error: message.slice(0, 1000),
        lease_until: null,
        next_attempt_at: giveUp ? null : new Date(nowDate.getTime() + retryDelayMs(claimed.attempts)).toISOString(),
        driver: driverName,
        updated_at: now,
      })
      .where('store_id', '=', claimed.store_id)
      .where('id', '=', claimed.id)
      .where('status', '=', 'issuing')
      .where('attempts', '=', claimed.attempts)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return;
    // A permanent refusal means nothing left the shop: the allowance comes back. After transient errors the shop may
    // have acted, so the charge stays until a person reconciles it.
    if (permanent) await releaseAllowance(tx, claimed);
    await auditCompensation(tx, {
      storeId: claimed.store_id,
      at: now,
      actor: SYSTEM,
      action: giveUp ? 'compensation.failed' : 'compensation.retry_scheduled',
      subjectType: 'compensation',
      subjectId: claimed.id,
      rule: claimed.rule_id,
      before: { status: 'issuing', attempts: claimed.attempts },
      after: { status: giveUp ? 'failed' : 'approved', error: message.slice(0, 300), allowanceReleased: permanent },
    });
    if (giveUp) {
      await recordActivity(tx, claimed.store_id, claimed.case_id, now, { type: 'system', id: null }, 'compensation.failed', {
        compensationId: claimed.id,
        error: message.slice(0, 300),
      });
    }
  });
}

async function tellCustomer(
  tx: Kysely<DB>,
  ctx: AppContext,
  c: Selectable<CompensationsTable>,
  facts: Awaited<ReturnType<typeof loadCaseFacts>>,
  result: { code: string | null; amount: { amount: number; currency: string } | null; details: Record<string, unknown> },
  now: string,
): Promise<void> {
  const store = (await getStore(tx, c.store_id))!;
  const expiresAt = typeof result.details.expiresAt === 'string' ? result.details.expiresAt : null;
  const msg = renderRemedyMessage({
    locale: facts.customerLocale,
    customerName: facts.customerName,
    storeName: store.name,
    orderRef: c.order_id,
    kind: c.kind as OfferKind,
    label: c.label,
    amount: result.amount ?? (c.amount === null ? null : { amount: Number(c.amount), currency: c.currency }),
    percentOff: c.percent_off,
    points: c.points,
    code: result.code,
    expiresAt,
    timezone: store.timezone,
    signerName: c.requested_by_type === 'user' ? await userName(tx, c.store_id, c.requested_by_id) : null,
  });
  const messageId = await queueCaseMessage(tx, ctx.clock, {
    storeId: c.store_id,
    caseId: c.case_id,
    authorType: 'system',
    authorId: null,
    body: msg.body,
    subject: msg.subject,
    locale: msg.locale,
    template: msg.template,
    channel: replyChannelFor(facts.row.channel),
    at: now,
  });
  await recordActivity(tx, c.store_id, c.case_id, now, { type: 'system', id: null }, 'compensation.issued', {
    compensationId: c.id,
    kind: c.kind,
    reference: result.code ?? null,
    messageId,
  });
}

/** The kind this customer has been issued most often (DESIGN: preferred remedy, learned from accepted offers). */
async function updatePreferredRemedy(tx: Kysely<DB>, storeId: string, customerId: string): Promise<void> {
  const top = await tx
    .selectFrom('compensations')
    .select(['kind', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('issued_at').as('last')])
    .where('store_id', '=', storeId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'issued')
    .where('kind', '!=', 'apology_only')
    .groupBy('kind')
    .orderBy('n', 'desc')
    .orderBy('last', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (top) {
    await tx
      .updateTable('customers')
      .set({ preferred_remedy: top.kind })
      .where('store_id', '=', storeId)
      .where('id', '=', customerId)
      .execute();
  }
}

/** Issues every approved compensation that is due (and any whose issuer died): for the worker and for tests. */
export async function runDueCompensations(ctx: AppContext, limit = 100): Promise<number> {
  const now = ctx.clock.now().toISOString();
  const due = await ctx.database.db
    .selectFrom('compensations')
    .select(['store_id', 'id'])
    .where((eb) => dueForIssue(eb, now))
    .limit(limit)
    .execute();
  for (const d of due) await executeCompensation(ctx, d.store_id, d.id);
  return due.length;
}

// ---------------------------------------------------------------- read

export async function getCompensation(db: Kysely<DB>, storeId: string, id: string): Promise<CompensationView> {
  return toCompensation(await byId(db, storeId, id));
}

export async function listCompensations(
  db: Kysely<DB>,
  storeId: string,
  q: { status?: CompensationStatus | undefined; caseId?: string | undefined; limit: number },
): Promise<CompensationView[]> {
  let query = db.selectFrom('compensations').selectAll().where('store_id', '=', storeId);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.caseId) query = query.where('case_id', '=', q.caseId);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(toCompensation);
}

const notificationFor: Partial<Record<string, NotificationType>> = {
  'compensation.approval_requested': 'compensation.pending_approval',
  'compensation.approved': 'compensation.approved',
  'compensation.rejected': 'compensation.rejected',
  'compensation.issued': 'compensation.issued',
  'compensation.failed': 'compensation.failed',
};

/** Audits a compensation's step and, for the steps people watch, tells the store's webhooks and alerts in the same transaction. */
async function auditCompensation(tx: Kysely<DB>, e: AuditEntry): Promise<void> {
  await appendAudit(tx, e);
  const type = notificationFor[e.action];
  if (!type) return;
  const c = await tx
    .selectFrom('compensations')
    .select([
      'case_id',
      'customer_id',
      'order_id',
      'kind',
      'label',
      'amount',
      'currency',
      'cost',
      'status',
      'approver_role',
      'approval_reasons',
    ])
    .where('store_id', '=', e.storeId)
    .where('id', '=', e.subjectId)
    .executeTakeFirst();
  if (!c) return;
  await notify(
    tx,
    e.storeId,
    type,
    {
      compensationId: e.subjectId,
      caseId: c.case_id,
      customerId: c.customer_id,
      orderId: c.order_id,
      kind: c.kind,
      label: c.label,
      amount: c.amount === null ? null : { amount: Number(c.amount), currency: c.currency },
      cost: { amount: Number(c.cost), currency: c.currency },
      status: c.status,
      approverRole: c.approver_role,
      approvalReasons: c.approval_reasons ? (JSON.parse(c.approval_reasons) as string[]) : [],
      rule: e.rule ?? null,
      reason: e.reason ?? null,
      actor: e.actor,
    },
    e.at,
  );
}
