/**
 * A store's channel settings (`stores.channels`, JSON): how its e-mail goes out
 * and comes in, where its Slack alerts go, and who may embed its chat widget.
 * Secrets (the SMTP password, the Slack URL, which is a credential) are kept
 * but never shown back: reads return them masked, and a write that sends the
 * mask keeps the stored value.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../platform/db/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { webhookUrlProblem } from './webhooks/endpoint-rules.ts';

export const SECRET_MASK = '********';

const hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.-]+$/, 'must be a host name such as mail.example.com');

export const smtpSettingsSchema = z
  .object({
    host: hostname,
    port: z.number().int().min(1).max(65_535).default(587),
    /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    /** Refuse to send unless the connection is upgraded with STARTTLS. */
    requireTls: z.boolean().default(false),
    user: z.string().min(1).max(320).optional(),
    pass: z.string().min(1).max(1000).optional(),
  })
  .strict();

export const emailSettingsSchema = z
  .object({
    /** The From address of every message, e.g. help@shop.example. */
    from: z.email().max(320),
    fromName: z.string().min(1).max(200).optional(),
    /** Replies go to reply+<token>@<replyDomain>; it must deliver to Amends (its SMTP receiver or a forwarding provider). */
    replyDomain: hostname,
    /** Addresses whose mail opens cases for this store (the SMTP receiver finds the store by them). */
    inboundAddresses: z.array(z.email().max(320)).max(50).default([]),
    smtp: smtpSettingsSchema.optional(),
  })
  .strict();

export const slackSettingsSchema = z
  .object({
    webhookUrl: z
      .url()
      .max(2000)
      .superRefine((u, ctx) => {
        // A masked URL sent back is restored before this runs; anything else must be a real https endpoint.
        const problem = webhookUrlProblem(u);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /** Which alerts go to Slack; all of them by default. */
    events: z.array(z.string().min(1).max(100)).max(50).optional(),
  })
  .strict();

export const widgetSettingsSchema = z
  .object({
    /** Origins allowed to embed the widget (`https://shop.example`); any when empty. */
    allowedOrigins: z.array(z.string().url().max(500)).max(50).default([]),
    /** When true, a visitor must come with the store's signed token; anonymous chats are refused. */
    requireIdentity: z.boolean().default(false),
    greeting: z.string().min(1).max(500).optional(),
  })
  .strict();

export const channelSettingsSchema = z
  .object({
    email: emailSettingsSchema.optional(),
    slack: slackSettingsSchema.optional(),
    widget: widgetSettingsSchema.optional(),
  })
  .strict();
export type ChannelSettings = z.infer<typeof channelSettingsSchema>;
export type EmailSettings = z.infer<typeof emailSettingsSchema>;

export async function loadChannelSettings(db: Kysely<DB>, storeId: string): Promise<ChannelSettings> {
  const row = await db.selectFrom('stores').select('channels').where('id', '=', storeId).executeTakeFirst();
  if (!row) throw notFound('store', storeId);
  const parsed = channelSettingsSchema.safeParse(JSON.parse(row.channels));
  // Settings were validated when saved; a stored value that no longer parses is treated as not configured.
  return parsed.success ? parsed.data : {};
}

/** The settings with their secrets masked, for showing. */
export function maskChannelSettings(s: ChannelSettings): ChannelSettings {
  return {
    ...s,
    ...(s.email
      ? {
          email: {
            ...s.email,
            ...(s.email.smtp ? { smtp: { ...s.email.smtp, ...(s.email.smtp.pass ? { pass: SECRET_MASK } : {}) } } : {}),
          },
        }
      : {}),
    ...(s.slack ? { slack: { ...s.slack, webhookUrl: maskUrl(s.slack.webhookUrl) } } : {}),
  };
}

function maskUrl(u: string): string {
  try {
    const url = new URL(u);
    return `${url.origin}/${SECRET_MASK}`;
  } catch {
    return SECRET_MASK;
  }
}

/**
 * Validates and stores channel settings. A masked secret in the input keeps
 * the stored one, so a client can send back what it read.
 */
export async function saveChannelSettings(db: Kysely<DB>, storeId: string, input: unknown): Promise<ChannelSettings> {
  const current = await loadChannelSettings(db, storeId);
  const raw = structuredClone(input) as Record<string, unknown> | null;
  if (raw && typeof raw === 'object') {
    const email = raw.email as Record<string, unknown> | undefined;
    const smtp = email?.smtp as Record<string, unknown> | undefined;
    if (smtp && smtp.pass === SECRET_MASK) {
      if (current.email?.smtp?.pass) smtp.pass = current.email.smtp.pass;
      else delete smtp.pass;
    }
    const slack = raw.slack as Record<string, unknown> | undefined;
    if (slack && typeof slack.webhookUrl === 'string' && slack.webhookUrl.endsWith(`/${SECRET_MASK}`) && current.slack) {
      slack.webhookUrl = current.slack.webhookUrl;
    }
  }
  const parsed = channelSettingsSchema.parse(raw);
  if (parsed.email) await refuseTakenAddresses(db, storeId, parsed.email);
  await db
    .updateTable('stores')
    .set({ channels: JSON.stringify(parsed) })
    .where('id', '=', storeId)
    .execute();
  return parsed;
}

/**
 * The store's own HMAC key (reply tokens, widget sessions, signed links), made on first use.
 * Two processes making it at once agree: only the first write lands and both read it back.
 */
export async function storeSigningSecret(db: Kysely<DB>, storeId: string): Promise<string> {
  const row = await db.selectFrom('stores').select('signing_secret').where('id', '=', storeId).executeTakeFirst();
  if (!row) throw notFound('store', storeId);
  if (row.signing_secret) return row.signing_secret;
  await db
    .updateTable('stores')
    .set({ signing_secret: randomBytes(32).toString('base64url') })
    .where('id', '=', storeId)
    .where('signing_secret', 'is', null)
    .execute();
  const again = await db.selectFrom('stores').select('signing_secret').where('id', '=', storeId).executeTakeFirstOrThrow();
  return again.signing_secret!;
}

/**
 * Mail is routed to a store by its inbound addresses and reply domain, so no two stores may claim the same one:
 * otherwise one store's admin could list another's address and receive a copy of its customers' mail.
 */
async function refuseTakenAddresses(db: Kysely<DB>, storeId: string, email: EmailSettings): Promise<void> {
  const others = await db
    .selectFrom('stores')
    .select(['id', 'channels'])
    .where('id', '!=', storeId)
    .where('channels', '!=', '{}')
    .execute();
  for (const o of others) {
    const theirs = channelSettingsSchema.safeParse(JSON.parse(o.channels));
    const e = theirs.success ? theirs.data.email : undefined;
    if (!e) continue;
    if (e.replyDomain.toLowerCase() === email.replyDomain.toLowerCase()) {
      throw new AppError(409, 'address_taken', `the reply domain ${email.replyDomain} is used by another store`, 'email.replyDomain');
    }
    const i = email.inboundAddresses.findIndex((a) => e.inboundAddresses.some((b) => b.toLowerCase() === a.toLowerCase()));
    if (i >= 0) {
      throw new AppError(
        409,
        'address_taken',
        `${email.inboundAddresses[i]} receives mail for another store`,
        `email.inboundAddresses.${i}`,
      );
    }
  }
}
