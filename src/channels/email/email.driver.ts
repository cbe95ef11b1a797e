/**
 * E-mail out: delivers an outbox row of kind `message` over the store's own
 * SMTP server with nodemailer. The Message-ID is made from the message id,
 * so a resend after a crash carries the same one and the receiving side can
 * tell. Threading headers come from the case's earlier mail (inbound and
 * outbound), and Reply-To is the case's own `reply+<token>` address, so the
 * customer's answer finds its case again.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppContext } from '../../platform/http/context.ts';
import { type EmailSettings, loadChannelSettings, storeSigningSecret } from '../channel-settings.ts';
import { type ChannelDriver, DeliveryError, type DeliveryOutcome, type OutboxItem } from '../outbox.ts';
import { composeEmail } from './compose-email.ts';
import { ownMessageId } from './message-ids.ts';
import { composeNotice, noticePayloadSchema } from './notice.ts';
import { makeReplyToken } from './reply-token.ts';
import { outgoingSubject } from './subject.ts';

type Smtp = NonNullable<EmailSettings['smtp']>;

export interface EmailDriver extends ChannelDriver {
  /** Closes cached SMTP transports. */
  close(): void;
}

/** A nodemailer/SMTP failure as a delivery error: a 5xx answer is final, anything else is worth retrying. */
export function smtpDeliveryError(err: unknown): DeliveryError {
  const e = err as { responseCode?: unknown; code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (code !== undefined) {
    return new DeliveryError(`SMTP ${code}: ${message}`, { permanent: code >= 500 && code < 600, statusCode: code, cause: err });
  }
  return new DeliveryError(`${typeof e.code === 'string' ? `${e.code}: ` : ''}${message}`, { cause: err });
}

export function createEmailDriver(ctx: Pick<AppContext, 'database'>): EmailDriver {
  const db = ctx.database.db;
  // One transport per store, remade when its settings change.
  const transports = new Map<string, { hash: string; transport: Transporter }>();

  const transportFor = (storeId: string, smtp: Smtp): Transporter => {
    const hash = createHash('sha256').update(JSON.stringify(smtp)).digest('hex');
    const cached = transports.get(storeId);
    if (cached?.hash === hash) return cached.transport;
    cached?.transport.close();
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: smtp.requireTls,
      ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.pass ?? '' } } : {}),
      tls: { rejectUnauthorized: true },
      // Well inside the outbox's lease, so a hung server is a retry rather than a second sender.
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
    transports.set(storeId, { hash, transport });
    return transport;
  };

  const skipped = (reason: string): DeliveryOutcome => ({ status: 'skipped', reason });

  const deliverNotice = async (item: OutboxItem): Promise<DeliveryOutcome> => {
    const parsed = noticePayloadSchema.safeParse(item.payload);
    if (!parsed.success) return skipped('the notice was already sent or is malformed');
    const settings = (await loadChannelSettings(db, item.storeId)).email;
    if (!settings?.smtp) return skipped('e-mail is not configured for this store');
    const store = await db.selectFrom('stores').select('name').where('id', '=', item.storeId).executeTakeFirstOrThrow();
    const id = ownMessageId(item.id, settings.replyDomain);
    try {
      await transportFor(item.storeId, settings.smtp).sendMail(
        composeNotice(parsed.data, { address: settings.from, name: settings.fromName ?? store.name }, id, item.now),
      );
    } catch (err) {
      throw smtpDeliveryError(err);
    }
    // The sender keeps only who it went to and what it was once it is settled (settledNoticePayload).
    return { status: 'sent', ref: id };
  };

  return {
    async deliver(item: OutboxItem): Promise<DeliveryOutcome> {
      if (item.kind === 'notice') return deliverNotice(item);
      if (item.kind !== 'message' || !item.messageId) return skipped('only messages to customers go out by e-mail');
      const storeId = item.storeId;
      const msg = await db
        .selectFrom('case_messages')
        .select(['id', 'case_id', 'body', 'subject', 'locale', 'template', 'author_type'])
        .where('store_id', '=', storeId)
        .where('id', '=', item.messageId)
        .executeTakeFirst();
      if (!msg) return skipped('the message no longer exists');
      const settings = (await loadChannelSettings(db, storeId)).email;
      if (!settings?.smtp) return skipped('e-mail is not configured for this store');
      const [c, store] = await Promise.all([
        db
          .selectFrom('cases')
          .select(['id', 'number', 'subject', 'customer_id'])
          .where('store_id', '=', storeId)
          .where('id', '=', msg.case_id)
          .executeTakeFirstOrThrow(),
        db.selectFrom('stores').select('name').where('id', '=', storeId).executeTakeFirstOrThrow(),
      ]);
      const customer = c.customer_id
        ? await db
            .selectFrom('customers')
            .select(['email', 'name'])
            .where('store_id', '=', storeId)
            .where('id', '=', c.customer_id)
            .executeTakeFirst()
        : undefined;
      if (!customer?.email) return skipped('the customer has no e-mail address');
      const thread = await db
        .selectFrom('case_messages')
        .select('email_message_id')
        .where('store_id', '=', storeId)
        .where('case_id', '=', c.id)
        .where('email_message_id', 'is not', null)
        .where('id', '!=', msg.id)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      const secret = await storeSigningSecret(db, storeId);
      const mail = composeEmail({
        messageId: msg.id,
        replyDomain: settings.replyDomain,
        from: settings.from,
        fromName: settings.fromName ?? store.name,
        to: customer.email,
        toName: customer.name,
        subject: outgoingSubject(msg.subject, c.subject, Number(c.number)),
        body: msg.body,
        locale: msg.locale,
        replyToken: makeReplyToken(secret, storeId, c.id, Number(c.number)),
        // Ids we made up for mail that came without one mean nothing to anyone else.
        threadIds: thread.map((t) => t.email_message_id!).filter((id) => !id.endsWith('@missing')),
        template: msg.template,
        automatic: msg.author_type === 'system',
        date: item.now,
      });
      try {
        await transportFor(storeId, settings.smtp).sendMail(mail);
      } catch (err) {
        throw smtpDeliveryError(err);
      }
      const id = ownMessageId(msg.id, settings.replyDomain);
      await db
        .updateTable('case_messages')
        .set({ email_message_id: id })
        .where('store_id', '=', storeId)
        .where('id', '=', msg.id)
        .execute();
      return { status: 'sent', ref: id };
    },
    close() {
      for (const { transport } of transports.values()) transport.close();
      transports.clear();
    },
  };
}
