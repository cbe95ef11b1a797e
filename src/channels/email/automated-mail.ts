/**
 * Mail that no person wrote to us: auto-replies, bounces and our own messages
 * coming back. Such mail never opens a case or gets an answer, or two robots
 * would write to each other forever (RFC 3834).
 */

export interface MailFacts {
  /** Header name (lower case) → its first value, unfolded. */
  headers: ReadonlyMap<string, string>;
  /** The From address, lower case. */
  from: string | null;
  /** The SMTP envelope sender: '' for the null sender `<>`, null when not known (mail forwarded over HTTP). */
  envelopeFrom: string | null | undefined;
  /** The Message-ID without <>. */
  messageId: string;
}

export interface OwnIdentity {
  replyDomain?: string | undefined;
  from?: string | undefined;
}

const BULK_PRECEDENCE = new Set(['bulk', 'junk', 'list', 'auto_reply']);

/** Why this mail is automatic (and must be ignored), or null when a person may have written it. */
export function automatedReason(m: MailFacts, own: OwnIdentity = {}): string | null {
  const h = (name: string) => m.headers.get(name)?.trim();
  const autoSubmitted = h('auto-submitted')?.split(';')[0]?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `automatic mail (Auto-Submitted: ${autoSubmitted})`;
  const precedence = h('precedence')?.toLowerCase();
  if (precedence && BULK_PRECEDENCE.has(precedence)) return `automatic mail (Precedence: ${precedence})`;
  if (m.headers.has('x-autoreply') || m.headers.has('x-autorespond')) return 'automatic mail (X-Autoreply)';
  const contentType = h('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType === 'multipart/report') return 'delivery report (bounce)';
  const local = m.from?.split('@')[0]?.toLowerCase();
  if (local === 'mailer-daemon' || local === 'postmaster') return `delivery report (bounce) from ${m.from}`;
  if (m.envelopeFrom === '' || m.envelopeFrom === '<>' || h('return-path') === '<>')
    return 'delivery report (bounce): empty envelope sender';
  const id = m.messageId.toLowerCase();
  if (own.replyDomain && id.startsWith('msg_') && id.endsWith(`@${own.replyDomain.toLowerCase()}`)) {
    return 'our own message came back (mail loop)';
  }
  if (own.from && m.from === own.from.toLowerCase()) return 'sent from our own address (mail loop)';
  return null;
}
