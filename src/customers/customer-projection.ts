import { type Kysely, sql } from 'kysely';
import type { DB } from '../platform/db/schema.ts';

/**
 * Keeps customers' relationship counters current as events are projected.
 * Every update is a single atomic statement (no read-modify-write), so two
 * writers on PostgreSQL cannot lose each other's increments.
 */

/** Earliest of the stored value and `at` (ISO strings sort in time order). */
const earliest = (col: string, at: string) =>
  sql<string>`case when ${sql.ref(col)} is null or ${sql.ref(col)} > ${at} then ${at} else ${sql.ref(col)} end`;
const latest = (col: string, at: string) =>
  sql<string>`case when ${sql.ref(col)} is null or ${sql.ref(col)} < ${at} then ${at} else ${sql.ref(col)} end`;

export async function ensureCustomer(
  db: Kysely<DB>,
  storeId: string,
  customerId: string,
  at: string,
  fields: { email?: string | null } = {},
): Promise<void> {
  await db
    .insertInto('customers')
    .values({
      store_id: storeId,
      id: customerId,
      email: fields.email ?? null,
      name: null,
      phone: null,
      locale: null,
      timezone: null,
      tags: '[]',
      created_at: null,
      currency: null,
      orders_count: 0,
      total_spent: 0,
      total_refunded: 0,
      first_order_at: null,
      last_order_at: null,
      failures_count: 0,
      last_failure_at: null,
      preferred_remedy: null,
      first_seen_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.columns(['store_id', 'id']).doUpdateSet({ first_seen_at: earliest('customers.first_seen_at', at) }))
    .execute();
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

/** An order counts towards the customer's value; only orders in the customer's first currency add to sums. */
export async function addOrder(
  db: Kysely<DB>,
  storeId: string,
  customerId: string,
  amount: number,
  currency: string,
  at: string,
): Promise<void> {
  await db
    .updateTable('customers')
    .set((eb) => ({
      orders_count: eb('orders_count', '+', 1),
      currency: sql<string>`coalesce(currency, ${currency})`,
      total_spent: sql<number>`total_spent + case when coalesce(currency, ${currency}) = ${currency} then ${amount} else 0 end`,
      first_order_at: earliest('first_order_at', at),
      last_order_at: latest('last_order_at', at),
      updated_at: at,
    }))
    .where('store_id', '=', storeId)
    .where('id', '=', customerId)
    .execute();
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
      total_spent: sql<number>`total_spent - case when currency = ${currency} then ${amount} else 0 end`,
      total_refunded: sql<number>`total_refunded - case when currency = ${currency} then ${refunded} else 0 end`,
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
      total_refunded: sql<number>`total_refunded + case when currency = ${currency} then ${amount} else 0 end`,
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
