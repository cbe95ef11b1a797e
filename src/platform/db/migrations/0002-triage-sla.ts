import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

/**
 * Triage labels, guardrails, priority and queue on cases; SLA clocks; store
 * settings (business hours, SLA targets, routing rules, reply templates);
 * outbound message status; a customer's relationship manager.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // SQLite's `real` is 8 bytes; PostgreSQL's is 4, which would round SLA minutes and move due instants.
  const float = dialect === 'postgres' ? 'double precision' : 'real';
  await db.schema
    .alterTable('stores')
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.alterTable('customers').addColumn('relationship_manager_id', 'text').execute();

  const caseColumns: [string, 'text' | 'integer' | 'float', boolean][] = [
    ['kind', 'text', false],
    ['severity', 'integer', false],
    ['emotion', 'text', false],
    ['emotion_intensity', 'float', false],
    ['priority', 'text', false],
    ['priority_score', 'integer', false],
    ['queue', 'text', false],
    ['customer_tier', 'text', false],
    ['avertable', 'integer', true],
    ['triage', 'text', false],
    ['guardrails', 'text', true],
    ['priority_factors', 'text', false],
    ['first_response_due_at', 'text', false],
    ['resolution_due_at', 'text', false],
    ['first_responded_at', 'text', false],
  ];
  for (const [name, type, hasDefault] of caseColumns) {
    await db.schema
      .alterTable('cases')
      .addColumn(name, type === 'float' ? float : type, (c) => (hasDefault ? c.notNull().defaultTo(type === 'text' ? '[]' : 0) : c))
      .execute();
  }
  await db.schema.createIndex('cases_store_queue_idx').on('cases').columns(['store_id', 'queue', 'priority_score']).execute();

  for (const [name, type] of [
    ['status', 'text'],
    ['channel', 'text'],
    ['locale', 'text'],
    ['subject', 'text'],
    ['template', 'text'],
    ['triage', 'text'],
  ] as const) {
    await db.schema.alterTable('case_messages').addColumn(name, type).execute();
  }

  await db.schema
    .createTable('case_slas')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('target_minutes', float, (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text')
    .addColumn('warn_at', 'text')
    .addColumn('paused_at', 'text')
    .addColumn('remaining_minutes', float, (c) => c.notNull())
    .addColumn('met_at', 'text')
    .addColumn('breached', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('near_breach_signalled_at', 'text')
    .addColumn('breach_signalled_at', 'text')
    .addPrimaryKeyConstraint('case_slas_pk', ['store_id', 'case_id', 'metric'])
    .execute();
  // The sweep looks across stores for running clocks whose warning or due instant has passed.
  await db.schema.createIndex('case_slas_warn_idx').on('case_slas').columns(['status', 'warn_at']).execute();
  await db.schema.createIndex('case_slas_due_idx').on('case_slas').columns(['status', 'due_at']).execute();
}
