import { type Config, loadConfig } from '../platform/config.ts';
import { type Database, openDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';

/** Opens AMENDS_DB, migrated, for one command, and always closes it. */
export async function withDatabase<T>(fn: (database: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = openDatabase(config.db);
  try {
    await migrateToLatest(database);
    const result = await fn(database, config);
    // Durable before the command says it is done, even while a server holds the database open.
    await database.flush();
    return result;
  } finally {
    await database.close();
  }
}
