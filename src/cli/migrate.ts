import { Command } from 'commander';

export function migrateCommand(): Command {
  return new Command('migrate').description('Bring the database schema up to date (serve also does this at start).').action(async () => {
    const { describeDb, loadConfig } = await import('../platform/config.ts');
    const { openDatabase } = await import('../platform/db/database.ts');
    const { migrateToLatest } = await import('../platform/db/migrate.ts');
    const config = loadConfig();
    const database = openDatabase(config.db);
    try {
      const applied = await migrateToLatest(database);
      process.stdout.write(
        applied.length > 0 ? `applied ${applied.join(', ')} to ${describeDb(config.db)}\n` : `${describeDb(config.db)} is up to date\n`,
      );
    } finally {
      await database.close();
    }
  });
}
