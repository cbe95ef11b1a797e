import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateBatch } from '../../events/ingest.ts';
import { mapTopic, privacyAction, type RawEvent, ShopifyPayloadError, shipmentStatusOf, shopifyMoney } from './map-topics.ts';

const fixtures = path.resolve(import.meta.dirname, '../../../test/fixtures/shopify');
const load = (file: string) => JSON.parse(fs.readFileSync(path.join(fixtures, file), 'utf8')) as Record<string, unknown>;
const order = () => load('shopify_python_api/order.json').order as Record<string, unknown>;
const refund = () => load('shopify_python_api/refund.json').refund as Record<string, unknown>;
const customer = () => load('shopify_python_api/customer.json').customer as Record<string, unknown>;
const fulfillment = () => load('shopify-fulfillment-integration/fulfillment_webhook.json');

const ctx = { storeCurrency: 'USD', receivedAt: '2026-03-01T12:00:00.000Z' };

/** Every mapped batch must pass the envelope's own validation. */
function valid(events: RawEvent[]): RawEvent[] {
  const checked = validateBatch(events, 'acme');
  expect(checked.ok, JSON.stringify(checked.ok ? null : checked.errors)).toBe(true);
  return events;
}
const byType = (events: RawEvent[], type: string) => events.filter((e) => e.type === type);

describe('shopifyMoney', () => {
  it('turns decimal text into minor units by the currency’s digits, without floating point', () => {
    expect(shopifyMoney('409.94', 'USD')).toBe(40994);
    expect(shopifyMoney('0.10', 'USD')).toBe(10);
    expect(shopifyMoney('1.1', 'USD')).toBe(110);
    expect(shopifyMoney('1000', 'JPY')).toBe(1000);
    expect(shopifyMoney('1.234', 'KWD')).toBe(1234);
    // 0.07 * 100 is 7.000000000000001 in floating point.
    expect(shopifyMoney('0.07', 'USD')).toBe(7);
    expect(shopifyMoney(19.99, 'EUR')).toBe(1999);
  });
  it('refuses amounts with more digits than the currency has, or that are not amounts', () => {
    expect(() => shopifyMoney('1.005', 'USD')).toThrow(ShopifyPayloadError);
    expect(() => shopifyMoney('1.5', 'JPY')).toThrow(/JPY has 0 decimal places/);
    expect(() => shopifyMoney('abc', 'USD')).toThrow(ShopifyPayloadError);
  });
});

describe('shipmentStatusOf', () => {
  it('maps Shopify shipment statuses onto the envelope’s', () => {
    expect(shipmentStatusOf('label_printed')).toBe('label_created');
    expect(shipmentStatusOf('label_purchased')).toBe('label_created');
    expect(shipmentStatusOf('confirmed')).toBe('in_transit');
    expect(shipmentStatusOf('in_transit')).toBe('in_transit');
    expect(shipmentStatusOf('out_for_delivery')).toBe('out_for_delivery');
    expect(shipmentStatusOf('delivered')).toBe('delivered');
    expect(shipmentStatusOf('failure')).toBe('exception');
    expect(shipmentStatusOf('attempted_delivery')).toBe('exception');
    expect(shipmentStatusOf(null)).toBeUndefined();
    expect(shipmentStatusOf('ready_for_pickup')).toBeUndefined();
  });
});

describe('mapTopic: customers', () => {
  it('customers/create → customer.upserted with the profile (phone from the default address)', () => {
    const [e, ...rest] = valid(mapTopic('customers/create', customer(), ctx));
    expect(rest).toEqual([]);
    expect(e).toEqual({
      id: 'shopify:customer:207119551:2015-05-27T18:11:24-04:00',
      type: 'customer.upserted',
      occurredAt: '2015-05-27T18:11:24-04:00',
      data: {
        customerId: '207119551',
        email: 'bob.norman@hostmail.com',
        name: 'Bob Norman',
        phone: '555-625-1199',
        createdAt: '2015-05-27T18:11:24-04:00',
      },
    });
  });
  it('splits tags, keeps the locale, and a new updated_at is a new event', () => {
    const c = { ...customer(), tags: 'VIP, wholesale ,', locale: 'en', updated_at: '2016-01-01T00:00:00Z' };
    const [e] = valid(mapTopic('customers/update', c, ctx));
    expect(e!.id).toBe('shopify:customer:207119551:2016-01-01T00:00:00Z');
    expect(e!.data).toMatchObject({ tags: ['VIP', 'wholesale'], locale: 'en' });
  });
  it('leaves out an address the envelope would refuse rather than failing the webhook', () => {
    const [e] = valid(mapTopic('customers/update', { ...customer(), email: 'not an address' }, ctx));
    expect(e!.data.email).toBeUndefined();
  });
  it('a payload without an id is a payload error', () => {
    expect(() => mapTopic('customers/create', { email: 'x@example.com' }, ctx)).toThrow(/not a Shopify customer: id/);
  });
});

describe('mapTopic: orders', () => {
  it('orders/create → the customer, the order with its lines in minor units, and its fulfillment', () => {
    const events = valid(mapTopic('orders/create', order(), ctx));
    expect(events.map((e) => e.type)).toEqual(['customer.upserted', 'order.placed', 'shipment.updated']);
    const placed = byType(events, 'order.placed')[0]!;
    expect(placed.id).toBe('shopify:order:450789469:placed');
    expect(placed.occurredAt).toBe('2008-01-10T11:00:00-05:00');
    expect(placed.data).toEqual({
      orderId: '450789469',
      customerId: '207119551',
      total: { amount: 40994, currency: 'USD' },
      items: [
        { sku: 'IPOD2008GREEN', name: 'IPod Nano - 8gb - green', quantity: 1, price: { amount: 19900, currency: 'USD' } },
        { sku: 'IPOD2008RED', name: 'IPod Nano - 8gb - red', quantity: 1, price: { amount: 19900, currency: 'USD' } },
        { sku: 'IPOD2008BLACK', name: 'IPod Nano - 8gb - black', quantity: 1, price: { amount: 19900, currency: 'USD' } },
      ],
      channel: 'web',
    });
    // "authorized" is not paid yet.
    expect(byType(events, 'payment.succeeded')).toEqual([]);
    const ship = byType(events, 'shipment.updated')[0]!;
    expect(ship.id).toBe('shopify:fulfillment:255858046:2014-01-22T15:58:27-05:00');
    expect(ship.data).toMatchObject({ shipmentId: '255858046', orderId: '450789469', trackingNumber: '1Z2345', region: 'US-KY' });
    expect(byType(events, 'customer.upserted')[0]!.data).toMatchObject({ customerId: '207119551', name: 'Bob Norman' });
  });
  it('a paid order also records its payment; the ids are the same whichever order topic carries it', () => {
    const paid = { ...order(), financial_status: 'paid' };
    const created = valid(mapTopic('orders/create', paid, ctx));
    const updated = valid(mapTopic('orders/updated', paid, ctx));
    expect(updated.map((e) => e.id)).toEqual(created.map((e) => e.id));
    expect(byType(created, 'payment.succeeded')[0]).toMatchObject({
      id: 'shopify:order:450789469:paid',
      data: { paymentId: 'order-450789469', orderId: '450789469', customerId: '207119551', amount: { amount: 40994, currency: 'USD' } },
    });
  });
  it('orders/cancelled → order.cancelled with Shopify’s reason', () => {
    const cancelled = { ...order(), cancelled_at: '2008-01-11T09:00:00-05:00', cancel_reason: 'customer' };
    const events = valid(mapTopic('orders/cancelled', cancelled, ctx));
    expect(byType(events, 'order.cancelled')).toEqual([
      {
        id: 'shopify:order:450789469:cancelled',
        type: 'order.cancelled',
        occurredAt: '2008-01-11T09:00:00-05:00',
        data: { orderId: '450789469', reason: 'customer' },
      },
    ]);
  });
  it('a guest order counts towards a per-order customer, never one named by the e-mail', () => {
    const { customer: _, ...guest } = order();
    const events = valid(mapTopic('orders/create', guest, ctx));
    expect(byType(events, 'order.placed')[0]!.data.customerId).toBe('guest-450789469');
    expect(byType(events, 'customer.upserted')[0]!.data).toEqual({ customerId: 'guest-450789469', email: 'bob.norman@hostmail.com' });
    expect(JSON.stringify(events.map((e) => e.id))).not.toContain('@');
  });
  it('an order whose total has too many decimals for its currency is a payload error', () => {
    expect(() => mapTopic('orders/create', { ...order(), currency: 'JPY' }, ctx)).toThrow(/JPY has 0 decimal places/);
  });
});

describe('mapTopic: fulfillments', () => {
  it('fulfillments/create → shipment.created from Shopify’s own webhook body', () => {
    const events = valid(mapTopic('fulfillments/create', fulfillment(), ctx));
    expect(events).toEqual([
      {
        id: 'shopify:fulfillment:255858046:2014-04-28T13:28:03-04:00',
        type: 'shipment.created',
        occurredAt: '2014-04-28T13:28:03-04:00',
        data: { shipmentId: '255858046', orderId: '450789469', trackingNumber: '1Z2345', shippedAt: '2014-04-28T13:28:03-04:00' },
      },
    ]);
  });
  it('fulfillments/update carries the carrier, the status and the estimated delivery', () => {
    const f = {
      ...fulfillment(),
      tracking_company: 'UPS',
      shipment_status: 'label_printed',
      estimated_delivery_at: '2014-05-02T17:00:00-04:00',
      updated_at: '2014-04-29T08:00:00-04:00',
    };
    const [e] = valid(mapTopic('fulfillments/update', f, ctx));
    expect(e).toMatchObject({
      id: 'shopify:fulfillment:255858046:2014-04-29T08:00:00-04:00',
      type: 'shipment.updated',
      data: {
        carrier: 'UPS',
        status: 'label_created',
        promisedBy: '2014-05-02T17:00:00-04:00',
        lastCarrierEventAt: '2014-04-29T08:00:00-04:00',
      },
    });
  });
  it('delivered also says shipment.delivered; failure is an exception', () => {
    const delivered = valid(
      mapTopic('fulfillments/update', { ...fulfillment(), shipment_status: 'delivered', updated_at: '2014-05-01T10:00:00Z' }, ctx),
    );
    expect(delivered.map((e) => [e.type, e.data.status])).toEqual([
      ['shipment.updated', 'delivered'],
      ['shipment.delivered', undefined],
    ]);
    expect(delivered[1]).toMatchObject({ id: 'shopify:fulfillment:255858046:delivered', data: { deliveredAt: '2014-05-01T10:00:00Z' } });
    const failed = valid(mapTopic('fulfillments/update', { ...fulfillment(), shipment_status: 'failure' }, ctx));
    expect(failed[0]!.data.status).toBe('exception');
  });
});

describe('mapTopic: refunds', () => {
  it('refunds/create → refund.recorded for what the successful refund transactions moved', () => {
    const events = valid(mapTopic('refunds/create', refund(), ctx));
    expect(events).toEqual([
      {
        id: 'shopify:refund:509562969',
        type: 'refund.recorded',
        occurredAt: '2016-06-20T13:35:06-04:00',
        data: {
          refundId: '509562969',
          orderId: '450789469',
          amount: { amount: 20900, currency: 'USD' },
          reason: 'it broke during shipping',
        },
      },
    ]);
  });
  it('ignores failed transactions and, with none, counts the refunded lines', () => {
    const r = refund();
    const failedOnly = { ...r, transactions: [{ kind: 'refund', status: 'failure', amount: '209.00', currency: 'USD' }] };
    const [e] = valid(mapTopic('refunds/create', failedOnly, { ...ctx, storeCurrency: 'USD' }));
    expect(e!.data.amount).toEqual({ amount: 39800, currency: 'USD' });
    const withSubtotals = {
      ...r,
      transactions: [],
      refund_line_items: [
        { quantity: 2, subtotal: '10.50' },
        { quantity: 1, subtotal: '0.25' },
      ],
    };
    expect(valid(mapTopic('refunds/create', withSubtotals, ctx))[0]!.data.amount).toEqual({ amount: 1075, currency: 'USD' });
  });
});

describe('privacyAction', () => {
  it('reads the documented payloads', () => {
    expect(privacyAction('customers/redact', load('documented/customers-redact.json'))).toEqual({
      kind: 'redact',
      customerId: '191167',
      email: 'john@example.com',
      phone: '555-625-1199',
      orderIds: ['299938', '280263', '220458'],
    });
    expect(privacyAction('customers/data_request', load('documented/customers-data_request.json'))).toEqual({
      kind: 'export',
      customerId: '191167',
      email: 'john@example.com',
      orderIds: ['299938', '280263', '220458'],
      requestId: '9999',
    });
    expect(privacyAction('shop/redact', load('documented/shop-redact.json'))).toEqual({ kind: 'shop_redact' });
    expect(() => privacyAction('customers/redact', { shop_domain: 'x.myshopify.com' })).toThrow(ShopifyPayloadError);
  });
});
