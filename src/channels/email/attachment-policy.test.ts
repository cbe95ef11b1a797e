import { describe, expect, it } from 'vitest';
import { attachmentTypeAllowed, safeFilename, selectAttachments } from './attachment-policy.ts';

describe('attachment policy', () => {
  it('accepts photos, PDFs and plain text; refuses the rest', () => {
    for (const t of ['image/jpeg', 'image/png', 'IMAGE/HEIC', 'application/pdf', 'text/plain; charset=utf-8', 'text/csv']) {
      expect(attachmentTypeAllowed(t)).toBe(true);
    }
    for (const t of ['application/x-msdownload', 'application/zip', 'text/html', 'image/svg+xml', 'application/octet-stream']) {
      expect(attachmentTypeAllowed(t)).toBe(false);
    }
  });

  it('keeps within each and total limits, in order, and says why the others were not kept', () => {
    const a = (filename: string, contentType: string, size: number) => ({ filename, contentType, size });
    const { keep, skipped } = selectAttachments(
      [
        a('one.png', 'image/png', 6),
        a('run.exe', 'application/x-msdownload', 1),
        a('big.jpg', 'image/jpeg', 11),
        a('two.pdf', 'application/pdf', 4),
        a('three.png', 'image/png', 1),
      ],
      { each: 10, total: 10 },
    );
    expect(keep.map((k) => k.filename)).toEqual(['one.png', 'two.pdf']);
    expect(skipped).toEqual([
      'run.exe (type application/x-msdownload is not accepted)',
      'big.jpg (larger than 10 bytes)',
      'three.png (attachments over 10 bytes in all)',
    ]);
  });

  it('makes filenames safe', () => {
    expect(safeFilename('../../etc/passwd')).toBe('passwd');
    expect(safeFilename('C:\\Users\\me\\photo.jpg')).toBe('photo.jpg');
    expect(safeFilename('bad\u0000\nname.png')).toBe('badname.png');
    expect(safeFilename('')).toBe('attachment');
    expect(safeFilename(undefined)).toBe('attachment');
    expect(safeFilename('..')).toBe('attachment');
  });
});
