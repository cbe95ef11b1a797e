/**
 * Delivers `webhook` outbox rows to a store's endpoint: the notification as
 * JSON, signed (webhook-signature.ts), with headers that let the receiver
 * route (`amends-event`), tell redeliveries of one attempt chain
 * (`amends-delivery`, the outbox id) and deduplicate across replays
 * (`amends-notification`). A 410 Gone answer deactivates the endpoint.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Notification } from '../notify.ts';
import { type ChannelDriver, DeliveryError, type DeliveryOutcome, type OutboxItem } from '../outbox.ts';
import { postDelivery } from './http-delivery.ts';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature.ts';

export const WEBHOOK_USER_AGENT = 'Amends-Webhooks/1';

export function createWebhookDriver(ctx: { database: { db: Kysely<DB> } }, opts: { timeoutMs?: number } = {}): ChannelDriver {
  const db = ctx.database.db;
  return {
    async deliver(item: OutboxItem): Promise<DeliveryOutcome> {
      if (!item.endpointId) return { status: 'skipped', reason: 'the delivery names no endpoint' };
      const endpoint = await db
        .selectFrom('webhook_endpoints')
        .select(['url', 'secret', 'active'])
        .where('store_id', '=', item.storeId)
        .where('id', '=', item.endpointId)
        .executeTakeFirst();
      if (!endpoint) return { status: 'skipped', reason: `endpoint ${item.endpointId} was deleted` };
      if (Number(endpoint.active) !== 1) return { status: 'skipped', reason: `endpoint ${item.endpointId} is inactive` };
      const n = item.payload as Notification;
      // These exact bytes are signed and sent.
      const body = JSON.stringify(n);
      const t = Math.floor(item.now.getTime() / 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': WEBHOOK_USER_AGENT,
        'amends-event': n.type,
        'amends-delivery': item.id,
        'amends-notification': n.id,
        [SIGNATURE_HEADER]: signatureHeader([endpoint.secret], body, t),
      };
      try {
        const answer = await postDelivery(endpoint.url, body, headers, opts);
        return { status: 'sent', ref: answer.ref, statusCode: answer.status };
      } catch (err) {
        if (err instanceof DeliveryError && err.statusCode === 410) {
          // The receiver says the endpoint is gone for good: stop sending to it (PATCH active: true undoes this).
          await db
            .updateTable('webhook_endpoints')
            .set({ active: 0, updated_at: item.now.toISOString() })
            .where('store_id', '=', item.storeId)
            .where('id', '=', item.endpointId)
            .execute();
          throw new DeliveryError(`${err.message}; endpoint deactivated`, { statusCode: 410, permanent: true, cause: err });
        }
        throw err;
      }
    },
  };
}
