import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/database.ts';
import { engineAvailable, engines, freshDatabaseUrl, usd } from '../helper.ts';
import { runAmends } from '../support/amends-process.ts';

const _bin = path.resolve(import.meta.dirname, '../../bin/amends.js');

function amends(dbUrl: string, args: string[], input?: string) {
  return runAmends(dbUrl, args, input === undefined ? {} : { input });
}

const line = (o: unknown) => JSON.stringify(o);
const order = (n: number) =>
  line({
    id: `ord-${n}-placed`,
    type: 'order.placed',
    occurredAt: '2026-04-01T09:00:00Z',
    data: { orderId: `ord-${n}`, customerId: `cus-${n % 3}`, total: { amount: 1000 * n, currency: 'USD' } },
  });

describe.each(engines)('amends CLI: store, token, import [%s]', (engine) => {
  const available = engineAvailable(engine);
  let dbUrl: string;
  let file: string;

  beforeAll(async () => {
    if (!available) return;
    dbUrl = await freshDatabaseUrl(engine);
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'amends-import-')), 'events.jsonl');
    fs.writeFileSync(
      file,
      [
        order(1),
        order(2),
        order(1), // duplicate of line 1
        '{"id": "broken", "type": ', // not JSON
        line({
          id: 'bad-money',
          type: 'order.placed',
          occurredAt: '2026-04-01T09:00:00Z',
          data: { orderId: 'x', customerId: 'c', total: { amount: '12', currency: 'USD' } },
        }),
        '',
        line({
          id: 'cmp-1',
          type: 'complaint.received',
          occurredAt: '2026-04-02T09:00:00Z',
          data: { complaintId: 'cmp-1', email: 'pat@example.com', orderId: 'ord-2', channel: 'email', body: 'Where is my parcel?' },
        }),
        line({
          id: 'wrong-store',
          store: 'elsewhere',
          type: 'order.cancelled',
          occurredAt: '2026-04-02T09:00:00Z',
          data: { orderId: 'ord-1' },
        }),
      ].join('\n'),
    );
  });

  it.runIf(available)('creates a store and prints a working token once', () => {
    const store = amends(dbUrl, ['store', 'create', '--id', 'shop', '--name', 'The Shop', '--currency', 'EUR']);
    expect(store.code).toBe(0);
    expect(store.stdout).toContain('created store shop');
    const again = amends(dbUrl, ['store', 'create', '--id', 'shop']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const badRole = amends(dbUrl, ['token', 'create', '--store', 'shop', '--role', 'owner']);
    expect(badRole.code).not.toBe(0);
    const token = amends(dbUrl, ['token', 'create', '--store', 'shop', '--role', 'agent', '--user', 'ann@shop.test']);
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toMatch(/^amd_[A-Za-z0-9_-]{40,}$/);
    const noStore = amends(dbUrl, ['token', 'create', '--store', 'nope', '--role', 'agent']);
    expect(noStore.code).toBe(1);
    expect(noStore.stderr).toContain('no store nope');
  });

  it.runIf(available)('imports valid lines, counts duplicates, reports rejected lines by number, exits 1', async () => {
    const r = amends(dbUrl, ['import', file, '--store', 'shop']);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('imported 3, duplicates 1, rejected 3');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^line 4: not JSON/m);
    expect(r.stderr).toMatch(/^line 5: data\.total\.amount: /m);
    expect(r.stderr).toMatch(/^line 8: store: /m);

    const db = openDatabase(dbUrl);
    try {
      const events = await db.db.selectFrom('events').select('id').where('store_id', '=', 'shop').orderBy('seq').execute();
      expect(events.map((e) => e.id)).toEqual(['ord-1-placed', 'ord-2-placed', 'cmp-1']);
      const cases = await db.db.selectFrom('cases').select(['order_id', 'source']).where('store_id', '=', 'shop').execute();
      expect(cases).toEqual([{ order_id: 'ord-2', source: 'reactive' }]);
    } finally {
      await db.close();
    }
  });

  it.runIf(available)('re-importing the same file changes nothing', async () => {
    const snapshot = async () => {
      const db = openDatabase(dbUrl);
      try {
        const count = async (t: 'events' | 'orders' | 'customers' | 'cases') =>
          Number(
            (
              await db.db
                .selectFrom(t)
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .where('store_id', '=', 'shop')
                .executeTakeFirstOrThrow()
            ).n,
          );
        const ltv = await db.db
          .selectFrom('customers')
          .select(['id', 'orders_count', 'total_spent'])
          .where('store_id', '=', 'shop')
          .orderBy('id')
          .execute();
        return {
          events: await count('events'),
          orders: await count('orders'),
          customers: await count('customers'),
          cases: await count('cases'),
          ltv,
        };
      } finally {
        await db.close();
      }
    };
    const before = await snapshot();
    const r = amends(dbUrl, ['import', file, '--store', 'shop']);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('imported 0, duplicates 4, rejected 3');
    expect(await snapshot()).toEqual(before);
  });

  it.runIf(available)('arms the lateness timer of an imported open order, and not of one whose promise is long past', async () => {
    const placed = (o: string, at: string, promisedBy: string) =>
      line({
        id: `${o}-placed`,
        type: 'order.placed',
        occurredAt: at,
        data: { orderId: o, customerId: 'cus-9', total: usd(900), promisedBy },
      });
    const r = amends(
      dbUrl,
      ['import', '-', '--store', 'shop'],
      `${placed('open-1', '2026-04-01T09:00:00Z', '2099-01-01T00:00:00Z')}\n${placed('old-1', '2026-04-01T09:00:00Z', '2026-04-03T00:00:00Z')}\n`,
    );
    expect(r.code, r.stderr).toBe(0);
    const db = openDatabase(dbUrl);
    try {
      const { rows } =
        engine === 'sqlite'
          ? await sql<{ key: string; due: string }>`select singleton_key as key, run_at as due from jobs
              where name = 'proactive.order-due'`.execute(db.db)
          : await sql<{ key: string; due: string }>`select singleton_key as key, to_char(start_after at time zone 'UTC',
              'YYYY-MM-DD"T"HH24:MI:SS') as due from pgboss.job where name = 'proactive.order-due'`.execute(db.db);
      expect(rows.map((j) => [j.key, j.due.slice(0, 19)])).toEqual([['late:shop:open-1', '2099-01-01T00:00:00']]);
    } finally {
      await db.close();
    }
  });

  it.runIf(available)('reads standard input with -, and exits 0 when nothing is rejected', () => {
    const r = amends(dbUrl, ['import', '-', '--store', 'shop'], `${order(7)}\n${order(8)}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('imported 2, duplicates 0, rejected 0');
  });
});
