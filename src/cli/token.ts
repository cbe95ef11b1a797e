import { Command, Option } from 'commander';
import { AppError } from '../platform/errors.ts';
import { type Role, roles } from '../stores/roles.ts';

export function tokenCommand(): Command {
  const token = new Command('token').description('Manage API tokens.');
  token
    .command('create')
    .description('Create an API token and print it once (only its hash is stored).')
    .requiredOption('--store <id>', 'the store the token belongs to')
    .addOption(new Option('--role <role>', 'what the token may do').choices(roles).makeOptionMandatory())
    .option('--user <email>', 'act as this user (created with the role if new); cases assigned and notes written show them')
    .option('--name <name>', 'a label for the token, e.g. the integration using it')
    .action(async (o: { store: string; role: Role; user?: string; name?: string }) => {
      const { withDatabase } = await import('./with-database.ts');
      const { createToken, ensureUser, getStore } = await import('../stores/stores.service.ts');
      const { systemClock } = await import('../platform/clock.ts');
      await withDatabase(async ({ db }) => {
        if (!(await getStore(db, o.store))) {
          throw new AppError(404, 'not_found', `no store ${o.store}; create it with \`amends store create --id ${o.store}\``, 'store');
        }
        const user = o.user ? await ensureUser(db, systemClock, o.store, { email: o.user, role: o.role }) : null;
        const created = await createToken(db, systemClock, { storeId: o.store, role: o.role, name: o.name, userId: user?.id ?? null });
        process.stderr.write(
          `token ${created.id} for store ${created.storeId}, role ${created.role}${user ? `, user ${user.email}` : ''}; it is shown only now:\n`,
        );
        process.stdout.write(`${created.token}\n`);
      });
    });
  return token;
}
