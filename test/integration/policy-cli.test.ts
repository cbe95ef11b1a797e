import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/database.ts';
import { engineAvailable, engines, freshDatabaseUrl } from '../helper.ts';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/amends.js');
const defaultFile = path.join(root, 'policies/default.yaml');

function amends(dbUrl: string, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, AMENDS_DB: dbUrl, LOG_LEVEL: 'warn' },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('amends policy check', () => {
  it('accepts the shipped policies and names line and column of each problem in a bad one', () => {
    const ok = amends(':memory:', ['policy', 'check', defaultFile]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/default\.yaml: ok — "Amends default", USD, \d+ offers, \d+ matrix rules; version [0-9a-f]{12}/);

    const source = fs.readFileSync(defaultFile, 'utf8');
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'amends-policy-')), 'bad.yaml');
    fs.writeFileSync(bad, source.replace('coolDownDays: 14', 'coolDownDays: -1').replace('percentOff: 20', 'percentOff: 120'));
    const r = amends(':memory:', ['policy', 'check', bad]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    const lineOf = (needle: string) =>
      fs
        .readFileSync(bad, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes(needle)) + 1;
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${lineOf('percentOff: 120')}:17 offers\\.discount_20\\.percentOff: `),
      ),
      expect.stringMatching(new RegExp(`:${lineOf('coolDownDays: -1')}:17 guardrails\\.coolDownDays: `)),
    ]);
  });
});

describe.each(engines)('amends policy activate [%s]', (engine) => {
  const available = engineAvailable(engine);
  let dbUrl: string;

  beforeAll(async () => {
    if (!available) return;
    dbUrl = await freshDatabaseUrl(engine);
    expect(amends(dbUrl, ['store', 'create', '--id', 'shop']).code).toBe(0);
  });

  it('activates a file as a new version with its author, and refuses an invalid one without changing anything', async () => {
    if (!available) return;
    const r = amends(dbUrl, ['policy', 'activate', defaultFile, '--store', 'shop', '--author', 'Robin']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/activated "Amends default" \(version [0-9a-f]{12}\) for store shop/);
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'amends-policy-')), 'bad.yaml');
    fs.writeFileSync(bad, 'version: 1\nname: nope\n');
    const refused = amends(dbUrl, ['policy', 'activate', bad, '--store', 'shop']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bad\.yaml:\d+:\d+ /);
    const missing = amends(dbUrl, ['policy', 'activate', defaultFile, '--store', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/store nope not found/);

    const database = openDatabase(dbUrl);
    try {
      const activations = await database.db.selectFrom('policy_activations').selectAll().execute();
      expect(activations.map((a) => [a.store_id, a.author])).toEqual([['shop', 'Robin']]);
      const audit = await database.db.selectFrom('audit_log').select(['action', 'actor_id']).execute();
      expect(audit).toEqual([{ action: 'policy.activated', actor_id: 'cli:Robin' }]);
    } finally {
      await database.close();
    }
  });
});

describe.each(engines)('amends policy simulate [%s]', (engine) => {
  const available = engineAvailable(engine);
  let dbUrl: string;
  const strictFile = path.join(root, 'policies/strict.yaml');

  beforeAll(async () => {
    if (!available) return;
    dbUrl = await freshDatabaseUrl(engine);
    expect(amends(dbUrl, ['store', 'create', '--id', 'shop']).code).toBe(0);
    // Three customers, four orders, four complaints (two late parcels, a broken item, a double charge).
    const ev = (id: string, type: string, occurredAt: string, data: Record<string, unknown>) =>
      JSON.stringify({ id, type, occurredAt, data });
    const usd = (amount: number) => ({ amount, currency: 'USD' });
    const lines = [
      ev('c1', 'customer.upserted', '2026-01-01T00:00:00Z', { customerId: 'c1', email: 'c1@example.com' }),
      ev('c2', 'customer.upserted', '2026-01-01T00:00:00Z', { customerId: 'c2', email: 'c2@example.com' }),
      ev('o1', 'order.placed', '2026-02-01T00:00:00Z', { orderId: 'o1', customerId: 'c1', total: usd(6000) }),
      ev('o2', 'order.placed', '2026-02-02T00:00:00Z', { orderId: 'o2', customerId: 'c2', total: usd(4000) }),
      ev('o3', 'order.placed', '2026-02-03T00:00:00Z', { orderId: 'o3', customerId: 'c1', total: usd(9000) }),
      ev('k1', 'complaint.received', '2026-02-10T00:00:00Z', {
        complaintId: 'k1',
        customerId: 'c1',
        orderId: 'o1',
        channel: 'email',
        body: 'My parcel is late, it was due last week.',
      }),
      ev('k2', 'complaint.received', '2026-02-11T00:00:00Z', {
        complaintId: 'k2',
        customerId: 'c2',
        orderId: 'o2',
        channel: 'email',
        body: 'The mug arrived broken.',
      }),
      ev('k3', 'complaint.received', '2026-02-12T00:00:00Z', {
        complaintId: 'k3',
        customerId: 'c1',
        orderId: 'o3',
        channel: 'email',
        body: 'You charged me twice for this order.',
      }),
    ];
    const r = amends(dbUrl, ['import', '-', '--store', 'shop'], `${lines.join('\n')}\n`);
    expect(r.code, r.stderr).toBe(0);
  });

  it('prints the side-by-side table and the same figures as JSON', () => {
    if (!available) return;
    const table = amends(dbUrl, ['policy', 'simulate', defaultFile, '--vs', strictFile, '--store', 'shop']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/Policy simulation, store shop: 3 cases/);
    expect(table.stdout).toMatch(/default\.yaml\s+strict\.yaml/);
    expect(table.stdout).toMatch(/^Cases\s+3\s+3$/m);
    expect(table.stdout).toMatch(/Cost % of revenue/);

    const json = amends(dbUrl, ['policy', 'simulate', defaultFile, '--vs', strictFile, '--store', 'shop', '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as {
      cases: number;
      policies: { label: string; cases: number; revenue: { amount: number }; totalCost: { amount: number } }[];
    };
    expect(report.cases).toBe(3);
    expect(report.policies.map((p) => [p.label, p.cases, p.revenue.amount])).toEqual([
      ['default.yaml', 3, 19_000],
      ['strict.yaml', 3, 19_000],
    ]);
    // The stricter policy never costs more on the same history.
    expect(report.policies[1]!.totalCost.amount).toBeLessThanOrEqual(report.policies[0]!.totalCost.amount);

    const bad = amends(dbUrl, ['policy', 'simulate', defaultFile, '--store', 'nope']);
    expect(bad.code).toBe(1);
  });
});
