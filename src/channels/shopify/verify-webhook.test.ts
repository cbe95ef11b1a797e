import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signShopifyBody, verifyShopifyHmac } from './verify-webhook.ts';

describe('verifyShopifyHmac', () => {
  const secret = 'shpss_test_secret';
  const body = Buffer.from('{"id":450789469,"total_price":"409.94"}');
  const good = createHmac('sha256', secret).update(body).digest('base64');

  it('accepts the base64 HMAC-SHA256 of the raw bytes under the secret', () => {
    expect(verifyShopifyHmac(secret, body, good)).toBe(true);
    expect(signShopifyBody(secret, body)).toBe(good);
  });
  it('refuses another secret, a changed byte, a hex digest, a truncated or empty header', () => {
    expect(verifyShopifyHmac('other', body, good)).toBe(false);
    expect(verifyShopifyHmac(secret, Buffer.from(body.toString().replace('409.94', '409.95')), good)).toBe(false);
    // Re-serialised JSON (other spacing) is other bytes: the raw body is what counts.
    expect(verifyShopifyHmac(secret, Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1)), good)).toBe(false);
    expect(verifyShopifyHmac(secret, body, createHmac('sha256', secret).update(body).digest('hex'))).toBe(false);
    expect(verifyShopifyHmac(secret, body, good.slice(0, 20))).toBe(false);
    expect(verifyShopifyHmac(secret, body, '')).toBe(false);
  });
});
