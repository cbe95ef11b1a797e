import type { Kysely } from 'kysely';
import { caseFacts, notify } from '../channels/notify.ts';
import type { Clock } from '../platform/clock.ts';
import type { DB } from '../platform/db/schema.ts';
import { newId } from '../platform/ids.ts';
import { type Actor, recordActivity } from './case-timeline.ts';
import { intakeFollowUp, intakeNewCase } from './intake.ts';
import type { CaseSource } from './lifecycle.ts';

export interface OpenCaseInput {
  storeId: string;
  source: CaseSource;
  channel: string | null;
  customerId: string | null;
  orderId: string | null;
  complaintId: string | null;
  subject: string | null;
  /** The customer's own words, kept as the first inbound message. */
  body: string | null;
  openedByEvent: string | null;
  /** When the words are a review: its rating, which feeds severity. */
  reviewRating?: number | undefined;
  /** The case a channel threaded these words to (a reply e-mail, a chat message); ignored when not found. */
  caseId?: string | null | undefined;
  /** The e-mail's Message-ID, kept on the inbound message so later replies thread by it. */
  emailMessageId?: string | null | undefined;
  at: string;
  actor: Actor;
}

/**
 * Opens a case inside the caller's transaction. A complaint id opens at most
 * one case: a later event for the same complaint adds its words to that case
 * as another inbound message.
 */
export async function openCase(
  db: Kysely<DB>,
  clock: Clock,
  input: OpenCaseInput,
): Promise<{ id: string; number: number; created: boolean }> {
  const emailId = input.emailMessageId ?? null;
  if (input.caseId && input.body) {
    const threaded = await db
      .selectFrom('cases')
      .select(['id', 'number'])
      .where('store_id', '=', input.storeId)
      .where('id', '=', input.caseId)
      .executeTakeFirst();
    if (threaded) {
      const messageId = await addWords(db, clock, input, threaded.id, input.body);
      await recordActivity(db, input.storeId, threaded.id, input.at, input.actor, 'customer.replied', {
        event: input.openedByEvent,
        channel: input.channel,
        messageId,
      });
      return { ...threaded, created: false };
    }
  }
  if (input.complaintId) {
    const existing = await db
      .selectFrom('cases')
      .select(['id', 'number'])
      .where('store_id', '=', input.storeId)
      .where('complaint_id', '=', input.complaintId)
      .executeTakeFirst();
    if (existing) {
      if (input.body) await addWords(db, clock, input, existing.id, input.body);
      await recordActivity(db, input.storeId, existing.id, input.at, input.actor, 'complaint.repeated', { event: input.openedByEvent });
      return { ...existing, created: false };
    }
  }
  // We found this order's failure first: the customer's words join that case rather than open another.
  if (input.source === 'reactive' && input.orderId && input.complaintId && input.body) {
    const proactive = await db
      .selectFrom('cases')
      .select(['id', 'number'])
      .where('store_id', '=', input.storeId)
      .where('order_id', '=', input.orderId)
      .where('source', '=', 'proactive')
      .where('complaint_id', 'is', null)
      .where('status', 'not in', ['resolved', 'closed'])
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    if (proactive) {
      await db
        .updateTable('cases')
        .set({ complaint_id: input.complaintId, channel: input.channel, updated_at: input.at })
        .where('store_id', '=', input.storeId)
        .where('id', '=', proactive.id)
        .execute();
      await recordActivity(db, input.storeId, proactive.id, input.at, input.actor, 'complaint.joined', {
        complaintId: input.complaintId,
        channel: input.channel,
        event: input.openedByEvent,
      });
      const messageId = await addInboundMessage(db, clock, input.storeId, proactive.id, input.customerId, input.body, input.at, emailId);
      await intakeFollowUp(db, { storeId: input.storeId, caseId: proactive.id, messageId, body: input.body, at: input.at });
      return { ...proactive, created: false };
    }
  }
  const seq = await db
    .updateTable('stores')
    .set((eb) => ({ case_seq: eb('case_seq', '+', 1) }))
    .where('id', '=', input.storeId)
    .returning('case_seq')
    .executeTakeFirstOrThrow();
  const id = newId('case', clock);
  await db
    .insertInto('cases')
    .values({
      store_id: input.storeId,
      id,
      number: seq.case_seq,
      status: 'new',
      source: input.source,
      channel: input.channel,
      customer_id: input.customerId,
      order_id: input.orderId,
      complaint_id: input.complaintId,
      subject: input.subject,
      assignee_id: null,
      opened_by_event: input.openedByEvent,
      created_at: input.at,
      updated_at: input.at,
      resolved_at: null,
      closed_at: null,
    })
    .execute();
  await recordActivity(db, input.storeId, id, input.at, input.actor, 'case.opened', {
    source: input.source,
    channel: input.channel,
    event: input.openedByEvent,
  });
  if (input.body) {
    const messageId = await addInboundMessage(db, clock, input.storeId, id, input.customerId, input.body, input.at, emailId);
    if (input.source === 'reactive') {
      await intakeNewCase(db, clock, {
        storeId: input.storeId,
        caseId: id,
        caseNumber: seq.case_seq,
        channel: input.channel,
        customerId: input.customerId,
        orderId: input.orderId,
        subject: input.subject,
        body: input.body,
        messageId,
        reviewRating: input.reviewRating,
        at: input.at,
      });
    }
  }
  // Proactive cases are told once settled (monitors.service), with their finding and remedy.
  if (input.source === 'reactive') await notifyOpened(db, input.storeId, id, input.at);
  return { id, number: seq.case_seq, created: true };
}

/** The customer wrote again on an open or finished case: their words, re-triaged (a finished case reopens). */
async function addWords(db: Kysely<DB>, clock: Clock, input: OpenCaseInput, caseId: string, body: string): Promise<string> {
  const messageId = await addInboundMessage(
    db,
    clock,
    input.storeId,
    caseId,
    input.customerId,
    body,
    input.at,
    input.emailMessageId ?? null,
  );
  await intakeFollowUp(db, { storeId: input.storeId, caseId, messageId, body, at: input.at });
  await db.updateTable('cases').set({ updated_at: input.at }).where('store_id', '=', input.storeId).where('id', '=', caseId).execute();
  return messageId;
}

async function addInboundMessage(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  caseId: string,
  customerId: string | null,
  body: string,
  at: string,
  emailMessageId: string | null,
): Promise<string> {
  const id = newId('msg', clock);
  await db
    .insertInto('case_messages')
    .values({
      store_id: storeId,
      id,
      case_id: caseId,
      kind: 'inbound',
      author_type: 'customer',
      author_id: customerId,
      body,
      created_at: at,
      email_message_id: emailMessageId,
    })
    .execute();
  return id;
}

/** `case.opened`, and `case.escalated` when the guardrails sent it straight to the manager queue. */
export async function notifyOpened(db: Kysely<DB>, storeId: string, caseId: string, at: string): Promise<void> {
  const c = await caseFacts(db, storeId, caseId);
  if (!c) return;
  await notify(db, storeId, 'case.opened', c.data, at);
  if (c.data.queue === 'manager') {
    const firings = JSON.parse(c.guardrails) as { rule: string; reason: string }[];
    const reason = firings.map((f) => f.reason).join('; ') || 'routed to the manager queue';
    await notify(db, storeId, 'case.escalated', { ...c.data, reason, fromQueue: null }, at);
  }
}
