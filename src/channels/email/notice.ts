/**
 * Notices: e-mails to an address outside any case's thread — a portal or community sign-in link. They leave
 * through the outbox like every other delivery (kind `notice`, channel `email`). The payload carries the text
 * until it is sent; after that only who and what is kept, because the text may hold a signed link.
 */

import type { Kysely } from 'kysely';
import type { SendMailOptions } from 'nodemailer';
import { z } from 'zod';
import type { DB } from '../../platform/db/schema.ts';
import { queueOutbox } from '../outbox.ts';
import { textToHtml } from './compose-email.ts';

export const noticePayloadSchema = z.object({
  to: z.string(),
  toName: z.string().nullable().optional(),
  subject: z.string(),
  body: z.string(),
  locale: z.string().nullable().optional(),
  /** What the notice is for (portal-link, community-link…): shown in the outbox, used by tests. */
  purpose: z.string(),
});
export type NoticePayload = z.infer<typeof noticePayloadSchema>;

/** Queues a notice in the caller's transaction; returns the outbox row's id. */
export async function queueNotice(db: Kysely<DB>, n: { storeId: string; at: string } & NoticePayload): Promise<string> {
  const { storeId, at, ...payload } = n;
  return queueOutbox(db, { storeId, kind: 'notice', channel: 'email', payload, at });
}

/** The notice as an e-mail (pure): text with an HTML twin, marked as sent by a machine. */
export function composeNotice(n: NoticePayload, from: { address: string; name: string }, messageId: string, date: Date): SendMailOptions {
  return {
    messageId: `<${messageId}>`,
    date,
    from: { name: from.name, address: from.address },
    to: n.toName ? { name: n.toName, address: n.to } : n.to,
    subject: n.subject,
    text: n.body,
    html: textToHtml(n.body, { title: n.subject, lang: n.locale ?? null }),
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    envelope: { from: from.address, to: [n.to] },
  };
}
