import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.ts';
import { type Database, openDatabase } from '../../src/platform/db/database.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import type { App } from '../../src/platform/http/context.ts';
import { engineAvailable, engines, freshDatabaseUrl } from '../helper.ts';
import { runAmends } from '../support/amends-process.ts';

const _bin = path.resolve(import.meta.dirname, '../../bin/amends.js');

/** A password in the runner's own environment must not leak into the commands under test. */
function amends(dbUrl: string, args: string[], env: Record<string, string> = {}) {
  return runAmends(dbUrl, args, { env: { AMENDS_PASSWORD: undefined, ...env } });
}

describe.each(engines)('amends user create [%s]', (engine) => {
  const available = engineAvailable(engine);
  let dbUrl: string;
  let database: Database | undefined;
  let app: App | undefined;

  beforeAll(async () => {
    if (!available) return;
    dbUrl = await freshDatabaseUrl(engine);
    expect(amends(dbUrl, ['store', 'create', '--id', 'shop']).code).toBe(0);
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  /** Signs in through the real HTTP app on the database the command wrote. */
  async function signIn(email: string, password: string): Promise<{ status: number; role?: string; name?: string | null }> {
    if (!app) {
      database = openDatabase(dbUrl);
      const config = loadConfig({ AMENDS_DB: dbUrl, LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
      app = (await buildApp({ config, database, logger: false })).app;
    }
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { store: 'shop', email, password } });
    return res.statusCode === 200 ? { status: 200, role: res.json().user.role, name: res.json().user.name } : { status: res.statusCode };
  }

  it.runIf(available)('refuses a short password, naming where it came from, and writes nothing', async () => {
    const short = amends(dbUrl, [
      'user',
      'create',
      '--store',
      'shop',
      '--email',
      'kim@shop.test',
      '--role',
      'agent',
      '--password',
      'short-pw',
    ]);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('--password must be at least 12 characters');
    const env = amends(dbUrl, ['user', 'create', '--store', 'shop', '--email', 'kim@shop.test', '--role', 'agent'], {
      AMENDS_PASSWORD: 'tiny',
    });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('AMENDS_PASSWORD must be at least 12 characters');
    const role = amends(dbUrl, [
      'user',
      'create',
      '--store',
      'shop',
      '--email',
      'kim@shop.test',
      '--role',
      'owner',
      '--password',
      'long-enough-pw',
    ]);
    expect(role.code).not.toBe(0);
    const store = amends(dbUrl, [
      'user',
      'create',
      '--store',
      'nope',
      '--email',
      'kim@shop.test',
      '--role',
      'agent',
      '--password',
      'long-enough-pw',
    ]);
    expect(store.code).toBe(1);
    expect(store.stderr).toContain('no store nope');
    const email = amends(dbUrl, [
      'user',
      'create',
      '--store',
      'shop',
      '--email',
      'not-an-email',
      '--role',
      'agent',
      '--password',
      'long-enough-pw',
    ]);
    expect(email.code).toBe(1);
    expect(email.stderr).toContain('--email must be an e-mail address');
    expect((await signIn('kim@shop.test', 'long-enough-pw')).status).toBe(401);
  });

  it.runIf(available)('creates a user whose password signs in to the console', async () => {
    const r = amends(dbUrl, [
      'user',
      'create',
      '--store',
      'shop',
      '--email',
      'Kim@Shop.test',
      '--role',
      'manager',
      '--name',
      'Kim Lee',
      '--password',
      'kims-first-password',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^created user usr_\S+: kim@shop\.test \(manager\) in store shop\n$/);
    expect(r.stdout).not.toContain('kims-first-password');
    expect(await signIn('kim@shop.test', 'kims-first-password')).toEqual({ status: 200, role: 'manager', name: 'Kim Lee' });
    expect((await signIn('kim@shop.test', 'kims-other-password')).status).toBe(401);
  });

  it.runIf(available)('takes the password from AMENDS_PASSWORD, or prints a random one once', async () => {
    const fromEnv = amends(dbUrl, ['user', 'create', '--store', 'shop', '--email', 'lee@shop.test', '--role', 'agent'], {
      AMENDS_PASSWORD: 'password-from-env',
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout).not.toContain('password-from-env');
    expect((await signIn('lee@shop.test', 'password-from-env')).status).toBe(200);

    const random = amends(dbUrl, ['user', 'create', '--store', 'shop', '--email', 'max@shop.test', '--role', 'admin']);
    expect(random.code, random.stderr).toBe(0);
    expect(random.stderr).toContain('shown only now');
    const lines = random.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const password = lines[1]!;
    expect(password).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await signIn('max@shop.test', password)).toMatchObject({ status: 200, role: 'admin' });
  });

  it.runIf(available)('resets an existing user’s password (and role), and says so', async () => {
    const r = amends(dbUrl, ['user', 'create', '--store', 'shop', '--email', 'kim@shop.test', '--role', 'agent'], {
      AMENDS_PASSWORD: 'kims-second-password',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/already exists: kim@shop\.test \(agent\) in store shop; password reset, role changed from manager to agent/);
    expect((await signIn('kim@shop.test', 'kims-first-password')).status).toBe(401);
    // The name given at creation is kept when none is given now.
    expect(await signIn('kim@shop.test', 'kims-second-password')).toEqual({ status: 200, role: 'agent', name: 'Kim Lee' });
  });
});
