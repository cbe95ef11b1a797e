import { Command } from 'commander';
import { loadPolicyFile } from './policy-file.ts';
import { simulateSubcommand } from './policy-simulate.ts';

export function policyCommand(): Command {
  const policy = new Command('policy').description(
    'Compensation policies: check, activate and simulate policy files (see policies/default.yaml).',
  );
  policy
    .command('check')
    .description(
      'Validate a policy file. Errors are printed as FILE:LINE:COLUMN path: message; the exit code is then 1. Needs no database.',
    )
    .argument('<file>', 'the policy YAML')
    .action(async (file: string) => {
      const r = await loadPolicyFile(file);
      if (!r) return;
      const p = r.policy;
      process.stdout.write(
        `${file}: ok — "${p.name}", ${p.currency}, ${Object.keys(p.offers).length} offers, ${p.matrix.length} matrix rules; version ${r.hash.slice(0, 12)}\n`,
      );
    });
  policy
    .command('activate')
    .description('Validate a policy file and make it the active policy of a store. Cases decided from now on remember this version.')
    .argument('<file>', 'the policy YAML')
    .requiredOption('--store <id>', 'the store')
    .option('--author <name>', 'who is activating it (kept with the version)', process.env.USER || 'cli')
    .action(async (file: string, o: { store: string; author: string }) => {
      const r = await loadPolicyFile(file);
      if (!r) return;
      const { withDatabase } = await import('./with-database.ts');
      const { activatePolicy } = await import('../policy/policy.service.ts');
      const { systemClock } = await import('../platform/clock.ts');
      await withDatabase(async ({ db }) => {
        const a = await activatePolicy(db, systemClock, {
          storeId: o.store,
          source: r.source,
          author: o.author,
          actor: { type: 'system', id: `cli:${o.author}` },
        });
        process.stdout.write(`activated "${a.name}" (version ${a.hash.slice(0, 12)}) for store ${o.store}\n`);
      });
    });
  policy.addCommand(simulateSubcommand());
  return policy;
}
