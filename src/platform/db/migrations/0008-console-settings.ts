import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

/**
 * Console settings: a user can be deactivated rather than deleted (their name stays on the cases,
 * notes and audit entries they wrote), and an API token remembers who created it.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('users').addColumn('disabled_at', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('created_by', 'text').execute();
}
