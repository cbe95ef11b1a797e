import { type Kysely, sql } from 'kysely';
import { openCase } from '../cases/open-case.ts';
import {
  addOrder,
  addRefund,
  ensureCustomer,
  recordFailure,
  removeOrder,
  upsertCustomerProfile,
} from '../customers/customer-projection.ts';
import { projectSurveyAnswer } from '../followups/survey-answers.ts';
import type { Clock } from '../platform/clock.ts';
import type { DB } from '../platform/db/schema.ts';
import { newId } from '../platform/ids.ts';
import { isDateOnly, resolvePromise } from '../proactive/promise.ts';
import type { AmendsEvent } from './envelope.ts';

/**
 * Projects one newly accepted event into the read tables, inside the ingest
 * transaction. Called once per event id (duplicates never reach here).
 */
/** Reviews rated at or below this open a case. */
export const LOW_REVIEW_RATING = 3;

export async function projectEvent(db: Kysely<DB>, clock: Clock, storeId: string, e: AmendsEvent): Promise<void> {
  const at = e.occurredAt;
  switch (e.type) {
    case 'customer.upserted': {
      await upsertCustomerProfile(db, storeId, e.data.customerId, e.data, at);
      return;
    }
    case 'order.placed': {
      const d = e.data;
      const promisedBy = d.promisedBy ? await promiseInstant(db, storeId, d.promisedBy) : null;
      const inserted = await sql`
        insert into orders (store_id, id, customer_id, status, total_amount, currency, items, promised_by, channel, placed_at,
          refunded_amount, updated_at)
        values (${storeId}, ${d.orderId}, ${d.customerId}, 'placed', ${d.total.amount}, ${d.total.currency},
          ${JSON.stringify(d.items ?? [])}, ${promisedBy}, ${d.channel ?? null}, ${at}, 0, ${at})
        on conflict (store_id, id) do nothing
      `.execute(db);
      // A second event for an order already known changes nothing but makes sure the customer exists.
      if (Number(inserted.numAffectedRows ?? 0) > 0) await addOrder(db, storeId, d.customerId, d.total.amount, d.total.currency, at);
      else await ensureCustomer(db, storeId, d.customerId, at);
      return;
    }
    case 'order.cancelled': {
      const order = await db
        .updateTable('orders')
        .set({ status: 'cancelled', cancelled_at: at, cancel_reason: e.data.reason ?? null, updated_at: at })
        .where('store_id', '=', storeId)
        .where('id', '=', e.data.orderId)
        .where('status', '=', 'placed')
        .returning(['customer_id', 'total_amount', 'refunded_amount', 'currency'])
        .executeTakeFirst();
      if (order?.customer_id) {
        const { total_amount: amount, refunded_amount: refunded, currency } = order;
        await removeOrder(db, storeId, order.customer_id, { amount: Number(amount), refunded: Number(refunded), currency }, at);
      }
      return;
    }
    case 'shipment.created':
    case 'shipment.updated': {
      const d = e.data;
      const status = d.status ?? (e.type === 'shipment.created' ? 'label_created' : undefined);
      const promisedBy = d.promisedBy ? await promiseInstant(db, storeId, d.promisedBy) : undefined;
      // Events can arrive out of order: a descriptive field fills in when missing or when this event is the
      // newest; the status only moves on a newer event, and never back from delivered.
      const newer = sql<boolean>`shipments.updated_at <= ${at}`;
      const fill = (col: string, v: string | undefined) =>
        sql<string>`case when ${newer} or ${sql.ref(`shipments.${col}`)} is null then ${v} else ${sql.ref(`shipments.${col}`)} end`;
      const update: Record<string, unknown> = {
        updated_at: sql<string>`case when ${newer} then ${at} else shipments.updated_at end`,
      };
      const descriptive = {
        carrier: d.carrier,
        tracking_number: d.trackingNumber,
        shipped_at: d.shippedAt,
        promised_by: promisedBy,
        last_carrier_event_at: d.lastCarrierEventAt,
        region: d.region,
      };
      for (const [col, v] of Object.entries(descriptive)) if (v !== undefined) update[col] = fill(col, v);
      if (status !== undefined) {
        update.status = sql<string>`case when shipments.status = 'delivered' or not (${newer}) then shipments.status else ${status} end`;
      }
      await db
        .insertInto('shipments')
        .values({
          store_id: storeId,
          id: d.shipmentId,
          order_id: d.orderId,
          carrier: d.carrier ?? null,
          tracking_number: d.trackingNumber ?? null,
          status: status ?? 'label_created',
          shipped_at: d.shippedAt ?? null,
          promised_by: promisedBy ?? null,
          last_carrier_event_at: d.lastCarrierEventAt ?? null,
          region: d.region ?? null,
          delivered_at: null,
          updated_at: at,
        })
        .onConflict((oc) => oc.columns(['store_id', 'id']).doUpdateSet(update))
        .execute();
      if (status === 'lost' || status === 'exception') {
        await recordFailure(db, storeId, at, { orderId: d.orderId });
      }
      if (status === 'delivered') await markDelivered(db, storeId, d.shipmentId, d.orderId, d.lastCarrierEventAt ?? at, at);
      return;
    }
    case 'shipment.delivered': {
      const d = e.data;
      await db
        .insertInto('shipments')
        .values({
          store_id: storeId,
          id: d.shipmentId,
          order_id: d.orderId,
          carrier: null,
          tracking_number: null,
          status: 'delivered',
          shipped_at: null,
          promised_by: null,
          last_carrier_event_at: d.deliveredAt,
          delivered_at: null,
          updated_at: at,
        })
        .onConflict((oc) => oc.columns(['store_id', 'id']).doNothing())
        .execute();
      await markDelivered(db, storeId, d.shipmentId, d.orderId, d.deliveredAt, at);
      return;
    }
    case 'payment.succeeded':
    case 'payment.failed': {
      const d = e.data;
      await ensureCustomer(db, storeId, d.customerId, at);
      const inserted = await db
        .insertInto('payments')
        .values({
          store_id: storeId,
          id: d.paymentId,
          order_id: d.orderId ?? null,
          customer_id: d.customerId,
          status: e.type === 'payment.failed' ? 'failed' : 'succeeded',
          amount: d.amount.amount,
          currency: d.amount.currency,
          reason: d.reason ?? null,
          occurred_at: at,
        })
        .onConflict((oc) => oc.columns(['store_id', 'id']).doNothing())
        .executeTakeFirst();
      if (e.type === 'payment.failed' && Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
        await recordFailure(db, storeId, at, { orderId: d.orderId ?? null, customerId: d.customerId });
      }
      return;
    }
    case 'refund.recorded': {
      const d = e.data;
      const inserted = await db
        .insertInto('refunds')
        .values({
          store_id: storeId,
          id: d.refundId,
          order_id: d.orderId,
          amount: d.amount.amount,
          currency: d.amount.currency,
          reason: d.reason ?? null,
          occurred_at: at,
        })
        .onConflict((oc) => oc.columns(['store_id', 'id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
      const order = await db
        .updateTable('orders')
        .set((eb) => ({ refunded_amount: eb('refunded_amount', '+', d.amount.amount), updated_at: at }))
        .where('store_id', '=', storeId)
        .where('id', '=', d.orderId)
        .where('currency', '=', d.amount.currency)
        .returning(['customer_id', 'status'])
        .executeTakeFirst();
      // A cancelled order already counts for nothing; its refund must not take value away a second time.
      if (order?.customer_id && order.status !== 'cancelled') {
        await addRefund(db, storeId, order.customer_id, d.amount.amount, d.amount.currency, at);
      }
      return;
    }
    case 'review.posted': {
      const d = e.data;
      if (d.customerId) await ensureCustomer(db, storeId, d.customerId, at);
      const review = await db
        .insertInto('reviews')
        .values({
          store_id: storeId,
          id: d.reviewId,
          customer_id: d.customerId ?? null,
          order_id: d.orderId ?? null,
          rating: d.rating,
          title: d.title ?? null,
          body: d.body ?? null,
          posted_at: at,
        })
        .onConflict((oc) => oc.columns(['store_id', 'id']).doNothing())
        .executeTakeFirst();
      // A review of three stars or fewer with words in it is a complaint made in public: it opens a case.
      // The same review delivered again (a webhook retry under another event id) changes nothing.
      if (Number(review.numInsertedOrUpdatedRows ?? 0) > 0 && d.rating <= LOW_REVIEW_RATING && d.body) {
        await openCase(db, clock, {
          storeId,
          source: 'reactive',
          channel: 'review',
          customerId: d.customerId ?? null,
          orderId: d.orderId ?? null,
          complaintId: `review:${d.reviewId}`,
          subject: d.title ?? null,
          body: d.body,
          openedByEvent: e.id,
          reviewRating: d.rating,
          at,
          actor: d.customerId ? { type: 'customer', id: d.customerId } : { type: 'system', id: null },
        });
      }
      return;
    }
    case 'complaint.received': {
      const d = e.data;
      const customerId = d.customerId ?? (await customerByEmail(db, clock, storeId, d.email!, at));
      await ensureCustomer(db, storeId, customerId, at, { email: d.email?.toLowerCase() ?? null });
      const opened = await openCase(db, clock, {
        storeId,
        source: 'reactive',
        channel: d.channel,
        customerId,
        orderId: d.orderId ?? null,
        complaintId: d.complaintId,
        subject: d.subject ?? null,
        body: d.body,
        caseId: d.caseId ?? null,
        emailMessageId: d.emailMessageId ?? null,
        openedByEvent: e.id,
        at,
        actor: { type: 'customer', id: customerId },
      });
      if (opened.created) await recordFailure(db, storeId, at, { orderId: d.orderId ?? null, customerId });
      return;
    }
    case 'inventory.updated': {
      const d = e.data;
      const newer = sql<boolean>`inventory.updated_at <= ${at}`;
      await db
        .insertInto('inventory')
        .values({ store_id: storeId, sku: d.sku, available: d.available, restock_at: d.restockAt ?? null, updated_at: at })
        .onConflict((oc) =>
          oc.columns(['store_id', 'sku']).doUpdateSet({
            // An older report arriving late does not overwrite a newer one.
            available: sql<number>`case when ${newer} then ${d.available} else inventory.available end`,
            restock_at: sql<string | null>`case when ${newer} then ${d.restockAt ?? null} else inventory.restock_at end`,
            updated_at: sql<string>`case when ${newer} then ${at} else inventory.updated_at end`,
          }),
        )
        .execute();
      return;
    }
    case 'survey.answered':
      // survey_responses; a low score reopens the case and alerts (src/followups/survey-answers.ts).
      await projectSurveyAnswer(db, storeId, e);
      return;
    case 'metric.observed':
      // Kept in the ledger; monitors (src/proactive) read them from there.
      return;
  }
}

/**
 * Records a delivery once, and counts it as a failure when it came after the
 * promise (the shipment's, else the order's).
 */
async function markDelivered(db: Kysely<DB>, storeId: string, shipmentId: string, orderId: string, deliveredAt: string, at: string) {
  const updated = await db
    .updateTable('shipments')
    .set({ status: 'delivered', delivered_at: deliveredAt, updated_at: at })
    .where('store_id', '=', storeId)
    .where('id', '=', shipmentId)
    .where('delivered_at', 'is', null)
    .returning('promised_by')
    .executeTakeFirst();
  if (!updated) return;
  let promisedBy = updated.promised_by;
  if (promisedBy === null) {
    const order = await db
      .selectFrom('orders')
      .select('promised_by')
      .where('store_id', '=', storeId)
      .where('id', '=', orderId)
      .executeTakeFirst();
    promisedBy = order?.promised_by ?? null;
  }
  if (promisedBy !== null && deliveredAt > promisedBy) await recordFailure(db, storeId, deliveredAt, { orderId });
}

/** A promise as an instant: a calendar day ends at the end of that day in the store's timezone. */
async function promiseInstant(db: Kysely<DB>, storeId: string, promise: string): Promise<string> {
  if (!isDateOnly(promise)) return promise;
  const store = await db.selectFrom('stores').select('timezone').where('id', '=', storeId).executeTakeFirstOrThrow();
  return resolvePromise(promise, store.timezone);
}

/** The customer with this e-mail, or a new one: a complaint from a stranger still opens a case. */
async function customerByEmail(db: Kysely<DB>, clock: Clock, storeId: string, email: string, at: string): Promise<string> {
  const found = await db
    .selectFrom('customers')
    .select('id')
    .where('store_id', '=', storeId)
    .where('email', '=', email.toLowerCase())
    .orderBy('first_seen_at')
    .executeTakeFirst();
  if (found) return found.id;
  const id = newId('cus', clock);
  await ensureCustomer(db, storeId, id, at, { email: email.toLowerCase() });
  return id;
}
