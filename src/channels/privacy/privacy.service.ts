/**
 * Privacy requests: export everything we hold about a customer, or erase it.
 * Used by Shopify's mandatory privacy webhooks (customers/data_request,
 * customers/redact, shop/redact) and by the CLI.
 *
 * Erasure forgets who a person is and what they wrote, and keeps what
 * happened: ids, counts, amounts, kinds, severities, statuses and times stay,
 * so the store's numbers (orders, spend, cases, remedies) still add up.
 * Personal columns are cleared by relationship (their customer rows, orders,
 * cases and everything hanging off them); then their e-mail addresses and
 * phone numbers are swept out of every text column of every store table, so a
 * copy left somewhere unforeseen goes too. The audit log is append-only by a
 * database trigger and is not rewritten: `auditEntriesKept` counts its
 * entries about their remedies that carry a free-text reason.
 */
import { type Kysely, type RawBuilder, SqliteAdapter, sql } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { clockAt } from '../outbox.ts';
import { type Mentions, mentions, REDACTED, REDACTED_JSON, redactJsonText, redactReason } from './redact.ts';

export type PrivacyKind = 'export' | 'redact' | 'shop_redact';

export interface PrivacyRequest {
  id: string;
  kind: PrivacyKind;
  customerId: string | null;
  source: string;
  requestedAt: string;
  completedAt: string | null;
  result: unknown;
}

/** Which rows are about the person (or, for a whole shop, everything: 'all'). */
type Ids = readonly string[] | 'all';

interface Subjects {
  customerIds: Ids;
  orderIds: Ids;
  caseIds: Ids;
  compensationIds: Ids;
  /** Events that opened their cases (a complaint by e-mail has no customer id in the ledger). */
  openingEvents: Ids;
  /** Lower-case addresses and phone numbers as written: swept from every text column. */
  emails: string[];
  phones: string[];
}

export interface CustomerRequestOptions {
  /** Orders the request names besides the customer's own (Shopify's orders_to_redact / orders_requested). */
  orderIds?: readonly string[] | undefined;
  /** The customer's address as the shop knows it: other customer rows with it are the same person. */
  email?: string | null | undefined;
  phone?: string | null | undefined;
}

const CHUNK = 500;

function inList(col: string, ids: Ids): RawBuilder<boolean> {
  if (ids === 'all') return sql<boolean>`1 = 1`;
  if (ids.length === 0) return sql<boolean>`1 = 0`;
  return sql<boolean>`${sql.ref(col)} in (${sql.join([...ids])})`;
}

function anyOf(conds: RawBuilder<boolean>[]): RawBuilder<boolean> {
  return conds.length === 0 ? sql<boolean>`1 = 0` : sql<boolean>`(${sql.join(conds, sql` or `)})`;
}

/** A LIKE pattern matching `s` anywhere, with LIKE's wildcards taken literally (used with `escape '\'`). */
function containing(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function likeAny(col: string, needles: readonly string[], lower = false): RawBuilder<boolean>[] {
  const target = lower ? sql`lower(${sql.ref(col)})` : sql.ref(col);
  return needles.map((n) => sql<boolean>`${target} like ${containing(lower ? n.toLowerCase() : n)} escape '\\'`);
}

const unique = (xs: Iterable<string | null | undefined>) => [...new Set([...xs].filter((x): x is string => !!x))];

function inTransaction<T>(db: Kysely<DB>, fn: (tx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** The customer rows that are this person, their orders, cases and remedies. */
async function findSubjects(db: Kysely<DB>, storeId: string, customerId: string, opts: CustomerRequestOptions): Promise<Subjects> {
  const given = opts.email?.trim().toLowerCase();
  const self = await db
    .selectFrom('customers')
    .select(['id', 'email', 'phone'])
    .where('store_id', '=', storeId)
    .where('id', '=', customerId)
    .executeTakeFirst();
  const emails = unique([given, self?.email?.toLowerCase()]);
  const sameEmail =
    emails.length > 0
      ? await db
          .selectFrom('customers')
          .select(['id', 'email', 'phone'])
          .where('store_id', '=', storeId)
          .where(sql<boolean>`lower(email) in (${sql.join(emails)})`)
          .execute()
      : [];
  const customerIds = unique([customerId, ...sameEmail.map((c) => c.id)]);
  const phones = unique([opts.phone?.trim(), self?.phone, ...sameEmail.map((c) => c.phone)]);
  const orders = await db
    .selectFrom('orders')
    .select('id')
    .where('store_id', '=', storeId)
    .where(anyOf([inList('customer_id', customerIds), inList('id', opts.orderIds ?? [])]))
    .execute();
  const orderIds = unique([...orders.map((o) => o.id), ...(opts.orderIds ?? [])]);
  const cases = await db
    .selectFrom('cases')
    .select(['id', 'opened_by_event'])
    .where('store_id', '=', storeId)
    .where(anyOf([inList('customer_id', customerIds), inList('order_id', orderIds)]))
    .execute();
  const caseIds = cases.map((c) => c.id);
  const comps = await db
    .selectFrom('compensations')
    .select('id')
    .where('store_id', '=', storeId)
    .where(anyOf([inList('customer_id', customerIds), inList('case_id', caseIds)]))
    .execute();
  return {
    customerIds,
    orderIds,
    caseIds,
    compensationIds: comps.map((c) => c.id),
    openingEvents: unique(cases.map((c) => c.opened_by_event)),
    emails: unique([...emails, ...sameEmail.map((c) => c.email?.toLowerCase())]),
    phones,
  };
}

const allSubjects: Subjects = {
  customerIds: 'all',
  orderIds: 'all',
  caseIds: 'all',
  compensationIds: 'all',
  openingEvents: 'all',
  emails: [],
  phones: [],
};

/** Ledger rows about the subjects: by customer, order, the event that opened their case, a case id or an address in the data. */
function eventsAbout(s: Subjects): RawBuilder<boolean> {
  if (s.customerIds === 'all') return sql<boolean>`1 = 1`;
  const caseRefs = s.caseIds === 'all' ? [] : s.caseIds.map((id) => `"caseId":${JSON.stringify(id)}`);
  return anyOf([
    inList('customer_id', s.customerIds),
    inList('order_id', s.orderIds),
    inList('id', s.openingEvents),
    ...likeAny('data', s.emails, true),
    ...likeAny('data', caseRefs),
  ]);
}

async function recordRequest(
  db: Kysely<DB>,
  storeId: string,
  kind: PrivacyKind,
  customerId: string | null,
  source: string,
  at: string,
  result: unknown,
): Promise<PrivacyRequest> {
  const id = newId('prv', clockAt(at));
  await db
    .insertInto('privacy_requests')
    .values({
      store_id: storeId,
      id,
      kind,
      customer_id: customerId,
      source,
      requested_at: at,
      completed_at: at,
      result: JSON.stringify(result),
    })
    .execute();
  return { id, kind, customerId, source, requestedAt: at, completedAt: at, result };
}

const parseJson = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * Everything held about a customer (their rows, orders, shipments, payments,
 * refunds, reviews, cases with messages, remedies, ledger events), kept as an
 * `export` privacy request and returned.
 */
export async function exportCustomer(
  db: Kysely<DB>,
  storeId: string,
  customerId: string,
  source: string,
  at: string,
  opts: CustomerRequestOptions = {},
): Promise<PrivacyRequest> {
  return inTransaction(db, async (tx) => {
    const s = await findSubjects(tx, storeId, customerId, opts);
    const where = (col: string, ids: Ids) => inList(col, ids);
    const customers = await tx
      .selectFrom('customers')
      .selectAll()
      .where('store_id', '=', storeId)
      .where(where('id', s.customerIds))
      .execute();
    const orders = await tx.selectFrom('orders').selectAll().where('store_id', '=', storeId).where(where('id', s.orderIds)).execute();
    const shipments = await tx
      .selectFrom('shipments')
      .selectAll()
      .where('store_id', '=', storeId)
      .where(where('order_id', s.orderIds))
      .execute();
    const payments = await tx
      .selectFrom('payments')
      .selectAll()
      .where('store_id', '=', storeId)
      .where(anyOf([where('customer_id', s.customerIds), where('order_id', s.orderIds)]))
      .execute();
    const refunds = await tx
      .selectFrom('refunds')
      .selectAll()
      .where('store_id', '=', storeId)
      .where(where('order_id', s.orderIds))
      .execute();
    const reviews = await tx
      .selectFrom('reviews')
      .selectAll()
      .where('store_id', '=', storeId)
      .where(anyOf([where('customer_id', s.customerIds), where('order_id', s.orderIds)]))
      .execute();
    const cases = await tx.selectFrom('cases').selectAll().where('store_id', '=', storeId).where(where('id', s.caseIds)).execute();
    const messages = await tx
      .selectFrom('case_messages')
      .selectAll()
      .where('store_id', '=', storeId)
      .where(where('case_id', s.caseIds))
      .orderBy('created_at')
      .execute();
    const attachments = await tx
      .selectFrom('attachments')
      .select(['id', 'case_id', 'message_id', 'filename', 'content_type', 'size', 'sha256', 'created_at'])
      .where('store_id', '=', storeId)
      .where(where('case_id', s.caseIds))
      .execute();
    const inboundEmails = await tx
      .selectFrom('inbound_emails')
      .selectAll()
      .where('store_id', '=', storeId)
      .where(anyOf([where('case_id', s.caseIds), ...s.emails.map((e) => sql<boolean>`lower(from_address) = ${e}`)]))
      .execute();
    const compensations = await tx
      .selectFrom('compensations')
      .selectAll()
      .where('store_id', '=', storeId)
      .where(where('id', s.compensationIds))
      .execute();
    const storeCredit = await tx
      .selectFrom('store_credit_ledger')
      .selectAll()
      .where('store_id', '=', storeId)
      .where(where('customer_id', s.customerIds))
      .execute();
    const loyalty = await tx
      .selectFrom('loyalty_ledger')
      .selectAll()
      .where('store_id', '=', storeId)
      .where(where('customer_id', s.customerIds))
      .execute();
    const discountCodes = await tx
      .selectFrom('discount_codes')
      .selectAll()
      .where('store_id', '=', storeId)
      .where(anyOf([where('customer_id', s.customerIds), where('compensation_id', s.compensationIds)]))
      .execute();
    const events = await tx
      .selectFrom('events')
      .select(['id', 'type', 'occurred_at', 'received_at', 'source', 'data'])
      .where('store_id', '=', storeId)
      .where(eventsAbout(s))
      .orderBy('seq')
      .execute();
    const result = {
      storeId,
      customerId,
      exportedAt: at,
      customers: customers.map((c) => ({ ...c, tags: parseJson(c.tags) })),
      orders: orders.map((o) => ({ ...o, items: parseJson(o.items) })),
      shipments,
      payments,
      refunds,
      reviews,
      cases: cases.map((c) => ({
        ...c,
        triage: parseJson(c.triage),
        guardrails: parseJson(c.guardrails),
        messages: messages.filter((m) => m.case_id === c.id).map((m) => ({ ...m, triage: parseJson(m.triage) })),
        attachments: attachments.filter((a) => a.case_id === c.id),
      })),
      inboundEmails,
      compensations: compensations.map((c) => ({ ...c, approval_reasons: parseJson(c.approval_reasons) })),
      storeCredit,
      loyalty,
      discountCodes,
      events: events.map((e) => ({ ...e, data: parseJson(e.data) })),
    };
    return recordRequest(tx, storeId, 'export', customerId, source, at, result);
  });
}

/** Rewrites a JSON column row by row (only rows that change are written). */
async function rewriteJson<K extends string>(
  rows: readonly ({ [k in K]: string | null } & Record<string, unknown>)[],
  col: K,
  write: (row: Record<string, unknown>, value: string | null) => Promise<void>,
): Promise<number> {
  let n = 0;
  for (const r of rows) {
    const before = r[col];
    const after = redactJsonText(before);
    if (after !== before) {
      await write(r, after);
      n++;
    }
  }
  return n;
}

const affected = (r: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined) =>
  Number(r?.numUpdatedRows ?? r?.numDeletedRows ?? 0n);

type Counts = Record<string, number>;

/** Clears personal data of the subjects in every table we know to hold some. */
async function erase(tx: Kysely<DB>, storeId: string, s: Subjects, at: string): Promise<Counts> {
  const counts: Counts = {};

  counts.customers = affected(
    await tx
      .updateTable('customers')
      .set({ email: null, name: null, phone: null, tags: '[]', locale: null, timezone: null, updated_at: at })
      .where('store_id', '=', storeId)
      .where(inList('id', s.customerIds))
      .executeTakeFirst(),
  );

  // Orders: free-text cancel reasons (codes like `customer` stay); items name products, not people.
  const orders = await tx
    .selectFrom('orders')
    .select(['id', 'cancel_reason'])
    .where('store_id', '=', storeId)
    .where(inList('id', s.orderIds))
    .where('cancel_reason', 'is not', null)
    .execute();
  counts.orders = 0;
  for (const o of orders) {
    const reason = redactReason(o.cancel_reason);
    if (reason === o.cancel_reason) continue;
    await tx.updateTable('orders').set({ cancel_reason: reason }).where('store_id', '=', storeId).where('id', '=', o.id).execute();
    counts.orders++;
  }

  // A tracking number finds the parcel, and the parcel's label names the person and their address.
  counts.shipments = affected(
    await tx
      .updateTable('shipments')
      .set({ tracking_number: null })
      .where('store_id', '=', storeId)
      .where(inList('order_id', s.orderIds))
      .where('tracking_number', 'is not', null)
      .executeTakeFirst(),
  );
  counts.payments = 0;
  const payments = await tx
    .selectFrom('payments')
    .select(['id', 'reason'])
    .where('store_id', '=', storeId)
    .where(anyOf([inList('customer_id', s.customerIds), inList('order_id', s.orderIds)]))
    .where('reason', 'is not', null)
    .execute();
  for (const p of payments) {
    if (redactReason(p.reason) === p.reason) continue;
    await tx.updateTable('payments').set({ reason: REDACTED }).where('store_id', '=', storeId).where('id', '=', p.id).execute();
    counts.payments++;
  }
  counts.refunds = 0;
  const refunds = await tx
    .selectFrom('refunds')
    .select(['id', 'reason'])
    .where('store_id', '=', storeId)
    .where(inList('order_id', s.orderIds))
    .where('reason', 'is not', null)
    .execute();
  for (const r of refunds) {
    if (redactReason(r.reason) === r.reason) continue;
    await tx.updateTable('refunds').set({ reason: REDACTED }).where('store_id', '=', storeId).where('id', '=', r.id).execute();
    counts.refunds++;
  }
  counts.reviews = affected(
    await tx
      .updateTable('reviews')
      .set({
        title: sql<string | null>`case when title is null then null else ${REDACTED} end`,
        body: sql<string | null>`case when body is null then null else ${REDACTED} end`,
      })
      .where('store_id', '=', storeId)
      .where(anyOf([inList('customer_id', s.customerIds), inList('order_id', s.orderIds)]))
      .executeTakeFirst(),
  );

  // Cases keep their labels (kind, severity, emotion, priority); their words and quoted evidence go.
  const cases = await tx
    .selectFrom('cases')
    .select(['id', 'triage'])
    .where('store_id', '=', storeId)
    .where(inList('id', s.caseIds))
    .execute();
  for (const c of cases) {
    await tx
      .updateTable('cases')
      .set({ subject: sql<string | null>`case when subject is null then null else ${REDACTED} end`, triage: redactJsonText(c.triage) })
      .where('store_id', '=', storeId)
      .where('id', '=', c.id)
      .execute();
  }
  counts.cases = cases.length;

  // Their own words and our replies to them (which quote and greet them by name), inbound and outbound alike.
  const messages = await tx
    .selectFrom('case_messages')
    .select(['id', 'triage'])
    .where('store_id', '=', storeId)
    .where(inList('case_id', s.caseIds))
    .execute();
  for (const m of messages) {
    await tx
      .updateTable('case_messages')
      .set({
        body: REDACTED,
        subject: sql<string | null>`case when subject is null then null else ${REDACTED} end`,
        status_detail: sql<string | null>`case when status_detail is null then null else ${REDACTED} end`,
        triage: redactJsonText(m.triage),
      })
      .where('store_id', '=', storeId)
      .where('id', '=', m.id)
      .execute();
  }
  counts.caseMessages = messages.length;

  const activities = await tx
    .selectFrom('case_activities')
    .select(['seq', 'data'])
    .where('store_id', '=', storeId)
    .where(inList('case_id', s.caseIds))
    .execute();
  counts.caseActivities = await rewriteJson(activities, 'data', async (r, v) => {
    await tx
      .updateTable('case_activities')
      .set({ data: v ?? '{}' })
      .where('store_id', '=', storeId)
      .where('seq', '=', r.seq as number)
      .execute();
  });

  counts.events = await eraseEvents(tx, storeId, s);

  counts.compensations = affected(
    await tx
      .updateTable('compensations')
      .set({
        justification: sql<string | null>`case when justification is null then null else ${REDACTED} end`,
        decision_reason: sql<string | null>`case when decision_reason is null then null else ${REDACTED} end`,
      })
      .where('store_id', '=', storeId)
      .where(inList('id', s.compensationIds))
      .where((eb) => eb.or([eb('justification', 'is not', null), eb('decision_reason', 'is not', null)]))
      .executeTakeFirst(),
  );
  const tasks = await tx
    .selectFrom('remedy_tasks')
    .select(['compensation_id', 'details'])
    .where('store_id', '=', storeId)
    .where(anyOf([inList('compensation_id', s.compensationIds), inList('customer_id', s.customerIds), inList('order_id', s.orderIds)]))
    .execute();
  counts.remedyTasks = await rewriteJson(tasks, 'details', async (r, v) => {
    await tx
      .updateTable('remedy_tasks')
      .set({ details: v ?? '{}' })
      .where('store_id', '=', storeId)
      .where('compensation_id', '=', r.compensation_id as string)
      .execute();
  });
  const firings = await tx
    .selectFrom('monitor_firings')
    .select(['id', 'details'])
    .where('store_id', '=', storeId)
    .where(anyOf([inList('customer_id', s.customerIds), inList('order_id', s.orderIds), inList('case_id', s.caseIds)]))
    .execute();
  counts.monitorFirings = await rewriteJson(firings, 'details', async (r, v) => {
    await tx
      .updateTable('monitor_firings')
      .set({ details: v ?? '{}' })
      .where('store_id', '=', storeId)
      .where('id', '=', r.id as string)
      .execute();
  });

  const mailFrom = anyOf([inList('case_id', s.caseIds), ...s.emails.map((e) => sql<boolean>`lower(from_address) = ${e}`)]);
  counts.inboundEmails = affected(
    await tx
      .updateTable('inbound_emails')
      // The reason may name refused attachments (their file names are the customer's own words).
      .set({
        from_address: null,
        subject: sql<string | null>`case when subject is null then null else ${REDACTED} end`,
        reason: sql<string | null>`case when reason is null then null else ${REDACTED} end`,
      })
      .where('store_id', '=', storeId)
      .where(mailFrom)
      .executeTakeFirst(),
  );
  counts.attachmentsDeleted = affected(
    await tx.deleteFrom('attachments').where('store_id', '=', storeId).where(inList('case_id', s.caseIds)).executeTakeFirst(),
  );

  // Outbound messages and notifications about their cases: the payload holds the words and the address.
  const outboxWhere = anyOf([inList('case_id', s.caseIds), ...likeAny('payload', s.emails, true)]);
  const outboxIds = (await tx.selectFrom('outbox').select('id').where('store_id', '=', storeId).where(outboxWhere).execute()).map(
    (o) => o.id,
  );
  counts.outbox = outboxIds.length;
  for (let i = 0; i < outboxIds.length; i += CHUNK) {
    const ids = outboxIds.slice(i, i + CHUNK);
    // Anything not yet sent is not sent now: there is no one left to send it to.
    await tx
      .updateTable('outbox')
      .set({
        payload: REDACTED_JSON,
        // A receiver's answer can echo what it was sent.
        provider_ref: sql<
          string | null
        >`case when kind = 'message' then provider_ref when provider_ref is null then null else ${REDACTED} end`,
        status: sql<string>`case when status = 'queued' then 'skipped' else status end`,
        last_error: sql<
          string | null
        >`case when status = 'queued' then 'erased on a privacy request' when last_error is null then null else ${REDACTED} end`,
        updated_at: at,
      })
      .where('store_id', '=', storeId)
      .where('id', 'in', ids)
      .execute();
    counts.outboxAttempts =
      (counts.outboxAttempts ?? 0) +
      affected(
        await tx
          .updateTable('outbox_attempts')
          .set({ error: REDACTED })
          .where('store_id', '=', storeId)
          .where('outbox_id', 'in', ids)
          .where('error', 'is not', null)
          .executeTakeFirst(),
      );
  }
  counts.outboxAttempts ??= 0;

  counts.webhookReceipts = await eraseReceipts(tx, storeId, s);

  counts.privacyExports = affected(
    await tx
      .updateTable('privacy_requests')
      .set({ result: null })
      .where('store_id', '=', storeId)
      .where('kind', '=', 'export')
      .where(inList('customer_id', s.customerIds))
      .where('result', 'is not', null)
      .executeTakeFirst(),
  );

  const audit = await tx
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('store_id', '=', storeId)
    .where('subject_type', '=', 'compensation')
    .where(inList('subject_id', s.compensationIds))
    .where('reason', 'is not', null)
    .executeTakeFirstOrThrow();
  counts.auditEntriesKept = Number(audit.n);
  return counts;
}

async function eraseEvents(tx: Kysely<DB>, storeId: string, s: Subjects): Promise<number> {
  let n = 0;
  let after = 0;
  // Pages by seq: a whole shop's ledger is not loaded at once.
  for (;;) {
    const rows = await tx
      .selectFrom('events')
      .select(['seq', 'data'])
      .where('store_id', '=', storeId)
      .where('seq', '>', after)
      .where(eventsAbout(s))
      .orderBy('seq')
      .limit(CHUNK)
      .execute();
    if (rows.length === 0) return n;
    n += await rewriteJson(rows, 'data', async (r, v) => {
      await tx
        .updateTable('events')
        .set({ data: v ?? '{}' })
        .where('store_id', '=', storeId)
        .where('seq', '=', r.seq as number)
        .execute();
    });
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/** Stored Shopify webhook bodies that name them (by customer or order id, e-mail or phone) are replaced whole. */
async function eraseReceipts(tx: Kysely<DB>, storeId: string, s: Subjects): Promise<number> {
  if (s.customerIds === 'all') {
    return affected(
      await tx
        .updateTable('webhook_receipts')
        .set({ payload: REDACTED_JSON })
        .where('store_id', '=', storeId)
        .where('payload', '<>', REDACTED_JSON)
        .executeTakeFirst(),
    );
  }
  const ids = [...s.customerIds, ...(s.orderIds === 'all' ? [] : s.orderIds)];
  const m: Mentions = { ids: new Set(ids), contacts: new Set([...s.emails, ...s.phones.map((p) => p.toLowerCase())]) };
  // LIKE narrows the candidates; the parsed JSON decides (an id's digits may appear inside an unrelated number).
  const rows = await tx
    .selectFrom('webhook_receipts')
    .select(['provider', 'webhook_id', 'payload'])
    .where('store_id', '=', storeId)
    .where('payload', '<>', REDACTED_JSON)
    .where(anyOf([...likeAny('payload', ids), ...likeAny('payload', [...m.contacts], true)]))
    .execute();
  let n = 0;
  for (const r of rows) {
    let hit: boolean;
    try {
      hit = mentions(JSON.parse(r.payload), m);
    } catch {
      hit = true;
    }
    if (!hit) continue;
    await tx
      .updateTable('webhook_receipts')
      .set({ payload: REDACTED_JSON })
      .where('store_id', '=', storeId)
      .where('provider', '=', r.provider)
      .where('webhook_id', '=', r.webhook_id)
      .execute();
    n++;
  }
  return n;
}

/** Tables the sweep leaves alone: the append-only audit log, and the store's own staff. */
const sweepSkips = new Set(['audit_log', 'users', 'api_tokens', 'stores']);

/**
 * Replaces each needle (an e-mail address, a phone number) in every text
 * column of every table that has a store_id, case-insensitively, within this
 * store: whatever copy the targeted clearing did not know about.
 */
async function sweep(tx: Kysely<DB>, storeId: string, needles: readonly string[]): Promise<number> {
  const list = unique(needles.map((n) => n.trim())).filter((n) => n.length >= 5);
  if (list.length === 0) return 0;
  const sqlite = tx.getExecutor().adapter instanceof SqliteAdapter;
  const tables = (await tx.introspection.getTables()).filter(
    (t) => !sweepSkips.has(t.name) && !t.isView && t.columns.some((c) => c.name === 'store_id'),
  );
  let n = 0;
  for (const t of tables) {
    const table = t.schema ? sql.id(t.schema, t.name) : sql.id(t.name);
    for (const c of t.columns) {
      const type = c.dataType.toLowerCase();
      if (!(type === 'text' || type.startsWith('varchar') || type.startsWith('character varying')) || c.name === 'store_id') continue;
      const col = sql.ref(c.name);
      for (const needle of list) {
        const pattern = containing(needle.toLowerCase());
        if (sqlite) {
          // No regexp in SQLite: find the rows case-insensitively, replace in JS, write back by rowid.
          const { rows } = await sql<{ rid: number; v: string }>`
            select rowid as rid, ${col} as v from ${table}
            where store_id = ${storeId} and lower(${col}) like ${pattern} escape '\\'`.execute(tx);
          const re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
          for (const r of rows) {
            await sql`update ${table} set ${col} = ${r.v.replace(re, REDACTED)} where rowid = ${r.rid}`.execute(tx);
            n++;
          }
        } else {
          const re = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          const r = await sql`
            update ${table} set ${col} = regexp_replace(${col}, ${re}, ${REDACTED}, 'gi')
            where store_id = ${storeId} and lower(${col}) like ${pattern} escape '\\'`.execute(tx);
          n += Number(r.numAffectedRows ?? 0n);
        }
      }
    }
  }
  return n;
}

/**
 * Erases a customer's personal data (and that of other customer rows with the
 * same address, and of the orders named) and records a `redact` privacy
 * request whose result is counts only. Idempotent: erasing twice changes
 * nothing more.
 */
export async function eraseCustomer(
  db: Kysely<DB>,
  storeId: string,
  customerId: string,
  source: string,
  at: string,
  opts: CustomerRequestOptions = {},
): Promise<PrivacyRequest> {
  return inTransaction(db, async (tx) => {
    const s = await findSubjects(tx, storeId, customerId, opts);
    const counts = await erase(tx, storeId, s, at);
    counts.sweptValues = await sweep(tx, storeId, [...s.emails, ...s.phones]);
    const result = {
      customerRows: s.customerIds.length,
      orders: s.orderIds.length,
      cases: s.caseIds.length,
      changed: counts,
    };
    return recordRequest(tx, storeId, 'redact', customerId, source, at, result);
  });
}

/** Erases the personal data of every customer of the store (Shopify's shop/redact). */
export async function eraseStore(db: Kysely<DB>, storeId: string, source: string, at: string): Promise<PrivacyRequest> {
  return inTransaction(db, async (tx) => {
    const counts = await erase(tx, storeId, allSubjects, at);
    // Every customer row is cleared: no request for one of them can hold their export any more.
    return recordRequest(tx, storeId, 'shop_redact', null, source, at, { changed: counts });
  });
}

type RequestRow = {
  id: string;
  kind: string;
  customer_id: string | null;
  source: string;
  requested_at: string;
  completed_at: string | null;
};

function toRequest(r: RequestRow, result: unknown): PrivacyRequest {
  return {
    id: r.id,
    kind: r.kind as PrivacyKind,
    customerId: r.customer_id,
    source: r.source,
    requestedAt: r.requested_at,
    completedAt: r.completed_at,
    result,
  };
}

/** The store's privacy requests, newest first, without their results. */
export async function listPrivacyRequests(
  db: Kysely<DB>,
  storeId: string,
  q: { kind?: PrivacyKind | undefined; customerId?: string | undefined; limit: number },
): Promise<Omit<PrivacyRequest, 'result'>[]> {
  let query = db
    .selectFrom('privacy_requests')
    .select(['id', 'kind', 'customer_id', 'source', 'requested_at', 'completed_at'])
    .where('store_id', '=', storeId);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.customerId) query = query.where('customer_id', '=', q.customerId);
  const rows = await query.orderBy('requested_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map((r) => {
    const { result: _, ...rest } = toRequest(r, null);
    return rest;
  });
}

export async function getPrivacyRequest(db: Kysely<DB>, storeId: string, id: string): Promise<PrivacyRequest> {
  const r = await db.selectFrom('privacy_requests').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  if (!r) throw new AppError(404, 'not_found', `privacy request ${id} not found`, 'id');
  return toRequest(r, parseJson(r.result));
}
