/**
 * Remedies in the portal: after a report the customer sees what the active policy allows for this case and
 * their tier — decided for Amends itself (the system actor), as at intake — and picks one.
 *
 * - Within Amends' own authority (`authority.auto`, no guardrail): approved and issued at once through the
 *   commerce driver (`executeCompensation`), and the page shows what they got.
 * - Above it: `pending_approval` for the role the policy names, with a note on the case saying what the customer
 *   chose, their description and photo, so the person who picks it up never has to ask again.
 *
 * One remedy per case from the portal: the idempotency key is `portal:<case>`, so a double submit (or a second
 * choice from a stale page) finds the first and changes nothing. A case that already has a live or issued
 * remedy (an automatic one from intake, an agent's grant) offers nothing more here.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import { recordActivity } from '../../cases/case-timeline.ts';
import { loadCaseFacts } from '../../compensation/case-facts.ts';
import { unsettledStatuses } from '../../compensation/compensation-status.ts';
import { executeCompensation } from '../../compensation/compensations.service.ts';
import { appendAudit } from '../../platform/audit.ts';
import type { CompensationsTable, DB } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AppContext } from '../../platform/http/context.ts';
import { newId } from '../../platform/ids.ts';
import { decideOffer, type SuggestedOffer } from '../../policy/decide-offer.ts';
import { formatMoney } from '../../policy/money.ts';
import { activePolicy } from '../../policy/policy.service.ts';
import { notify } from '../notify.ts';

const SYSTEM = { type: 'system' as const, id: null };
const closedStatuses = ['resolved', 'closed'];

export interface PortalOffer {
  offerId: string;
  kind: string;
  label: string;
  /** What the customer gets, in words: "22.00 EUR in store credit", "a free replacement". */
  value: string;
  /** Issued the moment they choose it (within Amends' own authority). */
  instant: boolean;
}

export interface PortalRemedy {
  id: string;
  offerId: string;
  kind: string;
  label: string;
  status: string;
  amount: { amount: number; currency: string } | null;
  code: string | null;
  issuedAt: string | null;
}

export function describeOffer(o: Pick<SuggestedOffer, 'kind' | 'amount' | 'percentOff' | 'points' | 'label'>): string {
  const money = o.amount ? formatMoney(o.amount.amount, o.amount.currency) : null;
  switch (o.kind) {
    case 'store_credit':
      return money ? `${money} in store credit` : o.label;
    case 'refund_full':
    case 'refund_partial':
      return money ? `${money} back to your payment method` : o.label;
    case 'discount_code':
      return o.percentOff ? `${o.percentOff} % off your next order` : money ? `${money} off your next order` : o.label;
    case 'loyalty_points':
      return o.points ? `${o.points} loyalty points` : o.label;
    default:
      return o.label;
  }
}

function remedyView(r: Selectable<CompensationsTable>): PortalRemedy {
  const issued = r.issued_amount ?? r.amount;
  return {
    id: r.id,
    offerId: r.offer_id,
    kind: r.kind,
    label: r.label,
    status: r.status,
    amount: issued === null ? null : { amount: Number(issued), currency: r.currency },
    code: r.code,
    issuedAt: r.issued_at,
  };
}

/** The remedy the customer chose in the portal for this case (`portal:<case>`), in whatever status it is now. */
export async function portalRemedy(db: Kysely<DB>, storeId: string, caseId: string): Promise<PortalRemedy | null> {
  const row = await byKey(db, storeId, portalKey(caseId));
  return row ? remedyView(row) : null;
}

/** The newest remedy the store has issued on this case other than the customer's own choice; null when none. */
export async function issuedByStore(db: Kysely<DB>, storeId: string, caseId: string): Promise<PortalRemedy | null> {
  const row = await db
    .selectFrom('compensations')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('case_id', '=', caseId)
    .where('status', '=', 'issued')
    .where('idempotency_key', '!=', portalKey(caseId))
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ? remedyView(row) : null;
}

const portalKey = (caseId: string) => `portal:${caseId}`;

/** The remedy the case already has (live or issued), newest first; null when none. */
export async function caseRemedy(db: Kysely<DB>, storeId: string, caseId: string): Promise<PortalRemedy | null> {
  const row = await db
    .selectFrom('compensations')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('case_id', '=', caseId)
    .where('status', 'in', [...unsettledStatuses, 'issued'])
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ? remedyView(row) : null;
}

/**
 * What the customer may choose on this case now: nothing once a remedy is on it, once they have chosen here
 * (whatever became of that choice: declined, cancelled or failed, a person takes it from there — offering again
 * would only loop), on a finished case or on a case that did not come from the portal (an agent is handling that
 * one in their own channel). An apology on its own is not a choice: people write those.
 */
export async function portalOffers(ctx: AppContext, storeId: string, customerId: string, caseId: string): Promise<PortalOffer[]> {
  const db = ctx.database.db;
  const now = ctx.clock.now().toISOString();
  const facts = await loadCaseFacts(db, storeId, caseId, now).catch(() => null);
  if (!facts || facts.row.customer_id !== customerId) return [];
  if (facts.row.channel !== 'portal' || closedStatuses.includes(facts.row.status)) return [];
  if (await byKey(db, storeId, portalKey(caseId))) return [];
  if (await caseRemedy(db, storeId, caseId)) return [];
  const active = await activePolicy(db, storeId);
  const decision = decideOffer(facts.case, facts.customer, facts.order, active.policy, facts.history, now, { type: 'system' });
  return decision.offers
    .filter((o) => o.kind !== 'apology_only')
    .map((o) => ({
      offerId: o.offerId,
      kind: o.kind,
      label: o.label,
      value: describeOffer(o),
      instant: !o.approval.needed && !o.approval.justificationRequired,
    }));
}

export type ChooseResult = { remedy: PortalRemedy; created: boolean };

/** The customer picks an offer: approved and issued at once within Amends' authority, else waits for a person. */
export async function chooseRemedy(
  ctx: AppContext,
  storeId: string,
  customerId: string,
  caseId: string,
  offerId: string,
): Promise<ChooseResult> {
  const db = ctx.database.db;
  const key = portalKey(caseId);
  const own = await db
    .selectFrom('cases')
    .select(['id', 'customer_id', 'channel', 'status'])
    .where('store_id', '=', storeId)
    .where('id', '=', caseId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  if (!own) throw notFound('case', caseId);
  const earlier = await byKey(db, storeId, key);
  if (earlier) return { remedy: remedyView(earlier), created: false };
  const existing = await caseRemedy(db, storeId, caseId);
  if (existing) return { remedy: existing, created: false };
  if (own.channel !== 'portal' || closedStatuses.includes(own.status)) {
    throw new AppError(409, 'not_offered', 'remedies for this case are chosen with the person handling it', 'offerId');
  }

  const now = ctx.clock.now().toISOString();
  const id = newId('comp', ctx.clock);
  const outcome = await db.transaction().execute(async (tx): Promise<{ existing: PortalRemedy } | { status: string } | null> => {
    // One customer at a time, as for agents' grants: two grants cannot both pass the caps and the cool-down.
    if (ctx.database.dialect === 'postgres') {
      await sql`select 1 from customers where store_id = ${storeId} and id = ${customerId} for update`.execute(tx);
    }
    // Everything checked above may have changed while we waited for the lock: an agent's grant, the case closed.
    if (await byKey(tx, storeId, key)) return null;
    const live = await caseRemedy(tx, storeId, caseId);
    if (live) return { existing: live };
    const current = await tx
      .selectFrom('cases')
      .select(['channel', 'status'])
      .where('store_id', '=', storeId)
      .where('id', '=', caseId)
      .executeTakeFirst();
    if (current?.channel !== 'portal' || closedStatuses.includes(current.status)) {
      throw new AppError(409, 'not_offered', 'remedies for this case are chosen with the person handling it', 'offerId');
    }
    const [facts, active] = await Promise.all([loadCaseFacts(tx, storeId, caseId, now), activePolicy(tx, storeId)]);
    const decision = decideOffer(facts.case, facts.customer, facts.order, active.policy, facts.history, now, { type: 'system' });
    const offer = decision.offers.find((o) => o.offerId === offerId && o.kind !== 'apology_only');
    if (!offer) throw new AppError(400, 'offer_not_available', 'that remedy is not available for this case any more', 'offerId');
    const instant = !offer.approval.needed && !offer.approval.justificationRequired;
    const status = instant ? 'approved' : 'pending_approval';
    const reasons = instant ? [] : offer.approval.reasons.length > 0 ? offer.approval.reasons : ['a person confirms this remedy'];
    const approverRole = instant ? null : (offer.approval.approverRole ?? 'manager');
    const inserted = await tx
      .insertInto('compensations')
      .values({
        store_id: storeId,
        id,
        idempotency_key: key,
        case_id: caseId,
        customer_id: customerId,
        order_id: facts.row.order_id,
        offer_id: offer.offerId,
        kind: offer.kind,
        label: offer.label,
        amount: offer.amount?.amount ?? null,
        percent_off: offer.percentOff,
        points: offer.points,
        valid_days: offer.validDays,
        cost: offer.cost.amount,
        currency: offer.cost.currency,
        status,
        policy_version: active.hash,
        rule_id: decision.rule.id,
        requested_by_type: 'system',
        requested_by_id: null,
        requested_role: null,
        justification: 'Chosen by the customer in the self-service portal',
        approval_reasons: JSON.stringify(reasons),
        approver_role: approverRole,
        decided_by: null,
        decided_at: instant ? now : null,
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
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['store_id', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return null;
    const action = instant ? 'compensation.approved' : 'compensation.approval_requested';
    await appendAudit(tx, {
      storeId,
      at: now,
      actor: SYSTEM,
      action,
      subjectType: 'compensation',
      subjectId: id,
      rule: decision.rule.id,
      after: { status, offerId: offer.offerId, cost: offer.cost, reasons, policyVersion: active.hash, chosenBy: 'customer (portal)' },
      reason: instant ? 'chosen by the customer in the portal, within the policy’s own authority' : 'chosen by the customer in the portal',
    });
    await notify(
      tx,
      storeId,
      instant ? 'compensation.approved' : 'compensation.pending_approval',
      {
        compensationId: id,
        caseId,
        customerId,
        orderId: facts.row.order_id,
        kind: offer.kind,
        label: offer.label,
        amount: offer.amount,
        cost: offer.cost,
        status,
        approverRole,
        approvalReasons: reasons,
        rule: decision.rule.id,
        reason: 'chosen by the customer in the portal',
        actor: SYSTEM,
      },
      now,
    );
    await recordActivity(tx, storeId, caseId, now, SYSTEM, 'compensation.requested', {
      compensationId: id,
      offerId: offer.offerId,
      kind: offer.kind,
      label: offer.label,
      cost: offer.cost,
      status,
      rule: decision.rule.id,
      reasons,
    });
    await recordActivity(tx, storeId, caseId, now, { type: 'customer', id: customerId }, 'portal.remedy_chosen', {
      compensationId: id,
      offerId: offer.offerId,
      label: offer.label,
      status,
    });
    // Everything the customer gave, in one place for the person who picks the case up.
    const [report, photos] = await Promise.all([
      tx
        .selectFrom('case_activities')
        .select('data')
        .where('store_id', '=', storeId)
        .where('case_id', '=', caseId)
        .where('type', '=', 'portal.reported')
        .executeTakeFirst(),
      tx.selectFrom('attachments').select(['filename']).where('store_id', '=', storeId).where('case_id', '=', caseId).execute(),
    ]);
    const issue = report ? (JSON.parse(report.data) as { issue?: string }).issue : undefined;
    const lines = [
      `Customer chose “${offer.label}” (${describeOffer(offer)}) in the portal.`,
      issue ? `Problem reported: ${issue.replace(/_/g, ' ')}${facts.row.order_id ? ` on order ${facts.row.order_id}` : ''}.` : null,
      photos.length > 0 ? `Photo: ${photos.map((p) => p.filename).join(', ')} (attached to the case).` : 'No photo.',
      instant
        ? 'Within Amends’ own authority: issued automatically.'
        : `Waiting for approval (${approverRole}): ${reasons.join('; ')}. Their description is the first message; nothing more needs asking.`,
    ].filter((l) => l !== null);
    await tx
      .insertInto('case_messages')
      .values({
        store_id: storeId,
        id: newId('msg', ctx.clock),
        case_id: caseId,
        kind: 'note',
        author_type: 'system',
        author_id: null,
        body: lines.join('\n'),
        created_at: now,
      })
      .execute();
    return { status };
  });
  if (outcome === null) return { remedy: remedyView((await byKey(db, storeId, key))!), created: false };
  if ('existing' in outcome) return { remedy: outcome.existing, created: false };
  if (outcome.status === 'approved') {
    await executeCompensation(ctx, storeId, id);
  }
  return { remedy: remedyView((await byKey(db, storeId, key))!), created: true };
}

async function byKey(db: Kysely<DB>, storeId: string, key: string) {
  return db.selectFrom('compensations').selectAll().where('store_id', '=', storeId).where('idempotency_key', '=', key).executeTakeFirst();
}
