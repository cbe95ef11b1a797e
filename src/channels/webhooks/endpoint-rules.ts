/** What an outbound webhook endpoint may be: where it points and which notifications it takes. */
import { matchesPattern, notificationTypes } from '../notify.ts';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why `raw` cannot receive deliveries, or null when it can: https, or plain
 * http only on this machine (local receivers, tests); no credentials in the
 * URL (they would be logged and shown — authenticate with the signature).
 */
export function webhookUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL such as https://example.com/hooks/amends';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https:// URL';
  if (url.protocol === 'http:' && !loopbackHosts.has(url.hostname)) {
    return 'must use https (plain http is allowed only for localhost and 127.0.0.1)';
  }
  if (url.username || url.password) return 'must not contain credentials; receivers authenticate deliveries by their signature';
  return null;
}

/** `*`, a notification type, or `<prefix>.*` matching at least one type (`case.*`, `compensation.*`). */
export function isKnownEventPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return notificationTypes.some((t) => matchesPattern(pattern, t));
  return (notificationTypes as readonly string[]).includes(pattern);
}
