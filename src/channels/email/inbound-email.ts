/**
 * E-mail in: one raw RFC 822 message (from the SMTP receiver or a provider's
 * HTTP forward) becomes at most one `complaint.received` event through the
 * one ingest path. Before that: the store is found by the recipient,
 * duplicate deliveries (same Message-ID, same bytes) are recognised,
 * automatic mail (auto-replies, bounces, our own mail coming back) is
 * recorded and ignored, and the mail is threaded to its case — reply token,
 * then In-Reply-To/References, then the same customer's open case with the
 * same subject. Every processed mail leaves an `inbound_emails` row saying
 * what became of it; its accepted attachments are stored with the message.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { validateBatch } from '../../events/ingest.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { AppContext } from '../../platform/http/context.ts';
import { newId } from '../../platform/ids.ts';
import { type EmailSettings, emailSettingsSchema, storeSigningSecret } from '../channel-settings.ts';
import { safeFilename, selectAttachments } from './attachment-policy.ts';
import { automatedReason } from './automated-mail.ts';
import { contentHash } from './content-hash.ts';
import { caseMessageIdOf, messageIdsIn } from './message-ids.ts';
import { stripQuotedReply } from './quoted-reply.ts';
import { parseReplyToken, parseTaggedAddress, verifyReplyToken } from './reply-token.ts';
import { normaliseSubject } from './subject.ts';

/** Largest raw message accepted (the SMTP receiver announces it as SIZE). */
export const MAX_EMAIL_BYTES = 25 * 1024 * 1024;
const MAX_BODY_CHARS = 100_000;
const MAX_SUBJECT_CHARS = 500;

export type InboundOutcome = 'case_opened' | 'threaded' | 'ignored' | 'duplicate' | 'rejected';
/** Why a mail was rejected, for the channel to answer in its own terms (a 400, an SMTP 5xx). */
export type RejectCode = 'too_large' | 'unparseable' | 'no_sender' | 'unknown_recipient' | 'invalid';

export interface ReceiveEmailInput {
  /** The store, when the channel already knows it (the HTTP route: the token's store). */
  storeId?: string | undefined;
  raw: Buffer;
  /** The SMTP envelope: `mailFrom` '' is the null sender `<>`; null when not known. */
  envelope?: { mailFrom: string | null; rcptTo: string[] } | undefined;
}

export interface ReceiveEmailResult {
  outcome: InboundOutcome;
  storeId?: string;
  caseId?: string;
  /** The inbound case message the mail became. */
  messageId?: string;
  reason?: string;
  code?: RejectCode;
}

interface EmailStore {
  storeId: string;
  email: EmailSettings;
}

/** Stores that receive e-mail, with their settings. */
async function emailStores(db: Kysely<DB>): Promise<EmailStore[]> {
  const rows = await db.selectFrom('stores').select(['id', 'channels']).where('channels', '!=', '{}').execute();
  const out: EmailStore[] = [];
  for (const r of rows) {
    const raw = (JSON.parse(r.channels) as { email?: unknown }).email;
    const parsed = raw === undefined ? null : emailSettingsSchema.safeParse(raw);
    if (parsed?.success) out.push({ storeId: r.id, email: parsed.data });
  }
  return out;
}

/** The case a reply token names in this store, when the token verifies. */
async function caseForToken(db: Kysely<DB>, storeId: string, token: string): Promise<{ id: string; number: number } | null> {
  const parsed = parseReplyToken(token);
  if (!parsed) return null;
  const c = await db
    .selectFrom('cases')
    .select(['id', 'number'])
    .where('store_id', '=', storeId)
    .where('number', '=', parsed.caseNumber)
    .executeTakeFirst();
  if (!c) return null;
  const secret = await storeSigningSecret(db, storeId);
  return verifyReplyToken(secret, storeId, c.id, Number(c.number), token) ? { id: c.id, number: Number(c.number) } : null;
}

/**
 * The stores an address delivers to: a verified `reply+token` / `unsubscribe+token`
 * at a store's reply domain, or one of a store's inbound addresses. Empty for a stranger.
 */
export async function storesForRecipient(db: Kysely<DB>, address: string): Promise<string[]> {
  const addr = address.trim().toLowerCase();
  const stores = await emailStores(db);
  const tagged = parseTaggedAddress(addr);
  const found: string[] = [];
  for (const s of stores) {
    if (tagged && s.email.replyDomain.toLowerCase() === tagged.domain) {
      if (await caseForToken(db, s.storeId, tagged.token)) found.push(s.storeId);
    } else if (s.email.inboundAddresses.some((a) => a.toLowerCase() === addr)) {
      found.push(s.storeId);
    }
  }
  return found;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function addressesOf(a: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  const walk = (list: { address?: string | undefined; group?: typeof list | undefined }[]) => {
    for (const e of list) {
      if (e.address) out.push(e.address.toLowerCase());
      if (e.group) walk(e.group);
    }
  };
  for (const obj of a === undefined ? [] : Array.isArray(a) ? a : [a]) walk(obj.value);
  return out;
}

/** Header name (lower case) → first value, unfolded, as the sender wrote it. */
function rawHeaders(parsed: ParsedMail): Map<string, string> {
  const map = new Map<string, string>();
  for (const { key, line } of parsed.headerLines) {
    if (!key || map.has(key)) continue;
    map.set(
      key,
      line
        .slice(line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/gu, ' ')
        .trim(),
    );
  }
  return map;
}

/** Every address the mail was delivered to: To, Cc, Delivered-To and the like, and the envelope. */
function recipientsOf(parsed: ParsedMail, envelope: ReceiveEmailInput['envelope']): string[] {
  const all = [...addressesOf(parsed.to), ...addressesOf(parsed.cc), ...(envelope?.rcptTo ?? []).map((a) => a.toLowerCase())];
  for (const { key, line } of parsed.headerLines) {
    if (key === 'delivered-to' || key === 'x-original-to' || key === 'envelope-to') {
      for (const m of line.slice(line.indexOf(':') + 1).matchAll(/[^\s<>,;:"]+@[^\s<>,;:"]+/gu)) all.push(m[0].toLowerCase());
    }
  }
  return [...new Set(all)];
}

/** NUL cannot be stored (PostgreSQL text). */
const clean = (s: string) => s.replaceAll('\u0000', '');

interface Thread {
  caseId: string;
  how: string;
}

async function findThread(
  db: Kysely<DB>,
  storeId: string,
  m: { recipients: string[]; refs: string[]; from: string; subject: string | null; replyDomain: string | undefined },
): Promise<Thread | null> {
  for (const r of m.recipients) {
    const tagged = parseTaggedAddress(r);
    if (tagged?.kind !== 'reply') continue;
    const c = await caseForToken(db, storeId, tagged.token);
    if (c) return { caseId: c.id, how: 'reply token' };
  }
  if (m.refs.length > 0) {
    const byMail = await db
      .selectFrom('case_messages')
      .select('case_id')
      .where('store_id', '=', storeId)
      .where('email_message_id', 'in', m.refs)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (byMail) return { caseId: byMail.case_id, how: 'In-Reply-To/References' };
    // Our own ids name the message even before the send was recorded (a crash right after sending).
    const ours = m.refs.map((r) => caseMessageIdOf(r, m.replyDomain)).filter((x): x is string => x !== null);
    if (ours.length > 0) {
      const byId = await db
        .selectFrom('case_messages')
        .select('case_id')
        .where('store_id', '=', storeId)
        .where('id', 'in', ours)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (byId) return { caseId: byId.case_id, how: 'In-Reply-To/References' };
    }
  }
  const subject = normaliseSubject(m.subject);
  if (subject !== '') {
    const open = await db
      .selectFrom('cases')
      .innerJoin('customers', (j) => j.onRef('customers.store_id', '=', 'cases.store_id').onRef('customers.id', '=', 'cases.customer_id'))
      .select(['cases.id', 'cases.subject'])
      .where('cases.store_id', '=', storeId)
      .where('customers.email', '=', m.from)
      .where('cases.status', '!=', 'closed')
      .orderBy('cases.updated_at', 'desc')
      .limit(50)
      .execute();
    const same = open.find((c) => normaliseSubject(c.subject) === subject);
    if (same) return { caseId: same.id, how: 'same customer and subject' };
  }
  return null;
}

interface Received {
  storeId: string;
  messageId: string;
  hash: string;
  from: string | null;
  subject: string | null;
  size: number;
  at: string;
}

/** Records what became of a mail; false when another delivery of it recorded first. */
async function record(
  db: Kysely<DB>,
  r: Received,
  outcome: InboundOutcome,
  extra: { reason?: string | null; caseId?: string | null; caseMessageId?: string | null },
): Promise<boolean> {
  const res = await db
    .insertInto('inbound_emails')
    .values({
      store_id: r.storeId,
      id: `inb_${r.hash.slice(0, 16)}${sha256(r.messageId).slice(0, 16)}`,
      message_id: r.messageId,
      content_hash: r.hash,
      from_address: r.from,
      subject: r.subject === null ? null : clean(r.subject).slice(0, MAX_SUBJECT_CHARS),
      case_id: extra.caseId ?? null,
      case_message_id: extra.caseMessageId ?? null,
      outcome,
      reason: extra.reason ? clean(extra.reason).slice(0, 2000) : null,
      size: r.size,
      received_at: r.at,
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function receiveEmail(ctx: AppContext, input: ReceiveEmailInput): Promise<ReceiveEmailResult> {
  const db = ctx.database.db;
  const raw = input.raw;
  if (raw.length > MAX_EMAIL_BYTES) {
    return { outcome: 'rejected', code: 'too_large', reason: `the message is larger than ${MAX_EMAIL_BYTES / 1024 / 1024} MB` };
  }
  const hash = contentHash(raw);
  const at = ctx.clock.now().toISOString();
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, { skipHtmlToText: false, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  } catch (err) {
    return { outcome: 'rejected', code: 'unparseable', reason: `not an RFC 822 message: ${(err as Error).message}` };
  }
  if (parsed.headers.size === 0) return { outcome: 'rejected', code: 'unparseable', reason: 'not an RFC 822 message: no headers' };

  const messageId = messageIdsIn(parsed.messageId)[0] ?? `${hash}@missing`;
  const from = addressesOf(parsed.from)[0] ?? null;
  const subject = parsed.subject ?? null;
  const recipients = recipientsOf(parsed, input.envelope);

  let storeId = input.storeId;
  if (!storeId) {
    for (const r of recipients) {
      storeId = (await storesForRecipient(db, r))[0];
      if (storeId) break;
    }
  }
  if (!storeId) return { outcome: 'rejected', code: 'unknown_recipient', reason: 'no store receives mail at these addresses' };
  const settings = (await emailStores(db)).find((s) => s.storeId === storeId)?.email;
  const r: Received = { storeId, messageId, hash, from, subject, size: raw.length, at };

  const seen = await receiptOf(db, storeId, messageId, hash);
  if (seen) return duplicate(storeId, seen);

  const headers = rawHeaders(parsed);
  const automatic = automatedReason(
    { headers, from, envelopeFrom: input.envelope?.mailFrom, messageId },
    { replyDomain: settings?.replyDomain, from: settings?.from },
  );
  const ignore = async (reason: string): Promise<ReceiveEmailResult> => {
    const first = await record(db, r, 'ignored', { reason });
    await ctx.database.flush();
    return first ? { outcome: 'ignored', storeId, reason } : { outcome: 'duplicate', storeId, reason: 'already received' };
  };
  if (automatic) return ignore(automatic);
  if (!from) {
    await record(db, r, 'rejected', { reason: 'no From address' });
    await ctx.database.flush();
    return { outcome: 'rejected', storeId, code: 'no_sender', reason: 'the message has no From address' };
  }
  const tagged = recipients.map(parseTaggedAddress);
  const unsubscribe = tagged.find((t) => t?.kind === 'unsubscribe');
  if (
    unsubscribe &&
    !tagged.some((t) => t?.kind === 'reply') &&
    !recipients.some((a) => settings?.inboundAddresses.some((i) => i.toLowerCase() === a))
  ) {
    const c = await caseForToken(db, storeId, unsubscribe.token);
    return ignore(c ? `unsubscribe request (case #${c.number})` : 'unsubscribe request with an unknown token');
  }

  const refs = [...messageIdsIn(parsed.inReplyTo), ...messageIdsIn(parsed.references).reverse()];
  const thread = await findThread(db, storeId, { recipients, refs, from, subject, replyDomain: settings?.replyDomain });
  const text = clean(parsed.text ?? '').trim();
  const words = thread ? stripQuotedReply(text) : text;
  const body = (words || (subject ? clean(subject) : '') || '(the e-mail had no text)').slice(0, MAX_BODY_CHARS);

  const eventId = `email-${sha256(`${messageId}|${hash}`)}`;
  const checked = validateBatch(
    [
      {
        id: eventId,
        type: 'complaint.received',
        occurredAt: at,
        data: {
          complaintId: eventId,
          channel: 'email',
          email: from,
          ...(subject ? { subject: clean(subject).slice(0, MAX_SUBJECT_CHARS) } : {}),
          body,
          emailMessageId: messageId.slice(0, 998),
          ...(thread ? { caseId: thread.caseId } : {}),
        },
      },
    ],
    storeId,
  );
  if (!checked.ok) {
    const e = checked.errors[0]!;
    const reason = `the mail does not make a valid complaint: ${e.path} ${e.message}`;
    await record(db, r, 'rejected', { reason });
    await ctx.database.flush();
    return { outcome: 'rejected', storeId, code: 'invalid', reason };
  }
  await ctx.ingestor.ingest(storeId, checked.events, 'email');

  // The inbound message this mail became: the newest one with its Message-ID not yet linked to a received mail
  // (the same Message-ID with other content is another message; a delivery after a crash finds the one it made).
  const msg = await db
    .selectFrom('case_messages')
    .select(['id', 'case_id'])
    .where('store_id', '=', storeId)
    .where('kind', '=', 'inbound')
    .where('email_message_id', '=', messageId.slice(0, 998))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('inbound_emails')
            .select('inbound_emails.id')
            .whereRef('inbound_emails.store_id', '=', 'case_messages.store_id')
            .where('inbound_emails.message_id', '=', messageId)
            .whereRef('inbound_emails.case_message_id', '=', 'case_messages.id'),
        ),
      ),
    )
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!msg) {
    const again = await receiptOf(db, storeId, messageId, hash);
    return duplicate(storeId, again ?? { case_id: null, case_message_id: null, outcome: 'unknown' });
  }
  const opened = await db
    .selectFrom('cases')
    .select('opened_by_event')
    .where('store_id', '=', storeId)
    .where('id', '=', msg.case_id)
    .executeTakeFirstOrThrow();
  const outcome: InboundOutcome = opened.opened_by_event === eventId ? 'case_opened' : 'threaded';

  const { keep, skipped } = selectAttachments(
    parsed.attachments.map((a) => ({
      filename: safeFilename(a.filename),
      contentType: (a.contentType || 'application/octet-stream').toLowerCase(),
      size: a.content.length,
      content: a.content,
    })),
  );
  const reason = [
    outcome === 'threaded' ? `threaded by ${thread?.how ?? 'complaint'}` : null,
    skipped.length > 0 ? `attachments not stored: ${skipped.join(', ')}` : null,
  ]
    .filter((x) => x !== null)
    .join('; ');
  const first = await db.transaction().execute(async (tx) => {
    const inserted = await record(tx, r, outcome, { reason: reason || null, caseId: msg.case_id, caseMessageId: msg.id });
    if (!inserted) return false;
    for (const a of keep) {
      await tx
        .insertInto('attachments')
        .values({
          store_id: storeId,
          id: newId('att', ctx.clock),
          case_id: msg.case_id,
          message_id: msg.id,
          filename: a.filename,
          content_type: a.contentType,
          size: a.size,
          sha256: sha256(a.content),
          content: a.content,
          created_at: at,
        })
        .execute();
    }
    return true;
  });
  await ctx.database.flush();
  if (!first) return { outcome: 'duplicate', storeId, caseId: msg.case_id, messageId: msg.id, reason: 'already received' };
  return { outcome, storeId, caseId: msg.case_id, messageId: msg.id, ...(reason ? { reason } : {}) };
}

function duplicate(storeId: string, seen: { case_id: string | null; case_message_id: string | null; outcome: string }): ReceiveEmailResult {
  return {
    outcome: 'duplicate',
    storeId,
    ...(seen.case_id ? { caseId: seen.case_id } : {}),
    ...(seen.case_message_id ? { messageId: seen.case_message_id } : {}),
    reason: `already received (${seen.outcome})`,
  };
}

/** What we recorded for this exact message (same Message-ID, same content), if it came before. */
function receiptOf(db: Kysely<DB>, storeId: string, messageId: string, hash: string) {
  return db
    .selectFrom('inbound_emails')
    .select(['case_id', 'case_message_id', 'outcome'])
    .where('store_id', '=', storeId)
    .where('message_id', '=', messageId)
    .where('content_hash', '=', hash)
    .executeTakeFirst();
}
