import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SESSION_TTL_MS, signIdentity, signSession, verifyIdentity, verifySession, widgetIdentityKey } from './widget-tokens.ts';

const secret = 'store-secret-a';
const now = new Date('2026-03-01T12:00:00Z');

describe('widget identity tokens', () => {
  const key = widgetIdentityKey(secret);

  it('is the documented recipe: hex HMAC-SHA256 of the lower-cased e-mail under the key', () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain(secret);
    const byHand = createHmac('sha256', key).update('jo@example.com').digest('hex');
    expect(signIdentity(key, ' Jo@Example.com ')).toBe(byHand);
    expect(verifyIdentity(key, 'JO@example.com', byHand)).toBe(true);
    expect(verifyIdentity(key, 'jo@example.com', byHand.toUpperCase())).toBe(true);
  });

  it('refuses another e-mail, another store’s key, and malformed tokens', () => {
    const t = signIdentity(key, 'jo@example.com');
    expect(verifyIdentity(key, 'ann@example.com', t)).toBe(false);
    expect(verifyIdentity(widgetIdentityKey('store-secret-b'), 'jo@example.com', t)).toBe(false);
    expect(verifyIdentity(key, 'jo@example.com', t.slice(0, 63))).toBe(false);
    expect(verifyIdentity(key, 'jo@example.com', `${t.slice(0, 63)}g`)).toBe(false);
    expect(verifyIdentity(key, 'jo@example.com', '')).toBe(false);
  });
});

describe('widget session tokens', () => {
  const s = { storeId: 'acme', caseId: 'case_1', now };

  it('lets the holder into that case until it expires', () => {
    const { token, expiresAt } = signSession(secret, s);
    expect(token).toMatch(/^v1\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(expiresAt)).toBe(now.getTime() + SESSION_TTL_MS);
    expect(verifySession(secret, token, s)).toEqual({ ok: true, expiresAt });
    const later = new Date(now.getTime() + SESSION_TTL_MS - 1000);
    expect(verifySession(secret, token, { ...s, now: later }).ok).toBe(true);
    const expired = new Date(now.getTime() + SESSION_TTL_MS);
    expect(verifySession(secret, token, { ...s, now: expired })).toEqual({ ok: false, reason: 'expired' });
  });

  it('is worthless for another case, another store, another secret, or when edited', () => {
    const { token } = signSession(secret, s);
    expect(verifySession(secret, token, { ...s, caseId: 'case_2' })).toEqual({ ok: false, reason: 'invalid' });
    expect(verifySession(secret, token, { ...s, storeId: 'other' })).toEqual({ ok: false, reason: 'invalid' });
    expect(verifySession('store-secret-b', token, s)).toEqual({ ok: false, reason: 'invalid' });
    // A later expiry with the old signature.
    const [, exp, mac] = token.split('.');
    expect(verifySession(secret, `v1.${Number(exp) + 86_400}.${mac}`, s)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifySession(secret, 'nonsense', s)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySession(secret, `v2.${exp}.${mac}`, s)).toEqual({ ok: false, reason: 'malformed' });
  });
});
