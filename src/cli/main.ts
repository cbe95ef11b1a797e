import { Command } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { AppError } from '../platform/errors.ts';
import { importCommand } from './import.ts';
import { migrateCommand } from './migrate.ts';
import { policyCommand } from './policy.ts';
import { replayCommand } from './replay.ts';
import { reportCommand } from './report.ts';
import { serveCommand } from './serve.ts';
import { storeCommand } from './store.ts';
import { tokenCommand } from './token.ts';
import { triageCommand } from './triage.ts';
import { userCommand } from './user.ts';
import { workerCommand } from './worker.ts';

const program = new Command()
  .name('amends')
  .version(pkg.version)
  .description(
    'Amends: service recovery for online stores. The database is AMENDS_DB (a SQLite file path, default ./data/amends.db, or postgres://…).',
  )
  .showHelpAfterError()
  .addCommand(serveCommand())
  .addCommand(migrateCommand())
  .addCommand(importCommand())
  .addCommand(storeCommand())
  .addCommand(tokenCommand())
  .addCommand(userCommand())
  .addCommand(triageCommand())
  .addCommand(policyCommand())
  .addCommand(replayCommand())
  .addCommand(reportCommand())
  .addCommand(workerCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof AppError) {
    process.stderr.write(`amends: ${err.message}${err.path ? ` (${err.path})` : ''}\n`);
  } else if (err instanceof Error && err.name === 'ZodError') {
    const issue = (err as unknown as { issues: { path: PropertyKey[]; message: string }[] }).issues[0];
    process.stderr.write(`amends: ${issue?.path.join('.') || 'input'}: ${issue?.message}\n`);
  } else {
    process.stderr.write(`amends: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exitCode = 1;
}
