import { z } from 'zod';
import { AppError, notFound } from '../platform/errors.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { eventInputSchema, eventTypes, formatPath } from './envelope.ts';
import { getEvent, listEvents } from './events.service.ts';
import { validateBatch } from './ingest.ts';

export const MAX_BATCH = 1000;

const ingestResult = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  events: z.array(z.object({ id: z.string(), status: z.enum(['accepted', 'duplicate']), seq: z.number().int().optional() })),
});

const storedEvent = z.object({
  seq: z.number().int(),
  id: z.string(),
  type: z.string(),
  occurredAt: z.string(),
  receivedAt: z.string(),
  source: z.string(),
  customerId: z.string().nullable(),
  orderId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

export function eventsRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/api/v1/events',
    {
      bodyLimit: 16 * 1024 * 1024,
      config: { flushesItself: true },
      schema: {
        tags: ['events'],
        summary: 'Ingest one event or a batch',
        description:
          'Accepts one event, or `{ "events": [...] }` with up to 1,000. Idempotent by (store, id): an id already in the ledger is answered `duplicate` and changes nothing. A batch with any invalid event is refused whole (400, naming the index and field path) and writes nothing. The answer comes after the transaction commits.',
        body: z.union([eventInputSchema, z.object({ events: z.array(eventInputSchema).max(MAX_BATCH) })]),
        response: { 200: ingestResult, 201: ingestResult, 400: errorBody, 403: errorBody },
      },
      // Validated by validateBatch below, which names the failing event's index; the schema above documents it.
      validatorCompiler: () => (data) => ({ value: data }),
      // The answer is built right here from typed values; re-checking it against the schema costs more than the insert.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (req, reply) => {
      const principal = requireRole(req, 'manager');
      const body = req.body as unknown;
      const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'events' in body;
      let raw: unknown[];
      if (isBatch) {
        const events = (body as { events: unknown }).events;
        if (!Array.isArray(events)) throw new AppError(400, 'invalid_request', 'events must be an array', 'events');
        if (events.length === 0) throw new AppError(400, 'invalid_request', 'events must hold at least one event', 'events');
        if (events.length > MAX_BATCH) {
          throw new AppError(400, 'batch_too_large', `a batch holds at most ${MAX_BATCH} events; got ${events.length}`, 'events');
        }
        raw = events;
      } else {
        raw = [body];
      }
      const validated = validateBatch(raw, principal.storeId);
      if (!validated.ok) {
        const first = validated.errors[0]!;
        // A whole event that is not an object has no field to name: the path is then the event itself.
        const path = isBatch ? formatPath(['events', first.index]) + (first.path ? `.${first.path}` : '') : first.path || 'body';
        throw new AppError(400, first.path === 'store' ? 'store_mismatch' : 'invalid_event', `${path}: ${first.message}`, path, {
          index: isBatch ? first.index : undefined,
          errors: validated.errors.slice(0, 50),
        });
      }
      const results = await ctx.ingestor.ingest(principal.storeId, validated.events, 'api');
      const accepted = results.filter((r) => r.status === 'accepted').length;
      return reply.status(accepted > 0 ? 201 : 200).send({ accepted, duplicates: results.length - accepted, events: results });
    },
  );

  app.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Read the event ledger in order',
        querystring: z.object({
          type: z.enum(eventTypes).optional(),
          customerId: z.string().optional(),
          orderId: z.string().optional(),
          after: z.coerce.number().int().min(0).optional().describe('Return events after this ledger position (seq).'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ events: z.array(storedEvent), nextCursor: z.number().int().nullable() }) },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return listEvents(ctx.database.db, p.storeId, req.query);
    },
  );

  app.get(
    '/api/v1/events/:id',
    {
      schema: {
        tags: ['events'],
        summary: 'One event from the ledger',
        params: z.object({ id: z.string() }),
        response: { 200: storedEvent, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      const e = await getEvent(ctx.database.db, p.storeId, req.params.id);
      if (!e) throw notFound('event', req.params.id);
      return e;
    },
  );
}
