import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from './database.ts';

describe('SQLite flush (fsync of the WAL before an ack)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('fsyncs the WAL file, and concurrent callers share fsyncs', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'amends-flush-')), 'f.db');
    const database = openDatabase(file);
    try {
      await sql`create table t (a integer)`.execute(database.db);
      await sql`insert into t values (1)`.execute(database.db);
      const fsync = vi.spyOn(fs, 'fsync');
      await Promise.all(Array.from({ length: 20 }, () => database.flush()));
      // One fsync running when the others arrived, and at most one more for all of them.
      expect(fsync.mock.calls.length).toBeGreaterThanOrEqual(1);
      expect(fsync.mock.calls.length).toBeLessThanOrEqual(2);
      const walStat = fs.statSync(`${file}-wal`);
      expect(walStat.size).toBeGreaterThan(0);

      // A flush asked for after another finished gets an fsync of its own.
      const before = fsync.mock.calls.length;
      await sql`insert into t values (2)`.execute(database.db);
      await database.flush();
      expect(fsync.mock.calls.length).toBe(before + 1);
    } finally {
      await database.close();
    }
  });

  it('fails every later flush after one fsync fails, and reports itself unhealthy', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'amends-flush-')), 'f.db');
    const database = openDatabase(file);
    try {
      await sql`create table t (a integer)`.execute(database.db);
      expect(await database.ping()).toBe(true);
      vi.spyOn(fs, 'fsync').mockImplementationOnce(((_fd: number, cb: (err: NodeJS.ErrnoException | null) => void) =>
        cb(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }))) as typeof fs.fsync);
      await expect(database.flush()).rejects.toThrow(/fsync .* failed/);
      // A retried fsync could report success for pages the kernel already dropped: it must not be trusted.
      await expect(database.flush()).rejects.toThrow(/fsync .* failed/);
      expect(await database.ping()).toBe(false);
    } finally {
      await database.close();
    }
  });
});
