import { PassThrough } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from './log.ts';

describe('loggerOptions', () => {
  it('redacts auth headers, cookies, tokens, e-mail addresses and bodies wherever they are logged', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (c) => lines.push(String(c)));
    const log = pino(loggerOptions('info'), stream);
    log.info(
      {
        req: { method: 'POST', url: '/api/v1/events', headers: { authorization: 'Bearer amd_secret', cookie: 'sid=s3cr3t' } },
        token: 'amd_other_secret',
        email: 'a.person@example.com',
        body: 'my parcel never came',
        customer: { email: 'b.person@example.com', token: 'amd_third', body: 'private words' },
        caseId: 'case_123',
      },
      'something happened',
    );
    await new Promise((r) => setImmediate(r));
    const out = lines.join('');
    for (const secret of [
      'amd_secret',
      's3cr3t',
      'amd_other_secret',
      'a.person@example.com',
      'my parcel never came',
      'b.person',
      'amd_third',
      'private words',
    ]) {
      expect(out).not.toContain(secret);
    }
    const line = JSON.parse(out) as { caseId: string; req: { url: string; headers: { authorization: string } } };
    // What is not secret stays readable.
    expect(line.caseId).toBe('case_123');
    expect(line.req.url).toBe('/api/v1/events');
    expect(line.req.headers.authorization).toBe('[redacted]');
  });
});
