import type { Kysely, Selectable } from 'kysely';
import type { CustomersTable, DB } from '../platform/db/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../platform/http/schemas.ts';
import { type RelationshipMetrics, relationshipMetrics } from './relationship.ts';

export interface Customer {
  id: string;
  email: string | null;
  name: string | null;
  phone: string | null;
  locale: string | null;
  timezone: string | null;
  tags: string[];
  createdAt: string | null;
  currency: string | null;
  preferredRemedy: string | null;
  /** The user who looks after this customer; VIP cases are routed to them. */
  relationshipManagerId: string | null;
  metrics: RelationshipMetrics;
}

export function toCustomer(r: Selectable<CustomersTable>, now: Date): Customer {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    phone: r.phone,
    locale: r.locale,
    timezone: r.timezone,
    tags: JSON.parse(r.tags) as string[],
    createdAt: r.created_at,
    currency: r.currency,
    preferredRemedy: r.preferred_remedy,
    relationshipManagerId: r.relationship_manager_id,
    metrics: relationshipMetrics(
      {
        ordersCount: r.orders_count,
        totalSpent: Number(r.total_spent),
        totalRefunded: Number(r.total_refunded),
        firstOrderAt: r.first_order_at,
        lastOrderAt: r.last_order_at,
        failuresCount: r.failures_count,
        lastFailureAt: r.last_failure_at,
        createdAt: r.created_at,
        firstSeenAt: r.first_seen_at,
      },
      now,
    ),
  };
}

export async function listCustomers(
  db: Kysely<DB>,
  storeId: string,
  now: Date,
  q: { email?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<{ customers: Customer[]; nextCursor: string | null }> {
  let query = db.selectFrom('customers').selectAll().where('store_id', '=', storeId);
  if (q.email) query = query.where('email', '=', q.email.toLowerCase());
  if (q.cursor) query = query.where('id', '>', decodeCursor(q.cursor, 1)[0] as string);
  const rows = await query
    .orderBy('id')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit).map((r) => toCustomer(r, now));
  const last = page.at(-1);
  return { customers: page, nextCursor: rows.length > q.limit && last ? encodeCursor([last.id]) : null };
}

export async function getCustomer(db: Kysely<DB>, storeId: string, id: string, now: Date) {
  const row = await db.selectFrom('customers').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('customer', id);
  const [orders, cases] = await Promise.all([
    db
      .selectFrom('orders')
      .select(['id', 'status', 'total_amount', 'currency', 'placed_at', 'promised_by', 'failed_at', 'refunded_amount'])
      .where('store_id', '=', storeId)
      .where('customer_id', '=', id)
      .orderBy('placed_at', 'desc')
      .limit(50)
      .execute(),
    db
      .selectFrom('cases')
      .select(['id', 'number', 'status', 'subject', 'created_at', 'kind', 'resolved_at'])
      .where('store_id', '=', storeId)
      .where('customer_id', '=', id)
      .orderBy('created_at', 'desc')
      .limit(50)
      .execute(),
  ]);
  const { shipments, outcomes, remedies } = await orderAndCaseDetails(
    db,
    storeId,
    orders.map((o) => o.id),
    cases.map((c) => c.id),
  );
  return {
    ...toCustomer(row, now),
    recentOrders: orders.map((o) => ({
      id: o.id,
      status: o.status,
      total: { amount: Number(o.total_amount), currency: o.currency },
      refunded: { amount: Number(o.refunded_amount), currency: o.currency },
      placedAt: o.placed_at,
      promisedBy: o.promised_by,
      failedAt: o.failed_at,
      shipments: shipments.get(o.id) ?? [],
    })),
    cases: cases.map((c) => ({
      id: c.id,
      number: c.number,
      status: c.status,
      subject: c.subject,
      createdAt: c.created_at,
      kind: c.kind,
      resolvedAt: c.resolved_at,
      outcome: outcomes.get(c.id) ?? null,
      remedies: remedies.get(c.id) ?? [],
    })),
  };
}

/**
 * For the customer panel: each recent order's parcels, and how each earlier case ended (the reason given
 * when it was last resolved, and the remedies issued on it).
 */
async function orderAndCaseDetails(db: Kysely<DB>, storeId: string, orderIds: string[], caseIds: string[]) {
  const [shipmentRows, activityRows, remedyRows] = await Promise.all([
    orderIds.length === 0
      ? []
      : db
          .selectFrom('shipments')
          .select(['id', 'order_id', 'status', 'carrier', 'tracking_number', 'promised_by', 'delivered_at'])
          .where('store_id', '=', storeId)
          .where('order_id', 'in', orderIds)
          .orderBy('id')
          .execute(),
    caseIds.length === 0
      ? []
      : db
          .selectFrom('case_activities')
          .select(['case_id', 'data'])
          .where('store_id', '=', storeId)
          .where('case_id', 'in', caseIds)
          .where('type', '=', 'status.changed')
          .orderBy('seq')
          .execute(),
    caseIds.length === 0
      ? []
      : db
          .selectFrom('compensations')
          .select(['case_id', 'kind', 'label', 'issued_at'])
          .where('store_id', '=', storeId)
          .where('case_id', 'in', caseIds)
          .where('status', '=', 'issued')
          .orderBy('issued_at')
          .execute(),
  ]);
  const shipments = new Map<
    string,
    {
      id: string;
      status: string;
      carrier: string | null;
      trackingNumber: string | null;
      promisedBy: string | null;
      deliveredAt: string | null;
    }[]
  >();
  for (const s of shipmentRows) {
    const list = shipments.get(s.order_id) ?? [];
    list.push({
      id: s.id,
      status: s.status,
      carrier: s.carrier,
      trackingNumber: s.tracking_number,
      promisedBy: s.promised_by,
      deliveredAt: s.delivered_at,
    });
    shipments.set(s.order_id, list);
  }
  const outcomes = new Map<string, string | null>();
  for (const a of activityRows) {
    const d = JSON.parse(a.data) as { to?: string; reason?: string };
    if (d.to === 'resolved') outcomes.set(a.case_id, d.reason ?? null);
  }
  const remedies = new Map<string, { kind: string; label: string; issuedAt: string | null }[]>();
  for (const r of remedyRows) {
    const list = remedies.get(r.case_id) ?? [];
    list.push({ kind: r.kind, label: r.label, issuedAt: r.issued_at });
    remedies.set(r.case_id, list);
  }
  return { shipments, outcomes, remedies };
}

export async function getOrder(db: Kysely<DB>, storeId: string, id: string) {
  const o = await db.selectFrom('orders').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  if (!o) throw notFound('order', id);
  const [shipments, payments, refunds] = await Promise.all([
    db.selectFrom('shipments').selectAll().where('store_id', '=', storeId).where('order_id', '=', id).execute(),
    db.selectFrom('payments').selectAll().where('store_id', '=', storeId).where('order_id', '=', id).orderBy('occurred_at').execute(),
    db.selectFrom('refunds').selectAll().where('store_id', '=', storeId).where('order_id', '=', id).orderBy('occurred_at').execute(),
  ]);
  return {
    id: o.id,
    customerId: o.customer_id,
    status: o.status,
    total: { amount: Number(o.total_amount), currency: o.currency },
    refunded: { amount: Number(o.refunded_amount), currency: o.currency },
    items: JSON.parse(o.items) as unknown[],
    promisedBy: o.promised_by,
    channel: o.channel,
    placedAt: o.placed_at,
    cancelledAt: o.cancelled_at,
    failedAt: o.failed_at,
    shipments: shipments.map((s) => ({
      id: s.id,
      carrier: s.carrier,
      trackingNumber: s.tracking_number,
      status: s.status,
      shippedAt: s.shipped_at,
      promisedBy: s.promised_by,
      deliveredAt: s.delivered_at,
      lastCarrierEventAt: s.last_carrier_event_at,
    })),
    payments: payments.map((p) => ({
      id: p.id,
      status: p.status,
      amount: { amount: Number(p.amount), currency: p.currency },
      reason: p.reason,
      occurredAt: p.occurred_at,
    })),
    refunds: refunds.map((r) => ({
      id: r.id,
      amount: { amount: Number(r.amount), currency: r.currency },
      reason: r.reason,
      occurredAt: r.occurred_at,
    })),
  };
}

export async function setRelationshipManager(
  db: Kysely<DB>,
  storeId: string,
  customerId: string,
  userId: string | null,
  now: Date,
): Promise<Customer> {
  return db.transaction().execute(async (trx) => {
    if (userId !== null) {
      const user = await trx
        .selectFrom('users')
        .select('id')
        .where('store_id', '=', storeId)
        .where('id', '=', userId)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      if (!user) throw new AppError(400, 'invalid_request', `no active user ${userId} in this store`, 'userId');
    }
    const row = await trx
      .updateTable('customers')
      .set({ relationship_manager_id: userId })
      .where('store_id', '=', storeId)
      .where('id', '=', customerId)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('customer', customerId);
    return toCustomer(row, now);
  });
}
