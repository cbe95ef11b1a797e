import { Command } from 'commander';

/** `amends worker`: works durable jobs (and the periodic duties) without serving HTTP; run any number on PostgreSQL. */
export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'Work durable jobs (proactive timers, waiting messages) and the periodic duties (SLA sweep, issuing approved remedies) ' +
        'without serving HTTP. On PostgreSQL (AMENDS_DB=postgres://…) run as many as you like beside `amends serve` ' +
        '(set AMENDS_SERVE_JOBS=false to leave jobs to the workers); on SQLite `serve` does this itself.',
    )
    .action(async () => {
      const { loadConfig, describeDb } = await import('../platform/config.ts');
      const config = loadConfig(process.env);
      const { startWorker } = await import('../platform/server.ts');
      const worker = await startWorker(config);
      process.stdout.write(`Amends worker is running (${describeDb(config.db)}, jobs: ${worker.ctx.jobs.driver}). Press Ctrl+C to stop.\n`);
    });
}
