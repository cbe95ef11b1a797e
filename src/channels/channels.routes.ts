import { z } from 'zod';
import { AppError, notFound } from '../platform/errors.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { channelSettingsSchema, loadChannelSettings, maskChannelSettings, saveChannelSettings } from './channel-settings.ts';
import { attemptLog, outboxChannels, outboxKinds, outboxStatuses, retryOutbox, visiblePayload } from './outbox.ts';

const delivery = z.object({
  id: z.string(),
  kind: z.string().describe('message, notice, webhook or alert'),
  channel: z.string().describe('email, chat, portal, webhook or slack'),
  caseId: z.string().nullable(),
  messageId: z.string().nullable(),
  endpointId: z.string().nullable(),
  eventType: z.string().nullable(),
  status: z.string().describe('queued, sending, sent, failed (attempts used up) or skipped (nowhere to send it)'),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  providerRef: z.string().nullable().describe('the SMTP Message-ID or the receiver’s answer'),
  replayOf: z.string().nullable(),
  sentAt: z.string().nullable(),
  createdAt: z.string(),
});

const attempt = z.object({
  attempt: z.number().int(),
  at: z.string(),
  ok: z.boolean(),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
});

type Row = {
  id: string;
  kind: string;
  channel: string;
  case_id: string | null;
  message_id: string | null;
  endpoint_id: string | null;
  event_type: string | null;
  status: string;
  attempts: number;
  max_attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  last_status_code: number | null;
  provider_ref: string | null;
  replay_of: string | null;
  sent_at: string | null;
  created_at: string;
};

export function toDelivery(r: Row): z.infer<typeof delivery> {
  return {
    id: r.id,
    kind: r.kind,
    channel: r.channel,
    caseId: r.case_id,
    messageId: r.message_id,
    endpointId: r.endpoint_id,
    eventType: r.event_type,
    status: r.status,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    providerRef: r.provider_ref,
    replayOf: r.replay_of,
    sentAt: r.sent_at,
    createdAt: r.created_at,
  };
}

/** The outbox as the API shows it (every delivery and its attempts), and the store's channel settings. */
export function channelsRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get(
    '/api/v1/outbox',
    {
      schema: {
        tags: ['channels'],
        summary: 'Outbound deliveries (messages, webhooks, alerts), newest first',
        querystring: z.object({
          kind: z.enum(outboxKinds).optional(),
          channel: z.enum(outboxChannels).optional(),
          status: z.enum(outboxStatuses).optional(),
          caseId: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: z.object({ deliveries: z.array(delivery) }) },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      let q = db.selectFrom('outbox').selectAll().where('store_id', '=', p.storeId);
      if (req.query.kind) q = q.where('kind', '=', req.query.kind);
      if (req.query.channel) q = q.where('channel', '=', req.query.channel);
      if (req.query.status) q = q.where('status', '=', req.query.status);
      if (req.query.caseId) q = q.where('case_id', '=', req.query.caseId);
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(req.query.limit).execute();
      return { deliveries: rows.map(toDelivery) };
    },
  );

  app.get(
    '/api/v1/outbox/:id',
    {
      schema: {
        tags: ['channels'],
        summary: 'One delivery with every attempt (when, answer, error, how long)',
        params: z.object({ id: z.string().min(1).max(200) }),
        response: { 200: delivery.extend({ payload: z.unknown(), attempts_log: z.array(attempt) }), 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      const r = await db
        .selectFrom('outbox')
        .selectAll()
        .where('store_id', '=', p.storeId)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!r) throw notFound('delivery', req.params.id);
      return { ...toDelivery(r), payload: visiblePayload(r.kind, r.payload), attempts_log: await attemptLog(db, p.storeId, r.id) };
    },
  );

  app.post(
    '/api/v1/outbox/:id/retry',
    {
      schema: {
        tags: ['channels'],
        summary: 'Queue a failed or skipped delivery again, due now',
        params: z.object({ id: z.string().min(1).max(200) }),
        response: { 200: z.object({ retried: z.literal(true) }), 404: errorBody, 409: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      const exists = await db
        .selectFrom('outbox')
        .select('status')
        .where('store_id', '=', p.storeId)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!exists) throw notFound('delivery', req.params.id);
      if (!(await retryOutbox(db, ctx.clock, p.storeId, req.params.id))) {
        throw new AppError(
          409,
          'not_retryable',
          `delivery ${req.params.id} is ${exists.status}; only failed or skipped ones can be retried`,
          'id',
        );
      }
      return { retried: true as const };
    },
  );

  const settingsBody = z.record(z.string(), z.unknown());
  app.get(
    '/api/v1/store/channels',
    {
      schema: {
        tags: ['channels'],
        summary: 'E-mail (SMTP, reply domain), Slack and chat widget settings; secrets masked',
        response: {
          200: z.object({ channels: settingsBody, shopify: z.object({ domain: z.string().nullable(), connected: z.boolean() }) }),
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      const s = await loadChannelSettings(db, p.storeId);
      const store = await db
        .selectFrom('stores')
        .select(['shopify_domain', 'shopify_secret'])
        .where('id', '=', p.storeId)
        .executeTakeFirstOrThrow();
      return {
        channels: maskChannelSettings(s) as Record<string, unknown>,
        shopify: { domain: store.shopify_domain, connected: store.shopify_domain !== null && store.shopify_secret !== null },
      };
    },
  );

  app.put(
    '/api/v1/store/channels',
    {
      schema: {
        tags: ['channels'],
        summary: "Replace the store's channel settings (a masked secret sent back keeps the stored one)",
        body: settingsBody,
        response: { 200: z.object({ channels: settingsBody }), 400: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      const parsed = channelSettingsSchema.safeParse(req.body);
      // Validate first so the error names the field; saving re-validates after restoring masked secrets.
      if (!parsed.success && !JSON.stringify(req.body).includes('********')) {
        const issue = parsed.error.issues[0]!;
        throw new AppError(400, 'invalid_settings', issue.message, issue.path.map(String).join('.'));
      }
      try {
        const saved = await saveChannelSettings(db, p.storeId, req.body);
        return { channels: maskChannelSettings(saved) as Record<string, unknown> };
      } catch (err) {
        if (err instanceof z.ZodError) {
          const issue = err.issues[0]!;
          throw new AppError(400, 'invalid_settings', issue.message, issue.path.map(String).join('.'));
        }
        throw err;
      }
    },
  );
}
