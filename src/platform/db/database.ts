import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { isPostgresUrl } from '../config.ts';
import type { DB } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  /**
   * Resolves once everything committed before the call is on stable storage.
   * Call it before acknowledging a write. PostgreSQL's commit already waits
   * for its WAL flush; SQLite commits without an fsync and syncs here.
   */
  flush(): Promise<void>;
  close(): Promise<void>;
}

// int8 (bigint) and numeric come back from pg as strings; our integers (minor units, sequences) fit in a double.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/** Opens the database named by AMENDS_DB: a postgres:// URL, or else a SQLite file path. */
export function openDatabase(url: string): Database {
  return isPostgresUrl(url) ? openPostgres(url) : openSqlite(url);
}

function openSqlite(file: string): Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL: commits write the WAL without fsync, and checkpoints sync it; `flush()` fsyncs the WAL off the
  // main thread before a write is acknowledged (ADR 0003), so acks are as durable as with FULL.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const wal = file === ':memory:' ? undefined : walSyncer(`${path.resolve(file)}-wal`);
  return {
    db,
    dialect: 'sqlite',
    ping: async () => (wal?.healthy() ?? true) && (await ping(db)),
    flush: () => wal?.sync() ?? Promise.resolve(),
    close: async () => {
      await wal?.close();
      await db.destroy();
    },
  };
}

/**
 * Fsyncs SQLite's WAL file on libuv's thread pool. fsync makes durable every
 * write made to the file before it was called, whichever descriptor made it.
 * Callers that arrive while an fsync runs share the next one, so one fsync
 * serves every write committed in the meantime (group commit for the disk).
 */
function walSyncer(walPath: string) {
  let fd: number | undefined;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  // After a failed fsync the kernel may have dropped the dirty pages and a retry can wrongly succeed, so a
  // failure is final: every later flush fails too, and the database reports itself unhealthy.
  let failed: Error | undefined;
  const fsyncOnce = async () => {
    if (failed) throw failed;
    try {
      // The WAL exists once anything has been committed in WAL mode; before that there is nothing to sync.
      if (fd === undefined) {
        if (!fs.existsSync(walPath)) return;
        fd = fs.openSync(walPath, 'r+');
      }
      const handle = fd;
      await new Promise<void>((resolve, reject) => fs.fsync(handle, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      failed = new Error(`fsync of ${walPath} failed; writes can no longer be acknowledged: ${String(err)}`, { cause: err });
      throw failed;
    }
  };
  const sync = (): Promise<void> => {
    if (!running) {
      running = fsyncOnce().finally(() => {
        running = undefined;
      });
      return running;
    }
    // Writes committed now may have missed the running fsync: they need the one after it.
    next ??= running.then(
      () => {
        next = undefined;
        return sync();
      },
      () => {
        next = undefined;
        return sync();
      },
    );
    return next;
  };
  return {
    sync,
    healthy: () => failed === undefined,
    async close() {
      await running?.catch(() => {});
      await next?.catch(() => {});
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
  };
}

/**
 * Kysely prepares every query afresh; preparing costs more than running our
 * small statements, so prepared statements are kept by SQL text (queries are
 * parameterised, so the set of texts is small). Bounded, oldest evicted.
 */
function withStatementCache(sqlite: SQLite.Database, max = 1000): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (!stmt) {
        stmt = sqlite.prepare(text);
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    ping: () => ping(db),
    // synchronous_commit (on by default) makes each commit wait for the WAL flush.
    flush: () => Promise.resolve(),
    close: () => db.destroy(),
  };
}

async function ping(db: Kysely<DB>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
