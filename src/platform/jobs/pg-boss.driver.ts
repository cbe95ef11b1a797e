import { CompiledQuery, type Kysely, type RawBuilder, sql } from 'kysely';
import PgBoss from 'pg-boss';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { DB } from '../db/schema.ts';
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

export interface PgBossJobQueueOptions {
  /** How often each of `start()`'s workers asks for work (pg-boss allows no less than 0.5 s). */
  pollIntervalMs?: number;
  /** pg-boss's `expireInSeconds`: how long a job may stay active before maintenance fails it (and it is retried). */
  leaseSeconds?: number;
  /** Run pg-boss's maintenance (expiring leases, archiving) from this queue. Turn off only in tests. */
  maintenance?: boolean;
  /** How long failed jobs stay visible as dead letters before pg-boss archives them. */
  deadLetterRetentionDays?: number;
  /** PostgreSQL schema of pg-boss's tables. */
  schema?: string;
  log?: JobLog;
}

/** A job as a claim returns it. */
interface ClaimedJob {
  id: string;
  name: string;
  data: unknown;
  retryCount: number;
  retryLimit: number;
}

/** Jobs one pg-boss worker fetches at once (each runs in turn, under its own lease). */
const WORK_BATCH = 20;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * pg-boss 10 behind the JobQueue interface, for PostgreSQL with any number of
 * `amends worker` (and `serve`) processes. pg-boss talks through the app's own
 * Kysely pool (its `db` option), which is what lets `send({ tx })` insert in
 * the caller's transaction.
 *
 * Clocks, honestly:
 * - Follows the injected clock: a job's due time (`startAfter` is always an
 *   instant from the clock, never "now" on the server), the retry backoff
 *   (re-stamped after pg-boss's fail, without pg-boss's jitter), the failure
 *   time of a dead letter, and `runDue`, which claims by `start_after <=
 *   clock.now()` with the same claim pg-boss's fetch makes.
 * - Follows the database server's clock: what `start()`'s pg-boss workers
 *   consider due (`start_after < now()`), leases (`started_on + expire_in`,
 *   enforced by pg-boss maintenance and by `runDue`), `created_on` of every
 *   job, `completed_on` of jobs that succeed, and archiving (failed jobs
 *   after `deadLetterRetentionDays`; queued jobs 14 days past their due time
 *   are dropped). In production the clock is the system clock and the two
 *   agree; replaying far-off history on pg-boss is best done with `runDue`
 *   and maintenance off, or with the embedded driver.
 *
 * Singleton keys: pg-boss's own dedup depends on queue policies that also
 * limit keyless jobs, so the queues are `standard` and `send` checks for a
 * queued or active job with the key under a transaction-scoped advisory lock.
 */
export class PgBossJobQueue implements JobQueue {
  onSend: ((runAt: Date) => void) | undefined;
  readonly driver = 'pg-boss' as const;
  readonly boss: PgBoss;
  private readonly defs = new Map<string, AnyJobDefinition>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private readonly pollIntervalMs: number;
  private readonly leaseSeconds: number;
  private readonly schema: string;
  private readonly log: JobLog;
  private booted: Promise<void> | undefined;
  private working = false;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    opts: PgBossJobQueueOptions = {},
  ) {
    if (database.dialect !== 'postgres') throw new Error('The pg-boss job driver needs PostgreSQL');
    this.pollIntervalMs = Math.max(opts.pollIntervalMs ?? 500, 500);
    this.leaseSeconds = opts.leaseSeconds ?? 300;
    this.schema = opts.schema ?? 'pgboss';
    this.log = opts.log ?? silentJobLog;
    this.boss = new PgBoss({
      db: bossDb(database.db),
      schema: this.schema,
      migrate: true,
      supervise: opts.maintenance ?? true,
      // Periodic work is our own fan-out jobs; pg-boss's cron would be a second clock.
      schedule: false,
      expireInSeconds: this.leaseSeconds,
      archiveFailedAfterSeconds: (opts.deadLetterRetentionDays ?? 30) * 86_400,
      pollingIntervalSeconds: this.pollIntervalMs / 1000,
    });
    // Without a listener an 'error' event would crash the process; pg-boss retries its maintenance itself.
    this.boss.on('error', (err) => this.log.error({ err }, 'pg-boss error'));
  }

  register(def: AnyJobDefinition): void {
    const known = this.defs.get(def.name);
    if (known && known !== def) throw new Error(`Job ${def.name} is already registered with another definition`);
    if (known) return;
    this.defs.set(def.name, def);
    if (this.working) this.startWorker(def).catch((err: unknown) => this.log.error({ err, name: def.name }, 'jobs: worker did not start'));
  }

  async send<T>(def: JobDefinition<T>, data: T, opts: SendOptions = {}): Promise<string | null> {
    const parsed = parseJobData(def, data);
    await this.ensureQueue(def);
    this.onSend?.(opts.runAt ?? this.clock.now());
    const key = opts.singletonKey;
    const options: PgBoss.SendOptions = {
      startAfter: opts.runAt ?? this.clock.now(),
      retryLimit: def.retryLimit,
      retryDelay: def.retryBackoffSeconds,
      retryBackoff: def.retryBackoffSeconds > 0,
      expireInSeconds: this.leaseSeconds,
      ...(key === undefined ? {} : { singletonKey: key }),
    };
    // As JSON text: pg would turn a top-level array into a PostgreSQL array, not jsonb.
    const payload = (JSON.stringify(parsed) ?? 'null') as unknown as object;
    const insert = async (db: Kysely<DB>): Promise<string | null> => {
      if (key !== undefined) {
        await this.lockKey(db, def.name, key);
        const { rows } = await sql`select 1 from ${this.table('job')}
          where name = ${def.name} and singleton_key = ${key} and state < 'completed' limit 1`.execute(db);
        if (rows.length > 0) return null;
      }
      return this.boss.send(def.name, payload, { ...options, db: bossDb(db) });
    };
    if (opts.tx?.isTransaction) return insert(opts.tx);
    // The advisory lock lasts until commit, so the check and the insert need a transaction of their own.
    if (key !== undefined) return this.database.db.transaction().execute(insert);
    return insert(opts.tx ?? this.database.db);
  }

  async cancel(def: AnyJobDefinition, singletonKey: string, opts: { tx?: Kysely<DB> } = {}): Promise<number> {
    await this.boot();
    // pg-boss's own cancel (by id) also takes active jobs; this one, by key, only `created` and `retry`
    // (`state < 'active'`, the predicate of pg-boss's fetch index on (name, start_after)). `cancelled` sorts
    // after `completed`, so the key is free for the next send, and pg-boss's maintenance archives the row.
    const res = await sql`update ${this.table('job')} set state = 'cancelled', completed_on = now()
      where name = ${def.name} and singleton_key = ${singletonKey} and state < 'active'`.execute(opts.tx ?? this.database.db);
    return Number(res.numAffectedRows ?? 0);
  }

  async start(): Promise<void> {
    if (this.working) return;
    this.working = true;
    for (const def of this.defs.values()) await this.startWorker(def);
  }

  async stop(): Promise<void> {
    this.working = false;
    await Promise.allSettled([...this.running]);
    if (this.booted) {
      // Waits for handlers pg-boss's workers are running (up to its timeout), then fails what is left.
      await this.boss.stop({ graceful: true, wait: true, close: false, timeout: 30_000 });
      this.booted = undefined;
    }
  }

  async runDue(limit = Number.POSITIVE_INFINITY): Promise<number> {
    const names = [...this.defs.keys()];
    if (names.length === 0) return 0;
    for (const def of this.defs.values()) await this.ensureQueue(def);
    // Leases are pg-boss's expiry, decided on the database clock (see the class comment).
    await this.boss.expire();
    let ran = 0;
    while (ran < limit) {
      const job = await this.claim(names);
      if (!job) break;
      await this.track(this.execute(job));
      ran++;
    }
    return ran;
  }

  async nextDueAt(opts: { tx?: Kysely<DB> } = {}): Promise<Date | null> {
    const names = [...this.defs.keys()];
    if (names.length === 0) return null;
    await this.boot();
    const { rows } = await sql<{ at: Date | null }>`select min(start_after) as at from ${this.table('job')}
      where name in (${sql.join(names)}) and state < 'active'`.execute(opts.tx ?? this.database.db);
    return rows[0]?.at ?? null;
  }

  async deadLetters(q: { name?: string; limit: number }): Promise<DeadLetter[]> {
    await this.boot();
    const { rows } = await sql<{
      id: string;
      name: string;
      data: unknown;
      retry_count: number;
      output: unknown;
      singleton_key: string | null;
      created_on: Date;
      completed_on: Date | null;
    }>`select id, name, data, retry_count, output, singleton_key, created_on, completed_on
      from ${this.table('job')}
      where state = 'failed' ${q.name === undefined ? sql`` : sql`and name = ${q.name}`}
      order by completed_on desc, id desc
      limit ${q.limit}`.execute(this.database.db);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      data: r.data,
      attempts: r.retry_count + 1,
      error: outputMessage(r.output),
      singletonKey: r.singleton_key,
      createdAt: r.created_on.toISOString(),
      failedAt: (r.completed_on ?? r.created_on).toISOString(),
    }));
  }

  async retryDeadLetter(id: string): Promise<void> {
    if (!uuid.test(id)) throw new JobNotFoundError(id);
    await this.boot();
    await this.database.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ name: string; singleton_key: string | null }>`select name, singleton_key
        from ${this.table('job')} where id = ${id}::uuid and state = 'failed' for update`.execute(trx);
      const job = rows[0];
      if (!job) throw new JobNotFoundError(id);
      if (job.singleton_key !== null) {
        await this.lockKey(trx, job.name, job.singleton_key);
        const { rows: live } = await sql`select 1 from ${this.table('job')}
          where name = ${job.name} and singleton_key = ${job.singleton_key} and state < 'completed' limit 1`.execute(trx);
        if (live.length > 0) throw new JobConflictError(id);
      }
      // pg-boss's retry: one more attempt (retry_limit + 1); due now on the injected clock.
      await this.boss.retry(job.name, id, { db: bossDb(trx) });
      await sql`update ${this.table('job')} set start_after = ${this.clock.now()}
        where name = ${job.name} and id = ${id}::uuid`.execute(trx);
    });
  }

  async pruneCompleted(olderThan: Date): Promise<number> {
    await this.boot();
    let pruned = 0;
    for (const table of ['job', 'archive']) {
      const res = await sql`delete from ${this.table(table)} where state = 'completed' and completed_on < ${olderThan}`.execute(
        this.database.db,
      );
      pruned += Number(res.numAffectedRows ?? 0);
    }
    return pruned;
  }

  private table(name: string): RawBuilder<unknown> {
    return sql.id(this.schema, name);
  }

  /** Installs or migrates pg-boss's schema and starts its maintenance, once. */
  private boot(): Promise<void> {
    this.booted ??= this.boss.start().then(
      () => undefined,
      (err: unknown) => {
        this.booted = undefined;
        throw err;
      },
    );
    return this.booted;
  }

  private ensureQueue(def: AnyJobDefinition): Promise<void> {
    let ready = this.queues.get(def.name);
    if (!ready) {
      ready = this.boot().then(() =>
        this.boss.createQueue(def.name, {
          name: def.name,
          policy: 'standard',
          retryLimit: def.retryLimit,
          retryDelay: def.retryBackoffSeconds,
          retryBackoff: def.retryBackoffSeconds > 0,
          expireInSeconds: this.leaseSeconds,
        }),
      );
      ready.catch(() => this.queues.delete(def.name));
      this.queues.set(def.name, ready);
    }
    return ready;
  }

  private async startWorker(def: AnyJobDefinition): Promise<void> {
    await this.ensureQueue(def);
    await this.boss.work<unknown>(
      def.name,
      // pg-boss waits a whole polling interval after every fetch, however full: take up to a batch at a time, so a
      // burst of timers due at one instant (many promises at 18:00) runs in one pass rather than one job per poll.
      { batchSize: WORK_BATCH, includeMetadata: true, pollingIntervalSeconds: this.pollIntervalMs / 1000 },
      async (jobs) => {
        // execute() completes or fails the job itself; pg-boss's own complete afterwards finds it no longer active.
        for (const j of jobs) {
          await this.track(this.execute({ id: j.id, name: j.name, data: j.data, retryCount: j.retryCount, retryLimit: j.retryLimit }));
        }
      },
    );
  }

  private async lockKey(db: Kysely<DB>, name: string, key: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`amends.jobs:${name}:${key}`}, 0))`.execute(db);
  }

  /** pg-boss's fetch (same state change, same skip-locked claim), but due by the injected clock and in due order. */
  private async claim(names: string[]): Promise<ClaimedJob | undefined> {
    const job = this.table('job');
    const { rows } = await sql<ClaimedJob>`
      with next as (
        select name, id from ${job}
        where name in (${sql.join(names)}) and state < 'active' and start_after <= ${this.clock.now()}
        order by start_after, created_on, id
        limit 1
        for update skip locked
      )
      update ${job} j set
        state = 'active',
        started_on = now(),
        retry_count = case when j.started_on is not null then j.retry_count + 1 else j.retry_count end
      from next
      where j.name = next.name and j.id = next.id
      returning j.id, j.name, j.data, j.retry_count as "retryCount", j.retry_limit as "retryLimit"`.execute(this.database.db);
    return rows[0];
  }

  private async track(p: Promise<void>): Promise<void> {
    this.running.add(p);
    try {
      await p;
    } finally {
      this.running.delete(p);
    }
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const def = this.defs.get(job.name);
    if (!def) throw new Error(`Job ${job.name} is not registered`);
    const attempt = job.retryCount + 1;
    try {
      const data = parseJobData(def, job.data);
      await def.handler(data, { id: job.id, name: job.name, attempt, maxAttempts: job.retryLimit + 1, now: this.clock.now() });
    } catch (err) {
      await this.fail(def, job, attempt, err);
      return;
    }
    await this.boss.complete(job.name, job.id);
  }

  private async fail(def: AnyJobDefinition, job: ClaimedJob, attempt: number, err: unknown): Promise<void> {
    const now = this.clock.now();
    const error = errorText(err);
    const permanent = err instanceof PermanentJobError;
    const fields = { job: job.id, name: job.name, attempt, err };
    if (permanent || attempt > job.retryLimit) this.log.error(fields, `job ${job.name} failed for good: ${error}`);
    else this.log.warn(fields, `job ${job.name} failed; will retry: ${error}`);
    const table = this.table('job');
    await this.database.db.transaction().execute(async (trx) => {
      // No retries left makes pg-boss's fail a final one.
      if (permanent) {
        await sql`update ${table} set retry_limit = retry_count where name = ${job.name} and id = ${job.id}::uuid and state = 'active'`.execute(
          trx,
        );
      }
      await this.boss.fail(job.name, job.id, { message: error }, { db: bossDb(trx) });
      // pg-boss computed the retry time and the failure time on the database clock; the injected clock decides.
      await sql`update ${table} set
          start_after = case when state = 'retry' then ${new Date(now.getTime() + retryDelayMs(def, attempt))} else start_after end,
          completed_on = case when state = 'failed' then ${now} else completed_on end
        where name = ${job.name} and id = ${job.id}::uuid`.execute(trx);
    });
  }
}

/** pg-boss's `db` option over a Kysely connection or transaction. */
function bossDb(db: Kysely<DB>): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      const res = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      // biome-ignore lint/suspicious/noExplicitAny: pg-boss's Db type says rows are any.
      return { rows: res.rows as any[] };
    },
  };
}

/** The message pg-boss stored for a failure: ours (`{ message }`), or its own (`{ value: { message } }` on expiry). */
function outputMessage(output: unknown): string {
  const o = output as { message?: unknown; value?: { message?: unknown } } | null;
  if (typeof o?.message === 'string') return o.message;
  if (typeof o?.value?.message === 'string') return o.value.message;
  return output == null ? '' : JSON.stringify(output);
}
