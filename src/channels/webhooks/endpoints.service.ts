/**
 * A store's outbound webhook endpoints and their delivery log. Endpoints are
 * rows in `webhook_endpoints` (notify.ts queues one outbox row per matching
 * active endpoint); deliveries are the outbox rows of kind `webhook`, with
 * their attempts in `outbox_attempts`. A replay is a new outbox row carrying
 * the same notification (same id, so receivers can deduplicate) to the same
 * endpoint, pointing back at the delivery it repeats.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB, OutboxTable, WebhookEndpointsTable } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { attemptLog, type DeliveryAttempt, queueOutbox } from '../outbox.ts';
import { newWebhookSecret } from './webhook-signature.ts';

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDelivery {
  id: string;
  endpointId: string | null;
  eventType: string | null;
  notificationId: string | null;
  status: string;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string;
  lastStatusCode: number | null;
  lastError: string | null;
  /** The receiver's answer (status and the start of its body) when delivered. */
  response: string | null;
  replayOf: string | null;
  sentAt: string | null;
  createdAt: string;
}

type EndpointRow = Omit<WebhookEndpointsTable, 'active'> & { active: number };
type OutboxRow = Omit<OutboxTable, 'attempts'> & { attempts: number };

function toEndpoint(r: EndpointRow): WebhookEndpoint {
  return {
    id: r.id,
    url: r.url,
    events: JSON.parse(r.events) as string[],
    description: r.description,
    active: Number(r.active) === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toDelivery(r: OutboxRow): WebhookDelivery {
  const payload = JSON.parse(r.payload) as { id?: unknown };
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    eventType: r.event_type,
    notificationId: typeof payload.id === 'string' ? payload.id : null,
    status: r.status,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    nextAttemptAt: r.next_attempt_at,
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    lastError: r.last_error,
    response: r.provider_ref,
    replayOf: r.replay_of,
    sentAt: r.sent_at,
    createdAt: r.created_at,
  };
}

const unique = (xs: readonly string[]) => [...new Set(xs)];

async function endpointRow(db: Kysely<DB>, storeId: string, id: string): Promise<EndpointRow> {
  const r = await db.selectFrom('webhook_endpoints').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound('webhook endpoint', id);
  return r;
}

export interface NewEndpoint {
  url: string;
  events: string[];
  description?: string | undefined;
}

/** Registers an endpoint, active at once. The secret is returned here and on rotation only. */
export async function createEndpoint(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  input: NewEndpoint,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const at = clock.now().toISOString();
  const secret = newWebhookSecret();
  const row: EndpointRow = {
    store_id: storeId,
    id: newId('whe', clock),
    url: input.url,
    events: JSON.stringify(unique(input.events)),
    secret,
    description: input.description ?? null,
    active: 1,
    created_at: at,
    updated_at: at,
  };
  await db.insertInto('webhook_endpoints').values(row).execute();
  return { endpoint: toEndpoint(row), secret };
}

export async function listEndpoints(db: Kysely<DB>, storeId: string): Promise<WebhookEndpoint[]> {
  const rows = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('store_id', '=', storeId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toEndpoint);
}

export async function getEndpoint(db: Kysely<DB>, storeId: string, id: string): Promise<WebhookEndpoint> {
  return toEndpoint(await endpointRow(db, storeId, id));
}

export interface EndpointChanges {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | null | undefined;
  active?: boolean | undefined;
}

/** Changes what was given. Deliveries already queued go to the endpoint as it is when they are sent. */
export async function updateEndpoint(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  id: string,
  changes: EndpointChanges,
): Promise<WebhookEndpoint> {
  await endpointRow(db, storeId, id);
  await db
    .updateTable('webhook_endpoints')
    .set({
      ...(changes.url !== undefined ? { url: changes.url } : {}),
      ...(changes.events !== undefined ? { events: JSON.stringify(unique(changes.events)) } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      ...(changes.active !== undefined ? { active: changes.active ? 1 : 0 } : {}),
      updated_at: clock.now().toISOString(),
    })
    .where('store_id', '=', storeId)
    .where('id', '=', id)
    .execute();
  return getEndpoint(db, storeId, id);
}

/**
 * Removes the endpoint. Its delivery log stays (GET /webhooks/deliveries/:id);
 * deliveries still queued for it are skipped when due. To pause one, PATCH it
 * `active: false` instead.
 */
export async function deleteEndpoint(db: Kysely<DB>, storeId: string, id: string): Promise<void> {
  const r = await db.deleteFrom('webhook_endpoints').where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw notFound('webhook endpoint', id);
}

/** A new secret, effective at once: deliveries from now on (retries included) are signed with it only. */
export async function rotateEndpointSecret(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  id: string,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  await endpointRow(db, storeId, id);
  const secret = newWebhookSecret();
  await db
    .updateTable('webhook_endpoints')
    .set({ secret, updated_at: clock.now().toISOString() })
    .where('store_id', '=', storeId)
    .where('id', '=', id)
    .execute();
  return { endpoint: await getEndpoint(db, storeId, id), secret };
}

/** An endpoint's deliveries, newest first. */
export async function listEndpointDeliveries(
  db: Kysely<DB>,
  storeId: string,
  endpointId: string,
  q: { status?: string | undefined; limit: number },
): Promise<WebhookDelivery[]> {
  await endpointRow(db, storeId, endpointId);
  let query = db
    .selectFrom('outbox')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('kind', '=', 'webhook')
    .where('endpoint_id', '=', endpointId);
  if (q.status) query = query.where('status', '=', q.status);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(toDelivery);
}

async function deliveryRow(db: Kysely<DB>, storeId: string, id: string): Promise<OutboxRow> {
  const r = await db
    .selectFrom('outbox')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('id', '=', id)
    .where('kind', '=', 'webhook')
    .executeTakeFirst();
  if (!r) throw notFound('webhook delivery', id);
  return r;
}

/** One delivery with the notification it carries and every attempt. */
export async function getWebhookDelivery(
  db: Kysely<DB>,
  storeId: string,
  id: string,
): Promise<WebhookDelivery & { payload: unknown; attemptLog: DeliveryAttempt[] }> {
  const r = await deliveryRow(db, storeId, id);
  return { ...toDelivery(r), payload: JSON.parse(r.payload) as unknown, attemptLog: await attemptLog(db, storeId, id) };
}

/**
 * Sends a delivery's notification again, to the same endpoint, as a new
 * delivery due now. Not while the original is still being tried.
 */
export async function replayDelivery(db: Kysely<DB>, clock: Clock, storeId: string, id: string): Promise<WebhookDelivery> {
  const original = await deliveryRow(db, storeId, id);
  if (original.status === 'queued' || original.status === 'sending') {
    throw new AppError(409, 'still_delivering', `delivery ${id} is ${original.status}; replay it once it is sent or failed`, 'id');
  }
  if (!original.endpoint_id) throw new AppError(409, 'no_endpoint', `delivery ${id} names no endpoint`, 'id');
  const endpoint = await db
    .selectFrom('webhook_endpoints')
    .select('active')
    .where('store_id', '=', storeId)
    .where('id', '=', original.endpoint_id)
    .executeTakeFirst();
  if (!endpoint) throw new AppError(409, 'endpoint_deleted', `endpoint ${original.endpoint_id} was deleted`, 'id');
  if (Number(endpoint.active) !== 1) {
    throw new AppError(409, 'endpoint_inactive', `endpoint ${original.endpoint_id} is inactive; activate it first`, 'id');
  }
  const newDeliveryId = await queueOutbox(db, {
    storeId,
    kind: 'webhook',
    channel: 'webhook',
    endpointId: original.endpoint_id,
    eventType: original.event_type,
    caseId: original.case_id,
    payload: JSON.parse(original.payload) as unknown,
    replayOf: original.id,
    at: clock.now().toISOString(),
  });
  return toDelivery(await deliveryRow(db, storeId, newDeliveryId));
}
