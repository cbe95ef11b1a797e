import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';

/**
 * Playbooks (issue 9, src/analytics/playbooks*.ts): what worked on a resolved case, kept as a scenario, steps,
 * messages (personal data replaced by placeholders), remedy and outcome; where each was applied since; and a
 * full-text index over its words: an FTS5 table kept in step by triggers on SQLite, a generated tsvector column
 * with a GIN index on PostgreSQL. Both index `search_text`, which the service writes already normalised (lower
 * case, no diacritics, words separated by single spaces), so the two engines see the same words.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('playbooks')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    /** Scenario: the issue kind, severity 1–4, customer tier and emotion of the case it came from. */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'integer', (c) => c.notNull())
    .addColumn('customer_tier', 'text')
    .addColumn('emotion', 'text')
    /** JSON array of { title, detail }. */
    .addColumn('steps', 'text', (c) => c.notNull().defaultTo('[]'))
    /** JSON array of message texts with placeholders such as {{customer.firstName}}. */
    .addColumn('messages', 'text', (c) => c.notNull().defaultTo('[]'))
    /** JSON remedy ({ kind, label, amount, percentOff, points, currency }) or null. */
    .addColumn('remedy', 'text')
    /** JSON outcome of the source case (resolution time, CSAT, repurchase). */
    .addColumn('outcome', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('source_case_id', 'text')
    /** active or archived. */
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    /** Normalised words of title, summary, steps, messages and remedy: what full-text search indexes. */
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addPrimaryKeyConstraint('playbooks_pk', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('playbooks_kind_idx').on('playbooks').columns(['store_id', 'status', 'kind']).execute();
  await db.schema.createIndex('playbooks_source_idx').on('playbooks').columns(['store_id', 'source_case_id']).execute();

  // One row per playbook and case it was used on (using it twice on a case counts once).
  await db.schema
    .createTable('playbook_applications')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('playbook_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('applied_by_type', 'text', (c) => c.notNull())
    .addColumn('applied_by_id', 'text')
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('playbook_applications_pk', ['store_id', 'playbook_id', 'case_id'])
    .execute();
  await db.schema.createIndex('playbook_applications_case_idx').on('playbook_applications').columns(['store_id', 'case_id']).execute();

  if (dialect === 'sqlite') {
    // A standalone FTS5 table (its own copy of the words; rowids of `playbooks` are not stable across VACUUM).
    await sql`create virtual table playbooks_fts using fts5(store_id unindexed, playbook_id unindexed, body, tokenize = 'unicode61')`.execute(
      db,
    );
    await sql`create trigger playbooks_fts_ai after insert on playbooks begin
      insert into playbooks_fts (store_id, playbook_id, body) values (new.store_id, new.id, new.search_text);
    end`.execute(db);
    await sql`create trigger playbooks_fts_au after update of search_text on playbooks begin
      delete from playbooks_fts where store_id = old.store_id and playbook_id = old.id;
      insert into playbooks_fts (store_id, playbook_id, body) values (new.store_id, new.id, new.search_text);
    end`.execute(db);
    await sql`create trigger playbooks_fts_ad after delete on playbooks begin
      delete from playbooks_fts where store_id = old.store_id and playbook_id = old.id;
    end`.execute(db);
  } else {
    await sql`alter table playbooks add column search tsvector generated always as (to_tsvector('simple', search_text)) stored`.execute(db);
    await sql`create index playbooks_search_idx on playbooks using gin (search)`.execute(db);
  }
}
