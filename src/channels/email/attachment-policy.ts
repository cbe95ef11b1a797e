/**
 * Which attachments of an inbound mail are kept: photos of the damage,
 * receipts and simple documents, within size limits; anything else
 * (executables, archives, office macros) is named in the mail's record but
 * not stored.
 */

export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const ATTACHMENTS_TOTAL_MAX_BYTES = 25 * 1024 * 1024;
const ALLOWED_TYPES = new Set(['application/pdf', 'text/plain', 'text/csv']);

export function attachmentTypeAllowed(contentType: string): boolean {
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  return (t.startsWith('image/') && t !== 'image/svg+xml') || ALLOWED_TYPES.has(t);
}

export interface AttachmentCandidate {
  filename: string;
  contentType: string;
  size: number;
}

/** In order: which to keep, and why each other one was not kept. */
export function selectAttachments<T extends AttachmentCandidate>(
  all: readonly T[],
  limits = { each: ATTACHMENT_MAX_BYTES, total: ATTACHMENTS_TOTAL_MAX_BYTES },
): { keep: T[]; skipped: string[] } {
  const keep: T[] = [];
  const skipped: string[] = [];
  let total = 0;
  for (const a of all) {
    if (!attachmentTypeAllowed(a.contentType)) skipped.push(`${a.filename} (type ${a.contentType} is not accepted)`);
    else if (a.size > limits.each) skipped.push(`${a.filename} (larger than ${mb(limits.each)})`);
    else if (total + a.size > limits.total) skipped.push(`${a.filename} (attachments over ${mb(limits.total)} in all)`);
    else {
      keep.push(a);
      total += a.size;
    }
  }
  return { keep, skipped };
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${bytes} bytes`;
}

/** A filename safe to store and to send back in Content-Disposition: no paths, no control characters. */
export function safeFilename(name: string | null | undefined): string {
  const base = (name ?? '').split(/[\\/]/u).pop() ?? '';
  const clean = [...base]
    .filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f)
    .join('')
    .trim()
    .slice(0, 200);
  return clean === '' || clean === '.' || clean === '..' ? 'attachment' : clean;
}
