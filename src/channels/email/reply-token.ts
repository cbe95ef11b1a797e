/**
 * Per-case reply addresses: `reply+<token>@<replyDomain>`. The token names the
 * case by number (so it can be looked up) and carries a short HMAC over the
 * store and case id with the store's signing key, so a guessed number alone
 * does not reach a case. Lower-case base32 survives mail systems that fold
 * the local part's case, and the whole token stays far below the 64-octet
 * limit of a local part.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Characters of the MAC kept: 12 base32 characters are 60 bits. */
const MAC_CHARS = 12;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(buf: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function mac(secret: string, storeId: string, caseId: string): string {
  return base32(createHmac('sha256', secret).update(`${storeId}:${caseId}`).digest()).slice(0, MAC_CHARS);
}

/** `{caseNumber}-{mac}`, e.g. `42-k3j5x0q2m9ab`. */
export function makeReplyToken(secret: string, storeId: string, caseId: string, caseNumber: number): string {
  return `${caseNumber}-${mac(secret, storeId, caseId)}`;
}

/** The case number a token names, or null when it is not shaped like one of ours. */
export function parseReplyToken(token: string): { caseNumber: number; mac: string } | null {
  const m = /^(\d{1,15})-([a-z2-7]+)$/.exec(token.toLowerCase());
  if (!m || m[2]!.length !== MAC_CHARS) return null;
  const caseNumber = Number(m[1]);
  return Number.isSafeInteger(caseNumber) && caseNumber > 0 ? { caseNumber, mac: m[2]! } : null;
}

/** Whether `token` was made for this store's case (compared in constant time). */
export function verifyReplyToken(secret: string, storeId: string, caseId: string, caseNumber: number, token: string): boolean {
  const parsed = parseReplyToken(token);
  if (!parsed || parsed.caseNumber !== caseNumber) return false;
  const want = Buffer.from(mac(secret, storeId, caseId));
  const got = Buffer.from(parsed.mac);
  return want.length === got.length && timingSafeEqual(want, got);
}

export type TaggedAddressKind = 'reply' | 'unsubscribe';

/** `reply+{token}@{domain}` / `unsubscribe+{token}@{domain}`. */
export function taggedAddress(kind: TaggedAddressKind, token: string, domain: string): string {
  return `${kind}+${token}@${domain.toLowerCase()}`;
}

/** The kind, token and domain of a tagged address, or null for any other address. */
export function parseTaggedAddress(address: string): { kind: TaggedAddressKind; token: string; domain: string } | null {
  const m = /^(reply|unsubscribe)\+([^@\s]+)@([^@\s]+)$/i.exec(address.trim());
  if (!m) return null;
  return { kind: m[1]!.toLowerCase() as TaggedAddressKind, token: m[2]!.toLowerCase(), domain: m[3]!.toLowerCase() };
}
