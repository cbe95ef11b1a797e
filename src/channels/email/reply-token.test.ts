import { describe, expect, it } from 'vitest';
import { makeReplyToken, parseReplyToken, parseTaggedAddress, taggedAddress, verifyReplyToken } from './reply-token.ts';

const secret = 'k3y-of-the-store';

describe('reply tokens', () => {
  it('verifies a token made for the same store and case', () => {
    const t = makeReplyToken(secret, 'acme', 'case_1', 42);
    expect(t).toMatch(/^42-[a-z2-7]{12}$/);
    expect(verifyReplyToken(secret, 'acme', 'case_1', 42, t)).toBe(true);
    // Mail systems may fold the local part to upper case.
    expect(verifyReplyToken(secret, 'acme', 'case_1', 42, t.toUpperCase())).toBe(true);
  });

  it('refuses a token for another case, store, number or key, and a tampered one', () => {
    const t = makeReplyToken(secret, 'acme', 'case_1', 42);
    expect(verifyReplyToken(secret, 'acme', 'case_2', 42, t)).toBe(false);
    expect(verifyReplyToken(secret, 'other', 'case_1', 42, t)).toBe(false);
    expect(verifyReplyToken(secret, 'acme', 'case_1', 43, t)).toBe(false);
    expect(verifyReplyToken('another-key', 'acme', 'case_1', 42, t)).toBe(false);
    const last = t.at(-1) === 'a' ? 'b' : 'a';
    expect(verifyReplyToken(secret, 'acme', 'case_1', 42, `${t.slice(0, -1)}${last}`)).toBe(false);
    expect(verifyReplyToken(secret, 'acme', 'case_1', 42, `${t}a`)).toBe(false);
    expect(verifyReplyToken(secret, 'acme', 'case_1', 42, '42-')).toBe(false);
  });

  it('fits in an address local part even for huge case numbers', () => {
    const t = makeReplyToken(secret, 'acme', 'case_1', 999_999_999_999_999);
    expect(`reply+${t}`.length).toBeLessThanOrEqual(64);
    expect(parseReplyToken(t)?.caseNumber).toBe(999_999_999_999_999);
  });

  it('parses only token-shaped strings', () => {
    expect(parseReplyToken('42-abcdefghijkl')).toEqual({ caseNumber: 42, mac: 'abcdefghijkl' });
    expect(parseReplyToken('0-abcdefghijkl')).toBeNull();
    expect(parseReplyToken('x-abcdefghijkl')).toBeNull();
    expect(parseReplyToken('42-abcdefghijk1')).toBeNull();
    expect(parseReplyToken('42-abc')).toBeNull();
  });

  it('reads tagged addresses', () => {
    expect(taggedAddress('reply', '7-abcdefghijkl', 'Reply.Example')).toBe('reply+7-abcdefghijkl@reply.example');
    expect(parseTaggedAddress('Reply+7-ABCDEFGHIJKL@Reply.Example')).toEqual({
      kind: 'reply',
      token: '7-abcdefghijkl',
      domain: 'reply.example',
    });
    expect(parseTaggedAddress('unsubscribe+7-abcdefghijkl@r.example')?.kind).toBe('unsubscribe');
    expect(parseTaggedAddress('help@acme.test')).toBeNull();
    expect(parseTaggedAddress('other+tag@acme.test')).toBeNull();
  });
});
