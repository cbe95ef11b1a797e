import type { Kysely } from 'kysely';

/**
 * Proactive recovery: what the monitors found (one firing per monitor and
 * subject), the incidents firings are grouped into by shared cause, one
 * contact per incident and customer, stock levels for the backorder monitor,
 * and hourly counters for rate monitors.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incidents')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('monitor', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'integer', (c) => c.notNull())
    .addColumn('cause_key', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('avertable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('firings', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('affected_customers', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incidents_pk', ['store_id', 'id'])
    .execute();
  // One incident per cause: the key carries its carrier, region and day, or its outage window.
  await db.schema.createIndex('incidents_cause_uq').on('incidents').columns(['store_id', 'cause_key']).unique().execute();
  await db.schema.createIndex('incidents_status_idx').on('incidents').columns(['store_id', 'status', 'started_at']).execute();

  await db.schema
    .createTable('monitor_firings')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('monitor', 'text', (c) => c.notNull())
    .addColumn('subject_key', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('case_id', 'text')
    .addColumn('severity', 'integer', (c) => c.notNull())
    .addColumn('failure_at', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitor_firings_pk', ['store_id', 'id'])
    .execute();
  // A monitor fires once per subject (an order, a shipment, a payment), however often it is asked.
  await db.schema
    .createIndex('monitor_firings_subject_uq')
    .on('monitor_firings')
    .columns(['store_id', 'monitor', 'subject_key'])
    .unique()
    .execute();
  await db.schema.createIndex('monitor_firings_incident_idx').on('monitor_firings').columns(['store_id', 'incident_id']).execute();
  await db.schema.createIndex('monitor_firings_case_idx').on('monitor_firings').columns(['store_id', 'case_id']).execute();
  await db.schema.createIndex('monitor_firings_order_idx').on('monitor_firings').columns(['store_id', 'order_id']).execute();

  // One message per incident per customer, whatever number of their orders it touched.
  await db.schema
    .createTable('incident_contacts')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('message_id', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_contacts_pk', ['store_id', 'incident_id', 'customer_id'])
    .execute();

  await db.schema
    .createTable('inventory')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('available', 'integer', (c) => c.notNull())
    .addColumn('restock_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('inventory_pk', ['store_id', 'sku'])
    .execute();

  // Hourly counts for rate monitors (payment failure rate): a spike is read from a few dozen rows.
  await db.schema
    .createTable('monitor_buckets')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitor_buckets_pk', ['store_id', 'metric', 'bucket'])
    .execute();

  await db.schema.alterTable('cases').addColumn('incident_id', 'text').execute();
  // The failure's moment (a promise passing, a payment failing): time to first message is measured from it.
  await db.schema.alterTable('cases').addColumn('failure_at', 'text').execute();
  await db.schema.createIndex('cases_order_idx').on('cases').columns(['store_id', 'order_id']).execute();
  await db.schema.alterTable('shipments').addColumn('region', 'text').execute();
  await db.schema.alterTable('customers').addColumn('last_contacted_at', 'text').execute();
}
