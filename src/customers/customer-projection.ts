import { type Kysely, sql } from 'kysely';
import type { DB } from '../platform/db/schema.ts';

/**
 * Keeps customers' relationship counters current as events are projected.
 * Every update is a single atomic statement (no read-modify-write), so two
 * writers on PostgreSQL cannot lose each other's increments.
 */

/** Latest of the stored value and `at` (ISO strings sort in time order). */
const latest = (col: string, at: string) =>
  sql<string>`case when ${sql.ref(col)} is null or ${sql.ref(col)} < ${at} then ${at} else ${sql.ref(col)} end`;

/*
 * The statements below run for nearly every event, so they are written as
 * portable SQL (the same text works on SQLite and PostgreSQL) rather than
 * built per call: Kysely's builder costs more than SQLite's work here.
 */

export async function ensureCustomer(
  db: Kysely<DB>,
  storeId: string,
  customerId: string,
  at: string,
  fields: { email?: string | null } = {},
): Promise<void> {
  await sql`
    insert into customers (store_id, id, email, tags, orders_count, total_spent, total_refunded, failures_count, first_seen_at, updated_at)
    values (${storeId}, ${customerId}, ${fields.email ?? null}, '[]', 0, 0, 0, 0, ${at}, ${at})
    on conflict (store_id, id) do update set
      email = coalesce(customers.email, excluded.email),
      first_seen_at = case when customers.first_seen_at > excluded.first_seen_at then excluded.first_seen_at else customers.first_seen_at end
  `.execute(db);
}

/**
 * An order counts towards the customer's value, creating the customer if new.
 * Only orders in the customer's first currency add to the sums.
 */
export async function addOrder(
  db: Kysely<DB>,
  storeId: string,
  customerId: string,
  amount: number,
  currency: string,
  at: string,
): Promise<void> {
  await sql`
    insert into customers (store_id, id, tags, currency, orders_count, total_spent, total_refunded, first_order_at, last_order_at,
      failures_count, first_seen_at, updated_at)
    values (${storeId}, ${customerId}, '[]', ${currency}, 1, ${amount}, 0, ${at}, ${at}, 0, ${at}, ${at})
    on conflict (store_id, id) do update set
      orders_count = customers.orders_count + 1,
      currency = coalesce(customers.currency, excluded.currency),
      total_spent = customers.total_spent
        + case when coalesce(customers.currency, excluded.currency) = excluded.currency then excluded.total_spent else 0 end,
      first_order_at = case when customers.first_order_at is null or customers.first_order_at > excluded.first_order_at
        then excluded.first_order_at else customers.first_order_at end,
      last_order_at = case when customers.last_order_at is null or customers.last_order_at < excluded.last_order_at
        then excluded.last_order_at else customers.last_order_at end,
      first_seen_at = case when customers.first_seen_at > excluded.first_seen_at then excluded.first_seen_at else customers.first_seen_at end,
      updated_at = excluded.updated_at
  `.execute(db);
}

export interface CustomerProfile {
  email?: string | undefined;
  name?: string | undefined;
  phone?: string | undefined;
  createdAt?: string | undefined;
  tags?: string[] | undefined;
  locale?: string | undefined;
  timezone?: string | undefined;
}

export async function upsertCustomerProfile(
  db: Kysely<DB>,
  storeId: string,
  customerId: string,
  p: CustomerProfile,
  at: string,
): Promise<void> {
  await ensureCustomer(db, storeId, customerId, at);
  const set: Record<string, unknown> = { updated_at: at };
  if (p.email !== undefined) set.email = p.email.toLowerCase();
  if (p.name !== undefined) set.name = p.name;
  if (p.phone !== undefined) set.phone = p.phone;
  if (p.createdAt !== undefined) set.created_at = p.createdAt;
  if (p.tags !== undefined) set.tags = JSON.stringify(p.tags);
  if (p.locale !== undefined) set.locale = p.locale;
  if (p.timezone !== undefined) set.timezone = p.timezone;
  await db.updateTable('customers').set(set).where('store_id', '=', storeId).where('id', '=', customerId).execute();
}

/**
 * A cancelled order stops counting: its total leaves `total_spent`, and any
 * refund already recorded against it leaves `total_refunded`, so that the
 * order is worth nothing rather than minus its total.
 */
export async function removeOrder(
  db: Kysely<DB>,
  storeId: string,
  customerId: string,
  order: { amount: number; refunded: number; currency: string },
  at: string,
): Promise<void> {
  const { amount, refunded, currency } = order;
  await db
    .updateTable('customers')
    .set((eb) => ({
      orders_count: eb('orders_count', '-', 1),
      // cast: PostgreSQL would type a bare parameter in a CASE as a 32-bit integer.
      total_spent: sql<number>`total_spent - case when currency = ${currency} then cast(${amount} as bigint) else 0 end`,
      total_refunded: sql<number>`total_refunded - case when currency = ${currency} then cast(${refunded} as bigint) else 0 end`,
      // The cancelled order no longer counts as the first or last one.
      first_order_at: sql<string | null>`(select min(o.placed_at) from orders o
        where o.store_id = customers.store_id and o.customer_id = customers.id and o.status = 'placed')`,
      last_order_at: sql<string | null>`(select max(o.placed_at) from orders o
        where o.store_id = customers.store_id and o.customer_id = customers.id and o.status = 'placed')`,
      updated_at: at,
    }))
    .where('store_id', '=', storeId)
    .where('id', '=', customerId)
    .execute();
}

export async function addRefund(
  db: Kysely<DB>,
  storeId: string,
  customerId: string,
  amount: number,
  currency: string,
  at: string,
): Promise<void> {
  await db
    .updateTable('customers')
    .set({
      total_refunded: sql<number>`total_refunded + case when currency = ${currency} then cast(${amount} as bigint) else 0 end`,
      updated_at: at,
    })
    .where('store_id', '=', storeId)
    .where('id', '=', customerId)
    .execute();
}

/**
 * Records a service failure against a customer. A failure tied to an order
 * counts once per order, however many signals (late, lost, complaint) report it.
 */
export async function recordFailure(
  db: Kysely<DB>,
  storeId: string,
  at: string,
  ref: { orderId?: string | null; customerId?: string | null },
): Promise<void> {
  let customerId = ref.customerId ?? null;
  if (ref.orderId) {
    const order = await db
      .updateTable('orders')
      .set({ failed_at: at })
      .where('store_id', '=', storeId)
      .where('id', '=', ref.orderId)
      .where('failed_at', 'is', null)
      .returning('customer_id')
      .executeTakeFirst();
    if (!order) {
      const known = await db
        .selectFrom('orders')
        .select('id')
        .where('store_id', '=', storeId)
        .where('id', '=', ref.orderId)
        .executeTakeFirst();
      // The order's failure was already counted; an unknown order falls back to the customer.
      if (known) return;
    } else {
      customerId = order.customer_id ?? customerId;
    }
  }
  if (!customerId) return;
  await db
    .updateTable('customers')
    .set((eb) => ({
      failures_count: eb('failures_count', '+', 1),
      last_failure_at: latest('last_failure_at', at),
      updated_at: at,
    }))
    .where('store_id', '=', storeId)
    .where('id', '=', customerId)
    .execute();
}
