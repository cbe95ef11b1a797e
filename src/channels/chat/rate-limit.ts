/**
 * A fixed-window counter per key (IP + store + action), in memory: enough to
 * stop one visitor flooding a store's queue from one process. Several serve
 * processes each count on their own. Time is a monotonic timer passed in,
 * not the domain clock: this is housekeeping, not event time.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly maxKeys = 50_000,
  ) {}

  /** Counts one use of `key`; returns how long to wait (ms) when over the limit, else 0. */
  take(key: string): number {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) {
      if (!w && this.windows.size >= this.maxKeys) this.prune(t);
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count > this.limit ? Math.max(1, Math.ceil(w.start + this.windowMs - t)) : 0;
  }

  private prune(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(k);
    // Still full of live windows: forget them all rather than grow without bound.
    if (this.windows.size >= this.maxKeys) this.windows.clear();
  }
}
