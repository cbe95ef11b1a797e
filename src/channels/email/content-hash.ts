import { createHash } from 'node:crypto';

/**
 * A message's content hash: SHA-256 of the raw bytes with line endings made CRLF and trailing blank
 * lines dropped, so one message delivered by SMTP (CRLF) and by an HTTP forward (often LF) is one
 * message, while any other difference in headers or body makes another.
 */
export function contentHash(raw: Buffer): string {
  // latin1 maps every byte to one character and back, so 8-bit bodies survive untouched.
  const text = raw
    .toString('latin1')
    .replace(/\r?\n/gu, '\r\n')
    .replace(/(?:\r\n)+$/u, '');
  return createHash('sha256').update(Buffer.from(text, 'latin1')).digest('hex');
}
