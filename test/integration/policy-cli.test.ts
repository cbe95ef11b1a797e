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

function amends(dbUrl: string, args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, AMENDS_DB: dbUrl, LOG_LEVEL: 'warn' },
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
