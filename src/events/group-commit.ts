/**
 * Group commit: units submitted while a commit is being prepared or running are
 * written together in the next transaction, so durability costs one fsync per
 * group rather than one per request. A unit's promise settles only after the
 * transaction that holds it has committed.
 */
export interface GroupCommitOptions<U> {
  /** How long the first unit of a group waits for company; 0 = the next turn of the event loop. */
  maxWaitMs: number;
  /** A group closes once its units weigh this much (e.g. events in them). */
  maxWeight: number;
  weight: (unit: U) => number;
  /**
   * Resolves once what has been committed so far is on stable storage. A group's
   * callers hear back only after it; meanwhile the next group may commit.
   */
  durable?: () => Promise<void>;
}

interface Pending<U, R> {
  unit: U;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommitter<U, R> {
  private queue: Pending<U, R>[] = [];
  private running = false;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  /** Groups committed but not yet durable. */
  private inFlight = 0;

  constructor(
    /** Commits all units in one transaction, answering one result per unit in order. */
    private readonly commit: (units: U[]) => Promise<R[]>,
    private readonly opts: GroupCommitOptions<U>,
  ) {}

  submit(unit: U): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ unit, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far has settled. */
  async drain(): Promise<void> {
    if (!this.running && !this.scheduled && this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    if (this.opts.maxWaitMs > 0) setTimeout(() => void this.flush(), this.opts.maxWaitMs);
    else setImmediate(() => void this.flush());
  }

  private takeGroup(): Pending<U, R>[] {
    let weight = 0;
    let n = 0;
    while (n < this.queue.length) {
      const w = this.opts.weight(this.queue[n]!.unit);
      if (n > 0 && weight + w > this.opts.maxWeight) break;
      weight += w;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const group = this.takeGroup();
        await this.commitGroup(group);
      }
    } finally {
      this.running = false;
      if (this.queue.length > 0) this.schedule();
      else this.wakeIdle();
    }
  }

  private async commitGroup(group: Pending<U, R>[]): Promise<void> {
    try {
      const results = await this.commit(group.map((p) => p.unit));
      this.settleWhenDurable(group.map((p, i) => [p, results[i] as R]));
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
      // One unit's failure must not fail its neighbours: retry each alone.
      for (const p of group) {
        try {
          const [r] = await this.commit([p.unit]);
          this.settleWhenDurable([[p, r as R]]);
        } catch (e) {
          p.reject(e);
        }
      }
    }
  }

  private settleWhenDurable(done: [Pending<U, R>, R][]): void {
    if (!this.opts.durable) {
      for (const [p, r] of done) p.resolve(r);
      return;
    }
    this.inFlight++;
    this.opts
      .durable()
      .then(
        () => {
          for (const [p, r] of done) p.resolve(r);
        },
        (err: unknown) => {
          for (const [p] of done) p.reject(err);
        },
      )
      .finally(() => {
        this.inFlight--;
        this.wakeIdle();
      });
  }

  private wakeIdle(): void {
    if (!this.running && !this.scheduled && this.queue.length === 0 && this.inFlight === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}
