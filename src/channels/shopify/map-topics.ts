/**
 * Shopify webhook payloads → Amends events (DESIGN.md §3). Pure: no database,
 * no clock. Event ids are derived from Shopify's own ids (and `updated_at`
 * where a resource changes over time), so a redelivered webhook, or the same
 * fact seen through two topics (an order's fulfillment in `orders/updated`
 * and in `fulfillments/update`), is one event and has one effect.
 *
 * Ids: customers, orders, shipments (fulfillments) and refunds keep Shopify's
 * plain numeric id, which the Shopify commerce driver turns back into GIDs.
 */
import { z } from 'zod';
import type { shipmentStatuses } from '../../events/envelope.ts';
import { toMinorUnits } from '../../policy/money.ts';

export const ingestTopics = [
  'customers/create',
  'customers/update',
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'fulfillments/create',
  'fulfillments/update',
  'refunds/create',
] as const;
export const privacyTopics = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;
export type IngestTopic = (typeof ingestTopics)[number];
export type PrivacyTopic = (typeof privacyTopics)[number];

export function isIngestTopic(topic: string): topic is IngestTopic {
  return (ingestTopics as readonly string[]).includes(topic);
}
export function isPrivacyTopic(topic: string): topic is PrivacyTopic {
  return (privacyTopics as readonly string[]).includes(topic);
}

/** An unvalidated event envelope; the caller validates the batch (validateBatch) before ingesting it. */
export interface RawEvent {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface MapContext {
  /** The store's currency: money whose payload names none (a refund without transactions). */
  storeCurrency: string;
  /** When the webhook arrived: the event time when the payload carries none. */
  receivedAt: string;
}

/** The payload does not have the shape the topic promises; retrying will not help. */
export class ShopifyPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShopifyPayloadError';
  }
}

const shopifyId = z.union([z.number().int(), z.string().min(1)]).transform(String);
const decimal = z.union([z.string(), z.number()]);
const optText = z.string().nullish();

const address = z.looseObject({ phone: optText, province_code: optText, country_code: optText });

const customerSchema = z.looseObject({
  id: shopifyId,
  email: optText,
  first_name: optText,
  last_name: optText,
  phone: optText,
  created_at: optText,
  updated_at: optText,
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  locale: optText,
  default_address: address.nullish(),
});
type ShopifyCustomer = z.infer<typeof customerSchema>;

const fulfillmentSchema = z.looseObject({
  id: shopifyId,
  order_id: shopifyId,
  status: optText,
  shipment_status: optText,
  tracking_company: optText,
  tracking_number: optText,
  tracking_numbers: z.array(z.string()).nullish(),
  created_at: optText,
  updated_at: optText,
  estimated_delivery_at: optText,
  destination: address.nullish(),
});
type ShopifyFulfillment = z.infer<typeof fulfillmentSchema>;

const lineItemSchema = z.looseObject({
  id: shopifyId.nullish(),
  variant_id: shopifyId.nullish(),
  sku: optText,
  name: optText,
  title: optText,
  quantity: z.number().int(),
  price: decimal,
});

const orderSchema = z.looseObject({
  id: shopifyId,
  email: optText,
  currency: z.string().regex(/^[A-Z]{3}$/),
  total_price: decimal,
  financial_status: optText,
  cancelled_at: optText,
  cancel_reason: optText,
  created_at: optText,
  processed_at: optText,
  updated_at: optText,
  source_name: optText,
  line_items: z.array(lineItemSchema).nullish(),
  fulfillments: z.array(fulfillmentSchema).nullish(),
  customer: customerSchema.nullish(),
  shipping_address: address.nullish(),
});
type ShopifyOrder = z.infer<typeof orderSchema>;

const transactionSchema = z.looseObject({ kind: optText, status: optText, amount: decimal, currency: optText });
const refundSchema = z.looseObject({
  id: shopifyId,
  order_id: shopifyId,
  note: optText,
  created_at: optText,
  processed_at: optText,
  transactions: z.array(transactionSchema).nullish(),
  refund_line_items: z
    .array(
      z.looseObject({
        quantity: z.number().int(),
        subtotal: decimal.nullish(),
        line_item: z.looseObject({ price: decimal }).nullish(),
      }),
    )
    .nullish(),
});

function parse<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  const r = schema.safeParse(payload);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new ShopifyPayloadError(`not a Shopify ${what}: ${issue?.path.join('.') || 'payload'}: ${issue?.message}`);
}

/** "409.94" USD → 40994: the currency's own minor digits, decimal text, no floating point. */
export function shopifyMoney(value: string | number, currency: string): number {
  const minor = toMinorUnits(typeof value === 'number' ? String(value) : value, currency);
  if (typeof minor === 'string') throw new ShopifyPayloadError(`amount ${JSON.stringify(value)}: ${minor}`);
  return minor;
}

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
const present = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== '';
// The envelope refuses a malformed address outright; one the shop accepted but we cannot is left out, not fatal.
const plausibleEmail = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) && s.length <= 320;

/** Shopify shipment_status → the envelope's shipment status (undefined: says nothing about where the parcel is). */
export function shipmentStatusOf(shipmentStatus: string | null | undefined): (typeof shipmentStatuses)[number] | undefined {
  switch (shipmentStatus) {
    case 'label_printed':
    case 'label_purchased':
      return 'label_created';
    case 'confirmed':
    case 'in_transit':
      return 'in_transit';
    case 'out_for_delivery':
      return 'out_for_delivery';
    case 'delivered':
      return 'delivered';
    case 'failure':
    case 'attempted_delivery':
      return 'exception';
    default:
      return undefined;
  }
}

function customerEvent(c: ShopifyCustomer, ctx: MapContext): RawEvent {
  const name = [c.first_name, c.last_name].filter(present).join(' ').trim();
  const phone = present(c.phone) ? c.phone : c.default_address?.phone;
  const tags = (Array.isArray(c.tags) ? c.tags : (c.tags ?? '').split(','))
    .map((t) => clip(t.trim(), 100))
    .filter((t) => t !== '')
    .slice(0, 100);
  const data: Record<string, unknown> = { customerId: c.id };
  if (present(c.email) && plausibleEmail(c.email.trim())) data.email = c.email.trim();
  if (name) data.name = clip(name, 200);
  if (present(phone)) data.phone = clip(phone.trim(), 50);
  if (present(c.created_at)) data.createdAt = c.created_at;
  if (tags.length > 0) data.tags = tags;
  if (present(c.locale)) data.locale = clip(c.locale, 35);
  const version = c.updated_at ?? c.created_at ?? 'seen';
  return {
    id: `shopify:customer:${c.id}:${version}`,
    type: 'customer.upserted',
    occurredAt: c.updated_at ?? c.created_at ?? ctx.receivedAt,
    data,
  };
}

function regionOf(a: { country_code?: string | null; province_code?: string | null } | null | undefined): string | undefined {
  if (!a || !present(a.country_code)) return undefined;
  return present(a.province_code) ? `${a.country_code}-${a.province_code}` : a.country_code;
}

/** One fulfillment as shipment events: created/updated, and delivered once it has arrived. */
export function fulfillmentEvents(
  f: ShopifyFulfillment,
  type: 'shipment.created' | 'shipment.updated',
  ctx: MapContext,
  fallbackRegion?: string,
): RawEvent[] {
  const at = f.updated_at ?? f.created_at ?? ctx.receivedAt;
  const status = shipmentStatusOf(f.shipment_status);
  const trackingNumber = present(f.tracking_number) ? f.tracking_number : f.tracking_numbers?.find(present);
  const data: Record<string, unknown> = { shipmentId: f.id, orderId: f.order_id };
  if (present(f.tracking_company)) data.carrier = clip(f.tracking_company, 100);
  if (present(trackingNumber)) data.trackingNumber = clip(trackingNumber, 200);
  if (present(f.created_at)) data.shippedAt = f.created_at;
  if (present(f.estimated_delivery_at)) data.promisedBy = f.estimated_delivery_at;
  if (status) {
    data.status = status;
    data.lastCarrierEventAt = at;
  }
  const region = regionOf(f.destination) ?? fallbackRegion;
  if (region) data.region = clip(region, 100);
  const events: RawEvent[] = [{ id: `shopify:fulfillment:${f.id}:${f.updated_at ?? f.status ?? 'seen'}`, type, occurredAt: at, data }];
  if (status === 'delivered') {
    events.push({
      id: `shopify:fulfillment:${f.id}:delivered`,
      type: 'shipment.delivered',
      occurredAt: at,
      data: { shipmentId: f.id, orderId: f.order_id, deliveredAt: at },
    });
  }
  return events;
}

/** Financial statuses that mean the order was paid in full at some point. */
const paidStatuses = new Set(['paid', 'partially_refunded', 'refunded']);

/**
 * Everything an order payload tells: its customer, the order, its payment,
 * its fulfillments, its cancellation. The three order topics all carry the
 * whole order, and ids make each fact count once, so `orders/updated` also
 * repairs a lost `orders/create`.
 */
export function orderEvents(order: ShopifyOrder, ctx: MapContext): RawEvent[] {
  const events: RawEvent[] = [];
  const currency = order.currency;
  if (order.customer) events.push(customerEvent(order.customer, ctx));
  // An order without a customer record (a guest checkout) still needs one to count towards; never the e-mail as an id.
  const customerId = order.customer?.id ?? `guest-${order.id}`;
  const placedAt = order.processed_at ?? order.created_at ?? ctx.receivedAt;
  if (!order.customer && present(order.email) && plausibleEmail(order.email.trim())) {
    // So that the guest's e-mail about this order finds it.
    events.push({
      id: `shopify:order:${order.id}:guest`,
      type: 'customer.upserted',
      occurredAt: placedAt,
      data: { customerId, email: order.email.trim() },
    });
  }
  const items = (order.line_items ?? [])
    .filter((li) => li.quantity >= 1)
    .map((li) => ({
      sku: clip(present(li.sku) ? li.sku : li.variant_id ? `variant-${li.variant_id}` : `line-${li.id ?? 'unknown'}`, 100),
      name: clip(li.name ?? li.title ?? '', 500),
      quantity: li.quantity,
      price: { amount: shopifyMoney(li.price, currency), currency },
    }));
  const total = { amount: shopifyMoney(order.total_price, currency), currency };
  events.push({
    id: `shopify:order:${order.id}:placed`,
    type: 'order.placed',
    occurredAt: placedAt,
    data: { orderId: order.id, customerId, total, items, ...(present(order.source_name) ? { channel: clip(order.source_name, 50) } : {}) },
  });
  if (order.financial_status && paidStatuses.has(order.financial_status)) {
    events.push({
      id: `shopify:order:${order.id}:paid`,
      type: 'payment.succeeded',
      occurredAt: placedAt,
      data: { paymentId: `order-${order.id}`, orderId: order.id, customerId, amount: total },
    });
  }
  const region = regionOf(order.shipping_address);
  for (const f of order.fulfillments ?? []) events.push(...fulfillmentEvents(f, 'shipment.updated', ctx, region));
  if (present(order.cancelled_at)) {
    events.push({
      id: `shopify:order:${order.id}:cancelled`,
      type: 'order.cancelled',
      occurredAt: order.cancelled_at,
      data: { orderId: order.id, ...(present(order.cancel_reason) ? { reason: clip(order.cancel_reason, 1000) } : {}) },
    });
  }
  return events;
}

function refundEvent(payload: unknown, ctx: MapContext): RawEvent {
  const r = parse(refundSchema, payload, 'refund');
  const refunds = (r.transactions ?? []).filter((t) => t.kind === 'refund' && t.status === 'success');
  let amount = 0;
  let currency = ctx.storeCurrency;
  if (refunds.length > 0) {
    currency = refunds.find((t) => present(t.currency))?.currency ?? ctx.storeCurrency;
    for (const t of refunds) if ((t.currency ?? currency) === currency) amount += shopifyMoney(t.amount, currency);
  } else {
    // No money moved through a gateway (or the payload omits it): what the refunded lines were worth.
    for (const li of r.refund_line_items ?? []) {
      if (li.subtotal !== undefined && li.subtotal !== null) amount += shopifyMoney(li.subtotal, currency);
      else if (li.line_item) amount += shopifyMoney(li.line_item.price, currency) * li.quantity;
    }
  }
  return {
    id: `shopify:refund:${r.id}`,
    type: 'refund.recorded',
    occurredAt: r.processed_at ?? r.created_at ?? ctx.receivedAt,
    data: {
      refundId: r.id,
      orderId: r.order_id,
      amount: { amount, currency },
      ...(present(r.note) ? { reason: clip(r.note, 1000) } : {}),
    },
  };
}

/** The events one webhook of an ingest topic stands for. Throws ShopifyPayloadError on a payload of the wrong shape. */
export function mapTopic(topic: IngestTopic, payload: unknown, ctx: MapContext): RawEvent[] {
  switch (topic) {
    case 'customers/create':
    case 'customers/update':
      return [customerEvent(parse(customerSchema, payload, 'customer'), ctx)];
    case 'orders/create':
    case 'orders/updated':
    case 'orders/cancelled':
      return orderEvents(parse(orderSchema, payload, 'order'), ctx);
    case 'fulfillments/create':
      return fulfillmentEvents(parse(fulfillmentSchema, payload, 'fulfillment'), 'shipment.created', ctx);
    case 'fulfillments/update':
      return fulfillmentEvents(parse(fulfillmentSchema, payload, 'fulfillment'), 'shipment.updated', ctx);
    case 'refunds/create':
      return [refundEvent(payload, ctx)];
  }
}

const privacyCustomer = z.looseObject({ id: shopifyId, email: optText, phone: optText });
const customerRedact = z.looseObject({ customer: privacyCustomer, orders_to_redact: z.array(shopifyId).nullish() });
const dataRequest = z.looseObject({
  customer: privacyCustomer,
  orders_requested: z.array(shopifyId).nullish(),
  data_request: z.looseObject({ id: shopifyId }).nullish(),
});

export type PrivacyAction =
  | { kind: 'export'; customerId: string; email: string | null; orderIds: string[]; requestId: string | null }
  | { kind: 'redact'; customerId: string; email: string | null; phone: string | null; orderIds: string[] }
  | { kind: 'shop_redact' };

/** What a mandatory privacy webhook asks for (shopify.dev's documented payloads). */
export function privacyAction(topic: PrivacyTopic, payload: unknown): PrivacyAction {
  switch (topic) {
    case 'customers/data_request': {
      const p = parse(dataRequest, payload, 'customers/data_request payload');
      return {
        kind: 'export',
        customerId: p.customer.id,
        email: p.customer.email ?? null,
        orderIds: p.orders_requested ?? [],
        requestId: p.data_request?.id ?? null,
      };
    }
    case 'customers/redact': {
      const p = parse(customerRedact, payload, 'customers/redact payload');
      return {
        kind: 'redact',
        customerId: p.customer.id,
        email: p.customer.email ?? null,
        phone: p.customer.phone ?? null,
        orderIds: p.orders_to_redact ?? [],
      };
    }
    case 'shop/redact':
      return { kind: 'shop_redact' };
  }
}
