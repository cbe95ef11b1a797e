/**
 * Baseline for the replay benchmark: the same JSONL, each line parsed and inserted as one ledger row by raw
 * better-sqlite3 — no validation, no projections, no group commit. The `events` table, its unique key and its
 * three indexes are those of migration 0001 (with the `stores` row its foreign key needs); the pragmas are those
 * of src/platform/db/database.ts (WAL, synchronous = NORMAL, foreign_keys = ON). One prepared statement,
 * transactions of 10,000 rows. Timed: reading the file, JSON.parse of every line, the inserts and commits
 * (not creating the schema, not closing). The temp database is removed afterwards.
 *
 * CLI: npx tsx bench/raw-ledger.ts FILE.jsonl
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';

const ROWS_PER_TRANSACTION = 10_000;
const STORE_ID = 'bench';
export const RAW_LEDGER_TMP_PREFIX = 'amends-raw-ledger-';

/** The non-empty lines of a file, read synchronously in 4 MB chunks (files may exceed V8's largest string). */
function* readLines(file: string): Generator<string> {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = rest + decoder.write(buf.subarray(0, n));
      let from = 0;
      for (let nl = chunk.indexOf('\n', from); nl !== -1; nl = chunk.indexOf('\n', from)) {
        if (nl > from) yield chunk.slice(from, nl);
        from = nl + 1;
      }
      rest = chunk.slice(from);
    }
    rest += decoder.end();
    if (rest.trim() !== '') yield rest;
  } finally {
    fs.closeSync(fd);
  }
}

interface RawEvent {
  id: string;
  type: string;
  occurredAt: string;
  data: { customerId?: string; orderId?: string } & Record<string, unknown>;
}

export function rawInsertRowsPerSec(file: string): { rows: number; seconds: number; rowsPerSec: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), RAW_LEDGER_TMP_PREFIX));
  try {
    const db = new SQLite(path.join(dir, 'ledger.db'));
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.exec(`
        create table stores (id text primary key, name text not null, timezone text not null, currency text not null,
          case_seq integer not null default 0, created_at text not null);
        create table events (
          seq integer primary key autoincrement,
          store_id text not null references stores (id),
          id text not null,
          type text not null,
          occurred_at text not null,
          received_at text not null,
          source text not null,
          customer_id text,
          order_id text,
          data text not null,
          constraint events_store_id_uq unique (store_id, id)
        );
        create index events_store_type_idx on events (store_id, type, occurred_at);
        create index events_store_order_idx on events (store_id, order_id);
        create index events_store_customer_idx on events (store_id, customer_id);
      `);
      db.prepare('insert into stores (id, name, timezone, currency, created_at) values (?, ?, ?, ?, ?)').run(
        STORE_ID,
        'Bench',
        'America/New_York',
        'USD',
        new Date().toISOString(),
      );
      const insert = db.prepare(
        `insert into events (store_id, id, type, occurred_at, received_at, source, customer_id, order_id, data)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (store_id, id) do nothing`,
      );
      const commit = db.transaction((lines: string[]) => {
        const receivedAt = new Date().toISOString();
        for (const line of lines) {
          const e = JSON.parse(line) as RawEvent;
          insert.run(
            STORE_ID,
            e.id,
            e.type,
            e.occurredAt,
            receivedAt,
            'replay',
            e.data.customerId ?? null,
            e.data.orderId ?? null,
            JSON.stringify(e.data),
          );
        }
      });

      const started = performance.now();
      let batch: string[] = [];
      for (const line of readLines(file)) {
        batch.push(line);
        if (batch.length === ROWS_PER_TRANSACTION) {
          commit(batch);
          batch = [];
        }
      }
      if (batch.length > 0) commit(batch);
      const seconds = (performance.now() - started) / 1000;

      const rows = (db.prepare('select count(*) as n from events').get() as { n: number }).n;
      return { rows, seconds, rowsPerSec: rows / seconds };
    } finally {
      db.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error('usage: npx tsx bench/raw-ledger.ts FILE.jsonl');
    process.exitCode = 1;
  } else {
    const r = rawInsertRowsPerSec(file);
    console.log(`raw better-sqlite3 ledger: ${r.rows} rows in ${r.seconds.toFixed(2)} s = ${Math.round(r.rowsPerSec)} rows/s`);
  }
}
