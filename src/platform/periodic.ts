import type { FastifyBaseLogger } from 'fastify';

/**
 * Runs a background duty every `intervalMs` in `serve` (the SLA sweep, issuing
 * approved compensations). The work to do lives in the database, so a restart
 * loses nothing: the first run after it picks up whatever fell due meanwhile.
 * One run at a time; `kick()` runs one now (or right after the current one).
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly run: () => Promise<number>,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.kick();
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
  }

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run()
      .then((n) => {
        if (n > 0) this.log.info({ task: this.name, done: n }, `${this.name}: ${n} done`);
      })
      // A failed run is retried at the next tick; its work is claimed only on commit.
      .catch((err: unknown) => this.log.error({ err, task: this.name }, `${this.name} failed`))
      .finally(() => {
        this.running = undefined;
        if (this.again && this.timer) {
          this.again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.again = false;
    await this.running;
  }
}
