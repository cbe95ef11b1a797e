/**
 * Durable jobs: one interface, two drivers (embedded: a `jobs` table in the
 * app's own database; pg-boss on PostgreSQL), chosen by `createJobQueue`.
 *
 * - A job is a definition (name + zod schema) and a handler. Data is validated
 *   on send and again before the handler runs; periodic jobs only fan out.
 * - Delivery is at least once: a worker that dies mid-job leaves a lease that
 *   expires, and the job runs again. Handlers must be idempotent (key their
 *   effects by the job's data, as compensations do by their idempotency key).
 * - A failing handler is retried with exponential backoff; when its attempts
 *   run out the job becomes a dead letter, listed by `deadLetters` with its
 *   error and put back by `retryDeadLetter`. `PermanentJobError` skips retries.
 * - Timers (a promised delivery date, a follow-up in three days) are jobs due
 *   at an instant on the injected clock. `runDue` runs whatever is due at
 *   `clock.now()`, so tests and replay drive time with a ManualClock.
 * - `send` with `tx` writes in the caller's transaction, so a decision and the
 *   timer it sets commit together (both drivers; see each driver's notes).
 *   `cancel` by singleton key takes back a timer that has not started (a parcel
 *   was delivered, so its "is it late?" check need not run), with `tx` too.
 */
import type { Kysely } from 'kysely';
import type { ZodType } from 'zod';
import type { DB } from '../db/schema.ts';

export interface JobRunContext {
  id: string;
  name: string;
  /** 1 on the first run; counts runs that were started, including one cut short by a crash. */
  attempt: number;
  maxAttempts: number;
  /** When this run started, on the injected clock. */
  now: Date;
}

export interface JobDefinition<T> {
  readonly name: string;
  readonly schema: ZodType<T>;
  readonly handler: (data: T, ctx: JobRunContext) => Promise<void>;
  /** Runs after the first one fails; the job runs at most `retryLimit + 1` times. */
  readonly retryLimit: number;
  /** Wait before the first retry; doubles for each one after it. */
  readonly retryBackoffSeconds: number;
}

/** A definition whose data type no longer matters (what a queue holds). */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds definitions of every data type.
export type AnyJobDefinition = JobDefinition<any>;

export const defaultRetryLimit = 5;
export const defaultRetryBackoffSeconds = 30;

const jobName = /^[a-z0-9][a-z0-9._-]{0,99}$/i;

export function defineJob<T>(def: {
  name: string;
  schema: ZodType<T>;
  handler: (data: T, ctx: JobRunContext) => Promise<void>;
  retryLimit?: number;
  retryBackoffSeconds?: number;
}): JobDefinition<T> {
  // Names become pg-boss queue names too: keep them to a safe, portable alphabet.
  if (!jobName.test(def.name)) throw new Error(`Invalid job name ${JSON.stringify(def.name)}: use letters, digits, '.', '_' and '-'`);
  const retryLimit = def.retryLimit ?? defaultRetryLimit;
  const retryBackoffSeconds = def.retryBackoffSeconds ?? defaultRetryBackoffSeconds;
  // pg-boss stores both as integers.
  if (!Number.isInteger(retryLimit) || retryLimit < 0) throw new Error(`Job ${def.name}: retryLimit must be an integer >= 0`);
  if (!Number.isInteger(retryBackoffSeconds) || retryBackoffSeconds < 0) {
    throw new Error(`Job ${def.name}: retryBackoffSeconds must be an integer >= 0`);
  }
  return Object.freeze({ name: def.name, schema: def.schema, handler: def.handler, retryLimit, retryBackoffSeconds });
}

export interface SendOptions {
  /** When the job becomes due, on the injected clock; now when absent. */
  runAt?: Date;
  /** While a job with this name and key is queued or active, sending another is a no-op that returns null. */
  singletonKey?: string;
  /** The caller's transaction: the job is written only if it commits. */
  tx?: Kysely<DB>;
}

export interface DeadLetter {
  id: string;
  name: string;
  data: unknown;
  attempts: number;
  error: string;
  singletonKey: string | null;
  createdAt: string;
  failedAt: string;
}

export interface JobQueue {
  readonly driver: 'embedded' | 'pg-boss';
  /** Told the due time of every job sent (even in a transaction that later rolls back): replay cuts its batches by it. */
  onSend: ((runAt: Date) => void) | undefined;
  /** Makes this process able to run jobs of `def.name`. Sending does not need it. */
  register(def: AnyJobDefinition): void;
  /** The job's id, or null when a job with the same singletonKey is already queued or active. */
  send<T>(def: JobDefinition<T>, data: T, opts?: SendOptions): Promise<string | null>;
  /**
   * Cancels jobs of `def.name` with this singleton key that have not started (queued, or waiting for a retry);
   * a running job is left alone. With `tx`, in the caller's transaction. Returns how many were cancelled.
   * A cancelled job never runs, is not a dead letter, and frees its key for the next `send`.
   */
  cancel(def: AnyJobDefinition, singletonKey: string, opts?: { tx?: Kysely<DB> }): Promise<number>;
  /** Begins working registered jobs in the background. */
  start(): Promise<void>;
  /** Stops taking jobs and waits for the running handlers. Call it at shutdown even if `start` was not called. */
  stop(): Promise<void>;
  /**
   * Runs, one after another in due order, every registered job due at
   * `clock.now()` (retries that have come due and leases that have run out
   * included), up to `limit`; returns how many ran. For tests and replay.
   */
  runDue(limit?: number): Promise<number>;
  /** When the next registered job falls due (for replay, to advance its clock), or null; with `tx`, as that transaction sees it. */
  nextDueAt(opts?: { tx?: Kysely<DB> }): Promise<Date | null>;
  deadLetters(q: { name?: string; limit: number }): Promise<DeadLetter[]>;
  /**
   * Gives a dead letter one more attempt, due now. Throws JobNotFoundError when `id` is not a dead letter,
   * JobConflictError when a job with its singleton key is queued or running meanwhile.
   */
  retryDeadLetter(id: string): Promise<void>;
  /** Deletes completed jobs that finished before `olderThan`; returns how many. */
  pruneCompleted(olderThan: Date): Promise<number>;
}

/** Thrown by a handler when trying again cannot help: the job goes straight to the dead letters. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** Data that does not match the job's schema; `path` names the field. */
export class JobDataError extends PermanentJobError {
  constructor(
    readonly jobName: string,
    readonly path: string,
    detail: string,
  ) {
    super(`Invalid data for job ${jobName}: ${path ? `${path}: ` : ''}${detail}`);
    this.name = 'JobDataError';
  }
}

export class JobNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`Dead letter ${id} not found`);
    this.name = 'JobNotFoundError';
  }
}

/** Retrying a dead letter would make a second queued or active job with the same singleton key. */
export class JobConflictError extends Error {
  constructor(readonly id: string) {
    super(`Dead letter ${id} cannot be retried: a job with its singleton key is already queued or running`);
    this.name = 'JobConflictError';
  }
}

/** Validates (and normalises: defaults, stripped keys) a job's data; throws JobDataError naming the first bad field. */
export function parseJobData<T>(def: JobDefinition<T>, data: unknown): T {
  const parsed = def.schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).map(String).join('.');
  throw new JobDataError(def.name, path, issue?.message ?? 'invalid');
}

/** What a dead letter says about its error: the message, not the stack (that goes to the log). */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  return text.length > 2000 ? `${text.slice(0, 1997)}...` : text;
}

/** Wait before the retry that follows failed attempt number `attempt` (1-based). */
export function retryDelayMs(def: AnyJobDefinition, attempt: number): number {
  return def.retryBackoffSeconds * 1000 * 2 ** Math.min(attempt - 1, 16);
}

/** The log a queue reports handler failures to (pino's shape). */
export interface JobLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentJobLog: JobLog = { warn: () => {}, error: () => {} };
