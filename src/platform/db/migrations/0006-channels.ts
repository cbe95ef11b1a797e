import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

/**
 * Channels: the outbox every outbound message, webhook delivery and alert
 * leaves through (with its attempt log), inbound e-mail receipts (dedup and
 * threading), attachments, Shopify webhook receipts, outbound webhook
 * endpoints, privacy requests, and per-store channel settings and secrets.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // Shopify connection (found by shop domain; the secret signs its webhooks), the store's own signing key
  // (reply tokens, widget sessions) and channel settings (SMTP, reply domain, Slack, widget) as JSON.
  await db.schema.alterTable('stores').addColumn('shopify_domain', 'text').execute();
  await db.schema.alterTable('stores').addColumn('shopify_secret', 'text').execute();
  await db.schema.alterTable('stores').addColumn('signing_secret', 'text').execute();
  await db.schema
    .alterTable('stores')
    .addColumn('channels', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('stores_shopify_domain_uq').on('stores').column('shopify_domain').unique().execute();

  // E-mail threading: the RFC 5322 Message-ID of a mail received or sent for this message (without <>).
  await db.schema.alterTable('case_messages').addColumn('email_message_id', 'text').execute();
  // Why a queued message was not sent (no address, channel not configured) or the last delivery error.
  await db.schema.alterTable('case_messages').addColumn('status_detail', 'text').execute();
  await db.schema.alterTable('case_messages').addColumn('delivered_at', 'text').execute();
  await db.schema.createIndex('case_messages_email_idx').on('case_messages').columns(['store_id', 'email_message_id']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    /** message (a case message to a customer), webhook (an endpoint's delivery), alert (Slack). */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text')
    .addColumn('message_id', 'text')
    .addColumn('endpoint_id', 'text')
    /** The domain event a webhook or alert carries (case.opened, incident.opened…). */
    .addColumn('event_type', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('provider_ref', 'text')
    /** A delivery replayed from the API points at the one it repeats. */
    .addColumn('replay_of', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('outbox_pk', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_kind_idx').on('outbox').columns(['store_id', 'kind', 'created_at']).execute();
  await db.schema.createIndex('outbox_message_uq').on('outbox').columns(['store_id', 'message_id']).unique().execute();

  await db.schema
    .createTable('outbox_attempts')
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('outbox_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('outbox_attempts_pk', ['store_id', 'outbox_id', 'attempt'])
    .execute();

  await db.schema
    .createTable('inbound_emails')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    /** SHA-256 of the raw message: the same Message-ID with other content is another message. */
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text')
    .addColumn('subject', 'text')
    .addColumn('case_id', 'text')
    .addColumn('case_message_id', 'text')
    /** case_opened, threaded, ignored (auto-reply, bounce, loop), rejected. */
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbound_emails_pk', ['store_id', 'id'])
    .execute();
  await db.schema
    .createIndex('inbound_emails_uq')
    .on('inbound_emails')
    .columns(['store_id', 'message_id', 'content_hash'])
    .unique()
    .execute();

  await db.schema
    .createTable('attachments')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('attachments_pk', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('attachments_case_idx').on('attachments').columns(['store_id', 'case_id']).execute();

  await db.schema
    .createTable('webhook_receipts')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    /** queued → processed | failed. */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'text')
    .addPrimaryKeyConstraint('webhook_receipts_pk', ['store_id', 'provider', 'webhook_id'])
    .execute();

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    /** JSON array of event patterns: `case.opened`, `incident.*`, `*`. */
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_endpoints_pk', ['store_id', 'id'])
    .execute();

  await db.schema
    .createTable('privacy_requests')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    /** export (customers/data_request), redact (customers/redact), shop_redact. */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    /** JSON: the export itself, or what an erasure changed (counts only). */
    .addColumn('result', 'text')
    .addPrimaryKeyConstraint('privacy_requests_pk', ['store_id', 'id'])
    .execute();
}
