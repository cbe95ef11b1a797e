import { z } from 'zod';
import { NUL_MESSAGE, noNul } from '../platform/text.ts';

/** DESIGN.md §3: the one envelope every fact arrives in. */

const isoDateTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 date-time with a zone, e.g. 2026-03-01T14:03:00Z' })
  .transform((s) => new Date(s).toISOString());

/**
 * A delivery promise: an instant, or a calendar day ("2026-03-09"), which means
 * the end of that day in the store's timezone (resolved when projected).
 */
const promise = z.union(
  [isoDateTime, z.iso.date()],
  "must be an ISO-8601 date-time with a zone (2026-03-09T18:00:00Z) or a date (2026-03-09: the end of that day in the store's timezone)",
);

const text = (max: number) => z.string().max(max).refine(noNul, NUL_MESSAGE);
const id = z.string().min(1).max(200).refine(noNul, NUL_MESSAGE);

export const money = z.strictObject({
  amount: z
    .number({ message: 'must be an integer number of minor units (cents)' })
    .int('must be an integer number of minor units (cents)')
    .min(0)
    .max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code in capitals, e.g. USD'),
});
export type Money = z.infer<typeof money>;

export const shipmentStatuses = ['label_created', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'lost'] as const;
export const complaintChannels = ['email', 'chat', 'portal', 'community', 'phone', 'social', 'api'] as const;

const customerUpserted = z.strictObject({
  customerId: id,
  email: z.email().max(320).optional(),
  name: text(200).optional(),
  phone: text(50).optional(),
  createdAt: isoDateTime.optional(),
  tags: z.array(text(100)).max(100).optional(),
  locale: text(35).optional(),
  timezone: text(64).optional(),
});

const orderItem = z.strictObject({
  sku: text(100),
  name: text(500),
  quantity: z.number().int().min(1),
  price: money,
});

const orderPlaced = z.strictObject({
  orderId: id,
  customerId: id,
  total: money,
  items: z.array(orderItem).max(1000).optional(),
  promisedBy: promise.optional(),
  channel: text(50).optional(),
});

const orderCancelled = z.strictObject({ orderId: id, reason: text(1000).optional() });

const shipment = z.strictObject({
  shipmentId: id,
  orderId: id,
  carrier: text(100).optional(),
  trackingNumber: text(200).optional(),
  shippedAt: isoDateTime.optional(),
  promisedBy: promise.optional(),
  status: z.enum(shipmentStatuses).optional(),
  lastCarrierEventAt: isoDateTime.optional(),
  /** Where it is going, e.g. "US-CA": late parcels of one carrier, region and day are one incident. */
  region: text(100).optional(),
});

const shipmentDelivered = z.strictObject({ shipmentId: id, orderId: id, deliveredAt: isoDateTime });

const payment = z.strictObject({
  paymentId: id,
  orderId: id.optional(),
  customerId: id,
  amount: money,
  reason: text(1000).optional(),
});

const refundRecorded = z.strictObject({ refundId: id, orderId: id, amount: money, reason: text(1000).optional() });

const reviewPosted = z.strictObject({
  reviewId: id,
  customerId: id.optional(),
  orderId: id.optional(),
  rating: z.number().int().min(1).max(5),
  title: text(500).optional(),
  body: text(20_000).optional(),
});

const complaintReceived = z
  .strictObject({
    complaintId: id,
    customerId: id.optional(),
    email: z.email().max(320).optional(),
    orderId: id.optional(),
    channel: z.enum(complaintChannels),
    subject: text(500).optional(),
    body: z.string().min(1).max(100_000).refine(noNul, NUL_MESSAGE),
    /** The case these words answer, when a channel threaded them (a reply e-mail, a chat message). */
    caseId: id.optional(),
    /** The e-mail's Message-ID (without <>), kept on the message for threading later replies. */
    emailMessageId: text(998).optional(),
  })
  .refine((d) => d.customerId !== undefined || d.email !== undefined, {
    message: 'a complaint needs customerId or email',
    path: ['customerId'],
  });

const surveyRanges = { csat: [1, 5], ces: [1, 7], nps: [0, 10] } as const;
const surveyAnswered = z
  .strictObject({
    caseId: id,
    kind: z.enum(['csat', 'ces', 'nps']),
    score: z.number().int(),
    comment: text(10_000).optional(),
  })
  .superRefine((d, ctx) => {
    const [lo, hi] = surveyRanges[d.kind];
    if (d.score < lo || d.score > hi) {
      ctx.addIssue({ code: 'custom', path: ['score'], message: `${d.kind} score must be ${lo}..${hi}` });
    }
  });

const metricObserved = z.strictObject({ metric: text(100).min(1), value: z.number(), window: text(50).optional() });

/** Stock of one SKU: at zero or below, orders waiting for it are backordered. */
const inventoryUpdated = z.strictObject({ sku: text(100).min(1), available: z.number().int(), restockAt: isoDateTime.optional() });

export const eventDataSchemas = {
  'customer.upserted': customerUpserted,
  'order.placed': orderPlaced,
  'order.cancelled': orderCancelled,
  'shipment.created': shipment,
  'shipment.updated': shipment,
  'shipment.delivered': shipmentDelivered,
  'payment.succeeded': payment,
  'payment.failed': payment,
  'refund.recorded': refundRecorded,
  'review.posted': reviewPosted,
  'complaint.received': complaintReceived,
  'survey.answered': surveyAnswered,
  'metric.observed': metricObserved,
  'inventory.updated': inventoryUpdated,
} as const;

export type EventType = keyof typeof eventDataSchemas;
export const eventTypes = Object.keys(eventDataSchemas) as EventType[];

export type EventData<T extends EventType> = z.output<(typeof eventDataSchemas)[T]>;

/** A validated event, its times normalised to UTC. */
export type AmendsEvent = {
  [T in EventType]: { id: string; type: T; occurredAt: string; store?: string | undefined; data: EventData<T> };
}[EventType];

export const envelopeSchema = z.strictObject({
  id,
  type: z.enum(eventTypes as [EventType, ...EventType[]], {
    message: `must be one of: ${eventTypes.join(', ')}`,
  }),
  occurredAt: isoDateTime,
  store: z.string().min(1).max(100).refine(noNul, NUL_MESSAGE).optional(),
  data: z.record(z.string(), z.unknown()),
});

/** For OpenAPI: the envelope with `data` per type, as one discriminated union. */
export const eventInputSchema = z.discriminatedUnion(
  'type',
  eventTypes.map((t) =>
    z.object({
      id,
      type: z.literal(t),
      occurredAt: z.iso.datetime({ offset: true }),
      store: z.string().optional(),
      data: eventDataSchemas[t],
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

export interface FieldError {
  /** Index in the batch, when the input was a batch. */
  index: number;
  /** Dotted path inside the event, e.g. `data.total.amount`. */
  path: string;
  message: string;
}

export type ParseResult = { ok: true; event: AmendsEvent } | { ok: false; errors: FieldError[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** Where an issue is: an unknown key is named itself, not by the object holding it. */
function issuePath(issue: z.core.$ZodIssue): PropertyKey[] {
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) return [...issue.path, issue.keys[0]!];
  return issue.path;
}

/** Validates one raw event: the envelope first, then `data` by its type. */
export function parseEvent(raw: unknown, index: number): ParseResult {
  const env = envelopeSchema.safeParse(raw);
  if (!env.success) {
    return {
      ok: false,
      errors: env.error.issues.map((i) => ({ index, path: formatPath(issuePath(i)), message: i.message })),
    };
  }
  const schema = eventDataSchemas[env.data.type];
  const data = schema.safeParse(env.data.data);
  if (!data.success) {
    return {
      ok: false,
      errors: data.error.issues.map((i) => ({ index, path: formatPath(['data', ...issuePath(i)]), message: i.message })),
    };
  }
  return { ok: true, event: { ...env.data, data: data.data } as AmendsEvent };
}

/** The customer and order an event concerns, for indexing the ledger. */
export function eventSubjects(e: AmendsEvent): { customerId: string | null; orderId: string | null } {
  const d = e.data as { customerId?: string; orderId?: string };
  return { customerId: d.customerId ?? null, orderId: d.orderId ?? null };
}
