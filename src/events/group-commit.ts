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
    if (!this.running && !this.scheduled && this.queue.length === 0) return;
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
      else for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async commitGroup(group: Pending<U, R>[]): Promise<void> {
    try {
      const results = await this.commit(group.map((p) => p.unit));
      for (const [i, p] of group.entries()) p.resolve(results[i] as R);
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
      // One unit's failure must not fail its neighbours: retry each alone.
      for (const p of group) {
        try {
          const [r] = await this.commit([p.unit]);
          p.resolve(r as R);
        } catch (e) {
          p.reject(e);
        }
      }
    }
  }
}
