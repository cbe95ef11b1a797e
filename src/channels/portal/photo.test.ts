import { describe, expect, it } from 'vitest';
import { checkPhoto, sniffPhoto } from './photo.ts';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('portal photos are judged by their bytes', () => {
  it('recognises the common photo formats', () => {
    expect(sniffPhoto(bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF'))).toBe('image/jpeg');
    expect(sniffPhoto(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))).toBe('image/png');
    expect(sniffPhoto(bytes('GIF89a', [1, 0]))).toBe('image/gif');
    expect(sniffPhoto(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toBe('image/webp');
    expect(sniffPhoto(bytes([0, 0, 0, 0x18], 'ftypheic', [0, 0]))).toBe('image/heic');
  });

  it('refuses what only claims to be a photo', () => {
    expect(sniffPhoto(bytes('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'))).toBeNull();
    expect(sniffPhoto(bytes('%PDF-1.7'))).toBeNull();
    expect(sniffPhoto(bytes('MZ', [0x90, 0]))).toBeNull();
    expect(sniffPhoto(bytes([0, 0, 0, 0x18], 'ftypmp42'))).toBeNull();
    expect(sniffPhoto(bytes([0xff, 0xd8]))).toBeNull();
  });

  it('says why an upload is refused', () => {
    expect(checkPhoto(bytes([0xff, 0xd8, 0xff, 0xe0]), false)).toEqual({ ok: true, contentType: 'image/jpeg' });
    expect(checkPhoto(new Uint8Array(0), false)).toMatchObject({ ok: false, problem: expect.stringMatching(/empty/) });
    expect(checkPhoto(bytes([0xff, 0xd8, 0xff]), true)).toMatchObject({ ok: false, problem: expect.stringMatching(/8 MB/) });
    expect(checkPhoto(bytes([0xff, 0xd8, 0xff, 0, 0]), false, 4)).toMatchObject({ ok: false });
    expect(checkPhoto(bytes('hello'), false)).toMatchObject({ ok: false, problem: expect.stringMatching(/not a photo/) });
  });
});
