import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

/**
 * Root cause (issue 9): recurring issues found by the weekly spike detector (src/analytics/recurring.ts). A spike
 * is one (dimension, value, week); spikes of one week that share their failures are one issue, which carries the
 * incident suggestion shown in the console and is alerted once.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const float = dialect === 'postgres' ? 'double precision' : 'real';

  await db.schema
    .createTable('recurring_issues')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    /** Monday (YYYY-MM-DD, store time zone) of the week of the spike. */
    .addColumn('week', 'text', (c) => c.notNull())
    /** The spike it is named after: the most specific dimension (sku, carrier, region, cause, kind). */
    .addColumn('dimension', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    /** JSON IncidentSuggestion: title, kind, cause by dimension, summary. */
    .addColumn('suggestion', 'text', (c) => c.notNull())
    /** JSON array of the case ids behind its spikes. */
    .addColumn('case_ids', 'text', (c) => c.notNull())
    .addColumn('cases', 'integer', (c) => c.notNull())
    /** open → dismissed | incident (a person opened one from it). */
    .addColumn('status', 'text', (c) => c.notNull())
    /** When the alert was queued; null for a spike found in history too old to be news. */
    .addColumn('alerted_at', 'text')
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('recurring_issues_pk', ['store_id', 'id'])
    .execute();
  await db.schema
    .createIndex('recurring_issues_uq')
    .on('recurring_issues')
    .columns(['store_id', 'week', 'dimension', 'value'])
    .unique()
    .execute();

  await db.schema
    .createTable('recurring_spikes')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('dimension', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('week', 'text', (c) => c.notNull())
    .addColumn('issue_id', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('baseline_mean', float, (c) => c.notNull())
    .addColumn('baseline_weeks', 'integer', (c) => c.notNull())
    .addColumn('z', float, (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('recurring_spikes_pk', ['store_id', 'dimension', 'value', 'week'])
    .execute();
  await db.schema.createIndex('recurring_spikes_issue_idx').on('recurring_spikes').columns(['store_id', 'issue_id']).execute();
}
