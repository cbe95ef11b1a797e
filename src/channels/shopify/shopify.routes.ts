import { z } from 'zod';
import type { App, AppContext } from '../../platform/http/context.ts';
import { errorBody } from '../../platform/http/schemas.ts';
import { createShopifyWebhookJob, receiveShopifyWebhook } from './shopify-webhooks.service.ts';

/** Shopify's largest webhook bodies (orders with many lines) stay well under this. */
const BODY_LIMIT = 5 * 1024 * 1024;

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * `POST /webhooks/shopify`, public (outside /api/, so no API token): Shopify's
 * HMAC over the raw body is the credential. Registers the job that processes
 * what it receives.
 */
export async function shopifyRoutes(app: App, ctx: AppContext): Promise<void> {
  const job = createShopifyWebhookJob(ctx);
  ctx.jobs.register(job);

  // Encapsulated: only this route sees JSON as raw bytes (the HMAC is over exactly what was sent).
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
      done(null, body);
    });
    scope.post(
      '/webhooks/shopify',
      {
        bodyLimit: BODY_LIMIT,
        schema: {
          tags: ['shopify'],
          summary: 'Shopify webhooks (orders, fulfillments, refunds, customers, privacy topics)',
          description:
            'Signed by Shopify: `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the raw body with the app secret), `X-Shopify-Shop-Domain` (finds the store), `X-Shopify-Topic`, `X-Shopify-Webhook-Id` (deduplication). Answers at once; the work is queued. A repeated webhook id answers `duplicate`; a topic Amends does not use answers `ignored`. Anything unverifiable is 401. Connect a store with `amends store create --shopify-domain D --shopify-secret S`.',
          security: [],
          response: {
            200: z.object({ ok: z.literal(true), duplicate: z.literal(true).optional(), ignored: z.literal(true).optional() }),
            401: errorBody,
          },
        },
      },
      async (req) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        return receiveShopifyWebhook(
          ctx,
          job,
          {
            domain: header(req.headers['x-shopify-shop-domain']),
            hmac: header(req.headers['x-shopify-hmac-sha256']),
            topic: header(req.headers['x-shopify-topic']),
            webhookId: header(req.headers['x-shopify-webhook-id']),
          },
          body,
        );
      },
    );
  });
}
