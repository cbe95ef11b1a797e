import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { type Clock, systemClock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import { type Database, openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { buildApp } from '../src/platform/http/app.ts';
import type { App, AppContext } from '../src/platform/http/context.ts';
import type { Role } from '../src/stores/roles.ts';
import { createStore, createToken, ensureUser } from '../src/stores/stores.service.ts';

export type Engine = 'sqlite' | 'postgres';

/**
 * The engines the integration suite runs on. PostgreSQL is always listed: in
 * CI it must have started (global-setup throws otherwise); locally, when it
 * could not, its tests are skipped with a loud message (see skipUnless).
 */
export const engines: Engine[] = ['sqlite', 'postgres'];

export function engineAvailable(engine: Engine): boolean {
  if (engine === 'sqlite') return true;
  const ok = inject('pgUrl') !== null;
  if (!ok) process.stderr.write('!!! PostgreSQL is not available: skipping the postgres half of this suite !!!\n');
  return ok;
}

/** A fresh, empty database URL for one test file: a temp SQLite file, or a new PostgreSQL database. */
export async function freshDatabaseUrl(engine: Engine): Promise<string> {
  const name = `amends_test_${randomBytes(6).toString('hex')}`;
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-test-'));
    return path.join(dir, `${name}.db`);
  }
  const admin = inject('pgUrl');
  if (!admin) throw new Error('PostgreSQL is not available');
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return admin.replace(/\/postgres$/, `/${name}`);
}

export interface TestApp {
  engine: Engine;
  app: App;
  ctx: AppContext;
  database: Database;
  dbUrl: string;
  storeId: string;
  /** Tokens of the default store, by role. */
  tokens: Record<Role, string>;
  /** A second store with its own admin token, for isolation tests. */
  other: { storeId: string; token: string };
  agentUserId: string;
  close(): Promise<void>;
}

export async function buildTestApp(engine: Engine, opts: { clock?: Clock } = {}): Promise<TestApp> {
  const dbUrl = await freshDatabaseUrl(engine);
  const database = openDatabase(dbUrl);
  await migrateToLatest(database);
  const clock = opts.clock ?? systemClock;
  const config = loadConfig({ AMENDS_DB: dbUrl, LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
  const { app, ctx } = await buildApp({ config, database, clock, logger: false });
  const db = database.db;
  const storeId = 'acme';
  await createStore(db, clock, { id: storeId, name: 'Acme Goods' });
  await createStore(db, clock, { id: 'other', name: 'Other Shop' });
  const agent = await ensureUser(db, clock, storeId, { email: 'agent@acme.test', name: 'Ada Agent', role: 'agent' });
  const tokens = {} as Record<Role, string>;
  for (const role of ['agent', 'manager', 'admin'] as const) {
    tokens[role] = (await createToken(db, clock, { storeId, role, userId: role === 'agent' ? agent.id : null })).token;
  }
  const other = { storeId: 'other', token: (await createToken(db, clock, { storeId: 'other', role: 'admin' })).token };
  return {
    engine,
    app,
    ctx,
    database,
    dbUrl,
    storeId,
    tokens,
    other,
    agentUserId: agent.id,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

export function auth(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** An event envelope with sensible defaults. */
export function ev(id: string, type: string, data: Record<string, unknown>, occurredAt = '2026-03-01T12:00:00Z') {
  return { id, type, occurredAt, data };
}

export const usd = (amount: number) => ({ amount, currency: 'USD' });

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise to wait on and a function to settle it. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}
