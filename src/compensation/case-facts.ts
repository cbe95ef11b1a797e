/**
 * Loads what `decideOffer` needs about one case: the case's labels, the
 * customer as of now, the order, and the customer's history (compensations,
 * claims, earlier failures).
 */
import type { Kysely, Selectable } from 'kysely';
import type { CaseSource } from '../cases/lifecycle.ts';
import { toCustomer } from '../customers/customers.service.ts';
import type { CasesTable, DB } from '../platform/db/schema.ts';
import { notFound } from '../platform/errors.ts';
import type { DecideCase, DecideCustomer, DecideHistory, DecideOrder } from '../policy/decide-offer.ts';
import type { OfferKind } from '../policy/offer-kinds.ts';
import type { IssueKind } from '../triage/labels.ts';
import { unsettledStatuses } from './compensation-status.ts';

export interface CaseFacts {
  row: Selectable<CasesTable>;
  case: DecideCase;
  customer: DecideCustomer | null;
  customerEmail: string | null;
  customerName: string | null;
  customerLocale: string | null;
  order: DecideOrder | null;
  history: DecideHistory;
}

const live = new Set<string>(unsettledStatuses);

/** Refunds, replacements and refunds taken as credit: they give back what the order was worth. */
export function givesBack(kind: string, offerId: string): boolean {
  return kind === 'refund_full' || kind === 'refund_partial' || kind === 'free_replacement' || offerId.endsWith('+credit');
}

/**
 * What the order has been promised back besides recorded refunds: refunds not yet issued (issued ones are in
 * `refunded_amount`), and replacements and refunds taken as credit, live or issued. Only the customer's
 * compensations are loaded here; an order belongs to one customer.
 */
export function reservedOnOrder(
  compensations: readonly { order_id: string | null; offer_id: string; kind: string; cost: number; currency: string; status: string }[],
  orderId: string | null,
  currency: string,
): number {
  let sum = 0;
  for (const c of compensations) {
    if (c.order_id !== orderId || c.currency !== currency) continue;
    if (!givesBack(c.kind, c.offer_id)) continue;
    // Issued refunds are already in refunded_amount; issued replacements and credits are not.
    const recordedAsRefund = (c.kind === 'refund_full' || c.kind === 'refund_partial') && c.status === 'issued';
    if (live.has(c.status) || (c.status === 'issued' && !recordedAsRefund)) {
      // A refund taken as credit counts with its bonus: a little conservative, never short.
      sum += Number(c.cost);
    }
  }
  return sum;
}

export async function loadCaseFacts(db: Kysely<DB>, storeId: string, caseId: string, now: string): Promise<CaseFacts> {
  const row = await db.selectFrom('cases').selectAll().where('store_id', '=', storeId).where('id', '=', caseId).executeTakeFirst();
  if (!row) throw notFound('case', caseId);
  return factsForRow(db, row, now);
}

export async function factsForRow(db: Kysely<DB>, row: Selectable<CasesTable>, now: string): Promise<CaseFacts> {
  const storeId = row.store_id;
  const [customerRow, orderRow, compensations, claims] = await Promise.all([
    row.customer_id
      ? db.selectFrom('customers').selectAll().where('store_id', '=', storeId).where('id', '=', row.customer_id).executeTakeFirst()
      : undefined,
    row.order_id
      ? db
          .selectFrom('orders')
          .select(['total_amount', 'currency', 'refunded_amount'])
          .where('store_id', '=', storeId)
          .where('id', '=', row.order_id)
          .executeTakeFirst()
      : undefined,
    row.customer_id
      ? db
          .selectFrom('compensations')
          .select(['case_id', 'order_id', 'offer_id', 'created_at', 'kind', 'cost', 'currency', 'status'])
          .where('store_id', '=', storeId)
          .where('customer_id', '=', row.customer_id)
          .execute()
      : [],
    row.customer_id
      ? db.selectFrom('cases').select(['created_at']).where('store_id', '=', storeId).where('customer_id', '=', row.customer_id).execute()
      : [{ created_at: row.created_at }],
  ]);
  const customer = customerRow ? toCustomer(customerRow, new Date(now)) : null;
  const priorClaims = claims.filter((c) => c.created_at < row.created_at).length;
  return {
    row,
    case: {
      id: row.id,
      kind: (row.kind as IssueKind | null) ?? null,
      severity: row.severity ?? null,
      source: row.source as CaseSource,
      guardrails: JSON.parse(row.guardrails) as { rule: string }[],
    },
    customer: customer && {
      lifetimeValue: customer.metrics.lifetimeValue,
      currency: customer.currency,
      ordersCount: customer.metrics.ordersCount,
      tenureDays: customer.metrics.tenureDays,
      tags: customer.tags,
    },
    customerEmail: customer?.email ?? null,
    customerName: customer?.name ?? null,
    customerLocale: customer?.locale ?? null,
    order: orderRow
      ? {
          total: { amount: Number(orderRow.total_amount), currency: orderRow.currency },
          refunded: Number(orderRow.refunded_amount),
          reserved: reservedOnOrder(compensations, row.order_id, orderRow.currency),
        }
      : null,
    history: {
      compensations: compensations.map((c) => ({
        caseId: c.case_id,
        offerId: c.offer_id,
        at: c.created_at,
        kind: c.kind as OfferKind,
        cost: { amount: Number(c.cost), currency: c.currency },
        status: c.status,
      })),
      claims: claims.map((c) => c.created_at),
      // Failures before this one: the customer's earlier cases, or the projection's count when it knows more.
      priorFailures: Math.max(priorClaims, Math.max(0, (customerRow?.failures_count ?? 0) - 1)),
    },
  };
}
