import { type Kysely, sql } from 'kysely';

/**
 * Durable jobs for the embedded driver (src/platform/jobs/embedded.driver.ts).
 * Infrastructure, not store data: a job's payload names its store when it has one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('singleton_key', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  // Claiming looks for queued jobs by due time, and active ones by lease.
  await db.schema.createIndex('jobs_due_idx').on('jobs').columns(['status', 'run_at']).execute();
  await db.schema.createIndex('jobs_lease_idx').on('jobs').columns(['status', 'locked_until']).execute();
  // Dead letters are listed newest first; completed jobs are pruned by age.
  await db.schema.createIndex('jobs_finished_idx').on('jobs').columns(['status', 'completed_at']).execute();
  // One queued or active job per singleton key: the database, not the caller, decides who was first.
  await db.schema
    .createIndex('jobs_singleton_uq')
    .on('jobs')
    .columns(['name', 'singleton_key'])
    .unique()
    .where(sql<boolean>`singleton_key is not null and status in ('queued', 'active')`)
    .execute();
}
