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
    // Outbound messages, webhook deliveries and alerts: claimed per row, so several processes may send.
    // A full batch means more is waiting (a backlog after downtime, a burst of alerts): drain it in one run,
    // a batch at a time, up to a bound that keeps the run short.
    new PeriodicTask(
      'outbox',
      config.outboxPollMs,
      async () => {
        let total = 0;
        for (let n = ctx.outbox.batchSize; n === ctx.outbox.batchSize && total < 50 * ctx.outbox.batchSize; ) {
          n = await ctx.outbox.runDue();
          total += n;
        }
        return total;
      },
      log,
    ),
  ];
}

/**
 * What `serve` and `amends worker` share: the app, its periodic duties, and a shutdown on SIGINT/SIGTERM
 * (installed before any work, so Ctrl+C always ends cleanly) that stops the duties, lets running work
 * finish, then closes the app and its database.
 */
async function startProcess(config: Config, clock: Clock | undefined, role: string) {
  const { app, ctx } = await buildApp({ config, ...(clock ? { clock } : {}) });
  const tasks = periodicTasks(ctx, config, app.log);
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.all(tasks.map((t) => t.stop())).then(() => app.close());
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, `${role} shutting down`);
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
  return { app, ctx, tasks, close };
}

/** `amends worker`: the app's context without listening; works jobs and the periodic duties until stopped. */
export async function startWorker(config: Config, opts: { clock?: Clock } = {}): Promise<{ ctx: AppContext; close(): Promise<void> }> {
  const { app, ctx, tasks, close } = await startProcess(config, opts.clock, 'worker');
  await app.ready();
  for (const t of tasks) t.start();
  await ctx.jobs.start();
  return { ctx, close };
}

export interface RunningServer {
  app: App;
  ctx: AppContext;
  url: string;
  /** The SMTP receiver's bound port, when `smtpPort` is configured. */
  smtpPort?: number | undefined;
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
  const { app, ctx, tasks, close } = await startProcess(config, opts.clock, 'server');
  await opts.beforeListen?.(ctx);
  // Started before listening so its stop can hook the app's close (hooks cannot be added once it listens).
  // Loaded only when enabled: the mail libraries are not needed otherwise.
  const smtp =
    config.smtpPort === undefined
      ? undefined
      : await (await import('../channels/email/smtp-receiver.ts')).startSmtpReceiver(ctx, {
          port: config.smtpPort,
          host: config.smtpHost ?? config.host,
          log: app.log,
        });
  if (smtp) app.addHook('preClose', () => smtp.close());
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await smtp?.close();
    throw err;
  }
  for (const t of tasks) t.start();
  // SQLite has one process, so serve works its jobs; on PostgreSQL `amends worker` processes can do it instead.
  if (config.serveJobs || ctx.database.dialect === 'sqlite') await ctx.jobs.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  return { app, ctx, url, smtpPort: smtp?.port, close };
}
