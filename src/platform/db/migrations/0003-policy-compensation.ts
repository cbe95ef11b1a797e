import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';

/**
 * Policy versions and activations; the decision on each case; compensations
 * with their state machine; agents' allowance usage; the append-only audit
 * log; and what the local commerce driver issues (discount codes, store
 * credit, loyalty points, tasks for the store team).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const seqType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const money = 'bigint';

  await db.schema
    .createTable('policy_versions')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('policy_versions_pk', ['store_id', 'hash'])
    .execute();
  await db.schema
    .createTable('policy_activations')
    .addColumn('seq', seqType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('activated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('policy_activations_store_idx').on('policy_activations').columns(['store_id', 'seq']).execute();

  await db.schema.alterTable('cases').addColumn('policy_version', 'text').execute();
  await db.schema.alterTable('cases').addColumn('offer_decision', 'text').execute();

  await db.schema
    .createTable('compensations')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('offer_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('amount', money)
    .addColumn('percent_off', 'integer')
    .addColumn('points', 'integer')
    .addColumn('valid_days', 'integer')
    .addColumn('cost', money, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('requested_by_type', 'text', (c) => c.notNull())
    .addColumn('requested_by_id', 'text')
    .addColumn('requested_role', 'text')
    .addColumn('justification', 'text')
    .addColumn('approval_reasons', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('approver_role', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_reason', 'text')
    .addColumn('allowance_user_id', 'text')
    .addColumn('allowance_period', 'text')
    .addColumn('driver', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('reference', 'text')
    .addColumn('code', 'text')
    .addColumn('issued_amount', money)
    .addColumn('issued_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('compensations_pk', ['store_id', 'id'])
    .addUniqueConstraint('compensations_idempotency_uq', ['store_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('compensations_case_idx').on('compensations').columns(['store_id', 'case_id']).execute();
  await db.schema
    .createIndex('compensations_customer_idx')
    .on('compensations')
    .columns(['store_id', 'customer_id', 'created_at'])
    .execute();
  await db.schema.createIndex('compensations_status_idx').on('compensations').columns(['status', 'next_attempt_at']).execute();

  // One row per person per period; the conditional update on `spent` is what makes overspending impossible.
  await db.schema
    .createTable('allowance_usage')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('spent', money, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('allowance_usage_pk', ['store_id', 'user_id', 'period', 'currency'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('seq', seqType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('rule', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('audit_log_subject_idx').on('audit_log').columns(['store_id', 'subject_type', 'subject_id']).execute();
  // Append-only is enforced by the database, not only by the code that writes it.
  if (dialect === 'postgres') {
    await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_log is append-only'; end $$`.execute(db);
    await sql`create trigger audit_log_no_update before update or delete on audit_log
      for each row execute function audit_log_append_only()`.execute(db);
    await sql`create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function audit_log_append_only()`.execute(db);
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  }

  await db.schema
    .createTable('discount_codes')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('compensation_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('percent_off', 'integer')
    .addColumn('amount', money)
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('redeemed_at', 'text')
    .addPrimaryKeyConstraint('discount_codes_pk', ['store_id', 'code'])
    .addUniqueConstraint('discount_codes_compensation_uq', ['store_id', 'compensation_id'])
    .execute();

  // Ledgers: balances are sums; one entry per compensation at most.
  for (const table of ['store_credit_ledger', 'loyalty_ledger'] as const) {
    await db.schema
      .createTable(table)
      .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('customer_id', 'text', (c) => c.notNull())
      .addColumn('compensation_id', 'text')
      .addColumn(table === 'store_credit_ledger' ? 'amount' : 'points', money, (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['store_id', 'id'])
      .addUniqueConstraint(`${table}_compensation_uq`, ['store_id', 'compensation_id'])
      .execute();
    await db.schema.createIndex(`${table}_customer_idx`).on(table).columns(['store_id', 'customer_id']).execute();
  }

  // In-kind remedies (a replacement, express shipping, a gift) are work for the store team.
  await db.schema
    .createTable('remedy_tasks')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('compensation_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('remedy_tasks_pk', ['store_id', 'compensation_id'])
    .execute();
}
