import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Shopify signs each webhook body: X-Shopify-Hmac-Sha256 is the base64
 * HMAC-SHA256 of the raw bytes under the app's secret. Compared in constant
 * time (lengths first: timingSafeEqual needs equal lengths, and a digest's
 * length is no secret).
 */
export function verifyShopifyHmac(secret: string, rawBody: Buffer, header: string): boolean {
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header.trim(), 'base64');
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}

/** The header Shopify would send for this body (for tests and local tooling). */
export function signShopifyBody(secret: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}
