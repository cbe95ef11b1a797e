/**
 * The real `amends` command as child processes, for tests that must run what a user runs: one-shot commands
 * (store create, token create) and long-running ones (serve, worker), each stopped at the end of the file.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const bin = path.resolve(import.meta.dirname, '../../bin/amends.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Every process started here; `stopAll` (in the test file's afterAll) makes sure none outlives it. */
const children = new Set<ChildProcess>();

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A one-shot CLI command (store create, token create); throws with its output when it fails. */
/** Runs one `amends` command to its end on `dbUrl`; `env` values of undefined remove a variable. */
export function runAmends(
  dbUrl: string,
  args: string[],
  opts: { env?: Record<string, string | undefined>; input?: string } = {},
): { code: number | null; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env, AMENDS_DB: dbUrl, LOG_LEVEL: 'warn', ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [bin, ...args], { env, input: opts.input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A one-shot command that must succeed; its output. */
export function cli(dbUrl: string, args: string[]): string {
  const r = runAmends(dbUrl, args);
  if (r.code !== 0) throw new Error(`amends ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

export interface Proc {
  child: ChildProcess;
  /** stdout and stderr so far, for diagnostics and readiness lines. */
  output: () => string;
}

/** A long-running `amends` process (serve, worker), its output collected. */
export function launch(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  child.stderr?.on('data', (d) => {
    out += String(d);
  });
  return { child, output: () => out };
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM (a clean shutdown), then SIGKILL if it is still there after 10 s. */
export async function stop(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!exited(child)) child.kill('SIGKILL');
  }, 10_000);
  await gone;
  clearTimeout(timer);
}

export async function waitFor(what: string, p: Proc, ready: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (exited(p.child)) throw new Error(`${what} exited early:\n${p.output()}`);
    try {
      if (await ready()) return;
    } catch {
      // not there yet
    }
    await sleep(100);
  }
  throw new Error(`${what} was not ready within ${ms} ms:\n${p.output()}`);
}

export async function startServe(dbUrl: string, env: Record<string, string> = {}): Promise<{ proc: Proc; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = launch(['serve', '--port', String(port), '--host', '127.0.0.1'], { AMENDS_DB: dbUrl, ...env });
  await waitFor('amends serve', proc, async () => (await fetch(`${url}/health`)).ok);
  return { proc, url };
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stop));
}
