import type { Kysely, Selectable } from 'kysely';
import { queueCaseMessage, replyChannelFor } from '../channels/outbox.ts';
import type { CustomerTier } from '../customers/tier.ts';
import type { Clock } from '../platform/clock.ts';
import type { CaseMessagesTable, CasesTable, DB } from '../platform/db/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../platform/http/schemas.ts';
import { newId } from '../platform/ids.ts';
import { avertableFiring, type GuardrailFiring, guardrailGuidance } from '../triage/guardrails.ts';
import type { Emotion, IssueKind, Severity, TriageResult } from '../triage/labels.ts';
import { type Actor, recordActivity } from './case-timeline.ts';
import { type CaseSort, encodePriorityCursor, type InboxView, priorityKey, priorityOrder, type Viewer, viewCondition } from './inbox.ts';
import { type CaseSource, type CaseStatus, transition } from './lifecycle.ts';
import type { PriorityFactor } from './priority.ts';
import type { Queue } from './route-case.ts';
import { caseSlaView, meetFirstResponse, onCaseStatusChanged } from './sla.service.ts';
import type { Priority } from './sla.ts';

export interface CaseSummary {
  id: string;
  /** In lists only: the customer's name (or e-mail), so a list is one request, not one per row. */
  customerName?: string | null;
  number: number;
  status: CaseStatus;
  source: CaseSource;
  channel: string | null;
  customerId: string | null;
  orderId: string | null;
  subject: string | null;
  assigneeId: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  /** Triage labels; null until the case has been triaged (a case with no customer words). */
  kind: IssueKind | null;
  severity: Severity | null;
  emotion: { primary: Emotion; intensity: number } | null;
  priority: { level: Priority; score: number } | null;
  queue: Queue | null;
  customerTier: CustomerTier | null;
  avertable: boolean;
  /** SLA due instants (null while the clock is paused or when there is none). */
  due: { firstResponse: string | null; resolution: string | null };
  firstRespondedAt: string | null;
}

export function toCase(r: Selectable<CasesTable>): CaseSummary {
  return {
    id: r.id,
    number: r.number,
    status: r.status as CaseStatus,
    source: r.source as CaseSource,
    channel: r.channel,
    customerId: r.customer_id,
    orderId: r.order_id,
    subject: r.subject,
    assigneeId: r.assignee_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
    kind: r.kind as IssueKind | null,
    severity: r.severity === null ? null : (Number(r.severity) as Severity),
    emotion: r.emotion === null ? null : { primary: r.emotion as Emotion, intensity: Number(r.emotion_intensity ?? 0) },
    priority: r.priority === null ? null : { level: r.priority as Priority, score: Number(r.priority_score ?? 0) },
    queue: r.queue as Queue | null,
    customerTier: r.customer_tier as CustomerTier | null,
    avertable: Number(r.avertable) === 1,
    due: { firstResponse: r.first_response_due_at, resolution: r.resolution_due_at },
    firstRespondedAt: r.first_responded_at,
  };
}

export interface CaseFilter {
  status?: CaseStatus[] | undefined;
  source?: CaseSource | undefined;
  /** A user id, or `none` for unassigned cases. */
  assignee?: string | undefined;
  customerId?: string | undefined;
  queue?: Queue | undefined;
  /** One of the inbox's queues, for the viewer (see inbox.ts). */
  view?: InboxView | undefined;
  sort?: CaseSort | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/**
 * Newest first (keyset on created_at, id) or in priority order (keyset on the whole sort key, see inbox.ts).
 * `viewer` says whose `mine` and which `now` a view means; it is only needed with `view`.
 */
export async function listCases(
  db: Kysely<DB>,
  storeId: string,
  f: CaseFilter,
  viewer?: Viewer,
): Promise<{ cases: CaseSummary[]; nextCursor: string | null }> {
  let q = db.selectFrom('cases').selectAll().where('store_id', '=', storeId);
  if (f.status && f.status.length > 0) q = q.where('status', 'in', f.status);
  if (f.source) q = q.where('source', '=', f.source);
  if (f.assignee === 'none') q = q.where('assignee_id', 'is', null);
  else if (f.assignee) q = q.where('assignee_id', '=', f.assignee);
  if (f.customerId) q = q.where('customer_id', '=', f.customerId);
  if (f.queue) q = q.where('queue', '=', f.queue);
  if (f.createdFrom) q = q.where('created_at', '>=', f.createdFrom);
  if (f.createdTo) q = q.where('created_at', '<', f.createdTo);
  if (f.view) {
    const view = f.view;
    const who = viewer ?? { userId: null, now: new Date(0) };
    q = q.where((eb) => viewCondition(eb, view, who));
  }
  if (f.sort === 'priority') {
    const rows = await priorityOrder(q, f.cursor)
      .limit(f.limit + 1)
      .execute();
    const page = rows.slice(0, f.limit).map(toCase);
    const last = page.at(-1);
    return {
      cases: await withCustomerNames(db, storeId, page),
      nextCursor: rows.length > f.limit && last ? encodePriorityCursor(priorityKey(last)) : null,
    };
  }
  if (f.cursor) {
    const [createdAt, id] = decodeCursor(f.cursor, 2) as [string, string];
    q = q.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1)
    .execute();
  const page = rows.slice(0, f.limit).map(toCase);
  const last = page.at(-1);
  return {
    cases: await withCustomerNames(db, storeId, page),
    nextCursor: rows.length > f.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}

/** Each case with its customer's name (else e-mail, else null): one query for the whole page. */
async function withCustomerNames(db: Kysely<DB>, storeId: string, page: CaseSummary[]): Promise<CaseSummary[]> {
  const ids = [...new Set(page.map((c) => c.customerId).filter((id): id is string => id !== null))];
  if (ids.length === 0) return page.map((c) => ({ ...c, customerName: null }));
  const rows = await db
    .selectFrom('customers')
    .select(['id', 'name', 'email'])
    .where('store_id', '=', storeId)
    .where('id', 'in', ids)
    .execute();
  const names = new Map(rows.map((r) => [r.id, r.name ?? r.email ?? null]));
  return page.map((c) => ({ ...c, customerName: c.customerId ? (names.get(c.customerId) ?? null) : null }));
}

async function loadCase(db: Kysely<DB>, storeId: string, caseId: string): Promise<Selectable<CasesTable>> {
  const row = await db.selectFrom('cases').selectAll().where('store_id', '=', storeId).where('id', '=', caseId).executeTakeFirst();
  if (!row) throw notFound('case', caseId);
  return row;
}

export interface TimelineEntry {
  at: string;
  kind: 'activity' | 'message' | 'event';
  type: string;
  actor?: { type: string; id: string | null } | undefined;
  data: Record<string, unknown>;
}

export interface CaseMessage {
  id: string;
  kind: 'inbound' | 'reply' | 'note';
  authorType: string;
  authorId: string | null;
  body: string;
  createdAt: string;
  /** Replies: `queued` until a channel delivers them. */
  status: string | null;
  channel: string | null;
  subject: string | null;
  locale: string | null;
  template: string | null;
  /** Inbound messages: the triage of these words, with evidence. */
  triage: TriageResult | null;
}

export interface SlaView {
  metric: 'first_response' | 'resolution';
  status: string;
  targetMinutes: number;
  startedAt: string;
  dueAt: string | null;
  warnAt: string | null;
  pausedAt: string | null;
  metAt: string | null;
  breached: boolean;
  percentUsed: number;
}

export interface CaseDetail extends CaseSummary {
  /** The opening words' triage: every label with the phrases and rules that produced it. */
  triage: TriageResult | null;
  guardrails: GuardrailFiring[];
  /** For whoever writes the next reply, from the guardrails that fired. */
  guidance: string[];
  priorityFactors: PriorityFactor[];
  sla: SlaView[];
  /** The instant acknowledgement sent when the case opened, if any. */
  acknowledgement: CaseMessage | null;
  messages: CaseMessage[];
  /** Activities, messages and the order's events, oldest first. */
  timeline: TimelineEntry[];
}

function toMessage(m: Selectable<CaseMessagesTable>): CaseMessage {
  return {
    id: m.id,
    kind: m.kind as CaseMessage['kind'],
    authorType: m.author_type,
    authorId: m.author_id,
    body: m.body,
    createdAt: m.created_at,
    status: m.status,
    channel: m.channel,
    subject: m.subject,
    locale: m.locale,
    template: m.template,
    triage: m.triage ? (JSON.parse(m.triage) as TriageResult) : null,
  };
}

export async function getCase(db: Kysely<DB>, storeId: string, caseId: string, now: Date): Promise<CaseDetail> {
  const row = await loadCase(db, storeId, caseId);
  const [activities, messages, events, sla] = await Promise.all([
    db.selectFrom('case_activities').selectAll().where('store_id', '=', storeId).where('case_id', '=', caseId).orderBy('seq').execute(),
    db
      .selectFrom('case_messages')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    row.order_id
      ? db
          .selectFrom('events')
          .select(['id', 'type', 'occurred_at', 'data'])
          .where('store_id', '=', storeId)
          .where('order_id', '=', row.order_id)
          .orderBy('seq')
          .limit(200)
          .execute()
      : Promise.resolve([]),
    caseSlaView(db, storeId, caseId, now.toISOString()),
  ]);
  const msgs = messages.map(toMessage);
  const timeline: TimelineEntry[] = [
    ...activities.map((a) => ({
      at: a.at,
      kind: 'activity' as const,
      type: a.type,
      actor: { type: a.actor_type, id: a.actor_id },
      data: JSON.parse(a.data) as Record<string, unknown>,
    })),
    ...msgs.map((m) => ({
      at: m.createdAt,
      kind: 'message' as const,
      type: `message.${m.kind}`,
      actor: { type: m.authorType, id: m.authorId },
      data: { messageId: m.id, body: m.body },
    })),
    ...events.map((e) => ({
      at: e.occurred_at,
      kind: 'event' as const,
      type: e.type,
      data: { eventId: e.id, ...(JSON.parse(e.data) as Record<string, unknown>) },
    })),
  ];
  // Stable: entries at the same instant keep the order above (activity, message, event).
  timeline.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const guardrails = JSON.parse(row.guardrails) as GuardrailFiring[];
  return {
    ...toCase(row),
    triage: row.triage ? (JSON.parse(row.triage) as TriageResult) : null,
    guardrails,
    // A cleared avertable flag stays in the history but no longer guides the reply.
    guidance: [
      ...new Set(guardrails.filter((g) => g.rule !== 'avertable' || Number(row.avertable) === 1).map((g) => guardrailGuidance[g.rule])),
    ],
    priorityFactors: row.priority_factors ? (JSON.parse(row.priority_factors) as PriorityFactor[]) : [],
    sla: sla as SlaView[],
    acknowledgement: msgs.find((m) => m.template !== null && m.authorType === 'system') ?? null,
    messages: msgs,
    timeline,
  };
}

export async function addMessage(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  caseId: string,
  input: { kind: 'reply' | 'note'; body: string },
  actor: Actor,
): Promise<CaseMessage> {
  const at = clock.now().toISOString();
  return db.transaction().execute(async (trx) => {
    const row = await loadCase(trx, storeId, caseId);
    const isReply = input.kind === 'reply';
    const message: CaseMessage = {
      id: newId('msg', clock),
      kind: input.kind,
      authorType: actor.type,
      authorId: actor.id,
      body: input.body,
      createdAt: at,
      status: isReply ? 'queued' : null,
      channel: isReply ? replyChannelFor(row.channel) : null,
      subject: null,
      locale: null,
      template: null,
      triage: null,
    };
    if (isReply) {
      await queueCaseMessage(trx, clock, {
        id: message.id,
        storeId,
        caseId,
        authorType: actor.type,
        authorId: actor.id,
        body: input.body,
        channel: replyChannelFor(row.channel),
        at,
      });
    } else {
      await trx
        .insertInto('case_messages')
        .values({
          store_id: storeId,
          id: message.id,
          case_id: caseId,
          kind: input.kind,
          author_type: actor.type,
          author_id: actor.id,
          body: input.body,
          created_at: at,
        })
        .execute();
    }
    await trx.updateTable('cases').set({ updated_at: at }).where('store_id', '=', storeId).where('id', '=', caseId).execute();
    await recordActivity(trx, storeId, caseId, at, actor, input.kind === 'note' ? 'note.added' : 'reply.added', { messageId: message.id });
    // The first reply written by a person answers the first-response SLA; the instant acknowledgement does not.
    if (isReply) await meetFirstResponse(trx, storeId, caseId, at);
    return message;
  });
}

export async function changeStatus(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  caseId: string,
  to: CaseStatus,
  actor: Actor,
  reason?: string,
): Promise<CaseSummary> {
  const at = clock.now().toISOString();
  return db.transaction().execute(async (trx) => {
    const row = await loadCase(trx, storeId, caseId);
    const from = row.status as CaseStatus;
    const t = transition(from, to, at);
    if (!t.ok) {
      throw new AppError(
        409,
        'invalid_transition',
        `a ${from} case cannot become ${to}; allowed: ${t.allowed.join(', ') || 'none'}`,
        'status',
        {
          from,
          to,
          allowed: t.allowed,
        },
      );
    }
    const set: Partial<Selectable<CasesTable>> = { status: to, updated_at: at };
    if (t.stamps.resolvedAt !== undefined) set.resolved_at = t.stamps.resolvedAt;
    if (t.stamps.closedAt !== undefined) set.closed_at = t.stamps.closedAt;
    // Guarded by the status read above, so two racing changes cannot both apply.
    const updated = await trx
      .updateTable('cases')
      .set(set)
      .where('store_id', '=', storeId)
      .where('id', '=', caseId)
      .where('status', '=', from)
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw new AppError(409, 'conflict', 'the case changed meanwhile; reload and try again');
    await recordActivity(trx, storeId, caseId, at, actor, 'status.changed', { from, to, ...(reason ? { reason } : {}) });
    await onCaseStatusChanged(trx, storeId, caseId, from, to, at);
    const fresh = await loadCase(trx, storeId, caseId);
    return toCase(fresh);
  });
}

export async function assignCase(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  caseId: string,
  assigneeId: string | null,
  actor: Actor,
): Promise<CaseSummary> {
  const at = clock.now().toISOString();
  return db.transaction().execute(async (trx) => {
    const row = await loadCase(trx, storeId, caseId);
    if (assigneeId !== null) {
      const user = await trx
        .selectFrom('users')
        .select('id')
        .where('store_id', '=', storeId)
        .where('id', '=', assigneeId)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      if (!user) throw new AppError(400, 'invalid_request', `no active user ${assigneeId} in this store`, 'assigneeId');
    }
    const updated = await trx
      .updateTable('cases')
      .set({ assignee_id: assigneeId, updated_at: at })
      .where('store_id', '=', storeId)
      .where('id', '=', caseId)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (row.assignee_id !== assigneeId) {
      await recordActivity(trx, storeId, caseId, at, actor, 'assignee.changed', { from: row.assignee_id, to: assigneeId });
    }
    return toCase(updated);
  });
}

/** Open and closed case counts by status: of one store, or of all (for /metrics). */
export async function casesByStatus(db: Kysely<DB>, storeId?: string): Promise<Record<string, number>> {
  let q = db.selectFrom('cases').select(['status', (eb) => eb.fn.countAll<number>().as('n')]);
  if (storeId !== undefined) q = q.where('store_id', '=', storeId);
  const rows = await q.groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/**
 * An agent (or, later, an incident) says the failure could have been avoided.
 * That is a guardrail: the case goes to the manager queue, and the firing is
 * kept on the case with its reason. Clearing it is recorded, not erased.
 */
export async function setAvertable(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  caseId: string,
  input: { avertable: boolean; reason: string },
  actor: Actor,
): Promise<CaseSummary> {
  const at = clock.now().toISOString();
  return db.transaction().execute(async (trx) => {
    const row = await loadCase(trx, storeId, caseId);
    const was = Number(row.avertable) === 1;
    if (was === input.avertable) return toCase(row);
    if (input.avertable) {
      const firing = avertableFiring(input.reason, at);
      const firings = [...(JSON.parse(row.guardrails) as GuardrailFiring[]), firing];
      await trx
        .updateTable('cases')
        .set({ avertable: 1, guardrails: JSON.stringify(firings), queue: 'manager', updated_at: at })
        .where('store_id', '=', storeId)
        .where('id', '=', caseId)
        .execute();
      await recordActivity(trx, storeId, caseId, at, actor, 'guardrail.fired', {
        rule: firing.rule,
        reason: firing.reason,
        effect: firing.effect,
        fromQueue: row.queue,
      });
    } else {
      await trx
        .updateTable('cases')
        .set({ avertable: 0, updated_at: at })
        .where('store_id', '=', storeId)
        .where('id', '=', caseId)
        .execute();
      await recordActivity(trx, storeId, caseId, at, actor, 'avertable.cleared', { reason: input.reason });
    }
    return toCase(await loadCase(trx, storeId, caseId));
  });
}
