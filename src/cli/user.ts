import { Command, Option } from 'commander';
import { AppError } from '../platform/errors.ts';
import { type Role, roles } from '../stores/roles.ts';

export function userCommand(): Command {
  const user = new Command('user').description('Manage console users.');
  user
    .command('create')
    .description(
      'Create a console user with a password, or reset an existing user’s password (and role). The password comes from --password, else AMENDS_PASSWORD, else a random one printed once.',
    )
    .requiredOption('--store <id>', 'the store the user belongs to')
    .requiredOption('--email <email>', 'the e-mail the user signs in with')
    .addOption(new Option('--role <role>', 'what the user may do').choices(roles).makeOptionMandatory())
    .option('--name <name>', 'display name (shown on cases and notes)')
    .option('--password <password>', 'at least 12 characters (prefer AMENDS_PASSWORD: arguments show up in process lists and history)')
    .action(async (o: { store: string; email: string; role: Role; name?: string; password?: string }) => {
      const { passwordProblem, randomPassword } = await import('../stores/passwords.ts');
      const given = o.password ?? process.env.AMENDS_PASSWORD;
      const from = o.password !== undefined ? '--password' : 'AMENDS_PASSWORD';
      if (given !== undefined) {
        const problem = passwordProblem(given);
        if (problem) throw new AppError(400, 'invalid_request', `${from} ${problem}`, 'password');
      }
      const password = given ?? randomPassword();
      const { withDatabase } = await import('./with-database.ts');
      const { getStore } = await import('../stores/stores.service.ts');
      const { setUserPassword } = await import('../stores/sessions.service.ts');
      const { systemClock } = await import('../platform/clock.ts');
      await withDatabase(async ({ db }) => {
        if (!(await getStore(db, o.store))) {
          throw new AppError(404, 'not_found', `no store ${o.store}; create it with \`amends store create --id ${o.store}\``, 'store');
        }
        const r = await setUserPassword(db, systemClock, { storeId: o.store, email: o.email, role: o.role, name: o.name, password });
        const who = `${r.user.email} (${r.user.role}) in store ${o.store}`;
        if (r.created) {
          process.stdout.write(`created user ${r.user.id}: ${who}\n`);
        } else {
          const changes = [
            ...(r.reactivated ? ['reactivated'] : []),
            'password reset',
            ...(r.previousRole ? [`role changed from ${r.previousRole} to ${r.user.role}`] : []),
            ...(r.sessionsEnded > 0 ? [`${r.sessionsEnded} session(s) signed out`] : []),
          ];
          process.stdout.write(`user ${r.user.id} already exists: ${who}; ${changes.join(', ')}\n`);
        }
        if (given === undefined) {
          process.stderr.write('a random password was generated; it is shown only now:\n');
          process.stdout.write(`${password}\n`);
        }
      });
    });
  return user;
}
