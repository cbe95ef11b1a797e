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
      .select(['id', 'number', 'status', 'subject', 'created_at'])
      .where('store_id', '=', storeId)
      .where('customer_id', '=', id)
      .orderBy('created_at', 'desc')
      .limit(50)
      .execute(),
  ]);
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
    })),
    cases: cases.map((c) => ({ id: c.id, number: c.number, status: c.status, subject: c.subject, createdAt: c.created_at })),
  };
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
      const user = await trx.selectFrom('users').select('id').where('store_id', '=', storeId).where('id', '=', userId).executeTakeFirst();
      if (!user) throw new AppError(400, 'invalid_request', `no user ${userId} in this store`, 'userId');
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
