/** Small pure decisions of the chat widget's API: the case subject, and which sites may call it. */

/** A case subject from the first words of the visitor's message: at most `maxWords` words and `maxChars` characters. */
export function subjectFromMessage(message: string, maxWords = 8, maxChars = 80): string {
  const words = message.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return 'Chat';
  let subject = words.slice(0, maxWords).join(' ');
  let cut = words.length > maxWords;
  if (subject.length > maxChars) {
    // Cut at the last whole word that fits, or mid-word when the first word alone is too long.
    const room = subject.slice(0, maxChars - 1);
    const space = room.lastIndexOf(' ');
    subject = space > 0 ? room.slice(0, space) : room;
    cut = true;
  }
  return cut ? `${subject.replace(/[\s.,;:!?-]+$/, '')}…` : subject;
}

/** `https://shop.example/` → `https://shop.example`; null when not a URL. */
function originOf(u: string): string | null {
  try {
    const url = new URL(u);
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}

/**
 * Whether a page on `origin` may call the store's widget API: any site when
 * the store lists none, else only the listed ones (compared as origins, so a
 * trailing slash or path in the setting does not matter).
 */
export function originAllowed(origin: string, allowedOrigins: readonly string[]): boolean {
  if (allowedOrigins.length === 0) return true;
  const o = originOf(origin);
  if (o === null) return false;
  return allowedOrigins.some((a) => originOf(a) === o);
}
