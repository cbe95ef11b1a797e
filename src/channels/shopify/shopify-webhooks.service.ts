/**
 * Shopify webhooks: receive (verify, dedupe, queue) and process (map to
 * events and ingest, or run a privacy request).
 *
 * Receiving answers within milliseconds: the raw body is verified against the
 * store's secret, stored as a `webhook_receipts` row (unique per store and
 * X-Shopify-Webhook-Id) and a job is queued in the same transaction. The job
 * does the work and may be retried; its effects are idempotent (event ids
 * derive from Shopify ids; a processed receipt is not processed again).
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { validateBatch } from '../../events/ingest.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import type { AppContext } from '../../platform/http/context.ts';
import { defineJob, errorText, type JobDefinition, PermanentJobError } from '../../platform/jobs/jobs.ts';
import { eraseCustomer, eraseStore, exportCustomer } from '../privacy/privacy.service.ts';
import { REDACTED_JSON } from '../privacy/redact.ts';
import { isIngestTopic, isPrivacyTopic, mapTopic, privacyAction, ShopifyPayloadError } from './map-topics.ts';
import { verifyShopifyHmac } from './verify-webhook.ts';

export const PROVIDER = 'shopify';

const jobData = z.object({ storeId: z.string(), webhookId: z.string() });
export type ShopifyWebhookJob = JobDefinition<z.infer<typeof jobData>>;

export interface ShopifyHeaders {
  domain: string | undefined;
  hmac: string | undefined;
  topic: string | undefined;
  webhookId: string | undefined;
}

export type ReceiveResult = { ok: true; duplicate?: true; ignored?: true };

// One answer for every failure: a caller learns nothing about which shops exist or which header was wrong.
const unverified = () => new AppError(401, 'unauthorized', 'the webhook could not be verified');

/** Verifies, deduplicates and queues one webhook delivery. Throws 401 before writing anything when it is not Shopify's. */
export async function receiveShopifyWebhook(
  ctx: AppContext,
  job: ShopifyWebhookJob,
  h: ShopifyHeaders,
  rawBody: Buffer,
): Promise<ReceiveResult> {
  const { domain, hmac, topic, webhookId } = h;
  if (!domain || !hmac || !topic || !webhookId || webhookId.length > 200 || topic.length > 100) throw unverified();
  const db = ctx.database.db;
  const store = await db
    .selectFrom('stores')
    .select(['id', 'shopify_secret'])
    .where('shopify_domain', '=', domain.trim().toLowerCase())
    .executeTakeFirst();
  if (!store?.shopify_secret || !verifyShopifyHmac(store.shopify_secret, rawBody, hmac)) throw unverified();

  const supported = isIngestTopic(topic) || isPrivacyTopic(topic);
  const at = ctx.clock.now().toISOString();
  return db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('webhook_receipts')
      .values({
        store_id: store.id,
        provider: PROVIDER,
        webhook_id: webhookId,
        topic,
        payload: rawBody.toString('utf8'),
        // Shopify retries anything but a 2xx, so a topic we do not handle is taken and set aside.
        status: supported ? 'queued' : 'ignored',
        error: null,
        received_at: at,
        processed_at: supported ? null : at,
      })
      .onConflict((oc) => oc.columns(['store_id', 'provider', 'webhook_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return { ok: true, duplicate: true };
    if (!supported) return { ok: true, ignored: true };
    await ctx.jobs.send(job, { storeId: store.id, webhookId }, { tx, singletonKey: `${store.id}:${webhookId}` });
    return { ok: true };
  });
}

async function finish(db: Kysely<DB>, storeId: string, webhookId: string, at: string, patch: { payload?: string } = {}) {
  await db
    .updateTable('webhook_receipts')
    .set({ status: 'processed', error: null, processed_at: at, ...patch })
    .where('store_id', '=', storeId)
    .where('provider', '=', PROVIDER)
    .where('webhook_id', '=', webhookId)
    .execute();
}

/** Privacy payloads name their shop: a signed body of another topic replayed under a privacy topic is refused. */
function checkShop(payload: unknown, domain: string | null): void {
  const named = (payload as { shop_domain?: unknown } | null)?.shop_domain;
  if (typeof named !== 'string' || named.trim().toLowerCase() !== domain) {
    throw new ShopifyPayloadError(`shop_domain ${JSON.stringify(named)} is not this store's shop (${domain})`);
  }
}

/** The job's work for one receipt: events through the one ingest path, or a privacy request. */
export async function processShopifyWebhook(ctx: AppContext, storeId: string, webhookId: string): Promise<void> {
  const db = ctx.database.db;
  const r = await db
    .selectFrom('webhook_receipts')
    .innerJoin('stores', 'stores.id', 'webhook_receipts.store_id')
    .select([
      'webhook_receipts.topic',
      'webhook_receipts.payload',
      'webhook_receipts.status',
      'webhook_receipts.received_at',
      'stores.currency',
      'stores.shopify_domain',
    ])
    .where('webhook_receipts.store_id', '=', storeId)
    .where('webhook_receipts.provider', '=', PROVIDER)
    .where('webhook_receipts.webhook_id', '=', webhookId)
    .executeTakeFirst();
  if (!r || r.status === 'processed' || r.status === 'ignored') return;
  const at = ctx.clock.now().toISOString();
  try {
    let payload: unknown;
    try {
      payload = JSON.parse(r.payload);
    } catch {
      throw new ShopifyPayloadError('the body is not JSON');
    }
    if (isIngestTopic(r.topic)) {
      const raw = mapTopic(r.topic, payload, { storeCurrency: r.currency, receivedAt: r.received_at });
      const checked = validateBatch(raw, storeId);
      if (!checked.ok) {
        const e = checked.errors[0]!;
        throw new ShopifyPayloadError(`${raw[e.index]?.type ?? 'event'} ${e.path}: ${e.message}`);
      }
      await ctx.ingestor.ingest(storeId, checked.events, 'shopify');
      await finish(db, storeId, webhookId, at);
    } else if (isPrivacyTopic(r.topic)) {
      checkShop(payload, r.shopify_domain);
      const action = privacyAction(r.topic, payload);
      // The request and the receipt's completion commit together: a retry after a crash starts from the payload again.
      await db.transaction().execute(async (tx) => {
        if (action.kind === 'export') {
          await exportCustomer(tx, storeId, action.customerId, PROVIDER, at, { email: action.email, orderIds: action.orderIds });
          await finish(tx, storeId, webhookId, at);
        } else if (action.kind === 'redact') {
          await eraseCustomer(tx, storeId, action.customerId, PROVIDER, at, {
            email: action.email,
            phone: action.phone,
            orderIds: action.orderIds,
          });
          await finish(tx, storeId, webhookId, at, { payload: REDACTED_JSON });
        } else {
          await eraseStore(tx, storeId, PROVIDER, at);
          await finish(tx, storeId, webhookId, at, { payload: REDACTED_JSON });
        }
      });
    }
  } catch (err) {
    await db
      .updateTable('webhook_receipts')
      .set({ status: 'failed', error: errorText(err) })
      .where('store_id', '=', storeId)
      .where('provider', '=', PROVIDER)
      .where('webhook_id', '=', webhookId)
      .execute();
    // A payload of the wrong shape stays wrong: straight to the dead letters, where it can be looked at.
    if (err instanceof ShopifyPayloadError) throw new PermanentJobError(err.message, { cause: err });
    throw err;
  }
}

export function createShopifyWebhookJob(ctx: AppContext): ShopifyWebhookJob {
  return defineJob({
    name: 'channels.shopify-webhook',
    schema: jobData,
    handler: (d) => processShopifyWebhook(ctx, d.storeId, d.webhookId),
    retryBackoffSeconds: 10,
  });
}
