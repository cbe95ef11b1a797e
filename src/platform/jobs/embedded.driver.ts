import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { DB, JobsTable } from '../db/schema.ts';
import { newId } from '../ids.ts';
import {
  type AnyJobDefinition,
  type DeadLetter,
  errorText,
  JobConflictError,
  type JobDefinition,
  type JobLog,
  JobNotFoundError,
  type JobQueue,
  PermanentJobError,
  parseJobData,
  retryDelayMs,
  type SendOptions,
  silentJobLog,
} from './jobs.ts';

export interface EmbeddedJobQueueOptions {
  /** How long `start()`'s loop sleeps when nothing is due. */
  pollIntervalMs?: number;
  /** How long a claimed job is reserved for its worker; after that another worker may run it again. */
  leaseSeconds?: number;
  log?: JobLog;
}

type JobRow = Selectable<JobsTable>;

/** Jobs one poll of `start()`'s loop runs before it yields to a timer (and looks at `stop()`). */
const pollBatch = 100;

/**
 * Jobs as rows of the app's own database, worked by the process that holds it
 * (SQLite), or by any number of processes (PostgreSQL, where claims skip rows
 * another worker has locked). A claim is one conditional update that sets
 * `active`, counts the attempt and takes a lease; completing or failing is
 * fenced by that attempt number, so a worker whose lease ran out and whose job
 * was claimed again cannot overwrite the newer attempt's outcome.
 */
export class EmbeddedJobQueue implements JobQueue {
  onSend: ((runAt: Date) => void) | undefined;
  readonly driver = 'embedded' as const;
  private readonly defs = new Map<string, AnyJobDefinition>();
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly log: JobLog;
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private started = false;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    opts: EmbeddedJobQueueOptions = {},
  ) {
    this.pollIntervalMs = opts.pollIntervalMs ?? 250;
    this.leaseMs = (opts.leaseSeconds ?? 300) * 1000;
    this.log = opts.log ?? silentJobLog;
  }

  register(def: AnyJobDefinition): void {
    const known = this.defs.get(def.name);
    if (known && known !== def) throw new Error(`Job ${def.name} is already registered with another definition`);
    this.defs.set(def.name, def);
  }

  async send<T>(def: JobDefinition<T>, data: T, opts: SendOptions = {}): Promise<string | null> {
    const parsed = parseJobData(def, data);
    const now = this.clock.now();
    this.onSend?.(opts.runAt ?? this.clock.now());
    const at = now.toISOString();
    // The partial unique index on (name, singleton_key) makes a duplicate a no-op; the caller's transaction,
    // when given, decides whether the job exists at all.
    // Portable SQL through the sql tag: built once per call without Kysely's query builder (replay sends
    // hundreds of thousands of timers).
    const runAt = (opts.runAt ?? now).toISOString();
    const { rows } = await sql<{ id: string }>`
      insert into jobs (id, name, data, status, run_at, attempts, max_attempts, last_error, singleton_key, locked_until,
        created_at, updated_at, completed_at)
      values (${newId('job', this.clock)}, ${def.name}, ${JSON.stringify(parsed) ?? 'null'}, 'queued', ${runAt}, 0,
        ${def.retryLimit + 1}, null, ${opts.singletonKey ?? null}, null, ${at}, ${at}, null)
      on conflict do nothing
      returning id`.execute(opts.tx ?? this.database.db);
    const row = rows[0];
    return row?.id ?? null;
  }

  async cancel(def: AnyJobDefinition, singletonKey: string, opts: { tx?: Kysely<DB> } = {}): Promise<number> {
    // Not started is `queued` (a retry waits as `queued` too); an `active` job is running and stays.
    // Deleted rather than marked: nothing reads a cancelled job, and a deleted row frees the key at once.
    // jobs_singleton_uq's predicate, verbatim: SQLite uses a partial index only for a query that repeats it,
    // and without it picks an index on status and walks every queued job. With it, one index probe.
    const res = await sql`delete from jobs where name = ${def.name} and singleton_key = ${singletonKey} and status = 'queued'
      and singleton_key is not null and status in ('queued', 'active')`.execute(opts.tx ?? this.database.db);
    return Number(res.numAffectedRows ?? 0);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // A poll still finishing from before a stop() schedules the next one itself.
    if (!this.polling && !this.timer) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    await Promise.allSettled([...this.running]);
  }

  runDue(limit = Number.POSITIVE_INFINITY): Promise<number> {
    return this.work(limit, () => true);
  }

  async nextDueAt(opts: { tx?: Kysely<DB> } = {}): Promise<Date | null> {
    const names = this.names();
    if (names.length === 0) return null;
    const db = opts.tx ?? this.database.db;
    const [queued, leased] = await Promise.all([
      db
        .selectFrom('jobs')
        .select((eb) => eb.fn.min('run_at').as('at'))
        .where('name', 'in', names)
        .where('status', '=', 'queued')
        .executeTakeFirst(),
      // A job whose worker died falls due again when its lease runs out.
      db
        .selectFrom('jobs')
        .select((eb) => eb.fn.min('locked_until').as('at'))
        .where('name', 'in', names)
        .where('status', '=', 'active')
        .executeTakeFirst(),
    ]);
    const times = [queued?.at, leased?.at].filter((t): t is string => typeof t === 'string');
    if (times.length === 0) return null;
    return new Date(Math.min(...times.map((t) => Date.parse(t))));
  }

  async deadLetters(q: { name?: string; limit: number }): Promise<DeadLetter[]> {
    let query = this.database.db.selectFrom('jobs').selectAll().where('status', '=', 'failed');
    if (q.name !== undefined) query = query.where('name', '=', q.name);
    const rows = await query.orderBy('completed_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      data: JSON.parse(r.data) as unknown,
      attempts: r.attempts,
      error: r.last_error ?? '',
      singletonKey: r.singleton_key,
      createdAt: r.created_at,
      failedAt: r.completed_at ?? r.updated_at,
    }));
  }

  async retryDeadLetter(id: string): Promise<void> {
    const at = this.clock.now().toISOString();
    try {
      const res = await this.database.db
        .updateTable('jobs')
        .set((eb) => ({
          status: 'queued',
          run_at: at,
          max_attempts: eb('attempts', '+', 1),
          locked_until: null,
          completed_at: null,
          updated_at: at,
        }))
        .where('id', '=', id)
        .where('status', '=', 'failed')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new JobNotFoundError(id);
    } catch (err) {
      if (isUniqueViolation(err)) throw new JobConflictError(id);
      throw err;
    }
  }

  async pruneCompleted(olderThan: Date): Promise<number> {
    const res = await this.database.db
      .deleteFrom('jobs')
      .where('status', '=', 'completed')
      .where('completed_at', '<', olderThan.toISOString())
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  private names(): string[] {
    return [...this.defs.keys()];
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.polling = this.work(pollBatch, () => this.started)
        .catch((err: unknown) => {
          // A failed poll loses nothing: the work is in the database, and the next poll takes it up.
          this.log.error({ err }, 'jobs: poll failed');
          return 0;
        })
        .then((ran) => {
          this.polling = undefined;
          if (this.started && !this.timer) this.schedule(ran >= pollBatch ? 0 : this.pollIntervalMs);
        });
    }, ms);
  }

  private async work(limit: number, more: () => boolean): Promise<number> {
    const names = this.names();
    if (names.length === 0) return 0;
    await this.failExhaustedLeases(names);
    let ran = 0;
    while (ran < limit && more()) {
      const job = await this.claim(names);
      if (!job) break;
      await this.track(this.execute(job));
      ran++;
    }
    return ran;
  }

  private async track(p: Promise<void>): Promise<void> {
    this.running.add(p);
    try {
      await p;
    } finally {
      this.running.delete(p);
    }
  }

  /** Due: queued and its time has come, or active with a lease that ran out (its worker died). */
  private due(now: string) {
    return (eb: ExpressionBuilder<DB, 'jobs'>) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', now)]),
        eb.and([eb('status', '=', 'active'), eb('locked_until', '<=', now)]),
      ]);
  }

  /** Takes the next due job for this worker, or nothing. Exactly one of any number of concurrent claimers wins a job. */
  private async claim(names: string[]): Promise<JobRow | undefined> {
    const now = this.clock.now();
    const at = now.toISOString();
    const db = this.database.db;
    let next = db.selectFrom('jobs').select('id').where('name', 'in', names).where(this.due(at)).orderBy('run_at').orderBy('id').limit(1);
    // PostgreSQL: concurrent workers pass over rows another one is claiming instead of queueing behind it.
    // SQLite runs one write at a time, so the update below is already atomic.
    if (this.database.dialect === 'postgres') next = next.forUpdate().skipLocked();
    return (
      db
        .updateTable('jobs')
        .set((eb) => ({
          status: 'active',
          attempts: eb('attempts', '+', 1),
          locked_until: new Date(now.getTime() + this.leaseMs).toISOString(),
          updated_at: at,
        }))
        .where('id', '=', next)
        // Re-checked on the row itself: the condition, not the subquery, decides who wins.
        .where(this.due(at))
        .returningAll()
        .executeTakeFirst()
    );
  }

  /** A job whose last allowed attempt died with its worker is a dead letter, not another run. */
  private async failExhaustedLeases(names: string[]): Promise<void> {
    const at = this.clock.now().toISOString();
    await this.database.db
      .updateTable('jobs')
      .set({
        status: 'failed',
        last_error: 'lease expired: the worker running the last allowed attempt stopped before finishing',
        locked_until: null,
        completed_at: at,
        updated_at: at,
      })
      .where('name', 'in', names)
      .where('status', '=', 'active')
      .where('locked_until', '<=', at)
      .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
      .execute();
  }

  private async execute(job: JobRow): Promise<void> {
    const def = this.defs.get(job.name);
    if (!def) throw new Error(`Job ${job.name} is not registered`);
    try {
      const data = parseJobData(def, JSON.parse(job.data));
      await def.handler(data, { id: job.id, name: job.name, attempt: job.attempts, maxAttempts: job.max_attempts, now: this.clock.now() });
    } catch (err) {
      await this.fail(def, job, err);
      return;
    }
    const at = this.clock.now().toISOString();
    await this.database.db
      .updateTable('jobs')
      .set({ status: 'completed', locked_until: null, completed_at: at, updated_at: at })
      .where('id', '=', job.id)
      .where('status', '=', 'active')
      .where('attempts', '=', job.attempts)
      .execute();
  }

  private async fail(def: AnyJobDefinition, job: JobRow, err: unknown): Promise<void> {
    const now = this.clock.now();
    const at = now.toISOString();
    const dead = err instanceof PermanentJobError || job.attempts >= job.max_attempts;
    const error = errorText(err);
    const fields = { job: job.id, name: job.name, attempt: job.attempts, err };
    if (dead) this.log.error(fields, `job ${job.name} failed for good: ${error}`);
    else this.log.warn(fields, `job ${job.name} failed; will retry: ${error}`);
    await this.database.db
      .updateTable('jobs')
      .set(
        dead
          ? { status: 'failed', last_error: error, locked_until: null, completed_at: at, updated_at: at }
          : {
              status: 'queued',
              run_at: new Date(now.getTime() + retryDelayMs(def, job.attempts)).toISOString(),
              last_error: error,
              locked_until: null,
              updated_at: at,
            },
      )
      .where('id', '=', job.id)
      .where('status', '=', 'active')
      .where('attempts', '=', job.attempts)
      .execute();
  }
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
