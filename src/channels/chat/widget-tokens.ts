/**
 * The chat widget's two signatures, both keyed by the store's own signing
 * secret (pure: secrets and `now` are passed in).
 *
 * - Identity: the store's backend proves who the visitor is by signing their
 *   e-mail with the store's widget identity key:
 *   `customerToken = hex(HMAC-SHA256(widgetIdentityKey, lowercase(email)))`.
 *   The key is derived from the signing secret, so giving it to the store's
 *   developers does not give away the secret itself.
 * - Session: opening a conversation hands the visitor a token that lets them
 *   write to and read that one case of that one store until it expires:
 *   `v1.<expiry, unix seconds>.<base64url HMAC-SHA256(secret, store, case, expiry)>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The key a store signs its visitors' e-mails with (hex); derived, so it can be shown to the store's admins. */
export function widgetIdentityKey(signingSecret: string): string {
  return createHmac('sha256', signingSecret).update('widget-identity').digest('hex');
}

/** What the store's backend computes for a visitor: hex HMAC-SHA256 of the lower-cased e-mail. */
export function signIdentity(identityKey: string, email: string): string {
  return createHmac('sha256', identityKey).update(email.trim().toLowerCase()).digest('hex');
}

/** Whether `token` is the store's signature of `email` (compared in constant time). */
export function verifyIdentity(identityKey: string, email: string, token: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(token)) return false;
  const expected = Buffer.from(signIdentity(identityKey, email), 'hex');
  return timingSafeEqual(expected, Buffer.from(token.toLowerCase(), 'hex'));
}

export const SESSION_TTL_MS = 30 * 86_400_000;

function sessionMac(signingSecret: string, storeId: string, caseId: string, exp: number): Buffer {
  // Newline-separated: neither store nor case ids can contain one, so no two inputs sign the same bytes.
  return createHmac('sha256', signingSecret).update(`widget-session\n${storeId}\n${caseId}\n${exp}`).digest();
}

export function signSession(
  signingSecret: string,
  s: { storeId: string; caseId: string; now: Date; ttlMs?: number },
): { token: string; expiresAt: string } {
  const exp = Math.floor((s.now.getTime() + (s.ttlMs ?? SESSION_TTL_MS)) / 1000);
  const mac = sessionMac(signingSecret, s.storeId, s.caseId, exp).toString('base64url');
  return { token: `v1.${exp}.${mac}`, expiresAt: new Date(exp * 1000).toISOString() };
}

export type SessionCheck = { ok: true; expiresAt: string } | { ok: false; reason: 'malformed' | 'invalid' | 'expired' };

/** Checks a session token for this store's case; a token of another case or store is `invalid`. */
export function verifySession(signingSecret: string, token: string, s: { storeId: string; caseId: string; now: Date }): SessionCheck {
  const m = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const exp = Number(m[1]);
  const given = Buffer.from(m[2]!, 'base64url');
  const expected = sessionMac(signingSecret, s.storeId, s.caseId, exp);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  if (exp * 1000 <= s.now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, expiresAt: new Date(exp * 1000).toISOString() };
}
