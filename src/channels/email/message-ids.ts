/** RFC 5322 Message-IDs as we store them (without <>) and as we make them for our own mail. */
import { createHash } from 'node:crypto';

/** Longest id kept as written; longer ones (a hostile or broken sender) are kept as their hash, which still matches a reference to them. */
export const MAX_MESSAGE_ID = 250;

function storable(id: string): string {
  return id.length <= MAX_MESSAGE_ID ? id : `${createHash('sha256').update(id).digest('hex')}@long-id.invalid`;
}

/** Every `<id>` in a Message-ID, In-Reply-To or References value (also a bare id), without brackets. */
export function messageIdsIn(value: string | readonly string[] | null | undefined): string[] {
  if (!value) return [];
  const text = typeof value === 'string' ? value : value.join(' ');
  const bracketed = [...text.matchAll(/<([^<>\s]+)>/gu)].map((m) => storable(m[1]!));
  if (bracketed.length > 0) return bracketed;
  const bare = text.trim();
  return bare && !/\s/u.test(bare) ? [storable(bare)] : [];
}

/** Our Message-ID for a case message: its id at the store's reply domain, so a resend carries the same one. */
export function ownMessageId(messageId: string, replyDomain: string): string {
  return `${messageId}@${replyDomain.toLowerCase()}`;
}

/** The case message id inside one of our Message-IDs (`msg_…@replyDomain`), or null. */
export function caseMessageIdOf(emailMessageId: string, replyDomain: string | undefined): string | null {
  const m = /^(msg_[0-9a-z]+)@(.+)$/iu.exec(emailMessageId);
  if (!m) return null;
  if (replyDomain && m[2]!.toLowerCase() !== replyDomain.toLowerCase()) return null;
  return m[1]!;
}

/** References kept on a reply: the thread's first id and the latest ones (RFC 5322 §3.6.4 trims the middle). */
export function referencesFor(threadIds: readonly string[], max = 20): string[] {
  const unique = [...new Set(threadIds)];
  if (unique.length <= max) return unique;
  return [unique[0]!, ...unique.slice(unique.length - (max - 1))];
}
