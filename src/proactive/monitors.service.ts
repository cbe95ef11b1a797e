/**
 * What happens when a monitor fires: the firing is recorded once per subject,
 * grouped into the incident of its cause, and turned into one case per
 * affected customer (or noted on the case the customer already has), with
 * one pre-emptive message per incident per customer — sent at once, or
 * waiting for quiet hours, the contact cool-down or the minimum lateness.
 * Everything runs in the caller's transaction (the ingest transaction, or a
 * job's), so a firing, its case and its message commit together.
 */

import { type Kysely, sql } from 'kysely';
import { IANAZone } from 'luxon';
import { type Actor, recordActivity } from '../cases/case-timeline.ts';
import { settleCase, suggestOffers } from '../cases/intake.ts';
import { type CaseStatus, transition } from '../cases/lifecycle.ts';
import { notifyOpened, openCase } from '../cases/open-case.ts';
import { onCaseStatusChanged } from '../cases/sla.service.ts';
import { notify } from '../channels/notify.ts';
import { queueCaseMessage } from '../channels/outbox.ts';
import { addSystemUpdate } from '../community/status/system-updates.ts';
import { recordFailure } from '../customers/customer-projection.ts';
import type { Clock } from '../platform/clock.ts';
import type { DB } from '../platform/db/schema.ts';
import { newId } from '../platform/ids.ts';
import type { JobDefinition, JobQueue } from '../platform/jobs/jobs.ts';
import type { ProactiveSettings } from '../policy/policy.schema.ts';
import { activePolicy } from '../policy/policy.service.ts';
import { type ProactiveReason, renderProactiveMessage } from '../replies/proactive-message.ts';
import type { IssueKind, Severity } from '../triage/labels.ts';
import { contactAt } from './contact-plan.ts';

export const monitorNames = [
  'shipment_late',
  'tracking_stalled',
  'delivery_exception',
  'lost',
  'payment_failed',
  'payment_failure_rate',
  'metric_threshold',
  'backorder',
] as const;
export type MonitorName = (typeof monitorNames)[number];

const system: Actor = { type: 'system', id: null };

/** The later of two ISO instants (they compare as text). */
function laterOf(a: string, b: string): string {
  return a > b ? a : b;
}

/** What the pre-emptive message can say about the failure. */
export interface FiringDetails {
  carrier?: string | null;
  region?: string | null;
  promisedBy?: string | null;
  lastCarrierEventAt?: string | null;
  shipmentId?: string | null;
  lateByMinutes?: number;
  paymentId?: string;
  payment?: { amount: number; currency: string } | null;
  reason?: string | null;
  sku?: string;
  itemName?: string | null;
  restockAt?: string | null;
  metric?: string;
  value?: number;
  outageStartedAt?: string | null;
}

export interface IncidentCause {
  /** Firings with the same key are one incident (carrier, region and day; an outage window; a SKU and day). */
  key: string;
  title: string;
  data: Record<string, unknown>;
  public: boolean;
  /** Why it could have been avoided, when it could (it then goes to a manager). */
  avertable: string | null;
}

export interface Firing {
  storeId: string;
  monitor: MonitorName;
  /** The order, shipment or payment the monitor looked at: it fires once per subject. */
  subjectKey: string;
  customerId: string | null;
  orderId: string | null;
  /** The failure's moment: the deadline passing, the payment failing, the scan that said "lost". */
  failureAt: string;
  kind: IssueKind;
  severity: Severity;
  cause: IncidentCause;
  details: FiringDetails;
  /** Not before this is a message worth sending (minimum lateness); the case is only logged until then. */
  contactFrom: string;
}

export interface MonitorDeps {
  clock: Clock;
  queue: JobQueue;
  contactJob: JobDefinition<ContactJobData>;
  settings: (db: Kysely<DB>, storeId: string) => Promise<ProactiveSettings>;
}

export interface ContactJobData {
  storeId: string;
  incidentId: string;
  customerId: string;
}

const reasonOf: Record<MonitorName, ProactiveReason> = {
  shipment_late: 'shipment_late',
  tracking_stalled: 'tracking_stalled',
  delivery_exception: 'delivery_exception',
  lost: 'lost',
  payment_failed: 'payment_failed',
  payment_failure_rate: 'payment_failed',
  metric_threshold: 'outage',
  backorder: 'backorder',
};

/** The incident for this cause: found, or opened by this firing. */
export async function incidentFor(
  db: Kysely<DB>,
  clock: Clock,
  f: Pick<Firing, 'storeId' | 'monitor' | 'kind' | 'severity' | 'cause' | 'failureAt'>,
): Promise<{ id: string; created: boolean }> {
  const now = clock.now().toISOString();
  const id = newId('inc', clock);
  const inserted = await db
    .insertInto('incidents')
    .values({
      store_id: f.storeId,
      id,
      monitor: f.monitor,
      kind: f.kind,
      severity: f.severity,
      cause_key: f.cause.key,
      cause: JSON.stringify(f.cause.data),
      title: f.cause.title,
      avertable: f.cause.avertable ? 1 : 0,
      status: 'open',
      public: f.cause.public ? 1 : 0,
      started_at: f.failureAt,
      resolved_at: null,
      firings: 0,
      affected_customers: 0,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['store_id', 'cause_key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
    // Every way an incident opens (a firing, a metric over its threshold) tells the store's webhooks and alerts.
    await notifyIncident(db, f.storeId, id, 'incident.opened', now);
    await addSystemUpdate(db, f.storeId, id, 'opened', now);
    return { id, created: true };
  }
  const found = await db
    .selectFrom('incidents')
    .select('id')
    .where('store_id', '=', f.storeId)
    .where('cause_key', '=', f.cause.key)
    .executeTakeFirstOrThrow();
  return { id: found.id, created: false };
}

/** A person resolved it by hand and its cause failed again (a new firing): it is not over, so it opens again. */
export async function reopenIncident(db: Kysely<DB>, storeId: string, incidentId: string, at: string): Promise<boolean> {
  const reopened = await db
    .updateTable('incidents')
    .set({ status: 'open', resolved_at: null, updated_at: at })
    .where('store_id', '=', storeId)
    .where('id', '=', incidentId)
    .where('status', '=', 'resolved')
    .executeTakeFirst();
  const done = Number(reopened.numUpdatedRows) > 0;
  if (done) await notifyIncident(db, storeId, incidentId, 'incident.opened', at);
  if (done) await addSystemUpdate(db, storeId, incidentId, 'reopened', at);
  return done;
}

/** `statusUpdate: false` when a person resolves it with their own words for the status page. */
export async function resolveIncident(
  db: Kysely<DB>,
  storeId: string,
  incidentId: string,
  at: string,
  opts: { statusUpdate?: boolean } = {},
): Promise<boolean> {
  const r = await db
    .updateTable('incidents')
    .set({ status: 'resolved', resolved_at: at, updated_at: at })
    .where('store_id', '=', storeId)
    .where('id', '=', incidentId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  const resolved = Number(r.numUpdatedRows) > 0;
  if (resolved) await notifyIncident(db, storeId, incidentId, 'incident.resolved', at);
  if (resolved && opts.statusUpdate !== false) await addSystemUpdate(db, storeId, incidentId, 'resolved', at);
  return resolved;
}

async function notifyIncident(
  db: Kysely<DB>,
  storeId: string,
  incidentId: string,
  type: 'incident.opened' | 'incident.resolved',
  at: string,
): Promise<void> {
  const i = await db.selectFrom('incidents').selectAll().where('store_id', '=', storeId).where('id', '=', incidentId).executeTakeFirst();
  if (!i) return;
  await notify(
    db,
    storeId,
    type,
    {
      incidentId,
      monitor: i.monitor,
      kind: i.kind,
      severity: Number(i.severity),
      title: i.title,
      cause: JSON.parse(i.cause) as unknown,
      avertable: Number(i.avertable) === 1,
      public: Number(i.public) === 1,
      status: i.status,
      startedAt: i.started_at,
      resolvedAt: i.resolved_at,
      affectedCustomers: Number(i.affected_customers),
    },
    at,
  );
}

export type FireResult =
  | { fired: false }
  | { fired: true; incidentId: string; caseId: string | null; joined: boolean; contact: 'sent' | 'waiting' | 'skipped' | 'none' };

/** Records a firing and acts on it. Firing the same monitor on the same subject again changes nothing. */
export async function fire(db: Kysely<DB>, deps: MonitorDeps, f: Firing): Promise<FireResult> {
  const now = deps.clock.now().toISOString();
  const incident = await incidentFor(db, deps.clock, f);
  const firingId = newId('fire', deps.clock);
  const recorded = await db
    .insertInto('monitor_firings')
    .values({
      store_id: f.storeId,
      id: firingId,
      monitor: f.monitor,
      subject_key: f.subjectKey,
      incident_id: incident.id,
      customer_id: f.customerId,
      order_id: f.orderId,
      case_id: null,
      severity: f.severity,
      failure_at: f.failureAt,
      fired_at: now,
      details: JSON.stringify(f.details),
    })
    .onConflict((oc) => oc.columns(['store_id', 'monitor', 'subject_key']).doNothing())
    .executeTakeFirst();
  if (Number(recorded.numInsertedOrUpdatedRows ?? 0) === 0) return { fired: false };
  if (!incident.created) await reopenIncident(db, f.storeId, incident.id, now);
  await db
    .updateTable('incidents')
    .set((eb) => ({
      firings: eb('firings', '+', 1),
      severity: sql<number>`case when severity < ${f.severity} then ${f.severity} else severity end`,
      updated_at: now,
    }))
    .where('store_id', '=', f.storeId)
    .where('id', '=', incident.id)
    .execute();
  if (!f.customerId) return { fired: true, incidentId: incident.id, caseId: null, joined: false, contact: 'none' };
  // A failure of the order counts in the customer's relationship (once per order), whoever noticed it first.
  await recordFailure(db, f.storeId, f.failureAt, { orderId: f.orderId, customerId: f.customerId });
  // From here on one firing or contact of this customer at a time: the open-case check and the cool-down see the other's.
  await lockCustomer(db, f.storeId, f.customerId);

  // The customer already has an open case about this order (they wrote first, or another monitor fired): the finding goes on it.
  const existing = f.orderId
    ? await db
        .selectFrom('cases')
        .select(['id', 'source'])
        .where('store_id', '=', f.storeId)
        .where('order_id', '=', f.orderId)
        .where('status', 'not in', ['resolved', 'closed'])
        .orderBy('created_at')
        .limit(1)
        .executeTakeFirst()
    : undefined;
  if (existing) {
    await noteFiring(db, f, firingId, incident.id, existing.id, now);
    return { fired: true, incidentId: incident.id, caseId: existing.id, joined: true, contact: 'none' };
  }

  const opened = await openCase(db, deps.clock, {
    storeId: f.storeId,
    source: 'proactive',
    channel: 'email',
    customerId: f.customerId,
    orderId: f.orderId,
    complaintId: null,
    subject: f.cause.title,
    body: null,
    openedByEvent: null,
    at: now,
    actor: system,
  });
  await noteFiring(db, f, firingId, incident.id, opened.id, now);
  const language = await db
    .selectFrom('customers')
    .select('locale')
    .where('store_id', '=', f.storeId)
    .where('id', '=', f.customerId)
    .executeTakeFirst();
  await settleCase(db, deps.clock, {
    storeId: f.storeId,
    caseId: opened.id,
    channel: 'email',
    customerId: f.customerId,
    orderId: f.orderId,
    at: now,
    failureAt: f.failureAt,
    incidentId: incident.id,
    avertable: f.cause.avertable ? { reason: f.cause.avertable } : null,
    autoIssue: false,
    labels: {
      kind: f.kind,
      severity: f.severity,
      // Nobody has said how they feel yet: we found it first.
      emotion: 'neutral',
      intensity: 0,
      churnThreat: false,
      legalOrPublicThreat: false,
      urgency: false,
      language: language?.locale?.slice(0, 2).toLowerCase() ?? 'en',
      triage: null,
    },
  });

  await notifyOpened(db, f.storeId, opened.id, now);
  const contact = await planContact(
    db,
    deps,
    { storeId: f.storeId, incidentId: incident.id, customerId: f.customerId, caseId: opened.id },
    f,
  );
  return { fired: true, incidentId: incident.id, caseId: opened.id, joined: false, contact };
}

/**
 * Holds the customer's row until the transaction ends (a no-op update: a row lock on PostgreSQL, where several
 * workers run jobs at once; SQLite has one writer already), so a customer's contacts are decided one at a time.
 */
async function lockCustomer(db: Kysely<DB>, storeId: string, customerId: string): Promise<void> {
  await db
    .updateTable('customers')
    .set((eb) => ({ last_contacted_at: eb.ref('last_contacted_at') }))
    .where('store_id', '=', storeId)
    .where('id', '=', customerId)
    .execute();
}

/** The firing belongs to this case, and the case's timeline says what was found. */
async function noteFiring(db: Kysely<DB>, f: Firing, firingId: string, incidentId: string, caseId: string, now: string): Promise<void> {
  await db.updateTable('monitor_firings').set({ case_id: caseId }).where('store_id', '=', f.storeId).where('id', '=', firingId).execute();
  await recordActivity(db, f.storeId, caseId, now, system, 'monitor.fired', {
    monitor: f.monitor,
    incidentId,
    failureAt: f.failureAt,
    ...f.details,
  });
}

/** One contact per incident and customer: sent now, or waiting as a job until it may go. */
async function planContact(
  db: Kysely<DB>,
  deps: MonitorDeps,
  c: ContactJobData & { caseId: string },
  f: Firing,
): Promise<'sent' | 'waiting' | 'skipped'> {
  const now = deps.clock.now().toISOString();
  const inserted = await db
    .insertInto('incident_contacts')
    .values({
      store_id: c.storeId,
      incident_id: c.incidentId,
      customer_id: c.customerId,
      case_id: c.caseId,
      status: 'waiting',
      due_at: now,
      reason: null,
      message_id: null,
      sent_at: null,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['store_id', 'incident_id', 'customer_id']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
    await db
      .updateTable('incidents')
      .set((eb) => ({ affected_customers: eb('affected_customers', '+', 1) }))
      .where('store_id', '=', c.storeId)
      .where('id', '=', c.incidentId)
      .execute();
  } else {
    // The customer's message about this incident was dropped (that order arrived first): this case takes it up.
    const revived = await db
      .updateTable('incident_contacts')
      .set({ status: 'waiting', case_id: c.caseId, due_at: now, reason: null })
      .where('store_id', '=', c.storeId)
      .where('incident_id', '=', c.incidentId)
      .where('customer_id', '=', c.customerId)
      .where('status', '=', 'suppressed')
      .executeTakeFirst();
    if (Number(revived.numUpdatedRows) === 0) {
      await recordActivity(db, c.storeId, c.caseId, now, system, 'outreach.skipped', {
        reason: 'the customer has already been told about this incident',
        incidentId: c.incidentId,
      });
      return 'skipped';
    }
  }
  const earliest = laterOf(f.contactFrom, now);
  const outcome = await sendOrWait(db, deps, c, earliest, f.contactFrom > now ? ['min_lateness'] : []);
  return outcome === 'sent' ? 'sent' : outcome === 'waiting' ? 'waiting' : 'skipped';
}

/** Sends the contact if it may go now; else makes it wait (quiet hours, cool-down, minimum lateness) as a job. */
async function sendOrWait(
  db: Kysely<DB>,
  deps: MonitorDeps,
  c: ContactJobData & { caseId: string },
  earliest: string,
  waitingFor: string[],
): Promise<'sent' | 'waiting' | 'suppressed'> {
  const now = deps.clock.now().toISOString();
  const [settings, customer, store] = await Promise.all([
    deps.settings(db, c.storeId),
    db
      .selectFrom('customers')
      .select(['timezone', 'last_contacted_at'])
      .where('store_id', '=', c.storeId)
      .where('id', '=', c.customerId)
      .executeTakeFirst(),
    db.selectFrom('stores').select('timezone').where('id', '=', c.storeId).executeTakeFirstOrThrow(),
  ]);
  const timezone = customer?.timezone && IANAZone.isValidZone(customer.timezone) ? customer.timezone : store.timezone;
  const plan = contactAt({
    earliest,
    timezone,
    lastContactedAt: customer?.last_contacted_at ?? null,
    rules: settings.contact,
  });
  if (plan.at <= now) return deliverContact(db, deps, c, timezone);
  const why = [...waitingFor, ...plan.waitedFor];
  await db
    .updateTable('incident_contacts')
    .set({ due_at: plan.at, reason: why.join(', ') })
    .where('store_id', '=', c.storeId)
    .where('incident_id', '=', c.incidentId)
    .where('customer_id', '=', c.customerId)
    .execute();
  await deps.queue.send(
    deps.contactJob,
    { storeId: c.storeId, incidentId: c.incidentId, customerId: c.customerId },
    { runAt: new Date(plan.at), singletonKey: `contact:${c.storeId}:${c.incidentId}:${c.customerId}@${plan.at}`, tx: db },
  );
  await recordActivity(db, c.storeId, c.caseId, now, system, 'outreach.waiting', { until: plan.at, because: why });
  return 'waiting';
}

/** The contact job: a waiting message whose time has come, if it is still worth sending. */
export async function runContact(db: Kysely<DB>, deps: MonitorDeps, c: ContactJobData): Promise<void> {
  // Before reading the contact: a twin run of this job, or another incident's contact due at the same instant, waits here
  // for this one to commit, then finds the message sent (or the cool-down started).
  await lockCustomer(db, c.storeId, c.customerId);
  const row = await db
    .selectFrom('incident_contacts')
    .select(['case_id', 'status', 'due_at'])
    .where('store_id', '=', c.storeId)
    .where('incident_id', '=', c.incidentId)
    .where('customer_id', '=', c.customerId)
    .executeTakeFirst();
  if (row?.status !== 'waiting') return;
  const now = deps.clock.now().toISOString();
  // Cool-down is checked again: another incident's message may have gone meanwhile.
  await sendOrWait(db, deps, { ...c, caseId: row.case_id }, laterOf(row.due_at, now), []);
}

/** Monitors of an order's delivery: a message about one is moot once every parcel has arrived (a lost one found, an exception cleared). */
const deliveryMonitors: ReadonlySet<string> = new Set(['shipment_late', 'tracking_stalled', 'delivery_exception', 'lost', 'backorder']);

/** Why a waiting message is no longer worth sending, or null. */
/** A case's status and order, with the first finding that opened it (what its message speaks of). */
async function caseFinding(db: Kysely<DB>, storeId: string, caseId: string) {
  const [kase, firing] = await Promise.all([
    db
      .selectFrom('cases')
      .select(['status', 'order_id'])
      .where('store_id', '=', storeId)
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('monitor_firings')
      .select(['monitor', 'details'])
      .where('store_id', '=', storeId)
      .where('case_id', '=', caseId)
      .orderBy('fired_at')
      .limit(1)
      .executeTakeFirst(),
  ]);
  return { kase, firing };
}

async function noLongerNeeded(
  db: Kysely<DB>,
  storeId: string,
  { kase: c, firing }: Awaited<ReturnType<typeof caseFinding>>,
): Promise<string | null> {
  if (c.status === 'resolved' || c.status === 'closed') return 'the case was resolved first';
  if (!firing) return null;
  const details = JSON.parse(firing.details) as FiringDetails;
  if (deliveryMonitors.has(firing.monitor) && c.order_id) {
    const shipments = await db
      .selectFrom('shipments')
      .select(['status'])
      .where('store_id', '=', storeId)
      .where('order_id', '=', c.order_id)
      .execute();
    if (shipments.length > 0 && shipments.every((s) => s.status === 'delivered'))
      return 'the order was delivered before the message was due';
    const order = await db
      .selectFrom('orders')
      .select('status')
      .where('store_id', '=', storeId)
      .where('id', '=', c.order_id)
      .executeTakeFirst();
    if (order?.status === 'cancelled') return 'the order was cancelled';
  }
  if (firing.monitor === 'payment_failed' && details.paymentId) {
    if (await paidSince(db, storeId, details.paymentId)) return 'the customer paid meanwhile';
  }
  return null;
}

/** A successful payment after this failed one, for the same order (or the same customer when it names no order). */
export async function paidSince(db: Kysely<DB>, storeId: string, paymentId: string): Promise<boolean> {
  const failed = await db
    .selectFrom('payments')
    .select(['order_id', 'customer_id', 'occurred_at'])
    .where('store_id', '=', storeId)
    .where('id', '=', paymentId)
    .executeTakeFirst();
  if (!failed) return false;
  let q = db
    .selectFrom('payments')
    .select('id')
    .where('store_id', '=', storeId)
    .where('status', '=', 'succeeded')
    .where('occurred_at', '>=', failed.occurred_at);
  q = failed.order_id ? q.where('order_id', '=', failed.order_id) : q.where('customer_id', '=', failed.customer_id);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

/**
 * A case nobody was told about, whose failure went away by itself (the parcel came): worked and resolved by
 * Amends, with the reason (new → in_progress → resolved, as the lifecycle has it).
 */
async function resolveQuietly(db: Kysely<DB>, storeId: string, caseId: string, at: string, reason: string): Promise<void> {
  const c = await db
    .selectFrom('cases')
    .select(['status', 'complaint_id'])
    .where('store_id', '=', storeId)
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  // The customer wrote meanwhile (their complaint joined the case): their words still want an answer.
  if (c.status !== 'new' || c.complaint_id !== null) return;
  const steps: [CaseStatus, CaseStatus][] = [
    ['new', 'in_progress'],
    ['in_progress', 'resolved'],
  ];
  for (const [from, to] of steps) {
    if (!transition(from, to, at).ok) return;
    const moved = await db
      .updateTable('cases')
      .set({ status: to, updated_at: at, ...(to === 'resolved' ? { resolved_at: at } : {}) })
      .where('store_id', '=', storeId)
      .where('id', '=', caseId)
      .where('status', '=', from)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) return;
    await recordActivity(db, storeId, caseId, at, system, 'status.changed', { from, to, reason });
    await onCaseStatusChanged(db, storeId, caseId, from, to, at);
  }
}

/** Another open proactive case of this customer in this incident whose message is still worth sending, or null. */
async function otherCaseInNeed(db: Kysely<DB>, c: ContactJobData & { caseId: string }): Promise<string | null> {
  const others = await db
    .selectFrom('cases')
    .select('id')
    .where('store_id', '=', c.storeId)
    .where('customer_id', '=', c.customerId)
    .where('incident_id', '=', c.incidentId)
    .where('source', '=', 'proactive')
    .where('id', '!=', c.caseId)
    .where('status', 'not in', ['resolved', 'closed'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const o of others) if ((await noLongerNeeded(db, c.storeId, await caseFinding(db, c.storeId, o.id))) === null) return o.id;
  return null;
}

async function deliverContact(
  db: Kysely<DB>,
  deps: MonitorDeps,
  c: ContactJobData & { caseId: string },
  timezone: string,
): Promise<'sent' | 'suppressed'> {
  const now = deps.clock.now().toISOString();
  const suppress = async (reason: string) => {
    await db
      .updateTable('incident_contacts')
      .set({ status: 'suppressed', reason })
      .where('store_id', '=', c.storeId)
      .where('incident_id', '=', c.incidentId)
      .where('customer_id', '=', c.customerId)
      .execute();
    await recordActivity(db, c.storeId, c.caseId, now, system, 'outreach.suppressed', { reason });
    return 'suppressed' as const;
  };
  const found = await caseFinding(db, c.storeId, c.caseId);
  const stale = await noLongerNeeded(db, c.storeId, found);
  if (stale) {
    await resolveQuietly(db, c.storeId, c.caseId, now, stale);
    // The customer's other case in this incident (its order still late) was skipped for this message: it goes there.
    const other = await otherCaseInNeed(db, c);
    if (!other) return suppress(stale);
    await recordActivity(db, c.storeId, c.caseId, now, system, 'outreach.suppressed', { reason: stale, movedTo: other });
    await db
      .updateTable('incident_contacts')
      .set({ case_id: other })
      .where('store_id', '=', c.storeId)
      .where('incident_id', '=', c.incidentId)
      .where('customer_id', '=', c.customerId)
      .execute();
    return deliverContact(db, deps, { ...c, caseId: other }, timezone);
  }
  // Decided again now (what was granted meanwhile counts); an automatic remedy is approved with the message that announces it.
  await suggestOffers(db, deps.clock, { storeId: c.storeId, caseId: c.caseId, at: now }, await activePolicy(db, c.storeId), true);
  const { kase, firing } = found;
  if (!firing) throw new Error(`case ${c.caseId} has no monitor finding to write about`);
  const [customer, store, remedy] = await Promise.all([
    db
      .selectFrom('customers')
      .select(['name', 'email', 'locale'])
      .where('store_id', '=', c.storeId)
      .where('id', '=', c.customerId)
      .executeTakeFirst(),
    db.selectFrom('stores').select('name').where('id', '=', c.storeId).executeTakeFirstOrThrow(),
    db
      .selectFrom('compensations')
      .select('label')
      .where('store_id', '=', c.storeId)
      .where('case_id', '=', c.caseId)
      .where('requested_by_type', '=', 'system')
      .where('status', 'in', ['approved', 'issuing', 'issued'])
      .limit(1)
      .executeTakeFirst(),
  ]);
  if (!customer?.email) return suppress('no way to reach the customer');
  const d = JSON.parse(firing.details) as FiringDetails;
  const message = renderProactiveMessage({
    locale: customer.locale,
    customerName: customer.name,
    storeName: store.name,
    reason: reasonOf[firing.monitor as MonitorName],
    orderRef: kase.order_id,
    carrier: d.carrier ?? null,
    promisedBy: d.promisedBy ?? null,
    lastCarrierEventAt: d.lastCarrierEventAt ?? null,
    itemName: d.itemName ?? d.sku ?? null,
    restockAt: d.restockAt ?? null,
    payment: d.payment ?? null,
    outageStartedAt: d.outageStartedAt ?? null,
    remedy: remedy ? { label: remedy.label } : null,
    timezone,
    now,
    signerName: null,
  });
  const messageId = await queueCaseMessage(db, deps.clock, {
    storeId: c.storeId,
    caseId: c.caseId,
    authorType: 'system',
    authorId: null,
    body: message.body,
    subject: message.subject,
    locale: message.locale,
    template: message.template,
    channel: 'email',
    at: now,
  });
  await db
    .updateTable('incident_contacts')
    .set({ status: 'sent', message_id: messageId, sent_at: now })
    .where('store_id', '=', c.storeId)
    .where('incident_id', '=', c.incidentId)
    .where('customer_id', '=', c.customerId)
    .execute();
  await db
    .updateTable('customers')
    .set({ last_contacted_at: now })
    .where('store_id', '=', c.storeId)
    .where('id', '=', c.customerId)
    .execute();
  await recordActivity(db, c.storeId, c.caseId, now, system, 'outreach.sent', {
    messageId,
    incidentId: c.incidentId,
    template: message.template,
    locale: message.locale,
  });
  if (kase.status === 'new' && transition('new', 'acknowledged', now).ok) {
    await db
      .updateTable('cases')
      .set({ status: 'acknowledged', updated_at: now })
      .where('store_id', '=', c.storeId)
      .where('id', '=', c.caseId)
      .execute();
    await recordActivity(db, c.storeId, c.caseId, now, system, 'status.changed', { from: 'new', to: 'acknowledged' });
  }
  return 'sent';
}
