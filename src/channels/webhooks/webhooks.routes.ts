import { z } from 'zod';
import { requireRole } from '../../platform/http/auth.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { errorBody } from '../../platform/http/schemas.ts';
import { notificationTypes } from '../notify.ts';
import { outboxStatuses } from '../outbox.ts';
import { isKnownEventPattern, webhookUrlProblem } from './endpoint-rules.ts';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  getWebhookDelivery,
  listEndpointDeliveries,
  listEndpoints,
  replayDelivery,
  rotateEndpointSecret,
  updateEndpoint,
} from './endpoints.service.ts';

const urlField = z
  .string()
  .max(2000)
  .superRefine((v, ctx) => {
    const problem = webhookUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('Where deliveries are POSTed: an https URL, or http only for localhost and 127.0.0.1 (local receivers); no credentials in it');

const eventsField = z
  .array(
    z
      .string()
      .min(1)
      .max(100)
      .refine(isKnownEventPattern, {
        message: `unknown event: use one of ${notificationTypes.join(', ')}, a prefix pattern such as case.*, or *`,
      }),
  )
  .min(1, 'name at least one event or pattern')
  .max(50)
  .describe(`Notifications to receive: types (${notificationTypes.join(', ')}), prefix patterns (case.*, compensation.*), or *`);

const endpoint = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string().nullable(),
  active: z.boolean().describe('inactive endpoints get no deliveries (set by a 410 Gone answer, or by PATCH)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const withSecret = endpoint.extend({
  secret: z
    .string()
    .describe(
      'Signs every delivery: amends-signature is t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>. Shown only now; store it.',
    ),
});

const delivery = z.object({
  id: z.string().describe('the amends-delivery header'),
  endpointId: z.string().nullable(),
  eventType: z.string().nullable(),
  notificationId: z.string().nullable().describe('the amends-notification header: the same across retries and replays'),
  status: z.string().describe('queued, sending, sent, failed (refused, or attempts used up) or skipped (endpoint deleted or inactive)'),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  nextAttemptAt: z.string(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  response: z.string().nullable().describe("the receiver's answer: status and the start of its body"),
  replayOf: z.string().nullable().describe('the delivery this one replays'),
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

const idParams = z.object({ id: z.string().min(1).max(200) });
const tags = ['webhooks'];

/** Outbound webhook endpoints (admin): register, change, rotate the secret, read the delivery log, replay. */
export function webhooksRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.post(
    '/api/v1/webhooks/endpoints',
    {
      schema: {
        tags,
        summary: 'Register an endpoint for case, incident and compensation notifications; answers its signing secret, once',
        body: z.object({ url: urlField, events: eventsField, description: z.string().max(500).optional() }).strict(),
        response: { 201: withSecret, 400: errorBody },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'admin');
      const { endpoint: e, secret } = await createEndpoint(db, ctx.clock, p.storeId, req.body);
      return reply.status(201).send({ ...e, secret });
    },
  );

  app.get(
    '/api/v1/webhooks/endpoints',
    { schema: { tags, summary: "The store's endpoints (without secrets)", response: { 200: z.object({ endpoints: z.array(endpoint) }) } } },
    async (req) => {
      const p = requireRole(req, 'admin');
      return { endpoints: await listEndpoints(db, p.storeId) };
    },
  );

  app.get(
    '/api/v1/webhooks/endpoints/:id',
    { schema: { tags, summary: 'One endpoint', params: idParams, response: { 200: endpoint, 404: errorBody } } },
    async (req) => {
      const p = requireRole(req, 'admin');
      return getEndpoint(db, p.storeId, req.params.id);
    },
  );

  app.patch(
    '/api/v1/webhooks/endpoints/:id',
    {
      schema: {
        tags,
        summary: 'Change the URL, events or description; pause (active: false) or resume it',
        params: idParams,
        body: z
          .object({
            url: urlField.optional(),
            events: eventsField.optional(),
            description: z.string().max(500).nullable().optional(),
            active: z.boolean().optional(),
          })
          .strict(),
        response: { 200: endpoint, 400: errorBody, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      return updateEndpoint(db, ctx.clock, p.storeId, req.params.id, req.body);
    },
  );

  app.delete(
    '/api/v1/webhooks/endpoints/:id',
    {
      schema: {
        tags,
        summary: 'Delete the endpoint (its delivery log stays; queued deliveries are skipped). To pause it, PATCH active: false',
        params: idParams,
        response: { 200: z.object({ deleted: z.literal(true) }), 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      await deleteEndpoint(db, p.storeId, req.params.id);
      return { deleted: true as const };
    },
  );

  app.post(
    '/api/v1/webhooks/endpoints/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'Replace the signing secret; answers the new one, once. The old one stops signing at once',
        params: idParams,
        response: { 200: withSecret, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      const { endpoint: e, secret } = await rotateEndpointSecret(db, ctx.clock, p.storeId, req.params.id);
      return { ...e, secret };
    },
  );

  app.get(
    '/api/v1/webhooks/endpoints/:id/deliveries',
    {
      schema: {
        tags,
        summary: "The endpoint's deliveries, newest first, with status, attempts and the last answer",
        params: idParams,
        querystring: z.object({
          status: z.enum(outboxStatuses).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: z.object({ deliveries: z.array(delivery) }), 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      return { deliveries: await listEndpointDeliveries(db, p.storeId, req.params.id, req.query) };
    },
  );

  app.get(
    '/api/v1/webhooks/deliveries/:id',
    {
      schema: {
        tags,
        summary: 'One delivery: the notification it carries and every attempt (when, status code, error, how long)',
        params: idParams,
        response: { 200: delivery.extend({ payload: z.unknown(), attemptLog: z.array(attempt) }), 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      return getWebhookDelivery(db, p.storeId, req.params.id);
    },
  );

  app.post(
    '/api/v1/webhooks/deliveries/:id/replay',
    {
      schema: {
        tags,
        summary: 'Send the same notification (same amends-notification id) to the same endpoint again, as a new delivery due now',
        params: idParams,
        response: { 201: delivery, 404: errorBody, 409: errorBody },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'admin');
      return reply.status(201).send(await replayDelivery(db, ctx.clock, p.storeId, req.params.id));
    },
  );
}
