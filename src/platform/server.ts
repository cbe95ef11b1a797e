import type { FastifyBaseLogger } from 'fastify';
import { sweepSlas } from '../cases/sla.service.ts';
import { runDueCompensations } from '../compensation/compensations.service.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import { buildApp } from './http/app.ts';
import type { App, AppContext } from './http/context.ts';
import { PeriodicTask } from './periodic.ts';

/** The periodic duties every working process runs: both are claims in the database, so several processes may. */
function periodicTasks(ctx: AppContext, config: Config, log: FastifyBaseLogger): PeriodicTask[] {
  return [
    new PeriodicTask(
      'SLA sweep',
      config.slaSweepSeconds * 1000,
      async () => {
        const r = await sweepSlas(ctx.database.db, ctx.clock, ctx.metrics);
        if (r.signals.length > 0) await ctx.database.flush();
        return r.signals.length;
      },
      log,
    ),
    // Automatic remedies decided at triage, and retries of transient driver failures.
    new PeriodicTask('compensation issuing', config.compensationPollSeconds * 1000, () => runDueCompensations(ctx), log),
  ];
}

/**
 * `amends worker`: the app's context without listening; works jobs and the periodic duties until SIGINT/SIGTERM,
 * then lets running handlers finish.
 */
export async function startWorker(config: Config, opts: { clock?: Clock } = {}): Promise<{ ctx: AppContext; close(): Promise<void> }> {
  const { app, ctx } = await buildApp({ config, ...(opts.clock ? { clock: opts.clock } : {}) });
  const tasks = periodicTasks(ctx, config, app.log);
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.all(tasks.map((t) => t.stop())).then(() => app.close());
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, 'worker shutting down');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await app.ready();
  for (const t of tasks) t.start();
  await ctx.jobs.start();
  return { ctx, close };
}

export interface RunningServer {
  app: App;
  ctx: AppContext;
  url: string;
  close(): Promise<void>;
}

/**
 * Builds the app and listens. On SIGINT/SIGTERM it stops accepting requests,
 * lets in-flight ones finish (their events commit first), then closes the DB.
 */
export async function startServer(
  config: Config,
  opts: { clock?: Clock; beforeListen?: (ctx: AppContext) => Promise<void> } = {},
): Promise<RunningServer> {
  const { app, ctx } = await buildApp({ config, ...(opts.clock ? { clock: opts.clock } : {}) });

  const tasks = periodicTasks(ctx, config, app.log);
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.all(tasks.map((t) => t.stop())).then(() => app.close());
    return closing;
  };
  // Installed before any work (the demo seed included), so Ctrl+C always ends cleanly.
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  await opts.beforeListen?.(ctx);
  await app.listen({ port: config.port, host: config.host });
  for (const t of tasks) t.start();
  // SQLite has one process, so serve works its jobs; on PostgreSQL `amends worker` processes can do it instead.
  if (config.serveJobs || ctx.database.dialect === 'sqlite') await ctx.jobs.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  return { app, ctx, url, close };
}
