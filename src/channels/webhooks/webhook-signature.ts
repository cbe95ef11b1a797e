/**
 * How a webhook delivery proves it came from Amends (Stripe's scheme): the
 * `amends-signature` header is `t=<unix seconds>,v1=<hex>` where the hex is
 * HMAC-SHA256, keyed with the endpoint's whole secret (`whsec_…`, as text),
 * over `<t>.<body>` — the exact bytes sent. The timestamp is signed so a
 * captured delivery cannot be replayed later; a header may carry several
 * `v1` values (one per valid secret) and one match is enough.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'amends-signature';

/** A new endpoint secret: `whsec_` and 32 random bytes, base64url. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** The hex HMAC-SHA256 of `<t>.<body>` under `secret`. */
export function signWebhook(secret: string, body: string | Buffer, t: number): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

/** The header value for a delivery signed with each of `secrets` at `t` (unix seconds). */
export function signatureHeader(secrets: readonly string[], body: string | Buffer, t: number): string {
  return [`t=${t}`, ...secrets.map((s) => `v1=${signWebhook(s, body, t)}`)].join(',');
}

export type WebhookVerification = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * Checks a received `amends-signature` header against the raw body (verify
 * the bytes as received, before any JSON parsing). Timing-safe; refuses a
 * timestamp further than `toleranceSeconds` from `now` either way.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined | null,
  body: string | Buffer,
  opts: { toleranceSeconds?: number; now: Date },
): WebhookVerification {
  if (!header) return { ok: false, reason: 'no signature header' };
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase());
  }
  if (t === undefined) return { ok: false, reason: 'no timestamp (t=) in the signature header' };
  if (candidates.length === 0) return { ok: false, reason: 'no v1 signature in the signature header' };
  const tolerance = opts.toleranceSeconds ?? 300;
  if (Math.abs(opts.now.getTime() / 1000 - t) > tolerance) {
    return { ok: false, reason: `timestamp is more than ${tolerance} s away from now` };
  }
  const expected = Buffer.from(signWebhook(secret, body, t), 'hex');
  // Compare every candidate (no early exit), so timing does not tell which one matched.
  let match = false;
  for (const c of candidates) {
    if (timingSafeEqual(expected, Buffer.from(c, 'hex'))) match = true;
  }
  return match ? { ok: true, timestamp: t } : { ok: false, reason: 'signature does not match' };
}
