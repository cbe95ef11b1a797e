/**
 * The Shopify commerce driver against a local fake of the Admin GraphQL API
 * that validates every request against Shopify's published 2026-10 schema
 * (test/support/shopify-admin-server.ts). No network, no real shop.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type IssueRequest, PermanentIssueError } from '../../src/compensation/commerce.ts';
import { createShopifyDriver, discountCode, type ShopifyDriverOptions } from '../../src/compensation/drivers/shopify.driver.ts';
import type { OfferKind } from '../../src/policy/offer-kinds.ts';
import { adminSchema, type ShopifyAdminServer, startShopifyAdminServer } from '../support/shopify-admin-server.ts';

const NOW = '2026-11-20T12:00:00.000Z';
const inDays = (days: number) => new Date(Date.parse(NOW) + days * 86_400_000).toISOString();

let server: ShopifyAdminServer;
/** Every wait the driver asked for: the injected sleep records instead of sleeping. */
const waits: number[] = [];

function driverFor(s: ShopifyAdminServer, extra: Partial<ShopifyDriverOptions> = {}) {
  return createShopifyDriver({
    shopDomain: 'amends-test.myshopify.com',
    accessToken: s.accessToken,
    endpoint: s.url,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
}
const driver = (extra: Partial<ShopifyDriverOptions> = {}) => driverFor(server, extra);

let seq = 0;
function request(over: Partial<IssueRequest>): IssueRequest {
  seq += 1;
  return {
    storeId: 'store-1',
    compensationId: `cmp-${seq}`,
    idempotencyKey: `cmp-${seq}-${randomUUID()}`,
    kind: 'discount_code',
    amount: null,
    percent: null,
    points: null,
    customerId: null,
    customerEmail: null,
    orderId: null,
    validDays: null,
    note: `Amends case #${seq}: late parcel`,
    now: NOW,
    ...over,
  };
}

/** Requests sent by one call, by the operation names the driver gives them. */
function operationsSince(from: number): string[] {
  return server.requests.slice(from).map((r) => /(?:query|mutation)\s+(\w+)/.exec(r.query)?.[1] ?? '?');
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the promise to reject');
}

beforeAll(async () => {
  server = await startShopifyAdminServer();
});
afterAll(async () => {
  await server.close();
  // Also checked by the last test; here it still fires when that one is filtered out.
  expect(server.invalidRequests).toEqual([]);
});
beforeEach(() => {
  waits.length = 0;
});

describe('shopify driver: discount codes', () => {
  it('creates a single-use, customer-specific percentage code derived from the idempotency key', async () => {
    const customer = server.state.addCustomer({ email: 'ana@example.com' });
    const req = request({ percent: 15, customerId: customer.id.split('/').pop() ?? '', validDays: 30 });
    const result = await driver().issue(req);

    expect(result.code).toMatch(/^SORRY-[A-Z2-7]{10}$/);
    expect(result.code).toBe(discountCode(req.idempotencyKey));
    const made = server.state.discounts.filter((d) => d.code === result.code);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({
      id: result.reference,
      percentage: 0.15,
      amountSent: null,
      usageLimit: 1,
      appliesOncePerCustomer: true,
      customers: [customer.id],
      startsAt: NOW,
      endsAt: inDays(30),
    });
  });

  it('sends a fixed amount as a decimal string in the currency’s units (1250 USD → "12.50"), for everyone when no customer is known', async () => {
    const result = await driver().issue(request({ amount: { amount: 1250, currency: 'USD' } }));
    const made = server.state.discounts.find((d) => d.code === result.code);
    expect(made).toMatchObject({ amountSent: '12.50', amount: 1250, percentage: null, customers: 'ALL', endsAt: null });
    expect(result.amount).toEqual({ amount: 1250, currency: 'USD' });
  });

  it('sends a yen amount without decimals (1250 JPY → "1250")', async () => {
    const yenShop = await startShopifyAdminServer({ shopCurrency: 'JPY' });
    try {
      const result = await driverFor(yenShop).issue(request({ amount: { amount: 1250, currency: 'JPY' } }));
      expect(yenShop.state.discounts).toHaveLength(1);
      expect(yenShop.state.discounts[0]).toMatchObject({ code: result.code, amountSent: '1250', amount: 1250, currency: 'JPY' });
      expect(yenShop.invalidRequests).toEqual([]);
    } finally {
      await yenShop.close();
    }
  });

  it('a retry with the same key finds the code the first attempt made (the shop answers TAKEN)', async () => {
    const req = request({ percent: 10 });
    const first = await driver().issue(req);
    const from = server.requests.length;
    const second = await driver().issue(req);

    expect(second.reference).toBe(first.reference);
    expect(second.code).toBe(first.code);
    expect(second.details.reused).toBe(true);
    expect(operationsSince(from)).toEqual(['AmendsDiscountCreate', 'AmendsDiscountByCode']);
    expect(server.state.discounts.filter((d) => d.code === first.code)).toHaveLength(1);
  });

  it('10 concurrent calls with one key make one code, in one driver and across ten', async () => {
    const one = driver();
    const req = request({ percent: 20 });
    const results = await Promise.all(Array.from({ length: 10 }, () => one.issue(req)));
    expect(new Set(results.map((r) => r.reference)).size).toBe(1);
    expect(server.state.discounts.filter((d) => d.code === results[0]?.code)).toHaveLength(1);

    const req2 = request({ percent: 25 });
    const across = await Promise.all(Array.from({ length: 10 }, () => driver().issue(req2)));
    expect(new Set(across.map((r) => r.reference)).size).toBe(1);
    expect(server.state.discounts.filter((d) => d.code === across[0]?.code)).toHaveLength(1);
  });

  it('a userError from the shop is a PermanentIssueError with the shop’s message', async () => {
    // A customer the shop does not know.
    const err = await rejection(driver().issue(request({ percent: 10, customerId: '999999999' })));
    expect(err).toBeInstanceOf(PermanentIssueError);
    expect((err as PermanentIssueError).code).toBe('rejected_by_shop');
    expect(err.message).toContain('Customer gid://shopify/Customer/999999999 does not exist');
  });
});

describe('shopify driver: refunds', () => {
  it('refunds part of an order against its sale, with the gateway, under @idempotent', async () => {
    const order = server.state.addOrder({ id: 4501, payments: [{ amount: '40.00', gateway: 'shopify_payments' }] });
    const sale = order.transactions[0];
    const from = server.requests.length;
    const result = await driver().issue(
      request({ kind: 'refund_partial', orderId: '4501', amount: { amount: 1250, currency: 'USD' }, note: 'Amends case #7: dented' }),
    );

    expect(order.refunds).toHaveLength(1);
    const refund = order.refunds[0];
    expect(refund).toMatchObject({ id: result.reference, amount: 1250, currency: 'USD' });
    expect(refund?.note).toContain('Amends case #7: dented');
    const tx = order.transactions.find((t) => t.id === refund?.transactionIds[0]);
    expect(tx).toMatchObject({ kind: 'REFUND', parentId: sale?.id, gateway: 'shopify_payments', amount: 1250 });
    expect(result.amount).toEqual({ amount: 1250, currency: 'USD' });
    expect(operationsSince(from)).toEqual(['AmendsRefundOrder', 'AmendsRefund']);
    const sent = server.requests.at(-1);
    expect(sent?.query).toMatch(/refundCreate\(input: \$input\) @idempotent\(key: \$key\)/);
    expect(sent?.variables?.key).toBeTypeOf('string');
    expect(JSON.stringify(sent?.variables)).toContain('"amount":"12.50"');
  });

  it('accepts an order GID, and refunds yen without decimals', async () => {
    const order = server.state.addOrder({ currency: 'JPY', lineItems: [{ title: 'Teapot', quantity: 1, price: '3000' }] });
    const result = await driver().issue(request({ kind: 'refund_partial', orderId: order.id, amount: { amount: 1250, currency: 'JPY' } }));
    expect(order.refunds[0]).toMatchObject({ id: result.reference, amount: 1250, currency: 'JPY' });
    expect(JSON.stringify(server.requests.at(-1)?.variables)).toContain('"amount":"1250"');
    expect(result.amount).toEqual({ amount: 1250, currency: 'JPY' });
  });

  it('a full refund returns what is left, spread over every capture', async () => {
    const order = server.state.addOrder({
      payments: [
        { kind: 'AUTHORIZATION', amount: '40.00' },
        { kind: 'CAPTURE', amount: '30.00' },
        { kind: 'CAPTURE', amount: '10.00' },
        { kind: 'SALE', amount: '5.00', status: 'FAILURE' },
      ],
    });
    await driver().issue(request({ kind: 'refund_partial', orderId: order.id, amount: { amount: 1000, currency: 'USD' } }));
    const full = await driver().issue(request({ kind: 'refund_full', orderId: order.id }));

    expect(order.refunds).toHaveLength(2);
    expect(full.amount).toEqual({ amount: 3000, currency: 'USD' });
    const refundTxs = order.transactions.filter((t) => t.kind === 'REFUND');
    expect(refundTxs.reduce((s, t) => s + t.amount, 0)).toBe(4000);
    const captures = order.transactions.filter((t) => t.kind === 'CAPTURE').map((t) => t.id);
    expect(new Set(refundTxs.map((t) => t.parentId))).toEqual(new Set(captures));

    const again = await rejection(driver().issue(request({ kind: 'refund_full', orderId: order.id })));
    expect(again).toBeInstanceOf(PermanentIssueError);
    expect((again as PermanentIssueError).code).toBe('nothing_to_refund');
  });

  it('caps a partial refund at what the order can still refund', async () => {
    const order = server.state.addOrder({ payments: [{ amount: '8.00' }] });
    const result = await driver().issue(request({ kind: 'refund_partial', orderId: order.id, amount: { amount: 1250, currency: 'USD' } }));
    expect(result.amount).toEqual({ amount: 800, currency: 'USD' });
    expect(result.details.capped).toBe(true);
    expect(order.refunds[0]?.amount).toBe(800);
  });

  it('one key, one refund: twice in a row, 10 at once in one driver, and 10 at once across drivers', async () => {
    const order = server.state.addOrder({ payments: [{ amount: '100.00' }] });
    const req = request({ kind: 'refund_partial', orderId: order.id, amount: { amount: 1000, currency: 'USD' } });
    const first = await driver().issue(req);
    const from = server.requests.length;
    const second = await driver().issue(req);
    expect(second.reference).toBe(first.reference);
    expect(second.details.reused).toBe(true);
    // The note marker answers a retry without a second mutation.
    expect(operationsSince(from)).toEqual(['AmendsRefundOrder']);

    const one = driver();
    const req2 = request({ kind: 'refund_partial', orderId: order.id, amount: { amount: 500, currency: 'USD' } });
    const burst = await Promise.all(Array.from({ length: 10 }, () => one.issue(req2)));
    expect(new Set(burst.map((r) => r.reference)).size).toBe(1);

    // Ten processes: all read the order before any refund exists; Shopify's @idempotent replays the first.
    const req3 = request({ kind: 'refund_partial', orderId: order.id, amount: { amount: 700, currency: 'USD' } });
    const across = await Promise.all(Array.from({ length: 10 }, () => driver().issue(req3)));
    expect(new Set(across.map((r) => r.reference)).size).toBe(1);

    expect(order.refunds.map((r) => r.amount)).toEqual([1000, 500, 700]);
  });

  it('refuses a refund in another currency than the order’s, and an unknown order, without a mutation', async () => {
    const order = server.state.addOrder({ payments: [{ amount: '20.00' }] });
    const from = server.requests.length;
    const wrong = await rejection(
      driver().issue(request({ kind: 'refund_partial', orderId: order.id, amount: { amount: 500, currency: 'EUR' } })),
    );
    expect((wrong as PermanentIssueError).code).toBe('currency_mismatch');
    const missing = await rejection(driver().issue(request({ kind: 'refund_full', orderId: '123456789' })));
    expect((missing as PermanentIssueError).code).toBe('order_not_found');
    expect(operationsSince(from)).toEqual(['AmendsRefundOrder', 'AmendsRefundOrder']);
    expect(order.refunds).toEqual([]);
  });
});

describe('shopify driver: store credit', () => {
  it('credits the customer’s account in the request currency, with the expiry', async () => {
    const customer = server.state.addCustomer({ id: 7001 });
    const result = await driver().issue(
      request({ kind: 'store_credit', customerId: '7001', amount: { amount: 1250, currency: 'USD' }, validDays: 90 }),
    );

    const accounts = server.state.storeCreditAccounts.filter((a) => a.ownerId === customer.id);
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ currency: 'USD', balance: 1250 });
    expect(accounts[0]?.transactions).toEqual([
      expect.objectContaining({ id: result.reference, amountSent: '12.50', amount: 1250, expiresAt: inDays(90) }),
    ]);
    expect(result.details.markerWritten).toBe(true);
    expect(customer.metafields).toHaveLength(1);
  });

  it('one key, one credit: twice in a row and 10 at once', async () => {
    const customer = server.state.addCustomer();
    const req = request({ kind: 'store_credit', customerId: customer.id, amount: { amount: 500, currency: 'USD' } });
    const first = await driver().issue(req);
    const second = await driver().issue(req);
    expect(second.reference).toBe(first.reference);
    expect(second.details.reused).toBe(true);

    const one = driver();
    const req2 = request({ kind: 'store_credit', customerId: customer.id, amount: { amount: 300, currency: 'USD' } });
    const burst = await Promise.all(Array.from({ length: 10 }, () => one.issue(req2)));
    expect(new Set(burst.map((r) => r.reference)).size).toBe(1);

    const account = server.state.storeCreditAccounts.find((a) => a.ownerId === customer.id);
    expect(account?.transactions.map((t) => t.amount)).toEqual([500, 300]);
    expect(account?.balance).toBe(800);
  });

  it('needs a known customer', async () => {
    const from = server.requests.length;
    const err = await rejection(driver().issue(request({ kind: 'store_credit', amount: { amount: 500, currency: 'USD' } })));
    expect(err).toBeInstanceOf(PermanentIssueError);
    expect((err as PermanentIssueError).code).toBe('customer_required');
    expect(server.requests.length).toBe(from);
  });

  it('a shop-side userError (expiry not in the future) is permanent and credits nothing', async () => {
    const customer = server.state.addCustomer();
    const err = await rejection(
      driver().issue(request({ kind: 'store_credit', customerId: customer.id, amount: { amount: 500, currency: 'USD' }, validDays: 0 })),
    );
    expect(err).toBeInstanceOf(PermanentIssueError);
    expect(err.message).toContain('EXPIRES_AT_IN_PAST');
    expect(server.state.storeCreditAccounts.filter((a) => a.ownerId === customer.id)).toEqual([]);
  });

  it('does not blindly resend the credit after a 5xx (it may have been applied)', async () => {
    const customer = server.state.addCustomer();
    let creditAttempts = 0;
    const flaky: typeof fetch = async (input, init) => {
      if (String(init?.body).includes('storeCreditAccountCredit')) {
        creditAttempts += 1;
        return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
      }
      return fetch(input, init);
    };
    const err = await rejection(
      driver({ fetch: flaky }).issue(request({ kind: 'store_credit', customerId: customer.id, amount: { amount: 500, currency: 'USD' } })),
    );
    expect(err).not.toBeInstanceOf(PermanentIssueError);
    expect(err.message).toContain('HTTP 502');
    expect(creditAttempts).toBe(1);
    expect(waits).toEqual([]);
  });
});

describe('shopify driver: free replacement', () => {
  it('creates a draft order of the same items at 100% off, tagged for the key, for the merchant to complete', async () => {
    const customer = server.state.addCustomer();
    const order = server.state.addOrder({
      customerId: customer.id,
      email: 'ana@example.com',
      lineItems: [
        { title: 'Blue mug', quantity: 2, price: '12.00', variantId: 'gid://shopify/ProductVariant/111' },
        { title: 'Gift wrap', quantity: 1, price: '3.50' },
      ],
    });
    const req = request({ kind: 'free_replacement', orderId: order.id, note: 'Amends case #9: arrived broken' });
    const result = await driver().issue(req);

    expect(server.state.draftOrders.filter((d) => d.id === result.reference)).toHaveLength(1);
    const draft = server.state.draftOrders.find((d) => d.id === result.reference);
    expect(draft).toMatchObject({
      status: 'OPEN',
      customerId: customer.id,
      email: 'ana@example.com',
      note: 'Amends case #9: arrived broken',
      subtotal: 2750,
      total: 0,
      appliedDiscount: { valueType: 'PERCENTAGE', value: 100 },
      shippingLine: { price: 0 },
    });
    expect(draft?.tags).toContain('amends');
    expect(draft?.lineItems.map((li) => [li.variantId, li.title, li.quantity, li.unitPrice])).toEqual([
      ['gid://shopify/ProductVariant/111', 'Blue mug', 2, 1200],
      [null, 'Gift wrap', 1, 350],
    ]);

    const again = await driver().issue(req);
    expect(again.reference).toBe(result.reference);
    expect(again.details.reused).toBe(true);
    expect(server.state.draftOrders.filter((d) => d.note === req.note)).toHaveLength(1);
  });
});

describe('shopify driver: what it will not do', () => {
  const unsupported: OfferKind[] = ['apology_only', 'expedited_shipping', 'free_gift', 'upgrade', 'loyalty_points'];
  it.each(unsupported)('%s is a PermanentIssueError unsupported_kind, with no request sent', async (kind) => {
    const from = server.requests.length;
    const err = await rejection(driver().issue(request({ kind, points: 100, amount: { amount: 500, currency: 'USD' } })));
    expect(err).toBeInstanceOf(PermanentIssueError);
    expect((err as PermanentIssueError).code).toBe('unsupported_kind');
    expect(err.message).toContain('fulfilled by the store team');
    expect(server.requests.length).toBe(from);
  });
});

describe('shopify driver: throttling and transport errors', () => {
  it('retries THROTTLED with exponential backoff and succeeds', async () => {
    server.throttleNext(2);
    const from = server.requests.length;
    const result = await driver().issue(request({ percent: 5 }));
    expect(result.code).toMatch(/^SORRY-/);
    expect(operationsSince(from)).toEqual(['AmendsDiscountCreate', 'AmendsDiscountCreate', 'AmendsDiscountCreate']);
    expect(waits).toEqual([500, 1000]);
  });

  it('waits for the bucket to refill when the restore rate says it takes longer than the backoff', async () => {
    // The fake prices AmendsDiscountCreate at 13 points (10 + 3 object selections): at 1 point/s, 13 s.
    server.throttleNext(1, { currentlyAvailable: 0, restoreRate: 1 });
    await driver().issue(request({ percent: 5 }));
    expect(waits).toEqual([13_000]);
  });

  it('gives up after maxRetries with a retryable Error that carries no token', async () => {
    server.throttleNext(5);
    const from = server.requests.length;
    const err = await rejection(driver({ maxRetries: 2 }).issue(request({ percent: 5 })));
    server.throttleNext(0);
    expect(err).not.toBeInstanceOf(PermanentIssueError);
    expect(err.message).toMatch(/gave up after 2 retries.*Throttled/);
    expect(err.message).not.toContain(server.accessToken);
    expect(server.requests.length - from).toBe(3);
    expect(waits).toEqual([500, 1000]);
  });

  it('retries HTTP 429 (honouring Retry-After) and 503', async () => {
    server.failNext(429, 1);
    server.failNext(503, 1);
    const from = server.requests.length;
    const result = await driver().issue(request({ percent: 5 }));
    expect(server.state.discounts.filter((d) => d.code === result.code)).toHaveLength(1);
    expect(server.requests.length - from).toBe(3);
    expect(waits).toEqual([2000, 1000]);
  });

  it('a bad token is an Error naming the status, never the token, and is not retried', async () => {
    const token = 'shpat_wrong_token_123';
    const err = await rejection(driver({ accessToken: token }).issue(request({ percent: 5 })));
    expect(err).not.toBeInstanceOf(PermanentIssueError);
    expect(err.message).toContain('HTTP 401');
    expect(err.message).not.toContain(token);
    expect(waits).toEqual([]);
  });
});

describe('the fake Admin API validates for real', () => {
  let strict: ShopifyAdminServer;
  beforeAll(async () => {
    strict = await startShopifyAdminServer();
  });
  afterAll(async () => {
    await strict.close();
  });
  const post = async (body: unknown, token = strict.accessToken) => {
    const res = await fetch(`${strict.url}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': token },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      json: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] },
    };
  };

  it('the 2026-10 schema defines @idempotent(key: String!) on fields', () => {
    const directive = adminSchema().getDirective('idempotent');
    expect(directive?.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(['key: String!']);
    expect(directive?.locations).toEqual(['FIELD']);
  });

  it('rejects a field that does not exist, and records it', async () => {
    const { status, json } = await post({ query: '{ shop { name notAField } }' });
    expect(status).toBe(200);
    expect(json.data).toBeUndefined();
    expect(json.errors?.[0]?.message).toContain('Cannot query field "notAField" on type "Shop"');
    expect(json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(strict.invalidRequests).toHaveLength(1);
  });

  it('rejects variables that do not match the operation’s definitions', async () => {
    const query = 'mutation R($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "k") { userErrors { message } } }';
    const { json } = await post({ query, variables: { input: { note: 'no orderId', transactions: [{ amount: 5 }] } } });
    expect(json.errors?.[0]?.extensions?.code).toBe('INVALID_VARIABLE');
    expect(json.errors?.map((e) => e.message).join(' ')).toMatch(/orderId/);
    const nullId = await post({ query: 'query O($id: ID!) { order(id: $id) { id } }', variables: { id: null } });
    expect(nullId.json.errors?.[0]?.extensions?.code).toBe('INVALID_VARIABLE');
    expect(strict.invalidRequests).toHaveLength(3);
  });

  it('enforces the runtime rule the schema cannot express: refundCreate needs @idempotent', async () => {
    const order = strict.state.addOrder({ payments: [{ amount: '10.00' }] });
    const { json } = await post({
      query: 'mutation R($input: RefundInput!) { refundCreate(input: $input) { refund { id } userErrors { message } } }',
      variables: { input: { orderId: order.id } },
    });
    expect(json.errors?.[0]?.message).toContain('@idempotent');
    expect(order.refunds).toEqual([]);
    expect(strict.invalidRequests).toHaveLength(4);
  });

  it('answers a wrong token with 401 like Shopify', async () => {
    const { status, json } = await post({ query: '{ shop { name } }' }, 'nope');
    expect(status).toBe(401);
    expect(String(json.errors)).toContain('Invalid API key or access token');
  });
});

describe('schema conformance', () => {
  it('the driver sent zero schema-invalid requests in this file', () => {
    expect(server.requests.length).toBeGreaterThan(50);
    expect(server.invalidRequests).toEqual([]);
  });
});
