import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';

/** Stores, auth, the event ledger, projections and cases. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const seqType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const money = 'bigint';

  await db.schema
    .createTable('stores')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('case_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['store_id', 'id'])
    .addUniqueConstraint('users_email_uq', ['store_id', 'email'])
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('user_id', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_store_idx').on('api_tokens').columns(['store_id']).execute();

  await db.schema
    .createTable('events')
    .addColumn('seq', seqType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addUniqueConstraint('events_store_id_uq', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('events_store_type_idx').on('events').columns(['store_id', 'type', 'occurred_at']).execute();
  await db.schema.createIndex('events_store_order_idx').on('events').columns(['store_id', 'order_id']).execute();
  await db.schema.createIndex('events_store_customer_idx').on('events').columns(['store_id', 'customer_id']).execute();

  await db.schema
    .createTable('customers')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('name', 'text')
    .addColumn('phone', 'text')
    .addColumn('locale', 'text')
    .addColumn('timezone', 'text')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text')
    .addColumn('currency', 'text')
    .addColumn('orders_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_spent', money, (c) => c.notNull().defaultTo(0))
    .addColumn('total_refunded', money, (c) => c.notNull().defaultTo(0))
    .addColumn('first_order_at', 'text')
    .addColumn('last_order_at', 'text')
    .addColumn('failures_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_failure_at', 'text')
    .addColumn('preferred_remedy', 'text')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('customers_pk', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('customers_store_email_idx').on('customers').columns(['store_id', 'email']).execute();

  await db.schema
    .createTable('orders')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total_amount', money, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('items', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('promised_by', 'text')
    .addColumn('channel', 'text')
    .addColumn('placed_at', 'text', (c) => c.notNull())
    .addColumn('cancelled_at', 'text')
    .addColumn('cancel_reason', 'text')
    .addColumn('refunded_amount', money, (c) => c.notNull().defaultTo(0))
    .addColumn('failed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('orders_pk', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('orders_store_customer_idx').on('orders').columns(['store_id', 'customer_id']).execute();

  await db.schema
    .createTable('shipments')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('carrier', 'text')
    .addColumn('tracking_number', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('shipped_at', 'text')
    .addColumn('promised_by', 'text')
    .addColumn('last_carrier_event_at', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('shipments_pk', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('shipments_store_order_idx').on('shipments').columns(['store_id', 'order_id']).execute();

  await db.schema
    .createTable('payments')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount', money, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('payments_pk', ['store_id', 'id'])
    .execute();

  await db.schema
    .createTable('refunds')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('amount', money, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('refunds_pk', ['store_id', 'id'])
    .execute();

  await db.schema
    .createTable('reviews')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('body', 'text')
    .addColumn('posted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('reviews_pk', ['store_id', 'id'])
    .execute();

  await db.schema
    .createTable('cases')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('complaint_id', 'text')
    .addColumn('subject', 'text')
    .addColumn('assignee_id', 'text')
    .addColumn('opened_by_event', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('closed_at', 'text')
    .addPrimaryKeyConstraint('cases_pk', ['store_id', 'id'])
    .addUniqueConstraint('cases_number_uq', ['store_id', 'number'])
    .execute();
  await db.schema.createIndex('cases_store_created_idx').on('cases').columns(['store_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('cases_store_status_idx').on('cases').columns(['store_id', 'status']).execute();
  await db.schema.createIndex('cases_store_customer_idx').on('cases').columns(['store_id', 'customer_id']).execute();
  // One case per complaint, whichever process projects it.
  await db.schema
    .createIndex('cases_store_complaint_uq')
    .on('cases')
    .columns(['store_id', 'complaint_id'])
    .unique()
    .where(sql.ref('complaint_id'), 'is not', null)
    .execute();

  await db.schema
    .createTable('case_messages')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('author_type', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_messages_pk', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('case_messages_case_idx').on('case_messages').columns(['store_id', 'case_id']).execute();

  await db.schema
    .createTable('case_activities')
    .addColumn('seq', seqType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_activities_case_idx').on('case_activities').columns(['store_id', 'case_id']).execute();
}
