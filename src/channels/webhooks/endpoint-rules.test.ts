import { describe, expect, it } from 'vitest';
import { isKnownEventPattern, webhookUrlProblem } from './endpoint-rules.ts';
import { isRetryableStatus } from './http-delivery.ts';

describe('webhook endpoint rules', () => {
  it('takes https anywhere and plain http only on this machine, never with credentials', () => {
    expect(webhookUrlProblem('https://hooks.example.com/amends?x=1')).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8080/in')).toBeNull();
    expect(webhookUrlProblem('http://localhost/in')).toBeNull();
    expect(webhookUrlProblem('http://[::1]:9000/in')).toBeNull();
    expect(webhookUrlProblem('http://hooks.example.com/in')).toMatch(/https/);
    expect(webhookUrlProblem('http://127.0.0.1.example.com/in')).toMatch(/https/);
    expect(webhookUrlProblem('ftp://example.com/in')).toMatch(/https/);
    expect(webhookUrlProblem('not a url')).toMatch(/absolute URL/);
    expect(webhookUrlProblem('https://user:pw@hooks.example.com/in')).toMatch(/credentials/);
    expect(webhookUrlProblem('https://user@hooks.example.com/in')).toMatch(/credentials/);
  });

  it('knows each notification type, prefix patterns that match one, and *', () => {
    for (const p of ['*', 'case.*', 'incident.*', 'compensation.*', 'sla.*', 'case.opened', 'compensation.pending_approval']) {
      expect(isKnownEventPattern(p), p).toBe(true);
    }
    for (const p of ['case.deleted', 'cases.*', 'c.*', '.*', 'case.opened.*', 'case', '**', 'Case.opened', '']) {
      expect(isKnownEventPattern(p), p).toBe(false);
    }
  });

  it('retries 5xx, 3xx and the "later" 4xx answers; 2xx and other 4xx are final', () => {
    expect([200, 201, 204, 299].map(isRetryableStatus)).toEqual([false, false, false, false]);
    expect([400, 401, 403, 404, 410, 413, 422].map(isRetryableStatus)).toEqual([false, false, false, false, false, false, false]);
    expect([408, 409, 425, 429].map(isRetryableStatus)).toEqual([true, true, true, true]);
    expect([301, 302, 500, 502, 503, 504].map(isRetryableStatus)).toEqual([true, true, true, true, true, true]);
  });
});
