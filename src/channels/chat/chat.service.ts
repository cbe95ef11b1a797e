/**
 * Chat conversations: a visitor's first message opens a case on the `chat`
 * channel, later ones join it, and the store's replies on that channel are
 * read back. Every message enters as a `complaint.received` event through the
 * one ingest path; the case itself is the conversation (its id is the
 * conversation id).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { recordActivity } from '../../cases/case-timeline.ts';
import { validateBatch } from '../../events/ingest.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AppContext } from '../../platform/http/context.ts';
import { channelSettingsSchema, storeSigningSecret } from '../channel-settings.ts';
import { subjectFromMessage } from './widget-rules.ts';
import { signSession, verifyIdentity, widgetIdentityKey } from './widget-tokens.ts';

export interface WidgetStore {
  id: string;
  name: string;
  allowedOrigins: string[];
  requireIdentity: boolean;
  greeting: string | null;
}

export async function loadWidgetStore(db: Kysely<DB>, storeId: string): Promise<WidgetStore | null> {
  const row = await db.selectFrom('stores').select(['id', 'name', 'channels']).where('id', '=', storeId).executeTakeFirst();
  if (!row) return null;
  const parsed = channelSettingsSchema.safeParse(JSON.parse(row.channels));
  const widget = parsed.success ? parsed.data.widget : undefined;
  return {
    id: row.id,
    name: row.name,
    allowedOrigins: widget?.allowedOrigins ?? [],
    requireIdentity: widget?.requireIdentity ?? false,
    greeting: widget?.greeting ?? null,
  };
}

/** Turns a refused event into the 400 the route would have given, naming the field. */
async function ingestOne(ctx: AppContext, storeId: string, event: Record<string, unknown>) {
  const v = validateBatch([event], storeId);
  if (!v.ok) {
    const e = v.errors[0]!;
    const field = e.path.replace(/^data\./, '');
    throw new AppError(400, 'invalid_request', `${field}: ${e.message}`, field === 'body' ? 'message' : field);
  }
  const [result] = await ctx.ingestor.ingest(storeId, v.events, 'chat');
  return result!;
}

export interface OpenConversationInput {
  email: string;
  customerToken?: string | undefined;
  name?: string | undefined;
  message: string;
  pageUrl?: string | undefined;
  /** The widget's id for this first message: a retry with it returns the same conversation. */
  clientMessageId?: string | undefined;
}

export interface OpenedConversation {
  conversationId: string;
  caseId: string;
  token: string;
  expiresAt: string;
  identity: 'verified' | 'unverified';
  duplicate: boolean;
}

export async function openConversation(ctx: AppContext, store: WidgetStore, input: OpenConversationInput): Promise<OpenedConversation> {
  const db = ctx.database.db;
  const email = input.email.trim().toLowerCase();
  const secret = await storeSigningSecret(db, store.id);
  let identity: OpenedConversation['identity'] = 'unverified';
  if (input.customerToken !== undefined) {
    if (!verifyIdentity(widgetIdentityKey(secret), email, input.customerToken)) {
      throw new AppError(401, 'identity_invalid', "customerToken is not the store's signature of this e-mail", 'customerToken');
    }
    identity = 'verified';
  } else if (store.requireIdentity) {
    throw new AppError(
      401,
      'identity_required',
      'this store only takes chats from signed-in customers (send customerToken)',
      'customerToken',
    );
  }
  const key = input.clientMessageId ?? randomBytes(16).toString('base64url');
  const complaintId = `chat-${key}`;
  const at = ctx.clock.now().toISOString();
  // Anyone can type any address: an unproven e-mail must not attach the chat to the customer who owns it (their name,
  // orders and remedies would be shown to the visitor). It gets a visitor of its own; the address stays on the timeline.
  const visitorId =
    identity === 'verified' ? null : `chat-visitor-${createHash('sha256').update(`${key}|${email}`).digest('hex').slice(0, 32)}`;
  const who = visitorId ? { customerId: visitorId } : { email };
  const result = await ingestOne(ctx, store.id, {
    id: complaintId,
    type: 'complaint.received',
    occurredAt: at,
    data: { complaintId, ...who, channel: 'chat', subject: subjectFromMessage(input.message), body: input.message },
  });
  const found = await db
    .selectFrom('cases')
    .leftJoin('customers', (j) => j.onRef('customers.store_id', '=', 'cases.store_id').onRef('customers.id', '=', 'cases.customer_id'))
    .select(['cases.id', 'cases.customer_id', 'customers.email'])
    .where('cases.store_id', '=', store.id)
    .where('cases.complaint_id', '=', complaintId)
    .executeTakeFirst();
  if (!found) throw new AppError(409, 'conflict', `conversation ${key} did not open a case`, 'clientMessageId');
  const sameVisitor = visitorId ? found.customer_id === visitorId : found.email === email;
  if (result.status === 'duplicate' && !sameVisitor) {
    // A retry must come from the same visitor: an id seen with another e-mail is not theirs to resume.
    throw new AppError(409, 'conflict', 'clientMessageId was already used for another conversation', 'clientMessageId');
  }
  if (result.status === 'accepted') {
    // The e-mail is only as good as its proof: agents see whether the store vouched for it.
    await recordActivity(db, store.id, found.id, at, { type: 'customer', id: null }, 'chat.started', {
      identity,
      email,
      ...(input.name ? { name: input.name } : {}),
      ...(input.pageUrl ? { pageUrl: input.pageUrl } : {}),
    });
  }
  const session = signSession(secret, { storeId: store.id, caseId: found.id, now: ctx.clock.now() });
  return {
    conversationId: found.id,
    caseId: found.id,
    token: session.token,
    expiresAt: session.expiresAt,
    identity,
    duplicate: result.status === 'duplicate',
  };
}

/** A later message from the visitor: joins the case (re-triaged; a resolved case reopens). */
export async function sendChatMessage(
  ctx: AppContext,
  storeId: string,
  caseId: string,
  input: { message: string; clientMessageId?: string | undefined },
): Promise<{ accepted: boolean; duplicate: boolean }> {
  const c = await ctx.database.db
    .selectFrom('cases')
    .select(['id', 'customer_id', 'complaint_id'])
    .where('store_id', '=', storeId)
    .where('id', '=', caseId)
    .executeTakeFirst();
  if (!c) throw notFound('conversation', caseId);
  if (!c.customer_id) throw new AppError(409, 'conflict', `conversation ${caseId} has no customer to write as`);
  const key = input.clientMessageId ?? randomBytes(16).toString('base64url');
  const result = await ingestOne(ctx, storeId, {
    // Scoped by the case: only a holder of this case's session can make (or repeat) its ids.
    id: `chat-${caseId}-${key}`,
    type: 'complaint.received',
    occurredAt: ctx.clock.now().toISOString(),
    data: {
      complaintId: c.complaint_id ?? `chat-${caseId}`,
      customerId: c.customer_id,
      channel: 'chat',
      body: input.message,
      caseId,
    },
  });
  return { accepted: result.status === 'accepted', duplicate: result.status === 'duplicate' };
}

export interface ChatMessage {
  id: string;
  from: 'customer' | 'store';
  body: string;
  at: string;
  /** The agent's name on their replies; null for the customer and for automatic messages. */
  author: string | null;
}

type MessageRow = { id: string; kind: string; author_type: string; author_id: string | null; body: string; created_at: string };

async function toChatMessages(db: Kysely<DB>, storeId: string, rows: MessageRow[]): Promise<ChatMessage[]> {
  const userIds = [...new Set(rows.filter((r) => r.author_type === 'user' && r.author_id).map((r) => r.author_id!))];
  const names = new Map<string, string | null>();
  if (userIds.length > 0) {
    const users = await db.selectFrom('users').select(['id', 'name']).where('store_id', '=', storeId).where('id', 'in', userIds).execute();
    for (const u of users) names.set(u.id, u.name);
  }
  return rows.map((r) => ({
    id: r.id,
    from: r.kind === 'inbound' ? 'customer' : 'store',
    body: r.body,
    at: r.created_at,
    author: r.kind !== 'inbound' && r.author_type === 'user' && r.author_id ? (names.get(r.author_id) ?? null) : null,
  }));
}

const visibleReply = ['queued', 'sending', 'sent'];

/**
 * The conversation as the visitor sees it: their own messages and the store's
 * chat replies (never internal notes, never other channels' messages), oldest first.
 */
export async function conversationMessages(
  db: Kysely<DB>,
  storeId: string,
  caseId: string,
): Promise<{ status: string; messages: ChatMessage[] }> {
  const c = await db.selectFrom('cases').select('status').where('store_id', '=', storeId).where('id', '=', caseId).executeTakeFirst();
  if (!c) throw notFound('conversation', caseId);
  const rows = await db
    .selectFrom('case_messages')
    .select(['id', 'kind', 'author_type', 'author_id', 'body', 'created_at'])
    .where('store_id', '=', storeId)
    .where('case_id', '=', caseId)
    .where((eb) =>
      eb.or([eb('kind', '=', 'inbound'), eb.and([eb('kind', '=', 'reply'), eb('channel', '=', 'chat'), eb('status', 'in', visibleReply)])]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .limit(1000)
    .execute();
  return { status: c.status, messages: await toChatMessages(db, storeId, rows) };
}

/** The store's chat replies on a case created at or after `since` (all when null), oldest first: what the stream polls. */
export async function storeRepliesSince(db: Kysely<DB>, storeId: string, caseId: string, since: string | null): Promise<ChatMessage[]> {
  let q = db
    .selectFrom('case_messages')
    .select(['id', 'kind', 'author_type', 'author_id', 'body', 'created_at'])
    .where('store_id', '=', storeId)
    .where('case_id', '=', caseId)
    .where('kind', '=', 'reply')
    .where('channel', '=', 'chat')
    .where('status', 'in', visibleReply);
  if (since !== null) q = q.where('created_at', '>=', since);
  const rows = await q.orderBy('created_at').orderBy('id').limit(500).execute();
  return toChatMessages(db, storeId, rows);
}

/** When a message of the case was written, to resume a stream after it (Last-Event-ID). */
export async function messagePosition(
  db: Kysely<DB>,
  storeId: string,
  caseId: string,
  messageId: string,
): Promise<{ id: string; at: string } | null> {
  const row = await db
    .selectFrom('case_messages')
    .select(['id', 'created_at'])
    .where('store_id', '=', storeId)
    .where('case_id', '=', caseId)
    .where('id', '=', messageId)
    .executeTakeFirst();
  return row ? { id: row.id, at: row.created_at } : null;
}
