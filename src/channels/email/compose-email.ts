/**
 * One case message as an e-mail (pure): addresses, threading headers, the
 * per-case reply address, and a text body with an HTML twin that says the
 * same words. Automatic messages (acknowledgements, surveys) say so
 * (RFC 3834), so other robots do not answer them.
 */
import type { SendMailOptions } from 'nodemailer';
import { ownMessageId, referencesFor } from './message-ids.ts';
import { taggedAddress } from './reply-token.ts';

export interface ComposeInput {
  /** The case message's id (also the outbox row's): the Message-ID is made from it. */
  messageId: string;
  replyDomain: string;
  from: string;
  fromName: string;
  to: string;
  toName: string | null;
  subject: string;
  body: string;
  locale: string | null;
  /** The case's reply token (reply-token.ts). */
  replyToken: string;
  /** The case's e-mail Message-IDs (without <>), oldest first, this message's excluded. */
  threadIds: readonly string[];
  /** Which template wrote it; survey templates get List-Unsubscribe. */
  template: string | null;
  /** Written by Amends itself rather than a person. */
  automatic: boolean;
  date: Date;
}

export function isSurveyTemplate(template: string | null | undefined): boolean {
  return !!template && /survey/iu.test(template);
}

export function composeEmail(i: ComposeInput): SendMailOptions {
  const id = ownMessageId(i.messageId, i.replyDomain);
  const refs = referencesFor(i.threadIds);
  const headers: Record<string, string> = {};
  if (i.automatic) {
    headers['Auto-Submitted'] = 'auto-replied';
    headers['X-Auto-Response-Suppress'] = 'All';
  }
  if (isSurveyTemplate(i.template)) {
    headers['List-Unsubscribe'] = `<mailto:${taggedAddress('unsubscribe', i.replyToken, i.replyDomain)}?subject=unsubscribe>`;
  }
  return {
    messageId: `<${id}>`,
    date: i.date,
    from: { name: i.fromName, address: i.from },
    to: i.toName ? { name: i.toName, address: i.to } : i.to,
    replyTo: taggedAddress('reply', i.replyToken, i.replyDomain),
    subject: i.subject,
    text: i.body,
    html: textToHtml(i.body, { title: i.subject, lang: i.locale }),
    ...(refs.length > 0 ? { inReplyTo: `<${refs.at(-1)}>`, references: refs.map((r) => `<${r}>`) } : {}),
    headers,
    envelope: { from: i.from, to: [i.to] },
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/gu, (c) => ESCAPES[c]!);
}

/**
 * The plain text as a small, accessible HTML document: paragraphs where the
 * text has blank lines, line breaks where it has single ones, the language
 * declared for screen readers, nothing else to go wrong in a mail client.
 */
export function textToHtml(text: string, opts: { title: string; lang?: string | null }): string {
  const paragraphs = text
    .replace(/\r\n?/gu, '\n')
    .split(/\n\s*\n/u)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p style="margin:0 0 16px">${p.split('\n').map(escapeHtml).join('<br>\n')}</p>`);
  const lang = opts.lang && /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/u.test(opts.lang) ? opts.lang : 'en';
  return [
    '<!doctype html>',
    `<html lang="${lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(opts.title)}</title>`,
    '</head>',
    '<body style="margin:0;padding:24px;background:#ffffff;color:#1f2328;font-family:-apple-system,\'Segoe UI\',Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5">',
    `<div role="article" aria-label="${escapeHtml(opts.title)}" style="max-width:600px">`,
    ...paragraphs,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
