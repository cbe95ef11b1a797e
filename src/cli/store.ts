import { Command } from 'commander';

export function storeCommand(): Command {
  const store = new Command('store').description('Manage stores.');
  store
    .command('create')
    .description('Create a store.')
    .requiredOption('--id <id>', 'store id: lowercase letters, digits, dashes')
    .option('--name <name>', 'display name (default: the id)')
    .option('--timezone <tz>', 'IANA time zone for business hours and reports', 'UTC')
    .option('--currency <code>', 'ISO-4217 currency of the store', 'USD')
    .action(async (o: { id: string; name?: string; timezone: string; currency: string }) => {
      const { withDatabase } = await import('./with-database.ts');
      const { createStore } = await import('../stores/stores.service.ts');
      const { systemClock } = await import('../platform/clock.ts');
      await withDatabase(async ({ db }) => {
        const s = await createStore(db, systemClock, o);
        process.stdout.write(`created store ${s.id} (${s.name}, ${s.timezone}, ${s.currency})\n`);
      });
    });
  return store;
}
