import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import type { App } from '../../src/platform/http/context.ts';
import { createStore, createToken } from '../../src/stores/stores.service.ts';
import { freshDatabaseUrl } from '../helper.ts';

describe('structured logs [sqlite]', () => {
  let app: App;
  let token: string;
  const lines: string[] = [];

  beforeAll(async () => {
    const url = await freshDatabaseUrl('sqlite');
    const database = openDatabase(url);
    await migrateToLatest(database);
    await createStore(database.db, systemClock, { id: 'logs' });
    token = (await createToken(database.db, systemClock, { storeId: 'logs', role: 'manager' })).token;
    const stream = new PassThrough();
    stream.on('data', (chunk) => lines.push(...String(chunk).split('\n').filter(Boolean)));
    // debug: every request is logged, so the redaction has something to do.
    const config = loadConfig({ AMENDS_DB: url, LOG_LEVEL: 'debug' } as NodeJS.ProcessEnv);
    ({ app } = await buildApp({ config, database, logStream: stream }));
  });
  afterAll(async () => {
    await app.close();
  });

  it('are JSON, and carry no token, e-mail address or complaint body', async () => {
    const secretBody = 'My neighbour signed for it, please call me at home';
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${token}`, cookie: 'session=abc123' },
      payload: {
        id: 'cmp-log',
        type: 'complaint.received',
        occurredAt: '2026-03-01T12:00:00Z',
        data: { complaintId: 'cmp-log', email: 'private.person@example.com', channel: 'email', body: secretBody },
      },
    });
    expect(res.statusCode).toBe(201);
    await app.inject({ method: 'GET', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` } });
    await new Promise((r) => setImmediate(r));

    expect(lines.length).toBeGreaterThan(0);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.some((l) => l.msg === 'incoming request')).toBe(true);
    const all = lines.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain('abc123');
    expect(all).not.toContain('private.person@example.com');
    expect(all).not.toContain(secretBody);
  });
});
