/**
 * Photos customers attach in the portal: what the bytes are, not what the browser says they are. Only common
 * photo formats are kept (JPEG, PNG, GIF, WebP, HEIC); anything else — an SVG with script in it, a PDF, an
 * executable renamed to .jpg — is refused before anything is written. Pure.
 */

export const PHOTO_MAX_BYTES = 8 * 1024 * 1024;

export type PhotoType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp' | 'image/heic';

const startsWith = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The photo type the content starts like, or null when it is not a photo we keep. */
export function sniffPhoto(bytes: Uint8Array): PhotoType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  // ISO base media: "ftyp" at 4, then the brand.
  if (startsWith(bytes, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...bytes.slice(8, 12));
    if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'image/heic';
  }
  return null;
}

export type PhotoCheck = { ok: true; contentType: PhotoType } | { ok: false; problem: string };

/** Whether an upload is a photo we keep: not empty, not too big, and a photo by its bytes. */
export function checkPhoto(bytes: Uint8Array, truncated: boolean, max = PHOTO_MAX_BYTES): PhotoCheck {
  if (truncated || bytes.length > max) return { ok: false, problem: `The photo is larger than ${Math.round(max / 1024 / 1024)} MB.` };
  if (bytes.length === 0) return { ok: false, problem: 'The photo file is empty.' };
  const type = sniffPhoto(bytes);
  if (!type) return { ok: false, problem: 'That file is not a photo we can take (JPEG, PNG, GIF, WebP or HEIC).' };
  return { ok: true, contentType: type };
}
