/**
 * Domain notifications: what happened to a case, an incident or a
 * compensation, told to the store's outbound webhook endpoints and, for the
 * things a team must act on, to its Slack channel. Called inside the
 * transaction that made the change, so a notification is queued exactly when
 * the change commits; the outbox delivers it.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.ts';
import { newId } from '../platform/ids.ts';
import { loadChannelSettings } from './channel-settings.ts';
import { clockAt, queueOutbox } from './outbox.ts';

export const notificationTypes = [
  'case.opened',
  'case.status_changed',
  'case.resolved',
  'case.escalated',
  'sla.breached',
  'incident.opened',
  'incident.resolved',
  'compensation.pending_approval',
  'compensation.approved',
  'compensation.rejected',
  'compensation.issued',
  'compensation.failed',
  'survey.low_score',
  'analytics.recurring_issue',
] as const;
export type NotificationType = (typeof notificationTypes)[number];

/** What goes to Slack unless the store chose otherwise: what a person has to act on. */
export const defaultAlertTypes: readonly NotificationType[] = [
  'case.escalated',
  'sla.breached',
  'incident.opened',
  'compensation.pending_approval',
  'survey.low_score',
  'analytics.recurring_issue',
];

/** The body of a webhook delivery (and what an alert is rendered from). */
export interface Notification {
  /** Unique per notification; the same across redeliveries and replays of it. */
  id: string;
  type: NotificationType;
  store: string;
  createdAt: string;
  data: Record<string, unknown>;
}

/** `case.*` matches every case notification, `*` everything, anything else itself. */
export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === type) return true;
  return pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1));
}

export async function notify(
  db: Kysely<DB>,
  storeId: string,
  type: NotificationType,
  data: Record<string, unknown>,
  at: string,
): Promise<void> {
  const endpoints = await db
    .selectFrom('webhook_endpoints')
    .select(['id', 'events'])
    .where('store_id', '=', storeId)
    .where('active', '=', 1)
    .execute();
  const settings = await loadChannelSettings(db, storeId);
  const alertTypes = settings.slack?.events ?? defaultAlertTypes;
  const toSlack = settings.slack !== undefined && alertTypes.some((p) => matchesPattern(p, type));
  const targets = endpoints.filter((e) => (JSON.parse(e.events) as string[]).some((p) => matchesPattern(p, type)));
  if (targets.length === 0 && !toSlack) return;
  const n: Notification = { id: newId('evt', clockAt(at)), type, store: storeId, createdAt: at, data };
  const caseId = typeof data.caseId === 'string' ? data.caseId : null;
  for (const e of targets) {
    await queueOutbox(db, {
      storeId,
      kind: 'webhook',
      channel: 'webhook',
      endpointId: e.id,
      eventType: type,
      caseId,
      payload: n,
      at,
    });
  }
  if (toSlack) {
    await queueOutbox(db, { storeId, kind: 'alert', channel: 'slack', eventType: type, caseId, payload: n, at });
  }
}

/** What a case notification says about the case as it stands (number, status, triage, queue), or null if gone. */
export async function caseFacts(
  db: Kysely<DB>,
  storeId: string,
  caseId: string,
): Promise<{ data: Record<string, unknown>; guardrails: string } | null> {
  const c = await db
    .selectFrom('cases')
    .select([
      'number',
      'status',
      'source',
      'channel',
      'kind',
      'severity',
      'priority',
      'queue',
      'customer_id',
      'customer_tier',
      'order_id',
      'subject',
      'incident_id',
      'guardrails',
    ])
    .where('store_id', '=', storeId)
    .where('id', '=', caseId)
    .executeTakeFirst();
  if (!c) return null;
  return {
    data: {
      caseId,
      number: Number(c.number),
      status: c.status,
      source: c.source,
      channel: c.channel,
      kind: c.kind,
      severity: c.severity === null ? null : Number(c.severity),
      priority: c.priority,
      queue: c.queue,
      customerId: c.customer_id,
      tier: c.customer_tier,
      orderId: c.order_id,
      subject: c.subject,
      incidentId: c.incident_id,
    },
    guardrails: c.guardrails,
  };
}

/** A case notification: the case as it stands plus what happened. */
export async function notifyCase(
  db: Kysely<DB>,
  storeId: string,
  caseId: string,
  type: NotificationType,
  extra: Record<string, unknown>,
  at: string,
): Promise<void> {
  const c = await caseFacts(db, storeId, caseId);
  if (c) await notify(db, storeId, type, { ...c.data, ...extra }, at);
}
