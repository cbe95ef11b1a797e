/**
 * bench:ingest — single-event POST /api/v1/events on SQLite at 50 connections,
 * against a bare Fastify route in the same process layout (server in a child
 * process, load from this one), and raw better-sqlite3 batched inserts of the
 * same rows as the physical limit. Every measured ack is durable: the server
 * answers after its group commit and the WAL fsync (ADR 0003), and the bench checks that
 * the ledger holds every 2xx it counted.
 */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import SQLite from 'better-sqlite3';
import { systemClock } from '../src/platform/clock.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createStore, createToken } from '../src/stores/stores.service.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const root = path.resolve(import.meta.dirname, '..');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error('server exited');
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no answer from ${url}`);
}

let counter = 0;
function eventBody(run: string): string {
  const n = counter++;
  return JSON.stringify({
    id: `${run}-${n}`,
    type: 'order.placed',
    occurredAt: '2026-06-01T12:00:00Z',
    data: {
      orderId: `${run}-ord-${n}`,
      customerId: `cus-${n % 2000}`,
      total: { amount: 2599 + (n % 5000), currency: 'USD' },
      items: [{ sku: 'MUG-01', name: 'Stoneware mug', quantity: 1, price: { amount: 2599, currency: 'USD' } }],
      promisedBy: '2026-06-05T12:00:00Z',
    },
  });
}

interface Load {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  errors: number;
}

async function load(url: string, headers: Record<string, string>, run: string, duration: number): Promise<Load> {
  const result = await autocannon({
    url: `${url}/api/v1/events`,
    connections,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: eventBody(run) }) }],
  });
  return {
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result['2xx'],
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

async function measureBare(): Promise<Load> {
  const port = await freePort();
  const child = fork(path.join(root, 'bench/bare-server.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PORT: String(port) },
    stdio: 'inherit',
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(`${url}/api/v1/events`, child);
    await load(url, {}, 'bare-warm', 2);
    return await load(url, {}, 'bare', seconds);
  } finally {
    child.kill('SIGTERM');
  }
}

async function measureIngest(dir: string): Promise<Load & { stored: number }> {
  const dbFile = path.join(dir, 'bench.db');
  const setup = openDatabase(dbFile);
  await migrateToLatest(setup);
  await createStore(setup.db, systemClock, { id: 'bench' });
  const { token } = await createToken(setup.db, systemClock, { storeId: 'bench', role: 'manager' });
  await setup.close();

  const port = await freePort();
  const child = fork(path.join(root, 'bin/amends.js'), ['serve', '--port', String(port)], {
    env: { ...process.env, AMENDS_DB: dbFile, LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  let measured: Load;
  let warmOk: number;
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(`${url}/health`, child);
    warmOk = (await load(url, { authorization: `Bearer ${token}` }, 'warm', 2)).ok;
    measured = await load(url, { authorization: `Bearer ${token}` }, 'run', seconds);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  const check = new SQLite(dbFile, { readonly: true });
  const stored = (check.prepare("select count(*) as n from events where store_id = 'bench'").get() as { n: number }).n;
  check.close();
  if (stored < measured.ok + warmOk) throw new Error(`ledger holds ${stored} events but ${measured.ok + warmOk} were acknowledged`);
  return { ...measured, stored };
}

/** The physical limit: the same ledger rows inserted by raw better-sqlite3 in transactions of 1,000, each fsynced (FULL). */
function measureRaw(dir: string): { rowsPerSec: number } {
  const db = new SQLite(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`create table events (seq integer primary key autoincrement, store_id text not null, id text not null, type text not null,
    occurred_at text not null, received_at text not null, source text not null, customer_id text, order_id text, data text not null,
    unique (store_id, id))`);
  const insert = db.prepare(
    'insert into events (store_id, id, type, occurred_at, received_at, source, customer_id, order_id, data) values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing',
  );
  const batch = db.transaction((rows: string[]) => {
    for (const body of rows) {
      const e = JSON.parse(body);
      insert.run('bench', e.id, e.type, e.occurredAt, e.occurredAt, 'api', e.data.customerId, e.data.orderId, JSON.stringify(e.data));
    }
  });
  const total = 200_000;
  const rows = Array.from({ length: total }, () => eventBody('raw'));
  const started = performance.now();
  for (let i = 0; i < total; i += 1000) batch(rows.slice(i, i + 1000));
  const elapsed = (performance.now() - started) / 1000;
  db.close();
  return { rowsPerSec: total / elapsed };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-bench-'));
try {
  console.log(`bench:ingest — ${connections} connections, ${seconds} s per run, ${os.cpus().length} cores`);
  const bare = await measureBare();
  console.log(`bare Fastify route:   ${bare.reqPerSec.toFixed(0)} req/s, p50 ${bare.p50Ms} ms, p99 ${bare.p99Ms} ms`);
  const ingest = await measureIngest(dir);
  console.log(
    `POST /api/v1/events:  ${ingest.reqPerSec.toFixed(0)} events/s, p50 ${ingest.p50Ms} ms, p99 ${ingest.p99Ms} ms, ${ingest.errors} errors; ledger holds all ${ingest.stored} acked events`,
  );
  const raw = measureRaw(dir);
  console.log(`raw better-sqlite3:   ${raw.rowsPerSec.toFixed(0)} rows/s (ledger rows only, batches of 1,000)`);
  const ratio = ingest.reqPerSec / bare.reqPerSec;
  console.log(
    `ratio ingest/bare: ${ratio.toFixed(2)} (target >= 0.50); ingest/raw: ${(ingest.reqPerSec / raw.rowsPerSec).toFixed(3)}; p99 ${ingest.p99Ms} ms (target < 25)`,
  );
  console.log(
    JSON.stringify({
      eventsPerSec: Math.round(ingest.reqPerSec),
      bareReqPerSec: Math.round(bare.reqPerSec),
      ratio: Number(ratio.toFixed(3)),
      p50Ms: ingest.p50Ms,
      p99Ms: ingest.p99Ms,
      bareP99Ms: bare.p99Ms,
      rawRowsPerSec: Math.round(raw.rowsPerSec),
      rawRatio: Number((ingest.reqPerSec / raw.rowsPerSec).toFixed(4)),
      errors: ingest.errors,
      connections,
      seconds,
    }),
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
