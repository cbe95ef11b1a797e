/**
 * The self-service portal (issue 8): a customer proves who they are with an order number and its e-mail, gets a
 * signed link by mail, and then sees their orders, shipments and cases, reports a problem, picks a remedy and
 * writes on their cases. Everything the customer says enters as a `complaint.received` event (channel `portal`)
 * through the one ingest path; every read is scoped by the store and the session's customer.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type Kysely, sql } from 'kysely';
import { recordActivity } from '../../cases/case-timeline.ts';
import { validateBatch } from '../../events/ingest.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AppContext } from '../../platform/http/context.ts';
import { newId } from '../../platform/ids.ts';
import { createLink } from '../../public/signed-links.ts';
import { queueNotice } from '../email/notice.ts';
import { notifyCase } from '../notify.ts';
import type { PhotoType } from './photo.ts';

/** A sign-in link works once, for this long. */
export const PORTAL_LINK_TTL_MS = 30 * 60_000;
/** The browser session a link opens. */
export const PORTAL_SESSION_TTL_MS = 2 * 60 * 60_000;
export const MAX_DESCRIPTION = 5000;

export const issueKinds = ['damaged', 'wrong_item', 'missing_item', 'late', 'not_received', 'double_charge', 'other'] as const;
export type PortalIssueKind = (typeof issueKinds)[number];

/** The words the customer's choice is put in: the case's subject, which triage reads with the description. */
export const issueSubject: Record<PortalIssueKind, string> = {
  damaged: 'Damaged item',
  wrong_item: 'Wrong item',
  missing_item: 'Missing item',
  late: 'Late delivery',
  not_received: 'Not received',
  double_charge: 'Charged twice',
  other: 'Other problem',
};

export const PERSON_REQUEST = "I'd like to talk to a person.";

export interface PortalStore {
  id: string;
  name: string;
  timezone: string;
}

export async function portalStore(db: Kysely<DB>, storeId: string): Promise<PortalStore | null> {
  if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(storeId)) return null;
  const row = await db.selectFrom('stores').select(['id', 'name', 'timezone']).where('id', '=', storeId).executeTakeFirst();
  return row ?? null;
}

/** What a customer may type as their order number: the id as stored, with or without a leading `#`. */
export function orderIdCandidates(input: string): string[] {
  const s = input.trim().replace(/\s+/g, '');
  if (s.length === 0 || s.length > 200) return [];
  const bare = s.replace(/^#+/, '');
  return [...new Set([s, bare, `#${bare}`])].filter((x) => x.length > 0 && x !== '#');
}

const normalEmail = (e: string) => e.trim().toLowerCase();

/** The customer who placed this order, if its e-mail is this one; null otherwise (which the page never says). */
export async function customerForOrder(
  db: Kysely<DB>,
  storeId: string,
  orderInput: string,
  email: string,
): Promise<{ id: string; email: string; name: string | null; locale: string | null } | null> {
  const ids = orderIdCandidates(orderInput);
  const wanted = normalEmail(email);
  if (ids.length === 0 || wanted === '') return null;
  const rows = await db
    .selectFrom('orders')
    .innerJoin('customers', (j) => j.onRef('customers.store_id', '=', 'orders.store_id').onRef('customers.id', '=', 'orders.customer_id'))
    .select(['customers.id', 'customers.email', 'customers.name', 'customers.locale'])
    .where('orders.store_id', '=', storeId)
    .where('orders.id', 'in', ids)
    .execute();
  const found = rows.find((r) => r.email !== null && normalEmail(r.email) === wanted);
  return found ? { id: found.id, email: found.email!, name: found.name, locale: found.locale } : null;
}

/** A sign-in link for a customer, as a path (`/help/<store>/link/<token>`): for the chat widget, agent messages, the demo. */
export async function portalLinkFor(db: Kysely<DB>, storeId: string, customerId: string, now: Date): Promise<string> {
  const { token } = await createLink(
    db,
    { storeId, purpose: 'portal', subjectType: 'customer', subjectId: customerId, customerId, ttlMs: PORTAL_LINK_TTL_MS },
    now,
  );
  return `/help/${encodeURIComponent(storeId)}/link/${token}`;
}

function linkNotice(storeName: string, name: string | null, url: string) {
  return {
    subject: `Your link to ${storeName} help`,
    body: [
      `Hello${name ? ` ${name}` : ''},`,
      '',
      `Here is your link to see your orders and get help from ${storeName}. It works once, for the next 30 minutes:`,
      '',
      url,
      '',
      'If you did not ask for it, you can ignore this e-mail: nobody can use it without this message.',
    ].join('\n'),
  };
}

const pending = new Set<Promise<void>>();

/**
 * Runs `work` once the answer `res` has gone out (the identify page: a match and a miss must take the same time,
 * so the lookup, the link and its e-mail happen afterwards). A failure is handed to `onError`, never unhandled.
 */
export function afterAnswer(res: ServerResponse, work: () => Promise<unknown>, onError: (err: unknown) => void): void {
  const answered = new Promise<void>((resolve) => {
    if (res.writableFinished || res.destroyed) return resolve();
    res.once('finish', () => resolve());
    res.once('close', () => resolve());
  });
  const run = answered
    .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
    .then(work)
    .then(
      () => undefined,
      (err: unknown) => {
        try {
          onError(err);
        } catch {
          // nothing more to do
        }
      },
    );
  pending.add(run);
  void run.finally(() => pending.delete(run));
}

/** Resolves when every piece of `afterAnswer` work started so far has finished (tests; closing the server). */
export async function portalWorkSettled(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}

/**
 * The identify form: when the order and e-mail belong together, a link is created and mailed (one transaction).
 * Returns whether they matched — for logs and tests only; the page (sent before this runs) says the same either way.
 */
export async function requestPortalLink(
  ctx: AppContext,
  store: PortalStore,
  input: { order: string; email: string },
  baseUrl: string,
): Promise<boolean> {
  const db = ctx.database.db;
  const customer = await customerForOrder(db, store.id, input.order, input.email);
  if (!customer) return false;
  const now = ctx.clock.now();
  await db.transaction().execute(async (tx) => {
    const path = await portalLinkFor(tx, store.id, customer.id, now);
    const notice = linkNotice(store.name, customer.name, `${baseUrl}${path}`);
    await queueNotice(tx, {
      storeId: store.id,
      at: now.toISOString(),
      to: customer.email,
      toName: customer.name,
      ...notice,
      locale: customer.locale,
      purpose: 'portal-link',
    });
  });
  return true;
}

/** An agent e-mails a customer a sign-in link (POST /api/v1/customers/:id/portal-link). Nothing secret comes back. */
export async function sendPortalLink(
  ctx: AppContext,
  storeId: string,
  customerId: string,
  baseUrl: string,
): Promise<{ sent: true; to: string; expiresAt: string }> {
  const db = ctx.database.db;
  const [customer, store] = await Promise.all([
    db
      .selectFrom('customers')
      .select(['id', 'email', 'name', 'locale'])
      .where('store_id', '=', storeId)
      .where('id', '=', customerId)
      .executeTakeFirst(),
    portalStore(db, storeId),
  ]);
  if (!customer || !store) throw notFound('customer', customerId);
  if (!customer.email) throw new AppError(409, 'no_email', `customer ${customerId} has no e-mail address to send a link to`, 'email');
  const now = ctx.clock.now();
  await db.transaction().execute(async (tx) => {
    const path = await portalLinkFor(tx, storeId, customer.id, now);
    await queueNotice(tx, {
      storeId,
      at: now.toISOString(),
      to: customer.email!,
      toName: customer.name,
      ...linkNotice(store.name, customer.name, `${baseUrl}${path}`),
      locale: customer.locale,
      purpose: 'portal-link',
    });
  });
  return { sent: true, to: maskEmail(customer.email), expiresAt: new Date(now.getTime() + PORTAL_LINK_TTL_MS).toISOString() };
}

export function maskEmail(email: string): string {
  const [user = '', domain = ''] = email.split('@');
  return `${user.slice(0, 1)}${'*'.repeat(Math.max(1, Math.min(user.length - 1, 6)))}@${domain}`;
}

// ---------------------------------------------------------------- reading

export interface PortalShipment {
  id: string;
  carrier: string | null;
  trackingNumber: string | null;
  status: string;
  lastScanAt: string | null;
  promisedBy: string | null;
  deliveredAt: string | null;
}

export interface PortalCaseSummary {
  id: string;
  number: number;
  status: string;
  subject: string | null;
  orderId: string | null;
  createdAt: string;
}

export interface PortalOrder {
  id: string;
  status: string;
  total: { amount: number; currency: string };
  placedAt: string;
  promisedBy: string | null;
  items: { name: string; quantity: number; price: { amount: number; currency: string } | null }[];
  shipments: PortalShipment[];
  cases: PortalCaseSummary[];
}

function parseItems(json: string): PortalOrder['items'] {
  try {
    const raw = JSON.parse(json) as unknown;
    if (!Array.isArray(raw)) return [];
    return raw.map((i: { name?: unknown; sku?: unknown; quantity?: unknown; price?: { amount?: unknown; currency?: unknown } }) => ({
      name: typeof i.name === 'string' ? i.name : typeof i.sku === 'string' ? i.sku : 'Item',
      quantity: typeof i.quantity === 'number' ? i.quantity : 1,
      price:
        i.price && typeof i.price.amount === 'number' && typeof i.price.currency === 'string'
          ? { amount: i.price.amount, currency: i.price.currency }
          : null,
    }));
  } catch {
    return [];
  }
}

async function casesOf(db: Kysely<DB>, storeId: string, customerId: string): Promise<PortalCaseSummary[]> {
  const rows = await db
    .selectFrom('cases')
    .select(['id', 'number', 'status', 'subject', 'order_id', 'created_at'])
    .where('store_id', '=', storeId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    number: Number(r.number),
    status: r.status,
    subject: r.subject,
    orderId: r.order_id,
    createdAt: r.created_at,
  }));
}

/** The customer's orders, newest first, with their shipments and cases; and the cases about no order. */
export async function customerOrders(
  db: Kysely<DB>,
  storeId: string,
  customerId: string,
  onlyOrderId?: string,
): Promise<{ orders: PortalOrder[]; otherCases: PortalCaseSummary[] }> {
  let q = db
    .selectFrom('orders')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('customer_id', '=', customerId)
    .orderBy('placed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(100);
  if (onlyOrderId !== undefined) q = q.where('id', '=', onlyOrderId);
  const orders = await q.execute();
  const ids = orders.map((o) => o.id);
  const [shipments, cases] = await Promise.all([
    ids.length === 0
      ? Promise.resolve([])
      : db.selectFrom('shipments').selectAll().where('store_id', '=', storeId).where('order_id', 'in', ids).orderBy('id').execute(),
    casesOf(db, storeId, customerId),
  ]);
  return {
    orders: orders.map((o) => ({
      id: o.id,
      status: o.status,
      total: { amount: Number(o.total_amount), currency: o.currency },
      placedAt: o.placed_at,
      promisedBy: o.promised_by,
      items: parseItems(o.items),
      shipments: shipments
        .filter((s) => s.order_id === o.id)
        .map((s) => ({
          id: s.id,
          carrier: s.carrier,
          trackingNumber: s.tracking_number,
          status: s.status,
          lastScanAt: s.last_carrier_event_at,
          promisedBy: s.promised_by ?? o.promised_by,
          deliveredAt: s.delivered_at,
        })),
      cases: cases.filter((c) => c.orderId === o.id),
    })),
    otherCases: cases.filter((c) => c.orderId === null || !ids.includes(c.orderId)),
  };
}

export interface PortalMessage {
  id: string;
  from: 'customer' | 'store';
  body: string;
  at: string;
}

export interface PortalCase extends PortalCaseSummary {
  channel: string | null;
  firstResponseDueAt: string | null;
  firstRespondedAt: string | null;
  messages: PortalMessage[];
  photos: { id: string; filename: string }[];
}

/** One of the customer's cases with what they may read of it: their words and the store's replies, never notes. */
export async function customerCase(db: Kysely<DB>, storeId: string, customerId: string, caseId: string): Promise<PortalCase | null> {
  const c = await db
    .selectFrom('cases')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('id', '=', caseId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  if (!c) return null;
  const [messages, photos] = await Promise.all([
    db
      .selectFrom('case_messages')
      .select(['id', 'kind', 'body', 'created_at'])
      .where('store_id', '=', storeId)
      .where('case_id', '=', caseId)
      .where((eb) =>
        eb.or([eb('kind', '=', 'inbound'), eb.and([eb('kind', '=', 'reply'), eb('status', 'in', ['queued', 'sending', 'sent'])])]),
      )
      .orderBy('created_at')
      .orderBy('id')
      .limit(500)
      .execute(),
    db
      .selectFrom('attachments')
      .select(['id', 'filename'])
      .where('store_id', '=', storeId)
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .execute(),
  ]);
  return {
    id: c.id,
    number: Number(c.number),
    status: c.status,
    subject: c.subject,
    orderId: c.order_id,
    createdAt: c.created_at,
    channel: c.channel,
    firstResponseDueAt: c.first_response_due_at,
    firstRespondedAt: c.first_responded_at,
    messages: messages.map((m) => ({ id: m.id, from: m.kind === 'inbound' ? 'customer' : 'store', body: m.body, at: m.created_at })),
    photos,
  };
}

// ---------------------------------------------------------------- writing

async function ingestComplaint(ctx: AppContext, storeId: string, event: Record<string, unknown>) {
  const v = validateBatch([event], storeId);
  if (!v.ok) {
    const e = v.errors[0]!;
    throw new AppError(400, 'invalid_request', `${e.path.replace(/^data\./, '')}: ${e.message}`, e.path.replace(/^data\./, ''));
  }
  const [result] = await ctx.ingestor.ingest(storeId, v.events, 'portal');
  return result!;
}

/** A form's one-time key: a retry of the same form (double click, reload) is the same event. */
export const FORM_KEY_RE = /^[A-Za-z0-9_-]{16,64}$/;

const keyed = (customerId: string, key: string) => createHash('sha256').update(`${customerId}|${key}`).digest('base64url').slice(0, 32);

export interface PortalPhoto {
  filename: string;
  contentType: PhotoType;
  bytes: Buffer;
}

/**
 * "Report a problem": one `complaint.received` (channel portal) for the order, its subject the kind the customer
 * chose (which triage reads with the description), then the photo kept with the case's first message.
 * The same form sent twice opens one case.
 */
export async function reportProblem(
  ctx: AppContext,
  storeId: string,
  customerId: string,
  input: { orderId: string; kind: PortalIssueKind; description: string; formKey: string; photo: PortalPhoto | null },
): Promise<{ caseId: string; created: boolean }> {
  const db = ctx.database.db;
  const order = await db
    .selectFrom('orders')
    .select('id')
    .where('store_id', '=', storeId)
    .where('id', '=', input.orderId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  if (!order) throw notFound('order', input.orderId);
  const key = keyed(customerId, input.formKey);
  const complaintId = `portal-${key}`;
  const at = ctx.clock.now().toISOString();
  const result = await ingestComplaint(ctx, storeId, {
    id: complaintId,
    type: 'complaint.received',
    occurredAt: at,
    data: {
      complaintId,
      customerId,
      orderId: order.id,
      channel: 'portal',
      subject: issueSubject[input.kind],
      body: input.description,
    },
  });
  const c = await db
    .selectFrom('cases')
    .select(['id'])
    .where('store_id', '=', storeId)
    .where('complaint_id', '=', complaintId)
    .executeTakeFirst();
  // A complaint about an order whose failure we found first joins that case, which takes this complaint's id.
  const caseId = c?.id;
  if (!caseId) throw new AppError(409, 'conflict', 'the report did not reach a case');
  const created = result.status === 'accepted';
  await db.transaction().execute(async (tx) => {
    // One report of this case at a time (a double submit's two requests both arrive here).
    await lockCase(ctx, tx, storeId, caseId);
    // Whenever this complaint has none yet — not only on the first send: if this transaction failed last time,
    // the retry (same form key, so a duplicate event) writes it now.
    const reported = await tx
      .selectFrom('case_activities')
      .select('data')
      .where('store_id', '=', storeId)
      .where('case_id', '=', caseId)
      .where('type', '=', 'portal.reported')
      .execute();
    const has = reported.some((r) => {
      const d = JSON.parse(r.data) as { complaintId?: string };
      return d.complaintId === undefined || d.complaintId === complaintId;
    });
    if (!has) {
      await recordActivity(tx, storeId, caseId, at, { type: 'customer', id: customerId }, 'portal.reported', {
        complaintId,
        issue: input.kind,
        orderId: order.id,
        photo: input.photo ? input.photo.filename : null,
      });
    }
    if (input.photo) {
      const sha256 = createHash('sha256').update(input.photo.bytes).digest('hex');
      const seen = await tx
        .selectFrom('attachments')
        .select('id')
        .where('store_id', '=', storeId)
        .where('case_id', '=', caseId)
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      if (!seen) {
        const message = await tx
          .selectFrom('case_messages')
          .select('id')
          .where('store_id', '=', storeId)
          .where('case_id', '=', caseId)
          .where('kind', '=', 'inbound')
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .executeTakeFirst();
        await tx
          .insertInto('attachments')
          .values({
            store_id: storeId,
            id: newId('att', ctx.clock),
            case_id: caseId,
            message_id: message?.id ?? null,
            filename: input.photo.filename,
            content_type: input.photo.contentType,
            size: input.photo.bytes.length,
            sha256,
            content: input.photo.bytes,
            created_at: at,
          })
          .execute();
      }
    }
  });
  return { caseId, created };
}

/** The customer writes on one of their cases: their words join it (a resolved case reopens). */
export async function replyOnCase(
  ctx: AppContext,
  storeId: string,
  customerId: string,
  caseId: string,
  input: { body: string; formKey: string },
): Promise<{ duplicate: boolean }> {
  const c = await ctx.database.db
    .selectFrom('cases')
    .select(['id', 'complaint_id', 'order_id'])
    .where('store_id', '=', storeId)
    .where('id', '=', caseId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  if (!c) throw notFound('case', caseId);
  const result = await ingestComplaint(ctx, storeId, {
    id: `portal-${caseId}-${keyed(customerId, input.formKey)}`,
    type: 'complaint.received',
    occurredAt: ctx.clock.now().toISOString(),
    data: {
      complaintId: c.complaint_id ?? `portal-case-${caseId}`,
      customerId,
      ...(c.order_id ? { orderId: c.order_id } : {}),
      channel: 'portal',
      body: input.body,
      caseId,
    },
  });
  return { duplicate: result.status === 'duplicate' };
}

const openStatuses = ['new', 'acknowledged', 'in_progress', 'waiting_on_customer', 'reopened'];

/**
 * "Talk to a person". On a case: the request is written on the case as the customer's words (a resolved case
 * reopens, a case waiting on them goes back to work), the case is put in front of people — unassigned cases to
 * the manager queue — and the timeline says why. Asked twice before anyone answered, it changes nothing.
 * Without a case: the customer's open case for the order is used, or one is opened with the request.
 */
export async function askForPerson(
  ctx: AppContext,
  storeId: string,
  customerId: string,
  where: { caseId?: string | undefined; orderId?: string | undefined; sessionId: string },
): Promise<{ caseId: string; already: boolean }> {
  const db = ctx.database.db;
  let caseId = where.caseId;
  if (caseId) {
    const own = await db
      .selectFrom('cases')
      .select('id')
      .where('store_id', '=', storeId)
      .where('id', '=', caseId)
      .where('customer_id', '=', customerId)
      .executeTakeFirst();
    if (!own) throw notFound('case', caseId);
  } else {
    if (where.orderId) {
      const order = await db
        .selectFrom('orders')
        .select('id')
        .where('store_id', '=', storeId)
        .where('id', '=', where.orderId)
        .where('customer_id', '=', customerId)
        .executeTakeFirst();
      if (!order) throw notFound('order', where.orderId);
    }
    let open = db
      .selectFrom('cases')
      .select('id')
      .where('store_id', '=', storeId)
      .where('customer_id', '=', customerId)
      .where('status', 'in', openStatuses);
    open = where.orderId ? open.where('order_id', '=', where.orderId) : open.where('order_id', 'is', null);
    caseId = (await open.orderBy('created_at', 'desc').executeTakeFirst())?.id;
    if (!caseId) {
      // One per session and order: pressing the button again finds the same case.
      const complaintId = `portal-person-${keyed(customerId, `${where.sessionId}|${where.orderId ?? ''}`)}`;
      await ingestComplaint(ctx, storeId, {
        id: complaintId,
        type: 'complaint.received',
        occurredAt: ctx.clock.now().toISOString(),
        data: {
          complaintId,
          customerId,
          ...(where.orderId ? { orderId: where.orderId } : {}),
          channel: 'portal',
          subject: 'Asked to talk to a person',
          body: PERSON_REQUEST,
        },
      });
      const opened = await db
        .selectFrom('cases')
        .select('id')
        .where('store_id', '=', storeId)
        .where('complaint_id', '=', complaintId)
        .executeTakeFirstOrThrow();
      return { caseId: opened.id, already: !(await markForPerson(ctx, storeId, customerId, opened.id)) };
    }
  }
  return { caseId, already: !(await markForPerson(ctx, storeId, customerId, caseId, true)) };
}

/** On Postgres, the case's row locked until the transaction ends; SQLite runs one transaction at a time anyway. */
async function lockCase(ctx: AppContext, tx: Kysely<DB>, storeId: string, caseId: string): Promise<void> {
  if (ctx.database.dialect === 'postgres') {
    await sql`select 1 from cases where store_id = ${storeId} and id = ${caseId} for update`.execute(tx);
  }
}

/** Whether the customer asked for a person since the last time a person replied on the case (and that reply). */
async function askedState(db: Kysely<DB>, storeId: string, caseId: string) {
  const [asked, replied] = await Promise.all([
    db
      .selectFrom('case_activities')
      .select('at')
      .where('store_id', '=', storeId)
      .where('case_id', '=', caseId)
      .where('type', '=', 'portal.person_requested')
      .orderBy('at', 'desc')
      .executeTakeFirst(),
    db
      .selectFrom('case_messages')
      .select(['id', 'created_at'])
      .where('store_id', '=', storeId)
      .where('case_id', '=', caseId)
      .where('kind', '=', 'reply')
      .where('author_type', '=', 'user')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst(),
  ]);
  return { already: asked !== undefined && (!replied || replied.created_at <= asked.at), replied };
}

/**
 * Puts a case in front of people; false when the customer already asked and nobody has replied since.
 * Idempotent under a double click (two requests at once): the customer's words are one event whose id is the case
 * and the last reply (so the same request twice is a duplicate), and the check and the timeline entry happen in
 * one transaction with the case locked.
 */
async function markForPerson(ctx: AppContext, storeId: string, customerId: string, caseId: string, writeWords = false): Promise<boolean> {
  const db = ctx.database.db;
  const before = await askedState(db, storeId, caseId);
  if (before.already) return false;
  if (writeWords) {
    const c = await db
      .selectFrom('cases')
      .select(['complaint_id', 'order_id'])
      .where('store_id', '=', storeId)
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    // A case the button itself opened already starts with these words.
    const openedByAsking = (c.complaint_id ?? '').startsWith('portal-person-') && !before.replied;
    if (!openedByAsking) {
      await ingestComplaint(ctx, storeId, {
        id: `portal-ask-${keyed(customerId, `${caseId}|${before.replied?.id ?? ''}`)}`,
        type: 'complaint.received',
        occurredAt: ctx.clock.now().toISOString(),
        data: {
          complaintId: c.complaint_id ?? `portal-case-${caseId}`,
          customerId,
          ...(c.order_id ? { orderId: c.order_id } : {}),
          channel: 'portal',
          body: PERSON_REQUEST,
          caseId,
        },
      });
    }
  }
  const at = ctx.clock.now().toISOString();
  return db.transaction().execute(async (tx) => {
    await lockCase(ctx, tx, storeId, caseId);
    if ((await askedState(tx, storeId, caseId)).already) return false;
    const c = await tx
      .selectFrom('cases')
      .select(['queue', 'assignee_id'])
      .where('store_id', '=', storeId)
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    // Nobody has it: the manager queue, where someone picks it up first. An assigned case stays with its person.
    const toManager = c.assignee_id === null && c.queue !== 'manager';
    if (toManager) {
      await tx
        .updateTable('cases')
        .set({ queue: 'manager', updated_at: at })
        .where('store_id', '=', storeId)
        .where('id', '=', caseId)
        .execute();
    }
    await recordActivity(tx, storeId, caseId, at, { type: 'customer', id: customerId }, 'portal.person_requested', {
      reason: 'the customer asked to talk to a person in the portal',
      ...(toManager ? { queue: 'manager', fromQueue: c.queue } : {}),
    });
    if (toManager) {
      await notifyCase(tx, storeId, caseId, 'case.escalated', { reason: 'the customer asked to talk to a person', fromQueue: c.queue }, at);
    }
    return true;
  });
}
