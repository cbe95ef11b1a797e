import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signatureHeader, signWebhook, verifyWebhookSignature } from './webhook-signature.ts';

const secret = 'whsec_test-secret';
const body = '{"id":"evt_1","type":"case.opened"}';
const t = 1_772_000_000;
const now = new Date(t * 1000);

describe('webhook signatures', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 keyed by the whole secret', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhook(secret, body, t)).toBe(expected);
    expect(signWebhook(secret, Buffer.from(body), t)).toBe(expected);
    expect(signatureHeader([secret], body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('accepts its own header, and one match among several v1 values', () => {
    expect(verifyWebhookSignature(secret, signatureHeader([secret], body, t), body, { now })).toEqual({ ok: true, timestamp: t });
    const two = signatureHeader(['whsec_other', secret], body, t);
    expect(two.split(',v1=')).toHaveLength(3);
    expect(verifyWebhookSignature(secret, two, body, { now }).ok).toBe(true);
    expect(verifyWebhookSignature('whsec_other', two, body, { now }).ok).toBe(true);
  });

  it('refuses another secret, another body, a missing or malformed header', () => {
    const header = signatureHeader([secret], body, t);
    expect(verifyWebhookSignature('whsec_wrong', header, body, { now })).toEqual({ ok: false, reason: 'signature does not match' });
    expect(verifyWebhookSignature(secret, header, `${body} `, { now }).ok).toBe(false);
    expect(verifyWebhookSignature(secret, undefined, body, { now })).toMatchObject({ ok: false, reason: 'no signature header' });
    expect(verifyWebhookSignature(secret, `v1=${signWebhook(secret, body, t)}`, body, { now }).ok).toBe(false);
    expect(verifyWebhookSignature(secret, `t=${t}`, body, { now }).ok).toBe(false);
    expect(verifyWebhookSignature(secret, `t=${t},v1=abc`, body, { now }).ok).toBe(false);
  });

  it('refuses a signed timestamp outside the tolerance, either way', () => {
    const header = signatureHeader([secret], body, t);
    expect(verifyWebhookSignature(secret, header, body, { now: new Date((t + 300) * 1000) }).ok).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, { now: new Date((t + 301) * 1000) }).ok).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, { now: new Date((t - 301) * 1000) }).ok).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, { now: new Date((t + 3600) * 1000), toleranceSeconds: 3600 }).ok).toBe(true);
    // Moving the timestamp breaks the signature.
    const moved = header.replace(`t=${t}`, `t=${t + 1}`);
    expect(verifyWebhookSignature(secret, moved, body, { now }).ok).toBe(false);
  });

  it('makes whsec_ secrets of 32 random bytes', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(6), 'base64url')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
