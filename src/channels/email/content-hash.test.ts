import { describe, expect, it } from 'vitest';
import { contentHash } from './content-hash.ts';

describe('contentHash', () => {
  it('is the same for one message with LF or CRLF line endings and trailing blank lines', () => {
    const crlf = Buffer.from('Subject: hi\r\nFrom: a@b.test\r\n\r\nhello\r\n');
    expect(contentHash(Buffer.from('Subject: hi\nFrom: a@b.test\n\nhello\n'))).toBe(contentHash(crlf));
    expect(contentHash(Buffer.from('Subject: hi\r\nFrom: a@b.test\r\n\r\nhello\r\n\r\n\r\n'))).toBe(contentHash(crlf));
  });

  it('differs for any other change, 8-bit bytes included', () => {
    const a = contentHash(Buffer.from('Subject: hi\r\n\r\nhello'));
    expect(contentHash(Buffer.from('Subject: hi\r\n\r\nhello!'))).not.toBe(a);
    expect(contentHash(Buffer.from('Subject: Hi\r\n\r\nhello'))).not.toBe(a);
    expect(contentHash(Buffer.from([0x53, 0xe9, 0x0a]))).not.toBe(contentHash(Buffer.from([0x53, 0xe8, 0x0a])));
  });
});
