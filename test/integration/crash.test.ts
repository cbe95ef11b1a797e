import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { createStore, createToken } from '../../src/stores/stores.service.ts';
import { engineAvailable, engines, freshDatabaseUrl } from '../helper.ts';

const bin = path.resolve(import.meta.dirname, '../../bin/amends.js');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function startServer(dbUrl: string, port: number): ChildProcess {
  return spawn(process.execPath, [bin, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
    env: { ...process.env, AMENDS_DB: dbUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited early: ${stderr}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not become healthy: ${stderr}`);
}

describe.each(engines)('crash safety [%s]', (engine) => {
  const available = engineAvailable(engine);
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  it.runIf(available)(
    'SIGKILL while events are being posted loses no event that got a 2xx',
    async () => {
      const dbUrl = await freshDatabaseUrl(engine);
      const setup = openDatabase(dbUrl);
      await migrateToLatest(setup);
      await createStore(setup.db, systemClock, { id: 'crash' });
      const { token } = await createToken(setup.db, systemClock, { storeId: 'crash', role: 'manager' });
      await setup.close();

      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      child = startServer(dbUrl, port);
      await waitHealthy(url, child);

      const acked: string[] = [];
      let failures = 0;
      let stop = false;
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const id = `w${w}-e${i}`;
          try {
            const res = await fetch(`${url}/api/v1/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({
                id,
                type: 'order.placed',
                occurredAt: '2026-05-01T10:00:00Z',
                data: { orderId: id, customerId: `cust-${w}`, total: { amount: 1000 + i, currency: 'USD' } },
              }),
            });
            if (res.status >= 200 && res.status < 300) acked.push(id);
            await res.arrayBuffer();
          } catch {
            failures++;
            if (child?.exitCode !== null || child?.signalCode !== null) return;
          }
        }
      };
      const workers = Array.from({ length: 16 }, (_, w) => worker(w));
      while (acked.length < 300) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      const ackedAtKill = acked.length;
      await new Promise((r) => child?.once('exit', r));
      stop = true;
      await Promise.all(workers);
      // Requests were in flight when the process died: some must have failed, or the kill proved nothing.
      expect(failures).toBeGreaterThan(0);
      expect(acked.length).toBeGreaterThanOrEqual(ackedAtKill);

      const after = openDatabase(dbUrl);
      try {
        const stored = new Set(
          (await after.db.selectFrom('events').select('id').where('store_id', '=', 'crash').execute()).map((r) => r.id),
        );
        const lost = acked.filter((id) => !stored.has(id));
        expect(lost).toEqual([]);
        const orders = await after.db.selectFrom('orders').select('id').where('store_id', '=', 'crash').execute();
        // Projections commit with their event: every stored event has its order.
        expect(orders.length).toBe(stored.size);
      } finally {
        await after.close();
      }

      // The server comes back on the same database and still knows every acked event.
      child = startServer(dbUrl, port);
      await waitHealthy(url, child);
      const again = await fetch(`${url}/api/v1/events/${acked[0]}`, { headers: { authorization: `Bearer ${token}` } });
      expect(again.status).toBe(200);
      child.kill('SIGTERM');
      await new Promise((r) => child?.once('exit', r));
    },
    60_000,
  );
});
