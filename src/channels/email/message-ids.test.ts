import { describe, expect, it } from 'vitest';
import { caseMessageIdOf, messageIdsIn, ownMessageId, referencesFor } from './message-ids.ts';

describe('message ids', () => {
  it('reads ids from header values', () => {
    expect(messageIdsIn('<a@b> <c@d>')).toEqual(['a@b', 'c@d']);
    expect(messageIdsIn(['<a@b>', '<c@d>'])).toEqual(['a@b', 'c@d']);
    expect(messageIdsIn('a@b')).toEqual(['a@b']);
    expect(messageIdsIn('not an id at all')).toEqual([]);
    expect(messageIdsIn(undefined)).toEqual([]);
  });

  it('makes and recognises our own ids', () => {
    const id = ownMessageId('msg_0195abcdef', 'Acme-Reply.test');
    expect(id).toBe('msg_0195abcdef@acme-reply.test');
    expect(caseMessageIdOf(id, 'acme-reply.test')).toBe('msg_0195abcdef');
    expect(caseMessageIdOf(id, 'other.test')).toBeNull();
    expect(caseMessageIdOf('CAF123@mail.gmail.test', 'acme-reply.test')).toBeNull();
  });

  it('keeps the first and the latest references when there are too many', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `m${i}@x`);
    const refs = referencesFor(ids);
    expect(refs).toHaveLength(20);
    expect(refs[0]).toBe('m0@x');
    expect(refs.at(-1)).toBe('m29@x');
    expect(refs[1]).toBe('m11@x');
    expect(referencesFor(['a@x', 'a@x', 'b@x'])).toEqual(['a@x', 'b@x']);
  });
});

describe('overlong message ids', () => {
  it('keeps an id over the limit as its hash, the same for the Message-ID and a reference to it', () => {
    const long = `${'x'.repeat(3000)}@spam.example`;
    const [own] = messageIdsIn(`<${long}>`);
    expect(own).toMatch(/^[0-9a-f]{64}@long-id\.invalid$/);
    expect(messageIdsIn(`<a@b> <${long}>`)).toEqual(['a@b', own]);
    expect(messageIdsIn(long)).toEqual([own]);
    expect(messageIdsIn(`<${'y'.repeat(250)}>`)).toEqual(['y'.repeat(250)]);
  });
});
