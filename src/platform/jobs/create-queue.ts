import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { EmbeddedJobQueue, type EmbeddedJobQueueOptions } from './embedded.driver.ts';
import type { JobLog, JobQueue } from './jobs.ts';
import { PgBossJobQueue, type PgBossJobQueueOptions } from './pg-boss.driver.ts';

export type JobDriver = JobQueue['driver'];

/** The values `AMENDS_JOBS` may take. */
export const jobDrivers: readonly JobDriver[] = ['embedded', 'pg-boss'];

export interface CreateJobQueueOptions {
  /** `AMENDS_JOBS`: which driver. Default: embedded on SQLite, pg-boss on PostgreSQL. pg-boss needs PostgreSQL. */
  driver?: JobDriver;
  log?: JobLog;
  embedded?: Omit<EmbeddedJobQueueOptions, 'log'>;
  pgBoss?: Omit<PgBossJobQueueOptions, 'log'>;
}

/** The job queue for this database: the simplest driver that fits, unless configuration names one. */
export function createJobQueue(database: Database, clock: Clock, opts: CreateJobQueueOptions = {}): JobQueue {
  const driver = opts.driver ?? (database.dialect === 'postgres' ? 'pg-boss' : 'embedded');
  if (driver === 'pg-boss') {
    if (database.dialect !== 'postgres') throw new Error('AMENDS_JOBS=pg-boss needs a PostgreSQL database (AMENDS_DB=postgres://…)');
    return new PgBossJobQueue(database, clock, { ...opts.pgBoss, ...(opts.log ? { log: opts.log } : {}) });
  }
  return new EmbeddedJobQueue(database, clock, { ...opts.embedded, ...(opts.log ? { log: opts.log } : {}) });
}
