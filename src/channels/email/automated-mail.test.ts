import { describe, expect, it } from 'vitest';
import { automatedReason, type MailFacts } from './automated-mail.ts';

const mail = (over: Partial<MailFacts> & { h?: Record<string, string> } = {}): MailFacts => ({
  headers: new Map(Object.entries(over.h ?? {})),
  from: over.from === undefined ? 'customer@example.test' : over.from,
  envelopeFrom: over.envelopeFrom === undefined ? 'customer@example.test' : over.envelopeFrom,
  messageId: over.messageId ?? 'CAF1234@mail.example.test',
});
const own = { replyDomain: 'acme-reply.test', from: 'help@acme.test' };

describe('automatedReason', () => {
  it('lets a person’s mail through', () => {
    expect(automatedReason(mail(), own)).toBeNull();
    expect(automatedReason(mail({ h: { 'auto-submitted': 'no', precedence: 'normal' } }), own)).toBeNull();
    // Unknown envelope (forwarded over HTTP) is not a bounce.
    expect(automatedReason(mail({ envelopeFrom: null }), own)).toBeNull();
    expect(automatedReason(mail({ messageId: 'msg_abc@elsewhere.test' }), own)).toBeNull();
  });

  it.each([
    [{ 'auto-submitted': 'auto-replied' }, 'Auto-Submitted: auto-replied'],
    [{ 'auto-submitted': 'Auto-Generated; owner-email="x@y"' }, 'Auto-Submitted: auto-generated'],
    [{ precedence: 'bulk' }, 'Precedence: bulk'],
    [{ precedence: 'JUNK' }, 'Precedence: junk'],
    [{ precedence: 'list' }, 'Precedence: list'],
    [{ precedence: 'auto_reply' }, 'Precedence: auto_reply'],
    [{ 'x-autoreply': 'yes' }, 'X-Autoreply'],
    [{ 'x-autorespond': 'Out of office' }, 'X-Autoreply'],
    [{ 'content-type': 'multipart/report; report-type=delivery-status; boundary="b"' }, 'bounce'],
    [{ 'return-path': '<>' }, 'empty envelope sender'],
  ])('ignores %j', (h, why) => {
    expect(automatedReason(mail({ h }), own)).toContain(why);
  });

  it('ignores bounces by sender', () => {
    expect(automatedReason(mail({ from: 'mailer-daemon@mx.example.test' }), own)).toContain('bounce');
    expect(automatedReason(mail({ from: 'postmaster@example.test' }), own)).toContain('bounce');
    expect(automatedReason(mail({ envelopeFrom: '' }), own)).toContain('empty envelope sender');
  });

  it('ignores our own mail coming back', () => {
    expect(automatedReason(mail({ messageId: 'msg_0195abc@Acme-Reply.test' }), own)).toContain('loop');
    expect(automatedReason(mail({ from: 'help@acme.test' }), own)).toContain('loop');
    // Without settings, only the generic rules apply.
    expect(automatedReason(mail({ from: 'help@acme.test' }), {})).toBeNull();
  });
});
