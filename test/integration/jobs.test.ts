import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock, systemClock } from '../../src/platform/clock.ts';
import { type Database, openDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { createJobQueue, type JobDriver } from '../../src/platform/jobs/create-queue.ts';
import {
  defineJob,
  JobConflictError,
  JobDataError,
  JobNotFoundError,
  type JobQueue,
  type JobRunContext,
  PermanentJobError,
} from '../../src/platform/jobs/jobs.ts';
import { engineAvailable, engines, freshDatabaseUrl, gate, sleep } from '../helper.ts';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
const T0 = '2026-03-02T09:00:00.000Z';

const orderSchema = z.object({ orderId: z.string(), note: z.object({ text: z.string() }).optional() });
type OrderData = z.infer<typeof orderSchema>;

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > until) throw new Error('condition not met in time');
    await sleep(20);
  }
}

const driversFor = (engine: string): JobDriver[] => (engine === 'postgres' ? ['embedded', 'pg-boss'] : ['embedded']);

describe.each(engines)('durable jobs [%s]', (engine) => {
  const available = engineAvailable(engine);
  let database: Database;

  beforeAll(async () => {
    if (!available) return;
    database = openDatabase(await freshDatabaseUrl(engine));
    await migrateToLatest(database);
  });
  afterAll(async () => {
    await database?.close();
  });

  describe.each(driversFor(engine))('%s driver', (driver) => {
    const open: JobQueue[] = [];
    let seq = 0;
    /** Every test names its own jobs, so tests sharing the database cannot see each other's. */
    const uniqueName = (what: string) => `${what}-${driver}-${++seq}`;
    const queue = (clock: ManualClock, opts: { leaseSeconds?: number; pollIntervalMs?: number } = {}) => {
      const q = createJobQueue(database, clock, {
        driver,
        embedded: { ...opts, pollIntervalMs: opts.pollIntervalMs ?? 10 },
        // Maintenance off: the tests drive lease expiry through runDue, which expires leases itself.
        pgBoss: { ...opts, maintenance: false },
      });
      expect(q.driver).toBe(driver);
      open.push(q);
      return q;
    };
    const withJob = (
      q: JobQueue,
      def: {
        name: string;
        handler: (data: OrderData, ctx: JobRunContext) => Promise<void>;
        retryLimit?: number;
        retryBackoffSeconds?: number;
      },
    ) => {
      const d = defineJob({ schema: orderSchema, ...def });
      q.register(d);
      return d;
    };

    afterEach(async () => {
      for (const q of open.splice(0)) await q.stop();
    });

    it('a job due later runs only once the clock reaches it, and then once', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const runs: string[] = [];
      const def = withJob(q, {
        name: uniqueName('follow-up'),
        handler: async (d, ctx) => {
          runs.push(`${d.orderId}@${ctx.now.toISOString()}#${ctx.attempt}`);
        },
      });
      const runAt = new Date(clock.now().getTime() + 3 * DAY);
      expect(await q.send(def, { orderId: 'o-1' }, { runAt })).toEqual(expect.any(String));
      expect(await q.nextDueAt()).toEqual(runAt);
      expect(await q.runDue()).toBe(0);
      clock.advance(3 * DAY - SECOND);
      expect(await q.runDue()).toBe(0);
      expect(runs).toEqual([]);
      clock.advance(SECOND);
      expect(await q.runDue()).toBe(1);
      expect(runs).toEqual([`o-1@${runAt.toISOString()}#1`]);
      clock.advance(DAY);
      expect(await q.runDue()).toBe(0);
      expect(runs).toHaveLength(1);
      expect(await q.nextDueAt()).toBeNull();
    });

    it('runs due jobs in due order, not in the order they were sent', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const order: string[] = [];
      const def = withJob(q, {
        name: uniqueName('timer'),
        handler: async (d) => {
          order.push(d.orderId);
        },
      });
      const at = (h: number) => new Date(Date.parse(T0) + h * HOUR);
      await q.send(def, { orderId: 'third' }, { runAt: at(3) });
      await q.send(def, { orderId: 'first' }, { runAt: at(1) });
      await q.send(def, { orderId: 'second' }, { runAt: at(2) });
      expect(await q.nextDueAt()).toEqual(at(1));
      clock.advance(2 * HOUR);
      expect(await q.runDue()).toBe(2);
      expect(await q.nextDueAt()).toEqual(at(3));
      clock.advance(HOUR);
      expect(await q.runDue()).toBe(1);
      expect(order).toEqual(['first', 'second', 'third']);
    });

    it('refuses bad data on send, naming the field, and queues nothing', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      let ran = 0;
      const def = withJob(q, {
        name: uniqueName('strict'),
        handler: async () => {
          ran++;
        },
      });
      await expect(q.send(def, { orderId: 42 } as unknown as OrderData)).rejects.toThrow(/orderId/);
      const err = await q.send(def, { orderId: 'o-1', note: { text: 7 } } as unknown as OrderData).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JobDataError);
      expect((err as JobDataError).path).toBe('note.text');
      expect((err as JobDataError).message).toContain(def.name);
      expect(await q.nextDueAt()).toBeNull();
      clock.advance(DAY);
      expect(await q.runDue()).toBe(0);
      expect(ran).toBe(0);
      expect(() => defineJob({ name: 'has spaces', schema: orderSchema, handler: async () => {} })).toThrow(/Invalid job name/);
    });

    it('data that no longer matches the schema when the job runs goes straight to the dead letters', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const name = uniqueName('evolved');
      const old = queue(clock);
      const loose = defineJob({ name, schema: orderSchema, handler: async () => {} });
      await old.send(loose, { orderId: 'o-1' });
      // A newer release of the same job wants a field the queued data lacks.
      const current = queue(clock);
      let ran = 0;
      current.register(
        defineJob({
          name,
          schema: z.object({ orderId: z.string(), storeId: z.string() }),
          handler: async () => {
            ran++;
          },
        }),
      );
      expect(await current.runDue()).toBe(1);
      expect(ran).toBe(0);
      const [dead] = await current.deadLetters({ name, limit: 10 });
      expect(dead).toMatchObject({ name, attempts: 1, data: { orderId: 'o-1' } });
      expect(dead!.error).toMatch(/storeId/);
    });

    it('retries a failing handler with exponential backoff on the injected clock until it succeeds', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const runs: { attempt: number; at: string }[] = [];
      const def = withJob(q, {
        name: uniqueName('flaky'),
        retryBackoffSeconds: 30,
        handler: async (_d, ctx) => {
          runs.push({ attempt: ctx.attempt, at: ctx.now.toISOString() });
          if (ctx.attempt < 3) throw new Error('carrier API is down');
        },
      });
      await q.send(def, { orderId: 'o-1' });
      expect(await q.runDue()).toBe(1); // fails; next try in 30 s
      expect(await q.runDue()).toBe(0);
      clock.advance(29 * SECOND);
      expect(await q.runDue()).toBe(0);
      clock.advance(SECOND);
      expect(await q.runDue()).toBe(1); // fails; next try in 60 s
      clock.advance(59 * SECOND);
      expect(await q.runDue()).toBe(0);
      expect(await q.nextDueAt()).toEqual(new Date(Date.parse(T0) + 90 * SECOND));
      clock.advance(SECOND);
      expect(await q.runDue()).toBe(1); // succeeds
      clock.advance(DAY);
      expect(await q.runDue()).toBe(0);
      const t = (s: number) => new Date(Date.parse(T0) + s * SECOND).toISOString();
      expect(runs).toEqual([
        { attempt: 1, at: t(0) },
        { attempt: 2, at: t(30) },
        { attempt: 3, at: t(90) },
      ]);
      expect(await q.deadLetters({ name: def.name, limit: 10 })).toEqual([]);
    });

    it('a handler that always fails ends in the dead letters with its error, and can be retried', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      let fixed = false;
      const attempts: number[] = [];
      const def = withJob(q, {
        name: uniqueName('refund'),
        retryLimit: 2,
        retryBackoffSeconds: 10,
        handler: async (_d, ctx) => {
          attempts.push(ctx.attempt);
          if (!fixed) throw new Error(`refund API said no (attempt ${ctx.attempt})`);
        },
      });
      await q.send(def, { orderId: 'o-9' });
      expect(await q.runDue()).toBe(1);
      clock.advance(10 * SECOND);
      expect(await q.runDue()).toBe(1);
      expect(await q.deadLetters({ name: def.name, limit: 10 })).toEqual([]);
      clock.advance(20 * SECOND);
      expect(await q.runDue()).toBe(1);
      clock.advance(DAY);
      expect(await q.runDue()).toBe(0);
      expect(attempts).toEqual([1, 2, 3]);
      const dead = await q.deadLetters({ name: def.name, limit: 10 });
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({
        name: def.name,
        data: { orderId: 'o-9' },
        attempts: 3,
        failedAt: new Date(Date.parse(T0) + 30 * SECOND).toISOString(),
      });
      expect(dead[0]!.error).toContain('refund API said no (attempt 3)');
      expect(await q.deadLetters({ limit: 100 })).toEqual(expect.arrayContaining([expect.objectContaining({ id: dead[0]!.id })]));
      expect(await q.nextDueAt()).toBeNull();

      fixed = true;
      await q.retryDeadLetter(dead[0]!.id);
      expect(await q.deadLetters({ name: def.name, limit: 10 })).toEqual([]);
      expect(await q.runDue()).toBe(1);
      expect(attempts).toEqual([1, 2, 3, 4]);
      await expect(q.retryDeadLetter(dead[0]!.id)).rejects.toBeInstanceOf(JobNotFoundError);
      await expect(q.retryDeadLetter('no-such-job')).rejects.toBeInstanceOf(JobNotFoundError);
    });

    it('a retried dead letter that fails again is dead again after one more attempt', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const attempts: number[] = [];
      const def = withJob(q, {
        name: uniqueName('hopeless'),
        retryLimit: 0,
        handler: async (_d, ctx) => {
          attempts.push(ctx.attempt);
          throw new Error('still broken');
        },
      });
      await q.send(def, { orderId: 'o-1' });
      expect(await q.runDue()).toBe(1);
      const [dead] = await q.deadLetters({ name: def.name, limit: 1 });
      await q.retryDeadLetter(dead!.id);
      expect(await q.runDue()).toBe(1);
      expect(await q.runDue()).toBe(0);
      expect(attempts).toEqual([1, 2]);
      expect(await q.deadLetters({ name: def.name, limit: 10 })).toMatchObject([{ id: dead!.id, attempts: 2 }]);
    });

    it('a PermanentJobError skips the retries', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      let runs = 0;
      const def = withJob(q, {
        name: uniqueName('gone'),
        retryLimit: 5,
        handler: async () => {
          runs++;
          throw new PermanentJobError('case was deleted');
        },
      });
      await q.send(def, { orderId: 'o-1' });
      expect(await q.runDue()).toBe(1);
      clock.advance(DAY);
      expect(await q.runDue()).toBe(0);
      expect(runs).toBe(1);
      expect(await q.deadLetters({ name: def.name, limit: 10 })).toMatchObject([
        { attempts: 1, error: expect.stringContaining('case was deleted') },
      ]);
    });

    it('a singleton key allows one queued or running job per key', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const running = gate();
      const release = gate();
      const runs: string[] = [];
      const def = withJob(q, {
        name: uniqueName('sla-check'),
        handler: async (d) => {
          runs.push(d.orderId);
          if (d.orderId === 'slow') {
            running.open();
            await release.opened;
          }
        },
      });
      const first = await q.send(def, { orderId: 'a' }, { singletonKey: 'case-1' });
      expect(first).toEqual(expect.any(String));
      expect(await q.send(def, { orderId: 'b' }, { singletonKey: 'case-1' })).toBeNull();
      expect(await q.send(def, { orderId: 'c' }, { singletonKey: 'case-2' })).toEqual(expect.any(String));
      // Racing senders: one wins.
      const raced = await Promise.all(Array.from({ length: 10 }, (_, i) => q.send(def, { orderId: `r${i}` }, { singletonKey: 'case-3' })));
      expect(raced.filter((id) => id !== null)).toHaveLength(1);
      expect(await q.runDue()).toBe(3);
      expect(runs).toHaveLength(3);
      expect(runs).not.toContain('b');
      // Once done, the key is free again.
      expect(await q.send(def, { orderId: 'a2' }, { singletonKey: 'case-1' })).toEqual(expect.any(String));
      expect(await q.runDue()).toBe(1);
      // A running job holds its key too.
      await q.send(def, { orderId: 'slow' }, { singletonKey: 'case-4' });
      const run = q.runDue();
      await running.opened;
      expect(await q.send(def, { orderId: 'while-running' }, { singletonKey: 'case-4' })).toBeNull();
      release.open();
      expect(await run).toBe(1);
      expect(runs).not.toContain('while-running');
    });

    it('a dead letter is not retried while a newer job with its singleton key is queued', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const def = withJob(q, {
        name: uniqueName('keyed'),
        retryLimit: 0,
        handler: async (d) => {
          if (d.orderId === 'bad') throw new Error('no');
        },
      });
      await q.send(def, { orderId: 'bad' }, { singletonKey: 'k' });
      expect(await q.runDue()).toBe(1);
      const [dead] = await q.deadLetters({ name: def.name, limit: 1 });
      // The dead letter frees the key.
      expect(await q.send(def, { orderId: 'good' }, { singletonKey: 'k' })).toEqual(expect.any(String));
      await expect(q.retryDeadLetter(dead!.id)).rejects.toBeInstanceOf(JobConflictError);
      expect(await q.runDue()).toBe(1);
      await q.retryDeadLetter(dead!.id);
      expect(await q.deadLetters({ name: def.name, limit: 1 })).toEqual([]);
    });

    it('concurrent runDue calls on two queue instances run each job exactly once', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const name = uniqueName('fan-out');
      const counts = new Map<string, number>();
      const make = () => {
        const q = queue(clock);
        withJob(q, {
          name,
          handler: async (d) => {
            counts.set(d.orderId, (counts.get(d.orderId) ?? 0) + 1);
            // Let the other claimers in while this one holds its job.
            await sleep(1);
          },
        });
        return q;
      };
      const a = make();
      const b = make();
      const def = defineJob({ name, schema: orderSchema, handler: async () => {} });
      const n = 40;
      for (let i = 0; i < n; i++) await a.send(def, { orderId: `o-${i}` });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).runDue()));
      expect(results.reduce((x, y) => x + y, 0)).toBe(n);
      expect(counts.size).toBe(n);
      expect([...counts.values()].every((c) => c === 1)).toBe(true);
      expect(await a.runDue()).toBe(0);
    });

    it("a job whose worker crashed runs again once the lease runs out, and the crashed worker's late finish changes nothing", async () => {
      if (!available) return;
      // pg-boss leases run on the database clock, so this test starts the manual clock at the real time.
      const clock = new ManualClock(systemClock.now());
      const leaseSeconds = driver === 'pg-boss' ? 1 : 60;
      const name = uniqueName('crash');
      const claimed = gate();
      const wake = gate();
      const crashed = queue(clock, { leaseSeconds });
      crashed.register(
        defineJob({
          name,
          schema: orderSchema,
          retryBackoffSeconds: 1,
          handler: async () => {
            claimed.open();
            await wake.opened; // the process "died" here
          },
        }),
      );
      const survivor = queue(clock, { leaseSeconds });
      const runs: JobRunContext[] = [];
      const def = withJob(survivor, {
        name,
        retryBackoffSeconds: 1,
        handler: async (_d, ctx) => {
          runs.push(ctx);
        },
      });
      await survivor.send(def, { orderId: 'o-1' });
      const zombie = crashed.runDue();
      await claimed.opened;
      expect(await survivor.runDue()).toBe(0); // still leased
      if (driver === 'pg-boss') await sleep(leaseSeconds * 1000 + 500);
      else {
        clock.advance(leaseSeconds * SECOND - SECOND);
        expect(await survivor.runDue()).toBe(0);
      }
      clock.advance(HOUR);
      expect(await survivor.runDue()).toBe(1);
      expect(runs.map((r) => r.attempt)).toEqual([2]);
      wake.open();
      expect(await zombie).toBe(1);
      clock.advance(DAY);
      expect(await survivor.runDue()).toBe(0);
      expect(runs).toHaveLength(1);
      expect(await survivor.deadLetters({ name, limit: 10 })).toEqual([]);
    });

    it('a job whose last allowed attempt crashed becomes a dead letter once the lease runs out', async () => {
      if (!available) return;
      const clock = new ManualClock(systemClock.now());
      const leaseSeconds = driver === 'pg-boss' ? 1 : 60;
      const name = uniqueName('crash-last');
      const claimed = gate();
      const wake = gate();
      const crashed = queue(clock, { leaseSeconds });
      crashed.register(
        defineJob({
          name,
          schema: orderSchema,
          retryLimit: 0,
          handler: async () => {
            claimed.open();
            await wake.opened;
          },
        }),
      );
      const survivor = queue(clock, { leaseSeconds });
      let ran = 0;
      const def = withJob(survivor, {
        name,
        retryLimit: 0,
        handler: async () => {
          ran++;
        },
      });
      await survivor.send(def, { orderId: 'o-1' });
      const zombie = crashed.runDue();
      await claimed.opened;
      if (driver === 'pg-boss') await sleep(leaseSeconds * 1000 + 500);
      clock.advance(HOUR);
      expect(await survivor.runDue()).toBe(0);
      expect(ran).toBe(0);
      const dead = await survivor.deadLetters({ name, limit: 10 });
      expect(dead).toHaveLength(1);
      expect(dead[0]!.error).toMatch(/lease expired|timeout/);
      wake.open();
      await zombie;
      expect(await survivor.deadLetters({ name, limit: 10 })).toHaveLength(1);
    });

    it('send inside a transaction commits with it, and leaves no job when it rolls back', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const runs: string[] = [];
      const def = withJob(q, {
        name: uniqueName('promise-date'),
        handler: async (d) => {
          runs.push(d.orderId);
        },
      });
      const runAt = new Date(clock.now().getTime() + 2 * DAY);
      await expect(
        database.db.transaction().execute(async (tx) => {
          expect(await q.send(def, { orderId: 'rolled-back' }, { tx, runAt })).toEqual(expect.any(String));
          throw new Error('the decision failed');
        }),
      ).rejects.toThrow('the decision failed');
      expect(await q.nextDueAt()).toBeNull();
      await database.db.transaction().execute(async (tx) => {
        await q.send(def, { orderId: 'committed' }, { tx, runAt, singletonKey: 'order-1' });
      });
      expect(await q.nextDueAt()).toEqual(runAt);
      clock.advance(3 * DAY);
      expect(await q.runDue()).toBe(1);
      expect(runs).toEqual(['committed']);
    });

    it('cancel takes back a queued timer by its singleton key: it never runs', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const runs: string[] = [];
      const def = withJob(q, {
        name: uniqueName('is-it-late'),
        handler: async (d) => {
          runs.push(d.orderId);
        },
      });
      const runAt = new Date(clock.now().getTime() + 3 * DAY);
      expect(await q.send(def, { orderId: 'o-1' }, { runAt, singletonKey: 'parcel-1' })).toEqual(expect.any(String));
      expect(await q.nextDueAt()).toEqual(runAt);
      expect(await q.cancel(def, 'parcel-1')).toBe(1);
      expect(await q.cancel(def, 'parcel-1')).toBe(0);
      expect(await q.nextDueAt()).toBeNull();
      clock.advance(3 * DAY);
      expect(await q.runDue()).toBe(0);
      expect(runs).toEqual([]);
      expect(await q.deadLetters({ name: def.name, limit: 10 })).toEqual([]);
    });

    it('cancel returns 0 for an unknown key, and leaves other keys and other jobs with the same key alone', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const runs: string[] = [];
      const def = withJob(q, {
        name: uniqueName('late-check'),
        handler: async (d) => {
          runs.push(d.orderId);
        },
      });
      const other = withJob(q, {
        name: uniqueName('other-check'),
        handler: async (d) => {
          runs.push(d.orderId);
        },
      });
      await q.send(def, { orderId: 'kept' }, { singletonKey: 'parcel-1' });
      await q.send(other, { orderId: 'other' }, { singletonKey: 'parcel-2' });
      expect(await q.cancel(def, 'no-such-parcel')).toBe(0);
      expect(await q.cancel(def, 'parcel-2')).toBe(0);
      expect(await q.runDue()).toBe(2);
      expect(runs.sort()).toEqual(['kept', 'other']);
    });

    it('cancel inside a transaction takes effect only if it commits', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const runs: string[] = [];
      const def = withJob(q, {
        name: uniqueName('delivered'),
        handler: async (d) => {
          runs.push(d.orderId);
        },
      });
      const runAt = new Date(clock.now().getTime() + DAY);
      await q.send(def, { orderId: 'o-1' }, { runAt, singletonKey: 'parcel-1' });
      await q.send(def, { orderId: 'o-2' }, { runAt, singletonKey: 'parcel-2' });
      await expect(
        database.db.transaction().execute(async (tx) => {
          expect(await q.cancel(def, 'parcel-1', { tx })).toBe(1);
          throw new Error('the delivery was not recorded');
        }),
      ).rejects.toThrow('the delivery was not recorded');
      expect(await q.nextDueAt()).toEqual(runAt);
      await database.db.transaction().execute(async (tx) => {
        expect(await q.cancel(def, 'parcel-2', { tx })).toBe(1);
      });
      clock.advance(DAY);
      expect(await q.runDue()).toBe(1);
      expect(runs).toEqual(['o-1']);
      expect(await q.nextDueAt()).toBeNull();
    });

    it('after cancel, a new send with the same key is accepted and runs', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const runs: string[] = [];
      const def = withJob(q, {
        name: uniqueName('rescheduled'),
        handler: async (d) => {
          runs.push(d.orderId);
        },
      });
      const at = (h: number) => new Date(Date.parse(T0) + h * HOUR);
      await q.send(def, { orderId: 'first-promise' }, { runAt: at(48), singletonKey: 'parcel-1' });
      expect(await q.send(def, { orderId: 'refused' }, { runAt: at(24), singletonKey: 'parcel-1' })).toBeNull();
      expect(await q.cancel(def, 'parcel-1')).toBe(1);
      expect(await q.send(def, { orderId: 'new-promise' }, { runAt: at(24), singletonKey: 'parcel-1' })).toEqual(expect.any(String));
      expect(await q.nextDueAt()).toEqual(at(24));
      clock.advance(48 * HOUR);
      expect(await q.runDue()).toBe(1);
      expect(runs).toEqual(['new-promise']);
    });

    it('cancel takes a job that is waiting for a retry', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const attempts: number[] = [];
      const def = withJob(q, {
        name: uniqueName('retrying'),
        retryLimit: 3,
        retryBackoffSeconds: 30,
        handler: async (_d, ctx) => {
          attempts.push(ctx.attempt);
          throw new Error('carrier API is down');
        },
      });
      await q.send(def, { orderId: 'o-1' }, { singletonKey: 'parcel-1' });
      expect(await q.runDue()).toBe(1);
      expect(await q.nextDueAt()).toEqual(new Date(Date.parse(T0) + 30 * SECOND));
      expect(await q.cancel(def, 'parcel-1')).toBe(1);
      expect(await q.nextDueAt()).toBeNull();
      clock.advance(DAY);
      expect(await q.runDue()).toBe(0);
      expect(attempts).toEqual([1]);
      expect(await q.deadLetters({ name: def.name, limit: 10 })).toEqual([]);
    });

    it('cancel leaves a running job alone', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const running = gate();
      const release = gate();
      const done: string[] = [];
      const def = withJob(q, {
        name: uniqueName('in-flight'),
        handler: async (d) => {
          running.open();
          await release.opened;
          done.push(d.orderId);
        },
      });
      await q.send(def, { orderId: 'o-1' }, { singletonKey: 'parcel-1' });
      const run = q.runDue();
      await running.opened;
      expect(await q.cancel(def, 'parcel-1')).toBe(0);
      release.open();
      expect(await run).toBe(1);
      expect(done).toEqual(['o-1']);
      expect(await q.deadLetters({ name: def.name, limit: 10 })).toEqual([]);
      expect(await q.nextDueAt()).toBeNull();
    });

    it('start() works jobs in the background; stop() waits for the running handler', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock, { pollIntervalMs: driver === 'pg-boss' ? 500 : 10 });
      const done: string[] = [];
      const started = gate();
      const def = withJob(q, {
        name: uniqueName('background'),
        handler: async (d) => {
          if (d.orderId === 'slow') {
            started.open();
            await sleep(300);
          }
          done.push(d.orderId);
        },
      });
      await q.send(def, { orderId: 'before-start' });
      await q.start();
      await eventually(() => done.includes('before-start'));
      await q.send(def, { orderId: 'slow' });
      await started.opened;
      await q.stop();
      expect(done).toEqual(['before-start', 'slow']);
      // Stopped: nothing more is taken.
      await q.send(def, { orderId: 'after-stop' });
      await sleep(driver === 'pg-boss' ? 1200 : 100);
      expect(done).not.toContain('after-stop');
    });

    it('pruneCompleted deletes finished jobs older than the given instant, and keeps dead letters', async () => {
      if (!available) return;
      const clock = new ManualClock(T0);
      const q = queue(clock);
      const def = withJob(q, {
        name: uniqueName('prunable'),
        retryLimit: 0,
        handler: async (d) => {
          if (d.orderId === 'bad') throw new Error('no');
        },
      });
      await q.send(def, { orderId: 'a' });
      await q.send(def, { orderId: 'b' });
      await q.send(def, { orderId: 'bad' });
      expect(await q.runDue()).toBe(3);
      const completed = async () => {
        const table = driver === 'pg-boss' ? sql`pgboss.job` : sql`jobs`;
        const state = driver === 'pg-boss' ? sql`state` : sql`status`;
        const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${table}
          where name = ${def.name} and ${state} = 'completed'`.execute(database.db);
        return Number(rows[0]!.n);
      };
      expect(await completed()).toBe(2);
      expect(await q.pruneCompleted(new Date('2000-01-01T00:00:00Z'))).toBe(0);
      expect(await completed()).toBe(2);
      expect(await q.pruneCompleted(new Date('2100-01-01T00:00:00Z'))).toBeGreaterThanOrEqual(2);
      expect(await completed()).toBe(0);
      expect(await q.deadLetters({ name: def.name, limit: 10 })).toHaveLength(1);
    });
  });
});
