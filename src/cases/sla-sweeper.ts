import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../platform/http/context.ts';
import { sweepSlas } from './sla.service.ts';

/**
 * Runs the SLA sweep every `intervalMs` in `serve`. The due and warning
 * instants live in the database, so a restart loses nothing: the first sweep
 * after it emits whatever fell due meanwhile, stamped with when it fell due.
 */
export class SlaSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly intervalMs: number,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    const tick = () => {
      this.running ??= sweepSlas(this.ctx.database.db, this.ctx.clock, this.ctx.metrics)
        .then(async (r) => {
          if (r.signals.length === 0) return;
          await this.ctx.database.flush();
          this.log.info({ signals: r.signals.length }, 'SLA signals recorded');
        })
        .catch((err: unknown) => {
          // A failed sweep is retried at the next tick; signals are claimed only on commit.
          this.log.error({ err }, 'SLA sweep failed');
        })
        .finally(() => {
          this.running = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
